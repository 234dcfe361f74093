"""Military and screened part-number forms, read field by field, with the document that defines them.

A board from a missile or a drone often carries parts marked with a government number rather than a
maker's, or with a maker's number wrapped in a military prefix or suffix. `read_military()` recognises
four forms and says what each part of the number is, citing what was read:

- DLA Standard Microcircuit Drawing (SMD) numbers, ``5962-8771601PA``, ``5962R9679801VXC``: federal
  stock class 5962, an RHA designator (``-`` = none), the five-digit drawing number, a two-digit device
  type, a device class letter (M, Q or V; older numbers carry none), a case outline and a lead finish
  (DLA Land and Maritime SMD 5962-94680 rev. F, section 1.2). An SMD number names the drawing, not a
  maker: its approved sources are listed in QML-38535 and MIL-HDBK-103 (the same drawing, 6.6), so it
  is never attributed to one firm. Section 3.5 lets a maker leave "5962-" off the marking; such a
  number (``9468001M2A``) is read only when it carries a class letter and no family claims it.
- MIL-M-38510 JAN microcircuits, ``M38510/10101BCA``, ``JM38510/11302BCA``: the slash sheet and the
  fields after it are shown as printed (the standard's own text was not read), and no maker is named.
- MIL-PRF-19500 quality levels before a JEDEC number, ``JAN2N2222A``, ``JANTX2N2222A``,
  ``JANTXV1N5811``, ``JANS...``: the prefix is the quality level, and the JEDEC number behind it is
  attributed as it would be alone (2N2222A gives its several makers as candidates).
- MIL-STD-883 screened numbers, ``LM124AJ/883``, ``AD620SQ/883B``: the suffix is read as screening and
  the maker's number before it is attributed.

Anything that begins like one of these forms but is not one (``5962-``, ``5962-87716``, ``JANTX`` with
no JEDEC number) gives a one-line `problem` instead of a reading. Every field shown comes from the
regular expressions below, so a hostile string (escape sequences, a megabyte of text) never reaches
the basis text. TI's own military prefixes (SNJ54, SNV54, SMJ320...) are ordinary families of
reference/part_families.csv, each citing TI's documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fieldkit.markings.normalize import fold as fold_lookalikes

MAX_LENGTH = 64  # no military form is longer; a longer text is not read as one

SMD_SOURCE = ("DLA Land and Maritime SMD 5962-94680 rev. F, 1.2: device type and case letters are each drawing's own, "
              "lead finish as MIL-PRF-38535 specifies")
JAN_IC_SOURCE = "the form of TI's orderable JM38510/00104BCA and M38510/00104BCA, ti.com SN54LS00 package option addendum"
JAN_SEMI_SOURCE = "MIL-PRF-19500/379K 1.1: quality levels JAN, JANTX, JANTXV, JANS; MIL-PRF-19500/343F: JANHC, JANKC chips"
SCREENED_SOURCE = ("MIL-STD-883 screening in the maker's own number: SMD 5962-94680 rev. F 6.6 names OP27BRC/883C for its "
                   "class M device; Microchip orders AT28C010-12DM/883 as 'Military/883C Class B'")

DEVICE_CLASS = {
    "M": "class M (MIL-STD-883 compliant, non-JAN class level B)",
    "Q": "class Q (qualified to MIL-PRF-38535)",
    "V": "class V (qualified to MIL-PRF-38535, space application)",
}
# MIL-PRF-38535K 3.4.3, RHA levels: the total ionizing dose each designator stands for ("/" or "-": no RHA); read in
# a copy of the specification's pages at pdf.ic37.com (ACTEL 5962-0422106 document, page 24). SMD 5962-94680 agrees:
# its R device type 02 is rated 100 krads(Si), its L device type 03 50 krads(Si) (1.5 and the bulletin).
RHA_LEVELS = {"M": "3 krad(Si)", "D": "10 krad(Si)", "P": "30 krad(Si)", "L": "50 krad(Si)", "R": "100 krad(Si)",
              "F": "300 krad(Si)", "G": "500 krad(Si)", "H": "1 Mrad(Si)"}
RHA_SOURCE = "MIL-PRF-38535K 3.4.3"
QUALITY_LEVELS = ("JANTXV", "JANTX", "JANHC", "JANKC", "JANS", "JAN")
JEDEC = r"[1-4]N\d{2,5}[A-Z0-9]{0,6}(?:-[0-9A-Z]{1,3})?"  # 2N2222AUB, 1N4148-1

_SMD = re.compile(r"5962([-A-Z])(\d{5})(\d{2})([A-Z]?)([A-Z0-9])([A-Z])")
_SMD_BARE = re.compile(rf"([{''.join(RHA_LEVELS)}]?)(\d{{5}})(\d{{2}})([MQV])([A-Z0-9])([A-Z])")  # only listed RHA letters
_SMD_START = re.compile(r"5962(?:-|[A-Z](?=\d))")
_JAN_IC = re.compile(r"(J?)M38510/?(\d{3})(\d{2})([A-Z])([A-Z0-9])([A-Z])")
_JAN_IC_START = re.compile(r"J?M38510/")
_JAN_SEMI = re.compile(rf"({'|'.join(QUALITY_LEVELS)})-?({JEDEC})")
_JAN_SEMI_START = re.compile(r"JANTXV?(?![A-Z])|JANTXV?-?$")
_SCREENED = re.compile(r"([0-9A-Z][0-9A-Z.\-]{1,40}?)\s*/\s*883([A-Z]?)")


@dataclass(frozen=True)
class MilitaryReading:
    """What a military or screened part number says, field by field, and what is left to attribute."""

    form: str  # "DLA SMD", "MIL-M-38510", "MIL-PRF-19500", "MIL-STD-883"
    summary: str  # "DLA drawing 5962-87716: device type 01, no device class letter, case outline P, lead finish A"
    source: str  # the document and section read
    inner: str | None = None  # the maker's or JEDEC number to attribute; None: the form names no maker
    no_maker: str = ""  # why the number names no single maker (SMD, slash sheet)
    problem: str = ""  # set when the text begins like a form but is not one

    def describe(self) -> str:
        """One line: the reading and its source, or the problem."""
        if self.problem:
            return self.problem
        line = f"{self.summary} ({self.source})"
        return f"{line}; {self.no_maker}" if self.no_maker else line

    def to_json(self) -> dict[str, str]:
        """What is stored with the attribution: the form, the reading, its source, the number read, any problem."""
        data = {"form": self.form, "reading": self.summary, "source": self.source}
        if self.inner:
            data["number_read"] = self.inner
        if self.problem:
            data["problem"] = self.problem
        return data


def _folded(part_number: str) -> str:
    """The text upper-cased, with look-alikes folded when it is not plain ASCII."""
    return part_number.upper() if part_number.isascii() else fold_lookalikes(part_number).upper()


def _compact(part_number: str) -> str:
    """The folded, upper-cased text with every space removed: the fields of a drawing number may be spaced."""
    return "".join(_folded(part_number).split())


def _split_by_space(number: str, part_number: str) -> bool:
    """Whether the JEDEC or maker's number read in the compacted text is not one word of the text as
    typed: a space inside it, or a date code or lot glued on (JANTX2N2222A 2310 is not 2N2222A2310)."""
    return not any(number in word for word in _folded(part_number).split())


MAY_BEGIN = ("5962", "M38510", "JM38510", "JAN")  # a quick look before the full reading: these, or "/883" inside


def _smd(match: re.Match, bare: bool) -> MilitaryReading:
    rha, drawing, device, klass, case, finish = match.groups()
    if rha in ("-", ""):
        rha_text = "no RHA designator"
    elif rha in RHA_LEVELS:
        rha_text = f"RHA designator {rha} ({RHA_LEVELS[rha]} total ionizing dose, {RHA_SOURCE})"
    else:
        rha_text = f"RHA designator {rha} (not a level {RHA_SOURCE} lists)"
    klass_text = DEVICE_CLASS.get(klass, f"device class letter {klass}") if klass else "no device class letter"
    summary = (f"DLA Standard Microcircuit Drawing 5962-{drawing}: {rha_text}, device type {device}, {klass_text}, "
               f"case outline {case}, lead finish {finish}")
    if bare:
        summary += " (marked without '5962-', as the drawing's 3.5 allows)"
    no_maker = ("an SMD number names the drawing, not a maker: its approved sources are listed in QML-38535 and "
                "MIL-HDBK-103 (the same drawing, 6.6)")
    return MilitaryReading("DLA SMD", summary, SMD_SOURCE, None, no_maker)


def read_military(part_number: str | None, *, bare_smd: bool = False) -> MilitaryReading | None:
    """The military or screened form of a part number, or None if it is none of them.

    `bare_smd` also reads an SMD number marked without "5962-" (only with a class letter M, Q or V);
    the caller passes it when no family of the tables begins the number."""
    text = _compact(part_number or "")
    if not text.startswith(MAY_BEGIN) and "/883" not in text:
        bare = bare_smd and 10 <= len(text) <= 11 and (match := _SMD_BARE.fullmatch(text))
        return _smd(match, bare=True) if bare else None
    if len(text) > MAX_LENGTH:
        if _SMD_START.match(text) or _JAN_IC_START.match(text):
            form = "DLA SMD" if _SMD_START.match(text) else "MIL-M-38510"
            return MilitaryReading(form, "", "", problem=(
                f"a text of {len(text)} characters is not a military part number (none is longer than {MAX_LENGTH}); "
                "enter the number as printed"))
        return None
    if match := _SMD.fullmatch(text):
        return _smd(match, bare=False)
    if _SMD_START.match(text):
        return MilitaryReading("DLA SMD", "", SMD_SOURCE, problem=(
            "begins like a DLA Standard Microcircuit Drawing number (5962-) but is not one: expected 5962, an RHA "
            "letter or '-', a 5-digit drawing number, a 2-digit device type, then class, case and finish letters "
            "(e.g. 5962-8771601PA); check the marking"))
    if match := _JAN_IC.fullmatch(text):
        j, sheet, device, klass, case, finish = match.groups()
        summary = (f"MIL-M-38510 microcircuit{' (J prefix as printed)' if j else ''}: slash sheet {sheet}, then "
                   f"{device} {klass} {case} {finish} as printed (device type, class, case, finish: the standard's own "
                   "text was not read)")
        no_maker = "a slash-sheet number names the specification, not a maker: several makers may be qualified to it"
        return MilitaryReading("MIL-M-38510", summary, JAN_IC_SOURCE, None, no_maker)
    if _JAN_IC_START.match(text):
        return MilitaryReading("MIL-M-38510", "", JAN_IC_SOURCE, problem=(
            "begins like a MIL-M-38510 microcircuit number (M38510/) but is not one: expected a 3-digit slash sheet, "
            "a 2-digit device type and three letters (e.g. M38510/10101BCA); check the marking"))
    if match := _JAN_SEMI.fullmatch(text):
        level, number = match.groups()
        if _split_by_space(number, part_number):
            return MilitaryReading("MIL-PRF-19500", "", JAN_SEMI_SOURCE, problem=(
                f"begins like a MIL-PRF-19500 quality level ({level}) but a space breaks the number after the quality "
                "level; enter the number as printed on one line, without a date code or lot (e.g. JANTX2N2222A)"))
        kind = "unencapsulated chip" if level in ("JANHC", "JANKC") else "quality level"
        summary = f"MIL-PRF-19500 {kind} {level}, JEDEC number {number}"
        return MilitaryReading("MIL-PRF-19500", summary, JAN_SEMI_SOURCE, number)
    if _JAN_SEMI_START.match(text):
        return MilitaryReading("MIL-PRF-19500", "", JAN_SEMI_SOURCE, problem=(
            "begins like a MIL-PRF-19500 quality level (JANTX, JANTXV) but no JEDEC number (1N..., 2N...) follows it; "
            "check the marking"))
    if match := _SCREENED.fullmatch(text):
        number, letter = match.groups()
        if _split_by_space(number, part_number):
            return None  # "TI LM124AJ/883": attributed as typed, as any other text
        summary = f"MIL-STD-883 screening suffix /883{letter}, maker's number {number}"
        return MilitaryReading("MIL-STD-883", summary, SCREENED_SOURCE, number)
    return None
