"""Military and screened part numbers (issue 13): each form is recognised, its fields shown with the
document that defines them, and attribution stays honest: a drawing or slash-sheet number names no
maker, a JAN quality level is stripped and the JEDEC number behind it attributed as it is alone, a
/883 suffix is read as screening, and TI's own military prefixes name TI."""

from __future__ import annotations

import pytest

from fieldkit.components.attribution import attribute
from fieldkit.components.military import JAN_SEMI_SOURCE, MAX_LENGTH, read_military

# --- DLA Standard Microcircuit Drawings -------------------------------------------------------------


def test_an_smd_number_is_read_field_by_field_and_names_no_maker():
    result = attribute("5962-8771601PA")
    assert (result.firm_id, result.manufacturer, result.country, result.candidates) == (None, None, None, ())
    assert result.headline() == "5962-8771601PA: not attributed"
    assert result.basis.startswith("DLA Standard Microcircuit Drawing 5962-87716: no RHA designator, device type 01, "
                                   "no device class letter, case outline P, lead finish A (DLA Land and Maritime SMD "
                                   "5962-94680 rev. F, 1.2")
    assert "names the drawing, not a maker" in result.basis and "QML-38535 and MIL-HDBK-103" in result.basis
    assert result.basis.endswith("enter the brand printed on the part to decide")


def test_the_newer_smd_form_shows_its_radiation_letter_and_device_class():
    reading = read_military("5962R9679801VXC")
    assert reading.summary == ("DLA Standard Microcircuit Drawing 5962-96798: RHA designator R (100 krad(Si) total ionizing "
                               "dose, MIL-PRF-38535K 3.4.3), device type 01, class V (qualified to MIL-PRF-38535, space "
                               "application), case outline X, lead finish C")
    assert reading.inner is None


def test_an_rha_letter_the_specification_does_not_list_is_shown_as_printed():
    assert "RHA designator Z (not a level MIL-PRF-38535K 3.4.3 lists)" in read_military("5962Z9679801VXC").summary


@pytest.mark.parametrize("printed, klass", [("5962-9851701QEA", "class Q"), ("5962-9468001M2A", "class M"),
                                            ("5962-38267 07 MXA", "class M")])
def test_class_letters_m_q_and_v_are_named_and_spaces_in_the_marking_are_ignored(printed, klass):
    assert f", {klass} (" in read_military(printed).summary


def test_an_smd_marked_without_5962_is_read_only_with_its_class_letter():
    assert "marked without '5962-'" in attribute("9468001M2A").basis
    assert "Standard Microcircuit Drawing" not in attribute("8771601PA").basis  # no class letter: not read


def test_a_number_without_5962_is_not_read_as_an_smd_when_its_first_letter_is_no_rha_level():
    # with neither 5962 nor a listed RHA letter, nothing but the shape says the number is a drawing's
    assert read_military("A1234567VQB", bare_smd=True) is None
    assert "Standard Microcircuit Drawing" not in attribute("A1234567VQB").basis
    assert "RHA designator R (100 krad(Si)" in read_military("R9679801VXC", bare_smd=True).summary


@pytest.mark.parametrize("part", ["ATMEGA328P", "STM32F103C8", "1N4148W-7-F", "74HC595D118", "1234567M2AB"])
def test_ordinary_ten_and_eleven_character_numbers_are_not_read_as_smds_without_5962(part):
    assert read_military(part, bare_smd=True) is None


def test_the_brand_printed_on_an_smd_part_decides_and_the_drawing_is_noted():
    result = attribute("5962-9851701QEA", "TI")
    assert result.firm_id == "texas-instruments" and result.source == "researcher"
    assert any(note.startswith("DLA Standard Microcircuit Drawing 5962-98517") for note in result.notes)


# --- MIL-M-38510 JAN microcircuits ---------------------------------------------------------------------


@pytest.mark.parametrize("printed, sheet", [("M38510/10101BCA", "101"), ("JM38510/11302BCA", "113")])
def test_a_jan_slash_sheet_number_shows_its_fields_as_printed_and_names_no_maker(printed, sheet):
    result = attribute(printed)
    assert result.firm_id is None and result.candidates == ()
    assert "MIL-M-38510 microcircuit" in result.basis and f"slash sheet {sheet}, then" in result.basis
    assert "the standard's own text was not read" in result.basis
    assert "names the specification, not a maker" in result.basis


# --- MIL-PRF-19500 quality levels -----------------------------------------------------------------------


@pytest.mark.parametrize("level", ["JAN", "JANTX", "JANTXV", "JANS"])
def test_a_quality_level_is_stripped_and_the_jedec_number_keeps_its_candidates(level):
    result = attribute(f"{level}2N2222A")
    plain = attribute("2N2222A")
    assert result.firm_id is None and result.ambiguous
    assert {c.firm_id for c in result.candidates} == {c.firm_id for c in plain.candidates}
    assert result.basis.startswith(f"MIL-PRF-19500 quality level {level}, JEDEC number 2N2222A (MIL-PRF-19500/379K")
    assert result.basis.endswith(plain.basis)


def test_a_jedec_number_with_no_family_stays_unattributed_behind_its_quality_level():
    result = attribute("JANTXV1N5811")
    assert result.headline() == "JANTXV1N5811: not attributed"
    assert result.basis.endswith("no family in part_families.csv or manufacturers.csv begins 1N5811")


def test_a_quality_level_written_with_a_hyphen_is_read_too():
    assert read_military("JANTX-2N2907A").inner == "2N2907A"


@pytest.mark.parametrize("printed", ["JANTX2N2222A 2310", "JAN1N4148 LOT5", "JANTX2N2222A\n5962", "JANTXV 1N 5811"])
def test_text_after_a_space_is_never_glued_onto_the_jedec_number(printed):
    # a date code or lot typed after the number is not part of it: no JEDEC number 2N2222A2310 is read
    result = attribute(printed)
    assert result.military.inner is None and result.military.problem
    assert "a space breaks the number after the quality level" in result.basis
    assert result.candidates == () and result.firm_id is None


@pytest.mark.parametrize("printed, number", [("JANTXV1N4148-1", "1N4148-1"), ("JANS2N2222AUB", "2N2222AUB")])
def test_the_jedec_number_keeps_its_suffixes(printed, number):
    result = attribute(printed)
    assert result.military.inner == number
    assert result.ambiguous and {c.firm_id for c in result.candidates} == {c.firm_id for c in attribute(number).candidates}


# --- MIL-STD-883 screened numbers ------------------------------------------------------------------------


def test_an_883_suffix_is_read_as_screening_and_the_makers_number_attributed():
    result = attribute("AD620SQ/883B")
    assert result.firm_id == "analog-devices"
    assert result.basis.startswith("MIL-STD-883 screening suffix /883B, maker's number AD620SQ (")
    assert result.basis.endswith("prefix AD6 → Analog Devices (US), part_families.csv family AD6 of analog-devices")


@pytest.mark.parametrize("printed", ["TI LM124AJ/883", "LOT5 AD620SQ/883B", "AD620 SQ/883B"])
def test_text_before_a_space_is_never_glued_onto_the_makers_number(printed):
    # a brand or lot typed before the number is not part of it: no maker's number TILM124AJ is read,
    # and the text is attributed as typed, as it was before /883 was read
    result = attribute(printed)
    assert result.military is None and "maker's number" not in result.basis
    assert result.basis == attribute(printed.replace("/883", "/")).basis


def test_a_screened_number_and_a_quality_level_may_stand_apart_from_the_number():
    assert read_military("AD620SQ /883B").inner == "AD620SQ"
    assert read_military("JANTX 2N2222A").inner == "2N2222A"


def test_a_screened_number_whose_maker_is_unknown_stays_unattributed():
    result = attribute("LM124AJ/883")
    assert result.firm_id is None and result.candidates == ()
    assert "maker's number LM124AJ" in result.basis


# --- TI's own military prefixes ---------------------------------------------------------------------------


@pytest.mark.parametrize("printed, family", [("SNJ54LS00J", "SNJ54"), ("SNV54LVC00AW", "SNV54"),
                                             ("SMJ320C40GFM50", "SMJ320"), ("SMQ320C32PCM50", "SMQ320"),
                                             ("SM320C31GFAM50", "SM320")])
def test_tis_military_prefixes_name_ti_from_tis_own_documents(printed, family):
    result = attribute(printed)
    assert result.firm_id == "texas-instruments"
    assert result.basis == f"prefix {family} → Texas Instruments (US), part_families.csv family {family} of texas-instruments"


# --- malformed and hostile text -----------------------------------------------------------------------------


@pytest.mark.parametrize("printed, expected", [
    ("5962-", "begins like a DLA Standard Microcircuit Drawing number (5962-) but is not one"),
    ("5962-XXXX", "begins like a DLA Standard Microcircuit Drawing number (5962-) but is not one"),
    ("5962R12", "begins like a DLA Standard Microcircuit Drawing number (5962-) but is not one"),
    ("M38510/", "begins like a MIL-M-38510 microcircuit number (M38510/) but is not one"),
    ("JANTX", "no JEDEC number (1N..., 2N...) follows it"),
    ("JANTXV-", "no JEDEC number (1N..., 2N...) follows it"),
    ("5962-" + "9" * 100_000, "is not a military part number (none is longer than 64)"),
])
def test_a_malformed_military_number_gives_one_honest_line_and_no_firm(printed, expected):
    result = attribute(printed)
    assert result.firm_id is None and result.candidates == ()
    assert expected in result.basis
    assert "\n" not in result.basis and len(result.basis) < 400


@pytest.mark.parametrize("printed, read_as", [
    ("\x1b[31m5962-8771601PA", None),  # the escape sequence comes first: not a military form at all
    ("5962-8771601PA\x1b]0;x\x07", "begins like a DLA Standard Microcircuit Drawing number (5962-) but is not one"),
    ("JANTX\x002N2222A", "begins like a MIL-PRF-19500 quality level (JANTX, JANTXV) but no JEDEC number"),
    ("JAN2N2222A" + "A" * 200, None),  # longer than any military form
    ("/883", None),
    ("X" * (MAX_LENGTH + 1) + "/883", None),
])
def test_escape_sequences_and_odd_text_never_reach_the_reading(printed, read_as):
    """Odd text is either not read as a military form or gets the one-line problem; no control character of
    the typed text reaches what is shown, and the attribution says nothing of a firm."""
    result = attribute(printed)
    if read_as is None:
        assert result.military is None
    else:
        assert result.military.describe().startswith(read_as)
        assert read_as in result.basis
        assert not any(ch < " " for ch in result.military.describe())
    assert result.firm_id is None and result.candidates == ()
    assert not any(ch < " " and ch != "\n" for ch in result.describe().split("\n", 1)[1])


def test_the_reading_is_stored_with_the_attribution():
    data = attribute("JANTX2N2222A").to_json()
    assert data["military"] == {"form": "MIL-PRF-19500", "reading": "MIL-PRF-19500 quality level JANTX, JEDEC number 2N2222A",
                                "source": JAN_SEMI_SOURCE, "number_read": "2N2222A"}
    assert JAN_SEMI_SOURCE.startswith("MIL-PRF-19500/379K 1.1")
    assert "military" not in attribute("2N2222A").to_json()


def test_ordinary_part_numbers_are_not_read_as_military_forms():
    for part in ("TPS62130", "LM358DR", "2N2222A", "ATmega328P-AU", "JANUS", "5962", "AT24C256C-SSHU/T"):
        assert read_military(part) is None, part


def test_a_too_long_text_names_the_form_it_began_like():
    assert read_military("5962-" + "9" * 100).form == "DLA SMD"
    assert read_military("M38510/" + "1" * 100).form == "MIL-M-38510"
