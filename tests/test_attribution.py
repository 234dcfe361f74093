"""Attribution: a part number, a printed brand, or both -> firm and HQ country, with the basis."""

from __future__ import annotations

import pytest

from component_fixtures import fixture_index
from fieldkit.components.attribution import attribute, name_key
from fieldkit.errors import ValidationError

INDEX = fixture_index()


def test_a_part_number_alone_is_attributed_by_its_prefix_with_the_basis():
    result = attribute("ADXL345BCCZ", index=INDEX)
    assert (result.manufacturer, result.country, result.firm_id) == ("Analog Devices", "US", "analog-devices")
    assert result.source == "reference"
    assert result.basis == "prefix ADXL → Analog Devices (US), manufacturers.csv row analog-devices"


def test_a_brand_that_changed_hands_shows_the_former_owner_and_year():
    assert attribute("ATmega328P", index=INDEX).headline() == (
        "ATmega328P: Microchip Technology (US), formerly Atmel (until 2016)"
    )
    max232 = attribute("MAX232", index=INDEX)
    assert max232.headline() == "MAX232: Analog Devices (US), formerly Maxim Integrated (until 2021)"
    assert "prefix MAX" in max232.basis


@pytest.mark.parametrize("printed", ["TI", "Texas Instruments", "TEXAS INSTR.", "texas  instruments inc.", "Texas-Instruments"])
def test_printed_forms_of_texas_instruments_fold_to_one_firm(printed):
    result = attribute("SN74HC595", printed, index=INDEX)
    assert (result.firm_id, result.manufacturer, result.country) == ("texas-instruments", "Texas Instruments", "US")


@pytest.mark.parametrize("printed", ["ON Semiconductor", "onsemi", "ON Semi", "ON SEMICONDUCTOR", "On-Semi"])
def test_on_semiconductor_and_onsemi_are_one_firm(printed):
    assert attribute("MC7805", printed, index=INDEX).firm_id == "onsemi"


def test_cyrillic_lookalikes_in_a_brand_are_read_as_latin():
    assert attribute("X", "ТI", index=INDEX).firm_id == "texas-instruments"  # Cyrillic Т


def test_a_former_name_as_printed_attributes_to_todays_owner():
    result = attribute("X1", "ATMEL", index=INDEX)
    assert result.firm_id == "microchip"
    assert result.headline() == "X1: Microchip Technology (US), formerly Atmel (until 2016)"


def test_an_ambiguous_brand_gives_every_candidate_and_attributes_none():
    result = attribute("CL10B104", "Samsung", index=INDEX)
    assert result.ambiguous and result.firm_id is None
    assert {c.firm_id for c in result.candidates} == {"samsung-electronics", "samsung-electro-mechanics"}
    assert result.manufacturer == "Samsung"  # kept as entered
    assert result.country == "KR"  # every candidate is in KR
    assert "may be any of" in result.basis


def test_an_ambiguous_prefix_gives_every_candidate():
    result = attribute("K4B2G1646", index=INDEX)
    assert result.ambiguous and result.manufacturer is None and result.country is None
    assert {c.firm_id for c in result.candidates} == {"samsung-electronics", "other-k4"}
    assert result.basis.startswith("ambiguous: prefix K4")


def test_the_part_number_settles_an_ambiguous_brand():
    result = attribute("K4B2G1646", "Samsung", index=INDEX)
    assert result.firm_id == "samsung-electronics"


def test_an_entered_manufacturer_wins_over_the_prefix_and_the_disagreement_is_noted():
    result = attribute("MAX3232", "TI", index=INDEX)
    assert result.firm_id == "texas-instruments"
    assert result.source == "researcher"
    assert "entered by researcher" in result.basis
    assert any("prefix MAX" in note and "Analog Devices" in note for note in result.notes)


def test_an_entered_country_wins_over_the_table():
    result = attribute("ADXL345", country="de", index=INDEX)
    assert (result.firm_id, result.country) == ("analog-devices", "DE")
    assert "country entered by researcher" in result.basis
    assert result.to_json()["entered"] == {"manufacturer": None, "country": "DE"}
    assert any("gives US" in note for note in result.notes)


def test_an_unknown_brand_is_kept_as_entered():
    result = attribute("Q1", "Acme Widgets", "US", index=INDEX)
    assert (result.manufacturer, result.country, result.firm_id) == ("Acme Widgets", "US", None)
    assert "not in manufacturers.csv, kept as entered" in result.basis


def test_nothing_known_is_not_attributed():
    result = attribute("LM317", index=INDEX)
    assert (result.manufacturer, result.country, result.source) == (None, None, "none")


def test_a_country_that_is_not_alpha_2_is_refused_with_the_code_to_use():
    with pytest.raises(ValidationError, match="use DE"):
        attribute("X", "Infineon", "Germany", index=INDEX)
    with pytest.raises(ValidationError, match="ISO 3166-1 alpha-2"):
        attribute("X", None, "XX", index=INDEX)


def test_name_keys_ignore_case_spacing_punctuation_and_company_forms():
    assert name_key("Alpha & Omega Inc.") == name_key("alpha and omega")
    assert name_key("u-blox AG") == name_key("UBLOX")


def test_the_shipped_table_folds_the_brands_of_the_kharkiv_report():
    """Against reference/manufacturers.csv as shipped: the common printed forms resolve."""
    for printed, firm in [("TI", "texas-instruments"), ("Texas Instruments", "texas-instruments"),
                          ("TEXAS INSTR.", "texas-instruments"), ("ON Semiconductor", "onsemi"), ("onsemi", "onsemi")]:
        assert attribute("X", printed).firm_id == firm, printed
    assert attribute("MAX4684").headline() == "MAX4684: Analog Devices (US), formerly Maxim Integrated (until 2021)"
    # MAX232 is also TI's: the shipped part_families.csv makes it a multi-source number (tests/test_part_families.py)
    assert {c.firm_id for c in attribute("MAX232").candidates} == {"analog-devices", "texas-instruments"}
