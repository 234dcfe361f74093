"""The witness (issue 19, point 1): the audit head kept outside the catalog catches a rebuilt chain.

Each attack is made as an adversary with the sqlite3 shell would make it: a separate connection
to the catalog file, with the hashes recomputed so that the chain inside the file is valid.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from fieldkit.catalog import audit, items, witness
from fieldkit.catalog import components as components_core
from fieldkit.catalog.backup import backup, restore, sha256_file
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.evidence.photos import add_photos
from fieldkit.evidence.verify import verify_catalog
from fieldkit.export.csv import export_catalog
from fieldkit.locations import data_dir
from tests.photo_files import jpeg_bytes, write
from tests.tampering import shell


def run_verify(db_path, *args):
    return CliRunner().invoke(cli, ["--db", str(db_path), "verify", *args])


def rechain(path, first_seq: int = 1) -> None:
    """Recompute every audit hash from `first_seq` on, as an attacker who knows the format would."""
    conn = sqlite3.connect(path)
    columns = [*audit.AUDITED_FIELDS, "hash"]
    rows = [dict(zip(columns, r)) for r in conn.execute(f"SELECT {', '.join(columns)} FROM audit ORDER BY seq")]
    prev = audit.GENESIS
    for row in rows:
        if row["seq"] >= first_seq:
            row["prev_hash"] = prev
            row["hash"] = audit.row_hash(row)
            conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", [row["prev_hash"], row["hash"], row["seq"]])
        prev = row["hash"]
    conn.commit()
    conn.close()


@pytest.fixture
def field(db_path, tmp_path):
    """A catalog with two items, a photo of the second, and a component of the first."""
    catalog = open_catalog(db_path, actor="researcher")
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    components_core.add_component(catalog, "KHK-0001", {"part_number": "ADXL345", "country": "US"})
    items.add_item(catalog, {"ref": "KHK-0002", "category": "fuze"})
    [photo] = add_photos(catalog, "KHK-0002", [write(tmp_path / "fuze.jpg", jpeg_bytes())])
    catalog.close()
    return photo


def test_every_committed_write_appends_the_head_to_the_log_in_the_data_dir(db_path, data_dir):
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "A-1", "category": "rocket"})
    records = list(witness.read_records(data_dir / "witness.jsonl"))
    assert [r["seq"] for r in records] == [0, 1]  # the new catalog, then its first write
    assert records[-1] == {
        "catalog_id": witness.head_record(catalog)["catalog_id"], "seq": 1,
        "head": catalog.db.execute("SELECT hash FROM audit WHERE seq = 1").fetchone()[0],
        "at": records[-1]["at"], "path": str(db_path.resolve()),
    }
    with catalog.transaction():  # a transaction that changes nothing audited adds no line
        pass
    assert len(list(witness.read_records(data_dir / "witness.jsonl"))) == 2
    catalog.close()


def test_fieldkit_data_dir_names_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("FIELDKIT_DATA_DIR", str(tmp_path / "elsewhere"))
    assert data_dir() == tmp_path / "elsewhere"
    assert witness.witness_path() == tmp_path / "elsewhere" / "witness.jsonl"


def test_a_clean_catalog_agrees_with_its_witness_and_prints_a_fingerprint(db_path, field):
    result = run_verify(db_path)
    assert result.exit_code == 0, result.output
    catalog = open_catalog(db_path)
    head = witness.head_record(catalog)
    assert head["fingerprint"] == "-".join(head["head"][i:i + 4] for i in (0, 4, 8, 12))
    assert result.output.splitlines()[-1] == f"audit head: row {head['seq']}, fingerprint {head['fingerprint']}"
    assert verify_catalog(catalog).notices == []
    catalog.close()


def test_deleting_the_last_changes_with_their_rows_is_a_head_that_went_backwards(db_path, field):
    # The attack of issue 19: the last item, its photo row, link and file vanish with their audit rows.
    conn = sqlite3.connect(db_path)
    item_id = conn.execute("SELECT id FROM items WHERE ref = 'KHK-0002'").fetchone()[0]
    first_gone = conn.execute("SELECT min(seq) FROM audit WHERE row_id = ?", [item_id]).fetchone()[0]
    head_before = conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
    conn.execute("DELETE FROM item_photos")
    conn.execute("DELETE FROM photo_provenance")
    conn.execute("DELETE FROM photos")
    conn.execute("DELETE FROM items WHERE id = ?", [item_id])
    conn.execute("DELETE FROM audit WHERE seq >= ?", [first_gone])
    conn.commit()
    conn.close()
    shutil.rmtree(db_path.with_name("catalog.db.photos"), ignore_errors=True)

    catalog = open_catalog(db_path)
    report = verify_catalog(catalog)
    catalog.close()
    assert [p.kind for p in report.problems] == ["witness"]
    assert report.problems[0].detail.startswith(
        f"the audit head went backwards: the witness saw row {head_before} (fingerprint ")
    assert report.problems[0].detail.endswith(f"the catalog now ends at row {first_gone - 1}")
    assert run_verify(db_path).exit_code == 1


def test_rewriting_the_last_audit_row_with_a_recomputed_hash_is_caught(db_path, tmp_path):
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    saved = components_core.add_component(catalog, "KHK-0001", {"part_number": "ADXL345", "country": "US"})
    catalog.close()
    component_id = saved.row["id"]
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE components SET country = 'KP' WHERE id = ?", [component_id])
    seq, after = conn.execute("SELECT seq, after_json FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    conn.execute("UPDATE audit SET after_json = ? WHERE seq = ?", [after.replace('"country":"US"', '"country":"KP"'), seq])
    conn.commit()
    conn.close()
    rechain(db_path, seq)

    catalog = open_catalog(db_path)
    assert audit.check_chain(catalog.db) == [] and audit.check_state(catalog.db) == []  # the file alone looks intact
    [problem] = verify_catalog(catalog).problems
    catalog.close()
    assert problem.kind == "witness"
    assert problem.detail.startswith(f"audit row {seq} differs from what the witness saw (fingerprint ")


def test_re_chaining_the_whole_log_from_row_one_is_caught(db_path, field):
    shell(db_path, "UPDATE audit SET actor = 'someone else'")
    rechain(db_path)
    catalog = open_catalog(db_path)
    assert audit.check_chain(catalog.db) == []
    [problem] = verify_catalog(catalog).problems
    catalog.close()
    assert problem.detail.startswith("audit row 1 differs from what the witness saw")
    assert "witnessed heads do not match" in problem.detail


def test_another_catalog_put_in_place_of_the_witnessed_one_is_a_catalog_id_mismatch(db_path, field, tmp_path):
    witnessed_id = json.loads(witness.witness_path().read_text().splitlines()[-1])["catalog_id"]
    shell(db_path, "UPDATE catalog_meta SET value = '00000000-0000-4000-8000-000000000000' WHERE key = 'catalog_id'")
    catalog = open_catalog(db_path)
    details = [p.detail for p in verify_catalog(catalog).problems]
    catalog.close()
    assert details == [
        f"catalog id mismatch: the witness last saw catalog {witnessed_id} here "
        + details[0].split(" here ", 1)[1]
    ]
    assert details[0].endswith("this file is catalog 00000000-0000-4000-8000-000000000000")


def test_the_head_travels_in_backups_and_exports_and_verify_checks_against_them(db_path, field, tmp_path, data_dir):
    catalog = open_catalog(db_path)
    head = witness.head_record(catalog)
    backup(catalog, tmp_path / "usb")
    export_catalog(catalog, tmp_path / "export")
    catalog.close()
    for folder in ("usb", "export"):
        record = json.loads((tmp_path / folder / "audit-head.json").read_text())
        assert record == {  # the head only: no time, no local path, so an export is reproducible
            k: head[k] for k in ("catalog_id", "seq", "head", "fingerprint")}
    assert "audit-head.json" in (tmp_path / "usb" / "SHA256SUMS").read_text()

    # the attacker also wipes the witness log: the backup's head still catches the rollback
    shell(db_path, "DELETE FROM item_photos", "DELETE FROM audit WHERE table_name = 'item_photos'")
    witness.witness_path().unlink()
    assert run_verify(db_path).exit_code == 0  # nothing local is left to tell
    result = run_verify(db_path, "--witness", str(tmp_path / "usb"), "--witness", str(tmp_path / "export"))
    assert result.exit_code == 1
    assert result.output.count(f"witness: the audit head went backwards: the witness saw row {head['seq']}") == 2


def test_a_restored_backup_that_goes_its_own_way_is_a_note_not_a_problem(db_path, field, tmp_path):
    catalog = open_catalog(db_path)
    backup(catalog, tmp_path / "usb")
    items.add_item(catalog, {"ref": "KHK-0003", "category": "casing"})  # the original goes on
    catalog.close()
    restore(tmp_path / "usb", tmp_path / "restored.db")
    restored = open_catalog(tmp_path / "restored.db")
    items.add_item(restored, {"ref": "KHK-0004", "category": "casing"})  # and so does the copy
    report = verify_catalog(restored)
    restored.close()
    assert report.ok, report.problems
    [note] = report.notices
    assert note.kind == "witness" and note.detail.startswith(f"a copy of this catalog at {db_path.resolve()} was at row")


def test_a_write_still_commits_when_the_witness_log_cannot_be_written(db_path, data_dir):
    (data_dir / "witness.jsonl").mkdir()  # a folder where the log should be: no write can land
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "A-1", "category": "rocket"})
    assert items.find_item(catalog, "A-1") is not None
    (data_dir / "witness.jsonl").rmdir()  # the log is lost: the head is not witnessed, which is said
    report = verify_catalog(catalog)
    catalog.close()
    assert report.ok
    assert [n.detail for n in report.notices] == [
        "the audit head (row 1) is not in the witness log; it was written by a program other than "
        "fieldkit, or the log was lost or could not be written"]


def test_a_witness_log_that_cannot_be_read_is_a_problem(db_path, data_dir):
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "A-1", "category": "rocket"})
    witness.witness_path().unlink()
    witness.witness_path().mkdir()
    [problem] = verify_catalog(catalog).problems
    catalog.close()
    assert problem.kind == "witness" and problem.detail.endswith("witness.jsonl cannot be read (Is a directory)")


def test_a_symlink_in_place_of_the_witness_log_is_not_followed(db_path, data_dir, tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious\n")
    (data_dir / "witness.jsonl").symlink_to(target)
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "A-1", "category": "rocket"})
    catalog.close()
    assert target.read_text() == "precious\n"


def test_a_signature_will_cover_the_canonical_payload_of_a_record(db_path, field):
    catalog = open_catalog(db_path)
    record = witness.head_record(catalog)
    catalog.close()
    assert witness.payload(record) == json.dumps(
        [record["catalog_id"], record["seq"], record["head"], record["at"], record["path"]],
        separators=(",", ":")).encode("ascii")
    assert witness.payload(record | {"sig": "x", "key": "y"}) == witness.payload(record)


def test_a_fresh_copy_of_the_example_is_a_new_catalog_not_the_last_copy_gone_backwards(tmp_path):
    """Issue 14 (researcher-day) keeps the example copy: asking again reopens it, work and id kept.
    Only when that copy is gone is a fresh one made, and it is a new catalog, not the old copy gone
    backwards."""
    from fieldkit.tui.app import make_app

    app = make_app(tmp_path / "empty.db", actor="tester", offer_example=False)
    first = app.open_example_copy()
    items.add_item(first, {"ref": "PLAY-1", "category": "rocket"})  # the researcher tries things out
    first_id = witness.head_record(first)["catalog_id"]
    first.close()
    again = app.open_example_copy()  # asked for again: the same copy, with the work done in it
    assert items.find_item(again, "PLAY-1") is not None
    assert witness.head_record(again)["catalog_id"] == first_id
    assert verify_catalog(again).ok
    again.close()
    for suffix in ("", "-wal", "-shm"):  # the copy removed: the next one is a fresh copy at the same path
        Path(str(app.example_copy_path()) + suffix).unlink(missing_ok=True)
    second = app.open_example_copy()
    report = verify_catalog(second)
    assert witness.head_record(second)["catalog_id"] != first_id
    assert items.find_item(second, "PLAY-1") is None
    second.close()
    app.catalog.close()
    assert report.ok, [p.detail for p in report.problems]


def test_a_head_noted_in_a_notebook_is_checked(db_path, field):
    catalog = open_catalog(db_path)
    head = witness.head_record(catalog)
    catalog.close()
    noted = f"{head['seq']}:{head['fingerprint']}"
    assert run_verify(db_path, "--witness", noted).exit_code == 0
    assert run_verify(db_path, "--witness", f"row {head['seq']}, fingerprint {head['fingerprint'].upper()}").exit_code == 0
    shell(db_path, "DELETE FROM item_photos", "DELETE FROM audit WHERE table_name = 'item_photos'")
    witness.witness_path().unlink()
    result = run_verify(db_path, "--witness", noted)
    assert result.exit_code == 1
    assert (f"witness: the head you noted (row {head['seq']}, fingerprint {head['fingerprint']}) is not in this "
            f"catalog: row {head['seq']} is missing") in result.output


def test_a_witness_that_is_neither_a_folder_nor_a_noted_head_is_one_line_exit_2(db_path, field):
    result = CliRunner().invoke(cli, ["--db", str(db_path), "verify", "--witness", "6:zzzz\x1b]0;x"])
    assert result.exit_code == 2
    assert result.output == ("error: --witness 6:zzzz\\x1b]0;x: no such folder or file, and not ROW:FINGERPRINT "
                             "(e.g. 6:3f9a-c21b-77e0-12ab); give a backup or export folder or a noted head\n")


def test_restore_checks_the_catalog_against_the_head_its_backup_recorded(db_path, field, tmp_path):
    catalog = open_catalog(db_path)
    backup(catalog, tmp_path / "usb")
    catalog.close()
    shell(tmp_path / "usb" / "catalog.db",  # the backup's catalog rolled back by one change
          "DELETE FROM item_photos", "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    sums = tmp_path / "usb" / "SHA256SUMS"  # and its line in SHA256SUMS rewritten to match, as an attacker would
    lines = sums.read_text().splitlines()
    lines[0] = f"{sha256_file(tmp_path / 'usb' / 'catalog.db')}  catalog.db"
    sums.write_text("\n".join(lines) + "\n")
    report = restore(tmp_path / "usb", tmp_path / "restored.db")
    assert any(p.startswith("witness: the audit head went backwards") for p in report.problems), report.problems


def test_a_catalog_whose_path_is_not_valid_utf8_is_witnessed_like_any_other(tmp_path):
    folder = tmp_path / os.fsdecode(b"caf\xe9")  # a Latin-1 folder name on a UTF-8 system
    catalog = open_catalog(folder / "catalog.db")
    items.add_item(catalog, {"ref": "A-1", "category": "rocket"})
    [record] = [r for r in witness.read_records(witness.witness_path()) if r["seq"] == 1]
    assert record["path"] == str((folder / "catalog.db").resolve())
    report = verify_catalog(catalog)
    catalog.close()
    assert report.ok and report.notices == []
