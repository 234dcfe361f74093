"""Verify the evidence: re-hash every stored original, check the audit log, the schema and the witness.

`verify_catalog` reports, each with the item ref(s) and photo it concerns:
- missing: a photo row whose original is not in the store;
- altered: a stored original whose bytes no longer hash to the SHA-256 recorded at ingest;
- path: a photo row whose `stored_path` is not the name its SHA-256 gives (it may point out of
  the store); such a file is never opened;
- symlink / foreign: a symlink anywhere in the store, or a folder or special file that does not
  belong there (the store holds only `ab/<sha256>.<ext>` files and ingest temp files);
- unreferenced: a file in the store that no photo row names, with what to do: an original whose
  bytes match its name (an ingest killed before its row was committed: add the photo again), a
  leftover temporary file (`--remove-temp`), or anything else; none is ever deleted by verify;
- unreadable: a stored original, or a folder of the store, that cannot be read;
- encoding: a cell holding bytes that are not UTF-8 text (written by another program); the rest
  of the catalog is then not checked, since it cannot be read safely;
- audit: the audit chain is broken (a row edited, removed or inserted), or a row of the catalog
  differs from what the audit log last recorded for it;
- schema: a table, index, trigger or view added, changed or missing against the migrations;
- search: the search indexes do not hold what the rows give, or a row left in `search_suspended`
  stops them following the rows (fieldkit.catalog.search_check); `--rebuild-search` rebuilds them;
- witness: the audit head went backwards, a witnessed row is missing or different, the
  catalog id is not the one witnessed at this path, or a signed checkpoint's signature is bad
  (fieldkit.catalog.witness).
The catalog is clean when there are no problems; the CLI then exits 0, and 1 otherwise. The
report ends with the audit head's short fingerprint, for a notebook, and the newest signed
checkpoint of a head the catalog holds.

It also notes, without counting them as problems, photos linked to no item (the originals of a
deleted item stay in the store), copies of this catalog elsewhere that went their own way, and a
head that the witness log does not hold.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.catalog import audit, witness
from fieldkit.catalog.db import Catalog, is_catalog_file
from fieldkit.catalog.encoding import invalid_text
from fieldkit.catalog.schema import check_schema
from fieldkit.catalog.search_check import check_search
from fieldkit.evidence.photos import TMP_PREFIX, sha256_file, stored_path_problem
from fieldkit.evidence.store import Entry, kind_of, walk

Progress = Callable[[int, int], None]
STORE_FOLDER = re.compile(r"[0-9a-f]{2}")


@dataclass(frozen=True)
class Problem:
    kind: str  # missing | altered | path | symlink | foreign | unreferenced | unreadable | audit | schema | search
    # | witness | encoding; for a notice: unlinked | witness
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
    head: dict[str, Any] | None = None  # witness.head_record of the catalog as verified
    signed: list[witness.Signed] = field(default_factory=list)  # signed checkpoints of heads this catalog holds

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

    def head_line(self) -> str:
        """The audit head to copy into a notebook: row and fingerprint (see fieldkit.catalog.witness)."""
        if self.head is None:
            return "audit head: not read (verification did not finish)"
        return f"audit head: row {self.head['seq']}, fingerprint {self.head['fingerprint']}"

    def signed_line(self) -> str | None:
        """Which heads are signed: the newest signed checkpoint the catalog holds, and how far the head
        has gone since; None if there is none (or verification did not finish)."""
        if self.head is None or not self.signed:
            return None
        last = max(self.signed, key=lambda s: s.seq)
        rows = sorted({s.seq for s in self.signed})
        since = self.head["seq"] - last.seq
        after = "the head itself is signed" if since == 0 else f"{since} row{'' if since == 1 else 's'} written since"
        earlier = f"; signed rows: {', '.join(map(str, rows[-6:]))}" + (" ..." if len(rows) > 6 else "") if len(rows) > 1 else ""
        return (f"signed checkpoint: row {last.seq} (fingerprint {last.fingerprint}) by {last.signer or 'an unknown key'} "
                f"({last.key_fingerprint}), {last.at}; {after}{earlier}")

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "photos": self.photos, "bytes_hashed": self.bytes_hashed,
            "audit_rows": self.audit_rows, "cancelled": self.cancelled,
            "problems": [p.to_json() for p in self.problems],
            "notices": [n.to_json() for n in self.notices],
            "head": self.head,
            "signed": [asdict(s) for s in self.signed],
        }


def _refs_by_photo(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    refs: dict[str, list[str]] = {}
    for photo_id, ref in catalog.db.execute(
        "SELECT item_photos.photo_id, items.ref FROM item_photos JOIN items ON items.id = item_photos.item_id ORDER BY items.ref"
    ):
        refs.setdefault(photo_id, []).append(ref)
    return {k: tuple(v) for k, v in refs.items()}


def _recorded(catalog: Catalog, table: str, row_id: str, column: str) -> Any:
    """A column of a row as the catalog holds it, or else as the audit log last recorded it."""
    if table in ("items", "photos", "markings", "components"):
        found = catalog.db.execute(f"SELECT [{column}] FROM [{table}] WHERE id = ?", [row_id]).fetchone()
        if found:
            return found[0]
    for after, before in catalog.db.execute(
        "SELECT after_json, before_json FROM audit WHERE table_name = ? AND row_id = ? ORDER BY seq DESC", [table, row_id]
    ):
        for text in (after, before):
            value = _audit_value(text, column)
            if value is not None:
                return value
    return None


def _audit_value(text: str | None, column: str) -> Any:
    try:
        row = json.loads(text) if text else None
    except ValueError:
        return None
    return row.get(column) if isinstance(row, dict) else None


def _audit_problem(catalog: Catalog, problem: audit.ChainProblem, refs: dict[str, tuple[str, ...]]) -> Problem:
    """An audit problem with the item(s) and photo it concerns, found even when the row is gone."""
    table, row_id = problem.table_name, problem.row_id
    item_ids: list[str] = []
    sha = None
    if table == "items":
        item_ids = [row_id]
    elif table in ("markings", "components"):
        item_ids = [_recorded(catalog, table, row_id, "item_id")]
    elif table == "item_photos":
        item_id, _, photo_id = row_id.partition("/")
        item_ids = [item_id]
        sha = _recorded(catalog, "photos", photo_id, "sha256")
    elif table == "photos":
        sha = _recorded(catalog, "photos", row_id, "sha256")
        if row_id in refs:
            return Problem("audit", problem.describe(), sha256=sha, items=refs[row_id])
    items = tuple(str(ref) for ref in (_recorded(catalog, "items", i, "ref") for i in item_ids if isinstance(i, str)) if ref)
    return Problem("audit", problem.describe(), sha256=sha, items=items)


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _check_photo(report: VerifyReport, store: Path, row: tuple, items: tuple[str, ...],
                 cancel: threading.Event | None, links: set[str]) -> None:
    """Check one photo row's original; raises InterruptedError when cancelled."""
    _, sha256, relpath, _, _ = row
    shown = str(relpath)
    path_problem = stored_path_problem(sha256, relpath)
    if path_problem:
        report.problems.append(Problem(
            "path", f"the photo row's stored path {shown} {path_problem}; fieldkit does not open it", shown,
            sha256 if isinstance(sha256, str) else None, items))
        return
    folder, path = store / relpath.split("/")[0], store / relpath
    for place in (folder, path):
        if kind_of(place) == "symlink":
            links.add(place.relative_to(store).as_posix())
            report.problems.append(Problem(
                "symlink", f"{place.relative_to(store).as_posix()} is a symlink (to {_link_target(place)}), "
                f"not kept in the store; {relpath} is not the original", relpath, sha256, items))
            return
    kind = kind_of(path)
    if kind == "missing":
        report.problems.append(Problem("missing", f"{relpath} is missing from the photo store", relpath, sha256, items))
        return
    if kind == "unreadable":
        report.problems.append(Problem("unreadable", f"{relpath} cannot be reached (permission denied?)", relpath, sha256, items))
        return
    if kind != "file":
        report.problems.append(Problem("foreign", f"{relpath} is a {kind}, not a file", relpath, sha256, items))
        return
    try:
        actual = sha256_file(path, cancel, stored=True)
    except InterruptedError:
        raise  # Esc: an OSError too, but the file is not to blame
    except OSError as exc:
        report.problems.append(Problem("unreadable", f"{relpath} cannot be read ({exc.strerror})", relpath, sha256, items))
        return
    report.bytes_hashed += path.stat().st_size
    if actual != sha256:
        report.problems.append(Problem(
            "altered", f"{relpath} has changed since ingest (SHA-256 is now {actual})", relpath, sha256, items,
        ))


def _check_store(report: VerifyReport, store: Path, known: set[str], links: set[str],
                 cancel: threading.Event | None) -> None:
    """Report what does not belong in the store: symlinks, foreign folders and files, stray files,
    folders that cannot be read (fieldkit.evidence.store.walk, into the `ab/` folders only). Raises
    InterruptedError when cancelled (an original no row holds is hashed: that can take minutes)."""
    skip = known | links
    for entry in walk(store, descend=lambda e: e.depth == 0 and STORE_FOLDER.fullmatch(e.path.name) is not None):
        if entry.kind == "unreadable":
            report.problems.append(Problem(
                "unreadable", f"the store folder {entry.relpath} cannot be read ({entry.reason})", entry.relpath))
        elif entry.relpath == ".":
            what = f"a symlink (to {_link_target(store)})" if entry.kind == "symlink" else "not a folder"
            report.problems.append(Problem(entry.kind if entry.kind == "symlink" else "foreign",
                                           f"the photo store {store} is {what}; it must be a folder of originals"))
        else:
            _check_entry(report, entry, skip, cancel)


def _check_entry(report: VerifyReport, entry: Entry, known: set[str], cancel: threading.Event | None) -> None:
    relpath, kind = entry.relpath, entry.kind
    if kind == "symlink":
        if relpath not in known:
            report.problems.append(Problem("symlink", f"{relpath} is a symlink (to {_link_target(entry.path)}); "
                                                      "nothing in the photo store may be a symlink", relpath))
    elif kind == "folder":
        if not (entry.depth == 0 and STORE_FOLDER.fullmatch(entry.path.name)):
            report.problems.append(Problem("foreign", f"{relpath} is a folder that does not belong in the photo store", relpath))
    elif kind == "other":
        report.problems.append(Problem("foreign", f"{relpath} is not a regular file (a pipe, socket or device)", relpath))
    elif relpath not in known:
        report.problems.append(_unreferenced(entry, cancel))


def _unreferenced(entry: Entry, cancel: threading.Event | None) -> Problem:
    """A file no photo row names, and what to do about it. An original whose bytes match its name
    is what an ingest killed between storing it and committing its row leaves: adding the photo
    again records it with this very file (fieldkit.evidence.photos.ingest_file)."""
    relpath = entry.relpath
    if entry.path.name.startswith(TMP_PREFIX):
        return Problem("unreferenced", f"{relpath} is a temporary file left by an interrupted ingest; "
                                       "`fieldkit verify --remove-temp` deletes it once it is an hour old", relpath)
    sha256 = _content_address(relpath)
    if sha256 is None:
        return Problem("unreferenced", f"{relpath} is not referenced by any photo", relpath)
    try:
        actual = sha256_file(entry.path, cancel, stored=True)
    except InterruptedError:
        raise  # Esc: an OSError too, but the file is not to blame
    except OSError as exc:
        return Problem("unreadable", f"{relpath} (no photo row holds it) cannot be read ({exc.strerror})", relpath, sha256)
    if actual != sha256:
        return Problem("unreferenced", f"{relpath} is held by no photo row and its bytes do not match its name "
                                       f"(SHA-256 {actual}); it is not an original fieldkit stored", relpath, sha256)
    return Problem("unreferenced", f"{relpath} is a stored original that no photo row holds (an ingest stopped "
                                   "before recording it); to record it, add the photo again with `fieldkit photo "
                                   "add REF FILE` (this copy is reused); fieldkit never deletes it", relpath, sha256)


def _content_address(relpath: str) -> str | None:
    """The SHA-256 a store path `ab/<sha256>.<ext>` names, or None for any other path."""
    folder, _, name = relpath.partition("/")
    sha256, dot, _ = name.partition(".")
    return sha256 if dot and folder == sha256[:2] and not stored_path_problem(sha256, relpath) else None


def verify_catalog(catalog: Catalog, *, progress: Progress | None = None,
                   cancel: threading.Event | None = None, witnesses: Iterable[Path | str] = ()) -> VerifyReport:
    """Re-hash every stored original, check the store, then `check_records`: see the module docstring."""
    report = VerifyReport()
    if not _readable(report, catalog):
        return report
    refs = _refs_by_photo(catalog)
    photos = list(catalog.db.execute(
        "SELECT id, sha256, stored_path, size, original_name FROM photos ORDER BY stored_path"
    ))
    store = catalog.photo_store
    total = len(photos)
    known: set[str] = set()
    links: set[str] = set()  # symlinks already reported with the photo they stand for
    for index, row in enumerate(photos):
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            return report
        photo_id, sha256, relpath, _, name = row
        items = refs.get(photo_id, ())
        known.add(str(relpath))
        try:
            _check_photo(report, store, row, items, cancel, links)
        except InterruptedError:
            report.cancelled = True
            return report
        if not items and not stored_path_problem(sha256, relpath):
            report.notices.append(Problem(
                "unlinked",
                f"{relpath} ({name or ''}) is linked to no item; to show it with one, "
                f"add it again: fieldkit photo add REF {str(store / relpath)}",
                relpath, sha256,
            ))
        report.photos += 1
        if progress is not None:
            progress(index + 1, total)
    try:
        if cancel is not None and cancel.is_set():
            raise InterruptedError("cancelled")
        _check_store(report, store, known, links, cancel)
    except InterruptedError:
        report.cancelled = True
        return report
    _check_records(report, catalog, refs, witnesses)
    return report


# The catalog-wide checks that `check_records` makes, in order, as (problem kind, what it checks).
RECORD_CHECKS = (
    ("encoding", "text readable as UTF-8"),
    ("audit", "audit chain, rows against their audit records, merged origins' chains"),
    ("schema", "schema against the migrations"),
    ("search", "search indexes against the rows"),
    ("witness", "audit head against the witness log and signed checkpoints"),
)


def check_records(catalog: Catalog, *, witnesses: Iterable[Path | str] = ()) -> VerifyReport:
    """Every check of `verify_catalog` except the photo store's (RECORD_CHECKS): what a dossier runs
    for the whole catalog, re-hashing only its own item's photos."""
    report = VerifyReport()
    if _readable(report, catalog):
        _check_records(report, catalog, _refs_by_photo(catalog), witnesses)
    return report


def _readable(report: VerifyReport, catalog: Catalog) -> bool:
    """False, with the problems, when a cell holds bytes that are not UTF-8: nothing else can be read safely."""
    bad_text = invalid_text(catalog.db.conn, catalog.path)
    if bad_text:
        report.problems += [Problem("encoding", bad.describe()) for bad in bad_text]
        report.problems.append(Problem("encoding", "the photos and the audit log were not checked, as the catalog "
                                       "cannot be read as text; restore it from a backup, then verify again"))
    return not bad_text


def _check_records(report: VerifyReport, catalog: Catalog, refs: dict[str, tuple[str, ...]],
                   witnesses: Iterable[Path | str]) -> None:
    report.audit_rows = catalog.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    from fieldkit.team.provenance import check_merged  # merged origins' chains, merges and conflicts

    for problem in [*audit.check_chain(catalog.db), *audit.check_state(catalog.db), *check_merged(catalog.db)]:
        report.problems.append(_audit_problem(catalog, problem, refs))
    for line in check_schema(catalog.db):
        report.problems.append(Problem("schema", line))
    for line in check_search(catalog.db):
        report.problems.append(Problem("search", line))
    _check_witness(report, catalog, witnesses)


def _check_witness(report: VerifyReport, catalog: Catalog, witnesses: Iterable[Path | str]) -> None:
    report.head = witness.head_record(catalog)
    if report.head["catalog_id"] is None:
        report.problems.append(Problem("witness", "the catalog has no id in catalog_meta (removed behind fieldkit's back)"))
        return
    found, paths = [], []
    for given in witnesses:
        noted = witness.parse_noted(given) if isinstance(given, str) else None
        if noted is None:
            paths.append(Path(given))
        elif problem := witness.check_noted(catalog.db, *noted):
            report.problems.append(Problem("witness", problem))
    for path, own in [(witness.witness_path(), None), *((p, True) for p in paths)]:
        source = path / witness.HEAD_FILE if path.is_dir() and own else path
        if own and is_catalog_file(catalog, source):  # never read: that would drop SQLite's locks on it
            report.problems.append(Problem("witness", f"{str(source)} is the catalog itself, not a witness; give a "
                                           "backup or export folder, or its audit-head.json"))
            continue
        try:
            contents = witness.read_log(source)
        except OSError as exc:
            report.problems.append(Problem("witness", f"the witness {str(source)} cannot be read ({exc.strerror})"))
            continue
        records = contents.records
        if contents.bad_lines:
            report.notices.append(Problem("witness", _bad_lines_note(source, contents)))
        if own and not records:
            report.problems.append(Problem("witness", f"{str(source)} holds no audit head record"))
        found.append((records, own))
    for records, own in found:
        for problem in witness.check(catalog, records, own_path=own):
            (report.problems if problem.serious else report.notices).append(Problem("witness", problem.problem))
    signed_problems, report.signed = witness.check_signatures(
        catalog.db, [r for records, _ in found for r in records], _known_keys(report))
    for problem in signed_problems:
        (report.problems if problem.serious else report.notices).append(Problem("witness", problem.problem))


def _known_keys(report: VerifyReport) -> dict[bytes, str]:
    """The public keys this researcher knows: her own ("you") and her trusted colleagues', by name."""
    from fieldkit.team import keys

    known: dict[bytes, str] = {}
    try:
        for key in keys.trusted_keys():
            known[key.verify_key] = key.name or "?"
        if keys.has_key():
            known[keys.own_public().verify_key] = "you"
    except keys.KeyProblem as exc:
        report.notices.append(Problem("witness", f"signed checkpoints checked without your keys: {exc}"))
    return known


def _bad_lines_note(source: Path, contents: witness.LogContents) -> str:
    lines = contents.bad_lines
    shown = ", ".join(map(str, lines[:5])) + (f" and {len(lines) - 5} more" if len(lines) > 5 else "")
    torn = " (the last one is cut short, as a crash during a write leaves it)" if contents.torn_end else ""
    return (f"{str(source)}: line{'s' if len(lines) > 1 else ''} {shown} "
            f"{'are' if len(lines) > 1 else 'is'} not a witness record{torn}; read past")


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
            removed.append(path.name)
    return removed
