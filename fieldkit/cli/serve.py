"""`fieldkit serve`: the catalog read-only in Datasette, or `--tui` the app itself in a browser."""

from __future__ import annotations

import click

from fieldkit.cli.base import pass_state
from fieldkit.errors import CatalogError


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True, help="The port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; give 0.0.0.0 only to share with the office network.")
@click.option("--tui", is_flag=True, help="Serve the terminal app itself to a browser (textual-serve) instead of Datasette.")
@pass_state
def serve(state, port: int, host: str, tui: bool) -> None:
    """Open the catalog read-only in the browser (Datasette), or serve the app itself with --tui."""
    from fieldkit import serve as serving

    if not state.db_path.is_file():
        raise CatalogError(f"no catalog at {state.db_path}; check --db or create one with `fieldkit init`")
    if tui:
        click.echo(f"serving the fieldkit app for {state.db_path} at http://{host}:{port}/ (Ctrl+C to stop)")
        serving.serve_tui(state.db_path, host, port)
        return
    click.echo(f"serving a read-only copy of {state.db_path} at http://{host}:{port}/ (Ctrl+C to stop)")
    serving.serve(state.db_path, host, port)
