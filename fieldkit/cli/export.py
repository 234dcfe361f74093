"""`fieldkit export csv OUTDIR`."""

from __future__ import annotations

from pathlib import Path

import click

from fieldkit.cli.base import echo, pass_state
from fieldkit.export.csv import export_catalog


@click.group()
def export() -> None:
    """Export the catalog for a report."""


@export.command("csv")
@click.argument("outdir", type=click.Path(path_type=Path, file_okay=False))
@pass_state
def export_csv(state, outdir: Path) -> None:
    """Write items.csv, photos.csv, markings.csv and components.csv to OUTDIR."""
    result = export_catalog(state.catalog(read_only=True), outdir)
    echo(result.describe())
