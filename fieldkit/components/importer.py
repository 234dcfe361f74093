"""Importing an item's components from a CSV file: `fieldkit component import REF FILE.csv`.

The header names the columns, in any order and any case: part_number (required), manufacturer,
country, date_code, quantity, type, notes ("Part Number" and "part-number" also name
part_number). Other columns are reported and ignored.

Every row is checked, attributed and dated as `component add` would. A bad row is reported by
its line number and column and left out; the good rows are written in one transaction, with one
audit record each (`catalog.records.insert_many`). With `strict`, one bad row and nothing is written.

A file that is not CSV text -- empty, binary, UTF-16, not UTF-8, unbalanced quotes, no
part_number column -- is refused whole with a one-line ImportFileError.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fieldkit.catalog.records import insert_many
from fieldkit.catalog.components import FIELDS, ComponentFieldError, prepare_component
from fieldkit.catalog.db import Catalog, new_id, now
from fieldkit.catalog.items import get_item
from fieldkit.components.attribution import ManufacturerIndex, default_index
from fieldkit.errors import FieldkitError, ValidationError
from fieldkit.wording import plural

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_PROBLEMS_KEPT = 1000
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


def read_text(path: Path) -> str:
    """The file's text, UTF-8 with or without a BOM; ImportFileError for anything else."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(f"{name} is {size:,} bytes, more than a components file should be; split it")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path} does not exist; check the path") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a folder; give a CSV file") from None
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror}") from None
    if not data.strip():
        raise ImportFileError(f"{name} is empty; it needs a header row (part_number,...) and one row per component")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(f"{name} is UTF-16 text; save it as CSV UTF-8 and import again")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportFileError(f"{name} is not a CSV text file (binary data at byte {nul}); export the table as CSV UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(f"{name} is not UTF-8 text (line {line}, byte {exc.start}); "
                              "save it as CSV UTF-8 and import again") from None


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
    path = Path(path).expanduser()
    item = get_item(catalog, ref)
    text = read_text(path)
    index = index or default_index()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    result = ImportResult(path, strict=strict)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise ImportFileError(f"{path.name}, line 1: not readable as CSV ({exc})") from None
    names = [normalize_header(h) for h in header]
    if "part_number" not in names:
        shown = ", ".join(h.strip() for h in header if h.strip())[:120] or "(empty)"
        raise ImportFileError(f"{path.name} has no part_number column (header: {shown}); "
                              f"name the columns {', '.join(FIELDS)}")
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in FIELDS and name in seen:
            raise ImportFileError(f"{path.name}: column {name!r} appears twice in the header (columns {seen[name] + 1} and {position + 1})")
        seen.setdefault(name, position)
    result.unknown_columns = [h.strip() or f"(column {i + 1}, no name)" for i, (h, n) in enumerate(zip(header, names)) if n not in FIELDS]
    wanted = [(seen[f], f) for f in FIELDS if f in seen]

    cache: dict = {}
    today = date.today()
    stamp = now()
    rows = []
    next_line = reader.line_num + 1
    try:
        for record in reader:
            line, next_line = next_line, reader.line_num + 1  # a quoted value may span lines: report the first
            if not any(cell.strip() for cell in record):
                continue
            result.rows_read += 1
            if len(record) > len(header):
                _problem(result, RowProblem(line, None, f"{len(record)} fields but the header has {len(header)} columns; "
                                                         "quote values that hold commas"))
                continue
            data = {name: (record[i] if i < len(record) else None) for i, name in wanted}
            try:
                prepared = prepare_component(data, index=index, cache=cache, today=today)
            except ComponentFieldError as exc:
                _problem(result, RowProblem(line, exc.column, exc.reason))
                continue
            except ValidationError as exc:
                _problem(result, RowProblem(line, None, str(exc)))
                continue
            rows.append({"id": new_id(), "item_id": item["id"], **prepared.values, "created_at": stamp, "updated_at": stamp})
            if progress is not None and result.rows_read % 5000 == 0:
                progress(result.rows_read)
    except csv.Error as exc:
        raise ImportFileError(f"{path.name}, line {reader.line_num}: not readable as CSV ({exc}); nothing imported") from None
    if strict and result.problem_count:
        return result
    if rows:
        result.imported = insert_many(catalog, "components", rows)
    return result


def _problem(result: ImportResult, problem: RowProblem) -> None:
    result.problem_count += 1
    if len(result.problems) < MAX_PROBLEMS_KEPT:
        result.problems.append(problem)
