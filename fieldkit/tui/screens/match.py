"""Read a free text against the marking patterns, as `fieldkit match TEXT`: every candidate pattern,
ranked, with its fields, years, factories and basis, then every year reading, updated as it is typed.

Opened from the Reference screen (`t`); nothing is stored. The lines are the CLI's own
(fieldkit.markings.matcher.match_lines), with the same notes on user rows that override shipped ones.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Static

from fieldkit.markings.matcher import match_lines, read_marking, withheld_lines
from fieldkit.reference.tables import ReferenceTables
from fieldkit.tui.safe_text import plain
from fieldkit.tui.widgets.footer import Dialog

HINT = "Type or paste the text of a marking, e.g. 주체112 or ОФ-462: nothing is stored."


def match_text(text: str, tables: ReferenceTables) -> str:
    """What `fieldkit match TEXT` prints, its notes on overriding user rows first."""
    notes = [f"note: {line}" for line in tables.override_lines()]
    return "\n".join([*notes, *match_lines(text, read_marking(text, tables).to_json(), withheld_lines(text, tables))])


class MatchScreen(Dialog[None]):
    """A text read against the loaded tables as it is typed."""

    BINDINGS = [Binding("escape", "close", "Close", id="match.close")]

    def __init__(self, tables: ReferenceTables, text: str = ""):
        super().__init__()
        self.tables, self.text = tables, text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="match-dialog"):
            yield Label("Read a text against the marking patterns (as `fieldkit match TEXT`):", classes="question")
            yield Input(self.text, id="match-text", placeholder="e.g. 주체112")
            yield Static(HINT, id="match-result")

    def on_mount(self) -> None:
        self.query_one("#match-text", Input).focus()
        self.show(self.text)

    @on(Input.Changed, "#match-text")
    def typed(self, event: Input.Changed) -> None:
        self.show(event.value)

    def show(self, text: str) -> None:
        result = self.query_one("#match-result", Static)
        result.update(plain(match_text(text, self.tables)) if text.strip() else HINT)

    def action_close(self) -> None:
        self.dismiss(None)
