"""The `fieldkit` command line: a thin layer over the core, one module per command group."""

from fieldkit.cli.base import cli
from fieldkit.cli import backup, components, evidence, export, items, markings, ocr, years  # noqa: F401  (each registers its commands on `cli`)

main = cli
