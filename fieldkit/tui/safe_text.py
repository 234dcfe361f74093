"""Showing stored text safely: control characters and bidirectional overrides become visible escapes.

The model refuses such characters on input, but a catalog can still hold them (a merged
catalog, a write behind fieldkit's back). Shown raw, an ESC would reach the terminal and a
right-to-left override would make text read as something it is not.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 and C1 controls (ESC among them), and the bidirectional marks, embeddings, overrides and isolates.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def has_unsafe(text: str) -> bool:
    return UNSAFE.search(text) is not None


def visible(text: str, *, multiline: bool = False) -> str:
    """`text` with each unsafe character written as an escape: \\x1b, \\u202e (line breaks kept if `multiline`)."""
    if multiline:
        return "\n".join(visible(line) for line in text.split("\n"))
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xFF else f"\\x{ord(m.group()):02x}", text)


def plain(value: object, *, multiline: bool = True) -> Text:
    """Stored or typed text as a Rich Text: never read as markup (`[/]` cannot break a screen), and
    with control characters shown as escapes. Use it for every cell and label that shows data."""
    return Text("" if value is None else visible(str(value), multiline=multiline))
