"""The summary matches a hand count: 290 parts, 26 firms, 8 countries, 219 US (75.5%), newest code 2310."""

from __future__ import annotations

import csv
import io
import json

import pytest

from component_fixtures import EXPECTED_BY_COUNTRY, YEARS, fixture_index, write_khk_csv
from fieldkit.catalog import items
from fieldkit.catalog.components import add_component
from fieldkit.components.importer import import_components
from datetime import date

from fieldkit.components.summary import NewestCode, code_year, summarize

INDEX = fixture_index()
REPORT = ("290 components from 26 firms in 8 countries; US 75.5%, JP 6.2%, CH 4.1%, DE 4.1%, NL 3.4%, "
          "TW 3.1%, CN 1.7%, SG 1.7%; 290 dated, most 2021–2023; newest date code 2310 (week of 2023-03-06): "
          "assembled no earlier than 2023-03-06")


@pytest.fixture
def khk(catalog, tmp_path):
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    import_components(catalog, "KHK-0001", write_khk_csv(tmp_path / "khk.csv"), index=INDEX)
    return catalog


def test_the_kharkiv_headline_by_hand_count(khk):
    s = summarize(khk, "KHK-0001", index=INDEX)
    assert (s.parts, s.firms, s.countries) == (290, 26, 8)
    assert {c.country: c.parts for c in s.by_country} == EXPECTED_BY_COUNTRY
    us = s.by_country[0]
    assert (us.country, us.parts, round(us.share * 100, 1)) == ("US", 219, 75.5)
    assert s.dated_parts == 290 and dict(s.by_year) == YEARS
    assert s.most_date_codes() == (2021, 2023, 190)
    assert s.newest.code == "2310" and s.assembled_not_before.isoformat() == "2023-03-06"
    assert s.report_line() == REPORT


def test_firms_are_counted_once_whatever_form_the_brand_was_printed_in(khk):
    firms = {f.firm_id: f.parts for f in summarize(khk, index=INDEX).by_firm}
    assert firms["texas-instruments"] == 60  # TI, Texas Instruments, TEXAS INSTR.
    assert firms["onsemi"] == 20  # ON Semiconductor, onsemi, ON Semi
    assert firms["analog-devices"] == 40  # ADI, Analog Devices, Maxim, and ADXL part numbers alone
    assert firms["microchip"] == 30  # Microchip, ATMEL, and ATmega part numbers alone
    assert len(firms) == 26 and None not in firms


def test_the_json_has_the_shape_of_the_design(khk):
    data = summarize(khk, index=INDEX).to_json()
    assert {"parts", "firms", "countries", "by_country", "by_firm", "dated_parts", "assembled_not_before"} <= set(data)
    assert data["by_country"][0] == {"country": "US", "name": "United States", "parts": 219, "share": 0.7552}
    assert data["by_firm"][0] == {"firm_id": "texas-instruments", "firm": "Texas Instruments", "country": "US",
                                  "parts": 60, "share": 0.2069}
    assert data["assembled_not_before"] == "2023-03-06"
    assert data["scope"] == "catalog" and data["report"] == REPORT
    json.dumps(data)


def test_the_csv_has_one_row_per_country_firm_and_year(khk):
    lines = summarize(khk, index=INDEX).to_csv().splitlines()
    assert lines[0] == "section,key,name,country,parts,share"
    assert "country,US,United States,US,219,0.7552" in lines
    assert sum(line.startswith("firm,") for line in lines) == 26
    assert "date_code_year,2023,2023,,70,0.2414" in lines
    assert lines[-1] == "assembled_not_before,2310,2023-03-06,,,"


def test_quantities_count_and_unattributed_parts_lower_every_share(catalog):
    items.add_item(catalog, {"ref": "A-1", "category": "drone"})
    add_component(catalog, "A-1", {"part_number": "ADXL345", "quantity": 3}, index=INDEX)
    add_component(catalog, "A-1", {"part_number": "LM317"}, index=INDEX)  # no firm, no country
    s = summarize(catalog, "A-1", index=INDEX)
    assert (s.parts, s.firms, s.countries, s.unattributed_parts, s.parts_without_country) == (4, 1, 1, 1, 1)
    assert s.by_country[0].share == 0.75
    assert s.newest is None and s.dated_parts == 0
    assert s.report_line() == "4 components from 1 firm in 1 country; US 75.0%, country unknown 25.0%; no date codes"


def test_the_newest_code_is_the_one_whose_earliest_reading_starts_last(catalog):
    """A YWW code may be any decade: its period starts in the earliest, so it cannot be the newest."""
    items.add_item(catalog, {"ref": "A-1", "category": "drone"})
    add_component(catalog, "A-1", {"part_number": "P1", "date_code": "2105"}, index=INDEX)
    add_component(catalog, "A-1", {"part_number": "P2", "date_code": "305"}, index=INDEX)
    s = summarize(catalog, "A-1", index=INDEX)
    assert s.newest.code == "2105" and s.assembled_not_before.isoformat() == "2021-02-01"
    assert s.uncertain_year_parts == 1 and dict(s.by_year) == {2021: 1}


def test_periods_are_described_as_a_week_a_month_or_a_range():
    assert NewestCode("2310", date(2023, 3, 6), date(2023, 3, 12), "P", None).period() == "week of 2023-03-06"
    assert NewestCode("3C", date(2023, 12, 1), date(2023, 12, 31), "P", "TI").period() == "December 2023"
    assert NewestCode("310", date(1973, 3, 5), date(2023, 3, 12), "P", None).period() == "1973-03-05 to 2023-03-12"


@pytest.mark.parametrize(
    "code, start, end, year",
    [
        ("2001", date(2019, 12, 30), date(2020, 1, 5), 2020),  # ISO week 1 of 2020
        ("2053", date(2020, 12, 28), date(2021, 1, 3), 2020),  # ISO week 53 of 2020
        ("2101", date(2020, 12, 27), date(2021, 1, 3), 2021),  # Microchip week 1 of 2021
        ("101", date(2020, 12, 27), date(2021, 1, 3), 2021),  # YWW, one decade
        ("310", date(1973, 3, 5), date(2023, 3, 12), None),  # YWW, every decade
    ],
)
def test_a_code_is_counted_in_the_year_it_names(code, start, end, year):
    assert code_year(code, start, end) == year


def test_an_item_summary_counts_only_that_item(khk):
    items.add_item(khk, {"ref": "EX-2", "category": "rocket"})
    add_component(khk, "EX-2", {"part_number": "P", "manufacturer": "Renesas", "date_code": "2420"}, index=INDEX)
    assert summarize(khk, "EX-2", index=INDEX).parts == 1
    assert summarize(khk, "KHK-0001", index=INDEX).newest.code == "2310"
    assert summarize(khk, index=INDEX).newest.code == "2420"


def test_an_empty_catalog_says_so(catalog):
    s = summarize(catalog, index=INDEX)
    assert s.parts == 0 and s.report_line() == "no components recorded"
    assert s.to_json()["assembled_not_before"] is None


def test_the_csv_and_text_tables_add_up_to_100_percent_with_the_unknown_rows(catalog, db_path, monkeypatch):
    from click.testing import CliRunner

    from fieldkit.cli import cli

    items.add_item(catalog, {"ref": "A-1", "category": "drone"})
    add_component(catalog, "A-1", {"part_number": "ADXL345", "quantity": 3}, index=INDEX)
    add_component(catalog, "A-1", {"part_number": "LM317"}, index=INDEX)  # no firm, no country
    rows = list(csv.DictReader(io.StringIO(summarize(catalog, "A-1", index=INDEX).to_csv())))
    for section in ("country", "firm"):
        shares = [float(r["share"]) for r in rows if r["section"] == section]
        parts = [int(r["parts"]) for r in rows if r["section"] == section]
        assert sum(shares) == pytest.approx(1.0) and sum(parts) == 4, section
    assert {"section": "country", "key": "", "name": "country unknown", "country": "", "parts": "1", "share": "0.2500"} in rows
    assert {"section": "firm", "key": "", "name": "firm unknown", "country": "", "parts": "1", "share": "0.2500"} in rows
    monkeypatch.setattr("fieldkit.cli.components.default_index", lambda *_: INDEX)
    text = CliRunner().invoke(cli, ["--db", str(db_path), "summary", "A-1"]).output
    country_table = text.split("by country:")[1].split("by firm:")[0]
    firm_table = text.split("by firm:")[1]
    assert "country unknown" in country_table and " 25.0%" in country_table
    assert "firm unknown" in firm_table and " 25.0%" in firm_table
    assert sum(float(line.split()[-1].rstrip("%")) for line in country_table.strip().splitlines()) == pytest.approx(100)
    assert sum(float(line.split()[-1].rstrip("%")) for line in firm_table.strip().splitlines()) == pytest.approx(100)


def test_the_catalog_counts_parts_as_the_summary_does(catalog):
    items.add_item(catalog, {"ref": "A-1", "category": "drone"})
    add_component(catalog, "A-1", {"part_number": "ADXL345", "quantity": 6}, index=INDEX)
    add_component(catalog, "A-1", {"part_number": "LM317"}, index=INDEX)
    listed = items.list_items(catalog)[0]
    assert listed["parts"] == summarize(catalog, "A-1", index=INDEX).parts == 7
    assert listed["components"] == 2  # rows, under a name that says so
