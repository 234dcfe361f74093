"""Backup and restore of a catalog with its photo store, each copy verified by hash.

The catalog is copied with SQLite's online backup API, so a backup taken while another
fieldkit is writing is still a consistent snapshot. Photo originals are copied file by file
and each copy is re-hashed: the store is content-addressed, so a file's name is its SHA-256.
A backup folder holds `catalog.db`, `catalog.db.photos/`, `audit-head.json` (the copied catalog's
audit head: `fieldkit verify --witness FOLDER` checks a catalog against it) and `SHA256SUMS`
(readable by `sha256sum -c`).

Neither ever says more than it did:
- `backup` fails, keeping nothing, when it cannot copy everything: a photo original missing from
  the store, a symlink or anything but a plain file or folder in the store, an unreadable folder.
  Nothing is followed through a symlink, and a backup is refused inside the photo store.
- `restore` first checks the whole backup against its SHA256SUMS (every file listed is there and
  matches, nothing unlisted), and refuses it otherwise, as it refuses a backup whose catalog names
  a photo file outside its content address; it never writes to the backup, and runs `verify` on
  the restored catalog against the head the backup recorded (so a rollback since is reported).
- A failure part way (a full disk) gives one line naming the disk that filled, and removes what
  was written, so that the same command can simply be run again.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from fieldkit.catalog import witness
from fieldkit.catalog.db import Catalog, _check_file, open_catalog, refuse_inside_store, translate_error
from fieldkit.errors import FieldkitError
from fieldkit.evidence.photos import stored_path_problem
from fieldkit.evidence.store import walk
from fieldkit.evidence.verify import verify_catalog
from fieldkit.locations import photo_store_path
from fieldkit.paths import expand_user
from fieldkit.wording import plural

CHUNK = 1 << 20
BACKUP_NAME = "catalog.db"
SUMS_NAME = "SHA256SUMS"
_SUM_LINE = re.compile(r"([0-9a-f]{64})  (.+)")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class CopyReport:
    catalog: Path
    photos: int
    problems: list[str]
    restored: bool = False  # a restore names the catalog file it wrote; a backup, its folder

    def describe(self, where: Callable[[Path], str] = str) -> str:
        """The outcome in one line; `where(path)` writes the path it names (the app shortens it)."""
        if self.restored:
            where = where(self.catalog)
            text = f"restored the catalog to {where} and {plural(self.photos, 'photo original')}, all matching the backup's SHA256SUMS"
        else:
            where = where(self.catalog.parent)
            text = f"copied the catalog and {plural(self.photos, 'photo original')} to {where}, all verified by SHA-256"
        if self.problems:
            text = f"copied to {where} with {plural(len(self.problems), 'problem')}: " + "; ".join(self.problems)
        return text


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    destination = sqlite3.connect(str(target))
    try:
        source.backup(destination)
        destination.execute("PRAGMA journal_mode = DELETE")
    finally:
        destination.close()


def _store_files(store: Path) -> list[Path]:
    """Every file of the photo store, walked without following a link (fieldkit.evidence.store.walk);
    refuses what cannot be copied faithfully (a symlink, a device or pipe, a folder that cannot be
    read) in one line."""
    files = []
    for entry in walk(store):
        if entry.kind == "file":
            files.append(entry.path)
        elif entry.kind == "unreadable":
            raise FieldkitError(f"cannot read {entry.path} in the photo store ({entry.reason}); check its permissions "
                                "(nothing was backed up)")
        elif entry.relpath == ".":
            raise FieldkitError(f"{store} in the photo store is {'a symlink' if entry.kind == 'symlink' else 'not a folder'}, "
                                "not a folder of originals; run `fieldkit verify`, then put the originals back (nothing was backed up)")
        elif entry.kind != "folder":
            what = "a symlink" if entry.kind == "symlink" else "not a regular file"
            raise FieldkitError(f"{entry.path} in the photo store is {what}; a backup copies only "
                                "originals; run `fieldkit verify` (nothing was backed up)")
    return sorted(files)


def _copy_file(source: Path, target: Path) -> None:
    """Copy a regular file, following a symlink at neither end; the new copy is made read-only."""
    src = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        dst = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with open(src, "rb", closefd=False) as reader, open(dst, "wb", closefd=False) as writer:
                shutil.copyfileobj(reader, writer, CHUNK)
            os.fchmod(dst, 0o444)
        finally:
            os.close(dst)
    finally:
        os.close(src)


def _copy_store(store: Path, files: list[Path], target_store: Path,
                progress: Callable[[int, int], None] | None) -> tuple[list[str], list[str]]:
    """Copy `files` of the store, re-hash each copy; returns (problems, SHA256SUMS lines)."""
    problems, sums = [], []
    for done, source in enumerate(files, 1):
        relative = source.relative_to(store)
        target = target_store / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy_file(source, target)
        digest = sha256_file(target)
        if digest != source.stem:
            problems.append(f"{relative.as_posix()}: copy hashes to {digest[:12]}…, not its name "
                            "(is the original altered? run `fieldkit verify`)")
        sums.append(f"{digest}  {target_store.name}/{relative.as_posix()}")
        if progress:
            progress(done, len(files))
    return problems, sums


def _missing_originals(copy: Path, store: Path, files: list[Path]) -> list[str]:
    """The stored paths that the copied catalog names but the store lacks (with their items)."""
    present = {p.relative_to(store).as_posix() for p in files}
    conn = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT photos.stored_path, group_concat(items.ref, ', ') FROM photos "
            "LEFT JOIN item_photos ON item_photos.photo_id = photos.id LEFT JOIN items ON items.id = item_photos.item_id "
            "GROUP BY photos.id ORDER BY photos.stored_path"
        ).fetchall()
    finally:
        conn.close()
    return [f"{path}" + (f" (item {refs})" if refs else "") for path, refs in rows if path not in present]


def _disk_full(exc: BaseException) -> bool:
    return (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in str(exc)


def _failure(exc: BaseException, what: str, where: Path) -> FieldkitError:
    """One line for a backup or restore that failed part way, naming the disk it was writing to."""
    if _disk_full(exc):
        return FieldkitError(f"the {what} to {where} failed: the disk holding {where} is full (No space left on "
                             "device); free some space there or choose another disk, then run it again "
                             "(nothing was kept)")
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return FieldkitError(f"the {what} to {where} failed: {reason}; check the space and permissions there "
                         "(nothing was kept)")


def backup(catalog: Catalog, destination: Path | str, progress: Callable[[int, int], None] | None = None) -> CopyReport:
    """Copy the catalog and its photo originals into the new folder `destination`."""
    destination = expand_user(destination)
    refuse_inside_store(catalog, destination, "a backup")
    if destination.exists() and any(destination.iterdir()):
        raise FieldkitError(f"{destination} is not empty; give a new folder for the backup")
    store = catalog.photo_store
    files = _store_files(store)  # refuses a store that cannot be copied faithfully, before writing anything
    existed = destination.exists()
    try:
        destination.mkdir(parents=True, exist_ok=True)
        target = destination / BACKUP_NAME
        _copy_database(catalog.db.conn, target)
        missing = _missing_originals(target, store, files)
        if missing:
            raise FieldkitError(
                f"{len(missing)} photo original{'s are' if len(missing) > 1 else ' is'} missing from the photo "
                f"store: {'; '.join(missing[:3])}{' ...' if len(missing) > 3 else ''}; run `fieldkit verify` "
                "(nothing was backed up)"
            )
        problems, sums = _copy_store(store, files, photo_store_path(target), progress)
        head = destination / witness.HEAD_FILE  # the head of the copied catalog, for `verify --witness`
        head.write_text(witness.head_file_text(_head_of(target)), encoding="utf-8")
        sums.insert(0, f"{sha256_file(head)}  {witness.HEAD_FILE}")
        sums.insert(0, f"{sha256_file(target)}  {BACKUP_NAME}")
        (destination / SUMS_NAME).write_text("\n".join(sums) + "\n", encoding="utf-8")
    except (FieldkitError, InterruptedError):  # InterruptedError: the app's cancel, from `progress`
        _remove_partial(destination, existed)
        raise
    except (OSError, sqlite3.Error) as exc:
        _remove_partial(destination, existed)  # a half backup must not pass for a backup
        raise _failure(exc, "backup", destination) from None
    return CopyReport(target, len(files), problems)


def _head_of(path: Path) -> dict:
    """The head record of the catalog copy at `path`, read without writing to it."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return witness.record_of(Database(conn), None)
    finally:
        conn.close()


def _refuse_paths_out_of_store(conn: sqlite3.Connection, source: Path) -> None:
    """Refuse a backup whose catalog names a photo file other than its content address (e.g. `../../x`)."""
    for sha256, relpath in conn.execute("SELECT sha256, stored_path FROM photos"):
        problem = stored_path_problem(sha256, relpath)
        if problem:
            raise FieldkitError(
                f"{source} names a photo file {relpath}, which {problem}; a catalog edited "
                "behind fieldkit's back? Nothing was restored")


def _remove_partial(destination: Path, keep_folder: bool = False) -> None:
    """Delete what a failed backup or restore wrote into `destination` (which was new or empty before it)."""
    for path in sorted(destination.rglob("*"), reverse=True):
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o700)
                path.rmdir()
            else:
                path.unlink()
    if not keep_folder:
        with contextlib.suppress(OSError):
            destination.rmdir()


def check_sums(backup_dir: Path) -> list[str]:
    """What in the backup folder does not match its SHA256SUMS: a file changed or missing, a file
    not listed, a line that names something outside the backup. Empty when the backup is whole."""
    sums = backup_dir / SUMS_NAME
    if not sums.is_file():
        return [f"{backup_dir} holds no {SUMS_NAME}, so it cannot be checked; it is not a whole backup"]
    problems, listed = [], set()
    try:
        lines = sums.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{SUMS_NAME} cannot be read ({exc}); it is not a whole backup"]
    for number, line in enumerate(lines, 1):
        match = _SUM_LINE.fullmatch(line)
        relative = match.group(2) if match else ""
        parts = relative.split("/")
        if not match or relative.startswith("/") or ".." in parts or (
                relative not in (BACKUP_NAME, witness.HEAD_FILE) and parts[0] != photo_store_path(Path(BACKUP_NAME)).name):
            problems.append(f"{SUMS_NAME} line {number} is not a line of a fieldkit backup: {line[:100]}")
            continue
        listed.add(relative)
        path = backup_dir / relative
        if path.is_symlink() or not path.is_file():
            problems.append(f"{relative} is listed in {SUMS_NAME} but missing from the backup")
        elif sha256_file(path) != match.group(1):
            problems.append(f"{relative} no longer matches {SUMS_NAME} (changed since the backup)")
    if BACKUP_NAME not in listed:
        problems.append(f"{SUMS_NAME} does not list {BACKUP_NAME}")
    store = backup_dir / photo_store_path(Path(BACKUP_NAME)).name
    if store.is_dir() and not store.is_symlink():
        for path in sorted(store.rglob("*")):
            relative = path.relative_to(backup_dir).as_posix()
            if (path.is_symlink() or not path.is_dir()) and relative not in listed:
                problems.append(f"{relative} is in the backup but not in {SUMS_NAME}")
    return problems


def restore(backup_dir: Path | str, target: Path | str, actor: str | None = None,
            progress: Callable[[int, int], None] | None = None) -> CopyReport:
    """Restore a backup folder into a new catalog at `target` (never over an existing one)."""
    backup_dir, target = expand_user(backup_dir), expand_user(target)
    source = backup_dir / BACKUP_NAME
    if not source.is_file():
        raise FieldkitError(f"{backup_dir} holds no {BACKUP_NAME}; give a folder made by `fieldkit backup`")
    if target.exists() or photo_store_path(target).exists():
        raise FieldkitError(f"{target} already exists; restore to a new path, then move it into place")
    _check_file(source)
    mismatches = check_sums(backup_dir)
    if mismatches:
        raise FieldkitError(
            f"the backup {backup_dir} does not match its {SUMS_NAME}, so it was not restored: "
            + "; ".join(mismatches[:3]) + (f"; and {len(mismatches) - 3} more" if len(mismatches) > 3 else "")
        )
    target_store = photo_store_path(target)
    try:
        backup_conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)  # never writes to the backup
        try:
            _refuse_paths_out_of_store(backup_conn, source)
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_database(backup_conn, target)
        finally:
            backup_conn.close()
        files = _store_files(photo_store_path(source))
        problems, _ = _copy_store(photo_store_path(source), files, target_store, progress)
    except (OSError, sqlite3.Error) as exc:
        for leftover in (target, target.with_name(target.name + "-journal")):
            leftover.unlink(missing_ok=True)
        if target_store.exists():
            _remove_partial(target_store)
        if isinstance(exc, InterruptedError):  # the app's cancel, from `progress`: not a failure to write
            raise
        if isinstance(exc, sqlite3.Error) and not _disk_full(exc):
            raise translate_error(exc, source) from None
        raise _failure(exc, "restore", target) from None
    restored = open_catalog(target, actor=actor)  # refuses a foreign file; upgrades an older catalog
    head = backup_dir / witness.HEAD_FILE  # the head recorded when the backup was made (none in older backups)
    try:
        report = verify_catalog(restored, witnesses=[head] if head.is_file() else [])
        problems += [problem.describe() for problem in report.problems]
    finally:
        restored.close()
    return CopyReport(target, len(files), problems, restored=True)
