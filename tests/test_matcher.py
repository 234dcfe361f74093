"""The marking matcher: ranked readings that see through lookalikes and OCR confusions, and say so."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.markings.matcher import match_marking, read_marking, required_literal
from fieldkit.markings.normalize import normalize
from fieldkit.reference.tables import load_reference

TABLES = load_reference(None)
TODAY = date(2025, 6, 1)


def top(text):
    return match_marking(text, TABLES, today=TODAY)[0]


def test_cyrillic_and_latin_9m22u_give_the_same_top_match():
    cyrillic, latin = top("9М22У 4-23"), top("9M22U 4-23")
    assert cyrillic.pattern_id == latin.pattern_id == "su-grad-9m22u-designation"
    assert cyrillic.fields == latin.fields == {"designation": "9M22Y"}
    assert cyrillic.matched == "9М22У"  # offsets point into the text as read
    assert latin.corrections == ["Latin U read as Cyrillic У (Y)"]


def test_a_bare_112_has_both_readings_and_the_year_is_converted():
    candidates = match_marking("112", TABLES, today=TODAY)
    ids = [c.pattern_id for c in candidates]
    assert ids[:2] == ["dprk-juche-year-bare", "dprk-plant-112"]
    juche = candidates[0]
    assert juche.years[0]["gregorian_start"] == "2023-01-01"
    assert juche.years[0]["label"] == "Juche 112 = 2023"
    plant = candidates[1]
    assert plant.factories[0]["code"] == "112" and "February 11" in plant.factories[0]["factory"]


def test_an_ocr_confusion_is_seen_through_and_scores_lower():
    exact = top("112")
    misread = top("1I2")
    assert misread.pattern_id == exact.pattern_id
    assert misread.fields == {"year": "112"}
    assert misread.normalised and misread.corrections == ["I read as 1 (OCR confusion)"]
    assert misread.score < exact.score
    assert "OCR confusion" in misread.basis


def test_a_normalised_match_says_so_and_scores_lower_than_the_exact_one():
    exact = top("X-101")  # Latin X, as the pattern is written
    folded = top("Х-101")  # Cyrillic Х
    assert exact.pattern_id == folded.pattern_id == "ru-kh101-designation"
    assert not exact.normalised and folded.normalised
    assert folded.score < exact.score


def test_two_digit_years_give_the_plausible_centuries_with_basis():
    lot = top("XYZ07D006-004")
    assert [y["gregorian_start"][:4] for y in lot.years] == ["2007", "1907"]
    assert "both possible" in lot.years[0]["basis"]
    soviet = top("539 67")
    assert soviet.pattern_id == "su-headstamp-539-tula"
    assert [y["label"] for y in soviet.years] == ["1967"]
    assert soviet.factories[0]["factory"].startswith("Tula")
    future = top("LC 99")
    assert [y["label"] for y in future.years] == ["1999"]  # 2099 is in the future


def test_read_marking_adds_year_readings_and_the_reference_version():
    reading = read_marking("9М22У 4-23", TABLES, today=TODAY)
    assert reading.reference_version == TABLES.version
    assert reading.normalised == "9M22Y 4-23"
    assert any(y["year"] == 2023 for y in reading.years)
    data = reading.to_json()
    assert data["candidates"][0]["pattern_id"] == "su-grad-9m22u-designation"


def test_normalize_keeps_a_map_back_to_the_text_as_read():
    n = normalize("  9м22у\t\t4—23 ")
    assert n.text == "9M22Y 4-23"
    assert n.original_text(0, 5) == "9м22у"
    assert n.original_text(6, 10) == "4—23"


def test_required_literals_are_found_for_the_prefilter():
    assert required_literal(r"\bJUCHE\s?(?P<year>\d{1,3})\b") == "JUCHE"
    assert required_literal(r"\b(?P<designation>9M723(?:-1)?)\b") == "9M723"
    assert required_literal(r"\b(?P<designation>KN-?2[34]|HWASONG-?11[A-Z]?)\b") == ""


def test_the_prefilter_finds_the_same_matches_as_trying_every_pattern():
    samples = ["9М22У 4-23", "112", "LC 80", "XYZ07D006-004", "M214 Герань-2", "311/90", "주체112(2023)",
               "SHAHED-136", "7.62 X 54R", "DODIC E075", "/66\\", "五六式", "JUCHE 96 (2007)"]
    for text in samples:
        norm = normalize(text).text
        expected = {p.id for p in TABLES.patterns if p.compiled().search(norm)}
        found = {c.pattern_id for c in match_marking(text, TABLES, today=TODAY) if not c.corrections}
        assert found == expected, text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_the_matcher_never_raises_on_arbitrary_text(text):
    reading = read_marking(text, TABLES, today=TODAY)
    for c in reading.candidates:
        assert 0 <= c.start <= c.end <= len(text)
        assert 0 < c.score <= 1.05
