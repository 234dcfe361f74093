"""`fieldkit export csv OUTDIR`, and `fieldkit export geojson|kml OUT` (the finds, for GIS)."""

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
@pass_state
def export_csv(state, outdir: Path) -> None:
    """Write items.csv, photos.csv, markings.csv and components.csv to OUTDIR."""
    result = export_catalog(state.catalog(create=False), outdir)
    click.echo(result.describe())


@export.command("geojson")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@pass_state
def export_geojson(state, out: Path) -> None:
    """Write the finds (items with coordinates, or their photos' GPS) as GeoJSON to OUT."""
    from fieldkit.report.geo import export_finds

    count = export_finds(state.catalog(create=False), "geojson", out)
    click.echo(f"wrote {count} find{'' if count == 1 else 's'} to {out}")


@export.command("kml")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@pass_state
def export_kml(state, out: Path) -> None:
    """Write the finds (items with coordinates, or their photos' GPS) as KML to OUT."""
    from fieldkit.report.geo import export_finds

    count = export_finds(state.catalog(create=False), "kml", out)
    click.echo(f"wrote {count} find{'' if count == 1 else 's'} to {out}")
