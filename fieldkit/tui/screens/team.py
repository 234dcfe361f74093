"""The Team screen: your key and the keys you trust, bundles (create, verify, merge) with progress,
where merged work came from, and the open conflicts, side by side, to keep ours, theirs or an
edited union. It calls the same core functions as `fieldkit key | bundle | merge | conflicts`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, Header, Input, Label, ProgressBar, Static, TextArea

from fieldkit.errors import FieldkitError
from fieldkit.paths import expand_user
from fieldkit.tui.progress import Cancel, cancellable
from fieldkit.tui.safe_text import plain, visible
from fieldkit.tui.widgets.footer import Dialog, FitFooter


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", " ").split() if part.strip()]


def side_by_side(ours: dict | None, theirs: dict) -> tuple[str, str]:
    """The two versions of a row as aligned `field: value` lines, differing fields marked with `*`."""
    ours = ours or {}
    left, right = [], []
    for name in sorted(set(ours) | set(theirs)):
        mark = "*" if ours.get(name) != theirs.get(name) else " "
        left.append(f"{mark} {name}: {visible(str(ours.get(name)))}")
        right.append(f"{mark} {name}: {visible(str(theirs.get(name)))}")
    return "\n".join(left), "\n".join(right)


class UnionScreen(Dialog[dict | None]):
    """Edit the union of two versions (JSON) and save it with ctrl+s."""

    BINDINGS = [Binding("ctrl+s", "save", "Save", id="union.save"), Binding("escape", "cancel", "Cancel", id="union.cancel")]

    def __init__(self, draft: dict):
        super().__init__()
        self.draft = draft

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Edit the version to keep, then ctrl+s (escape cancels). Ids are never joined; a "
                        "component's attribution and date code are ours: to keep theirs, copy those fields "
                        "from theirs.", classes="question")
            yield TextArea(json.dumps(self.draft, indent=1, ensure_ascii=False), id="union", language=None)
            yield Label("", id="union-error")

    def action_save(self) -> None:
        try:
            edited = json.loads(self.query_one(TextArea).text)
            assert isinstance(edited, dict)
        except (ValueError, AssertionError):
            self.query_one("#union-error", Label).update("That is not a JSON object; fix it or press escape.")
            return
        self.dismiss(edited)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TrustKeyScreen(Dialog[str | None]):
    """Trust a colleague's public key from the file they saved from `fieldkit key show`, under a
    name, as `fieldkit key trust FILE --name NAME`; dismissed with what was trusted (a line to show)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="trust.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Trust a colleague's key: the file they saved from `fieldkit key show`, and their name "
                        "(one word). Check its fingerprint with them by another channel.", classes="question")
            yield Input("", id="trust-file", placeholder="~/keys/amina.pub")
            yield Input("", id="trust-name", placeholder="Their name, e.g. hq or amina")
            yield Label("", id="trust-error")
            with Horizontal(classes="buttons"):
                yield Button("Trust", variant="primary", id="trust")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted, "#trust-file")
    def next_box(self) -> None:
        self.query_one("#trust-name", Input).focus()

    @on(Input.Submitted, "#trust-name")
    @on(Button.Pressed, "#trust")
    def trust(self) -> None:
        from fieldkit.team import keys

        given = self.query_one("#trust-file", Input).value.strip()
        try:
            path = expand_user(given)
            if not given or not path.is_file():
                raise FieldkitError(f"{given or 'no file given'}: not a file; give the file saved from their "
                                    "`fieldkit key show`")
            trusted = keys.trust(keys.read_public_file(path), self.query_one("#trust-name", Input).value)
        except FieldkitError as exc:
            self.query_one("#trust-error", Label).update(plain(f"Error: {exc}"))
            return
        self.dismiss(f"Trusted {trusted.name}: {trusted.fingerprint} (check it with them by another channel).")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class PassphraseAgainScreen(Dialog[str | None]):
    """The new key's passphrase typed a second time; dismissed with it, or None (escape)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="again.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Type your new key's passphrase again (a mistyped one would lock you out of the key):",
                        classes="question")
            yield Input("", password=True, id="passphrase-again")

    @on(Input.Submitted, "#passphrase-again")
    def typed(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TeamScreen(Screen):
    """Keys, bundles, merges and conflicts."""

    HELP = """\
## Team

Your key signs the bundles you make; colleagues trust it with `fieldkit key trust` (or F9 here).
F8 makes your key, sealed with the passphrase typed in the first box, and asks for it once more,
as `fieldkit key new` does: a mistyped passphrase would lock you out of the key for good.
F9 trusts a colleague's key, from the file they saved from `fieldkit key show`, under their name:
their bundles then verify as signed by them. Check the fingerprint with them by another channel.
A bundle holds the chosen items with their photos, markings, components and audit
entries. Encrypt it to headquarters' age key (`age1...` or a trusted name): then only
headquarters can open it, not you. Or encrypt it with a *bundle passphrase* (with no key named),
as `fieldkit bundle create --passphrase`: type it in both boxes, as the CLI asks twice, since a
mistyped one would make a bundle nobody can open; give it to them by another channel. To verify or
merge a passphrase bundle, the first box is enough. Verify checks the signature and every hash; merge
brings the work in, all or nothing. Rows changed on both sides become conflicts:
keep ours, theirs, or edit a union. Every resolution is audited. F3 shows the resolved conflicts too,
with when, by whom and how each was resolved (as `fieldkit conflicts --all`); F3 again, the open ones only.

What goes in: the items listed in *Items* (refs), and with *Changed since* (YYYY-MM-DD) every item
changed on or after that day -- its fields, markings, components or photos -- as
`fieldkit bundle create --since DATE`; with both empty, every item and the whole audit log
(`--all`). *Unsigned* (F4) makes a bundle without a key, as `--unsigned`: a colleague merges it
only by allowing unsigned bundles, and it cannot prove who made it. Ticked when you verify (F6) or
merge (F7), it is that allowance, as `--allow-unsigned`: an unsigned bundle is refused without it.
"""


    # Below 110 columns (a laptop's 80x24) the rows of boxes no longer fit side by side: each row
    # becomes a grid that gives every box the width its placeholder needs, and the buttons a row of
    # their own. The versions of a conflict scroll (together) in their box.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    DEFAULT_CSS = """
    TeamScreen #team-body { padding: 0 1; }
    TeamScreen .team-row { height: auto; }
    TeamScreen .team-row Input { width: 1fr; }
    TeamScreen .team-row Button { margin-left: 1; }
    TeamScreen .team-row Checkbox { width: auto; }
    TeamScreen.-narrow .team-row { layout: grid; grid-size: 1; grid-rows: auto; }
    TeamScreen.-narrow #keys-row { grid-size: 2; }
    TeamScreen.-narrow #keys-row #passphrase { column-span: 2; }
    TeamScreen.-narrow #send-row { grid-size: 3; }
    TeamScreen.-narrow #send-row #recipients { column-span: 3; }
    TeamScreen.-narrow .team-row Button { margin: 0 1 0 0; width: 1fr; }
    TeamScreen #conflicts { height: 6; }
    TeamScreen #versions { height: auto; max-height: 14; }
    TeamScreen #versions-pair { height: auto; }
    TeamScreen #ours, TeamScreen #theirs { width: 1fr; border: round $primary; padding: 0 1; }
    TeamScreen .heading { text-style: bold; margin-top: 1; }
    """

    BINDINGS = [
        Binding("f5", "create", "Create bundle", id="team.create", tooltip="Create a bundle of the listed items (all if none)"),
        Binding("f6", "verify", "Verify", id="team.verify", tooltip="Check the bundle's signature and hashes, list what it holds"),
        Binding("f7", "merge", "Merge", id="team.merge", tooltip="Verify, then merge the bundle or catalog file into this catalog"),
        Binding("f4", "toggle_unsigned", "Unsigned", id="team.unsigned",
                tooltip="Create the bundle without signing it (as `fieldkit bundle create --unsigned`); "
                        "verify and merge accept an unsigned one (as `--allow-unsigned`)"),
        # before F8: seen in a 120-column footer, where F8 (made once) and the conflict keys may fall to More
        Binding("f3", "toggle_resolved", "Resolved", id="team.resolved",
                tooltip="Show the resolved conflicts too: when, by whom and how each was resolved "
                        "(as `fieldkit conflicts --all`); again for the open ones only"),
        Binding("f8", "new_key", "New key", id="team.new_key", tooltip="Make your signing key, sealed with the passphrase"),
        Binding("o", "keep('ours')", "Keep ours", id="team.keep_ours", tooltip="Resolve the highlighted conflict: keep our version"),
        Binding("t", "keep('theirs')", "Keep theirs", id="team.keep_theirs", tooltip="Resolve the highlighted conflict: keep theirs"),
        Binding("e", "edit_union", "Edit union", id="team.edit_union", tooltip="Resolve the highlighted conflict with an edited union"),
        Binding("f9", "trust", "Trust key", id="team.trust",
                tooltip="Trust a colleague's public key from a file, under their name (as `fieldkit key trust`)"),
        Binding("escape", "back", "Back", id="team.back", tooltip="Cancel the running job; else back to the catalog"),
    ]

    def __init__(self, refs: list[str] | None = None):
        super().__init__()
        self.refs = refs or []
        self.cancel = Cancel()
        self.show_resolved = False  # F3: the conflicts list holds the resolved ones too
        self.conflicts: list[dict] = []  # as listed in #conflicts, row by row

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="team-body"):
            yield Static("", id="key-info")
            with Horizontal(classes="team-row", id="keys-row"):
                yield Input(os.environ.get("FIELDKIT_PASSPHRASE", ""), password=True, id="passphrase",
                            placeholder="Your key's passphrase")
                yield Input("", password=True, id="bundle-passphrase", placeholder="Bundle passphrase (optional)")
                yield Input("", password=True, id="bundle-passphrase-again", placeholder="Again, to create")
            yield Label("Bundle", classes="heading")
            with Horizontal(classes="team-row", id="bundle-row"):
                yield Input("", id="bundle-path", placeholder="Bundle file (.fkb) or catalog file")
                yield Input(" ".join(self.refs), id="refs", placeholder="Items (refs); empty = all")
            with Horizontal(classes="team-row", id="since-row"):
                yield Input("", id="since", placeholder="Changed since YYYY-MM-DD (optional): items changed on or after")
                yield Checkbox("Unsigned (F4)", id="unsigned")
            with Horizontal(classes="team-row", id="send-row"):
                yield Input("", id="recipients", placeholder="Encrypt to: age1... or trusted names (optional)")
                yield Button("Create", id="create")
                yield Button("Verify", id="verify")
                yield Button("Merge", id="merge", variant="primary")
            yield ProgressBar(id="progress", show_eta=False)
            yield Static("", id="result")
            yield Label("Open conflicts", classes="heading", id="conflicts-heading")
            yield DataTable(id="conflicts", cursor_type="row")
            with VerticalScroll(id="versions"), Horizontal(id="versions-pair"):
                yield Static("", id="ours")
                yield Static("", id="theirs")
            yield Label("Where merged work came from", classes="heading")
            yield Static("", id="origins")
        yield FitFooter()

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        self.refresh_all()

    # what is shown -------------------------------------------------------------------------

    def refresh_all(self) -> None:
        from fieldkit.team import keys

        try:
            if keys.has_key():
                mine = keys.own_public()
                lines = [f"Your key: {mine.fingerprint}   age recipient: {mine.age_recipient}",
                         f"Public key (as `fieldkit key show`, for colleagues to trust): {mine.text}"]
            else:
                lines = ["No key yet: type a passphrase and press F8 to make one."]
            trusted = keys.trusted_keys()
            lines.append("Trusted: " + (", ".join(f"{k.name} ({k.fingerprint[:14]}…)" for k in trusted) or "nobody yet"))
        except FieldkitError as exc:
            lines = [f"Keys: {exc}"]
        self.query_one("#key-info", Static).update(plain("\n".join(lines)))
        self.refresh_conflicts()
        self.refresh_origins()

    COLUMNS = (("id", "Id"), ("label", "Row"), ("from", "From"), ("opened", "Opened"))
    RESOLVED_COLUMNS = (("kept", "Kept"), ("by", "Resolved by"), ("resolved", "Resolved"))

    def refresh_conflicts(self) -> None:
        """The open conflicts, or with F3 every conflict (fieldkit.team.conflicts.list_conflicts, as
        `fieldkit conflicts [--all]`): a resolved one with what was kept, by whom and when."""
        from fieldkit.team.conflicts import list_conflicts

        table = self.query_one("#conflicts", DataTable)
        # the cursor stays on its conflict if it is still listed (F3 toggled, or resolved in the F3
        # view), else at its row: the next open one
        row, kept = table.cursor_row, (self.highlighted() or {}).get("id")
        table.clear(columns=True)
        for key, label in self.COLUMNS + (self.RESOLVED_COLUMNS if self.show_resolved else ()):
            table.add_column(label, key=key)
        self.conflicts = list_conflicts(self.app.catalog, include_resolved=self.show_resolved)
        for c in self.conflicts:
            # every cell as text, never markup: From is a bundle's own word, and the catalog may have been written by another program
            cells = [c["id"][:8], c["label"], str(c["origin_catalog"])[:8], c["opened_at"][:19]]
            if self.show_resolved:
                done = c["resolved_at"] is not None
                cells += [c["resolution"], c["resolved_by"], c["resolved_at"][:19]] if done else ["open", "", ""]
            table.add_row(*map(plain, cells), key=c["id"])
        if self.conflicts:
            ids = [c["id"] for c in self.conflicts]
            table.move_cursor(row=ids.index(kept) if kept in ids else min(row, len(ids) - 1))
        heading = "Conflicts, open and resolved (F3: open only)" if self.show_resolved else "Open conflicts"
        self.query_one("#conflicts-heading", Label).update(heading)
        self.show_versions()

    def refresh_origins(self) -> None:
        rows = self.app.catalog.db.execute(
            "SELECT origin_catalog, signer, origin_actor, merged_at, summary_json, unsigned FROM merges ORDER BY merged_at").fetchall()
        lines = []
        for origin, signer, actor, merged_at, summary, unsigned in rows:
            added = json.loads(summary).get("added", {})
            what = ", ".join(f"{n} {t}" for t, n in added.items()) or "no new rows"
            who = "unsigned" if unsigned else f"signed by {signer}"
            lines.append(f"{merged_at[:19]}  catalog {origin[:8]}  made by {actor}, {who}: {what}")
        if not lines:
            lines = ["Nothing merged into this catalog yet."]
        lines += self.item_origins()
        self.query_one("#origins", Static).update(plain("\n".join(lines)))

    def item_origins(self) -> list[str]:
        """For each item listed in the Items box: which laptop (catalog) and researcher its changes came from."""
        from fieldkit.catalog.items import find_item
        from fieldkit.team.provenance import item_provenance

        lines = []
        for ref in _split(self._value("refs")):
            item = find_item(self.app.catalog, ref)
            if item is None:
                continue
            for o in item_provenance(self.app.catalog.db, item["id"]):
                if o["signer"] == "this catalog":
                    continue  # only work that came in by merge
                lines.append(f"{ref}: catalog {o['catalog'][:8]} ({o['signer'] or 'unsigned'}), {o['actor']}: "
                             f"{o['changes']} changes, {o['first'][:10]} to {o['last'][:10]}")
        return lines

    def highlighted(self) -> dict | None:
        table = self.query_one("#conflicts", DataTable)
        if not self.conflicts or table.cursor_row is None or table.cursor_row >= len(self.conflicts):
            return None
        return self.conflicts[table.cursor_row]

    @on(Input.Submitted, "#refs")
    def show_item_origins(self) -> None:
        self.refresh_origins()

    @on(DataTable.RowHighlighted, "#conflicts")
    def show_versions(self) -> None:
        conflict = self.highlighted()
        if conflict is None:
            left, right = "No conflicts." if self.show_resolved else "No open conflicts.", ""
        else:
            ours = json.loads(conflict["ours_json"]) if conflict["ours_json"] else None
            left, right = side_by_side(ours, json.loads(conflict["theirs_json"]))
            left, right = "OURS\n" + left, "THEIRS\n" + right
            if conflict["resolved_at"] is not None:
                resolved = f"RESOLVED {conflict['resolved_at'][:19]} by {conflict['resolved_by']}: kept {conflict['resolution']}"
                left, right = f"{resolved}\n{left}", f"\n{right}"
        self.query_one("#ours", Static).update(plain(left))
        self.query_one("#theirs", Static).update(plain(right))

    # actions -----------------------------------------------------------------------------

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def say(self, text: str, error: bool = False) -> None:
        self.query_one("#result", Static).update(plain(text))
        if error:
            self.notify(text, severity="error")

    def _bundle_path(self) -> Path | None:
        value = self._value("bundle-path")
        if not value:
            self.say("Give the bundle file first.", error=True)
            return None
        try:
            return expand_user(value)
        except FieldkitError as exc:
            self.say(f"Error: {exc}", error=True)
            return None

    def action_new_key(self) -> None:
        """Make the key, as `fieldkit key new`: its passphrase typed twice (the second time in a
        dialog), since a mistyped one would lock you out of the key for good."""
        from fieldkit.team import keys

        passphrase = self.query_one("#passphrase", Input).value
        if keys.has_key() or not passphrase:  # refused by new_key in one line, with nothing to confirm
            self._make_key(passphrase)
            return

        def again(typed: str | None) -> None:
            if typed is None:
                return
            if typed != passphrase:
                self.say("the two passphrases differ; no key was made: type the same passphrase again (F8)", error=True)
                return
            self._make_key(passphrase)

        self.app.push_screen(PassphraseAgainScreen(), again)

    def _make_key(self, passphrase: str) -> None:
        from fieldkit.team import keys

        try:
            keys.new_key(passphrase, name=self.app.catalog.actor)
        except FieldkitError as exc:
            self.say(str(exc), error=True)
            return
        self.say("Key made. Give colleagues the output of `fieldkit key show`.")
        self.refresh_all()

    def action_toggle_unsigned(self) -> None:
        box = self.query_one("#unsigned", Checkbox)
        box.value = not box.value

    def action_trust(self) -> None:
        def trusted(line: str | None) -> None:
            if line:
                self.say(line)
                self.refresh_all()

        self.app.push_screen(TrustKeyScreen(), trusted)

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        path = self._bundle_path()
        if path is not None:
            self.run_job("create", path)

    @on(Button.Pressed, "#verify")
    def action_verify(self) -> None:
        path = self._bundle_path()
        if path is not None:
            self.run_job("verify", path)

    @on(Button.Pressed, "#merge")
    def action_merge(self) -> None:
        path = self._bundle_path()
        if path is not None:
            self.run_job("merge", path)

    def run_job(self, job: str, path: Path) -> None:
        """Start `job` ("create", "verify" or "merge") on `path` in a worker, unless one still runs.
        The cancel is armed here, in the app's thread, before the worker exists: an escape pressed at
        any moment from now on cancels the job (and leaves the screen open) until `finish` shows it."""
        if not self.cancel.start():
            self.say("A job is running: wait for it, or press escape to cancel it.")
            return
        self.query_one("#progress", ProgressBar).display = True
        self._run_job(job, path)

    def on_unmount(self) -> None:
        self.cancel.request()  # the app closing while a job runs: stop it, keep nothing half-written

    @work(thread=True)
    def _run_job(self, job: str, path: Path) -> None:
        bar = self.query_one("#progress", ProgressBar)
        progress = cancellable(lambda done, total: self.app.call_from_thread(bar.update, total=total, progress=done),
                               self.cancel)

        def stage(text: str) -> None:
            """What the job is doing (encrypting, decrypting), while it has no steps to count."""
            self.cancel.check()
            self.app.call_from_thread(self.show_stage, text)

        try:
            self.cancel.check()  # escape pressed before this thread started
            text, ok = getattr(self, f"_{job}")(path, progress, stage)
        except FieldkitError as exc:
            text, ok = f"Error: {exc}", False
        except InterruptedError:
            text, ok = f"Cancelled: nothing was {'written' if job == 'create' else 'merged'}.", False
        self.app.call_from_thread(self.finish, text, ok)

    def show_stage(self, text: str) -> None:
        """A stage without steps: the bar pulses and the result line says what is happening."""
        self.query_one("#progress", ProgressBar).update(total=None)
        self.query_one("#result", Static).update(plain(f"{text} (escape cancels)"))

    def _create(self, path: Path, progress, stage) -> tuple[str, bool]:
        """`fieldkit bundle create OUT [--item REF...] [--since DATE] [--unsigned]`, or `--all` when
        neither items nor a date are given."""
        from fieldkit.team import keys
        from fieldkit.team.bundle import check_since, create_bundle, created_line

        refs = _split(self._value("refs"))
        since = self._value("since") or None
        check_since(since)  # before the key is unlocked
        recipients = _split(self._value("recipients"))
        passphrase = None if recipients else self.query_one("#bundle-passphrase", Input).value or None
        if passphrase is not None and passphrase != self.query_one("#bundle-passphrase-again", Input).value:
            raise FieldkitError("the two bundle passphrases differ; type the same passphrase in both boxes")
        secret = None if self.query_one("#unsigned", Checkbox).value else keys.unlock(self.query_one("#passphrase", Input).value)
        recipients = [keys.recipient(r) for r in recipients]
        manifest = create_bundle(self.app.catalog, path, refs=refs, since=since, everything=not refs and since is None,
                                 secret=secret, recipients=recipients, passphrase=passphrase, progress=progress,
                                 stage=stage)
        return created_line(path, manifest, secret, recipients=len(recipients), passphrase=passphrase is not None), True

    def _open(self, path: Path, progress, stage):
        """The decrypted bundle, as a context manager (the decryption's progress and stage shown)."""
        from fieldkit.team import crypt, keys
        from fieldkit.team.bundle import plain_file

        self._refuse_open_catalog(path)
        identities, passphrase = [], None
        if crypt.is_encrypted(path):
            if crypt.needs_passphrase(path):
                passphrase = self.query_one("#bundle-passphrase", Input).value
            else:
                identities = [keys.unlock(self.query_one("#passphrase", Input).value).age_identity]
        return plain_file(path, identities=identities, passphrase=passphrase, stage=stage, progress=progress)

    def _refuse_open_catalog(self, path: Path) -> None:
        """Refuse the open catalog's own file before reading a byte of it: closing it would drop
        SQLite's locks on the open catalog (fieldkit.catalog.db.connect_reader)."""
        from fieldkit.catalog.db import is_catalog_file

        if is_catalog_file(self.app.catalog, path):
            raise FieldkitError(f"{path} is the open catalog itself; give a bundle or another catalog file")

    ALLOW_UNSIGNED = "tick Unsigned (F4) to verify or merge it,"  # the app's allowance, in the "not signed" line

    def _allow_unsigned(self) -> bool:
        """*Unsigned* ticked: verify and merge accept a bundle with no signature (`--allow-unsigned`)."""
        return self.query_one("#unsigned", Checkbox).value

    def _verify(self, path: Path, progress, stage) -> tuple[str, bool]:
        from fieldkit.team.bundle import read_bundle

        with self._open(path, progress, stage) as plain_path:
            report, _ = read_bundle(plain_path, shown=str(path), allow_unsigned=self._allow_unsigned(),
                                    how_to_allow=self.ALLOW_UNSIGNED)
        return "\n".join(report.describe()), report.ok

    def _merge(self, path: Path, progress, stage) -> tuple[str, bool]:
        from fieldkit.catalog.db import SQLITE_HEADER
        from fieldkit.team.bundle import read_bundle, read_catalog_file
        from fieldkit.team.merge import merge_content

        self._refuse_open_catalog(path)
        try:
            with open(path, "rb") as fh:
                is_catalog = fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
        except OSError as exc:
            return f"Error: cannot read {path}: {exc.strerror}", False
        if is_catalog:
            with read_catalog_file(path) as content:
                report = merge_content(self.app.catalog, content, source="catalog file", unsigned=True, progress=progress)
            return "\n".join(report.describe()), True
        with self._open(path, progress, stage) as plain_path:
            checked, content = read_bundle(plain_path, shown=str(path), allow_unsigned=self._allow_unsigned(),
                                           how_to_allow=self.ALLOW_UNSIGNED)
            if content is None:
                return "\n".join([*checked.describe(), "Nothing was merged."]), False
            report = merge_content(self.app.catalog, content, signer=checked.signer, fingerprint=checked.fingerprint,
                                   unsigned=checked.unsigned, progress=progress)
        return "\n".join(report.describe()), True

    def finish(self, text: str, ok: bool) -> None:
        """The job's outcome, in the app's thread: only now does escape go back again."""
        self.cancel.finished()
        if not self.is_attached:  # the app closed while the job ran: nothing to show it on
            return
        bar = self.query_one("#progress", ProgressBar)
        if bar.total is None:  # it stopped in a stage without steps: nothing is in progress now
            bar.display = False
        self.say(text, error=not ok)
        self.refresh_conflicts()
        self.refresh_origins()

    def action_toggle_resolved(self) -> None:
        self.show_resolved = not self.show_resolved
        self.refresh_conflicts()

    def _open_highlighted(self) -> dict | None:
        """The highlighted conflict if it is open; for a resolved one (F3), says so and gives None."""
        conflict = self.highlighted()
        if conflict is not None and conflict["resolved_at"] is not None:
            self.say(f"Conflict {conflict['id'][:8]} was already resolved ({conflict['resolution']}) by "
                     f"{conflict['resolved_by']}; F3 shows the open ones only.", error=True)
            return None
        return conflict

    def action_keep(self, which: str) -> None:
        conflict = self._open_highlighted()
        if conflict is None:
            return
        self._resolve(conflict, which)

    def action_edit_union(self) -> None:
        from fieldkit.team.conflicts import draft_union

        conflict = self._open_highlighted()
        if conflict is None:
            return
        ours = json.loads(conflict["ours_json"]) if conflict["ours_json"] else None
        draft = draft_union(conflict["table_name"], ours, json.loads(conflict["theirs_json"]))
        self.app.push_screen(UnionScreen(draft), lambda edited: edited is not None and self._resolve(conflict, "edited", edited))

    def _resolve(self, conflict: dict, which: str, edited: dict | None = None) -> None:
        from fieldkit.team.conflicts import resolve

        try:
            resolve(self.app.catalog, conflict["id"], which, edited)
        except FieldkitError as exc:
            self.say(str(exc), error=True)
            return
        self.say(f"Conflict {conflict['id'][:8]} resolved: kept {which}.")
        self.refresh_conflicts()

    def action_back(self) -> None:
        if self.cancel.request():
            return
        self.dismiss(None)
