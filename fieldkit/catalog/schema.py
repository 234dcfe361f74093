"""The schema check: a catalog's tables, indexes, triggers and views against what the migrations create.

The schema is part of the evidence: a trigger planted with the sqlite3 shell can rewrite every
later row (`AFTER INSERT ON components ... SET country = 'KP'`) while each write is still audited
as fieldkit made it. The expected schema is built by applying every migration to an in-memory
catalog, so each new migration is covered without a list to keep up to date. SQLite's own
objects (`sqlite_%`, e.g. `sqlite_stat1` left by ANALYZE) are not fieldkit's and are left out.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass

from sqlite_utils import Database

SCHEMA_SQL = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"


@dataclass(frozen=True)
class SchemaObject:
    type: str  # table | index | trigger | view
    name: str
    table: str
    sql: str | None

    def describe(self) -> str:
        on = f" on {self.table}" if self.table and self.table != self.name else ""
        return f"{self.type} {self.name}{on}"


def _normal(sql: str | None) -> str | None:
    return None if sql is None else re.sub(r"\s+", " ", sql).strip()


def schema_of(db: Database) -> dict[tuple[str, str], SchemaObject]:
    """Every table, index, trigger and view of a database, by (type, name)."""
    return {(t, n): SchemaObject(t, n, tbl, _normal(sql)) for t, n, tbl, sql in db.execute(SCHEMA_SQL)}


@functools.cache
def expected_schema() -> dict[tuple[str, str], SchemaObject]:
    """What the migrations create, applied to an empty in-memory catalog (once per process)."""
    from fieldkit.catalog.migrations import migrations

    db = Database(sqlite3.connect(":memory:"))
    try:
        migrations.apply(db)
        return schema_of(db)
    finally:
        db.conn.close()


def check_schema(db: Database) -> list[str]:
    """One line for each object that is added, changed or missing against what the migrations create."""
    expected, actual = expected_schema(), schema_of(db)
    problems = []
    for key, found in sorted(actual.items()):
        want = expected.get(key)
        if want is None:
            problems.append(f"{found.describe()} was added; no migration makes it: {found.sql}")
        elif want.sql != found.sql or want.table != found.table:
            problems.append(f"{found.describe()} was changed: it is now {found.sql}")
    for key, want in sorted(expected.items()):
        if key not in actual:
            problems.append(f"{want.describe()} is missing; the migrations make it: {want.sql}")
    return problems
