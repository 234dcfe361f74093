"""The photo store is a closed room (issue 19, points 8-10): paths from the hash, no symlinks, no exports inside."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from fieldkit.catalog import items
from fieldkit.catalog.backup import backup, restore
from fieldkit.cli import cli
from fieldkit.errors import FieldkitError, PhotoError
from fieldkit.evidence.photos import add_photos, sha256_file, stored_file, stored_relpath
from fieldkit.evidence.verify import verify_catalog
from fieldkit.export.csv import export_catalog
from tests.photo_files import jpeg_bytes, png_bytes, write
from tests.tampering import shell


@pytest.fixture
def one_photo(catalog, tmp_path):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    [result] = add_photos(catalog, "EX-1", [write(tmp_path / "a.jpg", jpeg_bytes())])
    return result


def point_row_outside(db_path, sha256, relpath):
    shell(db_path, ("UPDATE photos SET stored_path = ? WHERE sha256 = ?", [relpath, sha256]))


# point 8: stored_path ---------------------------------------------------------------------


def test_a_stored_path_that_leaves_the_store_is_reported_and_never_opened(catalog, db_path, one_photo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.link(catalog.photo_store / one_photo.stored_path, outside / "copy.jpg")  # the right bytes, outside
    point_row_outside(db_path, one_photo.sha256, "../outside/copy.jpg")
    report = verify_catalog(catalog)
    kinds = [p.kind for p in report.problems]
    assert "path" in kinds
    [path_problem] = [p for p in report.problems if p.kind == "path"]
    assert path_problem.detail.startswith("the photo row's stored path ../outside/copy.jpg is not the store's name")
    assert path_problem.items == ("EX-1",)
    assert report.bytes_hashed == 0  # not hashed: never opened
    photo = catalog.db.execute("SELECT * FROM photos").fetchone()
    row = dict(zip([d[0] for d in catalog.db.execute("SELECT * FROM photos").description], photo))
    with pytest.raises(PhotoError, match="refused"):
        stored_file(catalog, row)


def test_photo_add_never_writes_to_a_stored_path_outside_the_store(catalog, db_path, one_photo, tmp_path):
    (catalog.photo_store / one_photo.stored_path).chmod(0o600)
    (catalog.photo_store / one_photo.stored_path).unlink()  # so that fieldkit would put it back
    point_row_outside(db_path, one_photo.sha256, "../../planted.jpg")
    [result] = add_photos(catalog, "EX-1", [write(tmp_path / "again.jpg", jpeg_bytes())])
    assert not result.ok and "refused" in result.error
    assert not (tmp_path / "planted.jpg").exists() and not (tmp_path.parent / "planted.jpg").exists()


def test_restore_refuses_a_backup_whose_catalog_names_a_path_outside_its_store(catalog, db_path, one_photo, tmp_path):
    backup(catalog, tmp_path / "usb")
    point_row_outside(tmp_path / "usb" / "catalog.db", one_photo.sha256, "../../../etc/passwd")
    sums = tmp_path / "usb" / "SHA256SUMS"  # SHA256SUMS rewritten to match, as an attacker would
    lines = sums.read_text().splitlines()
    lines[0] = f"{sha256_file(tmp_path / 'usb' / 'catalog.db')}  catalog.db"
    sums.write_text("\n".join(lines) + "\n")
    with pytest.raises(FieldkitError, match="etc/passwd.*Nothing was restored"):
        restore(tmp_path / "usb", tmp_path / "restored.db")
    assert not (tmp_path / "restored.db").exists() and not (tmp_path / "restored.db.photos").exists()


# point 9: symlinks -------------------------------------------------------------------------


def test_a_symlink_planted_at_a_photos_future_path_is_replaced_and_its_target_untouched(catalog, tmp_path):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    source = write(tmp_path / "b.png", png_bytes())
    sha = sha256_file(source)
    victim = tmp_path / "victim.png"
    victim.write_bytes(source.read_bytes())  # the same bytes, so the old code kept the link as "the original"
    victim.chmod(0o640)
    future = catalog.photo_store / stored_relpath(sha, "PNG")
    future.parent.mkdir(parents=True)
    future.symlink_to(victim)
    [result] = add_photos(catalog, "EX-1", [source])
    assert result.ok
    assert not future.is_symlink() and future.read_bytes() == source.read_bytes()
    assert oct(victim.stat().st_mode & 0o777) == oct(0o640)  # never chmodded
    assert oct(future.stat().st_mode & 0o777) == oct(0o444)
    assert verify_catalog(catalog).ok


def test_a_store_folder_replaced_by_a_symlink_is_not_written_through(catalog, tmp_path):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    source = write(tmp_path / "b.png", png_bytes())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    catalog.photo_store.mkdir()
    (catalog.photo_store / sha256_file(source)[:2]).symlink_to(elsewhere, target_is_directory=True)
    [result] = add_photos(catalog, "EX-1", [source])
    assert not result.ok and "will not write through it" in result.error
    assert list(elsewhere.iterdir()) == []
    assert catalog.db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0


def test_verify_reports_symlinks_and_folders_that_do_not_belong_in_the_store(catalog, db_path, one_photo, tmp_path):
    store = catalog.photo_store
    original = store / one_photo.stored_path
    kept = tmp_path / "kept.jpg"
    kept.write_bytes(original.read_bytes())
    original.chmod(0o600)
    original.unlink()
    original.symlink_to(kept)  # the original replaced by a link to a file with the same bytes
    (store / "zz").mkdir()
    (store / "ab").mkdir()
    (store / "ab" / "nested").mkdir()
    (store / "ab" / "link").symlink_to("/etc/hostname")
    found = {(p.kind, p.detail) for p in verify_catalog(catalog).problems}
    assert found == {
        ("symlink", f"{one_photo.stored_path} is a symlink (to {kept}), not kept in the store; "
                    f"{one_photo.stored_path} is not the original"),
        ("foreign", "zz is a folder that does not belong in the photo store"),
        ("foreign", "ab/nested is a folder that does not belong in the photo store"),
        ("symlink", "ab/link is a symlink (to /etc/hostname); nothing in the photo store may be a symlink"),
    }
    result = CliRunner().invoke(cli, ["--db", str(db_path), "verify"])
    assert result.exit_code == 1


def test_backup_never_copies_the_target_of_a_symlink(catalog, one_photo, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not evidence")
    (catalog.photo_store / "ab").mkdir()
    (catalog.photo_store / "ab" / "link.jpg").symlink_to(secret)
    (catalog.photo_store / "cd").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(FieldkitError, match="in the photo store is a symlink.*nothing was backed up"):
        backup(catalog, tmp_path / "usb")  # a backup that cannot copy everything is no backup (point 5)
    copied = [p for p in tmp_path.joinpath("usb").rglob("*")] if (tmp_path / "usb").exists() else []
    assert copied == []  # nothing kept, so no target was copied either
    assert secret.read_text() == "not evidence"


# point 10: nothing written into the store --------------------------------------------------


@pytest.mark.parametrize("command", ["export", "backup"])
def test_exports_and_backups_refuse_a_destination_inside_the_photo_store(catalog, db_path, one_photo, command):
    inside = catalog.photo_store / one_photo.stored_path[:2] / "out"
    args = ["export", "csv", str(inside)] if command == "export" else ["backup", str(inside)]
    result = CliRunner().invoke(cli, ["--db", str(db_path), *args])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {inside} is inside the photo store")
    assert not inside.exists()
    with pytest.raises(FieldkitError, match="inside the photo store"):
        (export_catalog if command == "export" else backup)(catalog, catalog.photo_store)
    assert verify_catalog(catalog).ok


def test_a_fresh_example_copy_never_chmods_what_a_planted_link_points_to(tmp_path, data_dir):
    from fieldkit.tui.app import make_app

    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file")
    victim.chmod(0o444)
    planted = data_dir / "example-copy.db.photos"
    planted.mkdir(parents=True)
    (planted / "link").symlink_to(victim)
    app = make_app(tmp_path / "empty.db", actor="tester", offer_example=False)
    app.open_example_copy().close()
    app.catalog.close()
    assert oct(victim.stat().st_mode & 0o777) == oct(0o444) and victim.read_text() == "someone else's file"
    assert not (planted / "link").exists()


async def test_the_photo_view_refuses_a_tampered_stored_path_in_one_line_never_as_markup(catalog, db_path, one_photo):
    from fieldkit.evidence.photos import get_photo
    from fieldkit.tui.app import make_app
    from fieldkit.tui.screens.photos import PhotoScreen

    point_row_outside(db_path, one_photo.sha256, "[/]../../[b]x.jpg")
    row = get_photo(catalog, one_photo.sha256)
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(110, 34)) as pilot:
        app.push_screen(PhotoScreen(row))
        await pilot.pause()
        shown = str(app.screen.query_one("#photo-large").render())
    assert shown.startswith("The stored original cannot be shown: the photo's stored path [/]../../[b]x.jpg is not")
