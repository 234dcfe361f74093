"""Electronic component date codes read as the period of time they stand for.

A date code is a period, not a day: "2310" (YYWW) is ISO week 10 of 2023, Monday
2023-03-06 to Sunday 2023-03-12. `read_date_code` returns every plausible reading of
a code, ranked, each with the basis for it; it never returns an empty list: a code
that no form can read raises `DateCodeError` naming the code and the reason.

Forms read for any manufacturer:

- ``YYWW``: two-digit year, ISO 8601 week (Monday to Sunday, `date.fromisocalendar`).
  Week 53 only in years that have one.
- ``YWW``: last digit of the year and the week; the decade is unknown, so each decade
  from 1970 up to today gives its own reading, most recent first.

Maker schemes, applied only when `manufacturer` names the maker, each from a public
source cited next to it:

- Texas Instruments ``YM``: last digit of the year and a month character 1-9, A (Oct),
  B (Nov), C (Dec).
- Microchip ``YYWW``/``YWW``: Microchip's datasheets define week 1 as the week of
  1 January, not the ISO week; the weekday a Microchip week starts on is not stated,
  so the range given covers both a Sunday and a Monday start.
- ``WWYY``: no maker's WWYY use has been confirmed from a public source yet, so
  `WWYY_MAKERS` is empty; add a maker there with its source when one is found, and a
  4-digit code valid both ways then gets both readings.

Nothing around the code is stripped ("2310A", "e3 2310" are refused) except where a
maker documents it (Microchip's "YYWWNNN" traceability suffix): the person enters the
code alone.
Readings that begin after `today` are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from fieldkit.errors import DateCodeError
from fieldkit.markings.digits import ascii_digits

EARLIEST_YEAR = 1970  # older parts are not expected in the material fieldkit documents

# Makers known to print WWYY, with the public source that says so. None confirmed yet.
WWYY_MAKERS: dict[str, str] = {}

# Texas Instruments year/month code: month characters.
# Source: TI E2E forum, "TS3A44159: Date Code decode for body marking" (TI staff answer:
# "1 = January ... A = October, B = November", Y = last digit of the year), and
# "TPS548D22: Date code discrepancies" (TI staff: "91" = January 2019, "8C" = December 2018);
# both point to TI's topside-marking tool, ti.com/general/docs/product/topsidemarking.tsp.
TI_MONTHS = {str(m): m for m in range(1, 10)} | {"A": 10, "B": 11, "C": 12}
TI_SOURCE = "TI E2E forum answers by TI staff (TS3A44159, TPS548D22 threads): YM = year digit, month 1-9/A/B/C"

# Microchip: "WW: Week code (week of January 1 is week '01')", "Y: Year code (last digit of
# calendar year)", "YY: Year code (last 2 digits of calendar year)" -- the package-marking
# legend in Microchip datasheets, e.g. onlinedocs.microchip.com, IS20xxS "10.2 Package
# Marking Information".
MICROCHIP_SOURCE = "Microchip datasheet package-marking legend: week of 1 January is week 1"

MANUFACTURER_ALIASES = {
    "ti": "texas-instruments",
    "texas instruments": "texas-instruments",
    "texas instruments inc": "texas-instruments",
    "texas instruments incorporated": "texas-instruments",
    "microchip": "microchip",
    "microchip technology": "microchip",
    "microchip technology inc": "microchip",
}


@dataclass(frozen=True)
class DateCodeReading:
    """One reading of a date code: the form assumed and the period it stands for."""

    code: str
    form: str
    start: date
    end: date
    basis: str
    score: float
    label: str = ""  # e.g. "ISO week 10 of 2023"

    def describe(self) -> str:
        """E.g. "2310: YYWW, ISO week 10 of 2023 (2023-03-06 to 2023-03-12)"."""
        return f"{self.code}: {self.form}, {self.label} ({self.start.isoformat()} to {self.end.isoformat()})"

    def to_json(self) -> dict:
        return {"code": self.code, "form": self.form, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "basis": self.basis, "score": self.score,
                "label": self.label}


def newest(readings: Iterable[DateCodeReading]) -> DateCodeReading | None:
    """The reading whose period starts last (e.g. for "assembled no earlier than")."""
    return max(readings, key=lambda r: (r.start, r.end), default=None)


def canonical_manufacturer(manufacturer: str | None) -> str | None:
    """A maker key for the schemes in this module ("TI" -> "texas-instruments"), or None."""
    if not manufacturer:
        return None
    key = re.sub(r"[^a-z0-9 ]", "", manufacturer.strip().lower())
    key = re.sub(r"\s+", " ", key).strip()
    return MANUFACTURER_ALIASES.get(key, key)


# --- periods ----------------------------------------------------------------------------


def _iso_week(year: int, week: int) -> tuple[date, date] | None:
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return monday, monday + timedelta(days=6)


def _microchip_week(year: int, week: int) -> tuple[date, date] | None:
    """Week `week` counting the week of 1 January as week 1, for a Sunday or a Monday start."""
    if not 1 <= week <= 53:
        return None
    jan1 = date(year, 1, 1)
    sunday_start = jan1 - timedelta(days=(jan1.weekday() + 1) % 7) + timedelta(weeks=week - 1)
    monday_start = jan1 - timedelta(days=jan1.weekday()) + timedelta(weeks=week - 1)
    start = min(sunday_start, monday_start)
    end = max(sunday_start, monday_start) + timedelta(days=6)
    if start > date(year, 12, 31):
        return None
    return start, end


def _month(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, following - timedelta(days=1)


def _decades(last_digit: int, today: date) -> list[int]:
    """Years ending in `last_digit` from EARLIEST_YEAR to today, most recent first."""
    return [y for y in range(today.year, EARLIEST_YEAR - 1, -1) if y % 10 == last_digit]


def _two_digit_years(yy: int, today: date) -> list[int]:
    return [y for y in (2000 + yy, 1900 + yy) if EARLIEST_YEAR <= y <= today.year]


def _no_week(form: str, year: int, week: int) -> str:
    if not 1 <= week <= 53:
        return f"as {form}, week {week:02d} does not exist (weeks run 01-53)"
    return f"as {form}, {year} has no week {week}"


# --- reading ----------------------------------------------------------------------------


def _maker_week(maker: str | None, year: int, week: int) -> tuple[tuple[date, date] | None, str, str]:
    """(period, label, basis note) of a week number: Microchip's own count, or an ISO 8601 week."""
    if maker == "microchip":
        return _microchip_week(year, week), f"Microchip week {week} of {year}", MICROCHIP_SOURCE
    return _iso_week(year, week), f"ISO week {week} of {year}", ""


def _read_yyww(code: str, maker: str | None, today: date, why_not: list[str]) -> list[DateCodeReading]:
    yy, ww = int(code[:2]), int(code[2:])
    out = []
    for year in _two_digit_years(yy, today):
        period, label, note = _maker_week(maker, year, ww)
        if note:
            basis = f"YYWW; {note} (Sunday or Monday start, so the range is wider than 7 days)"
        else:
            basis = "YYWW (two-digit year, ISO week): the most common form"
        if period is None:
            why_not.append(_no_week("YYWW", year, ww))
            continue
        out.append(DateCodeReading(code, "YYWW", *period, basis, 0.5 if maker in WWYY_MAKERS else 0.9, label))
    if not _two_digit_years(yy, today):
        why_not.append(f"as YYWW, year {yy:02d} is neither 19{yy:02d} nor 20{yy:02d} between {EARLIEST_YEAR} and today")
    return out


def _read_wwyy(code: str, maker: str, today: date, why_not: list[str]) -> list[DateCodeReading]:
    ww, yy = int(code[:2]), int(code[2:])
    out = []
    for year in _two_digit_years(yy, today):
        period = _iso_week(year, ww)
        if period is None:
            why_not.append(_no_week("WWYY", year, ww))
            continue
        out.append(DateCodeReading(code, "WWYY", *period, f"WWYY, used by {maker}: {WWYY_MAKERS[maker]}",
                                   0.5, f"ISO week {ww} of {year}"))
    return out


def _read_yww(code: str, maker: str | None, today: date, why_not: list[str]) -> list[DateCodeReading]:
    y, ww = int(code[0]), int(code[1:])
    out = []
    for rank, year in enumerate(_decades(y, today)):
        period, label, note = _maker_week(maker, year, ww)
        basis = f"YWW; {note}" if note else "YWW (last digit of the year, ISO week)"
        if period is None:
            why_not.append(_no_week("YWW", year, ww))
            continue
        decade_note = "the most recent decade not in the future" if rank == 0 else "an earlier decade"
        out.append(DateCodeReading(code, "YWW", *period, f"{basis}; {decade_note}",
                                   round(0.6 * 0.6 ** rank, 3), label))
    return out


def _read_ti_ym(code: str, today: date, why_not: list[str]) -> list[DateCodeReading]:
    y, month = int(code[0]), TI_MONTHS[code[1]]
    out = []
    for rank, year in enumerate(_decades(y, today)):
        decade_note = "the most recent decade not in the future" if rank == 0 else "an earlier decade"
        out.append(DateCodeReading(code, "YM (Texas Instruments)", *_month(year, month),
                                   f"{TI_SOURCE}; {decade_note}", round(0.8 * 0.6 ** rank, 3),
                                   f"{date(year, month, 1):%B %Y}"))
    return out


def _with_traceability(r: DateCodeReading, full_code: str, nnn: str) -> DateCodeReading:
    return DateCodeReading(full_code, r.form + "NNN", r.start, r.end,
                           f"{r.basis}; NNN = {nnn}, Microchip traceability code", r.score, r.label)


def read_date_code(code: str, manufacturer: str | None = None, today: date | None = None) -> list[DateCodeReading]:
    """Every plausible reading of `code`, best first; DateCodeError if there is none."""
    today = today or date.today()
    if not isinstance(code, str) or not code.strip():
        raise DateCodeError("date code is empty: enter the code as printed, e.g. 2310")
    text = ascii_digits(code.strip()).upper()  # full-width ２３１０ is read as 2310; the caller keeps the code as typed
    maker = canonical_manufacturer(manufacturer)
    why_not: list[str] = []
    readings: list[DateCodeReading] = []

    traceability = None
    if maker == "microchip":
        # Microchip marks "YYWWNNN" / "YWWNNN", NNN an alphanumeric traceability code
        # (same datasheet legend as MICROCHIP_SOURCE): the date is the leading digits.
        m = re.fullmatch(r"([0-9]{3,4})([A-Z0-9]{3})", text)
        if m:
            text, traceability = m.group(1), m.group(2)

    if re.fullmatch(r"[0-9]{4}", text):
        readings += _read_yyww(text, maker, today, why_not)
        if maker in WWYY_MAKERS:
            readings += _read_wwyy(text, maker, today, why_not)
    elif re.fullmatch(r"[0-9]{3}", text):
        readings += _read_yww(text, maker, today, why_not)
    elif re.fullmatch(r"[0-9][1-9ABC]", text):
        if maker == "texas-instruments":
            readings += _read_ti_ym(text, today, why_not)
        else:
            why_not.append("two characters read as a year and month only for Texas Instruments "
                           "(give the manufacturer if the part is TI)")
    else:
        raise DateCodeError(
            f"date code {code.strip()[:20]!r} is not a form fieldkit reads (YYWW, YWW, or a maker's scheme): "
            f"enter the date code alone, digits only, e.g. 2310"
        )

    if traceability:
        readings = [_with_traceability(r, code.strip().upper(), traceability) for r in readings]
    future = [r for r in readings if r.start > today]
    readings = [r for r in readings if r.start <= today]
    why_not += [f"{r.form} {r.label} would begin after today ({today.isoformat()})" for r in future]
    if not readings:
        reason = "; ".join(dict.fromkeys(why_not)) or "no known form fits"
        raise DateCodeError(f"date code {text!r} cannot be read: {reason}")
    return sorted(readings, key=lambda r: (-r.score, -r.start.toordinal()))
