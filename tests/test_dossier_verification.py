"""A dossier's "verified at generation" runs the same catalog-wide checks as `fieldkit verify`
(through fieldkit.evidence.verify.check_records): the audit chain and state, merged origins'
chains, the schema and the witness; it names each check that ran and its result."""

from __future__ import annotations

from click.testing import CliRunner

from fieldkit.catalog import witness
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.evidence.verify import RECORD_CHECKS
from fieldkit.report.dossier import build_dossier, build_report
from tests.conftest import khk_catalog
from tests.tampering import shell


def dossier_of(path):
    catalog = open_catalog(path, read_only=True)
    try:
        return build_dossier(catalog, "KHK-0001", with_images=False)
    finally:
        catalog.close()


def test_a_clean_dossier_names_every_check_that_ran_and_its_result(db_path):
    khk_catalog(db_path, components=[{"part_number": "ADXL345", "country": "US"}])
    verdict = dossier_of(db_path).custody.verdict()
    assert verdict.startswith("verified at generation: 0 photo original(s) re-hashed: intact; ")
    for _, what in RECORD_CHECKS:
        assert what in verdict
    assert "audit chain, rows against their audit records, merged origins' chains (4 rows): intact" in verdict
    assert "schema against the migrations: intact" in verdict
    assert "audit head against the witness log and signed checkpoints: intact" in verdict


def test_a_planted_trigger_makes_the_dossier_not_verified_and_names_it(db_path):
    khk_catalog(db_path)
    shell(db_path, "CREATE TRIGGER kp AFTER INSERT ON components BEGIN UPDATE components SET country = 'KP'; END")
    custody = dossier_of(db_path).custody
    assert not custody.ok
    verdict = custody.verdict()
    assert verdict.startswith("NOT VERIFIED at generation: 1 problem(s): schema: trigger kp on components was added")
    assert "schema against the migrations: 1 problem(s)" in verdict


def test_a_rolled_back_head_makes_the_dossier_not_verified(db_path):
    khk_catalog(db_path, components=[{"part_number": "ADXL345", "country": "US"}])
    shell(db_path, "DELETE FROM components", "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    custody = dossier_of(db_path).custody
    assert not custody.ok
    assert "witness: the audit head went backwards" in custody.verdict()
    assert "audit head against the witness log and signed checkpoints: 1 problem(s)" in custody.verdict()


def test_a_report_runs_the_catalog_wide_checks_once_for_every_item(db_path, monkeypatch):
    khk_catalog(db_path)
    from fieldkit.evidence import verify

    calls = []
    real = verify.check_records
    monkeypatch.setattr(verify, "check_records", lambda *a, **k: calls.append(1) or real(*a, **k))
    catalog = open_catalog(db_path, read_only=True)
    report = build_report(catalog, with_images=False)
    catalog.close()
    assert len(calls) == 1
    assert "schema against the migrations: intact" in report.dossiers[0].custody.verdict()


def test_the_html_dossier_shows_the_checks(db_path, tmp_path):
    khk_catalog(db_path)
    out = tmp_path / "d.html"
    result = CliRunner().invoke(cli, ["--db", str(db_path), "dossier", "KHK-0001", "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert "schema against the migrations: intact" in out.read_text()
    assert witness.witness_path().exists()
