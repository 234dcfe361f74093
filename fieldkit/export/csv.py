"""CSV export of the catalog: one file per table, streamed, safe to open in a spreadsheet.

Spreadsheet safety follows OWASP's CSV injection guidance: a text cell that begins with `=`, `+`,
`-`, `@`, a tab or a carriage return is written with a leading apostrophe, so a spreadsheet shows
it as text instead of running it as a formula. Numbers stored as numbers (a latitude of -12.5)
are left alone.

The data still round-trips: a cell that begins with one or more apostrophes followed by one of
those characters has had exactly one apostrophe added, and `restore_cell` takes it off. A value
that itself began with such an apostrophe gets a second one, so the rule is never ambiguous.

The guard runs inside SQLite (`guarded_select`, the same rule as `guard_cell`) and rows go from
the cursor to `csv.writer.writerows` in batches, so the export streams in constant memory.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.catalog.db import Catalog
from fieldkit.errors import FieldkitError

_NEEDS_GUARD = re.compile(r"'*[=+\-@\t\r]")
_GUARDED = re.compile(r"'+[=+\-@\t\r]")
_GUARD_SQL = (
    "CASE WHEN typeof({c}) = 'text' AND substr(ltrim({c}, ''''), 1, 1) "
    "IN ('=', '+', '-', '@', char(9), char(13)) THEN '''' || {c} ELSE {c} END"
)
BATCH = 10_000

EXPORT_NOTE = """\
fieldkit CSV export

Files: items.csv, photos.csv, markings.csv, components.csv (UTF-8, one header row).

Spreadsheet safety (OWASP CSV injection): any text cell that begins with = + - @ TAB or CR was
written with one extra apostrophe (') in front, so that a spreadsheet does not run it as a
formula. Numbers (such as a latitude of -12.5) were left as they are.
To recover the exact value: if a cell begins with one or more apostrophes followed by one of
= + - @ TAB CR, remove exactly one leading apostrophe. (A value that itself began that way
received one more apostrophe, so this rule is exact.) `fieldkit.export.csv.restore_cell` does it.
"""

QUERIES = {
    "items": "SELECT * FROM items ORDER BY ref",
    "photos": """
        SELECT items.ref AS item_ref, item_photos.caption, photos.*
        FROM photos
        LEFT JOIN item_photos ON item_photos.photo_id = photos.id
        LEFT JOIN items ON items.id = item_photos.item_id
        ORDER BY photos.rowid""",
    "markings": """
        SELECT items.ref AS item_ref, photos.sha256 AS photo_sha256, markings.*
        FROM markings JOIN items ON items.id = markings.item_id
        LEFT JOIN photos ON photos.id = markings.photo_id
        ORDER BY markings.rowid""",
    "components": """
        SELECT items.ref AS item_ref, components.*
        FROM components JOIN items ON items.id = components.item_id
        ORDER BY components.rowid""",
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


def write_csv(path: Path, header: Iterable[str], cursor) -> int:
    """Write a cursor's rows to one CSV file atomically (temp file, then rename); returns the row count."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for batch in iter(lambda: cursor.fetchmany(BATCH), []):
                writer.writerows(batch)
                count += len(batch)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def export_catalog(catalog: Catalog, outdir: Path | str) -> ExportResult:
    """Write items.csv, photos.csv, markings.csv and components.csv, and a note on reading them."""
    outdir = Path(outdir).expanduser()
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        files = {}
        for table, sql in QUERIES.items():
            header, cursor = guarded_select(catalog.db, sql)
            files[f"{table}.csv"] = write_csv(outdir / f"{table}.csv", header, cursor)
        (outdir / "README.txt").write_text(EXPORT_NOTE, encoding="utf-8")
    except OSError as exc:
        raise FieldkitError(f"cannot write the export to {outdir}: {exc.strerror}; choose another folder") from None
    return ExportResult(outdir, files)
