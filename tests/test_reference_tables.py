"""The reference tables: every shipped pattern does what its own examples say, and a malformed
table is refused with its file, line and column; user rows extend or override, and say so."""

from __future__ import annotations

import csv
import re

import pytest

from fieldkit.errors import ReferenceTableError
from fieldkit.locations import shipped_reference_dir
from fieldkit.markings.normalize import fold
from fieldkit.reference.tables import check_reference, get_reference, load_reference, clear_cache

SHIPPED_PATTERNS = list(csv.DictReader((shipped_reference_dir() / "marking_patterns.csv").open(encoding="utf-8")))
HEADER = "id,regex,year_calendar,country,producer,category,description,example_positive,example_negative,source,confidence_notes\n"


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.mark.parametrize("row", SHIPPED_PATTERNS, ids=[r["id"] for r in SHIPPED_PATTERNS])
def test_every_shipped_pattern_matches_its_positive_example_and_not_its_negative(row):
    regex = re.compile(row["regex"])
    assert regex.search(fold(row["example_positive"])), row["example_positive"]
    assert not regex.search(fold(row["example_negative"])), row["example_negative"]


def test_the_shipped_tables_load_without_problems_and_have_a_version():
    tables, problems = check_reference(None)
    assert problems == []
    assert len(tables.patterns) == len(SHIPPED_PATTERNS)
    assert len(tables.factory_codes) > 0
    assert re.fullmatch(r"[0-9a-f]{64}", tables.version)
    assert tables.overridden == {}


def user_patterns(tmp_path, *rows: str):
    folder = tmp_path / "user"
    folder.mkdir(exist_ok=True)
    (folder / "marking_patterns.csv").write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return folder


def error_for(folder) -> str:
    with pytest.raises(ReferenceTableError) as exc:
        load_reference(folder)
    return str(exc.value)


def test_a_bad_regex_is_named_with_its_file_line_and_column(tmp_path):
    folder = user_patterns(tmp_path, "ok-one,\\bOK\\b,,,,,,OK,NO,a source,", "bad-one,(?P<lot>\\d+,,,,,,,,a source,")
    message = error_for(folder)
    assert str(folder / "marking_patterns.csv") in message
    assert "line 3" in message and "column regex" in message and "bad regex" in message


def test_an_unknown_calendar_is_refused(tmp_path):
    message = error_for(user_patterns(tmp_path, "lot-x,(?P<year>\\d{2}),mayan,,,,,,,a source,"))
    assert "line 2" in message and "column year_calendar" in message and "unknown calendar 'mayan'" in message


def test_a_row_without_a_source_is_refused(tmp_path):
    message = error_for(user_patterns(tmp_path, "no-source,\\bQQ\\b,,,,,,,,,"))
    assert "column source" in message and "missing source" in message


def test_a_duplicate_id_is_refused(tmp_path):
    folder = user_patterns(tmp_path, "twice,\\bAA\\b,,,,,,,,a source,", "twice,\\bBB\\b,,,,,,,,a source,")
    message = error_for(folder)
    assert "line 3" in message and "duplicate id 'twice'" in message and "first on line 2" in message


def test_a_missing_column_is_refused(tmp_path):
    folder = tmp_path / "user"
    folder.mkdir()
    (folder / "marking_patterns.csv").write_text("id,regex\nx,\\bX\\b\n", encoding="utf-8")
    message = error_for(folder)
    assert "line 1" in message and "missing column 'source'" in message


def test_a_year_group_needs_a_calendar_and_examples_are_checked(tmp_path):
    assert "year_calendar" in error_for(user_patterns(tmp_path, "y,(?P<year>\\d{2}),,,,,,,,a source,"))
    assert "example_positive" in error_for(user_patterns(tmp_path, "e,\\bABC\\b,,,,,,XYZ,,a source,"))


def test_check_reports_every_problem_and_keeps_the_good_rows(tmp_path):
    folder = user_patterns(tmp_path, "bad-a,(,,,,,,,,a source,", "good,\\bGOOD\\b,,,,,,,,a source,", "bad-b,x,julian,,,,,,,s,")
    tables, problems = check_reference(folder)
    assert [p.line for p in problems] == [2, 4]
    assert "good" in [p.id for p in tables.patterns]


def test_user_rows_extend_and_override_by_id_and_the_override_is_recorded(tmp_path):
    folder = user_patterns(
        tmp_path,
        "dprk-plant-112,(?<![\\d.-])(?P<factory>112)(?![\\d.-]),,KP,,,,112,,my notes,High",
        "my-new-pattern,\\bNEWMARK\\b,,,,,,NEWMARK,,my notes,",
    )
    shipped = load_reference(None)
    tables = load_reference(folder)
    assert tables.overridden == {"patterns": ["dprk-plant-112"]}
    assert tables.added == {"patterns": ["my-new-pattern"]}
    assert tables.override_lines() == ["patterns: user row dprk-plant-112 overrides the shipped row"]
    assert len(tables.patterns) == len(shipped.patterns) + 1
    assert tables.source_of("patterns", "dprk-plant-112") == "user"
    assert tables.version != shipped.version


def test_tables_are_loaded_once_per_process(tmp_path):
    folder = user_patterns(tmp_path, "a-b,\\bAB\\b,,,,,,,,s,")
    first = get_reference(folder)
    (folder / "marking_patterns.csv").write_text(HEADER, encoding="utf-8")
    assert get_reference(folder) is first
    clear_cache()
    assert get_reference(folder) is not first


def test_the_plain_reader_gives_the_validated_rows_and_version_of_the_shipped_tables():
    """One loader: the OCR path's unvalidated read sees the same rows, keys and version."""
    from fieldkit.reference.plain import load_tables

    validated = load_reference()
    plain, problems = load_tables(shipped_reference_dir(), None)
    assert problems == []
    assert plain.version == validated.version
    for table in ("patterns", "factory_codes", "manufacturers", "families"):
        assert [r.key() for r in plain.rows[table]] == [r.key() for r in validated.rows[table]]
    assert [(r.id, r.regex, r.year_calendar) for r in plain.patterns] == [
        (r.id, r.regex, r.year_calendar) for r in validated.patterns]


def test_the_plain_reader_leaves_out_what_check_refuses_and_never_raises(tmp_path):
    from fieldkit.reference.plain import load_tables

    folder = user_patterns(tmp_path, "good-one,\\bGOOD1\\b,,,,,,GOOD1,,a source,",
                           "bad-one,(?P<lot>\\d+,,,,,,,,a source,", ",\\bNOID\\b,,,,,,,,a source,")
    plain, _ = load_tables(shipped_reference_dir(), folder)
    ids = {r.id for r in plain.patterns}
    assert "good-one" in ids and "bad-one" not in ids and "" not in ids
    assert plain.added == {"patterns": ["good-one"]}
    assert any("line 3, column regex: bad regex" in str(p) for p in check_reference(folder)[1])  # check still names it


def test_lazy_plain_tables_parse_a_table_only_when_asked_and_give_the_eager_rows_and_version(tmp_path):
    """The OCR path's tables (plain_reference) parse the part-number families only when a reading
    needs them; what they give, and the version, are the eager loader's."""
    from fieldkit.reference.plain import load_tables

    folder = user_patterns(tmp_path, "dprk-plant-112,(?<![\\d.-])(?P<factory>112)(?![\\d.-]),,KP,,,,112,,my notes,High")
    eager, _ = load_tables(shipped_reference_dir(), folder)
    lazy, _ = load_tables(shipped_reference_dir(), folder, lazy=True)
    assert lazy.version == eager.version and lazy.files == eager.files
    assert [r.key() for r in lazy.patterns] == [r.key() for r in eager.patterns]
    assert dict.keys(lazy.rows) == {"patterns"}  # the families were not parsed for the patterns
    assert lazy.source_of("patterns", "dprk-plant-112") == "user"
    assert [r.key() for r in lazy.families] == [r.key() for r in eager.families]
    assert lazy.override_lines() == eager.override_lines() == ["patterns: user row dprk-plant-112 overrides the shipped row"]
    assert lazy.counts() == eager.counts()


def test_a_table_csv_cannot_read_is_a_named_problem_never_a_traceback(tmp_path):
    """A cell longer than the csv module's field limit (a crafted user table) stops the reading of
    that file with a problem naming it; the plain loader the OCR path uses does not raise either."""
    from fieldkit.reference.plain import csv_records

    folder = user_patterns(tmp_path, "ok-one,\\bOK\\b,,,,,,OK,NO,a source,", "long," + "x" * 200_000 + ",,,,,,,,a source,")
    message = error_for(folder)
    assert str(folder / "marking_patterns.csv") in message and "not readable as CSV" in message
    _, _, problems = csv_records(folder / "marking_patterns.csv", (folder / "marking_patterns.csv").read_bytes())
    assert [p.line for p in problems] == [3]


@pytest.mark.parametrize("make", ["fifo", "folder"])
def test_a_user_table_that_is_not_a_regular_file_is_a_named_problem_never_a_hang(tmp_path, make):
    """A hostile --reference folder whose table is a named pipe (reading it would wait for a writer
    for ever) or a folder: `fieldkit match` says so in one line, and `fieldkit ocr`'s plain loader
    leaves it out; neither waits."""
    import os
    import subprocess
    import sys

    from fieldkit.reference.plain import load_tables

    folder = tmp_path / "hostile"
    folder.mkdir()
    table = folder / "marking_patterns.csv"
    os.mkfifo(table) if make == "fifo" else table.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "FIELDKIT_DB": str(tmp_path / "c.db")}
    env.pop("FIELDKIT_REFERENCE", None)
    done = subprocess.run([sys.executable, "-m", "fieldkit", "--reference", str(folder), "match", "9M22U"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    [line] = (done.stdout + done.stderr).strip().splitlines()
    assert line == f"error: {table}: is not a regular file (a pipe, device or folder); give the table as a CSV file"
    _, problems = load_tables(shipped_reference_dir(), folder)
    assert [str(p.path) for p in problems] == [str(table)]


def test_saving_a_row_beside_a_user_table_that_is_a_pipe_or_not_utf8_is_refused_in_one_line(tmp_path):
    """The app's save (write_user_row) reads the user table first: a named pipe is refused, not waited
    on for ever, and bytes that are not UTF-8 are a ReferenceTableError, not a crash; nothing is written."""
    import os

    from fieldkit.reference.tables import write_user_row

    row = get_reference().patterns[0]
    pipe, latin = tmp_path / "pipe", tmp_path / "latin"
    pipe.mkdir(), latin.mkdir()
    os.mkfifo(pipe / "marking_patterns.csv")
    (latin / "marking_patterns.csv").write_bytes(b"id,regex\nx,caf\xe9\n")
    with pytest.raises(ReferenceTableError, match="is not a regular file"):
        write_user_row(pipe, "patterns", row)
    with pytest.raises(ReferenceTableError, match="cannot be read as UTF-8 CSV"):
        write_user_row(latin, "patterns", row)
    assert (latin / "marking_patterns.csv").read_bytes() == b"id,regex\nx,caf\xe9\n"
