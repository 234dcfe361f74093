"""Choosing one reading of a line among the readings of two engines (tesseract and PP-OCR), on
evidence, with the basis kept.

Pure functions over :class:`EngineReading` values, so the choice can be tested on recorded engine
outputs. The evidence, in order:

1. **Script.** PP-OCR has no Hangul and no Cyrillic. A line is Hangul when tesseract read two
   Hangul syllables or more in a reading of some confidence (unless PP-OCR read the line surely,
   with no CJK in it), or PP-OCR read CJK ideographs (its stand-ins for Hangul); then only
   tesseract's reading competes. A line is Cyrillic when tesseract read at least two letters that
   only Cyrillic has, a sixth of its letters at least, or one in a reading of confidence
   SURE_ONE_LETTER or more; or when PP-OCR read the same line but for letters only Cyrillic has,
   read as their nearest shapes (Б as 5), or read letters of no script it writes (Φ) there.
   Letters shared with Latin (C, P, Y/У, М ...) never count, so neither a "У" nor one stray "Ч"
   in an unsure reading decides it; and a PP-OCR reading at SURE_OF_LATIN or more with a letter
   no Cyrillic letter is drawn like (NEVER_CYRILLIC: the d of Radio-86RK) outweighs tesseract's
   Cyrillic letters (:func:`_sure_latin_letters`). Marks tesseract read at a line's ends are set
   aside when its letters are compared with PP-OCR's shapes (:func:`_unedged`). In a Cyrillic
   line, PP-OCR's reading competes only when it is as long as tesseract's and all its letters are
   Latin twins of Cyrillic letters or the nearest shapes of the letters only Cyrillic has that
   tesseract read there: it is written with those Cyrillic
   letters (the shapes from PP-OCR, the letters it lacks from tesseract; :func:`merged_cyrillic`).
   Within the script, PP-OCR's sure reading (PP_SURE_OF_RUNS) lends what it reads well: in a
   Hangul line its Latin letters and digits, in a Cyrillic line its numbers, replace tesseract's
   run for run where the runs are alike (:func:`with_pp_runs`); and a word of PP-OCR's that the
   reference tables know as a designation once a letter it wrote for a Cyrillic one (V for У) is
   written as that letter is read so (:func:`designation_variant`). In a Hangul line, a reading
   with Cyrillic letters in it gives way to one without (tesseract's kor model alone, read when
   eng+kor+rus wrote Cyrillic there: fieldkit.ocr.reading._wants_korean); and a Juche date is made
   of both engines' halves, 주체 from tesseract and the year from PP-OCR, when the reference
   tables read it so (:func:`juche_reading`).
2. **Calibrated confidence.** Each engine's own confidence is mapped to the share of lines read
   exactly at that confidence on the tuning split of the real photographs and the synthetic set
   (:data:`CALIBRATION`; bench/ocr_real.py reports how well it separates right from wrong).
3. **Agreement.** Readings of both engines that are the same once whitespace, case and the
   Latin/Cyrillic look-alikes are folded confirm each other: their confidence becomes
   1 - (1 - p1)(1 - p2).
4. **Reference tables.** A reading that a known marking pattern reads (fieldkit.markings.matcher)
   or that starts with a known part-number family (fieldkit.components.attribution) gains
   :data:`REFERENCE_WEIGHT` times the share of the text the match covers; one matching nothing
   gains nothing. (The tables are consulted only when the readings differ and their calibrated
   confidences are closer than that weight: otherwise no match could change the choice.) A chip's
   Soviet/Russian type number is read by the reference pattern itself (fieldkit.ocr.designation:
   PP-OCR's digits, tesseract's Cyrillic letters, the function code from the standard's list), and
   that reading, written in Cyrillic, competes with the confidence of the engines it was read from
   and wins ties with the same text in look-alikes (:func:`_designation`).

The reading with the highest score wins; the confidence shown is its calibrated (and agreed)
confidence, 0..100.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field

from fieldkit.ocr.correction import CYRILLIC_TO_LATIN, LATIN_TO_CYRILLIC, fold_lookalikes, script_of

# raw confidence -> share of lines read exactly (piecewise linear between the points). Measured
# with `bench/ocr_real.py --calibration` on the tuning split of the real photographs (21 lines,
# each read by both engines; bench/RESULTS.md), smoothed towards the synthetic set where a band
# held one or two lines: few lines, so the points are coarse, but they rank PP-OCR's 0.95 below
# its 0.99 as the photographs do, and tesseract's 93 where it belongs (about one line in two).
CALIBRATION = {
    "ppocr": [(0.0, 0.0), (0.6, 0.02), (0.8, 0.05), (0.9, 0.3), (0.95, 0.5), (0.99, 0.9), (1.0, 0.97)],
    "tesseract": [(0.0, 0.0), (50.0, 0.03), (70.0, 0.2), (85.0, 0.35), (92.0, 0.6), (97.0, 0.75), (100.0, 0.8)],
}
REFERENCE_WEIGHT = 0.5
# Letters both scripts draw alike, or that OCR swaps between them: they never decide the script.
SHARED = set(LATIN_TO_CYRILLIC) | set(CYRILLIC_TO_LATIN) | {"Y", "y", "У", "у", "I", "i", "J", "j"}
# A script PP-OCR cannot read is decided by at least this many of its own letters (Hangul
# syllables; letters only Cyrillic has), in a tesseract reading at least this confident:
# tesseract's readings of textured metal hold stray Hangul and Cyrillic letters.
MIN_SCRIPT_LETTERS = 2
MIN_SCRIPT_CONFIDENCE = 25.0
MIN_CYRILLIC_SHARE = 0.15  # of the reading's letters: Cyrillic words are mostly letters Latin shares
SURE_OF_NO_HANGUL = 0.97  # a PP-OCR reading this sure, with no CJK in it, rules Hangul out
SURE_ONE_LETTER = 75.0  # one letter only Cyrillic has (Б in БК-6М) decides when tesseract is this sure
# Latin letters that no Cyrillic letter is drawn like, in print or italics, and that PP-OCR (which has
# no Cyrillic) does not write for one (CYRILLIC_SHAPES: it reads И as N, Я as R, У as V, Д as D
# or g, т as m, ш as w): one of these in a sure PP-OCR reading says the line is Latin
NEVER_CYRILLIC = set("FGLQSZdfhjlqsz")
SURE_OF_LATIN = 0.97  # a PP-OCR reading this sure with one of NEVER_CYRILLIC outweighs tesseract's Cyrillic letters


@dataclass
class EngineReading:
    """One engine's reading of a line: ``confidence`` is the engine's own (tesseract: mean word
    confidence 0..100; PP-OCR: mean character probability 0..1)."""

    engine: str
    text: str
    confidence: float
    detail: str = ""  # how it was read (languages, psm, pipeline; or orientation)
    calibrated: float = 0.0  # 0..1, filled in by choose()
    score: float = 0.0
    notes: list[str] = field(default_factory=list)
    as_read: str | None = None  # the engine's own text, when ``text`` is it rewritten (script)
    partial: bool = False  # PP-OCR: its text is far narrower than the line it was read from (it left part out)

    def to_json(self) -> dict:
        data = asdict(self)
        if not self.partial:
            del data["partial"]
        return data


@dataclass
class Choice:
    text: str
    confidence: float  # 0..100, calibrated and agreed
    engine: str
    basis: str
    readings: list[EngineReading]


def calibrate(engine: str, raw: float) -> float:
    points = CALIBRATION[engine]
    if raw <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if raw <= x1:
            return y0 + (y1 - y0) * (raw - x0) / (x1 - x0)
    return points[-1][1]


def _key(text: str) -> str:
    return "".join(fold_lookalikes(text).split())


def _unedged(text: str) -> str:
    """``text`` without its spaces and without the marks at its ends that the crop's edge or the
    surface is read as (fieldkit.ocr.correction rule 5, edge-mark: `БК-6М 1-19. is БК-6М 1-19), so
    that two engines' readings of a line are compared letter for letter."""
    from fieldkit.ocr.correction import EDGE_MARKS

    return "".join(text.split()).strip(EDGE_MARKS)


def is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e"


def is_ideograph(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK") or "\uff00" <= ch <= "\uffef"


MIN_TURN_CHARS = 3  # letters or digits (not CJK) PP-OCR must read in a crop turned 180° for the turn to count


def shows_upside_down(text: str, confidence: float) -> bool:
    """Whether PP-OCR's best reading of a crop wider than high, read turned 180°, is evidence that
    the line is upside down, so that tesseract reads it turned too: at least MIN_TURN_CHARS letters
    or digits that are not CJK stand-ins (an upside-down Korean label reads 卫出立：刊FB21-02-0531立 at
    0.89: its Hangul as stand-ins, its number read), or fewer, with no stand-in, at SURE_OF_NO_HANGUL
    or more (a headstamp's year 86 upside down; full-width punctuation, which PP-OCR writes for ':'
    and ')' in any line, is no stand-in). PP-OCR has no Hangul: of an upright Hangul line it reads a
    few stand-ins or a letter or two either way up, and the turned one can be the surer (real label
    lines, bench/ocr_real_extra.py: 号 at 0.80, 停停 at 0.45, IO at 0.60, YY at 0.59, and
    tesseract then read the line upside down: lols wir VIO Balk for 제품명: 자이스 렌즈 와이프),
    while the upside-down lines of the real tuning photos read AUTO and FEDERAL (0.78-0.9997)."""
    read = sum(ch.isalnum() and not is_ideograph(ch) for ch in text)
    if read >= MIN_TURN_CHARS:
        return True
    stand_in = any(is_ideograph(ch) and not unicodedata.category(ch).startswith("P") for ch in text)
    return read > 0 and not stand_in and confidence >= SURE_OF_NO_HANGUL


def cyrillic_only(text: str) -> list[str]:
    return [ch for ch in text if script_of(ch) == "cyrillic" and ch not in SHARED]


def merged_cyrillic(tess: str, pp: str) -> tuple[str, list[str]] | None:
    """PP-OCR's reading of a Cyrillic line written in Cyrillic: its Latin letters as their Cyrillic
    twins, and where tesseract read a letter only Cyrillic has and PP-OCR that letter's nearest
    shape (Б and 5), tesseract's letter, if PP-OCR confirms every such letter so. The shapes come
    from the better shape reader, the letters it lacks from the engine that has them. None when the
    two readings differ in length (spaces aside, and the marks tesseract read at the line's ends:
    :func:`_unedged`) or PP-OCR read a letter with no Cyrillic twin elsewhere. Also the letters taken."""
    t = "".join(tess.split())
    p = "".join(pp.split())
    if len(t) != len(p):
        t = _unedged(tess)
    if len(t) != len(p):
        return None
    # tesseract's letters are taken only when PP-OCR confirms every one of them by its shape
    confirmed = all(b in CYRILLIC_SHAPES.get(a, "") for a, b in zip(t, p) if script_of(a) == "cyrillic" and a not in SHARED)
    out, taken, k = [], [], 0
    for ch in pp:
        if ch.isspace():
            out.append(ch)
            continue
        theirs = t[k]
        k += 1
        if confirmed and script_of(theirs) == "cyrillic" and theirs not in SHARED and ch in CYRILLIC_SHAPES.get(theirs, ""):
            out.append(theirs)
            taken.append(f"{theirs} for {ch}")
        elif script_of(ch) == "latin":
            twin = as_cyrillic(ch)
            if twin is None:
                return None
            out.append(twin)
        elif ch.isalpha() and script_of(ch) != "cyrillic":
            return None
        else:
            out.append(ch)
    return "".join(out), taken


def as_cyrillic(text: str) -> str | None:
    """``text`` with its Latin letters written as their Cyrillic twins, or None when a letter has no twin."""
    out = []
    for ch in text:
        if script_of(ch) == "latin":
            twin = LATIN_TO_CYRILLIC.get(ch) or LATIN_TO_CYRILLIC.get(ch.upper())
            if twin is None:
                return None
            out.append(twin if ch in LATIN_TO_CYRILLIC else twin.lower())
        elif ch.isalpha() and script_of(ch) is None:
            return None
        else:
            out.append(ch)
    return "".join(out)


# What PP-OCR, which has no Cyrillic, reads a letter only Cyrillic has as (its nearest shapes).
CYRILLIC_SHAPES = {
    "Б": "56bB", "б": "56b", "З": "3", "з": "3", "Ф": "ΦφO0@", "ф": "Φφ", "Д": "AД", "Л": "JN", "П": "nN",
    "Г": "rT", "И": "NU", "Я": "R", "Ж": "XK", "Ш": "W", "Э": "3E", "Ц": "U", "Ы": "b", "Ч": "4",
}


def _shapes_agree(tess: EngineReading, pp: list[EngineReading]) -> str | None:
    """Why the line is Cyrillic, when PP-OCR read the same line as tesseract except that, where
    tesseract read a letter only Cyrillic has, PP-OCR read that letter's nearest shape in its own
    character set (Б as 5 or 6, З as 3, Ф as Φ): PP-OCR cannot write the letter, so its reading
    confirms the letter's shape instead of contradicting it. None when they differ otherwise."""
    t = _unedged(tess.text)
    if not cyrillic_only(t):
        return None
    for reading in pp:
        p = _unedged(reading.text)
        if len(p) != len(t) or not p:
            continue
        if swapped := _swaps(t, p):
            return (f"tesseract ({tess.detail}) and PP-OCR agree but for letters only Cyrillic has, which PP-OCR"
                    f" lacks and read as their nearest shapes ({', '.join(swapped)})")
    return None


def _swaps(t: str, p: str) -> list[str] | None:
    """Where tesseract's ``t`` has a letter only Cyrillic has and PP-OCR's ``p`` (as long) that
    letter's nearest shape, each as `Б as 5`; None when they differ otherwise (look-alikes equal)."""
    swapped = []
    for a, b in zip(t, p):
        if a in CYRILLIC_SHAPES and script_of(a) == "cyrillic" and a not in SHARED:
            if b not in CYRILLIC_SHAPES[a]:
                return None
            swapped.append(f"{a} as {b}")
        elif fold_lookalikes(a) != fold_lookalikes(b):
            return None
    return swapped


SURE_OF_HANGUL_WORD = 75.0  # tesseract's confidence at which its Hangul word beside PP-OCR's very reading counts


def _all_but_hangul(tess: EngineReading, pp: list[EngineReading]) -> str | None:
    """Why the line is Hangul, when tesseract read a Hangul word (two syllables or more, surely)
    and, besides it, exactly what PP-OCR read (주체113 and 113): PP-OCR, which has no Hangul, read
    the rest of the line and left the Hangul out, so its sureness says nothing against it. None
    otherwise (a stray syllable read into a Latin line does not count)."""
    syllables = [ch for ch in tess.text if "\uac00" <= ch <= "\ud7a3"]
    if len(syllables) < MIN_SCRIPT_LETTERS or tess.confidence < SURE_OF_HANGUL_WORD:
        return None
    rest = _key("".join(ch for ch in tess.text if not "\uac00" <= ch <= "\ud7a3")).strip("-.,:;'\"`")
    for r in pp:
        if rest and _key(r.text) == rest:
            return (f"tesseract ({tess.detail}) read Hangul ({''.join(syllables[:6])}, confidence {tess.confidence:.0f})"
                    f" beside exactly what PP-OCR read ({r.text!r}), which has no Hangul")
    return None


HANGUL_LABEL_CONFIDENCE = 60.0  # tesseract's confidence at which leading Hangul words before PP-OCR's reading count


def _label_beside(tess: EngineReading, pp: list[EngineReading], exact: bool = True) -> str | None:
    """Why the line is Hangul, when tesseract read it as whole Hangul words (each of two syllables
    or more: the label of a nameplate, 제조국, 계기정수) followed by exactly what PP-OCR read, at
    HANGUL_LABEL_CONFIDENCE or more (below :func:`_all_but_hangul`'s SURE_OF_HANGUL_WORD, which
    takes Hangul anywhere in the reading), and PP-OCR's reading is known to leave part of the line
    out (EngineReading.partial): PP-OCR, which has no Hangul, read the value and left the label out,
    so its sureness says nothing against it (synthetic nameplates, bench/RESULTS.md). When PP-OCR's
    reading fills the line, Hangul before it is what tesseract made of the crop's edge
    (이이 CYP 606541 at 62, beside PP-OCR's CYP 606541 at 0.97). The rest must equal PP-OCR's
    reading, or with ``exact`` False be LABEL_LIKENESS alike. None otherwise."""
    import difflib

    if tess.confidence < HANGUL_LABEL_CONFIDENCE:
        return None
    words = tess.text.strip(EDGE_QUOTES).split()
    label = []
    for word in words:
        bare = word.strip(":;,.()")
        if len(bare) >= MIN_SCRIPT_LETTERS and all("\uac00" <= ch <= "\ud7a3" for ch in bare):
            label.append(bare)
        else:
            break
    rest = _key(" ".join(words[len(label):])).strip("-.,:;'\"`")
    if not label or not rest:
        return None
    for r in pp:
        theirs = _key(r.text).strip("-.,:;'\"`")
        if theirs == rest and r.partial:
            return (f"tesseract ({tess.detail}) read Hangul words ({' '.join(label)}, confidence {tess.confidence:.0f})"
                    f" before exactly what PP-OCR read ({r.text!r}), which has no Hangul")
        if not exact and r.partial and difflib.SequenceMatcher(None, rest, theirs).ratio() >= LABEL_LIKENESS:
            return (f"tesseract ({tess.detail}) read Hangul words ({' '.join(label)}, confidence {tess.confidence:.0f})"
                    f" before what PP-OCR read ({r.text!r}), which left part of the line out")
    return None


LABEL_LIKENESS = 0.5  # difflib ratio of the rest of tesseract's reading to PP-OCR's partial one (:func:`_label_beside`)


EDGE_QUOTES = "\"'`“”‘’„«» "


# What PP-OCR writes for a letter only Cyrillic has (the inverse of CYRILLIC_SHAPES, and V for У,
# which CYRILLIC_SHAPES leaves out because Y already folds to У): a reading's designation is looked
# for with these letters written as the Cyrillic ones (:func:`designation_variant`).
PP_FOR_CYRILLIC: dict[str, list[str]] = {"V": ["У"], "v": ["у"]}
for _letter, _shapes in CYRILLIC_SHAPES.items():
    for _shape in _shapes:
        if _shape.isascii():
            PP_FOR_CYRILLIC.setdefault(_shape, []).append(_letter)
MAX_SWAPS = 2  # letters of one word written as Cyrillic at most, in a designation variant


def _designations(text: str, tables) -> list[str]:
    """The words of ``text`` that a reference pattern reads whole as a designation. Soviet/Russian
    IC type numbers are left to fieldkit.ocr.designation, which asks more of them (their pattern
    alone fits Latin lot and date codes: 1705AT1 would be 1705АГ1 here)."""
    from fieldkit.markings.matcher import match_marking
    from fieldkit.ocr.designation import ROW_ID

    words = set(text.split())
    return [m.matched for m in match_marking(text, tables)
            if "designation" in m.fields and m.matched in words and m.pattern_id != ROW_ID]


def designation_variant(text: str, tables=None) -> tuple[str, str] | None:
    """PP-OCR's reading with, in one word, up to MAX_SWAPS letters written as the Cyrillic letters
    PP-OCR writes them for (V for У, 5 for Б: :data:`PP_FOR_CYRILLIC`), when the reference tables
    then read that word whole as a known designation and did not before (9M22V is 9М22У, the Grad
    rocket's index). PP-OCR has no Cyrillic, so it cannot write the letter it saw; the tables, not
    a guess, decide that the word is the designation. The new text and why, or None."""
    from itertools import combinations, product

    swappable = [i for i, ch in enumerate(text) if ch in PP_FOR_CYRILLIC]
    if not swappable:
        return None
    from fieldkit.reference.plain import plain_reference

    tables = tables or plain_reference()
    known = set(_designations(text, tables))
    start = 0
    for word in text.split(" "):
        places = [i - start for i in swappable if start <= i < start + len(word)]
        if word and word not in known and places:
            for n in range(1, MAX_SWAPS + 1):
                for chosen in combinations(places, n):
                    for letters in product(*(PP_FOR_CYRILLIC[word[i]] for i in chosen)):
                        variant = list(word)
                        for i, letter in zip(chosen, letters):
                            variant[i] = letter
                        candidate = "".join(variant)
                        if candidate in _designations(candidate, tables):
                            swaps = ", ".join(f"{word[i]} as {letter}" for i, letter in zip(chosen, letters))
                            return (text[:start] + candidate + text[start + len(word):],
                                    f"PP-OCR, which has no Cyrillic, read {word!r}; with {swaps} it is {candidate!r},"
                                    " a designation the reference tables know")
        start += len(word) + 1
    return None


GREEK_FOR_CYRILLIC = {"Φ": "Ф", "φ": "ф"}  # what PP-OCR, which has no Cyrillic, writes for Ф (CYRILLIC_SHAPES)
# a Φ touching a letter, or a lone 0 (which beside a letter is the letter O: fieldkit.ocr.correction rule 6)
_GREEK_IN_WORD = re.compile(r"(?<=[^\W\d_])[Φφ]|[Φφ](?=[^\W\d_])|(?<=(?<!\d)0)[Φφ]|[Φφ](?=0(?!\d))")


def greek_as_cyrillic(text: str) -> tuple[str, str] | None:
    """PP-OCR's reading with its Greek Φ written as the Cyrillic Ф, where the Φ touches a letter or
    a lone 0 (0Φ-462 is ОФ-462): PP-OCR has no Cyrillic and writes Ф so, and no marking fieldkit
    knows is Greek. A Φ alone or beside a number (a diameter or phase sign: Φ10, 3Φ) is left. The
    new text and why, or None."""
    found = sorted({m.group() for m in _GREEK_IN_WORD.finditer(text)})
    if not found:
        return None
    out = _GREEK_IN_WORD.sub(lambda m: GREEK_FOR_CYRILLIC[m.group()], text)
    return out, (f"PP-OCR, which has no Cyrillic, writes Ф as the Greek {''.join(found)};"
                 " it is written as Ф (no marking fieldkit knows is Greek)")


PP_SURE_OF_RUNS = 0.8  # PP-OCR's confidence at which its runs replace tesseract's (:func:`with_pp_runs`)
MIN_RUN_LIKENESS = 0.5  # difflib ratio between tesseract's run and PP-OCR's for one to replace the other


def _runs(text: str, script: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that PP-OCR reads better than tesseract in a line of ``script``. In a
    Hangul line, what lies outside the Hangul (and CJK) with letters or digits in it, trimmed to
    its words with letters or digits (a ':' or '(' on its own is left where it is). In a Cyrillic
    line, runs of words with digits and no letters (PP-OCR writes Cyrillic letters as Latin
    look-alikes, and З as 3, but reads numbers well)."""
    if script != "hangul":
        words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
        runs: list[tuple[int, int]] = []
        joined = False  # whether the previous word was a number, so this one extends its run
        for start, end, word in words:
            number = any(c.isdigit() for c in word) and not any(c.isalpha() for c in word)
            if number and joined:
                runs[-1] = (runs[-1][0], end)
            elif number:
                runs.append((start, end))
            joined = number
        return runs
    runs, begin = [], None
    for i, ch in enumerate(text + "가"):
        # a lone jamo among letters and digits (506ㄷ1521) is a misread letter or digit, not Hangul
        if (is_hangul(ch) and not "\u3131" <= ch <= "\u318e") or is_ideograph(ch):
            if begin is not None:
                spans = [(m.start() + begin, m.end() + begin) for m in re.finditer(r"\S+", text[begin:i])
                         if any(c.isalnum() for c in m.group())]
                if spans:
                    runs.append((spans[0][0], spans[-1][1]))
                begin = None
        elif begin is None:
            begin = i
    return runs


def _stand_in(text: str, a: int, b: int) -> bool:
    """Whether the run text[a:b] of PP-OCR's reading of a Hangul line is one character between CJK
    characters with no space (粤8） for 특수형): PP-OCR's stand-in for a syllable, not a run of Latin
    letters or digits."""
    return (b - a == 1 and 0 < a and b < len(text) and is_ideograph(text[a - 1])
            and is_ideograph(text[b]))


def _without_border_bar(mine: str, other: str) -> str:
    """PP-OCR's run ``other`` without a bar at either end where tesseract's run ``mine`` has none and
    PP-OCR's is the longer: the crop's border (|440V beside 440\\). Where the two are as long, the bar
    stands where tesseract read a character (|440V beside 1440V), and tesseract's character is kept:
    dropping the bar would read a character short (440V)."""
    longer = len(_key(other)) > len(_key(mine))
    if other.startswith("|") and not mine.startswith("|"):
        other = other[1:] if longer else mine[:1] + other[1:]
    if other.endswith("|") and not mine.endswith("|"):
        other = other[:-1] if longer else other[:-1] + mine[-1:]
    return other


def with_pp_runs(tess: str, pp: str, script: str) -> tuple[str, list[str]] | None:
    """Tesseract's reading of a Hangul or Cyrillic line with the runs PP-OCR reads better replaced
    by PP-OCR's (:func:`_runs`: the Latin letters and digits of a Hangul line, the numbers of a
    Cyrillic one; PP-OCR has neither script, and writes Hangul as CJK stand-ins or leaves it out).
    Only when both readings have as many runs, paired in order; a pair is swapped only when its
    runs are alike (difflib ratio MIN_RUN_LIKENESS or more, spaces aside) and have as many words
    and as many characters, give or take one, or the same characters once spaces are removed (202 3
    and 2023); a run of PP-OCR's with a word more (3 270 83 for ЗАВОД 270 83: З read as 3) is left. So a Hangul syllable tesseract misread as Latin letters, where PP-OCR read CJK,
    keeps tesseract's reading, and a run of PP-OCR's that spans Hangul it left out (3 상 4 read as
    3 4) replaces nothing. When PP-OCR's reading of a Hangul line has more runs than tesseract's,
    its runs of one character between CJK stand-ins (:func:`_stand_in`) are left out first. None
    when nothing changes. Also the swaps made."""
    import difflib

    mine_runs, spans = _runs(tess, script), _runs(pp, script)
    if script == "hangul" and len(spans) > len(mine_runs):
        spans = [(a, b) for a, b in spans if not _stand_in(pp, a, b)]
    theirs = [pp[a:b] for a, b in spans]
    if len(mine_runs) != len(theirs):
        return None
    out, swaps, pos = [], [], 0
    for (a, b), other in zip(mine_runs, theirs):
        other = _without_border_bar(tess[a:b], other)
        mine, k1, k2 = tess[a:b], _key(tess[a:b]), _key(other)
        # as many words and as long, give or take a character, or the same once spaces are removed
        shaped = k1 == k2 or (len(mine.split()) == len(other.split()) and abs(len(k1) - len(k2)) <= 1)
        if mine != other and shaped and difflib.SequenceMatcher(None, k1, k2).ratio() >= MIN_RUN_LIKENESS:
            out.append(tess[pos:a] + other)
            pos = b
            swaps.append(f"{mine!r} as {other!r}")
    if not swaps:
        return None
    return "".join(out) + tess[pos:], swaps


# What follows PP-OCR's stand-ins for 주체 in its reading of a Juche date: the year (two or three
# digits), a part number or month after a dash, and the Christian year in brackets (주체112(2023))
_JUCHE_TAIL = re.compile(r"\s?(?P<year>\d{2,3})(?:-\d{1,2})?(?:\s?\((?P<ad>\d{4})\))?")
JUCHE_OFFSET = 1911  # 주체 1 is 1912 (reference/marking_patterns.csv, dprk-juche-hangul-with-gregorian)


def _juche_like(text: str) -> str | None:
    """Two Hangul syllables side by side in ``text`` that tesseract may have made of 주체: the first
    read as 주 or a letter like it, or the second as 체 or one like it
    (fieldkit.ocr.correction.JUCHE_FIRST, JUCHE_SECOND). None when there are none."""
    from fieldkit.ocr.correction import JUCHE_FIRST, JUCHE_SECOND

    for a, b in zip(text, text[1:]):
        if "\uac00" <= a <= "\ud7a3" and "\uac00" <= b <= "\ud7a3" and (a in JUCHE_FIRST or b in JUCHE_SECOND):
            return a + b
    return None


def juche_reading(tess: list[EngineReading], pp: list[EngineReading], tables=None) -> tuple[str, EngineReading, str] | None:
    """A Juche date made of the two engines' halves: PP-OCR, which has no Hangul, read one or two
    CJK stand-ins and then a year (圣礼111-4, 平113), and tesseract read two syllables like 주체
    there (-주제: 111-4, -주책, 주세니고) but not the year. The text is 주체 followed by what PP-OCR
    read after its stand-ins, and only when the reference tables read it as a Juche year (the
    marking patterns dprk-juche-hangul-*) and a Christian year in brackets, if any, is the Juche
    year's. The text, the tesseract reading it builds on, and why; or None."""
    from fieldkit.markings.matcher import match_marking
    from fieldkit.reference.plain import plain_reference

    for r in pp:
        text = r.text.strip()
        n = 0
        while n < len(text) and n < 2 and is_ideograph(text[n]):
            n += 1
        tail = _JUCHE_TAIL.fullmatch(text[n:].rstrip()) if n else None
        if tail is None or (tail["ad"] and int(tail["ad"]) != int(tail["year"]) + JUCHE_OFFSET):
            continue
        for t in tess:
            pair = _juche_like(t.text)
            if pair is None:
                continue
            candidate = "주체" + text[n:].rstrip()
            tables = tables or plain_reference()
            known = [m.pattern_id for m in match_marking(candidate, tables)
                     if m.pattern_id.startswith("dprk-juche-hangul") and m.fields.get("year") == tail["year"]]
            if known:
                return candidate, t, (f"주체 and the year from both engines: tesseract ({t.detail}) read {pair!r} where PP-OCR,"
                                      f" which has no Hangul, read {text[:n]!r} before the year {text[n:].strip()!r};"
                                      f" the reference pattern {known[0]} reads it")
    return None


def _sure_latin_letters(pp: list[EngineReading], tess: list[EngineReading]) -> str | None:
    """Why the line is Latin whatever letters only Cyrillic has tesseract read in it: PP-OCR read it
    at SURE_OF_LATIN or more with a letter that no Cyrillic letter is drawn like and that it never
    writes for one (:data:`NEVER_CYRILLIC`: the d of Radio-86RK, which tesseract read as Яадю-86АК
    on a real label turned 3°). A Cyrillic line gives PP-OCR no such letter that surely: on the
    synthetic tuning seeds its readings of Cyrillic lines with one were at most 0.953 sure (QΦ-462
    for ОФ-462), and СДЕЛАНО read as CLENAHO on a real chip at 0.89. None when no reading qualifies
    or tesseract read no letter only Cyrillic has."""
    if not any(cyrillic_only(r.text) for r in tess):
        return None
    for r in pp:
        latin = sorted(set(r.text) & NEVER_CYRILLIC)
        if latin and r.confidence >= SURE_OF_LATIN:
            return (f"PP-OCR read it surely ({r.confidence:.3f}) with letters no Cyrillic letter is drawn like"
                    f" ({''.join(latin[:6])}), which outweigh the letters only Cyrillic has in tesseract's reading")
    return None


MIN_HANGUL_VOTERS = 3  # tesseract readings with Hangul in them needed for :func:`hangul_consensus`


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions and substitutions of one character)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def foreign_excess(tess: str, pp: str) -> int:
    """How far tesseract's reading of a Hangul line strays from the places of PP-OCR's reading, which
    reads the Latin letters and digits of a nameplate well and writes its Hangul as CJK stand-ins (or
    leaves it out). Both are taken as letters and digits, each run of Hangul (or stand-ins) one
    token, and aligned in order (difflib); counted: letters and digits tesseract read beyond those
    PP-OCR read at a place (`DAYS 전화 : 053)582-6521` where PP-OCR read `卫耳：053)582-6521`: 4),
    and runs of Hangul where PP-OCR read letters or digits only (`제조국 : 6아12` for `列丕号：60Hz`:
    1). A letter or digit read as another counts nothing; Cyrillic letters count like Latin ones; nor
    do letters and digits after the last place PP-OCR read (주체 112 (2023) where PP-OCR read 主体112:
    PP-OCR left the line's end out, which says nothing against them)."""
    import difflib

    def tokens(text: str, stand_ins) -> list[str]:
        out: list[str] = []
        for ch in fold_lookalikes(unicodedata.normalize("NFKC", text)).upper():
            if is_hangul(ch) or stand_ins(ch):
                if not out or out[-1] != "가":
                    out.append("가")
            elif ch.isalnum():
                out.append(ch)
        return out

    mine, theirs = tokens(tess, lambda ch: False), tokens(pp, is_ideograph)
    excess = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, mine, theirs, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "delete" and j1 == len(theirs)):
            continue  # after the end of PP-OCR's reading it read nothing: it left the line's end out
        a, b = mine[i1:i2], theirs[j1:j2]
        excess += max(0, sum(t != "가" for t in a) - sum(t != "가" for t in b))
        if tag == "replace" and "가" not in b:
            excess += a.count("가")
    return excess


def fewest_foreign(texts: list[str], pp: str | None) -> list[int]:
    """The indices of the readings among ``texts`` (tesseract's, of a Hangul line) that may be
    chosen once PP-OCR's sure reading ``pp`` is heard (:func:`foreign_excess`): of the readings with
    MIN_SCRIPT_LETTERS Hangul syllables or more, those with the fewest letters and digits beyond
    PP-OCR's; a reading with fewer syllables only when it has no more than they. Every index when
    ``pp`` is None or no reading has that much Hangul."""
    if not pp:
        return list(range(len(texts)))
    excess = [foreign_excess(t, pp) for t in texts]
    hangul = [i for i, t in enumerate(texts) if sum("\uac00" <= ch <= "\ud7a3" for ch in t) >= MIN_SCRIPT_LETTERS]
    if not hangul:
        return list(range(len(texts)))
    least = min(excess[i] for i in hangul)
    return [i for i in range(len(texts)) if excess[i] <= least]


def hangul_consensus(readings: list[tuple[str, float]], pp: str | None = None) -> tuple[int, str] | None:
    """Among tesseract's readings of a Hangul line, (text, confidence) pairs from several models and
    pipelines, the one whose Hangul syllables the others' are nearest to (the fewest syllable edits
    to all of them, each reading's syllables taken in order with everything else left out), and why.

    Tesseract's confidence does not tell its Hangul misreadings from its right readings (on the KEPCO
    nameplates of the real tuning photos it was surer of 고픽상담 전학 than of 고객상담 전화), but
    its models and pipelines misread differently, so the syllables most readings share are the ones
    kept. Readings with Cyrillic letters in them (eng+kor+rus writes a syllable as М) vote with their
    Hangul but are not chosen when others have none; given PP-OCR's sure reading ``pp``, only the
    readings with the fewest letters or digits where PP-OCR read Hangul may be chosen
    (:func:`fewest_foreign`). Ties go to the higher confidence, then to the earlier reading. None
    when fewer than MIN_HANGUL_VOTERS readings have Hangul in them.
    """
    voters = [i for i, (text, _) in enumerate(readings) if any(is_hangul(ch) for ch in text)]
    if len(voters) < MIN_HANGUL_VOTERS:
        return None
    # a reading with Cyrillic letters votes with its Hangul but is not chosen when another has none
    plain = [i for i in voters if not any(script_of(ch) == "cyrillic" for ch in readings[i][0])] or voters
    syllables = {i: "".join(ch for ch in readings[i][0] if is_hangul(ch)) for i in voters}
    cost = {i: sum(_edits(syllables[i], syllables[j]) for j in voters) for i in voters}
    # only those with no Latin letters or digits where PP-OCR read none may win
    allowed = set(fewest_foreign([text for text, _ in readings], pp)) & set(plain) or set(plain)
    best = min(allowed, key=lambda i: (cost[i], -readings[i][1], i))
    same = sum(syllables[j] == syllables[best] for j in voters)
    left = (f"; readings with letters or digits where PP-OCR read Hangul set aside ({len(voters) - len(allowed)})"
            if len(allowed) < len(voters) else "")
    return best, (f"its Hangul ({syllables[best]}) is nearest the Hangul of the {len(voters)} tesseract readings"
                  f" that have some ({same} read it so; {cost[best]} syllable edits from all of them){left}")


SURE_OF_WHOLE = 0.99  # a PP-OCR reading this sure is the line's whole text (as reading.SURE_ALONE: every such reading was exact on the tuning photos)
FRAGMENT_SHARE = 0.5  # a tesseract reading with under this share of such a reading's letters and digits is a fragment


def _fragment(tess: EngineReading, pp: list[EngineReading]) -> bool:
    """Whether tesseract's reading is a fragment of the surface, not a reading of the line: PP-OCR
    read the line SURE_OF_WHOLE (not a part of it, :attr:`EngineReading.partial`) and tesseract's
    reading has under FRAGMENT_SHARE of its letters and digits. Its letters then say nothing of the
    line's script: on the stamped part number 059145950B (a real tuning crop padded by 40%) PP-OCR
    read it exactly at 0.999 and tesseract's Cyrillic re-read `изв` at 32 made the line Cyrillic.
    A short reading that agrees with a run of PP-OCR's reading (look-alikes equal, a letter only
    Cyrillic has read as its nearest shape: :func:`_swaps`) is a reading of part of the line, not a
    fragment: the ЛА7 of К561ЛА7 beside PP-OCR's K561JA7."""
    own = sum(ch.isalnum() for ch in tess.text)
    t = _unedged(tess.text)
    for r in pp:
        if r.confidence < SURE_OF_WHOLE or r.partial or own >= FRAGMENT_SHARE * sum(ch.isalnum() for ch in r.text):
            continue
        p = _unedged(r.text)
        if not t or not any(_swaps(t, p[i:i + len(t)]) is not None for i in range(len(p) - len(t) + 1)):
            return True
    return False


def line_script(readings: list[EngineReading]) -> tuple[str, str]:
    """('hangul' | 'cyrillic' | 'latin', why)."""
    tess = [r for r in readings if r.engine == "tesseract" and r.text]
    pp = [r for r in readings if r.engine == "ppocr" and r.text]
    # PP-OCR writes Hangul as CJK stand-ins, or drops it and is unsure: a sure reading of it with
    # no CJK says the line has no Hangul, whatever tesseract made of the surface
    pp_sure = any(r.confidence >= SURE_OF_NO_HANGUL and not any(is_ideograph(ch) for ch in r.text) for r in pp)
    if pp_sure and all(r.partial for r in pp):
        # ...unless it read only part of the line, and tesseract read whole Hangul words beside it
        for r in tess:
            if (why := _label_beside(r, pp, exact=False)) is not None:
                return "hangul", why
    for r in tess:
        if (why := _all_but_hangul(r, pp) or _label_beside(r, pp)) is not None:
            return "hangul", why
    for r in tess if not pp_sure else []:
        syllables = [ch for ch in r.text if "\uac00" <= ch <= "\ud7a3"]
        if len(syllables) >= MIN_SCRIPT_LETTERS and r.confidence >= MIN_SCRIPT_CONFIDENCE:
            shown = "".join(sorted(set(syllables))[:6])
            return "hangul", f"tesseract ({r.detail}) read Hangul ({shown}, confidence {r.confidence:.0f}), which PP-OCR cannot read"
    foreign = sorted({ch for r in pp for ch in r.text if ch.isalpha() and not is_ideograph(ch) and script_of(ch) != "latin"})
    if foreign and any(cyrillic_only(r.text) for r in tess):
        return "cyrillic", (f"PP-OCR read letters of no script it writes ({''.join(foreign)}) where tesseract read"
                            " letters only Cyrillic has")
    ideographs = sorted({ch for r in pp for ch in r.text if is_ideograph(ch)})
    if ideographs:
        return "hangul", f"PP-OCR read CJK characters ({''.join(ideographs[:6])}) where fieldkit expects Hangul, which it cannot read"
    for r in tess:
        if (why := _shapes_agree(r, pp)) is not None:
            return "cyrillic", why
    if (why := _sure_latin_letters(pp, tess)) is not None:
        return "latin", why
    for r in tess:
        if _fragment(r, pp):
            continue
        letters = cyrillic_only(r.text)
        share = len(letters) / max(1, sum(ch.isalpha() for ch in r.text))
        enough = len(letters) >= MIN_SCRIPT_LETTERS and share >= MIN_CYRILLIC_SHARE and r.confidence >= MIN_SCRIPT_CONFIDENCE
        if enough or (letters and r.confidence >= SURE_ONE_LETTER):
            return "cyrillic", (f"tesseract ({r.detail}) read {len(letters)} letters only Cyrillic has"
                                f" ({''.join(sorted(set(letters)))}, confidence {r.confidence:.0f})")
    return "latin", "no reading has letters of a script PP-OCR cannot read"


def _family_prefixes(tables) -> dict[str, str]:
    """Every part-number family prefix the tables know (families and manufacturers' prefixes), folded -> as written."""
    from fieldkit.components.attribution import part_key
    from fieldkit.components.manufacturers import split_list

    if "ocr_family_prefixes" not in tables._cache:
        firms = {row.id for row in tables.manufacturers}
        # an unknown firm is never an answer; a family with a closing hyphen (TSM-, B10B-) names a part only where
        # the text has that hyphen, which a folded prefix cannot check, so it gives no bonus here
        written = [f.family for f in tables.families if f.firm_id in firms and not f.family.strip().endswith("-")]
        written += [p for row in tables.manufacturers for p in split_list(row.prefixes)]
        tables._cache["ocr_family_prefixes"] = {part_key(p): p for p in reversed(written) if part_key(p)}
    return tables._cache["ocr_family_prefixes"]


def _reference_bonus(text: str, tables) -> tuple[float, str | None]:
    from fieldkit.components.attribution import part_key
    from fieldkit.markings.matcher import match_marking
    from fieldkit.ocr.correction import correct
    from fieldkit.reference.plain import plain_reference

    # the tables as their files give them (csv and compiled patterns, no pydantic: start-up time);
    # `fieldkit reference check` validates them, and a row it would refuse is left out here
    tables = tables or plain_reference()
    corrected, _ = correct(text)
    letters = len(corrected.replace(" ", "")) or 1
    best, why = 0.0, None
    for match in match_marking(corrected, tables)[:1]:
        coverage = min(1.0, len(match.matched.replace(" ", "")) / letters)
        best, why = match.score * coverage, f"matches the marking pattern {match.pattern_id} over {coverage:.0%} of its text"
    key = part_key(corrected.split()[0]) if corrected.split() else ""
    if key:
        prefixes = _family_prefixes(tables)
        for length in sorted({len(p) for p in prefixes}, reverse=True):
            if length <= len(key) and key[:length] in prefixes:
                coverage = min(1.0, length / letters * 2)  # a family prefix names the part, not every character
                if coverage > best:
                    best, why = coverage, f"starts with the part-number family {prefixes[key[:length]]!r}"
                break
    return REFERENCE_WEIGHT * best, why


SUPPORTING_LIKENESS = 0.7  # difflib ratio at which the other engine's word lends its confidence to a type number


def _designation(readings: list[EngineReading], tables) -> EngineReading | None:
    """The line read as a Soviet/Russian integrated-circuit type number by the reference pattern
    (fieldkit.ocr.designation: digits where the pattern has digits, the standard's function code in
    Cyrillic), as a reading of the engine whose reading it was built on, with its calibrated
    confidence, or the other engine's when that engine's word is SUPPORTING_LIKENESS alike and no
    character was read as a confusion (a digit for a letter or the reverse); None
    when the pattern reads neither engine's words."""
    from fieldkit.ocr.designation import _likeness, designation_reading
    from fieldkit.reference.plain import plain_reference

    sources = [r for r in readings if r.text and r.engine in ("tesseract", "ppocr")]
    if not sources:
        return None
    surer = max(sources, key=lambda r: r.calibrated).engine
    found = designation_reading([(r.engine, r.text) for r in sources], tables or plain_reference(), surer)
    if found is None:
        return None
    base = sources[found.skeleton]
    calibrated = base.calibrated
    if found.other is not None and not found.confusions:  # a word changed by the pattern is not the other engine's
        other = sources[found.other]
        if max(_likeness(found.word, w) for w in other.text.split()) >= SUPPORTING_LIKENESS:
            calibrated = max(calibrated, other.calibrated)
    return EngineReading(base.engine, found.text, base.confidence, f"{base.detail}, read as a type number".lstrip(", "),
                         calibrated, notes=[found.why], as_read=base.as_read or base.text)


def choose(readings: list[EngineReading], tables=None) -> Choice:
    """The reading to keep, its confidence and the basis; every reading keeps its own notes."""
    script, script_why = line_script(readings)
    for r in readings:
        r.calibrated = calibrate(r.engine, r.confidence) if r.text else 0.0
    pool = [r for r in readings if r.text]
    extra: list[EngineReading] = []
    rewritten: list[EngineReading] = []  # readings replaced in the pool by a rewriting of their text
    borrowed: set[int] = set()  # tesseract's readings with PP-OCR's runs in them (ids)

    def replace(r: EngineReading, text: str, note: str, detail: str) -> None:
        written = EngineReading(r.engine, text, r.confidence, detail, r.calibrated, notes=[note], as_read=r.as_read or r.text)
        r.notes.append(f"written as {text!r}: {note}")
        pool[pool.index(r)] = written
        extra.append(written)
        rewritten.append(r)

    if script != "hangul":
        # ...unless tesseract read letters only Cyrillic has beyond Ф (Ж in ОФ-462 ЖК): PP-OCR cannot
        # write those, so its reading of the line is wrong there, and tesseract's must not lose to it
        cannot_write = any(set(cyrillic_only(t.text)) - set("Фф") for t in pool if t.engine != "ppocr")
        for r in [r for r in pool if r.engine == "ppocr" and not cannot_write]:
            if (greek := greek_as_cyrillic(r.text)) is not None:
                replace(r, greek[0], greek[1], r.detail + ", Φ written as Ф")
        for r in [r for r in pool if r.engine == "ppocr"]:
            if (variant := designation_variant(r.text, tables)) is not None:
                replace(r, variant[0], variant[1], r.detail + ", a designation's Cyrillic letters")
    sure = [r for r in readings if r.engine == "ppocr" and r.text and r.confidence >= PP_SURE_OF_RUNS and not r.as_read]
    pp = max(sure, key=lambda r: r.confidence, default=None)
    for r in [r for r in pool if r.engine == "tesseract"] if pp is not None and script != "latin" else []:
        if (merged := with_pp_runs(r.text, pp.text, script)) is not None:
            what = "Latin letters and digits" if script == "hangul" else "numbers"
            replace(r, merged[0], f"{what} as PP-OCR ({pp.detail}, confidence {pp.confidence:.2f}) read them:"
                    f" {', '.join(merged[1])}", f"{r.detail}, {what} from PP-OCR")
            borrowed.add(id(extra[-1]))
    if script == "hangul":
        pool = [r for r in pool if r.engine == "tesseract"]
        juche = juche_reading([r for r in readings if r.engine == "tesseract" and r.text],
                              [r for r in readings if r.engine == "ppocr" and r.text], tables)
        if juche is not None and all(_key(r.text) != _key(juche[0]) for r in pool):
            text, source, why = juche
            built = EngineReading("tesseract", text, source.confidence, f"{source.detail}, year from PP-OCR",
                                  source.calibrated, notes=[why], as_read=source.as_read or source.text)
            pool.append(built)
            extra.append(built)
            borrowed.add(id(built))
        # Hangul lines hold Hangul, Latin letters and digits: a reading with Cyrillic letters in it
        # (eng+kor+rus writes a syllable as М, and Latin as its Cyrillic twins) gives way to one
        # without them (kor alone cannot write Cyrillic)
        plain = [r for r in pool if not any(script_of(ch) == "cyrillic" for ch in r.text)]
        if plain and len(plain) < len(pool):
            for r in pool:
                if r not in plain:
                    r.notes.append("not chosen: it has Cyrillic letters in a Hangul line, and another reading has none")
                    rewritten.append(r)  # its note says why; not "the line is Hangul"
            pool = plain
        # ...and one with letters or digits where PP-OCR's sure reading has none (Hangul read as
        # Latin letters: DAYS for 고객상담) gives way to one with Hangul there (:func:`fewest_foreign`)
        if pp is not None and len(pool) > 1:
            fewest = [pool[i] for i in fewest_foreign([r.text for r in pool], pp.text)]
            for r in pool:
                if r not in fewest:
                    r.notes.append(f"not chosen: it has {foreign_excess(r.text, pp.text)} letters or digits where PP-OCR"
                                   f" ({pp.confidence:.2f}) read Hangul or nothing, and another reading has fewer")
                    rewritten.append(r)
            pool = fewest
    elif script == "cyrillic":
        keep = [r for r in pool if r.engine == "tesseract"]
        # PP-OCR's reading, written in Cyrillic, competes unless it stands a digit or another
        # shape for a letter only Cyrillic has (then tesseract's is the reading, see _shapes_agree)
        best_tess = max(keep, key=lambda r: r.calibrated, default=None)
        for r in pool:
            if r.engine != "ppocr" or best_tess is None or (merged := merged_cyrillic(best_tess.text, r.text)) is None:
                continue
            text, taken = merged
            how = f"PP-OCR read {r.text!r}; written in Cyrillic" + (f", with tesseract's {', '.join(taken)}" if taken else "")
            folded = EngineReading("ppocr", text, r.confidence, r.detail + ", letters written as Cyrillic",
                                   r.calibrated, notes=r.notes[-1:] + [how] if r.as_read else [how], as_read=r.as_read or r.text)
            extra.append(folded)
            keep.append(folded)
        pool = keep
    typed = _designation(readings, tables) if script != "hangul" else None
    if typed is not None:  # the reference pattern of Soviet/Russian type numbers reads the line
        pool.append(typed)
        extra.append(typed)
    for r in readings + extra:
        if r.text and r not in pool and r not in rewritten:
            r.notes.append(f"not chosen: the line is {script.title()} ({script_why})")
    # agreement between engines (a reading with PP-OCR's runs in it is not a second opinion on PP-OCR's)
    for r in pool:
        others = [o for o in pool if o.engine != r.engine and _key(o.text) == _key(r.text)
                  and not {id(o), id(r)} & borrowed]
        if others:
            best_other = max(o.calibrated for o in others)
            r.calibrated = 1 - (1 - r.calibrated) * (1 - best_other)
            r.notes.append(f"agrees with {others[0].engine} ({others[0].detail})")
    for r in pool:
        r.score = r.calibrated
    distinct = sorted({_key(r.text): r.calibrated for r in pool}.values(), reverse=True)
    if typed is not None or (len(distinct) > 1 and distinct[0] - distinct[1] < REFERENCE_WEIGHT):
        # only when a match could change the choice are the reference tables loaded (start-up time)
        for r in pool:
            bonus, why = _reference_bonus(r.text, tables)
            r.score = r.calibrated + bonus
            if why:
                r.notes.append(why)
    if typed is not None:  # the same reading in its own script: as strong as any reading of it in look-alikes
        typed.score = max([typed.score] + [r.score for r in pool if _key(r.text) == _key(typed.text)])
    all_readings = readings + extra
    if not pool:
        empty = readings[0] if readings else EngineReading("none", "", 0.0)
        return Choice("", 0.0, empty.engine, "no engine read any text", all_readings)
    # On a tie (readings that agree), the script decides how the shared letters are written: in a
    # Latin line as PP-OCR wrote them, else as tesseract did.
    writer = "ppocr" if script == "latin" else "tesseract"
    # ...and a type number the designation pattern read is written as the pattern reads it (Cyrillic)
    best = max(pool, key=lambda r: (round(r.score, 9), r is typed, round(r.calibrated, 9), r.engine == writer))
    runner = max((r for r in pool if r is not best and _key(r.text) != _key(best.text)), key=lambda r: r.score, default=None)
    basis = f"{best.engine} ({best.detail}): calibrated confidence {best.calibrated:.2f}"
    if best.notes:
        basis += "; " + "; ".join(best.notes)
    if script != "latin":
        basis += f"; line is {script.title()}: {script_why}"
    if runner is not None:
        basis += f"; over {runner.engine}'s {runner.text!r} (score {runner.score:.2f})"
    return Choice(best.text, round(100 * best.calibrated, 1), best.engine, basis, all_readings)
