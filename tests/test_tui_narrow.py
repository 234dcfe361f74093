"""At 80x24, the smallest terminal fieldkit supports, every screen's footer shows Quit, Help and the
screen's main actions whole, and every table shows its key columns without scrolling sideways."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from fieldkit.tui.app import make_app
from fieldkit.tui.widgets.footer import fitting
from test_tui_every_screen import SCREENS, fixed_catalog, fixture_firms  # noqa: F401 (fixture_firms: autouse)

# Screen (as in test_tui_every_screen) -> the actions its footer must show at 80 columns, besides
# Quit and Help.
MAIN_ACTIONS = {
    "catalog": {"search", "add", "delete", "export", "backup", "verify", "summary"},
    "item_details": {"save", "close"},
    "item_photos": {"browse", "focus_paths", "ocr", "ocr_batch", "save", "close"},
    "item_markings": {"edit", "delete", "save", "close"},
    "item_components": {"edit", "summary", "delete", "pick_firm", "save", "close"},
    "photo_view": {"close", "ocr", "credentials", "caption"},
    "ocr": {"run", "save", "cancel_or_close"},
    "batch_ocr": {"toggle", "save_selected", "save_all", "cancel_or_close"},
    "summary": {"close", "refresh", "export"},
    "verify": {"close"},
}
# Table id -> the columns that must be on screen at 80 columns.
KEY_COLUMNS = {
    "items": {"Ref", "Designation", "Photos", "Marks", "Parts"},
    "markings-table": {"Text", "From photo", "Top reading", "Year"},
    "components-table": {"Part number", "Firm", "Country", "Date code", "Qty"},
}


async def _open(pilot, screen):
    await SCREENS[screen](pilot)
    await pilot.pause()


@pytest.mark.parametrize("screen", MAIN_ACTIONS)
async def test_the_footer_shows_quit_help_and_the_main_actions_whole_at_80_columns(tmp_path, monkeypatch, screen):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, screen)
        keys = list(app.screen.query(FooterKey))
        cut = [k.description for k in keys if k.region.right > 80 or k.region.width < len(k.description)]
        assert not cut, f"cut at the right edge: {cut}"
        shown = {k.action.split(".")[-1] for k in keys}
        assert {"quit", "help"} | MAIN_ACTIONS[screen] <= shown, f"missing: {({'quit', 'help'} | MAIN_ACTIONS[screen]) - shown}"


@pytest.mark.parametrize(("screen", "table_id"), [("catalog", "items"), ("item_markings", "markings-table"),
                                                 ("item_components", "components-table")])
async def test_a_tables_key_columns_are_on_screen_at_80_columns(tmp_path, monkeypatch, screen, table_id):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, screen)
        table = app.screen.query_one(f"#{table_id}", DataTable)
        right, seen = 0, set()
        for column in table.ordered_columns:
            right += column.get_render_width(table)
            if right <= table.scrollable_content_region.width:
                seen.add(column.label.plain)
        assert KEY_COLUMNS[table.id] <= seen, f"off the right edge: {KEY_COLUMNS[table.id] - seen}"
        cut = [c.label.plain for c in table.ordered_columns if c.get_render_width(table) - 2 < len(c.label.plain)]
        assert not cut, f"headers cut short: {cut}"


async def test_on_a_wide_terminal_the_footer_shows_every_key_of_the_catalog(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await _open(pilot, "catalog")
        shown = {k.description for k in app.screen.query(FooterKey)}
        assert {"Reference", "Dates", "Report", "Team", "Quit", "Help"} <= shown


def test_keys_that_do_not_fit_are_left_out_from_the_first_that_does_not_and_the_kept_ones_stay():
    def key(name, description):
        return FooterKey(name, name, description, name)

    a, b, c, quit_ = key("a", "Aaaaaaaa"), key("b", "Bbbbbbbbbbbbbbbbbbbb"), key("c", "C"), key("q", "Quit")
    # widths: a 11, b 23, c 4, quit 7
    assert fitting([a, b, c, quit_], 30, {quit_}) == [a, quit_]  # c would fit, but not after b: order kept
    assert fitting([a, b, c, quit_], 45, {quit_}) == [a, b, c, quit_]
    assert fitting([a, b, c, quit_], 5, {quit_}) == [quit_]


async def test_the_command_palette_runs_a_key_the_narrow_footer_left_out(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "catalog")
        assert "Team" not in {k.description for k in app.screen.query(FooterKey)}
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Team (t)")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert type(app.screen).__name__ == "TeamScreen"


async def test_a_markings_year_reading_shows_whole_at_80_columns(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "item_markings")
        table = app.screen.query_one("#markings-table", DataTable)
        year = next(c for c in table.ordered_columns if c.label.plain == "Year")
        shown = [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]
        assert "2023 (juche)" in shown, shown  # 주체112 read as Juche 112 = 2023
        assert all(cell_len(text) <= year.get_render_width(table) - 2 for text in shown), (shown, year.width)


async def test_the_footer_is_rebuilt_only_when_its_keys_change(tmp_path, monkeypatch):
    """A bindings refresh or a layout with the same keys keeps the footer's key widgets as they are
    (Textual's Footer removed and remounted them every time); focusing the search box, which hides
    the printable keys, and a narrower terminal rebuild it."""
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await _open(pilot, "catalog")
        before = list(app.screen.query(FooterKey))
        app.screen.refresh_bindings()
        app.screen.query_one("FitFooter").refresh(layout=True)
        await pilot.pause()
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == before  # the same widgets: nothing rebuilt
        await pilot.press("slash")  # the search box: printable keys are typed, not bound
        await pilot.pause()
        searching = {k.key for k in app.screen.query(FooterKey)}
        assert "a" not in searching and "slash" in searching
        await pilot.press("escape")  # back to the table
        await pilot.pause()
        assert [k.key for k in app.screen.query(FooterKey)] == [k.key for k in before]
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        narrow = [k.key for k in app.screen.query(FooterKey)]
        assert len(narrow) < len(before) and {"ctrl+q", "f1"} <= set(narrow)
