"""The More menu (`o` on the catalog screen): every action of the screen beneath, each with its key.

At 80 columns the catalog's footer has room for its most used keys only; Team, Reference, Dates,
Report, the rechecks and the ref prefix were reachable only through the help screen (F1, which lists
keys but runs none) and the command palette (ctrl+p, where one must know what to type). This menu
lists them all, in the screen's order, so that every action is one key away on any terminal: the
arrows and Enter run the highlighted one, and an action's own key runs it too, as it does on the
screen (so the menu also teaches the keys). The highlighted action's longer description shows under
the list. Harlequin and Posting keep their footers to the main keys in the same way and leave the
rest to a help screen and the palette; the menu adds a list that can be run by keys alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from fieldkit.tui.widgets.footer import Dialog

MORE_ACTION = "more"  # the action that opens this menu: not listed in it


@dataclass(frozen=True)
class Entry:
    """One action of the menu: the keys that run it, the first as shown, its name and description."""

    keys: tuple[str, ...]
    shown_key: str
    name: str
    description: str
    action: str


def entries(screen: Screen) -> list[Entry]:
    """The actions a screen shows in its footer (when there is room), in its order, without the
    menu's own key: those it hides (Enter to open, Escape to clear) are not actions of their own."""
    found = []
    for binding in screen.BINDINGS:
        if isinstance(binding, tuple) or not binding.show or binding.action == MORE_ACTION:
            continue
        keys = tuple(k.strip() for k in binding.key.split(","))
        shown = screen.app.get_key_display(replace(binding, key=keys[0]))
        found.append(Entry(keys, shown, binding.description, binding.tooltip or binding.description, binding.action))
    return found


class MoreScreen(Dialog[str | None]):
    """Dismisses with the action picked (to run on the screen beneath), or None."""

    HELP = """\
## More

Every action of the catalog screen, with its key, in the screen's order (the most used first).
Press an action's key to run it, as on the catalog screen, or pick it with the arrows and press
Enter; the line under the list says what the highlighted action does. `Esc` (or `o` again)
closes the menu and runs nothing.
"""

    BINDINGS = [Binding("escape", "cancel", "Close", id="more.close")]

    def __init__(self, beneath: Screen):
        super().__init__()
        self.entries = entries(beneath)
        self.by_key = {key: entry for entry in self.entries for key in entry.keys}
        self.close_keys = {k.strip() for b in beneath.BINDINGS if not isinstance(b, tuple) and b.action == MORE_ACTION
                           for k in b.key.split(",")}

    def compose(self) -> ComposeResult:
        width = max(len(e.shown_key) for e in self.entries) + 2
        with Vertical(id="more", classes="dialog") as box:
            box.border_title = "All actions: press a key, or pick one and press Enter"
            yield OptionList(*[Option(_row(e, width), id=str(i)) for i, e in enumerate(self.entries)], id="more-list")
            yield Label("", id="more-about", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        listed = self.query_one("#more-list", OptionList)
        listed.highlighted = 0
        listed.focus()

    @on(OptionList.OptionHighlighted, "#more-list")
    def describe(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one("#more-about", Label).update(self.entries[int(event.option.id)].description)

    @on(OptionList.OptionSelected, "#more-list")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.entries[int(event.option.id)].action)

    def on_key(self, event: Key) -> None:
        """An action's own key runs it, as on the screen beneath; the menu's own key closes it again."""
        if event.key in self.by_key:
            event.stop()
            self.dismiss(self.by_key[event.key].action)
        elif event.key in self.close_keys:
            event.stop()
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _row(entry: Entry, width: int) -> Content:
    """`t     Team`: the key in the footer's key colour, then the action's name (never markup)."""
    return Content.assemble((entry.shown_key.ljust(width), "bold $footer-key-foreground"), entry.name)
