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
    """A path as a dialog shows it in little room: the home folder written ~, control and bidi
    characters escaped, and if it is still longer than `width`, its middle left out (…): the start
    says which disk or folder, the end which folder and file. The full path goes in the dialog's
    notification and tooltip."""
    text, home = str(path), str(Path.home())
    if home != os.sep and (text == home or text.startswith(home + os.sep)):
        text = "~" + text[len(home):]
    text = visible(text)
    if len(text) <= width:
        return text
    head = width // 4
    return text[:head] + "…" + text[len(text) - (width - head - 1):]
