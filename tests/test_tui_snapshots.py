"""Snapshots of the screens, so a change to how they look is seen and approved."""

from __future__ import annotations

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.tui.app import make_app

SIZE = (110, 32)


def example_catalog(tmp_path):
    path = tmp_path / "snapshot.db"
    catalog = open_catalog(path, actor="seed")
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris", "designation": "Hwasong-11", "place": "Kharkiv", "found_on": "2024-01-02"})
    items.add_item(catalog, {"ref": "EX-0002", "category": "rocket", "designation": "9M22U", "calibre": "122 mm"})
    catalog.close()
    return path


async def wait_for_workers(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_catalog_screen(snap_compare, tmp_path):
    app = make_app(example_catalog(tmp_path), actor="t", offer_example=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=wait_for_workers)


def test_item_screen_with_an_inline_error(snap_compare, tmp_path):
    app = make_app(example_catalog(tmp_path), actor="t", offer_example=False)

    async def open_and_break(pilot):
        await wait_for_workers(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        pilot.app.screen.query_one("#f-found_on").value = "2024-13-01"
        await pilot.press("ctrl+s")
        for box in pilot.app.screen.query("Input, TextArea"):
            box.cursor_blink = False  # the snapshot must not depend on the blink phase
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_and_break)
