"""photo_provenance.csv in a CSV export: what each photo's own provenance said when it was read.

One row per photo whose provenance was read (fieldkit.evidence.provenance: C2PA Content
Credentials and whether the EXIF looks edited), named by the photo's SHA-256 and the refs of the
items it shows. The same cell format and spreadsheet guard as the other files (fieldkit.export.csv);
the rows are few (one per photo), so Python writes them. Kept apart from csv.py's fast SQL path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from fieldkit.errors import FieldkitError

FILE = "photo_provenance.csv"
COLUMNS = ["photo_sha256", "item_refs", "c2pa_status", "signer", "claim_generator", "capture_time",
           "exif_edited", "checked_at", "photo_id"]
FULL_COLUMNS = ["result_json"]

SELECT = """
    SELECT photos.sha256,
           (SELECT group_concat(ref, ' ') FROM (SELECT items.ref AS ref FROM item_photos
                JOIN items ON items.id = item_photos.item_id WHERE item_photos.photo_id = pp.photo_id ORDER BY items.ref)),
           pp.c2pa_status, pp.signer, pp.claim_generator, pp.capture_time,
           CASE pp.exif_edited WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END,
           pp.checked_at, pp.photo_id, pp.result_json
    FROM photo_provenance pp LEFT JOIN photos ON photos.id = pp.photo_id
    ORDER BY photos.sha256, pp.photo_id"""

NOTE = """
photo_provenance.csv, one row per photo whose own provenance was read (at ingest, or by
`fieldkit photo provenance`):
  photo_sha256, photo_id   the photo (its SHA-256 names its original in photos.csv)
  item_refs                the refs of the items it shows, separated by spaces
  c2pa_status              the C2PA Content Credentials found: none, valid, invalid, ... (as read)
  signer, claim_generator  who signed the credentials, and the program that made them
  capture_time             the capture time the credentials state
  exif_edited              yes if the EXIF names an editing program, no if not, empty if unknown
  checked_at               when fieldkit read it
With --full, result_json: everything that was read, as JSON.
"""


def write(db: Database, outdir: Path, full: bool = False, staged: list[tuple[str, Path]] | None = None) -> int:
    """Write photo_provenance.csv into `outdir` from `db` (in the export's read transaction); returns its
    rows. `staged`: see `fieldkit.export.csv.atomic_file`."""
    from fieldkit.export.csv import csv_line, write_csv

    header = COLUMNS + (FULL_COLUMNS if full else [])
    kinds = "t" * len(header)

    def batches() -> Iterator[tuple[bytes, int]]:
        cursor = db.execute(SELECT)
        while rows := cursor.fetchmany(1000):
            yield "\r\n".join(csv_line(kinds, *row[:len(header)]) for row in rows).encode("utf-8"), len(rows)

    try:
        return write_csv(outdir / FILE, header, batches(), staged)
    except sqlite3.OperationalError as exc:
        if "decode to UTF-8" not in str(exc):
            raise
        raise FieldkitError(
            f"cannot export {FILE}: a text cell of the photo_provenance table is not valid UTF-8, so another "
            "program wrote it; correct that row with a SQLite tool, then export again") from None
