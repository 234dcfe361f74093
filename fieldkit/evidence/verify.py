"""Verify the evidence: re-hash every stored original and check the audit log.

`verify_catalog` reports, each with the item ref(s) and photo it concerns:
- missing: a photo row whose original is not in the store;
- altered: a stored original whose bytes no longer hash to the SHA-256 recorded at ingest;
- unreferenced: a file in the store that no photo row names (or a leftover temporary file);
- audit: the audit chain is broken (a row edited, removed or inserted), or a row of the catalog
  differs from what the audit log last recorded for it.
The catalog is clean when there are no problems; the CLI then exits 0, and 1 otherwise.

It also notes, without counting them as problems, photos linked to no item (the originals of a
deleted item stay in the store): nothing is wrong with them, but no item screen shows them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from fieldkit.catalog import audit
from fieldkit.catalog.db import Catalog
from fieldkit.evidence.photos import TMP_PREFIX, escape_name, sha256_file

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    kind: str  # missing | altered | unreferenced | unreadable | audit; for a notice: unlinked
    detail: str
    path: str | None = None  # relative to the photo store
    sha256: str | None = None
    items: tuple[str, ...] = ()

    def describe(self) -> str:
        where = f" (item {', '.join(self.items)})" if self.items else ""
        return f"{self.kind}: {self.detail}{where}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"items": list(self.items)}


@dataclass
class VerifyReport:
    photos: int = 0  # photo rows checked
    bytes_hashed: int = 0
    audit_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)  # worth knowing, not a fault (module docstring)
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.cancelled

    def summary(self) -> str:
        if self.cancelled:
            return f"verification cancelled after {self.photos} photos; nothing can be said yet"
        head = f"{self.photos} photos re-hashed ({self.bytes_hashed / 1e6:.1f} MB), {self.audit_rows} audit rows checked"
        unlinked = sum(n.kind == "unlinked" for n in self.notices)
        note = f"; {unlinked} photo{'' if unlinked == 1 else 's'} linked to no item" if unlinked else ""
        if not self.problems:
            return f"{head}: all intact{note}"
        return f"{head}: {len(self.problems)} problem" + ("" if len(self.problems) == 1 else "s") + note

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "photos": self.photos, "bytes_hashed": self.bytes_hashed,
            "audit_rows": self.audit_rows, "cancelled": self.cancelled,
            "problems": [p.to_json() for p in self.problems],
            "notices": [n.to_json() for n in self.notices],
        }


def _refs_by_photo(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    refs: dict[str, list[str]] = {}
    for photo_id, ref in catalog.db.execute(
        "SELECT item_photos.photo_id, items.ref FROM item_photos JOIN items ON items.id = item_photos.item_id ORDER BY items.ref"
    ):
        refs.setdefault(photo_id, []).append(ref)
    return {k: tuple(v) for k, v in refs.items()}


def _audit_problem(catalog: Catalog, problem: audit.ChainProblem, refs: dict[str, tuple[str, ...]]) -> Problem:
    items: tuple[str, ...] = ()
    sha = None
    if problem.table_name == "photos":
        items = refs.get(problem.row_id, ())
        row = catalog.db.execute("SELECT sha256 FROM photos WHERE id = ?", [problem.row_id]).fetchone()
        sha = row[0] if row else None
    elif problem.table_name == "items":
        row = catalog.db.execute("SELECT ref FROM items WHERE id = ?", [problem.row_id]).fetchone()
        items = (row[0],) if row else ()
    elif problem.table_name == "item_photos":
        item_id, _, photo_id = problem.row_id.partition("/")
        row = catalog.db.execute("SELECT ref FROM items WHERE id = ?", [item_id]).fetchone()
        items = (row[0],) if row else ()
        found = catalog.db.execute("SELECT sha256 FROM photos WHERE id = ?", [photo_id]).fetchone()
        sha = found[0] if found else None
    return Problem("audit", problem.describe(), sha256=sha, items=items)


def verify_catalog(catalog: Catalog, *, progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> VerifyReport:
    """Re-hash every stored original and check the audit chain and state; see the module docstring."""
    report = VerifyReport()
    refs = _refs_by_photo(catalog)
    photos = list(catalog.db.execute(
        "SELECT id, sha256, stored_path, size, original_name FROM photos ORDER BY stored_path"
    ))
    store = catalog.photo_store
    total = len(photos)
    known: set[str] = set()
    for index, (photo_id, sha256, relpath, size, name) in enumerate(photos):
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            return report
        known.add(relpath)
        path = store / relpath
        items = refs.get(photo_id, ())
        if not path.is_file():
            report.problems.append(Problem("missing", f"{relpath} is missing from the photo store", relpath, sha256, items))
        else:
            try:
                actual = sha256_file(path, cancel)
            except InterruptedError:
                report.cancelled = True
                return report
            except OSError as exc:
                report.problems.append(Problem("unreadable", f"{relpath} cannot be read ({exc.strerror})", relpath, sha256, items))
            else:
                report.bytes_hashed += path.stat().st_size
                if actual != sha256 or not relpath.split("/")[-1].startswith(sha256):
                    report.problems.append(Problem(
                        "altered", f"{relpath} has changed since ingest (SHA-256 is now {actual})", relpath, sha256, items,
                    ))
        if not items:
            report.notices.append(Problem(
                "unlinked",
                f"{relpath} ({escape_name(name or '')}) is linked to no item; to show it with one, "
                f"add it again: fieldkit photo add REF {escape_name(str(path))}",
                relpath, sha256,
            ))
        report.photos += 1
        if progress is not None:
            progress(index + 1, total)
    if store.is_dir():
        for path in sorted(store.rglob("*")):
            if path.is_dir():
                continue
            relpath = path.relative_to(store).as_posix()
            if relpath in known:
                continue
            what = "a temporary file left by an interrupted ingest" if path.name.startswith(TMP_PREFIX) else "not referenced by any photo"
            report.problems.append(Problem("unreferenced", f"{escape_name(relpath)} is {what}", escape_name(relpath)))
    report.audit_rows = catalog.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    from fieldkit.team.provenance import check_merged  # merged origins' chains, merges and conflicts

    for problem in [*audit.check_chain(catalog.db), *audit.check_state(catalog.db), *check_merged(catalog.db)]:
        report.problems.append(_audit_problem(catalog, problem, refs))
    return report


def remove_leftover_temp_files(catalog: Catalog, *, older_than_seconds: float = 3600) -> list[str]:
    """Delete the temporary files that interrupted ingests left in the photo store; returns their names.

    Only files named like an ingest's temporary copy (never a content-addressed original), and
    only those untouched for an hour, so an ingest running in another fieldkit is left alone.
    Each is a partial copy of a file that was never ingested: the researcher still has the original.
    """
    store = catalog.photo_store
    if not store.exists():
        return []
    removed = []
    now = time.time()
    for path in sorted(store.glob(f"{TMP_PREFIX}*")):
        if path.is_file() and now - path.stat().st_mtime >= older_than_seconds:
            path.unlink()
            removed.append(escape_name(path.name))
    return removed
