"""The Components tab and the summary screen: enter parts, see them attributed, see the chart update."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from component_fixtures import write_khk_csv
from conftest import khk_catalog, open_item_tab
from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.components.attribution import attribute
from fieldkit.components.importer import import_components
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.summary import SummaryScreen, bar_chart

SIZE = (110, 36)


pytestmark = pytest.mark.usefixtures("fixture_firms")  # tests/conftest.py


def new_catalog(tmp_path, *, khk_parts: bool = False):
    path = tmp_path / "tui.db"
    catalog = open_catalog(path, actor="seed")
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris", "designation": "Hwasong-11"})
    if khk_parts:
        import_components(catalog, "KHK-0001", write_khk_csv(tmp_path / "khk.csv"))
    catalog.close()
    return path


async def settle(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_components_tab(pilot):
    await settle(pilot)
    await pilot.press("enter")  # open KHK-0001
    await pilot.pause()
    pilot.app.screen.query_one("#item-tabs").active = "components"
    await pilot.pause()
    pilot.app.screen.query_one("#comp-part", Input).focus()


async def test_entering_components_fills_firm_and_country_and_updates_the_summary_chart(tmp_path):
    app = make_app(new_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_components_tab(pilot)
        screen = app.screen
        await pilot.press(*"ADXL345")
        assert screen.query_one("#comp-firm", Input).value == "Analog Devices"
        assert screen.query_one("#comp-country", Input).value == "US"
        assert "prefix ADXL → Analog Devices (US)" in str(screen.query_one("#component-attribution").render())
        await pilot.press("tab", "tab", "tab", *"2310")
        assert "2023-03-06 – 2023-03-12" in str(screen.query_one("#component-date-readings").render())
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused.id == "comp-part" and app.focused.value == ""
        assert screen.query_one("#components-table", DataTable).row_count == 1

        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "Analog Devices" in str(app.screen.query_one("#chart-firm").render())
        assert "Texas Instruments" not in str(app.screen.query_one("#chart-firm").render())
        await pilot.press("escape")
        await pilot.pause()

        # a firm typed by hand wins and the country follows it
        await pilot.press(*"SN74HC595", "tab", *"TI")
        await pilot.pause()
        assert screen.query_one("#comp-country", Input).value == "US"
        await pilot.press("enter", "ctrl+g")
        await settle(pilot)
        firms = str(app.screen.query_one("#chart-firm").render())
        assert "Analog Devices" in firms and "Texas Instruments" in firms
        assert str(app.screen.query_one("#summary-report").render()).startswith("2 components from 2 firms in 1 country")


async def test_a_typed_firm_is_kept_and_an_emptied_one_fills_in_again(tmp_path):
    app = make_app(new_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_components_tab(pilot)
        screen = app.screen
        await pilot.press(*"MAX4684", "tab")  # MAX232 itself is multi-source (TI makes it too)
        firm = screen.query_one("#comp-firm", Input)
        assert firm.value == "Analog Devices"
        firm.value = "Acme"
        await pilot.pause()
        await pilot.press("shift+tab", "end", "backspace", "5")  # MAX4685: the firm box keeps "Acme"
        await pilot.pause()
        assert firm.value == "Acme"
        firm.value = ""
        await pilot.pause()
        assert firm.value == "Analog Devices"


async def test_a_multi_source_part_offers_its_candidate_firms_and_the_pick_is_entered(tmp_path):
    from fieldkit.tui.screens.manufacturers import FirmPickScreen

    app = make_app(new_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_components_tab(pilot)
        screen = app.screen
        await pilot.press(*"LM317T")
        await pilot.pause()
        assert screen.query_one("#comp-firm", Input).value == ""  # several makers: none filled in
        makers = len(attribute("LM317T").candidates)  # every maker the shipped table names (3 or more)
        assert makers >= 3
        assert f"ctrl+f: pick one of the {makers} candidate firms" in str(screen.query_one("#component-attribution").render())
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, FirmPickScreen)
        options = app.screen.query_one("#firm-pick-list")
        assert options.option_count == makers
        options.highlighted = [o.id for o in options.options].index("stmicroelectronics")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#comp-firm", Input).value == "STMicroelectronics"
        await pilot.press("enter")
        await pilot.pause()
        table = screen.query_one("#components-table", DataTable)
        assert table.row_count == 1 and [str(c) for c in table.get_row_at(0)[1:3]] == ["STMicroelectronics", "CH"]
        stored = app.catalog.db.execute("SELECT attributed_by, entered_manufacturer FROM components").fetchone()
        assert stored == ("researcher", "STMicroelectronics")


async def test_ctrl_f_on_a_part_of_one_firm_says_there_is_nothing_to_pick(tmp_path):
    app = make_app(new_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_components_tab(pilot)
        await pilot.press(*"ADXL345", "ctrl+f")
        await pilot.pause()
        assert not app.screen.query("#firm-pick-list")


async def test_a_bad_country_is_not_saved_and_says_why(tmp_path):
    app = make_app(new_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_components_tab(pilot)
        await pilot.press(*"X1", "tab", "tab", *"Germany")
        await pilot.pause()
        assert "use DE" in str(app.screen.query_one("#component-attribution").render())
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#components-table", DataTable).row_count == 0


async def test_s_on_the_catalog_opens_the_whole_catalog_summary(tmp_path):
    app = make_app(new_catalog(tmp_path, khk_parts=True), actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen) and app.screen.ref is None
        assert str(app.screen.query_one("#summary-report").render()).startswith(
            "290 components from 26 firms in 8 countries; US 75.5%")


def test_bars_are_scaled_to_the_largest_value():
    text = bar_chart([("US", 219), ("JP", 18)], 290, width=10, label_width=4).plain.splitlines()
    assert text[0] == "US   ██████████    219   75.5%"
    assert text[1] == "JP   ▉" + " " * 9 + "     18    6.2%"  # 18/219 of 10 cells: 7 eighths


def test_summary_screen_snapshot(snap_compare, tmp_path):
    app = make_app(new_catalog(tmp_path, khk_parts=True), actor="t", offer_example=False)

    async def open_summary(pilot):
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_summary)


async def test_the_summary_screen_exports_csv_and_json(tmp_path):
    import csv
    import json

    from textual.widgets import Input

    db = khk_catalog(tmp_path / "c.db", components=[{"part_number": "ADXL345", "date_code": "2310"}])
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#outdir", Input).value = str(tmp_path / "out")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (summary["parts"], summary["firms"], summary["assembled_not_before"]) == (1, 1, "2023-03-06")
    rows = list(csv.DictReader((tmp_path / "out" / "summary.csv").open(newline="")))
    assert [r["key"] for r in rows if r["section"] == "country"] == ["US"]


async def test_a_component_is_deleted_from_the_tab_after_asking(tmp_path):
    from textual.widgets import DataTable

    db = khk_catalog(tmp_path / "c.db", components=[{"part_number": "ADXL345"}])
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_item_tab(pilot, "f5")
        table = app.screen.query_one("#components-table", DataTable)
        table.focus()
        await pilot.press("ctrl+d", "n")
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("ctrl+d", "y")
        await pilot.pause()
        assert table.row_count == 0


async def test_the_highlighted_component_shows_its_attribution_basis_and_date_range(tmp_path):
    db = khk_catalog(tmp_path / "c.db", components=[{"part_number": "ADXL345", "date_code": "2310"}])
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_item_tab(pilot, "f5")
        shown = str(app.screen.query_one("#component-attribution").render())
        assert "prefix ADXL → Analog Devices (US)" in shown
        assert "2023-03-06 to 2023-03-12" in shown


async def test_a_component_is_corrected_in_the_app_and_reattributed(tmp_path):
    """Issue 14 point 11: ctrl+e loads the highlighted component; Enter stores the correction (audited)."""
    app = make_app(new_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_components_tab(pilot)
        screen = app.screen
        await pilot.press(*"ADXL345", "enter")
        await pilot.pause()
        screen.query_one("#components-table", DataTable).focus()
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert screen.query_one("#comp-part", Input).value == "ADXL345"
        assert "Correcting ADXL345" in str(screen.query_one("#component-mode").render())
        await pilot.press("end", *"X")  # ADXL345 -> ADXL345X, quantity 6, date code 2310
        screen.query_one("#comp-qty", Input).value = "6"
        screen.query_one("#comp-date", Input).value = "2310"
        screen.query_one("#comp-part", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        catalog = app.catalog
        rows = list(catalog.db["components"].rows)
        assert len(rows) == 1
        assert (rows[0]["part_number"], rows[0]["quantity"], rows[0]["date_start"]) == ("ADXL345X", 6, "2023-03-06")
        assert rows[0]["manufacturer"] == "Analog Devices"
        assert [a["action"] for a in catalog.db["audit"].rows_where("table_name = 'components'")] == ["insert", "update"]
        assert not screen.query_one("#component-mode").display


async def test_esc_with_a_component_half_typed_asks_before_discarding_it(tmp_path):
    from fieldkit.tui.screens.confirm import ConfirmScreen
    from fieldkit.tui.screens.item import ItemScreen

    app = make_app(new_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_components_tab(pilot)
        await pilot.press(*"LM358")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "the component typed (LM358)" in str(app.screen.query_one(".question").render())
        await pilot.press("escape")  # keep editing
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen) and app.screen.query_one("#comp-part", Input).value == "LM358"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert not isinstance(app.screen, ItemScreen)


async def test_an_unreadable_date_code_is_said_to_be_stored_as_printed_and_shown_as_not_read(tmp_path):
    """Issue 14 point 11, as a new user sees it: typing GH29Q is not shown as a refusal, and the row
    says the code was not read as a date instead of leaving the period blank."""
    app = make_app(new_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_components_tab(pilot)
        await pilot.press(*"ADXL345")
        app.screen.query_one("#comp-date", Input).value = "GH29Q"
        await pilot.pause()
        live = str(app.screen.query_one("#component-date-readings").render())
        assert "stored as printed" in live and "not read as a date" in live and "✗" not in live
        app.screen.query_one("#comp-part", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one("#components-table", DataTable)
        assert [str(c) for c in table.get_row_at(0)[3:6]] == ["GH29Q", "not read", ""]


async def test_a_part_several_firms_make_says_one_of_n_in_the_firm_column(tmp_path):
    """Saved without a pick, a multi-source part does not look like a part of no known firm."""
    app = make_app(new_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_components_tab(pilot)
        await pilot.press(*"LM317T", "enter")
        await settle(pilot)
        await pilot.press(*"X-UNKNOWN-1", "enter")
        await settle(pilot)
        table = app.screen.query_one("#components-table", DataTable)
        makers = len(attribute("LM317T").candidates)  # every maker the shipped table names (3 or more)
        assert makers >= 3 and [str(table.get_row_at(i)[1]) for i in range(2)] == [f"one of {makers}", "—"]
