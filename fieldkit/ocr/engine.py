"""Read a marking from a photo with tesseract: open the image safely, try a few preprocessing
pipelines and page-segmentation modes, and keep the reading tesseract is most confident of.

The result (:class:`OcrResult`) keeps everything a marking record needs to be traceable: the text
as read (never corrected here; see :mod:`fieldkit.ocr.correction`), the mean word confidence, lines
and words with boxes in the coordinates of the source photo, the engine settings that produced it,
and the other readings that were tried, so that a person can pick another.

Speed (see bench/RESULTS.md): every pytesseract call starts a tesseract process and loads the
language models, about 0.15-0.3 s before any recognition, so the number of (pipeline, psm)
combinations is kept small, and they run concurrently, one tesseract process per core, each
limited to one OpenMP thread (``OMP_THREAD_LIMIT=1``, faster on small machines).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # before any tesseract process is started

import re
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytesseract
from PIL import Image, ImageOps, UnidentifiedImageError
from pytesseract import Output

from fieldkit.errors import OcrUnavailable, PhotoError, ValidationError
from fieldkit.ocr import preprocess

ALLOWED_FORMATS = ["JPEG", "PNG", "TIFF", "WEBP"]
DEFAULT_LANGUAGES = "eng+kor+rus"
DEFAULT_PIPELINES = ["flattened", "denoised"]  # best pair measured in bench/ocr_accuracy.py
SINGLE_LINE_PSMS = [7]  # a cropped marking: one line of text
BLOCK_PSMS = [6, 11]  # a whole photo: a uniform block, and sparse text anywhere
OEM = 3  # tesseract's default engine choice (LSTM where the language data has it)
TESSERACT_TIMEOUT = 120  # seconds for one tesseract run before it is abandoned
INSTALL_HINT = "sudo apt-get install tesseract-ocr tesseract-ocr-kor tesseract-ocr-rus"


class OcrCancelled(Exception):
    """Raised by :func:`ocr_image` when its ``cancel`` event is set; not an error to report."""


@dataclass
class OcrWord:
    text: str
    confidence: float  # 0..100
    box: tuple[int, int, int, int]  # x, y, w, h in the source photo


@dataclass
class OcrLine:
    text: str
    confidence: float  # mean of its words
    box: tuple[int, int, int, int]
    words: list[OcrWord]


@dataclass
class OcrCandidate:
    """One (pipeline, psm) combination that was tried, and what it read."""

    pipeline: str
    psm: int
    text: str
    confidence: float
    seconds: float
    error: str | None = None


@dataclass
class OcrResult:
    text: str
    confidence: float  # mean word confidence, 0..100 (0 when nothing was read)
    lines: list[OcrLine]
    engine: dict  # name, version, languages, psm, oem, pipeline, crop, seconds
    candidates: list[OcrCandidate] = field(default_factory=list)  # the other readings, best first

    def to_json(self) -> dict:
        data = asdict(self)
        for line in data["lines"]:
            line["box"] = list(line["box"])
            for word in line["words"]:
                word["box"] = list(word["box"])
        return data


# ---------------------------------------------------------------- availability


_available: dict[tuple[str, str], str] = {}


def check_available(languages: str = DEFAULT_LANGUAGES) -> str:
    """Return tesseract's version, or raise OcrUnavailable saying what to install.

    A success is remembered for the same tesseract command and languages.
    """
    cmd = str(pytesseract.pytesseract.tesseract_cmd)
    key = (cmd, languages)
    if key in _available:
        return _available[key]
    wanted = [lang for lang in languages.split("+") if lang]
    if not wanted:
        raise ValidationError("no OCR language given: use e.g. --lang eng+kor+rus")
    try:
        version = str(pytesseract.get_tesseract_version())
        installed = set(pytesseract.get_languages())
    except (pytesseract.TesseractNotFoundError, SystemExit, OSError):
        raise OcrUnavailable(f"tesseract is not installed: install it with `{INSTALL_HINT}`, or see README") from None
    missing = [lang for lang in wanted if lang not in installed]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        names = ", ".join(missing)
        raise OcrUnavailable(
            f"tesseract language data missing for {names}: install it with `sudo apt-get install {packages}`"
            f" (installed: {', '.join(sorted(installed)) or 'none'})"
        )
    _available[key] = version
    return version


# ---------------------------------------------------------------- input


def open_image(path: str | os.PathLike) -> Image.Image:
    """Open a photo for OCR, refusing decompression bombs and formats other than ALLOWED_FORMATS.

    The EXIF orientation is applied, so coordinates refer to the photo as it is displayed.
    """
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=ALLOWED_FORMATS) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
    except FileNotFoundError:
        raise PhotoError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise PhotoError(f"{path}: is a directory, not an image") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise PhotoError(f"{path}: image is too large to open safely (over {Image.MAX_IMAGE_PIXELS} pixels)") from None
    except UnidentifiedImageError:
        raise PhotoError(f"{path}: not a readable image (accepted: {', '.join(ALLOWED_FORMATS)})") from None
    except (OSError, SyntaxError, ValueError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PhotoError(f"{path}: cannot read the image: {detail}") from None
    return image


_CROP = re.compile(r"^\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*$")


def parse_crop(text: str, image_size: tuple[int, int] | None = None) -> tuple[int, int, int, int]:
    """Parse "X,Y,W,H" (pixels); with ``image_size``, also check that the box lies in the image."""
    match = _CROP.match(text or "")
    if not match:
        raise ValidationError(f"crop {text!r} is not X,Y,W,H in whole pixels (e.g. 120,40,600,180)")
    crop = tuple(int(v) for v in match.groups())
    validate_crop(crop, image_size)
    return crop  # type: ignore[return-value]


def validate_crop(crop: tuple[int, int, int, int], image_size: tuple[int, int] | None = None) -> None:
    x, y, w, h = crop
    shown = ",".join(str(v) for v in crop)
    if x < 0 or y < 0:
        raise ValidationError(f"crop {shown}: X and Y must not be negative")
    if w <= 0 or h <= 0:
        raise ValidationError(f"crop {shown}: width and height must be positive")
    if image_size is not None:
        iw, ih = image_size
        if x + w > iw or y + h > ih:
            raise ValidationError(f"crop {shown} reaches outside the image, which is {iw}x{ih} pixels")


# ---------------------------------------------------------------- recognition


def _read(image: Image.Image, languages: str, psm: int, transform: preprocess.Transform, offset: tuple[int, int]):
    """Run tesseract once; return its lines with boxes mapped to the source photo."""
    data = pytesseract.image_to_data(
        image,
        lang=languages,
        config=f"--psm {psm} --oem {OEM}",
        output_type=Output.DICT,
        timeout=TESSERACT_TIMEOUT,
    )
    grouped: dict[tuple[int, int, int], list[OcrWord]] = {}
    for i, text in enumerate(data.get("text", [])):
        text = str(text).strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        box = (int(data["left"][i]), int(data["top"][i]), int(data["width"][i]), int(data["height"][i]))
        x, y, w, h = transform.to_source(box)
        word = OcrWord(text, round(conf, 2), (x + offset[0], y + offset[1], w, h))
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        grouped.setdefault(key, []).append(word)
    lines = []
    for words in grouped.values():
        # A "word" with no letter or digit at either end of a line (a quote mark, tick, bar or dash
        # read from the crop's edge, a scratch or surface texture) is dropped; inside a line it is
        # kept (a lone "-" or "/" between numbers is part of a marking).
        while words and not any(ch.isalnum() for ch in words[0].text):
            words = words[1:]
        while words and not any(ch.isalnum() for ch in words[-1].text):
            words = words[:-1]
        if not words:
            continue
        x0 = min(w.box[0] for w in words)
        y0 = min(w.box[1] for w in words)
        x1 = max(w.box[0] + w.box[2] for w in words)
        y1 = max(w.box[1] + w.box[3] for w in words)
        conf = sum(w.confidence for w in words) / len(words)
        lines.append(OcrLine(" ".join(w.text for w in words), round(conf, 2), (x0, y0, x1 - x0, y1 - y0), words))
    return lines


def _mean_confidence(lines: list[OcrLine]) -> float:
    words = [w for line in lines for w in line.words]
    return round(sum(w.confidence for w in words) / len(words), 2) if words else 0.0


def plan(image: Image.Image, psm: int | None, pipelines: list[str] | None, cropped: bool) -> list[tuple[str, int]]:
    """The (pipeline, psm) combinations to try, in order of preference for ties."""
    pipelines = list(pipelines or DEFAULT_PIPELINES)
    for name in pipelines:
        if name not in preprocess.PIPELINES:
            raise ValidationError(f"unknown preprocessing pipeline {name!r}; choose from {', '.join(preprocess.PIPELINES)}")
    if psm is not None:
        psms = [psm]
    elif cropped or preprocess.looks_like_one_line(preprocess.apply(image, "gray")):
        psms = SINGLE_LINE_PSMS
    else:
        psms = BLOCK_PSMS
    return [(p, m) for m in psms for p in pipelines]


def ocr_image(
    path_or_image: str | os.PathLike | Image.Image,
    *,
    languages: str = DEFAULT_LANGUAGES,
    crop: tuple[int, int, int, int] | None = None,
    psm: int | None = None,
    pipelines: list[str] | None = None,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> OcrResult:
    """Read the text of a marking from a photo (a path or a Pillow image).

    ``crop`` (x, y, w, h) limits reading to part of the photo; boxes in the result are still in
    photo coordinates. Without ``psm``, a crop or a single-line image is read as one line (psm 7),
    anything else as a block and as sparse text (psm 6 and 11). Each of ``pipelines`` (names in
    :data:`fieldkit.ocr.preprocess.PIPELINES`) is tried with each psm, ``workers`` at a time
    (default: the number of CPUs), and the reading with the highest mean word confidence wins.

    ``progress(done, total)`` is called after each combination; setting ``cancel`` stops before
    the next combination starts and raises :class:`OcrCancelled`.
    """
    version = check_available(languages)
    started = time.perf_counter()
    image = open_image(path_or_image) if not isinstance(path_or_image, Image.Image) else path_or_image
    offset = (0, 0)
    if crop is not None:
        crop = tuple(int(v) for v in crop)  # type: ignore[assignment]
        validate_crop(crop, image.size)
        x, y, w, h = crop
        image = image.crop((x, y, x + w, y + h))
        offset = (x, y)

    combos = plan(image, psm, pipelines, cropped=crop is not None)
    total = len(combos)
    done = 0
    lock = threading.Lock()

    def run(combo: tuple[str, int]):
        nonlocal done
        if cancel is not None and cancel.is_set():
            return None
        name, mode = combo
        t0 = time.perf_counter()
        try:
            processed, transform = preprocess.prepare(image, name)
            lines = _read(processed, languages, mode, transform, offset)
            error = None
        except pytesseract.TesseractError as exc:
            lines, error = [], f"tesseract failed: {exc.message.strip() or exc.status}"
        except RuntimeError as exc:  # pytesseract's timeout
            lines, error = [], str(exc)
        seconds = time.perf_counter() - t0
        if progress is not None:
            with lock:
                done += 1
                progress(done, total)
        return name, mode, lines, seconds, error

    workers = max(1, min(total, workers or os.cpu_count() or 1))
    if workers == 1:
        outcomes = [run(c) for c in combos]
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fieldkit-ocr") as pool:
            outcomes = list(pool.map(run, combos))
    if cancel is not None and cancel.is_set():
        raise OcrCancelled("OCR cancelled")

    readings = []
    for name, mode, lines, seconds, error in outcomes:
        readings.append((lines, OcrCandidate(name, mode, _text(lines), _mean_confidence(lines), round(seconds, 3), error)))
    if all(c.error for _, c in readings):
        raise OcrUnavailable(f"tesseract could not read the image: {readings[0][1].error}")
    # Highest mean confidence wins; an empty reading never beats a non-empty one; ties keep plan order.
    best_index = max(range(len(readings)), key=lambda i: (bool(readings[i][1].text), readings[i][1].confidence, -i))
    best_lines, best = readings[best_index]
    others = [c for i, (_, c) in enumerate(readings) if i != best_index]
    others.sort(key=lambda c: c.confidence, reverse=True)
    engine = {
        "name": "tesseract",
        "version": version,
        "languages": languages,
        "psm": best.psm,
        "oem": OEM,
        "pipeline": best.pipeline,
        "crop": list(crop) if crop is not None else None,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return OcrResult(best.text, best.confidence, best_lines, engine, others)


def _text(lines: list[OcrLine]) -> str:
    return "\n".join(line.text for line in lines)
