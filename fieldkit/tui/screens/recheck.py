"""The recheck screen: what the current reference tables would attribute (components) or read
(markings) differently in what is stored, and applying all or some of it, each change audited.

The same core as `fieldkit component recheck` and `fieldkit marking recheck`
(fieldkit.catalog.component_recheck, fieldkit.catalog.markings): the check runs in a thread worker
with a progress bar, and nothing is stored until the researcher applies and confirms. A component
whose firm or country she entered by hand is listed as kept and can never be selected.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, ProgressBar, Static
from textual.worker import get_current_worker

from fieldkit.errors import FieldkitError
from fieldkit.tui.progress import throttled
from fieldkit.tui.safe_text import plain
from fieldkit.tui.screens.confirm import ConfirmScreen
from fieldkit.tui.widgets.columns import NARROW_BELOW
from fieldkit.tui.widgets.footer import FitFooter
from fieldkit.wording import plural


def _check_components(catalog, item_ref, progress):
    from fieldkit.catalog.component_recheck import recheck_components
    from fieldkit.components.attribution import default_index

    return recheck_components(catalog, item_ref, default_index(), progress=progress)


def _apply_components(catalog, results) -> int:
    from fieldkit.catalog.component_recheck import apply_recheck

    return apply_recheck(catalog, results)


def _check_markings(catalog, item_ref, progress):
    from fieldkit.catalog.markings import recheck_markings

    return recheck_markings(catalog, item_ref, progress=progress)


def _apply_markings(catalog, results) -> int:
    from fieldkit.catalog.markings import apply_recheck

    return apply_recheck(catalog, results)


@dataclass(frozen=True)
class Kind:
    """What is rechecked: the core's check and apply, and the words for it."""

    noun: str  # "component"
    column: str  # the table's column naming the row: "Part" or "Marking"
    differently: str  # "would be attributed differently"
    new: str  # "the new attribution"
    check: Callable[..., list]
    apply: Callable[..., int]

    def name(self, result) -> str:
        return result.component["part_number"] if self.noun == "component" else result.marking["text"]

    def changes(self, result) -> list[str]:
        return [f"~ {c}" for c in result.changes] if self.noun == "component" else result.lines()


KINDS = {
    "components": Kind("component", "Part", "would be attributed differently", "the new attribution",
                       _check_components, _apply_components),
    "markings": Kind("marking", "Marking", "would read differently", "the new reading",
                     _check_markings, _apply_markings),
}


FILL_BATCH = 100  # table rows added per turn of the event loop


class Stopped(Exception):
    """The screen was left while the check ran: the worker stops at the next row."""


class RecheckScreen(Screen[int]):
    """Stored attributions or readings against the current tables; dismisses with how many were updated."""

    HELP = """\
## Recheck against the current reference tables

A stored attribution (a component's firm and country) or reading (a marking's patterns and
years) is evidence of what was concluded when it was saved: a newer reference table never
rewrites it by itself. This screen lists, for the item (or the whole catalog), what the current
tables would conclude differently: the stored conclusion, the new one, and the basis of the new
one (the table row and its source); the panel beneath shows every change for the highlighted row.

Every row that would change is selected at first. `space` (or `Enter`) selects or unselects the
highlighted row, `a` selects all or none; `ctrl+s` stores the new conclusion of the selected rows,
after asking, each as an audited change. `Esc` goes back; nothing is stored unless applied.

A component whose firm or country you entered yourself is shown as **kept**: the table's view
is worth knowing, but what you entered is never overwritten, and it cannot be selected.
The command line does the same: `fieldkit component recheck [REF] [--apply]` and
`fieldkit marking recheck [REF] [--apply]`.
"""

    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", id="recheck.apply",
                tooltip="Store the new conclusion of the selected rows (asks first; each change audited)"),
        Binding("space", "toggle", "Select", id="recheck.toggle", tooltip="Select or unselect the highlighted row"),
        Binding("a", "toggle_all", "All/none", id="recheck.all", tooltip="Select every row that can change, or none"),
        Binding("r", "run", "Check again", id="recheck.run"),
        Binding("escape", "close", "Back", id="recheck.back"),
    ]

    class Progress(Message):
        def __init__(self, done: int, total: int):
            super().__init__()
            self.done, self.total = done, total

    class Checked(Message):
        def __init__(self, results: list, cells: list[tuple], error: str | None = None):
            super().__init__()
            self.results, self.cells, self.error = results, cells, error

    class Applied(Message):
        def __init__(self, updated: int, error: str | None = None):
            super().__init__()
            self.updated, self.error = updated, error

    def __init__(self, kind: str, item_ref: str | None = None):
        super().__init__()
        self.kind = KINDS[kind]
        self.item_ref = item_ref
        self.checked = 0
        self.rows: list[Any] = []  # the results that differ, in table order
        self.selected: set[int] = set()  # indexes into rows
        self.updated = 0  # stored since the screen opened
        self.busy = False
        self.applying = False  # storing the chosen changes: escape waits until it is done

    def compose(self) -> ComposeResult:
        yield Header()
        yield ProgressBar(id="recheck-progress", show_eta=False)
        yield Label("Checking…", id="recheck-summary")
        table = DataTable(id="recheck-table", cursor_type="row", zebra_stripes=True)
        # Fixed widths, the basis taking what is left: cut in the table, whole in the panel beneath.
        widths = [5, 9, 14, 20, 22] if self.app.size.width >= NARROW_BELOW else [5, 8, 9, 12, 14]
        widths.append(max(12, self.app.size.width - sum(widths) - 2 * 6 - 2))
        for (key, label), width in zip((("apply", "Apply"), ("item", "Item"), ("name", self.kind.column),
                                        ("before", "Stored"), ("after", "Current tables"), ("basis", "Basis")), widths):
            table.add_column(label, key=key, width=width)
        yield table
        yield Static("", id="recheck-detail")
        yield FitFooter()

    def on_mount(self) -> None:
        scope = self.item_ref or "the whole catalog"
        self.sub_title = f"Recheck {self.kind.noun}s · {scope}"
        self.action_run()

    # checking ---------------------------------------------------------------

    def action_run(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.query_one("#recheck-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#recheck-summary", Label).update("Checking…")
        self.check()

    # Not exclusive: `busy` keeps a check and an apply from overlapping, and an exclusive worker
    # would mark the apply that has just posted its result as cancelled.
    @work(thread=True, group="recheck-check")
    def check(self) -> None:
        worker = get_current_worker()
        report = throttled(lambda done, total: self.post_message(self.Progress(done, total)))

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise Stopped
            report(done, total)

        try:
            results = self.kind.check(self.app.catalog, self.item_ref, progress)
        except Stopped:
            return
        except FieldkitError as exc:
            self.post_message(self.Checked([], [], str(exc)))
            return
        cells = [(plain(r.item_ref), plain(self.kind.name(r), multiline=False), plain(r.before), plain(r.after),
                  plain(r.basis, multiline=False)) for r in results if r.differs]  # made here, not in the UI's thread
        self.post_message(self.Checked(results, cells))

    @on(Progress)
    def show_progress(self, message: Progress) -> None:
        self.query_one("#recheck-progress", ProgressBar).update(total=message.total, progress=message.done)

    @on(Checked)
    async def show_results(self, message: Checked) -> None:
        """Fill the table a batch at a time, letting the app draw and take keys between batches:
        tens of thousands of differing rows must not freeze the screen."""
        if message.error:
            self.notify(f"Cannot check: {message.error}", severity="error")
        self.checked = len(message.results)
        self.rows = [r for r in message.results if r.differs]
        self.selected = {i for i, r in enumerate(self.rows) if not getattr(r, "kept", False)}
        bar = self.query_one("#recheck-progress", ProgressBar)
        bar.update(total=max(self.checked, 1), progress=max(self.checked, 1))
        table = self.query_one("#recheck-table", DataTable)
        table.clear()
        for start in range(0, len(message.cells), FILL_BATCH):
            for i, cells in enumerate(message.cells[start:start + FILL_BATCH], start):
                table.add_row(self._mark(i), *cells, key=str(i))
            if start + FILL_BATCH < len(message.cells):  # more to come: let the app draw and take keys
                self.query_one("#recheck-summary", Label).update(f"Listing… {start + FILL_BATCH:,} of {len(self.rows):,}")
                await asyncio.sleep(0)
        self.busy = False
        self.show_summary()
        if self.rows:
            table.focus()
            self.show_detail(0)
        else:
            self.query_one("#recheck-detail", Static).update("")

    def _mark(self, i: int) -> Text:
        if getattr(self.rows[i], "kept", False):
            return Text("kept", style="bold")
        return Text("[x]" if i in self.selected else "[ ]")

    def show_summary(self) -> None:
        kept = sum(1 for r in self.rows if getattr(r, "kept", False))
        text = (f"{plural(self.checked, self.kind.noun)} checked, {len(self.rows)} {self.kind.differently}"
                + (f", {kept} of them entered by the researcher and kept" if kept else ""))
        if self.rows:
            text += f"; {len(self.selected)} selected to apply"
        if self.updated:
            text += f" · {plural(self.updated, self.kind.noun)} updated"
        self.query_one("#recheck-summary", Label).update(plain(text))

    def _cursor(self) -> int | None:
        table = self.query_one("#recheck-table", DataTable)
        return table.cursor_row if table.row_count else None

    @on(DataTable.RowHighlighted, "#recheck-table")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail(event.cursor_row)

    def show_detail(self, i: int) -> None:
        if not 0 <= i < len(self.rows):
            return
        r = self.rows[i]
        lines = [f"{r.item_ref}  {self.kind.name(r)}: {r.before} -> {r.after}", *self.kind.changes(r),
                 f"basis: {r.basis}"]
        if getattr(r, "kept", False):
            lines.append("entered by the researcher: kept, never overwritten by a table")
        self.query_one("#recheck-detail", Static).update(plain("\n".join(lines)))

    # selecting --------------------------------------------------------------

    def _refresh_marks(self, rows: range | list[int]) -> None:
        table = self.query_one("#recheck-table", DataTable)
        for i in rows:
            table.update_cell(str(i), "apply", self._mark(i))
        self.show_summary()

    @on(DataTable.RowSelected, "#recheck-table")
    def action_toggle(self) -> None:
        i = self._cursor()
        if self.busy or i is None or i >= len(self.rows):
            return
        if getattr(self.rows[i], "kept", False):
            self.notify("Entered by the researcher: kept, never overwritten by a table", severity="warning")
            return
        self.selected ^= {i}
        self._refresh_marks([i])

    def action_toggle_all(self) -> None:
        if self.busy:
            return
        can = {i for i, r in enumerate(self.rows) if not getattr(r, "kept", False)}
        self.selected = set() if self.selected == can else can
        self._refresh_marks(range(len(self.rows)))

    # applying ---------------------------------------------------------------

    def action_apply(self) -> None:
        if self.busy:
            self.notify("Still checking; apply when the list is complete", severity="warning")
            return
        if not self.selected:
            self.notify(f"Nothing selected: no {self.kind.noun} is changed", severity="warning")
            return
        chosen = [self.rows[i] for i in sorted(self.selected)]

        def answered(answer: bool | None) -> None:
            if answer:
                self.busy = self.applying = True
                self.query_one("#recheck-summary", Label).update("Applying…")
                self.store(chosen)

        self.app.push_screen(ConfirmScreen(
            f"Store {self.kind.new} of {plural(len(chosen), self.kind.noun)}? "
            "Each change is recorded in the audit log; what was entered by hand is kept.",
            yes="Apply", no="Cancel"), answered)

    @work(thread=True, group="recheck-store")
    def store(self, chosen: list) -> None:
        try:
            updated = self.kind.apply(self.app.catalog, chosen)
        except FieldkitError as exc:
            self.post_message(self.Applied(0, str(exc)))
            return
        self.post_message(self.Applied(updated))

    @on(Applied)
    def applied(self, message: Applied) -> None:
        self.busy = self.applying = False
        if message.error:
            self.notify(f"Nothing stored: {message.error}", severity="error")
            self.show_summary()
            return
        self.updated += message.updated
        self.notify(f"{plural(message.updated, self.kind.noun)} updated, each change audited")
        self.action_run()  # what is left to differ, against the catalog as it now is

    def action_close(self) -> None:
        if self.applying:  # closed now, the count of what was stored would come back to no screen
            self.notify("The changes are being stored: wait for it to finish.", severity="warning")
            return
        self.dismiss(self.updated)
