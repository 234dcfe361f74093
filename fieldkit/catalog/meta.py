"""Facts about a catalog itself, kept in its `catalog_meta` table: its id, and settings.

The catalog id is a random UUID made when the catalog is created (or upgraded to schema m005).
It names the catalog in the witness log, in backups, bundles and dossiers, so that a copy of a
catalog can be told from another catalog.
"""

from __future__ import annotations

from sqlite_utils import Database


def get_meta(db: Database, key: str) -> str | None:
    """The value stored under `key`, or None."""
    row = db.execute("SELECT value FROM catalog_meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def catalog_id(db: Database) -> str:
    """The catalog's own id (a UUID)."""
    value = get_meta(db, "catalog_id")
    if value is None:  # only a catalog edited behind fieldkit's back lacks it
        raise LookupError("the catalog has no id in catalog_meta")
    return value


def set_meta(db: Database, key: str, value: str) -> None:
    """Store `value` under `key`. Call inside a write transaction (and audit it where it matters)."""
    db.execute(
        "INSERT INTO catalog_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def renew_catalog_id(db: Database, *, actor: str) -> str:
    """Give the catalog a new id (a copy that becomes a catalog of its own), audited; returns it.
    Call inside a write transaction."""
    from fieldkit.catalog import audit
    from fieldkit.catalog.db import new_id, now

    old, new = get_meta(db, "catalog_id"), new_id()
    set_meta(db, "catalog_id", new)
    audit.record(db, at=now(), actor=actor, action="update", table="catalog_meta", row_id="catalog_id",
                 before=None if old is None else {"value": old}, after={"value": new})
    return new
