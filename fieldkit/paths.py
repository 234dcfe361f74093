"""Paths a person gave (a command-line argument, an environment variable, a box in the app): `~`
expanded without a traceback when the `~user` named has no home folder on this machine, and an
output refused where it would replace something that is not a file."""

from __future__ import annotations

import os
import stat
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


def refuse_special(path: Path) -> None:
    """Raise a FieldkitError if `path` exists and is neither a regular file nor a symlink: a device
    (/dev/null), a pipe or a socket. Outputs are written by renaming a new file over the old one,
    which, run as root, would replace the device itself."""
    try:
        mode = os.lstat(path).st_mode
    except (OSError, ValueError):  # not there (or not a path the system takes): nothing to replace
        return
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode)):
        raise FieldkitError(f"{path} is not a regular file (a device, a pipe or a socket); give a file name to write")
