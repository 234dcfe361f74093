"""The help screen (`?`): what fieldkit is for, and every key binding of the screen beneath."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown

from fieldkit.tui.widgets.footer import Dialog

INTRO = """\
# fieldkit

Record debris items, find them again, edit them and export them for a report.
Everything you change is written to the catalog at once and recorded in its audit log.

"""


def key_owners(screen: Screen) -> list:
    """Where a screen's keys come from: fieldkit's own widgets around the focus (a tab's pane),
    then the screen (the app's own keys come after these)."""
    panes = []
    widget = screen.focused
    while widget is not None and widget is not screen:
        if type(widget).__module__.startswith("fieldkit.") and widget.BINDINGS:
            panes.append(widget)
        widget = widget.parent
    return [*panes, screen]


class HelpScreen(Dialog[None]):
    """Key bindings of the screen that was showing, and of the app."""

    # Its footer says `esc/f1 Close`, as every dialog names its Escape: F1 opens help and F1 again
    # closes it (the app's F1, a priority key, does so before these); `?` and `q` close it too.
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close", key_display="esc/f1"),
        Binding("f1,question_mark,q", "dismiss", "Close", id="help.close_keys", show=False),
    ]

    def __init__(self, beneath: Screen):
        super().__init__()
        self.beneath = beneath

    def compose(self) -> ComposeResult:
        rows = ["| Key | Action |", "| --- | --- |"]
        seen = set()
        for node in [*key_owners(self.beneath), self.app]:
            for binding in node.BINDINGS:
                if isinstance(binding, tuple):
                    continue
                key = " or ".join(self.app.get_key_display(replace(binding, key=k.strip())) for k in binding.key.split(","))
                if (key, binding.description) in seen:
                    continue
                seen.add((key, binding.description))
                rows.append(f"| `{key}` | {binding.tooltip or binding.description} |")
        doc = getattr(self.beneath, "HELP", "") or ""
        with VerticalScroll(id="help-body"):
            yield Markdown(INTRO + doc + "\n\n## Keys\n\n" + "\n".join(rows))
