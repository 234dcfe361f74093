"""CSV export: every table, spreadsheet-safe cells, and an exact round trip."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from fieldkit.catalog import items
from fieldkit.export.csv import export_catalog, guard_cell, restore_cell


def read(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_export_writes_every_table_and_a_note_on_reading_them(catalog, tmp_path):
    items.add_item(catalog, {"category": "rocket", "designation": "9M22U", "place": "Харків"})
    result = export_catalog(catalog, tmp_path / "out")
    assert result.files == {"items.csv": 1, "photos.csv": 0, "markings.csv": 0, "components.csv": 0, "photo_provenance.csv": 0}
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
    """For every value the SQL path writes: a row with a NUL in a text cell is written by csv_line in
    Python instead (SQLite's text functions stop at NUL), which the NUL tests below cover."""
    import sqlite3

    assume(not (isinstance(value, str) and "\x00" in value))

    from fieldkit.export.csv import guard_sql

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (cell, number REAL, counted INTEGER)")  # any value; -12.5; a number column
    conn.execute("INSERT INTO t VALUES (?, -12.5, ?)", [value, value])
    counted = conn.execute("SELECT counted FROM t").fetchone()[0]  # as stored, after the column's affinity
    cursor = conn.execute(f"SELECT {guard_sql('cell')}, {guard_sql('number')}, {guard_sql('counted')} FROM t")
    assert cursor.fetchone() == (guard_cell(value), -12.5, guard_cell(counted))


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


def test_text_cells_are_quoted_numbers_are_bare_and_a_missing_value_is_empty(catalog, tmp_path):
    item = items.add_item(catalog, {"category": "rocket", "ref": "KHK-0001", "lat": 49.98, "lon": 36.25})
    catalog.db["components"].insert({"id": "c1", "item_id": item["id"], "part_number": 'say "hi", twice\nthen stop',
                                     "quantity": 3, "created_at": "t", "updated_at": "t"})
    export_catalog(catalog, tmp_path)
    lines = (tmp_path / "components.csv").read_bytes().decode("utf-8").split("\r\n")
    assert lines[0].startswith("item_ref,id,item_id,part_number,")
    assert lines[1].startswith('"KHK-0001","c1","' + item["id"] + '","say ""hi"", twice\nthen stop","",')
    assert '","",3,"",' in lines[1]  # type "", quantity 3, firm ""
    assert lines[1].endswith(',"",,,,,"","t","t"')  # photo_id "", four crop numbers empty, notes "", times
    assert ',49.98,36.25,' in (tmp_path / "items.csv").read_text(encoding="utf-8")


def test_a_nul_character_inside_a_cell_is_exported_whole(catalog, tmp_path):
    """SQLite's format() stops at NUL; such a row is written in Python instead, nothing cut short."""
    item = items.add_item(catalog, {"category": "rocket", "ref": "KHK-0001"})
    catalog.db["components"].insert_all([
        {"id": "c1", "item_id": item["id"], "part_number": "AB\x00CD", "notes": "=1+1",
         "created_at": "t", "updated_at": "t"},
        {"id": "c2", "item_id": item["id"], "part_number": "plain", "created_at": "t", "updated_at": "t"},
    ])
    export_catalog(catalog, tmp_path)
    rows = read(tmp_path / "components.csv")
    assert [(r["part_number"], r["notes"]) for r in rows] == [("AB\x00CD", "'=1+1"), ("plain", "")]


CELL = st.one_of(st.none(), st.text(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(part=st.text(), notes=st.one_of(st.none(), st.text(), st.binary()),
       quantity=st.one_of(CELL, st.binary()).filter(lambda v: v is not None), crop_x=CELL)
@example(part="", notes=None, quantity="\r", crop_x=None)  # text in a number column, compared as text
@example(part="", notes=None, quantity="\x00", crop_x=None)  # NUL in a number column
@example(part="", notes=b"=HYPERLINK()", quantity=b"\xff=", crop_x=None)  # blobs: guarded, decoded
def test_sqlite_writes_each_line_exactly_as_csv_line_does_and_csv_reads_it_back(catalog, tmp_path, part, notes,
                                                                               quantity, crop_x):
    """The fast path (SQLite's format()) and the reference (csv_line in Python) write the same
    bytes for any row, and a CSV reader gets back every value, guarded, with numbers as Python
    writes them."""
    from fieldkit.export.csv import COMPONENT_COLUMNS, csv_line

    catalog.db.execute("DELETE FROM components")
    catalog.db.execute("DELETE FROM items")
    catalog.db["items"].insert({"id": "i1", "ref": "R-1", "category": "x", "created_at": "t", "updated_at": "t"})
    row = {"id": "c1", "item_id": "i1", "part_number": part, "notes": notes, "quantity": quantity,
           "crop_x": crop_x, "created_at": "t", "updated_at": "t"}
    catalog.db["components"].insert(row)
    own = [c for c, _ in COMPONENT_COLUMNS if c.isidentifier()]  # the table's columns, in the file's order
    values = dict(zip(own, catalog.db.execute(f"SELECT {', '.join(own)} FROM components").fetchone()))  # after affinity
    stored = [values.get(c) for c, _ in COMPONENT_COLUMNS]  # basis, table_version: no lookup rows, so empty
    columns = [header for _, header in COMPONENT_COLUMNS]
    types = {c.name: c.type for c in catalog.db["components"].columns}
    kinds = "t" + "".join("t" if types.get(c, "TEXT") == "TEXT" else "n" for c, _ in COMPONENT_COLUMNS)
    export_catalog(catalog, tmp_path)
    written = (tmp_path / "components.csv").read_bytes().decode("utf-8").split("\r\n", 1)[1]
    assert written == csv_line(kinds, "R-1", *stored) + "\r\n"
    with (tmp_path / "components.csv").open(newline="", encoding="utf-8") as fh:
        cells = list(csv.reader(fh))[1]

    def expected(value):
        if value is None:
            return ""
        if isinstance(value, bytes):  # a blob, which only another program could have stored
            value = value.decode("utf-8", "replace")
        return repr(value) if isinstance(value, (int, float)) else guard_cell(value)

    assert cells == ["R-1", *(expected(v) for v in stored)]
    assert restore_cell(dict(zip(columns, cells[1:]))["part_number"]) == part


HOSTILE = ['say "hi"', "a,b", "two\nlines", "cr\rhere", "=1+1", "+1", "-1", "@SUM(A1)", "\ttab", "\x1b[0m=X()",
           "nul\x00inside", "Харків 한국 →", "", None, "'=quoted", "\u200b=hidden", " lead"]
NUMBERS = [None, 0, -12, 1.5, 0.1 + 0.2, "7", "=2", b"\x01"]


def test_hostile_values_in_every_column_are_written_as_csv_line_writes_them(catalog, tmp_path):
    """Each hostile text value in every text column, and each kind of value in every number column
    (missing, integer, real, text, blob), one row each: the SQL path writes the same bytes as
    csv_line, the Python reference, and a CSV reader gets every value back, guarded."""
    from fieldkit.export.csv import COMPONENT_COLUMNS, csv_line

    catalog.db["items"].insert({"id": "i1", "ref": "R-1", "category": "x", "created_at": "t", "updated_at": "t"})
    types = {c.name: c.type for c in catalog.db["components"].columns}
    own = [c for c, _ in COMPONENT_COLUMNS if c.isidentifier()]
    texts = [c for c in own if types[c] == "TEXT" and c not in ("id", "item_id")]
    numbers = [c for c in own if types[c] != "TEXT"]
    rows = [{"id": f"t{i}-{c}", "item_id": "i1", "part_number": "P", "created_at": "t", "updated_at": "t", c: value}
            for c in texts for i, value in enumerate(HOSTILE)]
    rows += [{"id": f"n{i}-{c}", "item_id": "i1", "part_number": "P", "created_at": "t", "updated_at": "t",
              "quantity": 1, c: value} for c in numbers for i, value in enumerate(NUMBERS)]
    for row in rows:  # NOT NULL columns keep their value where the hostile one is missing
        row.update({k: v for k, v in (("part_number", "P"), ("created_at", "t"), ("updated_at", "t"), ("quantity", 1))
                    if row.get(k) is None})
    catalog.db.execute("PRAGMA foreign_keys = OFF")  # as another program may write: photo_id names no photo
    catalog.db["components"].insert_all(rows)
    kinds = "t" + "".join("t" if types.get(c, "TEXT") == "TEXT" else "n" for c, _ in COMPONENT_COLUMNS)
    stored = catalog.db.execute(f"SELECT {', '.join(own)} FROM components ORDER BY rowid").fetchall()
    expected = "".join(csv_line(kinds, "R-1", *(dict(zip(own, values)).get(c) for c, _ in COMPONENT_COLUMNS)) + "\r\n"
                       for values in stored)
    export_catalog(catalog, tmp_path)
    assert (tmp_path / "components.csv").read_bytes().decode("utf-8").split("\r\n", 1)[1] == expected
    cells = list(csv.reader(io.StringIO(expected, newline="")))
    assert len(cells) == len(rows)
    written = {row[1]: dict(zip([h for _, h in COMPONENT_COLUMNS], row[1:])) for row in cells}
    assert written["t10-part_number"]["part_number"] == "nul\x00inside"
    assert written["t4-notes"]["notes"] == "'=1+1" and written["t9-notes"]["notes"] == "'\x1b[0m=X()"
    assert written["t13-notes"]["notes"] == "" and written["n0-crop_x"]["crop_x"] == ""



def seed_components(catalog, count):
    from fieldkit.catalog import records

    item = items.add_item(catalog, {"category": "missile debris", "ref": "KHK-0001"})
    records.insert_many(catalog, "components", [
        {"id": f"c{n}", "item_id": item["id"], "part_number": f"=P{n}" if n % 7 == 0 else f"P{n}", "quantity": n,
         "created_at": "t", "updated_at": "t"} for n in range(count)])
    return item


def test_an_export_syncs_its_folder_so_the_renames_are_durable(catalog, tmp_path, monkeypatch):
    import fieldkit.export.csv as export_csv

    synced = []
    real = export_csv.sync_folder
    monkeypatch.setattr(export_csv, "sync_folder", lambda folder: (synced.append(folder), real(folder)))
    export_catalog(catalog, tmp_path / "out")
    assert synced == [tmp_path / "out"]


def test_a_text_cell_that_is_not_utf8_stops_the_export_with_one_line_naming_the_table(catalog, tmp_path):
    from fieldkit.errors import FieldkitError

    items.add_item(catalog, {"category": "rocket", "ref": "KHK-0001"})
    catalog.db.execute("UPDATE items SET notes = CAST(x'41ff42' AS TEXT)")  # as another program might
    catalog.db.conn.commit()
    with pytest.raises(FieldkitError) as caught:
        export_catalog(catalog, tmp_path / "out")
    assert "cannot export items.csv" in str(caught.value) and "not valid UTF-8" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_components_csv_has_plain_attribution_columns_and_no_json(catalog, tmp_path):
    from component_fixtures import fixture_index
    from fieldkit.catalog.components import add_component

    items.add_item(catalog, {"category": "guidance section", "ref": "KHK-0001"})
    index = fixture_index()
    add_component(catalog, "KHK-0001", {"part_number": "ADXL345", "date_code": "310"}, index=index)
    add_component(catalog, "KHK-0001", {"part_number": "X1", "manufacturer": "Samsung", "date_code": "GH29Q"}, index=index)
    export_catalog(catalog, tmp_path)
    rows = read(tmp_path / "components.csv")
    first, second = rows
    assert (first["firm"], first["firm_id"], first["country"], first["attributed_by"]) == (
        "Analog Devices", "analog-devices", "US", "reference")
    assert first["basis"].startswith("prefix ADXL") and first["table_version"] == "test-fixture"
    assert (first["date_code_form"], first["date_start"]) == ("YWW", "1973-03-05")
    assert (second["firm"], second["attributed_by"], second["date_code_form"]) == ("Samsung", "researcher", "not read as a date")
    assert "candidates_json" not in first and not any(v.startswith(("{", "[")) for r in rows for v in r.values())


def test_export_full_adds_the_candidates_and_date_readings_as_json(catalog, tmp_path):
    from component_fixtures import fixture_index
    from fieldkit.catalog.components import add_component

    items.add_item(catalog, {"category": "guidance section", "ref": "KHK-0001"})
    index = fixture_index()
    add_component(catalog, "KHK-0001", {"part_number": "X1", "manufacturer": "Samsung", "date_code": "2310"}, index=index)
    export_catalog(catalog, tmp_path, full=True)
    (row,) = read(tmp_path / "components.csv")
    assert {c["firm_id"] for c in json.loads(row["candidates_json"])} == {"samsung-electronics", "samsung-electro-mechanics"}
    assert json.loads(row["date_readings_json"]) == [{"code": "2310", "form": "YYWW", "start": "2023-03-06", "end": "2023-03-12",
                                                    "basis": "YYWW (two-digit year, ISO week): the most common form",
                                                    "label": "ISO week 10 of 2023"}]


@pytest.mark.parametrize("full", [False, True])
def test_the_export_note_explains_every_column_of_components_csv(catalog, tmp_path, full):
    export_catalog(catalog, tmp_path, full=full)
    header = (tmp_path / "components.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    note = (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert [name for name in header if name not in note] == []


def test_cells_from_the_lookup_tables_are_guarded_and_a_nul_in_them_is_exported_whole(catalog, tmp_path):
    """The item ref, the basis and the table version are finished once per row of their own table;
    the guard holds on them as on any cell, and a NUL in one sends its rows to the careful path."""
    catalog.db["items"].insert({"id": "i1", "ref": "=R\x00-1", "category": "x", "created_at": "t", "updated_at": "t"})
    catalog.db["items"].insert({"id": "i2", "ref": "@R-2", "category": "x", "created_at": "t", "updated_at": "t"})
    catalog.db["attribution_bases"].insert_all([{"id": "b1", "basis": "-prefix\x00 AB"}, {"id": "b2", "basis": "=cmd"}])
    catalog.db["reference_versions"].insert({"id": "v1", "version": "+v1"})
    for id_, item, basis in (("c1", "i1", "b2"), ("c2", "i2", "b1"), ("c3", "i2", "b2")):
        catalog.db["components"].insert({"id": id_, "item_id": item, "part_number": "P", "basis_id": basis,
                                         "reference_version_id": "v1", "created_at": "t", "updated_at": "t"})
    export_catalog(catalog, tmp_path)
    rows = read(tmp_path / "components.csv")
    assert [(r["item_ref"], r["basis"], r["table_version"]) for r in rows] == [
        ("'=R\x00-1", "'=cmd", "'+v1"), ("'@R-2", "'-prefix\x00 AB", "'+v1"), ("'@R-2", "'=cmd", "'+v1")]
