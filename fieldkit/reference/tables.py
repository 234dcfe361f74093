"""Loading and validating the reference tables: marking patterns, factory codes, manufacturers, part families.

Each table is a CSV file with a pydantic model for its rows (`TABLES` lists them). The shipped
tables live in reference/ (`locations.shipped_reference_dir()`); a researcher may add a user dir
(`--reference DIR` or `FIELDKIT_REFERENCE`) holding files of the same names. A user row extends the
shipped rows, or replaces the shipped row with the same key -- never silently: the result lists
every key that was overridden.

A malformed table is refused with a message naming the file, line and column and what is wrong
(a bad regex, an unknown calendar, a missing source, a duplicate id, a missing column).
`check_reference()` collects every problem; `load_reference()` raises on the first one.

`version` is the SHA-256 over the bytes of every loaded file (shipped, then user), in a fixed order:
a saved attribution stamped with it can always say which tables it was read against.
Loaded tables are cached per process, keyed by the directories (see `get_reference()`).
The files, their keys, the CSV parsing and the merge are `fieldkit.reference.plain`'s (one loader);
this module adds the validation of every row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pydantic
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from fieldkit.errors import ReferenceTableError
from fieldkit.locations import shipped_reference_dir, user_reference_dir
# Problem and ReferenceTables are defined in fieldkit.reference.plain and imported from here too
from fieldkit.reference.plain import KEYS, TABLE_FILES, Problem, ReferenceTables, csv_records, load_tables, read_table_file
from fieldkit.reference.weak_sources import weak_note_problem, weak_source_problem

# An id of a reference row (a pattern, a firm): a lower-case slug of letters, digits and "-".
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
PATTERN_GROUPS = frozenset(
    {"lot", "year", "factory", "serial", "month", "interfix", "sequence", "designation", "calibre",
     "manufacturer", "suffix"}
)
YEAR_CALENDARS = ("gregorian2", "gregorian", "juche", "minguo", "thai", "solar-hijri")


class ReferenceRow(BaseModel):
    """A row of a reference table. Subclasses say which columns are required and which is the key."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    KEY: ClassVar[tuple[str, ...]] = KEYS["patterns"]

    @field_validator("*", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    def key(self) -> str:
        return "/".join(str(getattr(self, k)) for k in self.KEY)

    @field_validator("source", check_fields=False)
    @classmethod
    def _source_required(cls, value: str) -> str:
        if not value:
            raise ValueError("missing source: every row must name where it was read (URL and passage)")
        return value


class PatternRow(ReferenceRow):
    """One published marking convention: a regex over normalised text, with what its groups mean."""

    id: str
    regex: str
    year_calendar: str = ""
    country: str = ""
    producer: str = ""
    category: str = ""
    description: str = ""
    example_positive: str = ""
    example_negative: str = ""
    source: str
    confidence_notes: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not SLUG.fullmatch(value or ""):
            raise ValueError(f"id {value!r} must be a lower-case slug (letters, digits, '-'), e.g. su-grad-9m22u")
        return value

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str) -> str:
        if not value:
            raise ValueError("regex is empty")
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"bad regex: {exc.msg} at position {exc.pos}") from None
        unknown = set(compiled.groupindex) - PATTERN_GROUPS
        if unknown:
            raise ValueError(
                f"unknown named group {sorted(unknown)[0]!r}: use only {', '.join(sorted(PATTERN_GROUPS))}"
            )
        return value

    @field_validator("year_calendar")
    @classmethod
    def _calendar(cls, value: str) -> str:
        if value and value not in YEAR_CALENDARS:
            raise ValueError(f"unknown calendar {value!r}: use one of {', '.join(YEAR_CALENDARS)}, or leave empty")
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Z]{2}", value):
            raise ValueError(f"country {value!r} must be an ISO 3166-1 alpha-2 code such as RU or KP")
        return value

    @model_validator(mode="after")
    def _year_needs_calendar(self) -> PatternRow:
        has_year = "year" in re.compile(self.regex).groupindex
        if has_year and not self.year_calendar:
            raise ValueError("year_calendar: the regex has a year group, so name its calendar")
        if self.year_calendar and not has_year:
            raise ValueError("year_calendar: given, but the regex has no (?P<year>...) group; leave it empty")
        from fieldkit.markings.normalize import fold

        if self.example_positive and not re.search(self.regex, fold(self.example_positive)):
            raise ValueError(f"example_positive: {self.example_positive!r} does not match the regex")
        if self.example_negative and re.search(self.regex, fold(self.example_negative)):
            raise ValueError(f"example_negative: {self.example_negative!r} matches the regex, but must not")
        return self

    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex)


class FactoryCodeRow(ReferenceRow):
    """A factory or arsenal code as it appears in a marking, with the plant it stands for."""

    KEY: ClassVar[tuple[str, ...]] = KEYS["factory_codes"]
    country: str
    code: str
    factory: str
    products: str = ""
    source: str

    @field_validator("code", "factory")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("is empty")
        return value


class ManufacturerRow(ReferenceRow):
    """An electronics manufacturer (firm), its country, and the names and prefixes it is printed as."""

    id: str
    firm: str
    country: str
    aliases: str = ""
    prefixes: str = ""
    former_names: str = ""
    source: str
    notes: str = ""

    @field_validator("id", "firm", "country")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("is empty")
        return value


FAMILY_KINDS = ("family", "exception", "multi")


class FamilyRow(ReferenceRow):
    """A part-number family: a prefix that names its maker (or, kind "multi", one of several makers).

    kind "family": this firm's parts begin so (the longest matching family wins);
    kind "exception": a longer prefix inside another firm's family (MAX-M10 is u-blox, not MAX);
    kind "multi": a number several firms make (LM317): one row per maker, candidates only.
    `line_from` ("STMicroelectronics@2010") dates a product line that changed hands without its brand.
    """

    KEY: ClassVar[tuple[str, ...]] = KEYS["families"]
    family: str
    firm_id: str
    kind: str = "family"
    brand: str = ""  # the former name of the firm the parts were sold under ("Maxim Integrated"), if any
    line_from: str = ""
    source: str
    notes: str = ""

    @field_validator("family")
    @classmethod
    def _family(cls, value: str) -> str:
        if len(re.sub(r"[^0-9A-Za-z]", "", value or "")) < 2:
            raise ValueError(f"family {value!r} must have at least two letters or digits (e.g. XC7, MAX-M10)")
        return value

    @field_validator("firm_id")
    @classmethod
    def _firm_id(cls, value: str) -> str:
        if not SLUG.fullmatch(value or ""):
            raise ValueError(f"firm_id {value!r} must be a manufacturers.csv id (lower case, digits, '-')")
        return value

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        value = value or "family"
        if value not in FAMILY_KINDS:
            raise ValueError(f"kind {value!r} must be one of {', '.join(FAMILY_KINDS)}")
        return value

    @field_validator("line_from")
    @classmethod
    def _line_from(cls, value: str) -> str:
        if value and not re.fullmatch(r"[^@|]+@(19|20)\d\d", value):
            raise ValueError(f"line_from {value!r} must read Name@YYYY (the firm the line came from, and the year)")
        return value


@dataclass(frozen=True)
class TableSpec:
    name: str
    filename: str
    model: type[ReferenceRow]
    required: bool  # must the shipped dir hold it?


MODELS: dict[str, type[ReferenceRow]] = {
    "patterns": PatternRow, "factory_codes": FactoryCodeRow, "manufacturers": ManufacturerRow, "families": FamilyRow,
}
TABLES = tuple(TableSpec(t.name, t.filename, MODELS[t.name], t.required) for t in TABLE_FILES)
TABLES_BY_NAME = {spec.name: spec for spec in TABLES}


def _problem_from_pydantic(path: Path, line: int, exc: pydantic.ValidationError) -> Problem:
    error = exc.errors()[0]
    loc = [str(p) for p in error.get("loc", ())]
    message = error.get("msg", "invalid").removeprefix("Value error, ")
    column = loc[0] if loc else None
    if error.get("type") == "missing":
        message = "missing value"
    if column is None and ":" in message:  # model-level check names its column first
        column, message = message.split(":", 1)
        message = message.strip()
    return Problem(path, line, column, message)


def read_table(spec: TableSpec | Any, path: Path, data: bytes) -> tuple[list[ReferenceRow], list[Problem]]:
    """Parse and validate one CSV file's bytes; rows that fail become problems, not rows."""
    spec = TABLES_BY_NAME[spec.name]
    header, records, problems = csv_records(path, data)
    if not header and problems:
        return [], problems
    required = [name for name, f in spec.model.model_fields.items() if f.is_required()]
    missing = [c for c in required if c not in header]
    if missing:
        return [], [Problem(path, 1, missing[0], f"missing column {missing[0]!r} (the header must name {', '.join(required)})")]
    rows: list[ReferenceRow] = []
    seen: dict[str, int] = {}
    for line, values in records:
        try:
            row = spec.model.model_validate(values)
        except pydantic.ValidationError as exc:
            problems.append(_problem_from_pydantic(path, line, exc))
            continue
        key = row.key()
        if key in seen:
            column = "/".join(spec.model.KEY)
            problems.append(Problem(path, line, column, f"duplicate {column} {key!r} (first on line {seen[key]})"))
            continue
        seen[key] = line
        rows.append(row)
    return rows, problems


def _load(shipped_dir: Path, user_dir: Path | None) -> tuple[ReferenceTables, list[Problem]]:
    tables, problems = load_tables(shipped_dir, user_dir, read_table)
    problems += cross_check(tables, shipped_dir, user_dir)
    return tables, problems


def all_families(tables: ReferenceTables) -> list[FamilyRow]:
    """The family rows, plus each manufacturers.csv `prefixes` entry read as a family of that firm."""
    out = list(tables.families)
    for firm in tables.manufacturers:
        for prefix in filter(None, (p.strip() for p in (firm.prefixes or "").split("|"))):
            # not validated as a family row: the manufacturers table accepts any prefix it holds
            out.append(FamilyRow.model_construct(family=prefix, firm_id=firm.id, kind="family", brand="", line_from="",
                                                 source=f"manufacturers.csv row {firm.id}", notes=""))
    return out


def cross_check(tables: ReferenceTables, shipped_dir: Path, user_dir: Path | None) -> list[Problem]:
    """What no single row can show: countries that are not ISO codes, families naming an unknown
    firm, a family claimed by two firms without being marked multi-source, an exception overriding nothing;
    and a shipped row that cites a datasheet mirror or content farm without saying that no primary source
    was found (fieldkit.reference.weak_sources)."""
    from fieldkit.components.countries import normalize_country
    from fieldkit.errors import ValidationError

    def where(table: str, key: str) -> Path:
        folder = user_dir if tables.source_of(table, key) == "user" and user_dir else shipped_dir
        return folder / TABLES_BY_NAME[table].filename

    problems: list[Problem] = []
    for spec in TABLES:  # a shipped row citing a mirror or content farm (source or notes) must say no primary source was found
        for row in tables.rows.get(spec.name, []):
            if tables.source_of(spec.name, row.key()) != "shipped":
                continue  # a researcher's own row is hers to source; the shipped tables answer to issue 13
            for column, problem in (("source", weak_source_problem), ("notes", weak_note_problem)):
                why = problem(getattr(row, column, ""))
                if why:
                    problems.append(Problem(where(spec.name, row.key()), None, column, f"row {row.key()}: {why}"))
    for row in tables.manufacturers:
        try:
            normalize_country(row.country)
        except ValidationError as exc:
            problems.append(Problem(where("manufacturers", row.key()), None, "country", f"row {row.id}: {exc}"))
    firms = {row.id for row in tables.manufacturers}
    claims: dict[str, list[FamilyRow]] = {}
    own = set(map(id, tables.families))
    for row in all_families(tables):
        if row.firm_id not in firms:
            problems.append(Problem(where("families", row.key()), None, "firm_id",
                                    f"family {row.family}: no firm {row.firm_id!r} in manufacturers.csv"))
        # a closing hyphen is part of the key: Harwin's M80- (M80-8540442) is not Intel's M80 (M80C186)
        closing = "-" if row.family.strip().endswith("-") else ""
        claims.setdefault(re.sub(r"[^0-9A-Z]", "", row.family.upper()) + closing, []).append(row)
    for key, rows in claims.items():
        kinds = {r.kind for r in rows}
        firm_ids = {r.firm_id for r in rows}
        if not any(id(r) in own for r in rows):
            continue  # manufacturers.csv `prefixes` alone: a shared prefix there gives candidates, as it always has
        if len(firm_ids) > 1 and kinds != {"multi"}:
            problems.append(Problem(where("families", rows[1].key()), None, "kind",
                                    f"family {rows[0].family} is claimed by {', '.join(r.firm_id for r in rows)}; "
                                    "mark every row kind=multi if several firms make it, or keep one"))
        if len(firm_ids) == 1 and kinds == {"multi"}:
            problems.append(Problem(where("families", rows[0].key()), None, "kind",
                                    f"family {rows[0].family} is kind=multi but names one firm; add the other makers or use kind=family"))
        if "exception" in kinds:
            shorter = [k for k in claims if k != key and key.startswith(k) and any(r.firm_id != rows[0].firm_id for r in claims[k])]
            if not shorter:
                problems.append(Problem(where("families", rows[0].key()), None, "kind",
                                        f"family {rows[0].family} is kind=exception but no other firm's family begins it; use kind=family"))
    return problems


def check_reference(user_dir: Path | None = None, shipped_dir: Path | None = None) -> tuple[ReferenceTables, list[Problem]]:
    """Load every table and return it with every problem found (the bad rows are left out)."""
    return _load(shipped_dir or shipped_reference_dir(), user_dir)


def check_lines(tables: ReferenceTables, user_dir: Path | None) -> list[str]:
    """What `fieldkit reference check` prints about the tables it checked (its problems follow, one
    `error:` line each): rows per table, the version, a user folder that is missing, the user rows
    that override shipped ones and those that add to them."""
    from fieldkit.wording import plural

    lines = [f"{name}: {plural(count, 'row')}" for name, count in tables.counts().items()]
    lines.append(f"version: {tables.version}")
    if user_dir and not user_dir.is_dir():
        lines.append(f"user reference folder {user_dir} does not exist: no user tables loaded")
    lines += [f"override: {line}" for line in tables.override_lines()]
    lines += [f"user rows added to {table}: {', '.join(keys)}" for table, keys in tables.added.items()]
    return lines


def load_reference(user_dir: Path | None = None, shipped_dir: Path | None = None) -> ReferenceTables:
    """Load and validate the tables; raise ReferenceTableError naming the first problem."""
    tables, problems = check_reference(user_dir, shipped_dir)
    if problems:
        more = f" (and {len(problems) - 1} more problem(s); run `fieldkit reference check`)" if len(problems) > 1 else ""
        whole_file = problems[0].line is None and problems[0].column is None  # its message says what to do
        fix = "" if whole_file else "; fix or remove that row"
        raise ReferenceTableError(f"{problems[0]}{fix}{more}")
    return tables


_CACHE: dict[tuple[Path, Path | None], ReferenceTables] = {}


def get_reference(user_dir: Path | None = None, shipped_dir: Path | None = None, *, use_env: bool = True) -> ReferenceTables:
    """The tables for these directories, loaded once per process.

    With no `user_dir`, the user dir from `FIELDKIT_REFERENCE` (or the default user reference
    folder, if it exists) is used unless `use_env` is False.
    """
    if user_dir is None and use_env:
        user_dir = user_reference_dir()
    shipped = (shipped_dir or shipped_reference_dir()).resolve()
    key = (shipped, user_dir.resolve() if user_dir else None)
    if key not in _CACHE:
        _CACHE[key] = load_reference(user_dir, shipped)
    return _CACHE[key]


def clear_cache() -> None:
    """Forget loaded tables (after the user tables were edited, and in tests)."""
    _CACHE.clear()


def write_user_row(user_dir: Path, table: str, row: ReferenceRow) -> Path:
    """Append (or replace, by key) a row in the user copy of `table`; returns the file written.

    The row is validated against the whole user table before anything is written.
    """
    spec = TABLES_BY_NAME[table]
    path = user_dir / spec.filename
    columns = list(spec.model.model_fields)
    existing: list[dict[str, str]] = []
    if path.exists():
        data = read_table_file(path)
        if data is None:
            raise ReferenceTableError(f"{path} is not a regular file (a pipe, device or folder); give the table as a CSV file")
        try:
            existing = [r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ReferenceTableError(f"{path} cannot be read as UTF-8 CSV ({exc}); run `fieldkit reference check`") from None
    values = {c: str(getattr(row, c) or "") for c in columns}
    key = row.key()
    kept = [r for r in existing if "/".join((r.get(k) or "").strip() for k in spec.model.KEY) != key]
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for r in kept:
        writer.writerow({c: r.get(c, "") for c in columns})
    writer.writerow(values)
    data = out.getvalue().encode("utf-8")
    _, problems = read_table(spec, path, data)
    if problems:
        raise ReferenceTableError(str(problems[0]))
    user_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    clear_cache()
    return path
