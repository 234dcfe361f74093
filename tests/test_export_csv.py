"""CSV export: every table, spreadsheet-safe cells, and an exact round trip."""

from __future__ import annotations

import csv

from hypothesis import given
from hypothesis import strategies as st

from fieldkit.catalog import items
from fieldkit.export.csv import export_catalog, guard_cell, restore_cell


def read(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_export_writes_every_table_and_a_note_on_reading_them(catalog, tmp_path):
    items.add_item(catalog, {"category": "rocket", "designation": "9M22U", "place": "Харків"})
    result = export_catalog(catalog, tmp_path / "out")
    assert result.files == {"items.csv": 1, "photos.csv": 0, "markings.csv": 0, "components.csv": 0}
    rows = read(tmp_path / "out" / "items.csv")
    assert rows[0]["designation"] == "9M22U" and rows[0]["place"] == "Харків"
    assert "remove exactly one leading apostrophe" in (tmp_path / "out" / "README.txt").read_text()


def test_formula_cells_are_neutralised_and_numbers_are_not(catalog, tmp_path):
    items.add_item(catalog, {"category": "=HYPERLINK(\"http://x\")", "notes": "@SUM(A1)", "lat": -12.5, "lon": 3,
                             "designation": "-1 lot", "place": "'=already quoted"})
    export_catalog(catalog, tmp_path)
    row = read(tmp_path / "items.csv")[0]
    assert row["category"] == "'=HYPERLINK(\"http://x\")"
    assert row["notes"] == "'@SUM(A1)"
    assert row["designation"] == "'-1 lot"
    assert row["place"] == "''=already quoted"
    assert row["lat"] == "-12.5"
    assert {key: restore_cell(value) for key, value in row.items() if key in ("category", "designation", "place")} == {
        "category": "=HYPERLINK(\"http://x\")", "designation": "-1 lot", "place": "'=already quoted"}


@given(st.one_of(st.none(), st.text(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False)))
def test_the_guard_inside_sqlite_follows_the_same_rule_as_guard_cell(value):
    import sqlite3

    from fieldkit.export.csv import guard_sql

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (cell, number REAL)")
    conn.execute("INSERT INTO t VALUES (?, -12.5)", [value])
    cursor = conn.execute(f"SELECT {guard_sql('cell')}, {guard_sql('number')} FROM t")
    assert cursor.fetchone() == (guard_cell(value), -12.5)


def test_rows_of_other_tables_name_their_item_by_ref(catalog, tmp_path):
    from fieldkit.catalog import records
    from fieldkit.catalog.db import new_id, now

    item = items.add_item(catalog, {"category": "missile debris", "ref": "KHK-0001"})
    stamp = now()
    records.insert(catalog, "components", {"id": new_id(), "item_id": item["id"], "part_number": "=1+2",
                                           "quantity": 3, "created_at": stamp, "updated_at": stamp})
    records.insert(catalog, "markings", {"id": new_id(), "item_id": item["id"], "text": "112", "source": "manual",
                                         "created_at": stamp, "updated_at": stamp})
    export_catalog(catalog, tmp_path)
    component = read(tmp_path / "components.csv")[0]
    assert (component["item_ref"], component["part_number"], component["quantity"]) == ("KHK-0001", "'=1+2", "3")
    assert read(tmp_path / "markings.csv")[0]["item_ref"] == "KHK-0001"


@given(st.text())
def test_every_cell_round_trips(value):
    assert restore_cell(guard_cell(value)) == value


@given(st.text())
def test_no_text_cell_starts_like_a_formula(value):
    assert guard_cell(value)[:1] not in ("=", "+", "-", "@", "\t", "\r")
