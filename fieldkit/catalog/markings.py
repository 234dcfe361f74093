"""Markings on items: add, list, edit, delete and recheck them, each change audited.

A marking is the text read from an item (typed, or read by OCR from a photo crop) with what the
matcher read from it when it was saved: the pattern candidates and year readings (`readings_json`)
and the version of the reference tables they were read against (`reference_version`).

Stable attributions: a saved reading is evidence of what was concluded at the time, so a later
change to the reference tables never rewrites it. `recheck_markings` shows what the current tables
would read differently; only `apply_recheck` (the CLI's `--apply`) stores the new reading, through
an audited update.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldkit.catalog import records
from fieldkit.catalog.db import Catalog, new_id, now
from fieldkit.catalog.items import get_item
from fieldkit.errors import NotFound, ValidationError
from fieldkit.markings.matcher import read_marking
from fieldkit.typed_text import refuse_unsafe
from fieldkit.reference.tables import ReferenceTables, get_reference

SOURCES = ("manual", "ocr")
MAX_TEXT = 2000


def _clean_text(text: str | None, name: str = "text") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(f"{name}: the marking is empty; give the text as read")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"{name}: {len(text)} characters is longer than a marking ({MAX_TEXT} at most)")
    return refuse_unsafe(name, text)


def _photo_id(catalog: Catalog, sha256: str | None) -> str | None:
    if not sha256:
        return None
    rows = list(catalog.db["photos"].rows_where("sha256 = ?", [sha256.lower()], limit=1))
    if not rows:
        raise NotFound(f"no photo with sha256 {sha256} in the catalog; add it with `fieldkit photo add` first")
    return rows[0]["id"]


def _crop(crop: tuple[int, int, int, int] | None) -> dict[str, int | None]:
    if crop is None:
        return {"crop_x": None, "crop_y": None, "crop_w": None, "crop_h": None}
    try:
        x, y, w, h = (int(v) for v in crop)
    except (TypeError, ValueError):
        raise ValidationError(f"crop {crop!r} must be four whole numbers X,Y,W,H") from None
    if x < 0 or y < 0 or w <= 0 or h <= 0:
        raise ValidationError(f"crop {x},{y},{w},{h}: X and Y must be >= 0, W and H > 0")
    return {"crop_x": x, "crop_y": y, "crop_w": w, "crop_h": h}


def _reading_json(text: str, tables: ReferenceTables) -> tuple[str, str]:
    reading = read_marking(text, tables)
    return json.dumps(reading.to_json(), ensure_ascii=False, sort_keys=True), reading.reference_version


def add_marking(
    catalog: Catalog,
    item_ref: str,
    text: str,
    *,
    ocr_text: str | None = None,
    source: str = "manual",
    photo_sha256: str | None = None,
    crop: tuple[int, int, int, int] | None = None,
    confidence: float | None = None,
    engine: dict[str, Any] | None = None,
    position: str | None = None,
    tables: ReferenceTables | None = None,
) -> dict[str, Any]:
    """Store a marking of item `item_ref` with its readings; returns the stored row (see `marking_view`)."""
    text = _clean_text(text)
    if source not in SOURCES:
        raise ValidationError(f"source {source!r}: use one of {', '.join(SOURCES)}")
    if confidence is not None and not 0 <= float(confidence) <= 100:
        raise ValidationError(f"confidence {confidence}: give a value from 0 to 100")
    tables = tables or get_reference()
    readings, version = _reading_json(text, tables)
    with catalog.transaction():
        item = get_item(catalog, item_ref)
        stamp = now()
        row = {
            "id": new_id(),
            "item_id": item["id"],
            "photo_id": _photo_id(catalog, photo_sha256),
            **_crop(crop),
            "text": text,
            "ocr_text": ocr_text,
            "source": source,
            "confidence": None if confidence is None else float(confidence),
            "engine_json": json.dumps(engine, ensure_ascii=False, sort_keys=True) if engine else None,
            "position": refuse_unsafe("position", (position or "").strip() or None),
            "readings_json": readings,
            "reference_version": version,
            "created_at": stamp,
            "updated_at": stamp,
        }
        stored = records.insert(catalog, "markings", row)
    return marking_view(catalog, stored)


def marking_view(catalog: Catalog, row: dict[str, Any]) -> dict[str, Any]:
    """A stored marking as shown by `marking list --json`: the row, its item ref, photo hash and readings."""
    item = catalog.db.execute("SELECT ref FROM items WHERE id = ?", [row["item_id"]]).fetchone()
    photo = None
    if row.get("photo_id"):
        found = catalog.db.execute("SELECT sha256 FROM photos WHERE id = ?", [row["photo_id"]]).fetchone()
        photo = found[0] if found else None
    readings = json.loads(row["readings_json"]) if row.get("readings_json") else {"candidates": [], "years": []}
    view = {k: v for k, v in row.items() if k not in ("readings_json", "engine_json")}
    view["item_ref"] = item[0] if item else None
    view["photo_sha256"] = photo
    view["engine"] = json.loads(row["engine_json"]) if row.get("engine_json") else None
    view["readings"] = readings
    view["ocr_choice"] = ocr_choice(view["engine"])
    return view


def ocr_choice(engine: dict[str, Any] | None) -> dict[str, Any] | None:
    """The basis of the OCR reading kept for a marking read from a photo, from its stored engine
    settings: which engine's reading won and why (agreement, script evidence, a reference-table
    match, calibrated confidence; fieldkit.ocr.choice), each engine's reading with its calibrated
    confidence, the corrections with their basis, and for a whole photo each line's choice.
    None for a typed marking. A marking saved before the engines' readings were kept has the basis only."""
    if not isinstance(engine, dict) or not engine:
        return None

    def dicts(key: str) -> list[dict[str, Any]]:  # stored JSON, perhaps merged from a bundle: only what fits
        found = engine.get(key)
        return [d for d in found if isinstance(d, dict)] if isinstance(found, list) else []

    return {
        "engine": engine.get("name"),
        "basis": engine.get("choice"),
        "readings": [{k: r.get(k) for k in ("engine", "detail", "text", "as_read", "confidence", "calibrated", "notes")}
                     for r in dicts("engines")],
        "corrections": [{k: c.get(k) for k in ("before", "after", "basis")} for c in dicts("corrections")],
        "lines": [{"text": line.get("text"), "basis": line.get("choice")} for line in dicts("lines")],
    }


def _number(value: Any, form: str) -> str:
    return format(value, form) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def ocr_choice_lines(choice: dict[str, Any] | None) -> list[str]:
    """`ocr_choice` as the lines `marking show` and the TUI's marking detail print."""
    if not choice:
        return []
    out = [f"OCR choice: {choice['engine'] or 'unknown engine'}'s reading kept",
           f"  basis: {choice['basis'] or 'not recorded'}"]
    for r in choice["readings"]:
        read = f" (as read {r['as_read']!r})" if r.get("as_read") else ""
        calibrated = f" -> calibrated {_number(r['calibrated'], '.2f')}" if r.get("calibrated") is not None else ""
        out.append(f"  {r['engine']} ({r['detail']}): {r['text']!r}{read}  confidence {_number(r['confidence'], 'g')}{calibrated}")
        notes = r.get("notes")
        out += [f"    note: {note}" for note in (notes if isinstance(notes, list) else [])]
    for line in choice["lines"]:
        out.append(f"  line {line['text']!r}: {line['basis']}")
    for c in choice["corrections"]:
        out.append(f"  correction: {c['before']!r} -> {c['after']!r}  {c['basis']}")
    return out


def list_markings(catalog: Catalog, item_ref: str | None = None) -> list[dict[str, Any]]:
    """The markings of one item (or of every item), oldest first."""
    if item_ref is None:
        rows = catalog.db.execute_returning_dicts("SELECT * FROM markings ORDER BY created_at, id")
    else:
        item = get_item(catalog, item_ref)
        rows = catalog.db.execute_returning_dicts(
            "SELECT * FROM markings WHERE item_id = ? ORDER BY created_at, id", [item["id"]]
        )
    return [marking_view(catalog, row) for row in rows]


def get_marking(catalog: Catalog, marking_id: str) -> dict[str, Any]:
    """The stored marking row whose id is, or begins with, `marking_id` (at least 4 characters)."""
    marking_id = (marking_id or "").strip()
    if len(marking_id) < 4:
        raise ValidationError(f"marking id {marking_id!r} is too short; give at least its first 4 characters")
    rows = catalog.db.execute_returning_dicts(  # a literal prefix: `_` and `%` are characters, not wildcards
        "SELECT * FROM markings WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 2", [len(marking_id), marking_id]
    )
    if not rows:
        raise NotFound(f"no marking {marking_id}; see `fieldkit marking list REF`")
    if len(rows) > 1:
        raise ValidationError(f"marking id {marking_id} is ambiguous; give more of it")
    return rows[0]


def update_marking(
    catalog: Catalog,
    marking_id: str,
    *,
    text: str | None = None,
    position: str | None = None,
    tables: ReferenceTables | None = None,
) -> dict[str, Any]:
    """Correct a marking's text or position. A new text is read again, against the current tables."""
    with catalog.transaction():
        current = get_marking(catalog, marking_id)
        changes: dict[str, Any] = {}
        if text is not None:
            text = _clean_text(text)
            if text != current["text"]:
                readings, version = _reading_json(text, tables or get_reference())
                changes.update(text=text, readings_json=readings, reference_version=version)
        if position is not None:
            position = refuse_unsafe("position", position.strip() or None)
            if position != current["position"]:
                changes["position"] = position
        if not changes:
            return marking_view(catalog, current)
        changes["updated_at"] = now()
        stored = records.update(catalog, "markings", {"id": current["id"]}, changes)
    return marking_view(catalog, stored)


def delete_marking(catalog: Catalog, marking_id: str) -> dict[str, Any]:
    """Delete a marking (the audit log keeps what it was)."""
    with catalog.transaction():
        current = get_marking(catalog, marking_id)
        return records.delete(catalog, "markings", {"id": current["id"]})


# --- recheck -----------------------------------------------------------------------------------

def _top(readings: dict[str, Any]) -> str:
    candidates = readings.get("candidates") or []
    return f"{candidates[0]['pattern_id']} ({candidates[0]['score']:.2f})" if candidates else "no pattern"


def _key(candidate: dict[str, Any]) -> tuple[str, int, int]:
    return candidate["pattern_id"], candidate["start"], candidate["end"]


@dataclass
class RecheckResult:
    """What the current tables would read differently from the stored reading of one marking."""

    marking: dict[str, Any]
    item_ref: str | None
    stored_version: str | None
    current_version: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reranked: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    new_readings_json: str = ""

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or self.reranked or self.changed)

    @property
    def before(self) -> str:
        """The stored top reading, e.g. "dprk-plant-112 (0.60)", or "no pattern"."""
        return _top(json.loads(self.marking["readings_json"]) if self.marking.get("readings_json") else {})

    @property
    def after(self) -> str:
        """The current tables' top reading."""
        return _top(json.loads(self.new_readings_json) if self.new_readings_json else {})

    @property
    def basis(self) -> str:
        """The basis of the current tables' top reading (its table row and source)."""
        candidates = json.loads(self.new_readings_json).get("candidates") if self.new_readings_json else None
        if not candidates:
            return "no reference pattern matches"
        source = candidates[0].get("source")
        return candidates[0]["basis"] + ("" if source in (None, "shipped") else f" [{source} table]")

    def lines(self) -> list[str]:
        out = [f"+ {line}" for line in self.added] + [f"- {line}" for line in self.removed]
        out += [f"~ {line}" for line in self.reranked + self.changed]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "marking_id": self.marking["id"], "item_ref": self.item_ref, "text": self.marking["text"],
            "stored_version": self.stored_version, "current_version": self.current_version,
            "added": self.added, "removed": self.removed, "reranked": self.reranked, "changed": self.changed,
        }


def recheck_marking(catalog: Catalog, row: dict[str, Any], tables: ReferenceTables | None = None) -> RecheckResult:
    tables = tables or get_reference()
    stored = json.loads(row["readings_json"]) if row.get("readings_json") else {"candidates": []}
    new_json, version = _reading_json(row["text"], tables)
    new = json.loads(new_json)
    item = catalog.db.execute("SELECT ref FROM items WHERE id = ?", [row["item_id"]]).fetchone()
    result = RecheckResult(row, item[0] if item else None, row.get("reference_version"), version,
                           new_readings_json=new_json)
    old_rank = {_key(c): (i, c) for i, c in enumerate(stored.get("candidates", []))}
    new_rank = {_key(c): (i, c) for i, c in enumerate(new["candidates"])}
    for key, (i, c) in new_rank.items():
        if key not in old_rank:
            result.added.append(f"{c['pattern_id']} on {c['matched']!r} (rank {i + 1}, score {c['score']})")
    for key, (i, c) in old_rank.items():
        if key not in new_rank:
            result.removed.append(f"{c['pattern_id']} on {c['matched']!r} (was rank {i + 1}, score {c['score']})")
    for key in old_rank.keys() & new_rank.keys():
        (i, old), (j, cur) = old_rank[key], new_rank[key]
        if i != j:
            result.reranked.append(f"{cur['pattern_id']} on {cur['matched']!r}: rank {i + 1} -> {j + 1}")
        for name in ("fields", "years", "factories", "score"):
            if old.get(name) != cur.get(name):
                result.changed.append(f"{cur['pattern_id']} on {cur['matched']!r}: {name} changed")
    return result


def recheck_markings(catalog: Catalog, item_ref: str | None = None,
                     tables: ReferenceTables | None = None,
                     progress: Callable[[int, int], None] | None = None) -> list[RecheckResult]:
    """Per marking (of one item, or all), what the current tables would read differently. Changes nothing.
    `progress(done, total)` is called after each marking (the TUI's progress bar)."""
    tables = tables or get_reference()
    if item_ref is None:
        rows = catalog.db.execute_returning_dicts("SELECT * FROM markings ORDER BY created_at, id")
    else:
        item = get_item(catalog, item_ref)
        rows = catalog.db.execute_returning_dicts(
            "SELECT * FROM markings WHERE item_id = ? ORDER BY created_at, id", [item["id"]])
    results = []
    for row in rows:
        results.append(recheck_marking(catalog, row, tables))
        if progress is not None:
            progress(len(results), len(rows))
    return results


def apply_recheck(catalog: Catalog, results: list[RecheckResult]) -> int:
    """Store the new readings of the markings that differ (audited); returns how many were updated.
    Pass only the results chosen to apply some and not others (the TUI's selection)."""
    updated = 0
    with catalog.transaction():
        for result in results:
            if not result.differs:
                continue  # same reading: keep the version it was first read against
            records.update(catalog, "markings", {"id": result.marking["id"]}, {
                "readings_json": result.new_readings_json,
                "reference_version": result.current_version,
                "updated_at": now(),
            })
            updated += 1
    return updated
