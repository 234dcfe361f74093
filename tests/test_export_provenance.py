"""`export csv` writes photo_provenance.csv: per photo, what its own provenance said when read,
named by the photo's SHA-256 and its items' refs, readable, guarded like every exported cell."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.evidence import provenance
from fieldkit.evidence.photos import add_photos
from fieldkit.export.csv import export_catalog, restore_cell
from tests.photo_files import jpeg_bytes
from tests.tampering import shell
from tests.test_provenance import SIGNER, signed  # noqa: F401 (a fixture)


def rows_of(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_photo_provenance_csv_holds_each_photo_s_credentials_and_its_items(signed, tmp_path, monkeypatch):  # noqa: F811
    data, ca = signed
    monkeypatch.setattr(provenance, "trust_anchors", lambda: ca)
    (tmp_path / "signed.jpg").write_bytes(data)
    (tmp_path / "plain.jpg").write_bytes(jpeg_bytes(seed=3))
    catalog = open_catalog(tmp_path / "c.db", actor="t")
    items.add_item(catalog, {"ref": "KHK-0002", "category": "fuze"})
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    [signed_photo, plain_photo] = add_photos(catalog, "KHK-0001", [tmp_path / "signed.jpg", tmp_path / "plain.jpg"])
    add_photos(catalog, "KHK-0002", [tmp_path / "signed.jpg"])
    result = export_catalog(catalog, tmp_path / "out", full=True)
    catalog.close()
    assert result.files["photo_provenance.csv"] == 2
    by_sha = {r["photo_sha256"]: r for r in rows_of(tmp_path / "out" / "photo_provenance.csv")}
    one = by_sha[signed_photo.sha256]
    assert (one["item_refs"], one["c2pa_status"], one["signer"]) == ("KHK-0001 KHK-0002", "trusted", SIGNER)
    assert one["exif_edited"] in ("yes", "no", "") and one["checked_at"]
    assert json.loads(one["result_json"])["c2pa"]["status"] == "trusted"
    assert by_sha[plain_photo.sha256]["c2pa_status"] == "none"
    assert "photo_provenance.csv, one row per photo" in (tmp_path / "out" / "README.txt").read_text()


def test_a_hostile_signer_name_is_guarded_and_restores_exactly(tmp_path):
    db = tmp_path / "c.db"
    (tmp_path / "p.jpg").write_bytes(jpeg_bytes(seed=5))
    catalog = open_catalog(db, actor="t")
    items.add_item(catalog, {"ref": "KHK-0001", "category": "fuze"})
    add_photos(catalog, "KHK-0001", [tmp_path / "p.jpg"])
    catalog.close()
    shell(db, "UPDATE photo_provenance SET signer = '=HYPERLINK(\"http://x\")'")  # another program wrote it
    result = CliRunner().invoke(cli, ["--db", str(db), "export", "csv", str(tmp_path / "out")])
    assert "photo_provenance.csv (1 row)" in result.output
    [row] = rows_of(tmp_path / "out" / "photo_provenance.csv")
    assert row["signer"] == "'=HYPERLINK(\"http://x\")" and restore_cell(row["signer"]) == '=HYPERLINK("http://x")'
    assert "result_json" not in row  # only with --full
