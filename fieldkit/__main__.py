"""`python -m fieldkit`: the same as the `fieldkit` command."""

from fieldkit.cli import run

if __name__ == "__main__":
    run()
