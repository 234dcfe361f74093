"""The marking matcher: ranked readings that see through lookalikes and OCR confusions, and say so."""

from __future__ import annotations

import random
import string
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fieldkit.markings.matcher import (
    KEY_LEN, Matcher, _Reading, match_marking, read_marking, required_literal, required_literals, tells_apart,
)
from fieldkit.markings.normalize import normalize, ocr_variants
from fieldkit.reference.tables import PatternRow, ReferenceTables, load_reference

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


def soviet_ic(text):
    return [c for c in match_marking(text, TABLES, today=TODAY) if c.pattern_id == "su-ic-designation"]


def test_a_typed_latin_lot_code_is_not_offered_as_a_soviet_ic_type_number():
    # the pattern's shape (series, two letters of the function-code list, digits) fits Latin lot and
    # date codes; with no Cyrillic letter and no К prefix nothing says "Soviet chip"
    for text in ("2148AA1", "C2045TB01", "1824TP1", "H1533TM2", "lot 3321KT7"):
        assert soviet_ic(text) == [], text
    # typed next to a Cyrillic type number, a Latin word is still the researcher's Latin
    assert [c.matched for c in soviet_ic("КР580ВМ80А 2148AA1")] == ["КР580ВМ80А"]


def test_a_soviet_ic_type_number_typed_in_latin_is_offered_by_its_k_prefix_and_says_so():
    # a researcher with a Latin keyboard types К1533ТМ2 as K1533TM2: the К prefix makes it a type
    # number, as on the OCR path (fieldkit.ocr.designation), read as Cyrillic and scored as folded
    latin, cyrillic = soviet_ic("K1533TM2")[0], soviet_ic("К1533ТМ2")[0]
    assert latin.fields == cyrillic.fields and latin.fields["interfix"] == "TM"
    assert latin.normalised and latin.score == cyrillic.score
    assert latin.corrections == ["Latin letters read as Cyrillic К1533ТМ2 (the commercial prefix K as К)"]
    # the basis says why this Latin word is offered, and what would not be, without seeming to say
    # that it was not offered
    assert ("offered as a Soviet IC type number only because it starts with K, taken as the commercial prefix К:"
            " K1533TM2 has no Cyrillic letter, and a Latin word of this shape without that prefix is not offered"
            " (Latin lot and date codes such as 2148AA1 and C2045TB01 have the same shape)") in latin.basis
    assert "not offered" not in cyrillic.basis
    assert soviet_ic("KP580BM80A")[0].corrections == ["Latin letters read as Cyrillic КР580ВМ80А (the commercial prefix K as К)"]
    # a word with a Cyrillic letter needs no prefix and no such correction
    for text in ("К155ЛА3", "1533ТМ2", "KР580BM80A"):  # the last: Cyrillic Р among Latin letters
        [found] = soviet_ic(text)
        assert not any("Latin letters read as Cyrillic" in c for c in found.corrections), text


def test_a_latin_word_with_the_type_numbers_shape_that_is_not_offered_is_named_with_the_reason():
    """`fieldkit match` (and the app) says which word was left out and why, instead of a bare
    "none match" that leaves a researcher wondering whether the pattern was tried."""
    from fieldkit.markings.matcher import match_lines, matcher_for, read_marking, withheld_lines

    assert matcher_for(TABLES).withheld("lot 2148AA1 K1533TM2 К155ЛА3") == ["2148AA1"]
    assert matcher_for(TABLES).withheld("9M22U 12-87") == []
    [line] = withheld_lines("2148AA1", TABLES)
    assert line == ("not offered: 2148AA1 has the shape of a Soviet IC type number (su-ic-designation) but is not"
                    " offered as one: it has no Cyrillic letter and does not start with the commercial prefix К,"
                    " and Latin lot and date codes such as 2148AA1 and C2045TB01 have the same shape. If it is a"
                    " type number, type its Cyrillic letters (К155ЛА3, КР580ВМ80А) or its К prefix")
    lines = match_lines("2148AA1", read_marking("2148AA1", TABLES).to_json(), [line])
    assert lines[1:3] == ["patterns: none match", line]


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


# --- the fast path finds exactly what trying every pattern on every reading finds ---------------

def _with_extra_patterns(shipped, extra):
    rows = list(shipped.patterns)
    for i, regex in enumerate(extra):
        rows.append(PatternRow.model_construct(
            id=f"extra-{i:03d}", regex=regex, year_calendar="", country="", producer="", category="test",
            description="extra", example_positive="", example_negative="", source="test", confidence_notes="Low",
        ))
    return ReferenceTables(
        rows={"patterns": rows, "factory_codes": shipped.factory_codes, "manufacturers": shipped.manufacturers},
        overridden={}, added={}, files=[], version="test", origin={},
    )


# Patterns that exercise every shortcut's edge: U or Y in literals, classes and lookarounds (which
# must still be tried on transliterated readings), back-references and case-insensitive flags
# (which the U/Y analysis must give up on), no literal at all; and enough literal prefixes built
# from OCR-prone letters that the prefilter uses its key index instead of testing each literal.
_AWKWARD = [
    r"\bJUCHE-?U(?P<year>\d{2})\b", r"\b[XY]\d{2}\b", r"[^U]Z\d", r"\b(?P<a>[A-Z])(?P=a)\d{2}",
    r"(?i)\bkn(?P<serial>\d{2})", r"(?<=Y)\d{3}", r"(?>M\d+)-U", r"9.2", r"\bU?Y\d", r"(?P<x>U)?(?(x)Y|S)\d",
    r"\b\w{2}[0-9]{2}\b", r"[A-TV-Z]{2}\d", r"(?i:juche)\d", r"(?:UY|\bK[XY]|Q)-?\d\d", r"[UY×]\d{2}",
]
_rng = random.Random(7)
_PREFIXES = sorted({"".join(_rng.choice("UYOILSBZ01258MK") for _ in range(_rng.randint(1, 4))) for _ in range(120)})
EXTENDED = _with_extra_patterns(TABLES, _AWKWARD + [rf"\b{p}-?(?P<serial>\d{{2,4}})\b" for p in _PREFIXES])
MATCHERS = {"shipped": Matcher(TABLES), "extended": Matcher(EXTENDED)}


def reference_match(matcher, text, today):
    """No shortcuts: every pattern on every reading (the normalised text, U as Y, their OCR variants)."""
    norm = normalize(text)
    readings = [(norm.text, ())]
    if "U" in norm.text:
        changes = tuple((i, "U", "Y") for i, ch in enumerate(norm.text) if ch == "U")
        readings.append((norm.text.replace("U", "Y"), changes))
    for reading_text, changes in list(readings):
        readings += [(v.text, changes + v.changes) for v in ocr_variants(reading_text)]
    found = {}
    for reading_text, changes in readings:
        for compiled in matcher.patterns:
            for m in compiled.regex.finditer(reading_text):
                key = (compiled.row.id, m.start(), m.end())
                if m.end() > m.start() and key not in found:
                    candidate = matcher._candidate(compiled, m, norm, _Reading(reading_text, changes), today)
                    if candidate is not None:
                        found[key] = candidate
    return sorted(found.values(), key=lambda c: (-c.score, c.start, matcher.order[c.pattern_id]))


_EXAMPLES = [p.example_positive for p in TABLES.patterns] + [p.example_negative for p in TABLES.patterns]
_SLIPS = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "Y": "U", "O": "0", "I": "1"})
_EXAMPLES += [e.translate(_SLIPS) for e in _EXAMPLES] + ["9М22У 4-23", "9M22U 4-23", "1I2", "LC 8O", "JUCHE U12"]
_ALPHABET = string.digits + "ODQILSBZUYMKXCEHJNW" + "МУХОІКуо" + " -/.()\\⊕×—" + "주체년式五六"
MARKING_TEXT = st.one_of(
    st.text(alphabet=_ALPHABET, max_size=24),
    st.tuples(st.text(alphabet=_ALPHABET, max_size=6), st.sampled_from(_EXAMPLES),
              st.text(alphabet=_ALPHABET, max_size=6)).map("".join),
    st.text(max_size=30),
)


def test_literal_alternatives_index_patterns_without_one_required_literal():
    assert required_literals(r"\b(?P<designation>KN-?2[34]|HWASONG-?11[A-Z]?)\b") == ("HWASONG", "KN")
    assert required_literals(r"\d{2}\s?(?:⊕|\(\+\))") == ("(+)", "⊕")
    assert required_literals(r"\b[A-Z]\d{3}\b") == ()
    assert required_literals(r"(?:AB|\d)C?") == ()  # one alternative has no literal
    assert required_literals(r"(?i:juche)\d") == () and required_literal(r"(?i:juche)\d") == ""


def test_both_prefilter_indexes_are_exercised():
    assert MATCHERS["shipped"].key_len == 1  # few literals: keyed by first character
    assert MATCHERS["extended"].key_len == KEY_LEN  # many: keyed by their first KEY_LEN characters


def test_the_u_y_analysis_knows_which_patterns_treat_them_alike():
    assert not tells_apart(r"\b(?P<m>[A-Z]{2})\s?\d{2}\b", "U", "Y")
    assert not tells_apart(r"\b\w+-[A-HJ-M]\d", "U", "Y")
    assert tells_apart(r"\bJUCHE\d", "U", "Y")
    assert tells_apart(r"[A-TV-Z]", "U", "Y")
    assert tells_apart(r"[^U]\d", "U", "Y")
    assert tells_apart(r"(?<=Y)\d", "U", "Y")
    assert tells_apart(r"(?P<a>[A-Z])(?P=a)", "U", "Y")  # back-reference: gives up
    assert tells_apart(r"(?i)a", "U", "Y")  # case-insensitive: gives up
    assert tells_apart(r"\d", "O", "0") and not tells_apart(r"[A-Z0-9]", "O", "0")


@pytest.mark.parametrize("name", sorted(MATCHERS))
@pytest.mark.parametrize("text", ["9M22U 4-23", "9М22У 4-2З", "JUCHE-U12", "JUCHE-UI2", "UU1I2", "U5 Y5I",
                                  "M2-U", "1I2 U", "LC 8O", "YU12 UY12"])
def test_the_fast_path_equals_trying_every_pattern_on_known_strings(name, text):
    matcher = MATCHERS[name]
    assert [c.to_json() for c in matcher.match(text, TODAY)] == \
        [c.to_json() for c in reference_match(matcher, text, TODAY)]


@settings(max_examples=400, deadline=None)
@given(MARKING_TEXT)
@example("9M22U 4-2I")
def test_the_fast_path_equals_trying_every_pattern_on_every_reading(text):
    for matcher in MATCHERS.values():
        assert [c.to_json() for c in matcher.match(text, TODAY)] == \
            [c.to_json() for c in reference_match(matcher, text, TODAY)], text
