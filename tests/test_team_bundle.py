"""Bundles: reproducible, signed, and refused with the problem named when tampered with;
encrypted bundles open only with their recipient's key or passphrase."""

from __future__ import annotations

import base64
import json
import zipfile

import pytest

from fieldkit.team import crypt, keys
from fieldkit.team.bundle import BundleError, create_bundle, plain_file, read_bundle

from team_helpers import PASSPHRASE, Researcher, png_bytes


@pytest.fixture
def pair(tmp_path, monkeypatch):
    amina = Researcher(tmp_path, "amina", monkeypatch, "AM")
    hq = Researcher(tmp_path, "hq", monkeypatch, "HQ")
    hq.trust(amina)
    amina.record(place="Kharkiv")
    amina.record(place="Kyiv")
    yield amina, hq
    amina.catalog.close()
    hq.catalog.close()


def check(hq, path, **options):
    hq.use()
    report, content = read_bundle(path, **options)
    return report


def rewrite(path, out, change):
    """Copy a bundle member by member, letting `change(name, data)` return new bytes (or None to drop it)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info.filename))
            if data is not None:
                dst.writestr(info, data)
    return out


def test_a_bundle_is_reproducible_apart_from_signature_and_time(pair, tmp_path):
    amina, _ = pair
    one, two = amina.bundle(tmp_path / "1.fkb", everything=True), amina.bundle(tmp_path / "2.fkb", everything=True)
    with zipfile.ZipFile(one) as a, zipfile.ZipFile(two) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name == "manifest.sig":
                continue
            if name == "manifest.json":
                ma, mb = json.loads(a.read(name)), json.loads(b.read(name))
                assert ma.pop("created_at") != mb.pop("created_at")
                assert ma == mb
            else:
                assert a.read(name) == b.read(name), name


def test_verify_lists_what_the_bundle_holds_and_who_signed_it(pair, tmp_path):
    amina, hq = pair
    bundle = amina.bundle(tmp_path / "a.fkb", everything=True)
    report = check(hq, bundle)
    assert report.ok and report.signer == "amina" and report.fingerprint == amina.public.fingerprint
    assert report.manifest["items"] == ["AM-0001", "AM-0002"]
    assert report.manifest["counts"] | {} == report.manifest["counts"]
    assert (report.manifest["counts"]["items"], report.manifest["counts"]["photos"]) == (2, 4)
    assert report.manifest["catalog_id"] and len(report.manifest["audit_head"]["hash"]) == 64
    assert "signed by amina" in report.describe()[0]


def test_the_secret_key_never_enters_a_bundle(pair, tmp_path):
    amina, _ = pair
    bundle = amina.bundle(tmp_path / "a.fkb", everything=True)
    amina.use()
    secret = keys.unlock(PASSPHRASE)
    data = bundle.read_bytes()
    assert base64.b64encode(secret.signing_seed) not in data and secret.signing_seed not in data
    assert secret.age_identity.encode() not in data
    key_file = (amina.root / "config" / "key.json").read_bytes()
    assert secret.age_identity.encode() not in key_file and base64.b64encode(secret.signing_seed) not in key_file


@pytest.mark.parametrize("tamper, problem", [
    ("flipped byte", "does not match its SHA-256"),
    ("swapped photo", "does not match its SHA-256"),
    ("removed file", "missing from the bundle (removed)"),
    ("re-signed by an untrusted key", "signed by a key you do not trust"),
    ("edited manifest", "signature does not match"),
    ("truncated", "truncated"),
    ("unsigned", "not signed"),
])
def test_a_tampered_bundle_is_refused_and_the_problem_named(pair, tmp_path, monkeypatch, tamper, problem):
    amina, hq = pair
    bundle = amina.bundle(tmp_path / "a.fkb", everything=True)
    bad = tmp_path / "bad.fkb"
    if tamper == "flipped byte":
        def change(name, data):
            if name == "rows/items.jsonl":
                data = data.replace(b"Kharkiv", b"Kharkov")
            return data
        rewrite(bundle, bad, change)
    elif tamper == "swapped photo":
        rewrite(bundle, bad, lambda name, data: png_bytes() if name.startswith("photos/") else data)
    elif tamper == "removed file":
        rewrite(bundle, bad, lambda name, data: None if name == "rows/markings.jsonl" else data)
    elif tamper == "re-signed by an untrusted key":
        mallory = Researcher(tmp_path, "mallory", monkeypatch, "MA")
        secret = keys.unlock(PASSPHRASE)

        def change(name, data):
            if name == "manifest.sig":
                with zipfile.ZipFile(bundle) as zf:
                    manifest = zf.read("manifest.json")
                return json.dumps({"public_key": secret.public.text,
                                   "signature": base64.b64encode(secret.sign(manifest)).decode()}).encode()
            return data
        rewrite(bundle, bad, change)
        mallory.catalog.close()
    elif tamper == "edited manifest":
        def change(name, data):
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["creator"] = "someone else"
                return json.dumps(manifest).encode()
            return data
        rewrite(bundle, bad, change)
    elif tamper == "truncated":
        bad.write_bytes(bundle.read_bytes()[: bundle.stat().st_size * 2 // 3])
    elif tamper == "unsigned":
        rewrite(bundle, bad, lambda name, data: None if name == "manifest.sig" else data)
    report = check(hq, bad)
    assert not report.ok
    assert any(problem in p for p in report.problems), report.problems


def test_a_flipped_byte_anywhere_is_refused(pair, tmp_path):
    amina, hq = pair
    bundle = amina.bundle(tmp_path / "a.fkb", everything=True)
    data = bytearray(bundle.read_bytes())
    for offset in range(7, len(data), max(1, len(data) // 40)):
        copy = bytearray(data)
        copy[offset] ^= 0x01
        bad = tmp_path / "bad.fkb"
        bad.write_bytes(bytes(copy))
        report = check(hq, bad)
        # a flip in the zip's own bookkeeping that changes no member's bytes may pass; none may pass with altered content
        if report.ok:
            with zipfile.ZipFile(bad) as zf, zipfile.ZipFile(bundle) as good:
                assert all(zf.read(n) == good.read(n) for n in good.namelist())


def test_an_unsigned_bundle_merges_only_when_allowed(pair, tmp_path):
    amina, hq = pair
    amina.use()
    create_bundle(amina.catalog, tmp_path / "u.fkb", everything=True)
    refused = check(hq, tmp_path / "u.fkb")
    assert refused.problems == ["the bundle is not signed; merge it with --allow-unsigned only if you know where it came from"]
    report = hq.merge(tmp_path / "u.fkb", allow_unsigned=True)
    assert report.added["items"] == 2
    (unsigned,) = hq.catalog.db.execute("SELECT unsigned FROM merges").fetchone()
    assert unsigned == 1
    assert hq.catalog.db.execute("SELECT count(*) FROM audit WHERE action = 'merge' AND table_name = 'merges' "
                                 "AND after_json LIKE '%\"unsigned\":1%'").fetchone()[0] == 1


def test_an_encrypted_bundle_opens_only_with_its_recipients_key(pair, tmp_path):
    amina, hq = pair
    out = amina.bundle(tmp_path / "hq-only.fkb", everything=True, recipients=[hq.public.age_recipient])
    assert crypt.is_encrypted(out) and b"Kharkiv" not in out.read_bytes()
    amina.use()
    own = keys.unlock(PASSPHRASE).age_identity
    with pytest.raises(crypt.DecryptProblem, match="not encrypted to your key") as caught:
        with plain_file(out, identities=[own]):
            pass
    assert "\n" not in str(caught.value)
    report = hq.merge(out)
    assert report.added["items"] == 2


def test_a_passphrase_bundle_opens_only_with_the_passphrase(pair, tmp_path):
    amina, hq = pair
    out = amina.bundle(tmp_path / "p.fkb", everything=True, passphrase="border crossing")
    with pytest.raises(crypt.DecryptProblem, match="wrong passphrase"):
        with plain_file(out, passphrase="guess"):
            pass
    with pytest.raises(crypt.DecryptProblem, match="encrypted with a passphrase"):
        with plain_file(out, identities=[]):
            pass
    assert hq.merge(out, passphrase="border crossing").added["items"] == 2


def test_a_bundle_never_overwrites_a_file(pair, tmp_path):
    amina, _ = pair
    existing = tmp_path / "a.fkb"
    existing.write_bytes(b"keep me")
    with pytest.raises(BundleError, match="already exists"):
        amina.bundle(existing, everything=True)
    assert existing.read_bytes() == b"keep me"


def resign(path, out, change, secret):
    """Rewrite members with `change`, then re-hash them in the manifest and sign it again with `secret`."""
    import hashlib

    with zipfile.ZipFile(path) as src:
        members = {n: change(n, src.read(n)) for n in src.namelist() if n not in ("manifest.json", "manifest.sig")}
        manifest = json.loads(src.read("manifest.json"))
    manifest["files"] = {n: hashlib.sha256(d).hexdigest() for n, d in members.items()}
    manifest_bytes = json.dumps(manifest).encode()
    with zipfile.ZipFile(out, "w") as dst:
        for name, data in members.items():
            dst.writestr(name, data)
        dst.writestr("manifest.json", manifest_bytes)
        dst.writestr("manifest.sig", json.dumps({"public_key": secret.public.text,
                                                 "signature": base64.b64encode(secret.sign(manifest_bytes)).decode()}))
    return out


def test_a_hostile_stored_path_from_a_trusted_signer_is_refused(pair, tmp_path):
    """A colleague's compromised laptop signs a bundle whose photo row points outside the store."""
    amina, hq = pair
    bundle = amina.bundle(tmp_path / "a.fkb", everything=True)
    amina.use()
    secret = keys.unlock(PASSPHRASE)

    def change(name, data):
        if name == "rows/photos.jsonl":
            first, rest = data.split(b"\n", 1)
            row = json.loads(first)
            row["stored_path"] = "../../../evil.png"
            return json.dumps(row).encode() + b"\n" + rest
        return data

    report = check(hq, resign(bundle, tmp_path / "evil.fkb", change, secret))
    assert report.signer == "amina" and not report.ok
    assert any("names a stored path that is not its SHA-256" in p for p in report.problems)
    assert not (tmp_path / "evil.png").exists()


def test_rows_that_differ_from_their_audit_entries_are_refused(pair, tmp_path):
    """Even correctly signed, a row must be what the origin's audit log last recorded for it."""
    amina, hq = pair
    bundle = amina.bundle(tmp_path / "a.fkb", everything=True)
    amina.use()
    secret = keys.unlock(PASSPHRASE)
    forged = resign(bundle, tmp_path / "f.fkb",
                    lambda n, d: d.replace(b"Kharkiv", b"Belgorod") if n == "rows/items.jsonl" else d, secret)
    report = check(hq, forged)
    assert any("differs from its last audit entry" in p for p in report.problems)


def test_rows_with_a_hostile_column_name_never_reach_the_sql(pair, tmp_path):
    """Column names come from the bundle: one that is not this catalog's is refused before any write,
    even in content that passed every check (a forger who also forged the audit entries)."""
    from fieldkit.team.merge import merge_content

    amina, hq = pair
    bundle = amina.bundle(tmp_path / "a.fkb", everything=True)
    hq.use()
    report, content = read_bundle(bundle)
    assert report.ok
    content.rows["items"][0]["notes] = 'x', [ref"] = "pwned"
    with pytest.raises(BundleError, match="columns this catalog does not know"):
        merge_content(hq.catalog, content)
    content.rows["items"][0].pop("notes] = 'x', [ref")
    content.rows["items"][0]["notes"] = ["a", "list"]
    with pytest.raises(BundleError, match="not text or a number"):
        merge_content(hq.catalog, content)
    assert hq.catalog.db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    assert list(hq.catalog.photo_store.rglob("*.png")) == []


def test_since_takes_the_items_changed_on_or_after_a_date(pair, tmp_path):
    amina, _ = pair
    amina.catalog.db.execute("UPDATE items SET updated_at = '2024-01-01T00:00:00+00:00' WHERE ref = 'AM-0001'")
    for table in ("markings", "components"):
        amina.catalog.db.execute(f"UPDATE {table} SET updated_at = '2024-01-01T00:00:00+00:00'")
    amina.catalog.db.execute("UPDATE item_photos SET added_at = '2024-01-01T00:00:00+00:00'")
    amina.catalog.db.conn.commit()
    from fieldkit.team.bundle import choose_items

    chosen = choose_items(amina.catalog.db, since="2025-01-01")
    refs = {r[0] for r in amina.catalog.db.execute(
        f"SELECT ref FROM items WHERE id IN ({', '.join('?' for _ in chosen)})", chosen)}
    assert refs == {"AM-0002"}
    assert choose_items(amina.catalog.db, since="2023-12-31") == sorted(r[0] for r in amina.catalog.db.execute("SELECT id FROM items"))


def test_a_public_key_file_must_hold_exactly_one_key(tmp_path):
    empty = tmp_path / "nothing.pub"
    empty.write_text("hello\n")
    with pytest.raises(keys.KeyProblem, match="holds 0 fieldkit public keys"):
        keys.read_public_file(empty)
    damaged = tmp_path / "damaged.pub"
    damaged.write_text("public key: fieldkit-ed25519:AAAA\n")
    with pytest.raises(keys.KeyProblem, match="damaged"):
        keys.read_public_file(damaged)


def test_a_lookup_row_whose_id_is_not_its_texts_hash_is_refused(pair, tmp_path):
    """A basis is shared by id between catalogs; a signed bundle that gives an id another text
    (so that parts would name a basis they were not attributed with) is refused by verify and merge."""
    from fieldkit.team.merge import merge_content

    amina, hq = pair
    bundle = amina.bundle(tmp_path / "a.fkb", everything=True)
    amina.use()
    secret = keys.unlock(PASSPHRASE)
    forged = resign(bundle, tmp_path / "f.fkb",
                    lambda n, d: d.replace(b"Texas Instruments", b"Analog Devices") if n == "rows/attribution_bases.jsonl" else d,
                    secret)
    report = check(hq, forged)
    (basis_id,) = {r["basis_id"] for r in amina.catalog.db["components"].rows}
    assert f"attribution_bases row '{basis_id}': its id is not the hash of its text (altered)" in report.problems

    # a forger who also rewrote the audit entries: merge itself refuses it, in one line, before any write
    report, content = read_bundle(bundle)
    assert report.ok and [r["id"] for r in content.rows["attribution_bases"]] == [basis_id]
    content.rows["attribution_bases"][0]["basis"] = "prefix LM → Analog Devices (US)"
    with pytest.raises(BundleError) as refused:
        merge_content(hq.catalog, content)
    assert str(refused.value) == (f"attribution_bases row '{basis_id}': its id is not the hash of its text (altered); "
                                  "nothing was merged")
    assert hq.catalog.db.execute("SELECT count(*) FROM attribution_bases").fetchone()[0] == 0
    assert hq.catalog.db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    assert list(hq.catalog.photo_store.rglob("*.png")) == []


def test_bulk_imported_components_are_checked_against_their_import_event(pair, tmp_path):
    """A bulk import is one audit entry; the bundle carries its per-row hashes, so each imported
    part is checked like a row with its own entry, and an edited one is named."""
    from fieldkit.components.importer import import_components

    amina, hq = pair
    ref = amina.catalog.db.execute("SELECT ref FROM items ORDER BY ref").fetchone()[0]
    sheet = tmp_path / "parts.csv"
    sheet.write_text("part_number,manufacturer\nNE555,TI\nBC547,Acme\n", encoding="utf-8")
    assert import_components(amina.catalog, ref, sheet).imported == 2
    bundle = amina.bundle(tmp_path / "a.fkb", refs=[ref])
    assert check(hq, bundle).ok
    amina.use()
    secret = keys.unlock(PASSPHRASE)
    forged = resign(bundle, tmp_path / "f.fkb",
                    lambda n, d: d.replace(b'"BC547"', b'"BC548"') if n == "rows/components.jsonl" else d, secret)
    problems = check(hq, forged).problems
    (imported_id,) = [r["id"] for r in amina.catalog.db["components"].rows if r["part_number"] == "BC547"]
    assert f"components row {imported_id} differs from its last audit entry in the bundle" in problems
    assert sum("differs from its last audit entry" in p for p in problems) == 1  # the other part is intact
    forged = resign(bundle, tmp_path / "g.fkb",
                    lambda n, d: d.replace(b'"sha256":"', b'"sha256":"0', 1) if n == "audit_rows.jsonl" else d, secret)
    assert any("the row hashes of bulk audit entry" in p for p in check(hq, forged).problems)
