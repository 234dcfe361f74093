"""`fieldkit component recheck [REF] [--apply]`: what newer tables would attribute differently; applied
with an audit entry; what the researcher entered is never overwritten."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fieldkit.cli import cli
from fieldkit.reference import tables

FAMILY_HEADER = "family,firm_id,kind,brand,line_from,source,notes\n"


@pytest.fixture
def run(db_path):
    tables.clear_cache()
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, ["--db", str(db_path), "--actor", "tester", *args])

    assert invoke("item", "add", "--category", "drone debris", "--ref", "DR-0001").exit_code == 0
    assert invoke("item", "add", "--category", "drone debris", "--ref", "DR-0002").exit_code == 0
    yield invoke
    tables.clear_cache()


def newer_tables(tmp_path) -> str:
    """A user families table that names the maker of ZQX-family parts (a 'newer table')."""
    folder = tmp_path / "newer"
    folder.mkdir()
    (folder / "part_families.csv").write_text(
        FAMILY_HEADER + "ZQX,texas-instruments,family,,,my own reading of a TI ordering guide,\n", encoding="utf-8")
    tables.clear_cache()
    return str(folder)


def components(run, ref):
    return json.loads(run("component", "list", ref, "--json").output)


def audit_actions(db_path):
    import sqlite3

    with sqlite3.connect(db_path) as db:
        return [r[0] for r in db.execute("SELECT action FROM audit WHERE table_name = 'components' ORDER BY rowid")]


def test_recheck_shows_the_difference_and_changes_nothing_without_apply(run, tmp_path):
    assert run("component", "add", "DR-0001", "--part", "ZQX1234").exit_code == 0
    before = components(run, "DR-0001")
    assert before[0]["manufacturer"] is None
    dry = run("--reference", newer_tables(tmp_path), "component", "recheck")
    assert dry.exit_code == 0, dry.output
    assert "DR-0001  ZQX1234: not attributed -> Texas Instruments (US)" in dry.stdout
    assert "~ firm_id: None -> 'texas-instruments'" in dry.stdout
    assert "1 component(s) checked, 1 would be attributed differently" in dry.stderr
    assert "run again with --apply" in dry.stderr
    assert components(run, "DR-0001") == before


def test_apply_stores_the_new_attribution_with_an_audit_entry_and_keeps_the_date_code(run, tmp_path, db_path):
    assert run("component", "add", "DR-0001", "--part", "ZQX1234", "--date-code", "2310").exit_code == 0
    newer = newer_tables(tmp_path)
    applied = run("--reference", newer, "component", "recheck", "--apply", "--json")
    assert applied.exit_code == 0, applied.output
    out = json.loads(applied.stdout)
    assert (out["checked"], out["updated"]) == (1, 1)
    row = components(run, "DR-0001")[0]
    assert (row["manufacturer"], row["country"]) == ("Texas Instruments", "US")
    assert row["attribution"]["firm_id"] == "texas-instruments"
    assert row["attribution"]["date_code"]["code"] == "2310"
    assert row["date_start"] == "2023-03-06"
    assert audit_actions(db_path) == ["insert", "update"]
    again = json.loads(run("--reference", newer, "component", "recheck", "--json").stdout)
    assert again["components"] == [] and again["updated"] == 0


def test_what_the_researcher_entered_is_shown_but_never_overwritten(run, tmp_path, db_path):
    assert run("component", "add", "DR-0001", "--part", "ZQX1234", "--manufacturer", "Acme Widgets",
               "--country", "DE").exit_code == 0
    before = components(run, "DR-0001")
    applied = run("--reference", newer_tables(tmp_path), "component", "recheck", "--apply")
    assert applied.exit_code == 0, applied.output
    assert "(entered by the researcher: kept)" in applied.stdout
    assert "0 component(s) updated" in applied.stderr
    assert components(run, "DR-0001") == before
    assert audit_actions(db_path) == ["insert"]


def test_recheck_of_one_item_leaves_the_others_alone(run, tmp_path):
    for ref in ("DR-0001", "DR-0002"):
        assert run("component", "add", ref, "--part", "ZQX1234").exit_code == 0
    newer = newer_tables(tmp_path)
    out = json.loads(run("--reference", newer, "component", "recheck", "DR-0002", "--apply", "--json").stdout)
    assert [c["item_ref"] for c in out["components"]] == ["DR-0002"]
    assert components(run, "DR-0001")[0]["manufacturer"] is None
    assert components(run, "DR-0002")[0]["manufacturer"] == "Texas Instruments"


def test_an_unknown_item_is_one_line_exit_2(run):
    result = run("component", "recheck", "NOPE-1")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
