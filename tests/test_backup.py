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


def test_restore_reports_a_photo_missing_from_the_backup_and_leaves_the_backup_untouched(catalog, tmp_path):
    sha = put_photo(catalog, b"\xff\xd8 original")
    catalog.db.conn.execute("BEGIN")
    catalog.db["photos"].insert({"id": "p1", "sha256": sha, "stored_path": f"{sha[:2]}/{sha}.jpg", "size": 10, "added_at": "now"})
    catalog.db.conn.commit()
    backup(catalog, tmp_path / "bk")
    stored = tmp_path / "bk" / "catalog.db.photos" / sha[:2] / f"{sha}.jpg"
    stored.chmod(0o644)
    stored.unlink()
    before = (tmp_path / "bk" / "catalog.db").read_bytes()
    report = restore(tmp_path / "bk", tmp_path / "restored.db")
    assert any("missing" in problem for problem in report.problems)
    assert (tmp_path / "bk" / "catalog.db").read_bytes() == before
