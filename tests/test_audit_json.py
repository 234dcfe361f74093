"""The audit log's JSON is canonical: exactly what json.dumps writes, whichever encoder made it.

Every hash in every audit log ever written depends on these bytes, and `check_state` compares a
row's JSON with the stored one as text, so the fast encoder (orjson) must never differ.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.catalog.audit import AUDITED_FIELDS, row_hash, to_json

VALUE = st.one_of(
    st.none(), st.text(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), st.booleans(), st.dates(),
    st.binary(max_size=8),
)


def reference_row_json(row):
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


@settings(max_examples=500)
@given(st.dictionaries(st.text(), VALUE, max_size=25))
def test_a_rows_json_is_byte_for_byte_what_json_dumps_writes(row):
    assert to_json(row) == reference_row_json(row)


@settings(max_examples=300)
@given(st.text(), st.text(), st.one_of(st.none(), st.text()), st.integers(1, 2**40))
def test_an_entrys_hash_is_the_sha256_of_json_dumps(actor, row_id, after, seq):
    entry = {"seq": seq, "at": "2026-11-23T21:00:00+00:00", "actor": actor, "action": "insert",
             "table_name": "components", "row_id": row_id, "before_json": None, "after_json": after,
             "prev_hash": "0" * 64}
    payload = json.dumps([entry[f] for f in AUDITED_FIELDS], ensure_ascii=False, separators=(",", ":"))
    try:
        expected = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    except UnicodeEncodeError:  # a lone surrogate: no hash then, nor now
        return
    assert row_hash(entry) == expected


def test_floats_and_dates_keep_pythons_own_spelling():
    row = {"lat": 1e16, "small": 1e-07, "found_on": dt.date(2024, 1, 2), "n": 3}
    assert to_json(row) == '{"found_on":"2024-01-02","lat":1e+16,"n":3,"small":1e-07}'
