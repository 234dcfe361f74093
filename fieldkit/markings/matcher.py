"""Reading a marking against the reference patterns: ranked candidates, each with its basis.

`match_marking("9М22У 4-23")` returns every pattern in reference/marking_patterns.csv that matches
the normalised text (see normalize.py), best first. A candidate says which pattern matched, what
the named groups captured, what the `year` group means in Gregorian years (through
calendars.to_gregorian with the pattern's calendar), which factory a `factory` or `manufacturer`
code stands for (reference/factory_codes.csv), why it matched, and whether the text had to be
normalised or corrected for OCR confusions to match -- such a match scores lower. `read_marking()`
adds the year readings of years.find_years() and the reference version: what the catalog stores.

Speed: each pattern's longest required literal (found by parsing the regex) indexes it under its
first characters, so a string is only tried against the patterns whose literal it contains, plus the
patterns that have none. See bench/matcher.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fieldkit.errors import CalendarError
from fieldkit.markings.calendars import to_gregorian
from fieldkit.markings.normalize import Normalized, Variant, normalize, ocr_variants
from fieldkit.markings.years import find_years
from fieldkit.reference.tables import FactoryCodeRow, PatternRow, ReferenceTables, get_reference

try:  # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

CONFIDENCE_WORDS = (  # leading words of confidence_notes, most specific first
    ("medium-high", 0.75), ("low-medium", 0.45), ("high", 0.9), ("medium", 0.6), ("low", 0.3),
)
DEFAULT_CONFIDENCE = 0.5
FOLDED_FACTOR = 0.9  # the text needed lookalike folding or transliteration to match
OCR_FACTOR = 0.75  # the text needed OCR-confusion corrections to match
COVERAGE_BONUS = 0.05  # a match covering all of the text gains this much
TRANSLITERATION = str.maketrans({"U": "Y"})  # Latin U for Cyrillic У, as in "9M22U"
SOVIET_LAST_YEAR = 1991
KEY_LEN = 3
MEMO_LIMIT = 100_000


def confidence_of(notes: str) -> float:
    """The pattern's own confidence, from the first word of its confidence_notes."""
    head = notes.strip().lower()
    for word, value in CONFIDENCE_WORDS:
        if head.startswith(word):
            return value
    return DEFAULT_CONFIDENCE


@dataclass(slots=True)
class Candidate:
    """One reading of (part of) a marking by one reference pattern."""

    pattern_id: str
    matched: str  # the text as read
    start: int  # offsets in the text as read
    end: int
    normalised_text: str  # what the regex saw
    fields: dict[str, str]
    years: list[dict[str, Any]]
    factories: list[dict[str, str]]
    basis: str
    normalised: bool
    corrections: list[str]
    score: float
    source: str  # "shipped" or "user"
    country: str = ""
    producer: str = ""
    category: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "pattern_id": self.pattern_id, "matched": self.matched, "start": self.start, "end": self.end,
            "normalised_text": self.normalised_text, "fields": self.fields, "years": self.years,
            "factories": self.factories, "basis": self.basis, "normalised": self.normalised,
            "corrections": self.corrections, "score": self.score, "source": self.source,
            "country": self.country, "producer": self.producer, "category": self.category,
        }

    def summary(self) -> str:
        """One line: pattern, fields and the first year reading."""
        parts = [self.pattern_id]
        fields = ", ".join(f"{k}={v}" for k, v in self.fields.items() if v and k != "year")
        if fields:
            parts.append(fields)
        if self.years:
            parts.append(self.years[0]["label"])
        return " · ".join(parts)


@dataclass
class MarkingReading:
    """Everything read from one marking: pattern candidates, year readings, reference version."""

    text: str
    normalised: str
    candidates: list[Candidate]
    years: list[dict[str, Any]]
    reference_version: str
    year_descriptions: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text, "normalised": self.normalised,
            "candidates": [c.to_json() for c in self.candidates],
            "years": self.years, "reference_version": self.reference_version,
        }


# --- required literals, for the prefilter ------------------------------------------------------

def required_literal(regex: str) -> str:
    """The longest run of characters every match of `regex` must contain ('' if none is certain)."""
    try:
        parsed = sre_parse.parse(regex)
    except Exception:
        return ""
    if parsed.state.flags & re.IGNORECASE:
        return ""
    runs: list[str] = []
    _walk(list(parsed), runs, [""])
    return max(runs, key=len, default="")


def _walk(items: list, runs: list[str], current: list[str]) -> None:
    c = sre_constants
    for op, arg in items:
        if op is c.LITERAL:
            current[0] += chr(arg)
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # consumes nothing: the characters on either side stay adjacent
        elif op is c.SUBPATTERN:
            _walk(list(arg[-1]), runs, current)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] >= 1:
            _flush(runs, current)
            _walk(list(arg[2]), runs, current)
            _flush(runs, current)
        else:
            _flush(runs, current)
    _flush(runs, current)


def _flush(runs: list[str], current: list[str]) -> None:
    if current[0]:
        runs.append(current[0])
    current[0] = ""


# --- the compiled matcher ----------------------------------------------------------------------

@dataclass
class _Compiled:
    row: PatternRow
    regex: re.Pattern[str]
    literal: str
    confidence: float
    source: str


class Matcher:
    """The reference patterns compiled once, with the literal index and factory-code lookup."""

    def __init__(self, tables: ReferenceTables):
        self.tables = tables
        self.patterns: list[_Compiled] = []
        self.by_key: dict[str, list[_Compiled]] = {}
        self.unindexed: list[_Compiled] = []
        self.key_lengths: set[int] = set()
        for row in tables.patterns:
            compiled = _Compiled(row, row.compiled(), required_literal(row.regex),
                                 confidence_of(row.confidence_notes), tables.source_of("patterns", row.key()))
            self.patterns.append(compiled)
            if compiled.literal:
                key = compiled.literal[:KEY_LEN]
                self.by_key.setdefault(key, []).append(compiled)
                self.key_lengths.add(len(key))
            else:
                self.unindexed.append(compiled)
        self.key_set = frozenset(self.by_key)
        self.factories: dict[str, list[FactoryCodeRow]] = {}
        for code in tables.factory_codes:
            self.factories.setdefault(code.code.upper(), []).append(code)
        self.order = {c.row.id: i for i, c in enumerate(self.patterns)}
        self._memo: dict[tuple, list[dict[str, Any]]] = {}  # pure lookups, bounded by MEMO_LIMIT

    def candidates_for(self, text: str) -> list[_Compiled]:
        """The patterns worth trying on `text`: those whose required literal it holds, and the rest."""
        n = len(text)
        keys = {text[i:i + length] for length in self.key_lengths for i in range(n - length + 1)}
        keys &= self.key_set  # set & set walks the smaller one
        if not keys:
            return self.unindexed
        found = [c for key in keys for c in self.by_key[key] if c.literal in text]
        return self.unindexed + found

    def match(self, text: str, today: date | None = None) -> list[Candidate]:
        today = today or date.today()
        norm = normalize(text)
        results: dict[tuple, Candidate] = {}
        seen_spans: set[tuple[str, int, int]] = set()
        for variant in self._variants(norm):
            for compiled in self.candidates_for(variant.text):
                for m in compiled.regex.finditer(variant.text):
                    if m.end() == m.start():
                        continue
                    span_key = (compiled.row.id, m.start(), m.end())
                    if span_key in seen_spans:
                        continue  # already read with fewer changes
                    seen_spans.add(span_key)
                    candidate = self._candidate(compiled, m, norm, variant, today)
                    results[span_key] = candidate
        return sorted(results.values(), key=lambda c: (-c.score, c.start, self.order[c.pattern_id]))

    def _variants(self, norm: Normalized) -> list[Variant]:
        variants = [Variant(norm.text, ())]
        if "U" in norm.text:
            translit = norm.text.translate(TRANSLITERATION)
            changes = tuple((i, "U", "Y") for i, ch in enumerate(norm.text) if ch == "U")
            variants.append(Variant(translit, changes))
        for variant in list(variants):
            for ocr in ocr_variants(variant.text):
                variants.append(Variant(ocr.text, variant.changes + ocr.changes))
        return variants

    def _candidate(self, compiled: _Compiled, m: re.Match[str], norm: Normalized, variant: Variant,
                   today: date) -> Candidate:
        row = compiled.row
        start, end = norm.original_span(m.start(), m.end())
        matched = norm.original[start:end]
        fields = {k: v for k, v in m.groupdict().items() if v is not None}
        translit: list[str] = []
        ocr: list[str] = []
        for i, a, b in variant.changes:
            if m.start() <= i < m.end():
                if (a, b) == ("U", "Y"):
                    translit.append(f"Latin {a} read as Cyrillic У ({b})")
                else:
                    ocr.append(f"{a} read as {b} (OCR confusion)")
        folded = bool(translit) or _folded(matched, m.group(0))
        score = compiled.confidence * (FOLDED_FACTOR if folded else 1.0) * (OCR_FACTOR if ocr else 1.0)
        coverage = (m.end() - m.start()) / max(len(norm.text), 1)
        score = round(score + COVERAGE_BONUS * coverage, 3)
        basis = [f"matches pattern {row.id} ({row.description or row.category})"]
        if folded and not translit:
            basis.append("after folding lookalike letters, case, spaces or dashes")
        basis += translit + ocr
        years = self._years(row, fields.get("year"), today)
        factories = self._factories(row, fields)
        return Candidate(
            pattern_id=row.id, matched=matched, start=start, end=end, normalised_text=m.group(0),
            fields=fields, years=years, factories=factories, basis="; ".join(basis),
            normalised=folded or bool(ocr), corrections=translit + ocr, score=score, source=compiled.source,
            country=row.country, producer=row.producer, category=row.category,
        )

    def _years(self, row: PatternRow, value: str | None, today: date) -> list[dict[str, Any]]:
        if not value:
            return []
        key = ("years", row.id, value, today)
        if key not in self._memo:
            if len(self._memo) > MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = _year_readings(row, value, today)
        return [dict(y) for y in self._memo[key]]

    def _factories(self, row: PatternRow, fields: dict[str, str]) -> list[dict[str, str]]:
        key = ("factories", row.id, fields.get("factory"), fields.get("manufacturer"), fields.get("serial"))
        if key not in self._memo:
            if len(self._memo) > MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = self._lookup_factories(row, fields)
        return [dict(f) for f in self._memo[key]]

    def _lookup_factories(self, row: PatternRow, fields: dict[str, str]) -> list[dict[str, str]]:
        codes = [fields[g] for g in ("factory", "manufacturer") if fields.get(g)]
        serial = fields.get("serial")
        if serial:
            prefix = re.match(r"\D+", serial)
            if prefix:
                codes.append(prefix.group(0))
        found = []
        for code in codes:
            rows = self.factories.get(code.upper(), [])
            same_country = [r for r in rows if not row.country or r.country == row.country]
            for r in same_country or rows:
                note = "" if r in same_country else f" (listed for {r.country}, the pattern is {row.country})"
                found.append({"code": r.code, "country": r.country, "factory": r.factory + note, "source": r.source})
        return found


def _folded(as_read: str, seen: str) -> bool:
    """Did the regex see anything but the text as read, up to case, spacing and dashes?"""
    if as_read.upper() == seen:
        return False
    plain = re.sub(r"\s+", " ", as_read.strip()).upper()
    if len(plain) != len(seen):
        return True
    for a, b in zip(plain, seen):
        if a != b and not (b == "-" and a in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043"):
            return True
    return False


def _year_readings(row: PatternRow, value: str | None, today: date) -> list[dict[str, Any]]:
    """The Gregorian years a `year` group stands for under the pattern's calendar, each with basis."""
    if not value or not row.year_calendar:
        return []
    digits = int(value)
    if row.year_calendar == "gregorian2":
        options = []
        for century in (2000, 1900):
            year = century + digits
            if year > today.year:
                continue
            if row.country == "SU" and year > SOVIET_LAST_YEAR:
                continue
            options.append(year)
        readings = []
        for year in options:
            basis = f"two-digit year {value} of pattern {row.id}"
            if len(options) > 1:
                basis += f"; {options[0]} and {options[1]} are both possible"
            elif row.country == "SU":
                basis += "; SU (Soviet Union) production ended in 1991, so 19" + f"{digits:02d}"
            else:
                basis += f"; 20{digits:02d} is in the future"
            readings.append(_span_json("gregorian", year, basis))
        return readings
    try:
        span = to_gregorian(row.year_calendar, digits)
    except CalendarError as exc:
        return [{"calendar": row.year_calendar, "year": digits, "label": f"{row.year_calendar} {digits}",
                 "basis": f"not a valid year: {exc}"}]
    basis = f"{row.year_calendar} year {value} of pattern {row.id}"
    if span.start > today:
        basis += f"; in the future (after {today.isoformat()})"
    data = span.to_json()
    data.update({"label": f"{span.label()} = {span.gregorian_text()}", "basis": basis})
    return [data]


def _span_json(calendar: str, year: int, basis: str) -> dict[str, Any]:
    span = to_gregorian(calendar, year)
    data = span.to_json()
    data.update({"label": span.gregorian_text(), "basis": basis})
    return data


def matcher_for(tables: ReferenceTables | None = None) -> Matcher:
    """The compiled matcher for `tables` (default: the process's loaded tables), built once."""
    tables = tables or get_reference()
    if "matcher" not in tables._cache:
        tables._cache["matcher"] = Matcher(tables)
    return tables._cache["matcher"]


def match_marking(text: str, tables: ReferenceTables | None = None, *, today: date | None = None) -> list[Candidate]:
    """Every reference pattern that matches `text`, best first."""
    return matcher_for(tables).match(text, today)


def read_marking(text: str, tables: ReferenceTables | None = None, *, today: date | None = None) -> MarkingReading:
    """The pattern candidates and the year readings of a marking, stamped with the reference version."""
    tables = tables or get_reference()
    candidates = match_marking(text, tables, today=today)
    years = find_years(text, today) if today else find_years(text)
    return MarkingReading(
        text=text, normalised=normalize(text).text, candidates=candidates,
        years=[{**y.to_json(), "describe": y.describe()} for y in years],
        reference_version=tables.version, year_descriptions=[y.describe() for y in years],
    )
