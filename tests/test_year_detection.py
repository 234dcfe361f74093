"""Year candidates in marking text: explicit prefixes first, bare numbers never silently."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from fieldkit.markings.years import YearReading, find_years

TODAY = date(2025, 6, 1)


def years(text):
    return find_years(text, today=TODAY)


def test_explicit_juche_prefix_is_the_top_reading():
    for text in ["주체112", "주체 112년", "주체112년"]:
        top = years(text)[0]
        assert (top.calendar, top.year, top.gregorian_start, top.gregorian_end) == (
            "juche", 112, date(2023, 1, 1), date(2023, 12, 31))
        assert "explicit" in top.basis and "주체" in top.basis
        assert top.score >= 0.9


def test_describe_names_the_reading_and_its_basis():
    assert years("주체112")[0].describe() == "주체112: Juche 112 = 2023 (explicit 주체 prefix)"


def test_ocr_misreads_of_juche_are_read_with_a_lower_score():
    exact = years("주체112")[0]
    for misread in ["주제", "주채"]:
        top = years(f"{misread}112")[0]
        assert (top.calendar, top.year) == ("juche", 112)
        assert misread in top.basis and "misread" in top.basis
        assert top.score < exact.score


def test_a_bare_three_digit_number_is_never_a_single_silent_reading():
    readings = years("112")
    assert len(readings) > 1
    assert {(r.calendar, r.year) for r in readings} == {("juche", 112), ("minguo", 112)}
    for r in readings:
        assert r.gregorian_start == date(2023, 1, 1)
        assert "bare number" in r.basis and "code" in r.basis and "plant designation" in r.basis
        assert r.score < years("주체112")[0].score


def test_a_bare_four_digit_year_is_gregorian():
    readings = years("2023")
    assert [(r.calendar, r.year) for r in readings] == [("gregorian", 2023)]
    assert "bare number" in readings[0].basis


def test_bare_numbers_in_the_future_are_not_offered():
    assert years("118") == []  # Juche/Minguo 118 = 2029
    assert years("2031") == []


def test_explicit_future_years_are_kept_but_flagged():
    top = years("주체120")[0]
    assert top.year == 120 and "future" in top.basis and top.score <= 0.1


def test_two_digit_year_in_lot_year_position():
    readings = years("4-23")
    assert readings[0].year == 2023 and readings[0].calendar == "gregorian"
    assert "lot–year position" in readings[0].basis
    # 1923 is possible too, and ranked below 2023.
    assert [r.year for r in readings] == [2023, 1923]
    assert (readings[0].start, readings[0].end) == (2, 4)


def test_two_digit_year_in_lot_year_factory_position():
    readings = years("12-87-270")
    assert [r.year for r in readings] == [1987]
    assert "lot–year–factory" in readings[0].basis
    assert readings[0].text == "87"


def test_lot_with_two_two_digit_numbers_offers_both_positions():
    readings = years("LOT 23-05")
    assert readings[0].year == 2023
    assert {2023, 2005} <= {r.year for r in readings}


def test_mixed_cyrillic_and_latin_does_not_break_detection():
    # "9М22У" with Cyrillic М and У: the 22 inside the designation is not a year.
    readings = years("9М22У 4-23")
    assert readings[0].year == 2023
    assert all(r.text != "22" for r in readings)
    assert years("9M22U 4-23")[0].year == 2023  # the same with Latin letters


def test_japanese_era_markings():
    top = years("令和5年")[0]
    assert (top.calendar, top.era, top.year, top.gregorian_start) == ("japanese", "reiwa", 5, date(2023, 1, 1))
    top = years("平成31年")[0]
    assert (top.era, top.year, top.gregorian_end) == ("heisei", 31, date(2019, 4, 30))
    assert years("平成元年")[0].year == 1


def test_minguo_markings_in_traditional_and_simplified_characters():
    for text in ["民國112年", "民国112年", "中華民國 112 年"]:
        top = years(text)[0]
        assert (top.calendar, top.year, top.gregorian_start) == ("minguo", 112, date(2023, 1, 1))
        assert "explicit" in top.basis


def test_persian_digits_are_read_as_solar_hijri():
    top = years("ساخت ۱۴۰۲")[0]
    assert (top.calendar, top.year) == ("solar-hijri", 1402)
    assert (top.gregorian_start, top.gregorian_end) == (date(2023, 3, 21), date(2024, 3, 19))
    assert top.text == "۱۴۰۲"


def test_a_bare_1402_in_ascii_digits_is_not_invented_into_a_year():
    assert years("1402") == []


def test_thai_buddhist_era_prefix():
    top = years("พ.ศ. 2566")[0]
    assert (top.calendar, top.year, top.gregorian_start) == ("thai", 2566, date(2023, 1, 1))


def test_readings_are_ranked_best_first():
    readings = years("주체112 4-23 2019")
    scores = [r.score for r in readings]
    assert scores == sorted(scores, reverse=True)
    assert readings[0].calendar == "juche"


def test_text_without_years():
    assert years("") == []
    assert years("9М22У ОФ") == []


@given(st.text(alphabet=st.sampled_from(list("0123456789-- 주체年民國令和МУOX۱۴۰۲")), max_size=30))
def test_offsets_point_at_the_text_as_read(text):
    for r in find_years(text, today=TODAY):
        assert isinstance(r, YearReading)
        assert text[r.start:r.end] == r.text
        assert 0.0 <= r.score <= 1.0
        assert r.gregorian_start <= r.gregorian_end
