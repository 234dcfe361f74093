"""Adding photos in the item screen while an ingest runs, driven through Textual's Pilot.

An ingest is held at a chosen photo (the core's ingest_file waits there) so that what the
researcher does meanwhile -- escape, ctrl+s, a second Add -- happens while it surely runs.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import Input, TabbedContent

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.evidence import photos as photos_core
from fieldkit.evidence.photos import TMP_PREFIX, list_photos
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.item import ItemScreen
from tests.photo_files import jpeg_bytes, write


class Gate:
    """Holds the ingest before the photo named `at` until `release()`; `fail` names a photo whose
    ingest raises an unexpected error (as a bug or a failing disk might)."""

    def __init__(self, monkeypatch, at: str | None = None, fail: str | None = None):
        self.at, self.fail = at, fail
        self.reached, self.opened = threading.Event(), threading.Event()
        real = photos_core.ingest_file

        def ingest_file(catalog, item, path, **kwargs):
            if Path(path).name == self.at:
                self.reached.set()
                self.opened.wait(30)
            if Path(path).name == self.fail:
                raise RuntimeError("the disk went away")
            return real(catalog, item, path, **kwargs)

        monkeypatch.setattr(photos_core, "ingest_file", ingest_file)

    async def wait(self, pilot) -> None:
        for _ in range(3000):  # the worker thread reaching the gate; not a timing check
            if self.reached.is_set():
                return
            await pilot.pause(0.01)
        raise AssertionError("the ingest never reached the gate")

    def release(self) -> None:
        self.opened.set()


@pytest.fixture
def app_with_item(db_path):
    catalog = open_catalog(db_path, actor="tester")
    items.add_item(catalog, {"category": "rocket", "ref": "EX-1"})
    catalog.close()
    return make_app(db_path, actor="tester", offer_example=False)


def photos(folder: Path, *names: str) -> list[Path]:
    return [write(folder / name, jpeg_bytes(seed=i + 1)) for i, name in enumerate(names)]


async def start_adding(app, pilot, paths: list[Path]) -> Input:
    app.push_screen(ItemScreen("EX-1"))
    await pilot.pause()
    app.screen.query_one("#item-tabs", TabbedContent).active = "photos"
    await pilot.pause()
    field = app.screen.query_one("#photo-paths", Input)
    field.value = ", ".join(map(str, paths))
    field.focus()
    await pilot.press("enter")
    return field


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


def no_temp_copies(app) -> bool:
    return not list(app.catalog.photo_store.glob(f"{TMP_PREFIX}*"))


async def test_escape_while_photos_are_added_stops_them_and_says_which_went_in_and_which_not(app_with_item, tmp_path, monkeypatch):
    paths = photos(tmp_path, "a.jpg", "b.jpg", "c.jpg")
    gate = Gate(monkeypatch, at="b.jpg")
    app = app_with_item
    async with app.run_test(size=(120, 40)) as pilot:
        await start_adding(app, pilot, paths)
        await gate.wait(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen)  # not left while the ingest runs
        assert any("Stopping" in n for n in notices(app))
        gate.release()
        await settle(app, pilot)
        assert isinstance(app.screen, ItemScreen)
        results = str(app.screen.query_one("#photo-results").render())
        assert "Stopped: added 1 of 3" in results
        assert "Not added: b.jpg, c.jpg" in notices(app)[-1]
        assert "1 of 3" in notices(app)[-1]
        assert [r["original_name"] for r in list_photos(app.catalog, "EX-1")] == ["a.jpg"]
        assert no_temp_copies(app)
        await pilot.press("escape")  # once it has stopped, escape leaves
        await pilot.pause()
        assert not isinstance(app.screen, ItemScreen)


async def test_ctrl_s_while_photos_are_added_is_refused_and_the_ingest_finishes(app_with_item, tmp_path, monkeypatch):
    paths = photos(tmp_path, "a.jpg", "b.jpg")
    gate = Gate(monkeypatch, at="b.jpg")
    app = app_with_item
    async with app.run_test(size=(120, 40)) as pilot:
        await start_adding(app, pilot, paths)
        await gate.wait(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen)
        assert "Photos are being added" in notices(app)[-1]
        gate.release()
        await settle(app, pilot)
        assert "Added 2 of 2" in str(app.screen.query_one("#photo-results").render())
        assert len(list_photos(app.catalog, "EX-1")) == 2


async def test_a_second_ingest_or_the_ocr_batch_is_refused_while_one_runs_and_its_paths_are_kept(app_with_item, tmp_path, monkeypatch):
    first = photos(tmp_path, "a.jpg", "b.jpg")
    second = write(tmp_path / "other.jpg", jpeg_bytes(seed=9))
    gate = Gate(monkeypatch, at="b.jpg")
    app = app_with_item
    async with app.run_test(size=(120, 40)) as pilot:
        field = await start_adding(app, pilot, first)
        await gate.wait(pilot)
        field.value = str(second)
        await pilot.press("enter")
        await pilot.pause()
        assert "Photos are being added" in notices(app)[-1]
        assert field.value == str(second)  # kept, to be added once the first is done
        app.screen.query_one("#photo-list").focus()
        await pilot.press("B")  # the OCR batch screen, which can ingest a folder too
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen)
        assert "Photos are being added" in notices(app)[-1]
        gate.release()
        await settle(app, pilot)
        assert [r["original_name"] for r in list_photos(app.catalog, "EX-1")] == ["a.jpg", "b.jpg"]
        assert "Added 2 of 2" in str(app.screen.query_one("#photo-results").render())


async def test_an_ingest_that_fails_part_way_says_which_went_in_and_which_not(app_with_item, tmp_path, monkeypatch):
    paths = photos(tmp_path, "a.jpg", "b.jpg", "c.jpg")
    Gate(monkeypatch, fail="b.jpg")
    app = app_with_item
    async with app.run_test(size=(120, 40)) as pilot:
        await start_adding(app, pilot, paths)
        await settle(app, pilot)
        assert isinstance(app.screen, ItemScreen)  # no traceback, the app still runs
        results = str(app.screen.query_one("#photo-results").render())
        assert "Stopped by an error: added 1 of 3" in results
        assert "the disk went away" in results
        assert "Not added: b.jpg, c.jpg" in notices(app)[-1]
        assert [r["original_name"] for r in list_photos(app.catalog, "EX-1")] == ["a.jpg"]
        assert no_temp_copies(app)



async def test_ctrl_q_while_photos_are_added_stops_them_shows_which_went_in_and_a_second_ctrl_q_quits(app_with_item, tmp_path, monkeypatch):
    """Quitting mid-ingest: the first ctrl+q stops the ingest as escape does and the app stays, so the
    researcher sees which photos went in and which did not; ctrl+q again then quits."""
    paths = photos(tmp_path, "a.jpg", "b.jpg", "c.jpg")
    gate = Gate(monkeypatch, at="b.jpg")
    app = app_with_item
    async with app.run_test(size=(120, 40)) as pilot:
        await start_adding(app, pilot, paths)
        await gate.wait(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ItemScreen)
        assert "ctrl+q again quits" in notices(app)[-1]
        gate.release()
        await settle(app, pilot)
        assert "Stopped: added 1 of 3" in str(app.screen.query_one("#photo-results").render())
        assert "Not added: b.jpg, c.jpg" in notices(app)[-1]
        assert [r["original_name"] for r in list_photos(app.catalog, "EX-1")] == ["a.jpg"]
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_ctrl_q_with_no_ingest_running_quits_at_once(app_with_item):
    app = app_with_item
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(ItemScreen("EX-1"))
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
