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


SYSTEM_FOLDERS = ("/dev", "/proc", "/sys")  # what is in them is the system's, never an output to replace


def refuse_special(path: Path) -> None:
    """Raise a FieldkitError if `path` exists and is neither a regular file nor a symlink (a device
    such as /dev/null, a pipe or a socket), or is in /dev, /proc or /sys (/dev/stdout is a symlink).
    Outputs are written by renaming a new file over the old one, which, run as root, would replace
    the device or the system's link itself."""
    try:
        mode = os.lstat(path).st_mode
    except (OSError, ValueError):  # not there (or not a path the system takes): nothing to replace
        return
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode)):
        raise FieldkitError(f"{path} is not a regular file (a device, a pipe or a socket); give a file name to write")
    folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    if any(folder == top or folder.startswith(top + "/") for top in SYSTEM_FOLDERS):
        # /dev/stdout, /dev/fd/1: symlinks to a process's own output, which the rename would replace
        raise FieldkitError(f"{path} is a system file (in {folder}), not a file of yours; give a file name to write")
