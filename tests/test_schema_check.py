"""The schema is part of the evidence (issue 19, point 2): verify names every object added, changed or missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from fieldkit.catalog import components as components_core
from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.schema import check_schema, expected_schema
from fieldkit.cli import cli
from fieldkit.evidence.verify import verify_catalog
from fieldkit.locations import example_catalog_path
from tests.tampering import shell

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("catalog-*.db"))


def schema_problems(path):
    catalog = open_catalog(path)
    problems = [p.detail for p in verify_catalog(catalog).problems if p.kind == "schema"]
    catalog.close()
    return problems


def test_a_planted_trigger_that_rewrites_every_later_component_is_named(db_path):
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    catalog.close()
    shell(db_path, "CREATE TRIGGER quiet AFTER INSERT ON components BEGIN "
                   "UPDATE components SET country = 'KP' WHERE id = new.id; END")
    catalog = open_catalog(db_path)
    components_core.add_component(catalog, "KHK-0001", {"part_number": "ADXL345", "country": "US"})
    [country] = catalog.db.execute("SELECT country FROM components").fetchone()
    catalog.close()
    assert country == "KP"  # the trigger did its work, and the audit log recorded it as written
    assert schema_problems(db_path) == [
        "trigger quiet on components was added; no migration makes it: CREATE TRIGGER quiet AFTER INSERT ON "
        "components BEGIN UPDATE components SET country = 'KP' WHERE id = new.id; END"
    ]
    result = CliRunner().invoke(cli, ["--db", str(db_path), "verify"])
    assert result.exit_code == 1 and "schema: trigger quiet on components was added" in result.output


def test_a_changed_trigger_an_added_view_and_a_dropped_index_are_each_named(db_path):
    open_catalog(db_path).close()
    [original] = [o for o in expected_schema().values() if o.name == "items_search_delete"]
    shell(db_path,
          "DROP TRIGGER items_search_delete",
          "CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN SELECT 1; END",
          "CREATE VIEW everything AS SELECT * FROM items",
          "DROP INDEX idx_components_item_id")
    assert schema_problems(db_path) == [
        "trigger items_search_delete on items was changed: it is now CREATE TRIGGER items_search_delete "
        "AFTER DELETE ON items BEGIN SELECT 1; END",
        "view everything was added; no migration makes it: CREATE VIEW everything AS SELECT * FROM items",
        f"index idx_components_item_id on components is missing; the migrations make it: "
        f"{expected_schema()[('index', 'idx_components_item_id')].sql}",
    ]
    assert original.sql != "CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN SELECT 1; END"


def test_an_added_column_is_a_changed_table(db_path):
    open_catalog(db_path).close()
    shell(db_path, "ALTER TABLE components ADD COLUMN hidden TEXT")
    [problem] = schema_problems(db_path)
    assert problem.startswith("table components was changed: it is now CREATE TABLE")
    assert problem.endswith(", hidden TEXT)")


@pytest.mark.parametrize("fixture", [*FIXTURES, example_catalog_path()], ids=lambda p: p.name)
def test_older_catalogs_upgraded_by_the_migrations_and_the_example_have_the_expected_schema(fixture, tmp_path):
    path = tmp_path / "catalog.db"
    shutil.copyfile(fixture, path)
    catalog = open_catalog(path)
    assert check_schema(catalog.db) == []
    catalog.close()


def test_sqlites_own_statistics_table_is_not_a_problem(db_path):
    open_catalog(db_path).close()
    shell(db_path, "ANALYZE")
    assert schema_problems(db_path) == []
