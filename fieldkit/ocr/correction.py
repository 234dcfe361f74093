"""Domain-aware correction of OCR text from munition markings, kept apart from the engine.

Pure functions: ``correct(text)`` returns the corrected text and the list of corrections, each with
the span it replaced in the raw text and the reason (``basis``), so the text as read is always kept
beside the reading and every change can be explained. Rules, applied to the raw text:

1. ``known-term``: a token that equals a known designation once lookalike letters are folded
   (M/М, O/О, ...) and case is ignored is written as the known designation (hook for the matcher's
   reference tables; nothing happens without ``known_terms``).
2. ``juche-prefix``: the Juche-year prefix 주체 that tesseract misreads (주제, 주채, 추체, 주 체, ...)
   when a 2-3 digit year follows.
3. ``digit-confusion``: O/I/l/S/B (and Cyrillic О/В/З) read inside a run that is otherwise digits
   (at least two digits, more digits than letters), such as "27O" in "12-87-27O", become digits.
4. ``script-consistency``: within one whitespace-separated token that mixes Latin and Cyrillic,
   lookalike letters are folded to the token's script ("9M22У" with a Latin M becomes "9М22У").
   The token's script is decided by its letters that have no lookalike (У, Ф, Я ... or D, F, R ...);
   failing those, by the majority of its letters; a tie changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Correction:
    start: int  # span in the raw text
    end: int
    before: str
    after: str
    basis: str


# Latin letter -> Cyrillic letter that looks the same (capital and small).
LATIN_TO_CYRILLIC = {
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "У",
    "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у",
}  # fmt: skip
CYRILLIC_TO_LATIN = {c: lat for lat, c in LATIN_TO_CYRILLIC.items()}
# Letters too alike to tell the scripts apart; all other letters vote for their script.
# (Y and У differ enough in print to vote, though OCR may still confuse them.)
HOMOGLYPHS = set(LATIN_TO_CYRILLIC) - {"Y"} | set(CYRILLIC_TO_LATIN) - {"У"}

DIGIT_LOOKALIKES = {
    "O": "0", "o": "0", "О": "0", "о": "0",
    "I": "1", "l": "1", "|": "1", "І": "1",
    "S": "5", "s": "5",
    "B": "8", "В": "8",
    "З": "3",
}  # fmt: skip

JUCHE_FIRST = "주추쭈쥬"
JUCHE_SECOND = "체채제쳬재췌"
_JUCHE = re.compile(rf"(?<![가-힣])([{JUCHE_FIRST}])( ?)([{JUCHE_SECOND}])(?= ?\d{{2,3}}(?!\d))")
_DIGIT_RUN = re.compile(r"[0-9" + re.escape("".join(DIGIT_LOOKALIKES)) + r"]+")


def script_of(ch: str) -> str | None:
    """'latin', 'cyrillic' or None for a character."""
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    if name.startswith("LATIN"):
        return "latin"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    return None


def fold_lookalikes(text: str) -> str:
    """Text with Cyrillic lookalike letters written as Latin, upper-cased: a key for comparison."""
    return "".join(CYRILLIC_TO_LATIN.get(ch, ch) for ch in text).upper()


def _tokens(text: str):
    for m in re.finditer(r"\S+", text):
        yield m.start(), m.group()


def _known_term_corrections(text: str, known_terms: Iterable[str]) -> list[Correction]:
    by_key: dict[str, str] = {}
    for term in known_terms:
        term = term.strip()
        if term and not re.search(r"\s", term):
            by_key.setdefault(fold_lookalikes(term), term)
    if not by_key:
        return []
    out = []
    for start, token in _tokens(text):
        term = by_key.get(fold_lookalikes(token))
        if term is not None and term != token:
            out.append(Correction(start, start + len(token), token, term, f"known-term: matches the known designation {term!r}"))
    return out


def _juche_corrections(text: str) -> list[Correction]:
    out = []
    for m in _JUCHE.finditer(text):
        before = m.group(0)
        if before != "주체":
            out.append(
                Correction(m.start(), m.end(), before, "주체", f"juche-prefix: {before!r} before a year is a common misreading of 주체")
            )
    return out


def _token_script(token: str) -> str | None:
    votes = {"latin": 0, "cyrillic": 0}
    counts = {"latin": 0, "cyrillic": 0}
    for ch in token:
        script = script_of(ch)
        if script is None:
            continue
        counts[script] += 1
        if ch not in HOMOGLYPHS:
            votes[script] += 1
    for tally in (votes, counts):
        if tally["latin"] != tally["cyrillic"]:
            return max(tally, key=tally.get)
    return None


def _script_corrections(text: str) -> list[Correction]:
    out = []
    for start, token in _tokens(text):
        scripts = {script_of(ch) for ch in token} - {None}
        if scripts != {"latin", "cyrillic"}:
            continue
        target = _token_script(token)
        if target is None:
            continue
        table = LATIN_TO_CYRILLIC if target == "cyrillic" else CYRILLIC_TO_LATIN
        for i, ch in enumerate(token):
            if script_of(ch) not in (None, target) and ch in table:
                after = table[ch]
                out.append(
                    Correction(
                        start + i,
                        start + i + 1,
                        ch,
                        after,
                        f"script-consistency: {script_of(ch).title()} {ch!r} in the {target.title()} token {token!r}",
                    )
                )
    return out


def _digit_corrections(text: str) -> list[Correction]:
    out = []
    for m in _DIGIT_RUN.finditer(text):
        run = m.group()
        # The run must be a whole alphanumeric segment ("27O" in "12-87-27O", not "O" in "LOT").
        before_ch = text[m.start() - 1] if m.start() else ""
        after_ch = text[m.end()] if m.end() < len(text) else ""
        if before_ch.isalnum() or after_ch.isalnum():
            continue
        digits = sum(ch.isdigit() for ch in run)
        letters = len(run) - digits
        if letters == 0 or digits < 2 or letters >= digits:
            continue
        for i, ch in enumerate(run):
            if not ch.isdigit():
                pos = m.start() + i
                out.append(
                    Correction(pos, pos + 1, ch, DIGIT_LOOKALIKES[ch], f"digit-confusion: {ch!r} inside the number {run!r}")
                )
    return out


def correct(text: str, known_terms: Iterable[str] = ()) -> tuple[str, list[Correction]]:
    """Return (corrected text, corrections). Spans refer to ``text``; earlier rules win overlaps."""
    proposed: list[Correction] = []
    for rule in (
        lambda t: _known_term_corrections(t, known_terms),
        _juche_corrections,
        _digit_corrections,
        _script_corrections,
    ):
        for c in rule(text):
            if all(c.end <= p.start or c.start >= p.end for p in proposed):
                proposed.append(c)
    proposed.sort(key=lambda c: c.start)
    parts, pos = [], 0
    for c in proposed:
        parts.append(text[pos : c.start])
        parts.append(c.after)
        pos = c.end
    parts.append(text[pos:])
    return "".join(parts), proposed
