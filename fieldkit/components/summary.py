"""What the components of an item (or the whole catalog) say: how many, whose, from where, and when.

`summarize(catalog, ref=None)` answers, counting each component's quantity:

- parts; distinct firms (brands folded through the manufacturers table, so "TI", "Texas
  Instruments" and "TEXAS INSTR." are one firm); distinct countries (ISO 3166-1 alpha-2);
- the share of parts by country and by firm (of all parts, so unattributed parts lower every share);
- dated parts and their date codes by year. A date code is a period (see catalog.components);
  it is counted in the year it names (`code_year`), or as "year uncertain" when its readings
  span more than a year (a YWW code may be any decade);
- the newest date code: the one whose period starts last, where a code's period runs from the
  earliest start of any of its readings. `assembled_not_before` is the first day of that period:
  the item cannot have been assembled before its newest part was made, and under this rule that
  holds whichever reading of each code is right.

The counting is done by SQLite (GROUP BY over the covering indexes of migration m003); Python only
folds the resulting groups, so a catalog of a million components is summarised in well under a second.

`Summary.report_line()` says it in one line:
"290 components from 26 firms in 8 countries; US 75.5%, ...; newest date code 2310 (week of
2023-03-06): assembled no earlier than 2023-03-06".
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fieldkit.catalog.db import Catalog
from fieldkit.catalog.items import get_item
from fieldkit.components.attribution import ManufacturerIndex, default_index, name_key
from fieldkit.components.countries import country_name
from fieldkit.export.csv import guard_cell
from fieldkit.markings.digits import ascii_digits
from fieldkit.safe_text import visible

MAX_PERIOD_DAYS_FOR_A_YEAR = 366
# The rows that make the shares by country and by firm add up to 100%: parts with no country, no firm.
UNKNOWN_COUNTRY = "country unknown"
UNKNOWN_FIRM = "firm unknown"


@dataclass(frozen=True)
class CountryShare:
    country: str
    name: str
    parts: int
    share: float

    def to_json(self) -> dict[str, Any]:
        return {"country": self.country, "name": self.name, "parts": self.parts, "share": round(self.share, 4)}


@dataclass(frozen=True)
class FirmShare:
    firm_id: str | None  # the manufacturers-table id, None for a firm not in the table
    firm: str
    country: str | None  # where most of its parts are attributed
    parts: int
    share: float

    def to_json(self) -> dict[str, Any]:
        return {"firm_id": self.firm_id, "firm": self.firm, "country": self.country,
                "parts": self.parts, "share": round(self.share, 4)}


@dataclass(frozen=True)
class NewestCode:
    code: str
    start: date
    end: date
    part_number: str
    manufacturer: str | None

    def period(self) -> str:
        """"week of 2023-03-06", "March 2023", or "2023-03-05 to 2023-03-12"."""
        days = (self.end - self.start).days
        if days == 6:
            return f"week of {self.start.isoformat()}"
        if self.start.day == 1 and (self.end.month, self.end.year) == (self.start.month, self.start.year) and days >= 27:
            return f"{self.start:%B %Y}"
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "period": self.period(), "part_number": self.part_number, "manufacturer": self.manufacturer}


@dataclass
class Summary:
    """The counts for one item (`ref`) or the whole catalog (`ref` None)."""

    ref: str | None
    parts: int = 0
    by_country: list[CountryShare] = field(default_factory=list)
    by_firm: list[FirmShare] = field(default_factory=list)
    unattributed_parts: int = 0  # no manufacturer
    parts_without_country: int = 0
    dated_parts: int = 0
    by_year: list[tuple[int, int]] = field(default_factory=list)  # (year, parts), oldest first
    uncertain_year_parts: int = 0
    newest: NewestCode | None = None

    @property
    def firms(self) -> int:
        return len(self.by_firm)

    @property
    def countries(self) -> int:
        return len(self.by_country)

    @property
    def undated_parts(self) -> int:
        return self.parts - self.dated_parts

    @property
    def assembled_not_before(self) -> date | None:
        return self.newest.start if self.newest else None

    def most_date_codes(self) -> tuple[int, int, int] | None:
        """(first year, last year, parts): the shortest run of years holding most (over half) of the dated parts.

        Of runs equally short, the one with the most parts, then the latest. None when no run of
        years holds a majority (e.g. when most codes could be of any decade).
        """
        if not self.by_year:
            return None
        counts = dict(self.by_year)
        total = self.dated_parts
        years = range(min(counts), max(counts) + 1)
        best = None
        for first in years:
            running = 0
            for last in range(first, years.stop):
                running += counts.get(last, 0)
                if 2 * running > total:
                    candidate = (last - first, -running, -first)
                    if best is None or candidate < best[0]:
                        best = (candidate, (first, last, running))
                    break
        return best[1] if best else None

    def report_line(self, *, top: int = 8) -> str:
        """One line for a report: counts, shares by country, the date-code window and what it implies."""
        if not self.parts:
            return "no components recorded" + (f" for {self.ref}" if self.ref else "")
        noun = "component" if self.parts == 1 else "components"
        line = (f"{self.parts} {noun} from {self.firms} firm{'s' if self.firms != 1 else ''} "
                f"in {self.countries} countr{'ies' if self.countries != 1 else 'y'}")
        shares = [f"{c.country} {c.share * 100:.1f}%" for c in self.by_country[:top]]
        if len(self.by_country) > top:
            shares.append(f"{len(self.by_country) - top} more")
        if self.parts_without_country:
            shares.append(f"country unknown {self.parts_without_country / self.parts * 100:.1f}%")
        if shares:
            line += "; " + ", ".join(shares)
        if self.dated_parts:
            line += f"; {self.dated_parts} dated"
            window = self.most_date_codes()
            if window and window[0] != window[1]:
                line += f", most {window[0]}–{window[1]}"
            elif window:
                line += f", most {window[0]}"
        if self.newest:
            line += (f"; newest date code {self.newest.code} ({self.newest.period()}): "
                     f"assembled no earlier than {self.newest.start.isoformat()}")
        else:
            line += "; no date codes"
        return line

    def to_json(self) -> dict[str, Any]:
        window = self.most_date_codes()
        return {
            "scope": self.ref or "catalog",
            "parts": self.parts,
            "firms": self.firms,
            "countries": self.countries,
            "by_country": [c.to_json() for c in self.by_country],
            "by_firm": [f.to_json() for f in self.by_firm],
            "unattributed_parts": self.unattributed_parts,
            "parts_without_country": self.parts_without_country,
            "dated_parts": self.dated_parts,
            "undated_parts": self.undated_parts,
            "date_code_years": [{"year": y, "parts": n} for y, n in self.by_year],
            "uncertain_year_parts": self.uncertain_year_parts,
            "most_date_codes": {"from": window[0], "to": window[1], "parts": window[2]} if window else None,
            "newest_date_code": self.newest.to_json() if self.newest else None,
            "assembled_not_before": self.assembled_not_before.isoformat() if self.newest else None,
            "report": self.report_line(),
        }

    def to_csv(self) -> str:
        """The summary as one CSV table: section (total, country, firm, year), key, name, country, parts, share.

        Spreadsheet-safe, as `export csv` is: a text cell that would run as a formula is guarded,
        after control and bidirectional characters are escaped, so the guard sees the bytes printed.
        """
        rows = [["total", self.ref or "catalog", self.report_line(), "", self.parts, "1.0" if self.parts else ""]]
        rows += [["country", c.country, c.name, c.country, c.parts, f"{c.share:.4f}"] for c in self.by_country]
        if self.parts_without_country:
            rows.append(["country", "", UNKNOWN_COUNTRY, "", self.parts_without_country,
                         f"{self.parts_without_country / self.parts:.4f}"])
        rows += [["firm", f.firm_id or "", f.firm, f.country or "", f.parts, f"{f.share:.4f}"] for f in self.by_firm]
        if self.unattributed_parts:
            rows.append(["firm", "", UNKNOWN_FIRM, "", self.unattributed_parts, f"{self.unattributed_parts / self.parts:.4f}"])
        for year, parts in self.by_year:
            share = f"{parts / self.dated_parts:.4f}" if self.dated_parts else ""
            rows.append(["date_code_year", year, str(year), "", parts, share])
        if self.uncertain_year_parts:
            rows.append(["date_code_year", "", "year uncertain", "", self.uncertain_year_parts, ""])
        if self.newest:
            rows.append(["assembled_not_before", self.newest.code, self.newest.start.isoformat(), "", "", ""])
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["section", "key", "name", "country", "parts", "share"])
        writer.writerows([guard_cell(visible(cell) if isinstance(cell, str) else cell) for cell in row] for row in rows)
        return out.getvalue()


def _scope(catalog: Catalog, ref: str | None) -> tuple[str, list[Any]]:
    if ref is None:
        return "", []
    return " AND item_id = ?", [get_item(catalog, ref)["id"]]


def summarize(catalog: Catalog, ref: str | None = None, *, index: ManufacturerIndex | None = None) -> Summary:
    """The summary of item `ref`'s components, or of every component in the catalog."""
    index = index or default_index()
    where, params = _scope(catalog, ref)
    summary = Summary(ref)
    db = catalog.db

    firm_parts: dict[str, int] = {}
    firm_names: dict[str, tuple[str | None, str]] = {}
    firm_countries: dict[str, dict[str, int]] = {}
    country_parts: dict[str, int] = {}
    groups = db.execute(
        f"SELECT manufacturer, country, SUM(quantity) FROM components WHERE 1{where} GROUP BY manufacturer, country",
        params,
    )
    for manufacturer, country, parts in groups:
        summary.parts += parts
        if country:
            country_parts[country] = country_parts.get(country, 0) + parts
        else:
            summary.parts_without_country += parts
        if not manufacturer:
            summary.unattributed_parts += parts
            continue
        key, firm_id, display = _firm(index, manufacturer)
        firm_parts[key] = firm_parts.get(key, 0) + parts
        firm_names.setdefault(key, (firm_id, display))
        if country:
            counts = firm_countries.setdefault(key, {})
            counts[country] = counts.get(country, 0) + parts

    total = summary.parts or 1
    summary.by_country = sorted(
        (CountryShare(code, country_name(code), parts, parts / total) for code, parts in country_parts.items()),
        key=lambda c: (-c.parts, c.country),
    )
    summary.by_firm = sorted(
        (
            FirmShare(firm_names[key][0], firm_names[key][1],
                      max(firm_countries[key].items(), key=lambda kv: (kv[1], kv[0]))[0] if key in firm_countries else None,
                      parts, parts / total)
            for key, parts in firm_parts.items()
        ),
        key=lambda f: (-f.parts, f.firm.casefold()),
    )

    years: dict[int, int] = {}
    newest: tuple[str, str] | None = None
    periods = db.execute(
        f"SELECT date_start, date_end, date_code, SUM(quantity) FROM components WHERE date_start IS NOT NULL{where} "
        "GROUP BY date_start, date_end, date_code",
        params,
    )
    for start_text, end_text, code, parts in periods:
        summary.dated_parts += parts
        if newest is None or (start_text, end_text) > newest:
            newest = (start_text, end_text)
        year = code_year(code or "", date.fromisoformat(start_text), date.fromisoformat(end_text))
        if year is None:
            summary.uncertain_year_parts += parts
        else:
            years[year] = years.get(year, 0) + parts
    summary.by_year = sorted(years.items())
    if newest is not None:
        code, part, manufacturer = db.execute(
            f"SELECT date_code, part_number, manufacturer FROM components WHERE date_start = ? AND date_end = ?{where} "
            "ORDER BY date_code LIMIT 1",
            [*newest, *params],
        ).fetchone()
        summary.newest = NewestCode(code, date.fromisoformat(newest[0]), date.fromisoformat(newest[1]), part, manufacturer)
    return summary


def code_year(code: str, start: date, end: date) -> int | None:
    """The year a date code names, given the period it was read as; None if its readings span years.

    A week code's period may cross New Year (ISO week 1 of 2020 begins 2019-12-30; Microchip's
    week 1 of 2021 begins 2020-12-27): the year is then the one whose digits the code begins with.
    """
    if (end - start).days >= MAX_PERIOD_DAYS_FOR_A_YEAR:
        return None
    if start.year == end.year:
        return start.year
    lead = re.match(r"[0-9]*", ascii_digits(code.strip())).group()
    for year in (start.year, end.year):
        if len(lead) >= 4 and lead.startswith(f"{year % 100:02d}"):
            return year
        if 1 <= len(lead) <= 3 and lead[0] == str(year % 10):
            return year
    return date.fromordinal((start.toordinal() + end.toordinal()) // 2).year  # the Thursday of an ISO week


def _firm(index: ManufacturerIndex, manufacturer: str) -> tuple[str, str | None, str]:
    """(grouping key, manufacturers-table id or None, name to show) for a stored manufacturer."""
    found = index.by_brand(manufacturer)
    if len(found) == 1:
        return "id:" + found[0].firm_id, found[0].firm_id, found[0].firm
    return "name:" + (name_key(manufacturer) or manufacturer), None, manufacturer
