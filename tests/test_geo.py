"""Finds for GIS: GeoJSON valid by the spec, KML that parses, and the report's offline map."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import geojson
from click.testing import CliRunner

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.report.mapsvg import clip, map_svg, outlines
from tests.report_fixtures import example_copy

KML = "{http://www.opengis.net/kml/2.2}"


def test_geojson_export_is_valid_and_holds_every_find_with_its_properties(tmp_path):
    db = example_copy(tmp_path)
    out = tmp_path / "finds.geojson"
    result = CliRunner().invoke(cli, ["--db", str(db), "export", "geojson", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote 3 finds to {out}"
    collection = geojson.loads(out.read_text(encoding="utf-8"))
    assert collection.is_valid, collection.errors()
    by_ref = {f["properties"]["ref"]: f for f in collection["features"]}
    assert set(by_ref) == {"EX-0002", "EX-0003", "KHK-0001"}
    khk = by_ref["KHK-0001"]
    assert khk["geometry"]["coordinates"] == [36.2304, 49.9935]  # longitude first (RFC 7946)
    expected = {"category": "missile debris", "found_on": "2024-01-02", "photos": 2, "markings": 1,
                "components": 30, "location_from": "item"}
    assert {k: khk["properties"][k] for k in expected} == expected
    assert by_ref["EX-0002"]["properties"]["location_from"] == "photo GPS"


def test_kml_export_parses_with_one_placemark_per_find(tmp_path):
    db = example_copy(tmp_path)
    out = tmp_path / "finds.kml"
    assert CliRunner().invoke(cli, ["--db", str(db), "export", "kml", str(out)]).exit_code == 0
    root = ET.parse(out).getroot()
    marks = root.findall(f"./{KML}Document/{KML}Placemark")
    assert len(marks) == 3
    coords = {m.find(f"{KML}name").text.split()[0]: m.find(f"{KML}Point/{KML}coordinates").text for m in marks}
    assert coords["KHK-0001"] == "36.2304,49.9935,0"


def test_an_item_without_coordinates_or_photo_gps_is_not_a_find_and_hostile_text_is_escaped(tmp_path):
    catalog = open_catalog(tmp_path / "c.db", actor="t")
    items.add_item(catalog, {"ref": "A-1", "category": "<b>&x</b>", "lat": 1.5, "lon": 2.5})
    items.add_item(catalog, {"ref": "B-2", "category": "rocket"})
    catalog.close()
    out = tmp_path / "f.kml"
    assert CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "export", "kml", str(out)]).exit_code == 0
    root = ET.parse(out).getroot()
    (mark,) = root.findall(f"./{KML}Document/{KML}Placemark")
    assert mark.find(f"{KML}description").text == "<b>&x</b>"
    out = tmp_path / "f.geojson"
    assert CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "export", "geojson", str(out)]).exit_code == 0
    assert [f["id"] for f in json.loads(out.read_text())["features"]] == ["A-1"]


def test_the_map_draws_shipped_country_outlines_and_numbered_finds():
    assert len(outlines()) > 200, "country outlines missing: run make deps (scripts/build_outlines.py)"
    svg = map_svg([{"lat": 49.99, "lon": 36.23}, {"lat": 48.5, "lon": 37.97}])
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}polygon")) > 3  # Ukraine and its neighbours
    assert [t.text for t in root.findall(f"{ns}text")] == ["1", "2"]
    for polygon in root.findall(f"{ns}polygon"):
        for pair in polygon.get("points").split():
            x, y = map(float, pair.split(","))
            assert 0 <= x <= 800 and 0 <= y <= 450


def test_clipping_keeps_the_part_of_a_polygon_inside_the_frame():
    square = [(-10.0, -10.0), (10.0, -10.0), (10.0, 10.0), (-10.0, 10.0)]
    assert sorted(clip(square, 100, 100)) == [(0.0, 0.0), (0.0, 10.0), (10.0, 0.0), (10.0, 10.0)]
    assert clip([(200.0, 200.0), (300.0, 200.0), (300.0, 300.0)], 100, 100) == []


def test_a_crafted_catalog_with_text_or_impossible_coordinates_gives_no_find_and_no_traceback(tmp_path):
    import sqlite3

    catalog = open_catalog(tmp_path / "c.db", actor="t")
    for ref in ("A-1", "B-2", "C-3"):
        items.add_item(catalog, {"ref": ref, "category": "rocket"})
    catalog.close()
    with sqlite3.connect(tmp_path / "c.db") as conn:  # behind fieldkit's back
        conn.execute("UPDATE items SET lat = 'abc', lon = 1 WHERE ref = 'A-1'")
        conn.execute("UPDATE items SET lat = 95.0, lon = 1 WHERE ref = 'B-2'")
        conn.execute("UPDATE items SET lat = 10.0, lon = 20.0 WHERE ref = 'C-3'")
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "report", "--all", str(out)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "f.geojson"
    assert CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "export", "geojson", str(out)]).exit_code == 0
    assert [f["id"] for f in json.loads(out.read_text())["features"]] == ["C-3"]


def test_a_geojson_file_that_cannot_be_written_is_one_line_and_a_missing_folder_is_made(tmp_path):
    db = example_copy(tmp_path)
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    bad = tmp_path / "notes.txt" / "finds.geojson"
    result = CliRunner().invoke(cli, ["--db", str(db), "export", "geojson", str(bad)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)  # not a traceback
    assert result.output.startswith(f"error: cannot write {bad}: ") and result.output.count("\n") == 1
    out = tmp_path / "new" / "finds.kml"
    assert CliRunner().invoke(cli, ["--db", str(db), "export", "kml", str(out)]).exit_code == 0 and out.is_file()
