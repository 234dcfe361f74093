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


def test_formula_cells_are_neutralised_and_plain_numbers_are_not(catalog, tmp_path):
    items.add_item(catalog, {"category": "=HYPERLINK(\"http://x\")", "notes": "@SUM(A1)", "lat": -12.5, "lon": 3})
    export_catalog(catalog, tmp_path)
    row = read(tmp_path / "items.csv")[0]
    assert row["category"] == "'=HYPERLINK(\"http://x\")"
    assert row["notes"] == "'@SUM(A1)"
    assert row["lat"] == "-12.5"


@given(st.text())
def test_every_cell_round_trips(value):
    assert restore_cell(guard_cell(value)) == value


@given(st.text())
def test_no_guarded_cell_starts_like_a_formula_unless_it_is_a_plain_number(value):
    cell = guard_cell(value)
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        float(cell)  # only plain numbers are left unguarded
