"""The second OCR engine: PP-OCR (PaddleOCR's detection and recognition models) run in-process on
the CPU with onnxruntime.

The models are the ONNX files shipped inside the ``rapidocr`` wheel (PP-OCRv6 small detection and
recognition; the recogniser carries its character list in its own metadata), so nothing is
downloaded at run time. rapidocr's Python pipeline is not imported: it pulls in requests,
omegaconf, shapely and a model downloader, and costs about 0.5 s before the first line is read,
which alone would break the budget of two raw tesseract runs per line (issue 17.7). What it does
for one line is small and is written here: resize to 48 px high, normalise, run, CTC-decode. The
detector's post-processing (Differentiable Binarization: threshold the text map, take each
region's minimal rotated rectangle, grow it) uses OpenCV, a dependency of rapidocr, imported only
when text is detected.

The recogniser reads Latin letters, digits and punctuation (and Chinese, which fieldkit never
expects); it has no Hangul and no Cyrillic, so tesseract stays for those scripts
(:mod:`fieldkit.ocr.choice` decides between the engines' readings).

One engine (:func:`engine`) is made per process and kept; onnxruntime is limited to one thread
per session (the machines have two cores, and tesseract runs beside it).
"""

from __future__ import annotations

import os

# numpy's OpenBLAS starts a thread per core when numpy loads (0.02-0.04 s of a process); PP-OCR's
# arithmetic here is element-wise and never calls BLAS, so one thread changes no reading
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import importlib.util
import math
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from fieldkit.errors import OcrUnavailable

NAME = "ppocr"
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
REC_HEIGHT = 48
REC_MAX_WIDTH = 3200  # a line wider than 66 times its height is squeezed to this
DET_SIDE = 960  # the detector works on the photo scaled so that its longer side is this
DET_THRESHOLD = 0.3  # text-map probability that counts as text
DET_BOX_THRESHOLD = 0.5  # mean probability inside a region for it to be a line
DET_UNCLIP = 1.6  # how much a region is grown (area * ratio / perimeter, in pixels)
DET_MIN_SIDE = 3
INSTALL_HINT = "pip install rapidocr==3.10.0 onnxruntime==1.32.0 (see pyproject.toml)"
WITHOUT = "without PP-OCR, Latin text and digits on real photos are read far less often, and whole photos get no text detection"


@dataclass(frozen=True)
class Line:
    """A text line found by the detector: its corners in the source image (clockwise from the top
    left of the text as it reads) and the detector's score."""

    quad: tuple[tuple[float, float], ...]
    score: float

    @property
    def box(self) -> tuple[int, int, int, int]:
        xs = [p[0] for p in self.quad]
        ys = [p[1] for p in self.quad]
        x0, y0 = int(math.floor(min(xs))), int(math.floor(min(ys)))
        return x0, y0, int(math.ceil(max(xs))) - x0, int(math.ceil(max(ys))) - y0


def models_dir() -> Path | None:
    """Where the rapidocr wheel keeps its models, found without importing rapidocr."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "models"


def unavailable_reason() -> str | None:
    """Why PP-OCR cannot run here (None when it can)."""
    if importlib.util.find_spec("onnxruntime") is None:
        return f"onnxruntime is not installed ({INSTALL_HINT})"
    folder = models_dir()
    if folder is None:
        return f"rapidocr (which ships the PP-OCR models) is not installed ({INSTALL_HINT})"
    missing = [name for name in (DET_MODEL, REC_MODEL) if not (folder / name).is_file()]
    if missing:
        return f"the PP-OCR model files {', '.join(missing)} are missing from {folder} ({INSTALL_HINT})"
    return None


def available() -> bool:
    return unavailable_reason() is None


class PpOcr:
    """The recogniser and the detector, each loaded on first use."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._rec = None
        self._det = None
        self._chars: list[str] = []
        self._lock = threading.Lock()

    def _session(self, name: str):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        if name == REC_MODEL:
            # the recogniser with onnxruntime's basic graph optimisations only: its session builds in
            # 0.047-0.050 s instead of 0.066-0.089 (fresh processes), each 48x320 line 0.004-0.007 s
            # slower; a process that reads one line is 0.02-0.03 s of CPU quicker, a batch 2% slower a
            # line. Same readings on the 50 real lines and synthetic seeds 7 and 2024 (probabilities
            # move by up to 3e-6; bench/RESULTS.md, Time per line, s11-ocrtime). The detector keeps
            # every optimisation: with basic ones its runs take 1.4-2x as long.
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        return ort.InferenceSession(str(self.folder / name), options, providers=["CPUExecutionProvider"])

    def _recogniser(self):
        with self._lock:
            if self._rec is None:
                session = self._session(REC_MODEL)
                listed = session.get_modelmeta().custom_metadata_map.get("character", "")
                # index 0 is CTC's blank; the list ends with a space (as PaddleOCR's use_space_char)
                self._chars = ["", *listed.splitlines(), " "]
                self._rec = session
            return self._rec

    def _detector(self):
        with self._lock:
            if self._det is None:
                self._det = self._session(DET_MODEL)
            return self._det

    # ---------------------------------------------------------------- recognition

    def recognise(self, images: list[Image.Image]) -> list[tuple[str, float]]:
        """Read each image as one line of text: (text, mean probability of its characters, 0..1)."""
        import numpy as np

        session = self._recogniser()
        out = []
        for image in images:  # one at a time: padding a batch to its widest line costs more
            rgb = image.convert("RGB")
            w, h = rgb.size
            width = max(8, min(REC_MAX_WIDTH, math.ceil(REC_HEIGHT * w / max(h, 1))))
            resized = rgb.resize((width, REC_HEIGHT), Image.Resampling.BILINEAR)
            pixels = np.asarray(resized, dtype=np.float32)[:, :, ::-1]  # the models were trained on BGR
            tensor = ((pixels / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[np.newaxis]
            probs = session.run(None, {session.get_inputs()[0].name: np.ascontiguousarray(tensor)})[0][0]
            out.append(self._decode(probs))
        return out

    def _decode(self, probs) -> tuple[str, float]:
        """Greedy CTC decoding: the best class per step, repeats merged, blanks dropped."""
        best = probs.argmax(axis=1)
        score = probs.max(axis=1)
        chars, confidences, previous = [], [], -1
        for index, p in zip(best.tolist(), score.tolist()):
            if index != previous and index != 0 and index < len(self._chars):
                chars.append(self._chars[index])
                confidences.append(p)
            previous = index
        text = "".join(chars).strip()
        return text, (sum(confidences) / len(confidences) if text else 0.0)

    # ---------------------------------------------------------------- detection

    def detect(self, image: Image.Image, side: int = DET_SIDE) -> list[Line]:
        """The text lines in an image, longest side worked at ``side`` pixels (boxes in the image's
        own pixels), in reading order (top to bottom, then left to right)."""
        import cv2
        import numpy as np

        session = self._detector()
        rgb = image.convert("RGB")
        w, h = rgb.size
        scale = side / max(w, h)
        tw, th = (max(32, round(w * scale / 32) * 32), max(32, round(h * scale / 32) * 32))
        pixels = np.asarray(rgb.resize((tw, th), Image.Resampling.BILINEAR), dtype=np.float32)[:, :, ::-1]
        tensor = ((pixels / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[np.newaxis]
        text_map = session.run(None, {session.get_inputs()[0].name: np.ascontiguousarray(tensor)})[0][0, 0]
        mask = cv2.dilate((text_map > DET_THRESHOLD).astype(np.uint8), np.ones((2, 2), np.uint8))
        contours, _ = cv2.findContours(mask * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        lines = []
        for contour in contours[:1000]:
            rect = cv2.minAreaRect(contour)
            if min(rect[1]) < DET_MIN_SIDE:
                continue
            region = np.zeros_like(mask)
            cv2.fillPoly(region, [cv2.boxPoints(rect).astype(np.int32)], 1)
            score = float(text_map[region.astype(bool)].mean()) if region.any() else 0.0
            if score < DET_BOX_THRESHOLD:
                continue
            (cx, cy), (rw, rh), angle = rect
            grow = rw * rh * DET_UNCLIP / (2 * (rw + rh))
            rect = ((cx, cy), (rw + 2 * grow, rh + 2 * grow), angle)
            if min(rect[1]) < DET_MIN_SIDE + 2:
                continue
            corners = [(float(x) * w / tw, float(y) * h / th) for x, y in cv2.boxPoints(rect)]
            lines.append(Line(_reading_corners(corners, w, h), round(score, 4)))
        lines.sort(key=lambda line: (round(line.box[1] / max(1, line.box[3])), line.box[0]))
        return lines


def _reading_corners(corners: list[tuple[float, float]], w: int, h: int) -> tuple[tuple[float, float], ...]:
    """Four corners clipped to the image, clockwise from the top left of the rectangle's longer side
    lying along the text (the top left as the image shows it; orientation is tried later)."""
    pts = [(min(max(x, 0.0), w), min(max(y, 0.0), h)) for x, y in corners]
    cx = sum(p[0] for p in pts) / 4
    cy = sum(p[1] for p in pts) / 4
    pts.sort(key=lambda p: math.atan2(p[1] - cy, p[0] - cx))  # clockwise on screen (y points down)
    # start at the corner whose following edge is the longer one, and which is on the left/top
    sides = [math.dist(pts[i], pts[(i + 1) % 4]) for i in range(4)]
    starts = [i for i in range(4) if sides[i] >= sides[(i + 1) % 4]]
    start = min(starts, key=lambda i: (pts[i][0] + pts[i][1]))
    return tuple(pts[(start + k) % 4] for k in range(4))


def warp_line(image: Image.Image, quad: tuple[tuple[float, float], ...]) -> Image.Image:
    """The line inside ``quad`` cut out and straightened into an axis-aligned strip (first edge of
    the quad along the top)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
    width = max(1, round(math.dist((x0, y0), (x1, y1))))
    height = max(1, round(math.dist((x1, y1), (x2, y2))))
    # Image.transform's QUAD maps the output rectangle's corners to these source corners
    # (top left, bottom left, bottom right, top right).
    return image.transform((width, height), Image.Transform.QUAD, (x0, y0, x3, y3, x2, y2, x1, y1),
                           resample=Image.Resampling.BICUBIC)


@dataclass(frozen=True)
class LineReading:
    """What PP-OCR read from one line, and how (orientation, detected line)."""

    text: str
    confidence: float  # 0..1
    how: str
    box: tuple[int, int, int, int] | None = None  # in the image given, when a detected line


CONFIDENT = 0.9  # below this, a crop is also searched for tilted lines
ORIENTATIONS = {0: None, 90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}


def turned(image: Image.Image, degrees: int) -> Image.Image:
    way = ORIENTATIONS[degrees]
    return image if way is None else image.transpose(way)


SURE_WAY_UP = 0.99  # a reading this sure is taken the way up it was read: the other way is not tried


def read_strip(pp: PpOcr, strip: Image.Image, turns: tuple[int, ...]) -> list[LineReading]:
    """A strip read turned each of ``turns`` (degrees counter-clockwise) in turn, best first;
    once one reads at SURE_WAY_UP or more (text upside down never reads that surely) the rest
    are not tried, which halves the recogniser's time on an upright line."""
    out = []
    for t in turns:
        text, conf = pp.recognise([turned(strip, t)])[0]
        out.append(LineReading(text, conf, f"turned {t}°" if t else "as cropped"))
        if conf >= SURE_WAY_UP:
            break
    return sorted(out, key=lambda r: -r.confidence)


def read_line(image: Image.Image, pp: PpOcr | None = None) -> list[LineReading]:
    """Readings of a crop around one line, best first.

    The crop is read both ways up along its longer side (0° and 180° when it is wider than high,
    90° and 270° when it is higher: vertical text); when none of those is confident, the detector
    looks inside the crop for tilted lines (up to 45° and beyond: it returns rotated rectangles),
    and each is straightened and read both ways up, alone and joined in reading order. A reading
    confident but not sure (CONFIDENT to SURE_WAY_UP) is read again with the crop's strokes closed
    (:func:`_cleaned`: a stencil's bridges), and checked against the line the detector finds in the
    crop, when it finds exactly one (:func:`_checked`).
    """
    pp = pp or engine()
    w, h = image.size
    turns = (0, 180) if w >= h else (90, 270)
    readings = read_strip(pp, image, turns)
    if readings[0].confidence >= SURE_WAY_UP or min(w, h) < 8:
        return readings
    if readings[0].confidence >= CONFIDENT and _stand_ins(readings[0].text):
        return readings  # a line with Hangul (PP-OCR's CJK stand-ins for it) is tesseract's to read
    if readings[0].confidence >= CONFIDENT:  # confident but not sure: a letter or two in doubt
        readings = _cleaned(pp, image, readings)
        if readings[0].confidence >= SURE_WAY_UP:
            return readings
    side = min(DET_SIDE, max(320, 2 * max(w, h)))
    lines = [line for line in pp.detect(image, side=side) if min(line.box[2], line.box[3]) >= 4]
    if readings[0].confidence >= CONFIDENT:
        return _checked(pp, image, readings, lines)
    found = []
    for n, line in enumerate(lines[:8], 1):
        strip = warp_line(image, line.quad)
        best = read_strip(pp, strip, (0, 180))[0]
        (x0, y0), (x1, y1) = line.quad[0], line.quad[1]
        tilt = math.degrees(math.atan2(y1 - y0, x1 - x0))
        found.append(LineReading(best.text, best.confidence, f"detected line {n} of {len(lines)}, at {tilt:.0f}°, {best.how}", line.box))
    readings += found
    texts = [r for r in found if r.text]
    if len(texts) > 1:
        joined = " ".join(r.text for r in texts)
        mean = sum(r.confidence * len(r.text) for r in texts) / sum(len(r.text) for r in texts)
        readings.append(LineReading(joined, mean, f"the {len(texts)} detected lines joined"))
    return sorted(readings, key=lambda r: -r.confidence)


def closed_strokes(image: Image.Image) -> Image.Image:
    """The crop in grey with its strokes closed (a grey closing with a 3x3 square on the text's side:
    dark text on a light surface, or light text on a dark one, by the median level), which fills the
    bridges a stencil leaves in its letters and the gaps between a dot-matrix print's dots."""
    from PIL import ImageFilter

    from fieldkit.ocr.preprocess import median_level

    gray = image.convert("L")
    grow, shrink = ImageFilter.MinFilter(3), ImageFilter.MaxFilter(3)  # dark text grows under a minimum filter
    if median_level(gray) < 128:  # light text on a dark surface
        grow, shrink = shrink, grow
    return gray.filter(grow).filter(shrink)


CLOSED_CLEARER = 0.02  # how much surer PP-OCR must be of the crop with its strokes closed for that reading to replace the crop's


def _cleaned(pp: PpOcr, image: Image.Image, readings: list[LineReading]) -> list[LineReading]:
    """The crop's readings, with its best reading replaced by a reading of the crop with its strokes
    closed (:func:`closed_strokes`, the same way up) when it reads other characters and PP-OCR is
    CLOSED_CLEARER surer of them. The same characters read again leave the crop's reading as it was:
    the same image read by the same model is no new evidence, and taking the surer confidence of the
    two kept a misread crop against the detected line it is then checked against (:func:`_checked`:
    KP5808M80A 7612 at 0.965, 0.979 closed, beat the detected line's right KP580BM80A 7612 at 0.987;
    K555WE10 8501 likewise; bench/ocr_soviet_chips.py seed 1, lines 18 and 31). The closing
    fills a stencil's bridges: on synthetic tuning seed 2024, M430A1 LOT 77 was read M430AX LOT 77 at
    0.924 and right at 0.968 closed, BATCH 0417 BAYCH 04X7 at 0.948 and right at 0.972; on the real
    chip line 20AU 0723 cropped 5% tighter, 20AUL 0723 at 0.914 and 20AU0723 at 0.997. On thin or
    small text it merges the letters and PP-OCR is less sure of what it reads (the real tuning crops
    read closed at 0.33-0.89, below their own readings), so the crop's reading stays. A wrong
    reading closed was at most 0.013 surer than the crop's (FEDERAT, FEDRA on a padded headstamp),
    hence the margin. Only a crop read CONFIDENT to SURE_WAY_UP is read closed: below that PP-OCR's
    doubt is not about a letter or two, and confidences there say little (a Cyrillic ПАРТИЯ 12-87,
    which PP-OCR cannot read, went from UPS 12-87 at 0.81 to LAPTWSE 12-57 at 0.84 closed, and the
    number tesseract borrows from it was lost: synthetic tuning seed 2025). (Stretching the contrast
    instead was tried: right once and wrong once, by 0.012 and 0.016, on the perturbed real tuning
    crops; not kept.)"""
    best = readings[0]
    degrees = int(best.how.split()[1].rstrip("°")) if best.how.startswith("turned") else 0
    text, confidence = pp.recognise([turned(closed_strokes(image), degrees)])[0]
    found = LineReading(text, confidence, f"{best.how}, strokes closed")
    if "".join(found.text.split()) != "".join(best.text.split()) and found.confidence >= best.confidence + CLOSED_CLEARER:
        return [found, *readings]
    return readings  # not kept: the readings below CONFIDENT are later ranked by confidence alone


CLEARER = 0.01  # how much surer PP-OCR must be of the detected line than of the crop for its reading to replace the crop's


def _stand_ins(text: str) -> bool:
    """Whether PP-OCR wrote CJK (ideographs, or fullwidth forms such as its colon) in a reading:
    its stand-ins for Hangul, which it cannot read."""
    return any(unicodedata.name(ch, "").startswith("CJK") or "\uff00" <= ch <= "\uffef" for ch in text)


def _checked(pp: PpOcr, image: Image.Image, readings: list[LineReading], lines: list[Line]) -> list[LineReading]:
    """The crop's readings, checked against the one line the detector found in it (unchanged when it
    found none or several). The recogniser was trained on lines cut as the detector cuts them; a crop
    drawn loosely, or around a tilted line, gives it the crop's edges to misread (on the real tuning
    photos, crops padded or turned 3°: 30647918 read 306479187, 80647918 and 806479181 on its crops,
    and 30647918 on the line detected in each; STINGER, 059145950B, 07.06.06/12:34 and
    (32KiB/Attr) likewise). The detected line's reading replaces the crop's when PP-OCR is CLEARER
    surer of it (07.06.06/12:34 on a crop of half the resolution read 0.950, and 37.06.06/12:34 on
    its detected line 0.959). When the two read the same characters, the crop's reading stays, with
    its spaces (the straightened line is cut tight, and PP-OCR reads its gaps narrower: BATCH 0417 as
    BATCH0417 on the synthetic tuning seeds) and the surer confidence of the two."""
    if len(lines) != 1:
        return readings
    line, crop = lines[0], readings[0]
    best = read_strip(pp, warp_line(image, line.quad), (0, 180))[0]
    (x0, y0), (x1, y1) = line.quad[0], line.quad[1]
    tilt = math.degrees(math.atan2(y1 - y0, x1 - x0))
    found = LineReading(best.text, best.confidence, f"detected line 1 of 1, at {tilt:.0f}°, {best.how}", line.box)
    if "".join(found.text.split()) == "".join(crop.text.split()):
        return [LineReading(crop.text, max(crop.confidence, found.confidence), crop.how, crop.box), *readings[1:], found]
    if found.confidence >= crop.confidence + CLEARER:
        return [found, *readings]
    return [*readings, found]


def read_photo(image: Image.Image, *, limit: int, pp: PpOcr | None = None,
               cancel: threading.Event | None = None) -> tuple[list[tuple[LineReading, Image.Image]], int]:
    """The text lines of a whole photo: detected on a copy DET_SIDE pixels on its longer side (so a
    24-megapixel photo costs what a small one does), each straightened and read both ways up from
    the full-resolution photo. At most ``limit`` lines, the detector's surest first (then in reading
    order); returns them, each with its straightened strip (as read), and how many were found.
    Stops between lines once ``cancel`` is set (the caller sees it set)."""
    pp = pp or engine()
    lines = pp.detect(image)
    kept = sorted(sorted(lines, key=lambda line: -line.score)[:limit], key=lines.index)
    out = []
    for line in kept:
        if cancel is not None and cancel.is_set():
            break
        strip = warp_line(image, line.quad)
        best = read_strip(pp, strip, (0, 180))[0]
        upright = strip if best.how == "as cropped" else turned(strip, 180)
        out.append((LineReading(best.text, best.confidence, best.how, line.box), upright))
    return out, len(lines)


_engine: PpOcr | None = None
_engine_lock = threading.Lock()


def warm() -> None:
    """Start loading the process's recogniser in a thread: onnxruntime builds its session without
    holding Python's lock, so the caller's own work and tesseract's load go on meanwhile (issue
    17.7: about 0.1 s of a process's start). numpy and onnxruntime are imported here, in the
    caller's thread (two threads importing numpy at once can fail). The first
    :meth:`PpOcr.recognise` waits for the session; an error is left for that call to raise."""
    if _warming or unavailable_reason() is not None:
        return
    import numpy  # noqa: F401
    import onnxruntime  # noqa: F401

    def load() -> None:
        try:
            engine()._recogniser()
        except Exception:  # noqa: BLE001 - the reading's own call raises it again, where it is reported
            pass

    # not a daemon: the interpreter waits for it at exit, so no session is half built while it ends
    _warming.append(threading.Thread(target=load, name="fieldkit-ppocr-load"))
    _warming[0].start()


_warming: list[threading.Thread] = []


def engine() -> PpOcr:
    """The process's PP-OCR engine; raises OcrUnavailable saying what to install."""
    global _engine
    with _engine_lock:
        if _engine is None:
            reason = unavailable_reason()
            if reason:
                raise OcrUnavailable(f"PP-OCR is not available: {reason}")
            _engine = PpOcr(models_dir())  # type: ignore[arg-type]
        return _engine
