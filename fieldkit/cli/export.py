"""`fieldkit export csv OUTDIR`."""

from __future__ import annotations

from pathlib import Path

import click

from fieldkit.cli.base import pass_state


@click.group()
def export() -> None:
    """Export the catalog for a report."""


@export.command("csv")
@click.argument("outdir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Replace the files of an earlier export in OUTDIR without asking.")
@pass_state
def export_csv(state, outdir: Path, force: bool) -> None:
    """Write items.csv, photos.csv, markings.csv and components.csv to OUTDIR.

    If OUTDIR already holds an export, the files it would replace are named and you are asked
    first (--force replaces them without asking)."""
    from fieldkit.export.csv import export_catalog, export_files_in

    existing = export_files_in(outdir.expanduser())
    if existing and not force:
        click.confirm(f"{outdir} already holds an export; replace {', '.join(existing)}?", abort=True, err=True)
    result = export_catalog(state.catalog(create=False), outdir, overwrite=True)  # asked above, or --force
    click.echo(result.describe())
