"""Reading a marking against the reference patterns: ranked candidates, each with its basis.

`match_marking("9М22У 4-23")` returns every pattern in reference/marking_patterns.csv that matches
the normalised text (see normalize.py), best first. A candidate says which pattern matched, what
the named groups captured, what the `year` group means in Gregorian years (through
calendars.to_gregorian with the pattern's calendar), which factory a `factory` or `manufacturer`
code stands for (reference/factory_codes.csv), why it matched, and whether the text had to be
normalised or corrected for OCR confusions to match -- such a match scores lower (as does a Soviet IC
type number typed in Latin letters, offered only with its К prefix: markings/soviet_ic.py). `read_marking()`
adds the year readings of years.find_years() and the reference version: what the catalog stores.

Speed: match() finds exactly the candidates that trying every pattern on every reading would (the
text, its U-as-Y transliteration, their OCR variants), but skips work that cannot add one -- see
Matcher: a prefilter on each pattern's required literals (found by parsing the regex), no re-run of
a pattern that treats U and Y alike on a transliterated reading, and `search` before `finditer`.
tests/test_matcher.py checks the equality against such a reference; bench/matcher.py measures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from fieldkit.errors import CalendarError
from fieldkit.markings import soviet_ic
from fieldkit.markings.calendars import to_gregorian
from fieldkit.markings.normalize import Normalized, normalize, ocr_variants
from fieldkit.markings.years import find_years
from fieldkit.reference.plain import ReferenceTables

if TYPE_CHECKING:  # the validated rows; plain rows (fieldkit.reference.plain) have the same columns
    from fieldkit.reference.tables import FactoryCodeRow, PatternRow

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
FEW_LITERALS = 100  # up to this many distinct required literals, index them by first character
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
        elif op is c.SUBPATTERN and not arg[1] & re.IGNORECASE:  # (?i:...) literals match any case
            _walk(list(arg[-1]), runs, current)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] >= 1:
            _flush(runs, current)
            _walk(list(arg[2]), runs, current)
            _flush(runs, current)
        else:
            _flush(runs, current)
    _flush(runs, current)


SMALL_CLASS = 4  # a class of up to this many characters, like [X×], can stand for its characters


def required_literals(regex: str) -> tuple[str, ...]:
    """Strings of which every match of `regex` contains at least one (() if none is certain).

    The required literal if there is one; otherwise, where every match must pass through a group of
    alternatives each with its own required literal (`KN-?2[34]|HWASONG`: "KN" or "HWASONG") or
    through a small class of characters (`[X×]`: "X" or "×"), those. Of several such choices, the
    one whose shortest string is longest, then the one with fewest strings.
    """
    literal = required_literal(regex)
    if literal:
        return (literal,)
    try:
        parsed = sre_parse.parse(regex)
    except Exception:
        return ()
    if parsed.state.flags & re.IGNORECASE:
        return ()
    return _best(_requirements(list(parsed)))


def _requirements(items: list) -> list[tuple[str, ...]]:
    """For a parsed sequence: sets of strings, every match of the sequence containing one of each."""
    c = sre_constants
    runs: list[str] = []
    _walk(items, runs, [""])
    found = [(run,) for run in runs]
    for op, arg in items:
        if op is c.SUBPATTERN and not arg[1] & re.IGNORECASE:
            found += _requirements(list(arg[-1]))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] >= 1:
            found += _requirements(list(arg[2]))
        elif op is c.BRANCH:
            per_alternative = [_best(_requirements(list(alternative))) for alternative in arg[1]]
            if all(per_alternative):
                found.append(tuple(sorted(set().union(*per_alternative))))
        elif op is c.IN and 1 < len(arg) <= SMALL_CLASS and all(o is c.LITERAL for o, _ in arg):
            found.append(tuple(sorted(chr(code) for _, code in arg)))
    return found


def _best(requirements: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The requirement whose shortest string is longest (rarer in text), then with fewest strings."""
    return max(requirements, key=lambda strings: (min(map(len, strings)), -len(strings)), default=())


def _flush(runs: list[str], current: list[str]) -> None:
    if current[0]:
        runs.append(current[0])
    current[0] = ""


# --- characters a pattern cannot tell apart, to skip transliterated variants -------------------

def tells_apart(regex: str, a: str, b: str) -> bool:
    """Could `regex` behave differently on a text with `a` at some position than with `b` there?

    False only when every test the regex makes on a character -- literals, classes, \\d \\w \\s, `.`,
    word boundaries and anchors -- gives the same answer for `a` and `b`. The regex engine then takes
    exactly the same steps on two texts that differ only by a/b swaps, so it finds the same matches at
    the same offsets. Whatever this walk does not know (back-references, case-insensitive flags, an
    unparseable regex) counts as telling them apart, which only costs speed.
    """
    try:
        parsed = sre_parse.parse(regex)
    except Exception:
        return True
    if parsed.state.flags & (re.IGNORECASE | re.LOCALE):
        return True
    try:
        return _tells_apart(list(parsed), a, b)
    except _Unknown:
        return True


class _Unknown(Exception):
    """A regex construct tells_apart() does not reason about."""


_CATEGORY_TESTS = {
    sre_constants.CATEGORY_DIGIT: re.compile(r"\d"), sre_constants.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    sre_constants.CATEGORY_SPACE: re.compile(r"\s"), sre_constants.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    sre_constants.CATEGORY_WORD: re.compile(r"\w"), sre_constants.CATEGORY_NOT_WORD: re.compile(r"\W"),
}
_WORD = re.compile(r"\w")


def _tells_apart(items: list, a: str, b: str) -> bool:
    c = sre_constants
    for op, arg in items:
        if op in (c.LITERAL, c.NOT_LITERAL):
            if (chr(arg) == a) != (chr(arg) == b):
                return True
        elif op is c.ANY:
            if (a == "\n") != (b == "\n"):
                return True
        elif op is c.IN:
            if _in_class(arg, a) != _in_class(arg, b):
                return True
        elif op is c.AT:  # anchors and \b look only at newlines and at word characters
            if "\n" in (a, b) or bool(_WORD.match(a)) != bool(_WORD.match(b)):
                return True
        elif op is c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = arg
            if add_flags & (re.IGNORECASE | re.LOCALE) or _tells_apart(list(sub), a, b):
                return True
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            if _tells_apart(list(arg[2]), a, b):
                return True
        elif op is c.BRANCH:
            if any(_tells_apart(list(alt), a, b) for alt in arg[1]):
                return True
        elif op in (c.ASSERT, c.ASSERT_NOT):
            if _tells_apart(list(arg[1]), a, b):
                return True
        elif op is c.ATOMIC_GROUP:
            if _tells_apart(list(arg), a, b):
                return True
        elif op is c.GROUPREF_EXISTS:  # the condition is decided by the (identical) steps so far
            _group, yes, no = arg
            if _tells_apart(list(yes), a, b) or (no is not None and _tells_apart(list(no), a, b)):
                return True
        else:  # back-references compare text, and anything else is unknown here
            raise _Unknown(op)
    return False


def _in_class(items: list, ch: str) -> bool:
    """Does the parsed character class `[...]` match `ch`?"""
    c = sre_constants
    negate, hit = False, False
    for op, arg in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            hit = hit or ch == chr(arg)
        elif op is c.RANGE:
            hit = hit or arg[0] <= ord(ch) <= arg[1]
        elif op is c.CATEGORY and arg in _CATEGORY_TESTS:
            hit = hit or bool(_CATEGORY_TESTS[arg].match(ch))
        else:
            raise _Unknown(op)
    return hit != negate


# --- the compiled matcher ----------------------------------------------------------------------

@dataclass
class _Compiled:
    row: PatternRow
    regex: re.Pattern[str]
    literals: tuple[str, ...]  # every match contains one of these (required_literals); () if unknown
    confidence: float
    source: str
    tells_u_from_y: bool  # only these are tried on transliterated readings (Matcher, shortcut 2)


@dataclass(slots=True)
class _Reading:
    """One text the patterns are run on: the normalised text, or a transliterated/OCR-corrected variant.

    `twin` is the index (in Matcher._variants) of an earlier reading with the same text except that
    every transliterated Y is still a U; None for readings without transliteration.
    """

    text: str
    changes: tuple[tuple[int, str, str], ...]  # (offset in the normalised text, read, taken as)
    twin: int | None = None


class Matcher:
    """The reference patterns compiled once, with the literal index and factory-code lookup.

    match() gives the same candidates, in the same order, as trying every pattern on every reading
    (tests/test_matcher.py checks this against such a reference); three shortcuts skip only work
    that cannot add a candidate:

    1. the literal prefilter (candidates_for): a pattern none of whose required literals is in the
       text cannot match it;
    2. a pattern that treats U and Y alike (tells_apart; most do: [A-Z], \\w) finds on a
       transliterated reading exactly the spans it found on the reading's untransliterated twin,
       which was tried earlier, and a span already seen is never read again;
    3. `regex.search` first: only a pattern that matches somewhere pays for finditer.
    """

    def __init__(self, tables: ReferenceTables):
        self.tables = tables
        self.patterns: list[_Compiled] = []
        self.by_literal: dict[str, list[int]] = {}  # required literal -> its patterns' indices
        self.unindexed: list[_Compiled] = []  # no required literal: tried on every text
        for row in tables.patterns:
            compiled = _Compiled(row, row.compiled(), required_literals(row.regex),
                                 confidence_of(row.confidence_notes), tables.source_of("patterns", row.key()),
                                 tells_apart(row.regex, "U", "Y"))
            for literal in compiled.literals:
                self.by_literal.setdefault(literal, []).append(len(self.patterns))
            if not compiled.literals:
                self.unindexed.append(compiled)
            self.patterns.append(compiled)
        # Index the literals by their first character, or by their first KEY_LEN characters when
        # there are so many that one character would leave long lists to check (see candidates_for).
        self.key_len = 1 if len(self.by_literal) <= FEW_LITERALS else KEY_LEN
        self.by_key: dict[str, list[str]] = {}
        for literal in self.by_literal:
            self.by_key.setdefault(literal[:self.key_len], []).append(literal)
        self.key_set = frozenset(self.by_key)
        self.longer_key_lengths = sorted({len(key) for key in self.by_key} - {1})
        self.factories: dict[str, list[FactoryCodeRow]] = {}
        for code in tables.factory_codes:
            self.factories.setdefault(code.code.upper(), []).append(code)
        self.order = {c.row.id: i for i, c in enumerate(self.patterns)}
        self._memo: dict[tuple, list[dict[str, Any]]] = {}  # pure lookups, bounded by MEMO_LIMIT

    def candidates_for(self, text: str) -> list[_Compiled]:
        """The patterns worth trying on `text`: those with a required literal in it, and the rest.

        Invariant: every match of a pattern contains one of the pattern's required literals, so a
        pattern with none of them in `text` cannot match it. A literal in `text` has its key (its
        first character, or first KEY_LEN characters) in `text`, so only the literals under keys
        found in `text` need checking.
        """
        keys = self.key_set.intersection(text)  # the one-character keys in text
        if self.longer_key_lengths:
            n = len(text)
            keys |= self.key_set.intersection(
                [text[i:i + length] for length in self.longer_key_lengths for i in range(n - length + 1)])
        literals = [literal for key in keys for literal in self.by_key[key] if literal in text]
        if not literals:
            return self.unindexed
        # Each pattern once (it may have several of the literals), in table order.
        found = sorted({i for literal in literals for i in self.by_literal[literal]})
        return self.unindexed + [self.patterns[i] for i in found]

    def match(self, text: str, today: date | None = None) -> list[Candidate]:
        today = today or date.today()
        norm = normalize(text)
        results: dict[tuple[str, int, int], Candidate] = {}
        for reading in self._variants(norm):
            text_read, has_twin = reading.text, reading.twin is not None
            for compiled in self.candidates_for(text_read):
                if has_twin and not compiled.tells_u_from_y:
                    continue  # same spans as on the twin, already tried (shortcut 2)
                if compiled.regex.search(text_read) is None:
                    continue  # (shortcut 3)
                for m in compiled.regex.finditer(text_read):
                    if m.end() == m.start():
                        continue
                    span_key = (compiled.row.id, m.start(), m.end())
                    if span_key in results:
                        continue  # already read with fewer changes
                    candidate = self._candidate(compiled, m, norm, reading, today)
                    if candidate is not None:
                        results[span_key] = candidate
        return sorted(results.values(), key=lambda c: (-c.score, c.start, self.order[c.pattern_id]))

    def withheld(self, text: str) -> list[str]:
        """The words of `text` with the Soviet IC type number's shape that match() does not offer
        as one (no Cyrillic letter, no К prefix: fieldkit.markings.soviet_ic), as typed."""
        norm, found = normalize(text), []
        for compiled in self.patterns:
            if compiled.row.id != soviet_ic.ROW_ID:
                continue
            for m in compiled.regex.finditer(norm.text):
                start, end = norm.original_span(*m.span())
                word = norm.original[start:end]
                if m.end() > m.start() and not soviet_ic.has_cyrillic(word) and not soviet_ic.has_prefix(m.group(0)):
                    found.append(word)
        return found

    def _variants(self, norm: Normalized) -> list[_Reading]:
        """The normalised text, its transliteration (U as Y), then the OCR variants of each, in that order.

        OCR corrections never read or write U or Y, and ocr_variants() treats them alike (letters,
        not lookalikes), so the OCR variants of the transliteration are those of the normalised
        text, transliterated: each has the untransliterated one as its twin.
        """
        base = _Reading(norm.text, ())
        ocr = [_Reading(v.text, v.changes) for v in ocr_variants(norm.text)]
        if "U" not in norm.text:
            return [base, *ocr]
        uy_changes = tuple((i, "U", "Y") for i, ch in enumerate(norm.text) if ch == "U")
        translit = _Reading(norm.text.translate(TRANSLITERATION), uy_changes, twin=0)
        ocr_translit = [_Reading(r.text.translate(TRANSLITERATION), uy_changes + r.changes, twin=2 + k)
                        for k, r in enumerate(ocr)]  # ocr[k] is readings[2 + k]
        return [base, translit, *ocr, *ocr_translit]

    def _candidate(self, compiled: _Compiled, m: re.Match[str], norm: Normalized, variant: _Reading,
                   today: date) -> Candidate | None:
        """The candidate for one match, or None for a Soviet IC type number in Latin letters without
        the К prefix (fieldkit.markings.soviet_ic: a Latin lot code fits that pattern's shape)."""
        row = compiled.row
        m_start, m_end = m.span()
        start, end = norm.original_span(m_start, m_end)
        matched = norm.original[start:end]
        script: list[str] = []
        if row.id == soviet_ic.ROW_ID and not soviet_ic.has_cyrillic(matched):
            if not soviet_ic.has_prefix(m.group(0)):
                return None
            script.append(soviet_ic.latin_read_as_cyrillic(m.group(0)))
        fields = {k: v for k, v in m.groupdict().items() if v is not None}
        translit: list[str] = []
        ocr: list[str] = []
        for i, a, b in variant.changes:
            if m_start <= i < m_end:
                if (a, b) == ("U", "Y"):
                    translit.append(f"Latin {a} read as Cyrillic У ({b})")
                else:
                    ocr.append(f"{a} read as {b} (OCR confusion)")
        translit += script
        folded = bool(translit) or _folded(matched, m.group(0))
        score = compiled.confidence * (FOLDED_FACTOR if folded else 1.0) * (OCR_FACTOR if ocr else 1.0)
        coverage = (m_end - m_start) / max(len(norm.text), 1)
        score = round(score + COVERAGE_BONUS * coverage, 3)
        basis = [f"matches pattern {row.id} ({row.description or row.category})"]
        if folded and not translit:
            basis.append("after folding lookalike letters, case, spaces or dashes")
        basis += translit + ocr
        if script:
            basis.append(soviet_ic.offered_by_prefix(matched))
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
        if not (fields.get("factory") or fields.get("manufacturer") or fields.get("serial")):
            return []  # no code to look up (what _lookup_factories would find)
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


_WHITESPACE = re.compile(r"\s+")


def _folded(as_read: str, seen: str) -> bool:
    """Did the regex see anything but the text as read, up to case, spacing and dashes?"""
    if as_read.upper() == seen:
        return False
    plain = _WHITESPACE.sub(" ", as_read.strip()).upper()
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


def _validated() -> ReferenceTables:
    from fieldkit.reference.tables import get_reference

    return get_reference()


def matcher_for(tables: ReferenceTables | None = None) -> Matcher:
    """The compiled matcher for `tables` (default: the process's loaded tables), built once."""
    tables = tables or _validated()
    if "matcher" not in tables._cache:
        tables._cache["matcher"] = Matcher(tables)
    return tables._cache["matcher"]


def match_marking(text: str, tables: ReferenceTables | None = None, *, today: date | None = None) -> list[Candidate]:
    """Every reference pattern that matches `text`, best first."""
    return matcher_for(tables).match(text, today)


def read_marking(text: str, tables: ReferenceTables | None = None, *, today: date | None = None) -> MarkingReading:
    """The pattern candidates and the year readings of a marking, stamped with the reference version."""
    tables = tables or _validated()
    candidates = match_marking(text, tables, today=today)
    years = find_years(text, today) if today else find_years(text)
    return MarkingReading(
        text=text, normalised=normalize(text).text, candidates=candidates,
        years=[{**y.to_json(), "describe": y.describe()} for y in years],
        reference_version=tables.version,
    )


def candidate_lines(rank: int, c: dict[str, Any], indent: str = "  ") -> list[str]:
    """One candidate of a reading (its JSON form) as `fieldkit match` prints it: pattern, score,
    what it matched, then its fields, years, factories and basis."""
    flag = " (normalised)" if c["normalised"] else ""
    src = "" if c["source"] == "shipped" else f" [{c['source']} table]"
    lines = [f"{indent}{rank}. {c['pattern_id']}  score {c['score']}{flag}{src}  matched {c['matched']!r}"]
    if c["fields"]:
        lines.append(f"{indent}   fields: " + ", ".join(f"{k}={v}" for k, v in c["fields"].items()))
    lines += [f"{indent}   year: {y['label']} ({y['basis']})" for y in c["years"]]
    lines += [f"{indent}   factory {f['country']} {f['code']}: {f['factory']}" for f in c["factories"]]
    lines.append(f"{indent}   basis: {c['basis']}")
    return lines


def reading_lines(reading: dict[str, Any]) -> list[str]:
    """A reading (its JSON form) as `fieldkit match` and `fieldkit marking show` print it: every
    pattern candidate, ranked, then every year reading."""
    lines = ["patterns:"] if reading["candidates"] else ["patterns: none match"]
    for i, c in enumerate(reading["candidates"], 1):
        lines += candidate_lines(i, c)
    if reading["years"]:
        lines.append("years:")
        lines += [f"  {y['describe']}  score {y['score']}" for y in reading["years"]]
    return lines


def withheld_json(text: str, tables: ReferenceTables | None = None) -> list[dict[str, str]]:
    """Each word of `text` that has the Soviet IC type number's shape but is not offered as one,
    with the reason (fieldkit.markings.soviet_ic.not_offered): `fieldkit match --json`'s "not_offered"."""
    return [{"word": word, "reason": soviet_ic.not_offered(word)} for word in matcher_for(tables).withheld(text)]


def withheld_lines(text: str, tables: ReferenceTables | None = None) -> list[str]:
    """A `not offered:` line for each word of withheld_json(), saying why."""
    return [f"not offered: {w['reason']}" for w in withheld_json(text, tables)]


def match_lines(text: str, reading: dict[str, Any], withheld: list[str] | None = None) -> list[str]:
    """`fieldkit match TEXT` in full: the text and its normalised form, the reading, what was not
    offered and why (`withheld`, from withheld_lines), the tables' version."""
    return [f"text: {text}  (normalised: {reading['normalised']})", *reading_lines(reading), *(withheld or []),
            f"reference version: {reading['reference_version'][:12]}"]
