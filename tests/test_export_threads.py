"""components.csv made by two reader threads at one state of the catalog, and an export that puts its
files in place only when every one of them is complete (issue 17).

Tests choose the path themselves (`a_core_is_free`), since whether a core is idle depends on the
machine at that instant."""

from __future__ import annotations

import csv
import errno
import os
import threading
import time

import pytest

import fieldkit.export.csv as export_csv
from fieldkit.catalog import items, records
from fieldkit.catalog.db import open_catalog
from fieldkit.errors import FieldkitError
from fieldkit.export.csv import export_catalog


def seed_components(catalog, count):
    item = items.add_item(catalog, {"category": "missile debris", "ref": "KHK-0001"})
    records.insert_many(catalog, "components", [
        {"id": f"c{n}", "item_id": item["id"], "part_number": f"=P{n}" if n % 7 == 0 else f"P{n}", "quantity": n,
         "created_at": "t", "updated_at": "t"} for n in range(count)])


def part_numbers(folder):
    with (folder / "components.csv").open(newline="", encoding="utf-8") as fh:
        return [row["part_number"] for row in csv.DictReader(fh)]


def folder_bytes(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def add_late_component(path):
    """Another program's write: an item and its component, committed."""
    other = open_catalog(path, actor="other")
    try:
        late = items.add_item(other, {"category": "late", "ref": "LATE-1"})
        records.insert(other, "components", {"id": "late", "item_id": late["id"], "part_number": "LATE",
                                             "quantity": 1, "created_at": "t", "updated_at": "t"})
    finally:
        other.close()


@pytest.fixture
def halves(monkeypatch):
    """Force the two-thread path and record every second half started."""
    started = []
    real = export_csv._Half.run
    monkeypatch.setattr(export_csv, "a_core_is_free", lambda: True)
    monkeypatch.setattr(export_csv._Half, "run", lambda self: (started.append(self.first_rowid), real(self)))
    return started


@pytest.mark.parametrize("full", [False, True])
def test_two_threads_write_the_same_bytes_as_one(catalog, tmp_path, monkeypatch, halves, full):
    seed_components(catalog, 50)
    monkeypatch.setattr(export_csv, "CHUNK", 7)  # several chunks in each half
    two = export_catalog(catalog, tmp_path / "two", parallel_rows=10, full=full)
    assert len(halves) == 1
    monkeypatch.setattr(export_csv, "a_core_is_free", lambda: False)
    one = export_catalog(catalog, tmp_path / "one", parallel_rows=10, full=full)
    assert len(halves) == 1  # the second export used one thread
    assert one.files == two.files and two.files["components.csv"] == 50
    assert folder_bytes(tmp_path / "one") == folder_bytes(tmp_path / "two")


def test_a_busy_machine_or_a_small_catalog_gets_one_thread(catalog, tmp_path, monkeypatch, halves):
    seed_components(catalog, 20)
    export_catalog(catalog, tmp_path / "small", parallel_rows=21)
    monkeypatch.setattr(export_csv, "a_core_is_free", lambda: False)
    export_catalog(catalog, tmp_path / "busy", parallel_rows=10)
    assert halves == []
    assert part_numbers(tmp_path / "small") == part_numbers(tmp_path / "busy")


def test_both_halves_come_from_one_snapshot_though_a_writer_waits_on_the_lock(catalog, tmp_path, monkeypatch, halves):
    """Another program starts a write while the export lines up its two readers: it waits for the
    export's write lock, commits once the readers hold their snapshot, and shows in neither half."""
    seed_components(catalog, 20)
    export_catalog(catalog, tmp_path / "before", parallel_rows=10**9)
    before = folder_bytes(tmp_path / "before")
    writer = threading.Thread(target=add_late_component, args=(catalog.path,))
    real = export_csv.connect_reader
    calls = []

    def reader_while_locked(path, **kw):
        calls.append(path)
        if len(calls) == 2:  # the second reader is opened under the export's write lock
            writer.start()
            time.sleep(0.3)  # long enough for the writer to be waiting on the lock
            assert writer.is_alive(), "the writer was not held back by the export's lock"
        return real(path, **kw)

    monkeypatch.setattr(export_csv, "connect_reader", reader_while_locked)
    result = export_catalog(catalog, tmp_path / "out", parallel_rows=10)
    writer.join(timeout=60)
    assert not writer.is_alive() and len(halves) == 1
    assert result.files["components.csv"] == 20
    assert folder_bytes(tmp_path / "out") == before  # audit-head.json included: the state before the write
    assert catalog.db.execute("SELECT count(*) FROM components WHERE part_number = 'LATE'").fetchone()[0] == 1


def test_a_write_committed_while_the_second_half_runs_is_not_in_it(catalog, tmp_path, monkeypatch, halves):
    seed_components(catalog, 20)
    real = export_csv._Half.run

    def write_first(self):
        add_late_component(catalog.path)
        real(self)

    monkeypatch.setattr(export_csv._Half, "run", write_first)
    result = export_catalog(catalog, tmp_path / "out", parallel_rows=10)
    assert result.files["components.csv"] == 20 and "LATE" not in part_numbers(tmp_path / "out")


def test_when_the_write_lock_is_held_elsewhere_the_export_uses_one_reader(catalog, tmp_path, halves):
    """Another program in the middle of a write: the export does not wait for it, and reads alone."""
    from fieldkit.catalog.db import connect

    seed_components(catalog, 20)
    other = connect(catalog.path)
    other.execute("BEGIN IMMEDIATE")
    try:
        result = export_catalog(catalog, tmp_path / "out", parallel_rows=10)
    finally:
        other.close()
    assert halves == [] and result.files["components.csv"] == 20


@pytest.mark.parametrize("which, marker", [("first", b'"P3"'), ("second", b'"P17"')])
def test_a_failure_in_either_half_leaves_no_new_file_and_the_previous_export_intact(
        catalog, tmp_path, monkeypatch, halves, which, marker):
    seed_components(catalog, 20)
    out = tmp_path / "out"
    export_catalog(catalog, out, parallel_rows=10**9)
    previous = folder_bytes(out)
    items.add_item(catalog, {"category": "shell", "ref": "KHK-0002"})
    real = export_csv.write_blocks

    def disk_full_at(fh, blocks, writeback=False):
        def checked():
            for data, lines in blocks:
                if marker in data:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                yield data, lines
        return real(fh, checked(), writeback)

    monkeypatch.setattr(export_csv, "write_blocks", disk_full_at)
    with pytest.raises(FieldkitError) as caught:
        export_catalog(catalog, out, parallel_rows=10)
    assert str(caught.value) == f"cannot write the export to {out}: No space left on device; choose another folder"
    assert len(halves) == 1
    assert folder_bytes(out) == previous  # no temporary file left, no file replaced
    assert not any(t.name == "export-half" for t in threading.enumerate())  # the other half was stopped


def test_a_text_cell_that_is_not_utf8_in_the_second_half_gives_the_same_one_line(catalog, tmp_path, halves):
    seed_components(catalog, 20)
    catalog.db.execute("UPDATE components SET notes = CAST(x'41ff42' AS TEXT) WHERE id = 'c17'")
    catalog.db.conn.commit()
    with pytest.raises(FieldkitError) as caught:
        export_catalog(catalog, tmp_path / "out", parallel_rows=10)
    assert str(caught.value).startswith("cannot export components.csv: a text cell of the components table is not valid UTF-8")
    assert len(halves) == 1 and list((tmp_path / "out").iterdir()) == []


def test_files_are_renamed_only_after_every_one_is_complete_and_the_audit_head_last(
        catalog, tmp_path, monkeypatch, halves):
    seed_components(catalog, 20)
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append(os.path.basename(b)), real_replace(a, b))[1])
    export_catalog(catalog, tmp_path / "out", parallel_rows=10)
    renames = [e for e in events if e != "fsync"]
    assert len(halves) == 1
    assert sorted(renames) == sorted(p.name for p in (tmp_path / "out").iterdir())
    assert renames[-1] == "audit-head.json"
    first, last = events.index(renames[0]), events.index(renames[-1])
    assert events[:first].count("fsync") == len(renames)  # every file fsynced before the first rename
    assert "fsync" not in events[first:last]  # no file written between the renames
    assert events[last + 1:] == ["fsync"]  # then the folder


def test_a_failure_after_components_csv_is_complete_replaces_nothing(catalog, tmp_path, monkeypatch, halves):
    """The last file (audit-head.json) cannot be written: the complete components.csv is not put in
    place either, so the folder never holds a new components.csv beside an old audit head."""
    seed_components(catalog, 20)
    out = tmp_path / "out"
    export_catalog(catalog, out)
    previous = folder_bytes(out)
    items.add_item(catalog, {"category": "shell", "ref": "KHK-0002"})
    real = export_csv.write_text

    def fail_on_head(path, text, staged=None):
        if path.name == "audit-head.json":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(path, text, staged)

    monkeypatch.setattr(export_csv, "write_text", fail_on_head)
    with pytest.raises(FieldkitError, match="Input/output error"):
        export_catalog(catalog, out, parallel_rows=10)
    assert len(halves) == 1 and folder_bytes(out) == previous


def test_a_catalog_opened_read_only_is_exported_by_one_reader_and_never_locked_for_writing(tmp_path, halves, monkeypatch):
    from fieldkit.catalog.db import open_read_only

    path = tmp_path / "catalog.db"
    catalog = open_catalog(path)
    seed_components(catalog, 60)
    catalog.close()
    reader = open_read_only(path, actor="t")
    try:
        monkeypatch.setattr(export_csv, "connect", lambda *a, **k: pytest.fail("a write connection was opened"))
        export_catalog(reader, tmp_path / "out", parallel_rows=10)
    finally:
        reader.close()
    assert halves == [] and len(part_numbers(tmp_path / "out")) == 60
