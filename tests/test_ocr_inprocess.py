"""Tesseract in this process (fieldkit.ocr.inprocess, through tesserocr built against the system's
libtesseract) reads exactly what the tesseract command reads, loads its models once per
(languages, psm), and gives way to the command when tesserocr is absent, built against another
tesseract, or FIELDKIT_TESSERACT=process asks for it. The tests that need tesserocr are skipped only
where it is not installed (`make deps` builds it)."""

from __future__ import annotations

import importlib.util
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from fieldkit.ocr import engine, inprocess
from fieldkit.ocr.engine import OcrCancelled, ocr_image, read_strips
from tests.ocr_images import make_marking, make_set

needs_tesserocr = pytest.mark.skipif(importlib.util.find_spec("tesserocr") is None,
                                     reason="tesserocr is not installed (make deps builds it)")


def everything(result) -> tuple:
    """All a reading holds that tesseract produced: text, confidence, lines and words with boxes,
    and every other reading tried (pipeline, psm, languages, text, confidence, error)."""
    lines = [(line.text, line.confidence, line.box, [(w.text, w.confidence, w.box) for w in line.words])
             for line in result.lines]
    others = sorted((c.pipeline, c.psm, c.languages, c.text, c.confidence, c.error) for c in result.candidates)
    settings = {k: result.engine[k] for k in ("languages", "psm", "pipeline", "choice", "version")}
    return result.text, result.confidence, lines, others, settings


def read_both_ways(monkeypatch, read):
    monkeypatch.setenv("FIELDKIT_TESSERACT", "process")
    by_command = read()
    monkeypatch.delenv("FIELDKIT_TESSERACT")
    return by_command, read()


@needs_tesserocr
def test_crops_read_in_process_give_the_commands_readings_exactly(monkeypatch):
    """Latin, Cyrillic, Hangul and etched chip markings, each read with every pipeline and the
    Cyrillic re-read: every text, confidence, word box and candidate is the same both ways."""
    markings = make_set(8, seed=11)
    assert {m.text for m in markings}  # a varied set: the generator cycles through the scripts
    for marking in markings:
        by_command, in_process = read_both_ways(monkeypatch, lambda: ocr_image(marking.image))
        assert by_command.engine["tesseract_run"] == "command"
        assert in_process.engine["tesseract_run"] == "in-process"
        assert everything(in_process) == everything(by_command), marking.text


@needs_tesserocr
def test_a_whole_photo_read_as_a_block_and_strips_read_in_one_run_are_the_same_both_ways(monkeypatch):
    photo = make_marking("LOT 12-87-270", canvas=(900, 600), at=(200, 250), size=40).image
    by_command, in_process = read_both_ways(monkeypatch, lambda: ocr_image(photo))
    assert in_process.engine["psm"] in engine.BLOCK_PSMS
    assert everything(in_process) == everything(by_command)
    strips = [make_marking(text, size=36).image for text in ("ОФ-462", "주체112", "9M22U 4-23")]
    by_command, in_process = read_both_ways(monkeypatch, lambda: read_strips(strips))
    assert in_process == by_command and any(text for text, _ in in_process)


@needs_tesserocr
def test_in_process_starts_no_tesseract_and_loads_each_model_once(monkeypatch):
    """After the first line, further lines start no process and create no new tesseract object:
    one per (languages, psm), reused."""
    monkeypatch.delenv("FIELDKIT_TESSERACT", raising=False)
    inprocess.clear()
    created = []
    real_create = inprocess._create
    monkeypatch.setattr(inprocess, "_create", lambda *args: created.append(args[:2]) or real_create(*args))
    monkeypatch.setattr(engine, "_tesseract", lambda *a, **k: pytest.fail("a tesseract process was started"))
    for text in ("ОФ-462", "9M22U 4-23", "LOT 12-87-270"):
        result = ocr_image(make_marking(text, size=40).image)
        assert result.text and result.engine["tesseract_run"] == "in-process"
    assert sorted(created) == [("eng+kor+rus", 7), ("rus", 7)]


@needs_tesserocr
def test_a_preloaded_model_is_the_one_the_reading_uses_not_loaded_twice(monkeypatch):
    """`fieldkit ocr` starts loading tesseract before the rest of the reading is imported
    (engine.preload); the reading that asks for the same model while it loads waits for it."""
    monkeypatch.delenv("FIELDKIT_TESSERACT", raising=False)
    inprocess.clear()
    created, release = [], threading.Event()
    real_create = inprocess._create

    def slow_create(*args):
        release.wait(10)  # the reading asks for the model while it is still loading
        created.append(args[:2])
        return real_create(*args)

    asked, real_engine = threading.Event(), inprocess.engine

    def engine_asked(*args):
        asked.set()
        return real_engine(*args)

    monkeypatch.setattr(inprocess, "_create", slow_create)
    monkeypatch.setattr(inprocess, "engine", engine_asked)
    engine.preload()
    reading = threading.Thread(target=lambda: found.append(ocr_image(make_marking("9M22U 4-23", size=40).image,
                                                                     rereads=False)))
    found: list = []
    reading.start()
    assert asked.wait(30)  # the reading wants the model while preload() is still loading it
    release.set()
    reading.join(30)
    assert found and found[0].text
    assert created == [("eng+kor+rus", 7)]


@needs_tesserocr
def test_a_reading_cancelled_while_the_models_load_stops_without_waiting_for_the_load(monkeypatch):
    """The early tesseract reading of a line PP-OCR then reads alone is cancelled while preload()
    may still be loading eng+kor+rus: it stops at once (its temp folder removed) instead of waiting
    for the load, which goes on in its own thread and serves the next reading."""
    monkeypatch.delenv("FIELDKIT_TESSERACT", raising=False)
    inprocess.clear()
    created, release = [], threading.Event()
    real_create = inprocess._create

    def held_create(*args):
        release.wait(10)  # the load is not over until the test says so
        created.append(args[:2])
        return real_create(*args)

    cancel, real_engine = threading.Event(), inprocess.engine

    def engine_then_cancel(*args):
        cancel.set()  # stopped (PP-OCR read the line alone) once it asks for the model
        return real_engine(*args)

    monkeypatch.setattr(inprocess, "_create", held_create)
    monkeypatch.setattr(inprocess, "engine", engine_then_cancel)
    engine.preload()
    try:
        with pytest.raises(OcrCancelled):
            ocr_image(make_marking("9M22U 4-23", size=40).image, cancel=cancel, rereads=False)
        assert created == []  # it did not wait for the load
    finally:
        release.set()
    monkeypatch.setattr(inprocess, "engine", real_engine)
    result = ocr_image(make_marking("9M22U 4-23", size=40).image, rereads=False)
    assert result.text and created == [("eng+kor+rus", 7)]  # the preloaded model, loaded once


@needs_tesserocr
def test_threads_reading_at_once_each_get_their_own_engine_and_the_same_readings(monkeypatch):
    monkeypatch.delenv("FIELDKIT_TESSERACT", raising=False)
    images = [make_marking(text, size=40).image for text in ("ОФ-462", "9M22U 4-23", "ОФ-462", "9M22U 4-23")]
    alone = [everything(ocr_image(image, rereads=False)) for image in images]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda image: everything(ocr_image(image, rereads=False, workers=1)), images))
    assert together == alone


@needs_tesserocr
def test_cancel_stops_an_in_process_reading_before_its_next_image(monkeypatch):
    monkeypatch.delenv("FIELDKIT_TESSERACT", raising=False)
    cancel = threading.Event()
    reads = []
    real_read = inprocess.read

    def read_then_cancel(api, path, timeout):
        reads.append(path)
        cancel.set()
        return real_read(api, path, timeout)

    monkeypatch.setattr(inprocess, "read", read_then_cancel)
    with pytest.raises(OcrCancelled):
        ocr_image(make_marking("ОФ-462", size=30).image, cancel=cancel, workers=1)
    assert len(reads) == 1  # four pipelines' images in the run: the other three were not read


def test_fieldkit_tesseract_process_runs_the_command(monkeypatch):
    monkeypatch.setenv("FIELDKIT_TESSERACT", "process")
    assert inprocess.unavailable_reason() == "FIELDKIT_TESSERACT=process"
    result = ocr_image(make_marking("ОФ-462", size=40).image, rereads=False)
    assert result.engine["tesseract_run"] == "command" and result.text


def test_without_tesserocr_the_command_reads_and_the_reason_says_how_to_install(monkeypatch):
    monkeypatch.delenv("FIELDKIT_TESSERACT", raising=False)
    monkeypatch.setattr(inprocess, "_state", {})
    monkeypatch.setitem(__import__("sys").modules, "tesserocr", None)  # import tesserocr raises ImportError
    reason = inprocess.unavailable_reason()
    assert reason.startswith("tesserocr is not installed") and "--no-binary tesserocr" in reason
    result = ocr_image(make_marking("ОФ-462", size=40).image, rereads=False)
    assert result.engine["tesseract_run"] == "command" and result.text


@needs_tesserocr
def test_a_tesserocr_built_with_another_tesseract_than_the_commands_is_not_used(monkeypatch):
    """PyPI's binary wheel bundles tesseract 5.5.4; its readings differ from the system's."""
    monkeypatch.delenv("FIELDKIT_TESSERACT", raising=False)
    monkeypatch.setattr(inprocess, "_state", {})
    started = []

    def another_version(asked=None):
        started.append(asked)
        if asked is not None:
            asked.communicate()  # the command started beside tesserocr's import is waited for
        return "0.0.1"

    monkeypatch.setattr(inprocess, "_command_version", another_version)
    reason = inprocess.unavailable_reason()
    assert "the tesseract command is 0.0.1" in reason and "readings would differ" in reason
    assert not engine.in_process()
    assert len(started) == 1 and started[0] is not None  # asked once, while tesserocr loaded


@needs_tesserocr
def test_the_library_is_the_commands_version(monkeypatch):
    monkeypatch.delenv("FIELDKIT_TESSERACT", raising=False)
    assert inprocess.unavailable_reason() is None
    assert inprocess.version() == inprocess._command_version()


def test_tsv_columns_are_read_as_pytesseract_reads_them():
    import pytesseract

    tsv = (inprocess.TSV_HEADER + "1\t1\t0\t0\t0\t0\t0\t0\t300\t80\t-1\t\n"
           "5\t1\t1\t1\t1\t1\t12\t9\t80\t40\t91.52\tОФ-462\n"
           "5\t1\t1\t1\t1\t2\t100\t9\t30\t40\t12.0\t")  # the last word's text empty, its tab missing
    assert engine._tsv_columns(tsv) == pytesseract.pytesseract.file_to_dict(tsv, "\t", 11)
    assert engine._tsv_columns(inprocess.TSV_HEADER) == {}
