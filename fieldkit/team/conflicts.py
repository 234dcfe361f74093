"""Conflicts kept by merges: list them, and resolve one by keeping ours, theirs or an edited union.

A conflict holds both versions of a row that was changed on both sides. Resolving it writes the
kept version (when it is not already the one in the table) and closes the conflict; both writes
are audited, and the version not kept stays in the conflict row for good. A conflict keeps its
versions as they were recorded: a component recorded before migration m012 is converted to
today's columns when it is kept, as m012 converted the rows of the table.
"""

from __future__ import annotations

import json
from typing import Any

from fieldkit.catalog import audit
from fieldkit.catalog.db import Catalog, now
from fieldkit.errors import NotFound, ValidationError

KEEP = ("ours", "theirs", "edited")

# A component's attribution: what was entered and what fieldkit concluded from it, with the lookup
# rows it names (before m012, all of it in attribution_json). An edited union keeps it whole from
# one side: joined, `firm_id` and `basis_id` would name no firm and no basis.
COMPONENT_ATTRIBUTION = ("manufacturer", "country", "firm_id", "attributed_by", "basis_id", "reference_version_id",
                         "candidates", "entered_manufacturer", "entered_country")
# The date code as printed and the period it was read as: also one side's, whole.
COMPONENT_DATE = ("date_code", "date_form", "date_start", "date_end")
NEVER_JOINED = ("sha256", "stored_path", "candidates")  # beside ids, JSON and times


def _groups(table: str, row: dict[str, Any]) -> list[tuple[str, ...]]:
    """The fields of a row that must come from one version together (a pre-m012 component's
    attribution_json holds its date readings too: one group)."""
    if table != "components":
        return []
    if "attribution_json" in row:
        return [("attribution_json", *COMPONENT_ATTRIBUTION, *COMPONENT_DATE)]
    return [COMPONENT_ATTRIBUTION, COMPONENT_DATE]


def _joinable(table: str, name: str) -> bool:
    """Whether a draft union may join two values of this field as text ('A / B')."""
    grouped = any(name in group for group in _groups(table, {"attribution_json": None}))
    return not (grouped or name == "id" or name.endswith(("_id", "_json", "_at")) or name in NEVER_JOINED)


def draft_union(table: str, ours: dict[str, Any] | None, theirs: dict[str, Any]) -> dict[str, Any]:
    """A first draft of an edited union, for the researcher to edit: ours, with each free-text field
    that differs holding both values ('ours / theirs'). Ids, hashes, times and JSON are never joined,
    and a component's attribution and date stay ours whole: the researcher may put theirs instead."""
    merged = dict(ours or theirs)
    for name, value in theirs.items():
        mine = merged.get(name)
        if mine != value and isinstance(value, str) and _joinable(table, name):
            merged[name] = value if mine in (None, "") else f"{mine} / {value}"
    return merged


def _check_union(table: str, edited: dict[str, Any], versions: list[dict[str, Any]]) -> None:
    """Refuse an edited union whose attribution or date, or any id, is not one version's."""
    for group in _groups(table, edited):
        names = [n for n in group if n in edited]
        if names and not any(all(edited[n] == r.get(n) for n in names) for r in versions):
            mixed = [n for n in names if all(edited[n] != r.get(n) for r in versions)] or names
            raise ValidationError(f"the edited union's {', '.join(mixed)} is not one side's: keep the fields "
                                  f"{', '.join(names)} whole from ours or theirs (copy theirs to keep theirs)")
    ids = [n for n, v in edited.items() if (n == "id" or n.endswith("_id")) and all(v != r.get(n) for r in versions)]
    if ids:
        raise ValidationError(f"the edited union's {', '.join(ids)} is neither ours nor theirs; an id is never joined "
                              "or typed: put the value of ours or theirs, as it is")


def list_conflicts(catalog: Catalog, *, include_resolved: bool = False) -> list[dict[str, Any]]:
    where = "" if include_resolved else "WHERE resolved_at IS NULL"
    cursor = catalog.db.execute(f"SELECT * FROM conflicts {where} ORDER BY opened_at, table_name, row_id")
    columns = [d[0] for d in cursor.description]
    rows = [dict(zip(columns, r)) for r in cursor]
    for row in rows:
        row["label"] = _label(catalog, row)
    return rows


def _label(catalog: Catalog, conflict: dict[str, Any]) -> str:
    """A human name for the conflicted row: the item's ref where there is one."""
    theirs = json.loads(conflict["theirs_json"])
    item_id = theirs.get("id") if conflict["table_name"] == "items" else theirs.get("item_id")
    found = catalog.db.execute("SELECT ref FROM items WHERE id = ?", [item_id]).fetchone() if item_id else None
    return f"{conflict['table_name']} of {found[0]}" if found else f"{conflict['table_name']} {conflict['row_id']}"


def get_conflict(catalog: Catalog, conflict_id: str) -> dict[str, Any]:
    """An open conflict by its id or the start of it (at least 4 characters, one match)."""
    conflict_id = conflict_id.strip().lower()
    if len(conflict_id) < 4:
        raise ValidationError("give at least the first 4 characters of the conflict id (`fieldkit conflicts` lists them)")
    rows = [r for r in list_conflicts(catalog, include_resolved=True) if r["id"][: len(conflict_id)] == conflict_id]
    if not rows:
        raise NotFound(f"no conflict {conflict_id!r}; `fieldkit conflicts` lists the open ones")
    if len(rows) > 1:
        raise ValidationError(f"{conflict_id!r} starts {len(rows)} conflict ids; give more of it")
    if rows[0]["resolved_at"] is not None:
        raise ValidationError(f"conflict {conflict_id} was already resolved ({rows[0]['resolution']}) by {rows[0]['resolved_by']}")
    return rows[0]


def _current_shape(catalog: Catalog, row: dict[str, Any]) -> dict[str, Any]:
    """A component version as a conflict recorded it (or an edited union of such versions), in the
    shape of today's component rows: one recorded before m012 is converted as m012 converts a
    stored row, its basis and table version stored as lookup rows (audited if new). Call inside
    the write transaction."""
    from fieldkit.catalog.components import LOOKUPS, lookup_id
    from fieldkit.catalog.migrations import m012_component_row

    if "attribution_json" not in row:
        return row
    try:
        converted = m012_component_row(row)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise ValidationError("the version's attribution_json is not one recorded attribution (an edited union "
                              "joined two?); keep one side's attribution_json whole") from None
    for _, column, table, text_column in LOOKUPS:
        converted[column] = lookup_id(catalog, table, text_column, converted[column])
    return converted


def resolve(catalog: Catalog, conflict_id: str, keep: str, edited: dict[str, Any] | None = None) -> dict[str, Any]:
    """Keep `ours`, `theirs`, or an `edited` version of the row, and close the conflict; returns the row kept."""
    from fieldkit.team.merge import _fetch, _write

    if keep not in KEEP:
        raise ValidationError(f"--keep must be one of {', '.join(KEEP)}")
    with catalog.transaction() as db:
        conflict = get_conflict(catalog, conflict_id)
        table, row_id = conflict["table_name"], conflict["row_id"]
        current = _fetch(db, table, row_id)
        if keep == "ours":
            kept = current
        else:
            kept = json.loads(conflict["theirs_json"])
            if keep == "edited":
                if edited is None:
                    raise ValidationError("an edited union needs the edited row")
                edited = {k: v for k, v in edited.items() if k not in audit.AUDITED_TABLES[table]}
                versions = [v for v in (current, json.loads(conflict["ours_json"] or "null"), kept) if v is not None]
                _check_union(table, edited, versions)
                kept = {**(current or kept), **edited}
            if table == "components":
                kept = _current_shape(catalog, kept)
            if table == "items" and db.execute("SELECT 1 FROM items WHERE ref = ? AND id != ?", [kept["ref"], kept["id"]]).fetchone():
                kept["ref"] = current["ref"] if current else kept["ref"]
            if current is None or audit.to_json(current) != audit.to_json(kept):
                _write(db, table, kept, exists=current is not None)
                kept = _fetch(db, table, row_id)
                audit.record(db, at=now(), actor=catalog.actor, action=f"resolve-{keep}", table=table, row_id=row_id,
                             before=current, after=kept)
        closed = {**{k: v for k, v in conflict.items() if k != "label"},
                  "resolved_at": now(), "resolution": keep, "resolved_by": catalog.actor}
        db.execute("UPDATE conflicts SET resolved_at = ?, resolution = ?, resolved_by = ? WHERE id = ?",
                   [closed["resolved_at"], keep, catalog.actor, conflict["id"]])
        audit.record(db, at=closed["resolved_at"], actor=catalog.actor, action="resolve", table="conflicts",
                     row_id=conflict["id"], before={k: v for k, v in conflict.items() if k != "label"}, after=closed)
    return kept
