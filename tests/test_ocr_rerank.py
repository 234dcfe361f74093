"""Re-ranking OCR readings: a reading the reference tables recognise beats a slightly more confident one."""

from __future__ import annotations

from fieldkit.ocr.engine import OcrCandidate, OcrResult
from fieldkit.ocr.rerank import preferred, rank


def result(text: str, confidence: float, *others: tuple[str, float]) -> OcrResult:
    candidates = [OcrCandidate("flattened", 7, text, confidence, 0.1)]
    candidates += [OcrCandidate("denoised", 7, t, c, 0.1) for t, c in others]
    engine = {"name": "tesseract", "pipeline": "flattened", "psm": 7}
    return OcrResult(text=text, confidence=confidence, lines=[], engine=engine, candidates=candidates)


def test_a_reading_the_tables_recognise_is_preferred_with_its_basis():
    chosen, why = preferred(result("9MZZU", 70, ("9M22U", 65)))
    assert chosen == "9M22U"
    assert "su-grad-9m22u-designation" in why and "'9MZZU'" in why and "matches no reference pattern" in why


def test_the_most_confident_reading_stays_when_the_tables_know_neither():
    assert preferred(result("QQQQ", 70, ("WWWW", 65))) == ("QQQQ", None)


def test_a_much_more_confident_reading_is_not_overruled_by_a_weak_match():
    chosen, why = preferred(result("ZZZZ ZZZZ ZZZZ", 95, ("9M22U", 30)))
    assert (chosen, why) == ("ZZZZ ZZZZ ZZZZ", None)


def test_every_distinct_reading_is_ranked_once():
    ranked = rank(result("9M22U", 60, ("9M22U", 55), ("", 90), ("9MZZU", 50)))
    assert [r.text for r in ranked] == ["9M22U", "9MZZU"]
