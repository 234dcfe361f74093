"""Small modals: a yes/no question (e.g. before deleting an item), and a one-line text prompt."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label

from fieldkit.tui.widgets.footer import Dialog


class ConfirmScreen(Dialog[bool]):
    """Dismisses with True for yes, False for no.

    "No" has the focus (Enter says no) unless `default_yes`: a question whose yes is the safe,
    expected answer (open the example) highlights and focuses yes instead.
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No", *, default_yes: bool = False):
        super().__init__()
        self.question, self.yes, self.no = question, yes, no
        self.default_yes = default_yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="question")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="primary" if self.default_yes else "error", id="yes")
                yield Button(self.no, variant="default" if self.default_yes else "primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes" if self.default_yes else "#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class PromptScreen(Dialog[str | None]):
    """Asks for one line of text: Enter dismisses with the text, Esc with None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = ""):
        super().__init__()
        self.question, self.value, self.placeholder = question, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="question", markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def confirm_discard(screen, unsaved: list[str], discard) -> None:
    """Call `discard()` at once if nothing is unsaved; else ask first, naming what would be lost."""
    if not unsaved:
        discard()
        return

    def answered(answer: bool | None) -> None:
        if answer:
            discard()

    screen.app.push_screen(
        ConfirmScreen(f"Discard unsaved changes: {'; '.join(unsaved)}?", yes="Discard", no="Keep editing"),
        answered,
    )
