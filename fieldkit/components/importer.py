"""Importing an item's components from a CSV file: `fieldkit component import REF FILE.csv`.

The header names the columns, in any order and any case: part_number (required), manufacturer,
country, date_code, quantity, type, notes ("Part Number" and "part-number" also name
part_number). Other columns are reported and ignored.

Every row is checked, attributed and dated as `component add` would. A bad row is reported by
its line number and column and left out. The file is read as a stream: rows are checked and
inserted in batches inside one transaction, so memory does not grow with the file, and the whole
import is one audit event (`catalog.records.BulkInsert`): the file's name and SHA-256, the item,
the rows added and a hash over them. With `strict`, one bad row and nothing is written.

A file that is not CSV text -- empty, binary, UTF-16, not UTF-8, unbalanced quotes, no
part_number column -- is refused whole with a one-line ImportFileError, and nothing is written.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import hashlib
import io
import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fieldkit.catalog.records import BulkInsert
from fieldkit.catalog.components import FIELDS, ComponentFieldError
from fieldkit.catalog.db import Catalog, is_catalog_file, new_id, now
from fieldkit.catalog.items import get_item
from fieldkit.components.attribution import ManufacturerIndex, default_index
from fieldkit.errors import FieldkitError, ValidationError
from fieldkit.paths import expand_user
from fieldkit.wording import plural

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_PROBLEMS_KEPT = 1000
IMPORT_CACHE_KIB = 32 * 1024  # at most this much more memory, whatever the file's size
# An import whose file could hold more rows than components has (one row per this many bytes, a
# generous row: most are about 40) builds the table's indexes once at the end (records.BulkInsert).
REBUILD_BYTES_PER_ROW = 200
HEADER_ALIASES = {"part": "part_number", "part_no": "part_number", "pn": "part_number", "qty": "quantity"}


class ImportFileError(FieldkitError):
    """A components file that cannot be read as CSV at all."""


@dataclass(frozen=True)
class RowProblem:
    """A row that was not imported: its line in the file, the column at fault (if one), and why."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    """What an import did: rows read, rows imported, problems (bad rows) and unknown columns."""

    path: Path
    rows_read: int = 0
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    strict: bool = False

    def describe(self) -> str:
        if self.strict and self.problem_count:
            return (f"nothing imported from {self.path.name}: {self.problem_count} of {plural(self.rows_read, 'row')} "
                    f"{'has a problem' if self.problem_count == 1 else 'have problems'} (--strict imports all rows or none)")
        text = f"imported {self.imported} component{'s' if self.imported != 1 else ''} from {self.path.name}"
        if self.problem_count:
            text += f"; {self.problem_count} row{'s' if self.problem_count != 1 else ''} refused"
        return text


def normalize_header(name: str) -> str:
    """"Part Number" / "part-number" / " PART_NUMBER " -> "part_number"."""
    key = "_".join((name or "").strip().lower().replace("-", " ").replace("_", " ").split())
    return HEADER_ALIASES.get(key, key)


class _HashingReader(io.RawIOBase):
    """A binary file (of `size` bytes, as stat gave it) that computes the SHA-256 of the bytes read through it."""

    def __init__(self, raw, size: int, name: str):
        self.raw, self.size, self.name, self.sha256, self.offset = raw, size, name, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """Close the file read, not only this reader (the text wrapper's `with` ends here)."""
        try:
            self.raw.close()
        finally:
            super().close()

    def readinto(self, buffer) -> int:
        try:
            n = self.raw.readinto(buffer)
        except OSError as exc:  # the file failed part-way (a failing disk): the error names no file
            raise ImportFileError(f"cannot read {self.name} ({exc.strerror or exc}); nothing imported; "
                                  "check the file and the disk") from None
        if n:
            self.sha256.update(memoryview(buffer)[:n])
            self.offset += n
        return n


def _check_start(path: Path, start: bytes) -> None:
    """Refuse an empty, UTF-16 or binary file from its first bytes."""
    name = path.name
    if not start.strip():
        raise ImportFileError(f"{name} is empty; it needs a header row (part_number,...) and one row per component")
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(f"{name} is UTF-16 text; save it as CSV UTF-8 and import again")
    nul = start.find(b"\x00")
    if nul >= 0:
        raise ImportFileError(f"{name} is not a CSV text file (binary data at byte {nul}); export the table as CSV UTF-8")


def _open_regular(path: Path):
    """``path`` opened to read, if it is a regular file: a named pipe is opened without waiting for a
    writer (a plain open would wait for ever) and refused, as a device is."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            raise ImportFileError(f"{path} is not a regular file (a pipe or a device); give the CSV file itself")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return open(fd, "rb")


def open_csv(path: Path) -> tuple[_HashingReader, io.TextIOWrapper]:
    """The file opened for streaming: (the hashing byte reader, its UTF-8 text); ImportFileError if unusable."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(f"{path.name} is {size:,} bytes, more than a components file should be; split it")
        raw = _open_regular(path)
    except FileNotFoundError:
        raise ImportFileError(f"{path} does not exist; check the path") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a folder; give a CSV file") from None
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror}") from None
    try:
        _check_start(path, raw.read(65536))
        raw.seek(0)
    except OSError as exc:  # a failing disk, /proc/self/mem: the system's error names no file
        raw.close()
        raise ImportFileError(f"cannot read {path} ({exc.strerror or exc}); check the file and the disk") from None
    except BaseException:
        raw.close()
        raise
    hashing = _HashingReader(raw, size, path.name)
    return hashing, io.TextIOWrapper(io.BufferedReader(hashing, 65536), encoding="utf-8-sig", newline="")


def _first_bad_utf8(path: Path) -> tuple[int, int]:
    """(line, byte offset) of the first byte sequence in the file that is not UTF-8, read in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line = 0, 1
    with path.open("rb") as fh:
        while chunk := fh.read(65536):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                pending = len(decoder.getstate()[0])  # bytes of an unfinished sequence from the chunk before
                bad = max(0, exc.start - pending)
                return line + chunk[:bad].count(b"\n"), offset + bad
            line += chunk.count(b"\n")
            offset += len(chunk)
    return line, offset


@contextlib.contextmanager
def _larger_cache(catalog: Catalog):
    """SQLite's page cache at IMPORT_CACHE_KIB during the import (about a tenth less time at
    100,000 rows than the default 2 MB: fewer index pages written out and read back), then as it was."""
    conn = catalog.db.conn
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


_gc_lock = threading.Lock()
_gc_pauses = [0, False]  # imports running, and whether the collector was on before the first


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector off during the import, then as it was. The rows are freed
    by reference counting batch by batch (memory stays flat); the collector only rescanned the
    thousands of rows of the batch in hand, again and again (about 5% of an import's time). Counted,
    so that imports in two threads (the app's workers) give it back once, as it was; the CLI holds
    it over the loading of the reference tables too."""
    with _gc_lock:
        if _gc_pauses[0] == 0:
            _gc_pauses[1] = gc.isenabled()
            gc.disable()
        _gc_pauses[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses[0] -= 1
            if _gc_pauses[0] == 0 and _gc_pauses[1]:
                gc.enable()


class _Abort(Exception):
    """Raised inside the import's transaction to roll it back (--strict with a bad row)."""


def import_components(
    catalog: Catalog,
    ref: str,
    path: Path | str,
    *,
    strict: bool = False,
    index: ManufacturerIndex | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import the components in the CSV file at `path` into item `ref` (see the module docstring)."""
    path = expand_user(path)
    item = get_item(catalog, ref)
    if is_catalog_file(catalog, path):  # reading it would drop SQLite's locks on it (fieldkit.catalog.db)
        raise ImportFileError(f"{path} is the open catalog's own file, not a components CSV; give the CSV file")
    index = index or default_index()
    hashing, text = open_csv(path)
    result = ImportResult(path, strict=strict)
    with text:
        reader = csv.reader(text, strict=True)
        try:
            try:
                header = next(reader)
            except StopIteration:
                raise ImportFileError(f"{path.name} is empty; it needs a header row (part_number,...) and one row per component") from None
            names = [normalize_header(h) for h in header]
            if "part_number" not in names:
                shown = ", ".join(h.strip() for h in header if h.strip())[:120] or "(empty)"
                raise ImportFileError(f"{path.name} has no part_number column (header: {shown}); "
                                      f"name the columns {', '.join(FIELDS)}")
            seen: dict[str, int] = {}
            for position, name in enumerate(names):
                if name in FIELDS and name in seen:
                    raise ImportFileError(f"{path.name}: column {name!r} appears twice in the header "
                                          f"(columns {seen[name] + 1} and {position + 1})")
                seen.setdefault(name, position)
            result.unknown_columns = [h.strip() or f"(column {i + 1}, no name)"
                                      for i, (h, n) in enumerate(zip(header, names)) if n not in FIELDS]
            wanted = [(seen[f], f) for f in FIELDS if f in seen]
            with catalog.transaction(), _larger_cache(catalog), collector_paused():
                _import_rows(catalog, item["id"], reader, header, wanted, index, result, progress, hashing, path)
        except _Abort:
            result.imported = 0
        except csv.Error as exc:
            raise ImportFileError(f"{path.name}, line {reader.line_num}: not readable as CSV ({exc}); nothing imported") from None
        except UnicodeDecodeError:
            line, offset = _first_bad_utf8(path)
            raise ImportFileError(f"{path.name} is not UTF-8 text (line {line}, byte {offset}); "
                                  "save it as CSV UTF-8 and import again; nothing imported") from None
    return result


def _import_rows(catalog, item_id, reader, header, wanted, index, result, progress, hashing, path) -> None:
    """Check, attribute and insert the rows after the header, inside the caller's transaction."""
    from fieldkit.catalog.components import BulkRows, audit_added

    bulk = BulkInsert(catalog, "components", event_id=new_id(), expected_rows=hashing.size // REBUILD_BYTES_PER_ROW)
    stamp = now()  # the rows' created_at; their date codes are read as of its day, as date_readings reads them again
    rows = BulkRows(catalog, item_id, bulk.columns, wanted, index=index, today=date.fromisoformat(stamp[:10]), stamp=stamp)
    quick, full, add, width = rows.quick_row, rows.full_row, bulk.add, len(header)
    next_line = reader.line_num + 1
    for record in reader:
        line, next_line = next_line, reader.line_num + 1  # a quoted value may span lines: report the first
        if not "".join(record).strip():  # every cell blank
            continue
        result.rows_read += 1
        if progress is not None and result.rows_read % 5000 == 0:
            progress(result.rows_read)
        if len(record) > width:
            _problem(result, RowProblem(line, None, f"{len(record)} fields but the header has {width} columns; "
                                                     "quote values that hold commas"))
            continue
        try:
            row = quick(record) or full(record)
        except ComponentFieldError as exc:
            _problem(result, RowProblem(line, exc.column, exc.reason))
            continue
        except ValidationError as exc:
            _problem(result, RowProblem(line, None, str(exc)))
            continue
        if result.problem_count and result.strict:
            continue  # nothing will be written: only count the problems
        add(row)
    if result.strict and result.problem_count:
        raise _Abort
    result.imported = bulk.finish({
        "source_name": path.name, "source_sha256": hashing.sha256.hexdigest(), "source_bytes": hashing.offset,
        "item_id": item_id, "rows_read": result.rows_read, "rows_refused": result.problem_count,
    })
    audit_added(catalog, rows.lookups.get("added", []))


def _problem(result: ImportResult, problem: RowProblem) -> None:
    result.problem_count += 1
    if len(result.problems) < MAX_PROBLEMS_KEPT:
        result.problems.append(problem)
