"""Dialogs (modal screens) of the app: help reaches every one of them, and restore from a backup."""

from __future__ import annotations

import pytest

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.catalog import CatalogScreen
from fieldkit.tui.screens.help import HelpScreen


async def settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def seed(db_path, *rows):
    catalog = open_catalog(db_path, actor="seed")
    for row in rows:
        items.add_item(catalog, row)
    catalog.close()


# The catalog screen's key that opens a dialog, and the dialog's class name.
DIALOGS = {"x": "ExportScreen", "b": "BackupScreen", "d": "ConfirmScreen", "p": "ReportScreen"}


@pytest.mark.parametrize("key", DIALOGS)
async def test_f1_opens_help_over_every_dialog_and_f1_closes_it(db_path, key):
    seed(db_path, {"ref": "KHK-0001", "category": "rocket"})
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        dialog = app.screen
        assert type(dialog).__name__ == DIALOGS[key]
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen) and app.screen.beneath is dialog
        await pilot.press("f1")
        await settle(app, pilot)
        assert app.screen is dialog


async def test_question_mark_is_typed_into_a_dialogs_box_not_taken_for_help(db_path):
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        box = app.screen.query_one("#outdir")
        box.value = ""
        await pilot.press("a", "question_mark")
        assert box.value == "a?" and not isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, CatalogScreen)


async def _restore_in_app(app, pilot, source, target):
    from textual.widgets import Input

    from fieldkit.tui.screens.backup import RestoreScreen

    await settle(app, pilot)
    await pilot.press("b")
    await settle(app, pilot)
    await pilot.press("ctrl+r")
    await settle(app, pilot)
    assert isinstance(app.screen, RestoreScreen)
    app.screen.query_one("#source", Input).value = str(source)
    app.screen.query_one("#target", Input).value = str(target)
    app.screen.query_one("#target", Input).focus()
    await pilot.press("enter")
    await settle(app, pilot)


async def test_restore_in_the_app_makes_a_new_catalog_and_opens_it_only_when_asked(db_path, tmp_path):
    from fieldkit.catalog.backup import backup
    from fieldkit.tui.screens.confirm import ConfirmScreen

    seed(db_path, {"ref": "KHK-0001", "category": "rocket"})
    backup(open_catalog(db_path, actor="t"), tmp_path / "bk")
    seed(db_path, {"ref": "KHK-0002", "category": "fuze"})  # added after the backup
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _restore_in_app(app, pilot, tmp_path / "bk", tmp_path / "restored.db")
        assert isinstance(app.screen, ConfirmScreen) and "open catalog is not changed" in app.screen.question
        await pilot.press("y")
        await settle(app, pilot)
        assert "restored" in str(app.screen.query_one("#result").render()).lower()
        assert app.catalog.path == db_path  # not switched yet
        await pilot.click("#open")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, CatalogScreen) and app.catalog.path == tmp_path / "restored.db"
        assert app.screen.query_one("DataTable").row_count == 1
    assert [r["ref"] for r in items.list_items(open_catalog(db_path))] == ["KHK-0001", "KHK-0002"]  # untouched


async def test_restore_in_the_app_refuses_a_tampered_backup_and_an_existing_file(db_path, tmp_path):
    from fieldkit.catalog.backup import backup

    seed(db_path, {"ref": "KHK-0001", "category": "rocket"})
    backup(open_catalog(db_path, actor="t"), tmp_path / "bk")
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"mine")
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _restore_in_app(app, pilot, tmp_path / "bk", existing)
        await pilot.press("y")
        await settle(app, pilot)
        assert "already exists" in str(app.screen.query_one("#result").render())
        with (tmp_path / "bk" / "catalog.db").open("ab") as f:
            f.write(b"tampered")
        app.screen.query_one("#target").value = str(tmp_path / "new.db")
        app.screen.query_one("#target").focus()
        await pilot.press("enter", "y")
        await settle(app, pilot)
        assert "does not match" in str(app.screen.query_one("#result").render())
        assert not app.screen.query_one("#open").display
    assert existing.read_bytes() == b"mine" and not (tmp_path / "new.db").exists()
    assert app.catalog.path == db_path


async def test_restore_asks_about_a_folder_with_brackets_in_its_name_as_it_is_named(db_path, tmp_path):
    """The confirmation is markup: a folder named 'bk [old]' must show its brackets, not lose them as a tag."""
    from textual.widgets import Label

    from fieldkit.catalog.backup import backup
    from fieldkit.tui.screens.confirm import ConfirmScreen

    seed(db_path, {"ref": "KHK-0001", "category": "rocket"})
    backup(open_catalog(db_path, actor="t"), tmp_path / "bk [old]")
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await _restore_in_app(app, pilot, tmp_path / "bk [old]", tmp_path / "restored.db")
        assert isinstance(app.screen, ConfirmScreen)
        shown = str(app.screen.query_one(".question", Label).render())
        assert "bk [old]" in shown, shown
