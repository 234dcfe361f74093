"""Tests of the pure OCR post-correction rules (fieldkit.ocr.correction)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fieldkit.ocr.correction import EDGE_MARKS, correct, fold_lookalikes


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


ALPHABET = "0123456789 -OoIlSBMАВЗОСУФКMHPTXYaeoc주추체제채 \n=¥“.`'|/()[]⊕"


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
@example("00|")  # a bar was once read as the digit 1, adding a character
@example("0|0")
def test_only_edge_marks_and_juche_spaces_change_length(raw):
    text, corrections = correct(raw)
    for c in corrections:
        if c.basis.startswith("edge-mark"):
            # Only marks (and the spaces among them) are deleted, and only at a line's start or end.
            assert c.after == "" and set(c.before) <= set(EDGE_MARKS + " \t") and c.before.strip()
            line_start = raw.rfind("\n", 0, c.start) + 1
            line_end = raw.find("\n", c.end) if "\n" in raw[c.end :] else len(raw)
            assert raw[line_start : c.start].strip() == "" or raw[c.end : line_end].strip() == ""
        else:
            assert len(c.after) == len(c.before) or c.basis.startswith("juche-prefix")
    assert text.count("\n") == raw.count("\n")
    # No letter or digit is ever deleted or added ("¥" read as Y counts as a letter).
    assert sum(ch.isalnum() or ch == "¥" for ch in text) == sum(ch.isalnum() or ch == "¥" for ch in raw)


@given(st.text(alphabet="0123456789 -ABCDLMOTUКМОФБ", max_size=30))
def test_text_without_marks_or_confusions_is_unchanged(raw):
    # Text of whole words of letters and whole numbers, with no 0 among letters: nothing applies.
    words = raw.split()
    if all(w.isdigit() or (w.isalpha() and len({"latin" if c < "\u0400" else "cyr" for c in w}) == 1) for w in words):
        assert correct(raw) == (raw, [])


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("“LOT 12-87-270-", "LOT 12-87-270"),
        ("`БК-6М 1-19.", "БК-6М 1-19"),
        ("~BATCH 0417", "BATCH 0417"),
        ("주체112-", "주체112"),
        ("- - LOT 77", "LOT 77"),
        ("LOT 12\n“9M22U.", "LOT 12\n9M22U"),
    ],
)
def test_marks_at_a_lines_edges_are_dropped(raw, expected):
    text, corrections = correct(raw)
    assert text == expected
    assert corrections and all(c.basis.startswith("edge-mark") and c.after == "" for c in corrections)


@pytest.mark.parametrize(
    "raw",
    [
        "주체112(2023)",  # a closing bracket is part of a reference format
        "JUCHE 96 (2007)",
        "/66\\",  # the Chinese arsenal triangle mark
        "LC 05 ⊕",  # the NATO cross
        "12-87-270",  # hyphens inside are kept
        "--",  # a line of marks only is not a mark at the edge of a marking
    ],
)
def test_brackets_symbols_and_inner_marks_are_kept(raw):
    assert correct(raw) == (raw, [])


@pytest.mark.parametrize(
    "raw, expected, basis",
    [
        ("0Ф-462", "ОФ-462", "letter-confusion"),  # Cyrillic О beside Ф
        ("L0T 77", "LOT 77", "letter-confusion"),  # Latin O beside L, T
        ("KH=179 06-21", "KH-179 06-21", "dash-confusion"),
        ("9M22¥ 4-23", "9M22Y 4-23", "symbol-lookalike"),
        ("БК¥", "БКУ", "script-consistency"),  # read as Y, then folded like any Y in a Cyrillic token
    ],
)
def test_lookalike_symbols_and_digits_in_words(raw, expected, basis):
    text, corrections = correct(raw)
    assert text == expected
    assert [c.basis.split(":")[0] for c in corrections] == [basis]


@pytest.mark.parametrize("raw", ["00-462", "M430A1", "STM32F405", "1 = 2", "¥ 100", "100 ¥ 5", "정격전류 5.0kg", "2,0mm"])
def test_lookalike_rules_need_their_context(raw):
    # 0 among other digits, 0 beside letters in a run with other digits, "=" not between two
    # letters or digits, "¥" standing alone, the decimal 0 of a number before its unit (a rating
    # plate's 5.0kg, which this rule made 5.Okg on a synthetic nameplate): nothing is changed.
    assert correct(raw) == (raw, [])


def test_a_reader_sure_of_its_letters_keeps_a_letter_among_digits():
    # 059145950B: a stamped part number on a real photo (tuning split), its index letter last;
    # PP-OCR read it at 0.9985 and the digit rule made the B an 8
    assert correct("059145950B")[0] == "0591459508"
    corrected, corrections = correct("059145950B", sure_letters=True)
    assert corrected == "059145950B" and corrections == []
    # the other rules still apply
    assert correct("“LOT 12-87-270-", sure_letters=True)[0] == "LOT 12-87-270"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("(주]니엠파워", "(주)니엠파워"),  # as tesseract read a real KEPCO meter nameplate (tuning split)
        ("[주]디엠파워", "(주)디엠파워"),  # the same nameplate, the crop padded
        ("( 주 ] 디 엠 파 워", "( 주 ) 디 엠 파 워"),  # raw tesseract's spacing: only the brackets change
        ("[주)", "(주)"),
    ],
)
def test_the_korean_company_mark_read_with_square_brackets_is_written_round(raw, expected):
    text, corrections = correct(raw)
    assert text == expected
    assert [c.basis.split(":")[0] for c in corrections] == ["company-mark"]


@pytest.mark.parametrize("raw", ["(주)디엠파워", "[12]", "(주체]", "[LOT]"])
def test_other_brackets_are_left_as_read(raw):
    assert correct(raw) == (raw, [])
