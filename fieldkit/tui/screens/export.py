"""Export to a folder: choose it, write in a thread worker, show what was written.

Used for the catalog's CSV files and for the components summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from rich.markup import escape

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, LoadingIndicator

from fieldkit.errors import FieldkitError
from fieldkit.export.csv import export_catalog, export_files_in
from fieldkit.safe_text import visible
from fieldkit.tui.screens.confirm import ConfirmScreen


def default_export_dir(catalog_path: Path | None) -> Path:
    stem = catalog_path.stem if catalog_path else "catalog"
    return Path.home() / "fieldkit-exports" / f"{stem}-{dt.datetime.now():%Y%m%d-%H%M%S}"


class ExportScreen(ModalScreen[Path | None]):
    """Writes to a folder: by default items.csv, photos.csv, markings.csv, components.csv and photo_provenance.csv.

    `write(folder)` does the writing (in a worker thread) and returns a line saying what it wrote;
    `replaces(folder)` names the files there that it would replace, and the screen asks before
    replacing them.
    """

    HELP = """\
## Export

Choose a folder and press Export. The catalog export writes items.csv, photos.csv, markings.csv,
components.csv and photo_provenance.csv (each photo's C2PA credentials and EXIF edit note), with a
README.txt that says what every column means. components.csv has
plain columns: firm, country, attributed by, basis, table version, the date code and its period.
Tick *Machine-readable details* to add, for programs, every candidate firm and every reading of
the date code as JSON (`fieldkit export csv --full`).
"""

    BINDINGS = [Binding("escape", "close", "Close", id="export.close")]

    def __init__(
        self,
        prompt: str = "Export the catalog as CSV to the folder:",
        write: Callable[[Path], str] | None = None,
        stem: str | None = None,
        replaces: Callable[[Path], list[str]] | None = None,
    ):
        super().__init__()
        self.prompt = prompt
        self.catalog_csv = write is None  # the catalog's CSV files, which may carry the --full details
        self.write = write or self._write_catalog
        self.replaces = replaces or (export_files_in if write is None else (lambda outdir: []))
        self.stem = stem

    def _write_catalog(self, outdir: Path) -> str:
        full = self.query_one("#full", Checkbox).value
        return export_catalog(self.app.catalog, outdir, full=full).describe()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.prompt, classes="question")
            default = default_export_dir(self.app.catalog.path)
            if self.stem:
                default = default.with_name(f"{self.stem}-{default.name}")
            yield Input(str(default), id="outdir")
            if self.catalog_csv:
                yield Checkbox("Machine-readable details (candidates and date readings as JSON)", id="full")
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
        outdir = Path(self.query_one("#outdir", Input).value.strip()).expanduser()
        existing = self.replaces(outdir)
        if not existing:
            self._run(outdir)
            return

        def answered(replace: bool | None) -> None:
            if replace:
                self._run(outdir)

        self.app.push_screen(
            ConfirmScreen(f"{escape(visible(str(outdir)))} already holds {', '.join(existing)}. Replace them?", yes="Replace", no="Keep them"),
            answered,
        )

    def _run(self, outdir: Path) -> None:
        self.query_one("#working").display = True
        self.query_one("#export", Button).disabled = True
        self.run_export(outdir)

    @work(thread=True, exclusive=True)
    def run_export(self, outdir: Path) -> None:
        try:
            written = self.write(outdir)
        except FieldkitError as exc:
            self.app.call_from_thread(self.finish, f"[b red]Error:[/] {escape(str(exc))}", None)
            return
        self.app.call_from_thread(self.finish, escape(written), outdir)

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
