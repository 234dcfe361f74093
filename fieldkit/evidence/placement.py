"""How a photo's EXIF place and time compare with its item's recorded position and found date.

A photo taken at the find carries evidence of where and when: `offers` names what the photo can
give an item that lacks it (latitude/longitude, found date), and `disagreements` says where the
two differ (more than 1 km apart, or a different day), so the researcher can look again. Nothing
here changes the item; the app asks before copying anything.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

FAR_KM = 1.0
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance by the haversine formula."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def photo_day(photo: dict[str, Any]) -> dt.date | None:
    """The calendar day of the photo's EXIF capture time (as the camera's clock gave it), if any."""
    try:
        return dt.date.fromisoformat((photo.get("exif_time") or "")[:10])
    except ValueError:
        return None


def _has_gps(photo: dict[str, Any]) -> bool:
    return photo.get("gps_lat") is not None and photo.get("gps_lon") is not None


def offers(item: dict[str, Any], photo: dict[str, Any]) -> dict[str, Any]:
    """The item fields the photo can fill: {"lat", "lon"} and/or {"found_on"}; only those the item lacks."""
    found: dict[str, Any] = {}
    if item.get("lat") is None and item.get("lon") is None and _has_gps(photo):
        found.update(lat=photo["gps_lat"], lon=photo["gps_lon"])
    day = photo_day(photo)
    if not item.get("found_on") and day is not None and day <= dt.date.today():
        found["found_on"] = day.isoformat()
    return found


def disagreements(item: dict[str, Any], photo: dict[str, Any]) -> list[str]:
    """Where the photo's EXIF and the item differ: over FAR_KM apart, or taken on another day."""
    found = []
    if item.get("lat") is not None and item.get("lon") is not None and _has_gps(photo):
        km = distance_km(item["lat"], item["lon"], photo["gps_lat"], photo["gps_lon"])
        if km > FAR_KM:
            found.append(f"GPS {km:,.1f} km from the item's position")
    day = photo_day(photo)
    if item.get("found_on") and day is not None and day.isoformat() != str(item["found_on"])[:10]:
        found.append(f"taken {day.isoformat()}, item found {str(item['found_on'])[:10]}")
    return found


def describe_offer(values: dict[str, Any]) -> str:
    """ "position 49.993500, 36.230400 and found date 2024-01-03" """
    parts = []
    if "lat" in values:
        parts.append(f"position {values['lat']:.6f}, {values['lon']:.6f}")
    if "found_on" in values:
        parts.append(f"found date {values['found_on']}")
    return " and ".join(parts)
