"""CSV export of the catalog: one file per table, streamed, safe to open in a spreadsheet.

Spreadsheet safety follows OWASP's CSV injection guidance: a text cell that begins with `=`, `+`,
`-`, `@`, a tab or a carriage return is written with a leading apostrophe, so a spreadsheet shows
it as text instead of running it as a formula. So does a cell that begins with something a reader
cannot see and a program may strip before a spreadsheet reads it (a space, a control character
such as the ESC of an escape sequence, a zero-width or bidirectional control): the test is on the
bytes written, so `ESC [0m =HYPERLINK(...)` is guarded too. Numbers stored as numbers (a latitude
of -12.5) are left alone.

The data still round-trips: a cell that begins with one or more apostrophes followed by one of
those characters has had exactly one apostrophe added, and `restore_cell` takes it off. A value
that itself began with such an apostrophe gets a second one, so the rule is never ambiguous.

Cell format: every text cell is quoted (`"Харків"`, with `"` doubled inside), a number is written
bare, and a missing value is an empty cell (`""` in a text column). That is RFC 4180 CSV, read the same by spreadsheets and
by Python's csv module; quoting every text cell also keeps text that looks like a number ("0012")
apart from a number.

For speed (issue 8: at least 200,000 rows/s; issue 17) SQLite writes each line itself, as UTF-8
bytes: one `format()` call per row over a flat, rowid-ordered SELECT, with the guard (`guard_sql`,
the same rule as `guard_cell`) on each text cell. A cell taken from a smaller table (the item's ref,
the basis, the table version) is finished once per row of that table (LOOKUP_CELLS). SQLite's
`format()` stops at a NUL character, so a row with NUL in any text cell (or with a blob, which only
another program could have stored) is written by `csv_line` in Python instead (the same format, byte
for byte); nothing is cut short. components.csv is made in chunks of CHUNK rows, one SQLite step per
chunk (`chunked_select`); Python checks each chunk's UTF-8 and writes it. When a core is idle, a
second thread makes the last half of components.csv (by rowid) in a read transaction of its own at
the same state of the catalog (`export_catalog`); SQLite releases the GIL while it steps, so the two
halves are made on two cores. Every file is written under a temporary name and put in place only
when all of them are complete. Memory grows with the number of items, never with the number of rows
exported.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from fieldkit.catalog import audit, witness
from fieldkit.catalog.db import (Catalog, connect, connect_reader, database, in_wal_mode, refuse_inside_store,
                                 translate_error)
from fieldkit.errors import FieldkitError
from fieldkit.export import provenance as provenance_file
from fieldkit.paths import expand_user, refuse_special
from fieldkit.wording import plural

# Characters a reader does not see, or that a program may strip before a spreadsheet reads the
# cell: spaces, C0 and C1 controls (ESC, which starts a terminal escape sequence, among them), NBSP,
# zero-width and bidirectional controls, BOM. A cell that begins with one is guarded as a formula
# would be, so that "\x1b[0m=HYPERLINK(...)" stays guarded whatever strips the sequence later.
_HIDDEN_RANGES = ((0x00, 0x20), (0x7F, 0xA0), (0x61C, 0x61C), (0x200B, 0x200F), (0x202A, 0x202E),
                  (0x2060, 0x2069), (0xFEFF, 0xFEFF))
_TRIGGERS = "=+\\-@" + "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in _HIDDEN_RANGES)
_NEEDS_GUARD = re.compile(f"'*[{_TRIGGERS}]")
_GUARDED = re.compile(f"'+[{_TRIGGERS}]")
# The same test inside SQLite. Every character that can start a guarded cell (= + - @ ' and the
# hidden ones) sorts below "0", between "=" and "A", or in one of the hidden ranges, so a few
# string comparisons skip the function calls for almost every cell; the full test runs only on the
# few left. (The unary + takes the column's affinity off, so that text in a number column is
# compared as text, not with '0' as 0.)
# The hidden ranges past ASCII as string literals (SQLite compares text by code point), so that the
# quick test calls no function; the full test takes the first code point after any apostrophes once.
_MAY_NEED_GUARD = "(+{c} < 'A' AND (+{c} < '0' OR +{c} >= '=')) OR (+{c} >= '\x7f' AND (" + " OR ".join(
    f"(+{{c}} >= '{chr(low)}' AND +{{c}} < '{chr(high + 1)}')" for low, high in _HIDDEN_RANGES[1:]
) + "))"
_TRIGGER_CODES = ", ".join(str(code) for code in [61, 43, 45, 64, *(
    code for low, high in _HIDDEN_RANGES for code in range(low, high + 1))])
_GUARD_SQL = (
    f"CASE WHEN ({_MAY_NEED_GUARD}) AND typeof({{c}}) = 'text' "
    f"AND unicode(ltrim({{c}}, '''')) IN ({_TRIGGER_CODES}) THEN '''' || {{c}} ELSE {{c}} END"
)
BATCH = 500  # lines: a batch joined (about 300 kB) reuses freed memory; 10,000 made page faults cost 0.1 s CPU per 100k rows
CHUNK = 500  # rows per chunk of a chunked file (about 330 kB of components.csv); 2,000 (1.3 MB) took 0.05 s more system time per 100k rows in page faults
CHUNKED = ["components"]  # files written in chunks (chunked_select): one line per row of the table, in rowid order
PARALLEL_ROWS = 20_000  # components; below this a second thread saves less than it costs
LOCK_WAIT_MS = 200  # how long the export waits for the write lock that lines up its two readers
LINE_END = "\r\n"
WRITE_BUFFER = 1 << 20
WRITEBACK = 8 << 20  # bytes written between two requests to start writing them to disk

EXPORT_NOTE = """\
fieldkit CSV export

Files: items.csv, photos.csv, markings.csv, components.csv, photo_provenance.csv (UTF-8, one
header row).
Each row of photos.csv, markings.csv and components.csv names its item by item_ref.
Every text cell is in double quotes (RFC 4180 CSV), numbers are bare, and an empty cell is a
missing value.

Spreadsheet safety (OWASP CSV injection): any text cell that begins with = + - @, or with a
character a reader cannot see (a space, TAB, CR or another control character, a zero-width or
bidirectional mark), was written with one extra apostrophe (') in front, so that a spreadsheet
does not run it as a formula. Numbers (such as a latitude of -12.5) were left as they are.
To recover the exact value: if a cell begins with one or more apostrophes followed by one of
those characters, remove exactly one leading apostrophe. (A value that itself began that way
received one more apostrophe, so this rule is exact.) `fieldkit.export.csv.restore_cell` does it.

components.csv, one row per component as stored:
  item_ref, id, item_id    the item (by its ref and id) and the component's own id
  part_number, marking_text, type, quantity    as entered
  firm                     who made it: the firm's name from the manufacturers table, or the
                           brand as entered when the table has no such firm
  firm_id                  the firm's row in the manufacturers table (empty if none was found)
  country                  ISO 3166-1 alpha-2 code of the firm's headquarters (or as entered)
  attributed_by            reference (the table decided), researcher (an entered brand or
                           country decided), ambiguous (several firms fit, nothing decided),
                           none (not attributed)
  basis                    why, in words, with any notes
  table_version            the version (hash) of the reference tables the attribution used
  entered_manufacturer, entered_country    the brand and country as the researcher entered them
  date_code                the date code as printed
  date_code_form           how it was read (YYWW, YWW, ...), or "not read as a date": then the
                           code is kept as printed and left out of the date window
  date_start, date_end     the period the code stands for: the span of every reading
  photo_id, crop_x, crop_y, crop_w, crop_h    the photo and the crop the part was read from
  notes, created_at, updated_at
With `fieldkit export csv --full`, two more columns, JSON for programs:
  candidates_json          every firm the part may be, when there is more than one
  date_readings_json       each reading of the date code: form, label, start, end, basis

audit-head.json: the catalog's audit head when this export was made (catalog id, newest audit
row, its hash and a short fingerprint). `fieldkit verify --witness THIS_FOLDER` checks that the
catalog still holds that head.
"""

# Each file: (FROM clause, ORDER BY, leading columns as (SQL expression, name)); the table's own
# columns follow the leading ones. `ref_cells.raw` is the item's ref (LOOKUP_CELLS).
EXPORTS = {
    "items": ("items", "items.ref", []),
    "photos": (
        "photos LEFT JOIN item_photos ON item_photos.photo_id = photos.id "
        "LEFT JOIN ref_cells ON ref_cells.id = item_photos.item_id",
        "photos.rowid",
        [("ref_cells.raw", "item_ref"), ("item_photos.caption", "caption")],
    ),
    "markings": (
        "markings LEFT JOIN photos ON photos.id = markings.photo_id "
        "LEFT JOIN ref_cells ON ref_cells.id = markings.item_id",
        "markings.rowid",
        [("ref_cells.raw", "item_ref"), ("photos.sha256", "photo_sha256")],
    ),
    "components": (
        "components LEFT JOIN ref_cells ON ref_cells.id = components.item_id "
        "LEFT JOIN basis_cells ON basis_cells.id = components.basis_id "
        "LEFT JOIN version_cells ON version_cells.id = components.reference_version_id",
        "components.rowid",
        [("ref_cells.raw", "item_ref")],
    ),
}

# Columns spelled out from another, smaller table (the item's ref; the basis in words and the table
# version): each of its rows' finished cell (guarded, quoted) is made once, in a materialized CTE,
# instead of once per exported row, with `raw` (the value, for csv_line) and `odd` (it holds a NUL
# or is a blob, so a row naming it is written by csv_line). The guard is the same SQL as on any other
# text cell. A column of kind "c" reads `<cte>.raw`; its cell is `<cte>.cell`.
ITEM_REFS = ("ref_cells", "items", "ref")
LOOKUP_CELLS = {
    "items": [],
    "photos": [ITEM_REFS],
    "markings": [ITEM_REFS],
    "components": [ITEM_REFS, ("basis_cells", "attribution_bases", "basis"),
                   ("version_cells", "reference_versions", "version")],
}

# components.csv: the row's own columns under readable names, in this order (README.txt says what each
# means), the basis and the table version spelled out instead of their ids (finished once per lookup
# row, LOOKUP_CELLS); `--full` adds the machine-readable details.
COMPONENT_COLUMNS = [
    ("id", "id"), ("item_id", "item_id"), ("part_number", "part_number"), ("marking_text", "marking_text"),
    ("type", "type"), ("quantity", "quantity"),
    ("manufacturer", "firm"), ("firm_id", "firm_id"), ("country", "country"), ("attributed_by", "attributed_by"),
    ("basis_cells.raw", "basis"), ("version_cells.raw", "table_version"),
    ("entered_manufacturer", "entered_manufacturer"), ("entered_country", "entered_country"),
    ("date_code", "date_code"), ("date_form", "date_code_form"), ("date_start", "date_start"), ("date_end", "date_end"),
    ("photo_id", "photo_id"), ("crop_x", "crop_x"), ("crop_y", "crop_y"), ("crop_w", "crop_w"), ("crop_h", "crop_h"),
    ("notes", "notes"), ("created_at", "created_at"), ("updated_at", "updated_at"),
]
COMPONENT_FULL_COLUMNS = [
    ("candidates", "candidates_json"),
    ("date_readings_json(components.date_code, components.date_form, components.created_at)", "date_readings_json"),
]


def guard_cell(value: Any) -> Any:
    """The cell as written: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and _NEEDS_GUARD.match(value):
        return "'" + value
    return value


def restore_cell(text: str) -> str:
    """The original value of a cell written by `guard_cell`."""
    return text[1:] if _GUARDED.match(text) else text


def guard_sql(expression: str) -> str:
    """`expression` with `guard_cell`'s rule applied inside SQLite."""
    return _GUARD_SQL.format(c=expression)


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


def _number_sql(expression: str) -> str:
    """The cell of a number column inside SQLite, as `number_cell` writes it. A missing value is
    tested first, by an opcode: typeof() is a function call, and a number column is often empty
    (crop_x..crop_h of a part not read from a photo); 2.7% fewer instructions for components.csv."""
    return (
        f"CASE WHEN {expression} IS NULL THEN '' ELSE CASE typeof({expression}) WHEN 'integer' THEN {expression} "
        f"WHEN 'real' THEN real_text({expression}) "
        f"ELSE '\"' || replace({guard_sql(expression)}, '\"', '\"\"') || '\"' END END"
    )


def _lookup_cte(cte: str, table: str, column: str) -> str:
    """The materialized CTE that finishes each cell of a lookup table's column once (LOOKUP_CELLS)."""
    return (f"{cte}(id, raw, cell, odd) AS MATERIALIZED (SELECT id, {column}, "
            f"format('\"%w\"', coalesce({guard_sql(column)}, '')), instr({column}, char(0)) OR +{column} >= x'' "
            f"FROM {table})")


def _own_columns(db: Database, name: str, full: bool) -> list[tuple[str, str, str]]:
    """(SQL expression, header, kind) of a table's own columns in its file; kind "t" text, "n" number,
    "c" a lookup column whose cell is finished once per lookup row (LOOKUP_CELLS)."""
    types = {c.name: c.type for c in db[name].columns}
    if name != "components":
        return [(f'{name}."{c}"', c, "t" if t == "TEXT" else "n") for c, t in types.items()]
    lookups = {cte for cte, _, _ in LOOKUP_CELLS[name]}
    chosen = COMPONENT_COLUMNS + (COMPONENT_FULL_COLUMNS if full else [])
    return [(f'{name}."{c}"' if c in types else c, header,
             "c" if c.split(".")[0] in lookups else "t" if types.get(c, "TEXT") == "TEXT" else "n")
            for c, header in chosen]


def _date_readings_json(code: str | None, form: str | None, created_at: str | None) -> str | None:
    """The readings of a stored date code as JSON (`components.date_readings`), for `export csv --full`."""
    from fieldkit.catalog.components import date_readings

    readings = date_readings({"date_code": code, "date_form": form, "created_at": created_at})
    if not readings:
        return None
    return json.dumps([{k: v for k, v in r.to_json().items() if k != "score"} for r in readings],
                      ensure_ascii=False, separators=(",", ":"))


def _line_parts(db: Database, name: str, full: bool) -> tuple[list[str], str, str]:
    """The header of the file `name` (a key of EXPORTS), the WITH clause of its lookup cells ("" if
    none), and the SQL expression of one exported line (see `export_select`)."""
    lookups = {cte for cte, _, _ in LOOKUP_CELLS[name]}
    columns = [(e, n, "c" if e.split(".")[0] in lookups else "t") for e, n in EXPORTS[name][2]]
    columns += _own_columns(db, name, full)
    formats = ",".join("%s" if kind in "nc" else '"%w"' for _, _, kind in columns)
    arguments = ", ".join(
        _number_sql(e) if kind == "n"
        else f"coalesce({e.removesuffix('.raw')}.cell, '\"\"')" if kind == "c"
        else f"coalesce({guard_sql(e)}, '')"
        for e, _, kind in columns
    )
    # Rows that SQLite's format() cannot write: a NUL in a text cell (format() stops there), or a blob
    # anywhere (a blob sorts above every text, x'' below every blob). One instr() per cell costs less
    # than one on the row's cells joined with || (each needing coalesce()). Text in a number column is
    # rare: the comparison (numbers sort below text) skips instr() for the rest. A lookup cell says so
    # itself, once.
    texts = [e for e, _, kind in columns if kind == "t"]
    tests = [f"instr({e}, char(0)) OR +{e} >= x''" for e in texts]
    tests += [f"(+{e} >= '' AND (instr({e}, char(0)) OR +{e} >= x''))" for e, _, kind in columns if kind == "n"]
    tests += [f"{e.removesuffix('.raw')}.odd" for e, _, kind in columns if kind == "c"]
    kinds = "".join("t" if kind == "c" else kind for _, _, kind in columns)
    line = (
        f"CASE WHEN {' OR '.join(tests) or '0'} THEN CAST(csv_line('{kinds}', {', '.join(e for e, _, _ in columns)}) AS BLOB) "
        f"ELSE CAST(format('{formats}', {arguments}) AS BLOB) END"
    )
    with_clause = ", ".join(_lookup_cte(*lookup) for lookup in LOOKUP_CELLS[name])
    return [n for _, n, _ in columns], with_clause, line


def export_select(db: Database, name: str, full: bool = False) -> tuple[list[str], str]:
    """The header and the SELECT that writes the file `name` (a key of EXPORTS): one column, the
    CSV line as UTF-8 bytes, made by SQLite's format() or, for a row with NUL in a text cell or a
    blob, by `csv_line`. `full` adds the machine-readable columns (components.csv: candidates and
    date readings as JSON)."""
    source, order, _ = EXPORTS[name]
    header, with_clause, line = _line_parts(db, name, full)
    return header, f"{'WITH ' + with_clause + ' ' if with_clause else ''}SELECT {line} FROM {source} ORDER BY {order}"


def chunked_select(db: Database, name: str, full: bool = False, width: int | None = None,
                   start: int | None = None, stop: int | None = None) -> tuple[list[str], str]:
    """The header and a SELECT that writes the file `name` (one whose rows are its table's rows, in
    rowid order: components.csv) in chunks: each result row is the lines of up to `width`
    consecutive rowids, joined by CRLF as `export_select` makes them, and how many there are. One
    sqlite3_step makes a whole chunk, so Python makes no tuple and runs no loop per line (about
    0.1 s of CPU per 100,000 components). The chunks' bounds come from a recursive CTE that seeks
    the next rowid, so gaps cost nothing. `start` and `stop` limit it to the rowids from `start`
    and below `stop` (the halves of `export_catalog`)."""
    table, width = name, width or CHUNK
    source, order, _ = EXPORTS[name]
    assert order == f"{table}.rowid", f"{name}.csv is not written in rowid order"
    header, with_clause, line = _line_parts(db, name, full)
    limits = [f"rowid >= {int(start)}"] if start is not None else []
    limits += [f"rowid < {int(stop)}"] if stop is not None else []
    below = f" AND rowid < {int(stop)}" if stop is not None else ""
    bounds = (f"bounds(lo) AS (SELECT min(rowid) FROM {table}{' WHERE ' + ' AND '.join(limits) if limits else ''} "
              f"UNION ALL SELECT (SELECT rowid FROM {table} "
              f"WHERE rowid >= bounds.lo + {width}{below} ORDER BY rowid LIMIT 1) FROM bounds WHERE lo IS NOT NULL)")
    within = f"{table}.rowid >= bounds.lo AND {table}.rowid < bounds.lo + {width}{below.replace('rowid', table + '.rowid')}"
    sql = (f"WITH {with_clause + ', ' if with_clause else ''}{bounds} "
           f"SELECT (SELECT CAST(group_concat(line, char(13, 10)) AS BLOB) FROM "
           f"(SELECT {line} AS line FROM {source} WHERE {within} ORDER BY {order})), "
           f"(SELECT count(*) FROM {table} WHERE rowid >= bounds.lo AND rowid < bounds.lo + {width}{below}) "
           f"FROM bounds WHERE lo IS NOT NULL")
    return header, sql


class ExportExists(FieldkitError):
    """The output folder holds files of an earlier export, which a new one would replace."""

    def __init__(self, outdir: Path, files: list[str]):
        super().__init__(
            f"{outdir} already holds an export ({', '.join(files)}); these files would be replaced: "
            "add --force to replace them, or choose another folder"
        )
        self.outdir = outdir
        self.files = files


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    files: dict[str, int]  # file name -> data rows written

    def describe(self) -> str:
        counts = ", ".join(f"{name} ({plural(rows, 'row')})" for name, rows in self.files.items())
        return f"wrote {counts} to {self.directory}"


def temp_prefix(name: str) -> str:
    """The start of the temporary file's name for `name`: hidden, and naming this process, so that
    what a killed export left can be told from another process's file."""
    return f".{name}.{os.getpid()}."


def _user_file_mode() -> int:
    """The mode a file the user creates normally gets: 0666 less the process's umask."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def export_files_in(outdir: Path) -> list[str]:
    """The files of an earlier export in `outdir` that a new export would replace."""
    names = [*(f"{name}.csv" for name in EXPORTS), provenance_file.FILE, "README.txt"]
    return [name for name in names if (outdir / name).exists()] if outdir.is_dir() else []


@contextlib.contextmanager
def atomic_file(path: Path, newline: str | None = None, binary: bool = False,
                staged: list[tuple[str, Path]] | None = None) -> Iterator[Any]:
    """A file written beside `path` (text, or bytes if `binary`), fsynced and renamed over it at the
    end: a crash or kill leaves the old file or the new one, never a part. With `staged`, the
    complete, fsynced file keeps its temporary name and (temporary name, path) is added to `staged`:
    the caller renames it (`put_in_place`) or removes it (`remove_staged`). A device or pipe at
    `path` is refused (fieldkit.paths.refuse_special), never replaced."""
    refuse_special(path)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name), dir=path.parent)
    try:
        with (os.fdopen(fd, "wb", buffering=WRITE_BUFFER) if binary
              else os.fdopen(fd, "w", newline=newline, encoding="utf-8")) as fh:
            yield fh
            fh.flush()
            os.chmod(fh.fileno(), _user_file_mode())  # mkstemp's 0600 would hide the export from the user's team
            os.fsync(fh.fileno())
        if staged is None:
            os.replace(tmp, path)
        else:
            staged.append((tmp, path))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def put_in_place(staged: list[tuple[str, Path]]) -> None:
    """Rename every staged file over its final name, in the order staged. A file renamed leaves
    `staged`, so that after a failure `remove_staged` removes only what is still temporary."""
    while staged:
        tmp, path = staged[0]
        os.replace(tmp, path)
        staged.pop(0)


def remove_staged(staged: list[tuple[str, Path]]) -> None:
    """Remove every staged file that was not put in place."""
    for tmp, _ in staged:
        Path(tmp).unlink(missing_ok=True)
    staged.clear()


def write_csv(path: Path, header: Iterable[str], blocks: Iterable[tuple[bytes, int]],
              staged: list[tuple[str, Path]] | None = None, tail: Any = None) -> int:
    """Write a header and blocks of finished CSV lines to one file atomically; returns the number of
    data rows. Each block is (its lines as UTF-8 bytes joined by CRLF, without the last CRLF; how
    many lines). A line that is not valid UTF-8 (a text cell another program wrote) raises
    UnicodeDecodeError before anything is put in place. Every WRITEBACK bytes the kernel is asked to
    start writing what is written so far, so the fsync at the end waits for the last part only.
    `tail(fh)`, if given, is called after the last block, before the fsync: it appends the rest of
    the file (the other half of components.csv) and returns its number of rows. `staged`: see
    `atomic_file`."""
    heading = io.StringIO()
    csv.writer(heading, lineterminator=LINE_END).writerow(header)
    with atomic_file(path, binary=True, staged=staged) as fh:
        fh.write(heading.getvalue().encode("utf-8"))
        count = write_blocks(fh, blocks, writeback=True)
        if tail is not None:
            count += tail(fh)
    return count


def write_blocks(fh: Any, blocks: Iterable[tuple[bytes, int]], writeback: bool = False) -> int:
    """Write blocks of finished lines (see `write_csv`) to a binary file, each ended by CRLF, checking
    their UTF-8; returns the number of lines. `writeback`: start writing them to disk every WRITEBACK bytes."""
    count = written = flushed = 0
    for data, lines in blocks:
        if not data.isascii():
            data.decode("utf-8")  # the check SQLite does not make; ASCII is valid UTF-8 as it is
        fh.write(data)
        fh.write(b"\r\n")
        count += lines
        written += len(data) + 2
        if writeback and written - flushed >= WRITEBACK:
            fh.flush()
            _start_writeback(fh.fileno(), flushed, written - flushed)
            flushed = written
    return count


def _start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing a written range to disk now (Linux: POSIX_FADV_DONTNEED starts
    the writeback of dirty pages without waiting for it, and drops the range from the page cache once
    written). The fsync of `atomic_file` still makes the file durable; this only lets the disk work
    while the export goes on. Where there is no such call, nothing happens."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        with contextlib.suppress(OSError):
            advise(fd, offset, length, os.POSIX_FADV_DONTNEED)


def write_text(path: Path, text: str, staged: list[tuple[str, Path]] | None = None) -> None:
    """Write a small text file atomically (`staged`: see `atomic_file`)."""
    with atomic_file(path, staged=staged) as fh:
        fh.write(text)


def add_functions(conn: sqlite3.Connection) -> None:
    """The Python functions the export's SELECTs call, on a connection that runs them."""
    conn.create_function("date_readings_json", 3, _date_readings_json, deterministic=True)
    conn.create_function("real_text", 1, repr, deterministic=True)
    conn.create_function("csv_line", -1, csv_line, deterministic=True)


@contextlib.contextmanager
def _cells_of(name: str) -> Iterator[None]:
    """A text cell that is not UTF-8, met while writing `name`.csv, as the export's one line."""
    try:
        yield
    except (sqlite3.OperationalError, UnicodeDecodeError) as exc:
        if isinstance(exc, sqlite3.OperationalError) and "decode to UTF-8" not in str(exc):
            raise
        raise FieldkitError(
            f"cannot export {name}.csv: a text cell of the {name} table is not valid UTF-8, so another "
            "program wrote it; correct that row with a SQLite tool, then export again"
        ) from None


def write_files(db: Database, names: list[str], outdir: Path, full: bool = False,
                staged: list[tuple[str, Path]] | None = None, half: _Half | None = None) -> dict[str, int]:
    """Write the files `names` (keys of EXPORTS) from `db`, read in one read transaction; a file of
    CHUNKED is made in chunks (chunked_select). With `half`, components.csv's rows from `half.first_rowid`
    on are made by that thread, and this writes the rows before them and then appends its part.
    `staged`: see `atomic_file`."""
    add_functions(db.conn)
    files = {}
    for name in names:
        path = outdir / f"{name}.csv"
        with _cells_of(name):
            if name in CHUNKED:  # each row of the SELECT is a chunk: (its lines, how many)
                split = half is not None and name == half.name
                header, sql = chunked_select(db, name, full, stop=half.first_rowid if split else None)
                files[path.name] = write_csv(path, header, db.execute(sql), staged, half.append_to if split else None)
            else:
                header, sql = export_select(db, name, full)
                files[path.name] = write_csv(path, header, _batches(db.execute(sql)), staged)
    return files


def _batches(cursor: sqlite3.Cursor) -> Iterator[tuple[bytes, int]]:
    while batch := cursor.fetchmany(BATCH):
        yield b"\r\n".join([row[0] for row in batch]), len(batch)


def sync_folder(folder: Path) -> None:
    """fsync a folder, so that the renames into it are durable too (each file's own fsync makes its
    bytes durable, not its name). A file system that cannot sync a folder is left as it is."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def a_core_is_free() -> bool:
    """Whether a second core is idle now, so that a second thread would gain time: fewer tasks running
    this instant than usable cores (this one among them), and a 1-minute load average at least half a
    core below them (/proc/loadavg). Measured at load 2 to 10 (bench/RESULTS.md, issue 17), a second
    worker on a busy machine only added its cost. Where there is no /proc/loadavg, a second core is
    taken as free."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cores < 2:
        return False
    try:
        with open("/proc/loadavg", encoding="ascii") as fh:
            fields = fh.read().split()
        running, load = int(fields[3].split("/")[0]), float(fields[0])
    except (OSError, ValueError, IndexError):
        return True
    return running < cores and load <= cores - 0.5


class _Half(threading.Thread):
    """A thread that makes the lines of `name`.csv from rowid `first_rowid` on, in its own read transaction
    (`conn`, at the same state of the catalog as the export's), into a temporary file of its own;
    `append_to` copies them after the first half. Stopped by `stop` (its next chunk is not made)."""

    def __init__(self, conn: sqlite3.Connection, name: str, first_rowid: int, outdir: Path, full: bool):
        super().__init__(name="export-half", daemon=True)
        self.conn, self.name, self.first_rowid, self.outdir, self.full = conn, name, first_rowid, outdir, full
        self.path: str | None = None
        self.lines = 0
        self.error: BaseException | None = None
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            add_functions(self.conn)
            _, sql = chunked_select(database(self.conn), self.name, self.full, start=self.first_rowid)
            fd, self.path = tempfile.mkstemp(prefix=temp_prefix(f"{self.name}.csv"), dir=self.outdir)
            with os.fdopen(fd, "wb", buffering=WRITE_BUFFER) as fh, _cells_of(self.name):
                self.lines = write_blocks(fh, self._until_stopped(self.conn.execute(sql)))
        except BaseException as exc:  # noqa: BLE001 -- handed to the export, which reports it as its own
            self.error = exc

    def _until_stopped(self, blocks: Iterable[tuple[bytes, int]]) -> Iterator[tuple[bytes, int]]:
        for block in blocks:
            if self._stopping.is_set():
                raise InterruptedError("the export stopped")
            yield block

    def append_to(self, fh: Any) -> int:
        """Wait for the thread, raise what stopped it, copy its lines to the end of `fh`; their number."""
        self.join()
        if self.error is not None:
            raise self.error
        fh.flush()
        with open(self.path, "rb") as part:
            _copy(part.fileno(), fh.fileno(), os.fstat(part.fileno()).st_size)
        return self.lines

    def end(self) -> None:
        """Stop the thread if it still runs, wait for it, and remove its file."""
        self._stopping.set()
        with contextlib.suppress(sqlite3.Error):
            self.conn.interrupt()
        if self.ident is not None:  # started
            self.join()
        if self.path is not None:
            Path(self.path).unlink(missing_ok=True)


def _copy(source: int, target: int, size: int) -> None:
    """Append `size` bytes of `source` (from its start) at `target`'s current offset: in the kernel
    with copy_file_range where there is one, else read and written."""
    offset = 0
    if hasattr(os, "copy_file_range"):
        with contextlib.suppress(OSError):  # e.g. EXDEV, ENOSYS: the plain copy below does it
            while offset < size:
                copied = os.copy_file_range(source, target, size - offset, offset)
                if copied == 0:
                    break
                offset += copied
    os.lseek(source, offset, os.SEEK_SET)
    while offset < size:
        data = os.read(source, min(WRITE_BUFFER, size - offset))
        if not data:
            raise OSError(errno.EIO, "the export's second half ended early")
        os.write(target, data)  # a full disk raises here, as any write does
        offset += len(data)


def _readers(catalog: Catalog, two: bool) -> list[sqlite3.Connection]:
    """One read connection in a read transaction, or two at the same state of the catalog (`two`).
    The two open their transactions while the export holds the write lock (BEGIN IMMEDIATE on a
    connection of its own, for a moment), so no write can land between them; each then reads the
    audit head (every change adds an audit row), and they must agree. If the lock cannot be had at
    once (another program is writing) or the heads differ, one reader is returned."""
    wal = in_wal_mode(catalog.db.conn)
    first = connect_reader(catalog.path, wal=wal)  # never reopen the file here
    second = lock = None
    try:
        if two:
            try:
                lock = connect(catalog.path)
                lock.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
                lock.execute("BEGIN IMMEDIATE")
                second = connect_reader(catalog.path, wal=wal)
                for reader in (first, second):
                    reader.execute("BEGIN")
                if audit.head(first) == audit.head(second):
                    return [first, second]
            except sqlite3.Error:
                pass  # no lock (another program is writing, or the file is read-only): one reader
            finally:
                if lock is not None:
                    lock.close()  # ends its transaction: nothing was written
        if second is not None:
            second.close()
        if not first.in_transaction:
            first.execute("BEGIN")
        audit.head(first)  # the first read: it fixes the snapshot of the read transaction
        return [first]
    except BaseException:
        first.close()
        raise


def export_catalog(catalog: Catalog, outdir: Path | str, parallel_rows: int = PARALLEL_ROWS,
                   full: bool = False, *, overwrite: bool = True) -> ExportResult:
    """Write items.csv, photos.csv, markings.csv and components.csv, and a note on reading them.

    Every file is read at one state of the catalog, in read transactions of the export's own: a
    write by another program (or another thread of this one) meanwhile cannot make components.csv
    name an item that items.csv lacks, and cannot be caught up in the export. When there are at
    least `parallel_rows` components and a core is idle (`a_core_is_free`), a second thread makes
    the last half of components.csv in a second read transaction at the same state (`_readers`).
    Every file is written under a temporary name and fsynced; only when all are complete are they
    renamed into place, audit-head.json last, and the folder synced. Any failure removes every
    temporary file and leaves the previous export as it was. `full` adds machine-readable columns
    to components.csv.

    With `overwrite=False`, a folder that already holds an export is refused (ExportExists names
    the files); the CLI and the app ask the user first and pass what she chose."""
    outdir = expand_user(outdir)
    refuse_inside_store(catalog, outdir, "an export")
    existing = export_files_in(outdir)
    if existing and not overwrite:
        raise ExportExists(outdir, existing)
    readers: list[sqlite3.Connection] = []
    staged: list[tuple[str, Path]] = []
    half = None
    try:
        if catalog.path is not None:
            # a catalog opened read-only (read-only media, a write-protected file) is never locked for writing
            two = (not catalog.read_only and a_core_is_free()
                   and catalog.db["components"].count >= parallel_rows)
            readers = _readers(catalog, two)
        db = database(readers[0]) if readers else catalog.db
        outdir.mkdir(parents=True, exist_ok=True)
        if len(readers) == 2:
            middle = db.execute("SELECT rowid FROM components ORDER BY rowid LIMIT 1 OFFSET ?",
                                [db["components"].count // 2]).fetchone()
            if middle is not None:
                half = _Half(readers[1], "components", middle[0], outdir, full)
                half.start()
        files = write_files(db, list(EXPORTS), outdir, full, staged, half)
        files[provenance_file.FILE] = provenance_file.write(db, outdir, full, staged)
        write_text(outdir / "README.txt", EXPORT_NOTE + provenance_file.NOTE, staged)
        # Last: the head names the state every other file shows, so it is put in place after them.
        write_text(outdir / witness.HEAD_FILE, witness.head_file_text(witness.record_of(db, catalog.path)), staged)
        put_in_place(staged)
        sync_folder(outdir)
    except OSError as exc:
        raise FieldkitError(f"cannot write the export to {outdir}: {exc.strerror}; choose another folder") from None
    except sqlite3.Error as exc:
        raise translate_error(exc, catalog.path) from None
    finally:
        if half is not None:
            half.end()
        remove_staged(staged)
        for reader in readers:
            reader.close()  # nothing was written: closing ends the read transaction
    return ExportResult(outdir, {name: files[name] for name in [*(f"{n}.csv" for n in EXPORTS), provenance_file.FILE]})
