"""A footer that never cuts a key in half: when the screen's keys do not all fit on one line, the
last of the screen's own keys are left out; Quit, Help, the screen's Enter, Save (ctrl+s) and
Back (Esc), and More always stay. More is the catalog's menu of every action (`o`,
fieldkit.tui.screens.more); on another screen that leaves keys out, it is `^p More`, the command
palette, which lists every key of the screen by name: what the footer leaves out is one key away.

Textual's Footer lays its keys in one row and cuts whatever passes the right edge; on an
80-column terminal that was Quit and Help, the two a new user looks for. A screen lists its keys
most used first, so what is left out here is the least used; every key is still listed in the help
screen (F1) and in the command palette (ctrl+p, see FieldkitApp.get_system_commands).

Textual's Footer rebuilds its keys (removes them all and mounts new ones) every time the screen's
bindings are refreshed (each focus change, each screen pushed) and this one did so on every resize
too: six rebuilds in the first second of the catalog screen, four of them with the keys already on
show. Here the keys are rebuilt only when what they show has changed: the screen's shown bindings
(the search box, when it has the focus, hides the printable keys; the table shows them all),
or the width.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.cells import cell_len
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

MARGIN = 1  # a compact FooterKey's right margin (Footer's CSS)
APP_ACTIONS = {"quit", "help"}  # the app's keys: Quit and Help, on every screen
KEPT_KEYS = {"enter", "ctrl+s", "escape"}  # on every fieldkit screen: run, save, and back (or cancel)
KEPT_ACTIONS = {"more"}  # the menu that lists what the footer leaves out


def key_width(key: FooterKey) -> int:
    """Columns a compact footer key takes: its key, a space, its description, its margin."""
    text = key.key_display + (" " + key.description if key.description else "")
    return cell_len(text) + MARGIN


def fitting(keys: list[FooterKey], width: int, kept: set[FooterKey]) -> list[FooterKey]:
    """The keys to show in `width` columns: every key in `kept`, then the others in
    order for as long as they fit (one that does not fit is left out, and so is every one after it,
    so that the footer keeps the screen's order)."""
    room = width - sum(key_width(k) for k in keys if k in kept)
    shown = []
    for key in keys:
        if key in kept:
            shown.append(key)
        elif room >= key_width(key):
            room -= key_width(key)
            shown.append(key)
        else:
            room = -1
    return shown


def _action(key: FooterKey) -> str:
    """A footer key's action without its namespace: `more` for `screen.more`."""
    return key.action.split(".")[-1]


class FitFooter(Footer):
    """Footer(compact=True) whose keys always fit the terminal's width; Quit, Help, Save and Back stay."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        kwargs.setdefault("show_command_palette", False)
        super().__init__(**kwargs)
        self._composed_for: tuple | None = None  # keys_state() when the keys on show were composed

    def keys_state(self) -> tuple | None:
        """What the keys on show depend on: the screen's shown bindings (each with whether it is
        enabled, and its tooltip), the command palette's binding, and the width; None until the
        screen's bindings are ready (Textual's Footer shows no key before)."""
        if not self._bindings_ready:
            return None
        active = self.screen.active_bindings
        shown = tuple((binding, enabled, tooltip) for _, binding, enabled, tooltip in active.values() if binding.show)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING) if self.show_command_palette else None
        return shown, palette and palette[1:], self.app.size.width

    def compose(self):
        self._composed_for = self.keys_state()
        keys = list(super().compose())
        plain = [k for k in keys if isinstance(k, FooterKey)]
        app_keys = [k for k in plain if k.action.removeprefix("app.") in APP_ACTIONS]  # a dialog's F1 is app.help
        kept = {k for k in plain if k in app_keys or k.key in KEPT_KEYS or _action(k) in KEPT_ACTIONS}
        width = self.app.size.width
        shown = fitting(plain, width, kept)
        more = None
        if len(shown) < len(plain) and not any(_action(k) in KEPT_ACTIONS for k in plain):
            more = self.palette_key()  # what is left out is listed there, to run by keys alone
        if more is not None:
            shown = fitting(plain, width - key_width(more), kept)
        yield from (k for k in keys if not isinstance(k, FooterKey) or (k in shown and k not in app_keys))
        if more is not None:
            yield more
        yield from (k for k in app_keys if k in shown)  # Quit and Help last, where they are on every screen

    def palette_key(self) -> FooterKey | None:
        """`^p More`: the command palette (FieldkitApp's binding), which lists every key of the screen
        (the focused pane's too) by name, to pick with the arrows and Enter; None without one."""
        active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if active is None or not self.app.ENABLE_COMMAND_PALETTE:
            return None
        binding = active.binding
        return FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                         tooltip=binding.tooltip).data_bind(compact=Footer.compact)

    async def recompose(self) -> None:
        """Rebuild the keys, unless they would be the same as those on show."""
        if self.is_attached and self.keys_state() == self._composed_for:
            return
        await super().recompose()

    def on_resize(self) -> None:
        self.call_after_refresh(self.recompose)


Result = TypeVar("Result")


class Dialog(ModalScreen[Result], Generic[Result]):
    """A modal dialog with a footer of its own keys (escape, F-keys, F1 Help). Without it the
    screen beneath showed its footer under the dialog: keys (a Add, x Export...) that do nothing
    there, and none of the dialog's own (ctrl+r Restore, F2 Sign...)."""

    # The app's F1 reaches a dialog (a priority key) but a modal's footer leaves the app's keys out:
    # this one is here to be shown; F1 runs the app's binding either way.
    BINDINGS = [Binding("f1", "app.help", "Help", id="dialog.help")]

    def on_mount(self) -> None:
        self.mount(FitFooter())
