"""OCR accuracy and speed benchmark (issue 4): fieldkit's reading of a cropped marking against plain
tesseract, on a freshly generated set of synthetic markings with known text.

    PYTHONPATH=. .venv/bin/python bench/ocr_accuracy.py [--count 120] [--seed 2024] [--languages eng+kor+rus] [--misses]

The set comes from tests/ocr_images.make_set (generated in memory from the seed; nothing is
downloaded): Latin, Cyrillic and Hangul markings and etched chip markings, in several fonts
(Noto Sans CJK, Nanum fonts for Hangul, DejaVu), stamped, stencilled (with bridges), printed,
engraved on brushed metal, painted (stencil on a painted, chipped body) and etched light on a dark
package; rotated up to 3 degrees, with noise, blur, low resolution and JPEG artefacts. Each image
is a small "photo"; the marking is read through a crop around it (tests/ocr_images.crop_box).

Compared, on the same crops, in the same run:

- ``raw tesseract``: ``tesseract CROP.png - -l LANGS`` (no preprocessing, default layout
  analysis), one process per image, timed around the process;
- ``fieldkit engine``: the text ``fieldkit.ocr.engine.ocr_image`` chose (most confident reading of
  those its script rule lets compete);
- ``fieldkit read()``: what the product shows, ``fieldkit.ocr.photos.read(image, crop=...)``:
  tesseract and PP-OCR (fieldkit.ocr.reading), the reading chosen on evidence, then correction.
  Its seconds are wall-clock for the whole call, in this process (no process start); the engine
  row reports the same call.

The seed used while tuning was 2024; ``--seed 7 --count 80`` is the held-out set reported for
issue 18 (never looked at line by line while tuning).

Scoring: both the truth and the reading are folded with fieldkit.markings.normalize.fold (upper
case, Latin/Cyrillic/Greek lookalike letters equal, dash variants equal, whitespace runs collapsed).
CER = edit distance / length of the folded truth, averaged over images; "exact" = folded reading
equals folded truth. ``--misses`` lists every image fieldkit did not read exactly (truth vs read).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import pytesseract  # noqa: E402
from ocr_images import crop_box, make_set  # noqa: E402

from fieldkit.markings.normalize import fold  # noqa: E402
from fieldkit.ocr import engine, photos  # noqa: E402
from fieldkit.ocr.correction import correct  # noqa: E402
from fieldkit.ocr.rerank import preferred  # noqa: E402
from machine import cpu_model  # noqa: E402

GROUPS = ("latin", "cyrillic", "hangul", "chip")
HEIGHTS = [(0, 20), (20, 30), (30, 50), (50, 10**6)]  # bands of the box height, px


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(truth: str, read: str) -> float:
    truth, read = fold(truth), fold(read)
    return edit_distance(truth, read) / max(1, len(truth))


def exact(truth: str, read: str) -> bool:
    return fold(truth) == fold(read)


def juche_year(text: str) -> str | None:
    """The Juche year in a text (주체 followed by its number, spaces ignored), or None."""
    found = re.search(r"주\s*체\s*(\d{1,3})", text)
    return found.group(1) if found else None


def compound(marking) -> bool:
    """One of the generator's compound worst cases: three or more hardships at once."""
    return sum([marking.box[3] <= 24, marking.downscale >= 2, marking.jpeg == 30, marking.noise >= 16]) >= 3


def group_of(marking) -> str:
    if marking.style == "etched":
        return "chip"
    text = marking.text
    if any("가" <= ch <= "힣" for ch in text):
        return "hangul"
    if any("\u0400" <= ch <= "\u04ff" for ch in text):
        return "cyrillic"
    return "latin"


def raw_tesseract(path: Path, languages: str) -> tuple[str, float]:
    """Plain ``tesseract IMAGE - -l LANGS``: its text and the seconds the process took."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [str(pytesseract.pytesseract.tesseract_cmd), str(path), "-", "-l", languages],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        timeout=300,
    )
    return done.stdout, time.perf_counter() - t0


def machine() -> list[str]:
    cpu = cpu_model()
    # GNU nproc obeys OMP_NUM_THREADS / OMP_THREAD_LIMIT, which this script sets: ask without them.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMP_")}
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, env=env).stdout.strip() or str(os.cpu_count())
    try:
        load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        load = "?"
    return [
        f"- date: {datetime.date.today().isoformat()}",
        f"- nproc: {nproc}; CPU: {cpu}; load average at the end (1/5/15 min): {load}",
        f"- tesseract {pytesseract.get_tesseract_version()} (pytesseract {pytesseract.__version__}), "
        f"Python {platform.python_version()}, OMP_THREAD_LIMIT={os.environ.get('OMP_THREAD_LIMIT')}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--languages", default=engine.DEFAULT_LANGUAGES)
    parser.add_argument("--misses", action="store_true", help="list fieldkit's inexact reads on stderr")
    args = parser.parse_args()

    engine.check_available(args.languages)
    markings = make_set(args.count, args.seed)
    rows = []  # per image: dict
    with tempfile.TemporaryDirectory(prefix="fieldkit-ocr-bench-") as tmp:
        for n, m in enumerate(markings, 1):
            crop = crop_box(m)
            x, y, w, h = crop
            path = Path(tmp) / f"{n:04d}.png"
            m.image.crop((x, y, x + w, y + h)).save(path)
            raw_text, raw_seconds = raw_tesseract(path, args.languages)

            t0 = time.perf_counter()
            reading = photos.read(m.image, crop=crop, languages=args.languages)
            seconds = time.perf_counter() - t0

            # Costs of the parts: the engine's own timings of its preprocessing and tesseract runs.
            best = reading.result.engine
            # a line PP-OCR read surely as Latin is not read by tesseract at all (no runs, no preprocessing)
            prep = {"all pipelines": best["preprocess_seconds"]} if "preprocess_seconds" in best else {}
            t1 = time.perf_counter()
            chosen, _ = preferred(reading.result)
            correct(chosen)
            post_seconds = time.perf_counter() - t1
            rows.append(
                {
                    "marking": m,
                    "group": group_of(m),
                    "raw": (raw_text, raw_seconds),
                    "engine": reading.result.text,
                    "engine_name": reading.result.engine["name"],
                    "read": reading.corrected,
                    "seconds": seconds,
                    "runs": [(r["languages"], r["psm"], len(r["pipelines"]), r["seconds"]) for r in best.get("runs", [])],
                    "winner": (best.get("pipeline", "not run"), best.get("psm", 0), best.get("languages", "")),
                    "prep": prep,
                    "post": post_seconds,
                }
            )
            print(f"\r{n}/{len(markings)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    def table_row(name: str, texts: list[str], seconds: list[float]) -> tuple[str, float, float, float]:
        errors = [cer(r["marking"].text, t) for r, t in zip(rows, texts)]
        by_group = []
        for g in GROUPS:
            chosen = [e for e, r in zip(errors, rows) if r["group"] == g]
            by_group.append(f"{100 * sum(chosen) / max(1, len(chosen)):.1f}")
        hits = sum(exact(r["marking"].text, t) for r, t in zip(rows, texts))
        unspaced = sum(fold(r["marking"].text).replace(" ", "") == fold(t).replace(" ", "") for r, t in zip(rows, texts))
        mean_cer = 100 * sum(errors) / len(errors)
        exact_pct = 100 * hits / len(rows)
        per_image = sum(seconds) / len(seconds)
        line = (
            f"| {name} | {mean_cer:.1f} | {' | '.join(by_group)} | {exact_pct:.1f} | {100 * unspaced / len(rows):.1f} "
            f"| {per_image:.2f} |"
        )
        return line, mean_cer, exact_pct, per_image

    raw_line, raw_cer, raw_exact, raw_s = table_row("raw `tesseract CROP - -l " + args.languages + "`",
                                                   [r["raw"][0] for r in rows], [r["raw"][1] for r in rows])
    eng_line, eng_cer, eng_exact, eng_s = table_row("fieldkit engine text (`ocr_image`, before re-ranking/correction)",
                                                    [r["engine"] for r in rows], [r["seconds"] for r in rows])
    fk_line, fk_cer, fk_exact, fk_s = table_row("**fieldkit `photos.read(image, crop=...)`, corrected**",
                                                [r["read"] for r in rows], [r["seconds"] for r in rows])

    counts = {g: sum(r["group"] == g for r in rows) for g in GROUPS}
    styles = sorted({r["marking"].style for r in rows})
    fonts = sorted({r["marking"].font for r in rows})
    lines = machine()
    lines += [
        f"- set: {len(rows)} generated markings (seed {args.seed}; tests/ocr_images.make_set): "
        + ", ".join(f"{counts[g]} {g}" for g in GROUPS)
        + f"; styles {', '.join(styles)}; fonts {', '.join(fonts)}; rotated up to 3 degrees, noise, blur, "
        f"{sum(r['marking'].downscale > 1 for r in rows)} at low resolution, {sum(bool(r['marking'].jpeg) for r in rows)} "
        f"through JPEG (q 30-70); read through a crop around the marking; languages {args.languages}",
        "",
        "| reading | CER % | Latin | Cyrillic | Hangul | chip | exact lines % | exact ignoring spaces % | s/image |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        raw_line,
        eng_line,
        fk_line,
        "",
        "CER and exact lines after folding truth and reading with fieldkit.markings.normalize.fold "
        "(lookalike Latin/Cyrillic letters equal, case ignored, whitespace runs collapsed to one space). "
        "The target is on \"exact lines\"; \"exact ignoring spaces\" is shown only to size the share of misses "
        "that are word spacing alone (e.g. 주체113 read as 주체 113).",
        "",
        "Targets: CER ≤ ½ raw: "
        f"{fk_cer:.1f}% vs {raw_cer:.1f}% ({fk_cer / max(raw_cer, 1e-9):.2f}×) — {'met' if fk_cer <= raw_cer / 2 else 'NOT met'}; "
        f"exact lines ≥ 90%: {fk_exact:.1f}% — {'met' if fk_exact >= 90 else 'NOT met'}; "
        f"time ≤ 2× raw: {fk_s:.2f} s vs {raw_s:.2f} s ({fk_s / max(raw_s, 1e-9):.2f}×) — {'met' if fk_s <= 2 * raw_s else 'NOT met'}.",
        "",
        (
            "Cost of each pass (means per image; the engine's tesseract runs go concurrently, one per core; "
            "each run reads the images of all its pipelines in one process):"
        ),
        "",
        "| pass | mean s | share of images |",
        "|---|---:|---:|",
    ]
    runs: dict[tuple[str, int, int], list[float]] = {}
    prep: dict[str, list[float]] = {}
    wins: dict[tuple[str, int, str], int] = {}
    for r in rows:
        for langs, m, n, s in r["runs"]:
            runs.setdefault((langs, m, n), []).append(s)
        for p, s in r["prep"].items():
            prep.setdefault(p, []).append(s)
        wins[r["winner"]] = wins.get(r["winner"], 0) + 1
    for p, values in sorted(prep.items()):
        lines.append(f"| preprocessing, {p} (Pillow; shared steps once) | {statistics.mean(values):.3f} | {100 * len(values) / len(rows):.0f}% |")
    for (langs, m, n), values in sorted(runs.items()):
        lines.append(
            f"| tesseract run `-l {langs} --psm {m}`, {n} images in one process | {statistics.mean(values):.3f} | "
            f"{100 * len(values) / len(rows):.0f}% |"
        )
    lines.append(f"| re-ranking against the reference tables + correction | {statistics.mean(r['post'] for r in rows):.4f} | 100% |")
    lines.append(f"| whole `photos.read()` call (wall clock) | {fk_s:.3f} | 100% |")
    lines.append(f"| raw `tesseract` process | {raw_s:.3f} | 100% |")
    lines.append("")
    lines.append(
        "Exact lines by the height of the marking's box in the finished image (text smaller than tesseract's "
        "preferred 20-30 px is where the misses gather; the target counts every line):"
    )
    lines.append("")
    lines.append("| box height | images | raw tesseract exact % | fieldkit exact % |")
    lines.append("|---|---:|---:|---:|")
    for low, high in HEIGHTS:
        band = [r for r in rows if low <= r["marking"].box[3] < high]
        if band:
            raw_hits = sum(exact(r["marking"].text, r["raw"][0]) for r in band)
            hits = sum(exact(r["marking"].text, r["read"]) for r in band)
            label = f"{low}-{high - 1} px" if high < 10**6 else f"{low} px and more"
            lines.append(f"| {label} | {len(band)} | {100 * raw_hits / len(band):.1f} | {100 * hits / len(band):.1f} |")
    lines.append("")
    hits = sum(exact(r["marking"].text, r["read"]) for r in rows)
    juche = [r for r in rows if "주체" in r["marking"].text]
    juche_read = sum(juche_year(r["marking"].text) == juche_year(r["read"]) for r in juche)
    hard = [r for r in rows if compound(r["marking"])]
    lines.append(f"Exact lines: fieldkit {hits}/{len(rows)}, raw tesseract "
                 f"{sum(exact(r['marking'].text, r['raw'][0]) for r in rows)}/{len(rows)}. "
                 f"Juche years (주체 and the number) read: {juche_read}/{len(juche)}.")
    lines.append("")
    lines.append(f"Compound worst cases ({len(hard)} markings with at least three of: box 24 px high or less, reduced 2× "
                 "or more, JPEG q30, noise σ 16 or more), their own slice:")
    lines.append("")
    lines.append("| slice | images | raw tesseract exact | fieldkit exact | raw CER % | fieldkit CER % |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for name, subset in (("compound worst cases", hard), ("all others", [r for r in rows if r not in hard])):
        if subset:
            lines.append(
                f"| {name} | {len(subset)} | {sum(exact(r['marking'].text, r['raw'][0]) for r in subset)} "
                f"| {sum(exact(r['marking'].text, r['read']) for r in subset)} "
                f"| {100 * statistics.mean(cer(r['marking'].text, r['raw'][0]) for r in subset):.1f} "
                f"| {100 * statistics.mean(cer(r['marking'].text, r['read']) for r in subset):.1f} |"
            )
    lines.append("")
    engines: dict[str, int] = {}
    for r in rows:
        engines[r["engine_name"]] = engines.get(r["engine_name"], 0) + 1
    lines.append("Engine whose reading was kept: " + ", ".join(f"{k} {v}×" for k, v in sorted(engines.items())))
    lines.append("")
    lines.append(
        "Tesseract's own choice: "
        + ", ".join(f"{p}/psm {m}/{langs} {n}×" for (p, m, langs), n in sorted(wins.items()))
    )
    print("\n".join(lines))

    if args.misses:
        print("\nfieldkit misses (folded truth | engine text | corrected | raw tesseract):", file=sys.stderr)
        for i, r in enumerate(rows):
            m = r["marking"]
            if not exact(m.text, r["read"]):
                desc = f"{m.style}/{m.font}/h{m.box[3]}/rot{m.rotation:g}/n{m.noise:g}/jpeg{m.jpeg}/down{m.downscale:g}"
                print(f"{i:3d} {desc:55s} {fold(m.text)!r:20s} | {r['engine']!r} | {r['read']!r} | {fold(r['raw'][0])!r}", file=sys.stderr)


if __name__ == "__main__":
    main()
