"""The cells of an exported CSV line, made in Python: the spreadsheet guard (`guard_cell`, and
`restore_cell` to take it off), text and number cells, and `csv_line`, which makes the lines
SQLite's format() cannot (fieldkit.export.csv says why). Also the SQL functions the export's
SELECT calls (`register`). Nothing here loads more than the standard library, so the export's
second process (fieldkit.export.part) starts quickly."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

# Characters a reader does not see, or that a program may strip before a spreadsheet reads the
# cell: spaces, C0 and C1 controls (ESC, which starts a terminal escape sequence, among them), NBSP,
# zero-width and bidirectional controls, BOM. A cell that begins with one is guarded as a formula
# would be, so that "\x1b[0m=HYPERLINK(...)" stays guarded whatever strips the sequence later.
_HIDDEN_RANGES = ((0x00, 0x20), (0x7F, 0xA0), (0x61C, 0x61C), (0x200B, 0x200F), (0x202A, 0x202E),
                  (0x2060, 0x2069), (0xFEFF, 0xFEFF))
_TRIGGERS = "=+\\-@" + "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in _HIDDEN_RANGES)
_NEEDS_GUARD = re.compile(f"'*[{_TRIGGERS}]")
_GUARDED = re.compile(f"'+[{_TRIGGERS}]")


def guard_cell(value: Any) -> Any:
    """The cell as written: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and _NEEDS_GUARD.match(value):
        return "'" + value
    return value


def restore_cell(text: str) -> str:
    """The original value of a cell written by `guard_cell`."""
    return text[1:] if _GUARDED.match(text) else text


def text_cell(value: Any) -> str:
    """A cell of a text column as written: guarded, quoted, `""` when missing.
    A blob (which fieldkit never stores, but another program may) is written as the text it holds."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = "" if value is None else str(guard_cell(value))
    return '"' + text.replace('"', '""') + '"'


def number_cell(value: Any) -> str:
    """A cell of a number column as written: bare, empty when missing; text found there is quoted."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return repr(value)
    return text_cell(value)


def csv_line(kinds: str, *values: Any) -> str:
    """One exported line, made in Python. `kinds` has a letter for each value: "t" for a text
    column, "n" for a number column. The export's SQL
    makes the same line; this makes the rows SQL cannot (a NUL character in a text cell, a blob)."""
    return ",".join(
        number_cell(value) if kind == "n" else text_cell(value)
        for kind, value in zip(kinds, values)
    )


def date_readings_json(code: str | None, form: str | None, created_at: str | None) -> str | None:
    """The readings of a stored date code as JSON (`components.date_readings`), for `export csv --full`."""
    from fieldkit.catalog.components import date_readings

    readings = date_readings({"date_code": code, "date_form": form, "created_at": created_at})
    if not readings:
        return None
    return json.dumps([{k: v for k, v in r.to_json().items() if k != "score"} for r in readings],
                      ensure_ascii=False, separators=(",", ":"))


def register(conn: sqlite3.Connection) -> None:
    """Give `conn` the functions the export's SELECT calls: csv_line, real_text (a real as Python
    writes it) and date_readings_json (`--full`)."""
    conn.create_function("date_readings_json", 3, date_readings_json, deterministic=True)
    conn.create_function("real_text", 1, repr, deterministic=True)
    conn.create_function("csv_line", -1, csv_line, deterministic=True)
