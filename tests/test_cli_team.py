"""The team commands: key, bundle create/verify, merge, conflicts; exit codes and one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from PIL import Image

from fieldkit.cli import cli


@pytest.fixture
def people(tmp_path, monkeypatch):
    """Two people, each with a config dir and a catalog; `run(who, *args)` runs fieldkit as them."""
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", "pass one")
    runner = CliRunner()

    def run(who, *args, env=None):
        environment = {"FIELDKIT_CONFIG_DIR": str(tmp_path / who / "config"), **(env or {})}
        return runner.invoke(cli, ["--db", str(tmp_path / who / "catalog.db"), "--actor", who, *args], env=environment)

    for who, prefix in (("amina", "AM"), ("hq", "HQ")):
        assert run(who, "init", "--ref-prefix", prefix).exit_code == 0
        assert run(who, "key", "new", "--name", who).exit_code == 0
        (tmp_path / f"{who}.pub").write_text(run(who, "key", "show").output)
    Image.new("RGB", (20, 10), (200, 0, 0)).save(tmp_path / "p.png")
    assert run("amina", "item", "add", "--category", "rocket", "--place", "Kharkiv").output == "AM-0001\n"
    assert run("amina", "photo", "add", "AM-0001", str(tmp_path / "p.png")).exit_code == 0
    return run


def one_line_error(result, code=2):
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines() if hasattr(result, "stderr") else result.output.strip().splitlines()
    assert lines[-1].startswith("error: ") and "Traceback" not in result.output
    return lines[-1]


def test_key_show_prints_the_public_key_fingerprint_and_age_recipient(people, tmp_path):
    shown = people("amina", "key", "show", "--json")
    data = json.loads(shown.output)
    assert data["public_key"].startswith("fieldkit-ed25519:") and data["age_recipient"].startswith("age1")
    assert len(data["fingerprint"]) == 39
    result = people("hq", "key", "trust", str(tmp_path / "amina.pub"), "--name", "amina")
    assert result.exit_code == 0 and data["fingerprint"] in result.output
    assert f"trusted: amina  {data['fingerprint']}" in people("hq", "key", "show").output


def test_key_new_refuses_to_replace_a_key(people):
    assert "already have a key" in one_line_error(people("amina", "key", "new"))


def test_a_wrong_passphrase_is_one_line(people, tmp_path):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it\n")
    result = people("amina", "bundle", "create", str(tmp_path / "a.fkb"), "--all", "--passphrase-file", str(wrong))
    assert "wrong passphrase" in one_line_error(result)
    assert not (tmp_path / "a.fkb").exists()


def test_create_verify_merge_and_resolve_a_conflict(people, tmp_path):
    people("hq", "key", "trust", str(tmp_path / "amina.pub"), "--name", "amina")
    first = tmp_path / "first.fkb"
    created = people("amina", "bundle", "create", str(first), "--item", "AM-0001", "--encrypt-to", str(tmp_path / "hq.pub"))
    assert created.exit_code == 0 and "encrypted to 1 recipient" in created.output
    verified = people("hq", "bundle", "verify", str(first), "--json")
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.output)
    assert report["signer"] == "amina" and report["items"] == ["AM-0001"] and report["counts"]["photos"] == 1
    assert "not encrypted to your key" in one_line_error(people("amina", "bundle", "verify", str(first)))
    merged = people("hq", "merge", str(first), "--json")
    assert json.loads(merged.output)["added"] == {"items": 1, "photos": 1, "photo_provenance": 1, "item_photos": 1}
    assert people("hq", "item", "list").output.count("AM-0001") == 1
    shown = people("hq", "item", "show", "AM-0001").output
    assert "(amina), amina: 4 changes" in shown  # which laptop and researcher: the item, its photo link, the photo and its provenance
    provenance = json.loads(people("hq", "item", "show", "AM-0001", "--json").output)["provenance"]
    assert [(p["signer"], p["actor"]) for p in provenance] == [("amina", "amina")]

    people("hq", "item", "edit", "AM-0001", "--notes", "HQ note")
    people("amina", "item", "edit", "AM-0001", "--notes", "field note")
    second = tmp_path / "second.fkb"
    people("amina", "bundle", "create", str(second), "--all")
    assert "changed on both sides" in people("hq", "merge", str(second)).output
    listed = json.loads(people("hq", "conflicts", "--json").output)
    assert len(listed) == 1 and listed[0]["label"] == "items of AM-0001"
    resolved = people("hq", "conflicts", "resolve", listed[0]["id"][:8], "--keep", "ours")
    assert resolved.exit_code == 0
    assert people("hq", "conflicts").output == "no open conflicts\n"
    assert "HQ note" in people("hq", "item", "show", "AM-0001").output
    assert people("hq", "verify").exit_code == 0
    assert "already resolved" in one_line_error(people("hq", "conflicts", "resolve", listed[0]["id"][:8], "--keep", "theirs"))


def test_an_untrusted_or_tampered_bundle_exits_1_and_merges_nothing(people, tmp_path):
    bundle = tmp_path / "a.fkb"
    people("amina", "bundle", "create", str(bundle), "--all")
    result = people("hq", "bundle", "verify", str(bundle))
    assert result.exit_code == 1 and "signed by a key you do not trust" in result.output
    merged = people("hq", "merge", str(bundle))
    assert merged.exit_code == 1 and "nothing was merged" in merged.output
    assert "AM-0001" not in people("hq", "item", "list").output
    cut = tmp_path / "cut.fkb"
    cut.write_bytes(bundle.read_bytes()[:300])
    result = people("hq", "bundle", "verify", str(cut))
    assert result.exit_code == 1 and "truncated" in result.output


def test_bundle_verify_of_an_unsigned_bundle_names_its_own_option(people, tmp_path):
    """`bundle verify` takes --allow-unsigned too: the "not signed" line says so, rather than send
    the researcher to merge a bundle she only meant to check."""
    bundle = tmp_path / "u.fkb"
    assert people("amina", "bundle", "create", str(bundle), "--all", "--unsigned").exit_code == 0
    checked = people("hq", "bundle", "verify", str(bundle))
    assert checked.exit_code == 1
    assert ("the bundle is not signed; verify or merge it with --allow-unsigned only if you know where it came "
            "from") in checked.output
    assert people("hq", "bundle", "verify", str(bundle), "--allow-unsigned").exit_code == 0


def test_a_passphrase_bundle_from_a_file(people, tmp_path):
    people("hq", "key", "trust", str(tmp_path / "amina.pub"), "--name", "amina")
    secret = tmp_path / "bundle-pass.txt"
    secret.write_text("shared between two people\n")
    bundle = tmp_path / "p.fkb"
    assert people("amina", "bundle", "create", str(bundle), "--all", "--passphrase",
                  "--bundle-passphrase-file", str(secret)).exit_code == 0
    assert "bundle's passphrase is needed" in one_line_error(people("hq", "merge", str(bundle)))
    wrong = people("hq", "merge", str(bundle), env={"FIELDKIT_BUNDLE_PASSPHRASE": "guess"})
    assert "wrong passphrase" in one_line_error(wrong)
    assert people("hq", "merge", str(bundle), "--bundle-passphrase-file", str(secret)).exit_code == 0


def test_merge_another_catalog_file(people, tmp_path):
    result = people("hq", "merge", str(tmp_path / "amina" / "catalog.db"))
    assert result.exit_code == 0 and "added 1 items" in result.output
    assert people("hq", "verify").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["bundle", "create", "x.fkb"], "choose what to bundle"),
    (["bundle", "create", "x.fkb", "--item", "NOPE-1"], "no item with ref"),
    (["bundle", "create", "x.fkb", "--all", "--since", "last week"], "not a date"),
    (["bundle", "create", "x.fkb", "--all", "--encrypt-to", "age1nonsense"], "not a valid age recipient"),
    (["conflicts", "resolve", "abcd", "--keep", "ours"], "no conflict"),
    (["init", "--ref-prefix", "A%"], "ref prefix"),
])
def test_bad_input_is_one_line_exit_2(people, args, message):
    assert message in one_line_error(people("amina", *args))


def test_an_encrypted_backup_restores_only_with_its_recipients_key(people, tmp_path):
    sealed = tmp_path / "backup.age"
    made = people("amina", "backup", str(sealed), "--encrypt-to", str(tmp_path / "hq.pub"))
    assert made.exit_code == 0 and sealed.is_file() and b"Kharkiv" not in sealed.read_bytes()
    refused = people("amina", "restore", str(sealed), "--to", str(tmp_path / "mine.db"))
    assert "not encrypted to your key" in one_line_error(refused)
    assert not (tmp_path / "mine.db").exists()
    restored = people("hq", "restore", str(sealed), "--to", str(tmp_path / "restored.db"))
    assert restored.exit_code == 0, restored.output
    listed = CliRunner().invoke(cli, ["--db", str(tmp_path / "restored.db"), "item", "list"])
    assert "AM-0001" in listed.output
    assert CliRunner().invoke(cli, ["--db", str(tmp_path / "restored.db"), "verify"]).exit_code == 0


def test_a_passphrase_backup(people, tmp_path):
    sealed = tmp_path / "backup.age"
    env = {"FIELDKIT_BUNDLE_PASSPHRASE": "long walk"}
    assert people("amina", "backup", str(sealed), "--passphrase", env=env).exit_code == 0
    wrong = people("amina", "restore", str(sealed), "--to", str(tmp_path / "r.db"), env={"FIELDKIT_BUNDLE_PASSPHRASE": "x"})
    assert "wrong passphrase" in one_line_error(wrong)
    assert people("amina", "restore", str(sealed), "--to", str(tmp_path / "r.db"), env=env).exit_code == 0
