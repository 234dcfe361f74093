"""Showing stored text safely in the app: never read as markup, control and bidi characters escaped.

The escaping itself is the core's (fieldkit.safe_text), shared with the CLI's output.
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text

from fieldkit.safe_text import UNSAFE, has_unsafe, visible

__all__ = ["UNSAFE", "has_unsafe", "plain", "short_path", "visible"]


def plain(value: object, *, multiline: bool = True) -> Text:
    """Stored or typed text as a Rich Text: never read as markup (`[/]` cannot break a screen), and
    with control characters shown as escapes. Use it for every cell and label that shows data."""
    return Text("" if value is None else visible(str(value), multiline=multiline))


def short_path(path: Path | str, width: int = 44) -> str:
    """A path as a dialog shows it in little room: the home folder written ~ and, if it is still
    longer than `width`, the middle of its folders left out (…): their start says which disk or
    folder, and the last part (the file or folder it names) is always whole, however long (the line
    wraps). Raw, as the path is: it is escaped once, where it is shown (plain, visible), so that no
    escape is cut in two or escaped twice. The full path goes in the notification and tooltip."""
    text, home = str(path), str(Path.home())
    if home != os.sep and (text == home or text.startswith(home + os.sep)):
        text = "~" + text[len(home):]
    folders, sep, name = text.rpartition(os.sep)
    if len(text) <= width or not folders:
        return text
    head = width // 4  # the folders' start, always: which disk or folder
    tail = max(width - head - 1 - len(sep + name), 0)  # their end, in what room is left
    if head + tail >= len(folders):
        return text
    return folders[:head] + "…" + folders[len(folders) - tail:] + sep + name
