"""Showing stored text safely: control characters and bidirectional overrides become visible escapes.

The model refuses such characters on input, but a catalog can still hold them (a merged
catalog, a write behind fieldkit's back). Shown raw, an ESC would reach the terminal and a
right-to-left override would make text read as something it is not.
"""

from __future__ import annotations

import re

# C0 and C1 controls (ESC among them), and the bidirectional marks, embeddings, overrides and isolates.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def has_unsafe(text: str) -> bool:
    return UNSAFE.search(text) is not None


def visible(text: str) -> str:
    """`text` with each unsafe character written as an escape: \\x1b, \\u202e."""
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xFF else f"\\x{ord(m.group()):02x}", text)
