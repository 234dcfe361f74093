"""Backup and restore: a consistent copy of the catalog and every photo original, verified by hash."""

from __future__ import annotations

import hashlib
import subprocess

import pytest
from click.testing import CliRunner

from fieldkit.catalog import audit, items
from fieldkit.catalog.backup import backup, restore
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.errors import FieldkitError


def put_photo(catalog, data: bytes) -> str:
    """A stored original as the photo store holds it (content-addressed, read-only)."""
    sha = hashlib.sha256(data).hexdigest()
    path = catalog.photo_store / sha[:2] / f"{sha}.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o444)
    return sha


def test_backup_then_restore_gives_the_same_catalog_and_photos(catalog, tmp_path):
    items.add_item(catalog, {"category": "rocket", "designation": "9M22U"})
    sha = put_photo(catalog, b"\xff\xd8 a photo original")
    report = backup(catalog, tmp_path / "bk")
    assert report.photos == 1 and report.problems == []
    sums = (tmp_path / "bk" / "SHA256SUMS").read_text()
    assert sha in sums
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "bk", capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    restored = restore(tmp_path / "bk", tmp_path / "restored.db")
    copy = open_catalog(restored.catalog)
    assert [r["designation"] for r in items.list_items(copy)] == ["9M22U"]
    assert audit.check_chain(copy.db) == [] and audit.check_state(copy.db) == []
    assert (copy.photo_store / sha[:2] / f"{sha}.jpg").read_bytes() == b"\xff\xd8 a photo original"


def test_a_backup_copy_that_does_not_match_its_hash_is_reported(catalog, tmp_path):
    sha = put_photo(catalog, b"original")
    stored = catalog.photo_store / sha[:2] / f"{sha}.jpg"
    stored.chmod(0o644)
    stored.write_bytes(b"altered")
    report = backup(catalog, tmp_path / "bk")
    assert len(report.problems) == 1 and sha[:2] in report.problems[0]


def test_backup_refuses_a_folder_that_is_not_empty(catalog, tmp_path):
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "something").write_text("x")
    with pytest.raises(FieldkitError, match="not empty"):
        backup(catalog, tmp_path / "bk")


def test_restore_never_overwrites_an_existing_catalog(catalog, tmp_path, db_path):
    backup(catalog, tmp_path / "bk")
    with pytest.raises(FieldkitError, match="already exists"):
        restore(tmp_path / "bk", db_path)


def test_the_cli_backs_up_and_restores(db_path, tmp_path):
    runner = CliRunner()
    runner.invoke(cli, ["--db", str(db_path), "item", "add", "--category", "shell"])
    result = runner.invoke(cli, ["--db", str(db_path), "backup", str(tmp_path / "bk")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["restore", str(tmp_path / "bk"), "--to", str(tmp_path / "new.db")])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(cli, ["--db", str(tmp_path / "new.db"), "item", "list", "--json"])
    assert '"category": "shell"' in listed.output


def test_restore_refuses_a_backup_with_a_photo_missing_and_leaves_the_backup_untouched(catalog, tmp_path):
    sha = put_photo(catalog, b"\xff\xd8 original")
    catalog.db.conn.execute("BEGIN")
    catalog.db["photos"].insert({"id": "p1", "sha256": sha, "stored_path": f"{sha[:2]}/{sha}.jpg", "size": 10, "added_at": "now"})
    catalog.db.conn.commit()
    backup(catalog, tmp_path / "bk")
    stored = tmp_path / "bk" / "catalog.db.photos" / sha[:2] / f"{sha}.jpg"
    stored.chmod(0o644)
    stored.unlink()
    before = (tmp_path / "bk" / "catalog.db").read_bytes()
    with pytest.raises(FieldkitError, match="missing from the backup"):
        restore(tmp_path / "bk", tmp_path / "restored.db")
    assert (tmp_path / "bk" / "catalog.db").read_bytes() == before
    assert not (tmp_path / "restored.db").exists() and not (tmp_path / "restored.db.photos").exists()


# Issue 19, points 5-7, and issue 14, point 19: backups and restores that never change or lie -----------


def stored_photo(catalog, tmp_path, seed: int = 1) -> str:
    from fieldkit.evidence.photos import add_photos
    from tests.stress.harness import noise_jpeg

    if not items.list_items(catalog):
        items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    result, = add_photos(catalog, "EX-1", [noise_jpeg(tmp_path / f"p{seed}.jpg", seed)])
    return result.stored_path


def test_backup_fails_and_keeps_nothing_when_a_photo_original_is_missing(catalog, tmp_path):
    relpath = stored_photo(catalog, tmp_path)
    (catalog.photo_store / relpath).unlink()
    with pytest.raises(FieldkitError, match="missing from the photo store") as caught:
        backup(catalog, tmp_path / "bk")
    assert "EX-1" in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "bk").exists()


def test_backup_fails_when_a_store_subfolder_is_replaced_by_a_symlink(catalog, tmp_path):
    relpath = stored_photo(catalog, tmp_path)
    folder = catalog.photo_store / relpath.split("/")[0]
    elsewhere = tmp_path / "elsewhere"
    folder.rename(elsewhere)
    folder.symlink_to(elsewhere)
    result = CliRunner().invoke(cli, ["--db", str(catalog.path), "backup", str(tmp_path / "bk")])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "symlink" in result.output and len(result.output.splitlines()) == 1
    assert not (tmp_path / "bk").exists()


def test_backup_fails_on_a_symlinked_file_in_the_store(catalog, tmp_path):
    stored_photo(catalog, tmp_path)
    (tmp_path / "secret").write_text("not evidence")
    (catalog.photo_store / "ab").mkdir(exist_ok=True)
    (catalog.photo_store / "ab" / ("ab" * 32 + ".jpg")).symlink_to(tmp_path / "secret")
    with pytest.raises(FieldkitError, match="symlink"):
        backup(catalog, tmp_path / "bk")
    assert not (tmp_path / "bk").exists()


def test_restore_refuses_a_backup_whose_catalog_no_longer_matches_its_sha256sums(catalog, tmp_path):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    backup(catalog, tmp_path / "bk")
    import sqlite3

    conn = sqlite3.connect(tmp_path / "bk" / "catalog.db")  # an edit that leaves a valid catalog
    conn.execute("UPDATE items SET category = 'shell'")
    conn.commit()
    conn.close()
    with pytest.raises(FieldkitError, match="catalog.db no longer matches SHA256SUMS"):
        restore(tmp_path / "bk", tmp_path / "restored.db")
    assert not (tmp_path / "restored.db").exists()


def test_restore_refuses_a_photo_that_was_swapped_or_added(catalog, tmp_path):
    relpath = stored_photo(catalog, tmp_path)
    backup(catalog, tmp_path / "bk")
    copy = tmp_path / "bk" / "catalog.db.photos" / relpath
    copy.chmod(0o644)
    copy.write_bytes(b"\xff\xd8 another photo")
    with pytest.raises(FieldkitError, match="no longer matches"):
        restore(tmp_path / "bk", tmp_path / "r1.db")
    copy.unlink()
    (tmp_path / "bk" / "SHA256SUMS").write_text(
        "\n".join(line for line in (tmp_path / "bk" / "SHA256SUMS").read_text().splitlines() if relpath not in line) + "\n")
    (tmp_path / "bk" / "catalog.db.photos" / "zz").mkdir()
    (tmp_path / "bk" / "catalog.db.photos" / "zz" / "planted.jpg").write_bytes(b"x")
    with pytest.raises(FieldkitError, match="not in SHA256SUMS"):
        restore(tmp_path / "bk", tmp_path / "r2.db")


def test_restore_refuses_a_backup_without_sha256sums_or_with_a_line_leaving_it(catalog, tmp_path):
    backup(catalog, tmp_path / "bk")
    sums = (tmp_path / "bk" / "SHA256SUMS").read_text()
    (tmp_path / "bk" / "SHA256SUMS").write_text(sums + "0" * 64 + "  ../../etc/passwd\n")
    with pytest.raises(FieldkitError, match="not a line of a fieldkit backup"):
        restore(tmp_path / "bk", tmp_path / "r1.db")
    (tmp_path / "bk" / "SHA256SUMS").unlink()
    with pytest.raises(FieldkitError, match="holds no SHA256SUMS"):
        restore(tmp_path / "bk", tmp_path / "r2.db")


def test_restore_to_a_file_reports_the_file_it_wrote(db_path, tmp_path):
    runner = CliRunner()
    runner.invoke(cli, ["--db", str(db_path), "item", "add", "--category", "shell"])
    assert runner.invoke(cli, ["--db", str(db_path), "backup", str(tmp_path / "bk")]).exit_code == 0
    result = runner.invoke(cli, ["restore", str(tmp_path / "bk"), "--to", str(tmp_path / "new" / "field.db")])
    assert result.exit_code == 0, result.output
    assert f"restored the catalog to {tmp_path / 'new' / 'field.db'} " in result.output


def test_a_backup_that_fails_in_the_database_copy_names_the_destination_disk_and_can_be_retried(
        catalog, tmp_path, monkeypatch):
    """The first write of a backup is SQLite's: a full destination disk raises sqlite3.Error there."""
    import sqlite3

    from fieldkit.catalog import backup as backup_module

    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    real = backup_module._copy_database

    def full(source, target):
        target.write_bytes(b"")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup_module, "_copy_database", full)
    with pytest.raises(FieldkitError) as caught:
        backup(catalog, tmp_path / "usb" / "bk")
    message = str(caught.value)
    assert f"the disk holding {tmp_path / 'usb' / 'bk'} is full" in message and str(catalog.path) not in message
    assert not (tmp_path / "usb" / "bk").exists()
    monkeypatch.setattr(backup_module, "_copy_database", real)
    assert backup(catalog, tmp_path / "usb" / "bk").problems == []


def test_a_restore_that_fails_part_way_leaves_nothing_that_blocks_a_retry(catalog, tmp_path, monkeypatch):
    import errno

    from fieldkit.catalog import backup as backup_module

    stored_photo(catalog, tmp_path)
    backup(catalog, tmp_path / "bk")
    real = backup_module._copy_store

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup_module, "_copy_store", full)
    with pytest.raises(FieldkitError, match="the disk holding .*restored.db is full"):
        restore(tmp_path / "bk", tmp_path / "restored.db")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("restored")]
    monkeypatch.setattr(backup_module, "_copy_store", real)
    assert restore(tmp_path / "bk", tmp_path / "restored.db").problems == []


def test_backup_and_restore_say_1_photo_original_not_1_photo_originals(tmp_path):
    from fieldkit.catalog.backup import CopyReport

    assert "and 1 photo original to" in CopyReport(tmp_path / "bk" / "catalog.db", 1, []).describe()
    assert "and 1 photo original," in CopyReport(tmp_path / "r.db", 1, [], restored=True).describe()
    assert "and 2 photo originals to" in CopyReport(tmp_path / "bk" / "catalog.db", 2, []).describe()
    assert "with 1 problem:" in CopyReport(tmp_path / "bk" / "catalog.db", 2, ["x"]).describe()


def test_a_backup_or_restore_cancelled_part_way_keeps_nothing_and_says_it_was_cancelled(catalog, tmp_path):
    """The app's cancel comes as InterruptedError from `progress`: what was written goes, and the cancel
    passes on as itself (not as a disk failure)."""
    stored_photo(catalog, tmp_path, 1)
    stored_photo(catalog, tmp_path, 2)

    def escape(done: int, total: int) -> None:
        raise InterruptedError("cancelled")

    with pytest.raises(InterruptedError):
        backup(catalog, tmp_path / "bk", progress=escape)
    assert not (tmp_path / "bk").exists()
    backup(catalog, tmp_path / "bk")
    with pytest.raises(InterruptedError):
        restore(tmp_path / "bk", tmp_path / "restored.db", progress=escape)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("restored")]
