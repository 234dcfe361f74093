"""OCR engine tests with the real tesseract (Debian: tesseract-ocr, -kor, -rus) on images generated
by tests/ocr_images.py (font: fonts-noto-cjk)."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from pathlib import Path

import pytesseract
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageFilter

from fieldkit.errors import FieldkitError, OcrUnavailable, PhotoError, ValidationError
from fieldkit.ocr import engine, preprocess
from fieldkit.ocr.correction import correct, fold_lookalikes
from fieldkit.ocr.engine import (
    OcrCancelled,
    check_available,
    ocr_image,
    open_image,
    parse_crop,
)
from tests.ocr_images import make_marking


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize(
    "text, style, rotation, noise",
    [
        ("9M22U 4-23", "stamped", 2.0, 10.0),
        ("LOT 12-87-270", "dark_on_light", 0.0, 8.0),
    ],
)
def test_reads_latin(text, style, rotation, noise):
    marking = make_marking(text, style, size=40, rotation=rotation, noise=noise)
    result = ocr_image(marking.image)
    assert normalise(result.text) == text
    assert result.confidence > 60


@pytest.mark.parametrize(
    "text, style, rotation, noise",
    [
        ("9М22У 4-23", "stamped", 0.0, 8.0),
        ("ОФ-462", "stamped", 0.0, 0.0),
    ],
)
def test_reads_cyrillic(text, style, rotation, noise):
    marking = make_marking(text, style, size=40, rotation=rotation, noise=noise)
    result = ocr_image(marking.image)
    corrected, _ = correct(result.text)
    if text.startswith("9М22У"):
        # only letters both scripts draw alike (М, У): none decides the script (issue 18), so the
        # Latin writing is as right as the Cyrillic one; the shapes must be read right
        assert fold_lookalikes(normalise(corrected)) == fold_lookalikes(text)
    else:
        assert normalise(corrected) == text


@pytest.mark.parametrize("style, rotation, noise", [("stamped", 2.0, 10.0), ("stencil", 0.0, 8.0)])
def test_reads_hangul_juche_year(style, rotation, noise):
    marking = make_marking("주체112", style, size=40, rotation=rotation, noise=noise)
    result = ocr_image(marking.image)
    corrected, _ = correct(result.text)
    assert corrected == "주체112"  # no space between syllables tesseract's text output joins


def test_hangul_word_spacing_follows_tesseract_text_output():
    # The TSV lists 주, 체 and 112 as three words; tesseract's text output (preserve_interword_spaces)
    # joins what has no space between it, and keeps a real space.
    joined = ocr_image(make_marking("주체112", "dark_on_light", size=40).image)
    spaced = ocr_image(make_marking("주체 111-4", "dark_on_light", size=40).image)
    assert joined.text == "주체112"
    assert [w.text for w in joined.lines[0].words] == ["주체112"]
    assert spaced.text == "주체 111-4"
    (word,) = joined.lines[0].words
    assert word.box == joined.lines[0].box  # the merged word's box covers its parts


def test_glued_words_are_found_in_the_text_output():
    assert engine._glued(["주", "체", "112"], "주체112\n") == [False, True, True]
    assert engine._glued(["주체", "111-4"], "주체 111-4\n") == [False, False]
    assert engine._glued(["LOT", "12"], "LOT  12") == [False, False]
    assert engine._glued(["A", "B"], "X Y") == [False, False]  # not found: keep the spaces


def test_crop_boxes_are_in_photo_coordinates():
    marking = make_marking("LOT 12-87-270", "dark_on_light", size=40, canvas=(1200, 800), at=(700, 500))
    crop = (640, 460, 480, 140)
    result = ocr_image(marking.image, crop=crop)
    assert normalise(result.text) == "LOT 12-87-270"
    assert result.engine["crop"] == list(crop)
    assert result.engine["psm"] == 7  # a crop is read as one line
    (line,) = result.lines
    x, y, w, h = line.box
    tx, ty, tw, th = marking.box
    tolerance = 6
    assert abs(x - tx) <= tolerance and abs(y - ty) <= tolerance
    assert abs((x + w) - (tx + tw)) <= tolerance and abs((y + h) - (ty + th)) <= tolerance
    for word in line.words:
        wx, wy, ww, wh = word.box
        assert crop[0] <= wx and wx + ww <= crop[0] + crop[2]
        assert crop[1] <= wy and wy + wh <= crop[1] + crop[3]
    assert [w.text for w in line.words] == ["LOT", "12-87-270"]
    assert line.words[0].box[0] < line.words[1].box[0]


def test_box_mapping_undoes_rotation_scaling_and_padding():
    t = preprocess.Transform(source_size=(400, 100), angle=3.0, scale=2.0, pad=18)
    # The processed image's centre maps back to the source centre whatever the rotation.
    cx, cy = 18 + 200 * 2.0, 18 + 50 * 2.0
    x, y, w, h = t.to_source((int(cx) - 1, int(cy) - 1, 2, 2))
    assert abs(x + w / 2 - 200) <= 1 and abs(y + h / 2 - 50) <= 1


def test_result_records_its_settings_and_alternatives(tmp_path):
    marking = make_marking("9M22U 4-23", "stamped", size=40)
    path = tmp_path / "marking.png"
    marking.image.save(path)
    done = []
    result = ocr_image(path, languages="eng+rus", progress=lambda d, t: done.append((d, t)))
    engine_settings = result.engine
    assert engine_settings["name"] == "tesseract"
    assert engine_settings["version"].startswith(("4.", "5."))
    assert engine_settings["languages"] == "eng+rus"  # the model that read the chosen text
    assert engine_settings["requested_languages"] == "eng+rus"
    assert engine_settings["pipeline"] in preprocess.PIPELINES
    assert engine_settings["psm"] == 7
    assert engine_settings["oem"] == engine.OEM
    assert engine_settings["crop"] is None
    assert "preserve_interword_spaces=1" in engine_settings["config"]
    # Every pipeline was read by each model: once with the languages asked for, once with rus alone
    # (the script re-read of a single line), and each model read all its images in one run.
    tried = {(c.pipeline, c.psm, c.languages) for c in result.candidates}
    tried.add((engine_settings["pipeline"], engine_settings["psm"], engine_settings["languages"]))
    assert tried == {(p, 7, langs) for p in engine.DEFAULT_PIPELINES for langs in ("eng+rus", "rus")}
    runs = engine_settings["runs"]
    assert [(r["languages"], r["psm"], r["pipelines"]) for r in runs] == [
        ("eng+rus", 7, engine.DEFAULT_PIPELINES),
        ("rus", 7, engine.DEFAULT_PIPELINES),
    ]
    assert sorted(done) == [(1, 2), (2, 2)]  # progress counts tesseract runs
    data = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert data["text"] == result.text
    assert data["lines"][0]["words"][0]["box"] == list(result.lines[0].words[0].box)
    assert {"pipeline", "psm", "text", "confidence", "seconds"} <= set(data["candidates"][0])


def test_the_quick_reading_stands_for_its_pipeline_in_the_full_reading(monkeypatch):
    """The full set of pipelines after the quick one-pipeline reading (fieldkit.ocr.reading) does not
    read the quick pipeline's image again: the result is the one reading everything gives, with
    one image fewer read; a quick reading of another crop is not used."""
    marking = make_marking("ОФ-462 ЖК", "stamped", size=40, canvas=(700, 200), at=(60, 60))
    crop = (20, 20, 620, 140)
    quick = ocr_image(marking.image, crop=crop, pipelines=[engine.DEFAULT_PIPELINES[0]], rereads=False)
    read = []
    real_run = engine._run
    monkeypatch.setattr(engine, "_run", lambda paths, langs, psm, cancel=None: read.append((langs, len(paths))) or real_run(paths, langs, psm, cancel))
    full = ocr_image(marking.image, crop=crop)
    everything_read = sorted(read)
    read.clear()
    reused = ocr_image(marking.image, crop=crop, known=quick)
    assert sorted(read) == [("eng+kor+rus", len(engine.DEFAULT_PIPELINES) - 1), ("rus", len(engine.DEFAULT_PIPELINES))]
    assert everything_read == [("eng+kor+rus", len(engine.DEFAULT_PIPELINES)), ("rus", len(engine.DEFAULT_PIPELINES))]
    assert reused.engine["runs"][0]["reused"] == [engine.DEFAULT_PIPELINES[0]]

    def shown(result):
        lines = [(l.text, l.confidence, l.box, [(w.text, w.confidence, w.box) for w in l.words]) for l in result.lines]
        others = [(c.pipeline, c.psm, c.languages, c.text, c.confidence, c.in_choice) for c in result.candidates]
        return result.text, result.confidence, lines, others, result.engine["pipeline"], result.engine["choice"]

    assert shown(reused) == shown(full)
    read.clear()
    ocr_image(marking.image, crop=(20, 20, 600, 140), known=quick)  # another crop: everything is read
    assert sorted(read) == everything_read


def test_explicit_psm_and_pipelines_are_used():
    marking = make_marking("LOT 12-87-270", "dark_on_light", size=40)
    result = ocr_image(marking.image, psm=6, pipelines=["gray"])
    assert (result.engine["pipeline"], result.engine["psm"]) == ("gray", 6)
    assert result.candidates == []
    with pytest.raises(ValidationError, match="unknown preprocessing pipeline"):
        ocr_image(marking.image, pipelines=["sharpen"])


def test_missing_tesseract_names_what_to_install(monkeypatch):
    monkeypatch.setenv("FIELDKIT_TESSERACT", "process")  # the command's path: tesserocr needs no command
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    with pytest.raises(OcrUnavailable) as info:
        check_available()
    message = str(info.value)
    assert "sudo apt-get install tesseract-ocr" in message and "\n" not in message
    with pytest.raises(OcrUnavailable):
        ocr_image(Image.new("RGB", (10, 10), "white"))


def test_missing_language_names_its_package():
    with pytest.raises(OcrUnavailable) as info:
        check_available("eng+xyz")
    message = str(info.value)
    assert "xyz" in message and "tesseract-ocr-xyz" in message and "\n" not in message
    assert isinstance(info.value, FieldkitError)


def test_check_available_returns_version():
    assert re.match(r"\d+\.\d+", check_available("eng+kor+rus"))


@pytest.mark.parametrize(
    "text, size, expected",
    [
        ("1,2,3", None, "not X,Y,W,H"),
        ("a,b,c,d", None, "not X,Y,W,H"),
        ("1.5,2,3,4", None, "not X,Y,W,H"),
        ("", None, "not X,Y,W,H"),
        ("-1,0,10,10", None, "must not be negative"),
        ("0,0,0,5", None, "must be positive"),
        ("100,100,50,50", (120, 300), "outside the image, which is 120x300"),
    ],
)
def test_parse_crop_rejects(text, size, expected):
    with pytest.raises(ValidationError, match=expected) as info:
        parse_crop(text, size)
    assert "\n" not in str(info.value)


def test_parse_crop_accepts():
    assert parse_crop("10, 20,30 ,40") == (10, 20, 30, 40)
    assert parse_crop("0,0,120,300", (120, 300)) == (0, 0, 120, 300)


def test_crop_outside_image_is_refused():
    with pytest.raises(ValidationError, match="outside the image"):
        ocr_image(Image.new("RGB", (100, 100), "white"), crop=(50, 50, 100, 10))


def test_not_an_image_is_a_photo_error(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("not a photo")
    with pytest.raises(PhotoError, match="not a readable image"):
        ocr_image(path)
    with pytest.raises(PhotoError, match="no such file"):
        open_image(tmp_path / "missing.png")


def test_disallowed_format_is_a_photo_error(tmp_path):
    path = tmp_path / "marking.pcx"
    Image.new("RGB", (20, 20), "white").save(path, format="PCX")
    with pytest.raises(PhotoError):
        open_image(path)


@pytest.mark.parametrize("pixels", [1600, 4900])  # over the limit (a warning in Pillow), over twice it
def test_decompression_bomb_is_a_photo_error(tmp_path, monkeypatch, pixels):
    side = int(pixels**0.5)
    path = tmp_path / "bomb.png"
    Image.new("L", (side, side), 255).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(PhotoError, match="too large"):
        open_image(path)


def test_truncated_image_is_a_photo_error(tmp_path):
    path = tmp_path / "cut.png"
    make_marking("ОФ-462", size=30).image.save(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(PhotoError):
        open_image(path)


def test_cancel_before_start_runs_nothing(monkeypatch):
    monkeypatch.setenv("FIELDKIT_TESSERACT", "process")
    calls = []
    monkeypatch.setattr(engine, "_tesseract", lambda *a, **k: calls.append(1))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(OcrCancelled):
        ocr_image(make_marking("ОФ-462", size=30).image, cancel=cancel)
    assert calls == []


def test_a_latin_looking_line_is_read_as_cyrillic_when_rus_alone_sees_cyrillic_letters():
    # The multi-language models read Б as B ("BK-6M": letters Latin and Cyrillic share); rus alone
    # reads Б, a letter only Cyrillic has, so the line is taken as Cyrillic, with the basis.
    result = ocr_image(make_marking("БК-6М 1-19", "stamped", size=40).image)
    assert fold_lookalikes(result.text) == fold_lookalikes("БК-6М 1-19")
    assert result.engine["languages"] == "rus"
    assert "rus alone read" in result.engine["choice"] and "Б" in result.engine["choice"]
    # Readings the script rule ruled out are kept as alternatives, but did not compete.
    assert any(not c.in_choice and c.languages == "eng+kor+rus" for c in result.candidates)


def cand(text, conf, langs):
    """A reading as the engine records it, for choose()."""
    return engine.OcrCandidate("flattened", 7, text, conf, 0.1, None, langs)


def test_choice_by_script_letters():
    # Latin letters only Latin has: the multi-language readings compete, rus alone does not.
    readings = [cand("LOT 77", 80, "eng+kor+rus"), cand("ЛОТ 77", 90, "rus")]
    assert engine.choose(readings, "eng+kor+rus")[:2] == (0, None)
    # Cyrillic letters in the multi-language readings: the rus readings compete.
    readings = [cand("ОФ-462", 90, "eng+kor+rus"), cand("ОФ-462", 80, "rus"), cand("0Ф-462", 85, "rus")]
    best, basis, competed = engine.choose(readings, "eng+kor+rus")
    assert (best, competed) == (2, {1, 2}) and "Ф" in basis
    # Only shared letters and digits, and rus alone finds nothing only Cyrillic has: no change.
    readings = [cand("BATCH 0417", 80, "eng+kor+rus"), cand("ВАТСН 0417", 90, "rus")]
    assert engine.choose(readings, "eng+kor+rus")[:2] == (0, None)
    # Without a re-read model (languages without rus), the most confident reading wins.
    readings = [cand("A", 10, "eng"), cand("", 99, "eng"), cand("B", 20, "eng")]
    assert engine.choose(readings, "eng")[0] == 2


def test_cancel_between_combinations():
    cancel = threading.Event()
    seen = []

    def progress(done, total):
        seen.append(done)
        cancel.set()

    with pytest.raises(OcrCancelled):
        ocr_image(
            make_marking("ОФ-462", size=30).image,
            pipelines=["gray", "denoised", "flattened"],
            cancel=cancel,
            progress=progress,
            workers=1,
        )
    assert seen == [1]  # the first tesseract run (eng+kor+rus) finished; the rus re-read never started


@given(
    st.integers(1, 40),
    st.integers(1, 30),
    st.sampled_from([1, 3, 5, 9, 31]),
    st.randoms(use_true_random=False),
)
def test_max_filter_equals_pillows(width, height, size, rng):
    image = Image.frombytes("L", (width, height), bytes(rng.randrange(256) for _ in range(width * height)))
    assert preprocess.max_filter(image, size).tobytes() == image.filter(ImageFilter.MaxFilter(size)).tobytes()


def test_prepare_many_equals_each_pipeline_alone():
    image = make_marking("ЗАВОД 270 83", "brushed", size=32, noise=8.0, seed=3).image
    names = list(preprocess.PIPELINES)
    for (processed, transform), name in zip(preprocess.prepare_many(image, names), names):
        alone, alone_transform = preprocess.prepare(image, name)
        assert processed.tobytes() == alone.tobytes() and transform == alone_transform, name


FAKE_TESSERACT = """#!/bin/sh
case "$1" in
  --version) echo "tesseract 5.3.0" ;;
  --list-langs) printf 'List of available languages (3):\\neng\\nkor\\nrus\\n' ;;
  *) echo $$ >> "$0.pids"; exec sleep 60 ;;
esac
"""


def test_cancel_stops_a_running_tesseract_at_once(tmp_path, monkeypatch):
    """A reading that takes a minute (a fake tesseract that sleeps) stops within moments of cancel,
    and its tesseract processes are gone."""
    import os

    fake = tmp_path / "tesseract"
    fake.write_text(FAKE_TESSERACT)
    fake.chmod(0o755)
    monkeypatch.setenv("FIELDKIT_TESSERACT", "process")
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(fake))
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(OcrCancelled):
        ocr_image(make_marking("ОФ-462", size=30).image, cancel=cancel)
    assert time.monotonic() - started < 30  # not the 60 s the fake tesseract sleeps
    pids = [int(p) for p in (tmp_path / "tesseract.pids").read_text().split()]
    assert pids
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_crop_too_wide_for_tesseract_is_scaled_to_fit_and_read(tmp_path):
    """Tesseract refuses images over 32,767 px on a side; a long thin strip is not enlarged past that."""
    image = Image.new("L", (9000, 3), 255)
    # One language: tesseract's size limit is the same for every language, and each one more
    # reads the 30,000 px strips again (eng+kor+rus took 4 times as long).
    result = ocr_image(image, crop=(0, 0, 9000, 3), languages="eng")
    assert all(run["error"] is None for run in result.engine["runs"])


def test_an_empty_re_read_never_replaces_a_reading():
    readings = [cand("БК-6М", 80, "eng+kor+rus"), cand("", 0, "rus")]
    assert engine.choose(readings, "eng+kor+rus")[:2] == (0, None)
    # A garbage reading with no confidence does not decide the script, nor does a tie.
    readings = [cand("LOT 77", 85, "eng+kor+rus"), cand("вмз:", 0, "eng+kor+rus"), cand("ЛОТ 77", 90, "rus")]
    assert engine.choose(readings, "eng+kor+rus")[:2] == (0, None)
    readings = [cand("Ф R", 80, "eng+kor+rus"), cand("ФР", 90, "rus")]
    assert engine.choose(readings, "eng+kor+rus")[:2] == (0, None)


def test_a_failed_choice_leaves_no_tesseract_process_or_temp_folder_behind(monkeypatch, tmp_path):
    """A line PP-OCR reads surely needs no tesseract: the tesseract reading started early beside it is
    stopped. When the choice then fails, that stopped run (a tesseract process and its temp folder, in
    the separate-process mode) is still waited for before the error reaches the caller."""
    import tempfile

    from fieldkit.ocr import reading
    from fieldkit.ocr.ppocr import LineReading
    from tests.ocr_images import crop_box

    monkeypatch.setenv("FIELDKIT_TESSERACT", "process")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where ocr_image makes its folder
    monkeypatch.setattr(reading.ppocr, "unavailable_reason", lambda: None)
    monkeypatch.setattr(reading.ppocr, "warm", lambda: None)
    monkeypatch.setattr(reading, "_load_tables", lambda: None)

    def sure_latin_once_tesseract_runs(image):
        deadline = time.monotonic() + 30
        while not _tesseract_children() and time.monotonic() < deadline:  # the early run is under way
            time.sleep(0.005)
        return [LineReading("ATMEGA328P", 0.9995, "as cropped")]

    monkeypatch.setattr(reading.ppocr, "read_line", sure_latin_once_tesseract_runs)

    def failing_choice(readings):
        raise RuntimeError("the choice failed")

    monkeypatch.setattr(reading, "choose", failing_choice)
    marking = make_marking("ATMEGA328P", "dark_on_light", size=40)
    with pytest.raises(RuntimeError, match="the choice failed"):
        reading.read(marking.image, crop=crop_box(marking))
    assert list(tmp_path.iterdir()) == []  # the early run's folder was removed ...
    assert _tesseract_children() == []  # ... and its tesseract process ended


def _tesseract_children() -> list[int]:
    """The tesseract processes this process started and has not yet reaped (Linux /proc)."""
    children = [int(pid) for task in Path(f"/proc/{os.getpid()}/task").iterdir()
                for pid in (task / "children").read_text().split()]
    found = []
    for pid in children:
        try:
            if b"tesseract" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:  # ended meanwhile
            pass
    return found
