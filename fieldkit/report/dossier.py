"""What goes into an evidence dossier: one item's record gathered from the catalog, ready to render.

`build_dossier(catalog, ref)` reads (never writes) the item's fields, its photos with their hashes,
capture data and provenance, its markings with the crop cut from the original photo and every
reading with its basis, its components with their attribution, the summary of its components, and
its chain of custody (custody.py). `build_report` does the same for several items, with the
catalog's summary and the finds for the map. The HTML and PDF renderers (html.py, pdf.py) only lay
out what these return, so both show the same facts.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldkit.catalog.components import list_components
from fieldkit.catalog.db import Catalog, now
from fieldkit.catalog.items import get_item
from fieldkit.catalog.markings import list_markings, ocr_choice_lines
from fieldkit.components.summary import Summary, summarize
from fieldkit.evidence.provenance import of_photo
from fieldkit.evidence.photos import DECODERS, MAX_PIXELS, list_photos, stored_file
from fieldkit.report.custody import ChainCheck, Custody, check_catalog, item_custody

ITEM_FIELDS = (
    ("ref", "Ref"), ("category", "Category"), ("designation", "Designation"), ("calibre", "Calibre"),
    ("origin", "Assessed origin"), ("found_on", "Found on"), ("place", "Place"), ("lat", "Latitude"),
    ("lon", "Longitude"), ("recorded_by", "Recorded by"), ("condition", "Condition"),
    ("sample_type", "Sample"), ("holder", "User/holder"), ("acquisition", "How acquired"),
    ("custody", "Where it is now"), ("notes", "Notes"), ("created_at", "Created"), ("updated_at", "Updated"),
)
CROP_MAX = (900, 300)  # a marking crop is shown at most this size (pixels), its aspect kept
THUMB_MAX = (500, 375)  # a 4000×3000 JPEG decodes at 1/8 scale straight to this size


@dataclass
class PhotoEntry:
    row: dict[str, Any]
    jpeg: bytes | None  # a display copy (the original is never changed); None if unreadable
    provenance: dict[str, Any] | None = None  # C2PA result and EXIF notes, when recorded


@dataclass
class MarkingEntry:
    row: dict[str, Any]
    crop_png: bytes | None  # the crop cut from the original photo, when the marking has one
    readings: list[dict[str, str]]  # every reading: {"kind", "reading", "basis"}

    @property
    def ocr_choice(self) -> list[str]:
        """Which OCR engine's reading was kept and why, as `marking show` prints it; none for a typed marking."""
        return [line.strip().removeprefix("OCR choice: ") for line in ocr_choice_lines(self.row.get("ocr_choice"))]


@dataclass
class Dossier:
    item: dict[str, Any]
    photos: list[PhotoEntry]
    markings: list[MarkingEntry]
    components: list[dict[str, Any]]
    summary: Summary
    custody: Custody
    generated_at: str

    @property
    def ref(self) -> str:
        return self.item["ref"]

    def fields(self) -> list[tuple[str, str]]:
        """The item's fields that have a value, as (label, text)."""
        return [(label, str(self.item[name])) for name, label in ITEM_FIELDS if self.item.get(name) not in (None, "")]


@dataclass
class Report:
    dossiers: list[Dossier]
    summary: Summary  # of the items in the report
    finds: list[dict[str, Any]]  # from geo.finds, for the map
    custody_head: dict[str, Any]
    generated_at: str
    title: str = "fieldkit catalog report"
    extra: dict[str, Any] = field(default_factory=dict)


def _open_reduced(path, needed: tuple[int, int]):
    """Open a stored original for display, decoding a JPEG at the smallest scale still at least
    `needed` (Pillow's draft mode: much faster than a full decode). Returns (image, scale), where
    scale is original pixels per decoded pixel. Only fieldkit's accepted decoders are used, and a
    decompression bomb is refused, as at ingest."""
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        img = Image.open(path, formats=DECODERS)
        try:
            if img.width * img.height > MAX_PIXELS:
                raise ValueError("too many pixels")
            width = img.width
            img.draft("RGB", needed)
            img.load()
        except BaseException:
            img.close()
            raise
    return img, width / img.width


def _display_copy(path, size: tuple[int, int]) -> bytes | None:
    """A JPEG copy of a stored original, upright and no larger than `size`, for display only."""
    from PIL import Image, ImageOps

    try:
        img, _ = _open_reduced(path, size)
        with img:
            img.thumbnail(size, Image.Resampling.BILINEAR)
            upright = ImageOps.exif_transpose(img).convert("RGB")
    except Exception:  # an unreadable original is reported by the custody check, not here
        return None
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=82)
    return out.getvalue()


def cut_crop(catalog: Catalog, photo: dict[str, Any], box: tuple[int, int, int, int]) -> bytes | None:
    """The region `box` (x, y, w, h, in the original's pixels) of the stored original, as PNG,
    scaled down to fit CROP_MAX."""
    x, y, w, h = box
    factor = max(1.0, min(w / CROP_MAX[0], h / CROP_MAX[1]))
    try:
        path = stored_file(catalog, photo)
        from PIL import Image

        with Image.open(path, formats=DECODERS) as probe:
            full = probe.size
        img, scale = _open_reduced(path, (max(1, int(full[0] / factor)), max(1, int(full[1] / factor))))
        with img:
            region = img.crop((round(x / scale), round(y / scale), round((x + w) / scale), round((y + h) / scale)))
        region.thumbnail(CROP_MAX)
        out = io.BytesIO()
        region.convert("RGB").save(out, "PNG")
        return out.getvalue()
    except Exception:
        return None


def marking_readings(marking: dict[str, Any]) -> list[dict[str, str]]:
    """Every reading stored with a marking: pattern matches (with the reference row) and years."""
    readings = marking.get("readings") or {}
    out = []
    for cand in readings.get("candidates", []):
        fields = ", ".join(f"{k}={v}" for k, v in (cand.get("fields") or {}).items())
        text = f"{cand.get('pattern_id')}: {fields}" if fields else str(cand.get("pattern_id"))
        out.append({"kind": "pattern", "reading": text,
                    "basis": f"{cand.get('basis', '')} [reference row {cand.get('pattern_id')}, {cand.get('source', 'shipped')}]"})
        for factory in cand.get("factories", []):
            out.append({"kind": "factory", "reading": f"{factory.get('code')}: {factory.get('factory')}",
                        "basis": factory.get("source", "")})
        for year in cand.get("years", []):
            out.append({"kind": "year", "reading": year.get("label") or str(year.get("year")), "basis": year.get("basis", "")})
    for year in readings.get("years", []):
        span = f"{year.get('gregorian_start')} to {year.get('gregorian_end')}"
        out.append({"kind": f"year ({year.get('calendar')})", "reading": f"{year.get('text')} = {year.get('year')} ({span})",
                    "basis": year.get("basis", "")})
    return out


def build_dossier(catalog: Catalog, ref: str, *, with_images: bool = True, verify: bool = True,
                  chain: ChainCheck | None = None) -> Dossier:
    """Everything the dossier of item `ref` shows. Reads only.

    `chain` is the catalog-wide audit check when the caller made it already (see custody.py).
    """
    item = get_item(catalog, ref)
    photos = list_photos(catalog, ref)
    by_id = {p["id"]: p for p in photos}
    photo_entries = [
        PhotoEntry(p, _display_copy(stored_file(catalog, p), THUMB_MAX) if with_images else None, of_photo(catalog, p["id"]))
        for p in photos
    ]
    markings = []
    for m in list_markings(catalog, ref):
        crop = None
        photo = by_id.get(m.get("photo_id")) if m.get("photo_id") else None
        if photo is None and m.get("photo_id"):  # a marking read from a photo no longer linked to the item
            found = catalog.db.execute_returning_dicts("SELECT * FROM photos WHERE id = ?", [m["photo_id"]])
            photo = found[0] if found else None
        if with_images and photo is not None and m.get("crop_w"):
            crop = cut_crop(catalog, photo, (m["crop_x"], m["crop_y"], m["crop_w"], m["crop_h"]))
        markings.append(MarkingEntry(m, crop, marking_readings(m)))
    return Dossier(
        item=item,
        photos=photo_entries,
        markings=markings,
        components=list_components(catalog, ref),
        summary=summarize(catalog, ref),
        custody=item_custody(catalog, item, photos, chain=chain, verify=verify),
        generated_at=now(),
    )


def build_report(catalog: Catalog, refs: list[str] | None = None, *, with_images: bool = True,
                 progress: Callable[[int, int], None] | None = None) -> Report:
    """The report of several items (`refs`, or every item when None), with the catalog summary and finds."""
    from fieldkit.report.custody import head_record
    from fieldkit.report.geo import finds

    everything = refs is None
    if refs is None:
        refs = [ref for (ref,) in catalog.db.execute("SELECT ref FROM items ORDER BY ref")]
    dossiers = []
    chain = check_catalog(catalog)
    for ref in refs:
        dossiers.append(build_dossier(catalog, ref, with_images=with_images, chain=chain))
        if progress is not None:
            progress(len(dossiers), len(refs))
    if everything:
        summary = summarize(catalog)
    else:
        summary = merge_summaries([d.summary for d in dossiers], ", ".join(refs) if len(refs) <= 4 else f"{len(refs)} items")
    return Report(dossiers, summary, finds(catalog, refs), head_record(catalog), now())


def merge_summaries(parts: list[Summary], label: str) -> Summary:
    """One summary of several items' summaries (counts added, shares recomputed)."""
    from fieldkit.components.summary import CountryShare, FirmShare

    out = Summary(label)
    countries: dict[str, list] = {}
    firms: dict[tuple, int] = {}
    years: dict[int, int] = {}
    for s in parts:
        out.parts += s.parts
        out.unattributed_parts += s.unattributed_parts
        out.parts_without_country += s.parts_without_country
        out.dated_parts += s.dated_parts
        out.uncertain_year_parts += s.uncertain_year_parts
        for c in s.by_country:
            countries.setdefault(c.country, [c.name, 0])[1] += c.parts
        for f in s.by_firm:
            key = (f.firm_id, f.firm, f.country)
            firms[key] = firms.get(key, 0) + f.parts
        for y, n in s.by_year:
            years[y] = years.get(y, 0) + n
        if s.newest and (out.newest is None or s.newest.start > out.newest.start):
            out.newest = s.newest
    total = out.parts or 1
    out.by_country = sorted((CountryShare(cc, name, n, n / total) for cc, (name, n) in countries.items()),
                            key=lambda c: (-c.parts, c.country))
    out.by_firm = sorted((FirmShare(fid, name, cc, n, n / total) for (fid, name, cc), n in firms.items()),
                         key=lambda f: (-f.parts, f.firm))
    out.by_year = sorted(years.items())
    return out
