"""Read a marking from a photo with tesseract: open the image safely, try several preprocessing
pipelines and page-segmentation modes, and keep the reading tesseract is most confident of.

The result (:class:`OcrResult`) keeps everything a marking record needs to be traceable: the text
as read (never corrected here; see :mod:`fieldkit.ocr.correction`), the mean word confidence, lines
and words with boxes in the coordinates of the source photo, the engine settings that produced it,
and the other readings that were tried, so that a person can pick another.

Speed (see bench/RESULTS.md): every tesseract process spends most of its time loading the language
models (about 0.1 s for eng+kor+rus, 0.03 s for rus alone) and only about 0.01-0.02 s recognising one
small crop. So tesseract runs in this process when tesserocr is installed (fieldkit.ocr.inprocess:
the models load once per process, same readings as the command); otherwise all the preprocessed
images of one crop are read by ONE process per (languages, psm), tesseract run on a list file naming
them, the TSV output's ``page_num`` telling the images apart. Either way the runs of one crop go
concurrently, one per core, each limited to one OpenMP thread (``OMP_THREAD_LIMIT=1``, faster on
small machines). ``engine["tesseract_run"]`` records which way it ran.

Word spacing: tesseract's Korean model puts a space between Hangul syllables in its word list (주 체
112), but knows where the real spaces are; the text output with ``preserve_interword_spaces=1``
keeps only those (주체112, 주체 111-4). Each run asks for that text beside the TSV, and words that
the text joins without a space are joined into one word (box and confidence of the parts merged).

Script re-read: the multi-language models confuse Cyrillic letters that have no Latin twin with
Latin letters or digits (Б read as B, Ф as 0). A single line is also read with ``rus`` alone (a
small model: it adds little time on the second core); when the multi-language readings show that
the line is Cyrillic, or show no letter of one script only while ``rus`` alone reads letters only
Cyrillic has, the reading is chosen among the ``rus`` readings. The choice and its basis are
recorded in ``engine["choice"]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # before any tesseract process is started

import copy
import dataclasses
import re
import shlex
import subprocess
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from fieldkit.errors import OcrUnavailable, PhotoError, ValidationError
from fieldkit.evidence.limits import register_decoders, too_large
from fieldkit.ocr import DEFAULT_LANGUAGES, inprocess, preprocess  # DEFAULT_LANGUAGES re-exported for callers
from fieldkit.ocr.correction import HOMOGLYPHS, script_of

ALLOWED_FORMATS = ["JPEG", "PNG", "TIFF", "WEBP", "BMP", "GIF"]
# Pipelines for one line of text (a crop); the best set of four measured in bench/ocr_accuracy.py.
DEFAULT_PIPELINES = ["flattened_small", "thickened", "crop_thickened", "crop_streaks_closed"]
BLOCK_PIPELINES = ["flattened", "denoised"]  # a whole photo (the crop_* pipelines assume one line)
SINGLE_LINE_PSMS = [7]  # a cropped marking: one line of text
BLOCK_PSMS = [6, 11]  # a whole photo: a uniform block, and sparse text anywhere
SCRIPT_REREAD = {"cyrillic": "rus"}  # script -> the model a single line of it is read with again
# tesseract's Hangul script model (Debian: tesseract-ocr-script-hang), and the images it reads a line
# PP-OCR saw CJK in: the crop as it is and in gray (fieldkit.ocr.reading._hangul_vote; on the KEPCO
# nameplates of the real tuning photos, the pipelines that flatten and thicken made 고객 고픽, 디 니)
HANGUL_SCRIPT = "Hangul"
HANGUL_PIPELINES = ["raw", "gray"]
# Word spacing from tesseract's own text output (see the module docstring); TSV and text from one run.
RUN_CONFIG = "-c preserve_interword_spaces=1 -c tessedit_create_tsv=1 -c tessedit_create_txt=1"
OEM = 3  # tesseract's default engine choice (LSTM where the language data has it)
TESSERACT_TIMEOUT = 120  # seconds for one tesseract run before it is abandoned
CANCEL_POLL = 0.01  # seconds between looks at the cancel event while tesseract runs (a line PP-OCR reads alone waits for its early tesseract to stop)
INSTALL_HINT = "sudo apt-get install tesseract-ocr tesseract-ocr-kor tesseract-ocr-rus"
NOT_INSTALLED = f"tesseract is not installed: install it with `{INSTALL_HINT}`, or see README"


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
    """One (pipeline, psm, languages) combination that was tried, and what it read."""

    pipeline: str
    psm: int
    text: str
    confidence: float
    seconds: float  # of the tesseract run that read it (one run reads every pipeline's image)
    error: str | None = None
    languages: str = ""
    in_choice: bool = True  # whether it competed for the choice (see choose())


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


def in_process() -> bool:
    """Whether tesseract runs in this process (fieldkit.ocr.inprocess) rather than as a command."""
    return inprocess.unavailable_reason() is None


def _command() -> str:
    import pytesseract  # the command's path only (pytesseract imports numpy)

    return str(pytesseract.pytesseract.tesseract_cmd)


def check_available(languages: str = DEFAULT_LANGUAGES) -> str:
    """Return tesseract's version, or raise OcrUnavailable saying what to install.

    A success is remembered for the same tesseract (in this process, or the command) and languages.
    """
    inside = in_process()
    key = ("in-process" if inside else _command(), languages)
    if key in _available:
        return _available[key]
    wanted = [lang for lang in languages.split("+") if lang]
    if not wanted:
        raise ValidationError("no OCR language given: use e.g. --lang eng+kor+rus")
    if inside:
        version, installed = inprocess.version(), inprocess.languages()
    else:
        import pytesseract

        try:
            version = str(pytesseract.get_tesseract_version())
            installed = _installed_languages(version) or set(pytesseract.get_languages())
        except (pytesseract.TesseractNotFoundError, SystemExit, OSError):
            raise OcrUnavailable(NOT_INSTALLED) from None
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


def _installed_languages(version: str) -> set[str]:
    """The languages in tesseract's data folder, read from the disk (no process started): the
    folder TESSDATA_PREFIX names, or Debian's for this major version. Empty when not found (the
    caller then asks tesseract)."""
    folders = [Path(os.environ["TESSDATA_PREFIX"])] if os.environ.get("TESSDATA_PREFIX") else []
    major = version.split(".")[0]
    folders += [Path(f"/usr/share/tesseract-ocr/{major}/tessdata"), Path("/usr/share/tesseract-ocr/tessdata")]
    for folder in folders:
        if _command() in ("tesseract", "/usr/bin/tesseract") and folder.is_dir():
            found = {p.name.removesuffix(".traineddata") for p in folder.glob("*.traineddata")}
            if found:
                return found
    return set()


# ---------------------------------------------------------------- input


def open_image(path: str | os.PathLike) -> Image.Image:
    """Open a photo for OCR, refusing decompression bombs and formats other than ALLOWED_FORMATS.

    The EXIF orientation is applied, so coordinates refer to the photo as it is displayed.
    """
    path = Path(path)
    register_decoders(ALLOWED_FORMATS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=ALLOWED_FORMATS) as image:
                reason = too_large(image)  # from the header, before decoding a pixel
                if reason:
                    raise PhotoError(f"{path}: {reason}")
                image.load()
                image = ImageOps.exif_transpose(image)
    except FileNotFoundError:
        raise PhotoError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise PhotoError(f"{path}: is a directory, not an image") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise PhotoError(f"{path}: too large, more than {Image.MAX_IMAGE_PIXELS / 1e6:g} megapixels "
                         "(a decompression bomb?); refused") from None
    except UnidentifiedImageError:
        raise PhotoError(f"{path}: not a readable image (accepted: {', '.join(ALLOWED_FORMATS)})") from None
    except MemoryError:
        raise PhotoError(f"{path}: too large to decode in the memory available here") from None
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


class TesseractFailed(Exception):
    """Tesseract could not read an image (the command ended with an error, or the library refused it)."""


def _tesseract(args: list[str], cancel: threading.Event | None) -> None:
    """Run pytesseract's tesseract command with ``args``, as pytesseract.run_tesseract does, but stop
    it as soon as ``cancel`` is set (raising OcrCancelled) or after TESSERACT_TIMEOUT seconds."""
    try:
        process = subprocess.Popen([_command(), *args], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise OcrUnavailable(NOT_INSTALLED) from None
    deadline = time.monotonic() + TESSERACT_TIMEOUT
    while True:
        try:
            _, errors = process.communicate(timeout=CANCEL_POLL)
            break
        except subprocess.TimeoutExpired:
            stop = cancel is not None and cancel.is_set()
            if stop or time.monotonic() > deadline:
                process.kill()
                process.communicate()
                if stop:
                    raise OcrCancelled("OCR cancelled") from None
                raise RuntimeError(f"tesseract took longer than {TESSERACT_TIMEOUT} s and was stopped") from None
    if process.returncode:
        message = _last_line(errors.decode("utf-8", "replace"))
        raise TesseractFailed(f"tesseract failed: {message or f'exit status {process.returncode}'}")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _run(paths: list[str], languages: str, psm: int, cancel: threading.Event | None = None) -> list[tuple[dict, str]]:
    """Tesseract reading every image file in ``paths``, in this process when it can
    (fieldkit.ocr.inprocess), else in one tesseract process: for each image, its TSV rows (a dict
    of columns, as pytesseract.image_to_data gives) and its text output. Both give the same."""
    if in_process():
        return _run_in_process(paths, languages, psm, cancel)
    return _run_command(paths, languages, psm, cancel)


def _config() -> dict[str, str]:
    """RUN_CONFIG's ``-c`` variables."""
    words = shlex.split(RUN_CONFIG)
    return dict(words[i + 1].split("=", 1) for i in range(0, len(words), 2) if words[i] == "-c")


def _run_in_process(paths: list[str], languages: str, psm: int, cancel: threading.Event | None) -> list[tuple[dict, str]]:
    out = []
    with inprocess.engine(languages, psm, OEM, _config(), cancel) as api:
        if api is None:  # cancelled while the models were loading
            raise OcrCancelled("OCR cancelled")
        for path in paths:
            if cancel is not None and cancel.is_set():
                raise OcrCancelled("OCR cancelled")
            try:
                tsv, text = inprocess.read(api, path, TESSERACT_TIMEOUT)
            except RuntimeError as exc:
                raise TesseractFailed(f"tesseract failed: {exc}") from None
            out.append((_tsv_columns(tsv), text))
    return out


def preload(languages: str = DEFAULT_LANGUAGES, psm: int = SINGLE_LINE_PSMS[0]) -> None:
    """Start loading tesseract's models for one-line reading in a thread, when it runs in this process
    (fieldkit.ocr.inprocess.preload): `fieldkit ocr` calls it first, so the load overlaps the imports."""
    if os.environ.get(inprocess.ENV, "").strip().lower() != "process":
        inprocess.preload(languages, psm, OEM, _config())


def _tsv_columns(tsv: str) -> dict[str, list]:
    """Tesseract's TSV output as a dict of columns (numbers as int, the text column as text), as
    pytesseract.pytesseract.file_to_dict gives it."""
    rows = [row.split("\t") for row in tsv.strip().split("\n")]
    if len(rows) < 2:
        return {}
    header = rows.pop(0)
    if len(rows[-1]) < len(header):  # the last word's text is empty
        rows[-1].append("")
    text_column = header.index("text")
    columns: dict[str, list] = {}
    for i, name in enumerate(header):
        values = columns[name] = []
        for row in rows:
            if i < len(row):
                values.append(row[i] if i == text_column else _number(row[i]))
    return columns


def _number(cell: str) -> int | str:
    try:
        return int(float(cell))
    except ValueError:
        return cell


def _run_command(paths: list[str], languages: str, psm: int, cancel: threading.Event | None) -> list[tuple[dict, str]]:
    """One tesseract process reading every image in ``paths`` (listed in a file)."""
    with tempfile.TemporaryDirectory(prefix="fieldkit-ocr-run-") as tmp:
        listing = Path(tmp) / "images.txt"
        listing.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
        base = str(Path(tmp) / "out")
        _tesseract([str(listing), base, "-l", languages, *shlex.split(f"--psm {psm} --oem {OEM} {RUN_CONFIG}")], cancel)
        tsv = Path(base + ".tsv").read_text(encoding="utf-8")
        texts = Path(base + ".txt").read_text(encoding="utf-8").split("\f")
    data = _tsv_columns(tsv)
    pages: list[dict] = [{k: [] for k in data} for _ in paths]
    for i, page in enumerate(data.get("page_num", [])):
        if 1 <= int(page) <= len(paths):
            for k in data:
                pages[int(page) - 1][k].append(data[k][i])
    return [(pages[i], texts[i] if i < len(texts) else "") for i in range(len(paths))]


def _glued(words: list[str], text: str) -> list[bool]:
    """For each word (in reading order), whether tesseract's text output joins it to the word before
    with no space. All False when the words cannot be found in order in the text."""
    out, pos = [], 0
    for i, word in enumerate(words):
        at = text.find(word, pos)
        if at < 0 or text[pos:at].strip():
            return [False] * len(words)
        out.append(i > 0 and at == pos)
        pos = at + len(word)
    return out


def _merge(parts: list[OcrWord]) -> OcrWord:
    """Words read with no space between them, as one word (confidence weighted by length)."""
    if len(parts) == 1:
        return parts[0]
    x0 = min(w.box[0] for w in parts)
    y0 = min(w.box[1] for w in parts)
    x1 = max(w.box[0] + w.box[2] for w in parts)
    y1 = max(w.box[1] + w.box[3] for w in parts)
    weight = sum(len(w.text) for w in parts)
    conf = sum(w.confidence * len(w.text) for w in parts) / weight
    return OcrWord("".join(w.text for w in parts), round(conf, 2), (x0, y0, x1 - x0, y1 - y0))


def _lines(data: dict, text: str, transform: preprocess.Transform, offset: tuple[int, int]) -> list[OcrLine]:
    """The lines of one image's TSV rows, boxes mapped to the source photo, spacing from ``text``."""
    rows = []  # (line key, word)
    for i, word_text in enumerate(data.get("text", [])):
        word_text = str(word_text).strip()
        conf = float(data["conf"][i])
        if not word_text or conf < 0:
            continue
        box = (int(data["left"][i]), int(data["top"][i]), int(data["width"][i]), int(data["height"][i]))
        x, y, w, h = transform.to_source(box)
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        rows.append((key, OcrWord(word_text, round(conf, 2), (x + offset[0], y + offset[1], w, h))))
    glued = _glued([w.text for _, w in rows], text)
    grouped: dict[tuple[int, int, int], list[list[OcrWord]]] = {}
    for (key, word), joined in zip(rows, glued):
        parts = grouped.setdefault(key, [])
        if joined and parts:
            parts[-1].append(word)
        else:
            parts.append([word])
    lines = []
    for parts in grouped.values():
        words = [_merge(p) for p in parts]
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


# Y and У look alike in most fonts and the multi-language models swap them ("9M22Y" for 9М22У);
# fieldkit.markings.normalize folds them together. They vote for no script in those readings.
SHARED_IN_VOTE = HOMOGLYPHS | {"Y", "y", "У", "у"}


def _script_letters(text: str, shared: set[str] = SHARED_IN_VOTE) -> Counter:
    """Letters of ``text`` that only one script has, counted by script ('latin', 'cyrillic',
    'hangul'); letters in ``shared`` count for neither."""
    counts: Counter = Counter()
    for ch in text:
        if "\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e":
            counts["hangul"] += 1
        elif ch not in shared and (script := script_of(ch)):
            counts[script] += 1
    return counts


def choose(readings: list[OcrCandidate], languages: str) -> tuple[int, str | None, set[int]]:
    """Pick the reading to keep: (its index, the basis when the script decided it, the indices of
    the readings that competed).

    Readings with ``languages`` compete, unless the line is of a script with its own re-read
    (SCRIPT_REREAD) and readings with that model exist: the multi-language readings' letters that
    only one script has decide the script; when they have none (only digits, or letters Latin and
    Cyrillic share, as in "BK-6M", "00-462" or "9M22Y"), a re-read that found letters only its
    script has decides it. (Letting the re-read decide whenever the readings disagree between Latin
    and Cyrillic lost 2-3 exact lines in 120 on the benchmark: garbage readings of textured crops
    hold stray Cyrillic letters.) The letters weigh by their reading's confidence, a script must have
    more weight than any other, and re-reads that read nothing never replace the readings. Among the
    competitors, the highest mean confidence wins; an empty reading never beats a non-empty one; ties
    keep the order of ``readings``.
    """
    main = [i for i, r in enumerate(readings) if r.languages == languages and not r.error]
    pool, basis = main, None
    letters: Counter = Counter()  # each reading's letters weigh by its confidence: garbage counts for little
    for i in main:
        for script, count in _script_letters(readings[i].text).items():
            letters[script] += count * readings[i].confidence / 100
    ranked = letters.most_common(2)
    leader = ranked[0][0] if ranked and ranked[0][1] > 0 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else None
    for script, model in SCRIPT_REREAD.items():
        again = [i for i, r in enumerate(readings) if r.languages == model and r.languages != languages and not r.error]
        if not any(readings[i].text for i in again):  # an empty re-read never replaces a reading
            continue
        if leader == script:
            shown = ", ".join(sorted({ch for i in main for ch in readings[i].text if _script_letters(ch)[script]}))
            pool = again
            basis = f"script: the {languages} readings have letters only {script.title()} has ({shown}); chosen among the readings with {model} alone"
        elif not any(letters.values()):
            best = max(again, key=lambda i: (bool(readings[i].text), readings[i].confidence, -i))
            # rus has no Latin letters: a Latin B comes out as В, but Б only from a Б. У does not
            # count: it is also how rus reads a Latin Y (a "CYP" became "СУР" on a real photo).
            found = sorted({ch for ch in readings[best].text if _script_letters(ch)[script]})
            if found:
                pool = again
                basis = (
                    f"script: the {languages} readings have no letter of one script only; {model} alone read "
                    f"{', '.join(found)}, which only {script.title()} has; chosen among the readings with {model} alone"
                )
    if not pool:
        pool = [i for i, r in enumerate(readings) if not r.error] or list(range(len(readings)))
    best = max(pool, key=lambda i: (bool(readings[i].text), readings[i].confidence, -i))
    return best, basis, set(pool)


def _mean_confidence(lines: list[OcrLine]) -> float:
    words = [w for line in lines for w in line.words]
    return round(sum(w.confidence for w in words) / len(words), 2) if words else 0.0


def plan(image: Image.Image, psm: int | None, pipelines: list[str] | None, cropped: bool) -> list[tuple[str, int]]:
    """The (pipeline, psm) combinations to try, in order of preference for ties."""
    for name in pipelines or []:
        if name not in preprocess.PIPELINES:
            raise ValidationError(f"unknown preprocessing pipeline {name!r}; choose from {', '.join(preprocess.PIPELINES)}")
    if psm is not None:
        psms = [psm]
    elif cropped or preprocess.looks_like_one_line(preprocess.apply(image, "gray")):
        psms = SINGLE_LINE_PSMS
    else:
        psms = BLOCK_PSMS
    one_line = psms == SINGLE_LINE_PSMS or psm in SINGLE_LINE_PSMS
    pipelines = list(pipelines or (DEFAULT_PIPELINES if one_line else BLOCK_PIPELINES))
    return [(p, m) for m in psms for p in pipelines]


def runs_for(combos: list[tuple[str, int]], languages: str, rereads: bool = True) -> list[tuple[str, int, list[str]]]:
    """The tesseract runs that read ``combos``: (languages, psm, pipelines), one per psm with
    ``languages``, and for a single line (psm 7) one more per script re-read whose model is among
    ``languages`` (SCRIPT_REREAD), unless ``rereads`` is false."""
    runs = []
    for psm in dict.fromkeys(m for _, m in combos):
        names = [p for p, m in combos if m == psm]
        runs.append((languages, psm, names))
        wanted = languages.split("+")
        if rereads and psm in SINGLE_LINE_PSMS and len(wanted) > 1:
            runs += [(model, psm, names) for model in SCRIPT_REREAD.values() if model in wanted]
    return runs


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
    rereads: bool = True,
    known: OcrResult | None = None,
) -> OcrResult:
    """Read the text of a marking from a photo (a path or a Pillow image).

    ``crop`` (x, y, w, h) limits reading to part of the photo; boxes in the result are still in
    photo coordinates. Without ``psm``, a crop or a single-line image is read as one line (psm 7),
    anything else as a block and as sparse text (psm 6 and 11). Each of ``pipelines`` (names in
    :data:`fieldkit.ocr.preprocess.PIPELINES`; default DEFAULT_PIPELINES for one line,
    BLOCK_PIPELINES otherwise) is tried with each psm: one tesseract run per psm reads every
    pipeline's image, plus, for one line, the script re-reads (SCRIPT_REREAD); runs go ``workers``
    at a time (default: the number of CPUs). :func:`choose` keeps a reading.

    ``progress(done, total)`` is called after each tesseract run; setting ``cancel`` stops before
    the next run starts and raises :class:`OcrCancelled`. ``rereads=False`` leaves out the
    script re-reads (one tesseract process per psm). ``known``: an earlier result of this function
    on the same image and crop with one pipeline and no re-reads (the quick reading,
    fieldkit.ocr.reading); its reading stands for that (languages, psm, pipeline) instead of
    tesseract reading the same image again (tesseract reads the same image the same way).
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
    runs = runs_for(combos, languages, rereads)
    reused = _reusable(known, crop)
    total = len(runs)
    done = 0
    lock = threading.Lock()
    if cancel is not None and cancel.is_set():
        raise OcrCancelled("OCR cancelled")

    with tempfile.TemporaryDirectory(prefix="fieldkit-ocr-") as tmp:
        t0 = time.perf_counter()
        names = list(dict.fromkeys(p for p, _ in combos))
        prepared = dict(zip(names, preprocess.prepare_many(image, names)))
        paths = {}
        for n, name in enumerate(names):
            paths[name] = str(Path(tmp) / f"{n:02d}-{name}.png")
            prepared[name][0].save(paths[name], compress_level=1)
        prep_seconds = time.perf_counter() - t0

        def run(spec: tuple[str, int, list[str]]):
            nonlocal done
            if cancel is not None and cancel.is_set():
                return None
            langs, mode, run_names = spec
            run_names = [n for n in run_names if (langs, mode, n) not in reused]
            t1 = time.perf_counter()
            try:
                pages, error = (_run([paths[n] for n in run_names], langs, mode, cancel) if run_names else []), None
            except OcrCancelled:
                return None
            except TesseractFailed as exc:
                pages, error = None, str(exc)
            except RuntimeError as exc:  # the timeout
                pages, error = None, str(exc)
            except OSError as exc:  # tesseract ended without writing its output
                pages, error = None, f"tesseract wrote no output: {exc.strerror or exc}"
            seconds = time.perf_counter() - t1
            if progress is not None:
                with lock:
                    done += 1
                    progress(done, total)
            return pages, error, seconds

        workers = max(1, min(total, workers or os.cpu_count() or 1))
        if workers == 1:
            outcomes = [run(r) for r in runs]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fieldkit-ocr") as pool:
                outcomes = list(pool.map(run, runs))
    if cancel is not None and cancel.is_set():
        raise OcrCancelled("OCR cancelled")

    readings: list[tuple[list[OcrLine], OcrCandidate]] = []
    run_log = []
    for (langs, mode, run_names), (pages, error, seconds) in zip(runs, outcomes):
        run_log.append({"languages": langs, "psm": mode, "pipelines": run_names, "seconds": round(seconds, 3), "error": error})
        n = 0
        for name in run_names:
            if (langs, mode, name) in reused:
                lines, candidate = reused[(langs, mode, name)]
                readings.append((lines, dataclasses.replace(candidate)))
                run_log[-1].setdefault("reused", []).append(name)
                continue
            lines = [] if pages is None else _lines(pages[n][0], pages[n][1], prepared[name][1], offset)
            n += 1
            readings.append((lines, OcrCandidate(name, mode, _text(lines), _mean_confidence(lines), round(seconds, 3), error, langs)))
    if all(c.error for _, c in readings):
        raise PhotoError(f"tesseract could not read the image: {readings[0][1].error}")
    best_index, basis, competed = choose([c for _, c in readings], languages)
    for i, (_, c) in enumerate(readings):
        c.in_choice = i in competed
    best_lines, best = readings[best_index]
    others = [c for i, (_, c) in enumerate(readings) if i != best_index]
    others.sort(key=lambda c: (c.in_choice, c.confidence), reverse=True)
    engine = {
        "name": "tesseract",
        "version": version,
        "languages": best.languages,
        "psm": best.psm,
        "oem": OEM,
        "pipeline": best.pipeline,
        "crop": list(crop) if crop is not None else None,
        "requested_languages": languages,
        "choice": basis,
        "config": f"--psm {best.psm} --oem {OEM} -c preserve_interword_spaces=1",
        "tesseract_run": "in-process" if in_process() else "command",
        "runs": run_log,
        "preprocess_seconds": round(prep_seconds, 3),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return OcrResult(best.text, best.confidence, best_lines, engine, others)


def _reusable(known: OcrResult | None, crop) -> dict[tuple[str, int, str], tuple[list[OcrLine], OcrCandidate]]:
    """The reading of an earlier one-pipeline, no-re-read run of the same crop, by (languages, psm,
    pipeline): its lines (copied) and its candidate. Empty when ``known`` is not such a run."""
    if known is None:
        return {}
    engine = known.engine
    runs = engine.get("runs") or []
    if (len(runs) != 1 or runs[0].get("error") or runs[0].get("pipelines") != [engine.get("pipeline")]
            or engine.get("crop") != (list(crop) if crop is not None else None)):
        return {}
    key = (str(engine["languages"]), int(engine["psm"]), str(engine["pipeline"]))
    candidate = OcrCandidate(key[2], key[1], known.text, known.confidence, runs[0]["seconds"], None, key[0])
    return {key: (copy.deepcopy(known.lines), candidate)}


def _text(lines: list[OcrLine]) -> str:
    return "\n".join(line.text for line in lines)


def read_strips(
    images: list[Image.Image], languages: str = DEFAULT_LANGUAGES, pipeline: str = DEFAULT_PIPELINES[0],
    cancel: threading.Event | None = None,
) -> list[tuple[str, float]]:
    """Read each image as one line (psm 7), all in ONE tesseract process: (text, mean word
    confidence 0..100) per image. For the lines detected in a whole photo (fieldkit.ocr.ppocr)."""
    if not images:
        return []
    check_available(languages)
    with tempfile.TemporaryDirectory(prefix="fieldkit-ocr-strips-") as tmp:
        paths, transforms = [], []
        for n, image in enumerate(images):
            prepared, transform = preprocess.prepare(image, pipeline)
            paths.append(str(Path(tmp) / f"{n:04d}.png"))
            prepared.save(paths[-1], compress_level=1)
            transforms.append(transform)
        pages = _run(paths, languages, SINGLE_LINE_PSMS[0], cancel)
    out = []
    for (data, text), transform in zip(pages, transforms):
        lines = _lines(data, text, transform, (0, 0))
        out.append((_text(lines), _mean_confidence(lines)))
    return out
