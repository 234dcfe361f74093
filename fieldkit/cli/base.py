"""The root `fieldkit` command group, its global options and its error handling.

Commands are thin: parse, call a core function, print. A `FieldkitError`, a click usage error
(`--lat abc`, `--psm 99`, a missing argument), an SQLite error (a file damaged behind fieldkit's
back, text that is not UTF-8), an OSError (a path the system refuses: a name too long, a file
where a folder should be), a symlink loop or a text argument whose bytes are not UTF-8 becomes one
line on stderr (`error: ...`) and exit code 2; no traceback or usage block reaches the user. Path
options and arguments expand `~` (UserPath), so a quoted '~/x' is in the home folder everywhere.

Every text a command prints goes through `echo`, `print_table` or `print_json`, which escape
control and bidirectional characters (fieldkit.safe_text), so stored text cannot drive the terminal.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fieldkit.errors import FieldkitError
from fieldkit.paths import expand_user
from fieldkit.safe_text import json_visible, visible
from fieldkit.locations import default_catalog_path

if TYPE_CHECKING:  # the catalog (and sqlite-utils) is imported by the commands that open one
    from fieldkit.catalog.db import Catalog


# Set by a command that leaves nothing to close or clean up (no catalog, no temporary files left), so
# that fieldkit.cli.main ends the process without the interpreter's tear-down once it has answered.
END_AT_ONCE = False


@dataclass
class State:
    """What every command shares: which catalog, who is acting, and the catalog once opened."""

    db_path: Path
    actor: str | None
    _catalog: Catalog | None = field(default=None, repr=False)
    reference_dir: Path | None = None  # user reference tables (--reference or FIELDKIT_REFERENCE)
    reference_typed: bool = False  # reference_dir came from --reference, not FIELDKIT_REFERENCE

    def user_reference_dir(self) -> Path | None:
        """The user reference folder: --reference, which must exist (a typo must not silently leave
        the researcher's own tables out); else FIELDKIT_REFERENCE, which may name the folder where
        rows saved in the app will go, not made yet; else the default one if it exists."""
        from fieldkit.locations import user_reference_dir

        if self.reference_dir is None:
            return user_reference_dir()
        if self.reference_typed and not self.reference_dir.is_dir():
            raise FieldkitError(f"--reference {self.reference_dir}: no such folder; give the folder that "
                                "holds your reference tables")
        return self.reference_dir

    def reference(self):
        """The reference tables (shipped, plus the user dir if given), loaded once per process."""
        from fieldkit.reference.tables import get_reference

        return get_reference(self.user_reference_dir())

    def catalog(self, *, create: bool = True, read_only: bool = False) -> Catalog:
        """The catalog, opened once. A command that only reads passes `read_only=True`: the file is
        then never created, upgraded or written (fieldkit.catalog.db.open_read_only)."""
        if self._catalog is None:
            from fieldkit.catalog.db import open_catalog, print_upgrade_notice

            self._catalog = open_catalog(self.db_path, actor=self.actor, create=create, read_only=read_only,
                                         on_upgrade=print_upgrade_notice)
        return self._catalog

    def close(self) -> None:
        if self._catalog is not None:
            self._catalog.close()
            self._catalog = None


class FieldkitGroup(click.Group):
    """A click group that turns fieldkit's errors into one-line messages and exit codes.

    Its commands are loaded lazily: `LAZY_COMMANDS` names, for each command, the module that
    defines it, so `fieldkit years 112` imports only fieldkit.cli.years, and `--help` lists every
    command with its one-line help without importing any of them.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS and name not in self.commands:
            import importlib

            module, attr, _ = LAZY_COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, LAZY_COMMANDS[name][2]) for name in self.list_commands(ctx) if name in LAZY_COMMANDS]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        try:  # the root's own options (`--db` given twice, an unknown option before the command)
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None
        except FieldkitError as exc:  # `--db ~nobody/c.db`: no such home folder (UserPath)
            echo(f"error: {exc}", err=True, one_line=True)
            raise click.exceptions.Exit(exc.exit_code) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FieldkitError as exc:
            echo(f"error: {exc}", err=True, one_line=True)
            ctx.exit(exc.exit_code)
        except click.UsageError as exc:
            raise _one_line(exc) from None
        except sqlite3.Error as exc:  # read by a command outside a transaction: still one line
            from fieldkit.catalog.db import translate_error

            state = ctx.find_object(State)
            echo(f"error: {translate_error(exc, state.db_path if state else None)}", err=True)
            ctx.exit(2)
        except BrokenPipeError:  # the reader went away (`| head`): nothing to say to it
            raise
        except OSError as exc:  # a path the system refuses (too long, a file where a folder should be)
            echo(f"error: {os_error_line(exc)}", err=True, one_line=True)
            ctx.exit(2)
        except UnicodeEncodeError as exc:  # a text argument whose bytes are not UTF-8 (a stored value must be)
            echo(f"error: {not_utf8_line(exc)}", err=True, one_line=True)
            ctx.exit(2)
        except RuntimeError as exc:  # Python 3.11-3.12's Path.resolve() on a symlink loop
            if not str(exc).startswith("Symlink loop from "):
                raise
            where = str(exc).removeprefix("Symlink loop from ").strip("'\"")
            echo(f"error: {where}: a symlink loop; check the path", err=True, one_line=True)
            ctx.exit(2)


def os_error_line(exc: OSError) -> str:
    """An OSError as one line: the path and the system's reason, and what to do."""
    where = exc.filename if exc.filename is not None else ""
    if exc.filename2 is not None:
        where = f"{where} -> {exc.filename2}"
    reason = exc.strerror or str(exc)
    return f"{os.fsdecode(where)}: {reason}; check the path" if where else f"{reason}; check the disk and the paths given"


def not_utf8_line(exc: UnicodeEncodeError) -> str:
    """A text argument with bytes that are not UTF-8 (Python hands each over as a surrogate, shown
    escaped by `echo`), and those bytes."""
    text = exc.object if isinstance(exc.object, str) else ""
    bad = sorted({f"0x{ord(c) - 0xDC00:02x}" for c in text if 0xDC80 <= ord(c) <= 0xDCFF})
    which = f" (byte {', '.join(bad)})" if bad else ""
    shown = text if len(text) <= 60 else f"{text[:30]}…{text[-29:]}"  # a pasted page stays one short line
    return f"'{shown}' is not UTF-8 text{which}; type it again in UTF-8"


class UserPath(click.Path):
    """A path option or argument with `~` and `~user` expanded (fieldkit.paths.expand_user) before
    click's checks, so that a quoted '~/x' means the home folder for every command, as the shell
    would have made it. A `~user` with no home folder here is fieldkit.paths's one-line error, an
    empty path a one-line usage error."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value.strip():  # `"$OUT"` with OUT unset: never the current folder
            self.fail("an empty path; give a file or folder name", param, ctx)
        if isinstance(value, (str, os.PathLike)) and str(value).startswith("~"):
            value = expand_user(value)  # its FieldkitError is the group's one line (make_context, invoke)
        return super().convert(value, param, ctx)


class OneLineUsageError(click.ClickException):
    """A click usage error shown as fieldkit shows every error: one line, exit 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        echo(f"error: {self.format_message()}", err=True)


def _one_line(exc: click.UsageError) -> click.ClickException:
    """Click's usage error as one line naming the problem and where to read the usage; the help a
    group prints when given no command (NoArgsIsHelpError) stays as it is."""
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        return exc
    message = " ".join(exc.format_message().split()).rstrip(".")
    names, ctx = [], exc.ctx
    while ctx is not None and ctx.parent is not None:  # the root is `fieldkit`, however it was started
        names.insert(0, ctx.info_name)
        ctx = ctx.parent
    return OneLineUsageError(f"{message}; see `{' '.join(['fieldkit', *names])} --help`")


pass_state = click.make_pass_decorator(State)

# Every top-level command: its name -> (module, attribute, one-line help for `fieldkit --help`).
# A new command is added here and nowhere else; tests/test_cli.py checks that the help texts
# match the commands' own.
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "backup": ("fieldkit.cli.backup", "backup", "Copy the catalog (SQLite online backup) and its photo originals to the new folder DEST, verified by hash."),
    "bundle": ("fieldkit.cli.team", "bundle", "Make and check signed (optionally encrypted) evidence bundles."),
    "component": ("fieldkit.cli.components", "component", "Add, list, import, correct, recheck and delete the electronic components found in items."),
    "conflicts": ("fieldkit.cli.team", "conflicts", "List the rows that merges found changed on both sides; `conflicts resolve ID --keep ours|theirs`."),
    "datecode": ("fieldkit.cli.years", "datecode", "List every reading of an electronic component's date code: the period and the basis."),
    "dossier": ("fieldkit.cli.report", "dossier", "Write the evidence dossier of item REF (PDF and/or HTML; default REF.pdf here)."),
    "export": ("fieldkit.cli.export", "export", "Export the catalog for a report."),
    "init": ("fieldkit.cli.items", "init", "Create the catalog (or upgrade an older one) and print where it is."),
    "item": ("fieldkit.cli.items", "item", "Add, list, show, edit and delete debris items."),
    "key": ("fieldkit.cli.team", "key", "Your signing key (make, show) and the colleagues' keys you trust."),
    "marking": ("fieldkit.cli.markings", "marking", "Add, list, show, correct, delete and recheck the markings read from items."),
    "match": ("fieldkit.cli.markings", "match", "Read TEXT against the reference patterns: ranked candidates, fields, years and basis."),
    "merge": ("fieldkit.cli.team", "merge", "Merge a bundle or another catalog FILE into this catalog: all or nothing; conflicts kept and listed."),
    "ocr": ("fieldkit.cli.ocr", "ocr", "Read a marking from an image FILE, or from a stored photo (--photo) and --save it as a marking."),
    "ocr-engine": ("fieldkit.cli.ocr_engine", "ocr_engine", "Start, stop or ask about the OCR engine process that keeps tesseract and PP-OCR loaded for `fieldkit ocr FILE`."),
    "photo": ("fieldkit.cli.evidence", "photo", "Add photos of an item to the evidence store, list them and caption them."),
    "reference": ("fieldkit.cli.markings", "reference", "Check the reference tables (marking patterns, factory codes, manufacturers)."),
    "report": ("fieldkit.cli.report", "report", "Write a report of several items to OUT (.pdf or .html): cover summary, charts, map of finds, one section per item."),
    "restore": ("fieldkit.cli.backup", "restore", "Restore a folder made by `fieldkit backup` into a new catalog file."),
    "serve": ("fieldkit.cli.serve", "serve", "Open the catalog read-only in the browser (Datasette), or serve the app itself with --tui."),
    "summary": ("fieldkit.cli.components", "summary", "Summarise the components of item REF, or of the whole catalog: parts, firms, countries, shares, date codes by year and the earliest possible assembly date."),
    "verify": ("fieldkit.cli.evidence", "verify", "Re-hash every stored photo, check the audit log, the schema and the witness; exit 1 on any problem."),
    "witness": ("fieldkit.cli.witness", "witness", "Sign checkpoints of the audit head with your key (`witness checkpoint`)."),
    "year": ("fieldkit.cli.years", "year", "Convert a calendar year to the Gregorian date range it covers."),
    "years": ("fieldkit.cli.years", "years", "List every year reading in the text of a marking, best first, each with its basis."),
}


def echo(message: Any = None, *, one_line: bool = False, **kwargs: Any) -> None:
    """click.echo with control and bidirectional characters escaped (fieldkit.safe_text.visible):
    line breaks kept, or with `one_line` escaped too (a message that names a file or a stored value)."""
    click.echo(None if message is None else visible(str(message), multiline=not one_line), **kwargs)


def print_json(value: Any) -> None:
    """JSON on stdout: control characters escaped by JSON itself, C1 and bidi controls as \\u escapes."""
    click.echo(json_visible(json.dumps(value, ensure_ascii=False, indent=2, default=str)))


def print_table(rows: list[dict[str, Any]], columns: list[str] | tuple[str, ...]) -> None:
    """Rows as aligned plain-text columns under a header; None shows as an empty cell; every cell on
    one line, with control and bidirectional characters escaped."""
    cells = [["" if row[c] is None else visible(str(row[c])) for c in columns] for row in rows]
    widths = [max([len(c), *(len(line[i]) for line in cells)]) for i, c in enumerate(columns)]
    for line in [list(columns), *cells]:
        click.echo("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip())


def fail(message: str, code: int = 2) -> None:
    """Stop the command with a one-line error."""
    echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(cls=FieldkitGroup, invoke_without_command=True)
@click.option(
    "--db",
    "db_path",
    type=UserPath(path_type=Path, dir_okay=False),
    envvar="FIELDKIT_DB",
    help="The catalog file (default: catalog.db in the user data dir; or set FIELDKIT_DB).",
)
@click.option("--actor", help="Who is making the changes, for the audit log (default: $USER).")
@click.option(
    "--reference",
    "reference_dir",
    type=UserPath(path_type=Path, file_okay=False),
    envvar="FIELDKIT_REFERENCE",
    help="A folder of user reference tables that extend or override the shipped ones (or set FIELDKIT_REFERENCE).",
)
@click.version_option(package_name="fieldkit")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, actor: str | None, reference_dir: Path | None = None) -> None:
    """fieldkit: catalog munitions and weapon debris, their photos, markings and components.

    With no command, opens the terminal app.
    """
    typed = ctx.get_parameter_source("reference_dir") == click.core.ParameterSource.COMMANDLINE
    state = State(db_path or default_catalog_path(), actor, reference_dir=reference_dir, reference_typed=typed)
    ctx.obj = state
    ctx.call_on_close(state.close)
    from fieldkit.locations import choose_reference_dir

    # --reference DIR is this command's user tables wherever tables load by default (the OCR choice,
    # the OCR engine's identity), not only where a command passes them; FIELDKIT_REFERENCE is read there anyway
    choose_reference_dir(reference_dir if typed else None)
    ctx.call_on_close(lambda: choose_reference_dir(None))
    if ctx.invoked_subcommand is None:
        state.user_reference_dir()  # the app's tables too: a --reference folder that is not there is refused
        from fieldkit.tui import gc_pause

        gc_pause.pause()  # until the first paint: see fieldkit.tui.gc_pause
        try:
            from fieldkit.tui.app import make_app

            app = make_app(db_path=state.db_path, actor=actor)
            try:
                app.run()
            finally:
                app.catalog.close()  # not left to the collector: the app's start-up objects are frozen
        finally:
            gc_pause.resume()
