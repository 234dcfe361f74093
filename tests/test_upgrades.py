"""Upgrades: a catalog made by an earlier schema opens and is migrated with nothing lost.

tests/fixtures/catalog-<last migration>.db is a catalog written by each earlier schema. When
you add a migration, first save a fixture made by the schema before it (see the fixtures README).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from fieldkit.catalog import audit, items
from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.migrations import known_names

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("catalog-*.db"))
TABLES = ("items", "item_photos", "photos", "markings", "components", "audit")


def rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    out = {}
    for table in TABLES:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        out[table] = sorted(conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(), key=repr)
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
    for table in TABLES:
        for old in before[table]:
            assert any(new[: len(old)] == old for new in after[table]), f"{table} row lost or changed: {old}"
    assert audit.check_chain(catalog.db) == []
    assert audit.check_state(catalog.db) == []
    assert [r["ref"] for r in items.list_items(catalog, "22U")] == ["OLD-0001"]
    assert [r["ref"] for r in items.list_items(catalog, "ADXL")] == ["OLD-0002"]
    catalog.close()
