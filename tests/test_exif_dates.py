"""EXIF capture times (issue 19, point 16): impossible ones are kept as read and flagged, never
stored as the capture time; a capture time in the future is stored and flagged."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from click.testing import CliRunner
from PIL import Image
from PIL.ExifTags import IFD, Base

from fieldkit.catalog import items
from fieldkit.cli import cli
from fieldkit.evidence.photos import add_photos, exif_flags, get_photo
from tests.photo_files import exif, image


def jpeg_taken(path, taken: str, offset: str | None = None, seed: int = 0):
    data = exif(taken=taken)
    if offset is not None:
        data.get_ifd(IFD.Exif)[Base.OffsetTimeOriginal] = offset
    buf = io.BytesIO()
    image(seed=seed).save(buf, "JPEG", exif=data)
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.parametrize("taken, offset, flag", [
    ("9999:99:99 99:99:99", None, "not a real date"),
    ("2024:02:30 10:00:00", None, "not a real date"),
    ("2024:13:01 10:00:00", None, "not a real date"),
    ("2024:01:03 25:00:00", None, "not a real date"),
    ("2024:01:03 10:00:00", "+99:99", "impossible time-zone offset"),
    ("2024:01:03 10:00:00", "Z+0300", "impossible time-zone offset"),
])
def test_an_impossible_exif_time_is_flagged_kept_as_read_and_not_stored_as_capture_time(
        catalog, tmp_path, taken, offset, flag):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    result, = add_photos(catalog, "EX-1", [jpeg_taken(tmp_path / "p.jpg", taken, offset)])
    assert result.ok, result.error
    photo = get_photo(catalog, result.sha256)
    assert photo["exif_time"] is None
    assert len(exif_flags(photo)) == 1 and flag in exif_flags(photo)[0]
    assert json.loads(photo["exif_json"])["exif"]["DateTimeOriginal"] == taken  # as read


def test_a_capture_time_in_the_future_is_stored_and_flagged(catalog, tmp_path):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    later = (dt.date.today() + dt.timedelta(days=40)).strftime("%Y:%m:%d 09:30:00")
    result, = add_photos(catalog, "EX-1", [jpeg_taken(tmp_path / "p.jpg", later)])
    photo = get_photo(catalog, result.sha256)
    assert photo["exif_time"] == later.replace(":", "-", 2).replace(" ", "T")
    assert "after the day the photo was added" in exif_flags(photo)[0]


def test_a_real_capture_time_with_its_offset_is_stored_without_a_flag(catalog, tmp_path):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    result, = add_photos(catalog, "EX-1", [jpeg_taken(tmp_path / "p.jpg", "2024:01:03 14:05:22", "+02:00")])
    photo = get_photo(catalog, result.sha256)
    assert photo["exif_time"] == "2024-01-03T14:05:22+02:00" and exif_flags(photo) == []


def test_photo_list_shows_the_flag_in_text_and_json(db_path, tmp_path):
    runner = CliRunner()
    base = ["--db", str(db_path)]
    runner.invoke(cli, [*base, "item", "add", "--category", "rocket", "--ref", "EX-1"])
    photo = jpeg_taken(tmp_path / "p.jpg", "2024:02:30 10:00:00")
    assert runner.invoke(cli, [*base, "photo", "add", "EX-1", str(photo)]).exit_code == 0
    text = runner.invoke(cli, [*base, "photo", "list", "EX-1"]).output
    assert "note: the EXIF time '2024:02:30 10:00:00' is not a real date" in text
    rows = json.loads(runner.invoke(cli, [*base, "photo", "list", "EX-1", "--json"]).output)
    assert rows[0]["exif_time"] is None and "not a real date" in rows[0]["exif_flags"][0]


def test_the_app_shows_the_flag_beside_the_photo():
    from fieldkit.tui.screens.photos import photo_facts

    photo = {"sha256": "ab" * 32, "stored_path": "ab/x.jpg", "size": 1, "exif_time": None,
             "exif_json": json.dumps({"flags": ["the EXIF time '2024:02:30 10:00:00' is not a real date"]})}
    facts = dict(photo_facts(photo))
    assert facts["Captured"] == "— (no EXIF time)"
    assert "not a real date" in facts["EXIF flag"]


def test_an_image_without_exif_has_no_flags(catalog, tmp_path):
    items.add_item(catalog, {"ref": "EX-1", "category": "rocket"})
    path = tmp_path / "p.png"
    Image.new("RGB", (8, 8)).save(path)
    result, = add_photos(catalog, "EX-1", [path])
    assert exif_flags(get_photo(catalog, result.sha256)) == []
