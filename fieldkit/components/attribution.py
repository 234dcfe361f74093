"""Attributing a component to a firm and its headquarters country, with the basis for it.

From a part number, a printed brand, or both, `attribute()` finds the firm in the manufacturers
table (reference/manufacturers.csv plus the researcher's own rows) and says why:

    prefix MAX → Analog Devices (US), manufacturers.csv row analog-devices

How names are matched (`ManufacturerIndex`):

- A brand is folded before lookup: Cyrillic/Greek lookalikes to Latin, case, spacing and
  punctuation ignored, "&" read as "and", trailing company-form words ("Inc.", "Corp", "Ltd",
  "GmbH", ...) dropped. It is looked up among each firm's name, id, aliases ("TI", "ON
  Semiconductor") and former names ("Atmel", "Maxim Integrated").
- If nothing matches exactly, an abbreviation is tried: each word typed is the start of the
  corresponding word of a known name ("TEXAS INSTR." → "Texas Instruments", "Maxim" → "Maxim
  Integrated"); the first word must be whole or at least 4 letters.
- A part number matches a firm's listed `prefixes` ignoring case, spaces and punctuation, except
  that a family written with a closing hyphen (`TSM-`, `M80-`) matches only a number written with a
  hyphen at that point, and then wins over any family that runs on through that hyphen: Samtec's
  TSM-104-01-L-SV is Samtec's, not ST's (TSM10, whose TSM102 is never written with a hyphen).
- Anything that matches more than one firm gives every candidate and attributes none of them:
  a brand printed as "Samsung" may be Samsung Electronics or Samsung Electro-Mechanics.
- A brand that changed hands is shown with the owner today: "Microchip Technology (US),
  formerly Atmel (until 2016)". For a prefix, the former brand it belongs to is the former name
  that the row's `source` (or `notes`) passage for that prefix names ("MAX prefix: Maxim
  datasheet ..." → Maxim Integrated), since the table has no column for it.

What the researcher enters always wins: an entered manufacturer is kept even when the part
number's prefix points elsewhere (the disagreement is noted), and an entered country is kept even
when the table gives another. The result records that (source "researcher", basis "entered by
researcher ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fieldkit.components.manufacturers import former_names, load_manufacturers, split_list
from fieldkit.components.military import MilitaryReading, read_military
from fieldkit.markings.normalize import fold as fold_lookalikes
from fieldkit.reference.plain import ReferenceTables

if TYPE_CHECKING:  # the validated rows; plain rows (fieldkit.reference.plain) have the same columns
    from fieldkit.reference.tables import FamilyRow, ManufacturerRow

TABLE_FILE = "manufacturers.csv"
FAMILY_FILE = "part_families.csv"
COMPANY_FORMS = frozenset(
    "inc incorporated corp corporation co company ltd limited llc gmbh ag sa nv bv plc kk se spa srl oy ab asa".split()
)
MIN_ABBREVIATION = 4  # an abbreviated first word must keep at least this many letters
# A brand made only of these words never resolves by abbreviation: they begin many firms' names.
GENERIC_WORDS = frozenset("""
    advanced american analog asia china components circuits data devices digital electric electronic electronics
    euro first general global industries instruments integrated international japan linear micro
    microelectronics microsystems national new nippon power precision semi semiconductor semiconductors shenzhen
    sierra signal silicon solutions systems tech technologies technology texas united wireless world bel
""".split())


def name_words(text: str) -> tuple[str, ...]:
    """The words of a brand, folded: "TEXAS INSTR." -> ("texas", "instr"); "Alpha & Omega Inc" -> ("alpha", "and", "omega")."""
    text = fold_lookalikes(text or "").casefold().replace("&", " and ")
    words = re.findall(r"[0-9a-z]+", text)
    while len(words) > 1 and words[-1] in COMPANY_FORMS:
        words.pop()
    return tuple(words)


def name_key(text: str) -> str:
    """A brand folded to one key: "ON Semiconductor" -> "onsemiconductor", "Texas Instruments Inc." -> "texasinstruments"."""
    return "".join(name_words(text))


_NOT_KEY = re.compile(r"[^0-9A-Z]")
_LETTER_HEAD = re.compile(r"\s*([A-Z]*)")


def part_key(text: str) -> str:
    """A part number folded for prefix matching: upper case, letters and digits only."""
    return _NOT_KEY.sub("", fold_lookalikes(text or "").upper())


def family_key(family: str) -> str:
    """A family folded for the index: its part key, and a closing hyphen kept when it is written with
    one ("TSM-" -> "TSM-", "MAX-M10" -> "MAXM10"), since such a family asks the number for that hyphen."""
    key = part_key(family)
    return key + "-" if key and (family or "").strip().endswith("-") else key


def _positions(text: str, wanted) -> frozenset[int]:
    """After how many letters and digits each character that `wanted(char)` accepts stands."""
    positions, count = set(), 0
    for char in fold_lookalikes(text or "").upper().strip():
        if _NOT_KEY.match(char) is None:
            count += 1
        elif wanted(char):
            positions.add(count)
    return frozenset(positions)


def hyphen_positions(text: str) -> frozenset[int]:
    """After how many letters and digits a hyphen stands: {3, 6, 8} for TSM-104-01-L (and for the
    family TSM-, {3})."""
    return _positions(text, lambda char: char == "-")


def separator_positions(text: str) -> frozenset[int]:
    """After how many letters and digits another separator than a hyphen stands (a space, an
    underscore, a slash, a dot): {3} for "TSM 104-01", where OCR or a hurried hand wrote TSM-104-01."""
    return _positions(text, lambda char: char != "-")


def letter_head_length(text: str) -> int:
    """How many letters the part number begins with, up to a digit or a separator: 3 for NEO-M8N,
    4 for ADSP-BF533. A family of letters only (ADS, NEO) matches a whole head and nothing longer."""
    return len(_LETTER_HEAD.match(fold_lookalikes(text or "").upper()).group(1))


@dataclass(frozen=True)
class Candidate:
    """One firm a component may be attributed to, and what in the table matched."""

    firm_id: str
    firm: str
    country: str
    matched_by: str  # "prefix", "name", "alias", "former name", "abbreviation"
    matched: str  # the prefix or the name in the table that matched
    via: str | None = None  # a former brand the part was sold under ("Atmel")
    via_year: int | None = None  # the year it changed hands
    table: str = "shipped"  # "shipped" or "user": which table the row is in
    family_kind: str = ""  # for a prefix: "family", "exception" or "multi" (part_families.csv kind)
    line_from: str | None = None  # a product line bought without its brand: the firm it came from
    line_year: int | None = None
    table_file: str = TABLE_FILE  # the file the matching row is in

    def firm_line(self) -> str:
        """"Microchip Technology (US), formerly Atmel (until 2016)"; "Micron (US); line formerly STMicroelectronics (until 2010)"."""
        line = f"{self.firm} ({self.country})"
        if self.via:
            line += f", formerly {self.via}" + (f" (until {self.via_year})" if self.via_year else "")
        if self.line_from:
            line += f"; line formerly {self.line_from}" + (f" (until {self.line_year})" if self.line_year else "")
        return line

    def row_name(self) -> str:
        if self.table_file == FAMILY_FILE:
            return f"{'user ' if self.table == 'user' else ''}{FAMILY_FILE} family {self.matched} of {self.firm_id}"
        return f"{'user ' if self.table == 'user' else ''}{TABLE_FILE} row {self.firm_id}"

    def basis(self, typed: str = "") -> str:
        """"prefix MAX → Analog Devices (US), manufacturers.csv row analog-devices"."""
        if self.matched_by == "prefix":
            what = {"multi": f"multi-source number {self.matched}",
                    "exception": f"exception {self.matched}"}.get(self.family_kind, f"prefix {self.matched}")
        elif self.matched_by == "abbreviation":
            what = f"brand {typed!r} abbreviates {self.matched!r}"
        elif self.matched_by == "former name":
            what = f"brand {typed!r} = former name {self.matched!r}"
        else:
            what = f"brand {typed!r} = {self.matched_by} {self.matched!r}"
        return f"{what} → {self.firm_line()}, {self.row_name()}"

    def to_json(self) -> dict[str, Any]:
        data = {"firm_id": self.firm_id, "firm": self.firm, "country": self.country,
                "matched_by": self.matched_by, "matched": self.matched}
        if self.via:
            data |= {"via": self.via, "via_year": self.via_year}
        if self.line_from:
            data |= {"line_from": self.line_from, "line_year": self.line_year}
        if self.family_kind and self.family_kind != "family":
            data["family_kind"] = self.family_kind
        if self.table != "shipped":
            data["table"] = self.table
        return data


@dataclass(frozen=True)
class _Family:
    """One family in the index: the prefix as written, its firm, and what the row says about it."""

    prefix: str
    row: ManufacturerRow
    kind: str
    via: str | None
    via_year: int | None
    line_from: str | None
    line_year: int | None
    table_file: str
    origin: str


@dataclass(frozen=True)
class _Entry:
    row: ManufacturerRow
    kind: str  # "name", "alias", "former name"
    name: str
    year: int | None = None


class ManufacturerIndex:
    """The manufacturers table arranged for lookup by brand, and the part families by prefix."""

    def __init__(self, rows: list[ManufacturerRow], version: str = "", origin: dict[str, str] | None = None,
                 families: list[FamilyRow] | None = None, family_origin: dict[str, str] | None = None):
        self.version = version
        self.rows = {row.id: row for row in rows}
        self.origin = origin or {}
        self.names: dict[str, list[_Entry]] = {}
        self.words: list[tuple[tuple[str, ...], _Entry]] = []
        self.prefixes: dict[str, list[_Family]] = {}
        self._brand_cache: dict[str, list[Candidate]] = {}
        for row in rows:
            entries = [_Entry(row, "name", row.firm), _Entry(row, "name", row.id)]
            entries += [_Entry(row, "alias", alias) for alias in split_list(row.aliases)]
            entries += [_Entry(row, "former name", name, year) for name, year in former_names(row)]
            for entry in entries:
                key = name_key(entry.name)
                if key:
                    self.names.setdefault(key, []).append(entry)
                    self.words.append((name_words(entry.name), entry))
            for prefix in split_list(row.prefixes):
                via, year = _prefix_brand(row, prefix)
                self._add_family(_Family(prefix, row, "family", via, year, None, None, TABLE_FILE,
                                         self.origin.get(row.id, "shipped")))
        for fam in families or ():
            row = self.rows.get(fam.firm_id)
            if row is None:  # `reference check` reports it; an unknown firm is never an answer
                continue
            years = dict(former_names(row))
            via = fam.brand or None
            line_name, _, line_year = fam.line_from.rpartition("@")
            self._add_family(_Family(fam.family, row, fam.kind, via, years.get(via) if via else None,
                                     line_name or None, int(line_year) if line_name else None, FAMILY_FILE,
                                     (family_origin or {}).get(fam.key(), "shipped")))
        self.prefix_lengths = sorted({len(p.rstrip("-")) for p in self.prefixes}, reverse=True)

    def _add_family(self, family: _Family) -> None:
        folded = family_key(family.prefix)
        if folded:
            self.prefixes.setdefault(folded, []).append(family)

    @classmethod
    def from_tables(cls, tables: ReferenceTables | None = None) -> ManufacturerIndex:
        rows, version = load_manufacturers(tables)
        origin: dict[str, str] = {}
        families: list[FamilyRow] = []
        family_origin: dict[str, str] = {}
        if tables is not None:
            origin = {row.id: tables.source_of("manufacturers", row.id) for row in rows}
            families = list(tables.families)
            family_origin = {fam.key(): tables.source_of("families", fam.key()) for fam in families}
        return cls(rows, version, origin, families, family_origin)

    def _candidate(self, entry: _Entry, matched_by: str) -> Candidate:
        row = entry.row
        via, year = (entry.name, entry.year) if entry.kind == "former name" else (None, None)
        return Candidate(row.id, row.firm, row.country, matched_by, entry.name, via, year,
                         self.origin.get(row.id, "shipped"))

    def by_brand(self, brand: str | None) -> list[Candidate]:
        """Every firm the brand may name, best match per firm; [] if none."""
        brand = brand or ""
        if brand in self._brand_cache:
            return self._brand_cache[brand]
        found = self._by_brand(brand)
        if not found:
            found = self._by_brand_and_owner(brand)
        if not found:
            found = self._by_leading_words(brand)
        if len(self._brand_cache) < 10_000:
            self._brand_cache[brand] = found
        return found

    def _by_brand(self, brand: str) -> list[Candidate]:
        key = name_key(brand or "")
        if not key:
            return []
        exact = self.names.get(key, [])
        if exact:
            return _one_per_firm([self._candidate(e, e.kind) for e in exact])
        typed = name_words(brand or "")
        if all(word in GENERIC_WORDS for word in typed):  # "Power", "Power Semiconductor": no firm by abbreviation
            return []
        found = []
        for words, entry in self.words:
            if _abbreviates(typed, words):
                found.append(self._candidate(entry, "abbreviation"))
        return _one_per_firm(found)

    def _by_leading_words(self, brand: str) -> list[Candidate]:
        """"Vishay Siliconix", "TDK-EPCOS", "Maxim Integrated Products": the longest run of leading words
        that is exactly a known name (a division or product word after it). Never a generic word alone,
        never fewer than three letters ("ST Ericsson" is not ST's)."""
        words = name_words(brand)
        for n in range(len(words) - 1, 0, -1):
            lead = words[:n]
            if (n == 1 and lead[0] in GENERIC_WORDS) or len("".join(lead)) < 3:
                continue
            exact = self.names.get("".join(lead), [])
            if exact:
                return _one_per_firm([self._candidate(e, e.kind) for e in exact])
        return []

    def _by_brand_and_owner(self, brand: str) -> list[Candidate]:
        """"Linear Technology (Analog Devices)": each part read on its own; where they agree, that firm."""
        match = re.fullmatch(r"\s*([^()]+?)\s*\(\s*([^()]+?)\s*\)\s*", brand)
        if not match:
            return []
        printed, owner = (self._by_brand(part) for part in match.groups())
        agreed = [c for c in printed if c.firm_id in {o.firm_id for o in owner}]
        return agreed or (printed if not owner else owner if not printed else _one_per_firm(printed + owner))

    def _matching(self, part_number: str | None) -> list[str]:
        """The folded families that begin the part number, longest first. A family of letters only must
        be the part's whole letter head: ADS (TI's ADS1115) is not read into ADSP-BF533 (ADI's). A family
        with a closing hyphen (TSM-) matches only where the number has a hyphen, and then no family
        that runs on through that hyphen without writing it (TSM10 in TSM-104) matches. Where another
        separator stands there (TSM 104-01), the closing-hyphen family comes second, and both are read."""
        text = fold_lookalikes(part_number or "").upper()
        key = _NOT_KEY.sub("", text)
        head = len(_LETTER_HEAD.match(text).group(1))
        hyphens = hyphen_positions(text) if "-" in text else frozenset()
        prefixes = self.prefixes
        found: list[str] = []
        for n in self.prefix_lengths:
            if n > len(key):
                continue
            if n in hyphens and key[:n] + "-" in prefixes:
                found.append(key[:n] + "-")
            if key[:n] in prefixes and (n == head or not key[:n].isalpha()):
                found.append(key[:n])
        pinned = [len(k) - 1 for k in found if k.endswith("-")]
        if not pinned:
            # TSM 104-01, M80 8540442: another separator where a family writes its hyphen, and another
            # family matching too: either may be meant, so the number is read as both (candidates)
            loose = [key[:n] + "-" for n in separator_positions(text) - hyphens
                     if key[:n] + "-" in prefixes and found]
            return found[:1] + sorted(loose, key=len, reverse=True) + found[1:] if loose else found
        at = max(pinned)  # families that run on through this hyphen must write it
        return [k for k in found if k.endswith("-") or len(k) < at
                or any(at in hyphen_positions(f.prefix) for f in prefixes[k])]

    def by_prefix(self, part_number: str | None) -> list[Candidate]:
        """The firms of the longest family that begins the part number (several: a multi-source number)."""
        matching = self._matching(part_number)
        if not matching:
            return []
        read_as = matching[:1] + [k for k in matching[1:2] if k.endswith("-") and not matching[0].endswith("-")]
        return _one_per_firm([self._family_candidate(f) for k in read_as for f in self.prefixes[k]])

    def _family_candidate(self, fam: _Family) -> Candidate:
        row = fam.row
        return Candidate(row.id, row.firm, row.country, "prefix", fam.prefix, fam.via, fam.via_year, fam.origin,
                         fam.kind, fam.line_from, fam.line_year, fam.table_file)

    def prefix_signature(self, part_number: str | None) -> tuple[str, ...]:
        """The folded families that begin the part number: parts with the same signature attribute alike."""
        return tuple(self._matching(part_number))

    def families_of(self, firm_id: str) -> list[str]:
        """The families (prefixes as written) that name this firm, shortest first."""
        return sorted({f.prefix for fams in self.prefixes.values() for f in fams if f.row.id == firm_id}, key=len)

    def firm(self, firm_id: str) -> ManufacturerRow | None:
        return self.rows.get(firm_id)


def _abbreviates(typed: tuple[str, ...], words: tuple[str, ...]) -> bool:
    if not typed or len(typed) > len(words) or typed == words:
        return False
    if typed[0] != words[0] and len(typed[0]) < MIN_ABBREVIATION:
        return False
    return all(w.startswith(t) for t, w in zip(typed, words))


def _one_per_firm(candidates: list[Candidate]) -> list[Candidate]:
    """The first candidate for each firm, in order (a firm's own name or alias before a former name)."""
    rank = {"name": 0, "alias": 1, "prefix": 1, "former name": 2, "abbreviation": 3}
    best: dict[str, Candidate] = {}
    for c in candidates:
        if c.firm_id not in best or rank[c.matched_by] < rank[best[c.firm_id].matched_by]:
            best[c.firm_id] = c
    order = list(dict.fromkeys(c.firm_id for c in candidates))
    return [best[firm_id] for firm_id in order]


def _prefix_brand(row: ManufacturerRow, prefix: str) -> tuple[str | None, int | None]:
    """The former brand whose part numbers use `prefix`, as named in the row's passage on that prefix."""
    formers = former_names(row)
    if not formers:
        return None, None
    passages = [p for p in re.split(r"\s;\s|(?<=\.)\s", f"{row.source} ; {row.notes}") if p.strip()]
    mentions = re.compile(rf"(?<![0-9A-Za-z]){re.escape(prefix)}(?![a-z])", re.IGNORECASE)
    for passage in passages:
        if not mentions.search(passage):
            continue
        for name, year in formers:
            first = name_words(name)[0] if name_words(name) else ""
            if len(first) >= 3 and re.search(rf"\b{re.escape(first)}", passage, re.IGNORECASE):
                return name, year
    return None, None


@dataclass(frozen=True)
class Attribution:
    """Who made a component and where that firm is headquartered, with how that was decided."""

    part_number: str
    entered_manufacturer: str | None
    entered_country: str | None
    manufacturer: str | None  # what is stored: the firm's name, or the brand as entered if not in the table
    country: str | None
    firm_id: str | None
    source: str  # "reference", "researcher", or "none"
    basis: str
    candidates: tuple[Candidate, ...] = ()  # the firm found, or every firm it may be
    prefix_candidates: tuple[Candidate, ...] = ()
    notes: tuple[str, ...] = ()
    reference_version: str = ""
    firm_candidate: Candidate | None = field(default=None, compare=False)
    military: MilitaryReading | None = None  # a military or screened form read in the part number

    @property
    def ambiguous(self) -> bool:
        return self.firm_id is None and len(self.candidates) > 1

    def headline(self) -> str:
        """"ATmega328P: Microchip Technology (US), formerly Atmel (until 2016)"."""
        if self.firm_candidate is not None:
            who = self.firm_candidate.firm_line()
            if self.country and self.country != self.firm_candidate.country:
                who = f"{self.firm_candidate.firm} ({self.country}, entered; table gives {self.firm_candidate.country})"
        elif self.ambiguous:
            who = "one of " + "; ".join(c.firm_line() for c in self.candidates)
        elif self.manufacturer:
            who = f"{self.manufacturer} ({self.country or 'country unknown'})"
        elif self.country:
            who = f"firm unknown ({self.country})"
        else:
            who = "not attributed"
        return f"{self.part_number}: {who}"

    def describe(self) -> str:
        """The headline, the basis, and any notes, one per line."""
        lines = [self.headline(), f"  basis: {self.basis}"]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """What is stored in `attribution_json`; empty lists are left out to keep bulk imports small."""
        data: dict[str, Any] = {
            "source": self.source,
            "basis": self.basis,
            "firm_id": self.firm_id,
            "manufacturer": self.manufacturer,
            "country": self.country,
            "entered": {"manufacturer": self.entered_manufacturer, "country": self.entered_country},
            "candidates": [c.to_json() for c in self.candidates],
            "reference_version": self.reference_version,
        }
        if self.prefix_candidates and self.prefix_candidates != self.candidates:
            data["prefix_candidates"] = [c.to_json() for c in self.prefix_candidates]
        if self.notes:
            data["notes"] = list(self.notes)
        if self.military is not None:
            data["military"] = self.military.to_json()
        return data


_INDEX_CACHE: dict[str, ManufacturerIndex] = {}


def default_index(tables: ReferenceTables | None = None) -> ManufacturerIndex:
    """The index over the given tables (default: shipped plus FIELDKIT_REFERENCE), built once per version."""
    if tables is None:
        from fieldkit.reference.tables import get_reference

        tables = get_reference()
    if tables.version not in _INDEX_CACHE:
        _INDEX_CACHE[tables.version] = ManufacturerIndex.from_tables(tables)
    return _INDEX_CACHE[tables.version]


def attribute(
    part_number: str | None,
    manufacturer: str | None = None,
    country: str | None = None,
    *,
    index: ManufacturerIndex | None = None,
) -> Attribution:
    """Attribute a part: by the brand entered (if any), else by part-number prefix; entered values win.

    Raises ValidationError if `country` is given and is not an ISO 3166-1 alpha-2 code.
    """
    index = index or default_index()
    part_number = (part_number or "").strip()
    brand = (manufacturer or "").strip() or None
    from fieldkit.components.countries import normalize_country

    entered_country = normalize_country(country)
    military = read_military(part_number)
    if military is None:
        by_prefix = index.by_prefix(part_number)
    elif military.inner is None:  # a drawing or slash-sheet number, or a problem: no family is read into it
        by_prefix = []
    else:  # JANTX2N2222A, LM124AJ/883: the JEDEC or maker's number inside is attributed as it is alone
        by_prefix = index.by_prefix(military.inner)
    if military is None and not by_prefix:
        military = read_military(part_number, bare_smd=True)  # an SMD number marked without "5962-"
    notes: list[str] = []
    chosen: Candidate | None = None

    if brand is not None:
        by_brand = index.by_brand(brand)
        if len(by_brand) > 1 and by_prefix:  # the part number may settle which of them
            narrowed = [c for c in by_brand if c.firm_id in {p.firm_id for p in by_prefix}]
            by_brand = narrowed or by_brand
        candidates = tuple(by_brand)
        source = "researcher"
        if len(by_brand) == 1:
            chosen = by_brand[0]
            stored = chosen.firm
            basis = f"manufacturer entered by researcher: {chosen.basis(brand)}"
        elif by_brand:
            stored = brand
            basis = (f"manufacturer entered by researcher as {brand!r}, which may be any of "
                     + ", ".join(f"{c.firm} ({c.firm_id})" for c in by_brand) + "; kept as entered")
        else:
            stored = brand
            basis = f"manufacturer entered by researcher as {brand!r}; not in {TABLE_FILE}, kept as entered"
        prefix_firms = {p.firm_id for p in by_prefix}
        if by_prefix and (chosen is None or chosen.firm_id not in prefix_firms):
            notes.append(
                "the part-number prefix suggests " + "; ".join(p.basis() for p in by_prefix)
                + "; the entered manufacturer is kept"
            )
    elif len(by_prefix) == 1:
        chosen = by_prefix[0]
        candidates, source, stored = (chosen,), "reference", chosen.firm
        basis = chosen.basis()
    elif by_prefix and by_prefix[0].family_kind == "multi":
        candidates, source, stored = tuple(by_prefix), "none", None
        basis = (f"multi-source number {by_prefix[0].matched}: made by "
                 + "; ".join(c.firm_line() for c in by_prefix)
                 + f" ({FAMILY_FILE}); enter the brand printed on the part to decide")
    elif by_prefix:
        candidates, source, stored = tuple(by_prefix), "none", None
        basis = "ambiguous: " + "; ".join(c.basis() for c in by_prefix) + "; enter the manufacturer to decide"
    elif military is not None and military.inner is None:  # an SMD or slash-sheet number, or not a form at all
        candidates, source, stored = (), "none", None
        basis = ("no manufacturer entered; " if military.problem else "") + military.describe()
        basis += "" if military.problem else "; enter the brand printed on the part to decide"
    else:
        candidates, source, stored = (), "none", None
        number = "the part number" if military is None else military.inner
        basis = f"no manufacturer entered and no family in {FAMILY_FILE} or {TABLE_FILE} begins {number}"
    if military is not None and military.inner is not None:
        basis = f"{military.describe()}: {basis}"
    elif military is not None and brand is not None:
        notes.append(military.describe())

    if entered_country is not None:
        final_country = entered_country
        if source == "none":
            source = "researcher"
            basis = f"country entered by researcher; {basis}"
        else:
            basis += "; country entered by researcher"
        if chosen is not None and chosen.country != entered_country:
            notes.append(f"{TABLE_FILE} gives {chosen.country} for {chosen.firm}; the entered country {entered_country} is kept")
    elif chosen is not None:
        final_country = chosen.country
    elif len(candidates) > 1 and len({c.country for c in candidates}) == 1:
        final_country = candidates[0].country
        basis += f"; every candidate is headquartered in {final_country}, so the country is {final_country}"
    else:
        final_country = None

    return Attribution(
        part_number=part_number,
        entered_manufacturer=brand,
        entered_country=entered_country,
        manufacturer=stored,
        country=final_country,
        firm_id=chosen.firm_id if chosen else None,
        source=source,
        basis=basis,
        candidates=candidates,
        prefix_candidates=tuple(by_prefix),
        notes=tuple(notes),
        reference_version=index.version,
        firm_candidate=chosen,
        military=military,
    )
