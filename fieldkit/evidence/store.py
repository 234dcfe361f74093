"""One walker of the photo store, never following a link: what verify reports and backup refuses.

`walk` yields every entry under the store with its kind, taken from `lstat` (a symlink is a
symlink, never what it points to), in name order, depth first. A folder is yielded before its
contents; the caller says which folders to go into. A folder that cannot be read is yielded as
`unreadable` with the reason, and the walk goes on. If the store itself is a symlink (or not a
folder), that is the one entry, with relpath ".".
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    path: Path
    relpath: str  # relative to the store, with "/"; "." for the store itself
    kind: str  # file | folder | symlink | other (a device, pipe or socket) | unreadable
    depth: int = 0  # 0 for an entry at the store's top level
    reason: str | None = None  # why an unreadable folder could not be read


def kind_of(path: Path) -> str:
    """'file', 'folder', 'symlink', 'other', 'missing' or 'unreadable', without following a symlink."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except OSError:  # e.g. a store folder that cannot be searched
        return "unreadable"
    return _kind(mode)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symlink"
    return "file" if stat.S_ISREG(mode) else "folder" if stat.S_ISDIR(mode) else "other"


def walk(store: Path, descend: Callable[[Entry], bool] = lambda entry: True) -> Iterator[Entry]:
    """Every entry under `store` (module docstring); folders for which `descend` is false are yielded
    but not entered. A store that does not exist yields nothing."""
    root = kind_of(store)
    if root == "missing":
        return
    if root != "folder":
        yield Entry(store, ".", root)
        return
    yield from _walk(store, store, 0, descend)


def _walk(store: Path, folder: Path, depth: int, descend: Callable[[Entry], bool]) -> Iterator[Entry]:
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda e: e.name)
    except OSError as exc:
        if folder != store:
            yield Entry(folder, folder.relative_to(store).as_posix(), "unreadable", depth - 1, exc.strerror)
        else:
            yield Entry(folder, ".", "unreadable", 0, exc.strerror)
        return
    for found in entries:
        path = Path(found.path)
        try:
            kind = _kind(found.stat(follow_symlinks=False).st_mode)
        except OSError:
            kind = "unreadable"
        entry = Entry(path, path.relative_to(store).as_posix(), kind, depth)
        yield entry
        if kind == "folder" and descend(entry):
            yield from _walk(store, path, depth + 1, descend)
