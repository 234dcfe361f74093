"""Markings in the catalog: stored with their readings, audited, and never silently re-read."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fieldkit.catalog import items, markings
from fieldkit.catalog.audit import check_chain
from fieldkit.cli import cli
from fieldkit.errors import NotFound, ValidationError
from fieldkit.reference.tables import clear_cache, load_reference

HEADER = "id,regex,year_calendar,country,producer,category,description,example_positive,example_negative,source,confidence_notes\n"


@pytest.fixture
def item(catalog):
    return items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})


@pytest.fixture(autouse=True)
def no_user_tables(monkeypatch, tmp_path):
    monkeypatch.setenv("FIELDKIT_REFERENCE", str(tmp_path / "none"))
    clear_cache()
    yield
    clear_cache()


def audit_rows(catalog, table="markings"):
    return list(catalog.db["audit"].rows_where("table_name = ?", [table], order_by="seq"))


def test_add_stores_the_text_as_read_the_readings_and_the_reference_version(catalog, item):
    stored = markings.add_marking(catalog, "KHK-0001", "112", position="jet vane actuator")
    assert stored["text"] == "112" and stored["source"] == "manual"
    assert stored["position"] == "jet vane actuator" and stored["item_ref"] == "KHK-0001"
    assert stored["reference_version"] == load_reference(None).version
    ids = [c["pattern_id"] for c in stored["readings"]["candidates"]]
    assert ids[:2] == ["dprk-juche-year-bare", "dprk-plant-112"]
    assert any(y["calendar"] == "juche" and y["year"] == 112 for y in stored["readings"]["years"])
    assert [a["action"] for a in audit_rows(catalog)] == ["insert"]
    assert markings.list_markings(catalog, "KHK-0001") == [stored]


def test_ocr_fields_are_kept_and_a_photo_must_exist(catalog, item):
    stored = markings.add_marking(catalog, "KHK-0001", "9М22У", ocr_text="9M22Y", source="ocr",
                                  crop=(1, 2, 30, 40), confidence=81.5, engine={"psm": 7})
    assert (stored["crop_x"], stored["crop_w"], stored["confidence"]) == (1, 30, 81.5)
    assert stored["engine"] == {"psm": 7} and stored["ocr_text"] == "9M22Y"
    with pytest.raises(NotFound, match="no photo with sha256"):
        markings.add_marking(catalog, "KHK-0001", "x", photo_sha256="ab" * 32)
    with pytest.raises(ValidationError, match="empty"):
        markings.add_marking(catalog, "KHK-0001", "   ")
    with pytest.raises(ValidationError, match="source"):
        markings.add_marking(catalog, "KHK-0001", "x", source="guess")


def test_update_and_delete_are_audited(catalog, item):
    stored = markings.add_marking(catalog, "KHK-0001", "112")
    changed = markings.update_marking(catalog, stored["id"][:8], text="113", position="fin")
    assert changed["text"] == "113" and changed["readings"]["candidates"][0]["fields"] == {"year": "113"}
    markings.delete_marking(catalog, stored["id"])
    assert markings.list_markings(catalog, "KHK-0001") == []
    assert [a["action"] for a in audit_rows(catalog)] == ["insert", "update", "delete"]
    assert check_chain(catalog.db) == [] if callable(check_chain) else True


def user_tables(tmp_path, *rows):
    folder = tmp_path / "user-ref"
    folder.mkdir(exist_ok=True)
    (folder / "marking_patterns.csv").write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return load_reference(folder)


def test_a_stored_attribution_is_stable_and_recheck_shows_the_difference(catalog, item, tmp_path):
    stored = markings.add_marking(catalog, "KHK-0001", "112")
    before = json.loads(json.dumps(stored["readings"]))
    # The researcher's own table now says 112 is a plant mark with high confidence, and adds a new reading.
    changed = user_tables(
        tmp_path,
        "dprk-plant-112,(?<![\\d.-])(?P<factory>112)(?![\\d.-]),,KP,,,,112,,field notes,High",
        "my-three-digits,\\b(?P<serial>\\d{3})\\b,,,,,,112,,field notes,Low",
    )
    assert markings.list_markings(catalog, "KHK-0001")[0]["readings"] == before  # nothing rewritten

    results = markings.recheck_markings(catalog, "KHK-0001", changed)
    assert len(results) == 1 and results[0].differs
    r = results[0]
    assert any("my-three-digits" in line for line in r.added)
    assert any(line.startswith("dprk-plant-112") and "rank 2 -> 1" in line for line in r.reranked)
    assert markings.list_markings(catalog, "KHK-0001")[0]["readings"] == before  # still nothing rewritten
    assert [a["action"] for a in audit_rows(catalog)] == ["insert"]

    assert markings.apply_recheck(catalog, results) == 1
    now = markings.list_markings(catalog, "KHK-0001")[0]
    assert now["readings"]["candidates"][0]["pattern_id"] == "dprk-plant-112"
    assert now["reference_version"] == changed.version
    assert [a["action"] for a in audit_rows(catalog)] == ["insert", "update"]


def test_cli_marking_add_list_recheck_apply(db_path, tmp_path):
    run = lambda *a: CliRunner().invoke(cli, ["--db", str(db_path), "--actor", "t", *a])  # noqa: E731
    assert run("item", "add", "--category", "rocket", "--ref", "EX-0002").exit_code == 0
    added = run("marking", "add", "EX-0002", "9М22У 4-23", "--position", "body")
    assert added.exit_code == 0, added.output
    listed = json.loads(run("marking", "list", "EX-0002", "--json").output)
    assert listed[0]["text"] == "9М22У 4-23" and listed[0]["position"] == "body"
    assert listed[0]["readings"]["candidates"][0]["pattern_id"] == "su-grad-9m22u-designation"
    assert "su-grad-9m22u-designation" in run("marking", "list", "EX-0002").output

    folder = tmp_path / "ref"
    folder.mkdir()
    (folder / "marking_patterns.csv").write_text(
        HEADER + "grad-lot-stencil,\"\\b(?P<lot>\\d{1,2})-(?P<year>\\d{2})\\b\",gregorian2,SU,,rocket,,4-23,,my notes,Low\n",
        encoding="utf-8")
    clear_cache()
    dry = run("--reference", str(folder), "marking", "recheck", "EX-0002")
    assert dry.exit_code == 0 and "+ grad-lot-stencil" in dry.output and "--apply" in dry.output
    assert json.loads(run("marking", "list", "EX-0002", "--json").output) == listed
    applied = run("--reference", str(folder), "marking", "recheck", "--apply", "--json")
    assert json.loads(applied.output)["updated"] == 1
    after = json.loads(run("marking", "list", "EX-0002", "--json").output)[0]
    assert "grad-lot-stencil" in [c["pattern_id"] for c in after["readings"]["candidates"]]


def test_cli_match_json_and_reference_check(db_path, tmp_path):
    run = lambda *a: CliRunner().invoke(cli, ["--db", str(db_path), *a])  # noqa: E731
    out = json.loads(run("match", "9M22U 4-23", "--json").output)
    c = out["candidates"][0]
    assert c["pattern_id"] == "su-grad-9m22u-designation"
    assert {"fields", "years", "basis", "normalised", "score", "source"} <= c.keys()
    assert any(y["year"] == 2023 for y in out["years"])
    check = run("reference", "check", "--json")
    assert check.exit_code == 0
    assert json.loads(check.output)["problems"] == []

    folder = tmp_path / "ref"
    folder.mkdir()
    (folder / "marking_patterns.csv").write_text(HEADER + "dprk-plant-112,(?P<factory>112),,KP,,,,,,notes,\n", encoding="utf-8")
    clear_cache()
    result = run("--reference", str(folder), "reference", "check")
    assert result.exit_code == 0 and "override: patterns: user row dprk-plant-112 overrides" in result.output
    (folder / "marking_patterns.csv").write_text(HEADER + "bad,(?P<factory>112,,KP,,,,,,notes,\n", encoding="utf-8")
    clear_cache()
    bad = run("--reference", str(folder), "match", "112")
    assert bad.exit_code == 2
    assert bad.output.startswith("error: ") and "line 2, column regex: bad regex" in bad.output
    assert run("--reference", str(folder), "reference", "check").exit_code == 2


def test_cli_match_json_names_the_words_not_offered_with_the_reason_the_text_output_gives(db_path):
    """`match --json` carries what the text output says under "not offered:" (the Soviet IC rule's
    withheld words), each word with its reason, so a script sees it as a reader of the text does."""
    run = lambda *a: CliRunner().invoke(cli, ["--db", str(db_path), *a])  # noqa: E731
    out = json.loads(run("match", "lot 2148AA1 К155ЛА3", "--json").output)
    [entry] = out["not_offered"]
    assert entry["word"] == "2148AA1"
    text = run("match", "lot 2148AA1 К155ЛА3").output
    assert f"not offered: {entry['reason']}" in text.splitlines()
    assert entry["reason"].startswith("2148AA1 has the shape of a Soviet IC type number")
    assert json.loads(run("match", "9M22U 4-23", "--json").output)["not_offered"] == []


def test_marking_edit_and_delete_from_the_cli(tmp_path):
    from click.testing import CliRunner

    from fieldkit.cli import cli

    db = str(tmp_path / "c.db")
    runner = CliRunner()
    runner.invoke(cli, ["--db", db, "item", "add", "--category", "missile debris", "--ref", "KHK-0001"])
    marking_id = runner.invoke(cli, ["--db", db, "marking", "add", "KHK-0001", "112"]).output.split()[0]
    result = runner.invoke(cli, ["--db", db, "marking", "edit", marking_id[:8], "--text", "113"])
    assert result.exit_code == 0 and "'113'" in result.output
    assert runner.invoke(cli, ["--db", db, "marking", "delete", marking_id[:8]], input="n\n").exit_code == 1
    result = runner.invoke(cli, ["--db", db, "marking", "delete", marking_id[:8], "--yes"])
    assert result.exit_code == 0 and "deleted" in result.output
    assert "no markings" in runner.invoke(cli, ["--db", db, "marking", "list", "KHK-0001"]).output
