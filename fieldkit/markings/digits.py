"""Digits of any script read as digits: full-width `１１２`, Devanagari `११२`, Bengali, Thai...

Markings, date codes and quantities are typed (or read by OCR) with whatever digits the keyboard
or the print gives. fieldkit reads every Unicode decimal digit (category Nd) as the ASCII digit
of the same value, one character for one character, so positions in the text are unchanged and
the text as typed can always be shown and stored beside what was read from it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Persian and Arabic-Indic digits: a year written in them is read as a Solar Hijri year
# (markings.years), so the year finder leaves them to that rule.
EASTERN_ARABIC = frozenset("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")


@lru_cache(maxsize=4096)
def _ascii(ch: str) -> str:
    return str(unicodedata.decimal(ch))


def ascii_digits(text: str, *, keep: frozenset[str] = frozenset()) -> str:
    """`text` with every non-ASCII decimal digit (except those in `keep`) as its ASCII digit."""
    if text.isascii():
        return text
    return "".join(
        _ascii(ch) if not ("0" <= ch <= "9") and ch not in keep and ch.isdecimal() else ch for ch in text
    )
