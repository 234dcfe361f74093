"""The root `fieldkit` command group, its global options and its error handling.

Commands are thin: parse, call a core function, print. A `FieldkitError` becomes one line on
stderr (`error: ...`) and its exit code (2 for bad input); no traceback reaches the user.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from fieldkit.catalog.db import Catalog, open_catalog
from fieldkit.errors import FieldkitError
from fieldkit.locations import default_catalog_path


@dataclass
class State:
    """What every command shares: which catalog, who is acting, and the catalog once opened."""

    db_path: Path
    actor: str | None
    _catalog: Catalog | None = field(default=None, repr=False)
    reference_dir: Path | None = None  # user reference tables (--reference or FIELDKIT_REFERENCE)

    def reference(self):
        """The reference tables (shipped, plus the user dir if given), loaded once per process."""
        from fieldkit.reference.tables import get_reference

        return get_reference(self.reference_dir)

    def catalog(self, *, create: bool = True) -> Catalog:
        if self._catalog is None:
            self._catalog = open_catalog(self.db_path, actor=self.actor, create=create)
        return self._catalog

    def close(self) -> None:
        if self._catalog is not None:
            self._catalog.close()
            self._catalog = None


class FieldkitGroup(click.Group):
    """A click group that turns fieldkit's errors into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FieldkitError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


pass_state = click.make_pass_decorator(State)


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def print_table(rows: list[dict[str, Any]], columns: list[str] | tuple[str, ...]) -> None:
    """Rows as aligned plain-text columns under a header; None shows as an empty cell."""
    cells = [["" if row[c] is None else str(row[c]) for c in columns] for row in rows]
    widths = [max([len(c), *(len(line[i]) for line in cells)]) for i, c in enumerate(columns)]
    for line in [list(columns), *cells]:
        click.echo("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip())


def fail(message: str, code: int = 2) -> None:
    """Stop the command with a one-line error."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(cls=FieldkitGroup, invoke_without_command=True)
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="FIELDKIT_DB",
    help="The catalog file (default: catalog.db in the user data dir; or set FIELDKIT_DB).",
)
@click.option("--actor", help="Who is making the changes, for the audit log (default: $USER).")
@click.option(
    "--reference",
    "reference_dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="FIELDKIT_REFERENCE",
    help="A folder of user reference tables that extend or override the shipped ones (or set FIELDKIT_REFERENCE).",
)
@click.version_option(package_name="fieldkit")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, actor: str | None, reference_dir: Path | None = None) -> None:
    """fieldkit: catalog munitions and weapon debris, their photos, markings and components.

    With no command, opens the terminal app.
    """
    state = State(db_path or default_catalog_path(), actor, reference_dir=reference_dir)
    ctx.obj = state
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        from fieldkit.tui.app import make_app

        make_app(db_path=state.db_path, actor=actor).run()
