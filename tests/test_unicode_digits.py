"""Digits of any script (full-width １１２, Devanagari ११२) are read as digits wherever years, date
codes and quantities are parsed, and the text as typed is kept."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fieldkit.catalog import items
from fieldkit.catalog.components import add_component
from fieldkit.cli import cli
from fieldkit.components.summary import code_year
from fieldkit.markings.calendars import parse_year
from fieldkit.markings.datecodes import read_date_code
from fieldkit.markings.digits import ascii_digits
from fieldkit.markings.matcher import read_marking
from fieldkit.markings.years import find_years


@pytest.mark.parametrize("typed", ["１１２", "११२", "১১২", "๑๑๒"])  # full-width, Devanagari, Bengali, Thai
def test_a_year_in_other_digits_is_read_and_shown_as_typed(typed):
    assert parse_year(typed) == 112
    readings = find_years(typed)
    assert {(r.calendar, r.year) for r in readings} == {("juche", 112), ("minguo", 112)}
    assert all(r.text == typed for r in readings)


def test_persian_digits_keep_their_solar_hijri_reading():
    assert [(r.calendar, r.year, r.text) for r in find_years("۱۴۰۲")] == [("solar-hijri", 1402, "۱۴۰۲")]


def test_a_lot_year_and_an_explicit_prefix_in_full_width_digits():
    assert [r.year for r in find_years("주체１１２")] == [112]
    assert {r.gregorian_start.year for r in find_years("LOT ２３-０５")} >= {2023}


def test_ascii_digits_keeps_one_character_per_character():
    assert ascii_digits("9М２２У ４-２３") == "9М22У 4-23"
    assert len(ascii_digits("１２３")) == 3
    assert ascii_digits("²") == "²"  # a superscript is not a decimal digit


def test_a_date_code_in_full_width_digits_is_read_and_stored_as_typed(catalog):
    assert [(r.start.isoformat(), r.end.isoformat()) for r in read_date_code("２３１０")][0] == ("2023-03-06", "2023-03-12")
    items.add_item(catalog, {"ref": "A-1", "category": "drone"})
    saved = add_component(catalog, "A-1", {"part_number": "LM358", "date_code": "２３１０", "quantity": "６"})
    assert saved.row["date_code"] == "２３１０"
    assert saved.row["date_start"] == "2023-03-06" and saved.row["quantity"] == 6
    assert code_year("２３０１", *(read_date_code("2301")[0].start, read_date_code("2301")[0].end)) == 2023


def test_the_matcher_reads_full_width_digits_and_keeps_the_text():
    reading = read_marking("９M２２U").to_json()
    assert reading["normalised"] == "9M22U"
    assert reading["candidates"] and reading["candidates"][0]["matched"] == "９M２２U"


def test_the_cli_reads_full_width_years_quantities_and_dates(db_path, tmp_path):
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--db", str(db_path), *args])

    assert json.loads(run("year", "juche", "１１２", "--json").output)["gregorian_start"] == "2023-01-01"
    assert run("item", "add", "--category", "x", "--ref", "A-1", "--found-at", "２０２４-０１-０２").exit_code == 0
    assert json.loads(run("item", "show", "A-1", "--json").output)["found_on"] == "2024-01-02"
    csv_file = tmp_path / "parts.csv"
    csv_file.write_text("part_number,quantity,date_code\nNE555,１２,２２０１\n", encoding="utf-8")
    assert run("component", "import", "A-1", str(csv_file)).exit_code == 0
    assert run("component", "add", "A-1", "--part", "LM358", "--quantity", "６").exit_code == 0
    rows = json.loads(run("component", "list", "A-1", "--json").output)
    assert [(r["quantity"], r["date_code"]) for r in rows] == [(12, "２２０１"), (6, None)]
    assert json.loads(run("summary", "A-1", "--json").output)["parts"] == 18


@pytest.mark.parametrize("typed, folded", [("５９６２-８７７１６０１ＰＡ", "5962-8771601PA"), ("ｌｍ３５８", "LM358"),
                                           ("Ｍ３８５１０／１０１０１ＢＣＡ", "M38510/10101BCA"), ("9М２２Ｕ", "9M22U")])
def test_full_width_letters_and_signs_fold_as_their_ascii_forms_one_character_each(typed, folded):
    """An East Asian input method types Latin letters full-width (ＰＡ); they are read as P and A, as
    full-width digits are, and the text as typed keeps its length."""
    from fieldkit.markings.normalize import fold

    assert fold(typed) == folded and len(fold(typed)) == len(typed)


def test_a_part_number_typed_full_width_is_attributed_as_typed_in_ascii():
    from fieldkit.components.attribution import attribute

    assert attribute("ＴＰＳ６２１３０").firm_id == attribute("TPS62130").firm_id == "texas-instruments"
    smd = attribute("５９６２-８７７１６０１ＰＡ")
    assert smd.firm_id is None and smd.military is not None
    assert smd.military.describe() == attribute("5962-8771601PA").military.describe()
