"""Electronic components found in an item: add, edit, delete and list them, each change audited.

A component row holds what the researcher entered (part number, brand and country as entered,
date code as printed, quantity, type, notes) and what fieldkit concluded from it when it was saved,
in plain columns (no JSON blob, so a component costs hundreds of bytes):

- `manufacturer`, `country`, `firm_id`: from `components.attribution.attribute` -- the firm's
  name when the brand or part-number prefix is in the manufacturers table, else the brand as
  entered. An entered country is always kept.
- `attributed_by`: `reference` (the table decided), `researcher` (an entered brand or country
  decided), `ambiguous` (the table gives several firms and nothing entered decides), `none`.
- `basis_id`: a row of `attribution_bases`, which holds each distinct basis once: one line
  saying why, with the attribution's notes (a bulk import of 100,000 parts has a few dozen).
  Its id is a hash of its text (`catalog.lookups`), the same in every catalog.
- `reference_version_id`: a row of `reference_versions`, which holds the version (hash) of the
  reference tables the attribution was made with, once per version.
  Both lookup tables only grow, and each of their rows is audited like any other row.
- `candidates`: JSON, only when there is more than one firm the part may be.
- `date_code` as printed, `date_form` (the form(s) read, e.g. "YYWW"), and `date_start`,
  `date_end`: the period the code stands for (`markings.datecodes`). A code with several readings
  (a YWW code may be any decade; a Microchip week may start on Sunday or Monday) gets the span
  of all of them, earliest start to latest end. The readings themselves are derived again from
  the code, the form and the day the row was made (`date_readings`). So `date_start` is the
  earliest day the part can have been made under any reading, and "assembled no earlier than"
  (the latest `date_start` in a set of parts, see components.summary) holds whichever is right.
- A code fieldkit cannot read ("GH29Q", "2310A") is stored as printed with `date_form` =
  NOT_READ ("not read as a date") and no period, so it stays out of the date window.

Like markings, a saved attribution is evidence of what was concluded then: a later change to
the reference tables does not rewrite it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

from fieldkit.catalog import records
from fieldkit.catalog.db import Catalog, id_stream, new_id, now
from fieldkit.catalog.items import get_item
from fieldkit.components.attribution import Attribution, ManufacturerIndex, attribute, default_index
from fieldkit.catalog.lookups import lookup_key
from fieldkit.errors import CatalogError, DateCodeError, NotFound, ValidationError
from fieldkit.markings.datecodes import WWYY_MAKERS, DateCodeReading, canonical_manufacturer, read_date_code
from fieldkit.typed_text import UNSAFE_CHARS, refuse_unsafe

FIELDS = ("part_number", "manufacturer", "country", "date_code", "quantity", "type", "notes")
MAX_PART = 200
MAX_TEXT = 2000
MAX_QUANTITY = 1_000_000
DATE_RANGE_RULE = "span of every reading: earliest start to latest end"
NOT_READ = "not read as a date"
ATTRIBUTED_BY = ("reference", "researcher", "ambiguous", "none")
MICROCHIP_WEEKS = "Microchip weeks"
MAKER_SCHEMES = ("microchip", "texas-instruments")  # makers whose date codes markings.datecodes reads their own way  # the date_form suffix of a code read with Microchip's week count


class ComponentFieldError(ValidationError):
    """A component value fieldkit refuses; `column` names the field (part_number, country, ...)."""

    def __init__(self, column: str, message: str):
        super().__init__(f"{column}: {message}")
        self.column = column
        self.reason = message


@dataclass(frozen=True)
class Prepared:
    """A component's values checked and attributed, ready to store (no id, item, version id or timestamps yet)."""

    values: dict[str, Any]
    attribution: Attribution
    readings: tuple[DateCodeReading, ...]
    date_problem: str | None = None  # why a date code was not read as a date


@dataclass(frozen=True)
class Saved:
    """A stored component row with the attribution and date-code readings it was stored with."""

    row: dict[str, Any]
    attribution: Attribution
    readings: tuple[DateCodeReading, ...]
    date_problem: str | None = None

    def describe(self) -> str:
        lines = [self.attribution.describe()]
        if self.readings:
            lines.append(f"  date code: {self.row['date_code']} = {self.row['date_start']} to {self.row['date_end']}"
                         + (f" ({len(self.readings)} readings, {DATE_RANGE_RULE})" if len(self.readings) > 1 else ""))
            lines += [f"    {r.describe()}" for r in self.readings]
        elif self.row.get("date_form") == NOT_READ:
            lines.append(f"  date code: {self.row['date_code']} stored as printed, {NOT_READ}; left out of the date window")
            if self.date_problem:
                lines.append(f"    ({self.date_problem})")
        return "\n".join(lines)


def _text(data: dict[str, Any], name: str, limit: int = MAX_TEXT) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    value = str(value).strip()
    if len(value) > limit:
        raise ComponentFieldError(name, f"{len(value)} characters is too long ({limit} at most)")
    try:
        refuse_unsafe(name, value)
    except ValidationError as exc:
        raise ComponentFieldError(name, str(exc).partition(": ")[2]) from None
    return value or None


def _quantity(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ComponentFieldError("quantity", f"{str(value).strip()[:20]!r} is not a whole number") from None
    if not 1 <= number <= MAX_QUANTITY:
        raise ComponentFieldError("quantity", f"{number} must be between 1 and {MAX_QUANTITY:,}")
    return number


@lru_cache(maxsize=65536)
def _readings(code: str, maker: str | None, today: date) -> tuple[DateCodeReading, ...]:
    return tuple(read_date_code(code, maker, today=today))


@lru_cache(maxsize=65536)
def _dated(code: str | None, maker: str | None, today: date) -> tuple:
    """(readings, why not read, date_form, date_start, date_end) of a date code, once per code and scheme."""
    if not code:
        return (), None, None, None, None
    try:
        readings = _readings(code.upper(), maker, today)
    except DateCodeError as exc:  # stored as printed, flagged, left out of the date window
        return (), str(exc), NOT_READ, None, None
    if not readings:
        return (), None, NOT_READ, None, None
    return (readings, None, date_form(readings),
            min(r.start for r in readings).isoformat(), max(r.end for r in readings).isoformat())


@lru_cache(maxsize=4096)
def _scheme_maker(maker: str | None) -> str | None:
    """`maker` if it has a date-code scheme of its own (markings.datecodes), else None: the readings
    are the same for every other maker, so a bulk import reads each code once, not once per maker."""
    key = canonical_manufacturer(maker)
    return maker if key in MAKER_SCHEMES or key in WWYY_MAKERS else None


def _date_code_maker(attribution: Attribution) -> str | None:
    """Whose date-code scheme applies: the former brand the part was sold under, else the firm, else the brand as entered."""
    chosen = attribution.firm_candidate
    if chosen is not None:
        return chosen.via or chosen.firm
    return attribution.entered_manufacturer


@lru_cache(maxsize=4096)
def date_form(readings: tuple[DateCodeReading, ...]) -> str:
    """The form(s) of a code's readings, e.g. "YYWW", "YWW", "YYWW, Microchip weeks"."""
    forms = " or ".join(dict.fromkeys(r.form for r in readings))
    if any(r.label.startswith("Microchip week") for r in readings):
        forms += f", {MICROCHIP_WEEKS}"
    return forms


def date_readings(row: dict[str, Any]) -> tuple[DateCodeReading, ...]:
    """The readings of a stored row's date code, derived again from its code, form and the day it was made."""
    form, code = row.get("date_form"), row.get("date_code")
    if not code or not form or form == NOT_READ:
        return ()
    maker = "Microchip" if form.endswith(MICROCHIP_WEEKS) else "TI" if "Texas Instruments" in form else None
    made = date.fromisoformat(str(row.get("created_at") or now())[:10])
    forms = set(form.removesuffix(f", {MICROCHIP_WEEKS}").split(" or "))
    try:
        readings = _readings(code.upper(), maker, made)
    except DateCodeError:
        return ()
    return tuple(r for r in readings if r.form in forms)


def _candidates(attribution: Attribution) -> str | None:
    if len(attribution.candidates) < 2:
        return None
    return json.dumps([{k: v for k, v in c.to_json().items() if k in ("firm_id", "firm", "country", "matched_by", "matched")}
                       for c in attribution.candidates], ensure_ascii=False, separators=(",", ":"))


def attributed_by(attribution: Attribution) -> str:
    """`reference`, `researcher`, `ambiguous` (several firms, nothing entered decides) or `none`."""
    if attribution.source == "none" and len(attribution.candidates) > 1:
        return "ambiguous"
    return attribution.source if attribution.source in ATTRIBUTED_BY else "none"


def _attribution_columns(attribution: Attribution) -> dict[str, Any]:
    basis = "; ".join([attribution.basis, *(f"note: {n}" for n in attribution.notes)])
    return {
        "manufacturer": attribution.manufacturer,
        "country": attribution.country,
        "firm_id": attribution.firm_id,
        "attributed_by": attributed_by(attribution),
        "basis": basis,
        "reference_version": attribution.reference_version,  # text here; stored as reference_version_id
        "candidates": _candidates(attribution),
        "entered_manufacturer": attribution.entered_manufacturer,
        "entered_country": attribution.entered_country,
    }


def _attributed(part: str, brand: str | None, country: str | None, index: ManufacturerIndex,
                cache: dict) -> tuple[tuple, Attribution, dict[str, Any]]:
    """(cache key, attribution, its columns) of a part, through `cache` (see `prepare_component`)."""
    signature = cache.get(part)  # a part number seen before: its prefixes are not read again
    if signature is None:
        signature = index.prefix_signature(part)
        if len(cache) < 200_000:
            cache[part] = signature
    key = (signature, brand, country)
    if key in cache:
        return (key, *cache[key])
    try:
        attribution = attribute(part, brand, country, index=index)
    except ValidationError as exc:
        raise ComponentFieldError("country", str(exc).removeprefix("country: ")) from None
    columns = _attribution_columns(attribution)
    if len(cache) < 200_000:
        cache[key] = (attribution, columns)
    return key, attribution, columns


def prepare_component(
    data: dict[str, Any],
    *,
    index: ManufacturerIndex | None = None,
    cache: dict | None = None,
    today: date | None = None,
) -> Prepared:
    """Check, attribute and date one component's values; ComponentFieldError names the bad field.

    `cache` (a dict the caller keeps) lets a bulk import reuse the attribution of parts that
    share a brand, country and part-number prefix, and not read again the prefixes of a part
    number seen before (keyed by the part number itself); the Attribution returned then names the first
    such part (the stored columns do not name the part, so the rows are unaffected).
    """
    index = index or default_index()
    today = today or date.today()
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationError(f"unknown component field {sorted(unknown)[0]!r}; use {', '.join(FIELDS)}")
    part = _text(data, "part_number", MAX_PART)
    if not part:
        raise ComponentFieldError("part_number", "is empty; give the part number as printed")
    brand = _text(data, "manufacturer", MAX_PART)
    country = _text(data, "country", MAX_PART)
    code = _text(data, "date_code", MAX_PART)
    bulk = cache is not None
    _, attribution, columns = _attributed(part, brand, country, index, cache if bulk else {})
    if not bulk and attribution.part_number != part:
        attribution = replace(attribution, part_number=part)
    readings, problem, form, start, end = _dated(code, _scheme_maker(_date_code_maker(attribution)), today)
    values = {
        "part_number": part,
        **columns,
        "type": _text(data, "type", MAX_PART),
        "date_code": code,
        "date_form": form,
        "date_start": start,
        "date_end": end,
        "quantity": _quantity(data.get("quantity")),
        "notes": _text(data, "notes"),
    }
    return Prepared(values, attribution, readings, problem)


# The texts a row refers to by id: (key in Prepared.values, column stored, lookup table, its text column).
LOOKUPS = (("basis", "basis_id", "attribution_bases", "basis"),
           ("reference_version", "reference_version_id", "reference_versions", "version"))


def lookup_id(catalog: Catalog, table: str, column: str, text: str | None, added: list | None = None) -> str | None:
    """The id of `text` in a lookup table (`lookups.lookup_key`, the same in every catalog), the
    row added if new. Call inside a write transaction.

    A new row is audited at once, or, if `added` is given (a bulk import, whose audit event is
    still open), appended to it for `audit_added` to record after the event."""
    if not text:
        return None
    key = lookup_key(text)
    found = catalog.db.execute(f"SELECT [{column}] FROM [{table}] WHERE id = ?", [key]).fetchone()
    if found:
        if found[0] != text:
            raise CatalogError(f"{table} row {key} does not hold the text its id is the hash of (altered); "
                               "run `fieldkit verify`, nothing was saved")
        return key
    if added is None:
        records.insert(catalog, table, {"id": key, column: text})
    else:
        catalog.db.execute(f"INSERT INTO [{table}] (id, [{column}]) VALUES (?, ?)", [key, text])
        added.append((table, {"id": key, column: text}))
    return key


def audit_added(catalog: Catalog, added: list) -> None:
    """Audit the lookup rows a bulk import added (see `lookup_id`), after its own audit event."""
    from fieldkit.catalog import audit

    for table, row in added:
        audit.record(catalog.db, at=now(), actor=catalog.actor, action="insert", table=table,
                     row_id=audit.row_key(table, row), before=None, after=row)


def stored_values(catalog: Catalog, values: dict[str, Any], bulk: dict | None = None) -> dict[str, Any]:
    """Prepared values as stored: the basis and the table version replaced by their lookup ids.
    `bulk` (a dict the caller keeps for one import) caches the look-ups and collects, under
    "added", the new lookup rows to audit with `audit_added` once the import's event is written."""
    out = dict(values)
    for key, column, table, text_column in LOOKUPS:
        text = out.pop(key)
        if bulk is None:
            out[column] = lookup_id(catalog, table, text_column, text)
        else:
            if (table, text) not in bulk:
                bulk[(table, text)] = lookup_id(catalog, table, text_column, text, bulk.setdefault("added", []))
            out[column] = bulk[(table, text)]
    return out


class BulkRows:
    """The rows of a bulk import of one item's components (`components.importer`), each exactly the
    row that `prepare_component` and `stored_values` make of the same cells (`full_row`).

    `row(record)` takes a CSV record (its cells in file order; `wanted` says which position holds
    which field) and returns the row to store, every column given, or raises ComponentFieldError /
    ValidationError as `prepare_component` does. Most rows take `quick_row`: when no cell holds a
    character typed text may not (`typed_text.UNSAFE_CHARS`) and none is longer than a part number may
    be, the per-cell checks of `_text` cannot fail, so they are skipped, and the attribution's
    stored columns (lookup ids included) are kept once per (part prefixes, brand, country).
    tests/test_component_import.py checks the two paths give the same row or the same error.
    """

    def __init__(self, catalog: Catalog, item_id: str, columns: list[str], wanted: list[tuple[int, str]], *,
                 index: ManufacturerIndex, today: date, stamp: str):
        self.catalog, self.item_id, self.index, self.today, self.stamp = catalog, item_id, index, today, stamp
        self.wanted = wanted
        where = {name: position for position, name in wanted}
        self._positions = [where.get(name) for name in FIELDS]
        self._width = max(where.values()) + 1
        self.lookups: dict = {}  # stored_values' look-ups; "added": lookup rows to audit after the event
        self._cache: dict = {}  # prepare_component's
        self._stored: dict = {}  # (part prefixes, brand, country) -> (row template, date-code maker, its dates)
        self._dates: dict = {}  # maker scheme -> {date code: (date_form, date_start, date_end)}
        self._dated = 0  # date codes kept in _dates
        self._quantities: dict[str, int] = {}
        self._blank = dict.fromkeys(columns)
        self._ids = id_stream()

    def row(self, record: list[str]) -> dict[str, Any]:
        return self.quick_row(record) or self.full_row(record)

    def full_row(self, record: list[str]) -> dict[str, Any]:
        """The row through every check: `prepare_component`, then `stored_values`."""
        data = {name: (record[i] if i < len(record) else None) for i, name in self.wanted}
        prepared = prepare_component(data, index=self.index, cache=self._cache, today=self.today)
        row = self._blank.copy()
        row.update(stored_values(self.catalog, prepared.values, self.lookups))
        row.update(id=next(self._ids), item_id=self.item_id, created_at=self.stamp, updated_at=self.stamp)
        return row

    def quick_row(self, record: list[str]) -> dict[str, Any] | None:
        """The row, or None when a cell needs `_text`'s checks (then `full_row` decides)."""
        joined = ",".join(record)  # shorter than a part number may be: so is every cell; printable: no unsafe character
        if (len(record) < self._width or (len(joined) > MAX_PART and max(map(len, record)) > MAX_PART)
                or (not joined.isprintable() and UNSAFE_CHARS.search(joined))):
            return None
        part, brand, country, code, quantity, kind, notes = [  # in FIELDS order
            None if at is None else (record[at].strip() or None) for at in self._positions]
        if not part:
            raise ComponentFieldError("part_number", "is empty; give the part number as printed")
        signature = self._cache.get(part)  # the part's prefixes, as `_attributed` keeps them
        stored = None if signature is None else self._stored.get((signature, brand, country))
        if stored is None:
            stored = self._attributed_template(part, brand, country)
        count = self._quantities.get(quantity)
        if count is None:
            count = _quantity(quantity)
            if len(self._quantities) < 10_000:
                self._quantities[quantity] = count
        dated = stored[2].get(code)
        if dated is None:
            dated = _dated(code, stored[1], self.today)[2:]
            if self._dated < 100_000:
                self._dated += 1
                stored[2][code] = dated
        row = stored[0].copy()
        row["id"] = next(self._ids)
        row["part_number"] = part
        row["type"] = kind
        row["date_code"] = code
        row["date_form"], row["date_start"], row["date_end"] = dated
        row["quantity"] = count
        row["notes"] = notes
        return row

    def _attributed_template(self, part: str, brand: str | None, country: str | None) -> tuple[dict[str, Any], str | None, dict]:
        """(the columns every row of this attribution shares -- the stored attribution, lookup ids
        included, the item and the time -- as a row to copy; the maker whose date-code scheme
        applies; the date columns of the codes read under that scheme so far), kept once per (part
        prefixes, brand, country). A new lookup row only for a row that is stored, as in full_row."""
        key, attribution, columns = _attributed(part, brand, country, self.index, self._cache)
        stored = self._stored.get(key)
        if stored is None:
            template = {**self._blank, **stored_values(self.catalog, columns, self.lookups),
                        "item_id": self.item_id, "created_at": self.stamp, "updated_at": self.stamp}
            maker = _scheme_maker(_date_code_maker(attribution))
            stored = (template, maker, self._dates.setdefault(maker, {}))
            if len(self._stored) < 200_000:
                self._stored[key] = stored
        return stored


def lookup_texts(catalog: Catalog, row: dict[str, Any]) -> dict[str, str | None]:
    """A stored row's basis and table version as text: {"basis": ..., "reference_version": ...}."""
    out: dict[str, str | None] = {}
    for key, column, table, text_column in LOOKUPS:
        found = None
        if row.get(column) is not None:
            found = catalog.db.execute(f"SELECT [{text_column}] FROM [{table}] WHERE id = ?", [row[column]]).fetchone()
        out[key] = found[0] if found else None
    return out


def add_component(catalog: Catalog, ref: str, data: dict[str, Any], *, index: ManufacturerIndex | None = None) -> Saved:
    """Attribute, date and store one component of item `ref`."""
    prepared = prepare_component(data, index=index)
    with catalog.transaction():
        item = get_item(catalog, ref)
        stamp = now()
        values = stored_values(catalog, prepared.values)
        row = records.insert(
            catalog, "components",
            {"id": new_id(), "item_id": item["id"], **values, "created_at": stamp, "updated_at": stamp},
        )
    return Saved(row, prepared.attribution, prepared.readings, prepared.date_problem)


def entered_values(row: dict[str, Any]) -> dict[str, Any]:
    """The values as the researcher entered them (brand and country as typed, not as attributed)."""
    return {
        "part_number": row["part_number"],
        "manufacturer": row["entered_manufacturer"],
        "country": row["entered_country"],
        "date_code": row["date_code"],
        "quantity": row["quantity"],
        "type": row["type"],
        "notes": row["notes"],
    }


def update_component(
    catalog: Catalog, component_id: str, changes: dict[str, Any], *, index: ManufacturerIndex | None = None
) -> Saved:
    """Change entered values of a component; attribution and date range are worked out again."""
    with catalog.transaction():
        current = get_component(catalog, component_id)
        prepared = prepare_component(entered_values(current) | changes, index=index)
        values = stored_values(catalog, prepared.values)
        diff = {k: v for k, v in values.items() if current[k] != v}
        row = current
        if diff:
            diff["updated_at"] = now()
            row = records.update(catalog, "components", {"id": current["id"]}, diff)
    return Saved(row, prepared.attribution, prepared.readings, prepared.date_problem)


def delete_component(catalog: Catalog, component_id: str) -> dict[str, Any]:
    """Delete one component (audited); returns the row as it was."""
    with catalog.transaction():
        current = get_component(catalog, component_id)
        return records.delete(catalog, "components", {"id": current["id"]})


def get_component(catalog: Catalog, component_id: str) -> dict[str, Any]:
    """The component whose id is, or begins with, `component_id` (at least 4 characters)."""
    component_id = (component_id or "").strip().lower()
    if len(component_id) < 4:
        raise ValidationError(f"component id {component_id!r} is too short; give at least its first 4 characters")
    rows = catalog.db.execute_returning_dicts(
        "SELECT * FROM components WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 2", [len(component_id), component_id]
    )
    if not rows:
        raise NotFound(f"no component with id {component_id!r}; `fieldkit component list REF` shows the ids")
    if len(rows) > 1:
        raise ValidationError(f"component id {component_id} is ambiguous; give more of it")
    return rows[0]


def attribution_view(row: dict[str, Any], texts: dict[str, str | None]) -> dict[str, Any]:
    """A stored row's attribution as one dict: firm, country, attributed_by, basis, table version,
    candidates (when several), the values as entered, and the date code's derived readings.
    `texts` is the row's `lookup_texts`."""
    readings = date_readings(row)
    return {
        "firm_id": row["firm_id"],
        "firm": row["manufacturer"],
        "country": row["country"],
        "attributed_by": row["attributed_by"],
        "basis": texts["basis"],
        "reference_version": texts["reference_version"],
        "candidates": json.loads(row["candidates"]) if row["candidates"] else [],
        "entered": {"manufacturer": row["entered_manufacturer"], "country": row["entered_country"]},
        "date_code": None if not row["date_code"] else {
            "code": row["date_code"], "form": row["date_form"], "read": row["date_form"] != NOT_READ,
            "readings": [r.to_json() for r in readings],
        },
    }


LIST_SQL = """
    SELECT components.*, items.ref AS item_ref, attribution_bases.basis AS basis_text,
           reference_versions.version AS reference_version_text
    FROM components JOIN items ON items.id = components.item_id
    LEFT JOIN attribution_bases ON attribution_bases.id = components.basis_id
    LEFT JOIN reference_versions ON reference_versions.id = components.reference_version_id
    WHERE items.id = ? ORDER BY components.created_at, components.rowid
"""


def firm_shown(row: dict[str, Any]) -> str:
    """A listing's firm: the firm, or for a part several firms make "one of N" (`candidates` names
    them), or "" when no firm is known."""
    if row["manufacturer"]:
        return row["manufacturer"]
    return f"one of {len(json.loads(row['candidates']))}" if row.get("candidates") else ""


def list_components(catalog: Catalog, ref: str) -> list[dict[str, Any]]:
    """The components of item `ref`, oldest first, each with its attribution gathered (`attribution`)."""
    item = get_item(catalog, ref)
    cursor = catalog.db.execute(LIST_SQL, [item["id"]])
    columns = [d[0] for d in cursor.description]
    out = []
    for values in cursor:
        row = dict(zip(columns, values))
        texts = {"basis": row.pop("basis_text"), "reference_version": row.pop("reference_version_text")}
        row["attribution"] = attribution_view(row, texts)
        out.append(row)
    return out


def count_components(catalog: Catalog, ref: str | None = None) -> int:
    if ref is None:
        return catalog.db.execute("SELECT count(*) FROM components").fetchone()[0]
    item = get_item(catalog, ref)
    return catalog.db.execute("SELECT count(*) FROM components WHERE item_id = ?", [item["id"]]).fetchone()[0]
