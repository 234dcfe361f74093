"""`python -m fieldkit`: the same as the `fieldkit` command."""

from fieldkit.cli import main

if __name__ == "__main__":
    main()
