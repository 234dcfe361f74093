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
