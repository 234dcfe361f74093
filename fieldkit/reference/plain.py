"""Reading the reference tables without validating them: csv and compiled patterns, no pydantic.

This is the one loader of the tables' files: which files there are and their keys (`TABLE_FILES`),
how a file's bytes become records (`csv_records`: UTF-8, the header, stripped cells, blank lines
skipped), how a user dir's rows extend or replace the shipped rows by key, and the `version` hash
(`load_tables`). `fieldkit.reference.tables` validates each record with its pydantic model on top of
this (for `reference check`, the catalog, `match`); `plain_reference()` reads the rows as they are,
for a caller that only consults the tables and must start fast -- the OCR choice's re-ranking, which
runs in `fieldkit ocr FILE` where pydantic alone would cost more than a tesseract run.

A plain row is what the file says, without the checks: a row whose key is empty, a duplicate key,
or a pattern whose regex does not compile is left out (`reference check` names them); nothing here
raises on a malformed user table.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple


class TableFile(NamedTuple):
    name: str
    filename: str
    key: tuple[str, ...]  # the columns whose values identify a row (a user row with the same key replaces it)
    required: bool  # must the shipped dir hold it?


TABLE_FILES = (
    TableFile("patterns", "marking_patterns.csv", ("id",), True),
    TableFile("factory_codes", "factory_codes.csv", ("country", "code"), True),
    TableFile("manufacturers", "manufacturers.csv", ("id",), False),
    TableFile("families", "part_families.csv", ("family", "firm_id"), False),
)
KEYS = {t.name: t.key for t in TABLE_FILES}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a table: where (file, line, column) and what."""

    path: Path
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ReferenceTables:
    """The loaded tables: rows per table (user rows merged in), overridden keys, files and version."""

    rows: dict[str, list[Any]]
    overridden: dict[str, list[str]]
    added: dict[str, list[str]]
    files: list[Path]
    version: str
    user_dir: Path | None = None
    origin: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, key) -> "shipped" | "user"
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def patterns(self) -> list[Any]:
        return self.rows["patterns"]

    @property
    def factory_codes(self) -> list[Any]:
        return self.rows["factory_codes"]

    @property
    def manufacturers(self) -> list[Any]:
        return self.rows["manufacturers"]

    @property
    def families(self) -> list[Any]:
        return self.rows["families"]

    def source_of(self, table: str, key: str) -> str:
        """"shipped" or "user": where the row with this key came from."""
        return self.origin.get((table, key), "shipped")

    def override_lines(self) -> list[str]:
        """One line per overridden row, for the CLI and the TUI to show."""
        if isinstance(self.rows, LazyRows):
            self.rows.load_all()  # a table's overridden rows are known once it is parsed
        return [
            f"{table}: user row {key} overrides the shipped row"
            for table, keys in self.overridden.items()
            for key in keys
        ]

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}


def csv_records(path: Path, data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[Problem]]:
    """A table file's header and its non-blank records (line number, stripped cells); unreadable lines are problems."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [], [Problem(path, None, None, f"not UTF-8 text (byte {exc.start}); save it as UTF-8")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header: list[str] = []
    records: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    try:
        header = list(reader.fieldnames or [])
        for record in reader:
            if None in record:
                problems.append(Problem(path, reader.line_num, None,
                                        "more fields than the header has columns; quote values that hold commas"))
                continue
            values = {k: (v or "").strip() for k, v in record.items()}
            if any(values.values()):
                records.append((reader.line_num, values))
    except csv.Error as exc:
        # line_num counts the lines of the records read whole; the one that failed starts on the next
        problems.append(Problem(path, reader.line_num + 1, None,
                                f"not readable as CSV ({exc}); the rows after it are not read"))
    return header, records, problems


class PlainRow:
    """A row as the file gives it: each column an attribute ("" for a column the file lacks)."""

    def __init__(self, table: str, values: dict[str, str]):
        self._key = KEYS[table]
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> str:  # only called for a column the file does not have
        if name.startswith("__"):
            raise AttributeError(name)
        return ""

    def key(self) -> str:
        return "/".join(str(getattr(self, k)) for k in self._key)

    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex)


def read_plain(table: TableFile, path: Path, data: bytes) -> tuple[list[PlainRow], list[Problem]]:
    """A file's rows unvalidated; rows with an empty key, a repeated key or (patterns) a bad regex are left out."""
    _, records, problems = csv_records(path, data)
    rows: list[PlainRow] = []
    seen: set[str] = set()
    for line, values in records:
        row = PlainRow(table.name, values)
        key = row.key()
        if not all(values.get(k) for k in table.key) or key in seen:
            continue
        if table.name == "patterns":
            try:
                re.compile(row.regex)
            except re.error:
                continue
        seen.add(key)
        rows.append(row)
    return rows, problems


Reader = Callable[[TableFile, Path, bytes], tuple[list[Any], list[Problem]]]


def read_table_file(path: Path) -> bytes | None:
    """A table file's bytes, or None when it is not a regular file: a named pipe in a hostile
    user folder is opened without waiting for a writer and never read (that would wait for ever)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_tables(shipped_dir: Path, user_dir: Path | None, read: Reader = read_plain,
                lazy: bool = False) -> tuple[ReferenceTables, list[Problem]]:
    """Every table, shipped then user rows merged by key, each file read by `read`; and the problems found.

    ``lazy``: every file is read (its bytes make the version) but each table's rows are parsed only
    when first asked for (:class:`LazyRows`), so a caller that consults the marking patterns alone
    does not parse the part-number families; the problems of a table not yet parsed are not returned.
    """
    problems: list[Problem] = []
    overridden: dict[str, list[str]] = {}
    added: dict[str, list[str]] = {}
    origin: dict[tuple[str, str], str] = {}
    files: list[Path] = []
    digest = hashlib.sha256()
    layers: dict[str, list[tuple[str, Path, bytes]]] = {}
    for table in TABLE_FILES:
        layers[table.name] = []
        for layer, folder in (("shipped", shipped_dir), ("user", user_dir)):
            if folder is None:
                continue
            path = folder / table.filename
            if not path.exists():
                if layer == "shipped" and table.required:
                    problems.append(Problem(path, None, None, "the shipped table is missing; reinstall fieldkit"))
                continue
            try:
                data = read_table_file(path)
            except OSError as exc:
                problems.append(Problem(path, None, None, f"cannot be read: {exc.strerror}"))
                continue
            if data is None:
                problems.append(Problem(path, None, None, "is not a regular file (a pipe, device or folder); "
                                                          "give the table as a CSV file"))
                continue
            digest.update(f"{layer}/{table.filename}\0{len(data)}\0".encode())
            digest.update(data)
            files.append(path)
            layers[table.name].append((layer, path, data))

    def parse(name: str) -> tuple[list[Any], list[Problem]]:
        table = next(t for t in TABLE_FILES if t.name == name)
        merged: dict[str, Any] = {}
        found: list[Problem] = []
        for layer, path, data in layers.pop(name, []):  # the bytes are dropped once parsed
            table_rows, table_problems = read(table, path, data)
            found += table_problems
            for row in table_rows:
                key = row.key()
                if layer == "user":
                    (overridden if key in merged else added).setdefault(table.name, []).append(key)
                merged[key] = row
                origin[(table.name, key)] = layer
        return list(merged.values()), found

    rows = LazyRows(parse, [t.name for t in TABLE_FILES])
    if not lazy:
        for table in TABLE_FILES:
            problems += rows.load(table.name)
    return ReferenceTables(rows, overridden, added, files, digest.hexdigest(), user_dir, origin), problems


class LazyRows(dict):
    """Rows per table name, each table parsed the first time it is asked for (``rows[name]``).
    Iterating, ``len`` and ``items`` parse every table first."""

    def __init__(self, parse: Callable[[str], tuple[list[Any], list[Problem]]], names: list[str]):
        super().__init__()
        self._parse = parse
        self._names = names

    def load(self, name: str) -> list[Problem]:
        """Parse one table now (if not yet); its problems."""
        if dict.__contains__(self, name):
            return []
        table_rows, problems = self._parse(name)
        dict.__setitem__(self, name, table_rows)
        return problems

    def load_all(self) -> None:
        for name in self._names:
            self.load(name)

    def __missing__(self, name: str) -> list[Any]:
        if name not in self._names:
            raise KeyError(name)
        self.load(name)
        return dict.__getitem__(self, name)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self):
        self.load_all()
        return super().__iter__()

    def __len__(self) -> int:
        return len(self._names)

    def keys(self):
        self.load_all()
        return super().keys()

    def items(self):
        self.load_all()
        return super().items()

    def values(self):
        self.load_all()
        return super().values()

    def get(self, name, default=None):
        return self[name] if name in self._names else default


_CACHE: dict[tuple[Path, Path | None], ReferenceTables] = {}


def plain_reference(user_dir: Path | None = None) -> ReferenceTables:
    """The shipped tables plus the user dir (default: FIELDKIT_REFERENCE or the user folder), unvalidated, once per process."""
    from fieldkit.locations import shipped_reference_dir, user_reference_dir

    user_dir = user_dir or user_reference_dir()
    key = (shipped_reference_dir().resolve(), user_dir.resolve() if user_dir else None)
    if key not in _CACHE:
        _CACHE[key] = load_tables(key[0], user_dir, lazy=True)[0]
    return _CACHE[key]
