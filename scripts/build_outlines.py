"""Build fieldkit/report/outlines.json, the country outlines of the offline map, at install time.

The outlines are Natural Earth's 1:110m Admin 0 countries (public domain), as shipped inside the
geopandas 0.14.4 wheel from PyPI (geopandas/datasets/naturalearth_lowres, removed from later
geopandas releases). `make deps` downloads that wheel with pip and runs this script; nothing else
is fetched, and the derived file is not committed. Polygons are read straight from the shapefile
(ESRI Shapefile Technical Description, 1998: polygon records, shape type 5) and rounded to 0.01°.

Usage: python scripts/build_outlines.py WHEEL OUT.json
"""

from __future__ import annotations

import json
import struct
import sys
import zipfile

MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp"


def polygons(shp: bytes) -> list[list[list[float]]]:
    """Every ring of every polygon record in a shapefile's .shp bytes, as [[lon, lat], ...]."""
    rings = []
    offset = 100  # the main file header
    while offset < len(shp):
        _number, words = struct.unpack(">ii", shp[offset:offset + 8])
        record = shp[offset + 8: offset + 8 + words * 2]
        offset += 8 + words * 2
        (shape_type,) = struct.unpack("<i", record[:4])
        if shape_type != 5:
            continue
        num_parts, num_points = struct.unpack("<ii", record[36:44])
        parts = list(struct.unpack(f"<{num_parts}i", record[44:44 + 4 * num_parts]))
        points_at = 44 + 4 * num_parts
        coords = struct.unpack(f"<{2 * num_points}d", record[points_at:points_at + 16 * num_points])
        for start, end in zip(parts, [*parts[1:], num_points]):
            ring = [[round(coords[2 * i], 2), round(coords[2 * i + 1], 2)] for i in range(start, end)]
            if len(ring) >= 4:
                rings.append(ring)
    return rings


def main(wheel: str, out: str) -> None:
    with zipfile.ZipFile(wheel) as zf:
        rings = polygons(zf.read(MEMBER))
    data = {
        "source": "Natural Earth 1:110m Admin 0 countries (public domain), from the geopandas 0.14.4 wheel "
                  "(geopandas/datasets/naturalearth_lowres)",
        "rings": rings,
    }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(data, fh, separators=(",", ":"))
    print(f"wrote {len(rings)} outline rings to {out}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
