"""A photo ingest killed after its original is stored but before its row is committed.

What such a kill leaves: the original, whole and read-only, at its content address
(`ab/<sha256>.<ext>`), no temporary copy, and no photo row, link or audit entry (the transaction
never committed). Then:
- adding the same photo again records it normally: no "already stored" refusal, no second copy,
  the stored original reused byte for byte;
- before that, `fieldkit verify` names the stored original that no row holds, says in one line
  what to do, and deletes nothing.

The kill is real: a subprocess runs the ingest and SIGKILLs itself where the photo row would be
inserted, after the store step.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.evidence.photos import TMP_PREFIX, add_photos, sha256_file
from fieldkit.evidence.verify import verify_catalog
from tests.photo_files import jpeg_bytes, write

KILLED_AFTER_STORING = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from fieldkit.catalog import records
    from fieldkit.catalog.db import open_catalog
    from fieldkit.evidence.photos import add_photos

    real_insert = records.insert

    def insert(catalog, table, row, *args, **kwargs):
        if table == "photos":  # the original is in the store; its row is not yet written
            os.kill(os.getpid(), signal.SIGKILL)
        return real_insert(catalog, table, row, *args, **kwargs)

    records.insert = insert
    catalog = open_catalog(Path(sys.argv[1]), create=False, actor="killed")
    add_photos(catalog, "EX-1", [Path(sys.argv[2])])
""")


def store_files(store):
    return sorted(p.relative_to(store).as_posix() for p in store.rglob("*") if not p.is_dir())


@pytest.fixture
def killed_ingest(db_path, tmp_path):
    """The catalog and the photo whose ingest was killed after storing its original."""
    catalog = open_catalog(db_path, actor="tester")
    items.add_item(catalog, {"category": "rocket", "ref": "EX-1"})
    catalog.close()
    photo = write(tmp_path / "IMG_0001.jpg", jpeg_bytes())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = subprocess.run([sys.executable, "-c", KILLED_AFTER_STORING, str(db_path), str(photo)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == -9, run.stderr  # SIGKILL, at the point named above
    catalog = open_catalog(db_path, create=False, actor="tester")
    yield catalog, photo
    catalog.close()


def test_the_kill_leaves_the_whole_original_in_the_store_and_nothing_in_the_catalog(killed_ingest):
    catalog, photo = killed_ingest
    sha = sha256_file(photo)
    assert store_files(catalog.photo_store) == [f"{sha[:2]}/{sha}.jpg"]  # no temporary copy beside it
    stored = catalog.photo_store / sha[:2] / f"{sha}.jpg"
    assert stored.read_bytes() == photo.read_bytes()
    assert not os.access(stored, os.W_OK) or os.geteuid() == 0  # read-only (root may write anyway)
    assert stored.stat().st_mode & 0o222 == 0
    assert catalog.db["photos"].count == 0 and catalog.db["item_photos"].count == 0
    assert catalog.db.execute("SELECT count(*) FROM audit WHERE table_name IN ('photos', 'item_photos')").fetchone()[0] == 0


def test_verify_names_the_stored_original_no_row_holds_says_what_to_do_and_deletes_nothing(killed_ingest, db_path):
    catalog, photo = killed_ingest
    sha = sha256_file(photo)
    relpath = f"{sha[:2]}/{sha}.jpg"
    [problem] = verify_catalog(catalog).problems
    assert (problem.kind, problem.path, problem.sha256) == ("unreferenced", relpath, sha)
    assert "stored original that no photo row holds" in problem.detail
    assert "fieldkit photo add REF FILE" in problem.detail and "never deletes it" in problem.detail

    result = CliRunner().invoke(cli, ["--db", str(db_path), "verify"])
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if relpath in line]
    assert line.startswith("unreferenced: ") and "fieldkit photo add REF FILE" in line
    assert store_files(catalog.photo_store) == [relpath]  # verify deletes nothing


def test_adding_the_photo_again_records_it_normally_with_the_stored_original(killed_ingest):
    catalog, photo = killed_ingest
    sha = sha256_file(photo)
    stored = catalog.photo_store / sha[:2] / f"{sha}.jpg"
    inode = stored.stat().st_ino

    [again] = add_photos(catalog, "EX-1", [photo])

    assert again.ok, again.error
    assert not again.duplicate and not again.already_linked  # recorded as a new photo, not "already stored"
    assert again.describe() == f"{sha}  {sha[:2]}/{sha}.jpg  {photo}"
    assert store_files(catalog.photo_store) == [f"{sha[:2]}/{sha}.jpg"]  # no second copy
    assert stored.stat().st_ino == inode and stored.read_bytes() == photo.read_bytes()
    [row] = catalog.db["photos"].rows
    assert (row["sha256"], row["original_name"]) == (sha, "IMG_0001.jpg")
    assert catalog.db["item_photos"].count == 1
    assert verify_catalog(catalog).ok


def test_a_leftover_temporary_copy_says_what_to_do(catalog):
    catalog.photo_store.mkdir(parents=True)
    (catalog.photo_store / f"{TMP_PREFIX}abc").write_bytes(b"partial copy")
    [problem] = verify_catalog(catalog).problems
    assert problem.kind == "unreferenced"
    assert "temporary file left by an interrupted ingest" in problem.detail
    assert "fieldkit verify --remove-temp" in problem.detail


def test_a_failed_second_ingest_keeps_the_original_it_did_not_store(killed_ingest, monkeypatch):
    """Ingest removes, on failure, only a file it stored itself: never the one the killed run left."""
    from fieldkit.catalog import records

    catalog, photo = killed_ingest
    before = store_files(catalog.photo_store)
    monkeypatch.setattr(records, "insert", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    [failed] = add_photos(catalog, "EX-1", [photo])
    assert not failed.ok and "could not be stored" in failed.error
    assert store_files(catalog.photo_store) == before
    assert catalog.db["photos"].count == 0


def test_a_file_named_like_an_original_whose_bytes_differ_is_not_called_one(catalog):
    sha = "ab" + "0" * 62
    (catalog.photo_store / "ab").mkdir(parents=True)
    (catalog.photo_store / "ab" / f"{sha}.jpg").write_bytes(b"not these bytes")
    [problem] = verify_catalog(catalog).problems
    assert (problem.kind, problem.path) == ("unreferenced", f"ab/{sha}.jpg")
    assert "bytes do not match its name" in problem.detail and "not an original fieldkit stored" in problem.detail
    assert (catalog.photo_store / "ab" / f"{sha}.jpg").exists()


def test_cancelling_verify_stops_it_while_it_hashes_an_original_no_row_holds(catalog):
    """Hashing a stored original that no photo row names can take minutes for a large file: Esc in
    the app (the cancel event) stops it there too, and the report says nothing can be said yet."""
    import hashlib
    import threading

    body = os.urandom(3 << 20)  # three chunks
    sha = hashlib.sha256(body).hexdigest()
    (catalog.photo_store / sha[:2]).mkdir(parents=True)
    (catalog.photo_store / sha[:2] / f"{sha}.jpg").write_bytes(body)
    cancel = threading.Event()
    cancel.set()  # no photo rows: the first place that can see it is the store check
    report = verify_catalog(catalog, cancel=cancel)
    assert report.cancelled and not report.ok
    assert report.summary().startswith("verification cancelled")


@pytest.mark.parametrize("swapped_in", ["fifo", "symlink"])
def test_a_store_file_swapped_for_a_pipe_or_symlink_after_the_listing_is_never_read(catalog, tmp_path, monkeypatch, swapped_in):
    """The store is listed, then each original no row holds is hashed: should it have become a
    named pipe (or a symlink out of the store) in between, verify neither waits on the pipe for ever
    nor reads the file the link points to; it names the path as unreadable."""
    import stat
    import threading

    from fieldkit.evidence import store

    sha = "cd" * 32
    (catalog.photo_store / "cd").mkdir(parents=True)
    path = catalog.photo_store / "cd" / f"{sha}.jpg"
    if swapped_in == "fifo":
        os.mkfifo(path)
    else:
        outside = write(tmp_path / "outside.jpg", b"not in the store")
        path.symlink_to(outside)
    real_kind = store._kind
    monkeypatch.setattr(store, "_kind", lambda mode: "file" if not stat.S_ISDIR(mode) else real_kind(mode))  # listed as a file
    done: list = []
    worker = threading.Thread(target=lambda: done.append(verify_catalog(catalog)), daemon=True)
    worker.start()
    worker.join(timeout=60)  # a guard against a hang, not a timing: it takes milliseconds
    assert done, "verify waited on the pipe"
    [problem] = done[0].problems
    assert (problem.kind, problem.path) == ("unreadable", f"cd/{sha}.jpg")
    assert "cannot be read" in problem.detail


def test_esc_while_an_original_no_row_holds_is_hashed_cancels_verify_and_blames_no_file(catalog):
    """Esc pressed part-way through hashing a stray original (the cancel event set after its first
    chunk is read) stops verify: the report is cancelled, and the file is not called unreadable for
    it (Python's InterruptedError is an OSError, which the hashing's read errors are caught as)."""
    import hashlib
    import threading

    class SetOnceHashingStarts(threading.Event):
        looks = 0

        def is_set(self) -> bool:  # the first look is verify's own, before the store check
            self.looks += 1
            return self.looks > 1

    body = os.urandom(3 << 20)  # three chunks
    sha = hashlib.sha256(body).hexdigest()
    (catalog.photo_store / sha[:2]).mkdir(parents=True)
    (catalog.photo_store / sha[:2] / f"{sha}.jpg").write_bytes(body)
    cancel = SetOnceHashingStarts()
    report = verify_catalog(catalog, cancel=cancel)
    assert cancel.looks >= 2  # the hashing looked
    assert report.cancelled and report.summary().startswith("verification cancelled")
    assert not [p for p in report.problems if p.kind == "unreadable"]
