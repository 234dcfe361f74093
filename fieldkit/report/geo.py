"""Where items were found, for GIS (GeoJSON, KML) and for the report's map.

A find is an item with coordinates: its own lat/lon, or else the GPS of its first photo that has
one (and the find says which). Properties are the ref, category, designation, date found, place
and the counts of photos, markings and components. GeoJSON follows RFC 7946 (longitude first,
WGS 84); KML is OGC KML 2.2, one Placemark per find.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from fieldkit.catalog.db import Catalog
from fieldkit.catalog.items import COUNTS_SQL

FINDS_SQL = f"""
    SELECT items.ref, items.category, items.designation, items.found_on, items.place, items.lat, items.lon,
           (SELECT p.gps_lat FROM item_photos ip JOIN photos p ON p.id = ip.photo_id
             WHERE ip.item_id = items.id AND p.gps_lat IS NOT NULL AND p.gps_lon IS NOT NULL
             ORDER BY ip.added_at, p.sha256 LIMIT 1) AS photo_lat,
           (SELECT p.gps_lon FROM item_photos ip JOIN photos p ON p.id = ip.photo_id
             WHERE ip.item_id = items.id AND p.gps_lat IS NOT NULL AND p.gps_lon IS NOT NULL
             ORDER BY ip.added_at, p.sha256 LIMIT 1) AS photo_lon,
           {COUNTS_SQL}
    FROM items"""


def finds(catalog: Catalog, refs: list[str] | None = None) -> list[dict[str, Any]]:
    """The items (all, or those in `refs`) that have a location, ordered by ref."""
    sql, params = FINDS_SQL, []
    if refs is not None:
        sql += " WHERE items.ref IN (SELECT value FROM json_each(?))"
        params = [json.dumps(refs)]
    out = []
    for row in catalog.db.execute_returning_dicts(sql + " ORDER BY items.ref", params):
        if _coordinates(row["lat"], row["lon"]):
            (lat, lon), source = _coordinates(row["lat"], row["lon"]), "item"
        elif _coordinates(row["photo_lat"], row["photo_lon"]):
            (lat, lon), source = _coordinates(row["photo_lat"], row["photo_lon"]), "photo GPS"
        else:
            continue
        out.append({
            "ref": row["ref"], "category": row["category"], "designation": row["designation"],
            "found_on": row["found_on"], "place": row["place"], "lat": lat, "lon": lon, "location_from": source,
            "photos": row["photos"], "markings": row["markings"], "components": row["components"],
        })
    return out


def _coordinates(lat: Any, lon: Any) -> tuple[float, float] | None:
    """(lat, lon) when both are numbers on the globe; None otherwise (missing, or a crafted catalog's text)."""
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return float(lat), float(lon)


def to_geojson(found: list[dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of Points, one per find."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f["ref"],
                "geometry": {"type": "Point", "coordinates": [f["lon"], f["lat"]]},
                "properties": {k: v for k, v in f.items() if k not in ("lat", "lon")},
            }
            for f in found
        ],
    }


def to_kml(found: list[dict[str, Any]], name: str = "fieldkit finds") -> str:
    """A KML 2.2 document with one Placemark per find; the properties go in ExtendedData."""
    marks = []
    for f in found:
        data = "".join(
            f'<Data name="{escape(k)}"><value>{escape("" if v is None else str(v))}</value></Data>'
            for k, v in f.items() if k not in ("lat", "lon")
        )
        title = " ".join(str(v) for v in (f["ref"], f["designation"] or f["category"]) if v)
        marks.append(
            f"<Placemark><name>{escape(title)}</name>"
            f"<description>{escape(', '.join(str(v) for v in (f['category'], f['place'], f['found_on']) if v))}</description>"
            f"<ExtendedData>{data}</ExtendedData>"
            f"<Point><coordinates>{f['lon']},{f['lat']},0</coordinates></Point></Placemark>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>{escape(name)}</name>" + "\n".join(marks) + "</Document></kml>\n"
    )


def wrote_finds(count: int, out: Path) -> str:
    """What `export_finds` did, in one line (the CLI's and the app's)."""
    return f"wrote {count} find{'' if count == 1 else 's'} to {out}"


def export_finds(catalog: Catalog, kind: str, out: Path) -> int:
    """Write the finds as `kind` ("geojson" or "kml") to `out` (its folder made if need be),
    atomically; returns how many. A file that cannot be written, or a device or pipe at `out`, is
    one line naming it."""
    from fieldkit.errors import FieldkitError
    from fieldkit.export.csv import write_text

    found = finds(catalog)
    text = json.dumps(to_geojson(found), ensure_ascii=False, indent=1) + "\n" if kind == "geojson" else to_kml(found)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_text(out, text)
    except OSError as exc:
        raise FieldkitError(f"cannot write {out}: {exc.strerror or exc}; choose a folder you can write to") from None
    return len(found)
