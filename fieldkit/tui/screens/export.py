"""Export to a folder: choose it, write in a thread worker, show what was written.

Used for the catalog's CSV files (or the finds as GeoJSON or KML, one file) and for the
components summary.
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
from textual.widgets import Button, Checkbox, Input, Label, LoadingIndicator, Select

from fieldkit.errors import FieldkitError
from fieldkit.export.csv import export_catalog, export_files_in
from fieldkit.paths import expand_user
from fieldkit.safe_text import visible
from fieldkit.tui.progress import Cancel
from fieldkit.tui.screens.confirm import ConfirmScreen
from fieldkit.tui.widgets.footer import Dialog


# The catalog export's formats: (what the dialog asks, a file's suffix; None for the CSV folder).
FORMATS = {
    "csv": ("Export the catalog as CSV to the folder:", None),
    "geojson": ("Write the finds (items with coordinates, or their photos' GPS) as GeoJSON to the file:", ".geojson"),
    "kml": ("Write the finds (items with coordinates, or their photos' GPS) as KML to the file:", ".kml"),
}
WAIT = "The export is being written: wait for it to finish."
FORMAT_OPTIONS = [("CSV files (items, photos, markings, components)", "csv"),
                  ("Finds as GeoJSON (GIS)", "geojson"), ("Finds as KML (Google Earth)", "kml")]


def default_export_dir(catalog_path: Path | None) -> Path:
    stem = catalog_path.stem if catalog_path else "catalog"
    return Path.home() / "fieldkit-exports" / f"{stem}-{dt.datetime.now():%Y%m%d-%H%M%S}"


class ExportScreen(Dialog[Path | None]):
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

*Format* (F2 GeoJSON, F3 KML, F4 back to CSV): the finds -- items with coordinates, or else their
first photo's GPS -- as one GeoJSON (RFC 7946) or KML file for GIS or Google Earth, with each
item's ref, category, designation, date, place and counts, as `fieldkit export geojson FILE` and
`fieldkit export kml FILE`. An existing file is replaced only when you say so.
"""

    BINDINGS = [
        Binding("escape", "close", "Close", id="export.close"),
        Binding("f2", "format('geojson')", "GeoJSON", id="export.geojson",
                tooltip="Write the finds as GeoJSON, one file (as `fieldkit export geojson FILE`)"),
        Binding("f3", "format('kml')", "KML", id="export.kml",
                tooltip="Write the finds as KML, one file (as `fieldkit export kml FILE`)"),
        Binding("f4", "format('csv')", "CSV", id="export.csv", tooltip="Export the catalog as CSV files (as `fieldkit export csv`)"),
    ]

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
        self.write = write  # the summary's export; None: the catalog's (writer())
        self.replaces = replaces or (self._catalog_replaces if write is None else (lambda outdir: []))
        self.stem = stem
        self.job = Cancel()  # the export being written: one at a time, and the dialog stays until it is done

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """The format keys belong to the catalog's export only (not the summary's)."""
        return self.catalog_csv if action == "format" else True

    @property
    def kind(self) -> str:
        return self.query_one("#format", Select).value if self.catalog_csv else "csv"

    def writer(self) -> Callable[[Path], str]:
        """What writes the export, with the format and options chosen now (in the app's thread): the
        worker reads no box, so a key pressed while it writes cannot change what it writes."""
        if not self.catalog_csv:
            return self.write
        kind, catalog = self.kind, self.app.catalog
        if kind != "csv":
            from fieldkit.report.geo import export_finds, wrote_finds

            return lambda out: wrote_finds(export_finds(catalog, kind, out), out)
        full = self.query_one("#full", Checkbox).value
        return lambda out: export_catalog(catalog, out, full=full).describe()

    def _catalog_replaces(self, out: Path) -> list[str]:
        if self.kind == "csv":
            return export_files_in(out)
        return [out.name] if out.is_file() else []

    def action_format(self, kind: str) -> None:
        self.query_one("#format", Select).value = kind

    @on(Select.Changed, "#format")
    def format_changed(self, event: Select.Changed) -> None:
        """The question, the path's suffix (a folder for CSV, a file otherwise) and the CSV-only box follow the format."""
        prompt, suffix = FORMATS[event.value]
        self.query_one("#prompt", Label).update(prompt)
        box = self.query_one("#outdir", Input)
        path = box.value.strip()
        for other in (".geojson", ".kml"):
            path = path.removesuffix(other)
        box.value = path + (suffix or "")
        self.query_one("#full").display = event.value == "csv"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            if self.catalog_csv:
                yield Select(FORMAT_OPTIONS, value="csv", allow_blank=False, id="format")
            yield Label(self.prompt, classes="question", id="prompt")
            default = default_export_dir(self.app.catalog.path)
            if self.stem:
                default = default.with_name(f"{self.stem}-{default.name}")
            yield Input(str(default), id="outdir")
            if self.catalog_csv:
                yield Checkbox("Machine-readable details (candidates, readings, as JSON)", id="full")
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
        if self.job.running:  # Enter in the box while the Export button is disabled
            self.notify(WAIT, severity="warning")
            return
        try:
            outdir = expand_user(self.query_one("#outdir", Input).value.strip())
        except FieldkitError as exc:
            self.query_one("#result", Label).update(f"[b red]Error:[/] {escape(visible(str(exc)))}")
            return
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
        if not self.job.start():
            return
        self.query_one("#working").display = True
        self.query_one("#export", Button).disabled = True
        self.run_export(outdir, self.writer())

    @work(thread=True)
    def run_export(self, outdir: Path, write: Callable[[Path], str]) -> None:
        try:
            written = write(outdir)
        except FieldkitError as exc:
            self.app.call_from_thread(self.finish, f"[b red]Error:[/] {escape(visible(str(exc)))}", None)
            return
        self.app.call_from_thread(self.finish, escape(visible(written, multiline=True)), outdir)

    def finish(self, text: str, directory: Path | None) -> None:
        self.job.finished()
        self.query_one("#working").display = False
        self.query_one("#export", Button).disabled = False
        self.query_one("#result", Label).update(text)
        if directory is not None:
            self.notify(f"Exported to {directory}")
            self.exported = directory

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        if self.job.running:  # the worker would write on behind a closed dialog, and its outcome be lost
            self.notify(WAIT, severity="warning")
            return
        self.dismiss(getattr(self, "exported", None))
