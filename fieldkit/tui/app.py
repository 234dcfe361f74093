"""The fieldkit Textual app: `make_app()` builds it for the CLI, `make run` and the tests.

The app holds the open catalog; screens call the same core functions as the CLI.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from fieldkit.catalog.db import Catalog, open_catalog
from fieldkit.locations import data_dir, example_catalog_path, photo_store_path
from fieldkit.tui.screens.catalog import CatalogScreen
from fieldkit.tui.screens.help import HelpScreen


class FieldkitApp(App):
    """Catalog debris items, their photos, markings and components."""

    TITLE = "fieldkit"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
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
        if catalog.path is None:
            return ""
        if catalog.path.resolve() == self.example_copy_path().resolve():
            return f"EXAMPLE COPY · {catalog.path.name}"
        return catalog.path.name

    def on_mount(self) -> None:
        self.push_screen(CatalogScreen())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

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
        shutil.copyfile(source, target)
        store, target_store = photo_store_path(source), photo_store_path(target)
        if target_store.exists():
            for path in target_store.rglob("*"):
                path.chmod(0o700 if path.is_dir() else 0o600)
            shutil.rmtree(target_store)
        if store.exists():
            shutil.copytree(store, target_store)
        return open_catalog(target, actor=self.catalog.actor)


def make_app(db_path: Path | str | None = None, actor: str | None = None, *, offer_example: bool = True) -> FieldkitApp:
    """The app over the catalog at `db_path` (created if need be). Raises CatalogError if it can't be opened."""
    from fieldkit.locations import default_catalog_path

    catalog = open_catalog(db_path or default_catalog_path(), actor=actor)
    return FieldkitApp(catalog, offer_example=offer_example)
