"""CSV export of the catalog: one file per table, streamed, safe to open in a spreadsheet.

Spreadsheet safety follows OWASP's CSV injection guidance: a text cell that begins with `=`, `+`,
`-`, `@`, a tab or a carriage return is written with a leading apostrophe, so a spreadsheet shows
it as text instead of running it as a formula. Numbers stored as numbers (a latitude of -12.5)
are left alone.

The data still round-trips: a cell that begins with one or more apostrophes followed by one of
those characters has had exactly one apostrophe added, and `restore_cell` takes it off. A value
that itself began with such an apostrophe gets a second one, so the rule is never ambiguous.

For speed the guard runs inside SQLite (`guarded_select`, the same rule as `guard_cell`), rows
go from the cursor to `csv.writer.writerows` in batches, and each row's item ref is looked up
in a dict of refs rather than by a join. Memory grows with the number of items, never with the
number of rows exported.
"""

from __future__ import annotations

import csv
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from fieldkit.catalog.db import Catalog, connect, translate_error
from fieldkit.errors import FieldkitError

_NEEDS_GUARD = re.compile(r"'*[=+\-@\t\r]")
_GUARDED = re.compile(r"'+[=+\-@\t\r]")
# The same test inside SQLite. unicode() of the first character is cheap, so the full test runs
# only on the rare cells that start with = + - @ TAB CR or an apostrophe (61 43 45 64 9 13 39).
_GUARD_SQL = (
    "CASE WHEN unicode({c}) IN (61, 43, 45, 64, 9, 13, 39) AND typeof({c}) = 'text' "
    "AND unicode(ltrim({c}, '''')) IN (61, 43, 45, 64, 9, 13) THEN '''' || {c} ELSE {c} END"
)
BATCH = 10_000

EXPORT_NOTE = """\
fieldkit CSV export

Files: items.csv, photos.csv, markings.csv, components.csv (UTF-8, one header row).
Each row of photos.csv, markings.csv and components.csv names its item by item_ref.

Spreadsheet safety (OWASP CSV injection): any text cell that begins with = + - @ TAB or CR was
written with one extra apostrophe (') in front, so that a spreadsheet does not run it as a
formula. Numbers (such as a latitude of -12.5) were left as they are.
To recover the exact value: if a cell begins with one or more apostrophes followed by one of
= + - @ TAB CR, remove exactly one leading apostrophe. (A value that itself began that way
received one more apostrophe, so this rule is exact.) `fieldkit.export.csv.restore_cell` does it.
"""

# The query of each file. Where the first column is `item_ref`, the query gives the item's id
# there and the export writes the item's ref in its place.
QUERIES = {
    "items": "SELECT * FROM items ORDER BY ref",
    "photos": """
        SELECT item_photos.item_id AS item_ref, item_photos.caption, photos.*
        FROM photos LEFT JOIN item_photos ON item_photos.photo_id = photos.id
        ORDER BY photos.rowid""",
    "markings": """
        SELECT markings.item_id AS item_ref, photos.sha256 AS photo_sha256, markings.*
        FROM markings LEFT JOIN photos ON photos.id = markings.photo_id
        ORDER BY markings.rowid""",
    "components": "SELECT item_id AS item_ref, * FROM components ORDER BY rowid",
}


def guard_cell(value: Any) -> Any:
    """The cell as written: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and _NEEDS_GUARD.match(value):
        return "'" + value
    return value


def restore_cell(text: str) -> str:
    """The original value of a cell written by `guard_cell`."""
    return text[1:] if _GUARDED.match(text) else text


def guarded_select(db, sql: str) -> tuple[list[str], Any]:
    """Run `sql` with `guard_cell`'s rule applied to every column inside SQLite: (header, cursor)."""
    header = [d[0] for d in db.execute(f"SELECT * FROM ({sql}) LIMIT 0").description]
    columns = ", ".join(_GUARD_SQL.format(c='"' + name.replace('"', '""') + '"') for name in header)
    return header, db.execute(f"SELECT {columns} FROM ({sql})")


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    files: dict[str, int]  # file name -> data rows written

    def describe(self) -> str:
        counts = ", ".join(f"{name} ({rows} rows)" for name, rows in self.files.items())
        return f"wrote {counts} to {self.directory}"


def _batches(cursor, refs: dict[str, str] | None) -> Iterator[list[tuple]]:
    for batch in iter(lambda: cursor.fetchmany(BATCH), []):
        if refs is not None:
            batch = [(refs.get(row[0]), *row[1:]) for row in batch]
        yield batch


def write_csv(path: Path, header: Iterable[str], batches: Iterable[list[tuple]]) -> int:
    """Write a header and batches of rows to one CSV file atomically (temp file, then rename);
    returns the number of data rows."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for batch in batches:
                writer.writerows(batch)
                count += len(batch)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def write_text(path: Path, text: str) -> None:
    """Write a small text file atomically (temp file, fsync, rename): a kill leaves the old file or the new."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_catalog(catalog: Catalog, outdir: Path | str) -> ExportResult:
    """Write items.csv, photos.csv, markings.csv and components.csv, and a note on reading them."""
    outdir = Path(outdir).expanduser()
    # Every file is read in one read transaction on a connection of its own: a write by another
    # program (or another thread of this one) meanwhile cannot make components.csv name an item
    # that items.csv lacks, and cannot be caught up in the export's transaction.
    reader = connect(catalog.path) if catalog.path is not None else None
    db = Database(reader) if reader is not None else catalog.db
    try:
        if reader is not None:
            reader.execute("BEGIN")
        refs = {item_id: guard_cell(ref) for item_id, ref in db.execute("SELECT id, ref FROM items")}
        outdir.mkdir(parents=True, exist_ok=True)
        files = {}
        for table, sql in QUERIES.items():
            header, cursor = guarded_select(db, sql)
            by_ref = refs if header[0] == "item_ref" else None
            files[f"{table}.csv"] = write_csv(outdir / f"{table}.csv", header, _batches(cursor, by_ref))
        write_text(outdir / "README.txt", EXPORT_NOTE)
    except OSError as exc:
        raise FieldkitError(f"cannot write the export to {outdir}: {exc.strerror}; choose another folder") from None
    except sqlite3.Error as exc:
        raise translate_error(exc, catalog.path) from None
    finally:
        if reader is not None:
            reader.close()  # nothing was written: closing ends the read transaction
    return ExportResult(outdir, files)
