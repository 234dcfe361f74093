"""Encrypted backups: `fieldkit backup` made as usual into a private temporary folder, packed as a
tar and encrypted with age into one file; a restore opens it into a temporary folder first.

The backup itself (catalog copy, originals re-hashed, SHA256SUMS) is fieldkit.catalog.backup's;
this module only seals and unseals it.
"""

from __future__ import annotations

import contextlib
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from fieldkit.catalog.backup import BACKUP_NAME, CopyReport, backup
from fieldkit.catalog.db import Catalog
from fieldkit.errors import FieldkitError
from fieldkit.paths import expand_user
from fieldkit.team import crypt
from fieldkit.team.bundle import new_file


def sealed_backup(catalog: Catalog, destination: Path, *, recipients: list[str] = (), passphrase: str | None = None,
                  progress=None, stage: Callable[[str], None] | None = None) -> CopyReport:
    """Back up the catalog into one age-encrypted file at `destination` (a new file). `progress` counts
    the photos copied, then the bytes encrypted; `stage` says what is happening after the copy (packing,
    then encrypting and for how long: fieldkit.team.crypt)."""
    destination = expand_user(destination)
    crypt.check_choice(list(recipients), passphrase)  # before a byte is copied
    with new_file(destination, "the encrypted backup") as partial, \
            tempfile.TemporaryDirectory(prefix="fieldkit-backup-") as tmp:
        folder = Path(tmp) / "backup"
        report = backup(catalog, folder, progress)
        packed = Path(tmp) / "backup.tar"
        if stage:
            stage("Packing the backup into one file")
        with tarfile.open(packed, "w") as tar:
            tar.add(folder, arcname="backup")
        crypt.encrypt(packed, partial, recipients=list(recipients), passphrase=passphrase, what="the backup",
                      stage=stage, progress=progress)
    return CopyReport(destination / BACKUP_NAME, report.photos, report.problems)  # describes itself as 'to DEST'


@contextlib.contextmanager
def opened_backup(path: Path, *, identities: list[str] = (), passphrase: str | None = None,
                  stage: Callable[[str], None] | None = None, progress=None) -> Iterator[Path]:
    """The backup folder inside an encrypted backup file, decrypted into a private temporary folder
    (`stage` and `progress` say how the decryption goes: fieldkit.team.crypt)."""
    with tempfile.TemporaryDirectory(prefix="fieldkit-restore-") as tmp:
        packed = Path(tmp) / "backup.tar"
        crypt.decrypt(path, packed, identities=identities, passphrase=passphrase, stage=stage, progress=progress)
        if stage:
            stage("Unpacking the backup")
        try:
            with tarfile.open(packed) as tar:
                tar.extractall(Path(tmp) / "out", filter="data")  # no links out, no absolute paths
        except (tarfile.TarError, OSError) as exc:
            raise FieldkitError(f"{path.name} decrypts but is not a fieldkit backup ({exc})") from None
        folder = Path(tmp) / "out" / "backup"
        if not folder.is_dir():
            raise FieldkitError(f"{path.name} decrypts but holds no fieldkit backup")
        yield folder


@contextlib.contextmanager
def unsealed(path: Path, key_passphrase: Callable[[], str], backup_passphrase: Callable[[], str], *,
             stage: Callable[[str], None] | None = None, progress=None) -> Iterator[Path]:
    """The backup folder in the encrypted backup file `path`, opened with the one secret it needs:
    `backup_passphrase()` for a passphrase-encrypted backup, else your key unlocked with
    `key_passphrase()` (crypt.opening_secrets). As `fieldkit restore FILE` and the app's Restore."""
    try:
        encrypted = crypt.is_encrypted(path)
    except OSError as exc:
        raise FieldkitError(f"cannot read {path}: {exc.strerror}; check the path") from None
    if not encrypted:
        raise FieldkitError(f"{path} is a file but not an encrypted backup; give a backup folder or file")
    identities, passphrase = crypt.opening_secrets(path, key_passphrase, backup_passphrase)
    with opened_backup(path, identities=identities, passphrase=passphrase, stage=stage, progress=progress) as folder:
        yield folder
