"""Backup and restore of a catalog with its photo store, each copy verified by hash.

The catalog is copied with SQLite's online backup API, so a backup taken while another
fieldkit is writing is still a consistent snapshot. Photo originals are copied file by file
and each copy is re-hashed: the store is content-addressed, so a file's name is its SHA-256.
A restore never writes to the backup; it runs `verify` on the restored catalog, so a photo
missing from the backup is reported.
A backup folder holds `catalog.db`, `catalog.db.photos/` and `SHA256SUMS` (readable by
`sha256sum -c`).
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fieldkit.catalog.db import Catalog, _check_file, open_catalog, translate_error
from fieldkit.errors import CatalogError, FieldkitError
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


def _copy_store(store: Path, target_store: Path, progress: Callable[[int, int], None] | None) -> tuple[int, list[str], list[str]]:
    """Copy every file of the store, re-hash each copy; returns (count, problems, SHA256SUMS lines)."""
    files = sorted(p for p in store.rglob("*") if p.is_file()) if store.exists() else []
    problems, sums = [], []
    for done, source in enumerate(files, 1):
        relative = source.relative_to(store)
        target = target_store / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        digest = sha256_file(target)
        if digest != source.stem:
            problems.append(f"{relative}: copy hashes to {digest[:12]}…, not its name (is the original altered? run `fieldkit verify`)")
        target.chmod(0o444)
        sums.append(f"{digest}  {target_store.name}/{relative.as_posix()}")
        if progress:
            progress(done, len(files))
    return len(files), problems, sums


def backup(catalog: Catalog, destination: Path | str, progress: Callable[[int, int], None] | None = None) -> CopyReport:
    """Copy the catalog and its photo originals into the new folder `destination`."""
    destination = Path(destination).expanduser()
    if destination.exists() and any(destination.iterdir()):
        raise FieldkitError(f"{destination} is not empty; give a new folder for the backup")
    try:
        destination.mkdir(parents=True, exist_ok=True)
        target = destination / BACKUP_NAME
        _copy_database(catalog.db.conn, target)
        count, problems, sums = _copy_store(catalog.photo_store, photo_store_path(target), progress)
        sums.insert(0, f"{sha256_file(target)}  {BACKUP_NAME}")
        (destination / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    except OSError as exc:
        _remove_partial(destination)  # a half backup must not pass for a backup
        raise FieldkitError(f"the backup to {destination} failed: {exc.strerror}; check the space and permissions there "
                            "(nothing was kept)") from None
    return CopyReport(target, count, problems)


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
        target.parent.mkdir(parents=True, exist_ok=True)
        backup_conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)  # never writes to the backup
        try:
            _copy_database(backup_conn, target)
        finally:
            backup_conn.close()
        count, problems, _ = _copy_store(photo_store_path(source), photo_store_path(target), progress)
    except sqlite3.Error as exc:
        raise translate_error(exc, source) from None
    except OSError as exc:
        raise CatalogError(f"the restore to {target} failed: {exc.strerror}; check the space and permissions there") from None
    restored = open_catalog(target, actor=actor)  # refuses a foreign file; upgrades an older catalog
    try:
        problems += [problem.describe() for problem in verify_catalog(restored).problems]
    finally:
        restored.close()
    return CopyReport(target, count, problems)
