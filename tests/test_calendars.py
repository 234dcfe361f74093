"""Calendar years to Gregorian ranges and back: tables, refusals and properties."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.errors import CalendarError, FieldkitError
from fieldkit.markings.calendars import (
    CALENDARS,
    ERAS,
    YearSpan,
    from_gregorian,
    parse_year,
    plausibility_warnings,
    to_gregorian,
)

ONE_DAY = timedelta(days=1)


# --- tables -------------------------------------------------------------------------------


def test_juche_112_is_the_whole_of_2023():
    span = to_gregorian("juche", 112)
    assert (span.start, span.end) == (date(2023, 1, 1), date(2023, 12, 31))


def test_juche_1_and_minguo_1_are_1912():
    assert to_gregorian("juche", 1).start == date(1912, 1, 1)
    assert to_gregorian("minguo", 1).start == date(1912, 1, 1)
    assert to_gregorian("minguo", 112).end == date(2023, 12, 31)


def test_era_start_dates():
    assert ERAS == {
        "meiji": date(1868, 10, 23),
        "taisho": date(1912, 7, 30),
        "showa": date(1926, 12, 25),
        "heisei": date(1989, 1, 8),
        "reiwa": date(2019, 5, 1),
    }


@pytest.mark.parametrize(
    ("era", "year", "start", "end"),
    [
        ("reiwa", 1, date(2019, 5, 1), date(2019, 12, 31)),
        ("reiwa", 5, date(2023, 1, 1), date(2023, 12, 31)),
        ("heisei", 31, date(2019, 1, 1), date(2019, 4, 30)),
        ("heisei", 1, date(1989, 1, 8), date(1989, 12, 31)),
        ("showa", 64, date(1989, 1, 1), date(1989, 1, 7)),
        ("showa", 1, date(1926, 12, 25), date(1926, 12, 31)),
        ("taisho", 15, date(1926, 1, 1), date(1926, 12, 24)),
        ("taisho", 1, date(1912, 7, 30), date(1912, 12, 31)),
        ("meiji", 45, date(1912, 1, 1), date(1912, 7, 29)),
        ("meiji", 6, date(1873, 1, 1), date(1873, 12, 31)),
    ],
)
def test_japanese_era_years(era, year, start, end):
    span = to_gregorian("japanese", year, era)
    assert (span.start, span.end) == (start, end)


@pytest.mark.parametrize("era", ["Reiwa", "REIWA", "reiwa", "令和", " reiwa "])
def test_era_names_are_case_insensitive_and_accept_kanji(era):
    assert to_gregorian("japanese", 1, era).era == "reiwa"


def test_all_kanji_era_names():
    kanji = {"明治": "meiji", "大正": "taisho", "昭和": "showa", "平成": "heisei", "令和": "reiwa"}
    for name, era in kanji.items():
        assert to_gregorian("japanese", 10, name).era == era


# Nowruz (1 Farvardin) by year. Sources: 1391 -> 2012-03-20: Radio Zamaneh, "Norooz arrives
# on March 20" (2012; equinox 08:44 Tehran time); 1395 -> 2016-03-20: jalaali-js README
# (toJalaali(2016, 4, 11) == 1395/1/23); 1398 -> 2019-03-21: Iran Press, "Countdown to Nowruz
# 1398" (equinox 01:28 on 21 March); 1401 -> 2022-03-21: jalaali-js README (Intl fa-IR
# formats 2022-03-21 as 1401/1/1); 1402-1404: the dates given in the task brief
# (equinox 2025-03-20 12:31 Tehran time is after noon, so 1404 begins on the 21st).
@pytest.mark.parametrize(
    ("year", "nowruz"),
    [
        (1391, date(2012, 3, 20)),
        (1395, date(2016, 3, 20)),
        (1398, date(2019, 3, 21)),
        (1401, date(2022, 3, 21)),
        (1402, date(2023, 3, 21)),
        (1403, date(2024, 3, 20)),
        (1404, date(2025, 3, 21)),
    ],
)
def test_solar_hijri_year_starts_on_nowruz(year, nowruz):
    span = to_gregorian("solar-hijri", year)
    assert span.start == nowruz
    assert span.end == to_gregorian("solar-hijri", year + 1).start - ONE_DAY


def test_solar_hijri_1402_straddles_two_gregorian_years():
    span = to_gregorian("solar-hijri", 1402)
    assert (span.start, span.end) == (date(2023, 3, 21), date(2024, 3, 19))
    assert span.to_json() == {
        "calendar": "solar-hijri",
        "year": 1402,
        "gregorian_start": "2023-03-21",
        "gregorian_end": "2024-03-19",
    }


def test_thai_years_before_and_after_the_1941_new_year_change():
    assert to_gregorian("thai", 2566).start == date(2023, 1, 1)
    assert to_gregorian("thai", 2484).start == date(1941, 1, 1)
    # BE 2483 had only nine months; before it, years began on 1 April.
    assert (to_gregorian("thai", 2483).start, to_gregorian("thai", 2483).end) == (date(1940, 4, 1), date(1940, 12, 31))
    assert (to_gregorian("thai", 2482).start, to_gregorian("thai", 2482).end) == (date(1939, 4, 1), date(1940, 3, 31))


def test_to_json_has_era_only_for_japanese():
    assert to_gregorian("japanese", 1, "reiwa").to_json() == {
        "calendar": "japanese",
        "year": 1,
        "era": "reiwa",
        "gregorian_start": "2019-05-01",
        "gregorian_end": "2019-12-31",
    }
    assert "era" not in to_gregorian("juche", 112).to_json()


def test_year_may_be_given_as_text_and_calendar_by_alias():
    assert to_gregorian("Juche", "112") == to_gregorian("juche", 112)
    assert to_gregorian("persian", " 1402 ") == to_gregorian("solar-hijri", 1402)


# --- from Gregorian ------------------------------------------------------------------------


def test_from_gregorian_solar_hijri_gives_two_years():
    assert [s.year for s in from_gregorian("solar-hijri", 2023)] == [1401, 1402]


def test_from_gregorian_era_change_years_give_both_eras():
    assert [(s.era, s.year) for s in from_gregorian("japanese", 1989)] == [("showa", 64), ("heisei", 1)]
    assert [(s.era, s.year) for s in from_gregorian("japanese", 2019)] == [("heisei", 31), ("reiwa", 1)]
    assert [(s.era, s.year) for s in from_gregorian("japanese", 2023)] == [("reiwa", 5)]


def test_from_gregorian_simple_offsets():
    assert [s.year for s in from_gregorian("juche", 2023)] == [112]
    assert [s.year for s in from_gregorian("minguo", "2024")] == [113]
    assert [s.year for s in from_gregorian("thai", 2023)] == [2566]
    assert [s.year for s in from_gregorian("thai", 1930)] == [2472, 2473]


def test_from_gregorian_refuses_years_the_calendar_does_not_have():
    with pytest.raises(CalendarError, match="Juche"):
        from_gregorian("juche", 1900)
    with pytest.raises(CalendarError, match="lunisolar"):
        from_gregorian("japanese", 1870)
    with pytest.raises(CalendarError, match="1178"):
        from_gregorian("solar-hijri", 1700)


# --- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "year", "era", "words"),
    [
        ("juche", 0, None, ["Juche year 0 does not exist", "start at 1", "1912"]),
        ("juche", -5, None, ["Juche year -5 does not exist"]),
        ("minguo", 0, None, ["Minguo year 0 does not exist"]),
        ("japanese", 0, "reiwa", ["Reiwa year 0 does not exist"]),
        ("japanese", 32, "heisei", ["Heisei 32 does not exist", "31"]),
        ("japanese", 65, "showa", ["Showa 65 does not exist"]),
        ("japanese", 3, "meiji", ["Meiji 3", "lunisolar", "Meiji 6"]),
        ("juche", "abc", None, ["'abc'", "not a whole number"]),
        ("juche", "", None, ["empty"]),
        ("juche", "10^30", None, ["'10^30'", "not a whole number"]),
        ("juche", "1e3", None, ["'1e3'", "not a whole number"]),
        ("juche", "12.5", None, ["not a whole number"]),
        ("juche", 112.0, None, ["not a whole number"]),
        ("juche", "1" * 40, None, ["too large", "4 digits"]),
        ("juche", "¹¹²", None, ["not decimal digits"]),  # superscripts; other scripts' digits are read (test_unicode_digits)
        ("solar-hijri", 1634, None, ["1178 to 1633"]),
        ("solar-hijri", 1000, None, ["1178 to 1633"]),
        ("thai", 2400, None, ["2455"]),
        ("japanese", 5, None, ["need an era"]),
        ("japanese", 5, "edo", ["unknown Japanese era 'edo'", "reiwa"]),
        ("juche", 5, "reiwa", ["only applies to Japanese"]),
    ],
)
def test_impossible_years_are_refused_with_a_clear_message(calendar, year, era, words):
    with pytest.raises(CalendarError) as caught:
        to_gregorian(calendar, year, era)
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_unknown_calendar_lists_the_valid_ones():
    with pytest.raises(CalendarError) as caught:
        to_gregorian("hebrew", 5784)
    for name in CALENDARS:
        assert name in str(caught.value)


def test_calendar_errors_are_fieldkit_errors():
    with pytest.raises(FieldkitError):
        to_gregorian("juche", 0)


def test_parse_year_is_strict():
    assert parse_year("112") == 112
    assert parse_year(" 0112 ") == 112
    assert parse_year("-5") == -5
    assert parse_year("１１２") == 112  # full-width digits are digits (issue 14 point 21)
    for bad in ["abc", "", "1e3", "10^30", "0x10", "1 2", "¹¹²", "1" * 40]:
        with pytest.raises(CalendarError):
            parse_year(bad)


# --- plausibility --------------------------------------------------------------------


def test_juche_years_before_1997_draw_a_warning():
    warnings = plausibility_warnings(to_gregorian("juche", 50), today=date(2025, 1, 1))
    assert len(warnings) == 1 and "1997" in warnings[0]
    assert plausibility_warnings(to_gregorian("juche", 112), today=date(2025, 1, 1)) == []


def test_future_years_draw_a_warning():
    warnings = plausibility_warnings(to_gregorian("juche", 120), today=date(2025, 1, 1))
    assert any("after today" in w for w in warnings)


def test_pre_1925_solar_hijri_and_pre_1941_thai_draw_warnings():
    assert any("1925" in w for w in plausibility_warnings(to_gregorian("solar-hijri", 1250), date(2025, 1, 1)))
    assert any("1 April" in w for w in plausibility_warnings(to_gregorian("thai", 2470), date(2025, 1, 1)))


# --- properties ----------------------------------------------------------------------

JAPANESE_YEARS = {"meiji": (6, 45), "taisho": (1, 15), "showa": (1, 64), "heisei": (1, 31), "reiwa": (1, 9999 - 2018)}
SIMPLE_YEARS = {
    "gregorian": (1, 9999),
    "juche": (1, 9999 - 1911),
    "minguo": (1, 9999 - 1911),
    "thai": (2455, 9999),
    "solar-hijri": (1178, 1633),
}


def valid_years():
    """(calendar, year, era) for any year the calendar converts."""
    simple = st.sampled_from(sorted(SIMPLE_YEARS)).flatmap(
        lambda cal: st.tuples(st.just(cal), st.integers(*SIMPLE_YEARS[cal]), st.none())
    )
    japanese = st.sampled_from(sorted(JAPANESE_YEARS)).flatmap(
        lambda era: st.tuples(st.just("japanese"), st.integers(*JAPANESE_YEARS[era]), st.just(era))
    )
    return st.one_of(simple, japanese)


def next_year(calendar, year, era):
    """The calendar year that follows, or None at the end of the range."""
    if calendar == "japanese":
        eras = list(JAPANESE_YEARS)
        if year < JAPANESE_YEARS[era][1]:
            return (calendar, year + 1, era)
        i = eras.index(era)
        return (calendar, 1, eras[i + 1]) if i + 1 < len(eras) else None
    return (calendar, year + 1, None) if year < SIMPLE_YEARS[calendar][1] else None


@settings(max_examples=300)
@given(valid_years())
def test_round_trip_through_gregorian(case):
    span = to_gregorian(*case)
    assert isinstance(span, YearSpan)
    assert span.start <= span.end
    for gregorian_year in {span.start.year, span.end.year}:
        assert span in from_gregorian(span.calendar, gregorian_year)


@settings(max_examples=300)
@given(valid_years())
def test_consecutive_years_are_contiguous_and_never_overlap(case):
    following = next_year(*case)
    if following is None:
        return
    span, after = to_gregorian(*case), to_gregorian(*following)
    assert span.end + ONE_DAY == after.start


def test_consecutive_years_are_contiguous_across_every_japanese_era_boundary():
    eras = list(JAPANESE_YEARS)
    for era, following in zip(eras, eras[1:]):
        last = to_gregorian("japanese", JAPANESE_YEARS[era][1], era)
        first = to_gregorian("japanese", 1, following)
        assert last.end + ONE_DAY == first.start == ERAS[following]


# Gregorian years that each calendar covers from 1 January to 31 December.
COVERED = {"gregorian": (1, 9999), "juche": (1912, 9999), "minguo": (1912, 9999), "thai": (1913, 9999 - 543),
           "solar-hijri": (1800, 2254), "japanese": (1873, 9999)}


@given(st.sampled_from(sorted(COVERED)).flatmap(lambda c: st.tuples(st.just(c), st.integers(*COVERED[c]))))
def test_from_gregorian_covers_the_whole_gregorian_year_without_gaps(case):
    calendar, gregorian_year = case
    spans = from_gregorian(calendar, gregorian_year)
    assert spans[0].start <= date(gregorian_year, 1, 1)
    assert spans[-1].end >= date(gregorian_year, 12, 31)
    for before, after in zip(spans, spans[1:]):
        assert before.end + ONE_DAY == after.start
