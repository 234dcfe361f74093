"""OCR accuracy and speed benchmark: preprocessing pipelines and page-segmentation modes against
plain tesseract, on a freshly generated set of synthetic markings with known text.

    PYTHONPATH=. .venv/bin/python bench/ocr_accuracy.py [--count 60] [--seed 2024] [--languages eng+kor+rus]

Prints markdown: the machine, then one row per strategy with its character error rate (CER:
edit distance / length of the truth, whitespace runs collapsed), the share of images read exactly,
and seconds per image. Strategies:

- ``baseline``: the image as generated, tesseract's default layout analysis (psm 3), one call;
- ``<pipeline> psm N``: one preprocessing pipeline with one psm, one call;
- ``best of ...``: several single calls, keeping the reading with the highest mean word confidence
  (CER from the single calls above; seconds are their sum, i.e. run one after another);
- ``ocr_image()``: fieldkit's default, run for real (combinations in parallel, one per core), so
  its seconds are wall-clock; "+ correction" applies fieldkit.ocr.correction to its text.

Every image is generated in memory by tests/ocr_images.py from the seed; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pytesseract  # noqa: E402
from ocr_images import make_set  # noqa: E402

from fieldkit.ocr import engine, preprocess  # noqa: E402
from fieldkit.ocr.correction import correct  # noqa: E402
from machine import cpu_model  # noqa: E402  (bench/ is on sys.path when a script runs)

SINGLE = [
    ("raw", 3),
    ("raw", 7),
    ("gray", 3),
    ("gray", 6),
    ("gray", 7),
    ("denoised", 7),
    ("flattened", 6),
    ("flattened", 7),
    ("binarised", 7),
    ("deskewed", 7),
]
BEST_OF = [
    [("flattened", 7), ("denoised", 7)],  # fieldkit's default for a crop
    [("flattened", 7), ("binarised", 7)],
    [("flattened", 7), ("denoised", 7), ("binarised", 7)],
    [("gray", 7), ("denoised", 7), ("flattened", 7), ("binarised", 7), ("deskewed", 7)],
]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(truth: str, read: str) -> float:
    truth, read = normalise(truth), normalise(read)
    return edit_distance(truth, read) / max(1, len(truth))


def read_once(image, pipeline: str, psm: int, languages: str) -> tuple[str, float, float]:
    """(text, mean word confidence, seconds) for one pipeline and psm."""
    t0 = time.perf_counter()
    processed, transform = preprocess.prepare(image, pipeline)
    if pipeline == "raw":
        processed = processed.copy()  # no .format: pytesseract then passes a lossless PNG
    lines = engine._read(processed, languages, psm, transform, (0, 0))
    seconds = time.perf_counter() - t0
    return engine._text(lines), engine._mean_confidence(lines), seconds


def machine() -> list[str]:
    cpu = cpu_model()
    # GNU nproc obeys OMP_NUM_THREADS / OMP_THREAD_LIMIT, which this script sets: ask without them.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMP_")}
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, env=env).stdout.strip() or str(os.cpu_count())
    return [
        f"- date: {datetime.date.today().isoformat()}",
        f"- nproc: {nproc}; CPU: {cpu}",
        f"- tesseract {pytesseract.get_tesseract_version()} (pytesseract {pytesseract.__version__}), "
        f"Python {platform.python_version()}, OMP_THREAD_LIMIT={os.environ.get('OMP_THREAD_LIMIT')}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--languages", default=engine.DEFAULT_LANGUAGES)
    args = parser.parse_args()

    engine.check_available(args.languages)
    markings = make_set(args.count, args.seed)
    singles: dict[tuple[str, int], list[tuple[str, float, float]]] = {combo: [] for combo in SINGLE}
    fieldkit_runs = []
    for n, m in enumerate(markings, 1):
        for combo in SINGLE:
            singles[combo].append(read_once(m.image, *combo, args.languages))
        t0 = time.perf_counter()
        result = engine.ocr_image(m.image, languages=args.languages)
        fieldkit_runs.append((result.text, time.perf_counter() - t0))
        print(f"\r{n}/{len(markings)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    truths = [m.text for m in markings]
    scripts = ["latin" if re.search("[A-Z]", t) else "hangul" if re.search("[가-힣]", t) else "cyrillic" for t in truths]

    def row(name: str, texts: list[str], seconds: list[float]) -> str:
        errors = [cer(t, r) for t, r in zip(truths, texts)]
        by_script = []
        for script in ("latin", "cyrillic", "hangul"):
            chosen = [e for e, s in zip(errors, scripts) if s == script]
            by_script.append(f"{100 * sum(chosen) / max(1, len(chosen)):.1f}")
        exact = sum(normalise(t) == normalise(r) for t, r in zip(truths, texts))
        mean_cer = 100 * sum(errors) / len(errors)
        return (
            f"| {name} | {mean_cer:.1f} | {' | '.join(by_script)} | {100 * exact / len(truths):.0f} "
            f"| {sum(seconds) / len(seconds):.2f} |"
        )

    lines = machine()
    lines += [
        f"- set: {len(markings)} generated markings (seed {args.seed}; tests/ocr_images.make_set), "
        "Latin/Cyrillic/Hangul x stamped/stencil/dark-on-light, 18-96 px, rotated up to 3 degrees, "
        f"noise and blur; languages {args.languages}",
        "",
        "| strategy | CER % | Latin | Cyrillic | Hangul | exact % | s/image |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for combo in SINGLE:
        name = "baseline (raw image, psm 3)" if combo == ("raw", 3) else f"{combo[0]} psm {combo[1]}"
        lines.append(row(name, [r[0] for r in singles[combo]], [r[2] for r in singles[combo]]))
    for group in BEST_OF:
        texts, seconds = [], []
        for i in range(len(markings)):
            readings = [singles[c][i] for c in group]
            best = max(readings, key=lambda r: (bool(r[0].strip()), r[1]))
            texts.append(best[0])
            seconds.append(sum(r[2] for r in readings))
        name = "best of " + ", ".join(f"{p}/{psm}" for p, psm in group) + " (serial)"
        lines.append(row(name, texts, seconds))
    lines.append(row("ocr_image() default (parallel)", [t for t, _ in fieldkit_runs], [s for _, s in fieldkit_runs]))
    lines.append(
        row(
            "ocr_image() default + correction",
            [correct(t)[0] for t, _ in fieldkit_runs],
            [s for _, s in fieldkit_runs],
        )
    )
    lines += ["", "CER and exact match compare with whitespace runs collapsed to one space."]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
