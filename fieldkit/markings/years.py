"""Year candidates in the text of a marking, each with its calendar, range and basis.

`find_years("주체112")` says Juche 112 = 2023 and why; `find_years("112")` says it
could be Juche 112 or Minguo 112 (both 2023), or a code such as a plant designation.
A bare number is never silently a year: every plausible reading is returned, ranked
by `score`, and each reading says on what basis it was made.

What is recognised (a few plain regular expressions):

- explicit prefixes: 주체 (Juche; also its OCR misreads 주제 and 주채, scored lower),
  民國/民国 (Minguo), 令和 平成 昭和 大正 明治 and their romaji (Japanese eras, 元年 =
  year 1), พ.ศ./B.E. (Thai Buddhist Era);
- numbers written in Persian or Arabic-Indic digits (۱۴۰۲): read as Solar Hijri;
- two-digit years in lot strings: "4-23", "LOT 23-05" (lot-year) and "12-87-270"
  (lot-year-factory), in both centuries where both are possible;
- bare three-digit numbers that fit a Juche or Minguo year up to this year, and bare
  four-digit numbers from 1900 to this year (Gregorian).

Digits are matched only when they stand alone, so "22" inside "9М22У" is not a year;
Cyrillic and Latin letters around a number do not matter. Offsets always refer to the
text as given (digit normalisation keeps one character per character).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from fieldkit.errors import CalendarError
from fieldkit.markings.digits import EASTERN_ARABIC, ascii_digits
from fieldkit.markings.calendars import JUCHE_ADOPTED, YearSpan, normalize_era, to_gregorian

# Persian (U+06F0..) and Arabic-Indic (U+0660..) digits to ASCII, one character each.
_EASTERN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")

# A number that stands alone: no letter, digit or hyphen directly before or after it.
_ALONE_BEFORE = r"(?<![\w-])"
_ALONE_AFTER = r"(?![\w-])"

JUCHE_PREFIXES = {"주체": None, "주제": "주제", "주채": "주채"}  # value: the misread, or None if exact
_JUCHE = re.compile(r"(주체|주제|주채)\s*(\d{1,4})\s*(?:년)?")
_MINGUO = re.compile(r"(民國|民国)\s*(\d{1,4})\s*(?:年)?")
_JAPANESE_KANJI = re.compile(r"(令和|平成|昭和|大正|明治)\s*(\d{1,2}|元)\s*年")
_JAPANESE_ROMAJI = re.compile(r"(?i)\b(reiwa|heisei|showa|taisho|meiji)\s*(\d{1,2})" + _ALONE_AFTER)
_THAI = re.compile(r"(พ\.\s?ศ\.|B\.\s?E\.)\s*(\d{4})" + _ALONE_AFTER)
_PERSIAN_NUMBER = re.compile(r"(?<![\w])([۰-۹٠-٩]{4})(?![\w])")
# ASCII digits only below: numbers in Persian digits are read as Solar Hijri above.
_LOT_YEAR_FACTORY = re.compile(_ALONE_BEFORE + r"([0-9]{1,3})-([0-9]{2})-([0-9]{1,4})" + _ALONE_AFTER)
_LOT_PAIR = re.compile(_ALONE_BEFORE + r"([0-9]{1,3})-([0-9]{2})" + _ALONE_AFTER)
_BARE_NUMBER = re.compile(_ALONE_BEFORE + r"([0-9]{3,4})" + _ALONE_AFTER)

EARLIEST_BARE_GREGORIAN = 1900
EARLIEST_TWO_DIGIT_CENTURY = 1900


@dataclass(frozen=True)
class YearReading:
    """One way of reading part of a marking as a calendar year."""

    text: str
    start: int
    end: int
    calendar: str
    year: int
    era: str | None
    gregorian_start: date
    gregorian_end: date
    basis: str
    score: float

    def span(self) -> YearSpan:
        return YearSpan(self.calendar, self.year, self.era, self.gregorian_start, self.gregorian_end)

    def describe(self) -> str:
        """E.g. "주체112: Juche 112 = 2023 (explicit 주체 prefix)"."""
        span = self.span()
        if self.calendar == "gregorian":
            return f"{self.text}: {span.gregorian_text()} ({self.basis})"
        return f"{self.text}: {span.label()} = {span.gregorian_text()} ({self.basis})"

    def to_json(self) -> dict:
        data = self.span().to_json()
        data.update({"text": self.text, "start": self.start, "end": self.end,
                     "basis": self.basis, "score": self.score})
        return data


def _reading(match_text: str, start: int, end: int, calendar: str, year: int, era: str | None,
             basis: str, score: float, today: date) -> YearReading | None:
    """A reading, or None when the calendar refuses the year. Future years are marked down."""
    try:
        span = to_gregorian(calendar, year, era)
    except CalendarError:
        return None
    if span.start > today:
        basis += f"; {span.label()} is in the future (after {today.isoformat()})"
        score = min(score, 0.1)
    elif calendar == "juche" and year < JUCHE_ADOPTED:
        basis += "; before 1997, when the Juche calendar came into use"
        score *= 0.5
    return YearReading(match_text, start, end, span.calendar, span.year, span.era,
                       span.start, span.end, basis, round(score, 3))


def _explicit(text: str, today: date) -> list[YearReading]:
    found = []
    for m in _JUCHE.finditer(text):
        misread = JUCHE_PREFIXES[m.group(1)]
        if misread:
            basis, score = f"read as {misread}, a likely OCR misreading of the 주체 (Juche) prefix", 0.6
        else:
            basis, score = "explicit 주체 prefix", 0.95
        found.append(_reading(m.group(0).strip(), m.start(), m.start() + len(m.group(0).strip()),
                              "juche", int(m.group(2)), None, basis, score, today))
    for m in _MINGUO.finditer(text):
        found.append(_reading(m.group(0).strip(), m.start(), m.start() + len(m.group(0).strip()),
                              "minguo", int(m.group(2)), None, f"explicit {m.group(1)} prefix", 0.95, today))
    for m in _JAPANESE_KANJI.finditer(text):
        year = 1 if m.group(2) == "元" else int(m.group(2))
        found.append(_reading(m.group(0), m.start(), m.end(), "japanese", year, normalize_era(m.group(1)),
                              f"explicit {m.group(1)} era name", 0.95, today))
    for m in _JAPANESE_ROMAJI.finditer(text):
        found.append(_reading(m.group(0), m.start(), m.end(), "japanese", int(m.group(2)),
                              normalize_era(m.group(1)), f"explicit era name {m.group(1)}", 0.85, today))
    for m in _THAI.finditer(text):
        found.append(_reading(m.group(0), m.start(), m.end(), "thai", int(m.group(2)), None,
                              f"explicit {m.group(1)} (Buddhist Era) prefix", 0.9, today))
    for m in _PERSIAN_NUMBER.finditer(text):
        ascii_year = int(m.group(1).translate(_EASTERN_DIGITS))  # "۱۴۰۲" -> 1402
        found.append(_reading(m.group(1), m.start(), m.end(), "solar-hijri", ascii_year, None,
                              f"written in Persian/Arabic digits ({ascii_year}): Solar Hijri year", 0.7, today))
    return [r for r in found if r is not None]


def _two_digit(text: str, start: int, end: int, yy: int, position: str, today: date) -> list[YearReading]:
    """Readings of a two-digit year: 20YY and 19YY, whichever are not in the future."""
    readings = []
    for century in (2000, 1900):
        year = century + yy
        if not EARLIEST_TWO_DIGIT_CENTURY <= year <= today.year:
            continue
        readings.append((year, century))
    both = len(readings) == 2
    out = []
    for year, century in readings:
        score = 0.6 if not both or century == 2000 else 0.3
        basis = f"two-digit year in {position} position"
        if both:
            basis += f"; could also be {(3900 - century) + yy}"
        r = _reading(text, start, end, "gregorian", year, None, basis, score, today)
        if r:
            out.append(r)
    return out


def _lot_years(text: str, today: date) -> tuple[list[YearReading], list[tuple[int, int]]]:
    found: list[YearReading] = []
    taken: list[tuple[int, int]] = []
    for m in _LOT_YEAR_FACTORY.finditer(text):
        taken.append(m.span())
        found += _two_digit(m.group(2), m.start(2), m.end(2), int(m.group(2)), "lot–year–factory", today)
    for m in _LOT_PAIR.finditer(text):
        if _overlaps(m.span(), taken):
            continue
        taken.append(m.span())
        pair = _two_digit(m.group(2), m.start(2), m.end(2), int(m.group(2)), "lot–year", today)
        if len(m.group(1)) == 2:
            # "LOT 23-05": either number may be the year; neither position is favoured,
            # so both are marked down equally and the first in the text ranks first.
            pair += _two_digit(m.group(1), m.start(1), m.end(1), int(m.group(1)), "year–lot", today)
            pair = [_with_score(r, r.score * 0.85) for r in pair]
        found += pair
    return found, taken


def _with_score(r: YearReading, score: float) -> YearReading:
    return YearReading(r.text, r.start, r.end, r.calendar, r.year, r.era,
                       r.gregorian_start, r.gregorian_end, r.basis, round(score, 3))


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _bare_numbers(text: str, taken: list[tuple[int, int]], today: date) -> list[YearReading]:
    found = []
    code_note = "or a code (e.g. a plant designation or lot number)"
    for m in _BARE_NUMBER.finditer(text):
        if _overlaps(m.span(), taken):
            continue
        number = int(m.group(1))
        if len(m.group(1)) == 4:
            if EARLIEST_BARE_GREGORIAN <= number <= today.year:
                found.append(_reading(m.group(1), m.start(), m.end(), "gregorian", number, None,
                                      f"bare number: could be a Gregorian year, {code_note}", 0.5, today))
            continue
        if m.group(1).startswith("0"):
            continue
        latest = today.year - 1911
        if number <= latest:
            found.append(_reading(m.group(1), m.start(), m.end(), "juche", number, None,
                                  f"bare number: could be a Juche year, {code_note}", 0.4, today))
            found.append(_reading(m.group(1), m.start(), m.end(), "minguo", number, None,
                                  f"bare number: could be a Minguo year, {code_note}", 0.35, today))
    return [r for r in found if r is not None]


def find_years(text: str, today: date | None = None) -> list[YearReading]:
    """Every plausible year in `text`, best first (by score, then position in the text).

    Digits of other scripts (full-width １１２) are read as digits; each reading's `text` is the
    text as given. Persian and Arabic-Indic digits keep their own rule (Solar Hijri, above)."""
    today = today or date.today()
    typed, text = text, ascii_digits(text, keep=EASTERN_ARABIC)
    readings = _find_years(text, today)
    if typed != text:
        readings = [replace(r, text=typed[r.start:r.end]) for r in readings]
    return readings


def _find_years(text: str, today: date) -> list[YearReading]:
    explicit = _explicit(text, today)
    taken = [(r.start, r.end) for r in explicit]
    lots, lot_spans = _lot_years(text, today)
    lots = [r for r in lots if not _overlaps((r.start, r.end), taken)]
    taken += lot_spans
    bare = _bare_numbers(text, taken, today)
    readings = explicit + lots + bare
    return sorted(readings, key=lambda r: (-r.score, r.start, r.calendar))
