"""The offline map of finds: country outlines and numbered points, drawn as one SVG.

The outlines are Natural Earth's 1:110m countries (public domain), derived at install time into
fieldkit/report/outlines.json (scripts/build_outlines.py); nothing is fetched when a map is drawn.
The projection is plain equirectangular, with longitude scaled by the cosine of the middle
latitude so that shapes near the finds keep their proportions. The same SVG goes into the HTML
report and, through fpdf2's SVG support, into the PDF.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

OUTLINES = Path(__file__).with_name("outlines.json")
WIDTH, HEIGHT = 800, 450
MIN_SPAN = 8.0  # degrees of latitude shown at least, so one find still shows its region


@lru_cache(maxsize=1)
def outlines() -> tuple[tuple[tuple[float, float], ...], ...]:
    """The country outline rings, or () when they were not built (the map then says so)."""
    try:
        data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    return tuple(tuple((float(x), float(y)) for x, y in ring) for ring in data["rings"])


def _frame(found: list[dict[str, Any]]) -> tuple[float, float, float, float]:
    """(west, south, east, north) around the finds, with a margin, at the map's aspect ratio."""
    if not found:
        return -180.0, -60.0, 180.0, 85.0
    lats = [f["lat"] for f in found]
    lons = [f["lon"] for f in found]
    mid_lat = (min(lats) + max(lats)) / 2
    k = max(math.cos(math.radians(mid_lat)), 0.2)
    lat_span = max(max(lats) - min(lats), MIN_SPAN) * 1.3
    lon_span = max((max(lons) - min(lons)) * 1.3, lat_span * WIDTH / HEIGHT / k)
    lat_span = max(lat_span, lon_span * k * HEIGHT / WIDTH)
    mid_lon = (min(lons) + max(lons)) / 2
    return mid_lon - lon_span / 2, mid_lat - lat_span / 2, mid_lon + lon_span / 2, mid_lat + lat_span / 2


def clip(ring: list[tuple[float, float]], width: float, height: float) -> list[tuple[float, float]]:
    """The part of polygon `ring` inside the rectangle (0, 0)-(width, height) (Sutherland-Hodgman).

    Clipping here, rather than with an SVG clipPath, keeps the PDF renderer (which ignores
    clip paths) from drawing outlines across the page.
    """
    edges = (
        (lambda p: p[0] >= 0, lambda a, b: (0.0, a[1] + (b[1] - a[1]) * (0 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= width, lambda a, b: (width, a[1] + (b[1] - a[1]) * (width - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= 0, lambda a, b: (a[0] + (b[0] - a[0]) * (0 - a[1]) / (b[1] - a[1]), 0.0)),
        (lambda p: p[1] <= height, lambda a, b: (a[0] + (b[0] - a[0]) * (height - a[1]) / (b[1] - a[1]), height)),
    )
    points = ring
    for inside, cross in edges:
        if not points:
            break
        out = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    out.append(cross(previous, current))
                out.append(current)
            elif inside(previous):
                out.append(cross(previous, current))
        points = out
    return points


def map_svg(found: list[dict[str, Any]]) -> str:
    """An SVG map of `found` (from geo.finds): outlines in grey, each find a numbered red point.

    The numbers follow the order of `found`, so a legend beside the map can name them.
    """
    west, south, east, north = _frame(found)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) / (east - west) * WIDTH, (north - lat) / (north - south) * HEIGHT

    paths = []
    for ring in outlines():
        lons = [p[0] for p in ring]
        lats = [p[1] for p in ring]
        if max(lons) < west or min(lons) > east or max(lats) < south or min(lats) > north:
            continue
        clipped = clip([xy(lon, lat) for lon, lat in ring], WIDTH, HEIGHT)
        if len(clipped) < 3:
            continue
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in clipped)
        paths.append(f'<polygon points="{points}" fill="#e8e8e0" stroke="#888888" stroke-width="0.8"/>')
    marks = []
    for number, f in enumerate(found, 1):
        x, y = xy(f["lon"], f["lat"])
        marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#c0392b" stroke="#ffffff" stroke-width="1.5"/>')
        marks.append(f'<text x="{x + 9:.1f}" y="{y + 4:.1f}" font-size="13" font-family="sans-serif" fill="#000000">{number}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">'
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#d6e6f2"/>'
        f'{"".join(paths)}{"".join(marks)}'
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{HEIGHT - 1}" fill="none" stroke="#444444"/></svg>'
    )


def map_note(found: list[dict[str, Any]]) -> str:
    """What the map shows and where its outlines come from, in one line."""
    base = ("Country outlines: Natural Earth 1:110m (public domain)" if outlines()
            else "Country outlines not installed (run `make deps`); points only")
    return f"{len(found)} find(s) with a location. {base}. Equirectangular projection."
