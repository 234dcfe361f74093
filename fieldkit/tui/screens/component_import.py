"""The components import dialog (`ctrl+o` on an item's Components tab), as
`fieldkit component import REF FILE [--strict]`.

Type a CSV file's path or browse for it (the photo picker, showing CSV files), tick Strict to import
all rows or none, and Import: fieldkit.components.importer.import_components runs in a thread
worker, with its rows-read progress on a bar; at the end the dialog shows the rows added and each
refused row as "line N: problem". A file that is not a components CSV is one line, as the command
prints it, and nothing is stored. The dialog returns the number of components added.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Static

from fieldkit.catalog.components import FIELDS
from fieldkit.components.attribution import default_index
from fieldkit.components.importer import ImportResult, import_components
from fieldkit.errors import FieldkitError
from fieldkit.paths import expand_user
from fieldkit.tui.safe_text import plain
from fieldkit.tui.widgets.footer import Dialog


def result_lines(result: ImportResult) -> list[str]:
    """What the command prints for an import, one line each: unknown columns, refused rows, the outcome."""
    lines = []
    if result.unknown_columns:
        lines.append(f"note: ignored unknown column(s): {', '.join(result.unknown_columns)}")
    lines.extend(str(problem) for problem in result.problems)
    if result.problem_count > len(result.problems):
        lines.append(f"... and {result.problem_count - len(result.problems)} more problem rows")
    lines.append(result.describe())
    return lines


class ComponentImportScreen(Dialog[int | None]):
    """Import an item's components from a CSV file, with progress; returns how many were added."""

    BINDINGS = [
        Binding("ctrl+s", "run", "Import", id="import.run"),
        Binding("ctrl+o", "browse", "Browse", id="import.browse", tooltip="Pick the CSV file in a folder tree"),
        Binding("escape", "close", "Close", id="import.close"),
    ]

    class Progress(Message):
        def __init__(self, rows: int):
            super().__init__()
            self.rows = rows

    class Done(Message):
        def __init__(self, result: ImportResult | None, error: str | None = None):
            super().__init__()
            self.result, self.error = result, error

    def __init__(self, item_ref: str, start: Path | None = None, imported: Callable[[], None] | None = None):
        """`imported` is called (on the app's thread) when an import has stored rows: the Components tab reloads."""
        super().__init__()
        self.item_ref = item_ref
        self.start = start
        self.imported = imported
        self.added = 0
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="import-dialog"):
            yield Label(plain(f"Import components of {self.item_ref} from a CSV file whose header names the columns "
                              f"({', '.join(FIELDS)}; part_number is required)."), classes="question")
            with Horizontal(id="import-file"):
                yield Input(placeholder="path of the CSV file (~ works)", id="import-path", compact=True)
                yield Button("Browse…", id="import-browse", compact=True)
            yield Checkbox("Strict: import nothing if any row has a problem", id="import-strict", compact=True)
            yield ProgressBar(id="import-progress", show_eta=False)
            with VerticalScroll(id="import-result-box"):
                yield Static("", id="import-result")
            with Horizontal(classes="buttons"):
                yield Button("Close", id="import-close")
                yield Button("Import", id="import-run", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#import-progress", ProgressBar).display = False
        self.query_one("#import-path", Input).focus()

    @on(Button.Pressed, "#import-browse")
    def action_browse(self) -> None:
        from fieldkit.tui.screens.photos import PhotoPickerScreen

        def chosen(paths: list[Path] | None) -> None:
            if paths:
                self.query_one("#import-path", Input).value = str(paths[-1])
                self.query_one("#import-run", Button).focus()

        self.app.push_screen(PhotoPickerScreen(self.start, suffixes={".csv"}, what="CSV file"), chosen)

    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#import-run")
    def action_run(self) -> None:
        if self.running:
            return
        text = self.query_one("#import-path", Input).value.strip()
        if not text:
            self.notify("Type the path of the CSV file, or browse for it (ctrl+o), first.", severity="warning")
            return
        try:
            path = expand_user(text)
        except FieldkitError as exc:
            self.query_one("#import-result", Static).update(plain(f"error: {exc}"))
            return
        self.running = True
        self.query_one("#import-run", Button).disabled = True
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.query_one("#import-result", Static).update(plain(f"Importing {Path(text).name}…"))
        self.run_import(path, self.query_one("#import-strict", Checkbox).value)

    @work(thread=True, exclusive=True, group="component-import")
    def run_import(self, path: Path, strict: bool) -> None:
        try:
            result = import_components(self.app.catalog, self.item_ref, path, strict=strict, index=default_index(),
                                       progress=lambda rows: self.post_message(self.Progress(rows)))
        except FieldkitError as exc:
            self.post_message(self.Done(None, f"error: {exc}"))
        else:
            self.post_message(self.Done(result))

    @on(Progress)
    def show_progress(self, message: Progress) -> None:
        self.query_one("#import-result", Static).update(f"{message.rows:,} rows read…")

    @on(Done)
    def show_result(self, message: Done) -> None:
        self.running = False
        self.query_one("#import-run", Button).disabled = False
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=1, progress=1)
        if message.result is None:
            bar.display = False
            self.query_one("#import-result", Static).update(plain(message.error or ""))
            self.notify("Nothing imported; see the dialog.", severity="error")
            return
        result = message.result
        self.added += result.imported
        if result.imported and self.imported is not None:
            self.imported()
        self.query_one("#import-result", Static).update(plain("\n".join(result_lines(result))))
        self.notify(result.describe(), severity="error" if result.problem_count else "information")

    @on(Button.Pressed, "#import-close")
    def action_close(self) -> None:
        if self.running:
            self.notify("The import is running: wait for it to finish.", severity="warning")
            return
        self.dismiss(self.added)
