"""Commands that only read never change what they read (issue 19, points 4, 17 and 18).

- A backup's catalog.db still matches its SHA256SUMS after every read command has run on it: no
  switch to WAL, no -wal/-shm/-journal beside it.
- A read-only catalog file is refused for writing before SQLite touches it (no -wal/-shm left to
  block writes once the permissions are fixed), and can still be read.
- A mistyped --db, or a 0-byte file, on a read command is "no catalog", and nothing is created.
- A catalog that needs an upgrade is not upgraded by a read: one line says what to do.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fieldkit.catalog import items
from fieldkit.catalog.components import add_component
from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.markings import add_marking
from fieldkit.evidence.photos import add_photos
from tests.stress.harness import fieldkit_cmd, noise_jpeg
from tests.test_disk_full_and_read_only import read_only_view

READ_COMMANDS = [
    ("item", "list"),
    ("item", "list", "--json"),
    ("item", "show", "EX-1"),
    ("item", "show", "EX-1", "--json"),
    ("photo", "list", "EX-1"),
    ("marking", "list", "EX-1"),
    ("component", "list", "EX-1"),
    ("summary",),
    ("summary", "--json"),
    ("marking", "recheck"),
    ("verify",),
    ("verify", "--json"),
]
FIXTURE_M001 = Path(__file__).parent / "fixtures" / "catalog-m001.db"


def run(db: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(fieldkit_cmd(db, *map(str, args)), capture_output=True, text=True, timeout=120)


def one_line_error(proc: subprocess.CompletedProcess, *words: str) -> str:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def sha256sum_check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)


@pytest.fixture
def backup_dir(tmp_path) -> Path:
    """A backup made by `fieldkit backup` of a catalog with an item, a photo, a marking and a component."""
    source = tmp_path / "live" / "catalog.db"
    catalog = open_catalog(source, actor="t")
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    add_photos(catalog, "EX-1", [noise_jpeg(tmp_path / "p.jpg", 1)])
    add_marking(catalog, "EX-1", "9M22U 112")
    add_component(catalog, "EX-1", {"part_number": "ADSP-BF561", "manufacturer": "Analog Devices"})
    catalog.close()
    proc = run(source, "backup", tmp_path / "backup")
    assert proc.returncode == 0, proc.stderr
    return tmp_path / "backup"


def test_every_read_command_leaves_a_backup_matching_its_sha256sums(backup_dir, tmp_path):
    db = backup_dir / "catalog.db"
    assert sha256sum_check(backup_dir).returncode == 0
    before = db.read_bytes()
    for args in READ_COMMANDS:
        proc = run(db, *args)
        assert proc.returncode == 0, (args, proc.stderr)
        assert sorted(p.name for p in backup_dir.iterdir()) == ["SHA256SUMS", "audit-head.json", "catalog.db", "catalog.db.photos"], args
    assert run(db, "export", "csv", tmp_path / "out").returncode == 0
    assert run(db, "backup", tmp_path / "backup-of-backup").returncode == 0
    assert db.read_bytes() == before
    check = sha256sum_check(backup_dir)
    assert check.returncode == 0, check.stdout


def test_a_read_of_a_live_catalog_leaves_no_wal_or_shm_files(tmp_path):
    db = tmp_path / "catalog.db"
    one_item_catalog(db)
    for args in READ_COMMANDS[:4]:
        assert run(db, *args).returncode == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.db"], args


def read_only_file(path: Path):
    """One file made read-only even for root: a read-only bind mount of the file over itself."""
    return read_only_view(path, path)


def one_item_catalog(db: Path) -> bytes:
    """A catalog holding item EX-1, closed; returns its bytes."""
    catalog = open_catalog(db, actor="t")
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    catalog.close()
    return db.read_bytes()


def test_a_read_only_catalog_file_is_refused_for_writes_read_for_reads_and_left_without_wal_or_shm(tmp_path):
    db = tmp_path / "catalog.db"
    before = one_item_catalog(db)
    with read_only_file(db):
        one_line_error(run(db, "item", "add", "--category", "shell"), "read-only")
        one_line_error(run(db, "item", "edit", "EX-1", "--place", "Kharkiv"), "read-only")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.db"]
        listed = run(db, "item", "list")
        assert listed.returncode == 0 and "EX-1" in listed.stdout, listed.stderr
        assert run(db, "verify").returncode == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.db"]
    assert db.read_bytes() == before
    # the permissions are fixed: nothing left behind blocks a write
    added = run(db, "item", "add", "--category", "shell")
    assert added.returncode == 0, added.stderr


@pytest.mark.parametrize("args", READ_COMMANDS + [("export", "csv", "OUT"), ("backup", "OUT")], ids=" ".join)
def test_a_mistyped_db_on_a_read_command_says_there_is_no_catalog_and_creates_nothing(tmp_path, args):
    db = tmp_path / "catalgo.db"
    args = [tmp_path / "out" if a == "OUT" else a for a in args]
    one_line_error(run(db, *args), "no catalog", str(db))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [("item", "list"), ("verify",), ("summary",)], ids=" ".join)
def test_a_zero_byte_file_on_a_read_command_is_no_catalog_and_stays_empty(tmp_path, args):
    db = tmp_path / "catalog.db"
    db.touch()
    one_line_error(run(db, *args), "no catalog", "empty")
    assert db.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.db"]


def test_a_catalog_that_needs_an_upgrade_is_not_upgraded_by_a_read(tmp_path):
    db = tmp_path / "catalog.db"
    shutil.copyfile(FIXTURE_M001, db)
    before = db.read_bytes()
    for args in (("item", "list"), ("verify",)):
        one_line_error(run(db, *args), "needs an upgrade", "init")
    assert db.read_bytes() == before
    assert run(db, "init").returncode == 0
    assert run(db, "item", "list").returncode == 0


async def test_the_app_opens_a_read_only_catalog_for_reading_and_refuses_changes_in_one_line(tmp_path):
    """The app over read-only media: the items are listed, the title says read-only, a save is
    refused with the one-line reason, and nothing is written beside or into the file."""
    from textual.widgets import DataTable, Input

    from fieldkit.tui.app import make_app
    from fieldkit.tui.screens.item import ItemScreen

    db = tmp_path / "catalog.db"
    before = one_item_catalog(db)
    with read_only_file(db):
        app = make_app(db, actor="tester", offer_example=False)
        notes = []
        async with app.run_test(size=(120, 40)) as pilot:
            app.notify = lambda message, **kw: notes.append(str(message))
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "read-only" in app.sub_title
            table = app.screen.query_one(DataTable)
            assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["EX-1"]
            await pilot.press("a")
            assert isinstance(app.screen, ItemScreen)
            app.screen.query_one("#f-category", Input).value = "shell"
            await pilot.press("ctrl+s")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            shown = " ".join(notes) + " ".join(str(w.render()) for w in app.screen.query("Static"))
            assert "read-only" in shown
        assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.db"]
    assert db.read_bytes() == before
