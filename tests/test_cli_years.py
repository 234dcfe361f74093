"""`fieldkit year`, `years` and `datecode`: the calendar and date-code commands (CliRunner)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from fieldkit.cli import cli


@pytest.fixture
def run(db_path):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, ["--db", str(db_path), *args])

    return invoke


def ok_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_juche_112_json_is_2023(run):
    assert ok_json(run("year", "juche", "112", "--json")) == {
        "calendar": "juche",
        "year": 112,
        "gregorian_start": "2023-01-01",
        "gregorian_end": "2023-12-31",
    }


def test_reiwa_1_begins_on_1_may_2019(run):
    result = run("year", "japanese", "reiwa", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Reiwa 1 = 2019-05-01 to 2019-12-31"
    data = ok_json(run("year", "japanese", "令和", "1", "--json"))
    assert data == {"calendar": "japanese", "year": 1, "era": "reiwa",
                    "gregorian_start": "2019-05-01", "gregorian_end": "2019-12-31"}


def test_solar_hijri_1402_runs_nowruz_to_the_day_before_the_next(run):
    result = run("year", "solar-hijri", "1402")
    assert result.stdout.strip() == "Solar Hijri 1402 = 2023-03-21 to 2024-03-19"
    this = ok_json(run("year", "solar-hijri", "1402", "--json"))
    following = ok_json(run("year", "solar-hijri", "1403", "--json"))
    end = date.fromisoformat(this["gregorian_end"])
    assert end + timedelta(days=1) == date.fromisoformat(following["gregorian_start"]) == date(2024, 3, 20)


@pytest.mark.parametrize(
    "args, start, end",
    [
        (["gregorian", "2023"], "2023-01-01", "2023-12-31"),
        (["juche", "113"], "2024-01-01", "2024-12-31"),
        (["minguo", "112"], "2023-01-01", "2023-12-31"),
        (["japanese", "heisei", "31"], "2019-01-01", "2019-04-30"),
        (["japanese", "Showa", "64"], "1989-01-01", "1989-01-07"),
        (["solar-hijri", "1403"], "2024-03-20", "2025-03-20"),
        (["thai", "2566"], "2023-01-01", "2023-12-31"),
        (["persian", "1402"], "2023-03-21", "2024-03-19"),  # an alias
    ],
)
def test_every_calendar_converts(run, args, start, end):
    data = ok_json(run("year", *args, "--json"))
    assert (data["gregorian_start"], data["gregorian_end"]) == (start, end)
    assert "warnings" not in data


@pytest.mark.parametrize(
    "args, says",
    [
        (["juche", "0"], "Juche year 0 does not exist"),
        (["juche", "-5"], "Juche year -5 does not exist"),
        (["minguo", "-1"], "Minguo year -1 does not exist"),
        (["japanese", "reiwa", "0"], "Reiwa year 0 does not exist"),
        (["japanese", "heisei", "32"], "Heisei 32 does not exist"),
        (["juche", "abc"], "'abc' is not a whole number"),
        (["juche", "1" + "0" * 30], "too large"),
        (["juche", "10^30"], "not a whole number"),
        (["klingon", "5"], "unknown calendar 'klingon'"),
        (["japanese", "edo", "5"], "unknown Japanese era 'edo'"),
        (["japanese", "5"], "Japanese years need an era"),
        (["juche", "reiwa", "5"], "an era only applies to Japanese years"),
        (["juche"], "give a calendar and a year"),
        ([], "give a calendar and a year"),
        (["solar-hijri", "99"], "Solar Hijri year 99 is not supported"),
    ],
)
def test_impossible_input_exits_2_with_one_line(run, args, says):
    for extra in ([], ["--json"]):
        result = run("year", *args, *extra)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert says in lines[0]
        assert "Traceback" not in result.output


def test_a_mistyped_option_is_still_a_usage_error(run):
    result = run("year", "juche", "112", "--jsn")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_juche_before_1997_warns_but_succeeds(run):
    result = run("year", "juche", "50")
    assert result.exit_code == 0
    assert result.stdout.strip() == "Juche 50 = 1961-01-01 to 1961-12-31"
    assert result.stderr.startswith("warning: ") and "1997" in result.stderr
    data = ok_json(run("year", "juche", "50", "--json"))
    assert len(data["warnings"]) == 1 and "1997" in data["warnings"][0]


def test_a_future_year_warns_but_succeeds(run):
    result = run("year", "juche", "500", "--json")
    data = ok_json(result)
    assert data["gregorian_start"] == "2411-01-01"
    assert any("after today" in w for w in data["warnings"])
    assert "warning: Juche 500 begins on 2411-01-01, after today" in result.stderr


def test_to_lists_every_overlapping_year(run):
    data = ok_json(run("year", "--to", "solar-hijri", "2023", "--json"))
    assert [(d["year"], d["gregorian_start"], d["gregorian_end"]) for d in data] == [
        (1401, "2022-03-21", "2023-03-20"),
        (1402, "2023-03-21", "2024-03-19"),
    ]
    assert ok_json(run("year", "--to", "juche", "2023", "--json")) == [
        {"calendar": "juche", "year": 112, "gregorian_start": "2023-01-01", "gregorian_end": "2023-12-31"}
    ]
    result = run("year", "--to", "japanese", "1989")
    assert result.stdout.splitlines() == ["Showa 64 = 1989-01-01 to 1989-01-07", "Heisei 1 = 1989-01-08 to 1989-12-31"]


@pytest.mark.parametrize("args", [["--to", "juche", "-5"], ["--to", "juche", "abc"], ["--to", "juche"],
                                  ["--to", "nope", "2023"], ["--to", "japanese", "1870"]])
def test_to_refuses_impossible_input(run, args):
    result = run("year", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1


def test_years_in_korean_marking_text_put_juche_first(run):
    data = ok_json(run("years", "주체112", "--json"))
    top = data[0]
    assert (top["calendar"], top["year"], top["gregorian_start"], top["gregorian_end"]) == (
        "juche", 112, "2023-01-01", "2023-12-31")
    assert "주체" in top["basis"]
    human = run("years", "주체112").stdout.splitlines()
    assert human[0] == "주체112: Juche 112 = 2023 (explicit 주체 prefix)"


def test_a_bare_number_is_shown_with_every_reading(run):
    lines = run("years", "112").stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("112: Juche 112 = 2023") and "or a code" in lines[0]
    assert lines[1].startswith("112: Minguo 112 = 2023")


def test_years_with_none_found(run):
    result = run("years", "ABC")
    assert result.exit_code == 0 and result.stdout == ""
    assert "no year readings" in result.stderr
    assert ok_json(run("years", "ABC", "--json")) == []


def test_datecode_2310_is_iso_week_10_of_2023(run):
    data = ok_json(run("datecode", "2310", "--json"))
    assert data[0]["form"] == "YYWW"
    assert (data[0]["start"], data[0]["end"]) == ("2023-03-06", "2023-03-12")
    assert data[0]["basis"]
    line = run("datecode", "2310").stdout.splitlines()[0]
    assert line.startswith("2310: YYWW, ISO week 10 of 2023 (2023-03-06 to 2023-03-12); basis: ")


def test_datecode_lists_every_reading_with_manufacturer(run):
    data = ok_json(run("datecode", "9A", "--manufacturer", "TI", "--json"))
    assert len(data) >= 2
    assert all(d["form"] == "YM (Texas Instruments)" for d in data)
    assert data[0]["start"].endswith("-10-01")


@pytest.mark.parametrize("code", ["abc", "2360", "", "-5"])
def test_datecode_refuses_unreadable_codes(run, code):
    result = run("datecode", code)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: date code") and len(result.stderr.splitlines()) == 1
