"""Check the reference tables, as `fieldkit reference check`: the shipped tables and the user's
folder read afresh and validated (every row, and the cross-checks between tables), in a thread
worker; then rows per table, the version, overrides, added rows and every problem, in the CLI's
own lines (fieldkit.reference.tables.check_lines). Opened from the Reference screen (`c`).
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Label, LoadingIndicator, Static

from fieldkit.errors import FieldkitError
from fieldkit.locations import user_reference_dir
from fieldkit.safe_text import visible
from fieldkit.wording import plural
from fieldkit.tui.widgets.footer import Dialog


def check_text(user_dir: Path | None, shipped_dir: Path | None = None) -> tuple[str, list[str], int]:
    """(a one-line verdict, the CLI's lines with one `error:` line per problem, how many problems)."""
    from fieldkit.reference.tables import check_lines, check_reference

    tables, problems = check_reference(user_dir, shipped_dir)
    lines = [*check_lines(tables, user_dir), *(f"error: {problem}" for problem in problems)]
    where = f"the shipped tables and your folder {user_dir}" if user_dir else "the shipped tables (no user folder)"
    verdict = (f"Checked {where}: {plural(len(problems), 'problem')}; fix or remove each row named below."
               if problems else f"Checked {where}: every row is valid.")
    return verdict, lines, len(problems)


class ReferenceCheckScreen(Dialog[int | None]):
    """Dismissed with the number of problems found (None if closed before the check ended).
    `shipped_dir` stands in for the shipped tables (the snapshot's fixed tables)."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="reference-check.close"),
        Binding("c", "check", "Check again", id="reference-check.again",
                tooltip="Read and check the tables again (after you fixed a row)"),
    ]

    def __init__(self, shipped_dir: Path | None = None) -> None:
        super().__init__()
        self.shipped_dir = shipped_dir
        self.problems: int | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="reference-check"):
            yield Label("Reference tables checked (as `fieldkit reference check`):", classes="question")
            yield LoadingIndicator(id="working")
            yield Static("", id="check-verdict")
            yield Static("", id="check-result")

    def on_mount(self) -> None:
        self.action_check()

    def action_check(self) -> None:
        self.query_one("#working").display = True
        self.query_one("#check-verdict", Static).update("Checking every table…")
        self.run_check(user_reference_dir())

    @work(thread=True, exclusive=True)
    def run_check(self, user_dir: Path | None) -> None:
        try:
            verdict, lines, problems = check_text(user_dir, self.shipped_dir)
        except (FieldkitError, OSError) as exc:
            self.app.call_from_thread(self.show, f"The tables could not be checked: {exc}", [], None)
            return
        self.app.call_from_thread(self.show, verdict, lines, problems)

    def show(self, verdict: str, lines: list[str], problems: int | None) -> None:
        self.problems = problems
        self.query_one("#working").display = False
        self.query_one("#check-verdict", Static).update(Text(visible(verdict), style="bold red" if problems else "bold"))
        text = Text()
        for line in lines:
            text.append(visible(line) + "\n", style="red" if line.startswith("error: ") else "")
        self.query_one("#check-result", Static).update(text)

    def action_close(self) -> None:
        self.dismiss(self.problems)
