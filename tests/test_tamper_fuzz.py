"""Random tampering (issue 19): every edit of the audit log is caught, no stored_path leaves the store,
and no witness log, however garbled, makes verify fail with anything but a report.

Each example works on a fresh copy of one small catalog (and of its witness log). `make test`
runs a few dozen examples per target; `make stress` (FIELDKIT_FUZZ_PROFILE=fuzz-stress) many
more. How many were tried and how many held goes to FIELDKIT_RELIABILITY_LOG when it is set.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit.catalog import audit, items, witness
from fieldkit.catalog import components as components_core
from fieldkit.catalog.db import open_catalog
from fieldkit.errors import PhotoError
from fieldkit.evidence.photos import EXTENSIONS, add_photos, stored_file, stored_path_problem
from fieldkit.evidence.verify import verify_catalog
from tests.photo_files import jpeg_bytes, write

EXAMPLES = 1000 if os.environ.get("FIELDKIT_FUZZ_PROFILE") == "fuzz-stress" else 40
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TRIED: Counter[str] = Counter()
HELD: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    log = os.environ.get("FIELDKIT_RELIABILITY_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            for target in sorted(TRIED):
                fh.write(json.dumps({"test": f"tamper: {target}", "tried": TRIED[target], "held": HELD[target]}) + "\n")


@pytest.fixture
def original(tmp_path, data_dir):
    """A catalog with 2 items, 3 components, a photo; and its witness log."""
    path = tmp_path / "original" / "catalog.db"
    catalog = open_catalog(path, actor="researcher")
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    for part in ("ADXL345", "MAX232", "STM32F405"):
        components_core.add_component(catalog, "KHK-0001", {"part_number": part, "country": "US"})
    items.add_item(catalog, {"ref": "KHK-0002", "category": "fuze"})
    add_photos(catalog, "KHK-0002", [write(tmp_path / "fuze.jpg", jpeg_bytes())])
    catalog.close()
    return path, witness.witness_path().read_bytes()


def fresh_copy(original, tmp_path_factory):
    """A copy of the catalog at a new path, with the witness log rewritten to name that path."""
    path, log = original
    folder = tmp_path_factory.mktemp("copy")
    target = folder / "catalog.db"
    shutil.copyfile(path, target)
    shutil.copytree(path.with_name("catalog.db.photos"), folder / "catalog.db.photos")
    witness.witness_path().write_bytes(log.replace(json.dumps(str(path.resolve()))[1:-1].encode(),
                                                   json.dumps(str(target.resolve()))[1:-1].encode()))
    return target


FIELDS = ("at", "actor", "action", "table_name", "row_id", "before_json", "after_json")


@FUZZ
@given(seq=st.integers(1, 8), field=st.sampled_from(FIELDS), value=st.text(max_size=20),
       mode=st.sampled_from(["plain", "rehash", "rechain", "truncate"]))
def test_every_edit_of_the_audit_log_is_caught(original, tmp_path_factory, seq, field, value, mode):
    TRIED["audit log edits (plain, rehashed, re-chained, truncated)"] += 1
    path = fresh_copy(original, tmp_path_factory)
    conn = sqlite3.connect(path)
    columns = [*audit.AUDITED_FIELDS, "hash"]
    rows = [dict(zip(columns, r)) for r in conn.execute(f"SELECT {', '.join(columns)} FROM audit ORDER BY seq")]
    seq = min(seq, len(rows))
    if mode == "truncate":
        conn.execute("DELETE FROM audit WHERE seq >= ?", [seq])
    else:
        row = rows[seq - 1]
        if row[field] == value:
            value += "x"
        row[field] = value
        conn.execute(f"UPDATE audit SET [{field}] = ? WHERE seq = ?", [value, seq])
        if mode in ("rehash", "rechain"):
            prev = row["prev_hash"]
            for later in rows[seq - 1:] if mode == "rechain" else [row]:
                later["prev_hash"] = prev if mode == "rechain" else later["prev_hash"]
                later["hash"] = prev = audit.row_hash(later)
                conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?",
                             [later["prev_hash"], later["hash"], later["seq"]])
    conn.commit()
    conn.close()
    catalog = open_catalog(path)
    report = verify_catalog(catalog)
    catalog.close()
    assert not report.ok, (mode, seq, field, value)
    HELD["audit log edits (plain, rehashed, re-chained, truncated)"] += 1


PATH_PARTS = st.sampled_from(["..", ".", "", "/", "ab", "..\\", "%2e%2e", "\x00", "~", "/etc/passwd"])


@FUZZ
@given(sha=st.one_of(st.text(alphabet="0123456789abcdefABCDEF", min_size=62, max_size=66), st.text(max_size=70)),
       parts=st.lists(st.one_of(PATH_PARTS, st.text(max_size=12)), max_size=6),
       ext=st.sampled_from(sorted({*EXTENSIONS.values(), "JPG", "exe", ""})))
def test_no_stored_path_but_the_one_its_hash_gives_is_accepted(catalog, sha, parts, ext):
    TRIED["stored_path values"] += 1
    for relpath in ("/".join(parts), f"{sha[:2]}/{sha}.{ext}", f"{'/'.join(parts)}/{sha[:2]}/{sha}.{ext}"):
        accepted = stored_path_problem(sha, relpath) is None
        if accepted:
            assert relpath == f"{sha[:2]}/{sha}.{ext}" and len(sha) == 64 and set(sha) <= set("0123456789abcdef")
            assert (catalog.photo_store / relpath).resolve().parent.parent == catalog.photo_store.resolve()
        else:
            with pytest.raises(PhotoError):
                stored_file(catalog, {"sha256": sha, "stored_path": relpath})
    HELD["stored_path values"] += 1


@FUZZ
@given(log=st.one_of(st.binary(max_size=400), st.lists(st.fixed_dictionaries({
    "catalog_id": st.one_of(st.text(max_size=40), st.integers(), st.none()),
    "seq": st.one_of(st.integers(-5, 50), st.integers(), st.text(max_size=3), st.floats()),
    "head": st.one_of(st.text(max_size=70), st.none()),
    "at": st.text(max_size=10), "path": st.one_of(st.text(max_size=30), st.none()),
}), max_size=6).map(lambda rs: "\n".join(json.dumps(r) for r in rs).encode())))
def test_a_garbled_witness_log_never_breaks_verify(original, tmp_path_factory, log):
    TRIED["garbled witness logs"] += 1
    path = fresh_copy(original, tmp_path_factory)
    witness.witness_path().write_bytes(log)
    catalog = open_catalog(path)
    report = verify_catalog(catalog)
    catalog.close()
    assert report.head is not None and all("\n" not in p.detail for p in [*report.problems, *report.notices])
    HELD["garbled witness logs"] += 1
