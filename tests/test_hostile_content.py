"""Hostile content: formulas in exports, hostile file names, control characters, markup, SQL and FTS syntax.

What a catalog may hold that was not typed into fieldkit -- a merged catalog from another laptop,
a file name from a seized phone, a part list from a supplier -- must be stored as it is, shown as
it is (never run, never interpreted, never allowed to repaint the terminal), and exported so that a
spreadsheet does not run it.
"""

from __future__ import annotations

import csv
import hashlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from fieldkit.catalog import items, markings
from fieldkit.catalog.components import add_component
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.evidence.photos import add_photos
from fieldkit.export.csv import export_catalog, restore_cell
from tests.photo_files import jpeg_bytes

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\",\"y\")",
            "'=1", "''+1", "=cmd|' /C calc'!A0"]
DANGER = ("=", "+", "-", "@", "\t", "\r")


def raw_db_update(db_path: Path, sql: str, params=()) -> None:
    """Write behind fieldkit's back, as a merge tool or another program might."""
    conn = sqlite3.connect(db_path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


# CSV formula injection ----------------------------------------------------------------


def test_formulas_are_neutralised_in_every_export_file_and_recoverable(catalog, tmp_path):
    items.add_item(catalog, {"ref": "KHK-1", "category": "rocket", "lat": -12.5, "lon": -3.25})
    originals = {}
    for n, formula in enumerate(FORMULAS):
        ref = f"KHK-{n + 2}"
        items.add_item(catalog, {"ref": ref, "category": formula.strip() or "x", "notes": formula,
                                 "designation": formula, "place": formula})
        photo = tmp_path / f"{formula.replace('/', '_')}.jpg"
        try:
            photo.write_bytes(jpeg_bytes(n))
        except OSError:
            photo = tmp_path / f"p{n}.jpg"
            photo.write_bytes(jpeg_bytes(n))
        (result,) = add_photos(catalog, ref, [photo], caption=formula)
        assert result.ok, result.error
        markings.add_marking(catalog, ref, formula)
        add_component(catalog, ref, {"part_number": formula, "manufacturer": formula, "notes": formula})
        originals[ref] = items.get_item(catalog, ref)["notes"]  # as stored (the model strips surrounding space)
    # cells written behind fieldkit's back (control characters the model would refuse)
    raw_db_update(catalog.path, "UPDATE items SET notes = ? WHERE ref = 'KHK-2'", ["\r=1+1\n\x1b[31m"])
    export_catalog(catalog, tmp_path / "out")
    checked = 0
    for name in ("items.csv", "photos.csv", "markings.csv", "components.csv"):
        with open(tmp_path / "out" / name, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert len(rows) > 1, name
        for row in rows[1:]:
            for cell in row:
                checked += 1
                if cell.startswith(DANGER):
                    float(cell)  # only numbers stored as numbers may start with '-' or '+'
    assert checked > 100
    with open(tmp_path / "out" / "components.csv", newline="", encoding="utf-8") as fh:
        parts = {restore_cell(r["item_ref"]): r for r in csv.DictReader(fh)}
    for ref, formula in originals.items():
        assert restore_cell(parts[ref]["part_number"]) == formula
        assert restore_cell(parts[ref]["firm"]) == formula
    with open(tmp_path / "out" / "items.csv", newline="", encoding="utf-8") as fh:
        by_ref = {r["ref"]: r for r in csv.DictReader(fh)}
    assert restore_cell(by_ref["KHK-2"]["notes"]) == "\r=1+1\n\x1b[31m"
    assert by_ref["KHK-1"]["lat"] == "-12.5"


# hostile file names in photo ingest ------------------------------------------------------


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


NAMES = [
    "photo\nfake-line.jpg", "photo\r.jpg", "\u202egpj.exe", "a\u202eb.jpg", "\x1b[2Jclear.jpg",
    "x" * 250 + ".jpg", "..jpg", "-rf.jpg", "=1+1.jpg", "名前.jpg", "back\\slash.jpg", "$(id).jpg", "'; DROP TABLE photos;--.jpg",
]


def test_hostile_file_names_are_stored_by_hash_with_the_name_escaped_and_nothing_outside_the_store(catalog, tmp_path):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    incoming = tmp_path / "incoming" / "deep"
    incoming.mkdir(parents=True)
    files = []
    for n, name in enumerate(NAMES):
        path = incoming / name
        path.write_bytes(jpeg_bytes(100 + n))
        files.append(path)
    # traversal in the path given: it names a file elsewhere; the store still uses the hash only
    (tmp_path / "up.jpg").write_bytes(jpeg_bytes(999))
    files.append(incoming / ".." / ".." / "up.jpg")
    store = catalog.photo_store
    before = tree(tmp_path)
    results = add_photos(catalog, "EX-1", files)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    created = tree(tmp_path) - before
    store_rel = store.relative_to(tmp_path).as_posix()
    outside = {p for p in created if not (p == store_rel or p.startswith(store_rel + "/")) and not p.startswith("catalog.db")}
    assert outside == set()
    for result, path in zip(results, files):
        assert Path(result.stored_path).name.startswith(result.sha256)  # stored by hash only
        assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    for row in catalog.db["photos"].rows:
        name = row["original_name"]
        assert not any(ord(c) < 32 or c in "\u202e\u202d\x7f" for c in name), repr(name)
    names = {r["original_name"] for r in catalog.db["photos"].rows}
    assert "photo\\x0afake-line.jpg" in names and "\\u202egpj.exe" in names


def test_a_symlink_to_a_system_file_is_refused_and_nothing_is_stored(catalog, tmp_path):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    link = tmp_path / "innocent.jpg"
    link.symlink_to("/etc/passwd")
    (result,) = add_photos(catalog, "EX-1", [link])
    assert not result.ok and "\n" not in result.error
    assert catalog.db["photos"].count == 0
    store = catalog.photo_store
    assert not store.exists() or not [p for p in store.rglob("*") if p.is_file()]


def test_the_cli_prints_one_line_per_hostile_name(db_path, tmp_path):
    runner = CliRunner()
    runner.invoke(cli, ["--db", str(db_path), "item", "add", "--category", "rocket", "--ref", "EX-1"])
    good = tmp_path / "ok\nerror: fake.jpg"
    good.write_bytes(jpeg_bytes(1))
    bad = tmp_path / "bad\n\u202e.jpg"
    bad.write_bytes(b"not an image")
    result = runner.invoke(cli, ["--db", str(db_path), "photo", "add", "EX-1", str(good), str(bad)])
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 1 and "\u202e" not in result.stdout
    assert len(result.stderr.splitlines()) == 1 and "\u202e" not in result.stderr


# control characters, right-to-left overrides and markup in the TUI ------------------------

HOSTILE_TEXT = "safe \u202eevil\u202c \x1b[2J\x1b[31mRED\x1b]0;title\x07 [bold red]markup[/] [/] [link=file:///etc]x"


def screen_text(app) -> str:
    return app.export_screenshot()


async def test_hostile_text_written_behind_fieldkits_back_displays_safely_in_the_catalog_table(db_path):
    from textual.widgets import DataTable

    from fieldkit.tui.app import make_app

    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket", "designation": "9M22U"})
    catalog.close()
    # as a merged catalog or another program might leave it: the model would refuse these
    raw_db_update(db_path, "UPDATE items SET notes = ?, designation = ?, place = ?, category = ? WHERE ref = 'EX-1'",
                  [HOSTILE_TEXT, "[red]9M22U[/red]", "[/]", "rocket\x1b[2J"])
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        shown = screen_text(app)
        assert "\x1b" not in shown and "\u202e" not in shown
        assert "[red]9M22U[/red]" in shown.replace("&#160;", " ") or "[red]9M22U[/red]" in _plain(shown), \
            "markup in the data was interpreted instead of shown"


async def test_emoji_codes_in_the_data_show_as_typed_in_the_catalog_table(db_path):
    """Rich's markup pass turns `:rocket:` into a rocket: a stored designation must show as stored."""
    from textual.widgets import DataTable

    from fieldkit.tui.app import make_app

    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket", "designation": "box :rocket: 9M22U"})
    catalog.close()
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert str(table.get_row_at(0)[2]) == "box :rocket: 9M22U"
        assert "\U0001f680" not in screen_text(app)


def seed_hostile(db_path) -> None:
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket", "designation": "9M22U"})
    catalog.close()
    raw_db_update(db_path, "UPDATE items SET notes = ?, designation = ?, place = ?, category = ? WHERE ref = 'EX-1'",
                  [HOSTILE_TEXT, "[red]9M22U[/red]", "[/]", "rocket\x1b[2J"])


async def test_hostile_text_displays_safely_on_the_item_screen_and_stays_as_stored(db_path):
    from textual.widgets import TextArea

    from fieldkit.tui.app import make_app
    from fieldkit.tui.safe_text import visible
    from fieldkit.tui.screens.item import ItemScreen

    seed_hostile(db_path)
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen)
        notes = app.screen.query_one("#f-notes", TextArea)
        assert notes.text == visible(HOSTILE_TEXT)  # shown as escapes: \x1b, \u202e
        assert "\\x1b" in notes.text
        shown = screen_text(app)
        assert "\x1b" not in shown and "\u202e" not in shown
        assert str(app.screen.query_one("#err-notes").render()) != ""  # the field says why it looks odd
        await pilot.press("ctrl+s")  # refused: the stored control characters are not re-saved silently
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen)
        await pilot.press("escape")
        await pilot.pause()
    catalog = open_catalog(db_path)
    assert items.get_item(catalog, "EX-1")["notes"] == HOSTILE_TEXT  # nothing stored was changed
    catalog.close()


def _plain(svg: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


# SQL metacharacters and FTS syntax in search ---------------------------------------------

QUERIES = ['"', "'", "' OR 1=1 --", "NEAR(a b)", "a OR b", "*", "x*", "-x", "^x", "(", ")", "a:b", "%", "_",
           "\\", "col:val", '""', "AND", "NOT x", "'; DROP TABLE items; --", "\x00", "{a b}", "22U\"", "%22U%"]


@pytest.mark.parametrize("query", QUERIES)
def test_search_text_is_never_sql_or_fts_syntax(catalog, query):
    items.add_item(catalog, {"ref": "A-1", "category": "rocket", "designation": "9M22U", "notes": "100% pure_x"})
    items.add_item(catalog, {"ref": "B-1", "category": "shell", "designation": "OF-540"})
    found = items.list_items(catalog, query)
    assert items.count_items(catalog, query) == len(found)
    for row in found:
        for word in query.replace("\x00", " ").split():  # control characters separate words
            haystack = " ".join(str(v) for v in row.values() if v is not None).lower()
            assert word.lower() in haystack
    assert catalog.db["items"].count == 2


@pytest.mark.parametrize("query", ["' OR 1=1 --", "NEAR(a b)", '"', "*", "(", "a OR b", "'; DROP TABLE items; --"])
def test_the_cli_search_takes_any_text(db_path, query):
    runner = CliRunner()
    runner.invoke(cli, ["--db", str(db_path), "item", "add", "--category", "rocket", "--designation", "9M22U"])
    result = runner.invoke(cli, ["--db", str(db_path), "item", "list", "--search", query, "--json"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "[]"


async def test_the_tui_search_box_takes_any_text(db_path):
    from textual.widgets import DataTable

    from fieldkit.tui.app import make_app

    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "A-1", "category": "rocket", "designation": "9M22U"})
    catalog.close()
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for query in ['"', "' OR 1=1 --", "NEAR(a", "*", "22U\"", "[/]", "[bold]"]:
            await pilot.press("slash", "ctrl+a", "ctrl+k", *query)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.screen.query_one(DataTable).row_count == 0, query
        await pilot.press("escape")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(DataTable).row_count == 1
    assert items.count_items(open_catalog(db_path)) == 1


async def test_markup_in_markings_and_components_never_breaks_the_item_tabs(db_path):
    from textual.widgets import DataTable

    from fieldkit.catalog import components as components_core
    from fieldkit.catalog.markings import add_marking
    from fieldkit.tui.app import make_app

    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    add_marking(catalog, "EX-1", "[/] [red]9M22U[/red]", position="[bold]x")
    components_core.add_component(catalog, "EX-1", {"part_number": "[/]ADXL345", "notes": "[/]"})
    catalog.close()
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        for key, table_id in (("f4", "#markings-table"), ("f5", "#components-table")):
            await pilot.press(key)
            await pilot.pause()
            table = app.screen.query_one(table_id, DataTable)
            assert "[/]" in str(table.get_row_at(0)[0])  # shown as typed, not read as markup
        await pilot.press("f4")
        await pilot.pause()
        app.screen.query_one("#marking-text").value = "[/] 4-23"
        await pilot.pause()
        assert "year 23: 2023" in str(app.screen.query_one("#marking-live").render())  # read, not broken by markup


async def test_a_marking_saved_with_bracket_markup_is_confirmed_as_typed_and_the_app_keeps_running(db_path):
    """The confirmation toast quotes the saved text: `[/x]` once made Textual raise MarkupError and
    stop the app, and `[@click=app.quit]` made a clickable action."""
    from textual.widgets import Input

    from fieldkit.tui.app import make_app
    from fieldkit.tui.screens.item import ItemScreen

    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    catalog.close()
    typed = "[/x] [@click=app.quit]4-23[/]"
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen)
        await pilot.press("f4")
        await pilot.pause()
        app.screen.query_one("#marking-text", Input).value = typed
        app.screen.query_one("#marking-text", Input).focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ItemScreen)
        toasts = [str(t.render()) for t in app.screen.query("Toast")]
        assert any(typed in text for text in toasts), toasts
    assert [m["text"] for m in markings.list_markings(open_catalog(db_path), "EX-1")] == [typed]
