"""When a word that fits the Soviet IC designation pattern is offered as one (issue 18's rule).

The reference row ``su-ic-designation`` (reference/marking_patterns.csv: the GOST 18682-73 / OST 11
073.915 system) is written over normalised text, where Cyrillic letters are folded to their Latin
twins (К to K, Т to T...). Its shape alone (a 3-4 digit series, two letters from the function-code
list, digits) also fits Latin lot and date codes: 2148AA1, C2045TB01. What says "a Soviet chip"
is the script, so a word is offered as a type number only when

- it has a Cyrillic letter (К155ЛА3, and KР580BM80A typed with one Cyrillic Р), or
- it starts with the commercial prefix К (К, КР, КМ...; ЭК has a Cyrillic Э), which in a word with
  no Cyrillic letter is a Latin K read as Cyrillic К: KP580BM80A and K1533TM2 are КР580ВМ80А and
  К1533ТМ2 typed on a Latin keyboard, or read by an OCR engine without Cyrillic.

The matcher (typed text) asks this of the matched word; fieldkit.ocr.designation (OCR readings) asks
it of the line, since an engine without Cyrillic cannot say which word of a Cyrillic line is
Cyrillic. Latin read as Cyrillic is said in the candidate's basis and scores as a folded reading.
"""

from __future__ import annotations

import unicodedata

from fieldkit.markings.normalize import LOOKALIKES

ROW_ID = "su-ic-designation"  # the reference row (reference/marking_patterns.csv)
_TO_CYRILLIC = {latin: cyr for cyr, latin in LOOKALIKES.items() if unicodedata.name(cyr).startswith("CYRILLIC CAPITAL")
                and cyr not in "ЅІЈҮ"}  # Cyrillic letters of the standard's alphabet only


def has_cyrillic(text: str) -> bool:
    """Does ``text`` have a Cyrillic letter?"""
    return any(ch.isalpha() and unicodedata.name(ch, "").startswith("CYRILLIC") for ch in text)


def has_prefix(word: str) -> bool:
    """Does a type number (in either script) start with the commercial prefix К or ЭК?"""
    return in_cyrillic(word).startswith(("К", "ЭК"))


def in_cyrillic(text: str) -> str:
    """``text`` upper-cased with its Latin look-alike letters written as the Cyrillic ones."""
    return "".join(_TO_CYRILLIC.get(ch, ch) for ch in text.upper())


def latin_read_as_cyrillic(normalised: str) -> str:
    """The correction made to offer a type number with no Cyrillic letter in it."""
    return f"Latin letters read as Cyrillic {in_cyrillic(normalised)} (the commercial prefix K as К)"


LOOK_ALIKE_CODES = "Latin lot and date codes such as 2148AA1 and C2045TB01 have the same shape"


def offered_by_prefix(word: str) -> str:
    """The basis of a type number offered with no Cyrillic letter in it: why it is offered, and
    what would not have been."""
    return (f"offered as a Soviet IC type number only because it starts with K, taken as the commercial"
            f" prefix К: {word} has no Cyrillic letter, and a Latin word of this shape without that prefix"
            f" is not offered ({LOOK_ALIKE_CODES})")


def not_offered(word: str) -> str:
    """What `fieldkit match` and the app say of a word with the type number's shape that is not
    offered as one (no Cyrillic letter, no К prefix)."""
    return (f"{word} has the shape of a Soviet IC type number ({ROW_ID}) but is not offered as one: it has"
            f" no Cyrillic letter and does not start with the commercial prefix К, and {LOOK_ALIKE_CODES}."
            " If it is a type number, type its Cyrillic letters (К155ЛА3, КР580ВМ80А) or its К prefix")


def not_offered_short(word: str) -> str:
    """not_offered() in one short line, for the app's compact reading of a marking."""
    return f"{word}: not offered as a Soviet IC type number (no Cyrillic letter, no К prefix; lot codes have that shape)"
