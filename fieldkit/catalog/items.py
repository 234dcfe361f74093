"""Debris items: add, edit, delete, find and list them, each change audited.

An item has a UUID primary key and a short unique human reference (`ref`), given by the
researcher or generated as FK-0001, FK-0002, ... The prefix is the catalog's own (catalog_meta
`ref_prefix`, set by `fieldkit init --ref-prefix KHK`), so that laptops whose work is merged make
different refs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from fieldkit.catalog import audit, records, search
from fieldkit.catalog.db import Catalog, new_id, now
from fieldkit.catalog.meta import get_meta, set_meta
from fieldkit.errors import NotFound, ValidationError

if TYPE_CHECKING:
    from fieldkit.models import ItemFields

DEFAULT_REF_PREFIX = "FK"
REF_PREFIX_FORM = re.compile(r"[A-Z][A-Z0-9]{0,7}")

LIST_COLUMNS = ("ref", "category", "designation", "place", "found_on")


def ref_prefix(catalog: Catalog) -> str:
    """The prefix of this catalog's generated refs (FK unless set)."""
    return get_meta(catalog.db, "ref_prefix") or DEFAULT_REF_PREFIX


def set_ref_prefix(catalog: Catalog, prefix: str) -> str:
    """Change the prefix of refs generated from now on (existing refs stay); the change is audited."""
    prefix = prefix.strip().upper()
    if not REF_PREFIX_FORM.fullmatch(prefix):
        raise ValidationError(f"ref prefix {prefix!r}: use 1-8 letters or digits starting with a letter, e.g. KHK")
    with catalog.transaction() as db:
        old = get_meta(db, "ref_prefix")
        if old != prefix:
            set_meta(db, "ref_prefix", prefix)
            audit.record(db, at=now(), actor=catalog.actor, action="update", table="catalog_meta", row_id="ref_prefix",
                         before=None if old is None else {"value": old}, after={"value": prefix})
    return prefix


def next_ref(catalog: Catalog) -> str:
    """The next free generated reference: one more than the highest PREFIX-NNNN so far."""
    prefix = ref_prefix(catalog) + "-"
    highest = 0
    for (ref,) in catalog.db.execute("SELECT ref FROM items WHERE substr(ref, 1, ?) = ?", [len(prefix), prefix]):
        match = re.fullmatch(re.escape(prefix) + r"(\d+)", ref)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{prefix}{highest + 1:04d}"


def next_refs_line(catalog: Catalog) -> str:
    """What `fieldkit init --ref-prefix` (and the app) says after the prefix is set."""
    return f"new items get refs {next_ref(catalog)}, ..."


def _item_values(fields: ItemFields) -> dict[str, Any]:
    values = fields.model_dump()
    if values["found_on"] is not None:
        values["found_on"] = values["found_on"].isoformat()
    return values


def add_item(catalog: Catalog, data: dict[str, Any]) -> dict[str, Any]:
    """Validate and store a new item; returns the stored row."""
    from fieldkit.models import ItemFields, validate  # pydantic: only where an item is written

    fields = validate(ItemFields, data)
    with catalog.transaction():
        values = _item_values(fields)
        values["ref"] = values["ref"] or next_ref(catalog)
        if find_item(catalog, values["ref"]) is not None:
            raise ValidationError(f"ref {values['ref']} is already used by another item; choose another")
        stamp = now()
        return records.insert(
            catalog, "items", {"id": new_id(), **values, "created_at": stamp, "updated_at": stamp}
        )


def update_item(catalog: Catalog, ref: str, data: dict[str, Any]) -> dict[str, Any]:
    """Validate and apply changes to the item `ref`; fields not in `data` keep their values."""
    from fieldkit.models import ITEM_FIELDS, ItemFields, validate

    with catalog.transaction():
        current = get_item(catalog, ref)
        merged = {name: current[name] for name in ITEM_FIELDS} | data
        values = _item_values(validate(ItemFields, merged))
        if values["ref"] is None:
            raise ValidationError("ref: cannot be empty; every item needs a reference")
        other = find_item(catalog, values["ref"]) if values["ref"] != current["ref"] else None
        if other is not None and other["id"] != current["id"]:
            raise ValidationError(f"ref {values['ref']} is already used by another item; choose another")
        changes = {k: v for k, v in values.items() if current[k] != v}
        if not changes:
            return current
        changes["updated_at"] = now()
        return records.update(catalog, "items", {"id": current["id"]}, changes)


def delete_item(catalog: Catalog, ref: str) -> dict[str, Any]:
    """Delete an item with its markings, components and photo links (the photo originals stay)."""
    with catalog.transaction() as db:
        item = get_item(catalog, ref)
        for table in ("markings", "components"):
            for row in list(db[table].rows_where("item_id = ?", [item["id"]])):
                records.delete(catalog, table, row)
        for link in list(db["item_photos"].rows_where("item_id = ?", [item["id"]])):
            records.delete(catalog, "item_photos", link)
        return records.delete(catalog, "items", {"id": item["id"]})


def find_item(catalog: Catalog, ref: str) -> dict[str, Any] | None:
    """The item whose ref is `ref`, matched exactly or else regardless of case (`khk-0002` finds KHK-0002).

    Two refs that differ only in case (possible in catalogs made before refs were matched this
    way) make the case-blind match ambiguous: then only the exact ref finds an item.
    """
    rows = list(catalog.db["items"].rows_where("ref = ?", [ref], limit=1))
    if rows:
        return rows[0]
    rows = list(catalog.db["items"].rows_where("ref = ? COLLATE NOCASE", [ref], limit=2))
    return rows[0] if len(rows) == 1 else None


def get_item(catalog: Catalog, ref: str) -> dict[str, Any]:
    item = find_item(catalog, ref)
    if item is None:
        raise NotFound(f"no item with ref {ref!r}; `fieldkit item list` shows the refs")
    return item


COUNTS_SQL = """
    (SELECT count(*) FROM item_photos p WHERE p.item_id = items.id) AS photos,
    (SELECT count(*) FROM markings m WHERE m.item_id = items.id) AS markings,
    (SELECT count(*) FROM components c WHERE c.item_id = items.id) AS components,
    (SELECT coalesce(sum(c.quantity), 0) FROM components c WHERE c.item_id = items.id) AS parts
"""

def list_items(catalog: Catalog, query: str = "", *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Items ordered by ref with counts of photos, markings and component rows, and `parts`: the sum
    of the components' quantities (what `summary` counts), filtered by `query`."""
    where, params = search.where_clause(query, catalog.db)
    sql = f"SELECT items.*, {COUNTS_SQL} FROM items WHERE {where} ORDER BY ref"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params = [*params, limit, offset]
    cursor = catalog.db.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor]


def count_items(catalog: Catalog, query: str = "", *, cap: int | None = None) -> int:
    """How many items match `query`; with `cap`, counting stops at cap + 1 (shown as "cap+")."""
    where, params = search.where_clause(query)  # a count reads every match: by set is the faster
    sql = f"SELECT 1 FROM items WHERE {where}" + (f" LIMIT {int(cap) + 1}" if cap is not None else "")
    return catalog.db.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
