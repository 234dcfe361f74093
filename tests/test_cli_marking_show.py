"""`fieldkit marking show ID [--json]` shows, for a marking read from a photo, which OCR engine's reading
was kept and why (the basis of the choice), each engine's reading with its calibrated confidence and
the corrections, as stored with the marking when it was saved; a typed marking has none of it."""

from __future__ import annotations

import hashlib
import json

import pytest

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.markings import add_marking
from tests.ocr_images import make_marking


@pytest.fixture
def saved_by_ocr(run, tmp_path):
    """A marking of EX-1 read by OCR (both engines where PP-OCR is installed) from a crop of a stored photo."""
    assert run("item", "add", "--category", "rocket", "--ref", "EX-1").exit_code == 0
    path = tmp_path / "IMG_0001.png"
    make_marking("9M22U 4-23", "stamped", size=40, canvas=(800, 400), at=(300, 250)).image.save(path)
    assert run("photo", "add", "EX-1", str(path)).exit_code == 0
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    read = run("ocr", "--photo", sha[:10], "--item", "EX-1", "--crop", "280,230,300,80", "--save", "--json")
    assert read.exit_code == 0, read.output
    return json.loads(read.output)


def test_show_prints_which_engines_reading_was_kept_and_why(run, saved_by_ocr):
    [stored] = json.loads(run("marking", "list", "EX-1", "--json").output)
    assert stored["id"] == saved_by_ocr["marking"]["id"]
    shown = run("marking", "show", stored["id"][:8])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    engine = stored["engine"]
    assert f"OCR choice: {engine['name']}'s reading kept" in lines
    assert f"  basis: {engine['choice']}" in lines
    assert "calibrated confidence" in engine["choice"]
    for reading in engine["engines"]:  # every engine's reading, with its calibrated confidence
        assert any(line.startswith(f"  {reading['engine']} ({reading['detail']}): {reading['text']!r}")
                   and line.endswith(f"-> calibrated {reading['calibrated']:.2f}") for line in lines)
    assert "patterns:" in shown.output  # the readings against the reference tables follow


def test_show_json_has_the_choice_its_basis_and_each_engines_reading(run, saved_by_ocr):
    [stored] = json.loads(run("marking", "list", "EX-1", "--json").output)
    shown = run("marking", "show", stored["id"], "--json")
    assert shown.exit_code == 0, shown.output
    choice = json.loads(shown.output)["ocr_choice"]
    assert choice["engine"] == stored["engine"]["name"] and choice["basis"] == stored["engine"]["choice"]
    assert choice["readings"] and all(0 <= r["calibrated"] <= 1 for r in choice["readings"])
    assert {r["engine"] for r in choice["readings"]} >= {"tesseract"}
    assert choice["corrections"] == [{"before": c["before"], "after": c["after"], "basis": c["basis"]}
                                     for c in stored["engine"]["corrections"]]


def test_a_typed_marking_has_no_ocr_choice_and_an_older_one_shows_its_basis(run, db_path):
    catalog = open_catalog(db_path, actor="t")
    items.add_item(catalog, {"ref": "EX-2", "category": "rocket"})
    typed = add_marking(catalog, "EX-2", "9М22У")
    # saved before the engines' readings were kept with the marking: the basis alone
    older = add_marking(catalog, "EX-2", "4-23", source="ocr", ocr_text="4-23",
                        engine={"name": "tesseract", "choice": "best mean confidence of 3 pipelines"})
    catalog.close()
    out = run("marking", "show", typed["id"])
    assert out.exit_code == 0 and "OCR choice" not in out.output
    assert json.loads(run("marking", "show", typed["id"], "--json").output)["ocr_choice"] is None
    out = run("marking", "show", older["id"]).output.splitlines()
    assert out[out.index("OCR choice: tesseract's reading kept") + 1] == "  basis: best mean confidence of 3 pipelines"


def test_stored_engine_settings_of_another_shape_are_shown_not_a_traceback(run, db_path):
    """engine_json may come from a bundle merged from another fieldkit: odd values are shown as they are."""
    catalog = open_catalog(db_path, actor="t")
    items.add_item(catalog, {"ref": "EX-3", "category": "rocket"})
    odd = add_marking(catalog, "EX-3", "4-23", source="ocr", ocr_text="4-23", engine={
        "name": "ppocr", "choice": "ppocr\u202e: sure", "corrections": "none",
        "engines": [{"engine": "tesseract", "detail": "x", "text": "4-23", "confidence": "high", "calibrated": None,
                     "notes": "one note"}, "not a reading"]})
    catalog.close()
    shown = run("marking", "show", odd["id"])
    assert shown.exit_code == 0, shown.output
    assert "  basis: ppocr\\u202e: sure" in shown.output.splitlines()  # a bidi control shown as an escape
    assert "  tesseract (x): '4-23'  confidence high" in shown.output.splitlines()
    assert json.loads(run("marking", "show", odd["id"], "--json").output)["ocr_choice"]["corrections"] == []
