"""Upgrades: a catalog made by an earlier schema opens and is migrated with nothing lost.

tests/fixtures/catalog-<last migration>.db is a catalog written by each earlier schema, through
fieldkit's own functions (tests/fixtures/README.md says by which fieldkit). Each one, opened by
this fieldkit, keeps every row and every column of every table, passes `verify`, still shows a
one-byte edit of an imported component, is searched, keeps its photo originals byte for byte,
and its team-merge conflicts can still be resolved. When you add a migration, first save a
fixture made by the schema before it (see the fixtures README).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fieldkit.catalog import audit, items
from fieldkit.catalog import components as comp
from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.lookups import lookup_key
from fieldkit.catalog.migrations import known_names, migrations
from fieldkit.cli import main
from fieldkit.evidence.verify import verify_catalog

FIXTURE_DIR = Path(__file__).parent / "fixtures"
CHECK_AUDIT = Path(__file__).parent.parent / "scripts" / "check_audit.py"
FIXTURES = sorted(FIXTURE_DIR.glob("catalog-*.db"))
IDS = [f.stem for f in FIXTURES]
IMPORTED = ("MAX232", "K4B2G", "AD620")  # the parts each fixture from m004 on imported from a CSV file


def copy_fixture(fixture: Path, folder: Path) -> Path:
    """A copy of the fixture, with its folder of photo originals if it has one."""
    path = folder / fixture.name
    shutil.copyfile(fixture, path)
    photos = fixture.with_name(fixture.name + ".photos")
    if photos.is_dir():
        shutil.copytree(photos, path.with_name(path.name + ".photos"))
    return path


def fact_tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Every table that holds facts, with the columns that key its rows: all but SQLite's own and
    the search indexes (full-text tables and their shadow tables, derived from the rows)."""
    master = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    virtual = [name for name, sql in master if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    tables = {}
    for name, _ in master:
        if name.startswith("sqlite_") or any(name == v or name.startswith(f"{v}_") for v in virtual):
            continue
        info = conn.execute(f"PRAGMA table_info([{name}])").fetchall()
        primary_key = sorted((r[5], r[1]) for r in info if r[5])  # (position in the key, column)
        tables[name] = [column for _, column in primary_key] or ["rowid"]
    return tables


def rows(path: Path) -> dict[str, dict[str, dict]]:
    """Every row of every fact table, by table and key, as {column: value}."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    out = {}
    for table, key in fact_tables(conn).items():
        expression = " || '/' || ".join(f"[{k}]" for k in key)
        out[table] = {r["_key"]: {k: r[k] for k in r.keys() if k != "_key"}
                      for r in conn.execute(f"SELECT {expression} AS _key, * FROM [{table}]")}
    conn.close()
    return out


def applied_names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'fieldkit' ORDER BY id")]
    conn.close()
    return names


def photo_files(path: Path) -> dict[str, bytes]:
    """The bytes of every stored original, by its path in the photo store."""
    store = path.with_name(path.name + ".photos")
    return {str(f.relative_to(store)): f.read_bytes() for f in sorted(store.rglob("*")) if f.is_file()}


def test_there_is_a_fixture_of_the_first_schema():
    assert FIXTURES and FIXTURES[0].name == "catalog-m001.db"


def test_every_schema_has_a_fixture_the_newest_included():
    """A fixture per migration: catalog-<name up to its first _>.db, so that the next migration
    starts with a fixture of the schema it changes."""
    assert {f"catalog-{name.split('_')[0]}" for name in known_names()} <= set(IDS)


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
def test_an_older_catalog_is_migrated_with_nothing_lost(fixture, tmp_path):
    path = copy_fixture(fixture, tmp_path)
    before, old_schema = rows(path), applied_names(path)
    catalog = open_catalog(path)
    # the migrations it had keep their order; the ones it lacked follow, in fieldkit's order (a
    # catalog written before m012 was placed before m016 gets m012 after m016 and m017)
    assert [m.name for m in migrations.applied(catalog.db)] == old_schema + [n for n in known_names() if n not in old_schema]
    after = rows(path)
    archived = dict(catalog.db.execute("SELECT component_id, attribution_json FROM component_attribution_m011").fetchall())
    for table in before:
        assert table in after, f"table {table} lost"
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


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
def test_search_finds_every_old_item_by_its_ref_its_markings_and_its_part_numbers(fixture, tmp_path):
    path = copy_fixture(fixture, tmp_path)
    conn = sqlite3.connect(path)
    refs = dict(conn.execute("SELECT id, ref FROM items").fetchall())
    texts = [(text, item_id) for text, item_id in conn.execute(
        "SELECT text, item_id FROM markings UNION ALL SELECT part_number, item_id FROM components")]
    conn.close()
    catalog = open_catalog(path)
    assert [r["ref"] for r in items.list_items(catalog, "22U")] == ["OLD-0001"]
    assert [r["ref"] for r in items.list_items(catalog, "ADXL")] == ["OLD-0002"]
    for ref in refs.values():
        assert ref in [r["ref"] for r in items.list_items(catalog, ref)]
    for text, item_id in texts:  # X1 (two characters) is found through the word index of m015
        assert refs[item_id] in [r["ref"] for r in items.list_items(catalog, text)], text
    catalog.close()


def one_byte_edit(path: Path) -> str:
    """Change one byte of an imported component's part number (the last component if none was
    imported) behind fieldkit's back; returns the component's id."""
    conn = sqlite3.connect(path)
    marks = ", ".join("?" for _ in IMPORTED)
    row_id, part = conn.execute(
        f"SELECT id, part_number FROM components ORDER BY part_number IN ({marks}) DESC, rowid DESC LIMIT 1", IMPORTED).fetchone()
    conn.execute("UPDATE components SET part_number = ? WHERE id = ?", [part[:-1] + chr(ord(part[-1]) ^ 1), row_id])
    conn.commit()
    conn.close()
    return row_id


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
def test_an_upgraded_catalog_passes_verify_and_a_one_byte_edit_to_an_imported_component_is_caught(fixture, tmp_path):
    path = copy_fixture(fixture, tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(path), "init"]).exit_code == 0  # a read never upgrades; init does
    ok = runner.invoke(main, ["--db", str(path), "verify"])
    assert ok.exit_code == 0, ok.output
    catalog = open_catalog(path)
    report = verify_catalog(catalog)
    assert report.ok, report.problems
    assert report.photos == catalog.db.execute("SELECT count(*) FROM photos").fetchone()[0]
    catalog.close()
    row_id = one_byte_edit(path)
    caught = runner.invoke(main, ["--db", str(path), "verify"])
    assert caught.exit_code == 1 and row_id in caught.output
    catalog = open_catalog(path)
    assert any(row_id in p.detail or row_id in str(p.path) for p in verify_catalog(catalog).problems)
    catalog.close()


def test_an_upgrade_says_so_before_it_starts_and_a_new_or_current_catalog_says_nothing(tmp_path):
    """A large catalog's upgrade can take many seconds (m019 merges the search indexes): the
    researcher is told what is happening, on standard error, before it starts."""
    runner = CliRunner()
    path = copy_fixture(FIXTURES[0], tmp_path)
    upgraded = runner.invoke(main, ["--db", str(path), "init"])
    assert upgraded.exit_code == 0
    notice = [line for line in upgraded.stderr.splitlines() if "upgrading" in line]
    assert len(notice) == 1 and str(path) in notice[0]
    assert f"{len(known_names()) - 1} schema steps, {known_names()[1]} to {known_names()[-1]}" in notice[0]
    again = runner.invoke(main, ["--db", str(path), "init"])
    assert again.exit_code == 0 and "upgrading" not in again.stderr
    new = runner.invoke(main, ["--db", str(tmp_path / "new.db"), "init"])
    assert new.exit_code == 0 and "upgrading" not in new.stderr


def test_an_upgrade_goes_ahead_when_standard_error_cannot_be_written(tmp_path, monkeypatch):
    import io

    class Broken(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("sys.stderr", Broken())
    path = copy_fixture(FIXTURES[0], tmp_path)
    from fieldkit.catalog.db import print_upgrade_notice

    open_catalog(path, on_upgrade=print_upgrade_notice).close()
    assert applied_names(path) == known_names()


def test_with_standard_error_closed_the_notice_does_not_go_to_standard_output(tmp_path):
    path = copy_fixture(FIXTURES[0], tmp_path)
    done = subprocess.run([sys.executable, "-c", "import sys; sys.stderr = None; from fieldkit.cli import main; "
                           f"main(['--db', {str(path)!r}, 'init'])"], capture_output=True, text=True)
    assert "upgrading" not in done.stdout and "catalog ready" in done.stdout
    assert applied_names(path) == known_names()


def test_the_app_says_so_too_before_its_screen_opens(tmp_path, capsys):
    from fieldkit.tui.app import make_app

    path = copy_fixture(FIXTURES[0], tmp_path)
    app = make_app(path, offer_example=False)
    app.catalog.close()
    said = capsys.readouterr().err
    assert "upgrading" in said and str(path) in said


def test_the_fixtures_from_m004_on_hold_imported_components():
    for fixture in FIXTURES:
        if fixture.stem >= "catalog-m004":
            conn = sqlite3.connect(fixture)
            parts = {r[0] for r in conn.execute("SELECT part_number FROM components")}
            conn.close()
            assert set(IMPORTED) <= parts, fixture.name


WITH_PHOTOS = [f for f in FIXTURES if f.with_name(f.name + ".photos").is_dir()]


@pytest.mark.parametrize("fixture", WITH_PHOTOS, ids=[f.stem for f in WITH_PHOTOS])
def test_photo_originals_stay_byte_identical_through_the_upgrade(fixture, tmp_path):
    path = copy_fixture(fixture, tmp_path)
    originals = photo_files(path)
    assert originals
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(path), "init"]).exit_code == 0
    assert runner.invoke(main, ["--db", str(path), "verify"]).exit_code == 0
    assert photo_files(path) == originals
    conn = sqlite3.connect(path)
    for sha256, stored in conn.execute("SELECT sha256, stored_path FROM photos"):
        assert hashlib.sha256(originals[stored]).hexdigest() == sha256
    # the provenance read at ingest is kept with every photo
    statuses = {r[0] for r in conn.execute("SELECT c2pa_status FROM photo_provenance")}
    conn.close()
    assert {"none", "valid"} <= statuses


def test_the_fixtures_with_photo_provenance_hold_photos():
    with_table = [f for f in FIXTURES if "m017_photo_provenance" in applied_names(f)]
    assert with_table == WITH_PHOTOS


def open_conflicts(fixture: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(fixture)
    found = conn.execute("SELECT name FROM sqlite_master WHERE name = 'conflicts'").fetchone()
    rows = conn.execute("SELECT id, table_name, row_id FROM conflicts WHERE resolved_at IS NULL").fetchall() if found else []
    conn.close()
    return rows


WITH_CONFLICTS = [f for f in FIXTURES if open_conflicts(f)]


def test_the_fixtures_with_team_tables_hold_a_conflict():
    with_table = [f for f in FIXTURES if "m016_team_merges" in applied_names(f)]
    assert with_table == WITH_CONFLICTS


@pytest.mark.parametrize("keep", ["theirs", "ours"])
@pytest.mark.parametrize("fixture", WITH_CONFLICTS, ids=[f.stem for f in WITH_CONFLICTS])
def test_a_conflict_recorded_by_an_older_schema_is_resolved_after_the_upgrade(fixture, keep, tmp_path):
    """The versions a conflict keeps are the rows as the older schema wrote them (a component with
    its attribution JSON, before m012): keeping one stores it in today's shape, as m012 would have."""
    path = copy_fixture(fixture, tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(path), "init"]).exit_code == 0
    (conflict_id, table, row_id), = open_conflicts(path)
    conn = sqlite3.connect(path)
    versions = dict(zip(("ours", "theirs"), conn.execute("SELECT ours_json, theirs_json FROM conflicts WHERE id = ?",
                                                         [conflict_id]).fetchone()))
    conn.close()
    wanted = json.loads(versions[keep])
    result = runner.invoke(main, ["--db", str(path), "conflicts", "resolve", conflict_id[:8], "--keep", keep])
    assert result.exit_code == 0, result.output
    assert f"kept {keep}" in result.output
    catalog = open_catalog(path)
    row = comp.get_component(catalog, row_id) if table == "components" else items.get_item(catalog, wanted["ref"])
    assert all(row[k] == v for k, v in wanted.items() if k != "attribution_json")  # every fact of the version kept
    if "attribution_json" in wanted:  # spelled out in today's columns, as m012 spells out a stored row
        assert "attribution_json" not in row
        assert_attribution_columns(catalog, row, json.loads(wanted["attribution_json"]))
    assert catalog.db.execute("SELECT resolution FROM conflicts WHERE id = ?", [conflict_id]).fetchone()[0] == keep
    assert audit.check_chain(catalog.db) == [] and audit.check_state(catalog.db) == []
    catalog.close()
    assert runner.invoke(main, ["--db", str(path), "verify"]).exit_code == 0
    script = subprocess.run([sys.executable, str(CHECK_AUDIT), str(path)], capture_output=True, text=True)
    assert script.returncode == 0, script.stdout


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
def test_an_upgraded_catalog_can_be_merged_into_another_as_a_catalog_file(fixture, tmp_path):
    path = copy_fixture(fixture, tmp_path)
    other = tmp_path / "other" / "catalog.db"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(path), "init"]).exit_code == 0
    assert runner.invoke(main, ["--db", str(other), "init"]).exit_code == 0
    merged = runner.invoke(main, ["--db", str(other), "merge", str(path)])
    assert merged.exit_code == 0, merged.output
    conn = sqlite3.connect(path)
    refs = {r[0] for r in conn.execute("SELECT ref FROM items")}
    conn.close()
    catalog = open_catalog(other)
    assert {r["ref"] for r in items.list_items(catalog)} == refs
    catalog.close()
    assert runner.invoke(main, ["--db", str(other), "verify"]).exit_code == 0


def test_an_older_catalog_file_is_merged_only_once_upgraded_and_the_refusal_says_how(tmp_path):
    path = copy_fixture(FIXTURE_DIR / "catalog-m016.db", tmp_path)
    other = tmp_path / "other" / "catalog.db"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(other), "init"]).exit_code == 0
    refused = runner.invoke(main, ["--db", str(other), "merge", str(path)])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert refused.output.strip().endswith(f"open it once with this fieldkit (`fieldkit --db {path} init`) to upgrade it, then merge")
    assert runner.invoke(main, ["--db", str(path), "init"]).exit_code == 0
    assert runner.invoke(main, ["--db", str(other), "merge", str(path)]).exit_code == 0


OLD_SHAPE_CONFLICTS = [f for f in WITH_CONFLICTS if "m012_component_rows" not in applied_names(f)]


@pytest.mark.parametrize("fixture", OLD_SHAPE_CONFLICTS, ids=[f.stem for f in OLD_SHAPE_CONFLICTS])
def test_an_edited_union_of_versions_recorded_before_m012_is_stored_in_todays_columns(fixture, tmp_path):
    """The app's edited union starts from the recorded versions (with attribution_json); what is
    kept is converted as m012 converts a row, and two attributions run together are refused."""
    from fieldkit.errors import ValidationError
    from fieldkit.team.conflicts import resolve

    path = copy_fixture(fixture, tmp_path)
    (conflict_id, _, row_id), = open_conflicts(path)
    catalog = open_catalog(path, actor="tester")
    ours_json, theirs_json = catalog.db.execute("SELECT ours_json, theirs_json FROM conflicts WHERE id = ?", [conflict_id]).fetchone()
    ours, theirs = json.loads(ours_json), json.loads(theirs_json)
    joined = {**ours, "attribution_json": f"{ours['attribution_json']} / {theirs['attribution_json']}"}
    with pytest.raises(ValidationError, match="attribution_json"):
        resolve(catalog, conflict_id, "edited", joined)
    edited = {**ours, "notes": f"{ours['notes']} / {theirs['notes']}"}
    resolve(catalog, conflict_id, "edited", edited)
    row = comp.get_component(catalog, row_id)
    assert row["notes"] == edited["notes"] and row["quantity"] == ours["quantity"]
    assert_attribution_columns(catalog, row, json.loads(ours["attribution_json"]))
    assert audit.check_chain(catalog.db) == [] and audit.check_state(catalog.db) == []
    catalog.close()
