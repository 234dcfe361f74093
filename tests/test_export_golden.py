"""The bytes `export csv` writes for a fixed small catalog, kept in tests/fixtures/export-golden.

The files there were written by the export as it stood on 2026-12-02 (before the fourth pass on its
speed, issue 17): any change to how a cell is guarded, quoted, joined or ordered shows here as a
changed byte. A change of format made on purpose updates these files and the export's README.txt
together. The catalog holds what the careful path exists for (NUL characters, blobs, text in number
columns, real numbers) beside plain rows, in every exported table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.export.csv import export_catalog

GOLDEN = Path(__file__).parent / "fixtures" / "export-golden"
FILES = ["items.csv", "photos.csv", "markings.csv", "components.csv", "photo_provenance.csv"]
T = "2026-12-02T10:00:00.000000+00:00"


def fill(catalog) -> None:
    """Rows inserted as stored (no audit, fixed ids and times), so that the export is the same every time."""
    db = catalog.db
    db["items"].insert_all([
        {"id": "i1", "ref": "KHK-0001", "category": "rocket", "designation": "9M22U", "place": "Харків",
         "created_at": T, "updated_at": T},
        {"id": "i2", "ref": "=HYPERLINK(\"x\")", "category": "fuze", "notes": "line one\r\nline \"two\"",
         "created_at": T, "updated_at": T},
        {"id": "i3", "ref": "R\x00-3", "category": " lead space", "created_at": T, "updated_at": T},
    ])
    db["photos"].insert({"id": "p1", "sha256": "ab" * 32, "original_name": "@img.jpg", "stored_path": "ab/ab.jpg",
                         "size": 1234, "width": 4000, "height": 3000, "gps_lat": -12.5, "gps_lon": 30.25,
                         "added_at": T})
    db["item_photos"].insert({"item_id": "i1", "photo_id": "p1", "caption": "+front"})
    db["markings"].insert({"id": "m1", "item_id": "i1", "photo_id": "p1", "crop_x": 1, "crop_y": 2, "crop_w": 30,
                           "crop_h": 40, "text": "9М22У", "source": "ocr", "confidence": 0.875,
                           "created_at": T, "updated_at": T})
    db["attribution_bases"].insert_all([
        {"id": "b1", "basis": "prefix SN7 → Texas Instruments (US), manufacturers.csv row texas-instruments"},
        {"id": "b2", "basis": "=cmd|' /C calc'!A0"},
        {"id": "b3", "basis": "brand \x00 hidden"},
    ])
    db["reference_versions"].insert({"id": "v1", "version": "8ff9cc11ebd7166a86f6358c9bae12ee83f58187ed3bd5e5f3938d7bfeda0405"})
    base = {"created_at": T, "updated_at": T, "reference_version_id": "v1"}
    db["components"].insert_all([
        {**base, "id": "c1", "item_id": "i1", "part_number": "SN74HC595N", "manufacturer": "Texas Instruments",
         "firm_id": "texas-instruments", "country": "US", "attributed_by": "reference", "basis_id": "b1",
         "date_code": "2231", "date_form": "YYWW", "date_start": "2022-08-01", "date_end": "2022-08-07",
         "quantity": 2, "type": "IC"},
        {**base, "id": "c2", "item_id": "i2", "part_number": "-5V REG", "marking_text": "\"quoted\", comma",
         "quantity": 1, "notes": "\u202eevil", "basis_id": "b2", "attributed_by": "researcher",
         "entered_manufacturer": "Акме", "entered_country": "RU"},
        {**base, "id": "c3", "item_id": "i3", "part_number": "P\x00N", "quantity": "three", "crop_x": 1.5,
         "basis_id": "b3", "attributed_by": "none"},
        {**base, "id": "c4", "item_id": "i1", "part_number": "'=already", "quantity": 4, "crop_x": 10, "crop_y": 20,
         "crop_w": 30, "crop_h": 40, "photo_id": "p1", "notes": b"blob =cell", "basis_id": None,
         "reference_version_id": None},
        {**base, "id": "c5", "item_id": "i1", "part_number": "\tTAB", "quantity": 1, "date_code": "0012",
         "date_form": "not read as a date", "manufacturer": "한국", "attributed_by": "ambiguous", "basis_id": "b1"},
    ])


@pytest.mark.parametrize("full", [False, True])
def test_export_writes_the_same_bytes_as_before_for_the_same_catalog(catalog, tmp_path, full):
    fill(catalog)
    export_catalog(catalog, tmp_path, full=full)
    folder = GOLDEN / ("full" if full else "plain")
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("chunk", [2, 500])
def test_two_threads_write_the_same_bytes_as_one(catalog, tmp_path, monkeypatch, full, chunk):
    """components.csv made in two halves by two threads (fieldkit.export.csv._Half), in chunks of
    `chunk` rows, is the golden file."""
    import fieldkit.export.csv as export_csv

    halves = []
    real = export_csv._Half.run
    monkeypatch.setattr(export_csv, "a_core_is_free", lambda: True)
    monkeypatch.setattr(export_csv._Half, "run", lambda self: (halves.append(self.first_rowid), real(self)))
    monkeypatch.setattr(export_csv, "CHUNK", chunk)
    fill(catalog)
    export_catalog(catalog, tmp_path, parallel_rows=1, full=full)
    assert len(halves) == 1
    folder = GOLDEN / ("full" if full else "plain")
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name


def test_components_csv_made_in_many_chunks_has_the_same_bytes(catalog, tmp_path, monkeypatch):
    """components.csv in chunks of two rows (chunked_select), across a gap in the rowids."""
    import fieldkit.export.csv as export_csv

    monkeypatch.setattr(export_csv, "CHUNK", 2)
    fill(catalog)
    catalog.db.execute("UPDATE components SET rowid = rowid + 1000 WHERE id IN ('c4', 'c5')")
    export_catalog(catalog, tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (GOLDEN / "plain" / name).read_bytes(), name
