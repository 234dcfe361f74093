"""Showing stored text safely: control characters and bidirectional controls become visible escapes.

Input refuses such characters (fieldkit.models), but a catalog can still hold them: a merged
catalog, a write behind fieldkit's back, EXIF text kept as the camera wrote it. Shown raw, an ESC
would reach the terminal (`ESC ] 0;...BEL` retitles it) and a right-to-left override would make
text read as something it is not. The app (fieldkit.tui.safe_text) and every text and JSON output
of the CLI (fieldkit.cli.base) escape them with the functions here.
"""

from __future__ import annotations

import re

# C0 and C1 controls (ESC among them), and the bidirectional marks, embeddings, overrides and isolates.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What JSON leaves raw (it escapes C0 itself): DEL, C1 controls and the bidirectional controls.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def has_unsafe(text: str) -> bool:
    return UNSAFE.search(text) is not None


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"


def visible(text: str, *, multiline: bool = False) -> str:
    """`text` with each unsafe character written as an escape: \\x1b, \\u202e (line breaks kept if `multiline`)."""
    if multiline:
        return "\n".join(visible(line) for line in text.split("\n"))
    return UNSAFE.sub(_escape, text)


def json_visible(encoded: str) -> str:
    """JSON text (from json.dumps) with DEL, C1 and bidi controls as \\u escapes: the same data, read
    back by any JSON parser, but inert in a terminal."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)
