"""Backup and restore of a catalog with its photo store, each copy verified by hash.

The catalog is copied with SQLite's online backup API, so a backup taken while another
fieldkit is writing is still a consistent snapshot. Photo originals are copied file by file
and each copy is re-hashed: the store is content-addressed, so a file's name is its SHA-256.
A restore never writes to the backup; it runs `verify` on the restored catalog (against the head
the backup recorded), so a photo missing from the backup, or a catalog rolled back since, is reported.
A backup folder holds `catalog.db`, `catalog.db.photos/`, `audit-head.json` (the copied catalog's
audit head: `fieldkit verify --witness FOLDER` checks a catalog against it) and `SHA256SUMS`
(readable by `sha256sum -c`). Nothing is followed through a symlink: a symlink in the store is
reported, never copied (nor its target); a backup is refused inside the photo store, and a
restore is refused when the backup's catalog names a photo file outside its content address.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from fieldkit.catalog import witness
from fieldkit.catalog.db import Catalog, _check_file, open_catalog, refuse_inside_store, translate_error
from fieldkit.errors import CatalogError, FieldkitError
from fieldkit.evidence.photos import escape_name, stored_path_problem
from fieldkit.evidence.verify import verify_catalog
from fieldkit.locations import photo_store_path

CHUNK = 1 << 20
BACKUP_NAME = "catalog.db"


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

    def describe(self) -> str:
        text = f"copied the catalog and {self.photos} photo originals to {self.catalog.parent}, all verified by SHA-256"
        if self.problems:
            text = f"copied to {self.catalog.parent} with {len(self.problems)} problems: " + "; ".join(self.problems)
        return text


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    destination = sqlite3.connect(str(target))
    try:
        source.backup(destination)
        destination.execute("PRAGMA journal_mode = DELETE")
    finally:
        destination.close()


def _store_files(store: Path) -> tuple[list[Path], list[str]]:
    """The regular files of a store, found without following a symlink, and a problem for each
    thing that is not copied: a symlink (its target is never copied) or a special file."""
    files, problems = [], []
    if not store.is_dir():
        return files, problems
    for root, folders, names in os.walk(store):  # a symlinked folder is listed, never entered
        for name in sorted([*folders, *names]):
            path = Path(root) / name
            relative = path.relative_to(store).as_posix()
            if path.is_symlink():
                problems.append(f"{escape_name(relative)} in the photo store is a symlink; not copied (run `fieldkit verify`)")
            elif name in names and path.is_file():
                files.append(path)
            elif name in names:
                problems.append(f"{escape_name(relative)} in the photo store is not a regular file; not copied")
        folders[:] = sorted(f for f in folders if not (Path(root) / f).is_symlink())
    return sorted(files), problems


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


def _copy_store(store: Path, target_store: Path, progress: Callable[[int, int], None] | None) -> tuple[int, list[str], list[str]]:
    """Copy every file of the store, re-hash each copy; returns (count, problems, SHA256SUMS lines)."""
    files, problems = _store_files(store)
    sums = []
    for done, source in enumerate(files, 1):
        relative = source.relative_to(store)
        target = target_store / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy_file(source, target)
        digest = sha256_file(target)
        if digest != source.stem:
            problems.append(f"{relative}: copy hashes to {digest[:12]}…, not its name (is the original altered? run `fieldkit verify`)")
        sums.append(f"{digest}  {target_store.name}/{relative.as_posix()}")
        if progress:
            progress(done, len(files))
    return len(files), problems, sums


def backup(catalog: Catalog, destination: Path | str, progress: Callable[[int, int], None] | None = None) -> CopyReport:
    """Copy the catalog and its photo originals into the new folder `destination`."""
    destination = Path(destination).expanduser()
    refuse_inside_store(catalog, destination, "a backup")
    if destination.exists() and any(destination.iterdir()):
        raise FieldkitError(f"{destination} is not empty; give a new folder for the backup")
    try:
        destination.mkdir(parents=True, exist_ok=True)
        target = destination / BACKUP_NAME
        _copy_database(catalog.db.conn, target)
        count, problems, sums = _copy_store(catalog.photo_store, photo_store_path(target), progress)
        head = destination / witness.HEAD_FILE  # the head of the copied catalog, for `verify --witness`
        head.write_text(witness.head_file_text(_head_of(target)), encoding="utf-8")
        sums.insert(0, f"{sha256_file(head)}  {witness.HEAD_FILE}")
        sums.insert(0, f"{sha256_file(target)}  {BACKUP_NAME}")
        (destination / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    except OSError as exc:
        _remove_partial(destination)  # a half backup must not pass for a backup
        raise FieldkitError(f"the backup to {destination} failed: {exc.strerror}; check the space and permissions there "
                            "(nothing was kept)") from None
    return CopyReport(target, count, problems)


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
                f"{source} names a photo file {escape_name(str(relpath))}, which {problem}; a catalog edited "
                "behind fieldkit's back? Nothing was restored")


def _remove_partial(destination: Path) -> None:
    """Delete what a failed backup wrote into `destination` (which was new or empty before it)."""
    for path in sorted(destination.rglob("*"), reverse=True):
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o700)
                path.rmdir()
            else:
                path.unlink()
    with contextlib.suppress(OSError):
        destination.rmdir()


def restore(backup_dir: Path | str, target: Path | str, actor: str | None = None,
            progress: Callable[[int, int], None] | None = None) -> CopyReport:
    """Restore a backup folder into a new catalog at `target` (never over an existing one)."""
    backup_dir, target = Path(backup_dir).expanduser(), Path(target).expanduser()
    source = backup_dir / BACKUP_NAME
    if not source.is_file():
        raise FieldkitError(f"{backup_dir} holds no {BACKUP_NAME}; give a folder made by `fieldkit backup`")
    if target.exists() or photo_store_path(target).exists():
        raise FieldkitError(f"{target} already exists; restore to a new path, then move it into place")
    _check_file(source)
    try:
        backup_conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)  # never writes to the backup
        try:
            _refuse_paths_out_of_store(backup_conn, source)
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_database(backup_conn, target)
        finally:
            backup_conn.close()
        count, problems, _ = _copy_store(photo_store_path(source), photo_store_path(target), progress)
    except sqlite3.Error as exc:
        raise translate_error(exc, source) from None
    except OSError as exc:
        raise CatalogError(f"the restore to {target} failed: {exc.strerror}; check the space and permissions there") from None
    restored = open_catalog(target, actor=actor)  # refuses a foreign file; upgrades an older catalog
    head = backup_dir / witness.HEAD_FILE  # the head recorded when the backup was made (none in older backups)
    try:
        report = verify_catalog(restored, witnesses=[head] if head.is_file() else [])
        problems += [problem.describe() for problem in report.problems]
    finally:
        restored.close()
    return CopyReport(target, count, problems)
