"""Output that cannot be turned against the reader (issue 19, points 11, 12, 13 and 19).

- Every CSV fieldkit writes guards the bytes it writes: an escape sequence, a space or a bidi
  control before `=` or `@` does not let a formula through, and the value still round-trips.
- Every text and JSON output of the CLI escapes control and bidirectional characters stored in
  the catalog (written behind fieldkit's back), so `ESC ] 0;PWNED BEL` cannot retitle the terminal.
- Typed text refuses them at input, in every field a person types.
- Ids are matched exactly or by a literal prefix: `_` and `%` are not wildcards.
- Click usage errors are one line, `error: ...`, exit 2.
"""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest
from click.testing import CliRunner

from fieldkit.catalog import items
from fieldkit.catalog.components import add_component
from fieldkit.catalog.markings import add_marking, get_marking
from fieldkit.cli import cli
from fieldkit.errors import FieldkitError, NotFound
from fieldkit.export.csv import restore_cell
from tests.conftest import khk_catalog

TITLE_ATTACK = "\x1b]0;PWNED\x07"
FORMULAS = ["\x1b[0m=HYPERLINK(\"http://x\",\"y\")", "\x1b[0m@SUM(1+1)", "\u202e=1+1", " =1+1", "\xa0@A1", "\u200b-2+3"]


def run(db_path, *args, input=None):
    return CliRunner().invoke(cli, ["--db", str(db_path), "--actor", "t", *map(str, args)], input=input)


def write_behind_fieldkits_back(db_path, sql: str, params=()) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


# CSV ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("formula", FORMULAS)
def test_summary_csv_guards_the_bytes_it_prints(db_path, formula):
    khk_catalog(db_path, components=[{"part_number": "LM358", "manufacturer": "Texas Instruments"}])
    write_behind_fieldkits_back(db_path, "UPDATE components SET manufacturer = ?", [formula])
    result = run(db_path, "summary", "--csv")
    assert result.exit_code == 0, result.output
    for row in csv.reader(result.output.splitlines()):
        for cell in row:
            assert not cell.lstrip(" \xa0\u200b\u202e").startswith(("=", "@", "+", "-")), row


@pytest.mark.parametrize("formula", FORMULAS)
def test_every_exported_file_guards_a_formula_behind_invisible_characters_and_keeps_it_recoverable(
        db_path, tmp_path, formula):
    khk_catalog(db_path, components=[{"part_number": "LM358"}], markings=["9M22U"])
    for table, column in (("items", "notes"), ("components", "manufacturer"), ("markings", "position")):
        write_behind_fieldkits_back(db_path, f"UPDATE {table} SET {column} = ?", [formula])
    add_second = sqlite3.connect(db_path)  # a copy of the component with a NUL: written by Python, not SQL
    columns = [r[1] for r in add_second.execute("PRAGMA table_info(components)") if r[1] not in ("id", "manufacturer")]
    add_second.execute(f"INSERT INTO components (id, manufacturer, {', '.join(columns)}) "
                       f"SELECT 'x' || id, ? || char(0), {', '.join(columns)} FROM components", [formula])
    add_second.commit()
    add_second.close()
    assert run(db_path, "export", "csv", tmp_path / "out").exit_code == 0
    seen = 0
    for name in ("items.csv", "components.csv", "markings.csv"):
        with (tmp_path / "out" / name).open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for cell in row.values():
                    if formula.strip(" \xa0") in cell:
                        seen += 1
                        assert cell.startswith("'"), (name, cell)
                        assert restore_cell(cell) in (formula, formula + "\x00")
    assert seen == 4  # the notes, the two manufacturers (one written by SQL, one with a NUL by Python), the position


# control and bidi characters ---------------------------------------------------------------


def hostile_catalog(db_path):
    khk_catalog(db_path, components=[{"part_number": "LM358", "manufacturer": "TI"}], markings=["112"])
    write_behind_fieldkits_back(db_path, "UPDATE components SET part_number = ?, manufacturer = ?",
                                [f"LM358{TITLE_ATTACK}", "TI\u202eKP"])
    write_behind_fieldkits_back(db_path, "UPDATE markings SET text = ?, position = ?", [f"112{TITLE_ATTACK}", "\x9b31m"])
    write_behind_fieldkits_back(db_path, "UPDATE items SET notes = ?, place = ?", [f"a\nb{TITLE_ATTACK}", "Khar\u202ekiv"])


@pytest.mark.parametrize("args", [
    ("component", "list", "KHK-0001"), ("marking", "list", "KHK-0001"), ("item", "list"),
    ("item", "show", "KHK-0001"), ("summary",), ("marking", "recheck"),
], ids=" ".join)
def test_text_output_escapes_control_and_bidi_characters(db_path, args):
    hostile_catalog(db_path)
    output_of_hostile(db_path, *args)


def output_of_hostile(db_path, *args) -> str:
    """The command's output over the hostile catalog, checked to hold none of its raw characters."""
    result = run(db_path, *args)
    assert result.exit_code == 0, result.output
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in result.output, (raw, result.output)
    return result.output


def test_stored_text_is_shown_escaped_but_kept_as_stored(db_path):
    hostile_catalog(db_path)
    assert "LM358\\x1b]0;PWNED\\x07" in run(db_path, "component", "list", "KHK-0001").output
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT part_number FROM components").fetchone()[0] == f"LM358{TITLE_ATTACK}"


@pytest.mark.parametrize("args", [
    ("component", "list", "KHK-0001", "--json"), ("marking", "list", "KHK-0001", "--json"),
    ("item", "list", "--json"), ("item", "show", "KHK-0001", "--json"),
], ids=" ".join)
def test_json_output_escapes_bidi_and_c1_controls_and_still_parses_to_the_stored_text(db_path, args):
    hostile_catalog(db_path)
    parsed = json.dumps(json.loads(output_of_hostile(db_path, *args)), ensure_ascii=False)
    assert TITLE_ATTACK in parsed or "\u202e" in parsed or "\x9b" in parsed


@pytest.mark.parametrize("bad", ["\x1b]0;x\x07", "\u202e", "\x9b", "\u2066"])
def test_every_typed_field_refuses_control_and_bidi_characters(catalog, bad):
    items.add_item(catalog, {"ref": "KHK-0001", "category": "debris"})
    attempts = [
        lambda: items.add_item(catalog, {"category": "debris", "notes": f"a{bad}"}),
        lambda: add_component(catalog, "KHK-0001", {"part_number": f"LM{bad}358"}),
        lambda: add_component(catalog, "KHK-0001", {"part_number": "LM358", "manufacturer": f"TI{bad}"}),
        lambda: add_marking(catalog, "KHK-0001", f"112{bad}"),
        lambda: add_marking(catalog, "KHK-0001", "112", position=f"left{bad}"),
    ]
    for attempt in attempts:
        with pytest.raises(FieldkitError, match="control character"):
            attempt()
    assert catalog.db["components"].count == 0 and catalog.db["markings"].count == 0


def test_a_caption_with_a_control_character_is_refused_before_anything_is_stored(db_path, tmp_path):
    from tests.stress.harness import noise_jpeg

    khk_catalog(db_path)
    result = run(db_path, "photo", "add", "KHK-0001", noise_jpeg(tmp_path / "p.jpg", 1), "--caption", "x\u202egpj")
    assert result.exit_code == 2 and result.output.startswith("error: caption: contains the invisible control")
    assert not (tmp_path / "catalog.db.photos").exists() or not any((tmp_path / "catalog.db.photos").rglob("*.jpg"))


def test_typed_text_keeps_newlines_tabs_and_arabic_direction_marks(catalog):
    items.add_item(catalog, {"ref": "KHK-0001", "category": "debris", "notes": "line 1\nline\t2"})
    add_marking(catalog, "KHK-0001", "\u0661\u0664\u0664\u0665\u200f")
    assert items.get_item(catalog, "KHK-0001")["notes"] == "line 1\nline\t2"


# ids are not patterns -------------------------------------------------------------------------


def test_a_marking_id_made_of_wildcards_matches_nothing(db_path):
    khk_catalog(db_path, markings=["112"])
    for pattern in ("____", "%%%%", "____%", "%"):
        result = run(db_path, "marking", "delete", pattern, "--yes")
        assert result.exit_code == 2, (pattern, result.output)
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM markings").fetchone()[0] == 1


def test_a_marking_id_is_still_found_by_its_literal_prefix(catalog):
    items.add_item(catalog, {"ref": "KHK-0001", "category": "debris"})
    stored = add_marking(catalog, "KHK-0001", "112")
    assert get_marking(catalog, stored["id"][:6])["id"] == stored["id"]
    with pytest.raises(NotFound):
        get_marking(catalog, "_" + stored["id"][1:6])


def test_a_photo_prefix_of_wildcards_is_refused(db_path, tmp_path):
    from tests.stress.harness import noise_jpeg

    khk_catalog(db_path)
    assert run(db_path, "photo", "add", "KHK-0001", noise_jpeg(tmp_path / "p.jpg", 1)).exit_code == 0
    result = run(db_path, "ocr", "--photo", "______", "--item", "KHK-0001")
    assert result.exit_code == 2 and "not a SHA-256 prefix" in result.output


# usage errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("args, words", [
    (("item", "add", "--category", "x", "--lat", "abc"), ["'--lat'", "'abc' is not a valid float"]),
    (("ocr", "--psm", "99", "x.png"), ["'--psm'", "99"]),
    (("export", "csv", "FILE"), ["is a file"]),
    (("item", "list", "--jsn"), ["No such option", "--json"]),
    (("item", "frobnicate",), ["No such command"]),
    (("item", "show",), ["Missing argument 'REF'"]),
    (("--no-such-option", "item", "list"), ["No such option"]),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_usage_errors_are_one_line_with_exit_2(db_path, tmp_path, args, words):
    (tmp_path / "FILE").write_text("x")
    khk_catalog(db_path)
    args = [str(tmp_path / "FILE") if a == "FILE" else a for a in args]
    result = run(db_path, *args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "--help" in lines[0] and "Usage:" not in result.output
    for word in words:
        assert word in lines[0]


def test_a_group_without_a_command_still_shows_its_help(db_path):
    result = run(db_path, "item")
    assert "Usage:" in result.output and "list" in result.output


def test_an_imported_component_row_with_a_control_character_is_refused_and_the_rest_imported(db_path, tmp_path):
    khk_catalog(db_path)
    rows = tmp_path / "parts.csv"
    rows.write_text(f"part_number,manufacturer\nLM358,TI{TITLE_ATTACK}\nLM324,TI\n", encoding="utf-8")
    result = run(db_path, "component", "import", "KHK-0001", rows)
    assert "line 2, column manufacturer: contains the invisible control character U+001B" in result.output
    stored = sqlite3.connect(db_path).execute("SELECT part_number FROM components").fetchall()
    assert stored == [("LM324",)]
