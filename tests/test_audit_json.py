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


def _digest_or_error(function, *args):
    try:
        return function(*args)
    except Exception as exc:  # the same error, whichever path raised it
        return type(exc)


@settings(max_examples=300)
@given(st.lists(st.dictionaries(st.sampled_from(["id", "a", "b", "quantity"]), VALUE, max_size=4), max_size=6))
def test_a_batch_of_row_digests_is_each_rows_own_digest(rows):
    """`row_digests` checks types once per batch; a float, a date or an integer beyond 64 bits in
    any row sends the batch through `row_digest`, so every digest is the canonical one."""
    from fieldkit.catalog.audit import row_digest, row_digests

    assert _digest_or_error(row_digests, rows) == _digest_or_error(lambda: [row_digest(r) for r in rows])
    for row in rows:
        try:
            expected = hashlib.sha256(reference_row_json(row).encode("utf-8")).hexdigest()
        except UnicodeEncodeError:
            continue
        assert row_digest(row) == expected


# Text made of the characters that delimit the rows of a batch written in one orjson call
# (`audit._batch_digests`): a cell such as `},{"a":` must not cut a row in two.
DELIMITERS = st.lists(st.sampled_from(['},{"', '"a":', "a", "b", "{", "}", ",", ":", '"', "\\", "[", "]", "\u00e9"]),
                      max_size=6).map("".join)
KEYS = st.sampled_from(["a", "b", "id", ",a", "}", '"q', "\u00e9", 1, None, True])  # orjson refuses keys not str


@settings(max_examples=400)
@given(st.lists(DELIMITERS, min_size=2, max_size=4, unique=True).flatmap(
    lambda keys: st.lists(st.fixed_dictionaries({k: st.one_of(st.none(), DELIMITERS, st.integers(-5, 5)) for k in keys}),
                          min_size=1, max_size=6)))
def test_a_batch_whose_text_looks_like_the_seams_between_rows_gives_each_rows_own_digest(rows):
    """Rows sharing their keys, whose keys and cells are made of `{`, `}`, `,`, `:` and quotes:
    the batch's digests are the digests of each row's json.dumps, one by one."""
    from fieldkit.catalog.audit import row_digests

    expected = [hashlib.sha256(reference_row_json(row).encode("utf-8")).hexdigest() for row in rows]
    assert row_digests(rows) == expected


@settings(max_examples=200)
@given(st.lists(st.dictionaries(KEYS, st.one_of(st.none(), DELIMITERS, st.integers(-5, 5)), max_size=4), max_size=6))
def test_a_batch_of_rows_with_different_keys_gives_each_rows_own_digest(rows):
    from fieldkit.catalog.audit import row_digests

    def one_by_one():
        return [hashlib.sha256(reference_row_json(row).encode("utf-8")).hexdigest() for row in rows]

    assert _digest_or_error(row_digests, rows) == _digest_or_error(one_by_one)


def test_a_bulk_event_written_by_batches_is_the_one_written_row_by_row(catalog):
    """Same audit_rows (n, row_id, sha256) and the same audit row, whether rows go in with add or add_many."""
    from fieldkit.catalog.audit import BULK_TABLE, BulkEvent

    rows = [{"id": f"r{i}", "quantity": i, "notes": None if i % 3 else "Харків", "lat": 1e16 if i == 7 else None}
            for i in range(1, 12)]
    written = []
    for by_batch in (False, True):
        with catalog.transaction() as db:
            event = BulkEvent(db, table="components", action="import", event_id="e")
            if by_batch:
                event.add(rows[0])
                event.add_many(rows[1:5])
                event.add_many(rows[5:])
            else:
                for row in rows:
                    event.add(row)
            entry = event.finish(at="2026-12-01T00:00:00+00:00", actor="tester", details={"source_name": "x.csv"})
            written.append((db.execute(f"SELECT n, row_id, sha256 FROM {BULK_TABLE} WHERE seq = ? ORDER BY n",
                                       [entry["seq"]]).fetchall(), entry["after_json"]))
    assert written[0] == written[1] and len(written[0][0]) == 11
