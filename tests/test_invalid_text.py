"""Invalid UTF-8 written into a cell by another program, and an unreadable store folder (issue 19,
point 15): one-line errors for the commands that meet them, problems reported by `verify`, and
never a traceback."""

from __future__ import annotations

import os
import sqlite3

import pytest
from click.testing import CliRunner

from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.evidence.photos import add_photos
from fieldkit.evidence.verify import verify_catalog
from tests.conftest import khk_catalog
from tests.stress.harness import noise_jpeg


def run(db_path, *args):
    return CliRunner().invoke(cli, ["--db", str(db_path), *map(str, args)])


def plant_invalid_utf8(db_path, table="items", column="notes"):
    conn = sqlite3.connect(db_path)
    conn.execute(f"UPDATE {table} SET {column} = CAST(x'4b48ff4b' AS TEXT)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("args", [("item", "list"), ("item", "show", "KHK-0001"), ("item", "list", "--json"),
                                  ("summary",), ("export", "csv", "OUT")], ids=" ".join)
def test_a_read_command_meeting_invalid_utf8_gives_one_line(db_path, tmp_path, args):
    khk_catalog(db_path, components=[{"part_number": "LM358"}])
    plant_invalid_utf8(db_path)
    plant_invalid_utf8(db_path, "components", "manufacturer")
    result = run(db_path, *[tmp_path / "out" if a == "OUT" else a for a in args])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "UTF-8" in lines[0], result.output


def test_verify_reports_each_invalid_cell_and_exits_1(db_path):
    khk_catalog(db_path, components=[{"part_number": "LM358"}])
    plant_invalid_utf8(db_path)
    plant_invalid_utf8(db_path, "components", "part_number")
    result = run(db_path, "verify")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "encoding: items row 1, column notes, holds bytes that are not UTF-8" in result.output
    assert "encoding: components row 1, column part_number" in result.output
    assert "were not checked" in result.output


def test_verify_does_not_count_a_blob_as_invalid_text(catalog):
    catalog.db.execute("CREATE TABLE other (data BLOB)")
    catalog.db.execute("INSERT INTO other VALUES (x'ff00ff')")
    problems = [p for p in verify_catalog(catalog).problems if p.kind == "encoding"]
    assert problems == []


def test_an_unreadable_store_folder_is_a_verify_problem_not_a_crash(db_path, tmp_path, monkeypatch):
    """As root no folder is unreadable, so the refusal is simulated where the walk reads folders."""
    catalog = open_catalog(db_path)
    from fieldkit.catalog import items

    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    result, = add_photos(catalog, "EX-1", [noise_jpeg(tmp_path / "p.jpg", 1)])
    catalog.close()
    locked = str(tmp_path / "catalog.db.photos" / result.stored_path.split("/")[0])
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = run(db_path, "verify")
    assert out.exit_code == 1, out.output
    assert f"unreadable: the store folder {result.stored_path.split('/')[0]} cannot be read" in out.output
