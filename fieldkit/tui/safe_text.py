"""Showing stored text safely in the app: never read as markup, control and bidi characters escaped.

The escaping itself is the core's (fieldkit.safe_text), shared with the CLI's output.
"""

from __future__ import annotations

from rich.text import Text

from fieldkit.safe_text import UNSAFE, has_unsafe, visible

__all__ = ["UNSAFE", "has_unsafe", "plain", "visible"]


def plain(value: object, *, multiline: bool = True) -> Text:
    """Stored or typed text as a Rich Text: never read as markup (`[/]` cannot break a screen), and
    with control characters shown as escapes. Use it for every cell and label that shows data."""
    return Text("" if value is None else visible(str(value), multiline=multiline))
