"""Synthetic Korean nameplate lines (issue 18): Hangul labels, Latin letters and digits, read in this
process with fieldkit.ocr.photos.read, exact or not.

    OMP_THREAD_LIMIT=1 PYTHONPATH=. .venv/bin/python bench/ocr_nameplates.py [--count 40] [--seed 11] [--lines]

The lines come from tests/ocr_images.make_nameplates (printed or engraved plates, 18-32 px text; a
slice of its own, which changes neither make_set nor bench/ocr_accuracy.py's seed 7). Seed 11 is the
tuning seed (``--lines`` prints each line); seed 12 is checked in totals only. Exact as in
bench/ocr_real.py: whitespace removed, look-alikes folded.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from ocr_images import crop_box, make_nameplates  # noqa: E402
from ocr_real import key  # noqa: E402

from fieldkit.ocr import photos  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--lines", action="store_true", help="print every line (the tuning seed only)")
    args = parser.parse_args()
    right, seconds = 0, []
    for m in make_nameplates(args.count, args.seed):
        t0 = time.perf_counter()
        reading = photos.read(m.image, crop=crop_box(m))
        seconds.append(time.perf_counter() - t0)
        exact = key(reading.corrected) == key(m.text)
        right += exact
        if args.lines:
            print(f"{'=' if exact else 'x'} {m.text!r} read {reading.corrected!r}", flush=True)
    print(f"seed {args.seed}: {right}/{args.count} exact; {sum(seconds) / max(1, len(seconds)):.2f} s a line"
          f" (in process, load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
