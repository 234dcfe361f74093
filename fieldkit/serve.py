"""`fieldkit serve`: the catalog read-only in Datasette for the office, or the app itself in a browser.

The catalog is first copied with SQLite's online backup API into a temporary file, and Datasette
serves that copy as immutable (`?immutable=1`): the catalog itself is never opened for writing,
not even to create a WAL index, and nothing sent to the server can change it (Datasette 0.65 runs
only SELECT statements, and no writable canned query is defined). The copy is a snapshot taken
when the server starts; the page says so.

Datasette shows the catalog's plain tables with metadata (titles, column descriptions, units),
canned queries for what headquarters asks, photo thumbnails (made on request from the stored
originals, read-only), and a map of finds through datasette-cluster-map where the browser can
reach map tiles. It listens on 127.0.0.1 unless a host is given.

`serve_tui` serves the terminal app itself with textual-serve, for a colleague without a terminal.
"""

from __future__ import annotations

import io
import re
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from fieldkit.errors import CatalogError

DB_NAME = "catalog"
THUMB_SIZE = (240, 240)

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "components_by_country": {
        "title": "Components by country",
        "description": "Parts (quantities summed) by the country of the firm each is attributed to.",
        "sql": "SELECT coalesce(country, '(unknown)') AS country, sum(quantity) AS parts, "
               "count(DISTINCT manufacturer) AS firms, count(DISTINCT item_id) AS items "
               "FROM components GROUP BY country ORDER BY parts DESC",
    },
    "components_by_firm": {
        "title": "Components by firm",
        "description": "Parts by manufacturer as attributed, with its country.",
        "sql": "SELECT coalesce(manufacturer, '(unattributed)') AS manufacturer, country, sum(quantity) AS parts, "
               "count(DISTINCT item_id) AS items FROM components GROUP BY manufacturer, country ORDER BY parts DESC",
    },
    "date_code_window": {
        "title": "Date-code window per item",
        "description": "For each item: dated parts, the earliest and the latest date-code period. The item was "
                       "assembled no earlier than the start of its newest period (`assembled_not_before`).",
        "sql": "SELECT items.ref, count(components.date_start) AS dated_rows, min(components.date_start) AS earliest_period_start, "
               "max(components.date_start) AS assembled_not_before FROM items "
               "LEFT JOIN components ON components.item_id = items.id GROUP BY items.id ORDER BY items.ref",
    },
    "items_by_place": {
        "title": "Items by place",
        "description": "How many items were found at each place, and which.",
        "sql": "SELECT coalesce(place, '(no place)') AS place, count(*) AS items, group_concat(ref, ', ') AS refs "
               "FROM items GROUP BY place ORDER BY items DESC, place",
    },
    "markings_with_readings": {
        "title": "Markings with their readings",
        "description": "Every marking with the patterns it matches and the years it may state, as stored at reading time.",
        "sql": "SELECT items.ref, markings.text, markings.ocr_text, markings.source, markings.confidence, "
               "(SELECT group_concat(json_extract(c.value, '$.pattern_id'), '; ') "
               " FROM json_each(markings.readings_json, '$.candidates') c) AS patterns, "
               "(SELECT group_concat(coalesce(json_extract(y.value, '$.describe'), json_extract(y.value, '$.label')), '; ') "
               " FROM json_each(markings.readings_json, '$.years') y) AS years, "
               "(SELECT group_concat(json_extract(cy.value, '$.label'), '; ') FROM json_each(markings.readings_json, '$.candidates') c, "
               " json_each(c.value, '$.years') cy) AS pattern_years "
               "FROM markings JOIN items ON items.id = markings.item_id ORDER BY items.ref, markings.created_at",
    },
    "finds": {
        "title": "Map of finds",
        "description": "Items with a location: their own coordinates, or else their first photo's GPS. "
                       "The map needs the browser to reach map tiles; the table works offline.",
        "sql": "SELECT items.ref, items.category, items.designation, items.found_on, items.place, "
               "coalesce(items.lat, (SELECT p.gps_lat FROM item_photos ip JOIN photos p ON p.id = ip.photo_id "
               "  WHERE ip.item_id = items.id AND p.gps_lat IS NOT NULL ORDER BY ip.added_at LIMIT 1)) AS latitude, "
               "coalesce(items.lon, (SELECT p.gps_lon FROM item_photos ip JOIN photos p ON p.id = ip.photo_id "
               "  WHERE ip.item_id = items.id AND p.gps_lat IS NOT NULL ORDER BY ip.added_at LIMIT 1)) AS longitude "
               "FROM items WHERE latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY items.ref",
    },
}

TABLES: dict[str, dict[str, Any]] = {
    "items": {
        "description": "Debris items, one row each. `ref` is the researcher's reference.",
        "columns": {
            "ref": "The item's short reference, e.g. KHK-0001", "category": "Kind of item",
            "designation": "Model or index as identified", "origin": "Assessed origin",
            "found_on": "Date found (ISO 8601)", "place": "Where it was found",
            "lat": "Latitude, WGS 84, decimal degrees", "lon": "Longitude, WGS 84, decimal degrees",
            "sample_type": "Attributed or unattributed sample", "custody": "Where the physical item is now",
        },
    },
    "photos": {
        "description": "Photo originals, stored byte-identical and named by their SHA-256.",
        "columns": {
            "sha256": "SHA-256 of the original at ingest (thumbnail shown)", "size": "File size",
            "exif_time": "Capture time from EXIF", "gps_lat": "Latitude from EXIF GPS", "gps_lon": "Longitude from EXIF GPS",
        },
        "units": {"size": "byte"},
    },
    "markings": {
        "description": "Markings read from items, with the OCR reading and every reading of the text.",
        "columns": {"text": "The marking as corrected", "ocr_text": "The raw OCR reading",
                    "confidence": "OCR confidence, 0-100", "readings_json": "Every reading, with its basis"},
    },
    "components": {
        "description": "Electronic components found in items, with their attribution.",
        "columns": {"part_number": "Part number as printed", "manufacturer": "Firm attributed",
                    "country": "Country of the firm's headquarters (ISO 3166-1 alpha-2)",
                    "date_code": "Date code as printed", "date_start": "First day of the date code's period",
                    "date_end": "Last day of the date code's period", "quantity": "How many identical parts"},
    },
    "audit": {"description": "Every change to the catalog, hash-chained: an edit to this log is detectable."},
    "photo_provenance": {"description": "C2PA Content Credentials and EXIF notes, read at ingest."},
}


def metadata(catalog_path: Path, snapshot_at: str) -> dict[str, Any]:
    """Datasette metadata: titles, descriptions, units, the read-only note and the canned queries."""
    return {
        "title": f"fieldkit catalog {catalog_path.name} (read-only copy)",
        "description": (
            f"A read-only copy of {catalog_path.name}, taken {snapshot_at}. Nothing can be changed through this "
            "page; edits are made in fieldkit and appear after the server is restarted."
        ),
        "databases": {
            DB_NAME: {
                "title": "Catalog (read-only copy)",
                "tables": {name: {"description": t["description"], **({"columns": t["columns"]} if "columns" in t else {}),
                                  **({"units": t["units"]} if "units" in t else {})}
                           for name, t in TABLES.items()},
                "queries": CANNED_QUERIES,
            }
        },
    }


def snapshot(catalog_path: Path, folder: Path) -> Path:
    """A consistent copy of the catalog in `folder`, made read-only through SQLite's backup API."""
    if not catalog_path.is_file():
        raise CatalogError(f"no catalog at {catalog_path}; check --db")
    copy = folder / "catalog.db"
    try:
        source = sqlite3.connect(f"{catalog_path.resolve().as_uri()}?mode=ro", uri=True)
        with sqlite3.connect(copy) as target:
            source.backup(target)
        source.close()
    except sqlite3.Error as exc:
        raise CatalogError(f"{catalog_path} could not be read as a catalog ({exc}); check --db") from None
    copy.chmod(0o444)
    return copy


class Thumbnails:
    """A Datasette plugin: /-/thumbnail/<sha256>.jpg, and the sha256 cells of `photos` shown as thumbnails."""

    def __init__(self, store: Path, copy: Path):
        self.store = store
        self.copy = copy

    def stored_path(self, sha256: str) -> Path | None:
        with sqlite3.connect(f"{self.copy.as_uri()}?immutable=1", uri=True) as conn:
            row = conn.execute("SELECT stored_path FROM photos WHERE sha256 = ?", [sha256]).fetchone()
        if row is None:
            return None
        path = (self.store / row[0]).resolve()
        return path if self.store.resolve() in path.parents and path.is_file() else None

    def register_routes(self):
        from datasette.utils.asgi import Response

        async def thumbnail(request):
            sha256 = request.url_vars["sha256"]
            path = self.stored_path(sha256) if re.fullmatch(r"[0-9a-f]{64}", sha256) else None
            if path is None:
                return Response.text("no such photo", status=404)
            from fieldkit.evidence.photos import thumbnail as make_thumbnail

            out = io.BytesIO()
            make_thumbnail(path, THUMB_SIZE).save(out, "JPEG", quality=80)
            return Response(out.getvalue(), content_type="image/jpeg", headers={"Cache-Control": "max-age=3600"})

        return [(r"^/-/thumbnail/(?P<sha256>[^/]+)\.jpg$", thumbnail)]

    def render_cell(self, value, column, table):
        from markupsafe import Markup, escape

        if table == "photos" and column == "sha256" and isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value):
            return Markup(f'<img src="/-/thumbnail/{value}.jpg" alt="{escape(value)}" style="max-width:120px"><br>'
                          f'<code>{escape(value)}</code>')
        return None


def read_only(app):
    """ASGI middleware: refuse every request that is not GET or HEAD with 405, before Datasette sees it."""

    async def guarded(scope, receive, send):
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD"):
            body = b"this is a read-only copy of a fieldkit catalog: nothing can be written here\n"
            await send({"type": "http.response.start", "status": 405,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD")]})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return guarded


def make_datasette(catalog_path: Path, folder: Path):
    """A Datasette over a read-only snapshot of the catalog (made in `folder`), with fieldkit's metadata."""
    from datasette import hookimpl
    from datasette.app import Datasette
    from datasette.plugins import pm

    from fieldkit.catalog.db import now
    from fieldkit.locations import photo_store_path

    copy = snapshot(catalog_path, folder)
    plugin = Thumbnails(photo_store_path(catalog_path), copy)

    class Hooks:
        __name__ = "fieldkit.serve"  # Datasette lists plugins by module name

        @hookimpl
        def register_routes(self):
            return plugin.register_routes()

        @hookimpl
        def render_cell(self, value, column, table):
            return plugin.render_cell(value, column, table)

        @hookimpl
        def asgi_wrapper(self):
            return read_only

    import datasette.handle_exception

    # Datasette prints every error a browser causes (a bad SQL query, a 404) as a rich traceback
    # with locals on the terminal that runs `serve`; the browser gets the error page either way.
    datasette.handle_exception.rich = None
    if pm.get_plugin("fieldkit") is not None:
        pm.unregister(name="fieldkit")
    pm.register(Hooks(), name="fieldkit")
    return Datasette(
        immutables=[str(copy)],
        metadata=metadata(catalog_path, now()),
        settings={"default_page_size": 50, "allow_download": False, "allow_csv_stream": True},
    )


def serve(catalog_path: Path, host: str, port: int) -> None:
    """Run Datasette on host:port until interrupted."""
    import uvicorn

    with tempfile.TemporaryDirectory(prefix="fieldkit-serve-") as folder:
        ds = make_datasette(catalog_path, Path(folder))
        uvicorn.run(ds.app(), host=host, port=port, log_level="warning")


def serve_tui(catalog_path: Path, host: str, port: int) -> None:
    """Serve the terminal app to a browser with textual-serve."""
    import shlex
    import sys

    from textual_serve.server import Server

    command = f"{shlex.quote(sys.executable)} -P -m fieldkit --db {shlex.quote(str(catalog_path))}"
    Server(command, host=host, port=port, title="fieldkit").serve()
