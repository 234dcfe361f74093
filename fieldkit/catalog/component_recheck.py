"""Re-attribution of stored components against newer reference tables, as `marking recheck` does for markings.

A stored attribution is evidence of what was concluded when the part was saved; a newer table
never rewrites it silently. `recheck_components` shows, per component, what the current tables
would attribute differently (firm, country, candidates); `apply_recheck` stores that through the
audited record layer, one audit entry per component changed.

What the researcher entered is never overwritten: a component whose manufacturer or country was
entered by hand is shown (the table's view is worth knowing) but marked `kept` and never applied.
The date code's columns (its form and range) are left as they were.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldkit.catalog import records
from fieldkit.catalog.components import _attribution_columns, lookup_texts, stored_values
from fieldkit.catalog.db import Catalog, now
from fieldkit.catalog.items import get_item
from fieldkit.components.attribution import Attribution, ManufacturerIndex, attribute, default_index


def _who(data: dict[str, Any]) -> str:
    """"Texas Instruments (US)", "one of onsemi, STMicroelectronics", or "not attributed"."""
    if data.get("firm_id"):
        return f"{data.get('manufacturer')} ({data.get('country') or 'country unknown'})"
    candidates = data.get("candidates") or []
    if len(candidates) > 1:
        return "one of " + ", ".join(c.get("firm", "?") for c in candidates)
    if data.get("manufacturer"):
        return f"{data['manufacturer']} ({data.get('country') or 'country unknown'})"
    return "not attributed"


def _candidate_ids(data: dict[str, Any]) -> list[str]:
    """The firms a part may be, when there are several (a row stores candidates only then)."""
    candidates = data.get("candidates") or []
    return sorted(c.get("firm_id", "") for c in candidates) if len(candidates) > 1 else []


@dataclass
class ComponentRecheck:
    """What the current tables would attribute differently for one stored component."""

    component: dict[str, Any]
    item_ref: str
    stored: dict[str, Any]
    current: Attribution
    kept: bool  # entered by the researcher: shown, never applied
    changes: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.changes)

    @property
    def before(self) -> str:
        """The stored attribution, e.g. "not attributed"."""
        return _who(self.stored)

    @property
    def after(self) -> str:
        """What the current tables attribute, e.g. "Texas Instruments (US)"."""
        return _who(self.current.to_json())

    @property
    def basis(self) -> str:
        """The basis of what the current tables attribute (the table row and its source)."""
        return self.current.basis

    def line(self) -> str:
        """"KHK-0001  LM317T: Texas Instruments (US) -> one of onsemi, STMicroelectronics, Texas Instruments"."""
        text = f"{self.item_ref}  {self.component['part_number']}: {self.before} -> {self.after}"
        if self.kept:
            text += " (entered by the researcher: kept)"
        return text

    def to_json(self) -> dict[str, Any]:
        return {"component_id": self.component["id"], "item_ref": self.item_ref,
                "part_number": self.component["part_number"], "kept": self.kept, "changes": self.changes,
                "stored": {k: self.stored.get(k) for k in ("firm_id", "manufacturer", "country", "reference_version")}
                | {"candidates": _candidate_ids(self.stored)},
                "current": {k: self.current.to_json().get(k) for k in ("firm_id", "manufacturer", "country", "basis")}
                | {"candidates": [c.firm_id for c in self.current.candidates]}}


def _stored(catalog: Catalog, row: dict[str, Any]) -> dict[str, Any]:
    """A stored row's attribution in the shape of `Attribution.to_json()`, for comparison."""
    texts = lookup_texts(catalog, row)
    return {"firm_id": row["firm_id"], "manufacturer": row["manufacturer"], "country": row["country"],
            "candidates": json.loads(row["candidates"]) if row["candidates"] else [],
            "basis": texts["basis"], "reference_version": texts["reference_version"],
            "entered": {"manufacturer": row["entered_manufacturer"], "country": row["entered_country"]}}


def recheck_component(catalog: Catalog, row: dict[str, Any], item_ref: str, index: ManufacturerIndex) -> ComponentRecheck:
    stored = _stored(catalog, row)
    brand, country = row["entered_manufacturer"], row["entered_country"]
    current = attribute(row["part_number"], brand, country, index=index)
    kept = bool(brand or country)
    result = ComponentRecheck(row, item_ref, stored, current, kept)
    now_json = current.to_json()
    for name in ("firm_id", "manufacturer", "country"):
        if stored.get(name) != now_json.get(name):
            result.changes.append(f"{name}: {stored.get(name)!r} -> {now_json.get(name)!r}")
    if _candidate_ids(stored) != _candidate_ids(now_json):
        result.changes.append(f"candidates: {', '.join(_candidate_ids(stored)) or 'none'} -> "
                              f"{', '.join(_candidate_ids(now_json)) or 'none'}")
    for note in now_json.get("notes", []):
        if note not in (stored.get("basis") or ""):
            result.changes.append(f"note: {note}")
    return result


def recheck_components(catalog: Catalog, item_ref: str | None = None,
                       index: ManufacturerIndex | None = None,
                       progress: Callable[[int, int], None] | None = None) -> list[ComponentRecheck]:
    """Per component (of one item, or all), what the current tables would attribute differently. Changes nothing.
    `progress(done, total)` is called after each component (the TUI's progress bar)."""
    index = index or default_index()
    sql = ("SELECT components.*, items.ref AS item_ref FROM components JOIN items ON items.id = components.item_id"
           + (" WHERE items.id = ?" if item_ref else "") + " ORDER BY components.created_at, components.rowid")
    params = [get_item(catalog, item_ref)["id"]] if item_ref else []
    rows = catalog.db.execute_returning_dicts(sql, params)
    results = []
    for row in rows:
        results.append(recheck_component(catalog, row, row.pop("item_ref"), index))
        if progress is not None:
            progress(len(results), len(rows))
    return results


def apply_recheck(catalog: Catalog, results: list[ComponentRecheck]) -> int:
    """Store the new attribution of the components that differ and were not entered by hand (audited).
    Pass only the results chosen to apply some and not others (the TUI's selection); returns how many were updated."""
    updated = 0
    with catalog.transaction():
        for result in results:
            if not result.differs or result.kept:
                continue
            values = stored_values(catalog, _attribution_columns(result.current))
            changed = {k: v for k, v in values.items() if result.component.get(k) != v}
            records.update(catalog, "components", {"id": result.component["id"]}, changed | {"updated_at": now()})
            updated += 1
    return updated
