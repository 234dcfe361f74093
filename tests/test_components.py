"""Components of an item: added, edited, deleted and listed through the audit log, dated by their codes."""

from __future__ import annotations

import hashlib
import json

import pytest

from component_fixtures import fixture_index
from fieldkit.catalog import audit, items
from fieldkit.catalog import components as comp
from fieldkit.errors import CatalogError, NotFound, ValidationError

INDEX = fixture_index()


@pytest.fixture
def item(catalog):
    return items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})


def test_add_stores_the_attribution_and_the_period_of_the_date_code(catalog, item):
    saved = comp.add_component(catalog, "KHK-0001", {"part_number": "ADXL345", "date_code": "2310", "quantity": 2}, index=INDEX)
    row = saved.row
    assert (row["manufacturer"], row["country"], row["quantity"]) == ("Analog Devices", "US", 2)
    assert (row["date_start"], row["date_end"]) == ("2023-03-06", "2023-03-12")
    assert row["attributed_by"] == "reference" and row["firm_id"] == "analog-devices"
    assert comp.lookup_texts(catalog, row)["reference_version"] == "test-fixture"
    assert row["date_form"] == "YYWW" and row["candidates"] is None
    assert "attribution_json" not in row


def test_entered_values_are_recorded_as_entered(catalog, item):
    row = comp.add_component(catalog, "KHK-0001", {"part_number": "X", "manufacturer": "TI", "country": "us"}, index=INDEX).row
    assert (row["entered_manufacturer"], row["entered_country"]) == ("TI", "US")
    assert row["attributed_by"] == "researcher" and "entered by researcher" in comp.lookup_texts(catalog, row)["basis"]
    assert row["manufacturer"] == "Texas Instruments"


def test_an_ambiguous_date_code_spans_every_reading_and_keeps_them_all(catalog, item):
    row = comp.add_component(catalog, "KHK-0001", {"part_number": "X", "date_code": "310"}, index=INDEX).row
    readings = comp.date_readings(row)
    assert len(readings) > 1 and row["date_form"] == "YWW"
    assert row["date_start"] == min(r.start for r in readings).isoformat()
    assert row["date_end"] == max(r.end for r in readings).isoformat()


def test_the_table_version_and_the_basis_are_stored_once_and_rows_refer_to_them(catalog, item):
    for _ in range(3):
        comp.add_component(catalog, "KHK-0001", {"part_number": "ADXL345"}, index=INDEX)
    # each id is the first 16 hex digits of the SHA-256 of its text: the same in every catalog
    version_id = hashlib.sha256(b"test-fixture").hexdigest()[:16]
    assert catalog.db.execute("SELECT id, version FROM reference_versions").fetchall() == [(version_id, "test-fixture")]
    ((basis_id, basis),) = catalog.db.execute("SELECT id, basis FROM attribution_bases").fetchall()
    assert basis.startswith("prefix ADXL") and basis_id == hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]
    assert {(r["reference_version_id"], r["basis_id"]) for r in catalog.db["components"].rows} == {(version_id, basis_id)}
    # the lookup rows are audited like any other, so an edit to them is caught
    assert audit.check_state(catalog.db) == []
    catalog.db.execute("UPDATE attribution_bases SET basis = 'prefix ADXL → Acme (US)'")
    assert [p.table_name for p in audit.check_state(catalog.db)] == ["attribution_bases"]


def test_a_lookup_row_whose_text_was_altered_is_not_reused(catalog, item):
    saved = comp.add_component(catalog, "KHK-0001", {"part_number": "ADXL345"}, index=INDEX)
    catalog.db.execute("UPDATE attribution_bases SET basis = 'prefix ADXL → Acme (US)' WHERE id = ?", [saved.row["basis_id"]])
    with pytest.raises(CatalogError, match=r"attribution_bases row \w+ does not hold the text its id is the hash of \(altered\)"):
        comp.add_component(catalog, "KHK-0001", {"part_number": "ADXL345"}, index=INDEX)
    assert comp.count_components(catalog, "KHK-0001") == 1


@pytest.mark.parametrize("code", ["GH29Q", "2310A", "23W10", "2360"])
def test_a_date_code_fieldkit_cannot_read_is_stored_as_printed_flagged_and_left_undated(catalog, item, code):
    saved = comp.add_component(catalog, "KHK-0001", {"part_number": "ADXL345", "date_code": code}, index=INDEX)
    assert saved.row["date_code"] == code and saved.row["date_form"] == comp.NOT_READ
    assert saved.row["date_start"] is None and saved.row["date_end"] is None
    assert "not read as a date" in saved.describe()
    view = comp.list_components(catalog, "KHK-0001")[0]["attribution"]
    assert view["date_code"] == {"code": code, "form": comp.NOT_READ, "read": False, "readings": []}


def test_candidates_are_stored_only_when_there_are_several(catalog, item):
    one = comp.add_component(catalog, "KHK-0001", {"part_number": "ADXL345"}, index=INDEX).row
    several = comp.add_component(catalog, "KHK-0001", {"part_number": "X", "manufacturer": "Samsung"}, index=INDEX)
    assert one["candidates"] is None
    stored = json.loads(several.row["candidates"])
    assert {c["firm_id"] for c in stored} == {"samsung-electronics", "samsung-electro-mechanics"}
    assert several.row["attributed_by"] == "researcher" and several.row["manufacturer"] == "Samsung"


def test_every_change_is_audited_and_the_chain_holds(catalog, item):
    saved = comp.add_component(catalog, "KHK-0001", {"part_number": "ADXL345"}, index=INDEX)
    comp.update_component(catalog, saved.row["id"], {"manufacturer": "Maxim", "date_code": "2201"}, index=INDEX)
    comp.delete_component(catalog, saved.row["id"])
    actions = [r[0] for r in catalog.db.execute("SELECT action FROM audit WHERE table_name = 'components' ORDER BY seq")]
    assert actions == ["insert", "update", "delete"]
    assert audit.check_chain(catalog.db) == [] and audit.check_state(catalog.db) == []


def test_update_reattributes_from_the_values_as_entered(catalog, item):
    saved = comp.add_component(catalog, "KHK-0001", {"part_number": "P1", "manufacturer": "TI"}, index=INDEX)
    updated = comp.update_component(catalog, saved.row["id"], {"quantity": 5}, index=INDEX)
    assert updated.row["quantity"] == 5
    assert updated.row["entered_manufacturer"] == "TI"
    moved = comp.update_component(catalog, saved.row["id"], {"manufacturer": None, "part_number": "ATmega8"}, index=INDEX)
    assert moved.row["manufacturer"] == "Microchip Technology"


def test_list_gives_the_items_components_oldest_first_with_attribution(catalog, item):
    for part in ("ADXL345", "ATmega328P"):
        comp.add_component(catalog, "KHK-0001", {"part_number": part}, index=INDEX)
    rows = comp.list_components(catalog, "KHK-0001")
    assert [r["part_number"] for r in rows] == ["ADXL345", "ATmega328P"]
    assert "formerly Atmel" in rows[1]["attribution"]["basis"]
    assert rows[1]["attribution"]["candidates"] == []  # one firm: no candidates stored
    assert comp.count_components(catalog, "KHK-0001") == 2


@pytest.mark.parametrize(
    "data, column",
    [
        ({"part_number": " "}, "part_number"),
        ({"part_number": "X", "country": "Germany"}, "country"),
        ({"part_number": "X", "country": "ZZ"}, "country"),
        ({"part_number": "X", "quantity": "0"}, "quantity"),
        ({"part_number": "X", "quantity": "two"}, "quantity"),
    ],
)
def test_bad_values_are_refused_naming_the_field(catalog, item, data, column):
    with pytest.raises(comp.ComponentFieldError) as info:
        comp.add_component(catalog, "KHK-0001", data, index=INDEX)
    assert info.value.column == column
    assert comp.count_components(catalog) == 0


def test_unknown_fields_and_items_are_refused(catalog, item):
    with pytest.raises(ValidationError, match="unknown component field"):
        comp.add_component(catalog, "KHK-0001", {"part_number": "X", "colour": "red"}, index=INDEX)
    with pytest.raises(NotFound):
        comp.add_component(catalog, "NOPE-1", {"part_number": "X"}, index=INDEX)
    with pytest.raises(NotFound):
        comp.delete_component(catalog, "no-such-id")


def test_deleting_the_item_deletes_its_components(catalog, item):
    comp.add_component(catalog, "KHK-0001", {"part_number": "X"}, index=INDEX)
    items.delete_item(catalog, "KHK-0001")
    assert comp.count_components(catalog) == 0
    assert audit.check_state(catalog.db) == []
