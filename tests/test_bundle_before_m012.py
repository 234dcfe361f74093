"""A bundle made by a fieldkit from before migration m012, merged into a catalog of today.

tests/fixtures/bundle-m017.fkb was made by that fieldkit itself (main at ae86c35: m001-m005, m016,
m017, no m012) from catalog-m017.db, unsigned, every item (tests/fixtures/README.md says how). Its
component rows still carry `attribution_json`. They are merged in today's columns, converted as
m012 converts a stored row, so that they are the very rows the sender's own catalog holds once
this fieldkit upgrades it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.catalog.db import open_catalog
from fieldkit.evidence.verify import verify_catalog
from fieldkit.team.bundle import read_bundle, read_catalog_file
from fieldkit.team.merge import merge_content
from test_upgrades import copy_fixture

FIXTURES = Path(__file__).parent / "fixtures"
BUNDLE = FIXTURES / "bundle-m017.fkb"
CHECK_AUDIT = Path(__file__).parent.parent / "scripts" / "check_audit.py"


def merge_old_bundle(catalog):
    report, content = read_bundle(BUNDLE, allow_unsigned=True)
    assert content is not None, report.problems
    return content, merge_content(catalog, content, unsigned=True)


@pytest.fixture
def here(tmp_path):
    catalog = open_catalog(tmp_path / "hq" / "catalog.db", actor="hq")
    yield catalog
    catalog.close()


def components_of(path: Path) -> dict[str, dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    found = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM components")}
    conn.close()
    return found


def test_the_fixture_is_a_bundle_of_the_old_schema():
    _, content = read_bundle(BUNDLE, allow_unsigned=True)
    assert "m016_team_merges" in content.schema and "m012_component_rows" not in content.schema
    assert content.rows["components"] and all("attribution_json" in r for r in content.rows["components"])


def test_its_components_are_merged_as_the_senders_upgraded_catalog_holds_them(here, tmp_path):
    content, report = merge_old_bundle(here)
    assert report.added["components"] == len(content.rows["components"]) and not report.conflicts
    sender = copy_fixture(FIXTURES / "catalog-m017.db", tmp_path)
    open_catalog(sender).close()  # this fieldkit upgrades it: m012 converts its component rows
    theirs, ours = components_of(sender), components_of(Path(here.path))
    for row in content.rows["components"]:
        assert ours[row["id"]] == theirs[row["id"]]
    for table, column in (("attribution_bases", "basis_id"), ("reference_versions", "reference_version_id")):
        named = {r[column] for r in ours.values() if r[column]}
        assert named and named <= {r[0] for r in here.db.execute(f"SELECT id FROM {table}")}


def test_the_log_shows_each_component_as_it_came_and_as_it_was_stored(here):
    content, _ = merge_old_bundle(here)
    came = {r["id"]: r for r in content.rows["components"]}
    converted = {row_id: (json.loads(before), json.loads(after)) for row_id, before, after in here.db.execute(
        "SELECT row_id, before_json, after_json FROM audit WHERE action = 'merge-m012'")}
    assert converted.keys() == came.keys()
    for row_id, (before, after) in converted.items():
        assert before == came[row_id] and "attribution_json" not in after


def test_after_the_merge_the_catalog_verifies_and_passes_the_audit_script(here):
    merge_old_bundle(here)
    report = verify_catalog(here)
    assert report.problems == [], [p.describe() for p in report.problems]
    result = subprocess.run([sys.executable, str(CHECK_AUDIT), str(here.path)], capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "audit log intact")


def test_the_senders_upgraded_catalog_merged_next_changes_no_component_and_opens_no_conflict(here, tmp_path):
    merge_old_bundle(here)
    before = components_of(Path(here.path))
    sender = copy_fixture(FIXTURES / "catalog-m017.db", tmp_path)
    open_catalog(sender).close()
    with read_catalog_file(sender) as content:
        report = merge_content(here, content, source="file")
    assert report.conflicts == [] and report.updated["components"] == 0
    after = components_of(Path(here.path))
    assert {k: v for k, v in after.items() if k in before} == before


def test_an_old_component_whose_attribution_cannot_be_read_is_refused_in_one_line(here):
    from fieldkit.team.bundle import BundleError

    _, content = read_bundle(BUNDLE, allow_unsigned=True)
    content.rows["components"][0]["attribution_json"] = "{not json"
    with pytest.raises(BundleError) as refused:
        merge_content(here, content, unsigned=True)
    assert "\n" not in str(refused.value) and "attribution_json" in str(refused.value)
    assert here.db.execute("SELECT count(*) FROM components").fetchone()[0] == 0
