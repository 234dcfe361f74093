"""A copy of the shipped example catalog, with KHK-0001 given a Hangul and a Cyrillic marking cut from its photos."""

from __future__ import annotations

import shutil
from pathlib import Path

from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.markings import add_marking
from fieldkit.evidence.photos import list_photos
from fieldkit.locations import example_catalog_path

HANGUL = "주체112"
CYRILLIC = "9М22У 4-23"


def example_copy(tmp_path: Path) -> Path:
    """The example catalog and its photo store, copied to tmp_path/example.db."""
    source = example_catalog_path()
    path = tmp_path / "example.db"
    shutil.copyfile(source, path)
    shutil.copytree(source.with_name(source.name + ".photos"), path.with_name(path.name + ".photos"))
    return path


def example_copy_without_provenance(tmp_path: Path) -> Path:
    """The example copy with no photo_provenance rows (each removed by an audited delete), like a
    catalog whose photos were ingested before migration m017 read their provenance."""
    from fieldkit.catalog import records

    path = example_copy(tmp_path)
    catalog = open_catalog(path, actor="tester")
    try:
        for (photo_id,) in catalog.db.execute("SELECT photo_id FROM photo_provenance").fetchall():
            records.delete(catalog, "photo_provenance", {"photo_id": photo_id})
    finally:
        catalog.close()
    return path


def khk_with_markings(tmp_path: Path) -> Path:
    """The example copy, with KHK-0001 carrying 주체112 and a Cyrillic lot marking read from its photos."""
    path = example_copy(tmp_path)
    catalog = open_catalog(path, actor="tester")
    photos = list_photos(catalog, "KHK-0001")
    add_marking(catalog, "KHK-0001", HANGUL, ocr_text="주체1l2", source="ocr", photo_sha256=photos[0]["sha256"],
                crop=(300, 180, 400, 200), confidence=71.5,
                engine={"engine": "tesseract", "version": "5.3.0", "languages": "kor+eng", "psm": 7})
    add_marking(catalog, "KHK-0001", CYRILLIC, photo_sha256=photos[1]["sha256"], crop=(280, 200, 420, 180),
                position="side of a fragment")
    catalog.close()
    return path
