"""The verify screen (`v` on the catalog): re-hash every photo and check the audit log, in a thread worker."""

from __future__ import annotations

import threading

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, ProgressBar

from fieldkit.evidence.verify import VerifyReport, remove_leftover_temp_files, verify_catalog
from fieldkit.tui.progress import throttled
from fieldkit.tui.screens.confirm import ConfirmScreen
from fieldkit.wording import plural



class VerifyScreen(Screen[None]):
    """Progress while checking, then the report: every missing, altered or stray file and audit problem."""

    HELP = """\
## Verify

Re-hashes every stored photo original and compares it with the SHA-256 recorded when it was
added, looks for files in the store that no photo names, and checks the audit log's hash chain
and that every row matches its last audit record.
"""

    BINDINGS = [
        Binding("r", "run", "Run again", id="verify.run"),
        Binding("t", "remove_temp", "Remove temp files", id="verify.remove_temp",
                tooltip="Delete the temporary copies that interrupted ingests left (over an hour old), then check again"),
        Binding("escape", "close", "Back", id="verify.back"),
    ]

    class Progress(Message):
        def __init__(self, done: int, total: int):
            super().__init__()
            self.done, self.total = done, total

    class Finished(Message):
        def __init__(self, report: VerifyReport):
            super().__init__()
            self.report = report

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()
        self.report: VerifyReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield ProgressBar(id="verify-progress", show_eta=False)
        yield Label("Checking…", id="verify-summary")
        table = DataTable(id="verify-problems", cursor_type="row", zebra_stripes=True)
        for key, label in (("kind", "Problem"), ("items", "Items"), ("photo", "Photo"), ("detail", "Detail")):
            table.add_column(label, key=key)
        yield table
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = "Verify evidence"
        self.action_run()

    def on_unmount(self) -> None:
        self.cancel.set()

    def action_remove_temp(self) -> None:
        def remove(answer: bool | None) -> None:
            if answer:
                removed = remove_leftover_temp_files(self.app.catalog)
                self.notify(f"Removed {plural(len(removed), 'temporary file')}")
                self.action_run()

        self.app.push_screen(
            ConfirmScreen("Delete the temporary copies left by interrupted ingests? Originals and stored photos are not touched."),
            remove,
        )

    def action_run(self) -> None:
        self.query_one("#verify-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#verify-summary", Label).update("Checking…")
        self.query_one(DataTable).clear()
        self.check()

    @work(thread=True, exclusive=True, group="verify")
    def check(self) -> None:
        progress = throttled(lambda done, total: self.post_message(self.Progress(done, total)))

        self.post_message(self.Finished(verify_catalog(self.app.catalog, progress=progress, cancel=self.cancel)))

    @on(Progress)
    def show_progress(self, message: Progress) -> None:
        self.query_one("#verify-progress", ProgressBar).update(total=message.total, progress=message.done)

    @on(Finished)
    def show_report(self, message: Finished) -> None:
        report = self.report = message.report
        bar = self.query_one("#verify-progress", ProgressBar)
        bar.update(total=max(report.photos, 1), progress=max(report.photos, 1))
        summary = self.query_one("#verify-summary", Label)
        summary.update(("✓ " if report.ok else "✗ ") + report.summary())
        summary.set_class(not report.ok, "problem")
        table = self.query_one(DataTable)
        for problem in [*report.problems, *report.notices]:
            table.add_row(problem.kind, ", ".join(problem.items), (problem.sha256 or problem.path or "")[:16], problem.detail)

    def action_close(self) -> None:
        self.dismiss(None)
