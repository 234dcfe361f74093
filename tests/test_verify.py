"""`fieldkit verify`: a clean catalog passes; an altered, missing or stray original, or a touched audit log, fails."""

from __future__ import annotations

import json
import threading

import pytest
from click.testing import CliRunner

from fieldkit.catalog import items
from fieldkit.cli import cli
from fieldkit.evidence.photos import add_photos
from fieldkit.evidence.verify import verify_catalog
from tests.photo_files import jpeg_bytes, png_bytes, write


@pytest.fixture
def stored(catalog, tmp_path):
    items.add_item(catalog, {"category": "rocket", "ref": "EX-1"})
    items.add_item(catalog, {"category": "rocket", "ref": "EX-2"})
    a = write(tmp_path / "a.jpg", jpeg_bytes())
    [first, second] = add_photos(catalog, "EX-1", [a, write(tmp_path / "b.png", png_bytes())])
    add_photos(catalog, "EX-2", [a])
    return first, second


def run_verify(db_path, *args):
    return CliRunner().invoke(cli, ["--db", str(db_path), "verify", *args])


def test_a_clean_catalog_verifies_with_exit_0(catalog, db_path, stored):
    report = verify_catalog(catalog)
    assert report.ok and report.problems == []
    assert report.photos == 2
    result = run_verify(db_path)
    assert result.exit_code == 0, result.output
    assert "all intact" in result.output


def test_one_edited_byte_in_a_stored_copy_fails_and_names_the_file_and_items(catalog, db_path, stored):
    first, _ = stored
    path = catalog.photo_store / first.stored_path
    path.chmod(0o600)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x01
    path.write_bytes(bytes(data))

    [problem] = verify_catalog(catalog).problems
    assert problem.kind == "altered"
    assert problem.path == first.stored_path and problem.sha256 == first.sha256
    assert problem.items == ("EX-1", "EX-2")

    result = run_verify(db_path)
    assert result.exit_code == 1
    assert first.stored_path in result.output and "EX-1, EX-2" in result.output


def test_a_missing_original_fails(catalog, db_path, stored):
    _, second = stored
    path = catalog.photo_store / second.stored_path
    path.chmod(0o600)
    path.unlink()
    [problem] = verify_catalog(catalog).problems
    assert (problem.kind, problem.path, problem.items) == ("missing", second.stored_path, ("EX-1",))
    assert run_verify(db_path).exit_code == 1


def test_a_file_no_photo_references_is_reported(catalog, db_path, stored):
    (catalog.photo_store / "ab").mkdir()
    (catalog.photo_store / "ab" / "stray.jpg").write_bytes(b"x")
    [problem] = verify_catalog(catalog).problems
    assert (problem.kind, problem.path) == ("unreferenced", "ab/stray.jpg")


def test_editing_an_audit_row_fails(catalog, db_path, stored):
    catalog.db.execute("UPDATE audit SET actor = 'someone else' WHERE seq = 3")
    catalog.db.conn.commit()
    report = verify_catalog(catalog)
    assert not report.ok
    assert any(p.kind == "audit" and "audit row 3" in p.detail for p in report.problems)
    result = run_verify(db_path, "--json")
    assert result.exit_code == 1
    assert json.loads(result.output)["ok"] is False


def test_deleting_an_audit_row_fails(catalog, db_path, stored):
    catalog.db.execute("DELETE FROM audit WHERE seq = 2")
    catalog.db.conn.commit()
    assert run_verify(db_path).exit_code == 1


def test_deleting_the_newest_audit_row_fails(catalog, db_path, stored):
    catalog.db.execute("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    catalog.db.conn.commit()
    result = run_verify(db_path)
    assert result.exit_code == 1
    assert "item_photos" in result.output


def test_editing_a_photo_row_behind_fieldkits_back_fails_and_names_the_items(catalog, stored):
    first, _ = stored
    catalog.db.execute("UPDATE photos SET gps_lat = 0 WHERE sha256 = ?", [first.sha256])
    catalog.db.conn.commit()
    [problem] = verify_catalog(catalog).problems
    assert problem.kind == "audit" and problem.sha256 == first.sha256 and problem.items == ("EX-1", "EX-2")


def test_json_report_shape(db_path, stored):
    result = run_verify(db_path, "--json")
    report = json.loads(result.output)
    assert set(report) == {"ok", "photos", "bytes_hashed", "audit_rows", "cancelled", "problems", "notices", "head", "signed"}
    assert report["ok"] is True and report["photos"] == 2
    assert set(report["head"]) == {"catalog_id", "seq", "head", "fingerprint", "at", "path"}


def test_progress_and_cancel(catalog, stored):
    seen = []
    verify_catalog(catalog, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]
    cancel = threading.Event()
    cancel.set()
    report = verify_catalog(catalog, cancel=cancel)
    assert report.cancelled and not report.ok


def test_leftover_temp_files_are_reported_and_removed_only_on_request(tmp_path):
    import os
    import time

    from click.testing import CliRunner

    from fieldkit.catalog.db import open_catalog
    from fieldkit.cli import cli
    from fieldkit.evidence.photos import TMP_PREFIX

    db = tmp_path / "c.db"
    catalog = open_catalog(db)
    catalog.photo_store.mkdir(parents=True)
    old = catalog.photo_store / f"{TMP_PREFIX}abc"
    old.write_bytes(b"partial copy")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    fresh = catalog.photo_store / f"{TMP_PREFIX}def"
    fresh.write_bytes(b"an ingest still running elsewhere")
    catalog.close()
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), "verify"])
    assert result.exit_code == 1 and "interrupted ingest" in result.output
    assert old.exists()
    result = runner.invoke(cli, ["--db", str(db), "verify", "--remove-temp"])
    assert f"removed {TMP_PREFIX}abc" in result.output
    assert not old.exists() and fresh.exists()


async def test_the_verify_screen_removes_leftover_temp_files_after_asking(tmp_path):
    import os
    import time

    from fieldkit.catalog.db import open_catalog
    from fieldkit.evidence.photos import TMP_PREFIX
    from fieldkit.tui.app import make_app
    from fieldkit.tui.screens.verify import VerifyScreen

    db = tmp_path / "c.db"
    catalog = open_catalog(db)
    catalog.photo_store.mkdir(parents=True)
    old = catalog.photo_store / f"{TMP_PREFIX}abc"
    old.write_bytes(b"partial copy")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    catalog.close()
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, VerifyScreen)
        await pilot.press("t", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not old.exists()
        assert app.screen.report is not None and app.screen.report.ok


def test_a_photo_whose_item_was_deleted_is_noted_as_linked_to_no_item_but_is_no_fault(catalog, db_path, tmp_path):
    items.add_item(catalog, {"category": "rocket", "ref": "EX-1"})
    [photo] = add_photos(catalog, "EX-1", [write(tmp_path / "a.jpg", jpeg_bytes())])
    items.delete_item(catalog, "EX-1")

    report = verify_catalog(catalog)
    assert report.ok and report.problems == []
    [notice] = report.notices
    assert (notice.kind, notice.sha256, notice.path) == ("unlinked", photo.sha256, photo.stored_path)
    assert "a.jpg" in notice.detail and "fieldkit photo add REF" in notice.detail

    result = run_verify(db_path)
    assert result.exit_code == 0, result.output
    assert "note: unlinked:" in result.output and "all intact; 1 photo linked to no item" in result.output
    assert json.loads(run_verify(db_path, "--json").output)["notices"][0]["kind"] == "unlinked"

    # Adding the stored original to an item again links it; the note goes.
    items.add_item(catalog, {"category": "rocket", "ref": "EX-2"})
    [again] = add_photos(catalog, "EX-2", [catalog.photo_store / photo.stored_path])
    assert again.duplicate and again.sha256 == photo.sha256
    assert verify_catalog(catalog).notices == []
