"""The OCR screens, driven as a researcher would: choose a crop from the keyboard, read, correct and
save a marking; cancel a reading; read every photo of an item, or a folder, and save the readings.
Real tesseract on generated images, except where a fixed or blocked reading makes a test exact."""

from __future__ import annotations

import threading
import time

import pytesseract
from textual.widgets import DataTable, Input, ListView, Static, TextArea

from fieldkit.catalog import items, markings
from fieldkit.catalog.db import open_catalog
from fieldkit.evidence.photos import add_photos, list_photos
from fieldkit.ocr import engine
from fieldkit.ocr.choice import EngineReading
from fieldkit.ocr.correction import correct
from fieldkit.ocr.engine import OcrCandidate, OcrLine, OcrResult, OcrWord
from fieldkit.ocr.photos import Reading
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.item import ItemScreen
from fieldkit.tui.screens.ocr import (
    BatchOcrScreen,
    OcrScreen,
    crop_step,
    default_crop,
    moved,
    resized,
)
from tests.ocr_images import make_marking

SIZE = (140, 45)


async def settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def catalog_with_photos(db_path, tmp_path, texts, style="stamped"):
    """Item EX-1 with one stored 800×400 photo per text, the marking drawn at (300, 250)."""
    catalog = open_catalog(db_path, actor="seed")
    items.add_item(catalog, {"category": "rocket", "ref": "EX-1"})
    paths = []
    for i, text in enumerate(texts):
        path = tmp_path / f"IMG_{i + 1:04d}.png"
        make_marking(text, style, size=40, canvas=(800, 400), at=(300, 250), seed=i).image.save(path)
        paths.append(path)
    add_photos(catalog, "EX-1", paths)
    rows = list_photos(catalog, "EX-1")
    catalog.close()
    return rows


async def open_ocr_screen(app, pilot):
    """Open item EX-1's photos and press `o` on the first: the OCR screen."""
    await open_photos_tab(app, pilot)
    await pilot.press("o")
    await settle(app, pilot)


async def open_photos_tab(app, pilot):
    app.push_screen(ItemScreen("EX-1"))
    await pilot.pause()
    app.screen.query_one("#item-tabs").active = "photos"
    await settle(app, pilot)
    photo_list = app.screen.query_one("#photo-list", ListView)
    photo_list.focus()
    photo_list.index = 0
    await pilot.pause()


def test_crop_steps_scale_with_the_photo_and_stay_inside_it():
    assert crop_step((800, 400)) == 16 and crop_step((6000, 4000)) == 120 and crop_step((20, 10)) == 1
    assert default_crop((800, 400)) == (200, 150, 400, 100)
    assert moved((700, 300, 100, 100), 50, 50, (800, 400)) == (700, 300, 100, 100)
    assert moved((10, 10, 100, 100), -50, -50, (800, 400)) == (0, 0, 100, 100)
    assert resized((700, 300, 100, 100), 50, 50, (800, 400)) == (700, 300, 100, 100)
    assert resized((0, 0, 10, 10), -50, -50, (800, 400)) == (0, 0, 1, 1)


async def test_read_a_crop_correct_the_text_and_save_it_as_a_marking(db_path, tmp_path):
    [photo] = catalog_with_photos(db_path, tmp_path, ["9M22U 4-23"])
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_ocr_screen(app, pilot)
        screen = app.screen
        assert isinstance(screen, OcrScreen) and screen.image.size == (800, 400)

        # Type a rough crop, then adjust it from the keyboard: one step (16 px) right, wider, taller.
        screen.query_one("#ocr-crop", Input).value = "260,220,380,100"
        await pilot.pause()
        screen.query_one("#ocr-crop-area").focus()
        await pilot.press("right", "shift+right", "shift+down")
        await pilot.pause()
        assert screen.crop == (276, 220, 396, 116)
        assert screen.query_one("#ocr-crop", Input).value == "276,220,396,116"  # kept in sync

        await pilot.press("enter")
        await settle(app, pilot)
        editor = screen.query_one("#ocr-text", TextArea)
        assert editor.text == "9M22U 4-23"
        words = str(screen.query_one("#ocr-words", Static).render())
        assert "9M22U (" in words and "4-23 (" in words  # each word with its confidence
        candidates = str(screen.query_one("#ocr-candidates", Static).render())
        assert "chosen" in candidates and "/psm 7/eng+kor+rus" in candidates  # pipeline, psm and languages of each

        # The researcher reads the stamp as Cyrillic and corrects the text before saving.
        editor.clear()
        editor.focus()
        await pilot.press(*"9М22У 4-23")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Saved as marking" in str(screen.query_one("#ocr-status", Static).render())

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen)
        app.screen.query_one("#item-tabs").active = "markings"
        await pilot.pause()
        table = app.screen.query_one("#markings-table", DataTable)
        text, _, source, from_photo, _, _ = map(str, table.get_row_at(0))
        assert (text, source) == ("9М22У 4-23", "ocr, read '9M22U 4-23'")  # corrected, and what OCR read
        assert from_photo.endswith("@ 276,220,396,116")  # the photo and crop it was read from

    [stored] = markings.list_markings(open_catalog(db_path), "EX-1")
    assert stored["text"] == "9М22У 4-23"
    assert stored["ocr_text"] == "9M22U 4-23"
    assert stored["source"] == "ocr"
    assert (stored["crop_x"], stored["crop_y"], stored["crop_w"], stored["crop_h"]) == (276, 220, 396, 116)
    assert stored["photo_sha256"] == photo["sha256"]
    assert stored["engine"]["crop"] == [276, 220, 396, 116] and stored["engine"]["psm"] == 7
    assert 0 < stored["confidence"] <= 100


async def test_escape_cancels_a_reading_and_nothing_is_saved(db_path, tmp_path, monkeypatch):
    catalog_with_photos(db_path, tmp_path, ["ОФ-462"])
    monkeypatch.setenv("FIELDKIT_TESSERACT", "process")  # a tesseract command that blocks
    started, release = threading.Event(), threading.Event()

    def blocked_tesseract(args, cancel):  # a slow reading: runs until cancelled (or the test lets it go)
        started.set()
        while not cancel.is_set() and not release.is_set():
            time.sleep(0.01)
        if cancel.is_set():
            raise engine.OcrCancelled("OCR cancelled")

    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_ocr_screen(app, pilot)
        screen = app.screen
        monkeypatch.setattr(engine, "_tesseract", blocked_tesseract)
        screen.set_crop((280, 230, 300, 80))  # a line: PP-OCR reads it first, then tesseract always does
        await pilot.press("r")
        for _ in range(100):
            if started.is_set():
                break
            await pilot.pause(0.02)
        assert screen.query_one("#ocr-progress").display
        await pilot.press("escape")
        assert screen.cancel.is_set()
        assert app.screen is screen  # escape cancels first; it does not leave the screen
        release.set()
        await settle(app, pilot)
        assert "cancelled" in str(screen.query_one("#ocr-status", Static).render())
        assert not screen.query_one("#ocr-progress").display
        assert screen.reading is None
    assert markings.list_markings(open_catalog(db_path), "EX-1") == []


async def test_without_tesseract_the_screen_opens_and_says_what_to_install(db_path, tmp_path, monkeypatch):
    catalog_with_photos(db_path, tmp_path, ["ОФ-462"])
    monkeypatch.setenv("FIELDKIT_TESSERACT", "process")  # the command's path: tesserocr needs no command
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_ocr_screen(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        status = str(app.screen.query_one("#ocr-status", Static).render())
        assert "tesseract is not installed" in status and "sudo apt-get install tesseract-ocr" in status
        assert isinstance(app.screen, OcrScreen) and app.is_running


async def test_batch_reads_every_photo_of_the_item_and_saves_selected_then_all(db_path, tmp_path):
    # Whole photos are read (no crop), so clean labels: stamped metal needs a crop to read well.
    photos = catalog_with_photos(db_path, tmp_path, ["9M22U 4-23", "LOT 12-87-270"], style="dark_on_light")
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_photos_tab(app, pilot)
        await pilot.press("B")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, BatchOcrScreen)
        table = screen.query_one("#ocr-batch-table", DataTable)
        assert table.row_count == 2
        assert [str(table.get_row_at(i)[2]) for i in range(2)] == ["9M22U 4-23", "LOT 12-87-270"]
        assert "Read 2 of 2" in str(screen.query_one("#ocr-batch-status", Static).render())

        table.focus()
        table.move_cursor(row=1)
        await pilot.press("space", "ctrl+s")
        await pilot.pause()
        assert [m["text"] for m in markings.list_markings(app.catalog, "EX-1")] == ["LOT 12-87-270"]
        await pilot.press("ctrl+a")  # saves the rest; the one already saved is not stored twice
        await pilot.pause()
        assert table.get_row_at(0)[0] == table.get_row_at(1)[0] == "✓"

    stored = markings.list_markings(open_catalog(db_path), "EX-1")
    assert sorted((m["text"], m["photo_sha256"]) for m in stored) == sorted(
        [("9M22U 4-23", photos[0]["sha256"]), ("LOT 12-87-270", photos[1]["sha256"])]
    )
    assert all(m["source"] == "ocr" and m["ocr_text"] == m["text"] and m["crop_x"] is None for m in stored)


async def test_batch_of_a_folder_adds_its_images_as_photos_first(db_path, tmp_path):
    catalog = open_catalog(db_path, actor="seed")
    items.add_item(catalog, {"category": "rocket", "ref": "EX-1"})
    catalog.close()
    folder = tmp_path / "card"
    folder.mkdir()
    make_marking("KH-179 06-21", "dark_on_light", size=40).image.save(folder / "DSC_0001.jpg", quality=95)
    (folder / "notes.txt").write_text("not a photo")  # ignored: not an image by its name
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(BatchOcrScreen("EX-1", start=False))
        await pilot.pause()
        field = app.screen.query_one("#ocr-batch-folder", Input)
        field.value = str(folder)
        field.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        table = app.screen.query_one("#ocr-batch-table", DataTable)
        assert table.row_count == 1 and str(table.get_row_at(0)[1]) == "DSC_0001.jpg"
        await pilot.press("ctrl+a")
        await pilot.pause()
    catalog = open_catalog(db_path)
    [photo] = list_photos(catalog, "EX-1")
    [stored] = markings.list_markings(catalog, "EX-1")
    assert photo["original_name"] == "DSC_0001.jpg"
    assert stored["photo_sha256"] == photo["sha256"] and stored["text"] == "KH-179 06-21"


# ---------------------------------------------------------------- snapshot


def fixed_reading() -> Reading:
    """A reading with one doubtful word, one confident word, a correction and another candidate."""
    words = [OcrWord("9M22У", 55.0, (300, 250, 140, 33)), OcrWord("4-23", 91.0, (452, 250, 79, 33))]
    result = OcrResult(
        text="9M22У 4-23",
        confidence=73.0,
        lines=[OcrLine("9M22У 4-23", 73.0, (300, 250, 231, 33), words)],
        engine={"name": "tesseract", "version": "5.3.0", "languages": "eng+kor+rus", "psm": 7, "oem": 3,
                "pipeline": "flattened", "crop": [276, 220, 396, 116], "seconds": 0.3},
        candidates=[OcrCandidate("denoised", 7, "9M22Y 4-23", 70.5, 0.3)],
    )
    result.engine["choice"] = "tesseract (eng+kor+rus, psm 7, pipeline flattened): calibrated confidence 0.41"
    readings = [EngineReading("tesseract", "9M22У 4-23", 73.0, "eng+kor+rus, psm 7, pipeline flattened", 0.41),
                EngineReading("ppocr", "9M22Y 4-2", 0.71, "as cropped", 0.09)]
    return Reading(result, *correct(result.text), readings)


def test_ocr_screen_snapshot(snap_compare, tmp_path):
    """The OCR screen after a reading: the photo with its crop, the crop enlarged, words with their
    confidence (one doubtful), the correction and its basis, the readings tried, the editor."""
    db_path = tmp_path / "catalog.db"
    [photo] = catalog_with_photos(db_path, tmp_path, ["9M22U 4-23"], style="dark_on_light")
    app = make_app(db_path, actor="tester", offer_example=False)

    async def read_fixed(pilot):
        app.push_screen(OcrScreen(photo, "EX-1"))
        await settle(app, pilot)
        app.screen.set_crop((276, 220, 396, 116))
        app.screen.show_reading(fixed_reading())
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=read_fixed)


async def test_keys_turn_the_crop_make_it_a_ring_and_switch_the_engine(db_path, tmp_path):
    catalog_with_photos(db_path, tmp_path, ["AC19AP26102"])
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_ocr_screen(app, pilot)
        screen = app.screen
        screen.query_one("#ocr-crop", Input).value = "280,230,460,90"
        await pilot.pause()
        screen.query_one("#ocr-crop-area").focus()

        await pilot.press("t", "t")  # upside down: what is read is the crop turned 180°
        assert screen.turn == 180
        assert screen.what_is_read().size == (460, 90)
        await pilot.press("[")  # and tilted 5° more
        assert screen.turn == 185 and screen.what_is_read().size[1] > 90
        await pilot.press("]")
        await pilot.press("enter")
        await settle(app, pilot)
        engine_used = screen.reading.result.engine
        assert engine_used["rotation"] == 180 and engine_used["crop"] == [280, 230, 460, 90]
        assert screen.query_one("#ocr-text", TextArea).text == "AC19AP26102"  # read the other way up

        await pilot.press("t", "t", "o")  # a ring: the circle in the crop box, unrolled
        assert screen.ring and screen.turn == 0
        strip = screen.what_is_read()
        assert strip.width > 3 * strip.height  # a strip as long as the ring's middle circle
        await pilot.press("minus")
        assert screen.inner == 0.5

        await pilot.press("o", "e")
        assert not screen.ring and screen.engine == "tesseract"
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.reading.result.engine["name"] == "tesseract"


async def test_whole_photo_lines_are_offered_as_crops(db_path, tmp_path):
    catalog_with_photos(db_path, tmp_path, ["KN23 LOT 0417"])
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_ocr_screen(app, pilot)
        screen = app.screen
        screen.query_one("#ocr-crop-area").focus()
        await pilot.press("n")  # nothing detected yet: the researcher is told what to do
        await pilot.pause()
        assert screen.crop is None
        await pilot.press("w", "enter")
        await settle(app, pilot)
        assert screen.reading.result.engine["detection"]["found"] >= 1
        assert "n and p take each line as the crop" in str(screen.query_one("#ocr-status", Static).render())
        await pilot.press("n")
        await pilot.pause()
        x, y, w, h = screen.crop
        assert x <= 300 <= x + w and y <= 270 <= y + h  # the line drawn at (300, 250)
        assert screen.query_one("#ocr-crop", Input).value == f"{x},{y},{w},{h}"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "KN23" in screen.query_one("#ocr-text", TextArea).text


async def test_esc_after_correcting_a_reading_asks_before_discarding_it(db_path, tmp_path):
    """Issue 14 point 2: a corrected OCR reading that is not saved is never dropped silently."""
    from fieldkit.tui.screens.confirm import ConfirmScreen

    catalog_with_photos(db_path, tmp_path, ["9M22U 4-23"])
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_ocr_screen(app, pilot)
        screen = app.screen
        screen.query_one("#ocr-crop", Input).value = "276,220,396,116"
        await pilot.pause()
        screen.query_one("#ocr-crop-area").focus()
        await pilot.press("enter")
        await settle(app, pilot)
        editor = screen.query_one("#ocr-text", TextArea)
        editor.text = "9М22У 4-23"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "the corrected reading" in str(app.screen.query_one(".question").render())
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and editor.text == "9М22У 4-23"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape")  # saved: leaves at once
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen)


async def test_batch_shows_each_photos_result_as_soon_as_it_is_read(db_path, tmp_path, monkeypatch):
    """Issue 14 point 14: the first photo's reading is in its row while the second is still being read."""
    from fieldkit.ocr import photos as ocr_photos

    catalog_with_photos(db_path, tmp_path, ["9M22U 4-23", "LOT 12-87-270"], style="dark_on_light")
    real_read, real_read_photos = ocr_photos.read, ocr_photos.read_photos
    first_done, release = threading.Event(), threading.Event()

    def read_photos(*args, on_entry=None, **kwargs):  # notes, in the worker, when the first photo is done
        def entry_done(index, entry):
            on_entry(index, entry)
            if index == 0:
                first_done.set()
        return real_read_photos(*args, on_entry=entry_done, **kwargs)

    def read(*args, cancel=None, **kwargs):  # the second photo is read only when the test lets it
        # (gated around the whole reading, whichever engines main's OCR runs: PP-OCR, tesseract, both)
        while first_done.is_set() and not release.is_set() and not (cancel is not None and cancel.is_set()):
            time.sleep(0.01)
        return real_read(*args, cancel=cancel, **kwargs)

    monkeypatch.setattr(ocr_photos, "read_photos", read_photos)
    monkeypatch.setattr(ocr_photos, "read", read)
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_photos_tab(app, pilot)
        await pilot.press("B")
        screen = app.screen
        table = screen.query_one("#ocr-batch-table", DataTable)
        for _ in range(1500):
            await pilot.pause(0.02)
            if first_done.is_set() and table.row_count == 2 and str(table.get_row_at(0)[2]) == "9M22U 4-23":
                break
        assert str(table.get_row_at(0)[2]) == "9M22U 4-23"  # shown while the batch still runs
        assert screen.running and "waiting" in str(table.get_row_at(1)[4])
        release.set()
        await settle(app, pilot)
        assert str(table.get_row_at(1)[2]) == "LOT 12-87-270"


# ------------------------------------------------- a folder's ingest stopped part-way


async def start_folder_batch(app, pilot, folder) -> None:
    app.push_screen(BatchOcrScreen("EX-1", start=False))
    await pilot.pause()
    field = app.screen.query_one("#ocr-batch-folder", Input)
    field.value = str(folder)
    field.focus()
    await pilot.press("enter")


def folder_of_photos(db_path, tmp_path, *names):
    from tests.photo_files import jpeg_bytes, write

    catalog = open_catalog(db_path, actor="seed")
    items.add_item(catalog, {"category": "rocket", "ref": "EX-1"})
    catalog.close()
    folder = tmp_path / "card"
    folder.mkdir()
    for i, name in enumerate(names):
        write(folder / name, jpeg_bytes(seed=i + 1))
    return folder


async def test_escape_while_a_folder_is_added_says_how_many_went_in_and_names_the_rest(db_path, tmp_path, monkeypatch):
    """As the item screen's photo ingest does: the outcome counts what was added and names, with the
    reason, each photo of the folder that was not."""
    from tests.test_tui_photo_ingest import Gate

    folder = folder_of_photos(db_path, tmp_path, "a.jpg", "b.jpg", "c.jpg")
    gate = Gate(monkeypatch, at="b.jpg")
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await start_folder_batch(app, pilot, folder)
        await gate.wait(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BatchOcrScreen)  # escape cancels first, it does not leave
        gate.release()
        await settle(app, pilot)
        status = str(app.screen.query_one("#ocr-batch-status", Static).render())
        assert "Stopped: added 1 of 3." in status
        assert f"✗ {folder / 'b.jpg'} was not added: cancelled" in status
        assert f"✗ {folder / 'c.jpg'} was not added: cancelled" in status
        assert [r["original_name"] for r in list_photos(app.catalog, "EX-1")] == ["a.jpg"]


async def test_a_folder_ingest_that_fails_part_way_names_the_photos_not_added_as_plain_text(db_path, tmp_path, monkeypatch):
    from tests.test_tui_photo_ingest import Gate

    folder = folder_of_photos(db_path, tmp_path, "1.jpg", "2[red].jpg", "3[b].jpg")
    Gate(monkeypatch, fail="2[red].jpg")
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await start_folder_batch(app, pilot, folder)
        await settle(app, pilot)
        assert isinstance(app.screen, BatchOcrScreen)  # no traceback, the app still runs
        status = str(app.screen.query_one("#ocr-batch-status", Static).render())
        assert "Stopped by an error: added 1 of 3. the disk went away" in status
        assert "✗ 2[red].jpg was not added: not reached" in status  # a name, never markup
        assert "✗ 3[b].jpg was not added: not reached" in status
        assert [r["original_name"] for r in list_photos(app.catalog, "EX-1")] == ["1.jpg"]


async def test_a_photo_whose_reading_fails_unexpectedly_is_named_and_the_batch_goes_on(db_path, tmp_path, monkeypatch):
    """A hostile or odd image can trip a bug in a decoder or an OCR engine (not a FieldkitError): that
    photo's row says why it was not read, the others are read, and the app goes on."""
    from fieldkit.ocr import photos as ocr_photos

    photos = catalog_with_photos(db_path, tmp_path, ["9M22U 4-23", "LOT 12-87-270"], style="dark_on_light")
    real_read = ocr_photos.read

    def read(image, *args, **kwargs):
        read.calls += 1
        if read.calls == 1:  # the first photo
            raise ValueError("tile cannot extend outside image")
        return real_read(image, *args, **kwargs)

    read.calls = 0
    monkeypatch.setattr(ocr_photos, "read", read)
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_photos_tab(app, pilot)
        await pilot.press("B")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, BatchOcrScreen) and app.is_running
        table = screen.query_one("#ocr-batch-table", DataTable)
        assert table.row_count == 2
        note = str(table.get_row_at(0)[4])
        assert "IMG_0001.png could not be read" in note and "tile cannot extend outside image" in note
        assert str(table.get_row_at(1)[2]) == "LOT 12-87-270"
        assert photos[0]["sha256"] in {p["sha256"] for p in list_photos(app.catalog, "EX-1")}  # nothing lost


async def test_an_unexpected_error_in_a_folder_batch_is_said_with_the_ingest_outcome_kept(db_path, tmp_path, monkeypatch):
    """Past the ingest, an error no one foresaw (a bug, a failing disk) ends the batch with one line, not a
    traceback, and the lines naming the photos not added stay shown."""
    from fieldkit.ocr import photos as ocr_photos
    from tests.photo_files import write

    folder = folder_of_photos(db_path, tmp_path, "a.jpg")
    write(folder / "b.jpg", b"not a jpeg")

    def read_photos(*args, **kwargs):
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(ocr_photos, "read_photos", read_photos)
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await start_folder_batch(app, pilot, folder)
        await settle(app, pilot)
        assert isinstance(app.screen, BatchOcrScreen) and app.is_running
        status = str(app.screen.query_one("#ocr-batch-status", Static).render())
        assert "the disk went away; run `fieldkit verify`" in status
        assert "Added 1 of 2." in status and "b.jpg" in status
        assert [r["original_name"] for r in list_photos(app.catalog, "EX-1")] == ["a.jpg"]


async def test_ctrl_q_while_a_folder_is_added_stops_it_and_shows_which_went_in_before_quitting(db_path, tmp_path, monkeypatch):
    from tests.test_tui_photo_ingest import Gate

    folder = folder_of_photos(db_path, tmp_path, "a.jpg", "b.jpg", "c.jpg")
    gate = Gate(monkeypatch, at="b.jpg")
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await start_folder_batch(app, pilot, folder)
        await gate.wait(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, BatchOcrScreen)
        gate.release()
        await settle(app, pilot)
        status = str(app.screen.query_one("#ocr-batch-status", Static).render())
        assert "Stopped: added 1 of 3." in status and "c.jpg was not added" in status
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
