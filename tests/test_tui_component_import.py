"""Importing components from a CSV file in the app (Components tab, ctrl+o), as `fieldkit component import`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from textual.binding import Binding
from textual.widgets import Checkbox, DataTable, Input, Static

from component_fixtures import write_khk_csv
from conftest import khk_catalog, open_item_tab
from fieldkit.catalog import audit
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.components.importer import import_components
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.component_import import ComponentImportScreen

SIZE = (120, 40)


pytestmark = pytest.mark.usefixtures("fixture_firms")  # tests/conftest.py


def components(db) -> list[tuple]:
    catalog = open_catalog(db, actor="check")
    try:
        return catalog.db.execute("SELECT part_number, manufacturer, country, quantity FROM components ORDER BY rowid").fetchall()
    finally:
        catalog.close()


def import_event(db) -> dict | None:
    """The components import's audit event, without what differs from one run to the next (ids, times, actor)."""
    catalog = open_catalog(db, actor="check")
    try:
        rows = catalog.db.execute("SELECT action, before_json, after_json FROM audit WHERE table_name = 'components'").fetchall()
        item_id = catalog.db.execute("SELECT id FROM items WHERE ref = 'KHK-0001'").fetchone()[0]
        assert audit.check_chain(catalog.db) == [] and audit.check_state(catalog.db) == []
    finally:
        catalog.close()
    if not rows:
        return None
    assert len(rows) == 1
    details = json.loads(rows[0][2])
    assert details.pop("item_id") == item_id
    return {"action": rows[0][0], "before": rows[0][1],
            **{k: v for k, v in details.items() if k not in ("event_id", "rows_sha256", "at", "actor")}}


async def open_import(pilot, path=None, *, strict=False):
    """From the catalog: open KHK-0001's Components tab, press ctrl+o, type the file's path, tick Strict."""
    await open_item_tab(pilot, "f5")
    pilot.app.screen.query_one("#components-table", DataTable).focus()
    await pilot.press("ctrl+o")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ComponentImportScreen)
    if path is not None:
        pilot.app.screen.query_one("#import-path", Input).value = str(path)
    pilot.app.screen.query_one("#import-strict", Checkbox).value = strict


async def run_import(pilot) -> str:
    """Press Enter in the path box; wait for the worker; the dialog's result text."""
    pilot.app.screen.query_one("#import-path", Input).focus()
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return str(pilot.app.screen.query_one("#import-result", Static).render())


async def test_the_290_row_teardown_is_imported_from_the_dialog_with_the_cli_s_audit_event(tmp_path):
    csv_path = write_khk_csv(tmp_path / "khk.csv")
    db = khk_catalog(tmp_path / "app.db")
    same = khk_catalog(tmp_path / "core.db")
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_import(pilot, csv_path)
        text = await run_import(pilot)
        assert text.splitlines()[-1] == "imported 290 components from khk.csv"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#components-table", DataTable).row_count == 290  # the tab refreshed
    core = open_catalog(same, actor="t")
    import_components(core, "KHK-0001", csv_path)
    core.close()
    assert components(db) == components(same) and len(components(db)) == 290
    event = import_event(db)
    assert event == import_event(same)
    assert (event["action"], event["source_name"], event["rows_read"], event["rows_refused"]) == ("import", "khk.csv", 290, 0)


BAD_ROW_CSV = "part_number,quantity\nADXL345,2\nLM317,lots\nNE555,1\n"


async def test_a_bad_row_is_reported_by_line_and_the_good_rows_are_imported(tmp_path):
    (tmp_path / "parts.csv").write_text(BAD_ROW_CSV, encoding="utf-8")
    db = khk_catalog(tmp_path / "c.db")
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_import(pilot, tmp_path / "parts.csv")
        lines = (await run_import(pilot)).splitlines()
    assert lines[0].startswith("line 3, column quantity: ")
    assert lines[-1] == "imported 2 components from parts.csv; 1 row refused"
    assert [row[0] for row in components(db)] == ["ADXL345", "NE555"]


async def test_strict_with_a_bad_row_reports_the_line_and_stores_nothing(tmp_path):
    (tmp_path / "parts.csv").write_text(BAD_ROW_CSV, encoding="utf-8")
    db = khk_catalog(tmp_path / "c.db")
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_import(pilot, tmp_path / "parts.csv", strict=True)
        lines = (await run_import(pilot)).splitlines()
    assert lines[0].startswith("line 3, column quantity: ")
    assert lines[-1].startswith("nothing imported from parts.csv: 1 of 3 rows has a problem")
    assert components(db) == [] and import_event(db) is None


@pytest.mark.parametrize("content", [
    b"serial,qty\nA1,2\n",  # no part_number column
    b"part_number\nADXL\xff345\n",  # not UTF-8
    b"\x89PNG\r\n\x1a\n\x00\x00",  # not text
])
async def test_a_bad_file_is_the_cli_s_one_line_error_and_nothing_is_stored(tmp_path, content):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    cli_db = khk_catalog(tmp_path / "cli.db")
    said = CliRunner().invoke(cli, ["--db", str(cli_db), "--actor", "t", "component", "import", "KHK-0001", str(bad)])
    assert said.exit_code == 2
    db = khk_catalog(tmp_path / "c.db")
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_import(pilot, bad)
        text = await run_import(pilot)
    assert text == said.stderr.strip() and len(text.splitlines()) == 1
    assert components(db) == [] and import_event(db) is None


async def test_browse_picks_the_csv_file_in_the_photo_picker_showing_csv_files(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "teardown").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    parts = home / "teardown" / "parts.csv"
    parts.write_text(BAD_ROW_CSV, encoding="utf-8")
    (home / "teardown" / "IMG_0001.jpg").write_bytes(b"")
    db = khk_catalog(tmp_path / "c.db")
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_import(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        picker = app.screen
        tree = picker.query_one("#picker-tree")
        assert tree.path == home
        assert list(tree.filter_paths([parts, parts.with_name("IMG_0001.jpg"), parts.parent])) == [parts, parts.parent]
        box = picker.query_one("#picker-path", Input)
        box.value = str(parts)  # a file typed is marked
        box.focus()
        await pilot.press("enter", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ComponentImportScreen)
        assert app.screen.query_one("#import-path", Input).value == str(parts)
        lines = (await run_import(pilot)).splitlines()
    assert lines[-1] == "imported 2 components from parts.csv; 1 row refused"


async def test_a_long_import_reports_rows_read_as_it_goes(tmp_path, monkeypatch):
    big = tmp_path / "big.csv"
    big.write_text("part_number,quantity\n" + "".join(f"ADXL345,{n % 9 + 1}\n" for n in range(10_001)), encoding="utf-8")
    posted = []
    original = ComponentImportScreen.post_message

    def spy(self, message):
        posted.append(message)
        return original(self, message)

    monkeypatch.setattr(ComponentImportScreen, "post_message", spy)
    db = khk_catalog(tmp_path / "c.db")
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_import(pilot, big)
        lines = (await run_import(pilot)).splitlines()
    assert [m.rows for m in posted if isinstance(m, ComponentImportScreen.Progress)] == [5000, 10000]
    assert lines == ["imported 10001 components from big.csv"]


async def test_closing_the_dialog_without_importing_stores_nothing(tmp_path):
    csv_path = write_khk_csv(tmp_path / "khk.csv")
    db = khk_catalog(tmp_path / "c.db")
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_import(pilot, csv_path)
        await pilot.press("escape")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, ComponentImportScreen)
    assert components(db) == [] and import_event(db) is None


async def test_ctrl_o_is_in_the_help_and_the_command_palette_of_the_components_tab(tmp_path):
    db = khk_catalog(tmp_path / "c.db")
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_item_tab(pilot, "f5")
        app.screen.query_one("#components-table", DataTable).focus()
        await pilot.press("f1")
        await pilot.pause()
        from textual.widgets import Markdown

        doc = app.screen.query_one(Markdown).source
        await pilot.press("escape")
        await pilot.pause()
        palette = [c.title for c in app.get_system_commands(app.screen)]
    assert "Import components from a CSV file (as `fieldkit component import`), with progress |" in doc
    key = app.get_key_display(Binding("ctrl+o", "import_csv"))
    assert f"| `{key}` | Import components from a CSV file" in doc
    assert f"Import CSV ({key})" in palette


def test_import_dialog_snapshot(snap_compare, tmp_path):
    (tmp_path / "parts.csv").write_text(BAD_ROW_CSV, encoding="utf-8")
    app = make_app(khk_catalog(tmp_path / "c.db"), actor="t", offer_example=False)

    async def import_with_a_bad_row(pilot):
        await open_import(pilot, tmp_path / "parts.csv")
        await run_import(pilot)
        box = app.screen.query_one("#import-path", Input)
        box.value = "~/teardown/parts.csv"  # the same path text on any machine
        box.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=import_with_a_bad_row)
