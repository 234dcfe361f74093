"""Back up the open catalog and its photo originals to a new folder, and restore a backup into a new
catalog file, each with progress."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar

from fieldkit.catalog.backup import BACKUP_NAME, CopyReport, backup, restore
from fieldkit.catalog.db import is_catalog_file
from fieldkit.errors import FieldkitError
from fieldkit.paths import expand_user
from fieldkit.safe_text import visible
from fieldkit.tui.progress import Cancel, cancellable
from fieldkit.tui.safe_text import short_path
from fieldkit.tui.screens.confirm import ConfirmScreen
from fieldkit.tui.widgets.footer import Dialog


def shown(path: Path) -> str:
    """A path as a dialog's markup shows it: control and bidi characters escaped, brackets literal."""
    return escape(visible(str(path)))


def typed_path(text: str) -> Path:
    """A path typed in a box, stripped, `~` and `~user` expanded (a one-line FieldkitError for a
    `~user` with no home folder here: fieldkit.paths.expand_user)."""
    return expand_user(text.strip())


def default_backup_dir(catalog_path: Path | None) -> Path:
    stem = catalog_path.stem if catalog_path else "catalog"
    return Path.home() / "fieldkit-backups" / f"{stem}-{dt.datetime.now():%Y%m%d-%H%M%S}"


Progress = Callable[[int, int], None]
Stage = Callable[[str], None]


class CopyDialog(Dialog[Path | None]):
    """A dialog that copies a catalog and its photos in a thread worker, with a progress bar
    (#progress), an outcome line (#result) and a start button (#start). Escape (or Close) while it
    works cancels it (`cancel`): the next progress or stage raises InterruptedError, which stops an
    age child and removes what was written (fieldkit.team.crypt, fieldkit.catalog.backup)."""

    CANCELLED = "Cancelled: nothing was kept."

    # On a short terminal (24 lines) the dialog drops its blank top and bottom lines (app.tcss), so
    # that with the passphrase boxes shown it is whole (Backup: Sign and Passphrase both ticked).
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(self) -> None:
        super().__init__()
        self.cancel = Cancel()

    def on_unmount(self) -> None:
        self.cancel.request()

    def copy_in_worker(self, copy: Callable[[Progress, Stage], CopyReport]) -> None:
        """Run `copy(progress, stage)` in a worker; show its report, or the error, when it is done.
        `stage(text)` says what a step without steps to count is doing (encrypting with a passphrase):
        the bar pulses and the outcome line shows the text until the next progress or the end."""
        if not self.cancel.start():  # Enter in a box while the Back up (Restore) button is disabled
            self.refuse_while_running()
            return
        self.query_one("#progress").display = True
        self.query_one("#start", Button).disabled = True
        self.query_one("#result", Label).update("")
        self._copy(copy)

    def refuse_while_running(self) -> bool:
        """True, having said so, while a copy runs: nothing else starts until it is over."""
        if self.cancel.running:
            self.notify("A copy is running: wait for it, or press escape to cancel it.", severity="warning")
        return self.cancel.running

    def stop(self) -> bool:
        """Escape or Close: cancel the work, if there is any (True then; the dialog stays open)."""
        if not self.cancel.request():
            return False
        self.query_one("#result", Label).update("Cancelling…")
        return True

    @work(thread=True)
    def _copy(self, copy) -> None:
        bar = self.query_one("#progress", ProgressBar)
        progress = cancellable(lambda done, total: self.app.call_from_thread(bar.update, total=total, progress=done),
                               self.cancel)

        def stage(text: str) -> None:
            self.cancel.check()
            self.app.call_from_thread(self.show_stage, text)
            self.cancel.check()  # escape pressed while the line was shown: stop before age works on

        try:
            report = copy(progress, stage)
        except InterruptedError:
            self.app.call_from_thread(self.finish, self.CANCELLED, cancelled=True)
            return
        except (FieldkitError, OSError) as exc:
            self.app.call_from_thread(self.finish, str(exc), failed=True)
            return
        self.app.call_from_thread(self.copied, report)

    def show_stage(self, text: str) -> None:
        self.query_one("#progress", ProgressBar).update(total=None)
        self.query_one("#result", Label).update(escape(visible(text)))

    def copied(self, report: CopyReport) -> None:
        self.finish(report.describe(self.where), full=report.describe())

    def where(self, path: Path) -> str:
        """A path in the outcome: whole, or on a short terminal with its middle left out (short_path)."""
        return short_path(path) if self.has_class("-short") else str(path)

    def finish(self, text: str, *, failed: bool = False, cancelled: bool = False, full: str | None = None) -> None:
        """Show the outcome `text` (`full`, its paths whole, goes in the notification and the
        tooltip) and take the progress bar away: the outcome says it all, and on 24 lines the
        dialog has no room for both a long outcome and the bar."""
        self.cancel.finished()  # here, in the app's thread: escape closes the dialog once this is shown
        if not self.is_attached:  # the app closed while the copy ran: nothing to show it on
            return
        self.query_one("#start", Button).disabled = False
        self.query_one("#progress", ProgressBar).display = False
        result = self.query_one("#result", Label)
        shown = escape(visible(text, multiline=True))  # a signed backup's outcome is two lines
        result.update(f"[b red]Error:[/] {shown}" if failed else shown)
        result.tooltip = visible(full or text, multiline=True)
        self.query_one("#result-box").scroll_home(animate=False)
        self.notify(full or text, severity="error" if failed else "warning" if cancelled else "information")


class BackupScreen(CopyDialog):
    """Copies the catalog (SQLite online backup) and every photo original, each re-hashed; with *Sign*,
    then signs a witness checkpoint of the audit head with the researcher's key, as
    `fieldkit backup DEST --sign` does (the key unlocked first, so a wrong passphrase copies nothing)."""

    HELP = """\
## Backup

Type a new (or empty) folder and press Enter or *Back up*: the catalog and every photo original
are copied there, each copy re-hashed against the original. *Restore…* (ctrl+r) makes a new
catalog file from a backup folder, after the same checks as `fieldkit restore`. Escape while
it copies or encrypts cancels it: nothing is kept (no folder, no encrypted file, no partial file).
The last steps (a signed backup's checkpoint, a restored catalog's opening and verify) run to
their end once started, and what they made is kept and shown.

*Encrypt to* (optional): age recipients (`age1...`) or the names of colleagues whose keys you
trust, separated by spaces or commas. The backup is then one file encrypted with age, as
`fieldkit backup DEST --encrypt-to R`: only those recipients can open it, and it is restored with
`fieldkit restore FILE --to NEW.db` or *Restore…* here.

*Passphrase* (F3): the backup is one file encrypted with a passphrase instead, as
`fieldkit backup DEST --passphrase`: type it twice (it is never shown, logged or stored;
FIELDKIT_BUNDLE_PASSPHRASE fills it in). Whoever has the passphrase can open the backup: give it
by another channel than the file. Age allows a passphrase only alone, not with *Encrypt to*.

*Sign* (F2) also signs the audit head the backup records with your key (your key's passphrase
is asked below it; FIELDKIT_PASSPHRASE fills it in): a **signed checkpoint** in the witness log,
as `fieldkit backup DEST --sign`. Verify then shows that head as signed by you, and a catalog
rewritten since cannot forge it. Make your key first on the Team screen (`t`, then F8) or with
`fieldkit key new`.
"""

    BINDINGS = [
        Binding("escape", "close", "Close", id="backup.close", tooltip="Cancel the backup while it runs; else close"),
        Binding("ctrl+r", "restore", "Restore a backup", id="backup.restore",
                tooltip="Restore a backup folder into a new catalog file (the open catalog is not changed)"),
        Binding("f2", "toggle_sign", "Sign", id="backup.sign",
                tooltip="Also sign a witness checkpoint of the audit head with your key (as `fieldkit backup --sign`)"),
        Binding("f3", "toggle_passphrase", "Passphrase", id="backup.passphrase",
                tooltip="Encrypt the backup into one file with a passphrase (as `fieldkit backup DEST --passphrase`)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.signed_line = ""  # what signing said, shown after the backup's report

    def compose(self) -> ComposeResult:
        # Each option's passphrase boxes stand beside its checkbox: with both ticked the dialog is whole
        # at 80x24; it scrolls only for a long outcome.
        with VerticalScroll(classes="dialog"):
            yield Label("Back up the catalog and its photo originals to the new folder:", classes="question")
            yield Input(str(default_backup_dir(self.app.catalog.path)), id="dest")
            yield Input("", id="encrypt-to",
                        placeholder="Encrypt to (optional): age1... or trusted names")
            bundle_secret = os.environ.get("FIELDKIT_BUNDLE_PASSPHRASE", "")
            with Horizontal(classes="options"):
                yield Checkbox("Passphrase instead (F3)", id="with-passphrase")
                with Horizontal(id="backup-passphrases"):
                    yield Input(bundle_secret, password=True, id="backup-passphrase",
                                placeholder="Passphrase", tooltip="The backup's passphrase")
                    yield Input(bundle_secret, password=True, id="backup-passphrase-again", placeholder="Again",
                                tooltip="The backup's passphrase again")
            with Horizontal(classes="options"):
                yield Checkbox("Sign with your key (F2)", id="sign")
                yield Input(os.environ.get("FIELDKIT_PASSPHRASE", ""), password=True, id="sign-passphrase",
                            placeholder="Your key's passphrase")
            yield ProgressBar(id="progress", show_eta=False)
            with VerticalScroll(id="result-box"):  # a long outcome scrolls here; the buttons stay in view
                yield Label("", id="result")
            with Horizontal(classes="buttons"):
                yield Button("Back up", variant="primary", id="start")
                yield Button("Restore…", id="restore")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        self.query_one("#sign-passphrase").display = False
        self.query_one("#backup-passphrases").display = False
        self.query_one("#dest", Input).focus()

    def action_toggle_sign(self) -> None:
        box = self.query_one("#sign", Checkbox)
        box.value = not box.value

    def action_toggle_passphrase(self) -> None:
        box = self.query_one("#with-passphrase", Checkbox)
        box.value = not box.value

    @on(Checkbox.Changed, "#with-passphrase")
    def show_backup_passphrase(self, event: Checkbox.Changed) -> None:
        self.query_one("#backup-passphrases").display = event.value
        if event.value:
            self.query_one("#backup-passphrase", Input).focus()

    @on(Input.Submitted, "#backup-passphrase")
    def next_passphrase_box(self) -> None:
        self.query_one("#backup-passphrase-again", Input).focus()

    @on(Checkbox.Changed, "#sign")
    def show_passphrase(self, event: Checkbox.Changed) -> None:
        self.query_one("#sign-passphrase").display = event.value
        if event.value:
            self.query_one("#sign-passphrase", Input).focus()

    @on(Input.Submitted, "#dest")
    @on(Input.Submitted, "#sign-passphrase")
    @on(Input.Submitted, "#backup-passphrase-again")
    @on(Button.Pressed, "#start")
    def start(self) -> None:
        if self.refuse_while_running():
            return
        try:
            dest = typed_path(self.query_one("#dest", Input).value)
        except FieldkitError as exc:
            self.finish(str(exc), failed=True)
            return
        recipients = self.query_one("#encrypt-to", Input).value.replace(",", " ").split()
        passphrase = None
        if self.query_one("#with-passphrase", Checkbox).value:
            passphrase = self.query_one("#backup-passphrase", Input).value
            if passphrase != self.query_one("#backup-passphrase-again", Input).value:
                self.finish("the two passphrases differ; type the same passphrase in both boxes", failed=True)
                return
        if not self.query_one("#sign", Checkbox).value:
            self.copy_in_worker(lambda progress, stage: self.make_backup(dest, recipients, passphrase, progress, stage))
            return
        from fieldkit.team import keys

        if not keys.has_key():
            self.finish("no signing key yet: make one on the Team screen (t, then F8) or with `fieldkit key new`, "
                        "or untick Sign", failed=True)
            return
        key_passphrase = self.query_one("#sign-passphrase", Input).value
        self.copy_in_worker(lambda progress, stage: self.signed_backup(dest, recipients, passphrase, key_passphrase,
                                                                      progress, stage))

    def make_backup(self, dest: Path, recipients: list[str], passphrase: str | None,
                    progress: Progress, stage: Stage) -> CopyReport:
        """A backup folder; or one age-encrypted file, to recipients or with a passphrase, as
        `fieldkit backup DEST --encrypt-to R` or `--passphrase`."""
        if not recipients and passphrase is None:
            return backup(self.app.catalog, dest, progress)
        from fieldkit.team import keys
        from fieldkit.team.sealed_backup import sealed_backup

        parsed = [keys.recipient(r) for r in recipients]
        return sealed_backup(self.app.catalog, dest, recipients=parsed, passphrase=passphrase, progress=progress,
                             stage=stage)

    def signed_backup(self, dest: Path, recipients: list[str], passphrase: str | None, key_passphrase: str,
                      progress: Progress, stage: Stage) -> CopyReport:
        """`fieldkit backup DEST --sign`: unlock the key (a wrong passphrase copies nothing), back up,
        then, if the backup is whole, sign a checkpoint of the head; its line goes after the report's."""
        from fieldkit.catalog import witness
        from fieldkit.team import keys

        secret = keys.unlock(key_passphrase)
        report = self.make_backup(dest, recipients, passphrase, progress, stage)
        if not report.problems:
            record = witness.try_checkpoint(self.app.catalog, secret)
            self.signed_line = (f"signed a witness checkpoint: row {record['seq']}, "
                                f"fingerprint {witness.fingerprint(record['head'])}" if record else
                                "warning: the witness checkpoint could not be written (the backup is whole)")
        return report

    def copied(self, report: CopyReport) -> None:
        signed, self.signed_line = self.signed_line, ""
        signed = f"\n{signed}" if signed else ""
        self.finish(report.describe(self.where) + signed, full=report.describe() + signed)

    @on(Button.Pressed, "#restore")
    def action_restore(self) -> None:
        """Restore… (ctrl+r), once no backup runs: its Open it closes this dialog and the catalog."""
        if not self.refuse_while_running():
            self.app.push_screen(RestoreScreen())

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        if not self.stop():
            self.dismiss(None)


def default_restore_path(catalog_path: Path | None) -> Path:
    """A new file beside the open catalog: never the open catalog itself."""
    folder = catalog_path.parent if catalog_path else Path.home()
    stem = catalog_path.stem if catalog_path else "catalog"
    return folder / f"{stem}-restored-{dt.datetime.now():%Y%m%d-%H%M%S}.db"


class RestoreScreen(CopyDialog):
    """Restores a backup folder into a new catalog file, as `fieldkit restore BACKUP --to FILE`:
    the same checks (its SHA256SUMS, paths kept inside its photo store, a catalog file that is
    fieldkit's), never over an existing file; then offers to open the restored catalog. An encrypted
    backup file is opened first with the passphrase it needs (fieldkit.team.sealed_backup.unsealed)."""

    HELP = """\
## Restore

Give the backup folder (made by *Back up* or `fieldkit backup`) and a new catalog file. The backup
is checked against its SHA256SUMS and every photo is re-hashed as it is copied; nothing is written
over an existing file, and the open catalog is not changed. When it is done, *Open it* closes the
open catalog and opens the restored one (you are asked first).

An encrypted backup is a single file (made with *Encrypt to* or *Passphrase*): give that file, and
the passphrase it needs -- the backup's own passphrase, or your key's if it was encrypted to you
(the box says which). It is decrypted into a private temporary folder and restored from there, as
`fieldkit restore FILE --to NEW.db`. The passphrase is never shown, logged or stored.

Escape while it works cancels it: the decrypted copy and the new catalog file are removed.
"""

    BINDINGS = [Binding("escape", "close", "Close", id="restore.close", tooltip="Cancel the restore while it runs; else close")]

    def __init__(self) -> None:
        super().__init__()
        self.restored: Path | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label("Restore the backup in the folder:", classes="question")
            yield Input("", placeholder="a folder made by Back up, or an encrypted backup file", id="source")
            yield Input("", password=True, id="restore-passphrase", placeholder="The backup's passphrase")
            yield Label("into the new catalog file (the open catalog is not changed):", classes="question")
            yield Input(str(default_restore_path(self.app.catalog.path)), id="target")
            yield ProgressBar(id="progress", show_eta=False)
            with VerticalScroll(id="result-box"):  # a long outcome scrolls here; the buttons stay in view
                yield Label("", id="result")
            with Horizontal(classes="buttons"):
                yield Button("Restore", variant="primary", id="start")
                yield Button("Open it", id="open")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        self.query_one("#open").display = False
        self.query_one("#restore-passphrase").display = False
        self.query_one("#source", Input).focus()

    def _paths(self) -> tuple[Path, Path]:
        return tuple(typed_path(self.query_one(f"#{box}", Input).value) for box in ("source", "target"))

    @on(Input.Changed, "#source")
    def ask_passphrase(self) -> None:
        """A file is an encrypted backup: ask for the passphrase it needs, saying which."""
        from fieldkit.team import crypt

        box = self.query_one("#restore-passphrase", Input)
        try:  # read once per keystroke, inside the try: the file may go or change between two reads
            source, _ = self._paths()  # `~a`, on the way to `~amina/usb`, names no home folder
            encrypted = source.is_file() and crypt.is_encrypted(source)
            own = encrypted and crypt.needs_passphrase(source)
        except (OSError, FieldkitError):
            encrypted = own = False
        box.placeholder = "The backup's passphrase" if own else "Your key's passphrase (the backup is encrypted to your key)"
        box.display = encrypted
        if encrypted and not box.value:
            box.value = os.environ.get("FIELDKIT_BUNDLE_PASSPHRASE" if own else "FIELDKIT_PASSPHRASE", "")

    @on(Input.Submitted, "#source")
    @on(Input.Submitted, "#restore-passphrase")
    def next_box(self, event: Input.Submitted) -> None:
        passphrase = self.query_one("#restore-passphrase", Input)
        (passphrase if event.input.id == "source" and passphrase.display else self.query_one("#target", Input)).focus()

    @on(Input.Submitted, "#target")
    @on(Button.Pressed, "#start")
    def start(self) -> None:
        if self.refuse_while_running():
            return
        try:
            source, target = self._paths()
        except FieldkitError as exc:
            self.finish(str(exc), failed=True)
            return
        if not self.query_one("#source", Input).value.strip():
            self.finish("give the backup folder to restore from", failed=True)
            return
        if self.app.catalog.path is not None and target.resolve() == self.app.catalog.path.resolve():
            self.finish(f"{target} is the open catalog; restore to a new file", failed=True)
            return
        if not source.is_file() and is_catalog_file(self.app.catalog, source / BACKUP_NAME):  # restoring would read (and hash) its bytes
            self.finish(f"the backup {source} holds the open catalog; open another catalog, then restore from it",
                        failed=True)
            return
        self.app.push_screen(
            ConfirmScreen(f"Restore the backup in {shown(source)} into the new catalog file {shown(target)}? "
                          "The open catalog is not changed.", yes="Restore", default_yes=True),
            lambda answer: self.run_restore(source, target) if answer else None,
        )

    def run_restore(self, source: Path, target: Path) -> None:
        self.restored = None
        self.query_one("#open").display = False
        secret = self.query_one("#restore-passphrase", Input).value
        actor = self.app.catalog.actor
        if not source.is_file():
            self.copy_in_worker(lambda progress, stage: restore(source, target, actor=actor, progress=progress))
            return

        def restore_sealed(progress: Progress, stage: Stage) -> CopyReport:
            """`fieldkit restore FILE --to NEW.db`: decrypt into a private temporary folder, restore from it."""
            from fieldkit.team.sealed_backup import unsealed

            with unsealed(source, lambda: secret, lambda: secret, stage=stage, progress=progress) as folder:
                return restore(folder, target, actor=actor, progress=progress)

        self.copy_in_worker(restore_sealed)

    def copied(self, report: CopyReport) -> None:
        """Restored: the new catalog can be opened (Open it), unless verifying it found problems."""
        self.finish(report.describe(self.where), full=report.describe())
        self.restored = None if report.problems else report.catalog
        self.query_one("#open").display = self.restored is not None

    @on(Button.Pressed, "#open")
    def open_restored(self) -> None:
        restored = self.restored
        if restored is None:
            return

        def switch(answer: bool | None) -> None:
            if not answer:
                return
            from fieldkit.catalog.db import open_catalog

            try:
                catalog = open_catalog(restored, actor=self.app.catalog.actor)
            except FieldkitError as exc:
                self.finish(str(exc), failed=True)
                return
            self.app.switch_catalog(catalog)
            self.app.pop_screen()  # this dialog
            self.app.pop_screen()  # the backup dialog
            from fieldkit.tui.screens.catalog import CatalogScreen

            if isinstance(self.app.screen, CatalogScreen):
                self.app.screen.show_example_banner()
                self.app.screen.reload()

        current = self.app.catalog.path
        self.app.push_screen(ConfirmScreen(
            f"Close {shown(current)} (nothing in it changes) and open the restored catalog {shown(restored)}?",
            yes="Open restored", default_yes=True), switch)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        if not self.stop():
            self.dismiss(self.restored)
