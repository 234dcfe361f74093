"""What a merge kept is bound to the merge: a row of `foreign_audit` (a colleague's audit entries)
or of `merge_seen` (the versions a merge has seen, which decide whether a later merge keeps ours
or opens a conflict) replaced by another, the count kept, is found by `fieldkit verify` and by the
README's script (scripts/check_audit.py).

Each merge records the SHA-256 of both tables as it leaves them, as audited catalog settings; a
catalog that merged before that records them when migration m020 upgrades it. The catalogs: the
newest upgrade fixture (its merge recorded them), every older fixture that merged (m020 recorded
them), and a catalog of today that merged the old bundle tests/fixtures/bundle-m017.fkb.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.catalog import audit
from fieldkit.catalog.db import open_catalog
from fieldkit.evidence.verify import verify_catalog
from tests.tampering import shell
from test_upgrades import FIXTURES, copy_fixture

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_audit.py"
MERGED = [f for f in FIXTURES if "m016_team_merges" in {r[0] for r in sqlite3.connect(f).execute(
    "SELECT name FROM _sqlite_migrations")}]
RESTORE = "restore the catalog from a backup"


def upgraded(fixture: Path, folder: Path) -> Path:
    path = copy_fixture(fixture, folder)
    open_catalog(path).close()
    return path


def verify_lines(path: Path) -> list[str]:
    catalog = open_catalog(path)
    try:
        return [p.describe() for p in verify_catalog(catalog).problems]
    finally:
        catalog.close()


def script(path: Path) -> tuple[int, list[str]]:
    result = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout.splitlines()


def foreign_entry(path: Path, which: str) -> dict:
    """The newest entry of foreign_audit (`which` = "newest", its origin's audit head), or the one in
    the middle of its origin's chain."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM foreign_audit ORDER BY origin_catalog, seq")]
    conn.close()
    return max(rows, key=lambda r: r["seq"]) if which == "newest" else rows[len(rows) // 2]


def put_in_place_of(path: Path, row: dict, forged: dict) -> None:
    forged["hash"] = audit.row_hash(forged)
    columns = list(forged)
    shell(path, ("DELETE FROM foreign_audit WHERE origin_catalog = ? AND seq = ?", [row["origin_catalog"], row["seq"]]),
          (f"INSERT INTO foreign_audit ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
           [forged[c] for c in columns]))


def forge_entry_of_a_third_catalog(path: Path) -> None:
    """An entry in the middle of a colleague's chain taken out, and a forged one (another actor, and
    said to come from a third catalog) put in its place: it hashes to itself, it is in no chain of
    consecutive entries, and the count is kept. Nothing but the merge's digest sees it."""
    row = foreign_entry(path, "middle")
    put_in_place_of(path, row, {**row, "origin_catalog": "00000000-0000-4000-8000-000000000000", "actor": "someone else"})


def replace_audit_head_entry(path: Path) -> None:
    """The colleague's newest entry (the head its bundle was signed with) replaced by a planted
    deletion, its hash computed: the merge's recorded head also differs."""
    row = foreign_entry(path, "newest")
    put_in_place_of(path, row, {**row, "action": "delete", "before_json": row["after_json"], "after_json": None})


def swap_version_seen(path: Path) -> None:
    """One version seen replaced by another of the same row: as many rows as the merges added."""
    shell(path, "UPDATE merge_seen SET version = '" + "f" * 64 + "' WHERE (table_name, row_id, version) = "
                "(SELECT table_name, row_id, version FROM merge_seen ORDER BY version LIMIT 1)")


TAMPERING = [
    # (what the adversary does, the table it changes)
    (forge_entry_of_a_third_catalog, "foreign_audit"),
    (replace_audit_head_entry, "foreign_audit"),
    (swap_version_seen, "merge_seen"),
]


@pytest.mark.parametrize("fixture", MERGED, ids=[f.stem for f in MERGED])
@pytest.mark.parametrize("tamper, table", TAMPERING, ids=[t[0].__name__ for t in TAMPERING])
def test_a_merged_row_replaced_with_the_count_kept_is_found_in_every_catalog_that_merged(fixture, tamper, table, tmp_path):
    path = upgraded(fixture, tmp_path)
    assert verify_lines(path) == [] and script(path) == (0, ["audit log intact"])
    tamper(path)
    found = [line for line in verify_lines(path) if table in line]
    assert found == [f"audit: audit log: {table} is not what the last merge left (its SHA-256 differs from "
                     f"{table}_sha256 in catalog_meta): rows were changed, swapped, added or removed behind "
                     f"fieldkit's back; {RESTORE}"], found
    code, lines = script(path)
    assert code == 1 and f"{table}: not the rows the last merge left ({table}_sha256 in catalog_meta); {RESTORE}" in lines


def test_each_merge_records_the_digests_as_audited_settings_and_a_second_merge_updates_them(merged_today, tmp_path):
    """The settings are written in the merge's own transaction, audited like any setting; a later
    merge of another catalog records the tables as it leaves them (an audited update)."""
    from fieldkit.team.bundle import create_bundle, read_bundle
    from fieldkit.team.merge import merge_content

    conn = sqlite3.connect(merged_today)
    recorded = dict(conn.execute("SELECT row_id, action FROM audit WHERE table_name = 'catalog_meta'").fetchall())
    conn.close()
    assert recorded == {"foreign_audit_sha256": "insert", "merge_seen_sha256": "insert"}
    partner = open_catalog(tmp_path / "partner.db", actor="partner")
    from fieldkit.catalog import items

    items.add_item(partner, {"category": "fuze", "place": "Izium"})
    create_bundle(partner, tmp_path / "partner.fkb", everything=True)
    partner.close()
    _, content = read_bundle(tmp_path / "partner.fkb", allow_unsigned=True)
    catalog = open_catalog(merged_today, actor="hq")
    merge_content(catalog, content, unsigned=True)
    catalog.close()
    conn = sqlite3.connect(merged_today)
    updates = conn.execute("SELECT row_id FROM audit WHERE table_name = 'catalog_meta' AND action = 'update' ORDER BY seq").fetchall()
    conn.close()
    assert updates == [("foreign_audit_sha256",), ("merge_seen_sha256",)]
    assert verify_lines(merged_today) == [] and script(merged_today) == (0, ["audit log intact"])
    swap_version_seen(merged_today)
    assert any("merge_seen is not what the last merge left" in line for line in verify_lines(merged_today))


def test_a_digest_setting_removed_or_edited_is_found_as_any_audited_setting(merged_today):
    shell(merged_today, "UPDATE catalog_meta SET value = '" + "0" * 64 + "' WHERE key = 'merge_seen_sha256'")
    found = verify_lines(merged_today)
    assert any("catalog_meta merge_seen_sha256" in line and "differs from its last audit record" in line for line in found)
    shell(merged_today, "DELETE FROM catalog_meta WHERE key = 'merge_seen_sha256'")
    found = verify_lines(merged_today)
    assert any("catalog_meta merge_seen_sha256" in line and "missing from the catalog" in line for line in found)
    assert any("catalog_meta merge_seen_sha256: in the audit log but missing" in line for line in script(merged_today)[1])


def test_a_catalog_that_never_merged_records_nothing_and_gets_no_audit_row_from_m020(tmp_path):
    catalog = open_catalog(tmp_path / "new.db")
    assert catalog.db.execute("SELECT count(*) FROM audit").fetchone()[0] == 0
    assert catalog.db.execute("SELECT key FROM catalog_meta").fetchall() == [("catalog_id",)]
    catalog.close()


def test_running_m020_again_does_not_record_a_changed_table_as_what_the_merges_left(tmp_path):
    """The adversary swaps a version seen, then removes m020's row from `_sqlite_migrations` so that
    the next opening runs it again: it records nothing where a digest is recorded, and the swap is found."""
    path = upgraded(MERGED[-1], tmp_path)
    swap_version_seen(path)
    shell(path, "DELETE FROM _sqlite_migrations WHERE name = 'm020_merged_digests'")
    assert any("merge_seen is not what the last merge left" in line for line in verify_lines(path))
    assert any(line.startswith("merge_seen: not the rows the last merge left") for line in script(path)[1])


def test_deleting_the_digest_and_m020s_row_does_not_launder_a_changed_table(tmp_path):
    """The adversary deletes the recorded digest from catalog_meta, swaps a version seen, and removes m020's
    row from `_sqlite_migrations`, so that the next opening runs m020 again: it must not record the swapped
    table as what the merges left. The digest stays missing, and verify and the script say so."""
    path = upgraded(MERGED[-1], tmp_path)
    shell(path, "DELETE FROM catalog_meta WHERE key = 'merge_seen_sha256'")
    swap_version_seen(path)
    shell(path, "DELETE FROM _sqlite_migrations WHERE name = 'm020_merged_digests'")
    open_catalog(path).close()  # m020 runs again
    assert sqlite3.connect(path).execute("SELECT count(*) FROM catalog_meta WHERE key = 'merge_seen_sha256'").fetchone()[0] == 0
    assert any("merge_seen_sha256" in line and "missing from the catalog" in line for line in verify_lines(path))
    assert any("catalog_meta merge_seen_sha256: in the audit log but missing" in line for line in script(path)[1])
