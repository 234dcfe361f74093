"""Photo ingest: originals stored byte-identical under their hash, EXIF recorded, bad files refused cleanly."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import threading

import pytest
from PIL import Image

from fieldkit.catalog import audit, items, records
from fieldkit.errors import NotFound
from fieldkit.evidence import photos
from fieldkit.evidence.photos import add_photos, escape_name, list_photos
from tests.photo_files import jpeg_bytes, png_bytes, png_claiming, write


@pytest.fixture
def item(catalog):
    return items.add_item(catalog, {"category": "rocket", "ref": "EX-1"})


def store_files(catalog):
    store = catalog.photo_store
    return sorted(p.relative_to(store).as_posix() for p in store.rglob("*") if p.is_file()) if store.exists() else []


def counts(catalog):
    return catalog.db["photos"].count, catalog.db["item_photos"].count


def test_stored_copy_hashes_like_sha256sum_and_the_original_is_untouched(catalog, item, tmp_path):
    original = write(tmp_path / "IMG_0001.JPG", jpeg_bytes())
    os.utime(original, (1_600_000_000, 1_600_000_000))
    before = (original.read_bytes(), original.stat().st_mtime_ns, stat.S_IMODE(original.stat().st_mode))

    [result] = add_photos(catalog, "EX-1", [original])

    expected = subprocess.run(["sha256sum", str(original)], capture_output=True, text=True, check=True).stdout.split()[0]
    assert result.ok and result.sha256 == expected
    stored = catalog.photo_store / result.stored_path
    assert result.stored_path == f"{expected[:2]}/{expected}.jpg"
    assert stored.read_bytes() == before[0]
    assert stat.S_IMODE(stored.stat().st_mode) == 0o444
    assert (original.read_bytes(), original.stat().st_mtime_ns, stat.S_IMODE(original.stat().st_mode)) == before
    assert store_files(catalog) == [result.stored_path]  # no temp file left behind


def test_metadata_and_exif_are_recorded(catalog, item, tmp_path):
    [result] = add_photos(catalog, "EX-1", [write(tmp_path / "a.jpg", jpeg_bytes())], caption="stencil on motor")
    [row] = list_photos(catalog, "EX-1")
    assert row["sha256"] == result.sha256
    assert (row["format"], row["width"], row["height"]) == ("JPEG", 64, 48)
    assert row["size"] == len(jpeg_bytes())
    assert row["original_name"] == "a.jpg"
    assert row["caption"] == "stencil on motor"
    assert row["exif_time"] == "2024-01-03T14:05:22"
    assert row["gps_lat"] == pytest.approx(49 + 59 / 60 + 36.6 / 3600)
    assert row["gps_lon"] == pytest.approx(36 + 13 / 60 + 49.44 / 3600)
    assert (row["camera_make"], row["camera_model"], row["orientation"]) == ("fieldkit test camera", "T-1", 6)
    exif = json.loads(row["exif_json"])
    assert exif["image"]["Make"] == "fieldkit test camera"
    assert exif["gps"]["GPSLatitudeRef"] == "N"
    assert row["added_by"] == "tester"


def test_southern_and_western_gps_are_negative(catalog, item, tmp_path):
    from tests.photo_files import exif, image

    buf = io.BytesIO()
    image().save(buf, "JPEG", exif=exif(lat_ref="S", lon_ref="W"))
    add_photos(catalog, "EX-1", [write(tmp_path / "sw.jpg", buf.getvalue())])
    [row] = list_photos(catalog, "EX-1")
    assert row["gps_lat"] < 0 and row["gps_lon"] < 0


def test_a_photo_without_exif_has_empty_exif_fields(catalog, item, tmp_path):
    add_photos(catalog, "EX-1", [write(tmp_path / "p.png", png_bytes())])
    [row] = list_photos(catalog, "EX-1")
    assert row["format"] == "PNG"
    assert row["exif_time"] is row["gps_lat"] is row["camera_make"] is row["exif_json"] is None


@pytest.mark.skipif(not photos.HEIF_AVAILABLE, reason="pillow-heif not installed")
def test_heic_is_accepted(catalog, item, tmp_path):
    Image.new("RGB", (32, 32), "red").save(tmp_path / "x.heic")
    [result] = add_photos(catalog, "EX-1", [tmp_path / "x.heic"])
    assert result.ok, result.error
    assert result.stored_path.endswith(".heic")


def test_the_same_photo_twice_is_stored_once_and_linked_to_each_item(catalog, item, tmp_path):
    items.add_item(catalog, {"category": "rocket", "ref": "EX-2"})
    first = write(tmp_path / "one.jpg", jpeg_bytes())
    copy = write(tmp_path / "copy-of-one.jpg", jpeg_bytes())

    [a] = add_photos(catalog, "EX-1", [first])
    [b] = add_photos(catalog, "EX-2", [copy])
    [c] = add_photos(catalog, "EX-2", [first])

    assert a.sha256 == b.sha256 == c.sha256
    assert (a.duplicate, b.duplicate, c.duplicate) == (False, True, True)
    assert (b.already_linked, c.already_linked) == (False, True)
    assert counts(catalog) == (1, 2)
    assert store_files(catalog) == [a.stored_path]
    assert [r["sha256"] for r in list_photos(catalog, "EX-2")] == [a.sha256]


def test_every_row_is_audited_and_the_chain_holds(catalog, item, tmp_path):
    add_photos(catalog, "EX-1", [write(tmp_path / "a.jpg", jpeg_bytes())])
    tables = [t for (t,) in catalog.db.execute("SELECT table_name FROM audit ORDER BY seq")]
    assert tables == ["items", "photos", "photo_provenance", "item_photos"]
    assert audit.check_chain(catalog.db) == [] and audit.check_state(catalog.db) == []


def test_unknown_item_is_refused_before_anything_is_read(catalog, tmp_path):
    with pytest.raises(NotFound, match="NOPE"):
        add_photos(catalog, "NOPE", [write(tmp_path / "a.jpg", jpeg_bytes())])
    assert store_files(catalog) == []


def _truncated_jpeg() -> bytes:
    data = jpeg_bytes(size=(400, 300))
    return data[: len(data) // 2]


def _pcx() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "PCX")
    return buf.getvalue()


def _bmp(width: int = 64, height: int = 48) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (90, 90, 90)).save(buf, "BMP")
    return buf.getvalue()


def _bmp_claiming(width: int, height: int) -> bytes:
    """A small BMP whose header claims width x height (BITMAPINFOHEADER: little-endian at 18 and 22)."""
    data = bytearray(_bmp())
    data[18:22], data[22:26] = width.to_bytes(4, "little"), height.to_bytes(4, "little", signed=True)
    return bytes(data)


def _gif_claiming(width: int, height: int) -> bytes:
    """A small GIF whose logical screen and image descriptor claim width x height."""
    buf = io.BytesIO()
    Image.new("P", (8, 8)).save(buf, "GIF")
    data = bytearray(buf.getvalue())
    data[6:8], data[8:10] = width.to_bytes(2, "little"), height.to_bytes(2, "little")
    at = data.index(b"\x2c")  # the image descriptor
    data[at + 5:at + 7], data[at + 7:at + 9] = width.to_bytes(2, "little"), height.to_bytes(2, "little")
    return bytes(data)


BAD_FILES = {
    "not an image": (b"these are my notes, not a photo\n", "not a photo fieldkit accepts"),
    "truncated JPEG": (_truncated_jpeg(), "truncated"),
    "30000x30000 PNG bomb": (png_claiming(30000, 30000), "decompression bomb"),
    "225 MP PNG (Pillow only warns)": (png_claiming(15000, 15000), "megapixels"),
    "PCX (decoder not allowed)": (_pcx(), "not a photo fieldkit accepts"),
    "truncated BMP": (_bmp(400, 300)[:20000], "truncated"),
    "30000x30000 BMP bomb": (_bmp_claiming(30000, 30000), "decompression bomb"),
    "GIF claiming 65535x65535": (_gif_claiming(65535, 65535), "decompression bomb"),
    "empty file": (b"", "empty"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_gets_a_one_line_error_and_nothing_is_stored_but_the_good_file_goes_in(catalog, item, tmp_path, kind):
    data, message = BAD_FILES[kind]
    bad = write(tmp_path / "bad.jpg", data)
    good = write(tmp_path / "good.jpg", jpeg_bytes())

    bad_result, good_result = add_photos(catalog, "EX-1", [bad, good])

    assert not bad_result.ok
    assert message in bad_result.error and "bad.jpg" in bad_result.error
    assert "\n" not in bad_result.error
    assert good_result.ok
    assert counts(catalog) == (1, 1)
    assert store_files(catalog) == [good_result.stored_path]


def test_missing_file_directory_and_unreadable_file_are_reported(catalog, item, tmp_path):
    unreadable = write(tmp_path / "locked.jpg", jpeg_bytes())
    unreadable.chmod(0)
    results = add_photos(catalog, "EX-1", [tmp_path / "nope.jpg", tmp_path, unreadable])
    assert "does not exist" in results[0].error
    assert "is a directory" in results[1].error
    if os.geteuid() != 0:  # root reads everything
        assert "permission denied" in results[2].error
    assert store_files(catalog) == [] or os.geteuid() == 0


def test_the_stored_name_is_the_hash_and_odd_names_are_kept_escaped(catalog, item, tmp_path):
    odd = tmp_path / "..\x1b[31mred\nline.jpg"
    write(odd, jpeg_bytes())
    [result] = add_photos(catalog, "EX-1", [odd])
    assert result.stored_path == f"{result.sha256[:2]}/{result.sha256}.jpg"
    [row] = list_photos(catalog, "EX-1")
    assert row["original_name"] == "..\\x1b[31mred\\x0aline.jpg"


def test_escape_name_keeps_ordinary_names_and_escapes_control_and_undecodable_bytes():
    assert escape_name("IMG_0412 (копия).jpg") == "IMG_0412 (копия).jpg"
    assert escape_name("a\tb") == "a\\x09b"
    assert escape_name(os.fsdecode(b"caf\xe9.jpg")) == "caf\\xe9.jpg"
    assert escape_name("back\\slash") == "back\\\\slash"


def test_the_extension_comes_from_the_content_not_the_name(catalog, item, tmp_path):
    [result] = add_photos(catalog, "EX-1", [write(tmp_path / "really-a-png.jpg", png_bytes())])
    assert result.stored_path.endswith(".png")


def test_a_failure_after_the_file_is_placed_leaves_neither_row_nor_file(catalog, item, tmp_path, monkeypatch):
    real_insert = records.insert

    def failing_insert(catalog, table, row):
        if table == "item_photos":
            raise OSError(28, "No space left on device")
        return real_insert(catalog, table, row)

    monkeypatch.setattr(records, "insert", failing_insert)
    [result] = add_photos(catalog, "EX-1", [write(tmp_path / "a.jpg", jpeg_bytes())])
    assert not result.ok and "could not be stored" in result.error
    assert counts(catalog) == (0, 0)
    assert store_files(catalog) == []


def test_a_failed_link_keeps_a_file_another_row_references(catalog, item, tmp_path, monkeypatch):
    items.add_item(catalog, {"category": "rocket", "ref": "EX-2"})
    [first] = add_photos(catalog, "EX-1", [write(tmp_path / "a.jpg", jpeg_bytes())])
    monkeypatch.setattr(records, "insert", lambda *a, **k: (_ for _ in ()).throw(OSError(5, "I/O error")))
    [second] = add_photos(catalog, "EX-2", [tmp_path / "a.jpg"])
    assert not second.ok
    assert store_files(catalog) == [first.stored_path]
    assert counts(catalog) == (1, 1)


def test_a_missing_original_is_restored_when_the_same_photo_is_added_again(catalog, item, tmp_path):
    source = write(tmp_path / "a.jpg", jpeg_bytes())
    [first] = add_photos(catalog, "EX-1", [source])
    stored = catalog.photo_store / first.stored_path
    stored.chmod(0o600)
    stored.unlink()
    [again] = add_photos(catalog, "EX-1", [source])
    assert again.ok and again.already_linked
    assert stored.read_bytes() == source.read_bytes()


def test_progress_is_reported_and_cancel_stops_before_the_next_file(catalog, item, tmp_path):
    paths = [write(tmp_path / f"{n}.jpg", jpeg_bytes(seed=n)) for n in range(3)]
    cancel = threading.Event()
    seen = []

    def progress(done, total):
        seen.append((done, total))
        if done == 1:
            cancel.set()

    results = add_photos(catalog, "EX-1", paths, progress=progress, cancel=cancel)
    assert seen == [(1, 3)]  # nothing more is done once cancelled
    assert [r.ok for r in results] == [True, False, False]
    assert "cancelled" in results[1].error
    assert counts(catalog) == (1, 1)


def test_a_cancel_in_the_middle_of_a_photo_leaves_no_row_no_audit_entry_and_no_partial_copy(catalog, item, tmp_path, monkeypatch):
    """The TUI's escape while a photo is being copied: that photo is not stored at all."""

    class CancelledMidway(threading.Event):
        calls = 0

        def is_set(self):  # unset before the file and for its first chunks, then set
            self.calls += 1
            return self.calls > 3

    monkeypatch.setattr(photos, "CHUNK", 64)
    source = write(tmp_path / "a.jpg", jpeg_bytes())
    assert source.stat().st_size > 4 * 64
    audited = catalog.db["audit"].count
    [result] = add_photos(catalog, "EX-1", [source], cancel=CancelledMidway())
    assert not result.ok and "cancelled" in result.error
    assert counts(catalog) == (0, 0)
    assert catalog.db["audit"].count == audited
    assert store_files(catalog) == []  # not even a temporary copy


@pytest.mark.parametrize("fmt, suffix", [("BMP", "bmp"), ("GIF", "gif")])
def test_bmp_and_gif_photos_are_stored_byte_identical(catalog, item, tmp_path, fmt, suffix):
    # industrial and microscope cameras write BMP
    path = tmp_path / f"chip.{suffix}"
    Image.new("RGB", (64, 48), (120, 30, 30)).save(path, fmt)
    [result] = add_photos(catalog, "EX-1", [path])
    assert result.ok, result.error
    assert result.stored_path.endswith(f".{suffix}")
    assert (catalog.photo_store / result.stored_path).read_bytes() == path.read_bytes()
