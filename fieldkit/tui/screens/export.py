"""Export the catalog to CSV: choose a folder, write in a thread worker, show what was written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, LoadingIndicator

from fieldkit.errors import FieldkitError
from fieldkit.export.csv import export_catalog


def default_export_dir(catalog_path: Path | None) -> Path:
    stem = catalog_path.stem if catalog_path else "catalog"
    return Path.home() / "fieldkit-exports" / f"{stem}-{dt.datetime.now():%Y%m%d-%H%M%S}"


class ExportScreen(ModalScreen[Path | None]):
    """Writes items.csv, photos.csv, markings.csv and components.csv to a folder."""

    BINDINGS = [Binding("escape", "close", "Close", id="export.close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Export the catalog as CSV to the folder:", classes="question")
            yield Input(str(default_export_dir(self.app.catalog.path)), id="outdir")
            yield LoadingIndicator(id="working")
            yield Label("", id="result")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#working").display = False
        self.query_one("#outdir", Input).focus()

    @on(Input.Submitted, "#outdir")
    @on(Button.Pressed, "#export")
    def start(self) -> None:
        self.query_one("#working").display = True
        self.query_one("#export", Button).disabled = True
        self.run_export(Path(self.query_one("#outdir", Input).value.strip()).expanduser())

    @work(thread=True, exclusive=True)
    def run_export(self, outdir: Path) -> None:
        try:
            result = export_catalog(self.app.catalog, outdir)
        except FieldkitError as exc:
            self.app.call_from_thread(self.finish, f"[b red]Error:[/] {exc}", None)
            return
        self.app.call_from_thread(self.finish, result.describe(), result.directory)

    def finish(self, text: str, directory: Path | None) -> None:
        self.query_one("#working").display = False
        self.query_one("#export", Button).disabled = False
        self.query_one("#result", Label).update(text)
        if directory is not None:
            self.notify(f"Exported to {directory}")
            self.exported = directory

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(getattr(self, "exported", None))
