"""Expanding `~` in a path a person gave (a command-line argument, an environment variable, a box in
the app) without a traceback when the `~user` named has no home folder on this machine."""

from __future__ import annotations

import os
from pathlib import Path

from fieldkit.errors import FieldkitError


def expand_user(path: str | os.PathLike[str]) -> Path:
    """`path` with `~` and `~user` expanded, as Path.expanduser() does. Where that raises RuntimeError
    (`~amina/usb` on a machine with no user amina, or no home folder at all) this raises a
    FieldkitError whose one line names the `~user` and asks for the full path."""
    given = Path(path)
    try:
        return given.expanduser()
    except RuntimeError:
        raise FieldkitError(f"cannot find the home folder of {given.parts[0]} on this machine; "
                            "give the full path") from None
