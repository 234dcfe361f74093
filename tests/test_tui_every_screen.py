"""Snapshots of every screen of the app at the smallest supported terminal (80x24) and a large one
(160x45), over one fixed catalog: so that a screen that loses its header, footer or controls at
either size is seen, and every change to how a screen looks is approved.

The catalog holds an item with a photo (generated, fixed), a marking read from a crop of it, a
typed marking and components attributed by the fixture firms (not the shipped tables, which grow).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from component_fixtures import manufacturers_csv
from fieldkit.catalog import items
from fieldkit.catalog.components import add_component
from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.markings import add_marking
from fieldkit.evidence.photos import add_photos, list_photos
from fieldkit.reference import tables
from fieldkit.tui.app import make_app

SIZES = {"80x24": (80, 24), "160x45": (160, 45)}
PICKER_DIR = Path("/tmp/fieldkit-snapshot-picker")  # a fixed path, so the picker's snapshot is the same anywhere


@pytest.fixture(autouse=True)
def fixture_firms(tmp_path, monkeypatch):
    user_dir = tmp_path / "user-reference"
    user_dir.mkdir()
    (user_dir / "manufacturers.csv").write_text(manufacturers_csv(), encoding="utf-8")
    monkeypatch.setenv("FIELDKIT_REFERENCE", str(user_dir))
    monkeypatch.setattr("fieldkit.tui.app.data_dir", lambda: tmp_path / "data")
    tables.clear_cache()
    yield
    tables.clear_cache()


def fixed_catalog(tmp_path) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "seeds"))
    from make_photos import PHOTOS, make_photo

    path = tmp_path / "screens.db"
    catalog = open_catalog(path, actor="seed")
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris", "designation": "Hwasong-11",
                             "place": "Kharkiv", "found_on": "2024-01-02", "lat": 49.9935, "lon": 36.2304})
    items.add_item(catalog, {"ref": "EX-0002", "category": "rocket", "designation": "9M22U", "calibre": "122 mm"})
    photo = make_photo(PHOTOS[0], tmp_path, size=(480, 320))
    add_photos(catalog, "KHK-0001", [photo], caption=PHOTOS[0].caption)
    [row] = list_photos(catalog, "KHK-0001")
    add_marking(catalog, "KHK-0001", "주체112", source="ocr", ocr_text="주제112", photo_sha256=row["sha256"],
                crop=(40, 60, 200, 80), position="motor section")
    add_marking(catalog, "KHK-0001", "ОФ-462")
    for part in ({"part_number": "ADXL345", "date_code": "2310", "quantity": 2},
                 {"part_number": "SN74HC595", "manufacturer": "TI", "date_code": "2152"},
                 {"part_number": "X-UNKNOWN-1"}):
        add_component(catalog, "KHK-0001", part)
    catalog.close()
    return path


async def settle(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_item(pilot, tab: str | None = None):
    from fieldkit.tui.screens.item import ItemScreen

    await settle(pilot)
    pilot.app.push_screen(ItemScreen("KHK-0001"))
    await settle(pilot)
    if tab:  # the tab's key, which also moves the focus into the tab
        await pilot.press({"photos": "f3", "markings": "f4", "components": "f5"}[tab])
        await settle(pilot)


async def catalog(pilot):
    await settle(pilot)


async def catalog_searching(pilot):
    await settle(pilot)
    await pilot.press("slash", *"주체")
    await settle(pilot)


async def example_offer(pilot):
    await settle(pilot)


async def details(pilot):
    await open_item(pilot)


async def photos(pilot):
    await open_item(pilot, "photos")


async def markings(pilot):
    await open_item(pilot, "markings")


async def components(pilot):
    await open_item(pilot, "components")


async def photo_view(pilot):
    from fieldkit.tui.screens.photos import PhotoScreen

    await settle(pilot)
    pilot.app.push_screen(PhotoScreen(list_photos(pilot.app.catalog, "KHK-0001")[0], "KHK-0001"))
    await settle(pilot)


async def photo_view_with_crop(pilot):
    await open_item(pilot, "markings")
    table = pilot.app.screen.query_one("#markings-table")
    table.focus()
    table.move_cursor(row=0)
    await pilot.press("enter")
    await settle(pilot)


async def caption_prompt(pilot):
    await photo_view(pilot)
    await pilot.press("e")  # `c` reads the Content Credentials
    await settle(pilot)


async def picker(pilot):
    import shutil

    from fieldkit.tui.screens.photos import PhotoPickerScreen

    shutil.rmtree(PICKER_DIR, ignore_errors=True)
    (PICKER_DIR / "DCIM").mkdir(parents=True)
    (PICKER_DIR / "IMG_0001.jpg").write_bytes(b"")
    await settle(pilot)
    pilot.app.push_screen(PhotoPickerScreen(PICKER_DIR))
    for _ in range(3):  # not settle(): the directory tree's loader is a worker that waits for ever
        await pilot.pause(0.2)


async def ocr(pilot):
    from fieldkit.tui.screens.ocr import OcrScreen

    await settle(pilot)
    pilot.app.push_screen(OcrScreen(list_photos(pilot.app.catalog, "KHK-0001")[0], "KHK-0001"))
    await settle(pilot)


async def batch_ocr(pilot):
    from fieldkit.tui.screens.ocr import BatchOcrScreen

    await settle(pilot)
    pilot.app.push_screen(BatchOcrScreen("KHK-0001", start=False))
    await settle(pilot)


async def summary(pilot):
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)


async def calendars(pilot):
    await settle(pilot)
    await pilot.press("y")
    await settle(pilot)


async def reference_row(pilot):
    from fieldkit.tui.screens.reference import ReferenceRowScreen

    await settle(pilot)
    row = next(r for r in tables.get_reference().rows["manufacturers"] if r.key() == "analog-devices")
    pilot.app.push_screen(ReferenceRowScreen("Manufacturers", row, "user"))
    await settle(pilot)


async def pattern_form(pilot):
    from fieldkit.tui.screens.reference import PatternFormScreen

    await settle(pilot)
    pilot.app.push_screen(PatternFormScreen())
    await settle(pilot)


async def verify(pilot):
    import re

    from textual.widgets import Label

    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)
    # The head's fingerprint hashes the audit rows' timestamps, so it differs on every run: the
    # snapshot shows where it goes, with fixed digits (test_tui_verify checks the real value).
    head = pilot.app.screen.query_one("#verify-head", Label)
    head.update(re.sub(r"fingerprint [0-9a-f]{4}(-[0-9a-f]{4}){3}", "fingerprint 0000-0000-0000-0000", str(head.render())))
    await pilot.pause()


async def export(pilot):
    await settle(pilot)
    await pilot.press("x")
    await settle(pilot)
    pilot.app.screen.query_one("#outdir").value = "~/fieldkit-exports/screens"


async def backup(pilot):
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    pilot.app.screen.query_one("#dest").value = "~/fieldkit-backups/screens"


async def backup_passphrase(pilot):
    await backup(pilot)
    await pilot.press("f3")
    await settle(pilot)


async def export_geojson(pilot):
    await export(pilot)
    await pilot.press("f2")
    await settle(pilot)


async def restore(pilot):
    await backup(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)
    pilot.app.screen.query_one("#source").value = "~/fieldkit-backups/screens"
    pilot.app.screen.query_one("#target").value = "~/fieldkit/screens-restored.db"


async def delete_confirm(pilot):
    await settle(pilot)
    await pilot.press("d")
    await settle(pilot)


async def unsaved_confirm(pilot):
    await open_item(pilot)
    await pilot.press("end", *"X", "escape")
    await settle(pilot)


async def team(pilot):
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    pilot.app.screen.query_one("#passphrase").value = ""  # not FIELDKIT_PASSPHRASE, if set where the test runs


async def more(pilot):
    await settle(pilot)
    await pilot.press("o")
    await settle(pilot)


async def help_screen(pilot):
    await settle(pilot)
    await pilot.press("f1")
    await settle(pilot)


SCREENS = {
    "catalog": catalog,
    "catalog_searching": catalog_searching,
    "example_offer": example_offer,
    "item_details": details,
    "item_photos": photos,
    "item_markings": markings,
    "item_components": components,
    "photo_view": photo_view,
    "photo_view_with_marking_crop": photo_view_with_crop,
    "caption_prompt": caption_prompt,
    "file_picker": picker,
    "ocr": ocr,
    "batch_ocr": batch_ocr,
    "summary": summary,
    "calendars": calendars,
    "reference_row": reference_row,
    "pattern_form": pattern_form,
    "verify": verify,
    "export": export,
    "export_geojson": export_geojson,
    "backup": backup,
    "backup_passphrase": backup_passphrase,
    "restore": restore,
    "delete_confirm": delete_confirm,
    "unsaved_changes_confirm": unsaved_confirm,
    "help": help_screen,
    "more": more,
    "team": team,
}


def steady(setup):
    """Run `setup`, then stop text cursors blinking: a snapshot must not depend on the blink phase."""
    async def run_before(pilot):
        await setup(pilot)
        for screen in pilot.app.screen_stack:
            for box in screen.query("Input, TextArea"):
                box.cursor_blink = False
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(snap_compare, tmp_path, monkeypatch, screen, size):
    monkeypatch.setenv("HOME", "/home/researcher")  # paths shown under ~ are the same anywhere
    monkeypatch.setenv("FIELDKIT_CONFIG_DIR", str(tmp_path / "config"))  # no key: the Team screen the same anywhere
    if screen == "example_offer":
        app = make_app(tmp_path / "empty.db", actor="t")
    else:
        app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=steady(SCREENS[screen]))
