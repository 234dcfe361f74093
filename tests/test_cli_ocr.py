"""The `fieldkit ocr` contract, with the real tesseract on generated marking images: what it prints,
the --json shape, --save storing both texts with the crop and photo, and one-line errors (exit 2)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytesseract
import pytest
from PIL import Image

from tests.ocr_images import make_marking


@pytest.fixture
def item_with_photo(run, tmp_path):
    """Item EX-1 with one stored photo: "9M22U 4-23" stamped at (300, 250) on an 800×400 photo."""
    assert run("item", "add", "--category", "rocket", "--ref", "EX-1").exit_code == 0
    path = tmp_path / "IMG_0001.png"
    make_marking("9M22U 4-23", "stamped", size=40, canvas=(800, 400), at=(300, 250)).image.save(path)
    assert run("photo", "add", "EX-1", str(path)).exit_code == 0
    return hashlib.sha256(path.read_bytes()).hexdigest()


def image_file(tmp_path, text, name="marking.png", style="stamped"):
    path = tmp_path / name
    make_marking(text, style, size=40).image.save(path)
    return path


def test_ocr_prints_text_confidence_lines_and_engine(run, tmp_path):
    result = run("ocr", str(image_file(tmp_path, "9M22U 4-23")), "--engine", "tesseract")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "text: 9M22U 4-23" in out
    assert re.search(r"^confidence: \d+\.\d$", out, re.M)
    assert re.search(r"^  1\. 9M22U 4-23  \(\d+\.\d\)  words: 9M22U \d+, 4-23 \d+$", out, re.M)
    assert "corrected: " in out
    assert re.search(r"^engine: tesseract [45]\.\S+ · eng\+kor\+rus · psm 7 · pipeline \w+ · crop whole image$", out, re.M)


def test_ocr_with_both_engines_shows_each_reading_and_the_choice(run, tmp_path):
    result = run("ocr", str(image_file(tmp_path, "9M22U 4-23")))
    assert result.exit_code == 0, result.output
    assert "text: 9M22U 4-23" in result.output
    assert re.search(r"^  tesseract \(eng\+kor\+rus, psm 7, pipeline \w+\): '.*'  confidence [\d.]+ -> calibrated [\d.]+$",
                     result.output, re.M)
    assert re.search(r"^  ppocr \(as cropped\): '9M22U 4-23'  confidence [\d.]+ -> calibrated [\d.]+$", result.output, re.M)
    assert re.search(r"^choice: \w+ \(.*\): calibrated confidence [\d.]+", result.output, re.M)


def test_ocr_reads_cyrillic_and_shows_each_correction_with_its_basis(run, tmp_path):
    # Ф and Ж have no Latin twin: the line is Cyrillic, which only tesseract reads
    result = run("ocr", str(image_file(tmp_path, "ОФ-462 ЖК")), "--lang", "eng+rus", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["corrected"] == "ОФ-462 ЖК"
    assert "Cyrillic" in data["engine"]["choice"]
    for c in data["corrections"]:  # whatever tesseract confused, each change says why
        assert set(c) == {"start", "end", "before", "after", "basis"} and c["basis"]
        assert data["text"][c["start"]:c["end"]] == c["before"]


def test_ocr_reads_the_juche_year_in_hangul(run, tmp_path):
    result = run("ocr", str(image_file(tmp_path, "주체112")), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert re.sub(r"\s", "", data["corrected"]) == "주체112"
    assert data["engine"]["languages"] == "eng+kor+rus"


def test_ocr_json_shape(run, tmp_path):
    result = run("ocr", str(image_file(tmp_path, "9M22U 4-23", style="dark_on_light")), "--json", "--psm", "7")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"text", "confidence", "lines", "engine", "candidates", "corrected", "corrections"} <= set(data)
    assert data["text"] == "9M22U 4-23"
    word = data["lines"][0]["words"][0]
    assert set(word) == {"text", "confidence", "box"} and len(word["box"]) == 4
    assert {"version", "languages", "psm", "pipeline", "crop"} <= set(data["engine"])
    assert data["engine"]["psm"] == 7 and data["engine"]["crop"] is None
    assert {"pipeline", "psm", "text", "confidence"} <= set(data["candidates"][0])


def test_ocr_with_a_crop_reads_only_that_box_in_photo_coordinates(run, tmp_path):
    path = tmp_path / "photo.png"
    make_marking("LOT 12-87-270", "dark_on_light", size=40, canvas=(1000, 500), at=(500, 350)).image.save(path)
    result = run("ocr", str(path), "--crop", "460,320,500,120", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["text"] == "LOT 12-87-270"
    assert data["engine"]["crop"] == [460, 320, 500, 120]
    assert all(w["box"][0] >= 460 for w in data["lines"][0]["words"])


def test_ocr_save_stores_a_marking_with_both_texts_the_crop_and_the_photo(run, item_with_photo):
    sha = item_with_photo
    result = run("ocr", "--photo", sha[:10], "--item", "EX-1", "--crop", "280,230,300,80", "--save")
    assert result.exit_code == 0, result.output
    marking_id = result.output.splitlines()[0]
    assert "text: 9M22U 4-23" in result.output and "saved marking" in result.output
    [stored] = json.loads(run("marking", "list", "EX-1", "--json").output)
    assert stored["id"] == marking_id
    assert stored["source"] == "ocr"
    assert stored["ocr_text"] == "9M22U 4-23" and stored["text"] == "9M22U 4-23"
    assert (stored["crop_x"], stored["crop_y"], stored["crop_w"], stored["crop_h"]) == (280, 230, 300, 80)
    assert stored["photo_sha256"] == sha
    assert 0 < stored["confidence"] <= 100
    assert stored["engine"]["crop"] == [280, 230, 300, 80] and stored["engine"]["psm"] == 7
    assert stored["readings"]["candidates"]  # read against the reference tables like any marking


def test_ocr_save_with_the_researchers_text_keeps_the_text_as_read(run, item_with_photo):
    result = run("ocr", "--photo", item_with_photo, "--item", "EX-1", "--crop", "280,230,300,80",
                 "--save", "--text", "9М22У 4-23", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["marking"]["text"] == "9М22У 4-23"
    assert data["marking"]["ocr_text"] == data["text"] == "9M22U 4-23"


def test_missing_tesseract_exits_2_saying_what_to_install(run, tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDKIT_TESSERACT", "process")  # the command's path: tesserocr needs no command
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    result = run("ocr", str(image_file(tmp_path, "ОФ-462")))
    assert result.exit_code == 2
    assert result.output.startswith("error: tesseract is not installed")
    assert "sudo apt-get install tesseract-ocr" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_missing_language_pack_exits_2_naming_the_package(run, tmp_path):
    result = run("ocr", str(image_file(tmp_path, "ОФ-462")), "--lang", "xyz")
    assert result.exit_code == 2
    assert "tesseract-ocr-xyz" in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--crop", "1,2,3"], "is not X,Y,W,H"),
        (["--crop", "0,0,5000,10"], "reaches outside the image"),
        (["--crop", "-1,0,10,10"], "must not be negative"),
    ],
)
def test_bad_crop_is_a_one_line_error(run, tmp_path, args, message):
    result = run("ocr", str(image_file(tmp_path, "ОФ-462")), *args)
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_missing_file_and_non_image_are_one_line_errors(run, tmp_path):
    missing = run("ocr", str(tmp_path / "nope.jpg"))
    assert missing.exit_code == 2 and "no such file" in missing.output
    notes = tmp_path / "notes.jpg"
    notes.write_text("not a photo")
    not_image = run("ocr", str(notes))
    assert not_image.exit_code == 2 and "not a readable image" in not_image.output
    for result in (missing, not_image):
        assert result.output.startswith("error: ") and len(result.output.strip().splitlines()) == 1


def test_usage_errors(run, item_with_photo, tmp_path):
    assert "give either an image FILE (or several) or --photo" in run("ocr").output
    no_item = run("ocr", "--photo", item_with_photo, "--save")
    assert no_item.exit_code == 2 and "--save needs --photo SHA256 and --item REF" in no_item.output
    text_alone = run("ocr", "--photo", item_with_photo, "--text", "x")
    assert text_alone.exit_code == 2 and "--text and --position are for --save" in text_alone.output
    unknown = run("ocr", "--photo", "ffffffffff", "--item", "EX-1", "--save")
    assert unknown.exit_code == 2 and "no photo with SHA-256" in unknown.output


def test_a_photo_of_another_item_is_refused(run, item_with_photo):
    assert run("item", "add", "--category", "rocket", "--ref", "EX-2").exit_code == 0
    result = run("ocr", "--photo", item_with_photo, "--item", "EX-2", "--save")
    assert result.exit_code == 2 and "is not a photo of EX-2" in result.output
    assert json.loads(run("marking", "list", "EX-2", "--json").output) == []


@pytest.mark.parametrize("name, data, message", [
    ("bomb.bmp", "bmp-bomb", "too large|decompression bomb"),
    ("cut.bmp", "bmp-cut", "cannot read the image"),
    ("cut.gif", "gif-cut", "cannot read the image"),
])
def test_bmp_and_gif_input_has_the_same_bomb_and_truncation_guards(run, tmp_path, name, data, message):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buf, "GIF" if name.endswith("gif") else "BMP")
    raw = bytearray(buf.getvalue())
    if data == "bmp-bomb":
        raw[18:22], raw[22:26] = (60000).to_bytes(4, "little"), (60000).to_bytes(4, "little")
    else:
        raw = raw[: len(raw) // 3]
    path = tmp_path / name
    path.write_bytes(bytes(raw))
    result = run("ocr", str(path))
    assert result.exit_code == 2
    assert re.search(message, result.output) and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("ring, message", [
    ("1,2,3", "is not CX,CY,INNER,OUTER"),
    ("100,100,50,20", "0 <= INNER < OUTER"),
    ("nan,1,2,3", "is not CX,CY,INNER,OUTER"),
    ("30,30,10,5000", "radii within the photo"),
])
def test_a_bad_ring_is_a_one_line_error(run, tmp_path, ring, message):
    result = run("ocr", str(image_file(tmp_path, "AUTO")), "--ring", ring)
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_ring_unrolled_past_the_strip_limit_is_refused(run, tmp_path):
    from PIL import Image

    path = tmp_path / "big.png"
    Image.new("L", (6000, 4000), 255).save(path)
    result = run("ocr", str(path), "--ring", "3000,2000,100,5900")
    assert result.exit_code == 2 and "megapixels" in result.output


def test_several_files_are_read_in_one_run_each_under_its_name(run, tmp_path):
    first = image_file(tmp_path, "9M22U 4-23", "first.png")
    second = image_file(tmp_path, "AB 1234", "second.png")
    result = run("ocr", str(first), str(second), "--engine", "tesseract")
    assert result.exit_code == 0, result.output
    headers = re.findall(r"^== (.+) ==$", result.output, re.M)
    assert headers == [f"{first} crop whole image", f"{second} crop whole image"]
    assert "text: 9M22U 4-23" in result.output.split("== ")[1]
    assert "text: AB 1234" in result.output.split("== ")[2]


def test_several_crops_of_one_file_and_one_crop_per_file_as_a_json_list(run, tmp_path):
    photo = tmp_path / "two.png"
    make_marking("9M22U 4-23", "stamped", size=40, canvas=(800, 400), at=(300, 250)).image.save(photo)
    alone = json.loads(run("ocr", str(photo), "--crop", "280,230,320,90", "--json", "--engine", "tesseract").output)
    both = run("ocr", str(photo), "--crop", "280,230,320,90", "--crop", "0,0,200,100", "--json", "--engine", "tesseract")
    assert both.exit_code == 0, both.output
    readings = json.loads(both.output)
    assert [r["file"] for r in readings] == [str(photo)] * 2
    assert [r["engine"]["crop"] for r in readings] == [[280, 230, 320, 90], [0, 0, 200, 100]]
    assert readings[0]["text"] == alone["text"] == "9M22U 4-23"  # read in a batch as when read alone
    paired = json.loads(run("ocr", str(photo), str(photo), "--crop", "280,230,320,90", "--crop", "0,0,200,100",
                            "--json", "--engine", "tesseract").output)
    assert [r["engine"]["crop"] for r in paired] == [[280, 230, 320, 90], [0, 0, 200, 100]]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--crop", "0,0,10,10"], "one --crop for several FILEs"),
        (["--crop", "0,0,10,10", "--crop", "0,0,10,10", "--crop", "0,0,10,10"], "2 FILEs and 3 --crop boxes"),
        (["--ring", "10,10,2,5"], "--ring reads one FILE"),
    ],
)
def test_a_batch_that_does_not_pair_up_is_a_one_line_error(run, tmp_path, extra, message):
    files = [str(image_file(tmp_path, "AB 1234", f"{n}.png")) for n in ("a", "b")]
    result = run("ocr", *files, *extra)
    assert result.exit_code == 2 and result.output.startswith("error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_missing_file_in_a_batch_is_reported_before_anything_is_read(run, tmp_path):
    result = run("ocr", str(image_file(tmp_path, "AB 1234")), str(tmp_path / "nope.jpg"))
    assert result.exit_code == 2
    assert result.output == f"error: {tmp_path / 'nope.jpg'}: no such file\n"


def test_several_crops_of_a_stored_photo_name_the_photo_and_store_nothing(run, item_with_photo, db_path):
    before = db_path.read_bytes()
    result = run("ocr", "--photo", item_with_photo, "--crop", "280,230,320,90", "--crop", "0,0,200,100",
                 "--json", "--engine", "tesseract")
    assert result.exit_code == 0, result.output
    readings = json.loads(result.output)
    assert [r["photo_sha256"] for r in readings] == [item_with_photo] * 2
    assert readings[0]["text"] == "9M22U 4-23"
    assert db_path.read_bytes() == before
    refused = run("ocr", "--photo", item_with_photo, "--item", "EX-1", "--save", "--crop", "0,0,9,9", "--crop", "0,0,8,8")
    assert refused.exit_code == 2 and "--save stores one reading: give one --crop" in refused.output


def test_the_program_answers_in_full_and_exits_0_without_its_tear_down(run, tmp_path):
    """`python -m fieldkit ocr FILE` ends the process as soon as its output is flushed (no
    interpreter tear-down of the engines): the JSON is complete and the exit status 0, the same
    reading as the command group gives in-process; an error still exits 2."""
    path = image_file(tmp_path, "9M22U 4-23")
    crop = "0,0,{},{}".format(*Image.open(path).size)
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root, "FIELDKIT_DB": str(tmp_path / "unused.db")}
    program = ("import atexit, sys; atexit.register(lambda: print('tear-down', file=sys.stderr)); "
               "from fieldkit.cli import run; sys.argv[0] = 'fieldkit'; run()")
    done = subprocess.run([sys.executable, "-c", program, "ocr", str(path), "--crop", crop, "--json"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "tear-down" not in done.stderr
    assert json.loads(done.stdout)["corrected"] == json.loads(run("ocr", str(path), "--crop", crop, "--json").output)["corrected"]
    missing = subprocess.run([sys.executable, "-m", "fieldkit", "ocr", str(tmp_path / "none.png")],
                             capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_the_reading_is_chosen_with_the_reference_tables_named_by_the_reference_option(run, tmp_path, monkeypatch):
    """`fieldkit --reference DIR ocr FILE`: the choice reads the shipped tables plus DIR, not those of
    FIELDKIT_REFERENCE (or none), and only for that command."""
    from fieldkit.locations import shipped_reference_dir, user_reference_dir
    from fieldkit.reference import plain

    named, other = tmp_path / "my-tables", tmp_path / "env-tables"
    named.mkdir(), other.mkdir()
    monkeypatch.setenv("FIELDKIT_REFERENCE", str(other))
    monkeypatch.setattr(plain, "_CACHE", {})  # every table set the command loads is seen here
    result = run("--reference", str(named), "ocr", str(image_file(tmp_path, "9M22U 4-23")))
    assert result.exit_code == 0, result.output
    assert set(plain._CACHE) == {(shipped_reference_dir().resolve(), named.resolve())}
    assert user_reference_dir() == other  # the option ends with the command


def test_a_reference_folder_that_does_not_exist_is_a_one_line_error_for_ocr(run, tmp_path):
    result = run("--reference", str(tmp_path / "typo"), "ocr", str(image_file(tmp_path, "9M22U 4-23")))
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [
        f"error: --reference {tmp_path / 'typo'}: no such folder; give the folder that holds your reference tables"]
