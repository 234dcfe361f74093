"""The TUI shell, driven as a researcher would: add, find, edit, delete and export items."""

from __future__ import annotations

import csv

from textual.widgets import DataTable, Input

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.catalog import CatalogScreen
from fieldkit.tui.screens.confirm import ConfirmScreen
from fieldkit.tui.screens.export import ExportScreen
from fieldkit.tui.screens.help import HelpScreen
from fieldkit.tui.screens.item import ItemScreen


async def settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def table_refs(app) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def seed(db_path, *rows):
    catalog = open_catalog(db_path, actor="seed")
    for row in rows:
        items.add_item(catalog, row)
    catalog.close()


async def test_adding_an_item_through_the_form_lists_it(db_path):
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        assert isinstance(app.screen, ItemScreen)
        await pilot.press(*"rocket", "tab", *"9M22U")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, CatalogScreen)
        assert table_refs(app) == ["FK-0001"]
    stored = items.get_item(open_catalog(db_path), "FK-0001")
    assert (stored["category"], stored["designation"]) == ("rocket", "9M22U")


async def test_a_bad_field_shows_inline_and_nothing_is_saved(db_path):
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.press(*"rocket")
        app.screen.query_one("#f-lat", Input).value = "123"
        app.screen.query_one("#f-lon", Input).value = "36"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen)
        assert "less than or equal to 90" in str(app.screen.query_one("#err-lat").render())
        app.screen.query_one("#f-lat", Input).value = "49.9"
        await pilot.pause()
        assert str(app.screen.query_one("#err-lat").render()) == ""
    assert items.count_items(open_catalog(db_path)) == 0


async def test_typing_part_of_a_designation_finds_the_item(db_path):
    seed(db_path, {"category": "rocket", "designation": "9M22U"}, {"category": "projectile", "designation": "OF-540"})
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert table_refs(app) == ["FK-0001", "FK-0002"]
        await pilot.press("slash", *"of-5")
        await settle(app, pilot)
        assert table_refs(app) == ["FK-0002"]
        assert "1 item match" in str(app.screen.query_one("#count").render())
        await pilot.press("escape")
        await settle(app, pilot)
        assert table_refs(app) == ["FK-0001", "FK-0002"]


async def test_opening_an_item_edits_it(db_path):
    seed(db_path, {"category": "rocket", "designation": "9M22U"})
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, ItemScreen)
        place = app.screen.query_one("#f-place", Input)
        place.value = "Kharkiv"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, CatalogScreen)
    assert items.get_item(open_catalog(db_path), "FK-0001")["place"] == "Kharkiv"


async def test_delete_asks_and_no_keeps_the_item(db_path):
    seed(db_path, {"category": "rocket"}, {"category": "shell"})
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert table_refs(app) == ["FK-0001", "FK-0002"]
        await pilot.press("d", "y")
        await settle(app, pilot)
        assert table_refs(app) == ["FK-0002"]


async def test_export_writes_the_csv_and_shows_the_path(db_path, tmp_path):
    seed(db_path, {"category": "rocket", "designation": "9M22U"})
    outdir = tmp_path / "export"
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("x")
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#outdir", Input).value = str(outdir)
        await pilot.press("enter")
        await settle(app, pilot)
        assert str(outdir) in str(app.screen.query_one("#result").render())
    with (outdir / "items.csv").open(newline="") as fh:
        assert [row["designation"] for row in csv.DictReader(fh)] == ["9M22U"]


async def test_help_lists_the_bindings_of_the_screen(db_path):
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("Markdown").source
        assert "Add an item" in text and "Export the catalog as CSV" in text and "Quit" in text
        await pilot.press("escape")
        assert isinstance(app.screen, CatalogScreen)


async def test_an_empty_catalog_offers_a_copy_of_the_example(tmp_path, monkeypatch):
    monkeypatch.setattr("fieldkit.tui.app.data_dir", lambda: tmp_path / "data")
    app = make_app(tmp_path / "empty.db", actor="tester")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.catalog.path == tmp_path / "data" / "example-copy.db"
        assert "KHK-0001" in table_refs(app)


async def test_backup_from_the_app_copies_the_catalog(db_path, tmp_path):
    from fieldkit.tui.screens.backup import BackupScreen

    seed(db_path, {"category": "rocket", "designation": "9M22U"})
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        assert isinstance(app.screen, BackupScreen)
        app.screen.query_one("#dest", Input).value = str(tmp_path / "bk")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "all verified by SHA-256" in str(app.screen.query_one("#result").render())
    assert [r["designation"] for r in items.list_items(open_catalog(tmp_path / "bk" / "catalog.db"))] == ["9M22U"]


async def test_function_keys_switch_the_item_tabs(db_path):
    from textual.widgets import TabbedContent

    seed(db_path, {"category": "rocket"})
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        tabs = app.screen.query_one("#item-tabs", TabbedContent)
        for key, tab in (("f3", "photos"), ("f4", "markings"), ("f5", "components"), ("f2", "details")):
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == tab


async def test_the_first_page_paints_before_the_catalog_is_counted(db_path, monkeypatch):
    """No count or aggregate over the whole catalog runs before the first page is on screen;
    the item count fills in after it."""
    import fieldkit.tui.screens.catalog as catalog_screen

    seed(db_path, *({"ref": f"R-{i:03d}", "category": "rocket"} for i in range(30)))
    rows_on_screen_when_counted: list[int] = []
    real_count = items.count_items

    def counting(*args, **kwargs):
        rows_on_screen_when_counted.append(app.screen.query_one(DataTable).row_count)
        return real_count(*args, **kwargs)

    monkeypatch.setattr(catalog_screen.items_core, "count_items", counting)
    app = make_app(db_path, actor="tester")  # offers the example only if the first page is empty
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert rows_on_screen_when_counted == [30]
        assert len(table_refs(app)) == 30 and isinstance(app.screen, CatalogScreen)
        assert "30 items" in str(app.screen.query_one("#count").render())



async def test_export_with_machine_readable_details_adds_the_json_columns(db_path, tmp_path):
    from textual.widgets import Checkbox

    seed(db_path, {"category": "rocket", "ref": "KHK-0001"})
    outdir = tmp_path / "export"
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("x")
        app.screen.query_one("#outdir", Input).value = str(outdir)
        app.screen.query_one("#full", Checkbox).value = True
        app.action_help()  # the help screen explains the option
        await pilot.pause()
        assert "Machine-readable details" in app.screen.query_one("Markdown").source
        await pilot.press("escape")
        app.screen.query_one("#outdir", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert str(outdir) in str(app.screen.query_one("#result").render())
    header = (outdir / "components.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-2:] == ["candidates_json", "date_readings_json"] and "firm" in header


async def test_work_in_the_example_copy_is_kept_when_the_example_is_opened_again(tmp_path, monkeypatch):
    """Issue 14 point 1: accept the example, add an item, quit, start again, accept again: the item is there."""
    from textual.widgets import Button, Label

    monkeypatch.setattr("fieldkit.tui.app.data_dir", lambda: tmp_path / "data")
    app = make_app(tmp_path / "empty.db", actor="tester")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.focused is app.screen.query_one("#yes", Button)  # Enter opens the example
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.is_example and "EXAMPLE COPY" in app.sub_title
        banner = app.screen.query_one("#example-banner", Label)
        assert banner.display and "EXAMPLE" in str(banner.render())
        items.add_item(app.catalog, {"ref": "MINE-1", "category": "fuze"})
    app = make_app(tmp_path / "empty.db", actor="tester")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert "reopened as you left it" in str(app.screen.query_one(".question", Label).render())
        await pilot.press("enter")
        await settle(app, pilot)
        assert "MINE-1" in table_refs(app) and "KHK-0001" in table_refs(app)


async def test_the_users_own_catalog_shows_no_example_banner(db_path):
    from textual.widgets import Label

    seed(db_path, {"category": "rocket"})
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert not app.is_example and "EXAMPLE" not in app.sub_title
        assert not app.screen.query_one("#example-banner", Label).display


async def test_esc_on_a_new_item_with_typed_fields_asks_before_discarding(db_path):
    """Issue 14 point 2: Esc never drops a form's edits silently."""
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", *"rocket")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "the new item's details" in str(app.screen.query_one(".question").render())
        await pilot.press("n")  # keep editing
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen) and app.screen.query_one("#f-category", Input).value == "rocket"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert table_refs(app) == ["FK-0001"]


async def test_esc_on_an_unchanged_item_leaves_at_once_and_on_an_edited_one_asks(db_path):
    seed(db_path, {"category": "rocket", "designation": "9M22U"})
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CatalogScreen)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("end", *"M")  # designation 9M22UM
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "the details of FK-0001" in str(app.screen.query_one(".question").render())
        await pilot.press("y")  # discard
        await settle(app, pilot)
        assert isinstance(app.screen, CatalogScreen)
    assert items.get_item(open_catalog(db_path), "FK-0001")["designation"] == "9M22U"


async def test_esc_with_a_marking_typed_asks_before_discarding_it(db_path):
    seed(db_path, {"category": "rocket"})
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f4")
        app.screen.query_one("#marking-text", Input).focus()
        await pilot.press(*"주체112", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "the marking typed ('주체112')" in str(app.screen.query_one(".question").render())


async def test_a_failed_backup_stops_its_progress_bar_and_says_why(db_path, tmp_path):
    from fieldkit.tui.screens.backup import BackupScreen

    seed(db_path, {"category": "rocket"})
    full = tmp_path / "full"
    full.mkdir()
    (full / "something.txt").write_text("not empty")  # backup refuses a folder that is not empty
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        assert isinstance(app.screen, BackupScreen)
        app.screen.query_one("#dest", Input).value = str(full)
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Error:" in str(app.screen.query_one("#result").render())
        assert not app.screen.query_one("#progress").display


async def test_export_into_a_folder_holding_an_export_asks_before_replacing(db_path, tmp_path):
    """Issue 14 point 5, in the app."""
    seed(db_path, {"category": "rocket"})
    out = tmp_path / "out"
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for answer, expect_new in (("n", False), ("y", True)):
            await pilot.press("x")
            app.screen.query_one("#outdir", Input).value = str(out)
            await pilot.press("enter")
            await settle(app, pilot)
            if not (out / "items.csv").exists():  # the first export: nothing to replace
                raise AssertionError("the first export did not write items.csv")
            (out / "items.csv").write_text("marker")
            await pilot.press("enter")  # export again into the same folder
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert "items.csv" in str(app.screen.query_one(".question").render())
            await pilot.press(answer)
            await settle(app, pilot)
            assert ((out / "items.csv").read_text() != "marker") == expect_new
            await pilot.press("escape")
            await pilot.pause()
            import shutil

            shutil.rmtree(out)
