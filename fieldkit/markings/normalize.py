"""Normalising the text of a marking for pattern matching, keeping a map back to the text as read.

The regexes in reference/marking_patterns.csv assume normalised text (reference/README.patterns.md):
upper case; Cyrillic and Greek letters that look like Latin ones folded to Latin (М→M, У→Y, Χ→X...);
every dash variant as '-'; each run of whitespace as one space. `normalize()` does exactly that and
records, for every character of the result, where it came from in the original, so a match can
always be shown in the text as read. The original is never changed.

OCR confuses some digits and letters (0/O, 1/I/l, 5/S, 8/B, 2/Z). `ocr_variants()` gives the other
ways the normalised text could have been meant: letters read in place of digits inside numbers, and
digits read in place of letters inside words. Each variant has the same length as the normalised
text, so the same map back applies, and each says which substitutions it made.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Cyrillic and Greek capitals that look like Latin ones (after upper-casing).
LOOKALIKES = {
    # Cyrillic
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "O",
    "Р": "P", "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043"



_FULL_WIDTH = range(0xFF01, 0xFF5F)  # ！ .. ～: the full-width forms of ASCII ! .. ~, 0xFEE0 above them


class _FoldTable(dict):
    """str.translate's table: lookalikes and dashes as listed, digits of every script (full-width
    １, Devanagari १, ...) as ASCII digits (see markings.digits), and the full-width forms of ASCII
    letters and signs (ＰＡ, ／, as an East Asian input method types them) as ASCII, found when first met."""

    def __missing__(self, code: int) -> int | str:
        ch = chr(code)
        if code in _FULL_WIDTH:
            value: int | str = code - 0xFEE0
        else:
            value = str(unicodedata.decimal(ch)) if code > 0x7F and ch.isdecimal() else code
        self[code] = value
        return value


_FOLD = _FoldTable(str.maketrans({**LOOKALIKES, **{d: "-" for d in DASHES}}))

# OCR confusions, each way round.
LETTER_AS_DIGIT = {"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2"}
DIGIT_AS_LETTER = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}
# Only text where a lookalike touches a character of the other kind can have a variant.
_MIXED = re.compile(
    r"[0-9][ODQILSBZ]|[ODQILSBZ][0-9]"  # a letter that may be a digit, next to a digit
    r"|[^\W\d_][01258][^\W\d_]|\b[01258][^\W\d_]|[^\W\d_][01258]\b"  # a digit that may be a letter
)


@dataclass(frozen=True)
class Normalized:
    """Normalised text, the text as read, and for each normalised character its offset in the original."""

    text: str
    original: str
    index: tuple[int, ...] | range

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The [start, end) offsets in the original of the normalised slice [start, end)."""
        if start >= end:
            at = self.index[start] if start < len(self.index) else len(self.original)
            return at, at
        return self.index[start], self.index[end - 1] + 1

    def original_text(self, start: int, end: int) -> str:
        """The characters of the text as read that the normalised slice [start, end) came from."""
        a, b = self.original_span(start, end)
        return self.original[a:b]


def _fold_char(ch: str) -> str:
    upper = ch.upper()
    if len(upper) != 1:  # 'ß' -> 'SS', 'ŉ' -> "ʼN": keep one character per character
        upper = ch
    return upper.translate(_FOLD)


_SIMPLE_SPACING = re.compile(r"\S+(?: \S+)*")


def normalize(text: str) -> Normalized:
    """Upper-case, fold lookalikes, dashes and digits of other scripts, collapse whitespace, trim;
    with a map back to `text`."""
    upper = text.upper()
    if len(upper) == len(text) and _SIMPLE_SPACING.fullmatch(text):
        # The common case: one character per character, no whitespace to collapse.
        return Normalized(upper.translate(_FOLD), text, range(len(text)))  # type: ignore[arg-type]
    out: list[str] = []
    index: list[int] = []
    pending_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            pending_space = bool(out)
            space_at = i
            continue
        if pending_space:
            out.append(" ")
            index.append(space_at)
            pending_space = False
        out.append(_fold_char(ch))
        index.append(i)
    return Normalized("".join(out), text, tuple(index))


def fold(text: str) -> str:
    """Just the normalised text (no map): what the reference examples are checked against."""
    return normalize(text).text


@dataclass(frozen=True)
class Variant:
    """The normalised text re-read with OCR confusions corrected, and which corrections were made."""

    text: str
    changes: tuple[tuple[int, str, str], ...]  # (offset in the normalised text, read, taken as)

    def describe(self) -> str:
        return ", ".join(f"{a} read as {b}" for _, a, b in self.changes)


_TOKEN = re.compile(r"[^\W_]+")  # a token: a run of str.isalnum() characters (\w is those and '_')
_LETTER_RUN = re.compile(f"[{''.join(LETTER_AS_DIGIT)}]+")  # letters that may be digits
_DIGIT_LOOKALIKES = frozenset(DIGIT_AS_LETTER)


def ocr_variants(text: str) -> list[Variant]:
    """Other readings of normalised `text` under the usual OCR confusions (none if nothing to change).

    - digits wanted: in a token that holds a digit, the letters O D Q I L S B Z become 0 0 0 1 1 5 8 2
      next to a digit (so "1I2" -> "112", "8O" -> "80"); a token with no digit is left alone;
    - letters wanted: in a token that holds a letter outside those lookalikes, the digits 0 1 5 8 2
      become O I S B Z (so "5HAHED" -> "SHAHED") -- only at the ends of a token, or between letters,
      so "9M22Y" keeps its digits.
    """
    if not _MIXED.search(text):
        return []
    as_digits, as_letters = list(text), list(text)
    digit_changes, letter_changes = [], []
    # Digits wanted: a run of lookalike letters with a digit just before or after it is read as
    # digits, all of it ("8OO" -> "800"). A digit is alphanumeric, so it is in the run's token.
    for run in _LETTER_RUN.finditer(text):
        a, b = run.span()
        if (a > 0 and text[a - 1].isdigit()) or (b < len(text) and text[b].isdigit()):
            for i in range(a, b):
                as_digits[i] = LETTER_AS_DIGIT[text[i]]
                digit_changes.append((i, text[i], as_digits[i]))
    # Letters wanted: in a token with a letter that is not a lookalike, a lookalike digit between
    # letters, or at the token's edge next to one.
    for token in _TOKEN.finditer(text):
        word = token.group()
        if _DIGIT_LOOKALIKES.isdisjoint(word) or not any(c.isalpha() and c not in LETTER_AS_DIGIT for c in word):
            continue
        start, end = token.span()
        for i in range(start, end):
            if text[i] in DIGIT_AS_LETTER and _between_letters(text, i, start, end):
                as_letters[i] = DIGIT_AS_LETTER[text[i]]
                letter_changes.append((i, text[i], as_letters[i]))
    variants = []
    if digit_changes:
        variants.append(Variant("".join(as_digits), tuple(digit_changes)))
    if letter_changes:
        variants.append(Variant("".join(as_letters), tuple(letter_changes)))
    return variants


def _between_letters(text: str, i: int, start: int, end: int) -> bool:
    """A lookalike digit at a word's edge next to a letter, or with letters on both sides."""
    left = i > start and text[i - 1].isalpha()
    right = i + 1 < end and text[i + 1].isalpha()
    if left and right:
        return True
    at_edge = i == start or i == end - 1
    return at_edge and (left or right)
