"""Every table that holds recorded facts is compared with the audit log, by `fieldkit verify` and by
the README's stand-alone script: catalog settings (`catalog_meta`), merges, conflicts and the
merged origins' entries too, not only items, photos, markings and components.

The catalog is the newest upgrade fixture (tests/fixtures/catalog-m020.db): a ref prefix set, a
team merge that kept a conflict, and the origin's audit entries kept in `foreign_audit`."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.catalog import audit
from fieldkit.catalog.db import open_catalog
from fieldkit.evidence.verify import verify_catalog
from test_upgrades import copy_fixture

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "catalog-m020.db"
SCRIPT = ROOT / "scripts" / "check_audit.py"


@pytest.fixture
def path(tmp_path):
    path = copy_fixture(FIXTURE, tmp_path)
    open_catalog(path).close()
    return path


def tamper(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    assert conn.execute(sql).rowcount >= 1
    conn.commit()
    conn.close()


def verify_audit_lines(path: Path) -> list[str]:
    catalog = open_catalog(path)
    try:
        return [p.detail for p in verify_catalog(catalog).problems if p.kind == "audit"]
    finally:
        catalog.close()


def script_lines(path: Path) -> list[str]:
    result = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True)
    lines = result.stdout.strip().splitlines()
    assert (result.returncode == 0) == (lines == ["audit log intact"]), result
    return [] if result.returncode == 0 else lines


def test_the_fixture_as_upgraded_is_intact_for_both(path):
    assert verify_audit_lines(path) == [] and script_lines(path) == []


TAMPERING = [
    # (what the adversary does, the table named, words of verify's line, words of the script's line)
    ("UPDATE catalog_meta SET value = 'KHK' WHERE key = 'ref_prefix'", "catalog_meta", "differs from its last audit record", "differs"),
    ("DELETE FROM catalog_meta WHERE key = 'ref_prefix'", "catalog_meta", "missing from the catalog", "missing"),
    ("INSERT INTO catalog_meta (key, value) VALUES ('ref_prefix_old', 'OLD')", "catalog_meta", "no audit record", "differs"),
    ("UPDATE conflicts SET resolved_at = '2026-01-01', resolution = 'ours', resolved_by = 'someone'", "conflicts",
     "differs from its last audit record", "differs"),
    ("DELETE FROM conflicts", "conflicts", "missing from the catalog", "missing"),
    ("UPDATE merges SET signer = 'someone else'", "merges", "differs from its last audit record", "differs"),
    ("DELETE FROM merges", "merges", "missing from the catalog", "missing"),
    ("DELETE FROM foreign_audit WHERE seq = (SELECT max(seq) FROM foreign_audit)", "foreign_audit",
     "entries of merged catalogs", "foreign_audit"),
]


@pytest.mark.parametrize("sql, table, verify_words, script_words", TAMPERING, ids=[t[0][:40] for t in TAMPERING])
def test_an_edit_behind_fieldkits_back_to_any_recorded_table_is_found(path, sql, table, verify_words, script_words):
    tamper(path, sql)
    found = verify_audit_lines(path)
    assert any(table in line and verify_words in line for line in found), found
    found = script_lines(path)
    assert any(table in line and script_words in line for line in found), found


def test_a_setting_changed_through_fieldkit_stays_intact_for_both(path):
    from fieldkit.catalog import items

    catalog = open_catalog(path)
    items.set_ref_prefix(catalog, "KHK")
    catalog.close()
    assert verify_audit_lines(path) == [] and script_lines(path) == []


def test_the_catalog_id_without_an_audit_record_is_not_a_problem_but_a_recorded_one_is_compared(path):
    """m005 made the catalog id with no audit record (the witness keeps it, see test_witness); an id
    fieldkit changes later (the app's copy of the example catalog) is audited, and compared."""
    catalog = open_catalog(path)
    assert not [p for p in audit.check_state(catalog.db) if p.table_name == "catalog_meta"]
    from fieldkit.catalog.meta import renew_catalog_id

    with catalog.transaction() as db:
        renew_catalog_id(db, actor="tester")
    assert audit.check_state(catalog.db) == []
    catalog.close()
    assert script_lines(path) == []
    tamper(path, "UPDATE catalog_meta SET value = '00000000-0000-4000-8000-000000000000' WHERE key = 'catalog_id'")
    assert any("catalog_meta catalog_id" in line for line in verify_audit_lines(path))
    assert any("catalog_meta catalog_id" in line for line in script_lines(path))


@pytest.fixture
def upgraded_m017(tmp_path):
    """A catalog written before m012 (catalog-m017.db), upgraded: m012 archived each component's
    attribution_json in component_attribution_m011, as the audit log also holds it."""
    path = copy_fixture(ROOT / "tests" / "fixtures" / "catalog-m017.db", tmp_path)
    open_catalog(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM component_attribution_m011").fetchone()[0] >= 5
    conn.close()
    return path


@pytest.mark.parametrize("sql, words", [
    ("UPDATE component_attribution_m011 SET attribution_json = '{}' WHERE rowid = 2", "differs"),
    ("DELETE FROM component_attribution_m011 WHERE rowid = 1", "missing"),
    ("DELETE FROM component_attribution_m011", "missing"),
    ("INSERT INTO component_attribution_m011 VALUES ('00000000-0000-4000-8000-000000000000', '{}')", ""),
])
def test_the_archived_attribution_of_an_upgraded_catalog_is_compared_with_the_log(upgraded_m017, sql, words):
    assert verify_audit_lines(upgraded_m017) == [] and script_lines(upgraded_m017) == []
    tamper(upgraded_m017, sql)
    found = verify_audit_lines(upgraded_m017)
    assert any("component_attribution_m011" in line and words in line for line in found), found
    found = script_lines(upgraded_m017)
    assert any("component_attribution_m011" in line and words in line for line in found), found


@pytest.mark.parametrize("sql", [
    "DELETE FROM merge_seen WHERE version = (SELECT min(version) FROM merge_seen)",
    "INSERT INTO merge_seen VALUES ('components', 'x', '" + "0" * 64 + "')",
])
def test_a_version_seen_added_or_removed_behind_fieldkits_back_is_found(merged_today, sql):
    """merge_seen decides whether a later merge keeps ours or opens a conflict: a version planted in
    it would let a colleague's change be passed over without a conflict."""
    assert verify_audit_lines(merged_today) == [] and script_lines(merged_today) == []
    tamper(merged_today, sql)
    assert any("merge_seen" in line for line in verify_audit_lines(merged_today))
    assert any("merge_seen" in line for line in script_lines(merged_today))
