"""One item with everything linked to it: its photos, markings and components (for `item show`).

A marking names the photo and crop it was read from; a component's quantity counts as that
many parts, as the summary counts them.
"""

from __future__ import annotations

from typing import Any

from fieldkit.catalog import components as components_core
from fieldkit.catalog import markings as markings_core
from fieldkit.catalog.db import Catalog
from fieldkit.catalog.items import get_item


def crop_text(row: dict[str, Any]) -> str | None:
    """"X,Y,W,H" of a marking's crop, or None when it was read from the whole photo or typed."""
    crop = [row.get(k) for k in ("crop_x", "crop_y", "crop_w", "crop_h")]
    return ",".join(str(v) for v in crop) if all(v is not None for v in crop) else None


def origin_text(photo_sha256: str | None, crop: str | None) -> str:
    """"  from photo 1a2b3c4d5e6f crop 10,20,300,80" for a marking read from a photo, else ""."""
    if not photo_sha256:
        return ""
    return f"  from photo {photo_sha256[:12]}" + (f" crop {crop}" if crop else " (whole photo)")


def item_overview(catalog: Catalog, ref: str) -> dict[str, Any]:
    """The item's fields, and lists of its photos, markings and components, with counts."""
    from fieldkit.evidence.photos import list_photos

    item = get_item(catalog, ref)
    photos = [
        {k: p[k] for k in ("sha256", "original_name", "format", "width", "height", "exif_time", "gps_lat", "gps_lon", "caption")}
        for p in list_photos(catalog, item["ref"])
    ]
    markings = [
        {k: m[k] for k in ("id", "text", "ocr_text", "source", "confidence", "position", "photo_sha256")}
        | {"crop": crop_text(m)}
        for m in markings_core.list_markings(catalog, item["ref"])
    ]
    components = [
        {k: c[k] for k in ("id", "part_number", "manufacturer", "country", "date_code", "date_start", "date_end",
                           "quantity", "type")}
        for c in components_core.list_components(catalog, item["ref"])
    ]
    return item | {
        "counts": {"photos": len(photos), "markings": len(markings), "components": len(components),
                   "parts": sum(c["quantity"] for c in components)},
        "photos": photos,
        "markings": markings,
        "components": components,
    }
