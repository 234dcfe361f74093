"""The `fieldkit` command line: a thin layer over the core, one module per command group.

Commands are loaded lazily (see `LAZY_COMMANDS` in fieldkit.cli.base), so a light command
imports only what it uses.
"""

from fieldkit.cli.base import cli

main = cli
