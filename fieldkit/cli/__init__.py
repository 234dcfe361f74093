"""The `fieldkit` command line: a thin layer over the core, one module per command group.

Commands are loaded lazily (see `LAZY_COMMANDS` in fieldkit.cli.base), so a light command
imports only what it uses.
"""

import os
import sys

from fieldkit.cli import base
from fieldkit.cli.base import cli

main = cli  # the command group (tests invoke it with click's CliRunner)


def run() -> None:
    """The `fieldkit` command (the console script and `python -m fieldkit`): the command group run
    as a program. A command with nothing left to close once it has answered (`base.END_AT_ONCE`:
    `fieldkit ocr` on image files) ends the process as soon as its output is flushed, skipping the
    interpreter's tear-down of numpy, onnxruntime and tesseract (0.03-0.1 s, a third of a raw
    tesseract run; issue 17.7)."""
    try:
        cli.main()
    except SystemExit as done:
        if not base.END_AT_ONCE or done.code not in (0, None):
            raise
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe: the ordinary exit reports it
            raise done from None
        os._exit(0)
