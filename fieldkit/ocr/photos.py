"""OCR of stored photos, and OCR readings stored as markings: what the CLI's `fieldkit ocr` and the
TUI's OCR and batch screens share.

A :class:`Reading` is one OCR result with its domain correction beside it (the text as read is
never replaced: both are kept and both are stored). :func:`save_reading` stores a reading as a
marking of an item with everything that makes it traceable: the photo (by SHA-256), the crop, the
text as read (``ocr_text``), the text as corrected or typed by the researcher (``text``), the mean
confidence and the engine settings.

Batch reading (:func:`read_photos`, :func:`ingest_folder`) works on stored photos only: a folder of
images is first ingested as photos of the item, so that every marking points at a stored original.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from fieldkit.catalog.db import Catalog
from fieldkit.catalog.items import get_item
from fieldkit.catalog.markings import add_marking
from fieldkit.errors import FieldkitError, OcrUnavailable, PhotoError, ValidationError
from fieldkit.evidence import photos as photos_core
from fieldkit.evidence.photos import IngestResult
from fieldkit.ocr import ppocr, preprocess
from fieldkit.ocr.choice import Choice, EngineReading, choose
from fieldkit.ocr.correction import Correction, correct
from fieldkit.ocr.engine import (
    DEFAULT_LANGUAGES,
    OcrCancelled,
    OcrCandidate,
    OcrLine,
    OcrResult,
    OcrWord,
    check_available,
    ocr_image,
    open_image,
    read_strips,
    validate_crop,
)
from fieldkit.ocr.rerank import preferred

LOW_CONFIDENCE = 60  # words read with less than this (0..100) are shown as doubtful

Progress = Callable[[int, int], None]


@dataclass
class Reading:
    """An OCR result and its correction (the corrected text, and each change with its basis).

    ``result.text`` is the chosen engine's text as read; the first correction, when there is one
    with the basis of a choice, replaces it with another reading (one the reference tables
    recognise, or PP-OCR's letters written in the Cyrillic script tesseract saw); the corrections
    after it refer to that reading. ``readings`` holds each engine's reading of the line, with
    its calibrated confidence and notes (fieldkit.ocr.choice).
    """

    result: OcrResult
    corrected: str
    corrections: list[Correction]
    readings: list[EngineReading] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return self.result.to_json() | {
            "corrected": self.corrected,
            "corrections": [asdict(c) for c in self.corrections],
            "engines": [r.to_json() for r in self.readings],
        }


ENGINES = ("auto", "tesseract", "ppocr")
WHOLE_PHOTO_LINES = 40  # lines read from a whole photo: the detector's surest first
SHOWN_CANDIDATES = 8  # "also tried" readings kept per line


def read(
    source: str | os.PathLike | Image.Image,
    *,
    languages: str = DEFAULT_LANGUAGES,
    crop: tuple[int, int, int, int] | None = None,
    psm: int | None = None,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
    engine: str = "auto",
    ring: tuple[float, float, float, float, float] | None = None,
) -> Reading:
    """OCR an image file or a Pillow image, and correct what was read.

    ``engine``: "auto" reads with tesseract and PP-OCR (when installed) and chooses on evidence
    (fieldkit.ocr.choice); "tesseract" or "ppocr" uses one. A crop (or an image that is one line)
    is read as one line; a whole photo has its text lines detected first (PP-OCR's detector), and
    each line is read. ``ring`` (centre x, centre y, inner radius, outer radius, start angle) reads
    the ring unrolled into a strip (preprocess.unroll_ring), instead of ``crop``.

    A path is opened first, so a missing or unreadable file is reported as such even when
    tesseract is missing too.
    """
    if engine not in ENGINES:
        raise ValidationError(f"unknown OCR engine {engine!r}: choose from {', '.join(ENGINES)}")
    image = source if isinstance(source, Image.Image) else open_image(source)
    missing = None if engine == "tesseract" else ppocr.unavailable_reason()
    if missing and engine == "ppocr":
        raise OcrUnavailable(f"PP-OCR is not available: {missing}")
    use_pp = engine != "tesseract" and missing is None
    use_tess = engine != "ppocr"
    if ring is not None:
        cx, cy, inner, outer, start = ring
        if outer > max(image.size) * 2 or not 0 <= inner < outer:
            raise ValidationError("ring: give the centre, an inner radius below the outer one, and radii within the photo")
        image, crop, psm = preprocess.unroll_ring(image, (cx, cy), inner, outer, start), None, 7
    region = image.crop((crop[0], crop[1], crop[0] + crop[2], crop[1] + crop[3])) if crop else image
    if crop is not None:
        validate_crop(crop, image.size)
    if use_pp and crop is None and psm is None and not _one_line(image):
        return _read_whole(image, languages, use_tess, cancel, progress, missing)
    pp_readings: list[ppocr.LineReading] = []
    worker = None
    turned = None  # a vertical crop is read by tesseract the way up PP-OCR found it reads
    if use_pp and region.height > region.width:
        pp_readings = ppocr.read_line(region)
        degrees = next((t for t in (90, 180, 270) if pp_readings[0].how == f"turned {t}°"), 0)
        if degrees:
            turned = ppocr.turned(region, degrees)
    elif use_pp:
        worker = threading.Thread(target=lambda: pp_readings.extend(ppocr.read_line(region)), daemon=True)
        worker.start()
    result = None
    if use_tess:
        try:
            if turned is not None:
                result = ocr_image(turned, languages=languages, psm=7, cancel=cancel, progress=progress)
                for line in result.lines:  # boxes on the turned crop mean nothing on the photo: the crop's
                    line.box = tuple(crop) if crop else (0, 0, region.width, region.height)  # type: ignore[assignment]
                    for word in line.words:
                        word.box = line.box
            else:
                result = ocr_image(image, languages=languages, crop=crop, psm=psm, cancel=cancel, progress=progress)
        finally:
            if worker is not None:
                worker.join()
    elif worker is not None:
        worker.join()
    if cancel is not None and cancel.is_set():
        raise OcrCancelled("OCR cancelled")
    readings: list[EngineReading] = []
    tess_why = None
    if result is not None:
        tess_text, tess_why = preferred(result)
        detail = f"{result.engine['languages']}, psm {result.engine['psm']}, pipeline {result.engine['pipeline']}"
        tess_conf = result.confidence if tess_text == result.text else next(
            (c.confidence for c in result.candidates if c.text.strip() == tess_text.strip()), result.confidence)
        readings.append(EngineReading("tesseract", tess_text, tess_conf, detail, notes=[tess_why] if tess_why else []))
    if pp_readings:
        top = pp_readings[0]
        readings.append(EngineReading("ppocr", top.text, round(top.confidence, 4), top.how))
    chosen = choose(readings)
    return _line_reading(image, crop, region, result, chosen, pp_readings, missing, ring)


def _one_line(image: Image.Image) -> bool:
    small = image if max(image.size) <= 1200 else image.resize(
        (max(1, image.width * 1200 // max(image.size)), max(1, image.height * 1200 // max(image.size))))
    return preprocess.looks_like_one_line(preprocess.apply(small, "gray"))


def _ppocr_engine(missing: str | None) -> dict[str, Any]:
    return {"name": ppocr.NAME, "models": [ppocr.DET_MODEL, ppocr.REC_MODEL], "available": missing is None,
            **({"missing": f"{missing}; {ppocr.WITHOUT}"} if missing else {})}


def _line_reading(image, crop, region, result, chosen: Choice, pp_readings, missing, ring) -> Reading:
    box = tuple(crop) if crop else (0, 0, region.width, region.height)
    by_engine = {r.engine: r for r in chosen.readings if r.engine in ("tesseract", "ppocr") and not r.as_read}
    source_reading = next((r for r in chosen.readings if r.text == chosen.text and r.engine == chosen.engine), None)
    as_read = (source_reading.as_read if source_reading and source_reading.as_read else None)
    tess = by_engine.get("tesseract")
    if chosen.engine == "tesseract" and result is not None:
        text_as_read = result.text
        lines = result.lines
    else:
        text_as_read = as_read or chosen.text
        word = OcrWord(text_as_read, chosen.confidence, box)  # type: ignore[arg-type]
        lines = [OcrLine(text_as_read, chosen.confidence, box, [word])] if text_as_read else []  # type: ignore[arg-type]
    candidates = list(result.candidates) if result is not None else []
    if result is not None and chosen.engine != "tesseract" and result.text:
        candidates.insert(0, OcrCandidate(str(result.engine["pipeline"]), int(result.engine["psm"]), result.text,
                                          result.confidence, 0.0, None, str(result.engine["languages"])))
    for r in pp_readings[1 if chosen.engine == "ppocr" else 0:]:
        candidates.append(OcrCandidate(r.how, 0, r.text, round(100 * r.confidence, 2), 0.0, None, ppocr.NAME))
    candidates = candidates[:SHOWN_CANDIDATES]
    engine: dict[str, Any] = dict(result.engine) if result is not None else {}
    engine.update({
        "name": chosen.engine,
        "choice": chosen.basis,
        "crop": list(crop) if crop else None,
        "ppocr": _ppocr_engine(missing),
    })
    if result is not None:
        engine["tesseract_choice"] = result.engine.get("choice")
    if ring is not None:
        engine["ring"] = list(ring)
    if "version" not in engine:
        engine["version"] = "PP-OCRv6"
    confidence = chosen.confidence
    ocr = OcrResult(text_as_read, confidence, lines, engine, candidates)
    base_text = text_as_read
    corrections: list[Correction] = []
    if chosen.engine == "tesseract" and tess is not None and tess.text != text_as_read:
        base_text = tess.text  # the reference tables preferred another tesseract reading
        corrections.append(Correction(0, len(text_as_read), text_as_read, base_text, tess.notes[0] if tess.notes else chosen.basis))
    elif as_read and as_read != chosen.text:
        base_text = chosen.text
        corrections.append(Correction(0, len(text_as_read), text_as_read, base_text, f"script: {chosen.basis}"))
    corrected, more = correct(base_text)
    return Reading(ocr, corrected, corrections + more, chosen.readings)


def _read_whole(image, languages, use_tess, cancel, progress, missing) -> Reading:
    """A whole photo: lines detected by PP-OCR, each read by PP-OCR and (in one process) tesseract."""
    started = time.perf_counter()
    found, total = ppocr.read_photo(image, limit=WHOLE_PHOTO_LINES)
    if progress is not None:
        progress(1, 2)
    if cancel is not None and cancel.is_set():
        raise OcrCancelled("OCR cancelled")
    tess: list[tuple[str, float]] = []
    if use_tess and found:
        tess = read_strips([s for _, s in found], languages, cancel=cancel)
    if progress is not None:
        progress(2, 2)
    lines, bases, everything = [], [], []
    for n, (line, _) in enumerate(found):
        readings = [EngineReading("ppocr", line.text, round(line.confidence, 4), line.how)]
        if tess:
            readings.append(EngineReading("tesseract", tess[n][0], tess[n][1], f"{languages}, psm 7"))
        chosen = choose(readings)
        if not chosen.text:
            continue
        text = next((r.as_read for r in chosen.readings if r.text == chosen.text and r.as_read), None) or chosen.text
        box = line.box
        lines.append(OcrLine(chosen.text, chosen.confidence, box, [OcrWord(chosen.text, chosen.confidence, box)]))
        bases.append({"box": list(box), "text": chosen.text, "as_read": text, "choice": chosen.basis})
        everything += chosen.readings
    text = "\n".join(line.text for line in lines)
    confidence = round(sum(line.confidence for line in lines) / len(lines), 1) if lines else 0.0
    engine = {
        "name": "ppocr+tesseract" if use_tess else ppocr.NAME,
        "version": "PP-OCRv6",
        "languages": languages if use_tess else "",
        "psm": 7 if use_tess else None,
        "pipeline": "detected lines",
        "crop": None,
        "choice": f"{len(lines)} lines read of {total} detected" + (f" (the {WHOLE_PHOTO_LINES} surest)" if total > WHOLE_PHOTO_LINES else ""),
        "detection": {"found": total, "read": len(found), "side": ppocr.DET_SIDE},
        "lines": bases,
        "ppocr": _ppocr_engine(missing),
        "seconds": round(time.perf_counter() - started, 3),
    }
    result = OcrResult(text, confidence, lines, engine, [])
    corrected, corrections = correct(text)
    return Reading(result, corrected, corrections, everything)


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
    return add_marking(
        catalog,
        item_ref,
        chosen,
        ocr_text=reading.result.text,
        source="ocr",
        photo_sha256=photo["sha256"],
        crop=tuple(crop) if crop else None,
        confidence=reading.result.confidence,
        engine=reading.result.engine,
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
) -> list[BatchEntry]:
    """OCR whole stored photos one after another: one entry per photo, in order.

    A photo that cannot be read gets an error and the rest go on; photos not reached after
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
        entries.append(entry)
        if progress is not None:
            progress(index + 1, len(photos))
    return entries


def folder_images(folder: str | os.PathLike) -> list[Path]:
    """The photo files directly inside a folder (by extension, hidden files left out), by name."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise PhotoError(f"{folder}: not a folder")
    found = sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in photos_core.PHOTO_SUFFIXES
    )
    if not found:
        raise PhotoError(f"{folder}: no photos in this folder ({', '.join(sorted(photos_core.PHOTO_SUFFIXES))})")
    return found


def ingest_folder(
    catalog: Catalog, item_ref: str, folder: str | os.PathLike, *, cancel: threading.Event | None = None
) -> tuple[list[IngestResult], list[dict[str, Any]]]:
    """Ingest the images of a folder as photos of `item_ref`; returns the per-file results and the
    stored photo rows (those ingested, or already in the store), ready for :func:`read_photos`."""
    results = photos_core.add_photos(catalog, item_ref, folder_images(folder), cancel=cancel)
    stored = [photos_core.get_photo(catalog, r.sha256) for r in results if r.ok]
    return results, stored
