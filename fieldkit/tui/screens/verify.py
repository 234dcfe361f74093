"""The verify screen (`v` on the catalog): re-hash every photo, check the audit log, the schema and the
witness, in a thread worker; `w` checks against the audit head recorded in a backup or export folder;
`b` rebuilds the search indexes from the rows (as `fieldkit verify --rebuild-search`)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Label, ProgressBar
from textual.worker import Worker, WorkerState

from fieldkit.catalog.witness import parse_noted
from fieldkit.evidence.verify import VerifyReport, remove_leftover_temp_files, verify_catalog
from fieldkit.errors import FieldkitError
from fieldkit.paths import expand_user
from fieldkit.tui.progress import throttled
from fieldkit.tui.safe_text import plain
from fieldkit.tui.screens.confirm import ConfirmScreen
from fieldkit.wording import plural
from fieldkit.tui.widgets.footer import Dialog, FitFooter


class WitnessFolderScreen(Dialog[Path | str | None]):
    """Asks for a backup or export folder whose recorded head to check against, or a head noted by hand."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="witness.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Check the catalog against the audit head recorded in a backup or export folder, "
                        "or one you noted (ROW:FINGERPRINT):", classes="question")
            yield Input(placeholder="/media/usb/fieldkit-2024-01-05  or  6:3f9a-c21b-77e0-12ab", id="witness-path")
            with Horizontal(classes="buttons"):
                yield Button("Check", variant="primary", id="check")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted, "#witness-path")
    @on(Button.Pressed, "#check")
    def check(self) -> None:
        text = self.query_one("#witness-path", Input).value.strip()
        if parse_noted(text):
            self.dismiss(text)
            return
        try:
            path = expand_user(text) if text else None
        except FieldkitError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if path is None or not path.exists():
            self.notify(f"{text or 'nothing'}: no such folder or file, and not ROW:FINGERPRINT",
                        severity="error", markup=False)
            return
        self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class SignHeadScreen(Dialog[str | None]):
    """Asks for the key's passphrase to sign a witness checkpoint of the audit head."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="sign.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Sign the audit head with your key: a signed checkpoint in the witness log, which a "
                        "rewritten log cannot forge. Your key's passphrase:", classes="question")
            yield Input(os.environ.get("FIELDKIT_PASSPHRASE", ""), password=True, id="sign-passphrase")
            with Horizontal(classes="buttons"):
                yield Button("Sign", variant="primary", id="sign")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted, "#sign-passphrase")
    @on(Button.Pressed, "#sign")
    def sign(self) -> None:
        self.dismiss(self.query_one("#sign-passphrase", Input).value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class VerifyScreen(Screen[None]):
    """Progress while checking, then the report: every missing, altered or stray file and audit problem."""

    HELP = """\
## Verify

Re-hashes every stored photo original and compares it with the SHA-256 recorded when it was
added; reports files in the store that no photo names, symlinks and folders that do not belong
there, and photo rows whose stored path is not the one their hash gives. Checks the audit log's
hash chain, that every row matches its last audit record, and that the schema (tables, indexes,
triggers, views) is exactly what fieldkit's migrations make. A folder of the store that cannot be
read, and text that another program wrote into the catalog as bytes that are not UTF-8, are
reported too.

The witness: after every change fieldkit records the audit head outside the catalog (in the
user data dir), and in every backup and export. Verify reports a head that went backwards, a
witnessed row that is missing or different, or another catalog in this one's place. The last
line shows the head's **fingerprint**: write it in your notebook or send it to a colleague; if
the log is later rewritten, that fingerprint no longer matches. `w` checks against the head
recorded in a backup or export folder, or against a head you noted (`ROW:FINGERPRINT`).

`s` signs the head with your key (asked for its passphrase): a **signed checkpoint** in the
witness log. Someone who rewrites the catalog and the log together can remake every unsigned
line, but not your signature; verify names a bad one and shows the newest signed head. A
signature proves that your key saw that head, not when, and not that the log was never cut
short: a fingerprint sent away still does that. Signed bundles sign a checkpoint too.

`b` rebuilds the **search indexes** from the rows, when verify reports (`search`) that they no
longer hold what the rows give: someone edited them behind fieldkit's back, so search would miss
an item or find one that is not there. The indexes are derived from the audited rows, so the
rebuild changes no audited row and writes no audit record (as `fieldkit verify --rebuild-search`);
verify runs again after it.
"""

    BINDINGS = [
        Binding("r", "run", "Run again", id="verify.run"),
        Binding("w", "witness", "Check a backup", id="verify.witness",
                tooltip="Check against the audit head recorded in a backup or export folder"),
        Binding("s", "sign", "Sign", id="verify.sign",
                tooltip="Sign the audit head with your key: a signed checkpoint in the witness log"),
        Binding("b", "rebuild_search", "Rebuild search", id="verify.rebuild_search",
                tooltip="Rebuild the search indexes from the rows (when verify reports them out of step), then check again"),
        Binding("t", "remove_temp", "Clear temp", id="verify.remove_temp",
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
        self.witnesses: list[Path | str] = []  # a backup or export folder, or a noted head, chosen with `w`
        self.busy = ""  # what the screen's worker is doing ("Verify is still checking"), or nothing

    def refused(self, key: str) -> bool:
        """While a worker runs (a check, the rebuild, signing), a key that would start another is refused
        in one line: a check started during the rebuild would end the screen's busy state before it."""
        if self.busy:
            self.notify(f"{self.busy}; press {key} again when it has finished", severity="warning")
        return bool(self.busy)

    def compose(self) -> ComposeResult:
        yield Header()
        yield ProgressBar(id="verify-progress", show_eta=False)
        yield Label("Checking…", id="verify-summary")
        yield Label("", id="verify-head")
        table = DataTable(id="verify-problems", cursor_type="row", zebra_stripes=True)
        for key, label in (("kind", "Problem"), ("items", "Items"), ("photo", "Photo"), ("detail", "Detail")):
            table.add_column(label, key=key)
        yield table
        yield FitFooter()

    def on_mount(self) -> None:
        self.sub_title = "Verify evidence"
        self.check_again()

    def on_unmount(self) -> None:
        self.cancel.set()

    def action_remove_temp(self) -> None:
        if self.refused("t"):
            return

        def remove(answer: bool | None) -> None:
            if answer:
                removed = remove_leftover_temp_files(self.app.catalog)
                self.notify(f"Removed {plural(len(removed), 'temporary file')}")
                self.check_again()

        self.app.push_screen(
            ConfirmScreen("Delete the temporary copies left by interrupted ingests? Originals and stored photos are not touched."),
            remove,
        )

    def action_rebuild_search(self) -> None:
        if self.refused("b"):
            return

        def answered(answer: bool | None) -> None:
            if answer:
                self.busy = "Rebuilding the search indexes"
                self.query_one("#verify-progress", ProgressBar).update(total=None, progress=0)
                self.query_one("#verify-summary", Label).update("Rebuilding the search indexes from the rows…")
                self.rebuild_search()

        self.app.push_screen(
            ConfirmScreen("Rebuild the search indexes from the rows? Search then finds exactly what the catalog "
                          "holds. No audited row changes and nothing is recorded in the audit log; verify runs again "
                          "after it.", yes="Rebuild"),
            answered,
        )

    @work(thread=True, exclusive=True, group="rebuild")
    def rebuild_search(self) -> None:
        """Rebuild in a worker; when it ends (worker_ended), the screen is no longer busy and checks again."""
        from fieldkit.catalog import search
        from fieldkit.errors import FieldkitError

        progress = lambda done, total: self.post_message(self.Progress(done, total))  # noqa: E731 (six steps)
        try:
            search.rebuild_indexes(self.app.catalog, progress=progress)
        except FieldkitError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
        else:
            self.app.call_from_thread(self.notify, "Rebuilt the search indexes from the rows")
        return True

    def action_witness(self) -> None:
        if self.refused("w"):
            return

        def chosen(given: Path | str | None) -> None:
            if given is not None:
                self.witnesses = [given]
                self.check_again()

        self.app.push_screen(WitnessFolderScreen(), chosen)

    def action_sign(self) -> None:
        if self.refused("s"):
            return

        def chosen(passphrase: str | None) -> None:
            if passphrase is not None:
                self.busy = "Signing the audit head"
                self.sign(passphrase)

        self.app.push_screen(SignHeadScreen(), chosen)

    @work(thread=True, exclusive=True, group="sign")
    def sign(self, passphrase: str) -> bool:
        """Sign in a worker; True when signed (worker_ended then checks again)."""
        from fieldkit.catalog import witness
        from fieldkit.errors import FieldkitError
        from fieldkit.team import keys

        try:
            record = witness.checkpoint(self.app.catalog, keys.unlock(passphrase))
        except (FieldkitError, OSError, ValueError) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return False
        self.app.call_from_thread(self.notify, f"Signed the audit head: row {record['seq']}, "
                                  f"fingerprint {witness.fingerprint(record['head'])}", markup=False)
        return True

    @on(Worker.StateChanged)
    def worker_ended(self, event: Worker.StateChanged) -> None:
        """The rebuild or the signing is over: the screen is free again, and checks again after a rebuild
        (whatever its outcome) or a signature."""
        if event.worker.group not in ("rebuild", "sign") or not event.worker.is_finished:
            return
        self.busy = ""
        if event.state == WorkerState.SUCCESS and event.worker.result:
            self.check_again()

    def action_run(self) -> None:
        if not self.refused("r"):
            self.check_again()

    def check_again(self) -> None:
        self.busy = "Verify is still checking"
        self.query_one("#verify-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#verify-summary", Label).update("Checking…")
        self.query_one(DataTable).clear()
        self.check()

    @work(thread=True, exclusive=True, group="verify")
    def check(self) -> None:
        progress = throttled(lambda done, total: self.post_message(self.Progress(done, total)))

        report = verify_catalog(self.app.catalog, progress=progress, cancel=self.cancel, witnesses=self.witnesses)
        self.post_message(self.Finished(report))

    @on(Progress)
    def show_progress(self, message: Progress) -> None:
        self.query_one("#verify-progress", ProgressBar).update(total=message.total, progress=message.done)

    @on(Finished)
    def show_report(self, message: Finished) -> None:
        report = self.report = message.report
        self.busy = ""
        bar = self.query_one("#verify-progress", ProgressBar)
        bar.update(total=max(report.photos, 1), progress=max(report.photos, 1))
        summary = self.query_one("#verify-summary", Label)
        summary.update(("✓ " if report.ok else "✗ ") + report.summary())
        summary.set_class(not report.ok, "problem")
        against = f" (checked against {self.witnesses[0]})" if self.witnesses else ""
        signed = report.signed_line()
        self.query_one("#verify-head", Label).update(plain(report.head_line() + against + (f"\n{signed}" if signed else "")))
        table = self.query_one(DataTable)
        for problem in [*report.problems, *report.notices]:
            table.add_row(problem.kind, plain(", ".join(problem.items)), plain((problem.sha256 or problem.path or "")[:16]),
                          plain(problem.detail))

    def action_close(self) -> None:
        self.dismiss(None)
