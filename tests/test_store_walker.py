"""One walker of the photo store (fieldkit.evidence.store.walk) serves verify, which reports what it
finds, and backup, which refuses it: both see the same kinds, and neither follows a link."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner

from fieldkit.catalog import items
from fieldkit.catalog.backup import backup
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.errors import FieldkitError
from fieldkit.evidence import store as store_walker
from fieldkit.evidence.photos import add_photos
from fieldkit.evidence.verify import verify_catalog
from tests.photo_files import jpeg_bytes, write


def test_walk_yields_each_entry_s_kind_without_following_links(tmp_path):
    store = tmp_path / "store"
    (store / "ab" / "deep").mkdir(parents=True)
    (store / "ab" / "f.jpg").write_bytes(b"x")
    (store / "ab" / "deep" / "g").write_bytes(b"y")
    (store / "ab" / "link").symlink_to(tmp_path)  # a link to a folder: never entered
    os.mkfifo(store / "pipe")
    kinds = {e.relpath: (e.kind, e.depth) for e in store_walker.walk(store)}
    assert kinds == {"ab": ("folder", 0), "ab/deep": ("folder", 1), "ab/deep/g": ("file", 2),
                     "ab/f.jpg": ("file", 1), "ab/link": ("symlink", 1), "pipe": ("other", 0)}
    shallow = [e.relpath for e in store_walker.walk(store, descend=lambda e: e.depth == 0)]
    assert "ab/deep/g" not in shallow and "ab/deep" in shallow
    assert list(store_walker.walk(tmp_path / "none")) == []


@pytest.fixture
def catalog_with_photo(db_path, tmp_path):
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "KHK-0001", "category": "fuze"})
    add_photos(catalog, "KHK-0001", [write(tmp_path / "p.jpg", jpeg_bytes())])
    yield catalog
    catalog.close()


def test_a_photo_store_that_is_itself_a_symlink_is_reported_by_verify_and_refused_by_backup(catalog_with_photo, tmp_path):
    catalog = catalog_with_photo
    store = catalog.photo_store
    moved = tmp_path / "elsewhere"
    shutil.copytree(store, moved, symlinks=True)
    shutil.rmtree(store, ignore_errors=True)
    if store.exists():  # the originals are read-only: make the folders writable to remove them
        for folder in [store, *store.iterdir()]:
            folder.chmod(0o755)
        shutil.rmtree(store)
    store.symlink_to(moved, target_is_directory=True)
    problems = verify_catalog(catalog).problems
    assert [(p.kind, p.detail) for p in problems] == [
        ("symlink", f"the photo store {store} is a symlink (to {moved}); it must be a folder of originals")]
    with pytest.raises(FieldkitError, match="is a symlink, not a folder of originals"):
        backup(catalog, tmp_path / "usb")
    assert not (tmp_path / "usb").exists()


def test_verify_and_backup_use_the_one_walker(catalog_with_photo, tmp_path, monkeypatch):
    walked = []
    real = store_walker.walk

    def spy(store, *args, **kwargs):
        walked.append(store)
        return real(store, *args, **kwargs)

    monkeypatch.setattr(store_walker, "walk", spy)
    import fieldkit.catalog.backup as backup_module
    import fieldkit.evidence.verify as verify_module

    monkeypatch.setattr(verify_module, "walk", spy)
    monkeypatch.setattr(backup_module, "walk", spy)
    assert verify_catalog(catalog_with_photo).ok
    backup(catalog_with_photo, tmp_path / "usb")
    assert walked == [catalog_with_photo.photo_store] * 2


def test_a_symlink_deep_in_a_foreign_folder_is_refused_by_backup_and_the_folder_reported_by_verify(
        catalog_with_photo, db_path, tmp_path):
    nested = catalog_with_photo.photo_store / "notes" / "inner"
    nested.mkdir(parents=True)
    (nested / "key").symlink_to("/etc/hostname")
    result = CliRunner().invoke(cli, ["--db", str(db_path), "verify"])
    assert "foreign: notes is a folder that does not belong in the photo store" in result.output
    result = CliRunner().invoke(cli, ["--db", str(db_path), "backup", str(tmp_path / "usb")])
    assert result.exit_code == 2
    assert result.output.strip().endswith("inner/key in the photo store is a symlink; a backup copies only originals; "
                                          "run `fieldkit verify` (nothing was backed up)")
