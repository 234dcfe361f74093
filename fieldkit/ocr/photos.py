"""OCR of stored photos, and OCR readings stored as markings: what the CLI's `fieldkit ocr` and the
TUI's OCR and batch screens share.

A :class:`Reading` (fieldkit.ocr.reading) is one OCR result with its domain correction beside it
(the text as read is never replaced: both are kept and both are stored). :func:`save_reading` stores a reading as a
marking of an item with everything that makes it traceable: the photo (by SHA-256), the crop, the
text as read (``ocr_text``), the text as corrected or typed by the researcher (``text``), the mean
confidence and the engine settings, with the basis of the OCR choice: which engine's reading was
kept and why (``engine["choice"]``), each engine's reading with its calibrated confidence
(``engine["engines"]``) and the corrections with their basis (``engine["corrections"]``); see
fieldkit.catalog.markings.ocr_choice.

Batch reading (:func:`read_photos`) works on stored photos only: a folder of images
(:func:`folder_images`) is first ingested as photos of the item, so that every marking points at a
stored original.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from fieldkit.catalog.db import Catalog
from fieldkit.catalog.items import get_item
from fieldkit.catalog.markings import add_marking
from fieldkit.errors import FieldkitError, OcrUnavailable, PhotoError, ValidationError
from fieldkit.evidence import photos as photos_core
from fieldkit.evidence.photos import IngestResult
from fieldkit.ocr.engine import DEFAULT_LANGUAGES, OcrCancelled, check_available
from fieldkit.ocr.reading import Reading, read
from fieldkit.paths import expand_user

LOW_CONFIDENCE = 60  # words read with less than this (0..100) are shown as doubtful

Progress = Callable[[int, int], None]


def photo_of_item(catalog: Catalog, item_ref: str, sha256_prefix: str) -> dict[str, Any]:
    """The stored photo whose SHA-256 starts with `sha256_prefix`, which must be a photo of item `item_ref`."""
    item = get_item(catalog, item_ref)
    photo = photos_core.get_photo(catalog, sha256_prefix)
    if item["ref"] not in photos_core.items_of_photo(catalog, photo["id"]):
        raise PhotoError(
            f"photo {photo['sha256'][:12]}… is not a photo of {item['ref']}; add it with `fieldkit photo add {item['ref']} FILE`"
        )
    return photo


def open_stored(catalog: Catalog, photo: dict[str, Any]) -> Image.Image:
    """The stored original of a photo, decoded and turned upright (crops are in these coordinates).

    Opened with the evidence store's decoders (so a stored HEIC photo can be read too); the file
    itself is only read.
    """
    path = photos_core.stored_file(catalog, photo)
    if not path.exists():
        raise PhotoError(f"the stored original of photo {photo['sha256'][:12]}… is missing; run `fieldkit verify`")
    name = photo.get("original_name") or photo["sha256"][:12]
    with photos_core.open_image(path, name) as image:
        upright = ImageOps.exif_transpose(image)
        upright.load()
    return upright


def save_reading(
    catalog: Catalog,
    item_ref: str,
    photo: dict[str, Any],
    reading: Reading,
    *,
    text: str | None = None,
    position: str | None = None,
    tables=None,
) -> dict[str, Any]:
    """Store a reading as an OCR marking of `item_ref`; returns the stored marking (see `marking_view`).

    `text` is the researcher's text for the marking (default: the corrected reading); the text as
    read by tesseract is stored beside it as `ocr_text`.
    """
    chosen = reading.corrected if text is None else text
    if not (chosen or "").strip():
        raise ValidationError("nothing was read from the photo; give the marking's text yourself")
    crop = reading.result.engine.get("crop")
    engine = dict(reading.result.engine)
    if not engine.get("detection"):  # a line: each engine's reading, the basis of the choice between them
        engine["engines"] = [r.to_json() for r in reading.readings]
    engine["corrections"] = [asdict(c) for c in reading.corrections]
    return add_marking(
        catalog,
        item_ref,
        chosen,
        ocr_text=reading.result.text,
        source="ocr",
        photo_sha256=photo["sha256"],
        crop=tuple(crop) if crop else None,
        confidence=reading.result.confidence,
        engine=engine,
        position=position,
        tables=tables,
    )


# ---------------------------------------------------------------- batch


@dataclass
class BatchEntry:
    """What OCR made of one stored photo in a batch: a reading, or the one-line reason there is none."""

    photo: dict[str, Any]
    reading: Reading | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.reading is not None and bool(self.reading.corrected.strip())

    @property
    def name(self) -> str:
        return self.photo.get("original_name") or self.photo["sha256"][:16]


def read_photos(
    catalog: Catalog,
    photos: Iterable[dict[str, Any]],
    *,
    languages: str = DEFAULT_LANGUAGES,
    psm: int | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    on_entry: Callable[[int, BatchEntry], None] | None = None,
) -> list[BatchEntry]:
    """OCR whole stored photos one after another: one entry per photo, in order.

    `on_entry(index, entry)` is called as soon as each photo is done, so a caller can show each
    result at once rather than all at the end.

    A photo that cannot be read (whatever the error: a hostile image may trip a bug in a decoder
    or an engine) gets an error and the rest go on; photos not reached after
    `cancel` is set are marked 'cancelled'. Raises OcrUnavailable first if tesseract or a language
    pack is missing, since then no photo can be read.
    """
    photos = list(photos)
    check_available(languages)
    entries = []
    for index, photo in enumerate(photos):
        if cancel is not None and cancel.is_set():
            entries.append(BatchEntry(photo, error="cancelled"))
            continue
        try:
            reading = read(open_stored(catalog, photo), languages=languages, psm=psm, cancel=cancel)
            entry = BatchEntry(photo, reading, None if reading.result.text.strip() else "no text found")
        except OcrCancelled:
            entry = BatchEntry(photo, error="cancelled")
        except OcrUnavailable:
            raise
        except FieldkitError as exc:
            entry = BatchEntry(photo, error=str(exc))
        except Exception as exc:  # a hostile image tripping a decoder or an engine: this photo only
            name = photo.get("original_name") or photo["sha256"][:12]
            entry = BatchEntry(photo, error=f"{name} could not be read ({str(exc) or type(exc).__name__}); "
                                            "check the photo, or read a crop of it")
        entries.append(entry)
        if on_entry is not None:
            on_entry(index, entry)
        if progress is not None:
            progress(index + 1, len(photos))
    return entries


def folder_images(folder: str | os.PathLike) -> list[Path]:
    """The photo files directly inside a folder (by extension, hidden files left out), by name."""
    folder = expand_user(folder)
    if not folder.is_dir():
        raise PhotoError(f"{folder}: not a folder")
    found = sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in photos_core.PHOTO_SUFFIXES
    )
    if not found:
        raise PhotoError(f"{folder}: no photos in this folder ({', '.join(sorted(photos_core.PHOTO_SUFFIXES))})")
    return found


def open_folders(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """`paths` with each folder replaced by the photo files directly inside it (folder_images), so
    that "the photos of this site visit" can be given as their folder. Raises PhotoError for a
    folder with no photos."""
    return [found for path in map(Path, paths)
            for found in (folder_images(path) if expand_user(path).is_dir() else [path])]
