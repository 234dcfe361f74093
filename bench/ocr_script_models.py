"""Feasibility (s11-ocrmodels): a recogniser from a registry package for the Hangul and Cyrillic
lines fieldkit misses, run with onnxruntime directly, against what fieldkit reads today, on TUNING
data only.

    OMP_THREAD_LIMIT=1 PYTHONPATH=. .venv/bin/python bench/ocr_script_models.py --models DIR [--lines]

No package found on PyPI or npm ships a Korean or Cyrillic PP-OCR recogniser (see bench/RESULTS.md).
The one registry-shipped recogniser with Cyrillic is the Indra OCR Latin-family CTC model bundled in
the ``rapidocrlite`` wheel (5.0.0a15, models/lite: rec.onnx + meta.json); DIR is that folder, from
``pip download rapidocrlite --no-deps`` unzipped outside the repository (nothing is installed and no
dependency is added). Its input, as indra-ocr's rec_preproc.crop_line makes it: the line box grown
by 0.2 x its height above and below and 0.3 x at the sides (white outside the image), grey, resized
to meta.json's ``rec_height`` (32) and turned into an ink map (1 - grey/255; a light-on-dark line is
not inverted); the model takes ``x`` [1, 1, H, W] and ``widths`` and does CTC's greedy decoding itself
(``ids``, ``conf``, ``lengths``; class 0 is blank, class i + 1 is the vocabulary's token i).

Lines (all tuning data):
- ../shared/data/ocr-real, tuning split (bench/ocr_real.py's split_of), Hangul/mixed/Cyrillic lines;
  a line marked not upright is read turned 90 degrees each way and the more confident reading kept;
- bench/ocr_real_extra.json's 13 lines (Hangul), when the snapshot is there (/work/.mirror);
- bench/ocr_nameplates.py seed 11 (40) and bench/ocr_soviet_chips.py seed 1 (40).
fieldkit's reading is fieldkit.ocr.reading.read on the same crop, in this process. Exact as in
bench/ocr_real.py (whitespace removed, look-alikes folded).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import numpy as np  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from ocr_real import DATA, key, split_of  # noqa: E402

PAD_Y, PAD_X = 0.2, 0.3


class IndraRec:
    """The Indra OCR line recogniser (rec.onnx + meta.json) on onnxruntime, one thread."""

    def __init__(self, folder: Path):
        import onnxruntime as ort

        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        vocab = meta["vocab"]
        self.chars = (json.loads(vocab) if isinstance(vocab, str) else vocab)["chars"]
        self.height = meta["rec_height"]
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.log_severity_level = 3
        t0 = time.perf_counter()
        self.session = ort.InferenceSession(str(folder / "rec.onnx"), options, providers=["CPUExecutionProvider"])
        self.load_seconds = time.perf_counter() - t0

    def read(self, image: Image.Image, box: tuple[int, int, int, int], turn: int = 0) -> tuple[str, float]:
        """(text, mean peak probability) of the line in ``box`` (x, y, w, h), turned ``turn`` degrees
        counter-clockwise first."""
        x, y, w, h = box
        gray = image.convert("L")
        if turn:
            gray = gray.crop((x, y, x + w, y + h)).rotate(turn, expand=True)
            x, y, (w, h) = 0, 0, gray.size
        grown = gray.crop((math.floor(x - PAD_X * h), math.floor(y - PAD_Y * h),
                           math.ceil(x + w + PAD_X * h), math.ceil(y + h + PAD_Y * h)))
        # Pillow fills outside the image with black: paint it white, as crop_line does
        canvas = Image.new("L", grown.size, 255)
        inside = (max(0, -math.floor(x - PAD_X * h)), max(0, -math.floor(y - PAD_Y * h)))
        region = gray.crop((max(0, math.floor(x - PAD_X * h)), max(0, math.floor(y - PAD_Y * h)),
                            min(gray.width, math.ceil(x + w + PAD_X * h)), min(gray.height, math.ceil(y + h + PAD_Y * h))))
        canvas.paste(region, inside)
        cw, ch = canvas.size
        width = max(8, min(4096, round(cw * self.height / ch)))
        resample = Image.Resampling.BOX if ch > self.height else Image.Resampling.BILINEAR
        ink = 1.0 - np.asarray(canvas.resize((width, self.height), resample), dtype=np.float32) / 255.0
        padded = math.ceil(width / 8) * 8
        arr = np.zeros((1, 1, self.height, padded), np.float32)
        arr[0, 0, :, :width] = ink
        ids, conf, lengths = self.session.run(["ids", "conf", "lengths"], {"x": arr, "widths": np.array([width], np.int64)})
        n = int(lengths[0])
        seq, pm = ids[0, :n], conf[0, :n]
        keep = (seq != 0) & np.concatenate([[True], seq[1:] != seq[:-1]])
        text = "".join(self.chars[i - 1] for i in seq[keep].tolist())
        return text, float(pm[keep].mean()) if keep.any() else 0.0

    def read_any_turn(self, image, box, upright: bool) -> tuple[str, float]:
        if upright:
            return self.read(image, box)
        return max((self.read(image, box, t) for t in (90, 270)), key=lambda r: r[1])


def lines(mirror: Path):
    """(set name, line name, image, box, truth, upright, ink box or None) of every tuning line: the box is
    the crop fieldkit is given; the synthetic sets also give the text's own tight box."""
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    side = split_of(labels)
    for name, label in sorted(labels.items()):
        if side[name] == "tuning" and label["script"] in ("hangul", "mixed", "cyrillic"):
            photo = ImageOps.exif_transpose(Image.open(DATA / name))
            yield f"real {label['script']}", name, photo, tuple(label["crop"]), label["text"], label["upright"], None
    from ocr_real_extra import LABELS, photo_bytes

    for name, label in sorted(json.loads(LABELS.read_text(encoding="utf-8"))["lines"].items()):
        data = photo_bytes(label["source"], mirror)
        if isinstance(data, str):
            print(f"skipped {name}: {data}", file=sys.stderr)
            continue
        photo = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
        yield "extra real (hangul)", name, photo, tuple(label["crop"]), label["text"], label["upright"], None
    from ocr_images import crop_box, make_nameplates
    from ocr_soviet_chips import make_chips

    for n, m in enumerate(make_nameplates(40, 11)):
        yield "nameplates seed 11", f"n{n}", m.image, tuple(crop_box(m)), m.text, True, tuple(m.box)
    for n, m in enumerate(make_chips(40, 1)):
        yield "soviet chips seed 1", f"c{n}", m.image, tuple(crop_box(m)), m.text, True, tuple(m.box)


def timing(rec: IndraRec, image: Image.Image, box, rounds: int = 21) -> str:
    """Session creation and one line's recognition, this model against fieldkit's PP-OCRv6 small
    recogniser (fieldkit.ocr.ppocr, one thread), alternated in the same run; medians."""
    from fieldkit.ocr.ppocr import PpOcr, models_dir

    x, y, w, h = box
    crop = image.crop((x, y, x + w, y + h))
    pp = PpOcr(models_dir())
    t0 = time.perf_counter()
    pp._recogniser()
    pp_load = time.perf_counter() - t0
    ours, theirs = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        rec.read(image, box)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        pp.recognise([crop])
        theirs.append(time.perf_counter() - t0)
    a, b = statistics.median(ours), statistics.median(theirs)
    return (f"session: indra rec {rec.load_seconds:.3f} s, fieldkit PP-OCRv6 rec {pp_load:.3f} s; one line ({w}x{h} px):"
            f" indra {a * 1000:.1f} ms, PP-OCRv6 {b * 1000:.1f} ms (ratio {a / b:.2f}, medians of {rounds}, alternated)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, required=True, help="rapidocrlite's models/lite folder (unzipped)")
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--lines", action="store_true")
    args = parser.parse_args()
    from fieldkit.ocr.reading import read

    rec = IndraRec(args.models)
    tally: dict[str, list[int]] = {}
    seconds, first_chip = [], None
    for group, name, image, box, truth, upright, ink in lines(args.mirror):
        if group.startswith("soviet") and first_chip is None:
            first_chip = (image, box)
        t0 = time.perf_counter()
        text, conf = rec.read_any_turn(image, box, upright)
        seconds.append(time.perf_counter() - t0)
        if ink:
            tight = rec.read(image, ink)[0]
            t = tally.setdefault(group + ", ink box", [0, 0, 0, 0])
            t[0] += key(tight) == key(truth)
            t[3] += 1
        fk = read(image, crop=box).corrected
        ok, fk_ok = key(text) == key(truth), key(fk) == key(truth)
        t = tally.setdefault(group, [0, 0, 0, 0])
        t[0] += ok
        t[1] += fk_ok
        t[2] += ok and fk_ok
        t[3] += 1
        if args.lines:
            if ink:
                text += f" / ink box {tight!r}"
            print(f"{'=' if ok else 'x'}{'=' if fk_ok else 'x'} {name:7} {truth!r}  indra {text!r} ({conf:.2f})  fieldkit {fk!r}",
                  flush=True)
    print(f"session created in {rec.load_seconds:.2f} s; median {statistics.median(seconds) * 1000:.0f} ms a line"
          f" (turned lines read twice); load {' / '.join(f'{v:.1f}' for v in os.getloadavg())}")
    if first_chip:
        print(timing(rec, *first_chip))
    for group, (ok, fk_ok, both, n) in tally.items():
        if group.endswith("ink box"):
            print(f"{group:31} indra {ok}/{n} (read on the text's tight box, which fieldkit is not given)")
        else:
            print(f"{group:31} indra {ok}/{n}  fieldkit {fk_ok}/{n}  both {both}/{n}")


if __name__ == "__main__":
    main()
