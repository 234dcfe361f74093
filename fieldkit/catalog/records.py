"""Audited writes: insert, update and delete a row, and write its audit record in the same transaction.

Every change to the catalog goes through these three functions, so nothing changes unrecorded.
"""

from __future__ import annotations

import operator
from itertools import repeat
from typing import Any

from fieldkit.catalog import audit, search
from fieldkit.catalog.db import Catalog, now
from fieldkit.errors import NotFound


def _where(table: str, key: dict[str, Any]) -> tuple[str, list[Any]]:
    columns = audit.AUDITED_TABLES[table]
    return " AND ".join(f"[{c}] = ?" for c in columns), [key[c] for c in columns]


def fetch(catalog: Catalog, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    where, params = _where(table, key)
    rows = list(catalog.db[table].rows_where(where, params, limit=1))
    return rows[0] if rows else None


def insert(catalog: Catalog, table: str, row: dict[str, Any]) -> dict[str, Any]:
    with catalog.transaction() as db:
        db[table].insert(row)
        stored = fetch(catalog, table, row)
        audit.record(
            db, at=now(), actor=catalog.actor, action="insert", table=table,
            row_id=audit.row_key(table, row), before=None, after=stored,
        )
    return stored


def update(catalog: Catalog, table: str, key: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    with catalog.transaction() as db:
        before = fetch(catalog, table, key)
        if before is None:
            raise NotFound(f"no {table} row {audit.row_key(table, key)}")
        where, params = _where(table, key)
        assignments = ", ".join(f"[{c}] = ?" for c in changes)
        db.execute(f"UPDATE [{table}] SET {assignments} WHERE {where}", [*changes.values(), *params])
        after = fetch(catalog, table, key)
        audit.record(
            db, at=now(), actor=catalog.actor, action="update", table=table,
            row_id=audit.row_key(table, key), before=before, after=after,
        )
    return after


def delete(catalog: Catalog, table: str, key: dict[str, Any]) -> dict[str, Any]:
    with catalog.transaction() as db:
        before = fetch(catalog, table, key)
        if before is None:
            raise NotFound(f"no {table} row {audit.row_key(table, key)}")
        where, params = _where(table, key)
        db.execute(f"DELETE FROM [{table}] WHERE {where}", params)
        audit.record(
            db, at=now(), actor=catalog.actor, action="delete", table=table,
            row_id=audit.row_key(table, key), before=before, after=None,
        )
    return before


class BulkInsert:
    """Insert many rows of one table in batches, audited as one bulk event (`audit.BulkEvent`).

    Use inside `catalog.transaction()`: `add(row)` per row, then `finish(details)`. Rows are
    written with every column given (missing ones as NULL), so the row stored is the row hashed;
    memory holds one batch, whatever the number of rows. Markings and components suspend the
    per-row search triggers; `finish` rebuilds the documents of the items touched.

    The table's insert trigger is also dropped until `finish` creates it again from its own SQL
    text (sqlite_master), inside the same transaction, so no other reader ever sees the table
    without it: even suspended, an AFTER INSERT trigger doubled the time of a 100,000-row insert
    (the per-row trigger program and the statement journal it needs). End with `finish`, or roll
    the transaction back.

    When the caller expects more rows (`expected_rows`) than the table holds, its secondary
    indexes are dropped the same way and built again by `finish` from their own SQL text: one
    sorted build instead of an index update per row. A failed import rolls the drop back.
    """

    def __init__(self, catalog: Catalog, table: str, *, event_id: str, batch: int = 5000, expected_rows: int = 0):
        self.catalog, self.table, self.batch = catalog, table, batch
        db = catalog.db
        if not catalog.db.conn.in_transaction or getattr(catalog, "_depth", 1) != 1:
            # outermost only: the search trigger dropped below comes back at finish() or with the
            # rollback of this transaction, and a nested one is neither finished nor rolled back alone
            raise RuntimeError("BulkInsert must run in its own, outermost catalog.transaction()")
        self.columns = [c.name for c in db[table].columns]
        self._known = frozenset(self.columns)
        self._item_of = operator.itemgetter("item_id")
        self._statements: dict[tuple[str, ...], tuple[str, Any]] = {}
        self._search = table in ("markings", "components")
        self._trigger = None
        if self._search:
            search.suspend(db)
            self._trigger = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                                       [f"{table}_search_insert"]).fetchone()
            if self._trigger:
                db.execute(f"DROP TRIGGER [{self._trigger[0]}]")
        self._indexes: list[tuple[str, str]] = []
        if expected_rows > db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]:
            self._indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                       "AND sql IS NOT NULL ORDER BY name", [table]).fetchall()
            for name, _ in self._indexes:
                db.execute(f"DROP INDEX [{name}]")
        self._items: set[str] = set()
        self._pending: list[dict[str, Any]] = []
        self.event = audit.BulkEvent(db, table=table, action="import", event_id=event_id)

    def add(self, row: dict[str, Any]) -> None:
        if not self._known.issuperset(row):
            raise ValueError(f"{self.table} has no column {sorted(set(row) - self._known)[0]!r}")
        self._pending.append(row if len(row) == len(self.columns) else {c: row.get(c) for c in self.columns})
        if len(self._pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            sql, values = self._statement(self._pending)
            self.catalog.db.conn.executemany(sql, map(values, self._pending))
        self.event.add_many(self._pending)
        if self._search:
            self._items.update(map(self._item_of, self._pending))
        self._pending.clear()

    def _statement(self, rows: list[dict[str, Any]]) -> tuple[str, Any]:
        """The INSERT of this batch, and the getter of a row's values for it (a tuple).

        Every column is named. A column that is None in every row of the batch is written as the
        literal NULL rather than bound as a parameter: the same value stored, but the sqlite3 module
        binds each None through its adapter look-up, about 0.3 microseconds apiece -- for rows
        with a dozen empty columns, as much as the rest of the insert."""
        first = rows[0]
        nulls = tuple(c for c in self.columns
                      if first[c] is None and all(map(operator.is_, map(operator.itemgetter(c), rows), repeat(None))))
        statement = self._statements.get(nulls)
        if statement is None:
            bound = [c for c in self.columns if c not in nulls]
            names = ", ".join(f"[{c}]" for c in self.columns)
            marks = ", ".join("NULL" if c in nulls else "?" for c in self.columns)
            getter = operator.itemgetter(*bound) if len(bound) > 1 else (lambda row: tuple(row[c] for c in bound))
            statement = self._statements[nulls] = (f"INSERT INTO [{self.table}] ({names}) VALUES ({marks})", getter)
        return statement

    def finish(self, details: dict[str, Any]) -> int:
        """Write what is left and the event's audit row; returns the number of rows added."""
        self.flush()
        for _, sql in self._indexes:
            self.catalog.db.execute(sql)
        self._indexes = []
        if self._trigger:
            self.catalog.db.execute(self._trigger[1])
            self._trigger = None
        if self._search:
            search.resume(self.catalog.db, self._items)
        if self.event.count:
            self.event.finish(at=now(), actor=self.catalog.actor, details=details)
        return self.event.count


def insert_many(catalog: Catalog, table: str, rows: list[dict[str, Any]]) -> int:
    """Insert many rows and their audit records in one transaction, with executemany.

    The same result as calling `insert` for each row, about an order of magnitude faster: the
    audit chain is computed in Python and written in one batch. Every row must have the same keys.
    """
    if not rows:
        return 0
    columns = list(rows[0])
    placeholders = ", ".join("?" for _ in columns)
    names = ", ".join(f"[{c}]" for c in columns)
    with catalog.transaction() as db:
        bulk_children = table in ("markings", "components")
        if bulk_children:
            search.suspend(db)
        db.conn.executemany(
            f"INSERT INTO [{table}] ({names}) VALUES ({placeholders})", [[row[c] for c in columns] for row in rows]
        )
        if bulk_children:
            search.resume(db, (row["item_id"] for row in rows))
        defaults = {c.name: None for c in db[table].columns} | db[table].default_values
        entries = audit.chain_entries(
            db,
            at=now(),
            actor=catalog.actor,
            action="insert",
            table=table,
            changes=[(audit.row_key(table, row), None, defaults | row) for row in rows],
        )
        db.conn.executemany(
            f"INSERT INTO audit ({', '.join(audit.ENTRY_FIELDS)}) VALUES ({', '.join('?' for _ in audit.ENTRY_FIELDS)})",
            [[e[f] for f in audit.ENTRY_FIELDS] for e in entries],
        )
    return len(rows)
