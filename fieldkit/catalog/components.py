"""Electronic components found in an item: add, edit, delete and list them, each change audited.

A component row holds what the researcher entered (part number, brand, country, date code,
quantity, type, notes) and what fieldkit concluded from it when it was saved:

- `manufacturer`, `country`: from `components.attribution.attribute` -- the firm's name when the
  brand or part-number prefix is in the manufacturers table, else the brand as entered. An entered
  country is always kept. `attribution_json` records how (`source`, `basis`, candidates, the
  values as entered, the reference version).
- `date_start`, `date_end`: the period the date code stands for (`markings.datecodes`). A code
  with several readings (a YWW code may be any decade; a Microchip week may start on Sunday or
  Monday) gets the span of all of them, earliest start to latest end, and every reading is kept
  in `attribution_json["date_code"]["readings"]`. So `date_start` is the earliest day the part
  can have been made under any reading, and "assembled no earlier than" (the latest `date_start`
  in a set of parts, see components.summary) holds whichever reading is right.

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
from fieldkit.catalog.db import Catalog, new_id, now
from fieldkit.catalog.items import get_item
from fieldkit.components.attribution import Attribution, ManufacturerIndex, attribute, default_index
from fieldkit.errors import DateCodeError, NotFound, ValidationError
from fieldkit.markings.datecodes import DateCodeReading, read_date_code

FIELDS = ("part_number", "manufacturer", "country", "date_code", "quantity", "type", "notes")
MAX_PART = 200
MAX_TEXT = 2000
MAX_QUANTITY = 1_000_000
DATE_RANGE_RULE = "span of every reading: earliest start to latest end"


class ComponentFieldError(ValidationError):
    """A component value fieldkit refuses; `column` names the field (part_number, country, ...)."""

    def __init__(self, column: str, message: str):
        super().__init__(f"{column}: {message}")
        self.column = column
        self.reason = message


@dataclass(frozen=True)
class Prepared:
    """A component's values checked and attributed, ready to store (no id, item or timestamps yet)."""

    values: dict[str, Any]
    attribution: Attribution
    readings: tuple[DateCodeReading, ...]


@dataclass(frozen=True)
class Saved:
    """A stored component row with the attribution and date-code readings it was stored with."""

    row: dict[str, Any]
    attribution: Attribution
    readings: tuple[DateCodeReading, ...]

    def describe(self) -> str:
        lines = [self.attribution.describe()]
        if self.readings:
            lines.append(f"  date code: {self.row['date_code']} = {self.row['date_start']} to {self.row['date_end']}"
                         + (f" ({len(self.readings)} readings, {DATE_RANGE_RULE})" if len(self.readings) > 1 else ""))
            lines += [f"    {r.describe()}" for r in self.readings]
        return "\n".join(lines)


def _text(data: dict[str, Any], name: str, limit: int = MAX_TEXT) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    value = str(value).strip()
    if len(value) > limit:
        raise ComponentFieldError(name, f"{len(value)} characters is too long ({limit} at most)")
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


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=65536)
def _readings_json(code: str, maker: str | None, today: date) -> str:
    """{"code", "basis" (of the best reading), "readings": [{"form", "label", "start", "end"}...]}.

    The rule that turns readings into date_start/date_end is DATE_RANGE_RULE, the same for every row.
    """
    readings = _readings(code.upper(), maker, today)
    return _compact({
        "code": code, "basis": readings[0].basis,
        "readings": [{"form": r.form, "label": r.label, "start": r.start.isoformat(), "end": r.end.isoformat()}
                     for r in readings],
    })


def _date_code_maker(attribution: Attribution) -> str | None:
    """Whose date-code scheme applies: the former brand the part was sold under, else the firm, else the brand as entered."""
    chosen = attribution.firm_candidate
    if chosen is not None:
        return chosen.via or chosen.firm
    return attribution.entered_manufacturer


def prepare_component(
    data: dict[str, Any],
    *,
    index: ManufacturerIndex | None = None,
    cache: dict | None = None,
    today: date | None = None,
) -> Prepared:
    """Check, attribute and date one component's values; ComponentFieldError names the bad field.

    `cache` (a dict the caller keeps) lets a bulk import reuse the attribution of parts that
    share a brand, country and part-number prefix; the Attribution returned then names the first
    such part (its stored JSON does not name the part, so the rows are unaffected).
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
    cache = cache if bulk else {}
    key = (index.prefix_signature(part), brand, country)
    if key in cache:
        attribution, attribution_text = cache[key]
        if not bulk and attribution.part_number != part:
            attribution = replace(attribution, part_number=part)
    else:
        try:
            attribution = attribute(part, brand, country, index=index)
        except ValidationError as exc:
            raise ComponentFieldError("country", str(exc).removeprefix("country: ")) from None
        attribution_text = _compact(attribution.to_json())
        if len(cache) < 100_000:
            cache[key] = (attribution, attribution_text)
    readings: tuple[DateCodeReading, ...] = ()
    if code:
        maker = _date_code_maker(attribution)
        try:
            readings = _readings(code.upper(), maker, today)
        except DateCodeError as exc:
            raise ComponentFieldError("date_code", str(exc)) from None
        # the attribution's JSON object, with the date code's readings added as one more key
        attribution_json = attribution_text[:-1] + ',"date_code":' + _readings_json(code, maker, today) + "}"
    else:
        attribution_json = attribution_text
    values = {
        "part_number": part,
        "manufacturer": attribution.manufacturer,
        "country": attribution.country,
        "type": _text(data, "type", MAX_PART),
        "date_code": code,
        "date_start": min(r.start for r in readings).isoformat() if readings else None,
        "date_end": max(r.end for r in readings).isoformat() if readings else None,
        "quantity": _quantity(data.get("quantity")),
        "notes": _text(data, "notes"),
        "attribution_json": attribution_json,
    }
    return Prepared(values, attribution, readings)


def add_component(catalog: Catalog, ref: str, data: dict[str, Any], *, index: ManufacturerIndex | None = None) -> Saved:
    """Attribute, date and store one component of item `ref`."""
    prepared = prepare_component(data, index=index)
    with catalog.transaction():
        item = get_item(catalog, ref)
        stamp = now()
        row = records.insert(
            catalog, "components",
            {"id": new_id(), "item_id": item["id"], **prepared.values, "created_at": stamp, "updated_at": stamp},
        )
    return Saved(row, prepared.attribution, prepared.readings)


def entered_values(row: dict[str, Any]) -> dict[str, Any]:
    """The values as the researcher entered them (brand and country as typed, not as attributed)."""
    stored = json.loads(row["attribution_json"] or "{}")
    entered = stored.get("entered", {})
    return {
        "part_number": row["part_number"],
        "manufacturer": entered.get("manufacturer", row["manufacturer"]),
        "country": entered.get("country", row["country"]),
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
        diff = {k: v for k, v in prepared.values.items() if current[k] != v}
        row = current
        if diff:
            diff["updated_at"] = now()
            row = records.update(catalog, "components", {"id": current["id"]}, diff)
    return Saved(row, prepared.attribution, prepared.readings)


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


LIST_SQL = """
    SELECT components.*, items.ref AS item_ref FROM components JOIN items ON items.id = components.item_id
    WHERE items.id = ? ORDER BY components.created_at, components.rowid
"""


def list_components(catalog: Catalog, ref: str) -> list[dict[str, Any]]:
    """The components of item `ref`, oldest first, each with its attribution parsed (`attribution`)."""
    item = get_item(catalog, ref)
    cursor = catalog.db.execute(LIST_SQL, [item["id"]])
    columns = [d[0] for d in cursor.description]
    out = []
    for values in cursor:
        row = dict(zip(columns, values))
        row["attribution"] = json.loads(row["attribution_json"] or "{}")
        out.append(row)
    return out


def count_components(catalog: Catalog, ref: str | None = None) -> int:
    if ref is None:
        return catalog.db.execute("SELECT count(*) FROM components").fetchone()[0]
    item = get_item(catalog, ref)
    return catalog.db.execute("SELECT count(*) FROM components WHERE item_id = ?", [item["id"]]).fetchone()[0]
