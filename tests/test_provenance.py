"""Photo provenance at ingest: C2PA Content Credentials read and validated, and notes on edited EXIF.

The signed test images are made here with c2pa-python's own Builder and Signer, under a test
certificate authority generated with `cryptography`: nothing is downloaded.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import c2pa
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.evidence import provenance
from fieldkit.evidence.photos import add_photos
from fieldkit.evidence.verify import verify_catalog
from tests.photo_files import jpeg_bytes

SIGNER = "Test Camera Signer"
GENERATOR = "fieldkit-test-camera"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fieldkit test CA")])


def make_signer() -> tuple[c2pa.Signer, str]:
    """A C2PA signer with a fresh test CA; returns it and the CA certificate (PEM) to trust."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("fieldkit test root")).issuer_name(_name("fieldkit test root"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(_name(SIGNER)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = lambda cert: cert.public_bytes(serialization.Encoding.PEM)  # noqa: E731
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", pem(leaf) + pem(ca), key_pem, None))
    return signer, pem(ca).decode("ascii")


def sign(image: bytes, signer: c2pa.Signer) -> bytes:
    manifest = {
        "claim_generator_info": [{"name": GENERATOR, "version": "1.0"}],
        "title": "DSC_0001.jpg", "format": "image/jpeg",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [{
            "action": "c2pa.created", "when": "2024-01-03T12:05:22Z",
            "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}],
    }
    out = io.BytesIO()
    with c2pa.Builder(manifest) as builder:
        builder.sign(signer, "image/jpeg", io.BytesIO(image), out)
    return out.getvalue()


@pytest.fixture(scope="module")
def signed():
    signer, ca = make_signer()
    with signer:
        return sign(jpeg_bytes(seed=7, size=(96, 64)), signer), ca


def flip_a_pixel_byte(jpeg: bytes) -> bytes:
    """The same file with one byte of its compressed pixel data changed."""
    at = jpeg.rfind(b"\xff\xda") + 30  # inside the entropy-coded scan, after the last start-of-scan header
    altered = bytearray(jpeg)
    altered[at] ^= 0x01
    return bytes(altered)


def test_a_signed_photo_from_a_trusted_signer_reads_as_trusted_with_signer_and_generator(signed):
    data, ca = signed
    result = provenance.read_c2pa(data, "JPEG", anchors=ca)
    assert result["status"] == "trusted"
    assert result["signer"] == SIGNER
    assert result["claim_generator"].startswith(f"{GENERATOR} 1.0")
    assert result["capture_time"] == "2024-01-03T12:05:22Z"
    assert result["codes"] == []


def test_an_unknown_signer_is_reported_as_not_trusted_though_the_signature_is_valid(signed):
    data, _ = signed
    result = provenance.read_c2pa(data, "JPEG", anchors=None)
    assert result["status"] == "valid" and result["untrusted"]
    assert "signer NOT trusted" in provenance.status_line({"c2pa": result, "exif_notes": []})


def test_one_changed_pixel_byte_makes_the_credentials_invalid(signed):
    data, ca = signed
    altered = flip_a_pixel_byte(data)
    with Image.open(io.BytesIO(altered)) as img:
        img.load()  # still a decodable photo
    result = provenance.read_c2pa(altered, "JPEG", anchors=ca)
    assert result["status"] == "invalid"
    assert "assertion.dataHash.mismatch" in result["codes"]
    assert provenance.status_line({"c2pa": result, "exif_notes": []}).startswith("Content Credentials INVALID")


def test_a_plain_jpeg_has_no_credentials():
    assert provenance.read_c2pa(jpeg_bytes(), "JPEG")["status"] == "none"
    assert provenance.status_line({"c2pa": {"status": "none"}, "exif_notes": []}) == "no Content Credentials"


def test_edited_exif_is_a_note_never_a_verdict():
    edited = {"image": {"Software": "Adobe Photoshop 25.0", "DateTime": "2024:02:01 10:00:00"},
              "exif": {"DateTimeOriginal": "2024:01:03 14:05:22"}}
    notes = provenance.exif_notes(edited)
    assert any("Adobe Photoshop 25.0" in n for n in notes)
    assert any("differs from capture time" in n for n in notes)
    assert provenance.exif_notes({"exif": {"DateTimeOriginal": "2024:01:03 14:05:22"}}) == []


def test_ingest_records_provenance_shown_by_photo_list_json_and_kept_by_verify(signed, tmp_path, monkeypatch):
    data, ca = signed
    monkeypatch.setattr(provenance, "trust_anchors", lambda: ca)
    (tmp_path / "signed.jpg").write_bytes(data)
    (tmp_path / "plain.jpg").write_bytes(jpeg_bytes(seed=3))
    db = tmp_path / "c.db"
    catalog = open_catalog(db, actor="t")
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    results = add_photos(catalog, "KHK-0001", [tmp_path / "signed.jpg", tmp_path / "plain.jpg"])
    assert all(r.ok for r in results)
    assert verify_catalog(catalog).ok  # the provenance rows are audited like every other row
    audited = catalog.db.execute("SELECT count(*) FROM audit WHERE table_name = 'photo_provenance'").fetchone()[0]
    catalog.close()
    assert audited == 2
    result = CliRunner().invoke(cli, ["--db", str(db), "photo", "list", "KHK-0001", "--json"])
    assert result.exit_code == 0
    by_name = {p["original_name"]: p["provenance"] for p in json.loads(result.output)}
    assert by_name["signed.jpg"]["c2pa"]["status"] == "trusted"
    assert by_name["signed.jpg"]["c2pa"]["signer"] == SIGNER
    assert by_name["plain.jpg"]["c2pa"]["status"] == "none"


def test_photos_ingested_before_provenance_was_read_can_be_examined_later(tmp_path):
    from tests.report_fixtures import example_copy_without_provenance

    db = example_copy_without_provenance(tmp_path)  # as if its photos were ingested before migration m017
    result = CliRunner().invoke(cli, ["--db", str(db), "photo", "provenance", "KHK-0001"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2 and all(line.endswith("no Content Credentials") for line in lines)
    catalog = open_catalog(db, actor="t")
    try:
        assert catalog.db["photo_provenance"].count == 2
        assert verify_catalog(catalog).ok
    finally:
        catalog.close()
    again = CliRunner().invoke(cli, ["--db", str(db), "photo", "provenance", "KHK-0001"])
    assert again.output == result.output  # read once; the second call only shows what is recorded
