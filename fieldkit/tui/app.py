"""The fieldkit Textual app: `make_app()` builds it for the CLI, `make run` and the tests.

The app holds the open catalog; screens call the same core functions as the CLI.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import threading
from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from fieldkit.catalog.db import Catalog, connect, connect_reader, open_catalog, print_upgrade_notice, writable
from fieldkit.catalog.meta import renew_catalog_id
from fieldkit.locations import data_dir, example_catalog_path, photo_store_path
from fieldkit.paths import expand_user
from fieldkit.tui import gc_pause
from fieldkit.tui.screens.catalog import CatalogScreen


QUIT_AFTER_INGEST = ("Stopping the photo ingest first, so that you see which photos went in and which did not; "
                     "ctrl+q again quits.")


class FieldkitApp(App):
    """Catalog debris items, their photos, markings and components."""

    TITLE = "fieldkit"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        # F1 is a priority binding so that it reaches the app from a modal dialog too (Textual stops
        # other app bindings at a modal screen); `?` is not, so that it can still be typed in a box.
        Binding("f1", "help", "Help", id="app.help", priority=True),
        Binding("question_mark", "help", "Help", id="app.help_key", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
        # Textual's command palette, named for what it is here: every key of the screen, by name. The
        # footer shows it as `^p More` where it leaves keys out (fieldkit.tui.widgets.footer.FitFooter).
        Binding("ctrl+p", "command_palette", "More", id="app.more", show=False, priority=True,
                tooltip="Every key of this screen by name, to search and run (the command palette)"),
    ]

    def __init__(self, catalog: Catalog, *, offer_example: bool = True):
        super().__init__()
        self.catalog = catalog
        self.offer_example = offer_example
        self.sub_title = self._describe(catalog)

    @staticmethod
    def example_copy_path() -> Path:
        """Where the copy of the example catalog is kept, between sessions, apart from the user's own."""
        return data_dir() / "example-copy.db"

    @property
    def is_example(self) -> bool:
        """Whether the open catalog is the copy of the example."""
        return self.catalog.path is not None and self.catalog.path.resolve() == self.example_copy_path().resolve()

    def _describe(self, catalog: Catalog) -> str:
        """The sub-title: the catalog's name (and read-only), marked EXAMPLE COPY for the example's copy."""
        title = catalog_title(catalog)
        if catalog.path is not None and catalog.path.resolve() == self.example_copy_path().resolve():
            return f"EXAMPLE COPY · {title}"
        return title

    def on_mount(self) -> None:
        self.push_screen(CatalogScreen())
        self.set_timer(gc_pause.MAX_PAUSE, gc_pause.resume)  # the collector's pause is bounded
        # A terminal that goes away (its tmux window killed, its ssh session dropped) sends SIGHUP,
        # which stopped Python on the spot: the app now exits as on ctrl+q, and the catalog is closed
        # (its -wal and -shm files checkpointed away). Only where there is SIGHUP, in the main thread.
        hangup = getattr(signal, "SIGHUP", None)
        if hangup is not None and threading.current_thread() is threading.main_thread():
            asyncio.get_running_loop().add_signal_handler(hangup, self.exit)

    def notify(self, message: str, *, markup: bool = False, **kwargs) -> None:
        """Every notification shown as plain text, with control and bidi characters escaped
        (fieldkit.safe_text.visible). Messages carry raw text (a file name, a stored value), so they
        are never read as markup, whatever the caller asks (Textual's widgets and screens pass
        markup=True by default): a marking read as `[/x]` made Textual's toast raise MarkupError and
        stop the app, and `[@click=…]` would have made a clickable action."""
        from fieldkit.safe_text import visible

        super().notify(visible(message, multiline=True), markup=False, **kwargs)

    async def action_quit(self) -> None:
        """ctrl+q. While photos are being added (a screen's `stop_before_quit`), the first ctrl+q stops
        the ingest and stays, so that its outcome -- which photos went in, which not -- is seen; once
        a stop is asked for, ctrl+q quits (a photo under way is stored whole or not at all)."""
        stopping = [stop() for screen in self.screen_stack if (stop := getattr(screen, "stop_before_quit", None))]
        if any(stopping):
            self.notify(QUIT_AFTER_INGEST, severity="warning", timeout=10)
            return
        self.exit()

    def action_help(self) -> None:
        from fieldkit.tui.screens.help import HelpScreen  # markdown rendering: only when asked for

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()  # F1 again closes it
        else:
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p) lists every key of the screen, as the help screen does:
        what a narrow footer leaves out is one search away."""
        from fieldkit.tui.screens.help import key_owners

        yield from super().get_system_commands(screen)
        seen = set()
        for node in key_owners(screen):
            for binding in node.BINDINGS:
                if isinstance(binding, tuple) or binding.description in seen:
                    continue
                seen.add(binding.description)
                key = self.get_key_display(replace(binding, key=binding.key.split(",")[0].strip()))
                yield SystemCommand(f"{binding.description} ({key})", binding.tooltip or binding.description,
                                    partial(self.run_action, binding.action, node))

    def switch_catalog(self, catalog: Catalog) -> None:
        """Close the open catalog and show another."""
        self.catalog.close()
        self.catalog = catalog
        self.sub_title = self._describe(catalog)

    def open_example_copy(self) -> Catalog:
        """Open the copy of the example catalog in the data dir, making it first if there is none.

        The example itself is never written to. A copy made before is reopened as it is, with
        whatever was added to it: work done in the example copy is never thrown away.
        """
        source = example_catalog_path()
        target = self.example_copy_path()
        if target.exists():
            return open_catalog(target, actor=self.catalog.actor)
        target.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        _copy_catalog(source, target)
        store, target_store = photo_store_path(source), photo_store_path(target)
        if target_store.exists():
            for path in target_store.rglob("*"):
                if not path.is_symlink():  # never change the mode of whatever a planted link points to
                    path.chmod(0o700 if path.is_dir() else 0o600)
            shutil.rmtree(target_store)
        if store.exists():
            shutil.copytree(store, target_store)
        copy = open_catalog(target, actor=self.catalog.actor)
        # A new catalog, with its own id: the witness must not take a fresh copy for the previous
        # copy gone backwards. The commit records the new id at this path in the witness log.
        with copy.transaction() as db:
            renew_catalog_id(db, actor=copy.actor)
        return copy


def _copy_catalog(source: Path, target: Path) -> None:
    """Copy the catalog at `source` to the new file `target` with SQLite's backup API, never as a
    file: a file copy of a WAL catalog leaves out what its -wal holds, and closing a descriptor on
    `source` would drop the SQLite locks of any connection this process has open to it."""
    reader = connect_reader(source)
    try:
        copy = connect(target)
        try:
            reader.backup(copy)
        finally:
            copy.close()
    finally:
        reader.close()


def catalog_title(catalog: Catalog) -> str:
    """The sub-title: the catalog's file name, and "read-only" when it was opened so."""
    if catalog.path is None:
        return ""
    return catalog.path.name + (" (read-only: changes are refused)" if catalog.read_only else "")


def make_app(db_path: Path | str | None = None, actor: str | None = None, *, offer_example: bool = True) -> FieldkitApp:
    """The app over the catalog at `db_path` (created if need be). Raises CatalogError if it can't be opened.

    A catalog that cannot be written (read-only media, a write-protected file) opens read-only:
    it can be browsed, searched, verified and exported, and every change is refused in one line.
    """
    from fieldkit.locations import default_catalog_path

    path = expand_user(db_path or default_catalog_path())
    read_only = path.is_file() and path.stat().st_size > 0 and not writable(path)
    catalog = open_catalog(path, actor=actor, read_only=read_only, on_upgrade=print_upgrade_notice)
    return FieldkitApp(catalog, offer_example=offer_example)
