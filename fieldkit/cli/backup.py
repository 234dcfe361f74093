"""`fieldkit backup DEST` and `fieldkit restore BACKUP --to PATH`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fieldkit.catalog.backup import backup as backup_catalog
from fieldkit.catalog.backup import restore as restore_catalog
from fieldkit.cli.base import UserPath, echo, pass_state
from fieldkit.errors import FieldkitError


@click.command()
@click.argument("dest", type=UserPath(path_type=Path))
@click.option("--encrypt-to", "recipients", multiple=True,
              help="Make DEST one file encrypted with age to this recipient (age1..., a trusted name or a file); repeatable.")
@click.option("--passphrase", "with_passphrase", is_flag=True, help="Make DEST one file encrypted with a passphrase.")
@click.option("--bundle-passphrase-file", type=UserPath(path_type=Path, dir_okay=False),
              help="Read that passphrase from FILE (else FIELDKIT_BUNDLE_PASSPHRASE, else a prompt).")
@click.option("--sign", is_flag=True, help="Also sign a witness checkpoint of the audit head with your key.")
@click.option("--passphrase-file", type=UserPath(path_type=Path, dir_okay=False),
              help="With --sign: your key's passphrase from FILE (else FIELDKIT_PASSPHRASE, else a prompt).")
@pass_state
def backup(state, dest: Path, recipients, with_passphrase: bool, bundle_passphrase_file, sign: bool = False,
           passphrase_file: Path | None = None) -> None:
    """Copy the catalog (SQLite online backup) and its photo originals to the new folder DEST, verified by hash."""
    secret = None
    if sign:  # unlocked first: a wrong passphrase stops before anything is copied
        from fieldkit.cli.team import key_passphrase
        from fieldkit.team import keys

        secret = keys.unlock(key_passphrase(passphrase_file))
    if recipients or with_passphrase:
        from fieldkit.cli.team import sealed_backup_command

        report = sealed_backup_command(state, dest, recipients, with_passphrase, bundle_passphrase_file)
    elif dest.exists() and not dest.is_dir():
        raise FieldkitError(f"{dest} is a file; give a new folder for the backup")
    else:
        report = backup_catalog(state.catalog(read_only=True), dest)
    echo(report.describe(), one_line=True)
    if report.problems:
        sys.exit(1)
    if secret is not None:
        from fieldkit.catalog import witness

        record = witness.try_checkpoint(state.catalog(read_only=True), secret)
        echo(f"signed a witness checkpoint: row {record['seq']}, fingerprint {witness.fingerprint(record['head'])}"
             if record else "warning: the witness checkpoint could not be written (the backup is whole)")


@click.command()
@click.argument("backup_dir", metavar="BACKUP", type=UserPath(path_type=Path, exists=True))
@click.option("--to", "target", required=True, type=UserPath(path_type=Path, dir_okay=False), help="The new catalog file to create.")
@click.option("--passphrase-file", type=UserPath(path_type=Path, dir_okay=False),
              help="An encrypted backup: your key's passphrase from FILE (else FIELDKIT_PASSPHRASE, else a prompt).")
@click.option("--bundle-passphrase-file", type=UserPath(path_type=Path, dir_okay=False),
              help="A passphrase-encrypted backup: its passphrase from FILE (else FIELDKIT_BUNDLE_PASSPHRASE, else a prompt).")
@pass_state
def restore(state, backup_dir: Path, target: Path, passphrase_file=None, bundle_passphrase_file=None) -> None:
    """Restore a folder made by `fieldkit backup` into a new catalog file."""
    if backup_dir.is_file():  # an encrypted backup (`backup --encrypt-to` or `--passphrase`)
        from fieldkit.cli.team import bundle_passphrase, key_passphrase
        from fieldkit.team.sealed_backup import unsealed

        with unsealed(backup_dir, lambda: key_passphrase(passphrase_file),
                      lambda: bundle_passphrase(bundle_passphrase_file)) as folder:
            report = restore_catalog(folder, target, actor=state.actor)
    else:
        report = restore_catalog(backup_dir, target, actor=state.actor)
    echo(report.describe(), one_line=True)
    if report.problems:
        sys.exit(1)
