"""Tests of the pure OCR post-correction rules (fieldkit.ocr.correction)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.ocr.correction import correct, fold_lookalikes


def corrected(text: str, **kwargs) -> str:
    return correct(text, **kwargs)[0]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("주제112", "주체112"),
        ("주채112", "주체112"),
        ("추체112", "주체112"),
        ("주 체 112", "주체 112"),
        ("추체 111-4", "주체 111-4"),
        ("주제86", "주체86"),
        ("LOT 주제113 2", "LOT 주체113 2"),
    ],
)
def test_juche_prefix_misreadings(raw, expected):
    text, corrections = correct(raw)
    assert text == expected
    (c,) = corrections
    assert c.after == "주체" and c.basis.startswith("juche-prefix")
    assert raw[c.start : c.end] == c.before


@pytest.mark.parametrize(
    "raw",
    [
        "주체112",  # already right
        "주제 토론",  # "topic": no year follows
        "주제1",  # one digit is not a Juche year
        "주제2023",  # four digits: not a Juche year
        "민주제112",  # part of a longer word
    ],
)
def test_juche_prefix_left_alone(raw):
    assert correct(raw) == (raw, [])


def test_latin_lookalike_in_cyrillic_token_is_folded():
    raw = "9M22У 4-23"  # Latin M, Cyrillic У
    text, corrections = correct(raw)
    assert text == "9М22У 4-23"
    assert "M" not in text
    (c,) = corrections
    assert (c.start, c.end, c.before, c.after) == (1, 2, "M", "М")
    assert c.basis.startswith("script-consistency")


def test_cyrillic_lookalike_in_latin_token_is_folded():
    raw = "LОT 12"  # Cyrillic О between Latin letters
    assert corrected(raw) == "LOT 12"


def test_token_with_hyphen_keeps_one_script():
    assert corrected("БК-6M") == "БК-6М"
    assert corrected("ОФ-462") == "ОФ-462"


@pytest.mark.parametrize(
    "raw",
    [
        "9M22U 4-23",  # all Latin
        "9М22У 4-23",  # all Cyrillic
        "9M22Y",  # all Latin, even if the marking was Cyrillic: nothing to go on
        "MО",  # a tie between lookalikes: nothing is changed
        "ПАРТИЯ M430",  # scripts differ between tokens, not within one
    ],
)
def test_script_consistency_leaves_single_script_tokens(raw):
    assert correct(raw) == (raw, [])


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12-87-27O", "12-87-270"),
        ("LOT 12-87-27O", "LOT 12-87-270"),
        ("1O1", "101"),
        ("4S1", "451"),
        ("2B3", "283"),
        ("19l2", "1912"),
        ("0I7", "017"),
        ("12О", "120"),  # Cyrillic О
    ],
)
def test_digit_confusion_inside_numbers(raw, expected):
    text, corrections = correct(raw)
    assert text == expected
    assert all(c.basis.startswith("digit-confusion") for c in corrections)


@pytest.mark.parametrize("raw", ["LOT", "B1", "SOS", "M430A1", "O1", "BOSS 12", "1OO"])
def test_digit_confusion_needs_a_number(raw):
    assert corrected(raw) == raw


def test_digit_fix_wins_over_script_fold():
    # "12O" is a number with a Latin O; the Cyrillic Ф does not make that O a Cyrillic О.
    assert corrected("Ф-12O") == "Ф-120"


def test_known_terms_are_preferred():
    text, corrections = correct("9M22У 4-23", known_terms=["9М22У"])
    assert text == "9М22У 4-23"
    (c,) = corrections
    assert c.basis.startswith("known-term")
    # Lookalikes and case are seen through, other letters are not.
    assert corrected("om-462", known_terms=["ОФ-462", "OM-462"]) == "OM-462"
    assert corrected("9M22U", known_terms=["9М22У"]) == "9M22U"
    assert fold_lookalikes("9М22У") == "9M22Y"


def test_several_rules_keep_raw_spans():
    raw = "주제112 LОT 12-87-27O 9M22У"
    text, corrections = correct(raw)
    assert text == "주체112 LOT 12-87-270 9М22У"
    assert [c.basis.split(":")[0] for c in corrections] == [
        "juche-prefix",
        "script-consistency",
        "digit-confusion",
        "script-consistency",
    ]
    for c in corrections:
        assert raw[c.start : c.end] == c.before


ALPHABET = "0123456789 -OoIlSBMАВЗОСУФКMHPTXYaeoc주추체제채 \n"


@given(st.text(alphabet=ALPHABET, max_size=30))
def test_corrections_describe_the_change(raw):
    text, corrections = correct(raw)
    rebuilt, pos = [], 0
    for c in corrections:
        assert c.start >= pos, "corrections are sorted and do not overlap"
        assert raw[c.start : c.end] == c.before
        assert c.before != c.after and c.basis
        rebuilt += [raw[pos : c.start], c.after]
        pos = c.end
    rebuilt.append(raw[pos:])
    assert "".join(rebuilt) == text


@given(st.text(alphabet=ALPHABET, max_size=30))
def test_correction_is_idempotent(raw):
    once = corrected(raw)
    assert corrected(once) == once


@given(st.text(alphabet=ALPHABET, max_size=30))
def test_correction_changes_no_length_except_juche_spaces(raw):
    text, corrections = correct(raw)
    assert all(len(c.after) == len(c.before) or c.basis.startswith("juche-prefix") for c in corrections)
    assert text.count("\n") == raw.count("\n")
