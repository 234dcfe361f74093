"""Soviet and Russian integrated-circuit type numbers in OCR readings (issue 18): the reading the
reference pattern of the designation system makes of what the two engines read.

A chip marked КР580ВМ80А is read by PP-OCR, which has no Cyrillic, with the digits right and the
letters as their Latin twins (or, on a worn real photograph, KP5S0BMB0A: S and B for 8), and by
tesseract with the letters right and 8 as В, 0 as О (КР58ОВМ8ОА). Neither is the marking. The
reference row ``su-ic-designation`` (reference/marking_patterns.csv: the GOST 18682-73 / OST 11
073.915 system: optional prefix letters, a series of 3-4 digits, a two-letter function code from
the standard's list, a serial number, an optional letter) says which places of the word are digits
and which are letters, so each place is read as the kind the pattern asks for:

- the word is taken from one engine's reading (the skeleton) and lined up with the other engine's
  word character by character (difflib on the folded texts; letters an engine lacks, such as Л or
  И that PP-OCR drops, are simply not paired);
- each place may be what either engine wrote there (a Latin letter as its Cyrillic twin, or as the
  Cyrillic letter PP-OCR writes that shape for: N or U for И, T for Г), or a digit for a letter
  that looks like one (:data:`DIGITS_FOR`: О 0, З 3, В and B 8, S 5 or 8...), which is a
  *confusion* and counts against the reading;
- of the readings the pattern reads whole (the function code in the standard's list), the one with
  the fewest confusions is kept; on a tie, digits as PP-OCR read them (its strength), and letters as
  tesseract read them where PP-OCR read the shape of a letter it cannot write, else as the surer
  engine read them; and at most MAX_CONFUSIONS, and a third of the word, may be confusions, none of
  them in the function code (its letters must be letters in some engine's reading: 523288 is not
  5232ВВ1), and, where both engines read the word, none in the prefix and series either (each
  place as one of them read it), so that noise is never forced into a type number;
- a word both engines read alike in Latin letters is left as read (DS90UB954 is not 0590ИВ954, nor
  1705AT1 1705АГ1; a series number starts with its group digit, 1 to 8);
- where no engine read a Cyrillic letter anywhere in the line, only a word with the commercial prefix
  (К, КР, ЭК...) is read so: a Latin lot or date code such as 2148AA1 or C2045TB01 fits the rest of
  the pattern (fieldkit.markings.soviet_ic: the same rule as for typed text, asked of the line).

The result is written in Cyrillic (the standard's letters are Cyrillic). Letters Latin and Cyrillic
share never decide that on their own: only the whole pattern does, and a Latin part number does not
fit it (MAX232CPE, CYP 606541). Weak rule, tuned on one real line (001.jpg) and synthetic etching:
an S in a digit place is 8 when the same word has a 5 read as 5 (the engine tells them apart
there), else 5. Pure functions on recorded readings; fieldkit.ocr.choice decides what the reading
weighs.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from itertools import product

from fieldkit.markings.soviet_ic import ROW_ID, has_cyrillic, has_prefix
from fieldkit.ocr.correction import LATIN_TO_CYRILLIC, script_of
MAX_CONFUSIONS = 3  # digits read for letters (or letters for digits) at most, in one word
MAX_COMBINATIONS = 4096  # readings of one word tried at most
MIN_WORD, MAX_WORD = 5, 16  # a type number's length (К155ЛА3 .. КР140УД1408А)
MIN_LIKENESS = 0.5  # difflib ratio for the other engine's word to be lined up with the skeleton's

# A digit that a character stands for in a digit place (a confusion): letters drawn like digits
DIGITS_FOR = {
    "O": "0", "o": "0", "О": "0", "о": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "Z": "2",
    "З": "3", "з": "3", "Ч": "4", "Б": "6", "б": "6", "G": "6", "b": "6", "B": "8", "В": "8", "в": "8",
    "S": "58", "s": "58",
}  # fmt: skip
# A letter that a digit stands for in a letter place (a confusion): PP-OCR writes В as 8, Б as 6
LETTERS_FOR = {"8": "В", "6": "Б"}


def _pp_shapes() -> dict[str, str]:
    from fieldkit.ocr.choice import PP_FOR_CYRILLIC  # N for И, T for Г ... (PP-OCR has no Cyrillic)

    return {k: "".join(v) for k, v in PP_FOR_CYRILLIC.items() if k.isalpha()}


@dataclass(frozen=True)
class Option:
    char: str  # as written in the result (digits, Cyrillic capitals)
    confusion: bool  # a digit read for a letter or a letter for a digit
    engines: frozenset[str]  # whose reading it is


def _options(ch: str, engine: str, word: str) -> list[Option]:
    """What one engine's character may be in a type number: itself (a Latin letter as its Cyrillic
    twin, or as the Cyrillic letter PP-OCR writes that shape for: N for И, T for Г, U for И), or, as a
    confusion, the digit a letter looks like or the letter a digit looks like."""
    mine = frozenset([engine])
    out: list[Option] = []
    if ch.isdigit():
        out.append(Option(ch, False, mine))
        if ch in LETTERS_FOR:
            out.append(Option(LETTERS_FOR[ch], True, mine))
        return out
    if script_of(ch) == "cyrillic":
        out.append(Option(ch.upper(), False, mine))
    elif script_of(ch) == "latin":
        twin = LATIN_TO_CYRILLIC.get(ch.upper())
        letters = ([twin] if twin else []) + [c.upper() for c in _pp_shapes().get(ch, "")]
        out += [Option(c, False, mine) for c in dict.fromkeys(letters)]
    digits = DIGITS_FOR.get(ch, "")
    if ch in "Ss":  # weak rule (module docstring): 8 when the engine wrote a 5 as 5 in this word
        digits = "85" if "5" in word else "58"
    out += [Option(d, True, mine) for d in digits]
    return out


def _merged(mine: list[Option], theirs: list[Option]) -> list[Option]:
    """Both engines' options for one place: a character both may mean is one option, read by both,
    and a confusion only if it is one for both."""
    out: dict[str, Option] = {}
    for o in mine + theirs:
        had = out.get(o.char)
        out[o.char] = o if had is None else Option(o.char, had.confusion and o.confusion, had.engines | o.engines)
    return list(out.values())


def _paired(skeleton: str, other: str) -> list[int | None]:
    """For each character of ``skeleton``, the index of the character of ``other`` lined up with
    it (equal once folded, or one of two runs of the same length that differ), or None."""
    from fieldkit.markings.normalize import fold

    pairs: list[int | None] = [None] * len(skeleton)
    matcher = difflib.SequenceMatcher(None, fold(skeleton), fold(other), autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and a1 - a0 == b1 - b0):
            for k in range(a1 - a0):
                pairs[a0 + k] = b0 + k
    return pairs


def _likeness(a: str, b: str) -> float:
    from fieldkit.markings.normalize import fold

    return difflib.SequenceMatcher(None, fold(a), fold(b), autojunk=False).ratio()


@dataclass
class Designation:
    """A type number made of what the engines read: the line's text with it, the reading it was
    built on (``skeleton``, an index into the readings given), the other engine's reading lined up
    with it (or None), the confusions made and why."""

    text: str
    word: str  # the type number as written in the result
    read_word: str  # the skeleton's word it was read from
    skeleton: int
    other: int | None
    confusions: list[str]
    why: str


def _pattern(tables):
    """The reference row's regex (a user's table may override the row, or leave it out: then None)."""
    cache = getattr(tables, "_cache", {})
    if "ocr_designation" not in cache:
        row = next((r for r in tables.patterns if r.id == ROW_ID), None)
        regex = re.compile(row.regex) if row is not None else None
        # a user's row without the function code's group cannot say which places are letters
        cache["ocr_designation"] = regex if regex is not None and "interfix" in regex.groupindex else None
    return cache["ocr_designation"]


def _letter_reader(mine: tuple[str, str], theirs: tuple[str, str] | None, surer: str) -> str:
    """Whose letter to keep at one place when both engines read one: tesseract's when it is a
    letter only Cyrillic has and PP-OCR read that letter's nearest shape (Г and T, И and N: PP-OCR
    cannot write it), else the surer engine's (Ж and M are a disagreement, not a shape)."""
    from fieldkit.ocr.choice import CYRILLIC_SHAPES

    if theirs is None:
        return mine[0]
    t = dict([mine, theirs]).get("tesseract", "")
    p = dict([mine, theirs]).get("ppocr", "")
    if t and p and t.upper() in CYRILLIC_SHAPES and p in CYRILLIC_SHAPES[t.upper()]:
        return "tesseract"
    return surer


def _best_word(word: str, engine: str, other_word: str | None, other_engine: str | None, regex,
               surer: str = "tesseract") -> tuple[str, list[str], int] | None:
    """The reading of ``word`` (lined up with ``other_word``) the pattern reads whole with the
    fewest confusions, then with digits as PP-OCR read them and letters as :func:`_letter_reader`
    says: (text, confusions, places against those), or None."""
    from fieldkit.markings.normalize import fold

    pairs = _paired(word, other_word) if other_word else [None] * len(word)
    places: list[list[Option]] = []
    letter_from: list[str] = []
    for i, ch in enumerate(word):
        options = _options(ch, engine, word)
        j = pairs[i]
        theirs = None
        if j is not None and other_engine is not None:
            theirs = (other_engine, other_word[j])  # type: ignore[index]
            options = _merged(options, _options(theirs[1], other_engine, other_word))  # type: ignore[arg-type]
        letter_from.append(_letter_reader((engine, ch), theirs, surer))
        if not options:
            return None  # a letter neither script of the standard has (a Latin-only letter): not a type number
        places.append(options)
    total = 1
    for options in places:
        total *= len(options)
        if total > MAX_COMBINATIONS:
            return None
    best = None
    for combo in product(*places):
        text = "".join(o.char for o in combo)
        m = regex.fullmatch(fold(text))
        # the function code is read, not made: its letters are letters in some engine's reading; and
        # where the other engine read the word too, the prefix and series are digits and letters as
        # one of them read them
        if m is None or any(o.confusion for o in combo[m.start("interfix"):m.end("interfix")]):
            continue
        if other_word and any(o.confusion for o in combo[:m.start("interfix")]):
            continue
        confusions = sum(o.confusion for o in combo)
        against = sum(("ppocr" if o.char.isdigit() else who) not in o.engines for o, who in zip(combo, letter_from))
        key = (confusions, against)
        if best is None or key < best[0]:
            made = [f"{ch} as {o.char}" for ch, o in zip(word, combo) if o.confusion]
            best = (key, text, made)
    if best is None or best[0][0] > min(MAX_CONFUSIONS, len(word) // 3):
        return None
    return best[1], best[2], best[0][1]


def designation_reading(texts: list[tuple[str, str]], tables, surer: str = "tesseract") -> Designation | None:
    """The line read as a Soviet/Russian type number, from (engine, text) readings of it, or None.
    ``surer``: the engine whose letters are kept where the two disagree otherwise than by shape.

    Each reading in turn is the skeleton: each of its words of MIN_WORD..MAX_WORD characters is
    lined up with the most alike word of the other engine's readings and read as the pattern asks
    (:func:`_best_word`). The reading with the fewest confusions wins, then the one with fewer places
    against each engine's strength, then PP-OCR's skeleton. The line keeps the skeleton's other
    words as read."""
    from fieldkit.markings.normalize import fold

    regex = _pattern(tables)
    if regex is None:
        return None
    # Cyrillic letters in some engine's reading of the line: without any, all that says "Soviet chip"
    # is the pattern, and a Latin lot or date code fits it too (2148AA1, C2045TB01)
    cyrillic_read = any(has_cyrillic(text) for _, text in texts)
    found = []
    for s, (engine, text) in enumerate(texts):
        words = text.split()
        for w, word in enumerate(words):
            if not MIN_WORD <= len(word) <= MAX_WORD or not any(c.isdigit() for c in word):
                continue
            rivals = [(o, other_word) for o, (e, t) in enumerate(texts) if e != engine for other_word in t.split()]
            rivals = [(o, x) for o, x in rivals if _likeness(word, x) >= MIN_LIKENESS]
            other = max(rivals, key=lambda r: _likeness(word, r[1]), default=None)
            agreed_latin = other is not None and fold(other[1]) == fold(word) and not has_cyrillic(word)
            got = _best_word(word, engine, other[1] if other else None, texts[other[0]][0] if other else None, regex,
                             surer)
            if got is None:
                continue
            new, made, against = got
            if agreed_latin:
                continue  # both engines read the same Latin word (DS90UB954, 1705AT1): left as read
            if not cyrillic_read and not has_prefix(new):
                continue  # no Cyrillic read anywhere: only the commercial prefix К... makes it a type number
            line = " ".join(words[:w] + [new] + words[w + 1:])
            found.append(((len(made), against, engine != "ppocr"), Designation(line, new, word, s,
                                                                               other[0] if other else None, made, "")))
    if not found:
        return None
    _, best = min(found, key=lambda f: f[0])
    parts = [f"{texts[best.skeleton][0]} read {best.read_word!r}"]
    if best.other is not None:
        parts.append(f"lined up with {texts[best.other][0]}'s {texts[best.other][1]!r}")
    if best.confusions:
        parts.append(f"read as the pattern's digits and letters: {', '.join(best.confusions)}")
    parts.append("letters written in Cyrillic")
    best.why = (f"Soviet IC designation pattern ({ROW_ID}: GOST 18682-73 / OST 11 073.915 system, function code"
                f" {_code(best.word, regex)}): " + "; ".join(parts))
    return best


def _code(word: str, regex) -> str:
    """The function code of a type number (Cyrillic, as written)."""
    from fieldkit.markings.normalize import fold

    m = regex.fullmatch(fold(word))
    return word[m.start("interfix"):m.end("interfix")] if m else "?"
