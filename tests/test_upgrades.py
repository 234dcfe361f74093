"""Upgrades: a catalog made by an earlier schema opens and is migrated with nothing lost.

tests/fixtures/catalog-<last migration>.db is a catalog written by each earlier schema. When
you add a migration, first save a fixture made by the schema before it (see the fixtures README).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from click.testing import CliRunner

from fieldkit.catalog import audit, items
from fieldkit.catalog import components as comp
from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.lookups import lookup_key
from fieldkit.cli import main
from fieldkit.catalog.migrations import known_names

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("catalog-*.db"))
TABLES = ("items", "item_photos", "photos", "markings", "components", "audit")


def rows(path: Path) -> dict[str, dict[str, dict]]:
    """Every row of the audited tables and the audit log, by table and key, as {column: value}."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    out = {}
    for table in TABLES:
        key = "seq" if table == "audit" else "item_id || '/' || photo_id" if table == "item_photos" else "id"
        out[table] = {r["_key"]: {k: r[k] for k in r.keys() if k != "_key"}
                      for r in conn.execute(f"SELECT {key} AS _key, * FROM {table}")}
    conn.close()
    return out


def test_there_is_a_fixture_of_the_first_schema():
    assert FIXTURES and FIXTURES[0].name == "catalog-m001.db"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_an_older_catalog_is_migrated_with_nothing_lost(fixture, tmp_path):
    path = tmp_path / fixture.name
    shutil.copyfile(fixture, path)
    before = rows(path)
    catalog = open_catalog(path)
    applied = [m.name for m in __import__("fieldkit.catalog.migrations", fromlist=["m"]).migrations.applied(catalog.db)]
    assert applied == known_names()
    after = rows(path)
    archived = dict(catalog.db.execute("SELECT component_id, attribution_json FROM component_attribution_m011").fetchall())
    for table in TABLES:
        assert before[table].keys() <= after[table].keys(), f"{table} rows lost"
        for key, old in before[table].items():
            new = after[table][key]
            for column, value in old.items():
                if table == "components" and column == "attribution_json":
                    assert archived.get(key) == value  # kept whole, and spelled out in columns:
                    if value is None:  # written before attribution was recorded: nothing claimed
                        assert (new["attributed_by"], new["basis_id"]) == (None, None)
                    else:
                        assert_attribution_columns(catalog, new, json.loads(value))
                else:
                    assert new[column] == value, f"{table} {key} {column} changed"
    assert audit.check_chain(catalog.db) == []
    assert audit.check_state(catalog.db) == []
    assert [r["ref"] for r in items.list_items(catalog, "22U")] == ["OLD-0001"]
    assert [r["ref"] for r in items.list_items(catalog, "ADXL")] == ["OLD-0002"]
    catalog.close()


def assert_attribution_columns(catalog, row: dict, stored: dict) -> None:
    """Every fact of a row's former attribution JSON is in its columns or derived from them."""
    view = comp.attribution_view(row, comp.lookup_texts(catalog, row))
    assert view["firm_id"] == stored["firm_id"] and view["country"] == stored["country"]
    assert view["basis"].startswith(stored["basis"])
    assert view["entered"] == stored["entered"]
    assert view["reference_version"] == (stored["reference_version"] or None)
    # the lookup ids are the hashes of their texts, as in a catalog that never needed upgrading
    assert row["basis_id"] == lookup_key(view["basis"])
    assert row["reference_version_id"] == (lookup_key(view["reference_version"]) if view["reference_version"] else None)
    expected_by = "ambiguous" if stored["source"] == "none" and len(stored["candidates"]) > 1 else stored["source"]
    assert view["attributed_by"] == expected_by
    if len(stored["candidates"]) > 1:
        assert [c["firm_id"] for c in view["candidates"]] == [c["firm_id"] for c in stored["candidates"]]
    old_readings = (stored.get("date_code") or {}).get("readings", [])
    derived = view["date_code"]["readings"] if view["date_code"] else []
    assert [(r["label"], r["start"], r["end"]) for r in derived] == [(r["label"], r["start"], r["end"]) for r in old_readings]


def test_every_earlier_schema_has_a_fixture():
    """A fixture per migration before the newest one that changed the data (m005 is the last on main)."""
    stems = {f.stem for f in FIXTURES}
    assert {"catalog-m001", "catalog-m002", "catalog-m003", "catalog-m004", "catalog-m005"} <= stems


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_an_upgraded_catalog_passes_verify_and_a_one_byte_edit_to_a_component_is_caught(fixture, tmp_path):
    path = tmp_path / fixture.name
    shutil.copyfile(fixture, path)
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(path), "init"]).exit_code == 0  # a read never upgrades; init does
    ok = runner.invoke(main, ["--db", str(path), "verify"])
    assert ok.exit_code == 0, ok.output
    conn = sqlite3.connect(path)
    row_id, part = conn.execute("SELECT id, part_number FROM components ORDER BY rowid DESC LIMIT 1").fetchone()
    conn.execute("UPDATE components SET part_number = ? WHERE id = ?", [part[:-1] + chr(ord(part[-1]) ^ 1), row_id])
    conn.commit()
    conn.close()
    caught = runner.invoke(main, ["--db", str(path), "verify"])
    assert caught.exit_code == 1 and row_id in caught.output
