r"""Showing stored text safely: control characters and bidirectional controls become visible escapes.

Input refuses such characters (fieldkit.models), but a catalog can still hold them: a merged
catalog, a write behind fieldkit's back, EXIF text kept as the camera wrote it. Shown raw, an ESC
would reach the terminal (`ESC ] 0;...BEL` retitles it) and a right-to-left override would make
text read as something it is not. The app (fieldkit.tui.safe_text) and every text and JSON output
of the CLI (fieldkit.cli.base) escape them with the functions here.

The escaping is unambiguous: a backslash is shown as `\\`, so `\x1b` on screen is always an ESC
that was stored, and `\\x1b` the four characters a user typed; no two texts look the same
(tests/test_output_safety.py checks that it is injective). A lone surrogate (a byte of a file
name that was not UTF-8) is shown as `\udcXX`. Text is escaped once, where it is shown: messages
carry the raw text, and `echo`, `print_json`, `plain` and the app's notifications escape it.
"""

from __future__ import annotations

import re

# C0 and C1 controls (ESC among them), the bidirectional marks, embeddings, overrides and isolates,
# and lone surrogates (undecodable bytes of a file name; they cannot even be printed).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SHOWN = re.compile("[\\\\\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What JSON leaves raw (it escapes C0 and the backslash itself): DEL, C1 controls, the
# bidirectional controls and lone surrogates.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def has_unsafe(text: str) -> bool:
    return UNSAFE.search(text) is not None


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"


def visible(text: str, *, multiline: bool = False) -> str:
    """`text` with each unsafe character written as an escape (\\x1b, \\u202e) and each backslash
    doubled, so that the escapes are unambiguous; line breaks kept if `multiline`."""
    if multiline:
        return "\n".join(visible(line) for line in text.split("\n"))
    return _SHOWN.sub(_escape, text)


def json_visible(encoded: str) -> str:
    """JSON text (from json.dumps) with DEL, C1 and bidi controls as \\u escapes: the same data, read
    back by any JSON parser, but inert in a terminal."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)
