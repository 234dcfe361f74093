"""The floor of `fieldkit ocr` per process (issue 17.7, issue 18 time per line): what a process that
reads a crop with PP-OCR costs before tesseract, the photo's decoding, the reference tables or the
choice, step by step, against raw `tesseract --psm 7` on the same crop in the same rounds.

    OMP_THREAD_LIMIT=1 .venv/bin/python bench/ocr_floor.py [--rounds 9] [--data DIR] [--line 020.png]

Each step is a fresh process (python -c ...), timed around the process (wall) and by its CPU
(user + system, os.wait4), the steps in a turning order; medians are printed, with each step's
ratio to raw tesseract's median. Three steps build the recogniser session by hand, to compare:
with ORT_ENABLE_ALL, with ORT_ENABLE_BASIC (fieldkit's level), and from a model onnxruntime
optimised and saved beforehand (into a temporary folder), loaded with optimisations off. Nothing
is cached for fieldkit.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from ocr_real import DATA, timed_cpu  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from fieldkit.ocr import ppocr  # noqa: E402

SESSION = ("import fieldkit.cli, fieldkit.ocr.ppocr, numpy, onnxruntime as ort; o = ort.SessionOptions(); "
           "o.intra_op_num_threads = 1; o.inter_op_num_threads = 1; o.log_severity_level = 3; "
           "o.graph_optimization_level = ort.GraphOptimizationLevel.{level}; "
           "ort.InferenceSession({path!r}, o, providers=['CPUExecutionProvider'])")


def optimised_copy(source: Path, folder: Path) -> Path:
    """The recogniser as onnxruntime optimises it (ORT_ENABLE_ALL), saved to a file."""
    import onnxruntime as ort

    out = folder / "rec-optimised.onnx"
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.log_severity_level = 3  # its warning that the file suits this machine only, which is where it is used
    options.optimized_model_filepath = str(out)
    ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--line", default="020.png", help="the labelled line whose crop is read (default 020.png, tuning split)")
    args = parser.parse_args()
    if ppocr.unavailable_reason():
        raise SystemExit(f"PP-OCR is not available: {ppocr.unavailable_reason()}")
    rec = ppocr.models_dir() / ppocr.REC_MODEL  # type: ignore[operator]
    label = json.loads((args.data / "labels.json").read_text(encoding="utf-8"))[args.line]
    x, y, w, h = label["crop"]
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="fieldkit-ocr-floor-") as tmp:
        crop = Path(tmp) / "crop.png"
        with Image.open(args.data / args.line) as image:
            ImageOps.exif_transpose(image).convert("RGB").crop((x, y, x + w, y + h)).save(crop)
        optimised = optimised_copy(rec, Path(tmp))
        steps = {
            "python -c pass": [py, "-c", "pass"],
            "+ import fieldkit.cli": [py, "-c", "import fieldkit.cli"],
            "+ numpy, onnxruntime": [py, "-c", "import fieldkit.cli, fieldkit.ocr.ppocr, numpy, onnxruntime"],
            "+ recogniser session, as fieldkit builds it": [py, "-c", "import fieldkit.cli; from fieldkit.ocr import ppocr; ppocr.engine()._recogniser()"],
            "+ session ALL": [py, "-c", SESSION.format(path=str(rec), level="ORT_ENABLE_ALL")],
            "+ session BASIC": [py, "-c", SESSION.format(path=str(rec), level="ORT_ENABLE_BASIC")],
            "+ session pre-optimised": [py, "-c", SESSION.format(path=str(optimised), level="ORT_DISABLE_ALL")],
            "+ one recognition": [py, "-c", "import fieldkit.cli; from fieldkit.ocr import ppocr; from PIL import Image; "
                                            f"ppocr.engine().recognise([Image.open({str(crop)!r})])"],
            "raw tesseract --psm 7": ["tesseract", str(crop), "-", "-l", "eng+kor+rus", "--psm", "7"],
        }
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in steps}
        loads = [os.getloadavg()[0]]
        names = list(steps)
        for r in range(args.rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:
                done, seconds, cpu = timed_cpu(steps[name], env)
                if done.returncode:
                    raise SystemExit(f"{name} failed: {done.stderr.strip()[-300:]}")
                times[name].append((seconds, cpu))
            loads.append(os.getloadavg()[0])
    raw_wall = statistics.median(s for s, _ in times["raw tesseract --psm 7"])
    raw_cpu = statistics.median(c for _, c in times["raw tesseract --psm 7"])
    print(f"{args.line}, {args.rounds} rounds, load {min(loads):.2f}-{max(loads):.2f}")
    print("| a process that only ... | wall, median | / raw | CPU, median | / raw |")
    print("|---|---:|---:|---:|---:|")
    for name, values in times.items():
        wall = statistics.median(s for s, _ in values)
        cpu = statistics.median(c for _, c in values)
        print(f"| {name} | {wall:.3f} | {wall / raw_wall:.2f}× | {cpu:.3f} | {cpu / raw_cpu:.2f}× |")


if __name__ == "__main__":
    main()
