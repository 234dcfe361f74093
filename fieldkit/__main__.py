"""`python -m fieldkit`: the same as the `fieldkit` command."""

from fieldkit.cli import main

main()
