"""PP-OCR, the second engine (fieldkit.ocr.ppocr), run for real on generated images: offline,
orientation, tilted lines, whole-photo detection, rings, BMP and GIF input, and what is said when
it is missing. No timing is asserted."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from fieldkit.cli import main
from fieldkit.markings.normalize import fold
from fieldkit.ocr import photos, ppocr, preprocess
from tests.ocr_images import font, make_marking

pytestmark = pytest.mark.skipif(not ppocr.available(), reason=f"PP-OCR not installed: {ppocr.unavailable_reason()}")


def key(text: str) -> str:
    return "".join(fold(text).split())


def line_image(text: str, size: int = 40) -> Image.Image:
    return make_marking(text, "dark_on_light", size=size, margin=size // 2).image.convert("RGB")


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_reads_a_line_without_touching_the_network(no_network):
    ppocr._engine = None  # load the models afresh under the guard
    readings = ppocr.read_line(line_image("LOT 12-87-270"))
    assert key(readings[0].text) == key("LOT 12-87-270")
    assert 0.0 <= readings[0].confidence <= 1.0


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_line_turned_by_a_right_angle_is_read(degrees):
    turned = line_image("AC19AP26102").rotate(degrees, expand=True)
    best = ppocr.read_line(turned)[0]
    assert key(best.text) == key("AC19AP26102")
    assert best.how in {f"turned {t}°" for t in (90, 180, 270)}


@pytest.mark.parametrize("angle", [30, -40])
def test_a_line_tilted_in_its_crop_is_found_straightened_and_read(angle):
    tilted = line_image("STINGER 4417", size=48).rotate(angle, expand=True, fillcolor="white")
    readings = ppocr.read_line(tilted)
    assert any(key(r.text) == key("STINGER 4417") for r in readings[:3]), readings[:3]
    assert any("detected line" in r.how for r in readings)


def test_whole_photo_lines_are_detected_and_read_with_boxes_in_photo_pixels():
    photo = Image.new("RGB", (6000, 4000), (205, 200, 190))  # a 24-megapixel camera frame
    draw = ImageDraw.Draw(photo)
    placed = {"KN23 LOT 0417": (900, 700), "A2C53112154": (3400, 2900)}
    for text, at in placed.items():
        draw.text(at, text, fill=(20, 20, 20), font=font(160))
    reading = photos.read(photo, engine="ppocr")
    assert reading.result.engine["detection"]["found"] >= 2
    found = {key(line.text): line.box for line in reading.result.lines}
    for text, (x, y) in placed.items():
        assert key(text) in found, found
        bx, by, bw, bh = found[key(text)]
        assert bx <= x + 40 and by <= y + 80 and bx + bw >= x + 400 and by + bh >= y + 100


def test_a_ring_unrolls_into_a_strip_clockwise_from_its_start():
    image = Image.new("L", (400, 400), 255)
    draw = ImageDraw.Draw(image)
    draw.ellipse((200 + 150 - 8, 200 - 8, 200 + 150 + 8, 200 + 8), fill=0)  # a dot at 3 o'clock, radius 150
    strip = preprocess.unroll_ring(image, (200, 200), 120, 180, start=0)
    assert strip.size == (round(3.14159265 * 300), 60)
    dark = [x for x in range(strip.width) if strip.crop((x, 0, x + 1, strip.height)).getextrema()[0] < 128]
    assert dark and (min(dark) < 20 or max(dark) > strip.width - 20)  # at the cut
    turned = preprocess.unroll_ring(image, (200, 200), 120, 180, start=-90)  # from 12 o'clock: the dot is a quarter in
    dark = [x for x in range(turned.width) if turned.crop((x, 0, x + 1, turned.height)).getextrema()[0] < 128]
    assert abs(sum(dark) / len(dark) - turned.width / 4) < 15


def test_text_around_a_ring_is_read_from_the_unrolled_strip(tmp_path):
    strip = line_image("FEDERAL 45", size=40)
    # bend the strip into a ring: the inverse of unroll_ring, built by sampling
    w, h = strip.size
    import math

    inner = w / (2 * math.pi) * 1.6
    outer = inner + h
    size = int(2 * outer + 20)
    ring = Image.new("RGB", (size, size), "white")
    c = size / 2
    px, src = ring.load(), strip.load()
    for y in range(size):
        for x in range(size):
            r = math.hypot(x - c, y - c)
            if inner <= r < outer:
                a = (math.degrees(math.atan2(y - c, x - c)) - 90) % 360
                sx = int(a / 360 * w)
                sy = int(outer - r)
                if 0 <= sx < w and 0 <= sy < h:
                    px[x, y] = src[sx, sy]
    path = tmp_path / "headstamp.png"
    ring.save(path)
    result = CliRunner().invoke(main, ["ocr", str(path), "--ring", f"{c},{c},{inner:.0f},{outer:.0f}", "--engine", "ppocr", "--json"])
    assert result.exit_code == 0, result.output
    assert key("FEDERAL45") in key(json.loads(result.output)["text"])


@pytest.mark.parametrize("fmt, suffix", [("BMP", "bmp"), ("GIF", "gif")])
def test_bmp_and_gif_files_are_read(tmp_path, fmt, suffix):
    path = tmp_path / f"marking.{suffix}"
    line_image("ATMEGA328P").save(path, format=fmt)
    result = CliRunner().invoke(main, ["ocr", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert key(json.loads(result.output)["corrected"]) == key("ATMEGA328P")


def test_ocr_json_lists_each_engines_reading():
    reading = photos.read(line_image("A2C53112154"), crop=None, psm=7)
    data = reading.to_json()
    engines = {r["engine"]: r for r in data["engines"]}
    assert set(engines) >= {"tesseract", "ppocr"}
    for r in engines.values():
        assert {"text", "confidence", "calibrated", "detail", "notes"} <= set(r)
    assert data["engine"]["choice"]


def test_without_ppocr_tesseract_reads_alone_and_says_what_is_lost(monkeypatch, tmp_path):
    monkeypatch.setattr(ppocr, "unavailable_reason", lambda: "rapidocr is not installed (pip install rapidocr)")
    path = tmp_path / "m.png"
    line_image("LOT 12-87-270").save(path)
    result = CliRunner().invoke(main, ["ocr", str(path)])
    assert result.exit_code == 0, result.output
    assert "engine: tesseract" in result.output
    assert "note: PP-OCR not used: rapidocr is not installed" in result.output
    assert "Latin text and digits on real photos are read far less often" in result.output
    asked = CliRunner().invoke(main, ["ocr", str(path), "--engine", "ppocr"])
    assert asked.exit_code == 2 and asked.output.startswith("error: PP-OCR is not available")


def test_a_line_ppocr_reads_as_cjk_is_also_read_by_tesseracts_hangul_script_model():
    from fieldkit.ocr import reading

    if not reading.hangul_script_installed():
        pytest.skip("tesseract's Hangul script model is not installed (tesseract-ocr-script-hang)")
    result = photos.read(line_image("고객상담 전화 : 053"))
    assert key(result.corrected) == key("고객상담 전화 : 053")
    hangul = [c for c in result.result.candidates if c.languages == "Hangul"]
    # the crop as it is and in gray; shown as tried, outside tesseract's own choice
    assert sorted(c.pipeline for c in hangul) == ["gray", "raw"] and not any(c.in_choice for c in hangul)
    assert "hangul_script" not in result.result.engine


def test_without_the_hangul_script_model_a_hangul_line_is_read_and_says_what_is_lost(monkeypatch, tmp_path):
    from fieldkit.ocr import reading

    monkeypatch.setattr(reading, "hangul_script_installed", lambda: False)
    path = tmp_path / "plate.png"
    line_image("고객상담 전화 : 053").save(path)
    result = CliRunner().invoke(main, ["ocr", str(path)])
    assert result.exit_code == 0, result.output
    assert "고객상담 전화 : 053" in result.output  # read by eng+kor+rus as before
    assert "note: tesseract's Hangul script model is not installed (sudo apt-get install tesseract-ocr-script-hang)" in result.output
    assert "Hangul raw" not in result.output and "Hangul gray" not in result.output


def test_engine_tesseract_does_not_load_ppocr(monkeypatch, tmp_path):
    monkeypatch.setattr(ppocr, "engine", lambda: pytest.fail("PP-OCR was used"))
    path = tmp_path / "m.png"
    line_image("LOT 12-87-270").save(path)
    result = CliRunner().invoke(main, ["ocr", str(path), "--engine", "tesseract", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["engine"]["name"] == "tesseract"


def test_engine_tesseract_says_what_is_lost(tmp_path):
    """Issue 18: running with `--engine tesseract` works and says what it gives up, as a missing
    rapidocr does, in the text output and in the JSON."""
    path = tmp_path / "m.png"
    line_image("LOT 12-87-270").save(path)
    text = CliRunner().invoke(main, ["ocr", str(path), "--engine", "tesseract"])
    assert text.exit_code == 0, text.output
    assert "note: PP-OCR not used: not asked for (--engine tesseract); without PP-OCR" in text.output
    as_json = json.loads(CliRunner().invoke(main, ["ocr", str(path), "--engine", "tesseract", "--json"]).output)
    assert as_json["engine"]["ppocr"]["available"] is False
    assert as_json["engine"]["ppocr"]["missing"].startswith("not asked for (--engine tesseract)")


def test_reading_a_file_starts_one_tesseract_run_and_loads_no_app_nor_catalog(tmp_path):
    """Issue 17.7: `fieldkit ocr FILE` on a line PP-OCR reads surely starts at most one tesseract
    process that loads models (besides `tesseract --version`; none when tesseract runs in-process), and imports neither the app, the catalog,
    nor rapidocr's own pipeline (its models are run directly)."""
    path = tmp_path / "line.png"
    line_image("A2C53112154").save(path)
    code = f"""
import subprocess, sys
runs = []
original = subprocess.Popen.__init__
def counting(self, args, *a, **k):
    if "tesseract" in str(args[0]) and "--version" not in args:
        runs.append(args)
    original(self, args, *a, **k)
subprocess.Popen.__init__ = counting
from fieldkit.ocr.reading import read
reading = read({str(path)!r})
assert reading.result.text == "A2C53112154", reading.result.text
from fieldkit.ocr.engine import in_process
assert len(runs) == (0 if in_process() else 1), runs  # tesseract in this process starts none
loaded = [m for m in sys.modules if m.startswith(("textual", "fieldkit.catalog", "fieldkit.tui", "rapidocr", "sqlite_utils"))]
assert not loaded, loaded
"""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_line_ppocr_reads_surely_as_latin_needs_no_tesseract(monkeypatch, tmp_path):
    """Issue 18 (time per line): such a line is read by PP-OCR alone, and says why; with tesseract
    missing it is still read. A look-alike-only line (KP580BM80A could be КР580ВМ80А) is not."""
    import pytesseract

    monkeypatch.setenv("FIELDKIT_TESSERACT", "process")  # the command's path: tesserocr needs no command
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    reading = photos.read(line_image("LOT 12-87-270"))
    assert key(reading.result.text) == key("LOT 12-87-270")
    assert reading.result.engine["name"] == "ppocr"
    assert "tesseract not run" in reading.result.engine["choice"] and "letters only Latin has" in reading.result.engine["choice"]
    assert [r.engine for r in reading.readings] == ["ppocr"]
    from fieldkit.errors import OcrUnavailable

    with pytest.raises(OcrUnavailable, match="tesseract is not installed"):
        photos.read(line_image("KP580BM80A"))


class RecordedPp:
    """A stand-in for the PP-OCR engine that gives recorded outputs: the crop's reading for an image
    of the crop's size, the detected line's for any other, each once (the other way up reads
    nothing); ``detect`` gives the lines it is told to."""

    def __init__(self, crop_size, crop_reading, line_reading, lines=()):
        self.crop_size = crop_size
        self.left = {"crop": [crop_reading], "line": [line_reading]}
        self.lines = list(lines)
        self.detected = 0

    def recognise(self, images):
        queue = self.left["crop" if images[0].size == self.crop_size else "line"]
        return [queue.pop(0) if queue else ("", 0.0)]

    def detect(self, image, side=ppocr.DET_SIDE):
        self.detected += 1
        return self.lines


ONE_LINE = [ppocr.Line(((10.0, 8.0), (130.0, 10.0), (130.0, 34.0), (10.0, 32.0)), 0.9)]


@pytest.mark.parametrize(
    "crop_reading, line_reading, first",
    [
        # recorded on the real tuning photos, crops turned 3° and padded: the line the detector cut
        # out reads right, and PP-OCR is clearly surer of it
        (("306479187", 0.9788), ("30647918", 0.9970), "30647918"),
        (("0591459508", 0.9505), ("059145950B", 0.9990), "059145950B"),
        # a crop of half the resolution: the detected line is misread, and hardly surer; the crop stays
        (("07.06.06/12:34", 0.9500), ("37.06.06/12:34", 0.9590), "07.06.06/12:34"),
    ],
)
def test_a_crop_read_without_sureness_is_checked_against_the_one_line_detected_in_it(crop_reading, line_reading, first):
    crop = Image.new("RGB", (140, 42), "white")
    pp = RecordedPp(crop.size, crop_reading, line_reading, ONE_LINE)
    readings = ppocr.read_line(crop, pp)
    assert readings[0].text == first
    assert {r.text for r in readings if r.text} == {crop_reading[0], line_reading[0]}


def test_the_same_characters_on_the_detected_line_keep_the_crops_spaces_with_the_surer_confidence():
    # synthetic tuning seed 2025: PP-OCR read the straightened line's gap too narrow
    crop = Image.new("RGB", (140, 42), "white")
    pp = RecordedPp(crop.size, ("BATCH 0417", 0.9532), ("BATCH0417", 0.9999), ONE_LINE)
    top = ppocr.read_line(crop, pp)[0]
    assert (top.text, top.confidence, top.how) == ("BATCH 0417", 0.9999, "as cropped")


def test_a_crop_with_several_lines_or_with_hangul_stand_ins_keeps_its_reading():
    crop = Image.new("RGB", (140, 42), "white")
    two = ONE_LINE + [ppocr.Line(((10.0, 30.0), (130.0, 30.0), (130.0, 40.0), (10.0, 40.0)), 0.9)]
    pp = RecordedPp(crop.size, ("20AU 0723", 0.961), ("20AU 0723 ATTIEGASZOI", 0.99), two)
    readings = ppocr.read_line(crop, pp)
    assert [r.text for r in readings if r.text] == ["20AU 0723"] and pp.detected == 1
    # a KEPCO nameplate line: PP-OCR wrote its Hangul as CJK; the detector is not asked
    pp = RecordedPp(crop.size, ("正异344220/380V 100(10)A 60Hz", 0.9335), ("34 4 220/380V 100(10)A 60Hz", 0.9391), ONE_LINE)
    assert ppocr.read_line(crop, pp)[0].text.startswith("正异") and pp.detected == 0


def test_a_hangul_script_model_that_goes_missing_mid_run_is_a_note_and_the_line_is_still_read(monkeypatch, tmp_path):
    """The Hangul script model was there when the reading began and is gone when its run starts (the
    package removed meanwhile): its extra reading is left out with one line saying so; the line is
    read as without the model, not lost to the error."""
    from fieldkit.errors import OcrUnavailable
    from fieldkit.ocr import reading

    gone = ("tesseract language data missing for Hangul: install it with "
            "`sudo apt-get install tesseract-ocr-Hangul` (installed: eng, kor, rus)")
    real = reading.ocr_image

    def model_removed(image, *, languages, **kwargs):
        if languages == reading.HANGUL_SCRIPT:
            raise OcrUnavailable(gone)
        return real(image, languages=languages, **kwargs)

    monkeypatch.setattr(reading, "hangul_script_installed", lambda: True)
    monkeypatch.setattr(reading, "ocr_image", model_removed)
    path = tmp_path / "plate.png"
    line_image("고객상담 전화 : 053").save(path)
    result = CliRunner().invoke(main, ["ocr", str(path)])
    assert result.exit_code == 0, result.output
    assert "고객상담 전화 : 053" in result.output  # read by eng+kor+rus, as without the model
    assert f"note: tesseract's Hangul script model could not be used: {gone}" in result.output
    assert "Hangul raw" not in result.output and "Hangul gray" not in result.output


def test_a_sure_latin_reading_far_narrower_than_its_crop_left_part_of_the_line_out():
    """PP-OCR read only the value of a nameplate line (synthetic nameplate, tuning seed 11: 계기정수
    BB-3216 read as BB-3216 at 0.996); on a crop of the value alone the same reading fills the crop."""
    from fieldkit.ocr.ppocr import LineReading
    from fieldkit.ocr.reading import _leaves_part_out

    read = [LineReading("BB-3216", 0.9964, "as cropped")]
    whole = make_marking("계기정수 BB-3216", "dark_on_light", size=24, margin=10, font_name="nanum-gothic")
    value = make_marking("BB-3216", "dark_on_light", size=24, margin=10, font_name="nanum-gothic")
    assert _leaves_part_out(whole.image, read)
    assert not _leaves_part_out(value.image, read)
    # an unsure reading, or one with CJK stand-ins, says nothing of the kind
    assert not _leaves_part_out(whole.image, [LineReading("BB-3216", 0.9, "as cropped")])
    assert not _leaves_part_out(whole.image, [LineReading("卫耳 BB-3216", 0.99, "as cropped")])


def test_hangul_words_read_where_ppocr_read_no_cjk_are_voted_on_by_the_hangul_model_and_kor(monkeypatch):
    """PP-OCR read a nameplate's value and no CJK; tesseract's eng+kor+rus read Hangul words beside
    it: the Hangul script model and kor on gray images read the line after the main run, and their
    readings are shown as tried, outside tesseract's own choice (engine outputs recorded, not run)."""
    from fieldkit.ocr import reading
    from fieldkit.ocr.engine import OcrCandidate, OcrResult

    asked = []

    def recorded(image, *, languages, pipelines=None, **kwargs):
        asked.append((languages, tuple(pipelines or ())))
        texts = {"Hangul": "제조국 60(10)A", "kor": "제조국 60(10)A"}
        text = texts.get(languages, "제조국 6O(10)A")
        pipeline = (pipelines or ["flattened_small"])[0]
        return OcrResult(text, 80.0, [], {"languages": languages, "psm": 7, "pipeline": pipeline},
                         [OcrCandidate(p, 7, text, 78.0, 0.1, None, languages) for p in (pipelines or [])[1:]])

    monkeypatch.setattr(reading, "ocr_image", recorded)
    monkeypatch.setattr(reading, "hangul_script_installed", lambda: True)
    monkeypatch.setattr(ppocr, "read_line", lambda region: [ppocr.LineReading("60(10)A", 0.95, "as cropped")])
    result = reading.read(Image.new("RGB", (240, 40), "white"))
    assert ("Hangul", tuple(reading.HANGUL_PIPELINES)) in asked and ("kor", tuple(reading.KOR_VOTE_PIPELINES)) in asked
    assert result.corrected == "제조국 60(10)A"
    tried = {(c.languages, c.pipeline) for c in result.result.candidates if not c.in_choice}
    assert {("Hangul", "raw"), ("kor", "gray")} <= tried


def test_a_stencils_bridges_are_closed_for_a_second_reading_when_the_first_is_unsure():
    # synthetic tuning seed 2024, line 4: a stencilled M430A1 LOT 77, its 1 cut by the stencil's
    # bridge; PP-OCR read the crop as M430AX LOT 77 (0.92) and the crop with its strokes closed right
    from tests.ocr_images import crop_box, make_set

    marking = make_set(80, 2024)[4]
    assert marking.text == "M430A1 LOT 77" and marking.style == "stencil"
    x, y, w, h = crop_box(marking)
    crop = marking.image.crop((x, y, x + w, y + h))
    best = ppocr.read_line(crop)[0]
    assert best.text == "M430A1 LOT 77" and best.how.endswith("strokes closed")
    assert ppocr.engine().recognise([crop])[0][0] != marking.text  # the crop as it is was misread


def test_a_crop_read_surely_as_it_is_is_not_read_again_cleaned():
    readings = ppocr.read_line(line_image("LOT 12-87-270"))
    assert readings[0].confidence >= ppocr.SURE_WAY_UP
    assert not any(r.how.endswith(("strokes closed", "contrast stretched")) for r in readings)


@pytest.mark.parametrize("text, kwargs, right", [
    ("КР580ВМ80А 7612", dict(size=24, margin=24, rotation=-2.0, noise=16.0, blur=1.0, seed=473734349,
                             font_name="dejavu-mono", jpeg=None, downscale=1.5), "KP580BM80A 7612"),
    ("К555ИЕ10 8501", dict(size=20, margin=20, rotation=3.0, noise=8.0, blur=0.6, seed=966033786,
                           font_name="dejavu-mono", jpeg=50, downscale=1.0), "K555ME10 8501"),
])
def test_the_crop_read_the_same_closed_is_no_surer_against_the_line_the_detector_finds(text, kwargs, right):
    # bench/ocr_soviet_chips.py tuning seed 1, lines 18 and 31: the crop is misread (KP5808M80A,
    # K555WE10, 0.94-0.96) and read the same with its strokes closed (same image, same model: no new
    # evidence); the line the detector finds is read right and surer than the crop (0.966-0.987)
    from tests.ocr_images import crop_box

    marking = make_marking(text, "etched", **kwargs)
    x, y, w, h = crop_box(marking)
    crop = marking.image.crop((x, y, x + w, y + h))
    assert ppocr.read_line(crop)[0].text == right
