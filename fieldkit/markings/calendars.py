"""Calendar years found in markings, converted to Gregorian date ranges and back.

A year stamped on a munition or a part ("주체112", "令和5年", "۱۴۰۲") stands for a
*period*: this module turns a (calendar, year[, era]) into the inclusive Gregorian
range it covers (a `YearSpan`), and a Gregorian year into every calendar year that
overlaps it. Pure functions: no I/O, no textual, no catalog.

Calendars and the choices made for each:

- ``gregorian``: years 1..9999 (the range of ``datetime.date``).
- ``juche`` (DPRK): Juche 1 = 1912, so Gregorian = Juche + 1911. The calendar came
  into use in 1997 (= Juche 86); earlier Juche years convert but draw a warning.
- ``minguo`` (Republic of China): Minguo 1 = 1912, the same offset as Juche.
  Years before Minguo 1 (民國前) are refused.
- ``japanese``: an era name (romaji, any case, or kanji) and a year in that era.
  Year 1 begins on the era's first day; the previous era's last year ends the day
  before. Japan adopted the Gregorian calendar on 1873-01-01 = Meiji 6; Meiji 1-5
  were lunisolar years with no exact Gregorian range, so they are refused.
- ``solar-hijri`` (Iran): the year begins on Nowruz, the day of the March equinox
  by the Tehran-noon rule, and ends the day before the next Nowruz. Dates come from
  K. M. Borkowski's "breaks" algorithm (Borkowski 1996, "The Persian calendar for
  3000 years", Earth, Moon, and Planets 74, 223-230; the same algorithm as
  jalaali-js / jalaali-python). Valid range: 1178-1633 SH (1799-2255 AD), where
  jalaali-js reports that it agrees with the ICU/Intl Persian calendar; years
  outside are refused. The calendar became Iran's legal calendar in 1925 (1304 SH);
  earlier years convert but draw a warning.
- ``thai`` (Buddhist Era): from BE 2484 (1941) the year begins on 1 January and
  Gregorian = BE - 543. Before that the year began on 1 April: BE 2455-2482 run
  from 1 April (BE - 543) to 31 March of the next Gregorian year, and BE 2483 ran
  only nine months, 1940-04-01..1940-12-31 (Phibunsongkhram's decree of 1940; see
  the "Thai solar calendar" article). These are handled exactly. BE counting began
  in BE 2455 (1912); earlier years are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from fieldkit.errors import CalendarError
from fieldkit.markings.digits import ascii_digits

CALENDARS = ("gregorian", "juche", "minguo", "japanese", "solar-hijri", "thai")

# Other names people type for the same calendars.
CALENDAR_ALIASES = {
    "ad": "gregorian",
    "ce": "gregorian",
    "dprk": "juche",
    "roc": "minguo",
    "taiwan": "minguo",
    "jp": "japanese",
    "solar_hijri": "solar-hijri",
    "solarhijri": "solar-hijri",
    "persian": "solar-hijri",
    "jalali": "solar-hijri",
    "shamsi": "solar-hijri",
    "sh": "solar-hijri",
    "buddhist": "thai",
    "be": "thai",
}

_DISPLAY = {"gregorian": "Gregorian", "juche": "Juche", "minguo": "Minguo", "japanese": "Japanese",
            "solar-hijri": "Solar Hijri", "thai": "Thai BE"}

ONE_DAY = timedelta(days=1)
MAX_YEAR_DIGITS = 4

# Japanese eras since the Meiji restoration, with the Gregorian date of each era's first
# day. Meiji's start (1868-10-23) is the Gregorian date of the proclamation; Japan then
# still used a lunisolar calendar, so only Meiji 6 (1873) onwards is converted.
ERAS: dict[str, date] = {
    "meiji": date(1868, 10, 23),
    "taisho": date(1912, 7, 30),
    "showa": date(1926, 12, 25),
    "heisei": date(1989, 1, 8),
    "reiwa": date(2019, 5, 1),
}
ERA_KANJI = {"明治": "meiji", "大正": "taisho", "昭和": "showa", "平成": "heisei", "令和": "reiwa"}
ERA_ALIASES = {"taishou": "taisho", "shouwa": "showa", "shōwa": "showa", "taishō": "taisho"}
MEIJI_FIRST_GREGORIAN_YEAR = 6  # Meiji 6 = 1873, the first year on the Gregorian calendar

JUCHE_ADOPTED = 86  # the Juche calendar came into use in 1997 = Juche 86
SOLAR_HIJRI_FIRST, SOLAR_HIJRI_LAST = 1178, 1633
SOLAR_HIJRI_LEGAL = 1304  # Iran's legal calendar from 1925
THAI_FIRST = 2455  # Buddhist Era counting from 1912 (then with a 1 April new year)
THAI_JANUARY_START = 2484  # 1941: new year moved to 1 January; BE 2483 had nine months


@dataclass(frozen=True)
class YearSpan:
    """One calendar year and the inclusive Gregorian date range it covers."""

    calendar: str
    year: int
    era: str | None
    start: date
    end: date

    def label(self) -> str:
        """A short human name: "Juche 112", "Reiwa 1", "Solar Hijri 1402"."""
        if self.calendar == "japanese":
            return f"{self.era.capitalize()} {self.year}"
        names = {"solar-hijri": "Solar Hijri", "thai": "Thai BE"}
        return f"{names.get(self.calendar, self.calendar.capitalize())} {self.year}"

    def gregorian_text(self) -> str:
        """"2023" when the span is a whole Gregorian year, else "2023-03-21 to 2024-03-19"."""
        whole = self.start == date(self.start.year, 1, 1) and self.end == date(self.start.year, 12, 31)
        return str(self.start.year) if whole else f"{self.start.isoformat()} to {self.end.isoformat()}"

    def to_json(self) -> dict:
        data: dict = {"calendar": self.calendar, "year": self.year}
        if self.calendar == "japanese":
            data["era"] = self.era
        data["gregorian_start"] = self.start.isoformat()
        data["gregorian_end"] = self.end.isoformat()
        return data


# --- input checking -------------------------------------------------------------------

_SIGNED_ASCII_INT = re.compile(r"[+-]?[0-9]+")


def _shorten(value: str) -> str:
    return value if len(value) <= 16 else value[:16] + "…"


def parse_year(value: str) -> int:
    """Read a year typed by a person: optional sign and digits, nothing else.

    Digits of any script (full-width １１２, Devanagari ११२...) are read as 0-9.
    Refuses "", "abc", "1e3", "10^30", "12.5", digit-like signs that are not digits (²), and anything
    longer than four digits, each with a one-line message saying what to type.
    The sign is accepted here so that the calendar can say why -5 is impossible.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CalendarError(f"year {value!r} is not a whole number: give the year as digits, e.g. 112")
    if isinstance(value, int):
        text = str(value)
    else:
        text = ascii_digits(value.strip())
    if not text:
        raise CalendarError("year is empty: give the year as digits, e.g. 112")
    if not _SIGNED_ASCII_INT.fullmatch(text):
        if any(ch.isdigit() for ch in text) and all(ch.isdigit() or ch in "+-" for ch in text):
            raise CalendarError(
                f"year {_shorten(text)!r} uses signs that are not decimal digits: type it with digits 0-9"
            )
        raise CalendarError(f"year {_shorten(text)!r} is not a whole number: use digits 0-9 only, e.g. 112")
    digits = text.lstrip("+-").lstrip("0") or "0"
    if len(digits) > MAX_YEAR_DIGITS:
        raise CalendarError(
            f"year {_shorten(text)!r} is too large: a calendar year has at most {MAX_YEAR_DIGITS} digits"
        )
    return int(text)


def normalize_calendar(calendar: str) -> str:
    """Return the canonical calendar name, or raise CalendarError listing the valid ones."""
    key = str(calendar).strip().lower().replace(" ", "-")
    key = CALENDAR_ALIASES.get(key, key)
    if key not in CALENDARS:
        raise CalendarError(f"unknown calendar {_shorten(str(calendar))!r}: use one of {', '.join(CALENDARS)}")
    return key


def normalize_era(era: str | None) -> str:
    """Return the canonical era name (meiji..reiwa) from romaji in any case or kanji."""
    if era is None or not str(era).strip():
        raise CalendarError(f"Japanese years need an era: one of {', '.join(ERAS)} (or 明治 大正 昭和 平成 令和)")
    text = str(era).strip()
    key = ERA_KANJI.get(text) or ERA_ALIASES.get(text.lower()) or text.lower()
    if key not in ERAS:
        raise CalendarError(
            f"unknown Japanese era {_shorten(text)!r}: use one of {', '.join(ERAS)} (or 明治 大正 昭和 平成 令和)"
        )
    return key


# --- Solar Hijri (Borkowski's algorithm) ------------------------------------------------

# Solar Hijri years at which the 33-year leap pattern restarts (Borkowski 1996).
_BREAKS = (-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210,
           1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178)


def _nowruz(sh_year: int) -> date:
    """The Gregorian date of 1 Farvardin of `sh_year` (Borkowski's jalCal, March day only)."""
    gy = sh_year + 621
    leap_j = -14
    jp = _BREAKS[0]
    jump = 0
    for jm in _BREAKS[1:]:
        jump = jm - jp
        if sh_year < jm:
            break
        leap_j += (jump // 33) * 8 + (jump % 33) // 4
        jp = jm
    n = sh_year - jp
    leap_j += (n // 33) * 8 + ((n % 33) + 3) // 4
    if jump % 33 == 4 and jump - n == 4:
        leap_j += 1
    leap_g = gy // 4 - ((gy // 100 + 1) * 3) // 4 - 150
    return date(gy, 3, 20 + leap_j - leap_g)


# --- conversions ------------------------------------------------------------------------


def _check_range(calendar: str, year: int, low: int, high: int, why_low: str) -> None:
    if year < low:
        raise CalendarError(why_low)
    if year > high:
        raise CalendarError(f"{calendar} year {year} is out of range: fieldkit handles {low} to {high}")


def _japanese_last_year(era: str) -> int | None:
    names = list(ERAS)
    i = names.index(era)
    if i + 1 == len(names):
        return None
    return ERAS[names[i + 1]].year - ERAS[era].year + 1


def _japanese_span(era: str, year: int) -> YearSpan:
    name = era.capitalize()
    if year < 1:
        raise CalendarError(f"{name} year {year} does not exist: Japanese era years start at 1 ({name} 1 = {ERAS[era].year})")
    if era == "meiji" and year < MEIJI_FIRST_GREGORIAN_YEAR:
        raise CalendarError(
            f"Meiji {year} has no exact Gregorian range: Japan used a lunisolar calendar until Meiji 6 "
            f"(1873-01-01); record the year as read and give its Gregorian range by hand"
        )
    last = _japanese_last_year(era)
    if last is not None and year > last:
        raise CalendarError(f"{name} {year} does not exist: the {name} era ended in its year {last} ({ERAS[era].year + last - 1})")
    gregorian_year = ERAS[era].year + year - 1
    if gregorian_year > 9999:
        raise CalendarError(f"{name} {year} is out of range: fieldkit handles Gregorian years up to 9999")
    start = max(date(gregorian_year, 1, 1), ERAS[era])
    end = date(gregorian_year, 12, 31)
    names = list(ERAS)
    following = names.index(era) + 1
    if following < len(names):
        end = min(end, ERAS[names[following]] - ONE_DAY)
    return YearSpan("japanese", year, era, start, end)


def _span(calendar: str, year: int, era: str | None) -> YearSpan:
    """The span of an already-parsed year; raises CalendarError if the year is impossible."""
    if calendar == "gregorian":
        _check_range("Gregorian", year, 1, 9999, f"Gregorian year {year} is not supported: give a year from 1 to 9999")
        return YearSpan(calendar, year, None, date(year, 1, 1), date(year, 12, 31))
    if calendar in ("juche", "minguo"):
        name = calendar.capitalize()
        _check_range(name, year, 1, 9999 - 1911,
                     f"{name} year {year} does not exist: {name} years start at 1 (1912)")
        g = year + 1911
        return YearSpan(calendar, year, None, date(g, 1, 1), date(g, 12, 31))
    if calendar == "thai":
        _check_range("Thai BE", year, THAI_FIRST, 9999,
                     f"Thai BE year {year} is not supported: Buddhist Era years were counted from BE {THAI_FIRST} (1912)")
        g = year - 543
        if year >= THAI_JANUARY_START:
            return YearSpan(calendar, year, None, date(g, 1, 1), date(g, 12, 31))
        if year == THAI_JANUARY_START - 1:
            return YearSpan(calendar, year, None, date(g, 4, 1), date(g, 12, 31))
        return YearSpan(calendar, year, None, date(g, 4, 1), date(g + 1, 3, 31))
    if calendar == "solar-hijri":
        _check_range("Solar Hijri", year, SOLAR_HIJRI_FIRST, SOLAR_HIJRI_LAST,
                     f"Solar Hijri year {year} is not supported: fieldkit handles {SOLAR_HIJRI_FIRST} to "
                     f"{SOLAR_HIJRI_LAST} (1799-2255), where its algorithm is checked")
        return YearSpan(calendar, year, None, _nowruz(year), _nowruz(year + 1) - ONE_DAY)
    if calendar == "japanese":
        return _japanese_span(normalize_era(era), year)
    raise CalendarError(f"unknown calendar {calendar!r}: use one of {', '.join(CALENDARS)}")


def to_gregorian(calendar: str, year: int | str, era: str | None = None) -> YearSpan:
    """The Gregorian date range of `year` in `calendar` (with `era` for Japanese years).

    >>> to_gregorian("juche", 112).start
    datetime.date(2023, 1, 1)
    """
    cal = normalize_calendar(calendar)
    if cal != "japanese" and era is not None:
        raise CalendarError(f"an era only applies to Japanese years, not to {cal}: leave the era out")
    return _span(cal, parse_year(year), era)


def from_gregorian(calendar: str, gregorian_year: int | str) -> list[YearSpan]:
    """Every year of `calendar` that overlaps `gregorian_year`, earliest first.

    A Solar Hijri year straddles two Gregorian years, so most Gregorian years give two
    Solar Hijri years; so does a Japanese era change (1989: Showa 64 and Heisei 1) and
    a Thai year before 1941.
    """
    cal = normalize_calendar(calendar)
    g = parse_year(gregorian_year)
    if not 1 <= g <= 9999:
        raise CalendarError(f"Gregorian year {g} is not supported: give a year from 1 to 9999")
    first, last = date(g, 1, 1), date(g, 12, 31)

    if cal == "japanese":
        candidates = [(era, g - start.year + 1) for era, start in ERAS.items()]
    else:
        guess = {"gregorian": g, "juche": g - 1911, "minguo": g - 1911,
                 "thai": g + 543, "solar-hijri": g - 621}[cal]
        candidates = [(None, y) for y in (guess - 1, guess, guess + 1)]

    spans = []
    refusals = []
    for era, year in candidates:
        try:
            span = _span(cal, year, era)
        except CalendarError as exc:
            refusals.append(str(exc))
            continue
        if span.start <= last and span.end >= first:
            spans.append(span)
    if not spans:
        if cal == "japanese" and 1868 <= g <= 1872:
            raise CalendarError(
                f"Gregorian {g} falls in Meiji 1-5, when Japan used a lunisolar calendar: "
                f"fieldkit converts Japanese years from Meiji 6 (1873)"
            )
        raise CalendarError(f"no {_DISPLAY[cal]} year that fieldkit converts overlaps Gregorian {g}: {refusals[-1]}")
    return sorted(spans, key=lambda s: s.start)


def plausibility_warnings(span: YearSpan, today: date | None = None) -> list[str]:
    """Reasons to doubt a conversion that is arithmetically right, one line each."""
    today = today or date.today()
    warnings = []
    if span.start > today:
        warnings.append(f"{span.label()} begins on {span.start.isoformat()}, after today ({today.isoformat()})")
    if span.calendar == "juche" and span.year < JUCHE_ADOPTED:
        warnings.append(
            f"{span.label()} ({span.start.year}) is before Juche {JUCHE_ADOPTED} (1997), "
            f"when the Juche calendar came into use: check the reading"
        )
    if span.calendar == "solar-hijri" and span.year < SOLAR_HIJRI_LEGAL:
        warnings.append(
            f"{span.label()} is before {SOLAR_HIJRI_LEGAL} (1925), when the Solar Hijri calendar "
            f"became Iran's legal calendar: check the reading"
        )
    if span.calendar == "thai" and span.year < THAI_JANUARY_START:
        warnings.append(
            f"{span.label()} is before BE {THAI_JANUARY_START} (1941), when Thai years began on 1 April: "
            f"the range given assumes that"
        )
    return warnings
