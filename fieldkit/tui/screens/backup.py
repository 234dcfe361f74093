"""Back up the open catalog and its photo originals to a new folder, with progress."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar

from fieldkit.catalog.backup import backup
from fieldkit.errors import FieldkitError
from fieldkit.safe_text import visible
from fieldkit.tui.progress import throttled


def default_backup_dir(catalog_path: Path | None) -> Path:
    stem = catalog_path.stem if catalog_path else "catalog"
    return Path.home() / "fieldkit-backups" / f"{stem}-{dt.datetime.now():%Y%m%d-%H%M%S}"


class BackupScreen(ModalScreen[Path | None]):
    """Copies the catalog (SQLite online backup) and every photo original, each re-hashed."""

    BINDINGS = [Binding("escape", "close", "Close", id="backup.close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Back up the catalog and its photo originals to the new folder:", classes="question")
            yield Input(str(default_backup_dir(self.app.catalog.path)), id="dest")
            yield ProgressBar(id="progress", show_eta=False)
            yield Label("", id="result")
            with Horizontal(classes="buttons"):
                yield Button("Back up", variant="primary", id="start")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        self.query_one("#dest", Input).focus()

    @on(Input.Submitted, "#dest")
    @on(Button.Pressed, "#start")
    def start(self) -> None:
        self.query_one("#progress").display = True
        self.query_one("#start", Button).disabled = True
        self.run_backup(Path(self.query_one("#dest", Input).value.strip()).expanduser())

    @work(thread=True, exclusive=True)
    def run_backup(self, dest: Path) -> None:
        bar = self.query_one("#progress", ProgressBar)
        progress = throttled(lambda done, total: self.app.call_from_thread(bar.update, total=total, progress=done))

        try:
            report = backup(self.app.catalog, dest, progress)
        except (FieldkitError, OSError) as exc:
            self.app.call_from_thread(self.finish, str(exc), failed=True)
            return
        self.app.call_from_thread(self.finish, report.describe())

    def finish(self, text: str, *, failed: bool = False) -> None:
        """Show the outcome; a failed backup takes its progress bar away (nothing is in progress)."""
        self.query_one("#start", Button).disabled = False
        if failed:
            self.query_one("#progress").display = False
            self.query_one("#result", Label).update(f"[b red]Error:[/] {escape(visible(text))}")
        else:
            self.query_one("#result", Label).update(escape(visible(text)))
        self.notify(text, severity="error" if failed else "information", markup=False)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
