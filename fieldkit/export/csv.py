"""CSV export of the catalog: one file per table, streamed, safe to open in a spreadsheet.

Spreadsheet safety follows OWASP's CSV injection guidance: a cell that begins with `=`, `+`, `-`,
`@`, a tab or a carriage return is written with a leading apostrophe, so a spreadsheet shows it as
text instead of running it as a formula. Plain numbers such as `-12.5` are left alone.

The data still round-trips: a cell that begins with one or more apostrophes followed by one of
those characters has had exactly one apostrophe added, and `restore_cell` takes it off. A value
that itself began with such an apostrophe gets a second one, so the rule is never ambiguous.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.catalog.db import Catalog
from fieldkit.errors import FieldkitError

_NEEDS_GUARD = re.compile(r"'*[=+\-@\t\r]")
_GUARDED = re.compile(r"'+[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")

EXPORT_NOTE = """\
fieldkit CSV export

Files: items.csv, photos.csv, markings.csv, components.csv (UTF-8, one header row).

Spreadsheet safety (OWASP CSV injection): any cell that begins with = + - @ TAB or CR was
written with one extra apostrophe (') in front, so that a spreadsheet does not run it as a
formula. Plain numbers such as -12.5 were left as they are.
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
        ORDER BY items.ref, photos.added_at""",
    "markings": """
        SELECT items.ref AS item_ref, photos.sha256 AS photo_sha256, markings.*
        FROM markings JOIN items ON items.id = markings.item_id
        LEFT JOIN photos ON photos.id = markings.photo_id
        ORDER BY items.ref, markings.created_at""",
    "components": """
        SELECT items.ref AS item_ref, components.*
        FROM components JOIN items ON items.id = components.item_id
        ORDER BY items.ref, components.created_at""",
}


def guard_cell(value: Any) -> Any:
    """The cell as written: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if not isinstance(value, str) or _PLAIN_NUMBER.fullmatch(value) or not _NEEDS_GUARD.match(value):
        return value
    return "'" + value


def restore_cell(text: str) -> str:
    """The original value of a cell written by `guard_cell`."""
    return text[1:] if _GUARDED.match(text) else text


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    files: dict[str, int]  # file name -> data rows written

    def describe(self) -> str:
        counts = ", ".join(f"{name} ({rows} rows)" for name, rows in self.files.items())
        return f"wrote {counts} to {self.directory}"


def _rows(cursor) -> Iterator[list[Any]]:
    for row in cursor:
        yield [guard_cell(value) for value in row]


def write_csv(path: Path, header: Iterable[str], rows: Iterable[list[Any]]) -> int:
    """Write one CSV file atomically (temp file, then rename); returns the number of data rows."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                count += 1
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
            cursor = catalog.db.execute(sql)
            header = [d[0] for d in cursor.description]
            files[f"{table}.csv"] = write_csv(outdir / f"{table}.csv", header, _rows(cursor))
        (outdir / "README.txt").write_text(EXPORT_NOTE, encoding="utf-8")
    except OSError as exc:
        raise FieldkitError(f"cannot write the export to {outdir}: {exc.strerror}; choose another folder") from None
    return ExportResult(outdir, files)
