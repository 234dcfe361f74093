"""Reading one line or one photo with both OCR engines: tesseract (fieldkit.ocr.engine) and
PP-OCR (fieldkit.ocr.ppocr), the reading chosen on evidence (fieldkit.ocr.choice) and corrected
(fieldkit.ocr.correction), the text as read kept beside the correction.

What the CLI's `fieldkit ocr FILE` needs and nothing more: no catalog, no evidence store (those
are in fieldkit.ocr.photos), so reading a file starts quickly (issue 17.7).

Speed (issue 18, time per line): PP-OCR runs in this process (one onnxruntime session per model,
kept for the run; about 0.05 s a line once loaded); tesseract runs in its own processes. On a
crop wider than high, tesseract's quick reading (:data:`QUICK_PIPELINE`, one process) starts
beside PP-OCR. A line PP-OCR reads surely with a letter only Latin has needs no tesseract
(:func:`_tesseract_not_needed`: the quick reading is stopped); a line whose quick reading is
settled (:func:`_settled`) is done; any other line gets tesseract's full set of pipelines and
its Cyrillic re-read (two processes, side by side); when PP-OCR read CJK, a kor re-read takes
the Cyrillic one's place and starts with the main run, and so does a reading of the crop as it is
and in gray by tesseract's Hangul script model, and kor on gray images (:func:`_hangul_vote`: in a
Hangul line the Hangul most readings agree on is kept, not the surest reading's; the same reads
follow the main run when tesseract read Hangul words where PP-OCR read no CJK). A sure PP-OCR
reading far narrower than its crop (:func:`_leaves_part_out`) left part of the line out: tesseract
is not skipped.
"""

from __future__ import annotations

import dataclasses
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from PIL import Image, ImageOps

from fieldkit.errors import OcrUnavailable, PhotoError, ValidationError
from fieldkit.ocr import ppocr, preprocess
from fieldkit.ocr.choice import NEVER_CYRILLIC, SHARED, SURE_OF_NO_HANGUL, Choice, EngineReading, choose, is_ideograph, line_script
from fieldkit.ocr.choice import PP_SURE_OF_RUNS, foreign_excess, hangul_consensus, is_hangul, shows_upside_down
from fieldkit.ocr.correction import Correction, correct, fold_lookalikes as fold, script_of
from fieldkit.ocr.engine import (
    DEFAULT_LANGUAGES,
    DEFAULT_PIPELINES,
    HANGUL_PIPELINES,
    HANGUL_SCRIPT,
    OcrCancelled,
    OcrCandidate,
    OcrLine,
    OcrResult,
    OcrWord,
    check_available,
    ocr_image,
    open_image,
    read_strips,
    validate_crop,
)

Progress = Callable[[int, int], None]
QUICK_PIPELINE = DEFAULT_PIPELINES[0]  # the single pipeline of the quick tesseract reading
# tesseract's kor model also reads a line PP-OCR saw CJK in on gray, unbinarised images, for the
# Hangul vote only: on the Hangul and mixed tuning lines and their perturbations (bench/ocr_perturbed.py)
# its syllables were nearer the truth there than on the flattened, thickened and closed images of
# DEFAULT_PIPELINES (23 and 22 syllable edits over 40 readings, against 42-64); its kor re-read keeps
# DEFAULT_PIPELINES (stamped and stencilled Juche dates need them: synthetic tuning seeds)
KOR_VOTE_PIPELINES = ["gray", "denoised"]
MIN_LINE_CHARS = 2  # a line detected in a whole photo is kept with at least this many letters or digits
MAX_STRIP_PIXELS = 40_000_000  # an unrolled ring larger than this is refused (a crafted --ring)


@dataclass
class Reading:
    """An OCR result and its correction (the corrected text, and each change with its basis).

    ``result.text`` is the chosen engine's text as read; the first correction, when there is one
    with the basis of a choice, replaces it with another reading (one the reference tables
    recognise, or PP-OCR's letters written in the Cyrillic script tesseract saw); the corrections
    after it refer to that reading. ``readings`` holds each engine's reading of the line, with
    its calibrated confidence and notes (fieldkit.ocr.choice).
    """

    result: OcrResult
    corrected: str
    corrections: list[Correction]
    readings: list[EngineReading] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return self.result.to_json() | {
            "corrected": self.corrected,
            "corrections": [asdict(c) for c in self.corrections],
            "engines": [r.to_json() for r in self.readings],
        }


ENGINES = ("auto", "tesseract", "ppocr")
WHOLE_PHOTO_LINES = 40  # lines read from a whole photo: the detector's surest first
SHOWN_CANDIDATES = 8  # "also tried" readings kept per line


def read(
    source: str | os.PathLike | Image.Image,
    *,
    languages: str = DEFAULT_LANGUAGES,
    crop: tuple[int, int, int, int] | None = None,
    psm: int | None = None,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
    engine: str = "auto",
    ring: tuple[float, float, float, float, float] | None = None,
    rotate: float = 0.0,
) -> Reading:
    """OCR an image file or a Pillow image, and correct what was read.

    ``engine``: "auto" reads with tesseract and PP-OCR (when installed) and chooses on evidence
    (fieldkit.ocr.choice); "tesseract" or "ppocr" uses one. A crop (or an image that is one line)
    is read as one line; a whole photo has its text lines detected first (PP-OCR's detector), and
    each line is read. ``ring`` (centre x, centre y, inner radius, outer radius, start angle) reads
    the ring unrolled into a strip (preprocess.unroll_ring), instead of ``crop``. ``rotate``
    turns the crop (degrees counter-clockwise) before it is read; the crop recorded is the box on
    the photo, with the rotation beside it.

    A path is opened first, so a missing or unreadable file is reported as such even when
    tesseract is missing too.
    """
    if engine not in ENGINES:
        raise ValidationError(f"unknown OCR engine {engine!r}: choose from {', '.join(ENGINES)}")
    image = source if isinstance(source, Image.Image) else open_image(source)
    missing = NOT_ASKED if engine == "tesseract" else ppocr.unavailable_reason()
    if missing and engine == "ppocr":
        raise OcrUnavailable(f"PP-OCR is not available: {missing}")
    use_pp = missing is None
    use_tess = engine != "ppocr"
    ring_box = None
    if ring is not None:
        cx, cy, inner, outer, start = ring
        if outer > max(image.size) or not 0 <= inner < outer:
            raise ValidationError("ring: give the centre, an inner radius below the outer one, and radii within the photo")
        if math.pi * (inner + outer) * (outer - inner) > MAX_STRIP_PIXELS:
            raise ValidationError(f"ring: the unrolled strip would exceed {MAX_STRIP_PIXELS // 1_000_000} megapixels; give a narrower ring")
        x0, y0 = max(0, int(cx - outer)), max(0, int(cy - outer))
        ring_box = (x0, y0, max(1, min(image.width, int(cx + outer) + 1) - x0), max(1, min(image.height, int(cy + outer) + 1) - y0))
        image, crop, psm = preprocess.unroll_ring(image, (cx, cy), inner, outer, start), None, 7
    if crop is not None:
        validate_crop(crop, image.size)
    region = image.crop((crop[0], crop[1], crop[0] + crop[2], crop[1] + crop[3])) if crop else image
    box = crop
    if rotate % 360:
        # the turned crop is read as an image of its own; the box on the photo is still recorded
        region = preprocess.turn(region, rotate)
        image, crop, psm = region, None, 7 if psm is None else psm
    if use_pp and crop is None and psm is None and not _one_line(image):
        _load_tables()
        return _read_whole(image, languages, use_tess, cancel, progress, missing)
    # Tesseract's quick reading (one pipeline, one process) of a crop wider than high starts now,
    # beside PP-OCR (in this process): the two overlap instead of adding up. It is stopped when
    # PP-OCR finds the line needs no tesseract or reads it turned.
    early, stop_early = None, _Either(cancel)
    unneeded = None  # the early reading of a line that needs no tesseract: waited for at the end
    try:
        if use_pp and use_tess and psm is None and region.width >= region.height:
            image.load()  # decoded here, once: the two threads then only read its pixels
            early = _Background(lambda: ocr_image(image, languages=languages, crop=crop, psm=psm, cancel=stop_early,
                                                  pipelines=[QUICK_PIPELINE], rereads=False))
        if use_pp:
            ppocr.warm()  # the recogniser's session builds in a thread (onnxruntime releases Python's lock) ...
            _load_tables()  # ... while the reference tables load here, for the choice
        # PP-OCR (a tenth of a second a line once loaded): what it reads decides how the line is
        # turned for tesseract, and how much tesseract has to do
        pp_readings: list[ppocr.LineReading] = ppocr.read_line(region) if use_pp else []
        turned = None  # a crop is read by tesseract the way up PP-OCR found it reads
        degrees = next((t for t in (90, 180, 270) if pp_readings and pp_readings[0].how.split(",")[0] == f"turned {t}°"), 0)
        if degrees == 180 and not shows_upside_down(pp_readings[0].text, pp_readings[0].confidence):
            degrees = 0  # a Hangul line PP-OCR read a stand-in or two of either way up is read as cropped
        if degrees:
            turned = ppocr.turned(region, degrees)
        result = None
        # PP-OCR's sure Latin reading of a crop far wider than its text left part of the line out (a Hangul label)
        partial = use_pp and use_tess and psm is None and not degrees and _leaves_part_out(region, pp_readings)
        skipped = _tesseract_not_needed(pp_readings, languages) if use_pp and use_tess and psm is None and not partial else None
        if skipped:
            use_tess = False
            pp_readings[0] = dataclasses.replace(pp_readings[0], how=f"{pp_readings[0].how}; tesseract not run: {skipped}")
        if skipped and early is not None and not (cancel is not None and cancel.is_set()):
            stop_early.set()  # stopped, but tesseract cannot stop loading its models: the choice goes on meanwhile
            unneeded, early = early, None
        if skipped or turned is not None or (cancel is not None and cancel.is_set()):
            _stop(early, stop_early)
            early = None
        korean = None  # tesseract's kor model alone, read beside the main run when PP-OCR saw CJK (Hangul)
        korean_gray = None  # and on gray images, for the Hangul vote (KOR_VOTE_PIPELINES)
        hangul_run = None  # tesseract's Hangul script model on the crop as it is, likewise
        hangul_missing = False  # whether that model would have read the line but is not installed
        hangul_problem = None  # or was missing by the time it ran: what was said
        if use_tess:
            quick = use_pp and psm is None and (early is not None or _sure_latin(pp_readings))
            target, target_crop, target_psm = (turned, None, 7) if turned is not None else (image, crop, psm)
            hangul = _may_want_korean(pp_readings, languages)
            if hangul:  # the kor re-read runs beside the main run; the Cyrillic (rus) re-read is left out
                korean = _read_beside(target, target_crop, target_psm, cancel, "kor")
                korean_gray = _read_beside(target, target_crop, target_psm, cancel, "kor", KOR_VOTE_PIPELINES)
                hangul_missing = not hangul_script_installed()
                if not hangul_missing:  # and the Hangul script model reads the crop as it is
                    hangul_run = _read_beside(target, target_crop, target_psm, cancel, HANGUL_SCRIPT, HANGUL_PIPELINES)
            try:
                if early is not None:
                    result = early.result()
                else:
                    result = ocr_image(target, languages=languages, crop=target_crop, psm=target_psm, cancel=cancel,
                                       progress=progress, **({"pipelines": [QUICK_PIPELINE], "rereads": False} if quick else {}))
                if quick and not _settled(result, pp_readings, partial):  # the quick reading stands for its pipeline
                    result = ocr_image(target, languages=languages, crop=target_crop, psm=target_psm, cancel=cancel,
                                       progress=progress, rereads=not hangul, known=result)
            finally:
                for background in (korean, korean_gray, hangul_run):
                    if background is not None:
                        background.wait()  # no tesseract process outlives the reading
            if turned is not None:
                for line in result.lines:  # boxes on the turned crop mean nothing on the photo: the crop's
                    line.box = tuple(crop) if crop else (0, 0, region.width, region.height)  # type: ignore[assignment]
                    for word in line.words:
                        word.box = line.box
        if cancel is not None and cancel.is_set():
            raise OcrCancelled("OCR cancelled")
        readings: list[EngineReading] = []
        tess_why = None
        if result is not None:
            rivals = {c.text.strip() for c in result.candidates if c.in_choice and not c.error and c.text.strip()}
            # the reference tables re-rank tesseract's readings only when it has more than one
            if rivals - {result.text.strip()}:
                from fieldkit.ocr.rerank import preferred  # loads the reference tables

                tess_text, tess_why = preferred(result)
            else:
                tess_text, tess_why = result.text, None
            detail = f"{result.engine['languages']}, psm {result.engine['psm']}, pipeline {result.engine['pipeline']}"
            tess_conf = result.confidence if tess_text == result.text else next(
                (c.confidence for c in result.candidates if c.text.strip() == tess_text.strip()), result.confidence)
            extra, hangul_problem = _finished(hangul_run)
            if (hangul_run is None and "kor" in languages.split("+") and hangul_script_installed()
                    and len(_syllables(tess_text)) >= MIN_HANGUL_SYLLABLES and pp_readings):
                # PP-OCR read no CJK, but tesseract read Hangul words: the Hangul model and kor on gray
                # images read the line now, after the main run, for the vote (below)
                hangul_run = _read_beside(target, target_crop, target_psm, cancel, HANGUL_SCRIPT, HANGUL_PIPELINES)
                korean_gray = _read_beside(target, target_crop, target_psm, cancel, "kor", KOR_VOTE_PIPELINES)
                korean_gray.wait()
                extra, hangul_problem = _finished(hangul_run)
            if extra is not None:
                tess_text, tess_conf, detail, tess_why = _hangul_vote(result, extra, pp_readings, tess_text, tess_conf,
                                                                      detail, tess_why, korean=_finished(korean_gray)[0])
            readings.append(EngineReading("tesseract", tess_text, tess_conf, detail, notes=[tess_why] if tess_why else []))
        if pp_readings:
            top = pp_readings[0]
            readings.append(EngineReading("ppocr", top.text, round(top.confidence, 4), top.how, partial=partial,
                                          notes=[PARTIAL_NOTE] if partial else []))
        chosen = choose(readings)
        if result is not None and _wants_korean(readings, languages):
            # a Hangul line: kor alone reads it again, as one more candidate (eng+kor+rus confuses
            # tesseract: it writes a syllable as a Cyrillic letter, or reads no Hangul where PP-OCR saw CJK)
            target, target_crop, target_psm = (turned, None, 7) if turned is not None else (image, crop, psm)
            again = korean.result() if korean is not None else ocr_image(
                target, languages="kor", crop=target_crop, psm=target_psm, cancel=cancel, rereads=False)
            fresh = [EngineReading(r.engine, r.text, r.confidence, r.detail, notes=[n for n in r.notes if not n.startswith(("not chosen", "agrees", "matches", "starts", "written as"))])
                     for r in readings]
            syllables = sum("\uac00" <= ch <= "\ud7a3" for r in readings if r.engine == "tesseract" for ch in r.text)
            why = (f"PP-OCR read CJK where {languages} read no Hangul" if syllables < MIN_HANGUL_SYLLABLES
                   else f"{languages} read Cyrillic letters in a Hangul line; kor alone cannot write them")
            fresh.append(EngineReading("tesseract", again.text, again.confidence, f"kor alone, psm {again.engine['psm']}, pipeline"
                                       f" {again.engine['pipeline']}", notes=[f"read again with kor alone: {why}"]))
            readings, chosen = fresh, choose(fresh)
            source = next((r for r in chosen.readings if r.engine == chosen.engine and r.text == chosen.text), None)
            if chosen.engine == "tesseract" and source is not None and (source.as_read or source.text) == again.text:
                result = again
        reading = _line_reading(image, crop, region, result, chosen, pp_readings, missing, ring, ring_box)
        if (hangul_missing or hangul_problem) and result is not None:
            reading.result.engine["hangul_script"] = {"missing": hangul_problem or HANGUL_MISSING}
        if rotate % 360:
            reading.result.engine.update(crop=list(box) if box else None, rotation=rotate % 360)
            for line in reading.result.lines:  # boxes on the turned crop mean nothing on the photo
                line.box = tuple(box) if box else (0, 0, line.box[2], line.box[3])  # type: ignore[assignment]
                for word in line.words:
                    word.box = line.box
        return reading
    finally:  # whatever happened (an error in the choice too), no tesseract run started here outlives the reading
        _stop(early, stop_early)
        if unneeded is not None:
            unneeded.wait()


def _hangul_vote(result: OcrResult, extra: OcrResult, pp_readings, text: str, confidence: float, detail: str,
                 why: str | None, korean: OcrResult | None = None) -> tuple[str, float, str, str | None]:
    """Tesseract's reading of a line PP-OCR saw CJK in, once the Hangul script model has read the
    crop as it is and in gray (HANGUL_PIPELINES): in a Hangul line (fieldkit.ocr.choice.line_script)
    whose reading has MIN_HANGUL_SYLLABLES or more, the reading whose Hangul most of tesseract's
    readings, of every model and pipeline, agree on (fieldkit.ocr.choice.hangul_consensus), instead
    of the surest one. Returns (text, confidence, detail, why), unchanged when the line is not
    Hangul or the vote picks a reading with the same syllables as this one (the vote decides the
    Hangul only). The Hangul model's readings are added to ``result``'s candidates (shown as
    "also tried"), outside its own choice."""
    found = [c for model in (extra, korean) if model is not None
             for c in [_as_candidate(model), *model.candidates] if not c.error and c.text.strip()]
    for c in found:
        c.in_choice = False
    result.candidates.extend(found)
    top = pp_readings[0] if pp_readings else None
    script, _ = line_script([EngineReading("tesseract", text, confidence, detail)]
                            + ([EngineReading("ppocr", top.text, top.confidence)] if top else []))
    if script != "hangul" or len(_syllables(text)) < MIN_HANGUL_SYLLABLES:
        # a reading with no Hangul to speak of is the kor re-read's case (_wants_korean) and the
        # Juche date's (fieldkit.ocr.choice.juche_reading): a whole reading of the Hangul model, year
        # and all, would replace both (주체 113 for 주체 111-4 on synthetic seed 2025)
        return text, confidence, detail, why
    own = [_as_candidate(result)] + [c for c in result.candidates if c.in_choice and not c.error and c.text.strip()]
    pool = list({(c.languages, c.pipeline, c.text): c for c in own + found if c.text.strip()}.values())  # one vote each
    sure = top.text if top is not None and top.confidence >= PP_SURE_OF_RUNS else None
    voted = hangul_consensus([(c.text, c.confidence) for c in pool], sure)
    # the vote decides the Hangul only: a reading with the same syllables keeps its own digits and Latin,
    # unless it has letters or digits where PP-OCR read Hangul and the vote's reading has fewer
    if voted is None or (_syllables(pool[voted[0]].text) == _syllables(text)
                         and (sure is None or foreign_excess(text, sure) <= foreign_excess(pool[voted[0]].text, sure))):
        return text, confidence, detail, why
    pick = pool[voted[0]]
    return (pick.text, pick.confidence, f"{pick.languages}, psm {pick.psm}, pipeline {pick.pipeline}",
            f"chosen among tesseract's readings of a Hangul line: {voted[1]}")


def _syllables(text: str) -> str:
    return "".join(ch for ch in text if is_hangul(ch))


def _read_beside(target, crop, psm, cancel, languages: str, pipelines: list[str] | None = None) -> _Background:
    """One model's reading of the line (its ``pipelines``, or the default ones; no re-read), started
    in the background: the kor re-read and the Hangul vote's readings."""
    return _Background(lambda: ocr_image(target, languages=languages, crop=crop, psm=psm, cancel=cancel,
                                         pipelines=pipelines, rereads=False))


def _finished(background: _Background | None) -> tuple[OcrResult | None, str | None]:
    """The result of the Hangul script model's reading, or None when there was none or it failed
    (every run an error: the line is read without it); and, when the model or tesseract was missing
    by the time it ran (OcrUnavailable), the one line saying so, for the reading's notes."""
    if background is None:
        return None, None
    try:
        return background.result(), None
    except PhotoError:
        return None, None
    except OcrUnavailable as exc:
        return None, f"tesseract's Hangul script model could not be used: {exc}"


def _as_candidate(result: OcrResult) -> OcrCandidate:
    engine = result.engine
    return OcrCandidate(str(engine["pipeline"]), int(engine["psm"]), result.text, result.confidence, 0.0, None,
                        str(engine["languages"]))


_hangul_installed: list[bool] = []
HANGUL_MISSING = ("tesseract's Hangul script model is not installed (sudo apt-get install tesseract-ocr-script-hang):"
                  " Hangul is read by eng+kor+rus and kor alone, which misread more syllables on nameplates")


def hangul_script_installed() -> bool:
    """Whether tesseract has its Hangul script model (Debian: tesseract-ocr-script-hang); checked once."""
    if not _hangul_installed:
        try:
            check_available(HANGUL_SCRIPT)
            _hangul_installed.append(True)
        except (OcrUnavailable, ValidationError):
            _hangul_installed.append(False)
    return _hangul_installed[0]


LATIN_ONLY = set("DFGIJLNQRSUVWZdfghijklmnqrstuvwz")  # Latin letters with no Cyrillic or Hangul look-alike
SURE_ALONE = 0.99  # PP-OCR's confidence at which its reading of a Latin line stands alone (calibrated 0.9;
# on the tuning photos every reading this sure was exact: bench/RESULTS.md, calibration table)


def _tesseract_not_needed(pp_readings: list[ppocr.LineReading], languages: str) -> str | None:
    """Why tesseract need not read a line at all (None when it must): PP-OCR read it as cropped or
    turned (not pieced from detected lines) at SURE_ALONE or more, in plain ASCII with no CJK, and
    with a letter that neither Cyrillic nor Hangul has and that PP-OCR never writes for a Cyrillic
    letter (:data:`NEVER_CYRILLIC`), and English is among the languages asked for. Such a line is
    Latin, the script PP-OCR reads best; tesseract could only add a worse reading (issue 18: time
    per line). Digits and look-alike letters alone (КР580ВМ80А read as KP580BM80A) never qualify."""
    top = pp_readings[0] if pp_readings else None
    if top is None or "eng" not in languages.split("+") or top.how.startswith(("detected", "the ")):
        return None
    text = "".join(top.text.split())
    if len(text) < MIN_LINE_CHARS or not text.isascii() or top.confidence < SURE_ALONE:
        return None
    letters = sorted(set(text) & NEVER_CYRILLIC)
    if not letters:
        return None
    return (f"PP-OCR read it surely ({top.confidence:.3f}) with letters only Latin has ({''.join(letters[:6])}),"
            " so the line is Latin")


PARTIAL_WIDTH = 2.0  # a crop this many times wider than PP-OCR's text would be at the line's height holds more
PARTIAL_NOTE = "its text would fill under half the crop's width at the line's height: part of the line was left out"


def _text_width(text: str) -> float:
    """How wide ``text`` is drawn, in heights of its line (about: a Hangul syllable or a CJK character
    is square, a Latin capital or digit 0.62, a space or a narrow mark 0.35)."""
    narrow = set(" .,:;()[]|/-'\"!1Iil")
    return sum(1.0 if (is_hangul(ch) or is_ideograph(ch)) else 0.35 if ch in narrow else 0.62 for ch in text)


def _leaves_part_out(region: Image.Image, pp_readings: list[ppocr.LineReading]) -> bool:
    """Whether PP-OCR's sure reading of a line with no CJK in it (SURE_OF_NO_HANGUL or more, as
    cropped or from a line detected in the crop) is far narrower than the crop: drawn at the line's
    measured height (fieldkit.ocr.preprocess.text_line_height), its text would fill under
    1/PARTIAL_WIDTH of the crop's width. PP-OCR then left part of the line out: on synthetic
    nameplates, Hangul labels beside a value it read surely (계기정수 BB-3216 read as BB-3216;
    whole Latin lines came to 0.6-1.3 of the width on the real tuning crops whose height could be
    measured). False when the height cannot be measured."""
    top = pp_readings[0] if pp_readings else None
    if (top is None or top.confidence < SURE_OF_NO_HANGUL or any(is_ideograph(ch) for ch in top.text)
            or not top.how.startswith(("as cropped", "detected"))):
        return False
    gray = region.convert("L")
    if preprocess.median_level(gray) < 128:  # light text on a dark surface
        gray = ImageOps.invert(gray)
    height = preprocess.text_line_height(ImageOps.autocontrast(gray))
    return bool(height) and region.width > PARTIAL_WIDTH * height * _text_width(top.text.strip())


def _sure_latin(pp_readings: list[ppocr.LineReading]) -> bool:
    """Whether PP-OCR read the line surely, in plain ASCII. Then tesseract reads it once, with one
    pipeline, first (:func:`_settled`); otherwise with all its pipelines and its re-read."""
    top = pp_readings[0] if pp_readings else None
    return bool(top and top.text and top.confidence >= ppocr.CONFIDENT and top.text.isascii())


QUICK_SURE = 90.0  # tesseract's quick reading of a line PP-OCR is unsure of stands at this mean word confidence


class _Either(threading.Event):
    """An event that also counts as set once the caller's ``cancel`` is: it stops a tesseract
    reading started early either when the reading no longer needs it or when the user cancels."""

    def __init__(self, cancel: threading.Event | None):
        super().__init__()
        self.cancel = cancel

    def is_set(self) -> bool:
        return super().is_set() or (self.cancel is not None and self.cancel.is_set())


def _stop(background: _Background | None, stop: threading.Event) -> None:
    """Stop a tesseract reading started early, and wait for its process to end."""
    if background is not None:
        stop.set()
        background.wait()


def _settled(quick: OcrResult, pp_readings: list[ppocr.LineReading], partial: bool = False) -> bool:
    """Whether tesseract's quick reading (one pipeline, no re-read) is enough, or the full set of
    pipelines and the script re-read must follow. For a line PP-OCR read surely as plain ASCII,
    see :func:`_settled_latin`; for any other line, when both engines read the same, or tesseract
    is QUICK_SURE of its reading (on the synthetic tuning seed the full set changed no exact line
    in those cases: 68/80 either way)."""
    if not pp_readings:
        return False
    if not _sure_latin(pp_readings):
        if "".join(fold(quick.text).split()) == "".join(fold(pp_readings[0].text).split()):
            return True
        return quick.confidence >= QUICK_SURE
    return _settled_latin(quick, pp_readings, partial)


def _settled_latin(quick: OcrResult, pp_readings: list[ppocr.LineReading], partial: bool = False) -> bool:
    """Whether the quick tesseract reading of a line PP-OCR read surely (:func:`_sure_latin`) is
    enough: both engines read the same; or PP-OCR's reading has a letter only Latin has (so it is
    not Cyrillic or Hangul written with look-alikes and digits) and tesseract's shows no letter
    only Cyrillic or Hangul has (fieldkit.ocr.choice.line_script)."""
    top = pp_readings[0]
    if "".join(fold(quick.text).split()) == "".join(fold(top.text).split()):
        return True
    if not LATIN_ONLY & set(top.text):
        return False
    readings = [EngineReading("tesseract", quick.text, quick.confidence, "quick"),
                EngineReading("ppocr", top.text, top.confidence, partial=partial)]
    return line_script(readings)[0] == "latin" and not any(
        script_of(ch) == "cyrillic" and ch not in SHARED for ch in quick.text)


def _may_want_korean(pp_readings: list[ppocr.LineReading], languages: str) -> bool:
    """Whether the kor re-read (:func:`_wants_korean`) may be needed, known before tesseract runs:
    PP-OCR read CJK (its stand-ins for Hangul). It is then started beside the main tesseract run
    instead of after it (one process's time saved on a Hangul line)."""
    wanted = languages.split("+")
    return ("kor" in wanted and len(wanted) > 1 and bool(pp_readings)
            and any(is_ideograph(ch) for ch in pp_readings[0].text))


class _Background:
    """A call run in a thread (tesseract runs in its own process, so the two overlap); its result,
    or its exception, is given by :meth:`result`."""

    def __init__(self, call: Callable[[], Any]):
        self._out: tuple[Any, BaseException | None] = (None, None)
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True, name="fieldkit-ocr-kor")
        self._thread.start()

    def _run(self, call: Callable[[], Any]) -> None:
        try:
            self._out = (call(), None)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by result()
            self._out = (None, exc)

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> Any:
        self._thread.join()
        value, error = self._out
        if error is not None:
            raise error
        return value


def _load_tables() -> None:
    """The reference tables and their compiled matcher, which the choice reads, loaded once per
    process (about 0.03 s; done while PP-OCR's session builds in its thread)."""
    from fieldkit.markings.matcher import matcher_for
    from fieldkit.reference.plain import plain_reference

    matcher_for(plain_reference())


LINE_SHAPE = 2.5  # an image at least this many times longer than high (or high than long) ...
LINE_SIDE = 400  # ... and at most this many pixels across its short side is one line, not a photo


MIN_HANGUL_SYLLABLES = 2  # tesseract's reading of a line PP-OCR sees as Hangul has at least these, or kor alone reads it


def _wants_korean(readings: list[EngineReading], languages: str) -> bool:
    """Whether a line should also be read with tesseract's kor model alone, its reading one more
    candidate: kor is one of several languages asked for, the line is Hangul
    (fieldkit.ocr.choice.line_script), and the reading with all of them shows the confusion of
    several models: it has letters in Cyrillic (eng+kor+rus wrote 제 as М, and KTC-G as КТС-6, on
    a real KEPCO nameplate; kor alone cannot write Cyrillic), or PP-OCR's CJK stand-ins made the
    line Hangul where tesseract read fewer than MIN_HANGUL_SYLLABLES. A Hangul line read cleanly
    is not read again: kor alone is surer of its own misreadings (주처112 at 92 where eng+kor+rus
    read 주체112 at 80, on the synthetic tuning seed). One tesseract run of the small kor model."""
    wanted = languages.split("+")
    if "kor" not in wanted or len(wanted) == 1:
        return False
    script, why = line_script(readings)
    tess = [r.text for r in readings if r.engine == "tesseract"]
    syllables = sum("\uac00" <= ch <= "\ud7a3" for text in tess for ch in text)
    cyrillic = any(script_of(ch) == "cyrillic" for text in tess for ch in text)
    return script == "hangul" and (cyrillic or (why.startswith("PP-OCR") and syllables < MIN_HANGUL_SYLLABLES))


def _one_line(image: Image.Image) -> bool:
    """Whether an image given whole is a line cut out (read as one line) rather than a photo
    (whose lines are detected first): by its shape, since the text-band test misreads photos."""
    long, short = max(image.size), max(1, min(image.size))
    return long >= LINE_SHAPE * short and short <= LINE_SIDE


NOT_ASKED = "not asked for (--engine tesseract)"  # said like a missing engine: the loss is the same


def _ppocr_engine(missing: str | None) -> dict[str, Any]:
    return {"name": ppocr.NAME, "models": [ppocr.DET_MODEL, ppocr.REC_MODEL], "available": missing is None,
            **({"missing": f"{missing}; {ppocr.WITHOUT}"} if missing else {})}


def _line_reading(image, crop, region, result, chosen: Choice, pp_readings, missing, ring, ring_box=None) -> Reading:
    box = tuple(crop) if crop else (0, 0, region.width, region.height)
    by_engine = {r.engine: r for r in chosen.readings if r.engine in ("tesseract", "ppocr") and not r.as_read}
    source_reading = next((r for r in chosen.readings if r.text == chosen.text and r.engine == chosen.engine), None)
    as_read = (source_reading.as_read if source_reading and source_reading.as_read else None)
    tess = by_engine.get("tesseract")
    if chosen.engine == "tesseract" and result is not None:
        text_as_read = result.text
        lines = result.lines
    else:
        text_as_read = as_read or chosen.text
        # PP-OCR gives no word boxes: each word carries the line's box and confidence
        words = [OcrWord(w, chosen.confidence, box) for w in text_as_read.split()]  # type: ignore[arg-type]
        lines = [OcrLine(" ".join(text_as_read.split()), chosen.confidence, box, words)] if words else []  # type: ignore[arg-type]
    candidates = list(result.candidates) if result is not None else []
    if result is not None and chosen.engine != "tesseract" and result.text:
        candidates.insert(0, OcrCandidate(str(result.engine["pipeline"]), int(result.engine["psm"]), result.text,
                                          result.confidence, 0.0, None, str(result.engine["languages"])))
    for r in pp_readings[1 if chosen.engine == "ppocr" else 0:]:
        candidates.append(OcrCandidate(r.how, 0, r.text, round(100 * r.confidence, 2), 0.0, None, ppocr.NAME))
    candidates = candidates[:SHOWN_CANDIDATES]
    engine: dict[str, Any] = dict(result.engine) if result is not None else {}
    engine.update({
        "name": chosen.engine,
        "choice": chosen.basis,
        "crop": list(crop) if crop else None,
        "ppocr": _ppocr_engine(missing),
    })
    if result is not None:
        engine["tesseract_choice"] = result.engine.get("choice")
    if ring is not None:
        engine["ring"] = list(ring)
        engine["crop"] = list(ring_box)  # the box around the ring on the photo
    if "version" not in engine:
        engine["version"] = "PP-OCRv6"
    confidence = chosen.confidence
    ocr = OcrResult(text_as_read, confidence, lines, engine, candidates)
    base_text = text_as_read
    corrections: list[Correction] = []
    bases = []
    if chosen.engine == "tesseract" and tess is not None and tess.text != text_as_read:
        bases.append(tess.notes[0] if tess.notes else chosen.basis)  # the reference tables preferred another tesseract reading
    if as_read and as_read != chosen.text:
        bases.append(f"script: {chosen.basis}")  # rewritten: Cyrillic letters, a designation, PP-OCR's digits in Hangul
    if bases and chosen.text != text_as_read:
        base_text = chosen.text
        corrections.append(Correction(0, len(text_as_read), text_as_read, base_text, "; ".join(bases)))
    # PP-OCR tells letters from digits: no letter of its reading is made a digit (correction rule 3,
    # which is for tesseract's O/I/S/B among digits; see fieldkit.ocr.correction.correct)
    corrected, more = correct(base_text, sure_letters=chosen.engine == "ppocr")
    return Reading(ocr, corrected, corrections + more, chosen.readings)


def _read_whole(image, languages, use_tess, cancel, progress, missing) -> Reading:
    """A whole photo: lines detected by PP-OCR and read by it; the doubtful ones also by tesseract (one process)."""
    started = time.perf_counter()
    found, total = ppocr.read_photo(image, limit=WHOLE_PHOTO_LINES, cancel=cancel)
    if progress is not None:
        progress(1, 2)
    if cancel is not None and cancel.is_set():
        raise OcrCancelled("OCR cancelled")
    # tesseract reads, in one process, the lines PP-OCR is unsure of or reads as CJK (Hangul, or a
    # script it lacks); a line PP-OCR reads surely is Latin text or digits, or their look-alikes
    doubtful = [n for n, (line, _) in enumerate(found)
                if line.confidence < ppocr.CONFIDENT or any(is_ideograph(ch) for ch in line.text)]
    tess: dict[int, tuple[str, float]] = {}
    if use_tess and doubtful:
        tess = dict(zip(doubtful, read_strips([found[n][1] for n in doubtful], languages, cancel=cancel)))
    if progress is not None:
        progress(2, 2)
    lines, bases, everything, by_pp = [], [], [], []
    for n, (line, _) in enumerate(found):
        readings = [EngineReading("ppocr", line.text, round(line.confidence, 4), line.how)]
        if n in tess:
            readings.append(EngineReading("tesseract", tess[n][0], tess[n][1], f"{languages}, psm 7"))
        chosen = choose(readings)
        if sum(ch.isalnum() for ch in chosen.text) < MIN_LINE_CHARS:  # a speck or an edge read as a letter
            continue
        text = next((r.as_read for r in chosen.readings if r.text == chosen.text and r.as_read), None) or chosen.text
        box = line.box
        lines.append(OcrLine(chosen.text, chosen.confidence, box, [OcrWord(chosen.text, chosen.confidence, box)]))
        bases.append({"box": list(box), "text": chosen.text, "as_read": text, "choice": chosen.basis})
        everything += chosen.readings
        by_pp.append(chosen.engine == "ppocr")
    text = "\n".join(line.text for line in lines)
    confidence = round(sum(line.confidence for line in lines) / len(lines), 1) if lines else 0.0
    engine = {
        "name": "ppocr+tesseract" if use_tess else ppocr.NAME,
        "version": "PP-OCRv6",
        "languages": languages if use_tess else "",
        "psm": 7 if use_tess else None,
        "pipeline": "detected lines",
        "crop": None,
        "choice": f"{len(lines)} lines read of {total} detected" + (f" (the {WHOLE_PHOTO_LINES} surest)" if total > WHOLE_PHOTO_LINES else ""),
        "detection": {"found": total, "read": len(found), "side": ppocr.DET_SIDE, "read_by_tesseract": len(tess)},
        "lines": bases,
        "ppocr": _ppocr_engine(missing),
        "seconds": round(time.perf_counter() - started, 3),
    }
    result = OcrResult(text, confidence, lines, engine, [])
    # each line corrected on its own: PP-OCR's letters among digits stay letters (as for a crop)
    fixed, corrections, offset = [], [], 0
    for line, pp_read in zip(lines, by_pp):
        line_text, more = correct(line.text, sure_letters=pp_read)
        fixed.append(line_text)
        corrections += [dataclasses.replace(c, start=c.start + offset, end=c.end + offset) for c in more]
        offset += len(line.text) + 1
    return Reading(result, "\n".join(fixed), corrections, everything)
