"""A full disk or a read-only catalog: one clear line, exit 2, and nothing partial left behind.

How this is simulated, honestly:
- Full disk: a real tmpfs of a few hundred KB (`mount -t tmpfs -o size=...`), when the tests run as
  root and may mount (CI here does). Elsewhere those tests are skipped with the reason, and the
  monkeypatched ENOSPC tests below still run: they make `os.fsync` fail with ENOSPC.
- Read-only: a read-only bind mount of the catalog's folder (`mount --bind` then
  `remount,ro,bind`): root ignores file permissions, but not a read-only mount. Skipped with the
  reason where mounting is not permitted.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from pathlib import Path

import pytest

from fieldkit.catalog import items
from fieldkit.catalog.backup import backup
from fieldkit.catalog.components import add_component
from fieldkit.catalog.db import open_catalog
from fieldkit.errors import FieldkitError
from fieldkit.evidence.photos import add_photos
from fieldkit.export.csv import export_catalog
from tests.stress.harness import count, fieldkit_cmd, integrity, noise_jpeg


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)):
        pytest.skip("cannot mount a tmpfs here (needs root and mount permission); the ENOSPC monkeypatch tests cover it")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@contextlib.contextmanager
def read_only_view(source: Path, path: Path):
    """`source` (a folder, or a file mounted over itself) seen read-only at `path`, even by root."""
    if not path.exists():
        path.mkdir(parents=True)
    if os.geteuid() != 0 or not _mount("--bind", str(source), str(path)):
        pytest.skip("cannot bind-mount here (needs root and mount permission)")
    try:
        if not _mount("-o", "remount,ro,bind", str(path)):
            pytest.skip("cannot remount read-only here")
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def run(db: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(fieldkit_cmd(db, *args), capture_output=True, text=True, timeout=120)


def assert_one_line_error(proc: subprocess.CompletedProcess, *words: str) -> str:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def fill(directory: Path) -> None:
    """Fill the file system holding `directory` to the last byte."""
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


# a real full disk -----------------------------------------------------------------------


def test_photo_add_on_a_full_disk_stores_nothing(tmp_path):
    with tmpfs(tmp_path / "small", "1m") as small:
        db = small / "catalog.db"
        catalog = open_catalog(db)
        items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
        catalog.close()
        photo = noise_jpeg(tmp_path / "big.jpg", 1, size=(1200, 900))
        assert photo.stat().st_size > 1_000_000
        proc = run(db, "photo", "add", "EX-1", photo)
        line = assert_one_line_error(proc, "big.jpg", "No space left")
        assert "check the disk" in line
        assert count(db, "SELECT count(*) FROM photos") == 0
        store = db.parent / "catalog.db.photos"
        assert not store.exists() or [p for p in store.rglob("*") if p.is_file()] == []
        assert integrity(db) == []


def test_writing_to_a_full_catalog_disk_gives_one_line_and_keeps_the_catalog_whole(tmp_path):
    with tmpfs(tmp_path / "small", "1m") as small:
        db = small / "catalog.db"
        catalog = open_catalog(db)
        items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
        catalog.close()
        before = count(db, "SELECT count(*) FROM audit")
        fill(small)
        proc = run(db, "item", "add", "--category", "rocket", "--notes", "x" * 20000)
        assert_one_line_error(proc, "is full")
        (small / "filler").unlink()
        assert integrity(db) == []
        assert count(db, "SELECT count(*) FROM items") == 1 and count(db, "SELECT count(*) FROM audit") == before


def test_an_export_to_a_full_disk_leaves_no_partial_csv(tmp_path, catalog):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    with catalog.transaction():  # one commit for the 800 rows (each still audited): the export is what is tested
        for n in range(800):
            add_component(catalog, "EX-1", {"part_number": f"PART-{n:05d}-" + "x" * 180})
    with tmpfs(tmp_path / "small", "100k") as small:
        with pytest.raises(FieldkitError) as caught:
            export_catalog(catalog, small / "out")
        assert "\n" not in str(caught.value) and "No space left" in str(caught.value)
        left = sorted(p.name for p in (small / "out").iterdir())
        assert "components.csv" not in left and not [n for n in left if n.startswith(".")], left
        proc = run(catalog.path, "export", "csv", small / "out", "--force")  # replaces what the first attempt left
        assert_one_line_error(proc, "No space left")


def test_a_backup_to_a_full_disk_gives_one_line_and_leaves_no_half_backup(tmp_path, catalog):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    photos = [noise_jpeg(tmp_path / f"p{i}.jpg", i, size=(800, 600)) for i in range(3)]
    assert all(r.ok for r in add_photos(catalog, "EX-1", photos))
    with tmpfs(tmp_path / "small", "600k") as small:
        with pytest.raises(FieldkitError) as caught:
            backup(catalog, small / "bk")
        assert "\n" not in str(caught.value) and "No space left" in str(caught.value)
        assert f"the disk holding {small / 'bk'} is full" in str(caught.value)
        assert not (small / "bk").exists() or list((small / "bk").iterdir()) == [], "a half-written backup was left"
        proc = run(catalog.path, "backup", small / "bk2")
        assert_one_line_error(proc, "No space left", str(small / "bk2"))
        assert not (small / "bk2").exists()


def test_a_backup_whose_catalog_copy_fills_the_disk_leaves_nothing_and_can_be_retried(tmp_path, catalog):
    """The catalog copy itself (SQLite's backup API) meets the full disk: today a traceback and a
    0-byte catalog.db that made the retry fail with "not empty"."""
    for n in range(12):
        items.add_item(catalog, {"category": "rocket", "notes": chr(65 + n) * 19_000})
    with tmpfs(tmp_path / "small", "100k") as small:
        proc = run(catalog.path, "backup", small / "bk")
        assert_one_line_error(proc, "is full", str(small / "bk"))
        assert list(small.iterdir()) == []
        assert_one_line_error(run(catalog.path, "backup", small / "bk"), "is full")


# ENOSPC by monkeypatch (runs everywhere): os.fsync fails --------------------------------------------------


def enospc_after(n: int):
    """An os.fsync that fails with ENOSPC after n calls (a full disk often shows first at fsync)."""
    calls = {"n": 0}
    real = os.fsync

    def fsync(fd):
        calls["n"] += 1
        if calls["n"] > n:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    return fsync


def test_photo_ingest_with_enospc_stores_nothing(catalog, tmp_path, monkeypatch):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    photo = noise_jpeg(tmp_path / "p.jpg", 1, size=(800, 600))
    monkeypatch.setattr(os, "fsync", enospc_after(0))
    (result,) = add_photos(catalog, "EX-1", [photo])
    monkeypatch.undo()
    assert not result.ok and "\n" not in result.error and "No space left" in result.error
    assert catalog.db["photos"].count == 0
    assert [p for p in catalog.photo_store.rglob("*") if p.is_file()] == []


def test_export_with_enospc_keeps_the_previous_files(catalog, tmp_path, monkeypatch):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    export_catalog(catalog, tmp_path / "out")
    previous = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    items.add_item(catalog, {"ref": "EX-2", "category": "shell"})
    monkeypatch.setattr(os, "fsync", enospc_after(0))
    with pytest.raises(FieldkitError) as caught:
        export_catalog(catalog, tmp_path / "out")
    monkeypatch.undo()
    assert "\n" not in str(caught.value)
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == previous


# read-only ----------------------------------------------------------------------------------


def test_a_catalog_on_a_read_only_mount_refuses_writes_in_one_line_and_can_be_read(tmp_path):
    """Read-only media (a write-protected USB stick, an optical disc): writes are refused, while
    listing, showing, summarising, verifying and exporting work (the file is opened immutable)."""
    source = tmp_path / "src"
    source.mkdir()
    catalog = open_catalog(source / "catalog.db")
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    catalog.close()
    photo = noise_jpeg(tmp_path / "p.jpg", 1)
    before = (source / "catalog.db").read_bytes()
    with read_only_view(source, tmp_path / "ro") as ro:
        db = ro / "catalog.db"
        for args in (("item", "add", "--category", "shell"), ("photo", "add", "EX-1", photo)):
            assert_one_line_error(run(db, *args), "read-only")
        assert "EX-1" in run(db, "item", "list").stdout
        assert run(db, "item", "show", "EX-1").returncode == 0
        assert run(db, "summary").returncode == 0
        verified = run(db, "verify")
        assert verified.returncode == 0 and "all intact" in verified.stdout, verified.stderr
        exported = run(db, "export", "csv", tmp_path / "out")
        assert exported.returncode == 0, exported.stderr
        assert "EX-1" in (tmp_path / "out" / "items.csv").read_text()
    assert (source / "catalog.db").read_bytes() == before
    assert sorted(p.name for p in source.iterdir()) == ["catalog.db"]


def test_a_query_only_connection_refuses_writes_in_one_line(catalog):
    """Simulation where mounting is impossible: SQLite refuses every write (PRAGMA query_only)."""
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    catalog.db.execute("PRAGMA query_only = ON")
    with pytest.raises(FieldkitError, match="read-only") as caught:
        items.add_item(catalog, {"ref": "EX-2", "category": "rocket"})
    assert "\n" not in str(caught.value)
    catalog.db.execute("PRAGMA query_only = OFF")
    assert catalog.db["items"].count == 1


# upgrades: a catalog from a newer fieldkit, through the CLI ------------------------------------


def test_the_cli_refuses_a_catalog_from_a_newer_fieldkit_in_one_line(db_path):
    catalog = open_catalog(db_path)
    catalog.db["_sqlite_migrations"].insert({"migration_set": "fieldkit", "name": "m999_future", "applied_at": "2030-01-01"})
    catalog.close()
    before = db_path.read_bytes()
    for args in (("item", "list"), ("item", "add", "--category", "rocket"), ("verify",)):
        assert_one_line_error(run(db_path, *args), "newer fieldkit", "m999_future")
    assert db_path.read_bytes() == before


def test_a_disk_that_fills_while_the_catalog_is_open_gives_one_line_and_saves_nothing(tmp_path):
    with tmpfs(tmp_path / "small", "1m") as small:
        catalog = open_catalog(small / "catalog.db")
        items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
        fill(small)
        with pytest.raises(FieldkitError) as caught:  # not a raw sqlite3.OperationalError
            for n in range(200):
                items.add_item(catalog, {"category": "rocket", "notes": "x" * 19_000})
        assert "\n" not in str(caught.value) and "full" in str(caught.value)
        (small / "filler").unlink()
        assert items.count_items(catalog) == 1 + n
        catalog.close()
        assert integrity(small / "catalog.db") == []
