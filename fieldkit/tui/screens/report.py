"""Make a dossier (from the item screen) or a report (from the catalog screen): choose the file,
write it in a thread worker with progress, and say where it was written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, ProgressBar

from fieldkit.errors import FieldkitError
from fieldkit.paths import expand_user
from fieldkit.safe_text import visible
from fieldkit.tui.progress import Cancel, throttled
from fieldkit.tui.widgets.footer import Dialog

Write = Callable[[Path, Callable[[int, int], None]], Path]
WAIT = "The file is being written: wait for it to finish."


def default_path(stem: str) -> Path:
    return Path.home() / "fieldkit-exports" / f"{stem}-{dt.datetime.now():%Y%m%d-%H%M%S}.pdf"


class ReportScreen(Dialog[Path | None]):
    """Asks for a .pdf or .html file name, then runs `write(path, progress)` in a worker."""

    BINDINGS = [Binding("escape", "close", "Close", id="report.close")]

    def __init__(self, prompt: str, stem: str, write: Write):
        super().__init__()
        self.prompt = prompt
        self.stem = stem
        self.write = write
        self.written: Path | None = None
        self.job = Cancel()  # the file being written: one at a time, and the dialog stays until it is done

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.prompt, classes="question")
            yield Input(str(default_path(self.stem)), id="report-path")
            yield ProgressBar(id="report-progress", show_eta=False)
            yield Label("", id="result")
            with Horizontal(classes="buttons"):
                yield Button("Write", variant="primary", id="write")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#report-progress").display = False
        self.query_one("#report-path", Input).focus()

    @on(Input.Submitted, "#report-path")
    @on(Button.Pressed, "#write")
    def start(self) -> None:
        if self.job.running:  # Enter in the box while the Write button is disabled
            self.notify(WAIT, severity="warning")
            return
        try:
            path = expand_user(self.query_one("#report-path", Input).value.strip())
        except FieldkitError as exc:
            self.query_one("#result", Label).update(f"[b red]Error:[/] {escape(visible(str(exc)))}")
            return
        self.job.start()
        self.query_one("#write", Button).disabled = True
        bar = self.query_one("#report-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.run_write(path)

    @work(thread=True)
    def run_write(self, path: Path) -> None:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self.query_one("#report-progress", ProgressBar).update, total=total, progress=done)

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            written = self.write(path, throttled(progress))
        except (FieldkitError, OSError) as exc:
            self.app.call_from_thread(self.finish, f"[b red]Error:[/] {escape(visible(str(exc)))}", None)
            return
        self.app.call_from_thread(self.finish, f"Written to {escape(visible(str(written)))}", written)

    def finish(self, text: str, path: Path | None) -> None:
        self.job.finished()
        self.query_one("#write", Button).disabled = False
        self.query_one("#result", Label).update(text)
        if path is not None:
            self.written = path
            self.notify(f"Written to {path}")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        if self.job.running:  # the worker's progress needs this dialog: closed, the file was left half-written
            self.notify(WAIT, severity="warning")
            return
        self.dismiss(self.written)
