"""Signed witness checkpoints: the researcher's Ed25519 key signs the audit head when it is unlocked
(`witness checkpoint`, a signed bundle, `backup --sign`); `verify` checks every signature against
the keys she knows, names a bad one, and says which heads are signed."""

from __future__ import annotations

import base64
import json

import pytest
from click.testing import CliRunner

from fieldkit.catalog import items, witness
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.evidence.verify import verify_catalog
from fieldkit.team import keys
from tests.team_helpers import PASSPHRASE, Researcher
from tests.test_witness import rechain
from tests.tampering import shell


@pytest.fixture
def amina(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASSPHRASE)
    person = Researcher(tmp_path, "amina", monkeypatch, "AM")
    items.add_item(person.catalog, {"category": "rocket"})
    return person


def run(db, *args):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def log_lines():
    return [json.loads(line) for line in witness.witness_path().read_text().splitlines()]


def test_witness_checkpoint_signs_the_head_and_verify_says_it_is_signed(amina):
    db = amina.catalog.path
    result = run(db, "witness", "checkpoint")
    assert result.exit_code == 0, result.output
    signed = log_lines()[-1]
    head = witness.head_record(amina.catalog)
    assert (signed["seq"], signed["head"], signed["key"]) == (head["seq"], head["head"], amina.public.text)
    assert keys.unlock(PASSPHRASE).public.verify_key == keys.parse_public(signed["key"])
    assert result.output.startswith(f"signed the audit head: row {head['seq']}, fingerprint {head['fingerprint']}")
    out = run(db, "verify")
    assert out.exit_code == 0, out.output
    assert (f"signed checkpoint: row {head['seq']} (fingerprint {head['fingerprint']}) by you "
            f"({amina.public.fingerprint}), {signed['at']}; the head itself is signed") in out.output
    items.add_item(amina.catalog, {"category": "fuze"})
    assert "; 1 row written since" in run(db, "verify").output
    assert run(db, "verify", "--json").exit_code == 0
    [listed] = json.loads(run(db, "verify", "--json").output)["signed"]
    assert listed["seq"] == head["seq"] and listed["signer"] == "you"


def test_a_wrong_passphrase_signs_nothing(amina, tmp_path):
    (tmp_path / "pw").write_text("not it\n")
    before = witness.witness_path().read_bytes()
    result = run(amina.catalog.path, "witness", "checkpoint", "--passphrase-file", str(tmp_path / "pw"))
    assert result.exit_code == 2 and result.output.startswith("error: wrong passphrase")
    assert witness.witness_path().read_bytes() == before


def test_an_edited_signed_checkpoint_is_a_bad_signature_named_in_verify(amina):
    db = amina.catalog.path
    run(db, "witness", "checkpoint")
    lines = log_lines()
    lines[-1]["at"] = "2020-01-01T00:00:00+00:00"  # backdated after signing
    witness.witness_path().write_text("".join(json.dumps(r) + "\n" for r in lines))
    result = run(db, "verify")
    assert result.exit_code == 1
    assert f"has a bad signature for your key ({amina.public.fingerprint}): the record was changed" in result.output
    assert "signed checkpoint:" not in result.output  # the altered line signs nothing


def test_a_rebuilt_chain_with_a_forged_witness_log_cannot_forge_the_signed_checkpoint(amina):
    # The attacker rewrites history, recomputes every hash and rewrites the witness log to match:
    # every unsigned record can be remade, but the signature over the old head cannot.
    db = amina.catalog.path
    run(db, "witness", "checkpoint")
    shell(db, "UPDATE audit SET actor = 'someone else'")
    rechain(db)
    catalog = open_catalog(db)
    new_head = witness.current_head(catalog.db)[1]
    lines = log_lines()
    for record in lines:
        record["head"] = new_head if record["seq"] == lines[-1]["seq"] else record["head"]
    witness.witness_path().write_text("".join(json.dumps(r) + "\n" for r in lines))
    report = verify_catalog(catalog)
    catalog.close()
    assert any("bad signature" in p.detail for p in report.problems)


def test_a_checkpoint_by_an_unknown_key_is_a_note_and_one_by_a_colleague_is_named(amina, tmp_path, monkeypatch):
    other = Researcher(tmp_path, "hq", monkeypatch, "HQ")
    other.use()
    stranger_secret = keys.unlock(PASSPHRASE)
    amina.use()
    witness.checkpoint(amina.catalog, stranger_secret)
    report = verify_catalog(amina.catalog)
    assert report.ok and [s.signer for s in report.signed] == [None]
    assert any("which is neither yours nor a trusted colleague's" in n.detail for n in report.notices)
    amina.trust(other)
    report = verify_catalog(amina.catalog)
    assert [s.signer for s in report.signed] == ["hq"] and not any("neither yours" in n.detail for n in report.notices)


@pytest.mark.parametrize("damage", [
    {"sig": "not base64!"}, {"sig": base64.b64encode(b"\0" * 64).decode()}, {"key": "fieldkit-ed25519:AAAA"},
    {"key": 5}, {"sig": None},
])
def test_a_damaged_signature_or_key_is_a_problem_never_a_crash(amina, damage):
    record = witness.checkpoint(amina.catalog, keys.unlock(PASSPHRASE)) | damage
    witness.append_line(witness.witness_path(), (json.dumps(record) + "\n").encode())
    report = verify_catalog(amina.catalog)
    assert not report.ok
    assert [p.kind for p in report.problems] == ["witness"]
    assert "signed checkpoint of row" in report.problems[0].detail


def test_a_signed_bundle_and_backup_sign_sign_a_checkpoint(amina, tmp_path):
    amina.bundle(tmp_path / "out.fkb", everything=True)
    assert log_lines()[-1].get("key") == amina.public.text
    count = len(log_lines())
    result = run(amina.catalog.path, "backup", str(tmp_path / "usb"), "--sign")
    assert result.exit_code == 0, result.output
    assert "signed a witness checkpoint: row" in result.output
    assert len(log_lines()) == count + 1 and log_lines()[-1]["key"] == amina.public.text
    assert verify_catalog(amina.catalog).ok


def test_a_signed_checkpoint_cannot_print_a_line_of_its_own_in_verify(amina, tmp_path, monkeypatch):
    """The time in a checkpoint comes from the log file: whoever can write the log can sign anything
    with a key of their own, so a line break in it must never reach verify's output as a line."""
    other = Researcher(tmp_path, "mallory", monkeypatch, "ML")
    other.use()
    stranger = keys.unlock(PASSPHRASE)
    amina.use()
    record = {f: witness.head_record(amina.catalog)[f] for f in witness.RECORD_FIELDS}
    record["at"] = "2026-01-01\nverify: all checks passed, nothing was ever changed"
    record["key"] = stranger.public.text
    record["sig"] = base64.b64encode(stranger.sign(witness.payload(record))).decode("ascii")
    witness.append_line(witness.witness_path(), (json.dumps(record) + "\n").encode("ascii"))
    out = run(amina.catalog.path, "verify").output
    assert not any(line.startswith("verify: all checks passed, nothing") for line in out.splitlines()), out
