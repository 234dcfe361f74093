"""Adding photos one by one, and the outcome of an ingest that may stop part-way.

Shared by `fieldkit photo add` and the app's item and OCR batch screens. Whatever stops an ingest
-- an error, a stop asked for (escape, the app closing), Ctrl-C -- the photos reached are kept,
each stored whole or not at all (fieldkit.evidence.photos.ingest_file), and every photo not added
is named with its reason, one line each.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from fieldkit.errors import FieldkitError
from fieldkit.evidence import photos as photos_core
from fieldkit.evidence.photos import IngestResult

CTRL_C = "stopped (Ctrl-C)"


def add_one_by_one(catalog, ref: str, paths: list[Path], cancel: threading.Event | None,
                   progress: Callable[[int, int], None] | None = None, *,
                   caption: str | None = None) -> tuple[list[IngestResult], str | None]:
    """Add the photos one by one: the results of the photos reached and the error that stopped the
    ingest, if one did (None else). A photo that cannot be added (not an image, unreadable) gets its
    failed result and the rest go on; setting `cancel` stops before the next photo.

    Ctrl-C (KeyboardInterrupt, in the main thread: the CLI) is a stop asked for, not an error:
    `cancel` is set, and the photo being added and those after it get a result saying so."""
    results: list[IngestResult] = []
    try:
        for path in paths:
            results += photos_core.add_photos(catalog, ref, [path], caption=caption, cancel=cancel)
            if progress is not None:
                progress(len(results), len(paths))
    except KeyboardInterrupt:
        if cancel is not None:
            cancel.set()
        results += [IngestResult(source=str(p), error=f"{p} was not added: {CTRL_C}") for p in paths[len(results):]]
    except FieldkitError as exc:  # the item is gone, the catalog cannot be written
        return results, str(exc)
    except Exception as exc:  # a bug or a failing disk: said, not a traceback, and what went in is named
        return results, f"{str(exc) or type(exc).__name__}; run `fieldkit verify`"
    return results, None


def not_reached(paths: list[Path], results: list[IngestResult]) -> list[IngestResult]:
    """A failed result for each path after `results`: those an error stopped the ingest before."""
    return [IngestResult(source=str(p), error=f"{p.name} was not added: not reached") for p in paths[len(results):]]


def outcome(paths: list[Path], results: list[IngestResult], error: str | None, stopped: bool) -> tuple[str, list[str]]:
    """The headline of an ingest's outcome and the names of the photos not added, in order.

    `results` holds one result per path reached; paths after them were not reached (an `error`
    stopped the ingest there). `stopped`: a stop was asked for (escape, Ctrl-C)."""
    added = sum(1 for r in results if r.ok)
    not_added = [Path(r.source).name for r in results + not_reached(paths, results) if not r.ok]
    if error:
        return f"Stopped by an error: added {added} of {len(paths)}.", not_added
    if stopped_part_way(error, stopped, not_added):
        return f"Stopped: added {added} of {len(paths)}.", not_added
    return f"Added {added} of {len(paths)}.", not_added


def stopped_part_way(error: str | None, stopped: bool, not_added: list[str]) -> bool:
    """Whether the ingest ended before its end: an error stopped it, or a stop was asked for while
    photos were left (a stop after the last photo stops nothing)."""
    return bool(error) or (stopped and bool(not_added))


def with_error(headline: str, error: str | None) -> str:
    """The outcome's headline, followed by the error that stopped the ingest, if one did."""
    return headline + (f" {error}" if error else "")


def not_added_lines(paths: list[Path], results: list[IngestResult], mark: str = "✗ ") -> list[str]:
    """A line per photo not added, `mark` then the reason; those after `results` were not reached."""
    return [f"{mark}{r.error}" for r in results + not_reached(paths, results) if not r.ok]
