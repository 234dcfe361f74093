"""`fieldkit backup DEST` and `fieldkit restore BACKUP --to PATH`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fieldkit.catalog.backup import backup as backup_catalog
from fieldkit.catalog.backup import restore as restore_catalog
from fieldkit.cli.base import echo, pass_state


@click.command()
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False))
@pass_state
def backup(state, dest: Path) -> None:
    """Copy the catalog (SQLite online backup) and its photo originals to the new folder DEST, verified by hash."""
    report = backup_catalog(state.catalog(read_only=True), dest)
    echo(report.describe())
    if report.problems:
        sys.exit(1)


@click.command()
@click.argument("backup_dir", metavar="BACKUP", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--to", "target", required=True, type=click.Path(path_type=Path, dir_okay=False), help="The new catalog file to create.")
@pass_state
def restore(state, backup_dir: Path, target: Path) -> None:
    """Restore a folder made by `fieldkit backup` into a new catalog file."""
    report = restore_catalog(backup_dir, target, actor=state.actor)
    echo(report.describe())
    if report.problems:
        sys.exit(1)
