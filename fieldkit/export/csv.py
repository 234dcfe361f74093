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
chunk (`chunked_select`); Python checks each chunk's UTF-8 and writes it. A long components.csv is
made on two cores: a second process (fieldkit.export.part) makes its last rows' lines at the same
state of the catalog while this one makes the others, and its bytes are copied after them
(SecondPart). Memory grows with the number of items, never with the number of rows exported.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import queue
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from fieldkit.catalog import audit, witness
from fieldkit.catalog.db import Catalog, connect_reader, database, in_wal_mode, refuse_inside_store, translate_error
from fieldkit.errors import FieldkitError
from fieldkit.export import cells, part
from fieldkit.export.cells import (  # noqa: F401 -- the cells' rules, named here as before
    _HIDDEN_RANGES,
    csv_line,
    guard_cell,
    restore_cell,
    text_cell,
)
from fieldkit.export import provenance as provenance_file
from fieldkit.wording import plural

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
PARALLEL_ROWS = 20_000  # components; below this a second process costs more than it saves
FIRST_SHARE = 0.5  # of components.csv's rows, made by this process; the second process makes the rest
LINE_END = "\r\n"
WRITE_BUFFER = part.WRITE_BUFFER

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


def guard_sql(expression: str) -> str:
    """`expression` with `guard_cell`'s rule applied inside SQLite."""
    return _GUARD_SQL.format(c=expression)


def _number_sql(expression: str) -> str:
    return (
        f"CASE typeof({expression}) WHEN 'integer' THEN {expression} WHEN 'null' THEN '' "
        f"WHEN 'real' THEN real_text({expression}) "
        f"ELSE '\"' || replace({guard_sql(expression)}, '\"', '\"\"') || '\"' END"
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
    the next rowid, so gaps cost nothing. `start` and `stop` (rowids) keep the rows with
    start <= rowid < stop: one part of the file (export_catalog writes two at once)."""
    table, width = name, width or CHUNK
    source, order, _ = EXPORTS[name]
    assert order == f"{table}.rowid", f"{name}.csv is not written in rowid order"
    header, with_clause, line = _line_parts(db, name, full)
    first = f" WHERE rowid >= {int(start)}" if start is not None else ""
    below = f" AND rowid < {int(stop)}" if stop is not None else ""
    bounds = (f"bounds(lo) AS (SELECT min(rowid) FROM {table}{first} UNION ALL SELECT (SELECT rowid FROM {table} "
              f"WHERE rowid >= bounds.lo + {width}{below} ORDER BY rowid LIMIT 1) FROM bounds WHERE lo IS NOT NULL)")
    within = f"rowid >= bounds.lo AND rowid < bounds.lo + {width}{below}"
    sql = (f"WITH {with_clause + ', ' if with_clause else ''}{bounds} "
           f"SELECT (SELECT CAST(group_concat(line, char(13, 10)) AS BLOB) FROM "
           f"(SELECT {line} AS line FROM {source} WHERE {table}.{within} ORDER BY {order})), "
           f"(SELECT count(*) FROM {table} WHERE {within}) "
           f"FROM bounds WHERE lo IS NOT NULL" + (f" AND lo < {int(stop)}" if stop is not None else ""))
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
    """The start of the temporary file's name for `name`: hidden, and naming this process, so a
    process stopped before it could remove its temporary file can find it (fieldkit.export.part)."""
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
                finisher: Finisher | None = None) -> Iterator[Any]:
    """A file written beside `path` (text, or bytes if `binary`), fsynced and renamed over it at the
    end: a crash or kill leaves the old file or the new one, never a part. With `finisher`, the
    fsync and the rename are left to its thread (Finisher)."""
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name), dir=path.parent)
    try:
        with (os.fdopen(fd, "wb", buffering=WRITE_BUFFER) if binary
              else os.fdopen(fd, "w", newline=newline, encoding="utf-8")) as fh:
            yield fh
            fh.flush()
            os.chmod(fh.fileno(), _user_file_mode())  # mkstemp's 0600 would hide the export from the user's team
            if finisher is not None:
                finisher.put(os.dup(fh.fileno()), tmp, path)
                return
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Finisher:
    """The last steps of atomic_file, fsync and then rename, for files handed over (`put`), done in
    a thread of its own in the order given: the wait for the disk overlaps the export's other work
    instead of adding to it. Each file is still renamed only once it is on disk. `wait` returns when
    every file handed over is in place, and raises the first error (a file that failed is removed,
    and those after it are not put in place)."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[tuple[int, str, Path] | None] = queue.SimpleQueue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="export-fsync", daemon=True)
        self.thread.start()

    def put(self, fd: int, tmp: str, path: Path) -> None:
        self.jobs.put((fd, tmp, path))

    def _run(self) -> None:
        while (job := self.jobs.get()) is not None:
            fd, tmp, path = job
            try:
                if self.error is None:
                    os.fsync(fd)
                    os.replace(tmp, path)
            except BaseException as exc:  # noqa: BLE001 -- handed to wait(), in the export's thread
                self.error = exc
            finally:
                os.close(fd)
                if self.error is not None:
                    Path(tmp).unlink(missing_ok=True)

    def wait(self) -> None:
        self.jobs.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def write_csv(path: Path, header: Iterable[str], blocks: Iterable[tuple[bytes, int]],
              rest: SecondPart | None = None, finisher: Finisher | None = None) -> int:
    """Write a header and blocks of finished CSV lines to one file atomically; returns the number of
    data rows. Each block is (its lines as UTF-8 bytes joined by CRLF, without the last CRLF; how
    many lines). A line that is not valid UTF-8 (a text cell another program wrote) raises
    UnicodeDecodeError before anything is put in place. `rest`: the file's last lines, made by a
    second process, are copied after the blocks (SecondPart). `finisher`: see atomic_file."""
    heading = io.StringIO()
    csv.writer(heading, lineterminator=LINE_END).writerow(header)
    with atomic_file(path, binary=True, finisher=finisher) as fh:
        first = heading.getvalue().encode("utf-8")
        fh.write(first)
        count, written = part.write_blocks(fh, blocks, len(first))
        if rest is not None:
            count += rest.append(fh, written)
    return count


def write_text(path: Path, text: str, finisher: Finisher | None = None) -> None:
    """Write a small text file atomically (`finisher`: see atomic_file)."""
    with atomic_file(path, finisher=finisher) as fh:
        fh.write(text)


def write_files(db: Database, names: list[str], outdir: Path, full: bool = False,
                second: SecondPart | None = None, finisher: Finisher | None = None) -> dict[str, int]:
    """Write the files `names` (keys of EXPORTS) from `db`, read in one read transaction; a file of
    CHUNKED is made in chunks (chunked_select). With `second`, the rows of components.csv from
    `second.start` on are made by the second process, and this one makes those before."""
    cells.register(db.conn)
    files = {}
    for name in names:
        path = outdir / f"{name}.csv"
        try:
            if name in CHUNKED:  # each row of the SELECT is a chunk: (its lines, how many)
                if second is not None and second.name == name:
                    header, sql = chunked_select(db, name, full, stop=second.start)
                    files[path.name] = write_csv(path, header, db.execute(sql), rest=second)
                else:
                    header, sql = chunked_select(db, name, full)
                    files[path.name] = write_csv(path, header, db.execute(sql), finisher=finisher)
            else:
                header, sql = export_select(db, name, full)
                files[path.name] = write_csv(path, header, _batches(db.execute(sql)), finisher=finisher)
        except (sqlite3.OperationalError, UnicodeDecodeError) as exc:
            if isinstance(exc, sqlite3.OperationalError) and "decode to UTF-8" not in str(exc):
                raise
            raise FieldkitError(part.not_utf8(name)) from None
    return files


def _batches(cursor: sqlite3.Cursor) -> Iterator[tuple[bytes, int]]:
    while batch := cursor.fetchmany(BATCH):
        yield b"\r\n".join([row[0] for row in batch]), len(batch)


def _start_second_process(work: dict[str, Any], full: bool) -> subprocess.Popen:
    """Start fieldkit.export.part on `work` (its JSON, described there); it inherits the descriptor
    work["fd"] and nothing else. It needs no installed package but for `--full` (the date readings),
    so it starts without the site module otherwise, finding fieldkit where this process found it."""
    package_root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, *([] if full else ["-S"]), "-m", "fieldkit.export.part", json.dumps(work)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            pass_fds=(work["fd"],), env=env)


class SecondPart:
    """The last lines of the file `name` (those of the rows from rowid `start` on), made by a second
    process (fieldkit.export.part) at the same audit head while this one makes the lines before:
    components.csv on two cores. The second process writes into a file with no name in the export's
    folder (a temporary file unlinked at once, or never named where the system allows), so nothing
    is left behind whatever stops either process; `append` copies its bytes after this process's
    lines, in the kernel where it can, before atomic_file fsyncs the whole file and renames it."""

    def __init__(self, db: Database, catalog_path: Path, wal: bool, name: str, start: int, outdir: Path, full: bool):
        self.db, self.name, self.start, self.full = db, name, start, full
        self.file = tempfile.TemporaryFile(dir=outdir)
        try:
            _, sql = chunked_select(db, name, full, start=start)
            self.process = _start_second_process({
                "catalog": str(catalog_path), "wal": wal,
                "head": list(db.execute(part.NEWEST_AUDIT_ROW).fetchone() or []), "sql": sql, "fd": self.file.fileno(), "name": name, "outdir": str(outdir)}, full)
        except BaseException:
            self.file.close()
            raise

    def append(self, fh: Any, written: int) -> int:
        """Wait for the second process and put its lines after the `written` bytes of `fh`; if it
        stood down (the catalog had moved on), make them here. Returns how many lines."""
        out, err = self.process.communicate()
        if self.process.returncode == part.MOVED:
            _, sql = chunked_select(self.db, self.name, self.full, start=self.start)
            return part.write_blocks(fh, self.db.execute(sql), written)[0]
        lines = err.strip().splitlines()
        if self.process.returncode != 0 or not out.strip().isdigit():
            raise FieldkitError(lines[-1] if lines else
                                f"the export's second process failed (exit status {self.process.returncode})")
        _copy_after(fh, self.file.fileno(), os.fstat(self.file.fileno()).st_size)  # the fsync that follows writes it
        return int(out)

    def close(self) -> None:
        """Stop the second process if it is still running (this one failed), and drop its file."""
        if self.process.returncode is None:
            _stop(self.process)
        self.file.close()


def _copy_after(fh: Any, source: int, size: int) -> None:
    """Copy the first `size` bytes of the file open as `source` to the end of `fh`: in the kernel
    (copy_file_range: no bytes pass through Python, and a file system that can share blocks does),
    else by reading and writing."""
    fh.flush()
    done = 0
    copy = getattr(os, "copy_file_range", None)
    if copy is not None:
        try:
            while done < size and (copied := copy(source, fh.fileno(), size - done, done)):
                done += copied
        except OSError as exc:  # not between these two files here: read and write instead
            if done or exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF):
                raise
    while done < size and (block := os.pread(source, min(WRITE_BUFFER, size - done), done)):
        fh.write(block)
        done += len(block)
    if done != size:
        raise OSError(errno.EIO, "the second process's lines could not be read back")


def _stop(process: subprocess.Popen) -> None:
    """Stop the second process and close its pipes. It leaves no file: the one it writes has no name."""
    process.terminate()
    try:
        process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def a_core_is_free() -> bool:
    """Whether a core is idle now, so that a second process would run beside this one instead of
    taking turns with it (and adding its start and the copy to the time): see `core_free`. Where
    the kernel's counts cannot be read (no /proc/loadavg), a second core is taken to be free."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        with open("/proc/loadavg", encoding="ascii") as fh:
            return core_free(fh.read(), cores)
    except (OSError, ValueError, IndexError):
        return cores > 1


def core_free(loadavg: str, cores: int) -> bool:
    """Whether /proc/loadavg's text `loadavg` leaves one of `cores` idle: the tasks running this
    instant (the reader among them) are fewer than the cores, and the load average over the last
    minute is at least half a core below them (at load 2.5 on 2 cores, two processes were already
    slower than one: bench/RESULTS.md, the export's fifth pass)."""
    fields = loadavg.split()
    return cores > 1 and int(fields[3].split("/")[0]) < cores and float(fields[0]) < cores - 0.5


def _split_rowid(db: Database, name: str, rows: int) -> int:
    """The rowid from which the second process makes the lines of `name` (FIRST_SHARE of the rows
    are this process's)."""
    offset = int(rows * FIRST_SHARE)
    return db.execute(f"SELECT rowid FROM {name} ORDER BY rowid LIMIT 1 OFFSET ?", [offset]).fetchone()[0]


def export_catalog(catalog: Catalog, outdir: Path | str, parallel_rows: int = PARALLEL_ROWS,
                   full: bool = False, *, overwrite: bool = True) -> ExportResult:
    """Write items.csv, photos.csv, markings.csv and components.csv, and a note on reading them.

    Every file is read at one state of the catalog, in read transactions of the export's own: a
    write by another program (or another thread of this one) meanwhile cannot make components.csv
    name an item that items.csv lacks, and cannot be caught up in the export. When there are at
    least `parallel_rows` components and a core is idle (`a_core_is_free`), components.csv (by far
    the longest file) is made on two cores: a second process (fieldkit.export.part), in a read
    transaction at the same audit head, makes the lines of its last rows while this one makes the
    others (SecondPart). `full` adds machine-readable columns to components.csv.

    With `overwrite=False`, a folder that already holds an export is refused (ExportExists names
    the files); the CLI and the app ask the user first and pass what she chose."""
    outdir = Path(outdir).expanduser()
    refuse_inside_store(catalog, outdir, "an export")
    existing = export_files_in(outdir)
    if existing and not overwrite:
        raise ExportExists(outdir, existing)
    reader = None
    second = None
    try:
        if catalog.path is not None:
            wal = in_wal_mode(catalog.db.conn)
            reader = connect_reader(catalog.path, wal=wal)  # never reopen the file here
            reader.execute("BEGIN")
        db = database(reader) if reader is not None else catalog.db
        audit.head(db)  # the first read: it fixes the snapshot of the read transaction
        outdir.mkdir(parents=True, exist_ok=True)
        if reader is not None and (rows := db["components"].count) >= parallel_rows and a_core_is_free():
            try:
                second = SecondPart(db, catalog.path, wal, "components", _split_rowid(db, "components", rows),
                                    outdir, full)
            except OSError:
                second = None  # no second process (none can start here): this one writes every file
        # The short files first, their fsyncs and renames in a thread (Finisher) while components.csv,
        # the long one, is made; it is fsynced and renamed here, and the export ends when all are in place.
        finisher = Finisher()
        try:
            files = write_files(db, [name for name in EXPORTS if name not in CHUNKED], outdir, full, finisher=finisher)
            head_file = witness.head_file_text(witness.record_of(db, catalog.path))
            write_text(outdir / witness.HEAD_FILE, head_file, finisher)
            files[provenance_file.FILE] = provenance_file.write(db, outdir, full, finisher)
            write_text(outdir / "README.txt", EXPORT_NOTE + provenance_file.NOTE, finisher)
            files.update(write_files(db, CHUNKED, outdir, full, second))
        except BaseException:
            with contextlib.suppress(BaseException):
                finisher.wait()  # the error that stopped the export is the one to report
            raise
        finisher.wait()
        witness._fsync_folder(outdir)  # the renames themselves durable: one fsync of the folder for all seven
    except OSError as exc:
        raise FieldkitError(f"cannot write the export to {outdir}: {exc.strerror}; choose another folder") from None
    except sqlite3.Error as exc:
        raise translate_error(exc, catalog.path) from None
    finally:
        if second is not None:
            second.close()  # stops it if this process failed first; its file, which has no name, goes
        if reader is not None:
            reader.close()  # nothing was written: closing ends the read transaction
    return ExportResult(outdir, {name: files[name] for name in [*(f"{n}.csv" for n in EXPORTS), provenance_file.FILE]})
