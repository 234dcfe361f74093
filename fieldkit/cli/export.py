"""`fieldkit export csv OUTDIR`."""

from __future__ import annotations

from pathlib import Path

import click

from fieldkit.cli.base import pass_state
from fieldkit.export.csv import export_catalog


@click.group()
def export() -> None:
    """Export the catalog for a report."""


@export.command("csv")
@click.argument("outdir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--full", is_flag=True, help="Add machine-readable columns to components.csv (candidates, date readings as JSON).")
@pass_state
def export_csv(state, outdir: Path, full: bool) -> None:
    """Write items.csv, photos.csv, markings.csv and components.csv to OUTDIR (README.txt explains the columns)."""
    result = export_catalog(state.catalog(create=False), outdir, full=full)
    click.echo(result.describe())
