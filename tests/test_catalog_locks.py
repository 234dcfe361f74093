"""fieldkit's own reads never drop the locks SQLite holds on an open catalog.

POSIX locks belong to a process and a file: closing any descriptor on the catalog file drops every
lock the process holds on it, SQLite's included. Each connection to a WAL catalog holds a shared
lock on the file while it is open, and the last one to close (the one that gets the exclusive lock)
checkpoints and deletes the -wal and -shm. So once a read has dropped this process's locks, another
process that opens and closes the catalog deletes the -wal and -shm under the open catalog, and what
it writes afterwards is lost.

Each test leaves a write in the open catalog's -wal, runs one of fieldkit's operations on the open
catalog, then checks that this process still holds its lock on the file, that another process
opening and closing the catalog leaves the -wal in place, and that a write made afterwards is seen by
other processes and is still there once the catalog is closed and reopened.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.catalog import items, records
from fieldkit.catalog.db import open_catalog, open_read_only
from fieldkit.errors import FieldkitError

pytestmark = pytest.mark.skipif(not Path("/proc/locks").exists(), reason="reads the kernel's lock table (Linux)")

READ_REFS = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
print(" ".join(ref for (ref,) in conn.execute("SELECT ref FROM items ORDER BY ref")))
conn.close()
"""


def locked_by_this_process(path: Path) -> bool:
    """Whether the kernel's lock table shows a POSIX lock of this process on the file at `path`."""
    info = os.stat(path)
    device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    with open("/proc/locks", encoding="ascii") as fh:
        return any(str(os.getpid()) in line.split() and device in line.split() for line in fh)


def refs_seen_by_another_process(path: Path) -> list[str]:
    """The item refs that a new connection in another process reads; it closes its connection."""
    done = subprocess.run([sys.executable, "-c", READ_REFS, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.fixture
def live(db_path):
    """An open catalog with a write (BEFORE-1) still in its -wal, not yet checkpointed."""
    catalog = open_catalog(db_path, actor="tester")
    items.add_item(catalog, {"category": "fuze", "ref": "BEFORE-1"})
    assert Path(f"{db_path}-wal").stat().st_size > 0 and locked_by_this_process(db_path)
    yield catalog
    catalog.close()


def assert_still_safe(catalog) -> None:
    """The open catalog kept its lock, so another process's close leaves its -wal, and nothing is lost."""
    path = catalog.path
    assert locked_by_this_process(path), "this process no longer holds its lock on the catalog file"
    assert refs_seen_by_another_process(path) == ["BEFORE-1"]
    assert Path(f"{path}-wal").exists(), "another process's close deleted the -wal of the open catalog"
    items.add_item(catalog, {"category": "fuze", "ref": "AFTER-1"})
    assert refs_seen_by_another_process(path) == ["AFTER-1", "BEFORE-1"]
    catalog.close()
    reopened = open_catalog(path, actor="tester")
    try:
        assert [item["ref"] for item in items.list_items(reopened)] == ["AFTER-1", "BEFORE-1"]
    finally:
        reopened.close()


def test_a_catalog_left_alone_keeps_its_lock_and_its_wal(live):
    """The baseline the other tests compare with: nothing fieldkit did in between."""
    assert_still_safe(live)


def test_exporting_the_open_catalog_with_a_second_process(live, tmp_path, monkeypatch):
    from fieldkit.export.csv import export_catalog

    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # the second process runs even on one core
    item = items.get_item(live, "BEFORE-1")
    records.insert_many(live, "components", [
        {"id": f"c{n}", "item_id": item["id"], "part_number": f"P{n}", "quantity": 1,
         "created_at": "t", "updated_at": "t"} for n in range(5)])
    result = export_catalog(live, tmp_path / "out", parallel_rows=2)
    assert result.files["components.csv"] == 5
    assert_still_safe(live)


def test_verifying_the_open_catalog(live):
    from fieldkit.evidence.verify import verify_catalog

    assert verify_catalog(live).problems == []  # reads every text cell on a connection of its own
    assert_still_safe(live)


@pytest.mark.parametrize("how", [open_catalog, open_read_only])
def test_opening_the_open_catalog_again_in_the_same_process(live, how):
    """As the app does when it reopens the example copy it has open."""
    again = how(live.path, actor="tester")
    assert [item["ref"] for item in items.list_items(again)] == ["BEFORE-1"]
    again.close()
    assert_still_safe(live)


@pytest.mark.parametrize("data", [b"x", b"SQLite format 3\x00", b"field notes, not a database" * 10, bytes(4096)])
@pytest.mark.parametrize("how", [open_catalog, open_read_only])
def test_a_file_that_is_not_a_catalog_is_still_refused_unchanged(tmp_path, data, how):
    """The header is read by SQLite now; SQLite takes a file of a few bytes for an empty database."""
    other = tmp_path / "notes.db"
    other.write_bytes(data)
    with pytest.raises(FieldkitError, match="is not a SQLite database"):
        how(other)
    assert other.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_adding_the_catalog_file_as_a_photo_is_refused_without_reading_it(live):
    from fieldkit.evidence.photos import add_photos

    for name in (live.path, Path(f"{live.path}-shm")):
        [result] = add_photos(live, "BEFORE-1", [name])
        assert result.error and "the open catalog" in result.error
    assert_still_safe(live)


def test_the_open_catalog_is_recognised_under_another_name(live, tmp_path):
    from fieldkit.catalog.db import is_catalog_file

    link = tmp_path / "hard-link.db"
    os.link(live.path, link)
    assert is_catalog_file(live, link) and is_catalog_file(live, f"{live.path}-wal")
    assert not is_catalog_file(live, tmp_path / "missing.db")
    other = tmp_path / "other.db"
    other.write_bytes(live.path.read_bytes())  # same bytes, another file: not the catalog
    assert not is_catalog_file(live, other)


@pytest.mark.parametrize("hard_link", [False, True])
def test_merging_the_open_catalog_into_itself_is_refused_without_reading_it(live, tmp_path, hard_link):
    from click.testing import CliRunner

    from fieldkit.cli import cli

    # `merge` opens the catalog, then reads FILE: here the catalog itself (by its name, or another)
    given = tmp_path / "same.db" if hard_link else live.path
    if hard_link:
        os.link(live.path, given)
    result = CliRunner().invoke(cli, ["--db", str(live.path), "merge", str(given)])
    assert result.exit_code == 2 and "this catalog itself" in result.output
    assert_still_safe(live)


def test_a_catalog_file_read_for_a_merge_is_left_as_it_was(tmp_path):
    """Another WAL catalog, closed: reading it for a merge leaves no -wal or -shm beside it."""
    from fieldkit.team.bundle import read_catalog_file

    other = open_catalog(tmp_path / "other.db", actor="amina")
    items.add_item(other, {"category": "fuze", "ref": "AM-1"})
    other.close()
    before = sorted(p.name for p in tmp_path.iterdir())
    with read_catalog_file(tmp_path / "other.db") as content:
        assert [row["ref"] for row in content.rows["items"]] == ["AM-1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before


async def test_the_app_verifies_merges_and_restores_nothing_from_its_own_open_catalog(tmp_path):
    """In the app, the open catalog given as a bundle to verify or merge, or as the catalog of a
    backup to restore from, is refused before a byte of it is read."""
    from textual.widgets import Input

    from fieldkit.tui.app import make_app
    from fieldkit.tui.screens.backup import RestoreScreen
    from fieldkit.tui.screens.team import TeamScreen

    folder = tmp_path / "bk"
    folder.mkdir()
    path = folder / "catalog.db"  # the app has a backup's catalog open, read-write
    app = make_app(path, actor="tester", offer_example=False)

    async with app.run_test(size=(120, 50)) as pilot:
        items.add_item(app.catalog, {"category": "fuze", "ref": "BEFORE-1"})
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        screen.query_one("#bundle-path", Input).value = str(path)
        for key in ("f6", "f7"):  # verify, merge
            await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "is the open catalog itself" in str(screen.query_one("#result").render())
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, RestoreScreen)
        app.screen.query_one("#source", Input).value = str(folder)
        app.screen.query_one("#target", Input).value = str(tmp_path / "restored.db")
        app.screen.query_one("#target", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "holds the open catalog" in str(app.screen.query_one("#result").render())
        assert locked_by_this_process(path)
        assert refs_seen_by_another_process(path) == ["BEFORE-1"]
        assert Path(f"{path}-wal").exists()

    assert not (tmp_path / "restored.db").exists()


def test_importing_the_catalog_file_as_components_is_refused_without_reading_it(live):
    from fieldkit.components.importer import import_components

    with pytest.raises(FieldkitError, match="the open catalog's own file"):
        import_components(live, "BEFORE-1", live.path)
    assert_still_safe(live)


def test_the_catalog_given_as_its_own_witness_is_a_problem_and_is_not_read(live):
    from fieldkit.evidence.verify import verify_catalog

    problems = [p.describe() for p in verify_catalog(live, witnesses=[live.path]).problems]
    assert len(problems) == 1 and "is the catalog itself, not a witness" in problems[0]
    assert_still_safe(live)


def test_the_example_copy_is_made_through_sqlite_with_what_the_examples_wal_holds(live, tmp_path, monkeypatch):
    """A file copy of a WAL catalog leaves out its -wal, and closing the copied file drops the locks
    of any connection this process has open to it: the app copies the example with SQLite."""
    import fieldkit.tui.app as tui_app

    monkeypatch.setattr(tui_app, "example_catalog_path", lambda: live.path)  # the example, open here
    app = tui_app.make_app(tmp_path / "mine.db", actor="tester", offer_example=False)
    copy = app.open_example_copy()
    try:
        assert [item["ref"] for item in items.list_items(copy)] == ["BEFORE-1"]
    finally:
        copy.close()
        app.catalog.close()
    assert_still_safe(live)
