"""The tuning split of the real photographs, each line read as cropped and under small perturbations,
in this process (issue 18): how fragile a reading is, with more than one reading per tuning line.

    OMP_THREAD_LIMIT=1 PYTHONPATH=. .venv/bin/python bench/ocr_perturbed.py [--script hangul,mixed] [--lines] [--record OUT.json]

Each tuning line of ../shared/data/ocr-real/ (bench/ocr_real.py's split; the held-out split is never
read here) is read with fieldkit.ocr.reading.read on eight variants, as s7-ocrlatin and s9-ocrcyr did:
the crop as labelled, padded by 15% and 40% of its short side, tightened by 5%, turned +3° and -3°,
from the photo halved, and from the photo through JPEG q35. Exact as in bench/ocr_real.py
(whitespace removed, look-alikes folded). ``--record`` keeps every engine's reading of every variant
(fieldkit ocr --json's "engines") for replaying the choice.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from PIL import Image, ImageOps  # noqa: E402

from ocr_real import DATA, key, split_of  # noqa: E402

VARIANTS = ("as cropped", "padded 15%", "padded 40%", "tightened 5%", "turned +3°", "turned -3°", "halved", "jpeg q35")


def variant(photo: Image.Image, crop: list[int], name: str) -> tuple[Image.Image, tuple[int, int, int, int], float]:
    """(image, crop, rotation) of one variant of a labelled line."""
    x, y, w, h = crop
    rotate = 0.0
    if name.startswith("padded"):
        pad = round(min(w, h) * (0.15 if "15" in name else 0.40))
        x, y = max(0, x - pad), max(0, y - pad)
        w, h = min(photo.width - x, w + 2 * pad), min(photo.height - y, h + 2 * pad)
    elif name == "tightened 5%":
        dx, dy = round(w * 0.05 / 2), round(h * 0.05 / 2)
        x, y, w, h = x + dx, y + dy, w - 2 * dx, h - 2 * dy
    elif name.startswith("turned"):
        rotate = 3.0 if "+" in name else -3.0
    elif name == "halved":
        photo = photo.resize((photo.width // 2, photo.height // 2), Image.Resampling.LANCZOS)
        x, y, w, h = x // 2, y // 2, max(1, w // 2), max(1, h // 2)
    elif name == "jpeg q35":
        buffer = io.BytesIO()
        photo.convert("RGB").save(buffer, "JPEG", quality=35)
        photo = Image.open(io.BytesIO(buffer.getvalue()))
        photo.load()
    return photo, (x, y, w, h), rotate


def read_variants(read, name: str, label: dict, photo: Image.Image, variants: list[str], tally: dict[str, list[int]],
                  records: list[dict], seconds: list[float], lines: bool) -> None:
    """Read one labelled line in each variant: right/total by script into `tally`, each reading into `records`."""
    for v in variants:
        image, crop, rotate = variant(photo, label["crop"], v)
        t0 = time.perf_counter()
        reading = read(image, crop=crop, rotate=rotate)
        seconds.append(time.perf_counter() - t0)
        right = key(reading.corrected) == key(label["text"])
        tally.setdefault(label["script"], [0, 0])
        tally[label["script"]][0] += right
        tally[label["script"]][1] += 1
        if lines:
            print(f"{'=' if right else 'x'} {name} {v:13} {reading.corrected!r}  ({label['text']})", flush=True)
        records.append({"name": name, "variant": v, "text": label["text"], "corrected": reading.corrected,
                        "engines": [r.to_json() for r in reading.readings],
                        "candidates": [[c.text, c.confidence, c.languages, c.pipeline, c.in_choice]
                                       for c in reading.result.candidates]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--script", default="", help="comma-separated scripts to keep (latin, cyrillic, hangul, mixed)")
    parser.add_argument("--variants", default="", help="comma-separated variant names (default: all eight)")
    parser.add_argument("--lines", action="store_true", help="print every reading")
    parser.add_argument("--record", type=Path, help="write every variant's engine readings here (JSON)")
    args = parser.parse_args()

    from fieldkit.ocr import reading as reading_module
    from fieldkit.ocr.reading import read

    if args.record:  # every candidate tesseract read, not only the shown ones
        reading_module.SHOWN_CANDIDATES = 1000

    labels = json.loads((args.data / "labels.json").read_text(encoding="utf-8"))
    splits = split_of(labels)
    scripts = set(filter(None, args.script.split(",")))
    variants = [v for v in VARIANTS if not args.variants or v in args.variants.split(",")]
    unknown = set(filter(None, args.variants.split(","))) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variant {', '.join(sorted(unknown))}: choose from {', '.join(VARIANTS)}")
    names = [n for n in sorted(labels) if splits[n] == "tuning" and (not scripts or labels[n]["script"] in scripts)]
    tally: dict[str, list[int]] = {}
    records, seconds = [], []
    for name in names:
        label = labels[name]
        photo = ImageOps.exif_transpose(Image.open(args.data / name))
        photo.load()
        read_variants(read, name, label, photo, variants, tally, records, seconds, args.lines)
    total = sum(t[0] for t in tally.values()), sum(t[1] for t in tally.values())
    print(f"exact {total[0]}/{total[1]}: " + ", ".join(f"{s} {a}/{b}" for s, (a, b) in sorted(tally.items()))
          + f"; {sum(seconds) / max(1, len(seconds)):.2f} s a reading (in process, load {os.getloadavg()[0]:.1f})")
    if args.record:
        args.record.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
