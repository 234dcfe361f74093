"""Finding text that is not valid UTF-8, which another program wrote into a catalog.

fieldkit only ever stores UTF-8, but SQLite accepts any bytes as TEXT (`CAST(x'ff' AS TEXT)` from
the sqlite3 shell), and Python cannot read such a cell back as text. A command that meets one
gives one line (fieldkit.cli.base); `verify` reports each cell with this module, reading the
catalog as bytes on a connection of its own, so that nothing else is decoded on the way.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from fieldkit.catalog.db import connect_reader, in_wal_mode


@dataclass(frozen=True)
class BadText:
    table: str
    rowid: int
    column: str

    def describe(self) -> str:
        return (f"{self.table} row {self.rowid}, column {self.column}, holds bytes that are not UTF-8 text "
                "(written by another program, not by fieldkit)")


def invalid_text(conn: sqlite3.Connection | None, path: Path | None, limit: int = 100) -> list[BadText]:
    """Up to `limit` cells of the catalog's own tables that are not valid UTF-8. Reads through a
    new read-only connection to the file at `path` (or `conn` itself for an in-memory catalog),
    told by `conn` how to open it: the catalog is open in this process, so its file is not read."""
    reader = connect_reader(path, wal=in_wal_mode(conn)) if path is not None else conn
    previous = reader.text_factory
    reader.text_factory = bytes
    found: list[BadText] = []
    try:
        tables = [name for (name,) in reader.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
        for table in tables:
            decoded = table.decode() if isinstance(table, bytes) else table
            columns = [row[1] for row in reader.execute(f'PRAGMA table_info("{decoded}")')]
            columns = [c.decode() if isinstance(c, bytes) else c for c in columns]
            if not columns:
                continue
            quoted = ", ".join(f"""CASE WHEN typeof("{c}") = 'text' THEN "{c}" END""" for c in columns)  # not blobs
            try:
                rows = reader.execute(f'SELECT rowid, {quoted} FROM "{decoded}"')
            except sqlite3.OperationalError:  # a WITHOUT ROWID table
                continue
            for rowid, *values in rows:
                for column, value in zip(columns, values):
                    if isinstance(value, bytes):
                        try:
                            value.decode("utf-8")
                        except UnicodeDecodeError:
                            found.append(BadText(decoded, rowid, column))
                            if len(found) >= limit:
                                return found
    finally:
        if reader is conn:
            reader.text_factory = previous
        else:
            reader.close()
    return found
