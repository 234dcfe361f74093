"""The recheck screen: the components and markings that newer reference tables would attribute or read
differently, listed with the stored and the new conclusion and its basis; applied all or in part, each
change audited; nothing changed on cancel; what the researcher entered by hand is shown as kept."""

from __future__ import annotations

import dataclasses

import sqlite3

import pytest
from textual.widgets import DataTable, Label, ProgressBar, Static

from component_fixtures import manufacturers_csv
from fieldkit.catalog import items
from fieldkit.catalog.component_recheck import recheck_components
from fieldkit.catalog.components import add_component, list_components
from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.markings import add_marking, list_markings, recheck_markings
from fieldkit.reference import tables
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.confirm import ConfirmScreen
from fieldkit.tui.screens.recheck import RecheckScreen

SIZE = (110, 32)
FAMILY_HEADER = "family,firm_id,kind,brand,line_from,source,notes\n"
PATTERN_HEADER = ("id,regex,year_calendar,country,producer,category,description,example_positive,"
                  "example_negative,source,confidence_notes\n")


@pytest.fixture
def user_tables(tmp_path, monkeypatch):
    """The user's reference folder: the fixture firms (so the shipped table's growth changes nothing)."""
    folder = tmp_path / "user-reference"
    folder.mkdir()
    (folder / "manufacturers.csv").write_text(manufacturers_csv(), encoding="utf-8")
    monkeypatch.setenv("FIELDKIT_REFERENCE", str(folder))
    tables.clear_cache()
    yield folder
    tables.clear_cache()


def newer_tables(folder) -> None:
    """The folder gains a families row (ZQX parts are Texas Instruments') and a lot-and-year pattern."""
    (folder / "part_families.csv").write_text(
        FAMILY_HEADER + "ZQX,texas-instruments,family,,,my own reading of a TI ordering guide,\n", encoding="utf-8")
    (folder / "marking_patterns.csv").write_text(
        PATTERN_HEADER + "grad-lot-stencil,\"\\b(?P<lot>\\d{1,2})-(?P<year>\\d{2})\\b\",gregorian2,SU,,rocket,,"
        "4-23,,my field notes,Low\n", encoding="utf-8")
    tables.clear_cache()


@pytest.fixture
def db(tmp_path, user_tables):
    """DR-0001 with three ZQX parts (one whose firm and country the researcher entered) and a marking;
    DR-0002 with one ZQX part and a marking. Saved against the older tables, then the tables are newer."""
    path = tmp_path / "recheck.db"
    catalog = open_catalog(path, actor="seed")
    items.add_item(catalog, {"ref": "DR-0001", "category": "drone debris"})
    items.add_item(catalog, {"ref": "DR-0002", "category": "rocket"})
    for part in ({"part_number": "ZQX1234", "date_code": "2310"}, {"part_number": "ZQX5678"},
                 {"part_number": "ZQX9999", "manufacturer": "Acme Widgets", "country": "DE"}):
        add_component(catalog, "DR-0001", part)
    add_component(catalog, "DR-0002", {"part_number": "ZQX1111"})
    add_marking(catalog, "DR-0001", "LOT 4-23")
    add_marking(catalog, "DR-0002", "7-21")
    catalog.close()
    newer_tables(user_tables)
    return path


def parts(path, ref):
    catalog = open_catalog(path, actor="check", read_only=True)
    try:
        return {c["part_number"]: c for c in list_components(catalog, ref)}
    finally:
        catalog.close()


def updates(path, table):
    """The ids of the rows of `table` changed after they were added, from the audit log."""
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute(
            "SELECT row_id FROM audit WHERE table_name = ? AND action = 'update' ORDER BY seq", [table])]


async def settle(pilot):
    """Until the workers are done and a recheck screen has listed what they found."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    while isinstance(pilot.app.screen, RecheckScreen) and pilot.app.screen.busy:
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()


def rows(screen) -> list[list[str]]:
    table = screen.query_one("#recheck-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_from_the_catalog_it_lists_every_difference_and_applies_the_selected_ones_audited(db):
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecheckScreen)
        assert rows(screen) == [
            ["[x]", "DR-0001", "ZQX1234", "not attributed", "Texas Instruments (US)", screen.rows[0].basis],
            ["[x]", "DR-0001", "ZQX5678", "not attributed", "Texas Instruments (US)", screen.rows[1].basis],
            ["kept", "DR-0001", "ZQX9999", "Acme Widgets (DE)", "Acme Widgets (DE)", screen.rows[2].basis],
            ["[x]", "DR-0002", "ZQX1111", "not attributed", "Texas Instruments (US)", screen.rows[3].basis],
        ]
        assert screen.rows[0].basis.endswith("user part_families.csv family ZQX of texas-instruments")
        summary = str(screen.query_one("#recheck-summary", Label).render())
        assert summary == ("4 components checked, 4 would be attributed differently, 1 of them entered by the "
                           "researcher and kept; 3 selected to apply")
        bar = screen.query_one("#recheck-progress", ProgressBar)
        assert (bar.total, bar.progress) == (4, 4)
        detail = str(screen.query_one("#recheck-detail", Static).render())
        assert "~ firm_id: None -> 'texas-instruments'" in detail and "basis: " in detail

        await pilot.press("down", "space")  # leave ZQX5678 as it is
        assert rows(screen)[1][0] == "[ ]"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "2 components" in str(app.screen.question)
        await pilot.press("y")
        await settle(pilot)

        assert app.screen is screen  # checked again: what is left to differ
        assert [r[2] for r in rows(screen)] == ["ZQX5678", "ZQX9999"]
        assert "2 components updated" in str(screen.query_one("#recheck-summary", Label).render())
    one, two = parts(db, "DR-0001"), parts(db, "DR-0002")
    assert (one["ZQX1234"]["manufacturer"], one["ZQX1234"]["country"]) == ("Texas Instruments", "US")
    assert one["ZQX1234"]["date_start"] == "2023-03-06"  # the date code's reading is left as it was
    assert (two["ZQX1111"]["manufacturer"], two["ZQX1111"]["country"]) == ("Texas Instruments", "US")
    assert one["ZQX5678"]["manufacturer"] is None  # not selected
    assert (one["ZQX9999"]["manufacturer"], one["ZQX9999"]["country"]) == ("Acme Widgets", "DE")  # entered: kept
    assert sorted(updates(db, "components")) == sorted([one["ZQX1234"]["id"], two["ZQX1111"]["id"]])


async def test_cancel_and_back_change_nothing(db):
    before = parts(db, "DR-0001") | parts(db, "DR-0002")
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # Cancel
        await settle(pilot)
        assert isinstance(app.screen, RecheckScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, RecheckScreen)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    assert parts(db, "DR-0001") | parts(db, "DR-0002") == before
    assert updates(db, "components") == [] and updates(db, "markings") == []


async def test_a_row_entered_by_the_researcher_cannot_be_selected_and_none_selected_applies_nothing(db):
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        await pilot.press("down", "down", "space")  # the kept row
        assert rows(screen)[2][0] == "kept" and screen.selected == {0, 1, 3}
        assert any("kept" in n.message for n in app._notifications)
        await pilot.press("a")  # all selected: none
        assert [r[0] for r in rows(screen)] == ["[ ]", "[ ]", "kept", "[ ]"]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen  # nothing to confirm
        await pilot.press("a")
        assert screen.selected == {0, 1, 3}
    assert updates(db, "components") == []


async def test_from_the_components_tab_only_that_items_components_and_the_tab_shows_the_new_firm(db):
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "f5")  # DR-0001, Components
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecheckScreen) and screen.sub_title == "Recheck components · DR-0001"
        assert [r[2] for r in rows(screen)] == ["ZQX1234", "ZQX5678", "ZQX9999"]
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        table = app.screen.query_one("#components-table", DataTable)
        firms = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert firms == ["Texas Instruments", "Texas Instruments", "Acme Widgets"]
    assert parts(db, "DR-0002")["ZQX1111"]["manufacturer"] is None
    assert len(updates(db, "components")) == 2


async def test_markings_from_the_markings_tab_are_read_again_and_stored_audited(db):
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "f4")  # DR-0001, Markings
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        screen = app.screen
        assert screen.sub_title == "Recheck markings · DR-0001"
        [row] = rows(screen)
        assert row[:3] == ["[x]", "DR-0001", "LOT 4-23"]
        assert row[4].startswith("grad-lot-stencil") and row[5] == "matches pattern grad-lot-stencil (rocket) [user table]"
        assert "+ grad-lot-stencil on '4-23'" in str(screen.query_one("#recheck-detail", Static).render())
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        assert rows(screen) == []
        assert "1 marking updated" in str(screen.query_one("#recheck-summary", Label).render())
    catalog = open_catalog(db, actor="check", read_only=True)
    try:
        [one] = list_markings(catalog, "DR-0001")
        [two] = list_markings(catalog, "DR-0002")
        assert "grad-lot-stencil" in [c["pattern_id"] for c in one["readings"]["candidates"]]
        assert "grad-lot-stencil" not in [c["pattern_id"] for c in two["readings"]["candidates"]]
        assert updates(db, "markings") == [one["id"]]
    finally:
        catalog.close()


async def test_markings_of_the_whole_catalog_from_the_catalog_screen(db):
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert [r[1:3] for r in rows(app.screen)] == [["DR-0001", "LOT 4-23"], ["DR-0002", "7-21"]]
        await pilot.press("space", "ctrl+s", "y")  # only the second
        await settle(pilot)
    assert len(updates(db, "markings")) == 1
    catalog = open_catalog(db, actor="check", read_only=True)
    try:
        assert updates(db, "markings") == [list_markings(catalog, "DR-0002")[0]["id"]]
    finally:
        catalog.close()


async def test_the_keys_are_in_the_footer_the_help_screen_and_the_command_palette(db):
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Recheck parts (k)" in titles and "Recheck marks (m)" in titles
        await pilot.press("k")
        await settle(pilot)
        footer = {k.description for k in app.screen.query("FooterKey")}
        assert {"Apply", "Select", "All/none", "Check again", "Back"} <= footer
        await pilot.press("f1")
        await settle(pilot)
        help_text = app.screen.query_one("Markdown").source
        assert "Recheck against the current reference tables" in help_text
        assert "Select or unselect the highlighted row" in help_text and "`ctrl+s`" in help_text
        await pilot.press("escape", "escape")
        await settle(pilot)
        await pilot.press("enter", "f5")
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Recheck (^r)" in titles or any(t.startswith("Recheck (") for t in titles)


def test_the_check_reports_progress_row_by_row(db):
    catalog = open_catalog(db, actor="check", read_only=True)
    try:
        seen = []
        recheck_components(catalog, progress=lambda done, total: seen.append((done, total)))
        assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
        seen.clear()
        recheck_markings(catalog, "DR-0002", progress=lambda done, total: seen.append((done, total)))
        assert seen == [(1, 1)]
    finally:
        catalog.close()


def test_components_recheck_screen_snapshot(snap_compare, db):
    app = make_app(db, actor="t", offer_example=False)

    async def open_recheck(pilot):
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_recheck)


def test_markings_recheck_screen_snapshot(snap_compare, db):
    app = make_app(db, actor="t", offer_example=False)

    async def open_recheck(pilot):
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_recheck)


async def test_a_long_list_is_listed_in_batches_with_progress_and_applied_whole(db, tmp_path, user_tables):
    from fieldkit.components.importer import import_components
    from fieldkit.tui.screens.recheck import FILL_BATCH

    parts_csv = tmp_path / "parts.csv"
    parts_csv.write_text("part_number\n" + "".join(f"ZQX{n:04d}\n" for n in range(2, 2 + 2 * FILL_BATCH + 50)))
    families = (user_tables / "part_families.csv").read_text(encoding="utf-8")
    (user_tables / "part_families.csv").unlink()  # imported against the older tables
    tables.clear_cache()
    catalog = open_catalog(db, actor="seed")
    import_components(catalog, "DR-0002", parts_csv)
    catalog.close()
    (user_tables / "part_families.csv").write_text(families, encoding="utf-8")
    tables.clear_cache()
    total = 4 + 2 * FILL_BATCH + 50
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#recheck-table", DataTable).row_count == total
        bar = screen.query_one("#recheck-progress", ProgressBar)
        assert (bar.total, bar.progress) == (total, total)
        await pilot.press("ctrl+s", "y")
        await settle(pilot)
        assert [r[2] for r in rows(screen)] == ["ZQX9999"]  # the kept one alone is left
    assert len(updates(db, "components")) == total - 1


async def test_escape_while_the_changes_are_stored_keeps_the_screen_until_it_says_what_was_stored(db):
    """Closed while it stored, the screen was gone before the count of what was updated came back:
    the changes were stored and audited, but the researcher was not told, and the screen beneath
    was given the count from before."""
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        real = screen.kind.apply

        def escape_first(catalog, chosen):
            app.call_from_thread(screen.action_close)
            return real(catalog, chosen)

        screen.kind = dataclasses.replace(screen.kind, apply=escape_first)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        assert "3 components updated" in str(screen.query_one("#recheck-summary", Label).render())
