"""`component import`: columns by header, bad rows by line and column, all good rows in one transaction."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from component_fixtures import fixture_index, write_khk_csv
from fieldkit.catalog import audit, items
from fieldkit.catalog.components import count_components
from fieldkit.components.importer import ImportFileError, import_components

INDEX = fixture_index()


@pytest.fixture
def item(catalog):
    return items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})


def write(tmp_path, text, name="parts.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def run(catalog, path, **kw):
    return import_components(catalog, "KHK-0001", path, index=INDEX, **kw)


def test_the_290_row_list_is_imported_as_one_audit_event_over_its_rows(catalog, item, tmp_path):
    path = write_khk_csv(tmp_path / "khk.csv")
    result = run(catalog, path)
    assert (result.imported, result.problem_count, result.unknown_columns) == (290, 0, [])
    assert count_components(catalog, "KHK-0001") == 290
    events = catalog.db.execute("SELECT action, before_json, after_json FROM audit WHERE table_name = 'components'").fetchall()
    assert len(events) == 1 and events[0][:2] == ("import", None)
    details = json.loads(events[0][2])
    assert details["source_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (details["source_name"], details["rows"], details["item_id"]) == ("khk.csv", 290, item["id"])
    assert catalog.db.execute("SELECT count(*) FROM audit_rows").fetchone()[0] == 290
    assert audit.check_chain(catalog.db) == [] and audit.check_state(catalog.db) == []


def test_a_one_byte_edit_to_an_imported_row_is_named_by_the_audit_check(catalog, item, tmp_path):
    run(catalog, write_khk_csv(tmp_path / "khk.csv"))
    victim = catalog.db.execute("SELECT id, part_number FROM components ORDER BY rowid LIMIT 1 OFFSET 100").fetchone()
    catalog.db.execute("UPDATE components SET part_number = ? WHERE id = ?", [victim[1][:-1] + "X", victim[0]])
    problems = audit.check_state(catalog.db)
    assert [(p.row_id, p.table_name) for p in problems] == [(victim[0], "components")]
    assert "bulk audit row" in problems[0].problem


def test_an_edit_to_the_row_hashes_of_an_import_is_caught(catalog, item, tmp_path):
    run(catalog, write_khk_csv(tmp_path / "khk.csv"))
    row_id = catalog.db.execute("SELECT id FROM components ORDER BY rowid LIMIT 1").fetchone()[0]
    catalog.db.execute("UPDATE components SET quantity = 99 WHERE id = ?", [row_id])
    fresh = dict(zip([c.name for c in catalog.db["components"].columns],
                     catalog.db.execute("SELECT * FROM components WHERE id = ?", [row_id]).fetchone()))
    catalog.db.execute("UPDATE audit_rows SET sha256 = ? WHERE row_id = ?", [audit.row_digest(fresh), row_id])
    problems = audit.check_state(catalog.db)
    assert len(problems) == 1 and "row hashes of this bulk event" in problems[0].problem


def test_columns_are_found_by_header_in_any_order_and_case_and_unknown_ones_reported(catalog, item, tmp_path):
    path = write(tmp_path, "Colour,QUANTITY,date_code,Part-Number,Manufacturer\nred,3,2310,ADXL345,\n")
    result = run(catalog, path)
    assert result.imported == 1 and result.unknown_columns == ["Colour"]
    row = catalog.db.execute("SELECT part_number, quantity, manufacturer, date_start FROM components").fetchone()
    assert row == ("ADXL345", 3, "Analog Devices", "2023-03-06")


def test_bad_rows_are_reported_by_line_and_column_and_the_good_rows_imported(catalog, item, tmp_path):
    text = ("part_number,country,date_code,quantity\n"
            "P1,US,2310,1\n"
            "P2,Germany,2310,1\n"       # line 3: country
            ",US,2310,1\n"              # line 4: part_number
            "P4,US,99X,1\n"             # line 5: date_code
            '"P5\nwith a newline",US,2310,0\n'   # line 6 (spans 6-7): quantity
            "P6,US,2310,1,extra\n"      # line 8: too many fields
            "\n"
            "P7,JP,2001,2\n")
    result = run(catalog, write(tmp_path, text))
    assert result.imported == 3
    assert [(p.line, p.column) for p in result.problems] == [
        (3, "country"), (4, "part_number"), (6, "quantity"), (8, None)]
    assert "use DE" in result.problems[0].message
    assert count_components(catalog) == 3
    # a date code fieldkit cannot read is kept as printed, flagged, and undated
    flagged = catalog.db.execute("SELECT date_code, date_form, date_start FROM components WHERE part_number = 'P4'").fetchone()
    assert flagged == ("99X", "not read as a date", None)


def test_strict_imports_nothing_when_any_row_is_bad(catalog, item, tmp_path):
    result = run(catalog, write(tmp_path, "part_number,country\nP1,US\nP2,XX\n"), strict=True)
    assert (result.imported, result.problem_count) == (0, 1)
    assert "nothing imported" in result.describe()
    assert count_components(catalog) == 0
    assert catalog.db.execute("SELECT count(*) FROM audit WHERE table_name = 'components'").fetchone()[0] == 0


def test_a_utf8_file_with_a_bom_is_read(catalog, item, tmp_path):
    path = write(tmp_path, "\ufeffpart_number,manufacturer\nADXL345,Analog Devices\n")
    assert run(catalog, path).imported == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (b"  \n\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV text file"),
        ("part_number\nW\u00fcrth\n".encode("utf-16"), "UTF-16"),
        ("part_number,manufacturer\nX,W\u00fcrth\n".encode("latin-1"), r"not UTF-8 text \(line 2"),
        (b"manufacturer,country\nTI,US\n", "no part_number column"),
        (b"part_number,Part Number\nX,Y\n", "appears twice"),
        (b'part_number\n"unclosed\n', "not readable as CSV"),
    ],
)
def test_a_file_that_is_not_a_components_csv_is_refused_in_one_line(catalog, item, tmp_path, content, message):
    with pytest.raises(ImportFileError, match=message) as info:
        run(catalog, write(tmp_path, content))
    assert "\n" not in str(info.value)
    assert count_components(catalog) == 0


def test_a_missing_file_and_a_missing_item_are_refused(catalog, item, tmp_path):
    with pytest.raises(ImportFileError, match="does not exist"):
        run(catalog, tmp_path / "nope.csv")
    from fieldkit.errors import NotFound
    with pytest.raises(NotFound):
        import_components(catalog, "NOPE-9", write_khk_csv(tmp_path / "k.csv"), index=INDEX)



def test_imported_parts_are_found_by_search(catalog, item, tmp_path):
    from fieldkit.catalog.components import add_component

    run(catalog, write_khk_csv(tmp_path / "khk.csv"))
    add_component(catalog, "KHK-0001", {"part_number": "ZZQ-ADDED-ONE"}, index=INDEX)  # one at a time
    assert [r["ref"] for r in items.list_items(catalog, "ADXL345-039")] == ["KHK-0001"]
    assert [r["ref"] for r in items.list_items(catalog, "ZZQ-ADDED")] == ["KHK-0001"]


def test_a_file_read_as_a_stream_is_refused_whole_when_a_late_line_is_not_utf8(catalog, item, tmp_path):
    """The file is streamed in batches, not read whole: a bad byte far into it still names its line,
    and the rows before it, already inserted, are rolled back with the rest."""
    good = "".join(f"P{i},US,2310\n" for i in range(20_000))
    path = write(tmp_path, ("part_number,country,date_code\n" + good).encode("utf-8") + b"X,W\xfcrth,2310\n")
    with pytest.raises(ImportFileError, match=r"not UTF-8 text \(line 20002"):
        run(catalog, path)
    assert count_components(catalog) == 0
    assert catalog.db.execute("SELECT count(*) FROM audit WHERE table_name = 'components'").fetchone()[0] == 0


def test_rows_are_written_in_batches_within_one_transaction(catalog, item, tmp_path, monkeypatch):
    from fieldkit.catalog import records

    flushed: list[int] = []
    real_flush = records.BulkInsert.flush

    def counting_flush(self):
        flushed.append(len(self._pending))
        return real_flush(self)

    monkeypatch.setattr(records.BulkInsert, "flush", counting_flush)
    path = write(tmp_path, "part_number\n" + "".join(f"P{i}\n" for i in range(12_000)))
    assert run(catalog, path).imported == 12_000
    assert flushed[:2] == [5000, 5000] and sum(flushed) == 12_000
    assert catalog.db.execute("SELECT count(*) FROM audit WHERE table_name = 'components'").fetchone()[0] == 1


def _triggers(catalog):
    return catalog.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()


def test_the_search_trigger_dropped_for_the_insert_is_back_as_it_was_after_an_import_or_a_failed_one(catalog, item, tmp_path):
    """The bulk insert drops components' insert trigger inside its transaction (it doubled the time);
    a finished import creates it again from its own text, a failed one rolls the drop back."""
    before = _triggers(catalog)
    assert "components_search_insert" in dict(before)
    run(catalog, write_khk_csv(tmp_path / "khk.csv"))
    assert _triggers(catalog) == before
    assert run(catalog, write(tmp_path, "part_number,quantity\nP1,1\nP2,zero\n"), strict=True).imported == 0
    assert _triggers(catalog) == before
    with pytest.raises(ImportFileError):
        run(catalog, write(tmp_path, b"part_number\nP1\nP\xfc2\n"))
    assert _triggers(catalog) == before
    from fieldkit.catalog.components import add_component

    add_component(catalog, "KHK-0001", {"part_number": "ZZQ-AFTER-IMPORT"}, index=INDEX)  # the trigger works
    assert [r["ref"] for r in items.list_items(catalog, "ZZQ-AFTER")] == ["KHK-0001"]


def test_imported_rows_can_be_told_apart_by_the_short_ids_lists_show(catalog, item, tmp_path):
    """`component list` shows 8 characters of the id and `component edit` takes a unique prefix:
    ids are random (a time-ordered UUIDv7 would give every row of an import the same 8)."""
    run(catalog, write_khk_csv(tmp_path / "khk.csv"))
    ids = [r[0] for r in catalog.db.execute("SELECT id FROM components")]
    assert len({i[:8] for i in ids}) == len(ids) == 290


def test_the_larger_page_cache_of_an_import_is_given_back_after_it_even_when_it_fails(catalog, item, tmp_path):
    from fieldkit.components import importer

    seen = []
    real = importer._import_rows

    def spy(*args):
        seen.append(catalog.db.execute("PRAGMA cache_size").fetchone()[0])
        return real(*args)

    before = catalog.db.execute("PRAGMA cache_size").fetchone()[0]
    importer._import_rows = spy
    try:
        run(catalog, write(tmp_path, "part_number\nP1\n"))
        with pytest.raises(ImportFileError):
            late = "".join(f"P{i}\n" for i in range(20_000)).encode()  # past the first chunk read
            run(catalog, write(tmp_path, b"part_number\n" + late + b"P\xfc2\n", name="bad.csv"))
    finally:
        importer._import_rows = real
    assert seen == [-importer.IMPORT_CACHE_KIB] * 2
    assert catalog.db.execute("PRAGMA cache_size").fetchone()[0] == before


def test_the_garbage_collector_is_off_during_an_import_and_as_it_was_after_even_when_it_fails(catalog, item, tmp_path):
    import gc
    import threading

    from fieldkit.components import importer

    seen = []
    real = importer._import_rows

    def spy(*args):
        seen.append(gc.isenabled())
        return real(*args)

    importer._import_rows = spy
    try:
        assert gc.isenabled()
        run(catalog, write(tmp_path, "part_number\nP1\n"))
        assert gc.isenabled()
        with pytest.raises(ImportFileError):
            late = "".join(f"P{i}\n" for i in range(20_000)).encode()  # past the first chunk read
            run(catalog, write(tmp_path, b"part_number\n" + late + b"P\xfc2\n", name="bad.csv"))
        assert gc.isenabled()
        gc.disable()  # someone else turned it off: it stays off
        try:
            run(catalog, write(tmp_path, "part_number\nP3\n", name="more.csv"))
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        importer._import_rows = real
    assert seen == [False, False, False]
    # two pauses overlapping in two threads: on again only when the last one ends
    first_in, release = threading.Event(), threading.Event()

    def hold():
        with importer.collector_paused():
            first_in.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    first_in.wait(5)
    with importer.collector_paused():
        release.set()
        worker.join(5)
        assert not gc.isenabled()  # the other thread's pause ended, this one holds
    assert gc.isenabled()


def test_a_bulk_insert_refuses_to_run_inside_an_outer_transaction(catalog, item):
    """Its dropped search trigger comes back at finish() or with its own transaction's rollback; a
    nested transaction has neither, so an import aborted inside one would commit the catalog without
    the trigger, and later parts would be missing from search."""
    from fieldkit.catalog.records import BulkInsert

    before = _triggers(catalog)
    with catalog.transaction():
        with catalog.transaction(), pytest.raises(RuntimeError, match="outermost"):
            BulkInsert(catalog, "components", event_id="e1")
    assert _triggers(catalog) == before


def test_a_column_empty_in_a_whole_batch_is_stored_as_the_null_it_was_given(catalog, item, monkeypatch):
    """BulkInsert writes a column that is None in every row of a batch as the literal NULL (binding
    a None costs the sqlite3 module an adapter look-up): the stored rows are the rows given, batch
    by batch, whichever columns are empty in which batch, and their audit digests match."""
    from fieldkit.catalog import records

    statements = []
    real = records.BulkInsert._statement

    def spy(self, rows):
        statement = real(self, rows)
        statements.append(statement[0])
        return statement

    monkeypatch.setattr(records.BulkInsert, "_statement", spy)
    item_id = catalog.db.execute("SELECT id FROM items").fetchone()[0]
    stamp = "2026-12-02T00:00:00+00:00"
    rows = [{"id": f"00000000-0000-4000-8000-{i:012d}", "item_id": item_id, "part_number": f"P{i}",
             "notes": None if i < 3 else ("" if i == 4 else f"note {i}"), "country": "US" if i in (1, 6) else None,
             "crop_x": 0 if i == 7 else None, "quantity": i + 1, "created_at": stamp, "updated_at": stamp}
            for i in range(9)]
    with catalog.transaction():
        bulk = records.BulkInsert(catalog, "components", event_id="e1", batch=3)
        for row in rows:
            bulk.add(row)
        assert bulk.finish({"source_name": "test"}) == 9
    columns = [c.name for c in catalog.db["components"].columns]
    stored = [dict(zip(columns, r)) for r in catalog.db.execute("SELECT * FROM components ORDER BY part_number")]
    assert stored == [{c: row.get(c) for c in columns} for row in rows]
    assert "NULL" in statements[0] and "[notes]" in statements[0]  # rows 0-2: notes empty in all three
    assert len(set(statements)) == 3  # each batch left a different set of columns empty
    assert audit.check_state(catalog.db) == [] and audit.check_chain(catalog.db) == []


# --- the quick path for plain rows (components.BulkRows) ----------------------------------------

from datetime import date  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fieldkit.catalog.components import FIELDS, BulkRows  # noqa: E402
from fieldkit.catalog.db import open_catalog  # noqa: E402
from fieldkit.errors import ValidationError  # noqa: E402

PLAIN_CELLS = ["ADXL345", "MAX232", "SN74HC595", "ATmega328P", "TI", "Texas Instruments", "Maxim", "ATMEL", "onsemi",
               "US", "DE", "us", "Germany", "XX", "2310", "2152", "642", "GH29Q", "3", "0", "-2", "1000001", "zero",
               "IC", "", "  ", " LM317 ", "１１２", "２３１０", "٣"]
CELL = st.one_of(
    st.sampled_from(PLAIN_CELLS),
    st.text(alphabet=st.sampled_from("AX0123 9-,.\t\n\x00\x1f\x7f\x85\u202e\u2066\u200fМОР주체"), max_size=12),
    st.text(max_size=8),
    st.builds(lambda c, n: c * n, st.sampled_from("A \u202e"), st.integers(195, 2005)),  # about the length limits
)


def _outcome(make):
    try:
        row = make()
    except ValidationError as exc:  # ComponentFieldError too: same class, message and column
        return (type(exc), str(exc), getattr(exc, "column", None))
    return row if row is None else {k: v for k, v in row.items() if k != "id"}


@pytest.fixture(scope="module")
def plain_catalog():
    catalog = open_catalog(None, actor="tester")
    item = items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    yield catalog, item["id"]
    catalog.close()


def _bulk_rows(catalog, item_id, header):
    wanted = [(header.index(f), f) for f in FIELDS if f in header]
    columns = [c.name for c in catalog.db["components"].columns]
    return BulkRows(catalog, item_id, columns, wanted, index=INDEX, today=date(2026, 12, 1), stamp="2026-12-01T00:00:00+00:00")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.permutations([*FIELDS, "colour"]).flatmap(lambda names: st.integers(1, len(names)).map(
           lambda n: names[:n] if "part_number" in names[:n] else ["part_number", *names[:n]])).flatmap(
           lambda header: st.tuples(st.just(header), st.lists(st.one_of(
               st.lists(st.sampled_from(PLAIN_CELLS), min_size=len(header), max_size=len(header)),  # mostly quick
               st.lists(CELL, max_size=len(header))), min_size=1, max_size=6))))
def test_the_quick_path_stores_the_row_the_full_checks_store_or_refuses_it_alike(plain_catalog, case):
    """For any header and cells: wherever quick_row gives a row (or an error), the full checks
    (prepare_component, stored_values) give the same row (ids aside) or the same error."""
    catalog, item_id = plain_catalog
    header, records = case
    quick, full = _bulk_rows(catalog, item_id, header), _bulk_rows(catalog, item_id, header)
    for record in records:
        expected = _outcome(lambda: full.full_row(record))
        got = _outcome(lambda: quick.quick_row(record))
        if got is not None:
            assert got == expected
        assert _outcome(lambda: quick.row(record)) == expected


def test_plain_rows_take_the_quick_path_and_others_the_full_checks(plain_catalog):
    catalog, item_id = plain_catalog
    rows = _bulk_rows(catalog, item_id, ["quantity", "part_number", "manufacturer", "date_code"])
    assert rows.quick_row(["2", "ADXL345", "ADI", "2310"])["quantity"] == 2
    assert rows.quick_row(["1", "ADXL345\u202e", "", ""]) is None  # the full checks name the character
    with pytest.raises(ValidationError, match="U\\+202E"):
        rows.row(["1", "ADXL345\u202e", "", ""])
    assert rows.quick_row(["1", "X" * 201, "", ""]) is None
    assert rows.quick_row(["1", "ADXL345"]) is None  # a short record: its missing cells are None


# --- indexes built once at the end of a large import (records.BulkInsert) -----------------------

def _indexes(catalog):
    return catalog.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'components' "
                              "ORDER BY name").fetchall()


def _snapshot(catalog):
    """Everything an import may touch: the schema, the components, the audit log and its row hashes."""
    return (catalog.db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall(),
            catalog.db.execute("SELECT * FROM components ORDER BY id").fetchall(),
            catalog.db.execute("SELECT * FROM audit ORDER BY seq").fetchall(),
            catalog.db.execute("SELECT * FROM audit_rows ORDER BY seq, n").fetchall(),
            catalog.db.execute("SELECT * FROM attribution_bases ORDER BY id").fetchall())


def _indexes_during_import(catalog, tmp_path, monkeypatch, rows, name):
    from fieldkit.catalog import records

    seen = []
    real_flush = records.BulkInsert.flush

    def spying_flush(self):
        seen.append([n for n, _ in _indexes(catalog)])
        return real_flush(self)

    monkeypatch.setattr(records.BulkInsert, "flush", spying_flush)
    path = write(tmp_path, "part_number,date_code\n" + "".join(f"P{i},2310\n" for i in range(rows)), name=name)
    assert run(catalog, path).imported == rows
    monkeypatch.undo()
    return seen[0]


def test_a_large_import_builds_the_indexes_once_at_the_end_and_a_small_one_keeps_them(catalog, item, tmp_path, monkeypatch):
    before = _indexes(catalog)
    assert len(before) >= 3  # item_id, by firm, by period (and the primary key's, which stays)
    during = _indexes_during_import(catalog, tmp_path, monkeypatch, 12_000, "large.csv")  # 12 kB/200 > 0 rows
    assert during == [n for n, sql in before if sql is None]  # only the primary key's own index
    assert _indexes(catalog) == before
    assert catalog.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # every index holds every row
    assert catalog.db.execute("SELECT count(*) FROM components INDEXED BY components_by_period "
                              "WHERE date_start = '2023-03-06'").fetchone()[0] == 12_000
    during = _indexes_during_import(catalog, tmp_path, monkeypatch, 300, "small.csv")  # into 12,000 rows
    assert during == [n for n, _ in before]
    assert audit.check_state(catalog.db) == [] and catalog.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_import_that_fails_after_dropping_the_indexes_leaves_the_catalog_exactly_as_it_was(catalog, item, tmp_path, monkeypatch):
    from fieldkit.catalog import records

    run(catalog, write_khk_csv(tmp_path / "khk.csv"))
    before = _snapshot(catalog)
    calls = []
    real_flush = records.BulkInsert.flush

    def failing_flush(self):
        calls.append(1)
        if len(calls) == 3:  # two batches written, indexes dropped
            raise OSError("disk I/O error")
        return real_flush(self)

    monkeypatch.setattr(records.BulkInsert, "flush", failing_flush)
    path = write(tmp_path, "part_number,date_code\n" + "".join(f"P{i},2310\n" for i in range(20_000)), name="big.csv")
    with pytest.raises(OSError):
        run(catalog, path)
    assert len(calls) == 3
    assert _snapshot(catalog) == before
    assert audit.check_state(catalog.db) == [] and catalog.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_import_killed_after_dropping_the_indexes_leaves_the_catalog_exactly_as_it_was(tmp_path):
    import signal
    import subprocess
    import sys

    from fieldkit.catalog.db import open_catalog

    db = tmp_path / "catalog.db"
    catalog = open_catalog(db, actor="tester")
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    before = _snapshot(catalog)
    catalog.close()
    path = write(tmp_path, "part_number,date_code\n" + "".join(f"P{i},2310\n" for i in range(20_000)), name="big.csv")
    script = f"""
import os, signal
from fieldkit.catalog import records
from fieldkit.catalog.db import open_catalog
from fieldkit.components.importer import import_components
real, calls = records.BulkInsert.flush, []
def flush(self):
    calls.append(1)
    if len(calls) == 3:
        assert self.catalog.db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                       "AND tbl_name = 'components'").fetchone()[0] == 0
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self)
records.BulkInsert.flush = flush
import_components(open_catalog({str(db)!r}, actor="tester"), "KHK-0001", {str(path)!r})
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    catalog = open_catalog(db, actor="tester")
    try:
        assert _snapshot(catalog) == before
        assert catalog.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        catalog.close()



def test_a_file_that_fails_part_way_is_named_in_a_one_line_error_and_nothing_is_imported(catalog, item, tmp_path, monkeypatch):
    """A read that fails with no file name attached (EIO on a failing disk) after rows were already
    inserted still names the file, and no row of it is kept."""
    import errno

    from fieldkit.components import importer

    path = write(tmp_path, "part_number,country\n" + "".join(f"P{i},US\n" for i in range(20_000)))
    real_init = importer._HashingReader.__init__

    class FailingDisk:
        """The opened file, failing once 100,000 bytes were read, as a failing disk does."""

        def __init__(self, raw):
            self.raw, self.read_so_far = raw, 0

        def readinto(self, buffer):
            if self.read_so_far >= 100_000:
                raise OSError(errno.EIO, "Input/output error")
            n = self.raw.readinto(buffer)
            self.read_so_far += n
            return n

        def close(self):
            self.raw.close()

    def init(self, raw, *args):
        real_init(self, FailingDisk(raw), *args)

    monkeypatch.setattr(importer._HashingReader, "__init__", init)
    with pytest.raises(ImportFileError, match=r"cannot read parts\.csv \(Input/output error\); nothing imported"):
        run(catalog, path)
    assert count_components(catalog) == 0
    assert catalog.db.execute("SELECT count(*) FROM audit WHERE table_name = 'components'").fetchone()[0] == 0


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="Linux's /proc/self/mem: a file whose first read fails")
def test_a_file_whose_first_read_fails_is_named_in_a_one_line_error(catalog, item):
    with pytest.raises(ImportFileError, match=r"cannot read /proc/self/mem \(Input/output error\)"):
        run(catalog, Path("/proc/self/mem"))
    assert count_components(catalog) == 0


def test_a_named_pipe_is_refused_in_one_line_without_waiting_for_a_writer(catalog, item, tmp_path):
    """A FIFO given as the components file (a typo, a hostile folder) is refused at once: opening
    it to read would wait for a writer for ever."""
    import os
    import threading

    fifo = tmp_path / "parts.csv"
    os.mkfifo(fifo)
    outcome: list = []

    def attempt():
        try:
            run(catalog, fifo)
        except ImportFileError as exc:
            outcome.append(str(exc))

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=60)  # a guard against the hang, not a timing: it takes milliseconds
    assert outcome, "import waited on the pipe"
    assert outcome[0] == f"{fifo} is not a regular file (a pipe or a device); give the CSV file itself"


def test_the_file_is_closed_when_the_import_ends(catalog, item, tmp_path, monkeypatch):
    """The CSV file is not left open until the garbage collector finds it (a long app session imports many)."""
    from fieldkit.components import importer

    path = write(tmp_path, "part_number\nLM358\n")
    opened = []
    real_open = importer._open_regular

    def recording_open(file):
        fh = real_open(file)
        opened.append(fh)
        return fh

    monkeypatch.setattr(importer, "_open_regular", recording_open)
    assert run(catalog, path).imported == 1
    assert opened and all(fh.closed for fh in opened)
