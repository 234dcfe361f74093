"""The Reference screen's Manufacturers tab and the user family/brand form, driven with Pilot."""

from __future__ import annotations

import csv

import pytest
from textual.widgets import DataTable, Input, Select

from fieldkit.components.attribution import default_index
from fieldkit.reference import tables
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.manufacturers import FamilyFormScreen
from fieldkit.tui.screens.reference import ReferenceScreen

SIZE = (120, 32)


@pytest.fixture(autouse=True)
def user_dir(tmp_path, monkeypatch):
    folder = tmp_path / "user-reference"
    monkeypatch.setenv("FIELDKIT_REFERENCE", str(folder))
    tables.clear_cache()
    yield folder
    tables.clear_cache()


async def open_reference(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    pilot.app.push_screen(ReferenceScreen())
    await pilot.pause()
    return pilot.app.screen


def rows(screen, name):
    table = screen.query_one(f"#ref-table-{name}", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_a_part_number_search_shows_the_family_that_matched_and_why(tmp_path):
    app = make_app(tmp_path / "t.db", actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reference(pilot)
        await pilot.press("slash", *"TPS62130RGT")
        await pilot.pause()
        lookup = str(screen.query_one("#ref-lookup").render())
        assert "as a part number: Texas Instruments (US)" in lookup
        assert "basis: prefix TPS → Texas Instruments (US), part_families.csv family TPS of texas-instruments" in lookup
        assert rows(screen, "manufacturers")[0][0] == "texas-instruments"
        assert ["TPS", "texas-instruments", "family"] == rows(screen, "families")[0][:3]


async def test_a_military_number_search_shows_the_form_read_and_why_no_firm_is_named(tmp_path):
    app = make_app(tmp_path / "t.db", actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reference(pilot)
        await pilot.press("slash", *"JANTX2N2222A")
        await pilot.pause()
        lookup = " ".join(str(screen.query_one("#ref-lookup").render()).split())
        assert "as a part number: one of " in lookup
        assert "basis: MIL-PRF-19500 quality level JANTX, JEDEC number 2N2222A" in lookup
        screen.query_one("#ref-search", Input).value = "5962-8771601PA"
        await pilot.pause()
        lookup = " ".join(str(screen.query_one("#ref-lookup").render()).split())
        assert "as a part number: not attributed" in lookup
        assert "basis: DLA Standard Microcircuit Drawing 5962-87716" in lookup and "not a maker" in lookup


async def test_a_brand_search_names_the_firm_and_its_former_name(tmp_path):
    app = make_app(tmp_path / "t.db", actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reference(pilot)
        await pilot.press("slash", *"ATMEL")
        await pilot.pause()
        lookup = str(screen.query_one("#ref-lookup").render())
        assert "as a brand: brand 'ATMEL' = former name 'Atmel' → Microchip Technology (US)" in lookup
        assert rows(screen, "manufacturers")[0][0] == "microchip"


async def test_a_user_family_is_checked_as_typed_saved_and_then_attributes(tmp_path, user_dir):
    from fieldkit.components.attribution import attribute

    app = make_app(tmp_path / "t.db", actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reference(pilot)
        screen.query_one("#ref-table-patterns", DataTable).focus()
        await pilot.press("f")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FamilyFormScreen)
        await pilot.press(*"ZQX7", "tab", *"no-such-firm")
        await pilot.pause()
        assert "no firm 'no-such-firm'" in str(form.query_one("#pattern-error").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not (user_dir / "part_families.csv").exists()
        form.query_one("#f-firm_id", Input).value = "texas-instruments"
        form.query_one("#f-example", Input).value = "ABC123"
        form.query_one("#f-source", Input).value = "TI ordering guide, page 3"
        await pilot.pause()
        assert "example: ABC123 does not begin with ZQX7" in str(form.query_one("#pattern-error").render())
        form.query_one("#f-example", Input).value = "ZQX7100"
        await pilot.pause()
        assert "✓ family ZQX7 → Texas Instruments (US)" in str(form.query_one("#pattern-error").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        saved = list(csv.DictReader((user_dir / "part_families.csv").open(encoding="utf-8")))
        assert [(r["family"], r["firm_id"], r["source"]) for r in saved] == [("ZQX7", "texas-instruments", "TI ordering guide, page 3")]
        screen.query_one("#ref-search", Input).value = "ZQX7"
        await pilot.pause()
        assert ["ZQX7", "texas-instruments", "family", "", "", "user"] in rows(screen, "families")
    tables.clear_cache()
    result = attribute("ZQX7100")
    assert result.firm_id == "texas-instruments"
    assert result.basis.endswith("user part_families.csv family ZQX7 of texas-instruments")


async def test_a_user_brand_form_is_added_to_the_firm_and_a_known_brand_is_refused(tmp_path, user_dir):
    from fieldkit.components.attribution import attribute

    app = make_app(tmp_path / "t.db", actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_reference(pilot)
        app.push_screen(FamilyFormScreen(default_index()))
        await pilot.pause()
        form = app.screen
        form.query_one("#f-kind", Select).value = "brand"
        form.query_one("#f-text", Input).value = "Texas Instruments"
        form.query_one("#f-firm_id", Input).value = "texas-instruments"
        form.query_one("#f-source", Input).value = "photo of a TI reel label"
        await pilot.pause()
        assert "already reads as Texas Instruments" in str(form.query_one("#pattern-error").render())
        form.query_one("#f-text", Input).value = "T.I. DALLAS"
        await pilot.pause()
        assert "✓ brand 'T.I. DALLAS' → Texas Instruments (US)" in str(form.query_one("#pattern-error").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
    tables.clear_cache()
    assert attribute("X1", "t.i. dallas").firm_id == "texas-instruments"
    assert tables.get_reference().overridden == {"manufacturers": ["texas-instruments"]}


async def test_a_long_table_shows_its_first_rows_and_says_how_many_match(tmp_path):
    from fieldkit.tui.screens.reference import MAX_ROWS

    app = make_app(tmp_path / "t.db", actor="t", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reference(pilot)
        total = len(screen.tables.families)
        assert total > MAX_ROWS
        assert screen.query_one("#ref-table-families", DataTable).row_count == MAX_ROWS
        assert f"showing the first {MAX_ROWS} of {total} rows" in str(screen.query_one("#ref-more-families").render())
        # a word no source address holds: "TPS" also matched every "https" source once the table grew
        await pilot.press("slash", *"XC7Z")
        await pilot.pause()
        assert str(screen.query_one("#ref-more-families").render()) == ""
