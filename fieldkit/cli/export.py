"""`fieldkit export csv OUTDIR`, and `fieldkit export geojson|kml OUT` (the finds, for GIS)."""

from __future__ import annotations

from pathlib import Path

import click

from fieldkit.cli.base import UserPath, echo, pass_state
from fieldkit.safe_text import visible


@click.group()
def export() -> None:
    """Export the catalog for a report."""


@export.command("csv")
@click.argument("outdir", type=UserPath(path_type=Path, file_okay=False))
@click.option("--full", is_flag=True, help="Add machine-readable columns to components.csv (candidates, date readings as JSON).")
@click.option("--force", is_flag=True, help="Replace the files of an earlier export in OUTDIR without asking.")
@pass_state
def export_csv(state, outdir: Path, full: bool, force: bool) -> None:
    """Write items.csv, photos.csv, markings.csv and components.csv to OUTDIR (README.txt explains the columns).

    If OUTDIR already holds an export, the files it would replace are named and you are asked
    first (--force replaces them without asking)."""
    from fieldkit.export.csv import export_catalog, export_files_in

    existing = export_files_in(outdir)  # ~ already expanded (UserPath)
    if existing and not force:
        click.confirm(f"{visible(str(outdir))} already holds an export; replace {', '.join(existing)}?", abort=True, err=True)
    result = export_catalog(state.catalog(read_only=True), outdir, full=full, overwrite=True)  # asked above, or --force
    echo(result.describe())


def _finds_command(kind: str, label: str) -> click.Command:
    """`export geojson` and `export kml`: the finds (items with coordinates, or their photos' GPS)."""

    @click.command(kind, help=f"Write the finds (items with coordinates, or their photos' GPS) as {label} to OUT.")
    @click.argument("out", type=UserPath(path_type=Path, dir_okay=False))
    @pass_state
    def command(state, out: Path) -> None:
        from fieldkit.report.geo import export_finds, wrote_finds

        echo(wrote_finds(export_finds(state.catalog(read_only=True), kind, out), out))

    return command


export.add_command(_finds_command("geojson", "GeoJSON"))
export.add_command(_finds_command("kml", "KML"))
