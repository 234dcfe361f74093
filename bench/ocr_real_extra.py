"""More real tuning lines (issue 18): photos from public repositories, read where a fetched snapshot
of the repository lies, with labels kept in bench/ocr_real_extra.json (the photos are never copied
into this repository).

    OMP_THREAD_LIMIT=1 PYTHONPATH=. .venv/bin/python bench/ocr_real_extra.py [--mirror DIR] [--variants "as cropped"] [--lines] [--record OUT.json]

Each line's ``source`` is ``owner/name path@commit``; the photo is the blob at that commit in the
git directory DIR/owner+name/repo (or its .git), as the session's fetch tool leaves snapshots
(default /work/.mirror). A line whose snapshot or blob is absent is skipped with a message naming
the repository to fetch; with none found the bench says so and stops.

Every line is read with fieldkit.ocr.reading.read as cropped and on bench/ocr_perturbed.py's seven
perturbations (padded 15% and 40%, tightened 5%, turned ±3°, from the photo halved, through JPEG
q35), in this process. Exact as in bench/ocr_real.py (whitespace removed, look-alikes folded).
These lines are tuning data: they may be looked at line by line (``--lines``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from PIL import Image, ImageOps  # noqa: E402

from ocr_perturbed import VARIANTS, read_variants  # noqa: E402

LABELS = ROOT / "bench" / "ocr_real_extra.json"
MIRROR = Path("/work/.mirror")


def photo_bytes(source: str, mirror: Path) -> bytes | str:
    """The bytes of the photo a line's ``source`` names, or why they cannot be had (a message)."""
    repo, _, rest = source.partition(" ")
    path, _, commit = rest.rpartition("@")
    base = mirror / repo.replace("/", "+") / "repo"
    git_dir = next((d for d in (base / ".git", base) if (d / "HEAD").is_file()), None)
    if git_dir is None:
        return f"no snapshot of {repo} under {mirror} (fetch github:{repo} first)"
    done = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "blob", f"{commit}:{path}"],
                          capture_output=True)
    if done.returncode != 0:
        return f"{path}@{commit[:12]} is not in the snapshot of {repo} (fetch github:{repo} again)"
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=MIRROR, help="folder of fetched snapshots (owner+name/repo)")
    parser.add_argument("--variants", default="", help="comma-separated variant names (default: all eight)")
    parser.add_argument("--script", default="", help="comma-separated scripts to keep (latin, cyrillic, hangul, mixed)")
    parser.add_argument("--lines", action="store_true", help="print every reading")
    parser.add_argument("--record", type=Path, help="write every reading's engine readings here (JSON)")
    args = parser.parse_args()

    from fieldkit.ocr.reading import read

    lines = json.loads(LABELS.read_text(encoding="utf-8"))["lines"]
    scripts = set(filter(None, args.script.split(",")))
    variants = [v for v in VARIANTS if not args.variants or v in args.variants.split(",")]
    unknown = set(filter(None, args.variants.split(","))) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variant {', '.join(sorted(unknown))}: choose from {', '.join(VARIANTS)}")
    photos: dict[str, Image.Image | str] = {}
    tally: dict[str, list[int]] = {}
    records, seconds, skipped = [], [], 0
    for name, label in sorted(lines.items()):
        if scripts and label["script"] not in scripts:
            continue
        if label["source"] not in photos:
            data = photo_bytes(label["source"], args.mirror)
            if isinstance(data, str):
                print(f"skipped: {data}", file=sys.stderr)
                photos[label["source"]] = data
            else:
                photo = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
                photo.load()
                photos[label["source"]] = photo
        photo = photos[label["source"]]
        if isinstance(photo, str):
            skipped += 1
            continue
        read_variants(read, name, label, photo, variants, tally, records, seconds, args.lines)
    if not tally:
        print(f"no photo found: fetch the repositories named in {LABELS.name} (skipped {skipped} lines)")
        return
    total = sum(t[0] for t in tally.values()), sum(t[1] for t in tally.values())
    print(f"exact {total[0]}/{total[1]}: " + ", ".join(f"{s} {a}/{b}" for s, (a, b) in sorted(tally.items()))
          + (f"; {skipped} lines skipped (no snapshot)" if skipped else "")
          + f"; {sum(seconds) / max(1, len(seconds)):.2f} s a reading (in process, load {os.getloadavg()[0]:.1f})")
    if args.record:
        args.record.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
