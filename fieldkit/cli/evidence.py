"""`fieldkit photo add | list` and `fieldkit verify`: photos as evidence, and checking them."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from pathlib import Path

import click

from fieldkit.cli.base import UserPath, echo, pass_state, print_json
from fieldkit.errors import FieldkitError
from fieldkit.evidence import photos as photos_core
from fieldkit.evidence.verify import remove_leftover_temp_files, verify_catalog
from fieldkit.paths import expand_user


@click.group()
def photo() -> None:
    """Add photos of an item to the evidence store, list them and caption them."""


@contextlib.contextmanager
def ctrl_c_sets(stop: threading.Event):
    """Ctrl-C sets `stop` (the ingest ends before the next photo, or within a large one) instead of
    interrupting wherever it lands: just after a photo's commit it would name a stored photo as not
    added. A second Ctrl-C interrupts at once (KeyboardInterrupt, as before)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    def on_ctrl_c(signum, frame) -> None:
        stop.set()
        signal.signal(signal.SIGINT, previous)

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    if previous is None:  # a handler not set from Python: the default one after
        previous = signal.SIG_DFL
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@photo.command("add")
@click.argument("item_ref", metavar="REF")
@click.argument("files", metavar="FILE|FOLDER...", nargs=-1, required=True, type=UserPath(path_type=Path))
@click.option("--caption", help="A caption for these photos on this item, e.g. 'stencil on motor section'.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file instead of text.")
@pass_state
def photo_add(state, item_ref: str, files: tuple[Path, ...], caption: str | None, as_json: bool) -> None:
    """Store photos as evidence for item REF; print each one's SHA-256 and stored name.

    Each original is copied byte for byte into the store and never modified. A FOLDER adds the
    photos directly inside it. A file that cannot be added is named on stderr; the others still go
    in, and the exit code is 2. Stopped part-way (an unexpected error: exit 2; Ctrl-C: exit 130), the
    photos added stay stored, each photo not added is named on stderr, and the last line says how
    many of them went in.
    """
    from fieldkit.evidence.ingest_outcome import add_one_by_one, not_added_lines, not_reached, outcome, with_error
    from fieldkit.ocr.photos import open_folders

    catalog = state.catalog()
    photos_core.check_ingest(catalog, item_ref, caption)  # an unknown item or a bad caption: refused up front
    paths = open_folders(files)
    stop = threading.Event()
    with ctrl_c_sets(stop):
        results, error = add_one_by_one(catalog, item_ref, paths, stop, caption=caption)
    if as_json:
        print_json([r.to_json() for r in results + not_reached(paths, results)])
    for result in results:
        if result.ok and not as_json:
            echo(result.describe(), one_line=True)
    for line in not_added_lines(paths, results, mark="error: "):
        echo(line, err=True, one_line=True)
    headline, not_added = outcome(paths, results, error, stop.is_set())
    interrupted = stop.is_set() and bool(not_added)  # Ctrl-C before the end (one after the last photo stops nothing)
    if error or interrupted:  # stopped part-way: how many went in, last
        echo(f"error: {with_error(headline, error)}", err=True, one_line=True)
        sys.exit(130 if interrupted else 2)
    if not all(r.ok for r in results):
        sys.exit(2)


@photo.command("edit")
@click.argument("sha256", metavar="SHA256")
@click.option("--caption", required=True, help="The new caption ('' clears it).")
@click.option("--item", "item_ref", metavar="REF", help="The item whose link gets the caption (needed when the photo is linked to several).")
@pass_state
def photo_edit(state, sha256: str, caption: str, item_ref: str | None) -> None:
    """Set or change the caption of photo SHA256 (at least its first 6 hex digits) on an item; audited."""
    link = photos_core.set_caption(state.catalog(create=False), sha256, caption, item_ref)
    shown = repr(link["caption"]) if link["caption"] else "(none)"
    echo(f"{link['item_ref']}  {sha256.strip().lower()[:12]}  caption: {shown}")


LIST_COLUMNS = ("sha256", "format", "width", "height", "size", "exif_time", "original_name", "caption")


@photo.command("list")
@click.argument("item_ref", metavar="REF")
@click.option("--json", "as_json", is_flag=True, help="Print the photos as a JSON array.")
@pass_state
def photo_list(state, item_ref: str, as_json: bool) -> None:
    """List the photos of item REF: SHA-256, format, size, capture time, original name, caption; and
    where a photo's EXIF disagrees with the item (GPS over 1 km from it, taken on another day)."""
    from fieldkit.catalog.items import get_item
    from fieldkit.evidence.placement import disagreements

    catalog = state.catalog(read_only=True)
    rows = photos_core.list_photos(catalog, item_ref)
    item = get_item(catalog, item_ref)
    for row in rows:
        row["disagreements"] = disagreements(item, row)
    if as_json:
        from fieldkit.evidence.provenance import of_photo

        print_json([row | {"exif_flags": photos_core.exif_flags(row), "provenance": of_photo(catalog, row["id"])}
                    for row in rows])
        return
    for row in rows:
        taken = row["exif_time"] or "-"
        echo(
            f"{row['sha256']}  {row['format']:<4} {row['width']}x{row['height']}  {row['size']:>10} B  "
            f"{taken:<25} {row['original_name']}" + (f"  — {row['caption']}" if row["caption"] else "")
        )
        for flag in photos_core.exif_flags(row):
            echo(f"  note: {flag}")
        for problem in row["disagreements"]:
            echo(f"  ! {problem}")


@photo.command("provenance")
@click.argument("item_ref", metavar="REF")
@pass_state
def photo_provenance(state, item_ref: str) -> None:
    """Show the C2PA Content Credentials of item REF's photos, reading them for photos ingested before fieldkit did."""
    from fieldkit.evidence import provenance

    for row, found in provenance.examine_unexamined(state.catalog(create=False), item_ref):
        echo(f"{row['sha256'][:16]}  {provenance.status_line(found)}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as a JSON object.")
@click.option(
    "--remove-temp",
    is_flag=True,
    help="First delete the temporary files that interrupted ingests left in the photo store (over an hour old).",
)
@click.option(
    "--rebuild-search",
    is_flag=True,
    help="First rebuild the search indexes from the rows (when verify reports that they differ).",
)
@click.option(
    "--witness", "witnesses", multiple=True, metavar="FOLDER|ROW:FINGERPRINT",
    help="Also check against the head recorded in a backup or export folder, or one noted by hand "
         "(e.g. 6:3f9a-c21b-77e0-12ab); repeatable.",
)
@pass_state
def verify(state, as_json: bool, remove_temp: bool, rebuild_search: bool, witnesses: tuple[Path, ...]) -> None:
    """Re-hash every stored photo, check the audit log, the schema and the witness; exit 1 on any problem.

    Ends with the audit head's fingerprint: note it down, and a later verify shows whether the
    log still holds that head.
    """
    from fieldkit.catalog.witness import parse_noted

    for given in witnesses:
        if parse_noted(given) is None and not expand_user(given).exists():
            raise FieldkitError(f"--witness {given}: no such folder or file, and not ROW:FINGERPRINT "
                                "(e.g. 6:3f9a-c21b-77e0-12ab); give a backup or export folder or a noted head")
    catalog = state.catalog(read_only=not rebuild_search)
    if rebuild_search:
        from fieldkit.catalog import search

        search.rebuild_indexes(catalog)
        echo("rebuilt the search indexes from the rows", err=True)
    if remove_temp:
        for name in remove_leftover_temp_files(catalog):
            echo(f"removed {name} (a temporary copy left by an interrupted ingest)", err=True, one_line=True)
    report = verify_catalog(catalog, witnesses=[w if parse_noted(w) else expand_user(w) for w in witnesses])
    if as_json:
        print_json(report.to_json())
    else:
        for problem in report.problems:
            echo(problem.describe(), one_line=True)
        for notice in report.notices:
            echo(f"note: {notice.describe()}", one_line=True)
        echo(report.summary())
        if report.signed_line():
            echo(report.signed_line(), one_line=True)
        echo(report.head_line())
    sys.exit(0 if report.ok else 1)
