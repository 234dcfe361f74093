"""`fieldkit export csv OUTDIR`, and `fieldkit export geojson|kml OUT` (the finds, for GIS)."""

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
@click.option("--full", is_flag=True, help="Add machine-readable columns to components.csv (candidates, date readings as JSON).")
@pass_state
def export_csv(state, outdir: Path, full: bool) -> None:
    """Write items.csv, photos.csv, markings.csv and components.csv to OUTDIR (README.txt explains the columns)."""
    result = export_catalog(state.catalog(read_only=True), outdir, full=full)
    echo(result.describe())


def _finds_command(kind: str, label: str) -> click.Command:
    """`export geojson` and `export kml`: the finds (items with coordinates, or their photos' GPS)."""

    @click.command(kind, help=f"Write the finds (items with coordinates, or their photos' GPS) as {label} to OUT.")
    @click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
    @pass_state
    def command(state, out: Path) -> None:
        from fieldkit.report.geo import export_finds

        count = export_finds(state.catalog(read_only=True), kind, out)
        echo(f"wrote {count} find{'' if count == 1 else 's'} to {out}")

    return command


export.add_command(_finds_command("geojson", "GeoJSON"))
export.add_command(_finds_command("kml", "KML"))
