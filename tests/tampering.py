"""What an adversary with the laptop does to a catalog file: SQL through another connection (the sqlite3 shell)."""

from __future__ import annotations

import sqlite3


def shell(path, *statements) -> None:
    """Run each statement (SQL text, or (SQL, parameters)) on the file at `path`, and commit."""
    conn = sqlite3.connect(path)
    for statement in statements:
        sql, params = (statement, []) if isinstance(statement, str) else statement
        conn.execute(sql, params)
    conn.commit()
    conn.close()
