"""Electronic component date codes: forms, maker schemes, refusals and properties."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.errors import DateCodeError
from fieldkit.markings import datecodes
from fieldkit.markings.datecodes import DateCodeReading, newest, read_date_code

TODAY = date(2025, 6, 1)


def read(code, manufacturer=None):
    return read_date_code(code, manufacturer, today=TODAY)


# --- YYWW ----------------------------------------------------------------------------


def test_yyww_is_an_iso_week_monday_to_sunday():
    [reading] = read("2310")
    assert reading.form == "YYWW"
    assert (reading.start, reading.end) == (date(2023, 3, 6), date(2023, 3, 12))
    assert reading.describe() == "2310: YYWW, ISO week 10 of 2023 (2023-03-06 to 2023-03-12)"


def test_yyww_in_the_last_century():
    [reading] = read("9832")
    assert reading.start == date(1998, 8, 3)


def test_week_53_only_in_years_that_have_it():
    [reading] = read("2053")  # 2020 had an ISO week 53
    assert (reading.start, reading.end) == (date(2020, 12, 28), date(2021, 1, 3))
    assert read("1553")[0].start == date(2015, 12, 28)
    with pytest.raises(DateCodeError, match="2023 has no week 53"):
        read("2353")


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("2360", ["'2360'", "week 60 does not exist"]),
        ("2300", ["'2300'", "week 00 does not exist"]),
        ("2310A", ["'2310A'", "enter the date code alone"]),
        ("e3 2310", ["'e3 2310'", "enter the date code alone"]),
        ("abcd", ["'abcd'"]),
        ("12345", ["'12345'"]),
        ("", ["empty"]),
        ("8C", ["'8C'", "Texas Instruments"]),
    ],
)
def test_codes_that_no_form_reads_are_refused_naming_the_code(code, words):
    with pytest.raises(DateCodeError) as caught:
        read(code)
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_future_readings_are_dropped():
    with pytest.raises(DateCodeError, match="after today"):
        read("2552")  # ISO week 52 of 2025, after 2025-06-01
    assert read("2520")[0].start == date(2025, 5, 12)


def test_codes_before_1970_are_not_read():
    with pytest.raises(DateCodeError):
        read("6510")


# --- YWW -----------------------------------------------------------------------------


def test_yww_gives_each_plausible_decade_most_recent_first():
    readings = read("310")
    assert [r.start.year for r in readings] == [2023, 2013, 2003, 1993, 1983, 1973]
    assert all(r.form == "YWW" for r in readings)
    assert readings[0].start == date(2023, 3, 6)
    scores = [r.score for r in readings]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
    assert "decade" in readings[0].basis


def test_yww_never_offers_the_future():
    # Week 40 of a year ending in 5: 2025's is after TODAY, so 2015 comes first.
    assert read("540")[0].start.year == 2015


# --- maker schemes --------------------------------------------------------------------


def test_texas_instruments_year_month_code():
    readings = read("8C", "Texas Instruments")
    assert (readings[0].start, readings[0].end) == (date(2018, 12, 1), date(2018, 12, 31))
    assert "TI" in readings[0].basis
    assert read("91", "TI")[0].start == date(2019, 1, 1)
    assert read("3A", "ti")[0].start == date(2023, 10, 1)


def test_microchip_week_one_is_the_week_of_1_january():
    readings = read("2301", "Microchip Technology Inc.")
    assert readings[0].start <= date(2023, 1, 1) <= readings[0].end
    assert "Microchip" in readings[0].basis


def test_microchip_traceability_suffix_is_documented_and_stripped():
    [reading] = read("2310ABC", "Microchip")
    assert reading.code == "2310ABC" and reading.form == "YYWWNNN"
    assert reading.start <= date(2023, 3, 6) and reading.end >= date(2023, 3, 11)
    with pytest.raises(DateCodeError):
        read("2310ABC")  # without the maker, the suffix is not known


def test_a_code_valid_both_ways_for_a_wwyy_maker_gets_both_readings(monkeypatch):
    monkeypatch.setitem(datecodes.WWYY_MAKERS, "examplecorp", "test source")
    readings = read("0523", "ExampleCorp")
    by_form = {r.form: r for r in readings}
    assert set(by_form) == {"YYWW", "WWYY"}
    assert by_form["YYWW"].start == date(2005, 6, 6)  # ISO week 23 of 2005
    assert by_form["WWYY"].start == date(2023, 1, 30)  # ISO week 5 of 2023
    assert "test source" in by_form["WWYY"].basis
    # Without that maker, only YYWW.
    assert [r.form for r in read("0523")] == ["YYWW"]


def test_newest_picks_the_latest_period():
    readings = read("2310") + read("2105") + read("910")
    assert newest(readings).start == date(2023, 3, 6)
    assert newest([]) is None


# --- properties ----------------------------------------------------------------------


@given(st.integers(0, 99), st.integers(0, 99))
def test_every_yyww_reading_is_seven_days_starting_on_a_monday(yy, ww):
    code = f"{yy:02d}{ww:02d}"
    try:
        # With "today" at the end of 2099 every 20YY (and 19YY from 1970) is in the past.
        readings = read_date_code(code, today=date(2099, 12, 31))
    except DateCodeError:
        assert ww == 0 or ww >= 53  # week 53 only in years that have one
        return
    assert len(readings) == (2 if yy >= 70 else 1) or ww == 53
    for r in readings:
        assert isinstance(r, DateCodeReading)
        assert r.form == "YYWW"
        assert r.start.weekday() == 0
        assert r.end - r.start == timedelta(days=6)
        assert r.start.isocalendar().week == ww
        assert r.start.isocalendar().year % 100 == yy


@given(st.integers(0, 9), st.integers(1, 52))
def test_every_yww_reading_ends_in_the_year_digit_and_is_not_in_the_future(y, ww):
    for r in read_date_code(f"{y}{ww:02d}", today=TODAY):
        assert r.start.isocalendar().year % 10 == y
        assert 1970 <= r.start.isocalendar().year and r.start <= TODAY
