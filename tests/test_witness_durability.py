"""The witness log survives crashes and concurrent writers: each line is fsynced (and the folder
when the log is made), lines from two processes never interleave, and a line torn by a crash is
closed before the next one and read past by `verify`, which says so."""

from __future__ import annotations

import json
import multiprocessing
import os

from fieldkit.catalog import items, witness
from fieldkit.catalog.db import open_catalog
from fieldkit.evidence.verify import verify_catalog


def test_an_append_is_fsynced_and_a_new_log_s_folder_too(db_path, data_dir, monkeypatch):
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    catalog = open_catalog(db_path)  # makes the log: its line and its folder are synced
    log = str(witness.witness_path())
    assert synced.count(log) == 1 and str(witness.witness_path().parent) in synced
    synced.clear()
    items.add_item(catalog, {"ref": "A-1", "category": "rocket"})  # the log exists: the line only
    catalog.close()
    assert synced == [log]


def test_a_torn_last_line_is_closed_before_the_next_record_and_verify_reads_past_it(db_path, data_dir):
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "A-1", "category": "rocket"})
    log = witness.witness_path()
    with open(log, "ab") as fh:  # a crash cut the next line short
        fh.write(b'{"catalog_id":"' + witness.head_record(catalog)["catalog_id"].encode() + b'","seq":2,"he')
    items.add_item(catalog, {"ref": "A-2", "category": "rocket"})  # the line after the crash stays whole
    contents = witness.read_log(log)
    assert contents.bad_lines == [3] and not contents.torn_end
    assert [r["seq"] for r in contents.records] == [0, 1, 2]
    report = verify_catalog(catalog)
    catalog.close()
    assert report.ok
    [note] = report.notices
    assert note.kind == "witness" and note.detail.endswith("line 3 is not a witness record; read past")


def test_a_log_that_ends_in_a_torn_line_is_read_and_the_tear_named(db_path, data_dir):
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "A-1", "category": "rocket"})
    with open(witness.witness_path(), "ab") as fh:
        fh.write(b'{"catalog_id":"x","seq":2,"hea')
    report = verify_catalog(catalog)
    catalog.close()
    assert report.ok
    [note] = report.notices
    assert note.detail.endswith("line 3 is not a witness record (the last one is cut short, as a crash during a "
                                "write leaves it); read past")


def test_garbage_and_binary_lines_in_the_log_never_crash_verify(db_path, data_dir):
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "A-1", "category": "rocket"})
    with open(witness.witness_path(), "ab") as fh:
        fh.write(b"\xff\xfe\x00garbage\n[1,2]\n" + b"{" * 5000 + b"\n\n" + b'{"catalog_id":1,"seq":"x","head":2}\n')
    report = verify_catalog(catalog)
    catalog.close()
    assert report.ok
    assert "lines 3, 4, 5, 7 are not a witness record" in report.notices[0].detail


def _append_many(path: str, tag: int, count: int) -> None:
    for n in range(count):
        witness.append_line(witness.Path(path), (json.dumps({"tag": tag, "n": n, "pad": "x" * 3000}) + "\n").encode())


def test_two_processes_appending_at_once_never_interleave_lines(tmp_path):
    log = tmp_path / "witness.jsonl"
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_append_many, args=(str(log), tag, 200)) for tag in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    lines = log.read_bytes().split(b"\n")
    assert lines[-1] == b""
    parsed = [json.loads(line) for line in lines[:-1]]
    assert sorted((p["tag"], p["n"]) for p in parsed) == [(t, n) for t in (1, 2) for n in range(200)]


def test_a_symlink_in_place_of_the_log_is_not_followed(db_path, data_dir, tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep\n")
    witness.witness_path().parent.mkdir(parents=True, exist_ok=True)
    witness.witness_path().symlink_to(target)
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "A-1", "category": "rocket"})
    catalog.close()
    assert target.read_text() == "keep\n"
