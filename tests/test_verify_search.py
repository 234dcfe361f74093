"""The search indexes are evidence of what search shows, so verify compares them with the rows.

An adversary with the laptop can make search stop finding an item (or find one that is not
there) without touching an audited row: edit an item's document, take it out of one index, plant
a document, or leave a row in `search_suspended` so that the triggers stop following markings and
components. `fieldkit verify` and the README's script (scripts/check_audit.py) each report it in
one line naming what changed and the remedy, `fieldkit verify --rebuild-search`, after which
search finds the item again and the catalog verifies. An untampered catalog, every upgrade
fixture included, verifies.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.search_check import check_search
from fieldkit.cli import main
from tests.tampering import shell
from test_upgrades import FIXTURES, IDS, copy_fixture

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_audit.py"
REMEDY = "run `fieldkit verify --rebuild-search`"
OLD_0001 = "(SELECT rowid FROM items WHERE ref = 'OLD-0001')"  # its documents' rowid; 9M22U, Kharkiv


@pytest.fixture
def path(tmp_path):
    """The newest upgrade fixture, opened (and so upgraded) by this fieldkit, then closed."""
    path = copy_fixture(FIXTURES[-1], tmp_path)
    open_catalog(path).close()
    return path


def verify(path: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["--db", str(path), "verify"])
    return result.exit_code, [line for line in result.output.splitlines() if line.startswith("search:")]


def script(path: Path) -> tuple[int, list[str]]:
    result = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout.splitlines()


def finds(path: Path, query: str) -> list[str]:
    catalog = open_catalog(path)
    try:
        return [row["ref"] for row in items.list_items(catalog, query)]
    finally:
        catalog.close()


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
def test_every_upgraded_fixture_has_search_indexes_that_match_its_rows(fixture, tmp_path):
    path = copy_fixture(fixture, tmp_path)
    catalog = open_catalog(path)
    assert check_search(catalog.db) == []
    catalog.close()


TAMPERING = [
    # (what the adversary does, words of verify's line, words of the script's line, what search then misses)
    ([f"UPDATE item_search SET text = 'nothing here' WHERE rowid = {OLD_0001}"],
     "the search document of item OLD-0001 does not hold the words of its rows", "item OLD-0001", "22U"),
    ([f"DELETE FROM item_words WHERE rowid = {OLD_0001}"],
     "the search document of item OLD-0001 does not hold the words of its rows", "item OLD-0001", "9M"),
    ([f"UPDATE item_search_content SET c0 = 'nothing here' WHERE id = {OLD_0001}"],
     "the search document of item OLD-0001", "item OLD-0001", None),
    # out of the index, its document put back by hand: the document is right, the index is not
    ([f"CREATE TEMP TABLE kept AS SELECT * FROM item_search_content WHERE id = {OLD_0001}",
      f"CREATE TEMP TABLE sizes AS SELECT * FROM item_search_docsize WHERE id = {OLD_0001}",
      f"DELETE FROM item_search WHERE rowid = {OLD_0001}",
      "INSERT INTO item_search_content SELECT * FROM kept", "INSERT INTO item_search_docsize SELECT * FROM sizes"],
     "the search index item_search does not match its own documents", "item_search: the index does not match", "22U"),
    (["INSERT INTO item_search (rowid, text) VALUES (999999, 'Shahed-136 planted')",
      "INSERT INTO item_words (rowid, text) VALUES (999999, 'Shahed-136 planted')"],
     "item_search holds 1 document of no item", "item_search: holds a document of no item", None),
    (["INSERT INTO search_suspended (since) VALUES ('2026-01-01 00:00:00')"],
     "search_suspended holds a row (since 2026-01-01 00:00:00)", "search_suspended: holds a row", None),
]


@pytest.mark.parametrize("statements, verify_words, script_words, missed", TAMPERING, ids=[t[0][-1][:50] for t in TAMPERING])
def test_a_search_index_changed_behind_fieldkits_back_is_reported_and_rebuilt_from_the_rows(
        path, statements, verify_words, script_words, missed):
    assert verify(path) == (0, []) and script(path) == (0, ["audit log intact"])
    shell(path, *statements)
    if missed:  # what the adversary gains: search no longer finds the item
        assert "OLD-0001" not in finds(path, missed)
    code, lines = verify(path)
    assert code == 1 and any(verify_words in line and line.endswith(REMEDY + " to rebuild the search indexes from the rows")
                             for line in lines), lines
    code, lines = script(path)
    assert code == 1 and any(line.startswith(script_words) and REMEDY in line for line in lines), lines
    rebuilt = CliRunner().invoke(main, ["--db", str(path), "verify", "--rebuild-search"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert script(path) == (0, ["audit log intact"])
    assert "OLD-0001" in finds(path, "22U") and "OLD-0001" in finds(path, "9M")
    assert finds(path, "planted") == []


def test_a_suspended_search_stops_following_new_components_until_rebuilt(path):
    """Why `search_suspended` is evidence too: with a row left in it, a component added through
    fieldkit (audited as usual) is not found by its part number."""
    from fieldkit.catalog import components

    shell(path, "INSERT INTO search_suspended (since) VALUES ('2026-01-01 00:00:00')")
    catalog = open_catalog(path)
    components.add_component(catalog, "OLD-0001", {"part_number": "STM32F405"})
    catalog.close()
    assert finds(path, "STM32F405") == []
    code, lines = verify(path)
    assert code == 1 and len(lines) >= 1 and "search_suspended holds a row" in lines[0]
    assert CliRunner().invoke(main, ["--db", str(path), "verify", "--rebuild-search"]).exit_code == 0
    assert finds(path, "STM32F405") == ["OLD-0001"]


def test_the_rebuild_writes_no_audit_row_and_reads_never_write(path):
    """The indexes are derived data: the rebuild changes no audited row (the audit head stays), and
    a plain verify, which reads only, leaves a tampered index as it found it."""
    shell(path, f"UPDATE item_search SET text = 'nothing here' WHERE rowid = {OLD_0001}")
    conn = sqlite3.connect(path)
    head = conn.execute("SELECT max(seq) FROM audit").fetchone()
    conn.close()
    assert verify(path)[0] == 1 and verify(path)[0] == 1
    assert CliRunner().invoke(main, ["--db", str(path), "verify", "--rebuild-search"]).exit_code == 0
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT max(seq) FROM audit").fetchone() == head
    conn.close()


def test_a_temporary_folder_without_room_is_said_as_a_check_not_made_never_as_a_damaged_index(path, monkeypatch):
    """FTS5's integrity-check runs on a copy in the temporary folder: when the copy cannot be made, verify says
    the index could not be checked and how to make room, and never advises a rebuild of an index it did not read."""
    import errno
    import tempfile

    def no_room(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", no_room)
    catalog = open_catalog(path)
    try:
        problems = check_search(catalog.db)
    finally:
        catalog.close()
    assert problems and all("could not be checked" in p and "TMPDIR" in p for p in problems)
    assert not any("--rebuild-search" in p for p in problems)
