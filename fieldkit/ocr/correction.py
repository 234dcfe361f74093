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
5. ``edge-mark``: quote marks, ticks, dots, commas, colons, dashes, bars and the like at the very
   start or end of a line, touching its first or last letter or digit ("“LOT 12-87-270-",
   "`БК-6М 1-19."): what the crop's edge, a scratch or the surface texture is read as. No format
   in reference/marking_patterns.csv starts or ends with one of them (brackets, slashes and other
   symbols, which some do, such as "/66\\" and "LC 05 ⊕", are never removed). The only rule that
   deletes characters, and only at a line's ends.
6. ``letter-confusion``: the digit 0 in a run of letters with no other digit and at least as many
   letters as zeros ("0Ф" in "0Ф-462"), which rule 3 does not read as a number, is the letter O of the token's script (as rule 4 decides it; none decided,
   nothing changes). A 0 right after a digit and a decimal point or comma is a number's decimal
   before its unit (5.0kg, 2,0mm on a rating plate), and stays.
7. ``dash-confusion``: "=" between two letters or digits ("KH=179") is a hyphen read double; no
   reference format has "=".
8. ``symbol-lookalike``: "¥" touching a letter or digit ("9M22¥") is the letter Y; every other
   rule reads it so (the script rule may then fold the token, as for any Y).
9. ``company-mark``: 주 between a square and a round bracket, or two square ones ("(주]", "[주)",
   "[주]"), is (주), the mark of a Korean joint-stock company (주식회사), which Unicode encodes
   as one character in that form, U+321C PARENTHESIZED HANGUL CIEUC U ㈜ (Unicode Standard,
   Enclosed CJK Letters and Months chart). Nameplate fonts draw round brackets almost square, and
   tesseract reads them as square on real KEPCO meter nameplates (ocr-real README, "Notes and
   doubts"). Only the brackets change.
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
    "I": "1", "l": "1", "І": "1",
    "S": "5", "s": "5",
    "B": "8", "В": "8",
    "З": "3",
}  # fmt: skip

JUCHE_FIRST = "주추쭈쥬"
JUCHE_SECOND = "체채제쳬재췌챙청"  # the last two: 체 read with a stray final ㅇ
# Marks that the edges of a crop and surface texture are read as (see rule 5); never brackets,
# slashes or other symbols, which reference formats use.
# A bar is one of them: it is never read as the digit 1 (that would add a character to the
# marking, and a "|" at a crop's edge is the edge itself far more often than a digit).
EDGE_MARKS = "'\"`´‘’‚“”„«»‹›.,:;=~^*_!?·¸-–—|"
# The first or last letter or digit of a line.
_EDGE_START = re.compile(r"(?m)^([ \t]*)([" + re.escape(EDGE_MARKS) + r"][" + re.escape(EDGE_MARKS) + r" \t]*)(?=[^\W_])")
_EDGE_END = re.compile(r"(?m)(?<=[^\W_])([ \t]*[" + re.escape(EDGE_MARKS) + r"][" + re.escape(EDGE_MARKS) + r" \t]*?)([ \t]*)$")
_ZERO_RUN = re.compile(r"[^\W_]+")
_EQUALS = re.compile(r"(?<=[^\W_])=(?=[^\W_])")
_JUCHE = re.compile(rf"(?<![가-힣])([{JUCHE_FIRST}])( ?)([{JUCHE_SECOND}])(?= ?\d{{2,3}}(?!\d))")
_COMPANY_MARK = re.compile(r"[(\[]( ?)주( ?)[)\]]")
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


def _edge_corrections(text: str) -> list[Correction]:
    out = []
    for m in _EDGE_START.finditer(text):
        marks = m.group(2)
        out.append(Correction(m.start(2), m.end(2), marks, "", f"edge-mark: {marks.strip()!r} before the first letter or digit of a line is read from the crop's edge or the surface, not part of a marking format"))
    for m in _EDGE_END.finditer(text):
        marks = m.group(1)
        out.append(Correction(m.start(1), m.end(1), marks, "", f"edge-mark: {marks.strip()!r} after the last letter or digit of a line is read from the crop's edge or the surface, not part of a marking format"))
    return out


def _letter_corrections(text: str) -> list[Correction]:
    # Runs that rule 3 reads as numbers are left to it.
    numbers = [(c.start, c.end) for c in _digit_corrections(text)]
    out = []
    for start, token in _tokens(text):
        script = _token_script(token)
        if script is None:  # no script to write the O in (a tie, or no letters)
            continue
        for m in _ZERO_RUN.finditer(token):
            run = m.group()
            digits = [ch for ch in run if ch.isdigit()]
            letters = [ch for ch in run if ch.isalpha()]
            if not letters or set(digits) != {"0"} or len(digits) > len(letters):
                continue
            begin = start + m.start()
            if any(begin - 1 <= a and b <= begin + len(run) + 1 for a, b in numbers):
                continue
            if run[0] == "0" and begin >= 2 and text[begin - 1] in ".," and text[begin - 2].isdigit():
                continue  # the decimal of a number with its unit (5.0kg, 2,0mm), not a letter
            after = "О" if script == "cyrillic" else "O"
            for i, ch in enumerate(run):
                if ch == "0":
                    out.append(Correction(begin + i, begin + i + 1, ch, after, f"letter-confusion: digit 0 among the letters of {run!r}"))
    return out


def _dash_corrections(text: str) -> list[Correction]:
    return [Correction(m.start(), m.end(), "=", "-", "dash-confusion: '=' between letters or digits is a hyphen read double") for m in _EQUALS.finditer(text)]


def _company_mark_corrections(text: str) -> list[Correction]:
    out = []
    for m in _COMPANY_MARK.finditer(text):
        after = f"({m.group(1)}주{m.group(2)})"
        if m.group() != after:
            out.append(Correction(m.start(), m.end(), m.group(), after,
                                  f"company-mark: {m.group()!r} is (주), the mark of a Korean joint-stock company (U+321C ㈜),"
                                  " its round brackets read as square"))
    return out


def _yen_positions(text: str) -> list[int]:
    """Positions of "¥" in runs of "¥" that touch a letter or digit, or a character rule 3 may read
    as a digit (rule 8)."""
    out = []
    for m in re.finditer("¥+", text):
        near = (text[m.start() - 1] if m.start() else "") + (text[m.end()] if m.end() < len(text) else "")
        if any(ch.isalnum() or ch in DIGIT_LOOKALIKES for ch in near):
            out += range(m.start(), m.end())
    return out


def _one_pass(text: str, known_terms: Iterable[str], sure_letters: bool = False) -> list[Correction]:
    yens = _yen_positions(text)
    view = "".join("Y" if i in yens else ch for i, ch in enumerate(text)) if yens else text
    proposed: list[Correction] = []
    for rule in (
        lambda t: _known_term_corrections(t, known_terms),
        _juche_corrections,
        _edge_corrections,
        (lambda t: []) if sure_letters else _digit_corrections,
        _letter_corrections,
        _dash_corrections,
        _company_mark_corrections,
        _script_corrections,
    ):
        for c in rule(view):
            if all(c.end <= p.start or c.start >= p.end for p in proposed):
                proposed.append(c)
    for pos in yens:
        covering = next((c for c in proposed if c.start <= pos < c.end), None)
        if covering is None:
            proposed.append(Correction(pos, pos + 1, "¥", "Y", "symbol-lookalike: '¥' touching a letter or digit is the letter Y"))
        else:
            proposed[proposed.index(covering)] = Correction(
                covering.start, covering.end, text[covering.start : covering.end], covering.after,
                covering.basis + "; '¥' read as the letter Y",
            )  # fmt: skip
    return sorted(proposed, key=lambda c: c.start)


def correct(text: str, known_terms: Iterable[str] = (), max_passes: int = 4, *,
            sure_letters: bool = False) -> tuple[str, list[Correction]]:
    """Return (corrected text, corrections). Spans refer to ``text``; earlier rules win overlaps.

    ``sure_letters``: the text comes from a reader that tells letters from digits (PP-OCR), so
    rule 3 (digit-confusion) is not applied: a letter it wrote among digits is a letter (the index
    letter of 059145950B, a stamped part number on a real photo, was made an 8). Rule 3 is for
    tesseract's O/I/S/B among digits: on 320 synthetic tuning lines (seeds 2024 and 2025) it
    changed no reading PP-OCR gave, at any confidence, and on the real tuning photos (crops
    padded, tightened, turned 3°, halved) it only ever turned that B into an 8, also where
    PP-OCR read the line at 0.95 (bench/RESULTS.md).

    A "¥" touching a letter or digit is read as the letter Y by every rule. One correction can
    make another apply (a digit read for "l" puts "=" between two digits), so the rules run again
    on their own result until nothing changes; corrections of later passes that touch the same
    characters of ``text`` as earlier ones are given as one, with all their bases. Correcting the
    result again changes nothing.
    """
    current = text
    origin = list(range(len(text)))  # for each character of `current`, its offset in `text`
    changes: list[tuple[int, int, str]] = []  # (start, end) in `text`, basis
    for _ in range(max_passes):
        corrections = _one_pass(current, known_terms, sure_letters)
        if not corrections:
            break
        parts, new_origin, pos = [], [], 0
        for c in corrections:
            parts.append(current[pos : c.start])
            new_origin += origin[pos : c.start]
            a = origin[c.start] if c.start < len(origin) else len(text)
            b = origin[c.end - 1] + 1 if c.end > c.start else a
            changes.append((a, b, c.basis))
            parts.append(c.after)
            # Characters written by a correction come from its span: the first from its start, the
            # last from its end, any between from the span's characters in order.
            span = origin[c.start : c.end] or [a]
            new_origin += [span[min(i, len(span) - 1)] if i < len(c.after) - 1 else span[-1] for i in range(len(c.after))]
            pos = c.end
        parts.append(current[pos:])
        new_origin += origin[pos:]
        current, origin = "".join(parts), new_origin
    if not changes:
        return text, []
    # Merge the changes that touch the same characters of `text` (every change covers at least one).
    changes.sort()
    groups: list[list] = []
    for a, b, basis in changes:
        if groups and a < groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], b)
            if basis not in groups[-1][2]:
                groups[-1][2].append(basis)
        else:
            groups.append([a, b, [basis]])
    out = []
    for a, b, bases in groups:
        after = "".join(ch for ch, o in zip(current, origin) if a <= o < b)
        if text[a:b] != after:
            out.append(Correction(a, b, text[a:b], after, "; ".join(bases)))
    return current, out
