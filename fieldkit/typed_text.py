"""What typed text may hold: the characters every field a person types refuses.

Kept apart from fieldkit.models (pydantic) so that the paths that only check text -- a component
import's rows, a marking, a photo caption -- check it without loading pydantic.
"""

from __future__ import annotations

import re

from fieldkit.errors import ValidationError

# What typed text may not hold, in every field a person types (item fields, marking text and
# position, component fields and imported component rows, photo captions): C0 control characters
# other than tab and newline, DEL and the C1 controls, and the bidirectional embeddings, overrides
# and isolates that can make text display as something other than what it is (Trojan Source,
# CVE-2021-42574). The single direction marks (U+200E, U+200F, U+061C) are allowed: Arabic and
# Persian text uses them. Text read from files (EXIF, file names, OCR) is kept as read; every
# output escapes what it holds (fieldkit.safe_text).
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def refuse_unsafe(name: str, value: str | None) -> str | None:
    """`value` unchanged, or ValidationError naming the field if it holds a character typed text may not."""
    bad = UNSAFE_CHARS.search(value) if value else None
    if bad:
        raise ValidationError(
            f"{name}: contains the invisible control character U+{ord(bad.group()):04X}; remove it and try again"
        )
    return value
