"""The Markings tab and the reference browser, driven as a researcher would."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Label, Static

from fieldkit.catalog import items, markings
from fieldkit.catalog.db import open_catalog
from fieldkit.reference import tables
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.item import ItemScreen
from fieldkit.tui.screens.reference import PatternFormScreen, ReferenceScreen


async def settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def seed(db_path):
    catalog = open_catalog(db_path, actor="seed")
    items.add_item(catalog, {"ref": "EX-0002", "category": "rocket", "designation": "9M22U"})
    catalog.close()


async def test_adding_a_marking_in_the_markings_tab_shows_its_reading(db_path, monkeypatch, tmp_path):
    monkeypatch.setenv("FIELDKIT_REFERENCE", str(tmp_path / "no-user-tables"))
    tables.clear_cache()
    seed(db_path)
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ItemScreen)
        app.screen.query_one("#item-tabs").active = "markings"
        await pilot.pause()
        app.screen.query_one("#marking-text", Input).focus()
        await pilot.press(*"9М22У 4-23")
        await pilot.pause()
        live = str(app.screen.query_one("#marking-live", Static).render())
        assert "su-grad-9m22u-designation" in live  # read as it is typed, before saving
        assert "2023" in live
        await pilot.press("enter")
        await settle(app, pilot)
        table = app.screen.query_one("#markings-table", DataTable)
        assert table.row_count == 1
        text, _, source, _, top, year = map(str, table.get_row_at(0))
        assert (text, source) == ("9М22У 4-23", "manual")
        assert top.startswith("su-grad-9m22u-designation")
        assert "2023" in year
    stored = markings.list_markings(open_catalog(db_path), "EX-0002")
    assert [m["text"] for m in stored] == ["9М22У 4-23"]


async def test_a_new_item_has_no_markings_tab(db_path):
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        assert not app.screen.query("#markings-pane")


async def test_reference_screen_searches_and_a_new_pattern_is_checked_as_typed(db_path, monkeypatch, tmp_path):
    user_dir = tmp_path / "user-ref"
    monkeypatch.setenv("FIELDKIT_REFERENCE", str(user_dir))
    tables.clear_cache()
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReferenceScreen)
        app.screen.query_one("#ref-search", Input).value = "juche"
        await pilot.pause()
        patterns = app.screen.query_one("#ref-table-patterns", DataTable)
        ids = [patterns.get_row_at(i)[0] for i in range(patterns.row_count)]
        assert ids and all("juche" in i or "dprk" in i for i in ids)

        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PatternFormScreen)
        form = app.screen
        form.query_one("#p-id", Input).value = "my-lot-stencil"
        form.query_one("#p-source", Input).value = "my own field notes, 2024"
        form.query_one("#p-regex", Input).value = r"(?P<lot>\d+"
        await pilot.pause()
        error = form.query_one("#pattern-error", Label)
        assert "bad regex" in str(error.render())
        form.query_one("#p-regex", Input).value = r"\b(?P<lot>\d{1,3})-(?P<year>\d{2})\b"
        await pilot.pause()
        assert "year_calendar" in str(error.render())  # a year group needs its calendar
        form.query_one("#p-year_calendar").value = "gregorian2"
        await pilot.pause()
        assert "valid" in str(error.render())
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ReferenceScreen)
    saved = (user_dir / "marking_patterns.csv").read_text(encoding="utf-8")
    assert "my-lot-stencil" in saved
    tables.clear_cache()
    assert tables.get_reference().added == {"patterns": ["my-lot-stencil"]}


async def test_a_marking_is_corrected_and_deleted_from_the_tab(tmp_path):
    from textual.widgets import DataTable, Input

    from conftest import khk_catalog, open_item_tab
    from fieldkit.catalog import markings as markings_core
    from fieldkit.catalog.db import open_catalog
    from fieldkit.tui.app import make_app

    db = khk_catalog(tmp_path / "c.db", markings=["l12"])
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_item_tab(pilot, "f4")
        await pilot.press("ctrl+e")
        await pilot.pause()
        box = app.screen.query_one("#marking-text", Input)
        assert box.value == "l12"
        box.value = "112"
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one("#markings-table", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["112"]
        table.focus()
        await pilot.press("ctrl+d", "y")
        await pilot.pause()
        assert table.row_count == 0
    catalog = open_catalog(db)
    assert markings_core.list_markings(catalog, "KHK-0001") == []
    actions = [row["action"] for row in catalog.db["audit"].rows_where("table_name = 'markings'")]
    assert actions == ["insert", "update", "delete"]


async def test_the_highlighted_marking_shows_its_readings_with_range_and_basis(tmp_path):
    from conftest import khk_catalog, open_item_tab
    from fieldkit.tui.app import make_app

    db = khk_catalog(tmp_path / "c.db", markings=["112"])
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_item_tab(pilot, "f4")
        shown = str(app.screen.query_one("#marking-live").render())
        assert "Juche 112 = 2023" in shown and "bare number" in shown and "Minguo 112 = 2023" in shown


async def test_a_long_multi_line_marking_leaves_the_table_on_an_80x24_screen(tmp_path):
    """Seen in the walkthrough: a whole-photo OCR reading of 30 lines, saved as one marking, filled
    the Markings tab at 80x24, and the table (and the marking) could not be seen."""
    from textual.widgets import DataTable

    from conftest import khk_catalog
    from fieldkit.tui.app import make_app
    from fieldkit.tui.screens.item import ItemScreen

    text = "\n".join(["сы", "100", "KP580BT57", *(f"line {n}" for n in range(30))])
    app = make_app(khk_catalog(tmp_path / "c.db", markings=[text]), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ItemScreen("KHK-0001"))
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        table = app.screen.query_one("#markings-table", DataTable)
        assert table.region.height >= 4  # the header and rows, not squeezed out
        assert str(table.get_row_at(0)[0]).startswith("сы\\x0a100\\x0aKP580BT57")  # one line, breaks shown as escapes


async def test_a_marking_read_by_ocr_shows_which_engines_reading_was_kept_and_why(tmp_path):
    """Issue 18: the basis of the OCR choice is kept with the marking and shown after it is saved, as
    `marking show` prints it: the engine kept, the basis, each engine's reading calibrated."""
    from conftest import khk_catalog, open_item_tab
    from fieldkit.evidence.photos import add_photos, list_photos
    from fieldkit.ocr import photos as ocr_photos
    from fieldkit.ocr.reading import read
    from tests.ocr_images import make_marking

    db = khk_catalog(tmp_path / "c.db")
    path = tmp_path / "IMG_0001.png"
    make_marking("9M22U 4-23", "stamped", size=40, canvas=(800, 400), at=(300, 250)).image.save(path)
    catalog = open_catalog(db, actor="t")
    add_photos(catalog, "KHK-0001", [path])
    [photo] = list_photos(catalog, "KHK-0001")
    reading = read(ocr_photos.open_stored(catalog, photo), crop=(280, 230, 300, 80))
    stored = ocr_photos.save_reading(catalog, "KHK-0001", photo, reading)
    catalog.close()
    choice = stored["ocr_choice"]
    assert choice["basis"] == reading.result.engine["choice"] and len(choice["readings"]) == len(reading.readings)

    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_item_tab(pilot, "f4")
        shown = str(app.screen.query_one("#marking-live").render())
    lines = shown.splitlines()
    assert f"OCR choice: {choice['engine']}'s reading kept" in lines
    assert f"  basis: {choice['basis']}" in lines
    for r in reading.readings:
        assert any(line.startswith(f"  {r.engine} ({r.detail}): {r.text!r}") and line.endswith(f"calibrated {r.calibrated:.2f}")
                   for line in lines)
    assert "su-grad-9m22u-designation" in shown  # the readings against the reference tables stay


async def test_a_typed_marking_shows_no_ocr_choice(tmp_path):
    from conftest import khk_catalog, open_item_tab

    app = make_app(khk_catalog(tmp_path / "c.db", markings=["9М22У 4-23"]), actor="t", offer_example=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_item_tab(pilot, "f4")
        assert "OCR choice" not in str(app.screen.query_one("#marking-live").render())


async def test_a_long_marking_detail_scrolls_from_the_keyboard_on_an_80x24_screen(tmp_path):
    """The OCR choice's lines come after the readings; at 80x24 they are reached by scrolling the
    detail panel (Tab to it, then the arrow keys), never by pushing the table off the screen."""
    from conftest import khk_catalog

    db = khk_catalog(tmp_path / "c.db")
    catalog = open_catalog(db, actor="t")
    readings = [{"engine": "tesseract", "detail": f"eng, psm 7, pipeline p{n}", "text": "9M22U 4-23", "as_read": None,
                 "confidence": 90.0, "calibrated": 0.8, "notes": ["agrees with ppocr (as cropped)"]} for n in range(6)]
    markings.add_marking(catalog, "KHK-0001", "9M22U 4-23", source="ocr", ocr_text="9M22U 4-23",
                         engine={"name": "ppocr", "choice": "ppocr (as cropped): calibrated confidence 0.99",
                                 "engines": readings})
    catalog.close()
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ItemScreen("KHK-0001"))
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        detail = app.screen.query_one("#marking-detail")
        assert detail.region.height <= 8 and app.screen.query_one("#markings-table", DataTable).region.height >= 3
        assert "OCR choice: ppocr's reading kept" in str(app.screen.query_one("#marking-live").render())
        detail.focus()
        await pilot.press("down", "down", "down")
        await pilot.pause()
        assert detail.scroll_y > 0


async def test_a_typed_latin_lot_code_with_a_soviet_ic_shape_says_it_is_not_offered_and_why(db_path, monkeypatch, tmp_path):
    monkeypatch.setenv("FIELDKIT_REFERENCE", str(tmp_path / "no-user-tables"))
    tables.clear_cache()
    seed(db_path)
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        app.screen.query_one("#item-tabs").active = "markings"
        await pilot.pause()
        app.screen.query_one("#marking-text", Input).focus()
        await pilot.press(*"LOT 2148AA1")
        await pilot.pause()
        live = str(app.screen.query_one("#marking-live", Static).render())
    assert live.splitlines() == [
        "no reference pattern matches",
        "2148AA1: not offered as a Soviet IC type number (no Cyrillic letter, no К prefix; lot codes have that shape)"]
