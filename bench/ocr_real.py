"""OCR on real photographs (issue 18): `fieldkit ocr` against raw `tesseract --psm 7`, line by line,
on the labelled lines of ../shared/data/ocr-real/ (read where they lie; nothing is copied).

    OMP_THREAD_LIMIT=1 .venv/bin/python bench/ocr_real.py [--data DIR] [--split all|tuning|held-out] [--lines]

For each labelled line, in the same run:

- ``raw tesseract``: the crop cut with Pillow and saved as PNG, then ``tesseract CROP.png - -l
  eng+kor+rus --psm 7``, one process per line, timed around the process;
- ``fieldkit``: ``fieldkit ocr PHOTO --crop X,Y,W,H --json``, one process per line, timed around
  the process (start, imports, decoding the whole photo, both engines, choice, correction);
- ``fieldkit --engine tesseract``: the same without PP-OCR (what an install without rapidocr gets);
- with ``--baseline DIR`` (a fieldkit source tree, e.g. ``git archive`` of an earlier commit):
  ``fieldkit ocr`` from that tree too, one process per line, in the same rounds (before/after in
  one run, whatever the load);
- with ``--engine-server``: ``fieldkit ocr PHOTO --crop X,Y,W,H --json`` while a resident engine
  process runs (``fieldkit ocr-engine start``, in a private runtime folder of the run's own; it is
  stopped at the end), one process per line in the same rounds; its wall-clock and its CPU, and
  the engine process's own CPU over the run (from /proc) divided by the lines; its --json must equal
  the in-process reading's (timings left out). Every other fieldkit variant runs with
  ``FIELDKIT_OCR_ENGINE=off`` (in-process, whatever engine the user may have running);
- batches, each one process for the whole set, timed around the process and divided by the lines:
  ``fieldkit ocr P1 P2 ... --crop C1 --crop C2 ... --json`` against ``tesseract LIST.txt OUT -l
  eng+kor+rus --psm 7`` (LIST.txt naming every crop's PNG), run alternately after the per-line
  runs with a third timing, raw tesseract one process per line over the whole set again, so that
  the batches are compared with raw tesseract at the same moment; the batch's readings are scored
  too (they must equal the per-line ones).

Exact = the reading equals the label once whitespace is removed and both are folded with
fieldkit.markings.normalize.fold (upper case, Latin/Cyrillic look-alikes equal), as the data set's
README scores its baseline.

Every process is timed twice: wall-clock around it, and its CPU (user + system, from the kernel's
accounting of the finished child, os.wait4), which moves much less with the load of the machine.
The order of the per-line processes turns round from line to line, so none always runs first.

Split: the lines are grouped by source photo (lines of one photo share its light and blur); the
groups in the order of their source name alternate between ``tuning`` and ``held-out``. Only the
tuning split may be looked at line by line (``--lines``) when changing fieldkit; the held-out split
is reported in totals only.

Confidence: how well the confidence fieldkit shows separates right from wrong lines: the area under
the ROC curve (the chance that a random right line shows more confidence than a random wrong one),
and exact shares by confidence band.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from PIL import Image, ImageOps  # noqa: E402

from fieldkit.markings.normalize import fold  # noqa: E402
from machine import cpu_model  # noqa: E402

# ../shared/data beside the checkout (or beside the folder of worktrees that holds it)
DATA = next((d for d in (ROOT.parent / "shared" / "data" / "ocr-real", ROOT.parent.parent / "shared" / "data" / "ocr-real")
             if d.is_dir()), ROOT.parent / "shared" / "data" / "ocr-real")
FIELDKIT = [sys.executable, "-m", "fieldkit"]
BANDS = [(90, 101), (70, 90), (40, 70), (0, 40)]


def key(text: str) -> str:
    return "".join(fold(text).split())


def split_of(labels: dict) -> dict[str, str]:
    sources = sorted({v["source"] for v in labels.values()})
    side = {s: ("tuning" if i % 2 == 0 else "held-out") for i, s in enumerate(sources)}
    return {name: side[v["source"]] for name, v in labels.items()}


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``cmd``; its output and its wall-clock seconds (its CPU seconds: :func:`timed_cpu`)."""
    done, seconds, _ = timed_cpu(cmd, env)
    return done, seconds


def tree_env(tree: Path) -> dict[str, str]:
    """The environment in which ``python -m fieldkit`` runs the fieldkit of ``tree``: its folder first on
    PYTHONPATH (the processes run in a temporary folder, :data:`AWAY`, so the current folder's fieldkit,
    which ``-m`` would put first, is never the one run: a ``--baseline`` run from a checkout ran the
    checkout's own code)."""
    return {**os.environ, "PYTHONPATH": str(tree.resolve())}


AWAY = tempfile.gettempdir()


def timed_cpu(cmd: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run ``cmd`` in :data:`AWAY`: its output, its wall-clock seconds, and its CPU seconds (user +
    system of the process and the children it waited for, from os.wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=AWAY)
        _, status, usage = os.wait4(process.pid, 0)  # reaped here, so that its usage is its own
        seconds = time.perf_counter() - t0
        process.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(cmd, code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))
    return done, seconds, usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timeless(data):
    """``fieldkit ocr --json`` output without its timings (every key ending in "seconds")."""
    if isinstance(data, dict):
        return {k: timeless(v) for k, v in data.items() if not k.endswith("seconds")}
    if isinstance(data, list):
        return [timeless(v) for v in data]
    return data


def auroc(right: list[float], wrong: list[float]) -> float | None:
    if not right or not wrong:
        return None
    wins = sum((r > w) + 0.5 * (r == w) for r in right for w in wrong)
    return wins / (len(right) * len(wrong))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--split", choices=["all", "tuning", "held-out"], default="all")
    parser.add_argument("--lines", action="store_true", help="print each tuning line (never the held-out ones)")
    parser.add_argument("--rows", type=Path, help="also write every line's readings (engines included) as JSON here")
    parser.add_argument("--whole", action="store_true", help="instead: whole photos, and one enlarged to 24 megapixels")
    parser.add_argument("--calibration", type=Path, metavar="ROWS.json",
                        help="instead: from the rows of an earlier run, each engine's exact share by its own confidence (tuning split)")
    parser.add_argument("--batch-runs", type=int, default=3, help="alternating runs of each batch (default 3; 0: no batches)")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also run `fieldkit ocr` from this fieldkit source tree, one process per line, in the same rounds")
    parser.add_argument("--no-tesseract-only", action="store_true", help="leave out `fieldkit ocr --engine tesseract`")
    parser.add_argument("--engine-server", action="store_true",
                        help="also run `fieldkit ocr` with the resident engine process running (fieldkit ocr-engine start)")
    args = parser.parse_args()
    # fieldkit's modules compiled once, as an installed copy's are after its first run: with
    # PYTHONDONTWRITEBYTECODE set, every `fieldkit ocr` process would compile them again (0.06 s).
    for tree in [ROOT] + ([args.baseline] if args.baseline else []):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "fieldkit")], check=True,
                       env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, stdout=subprocess.DEVNULL)
    if args.calibration:
        calibration(json.loads(args.calibration.read_text(encoding="utf-8")))
        return
    if args.whole:
        whole_photos(args)
        return
    args.data = args.data.resolve()  # the processes run in AWAY
    labels = json.loads((args.data / "labels.json").read_text(encoding="utf-8"))
    splits = split_of(labels)
    rows = []
    batches: dict[str, list[float]] = {"raw per line": [], "raw batch": [], "fieldkit batch": []}
    with tempfile.TemporaryDirectory(prefix="fieldkit-ocr-real-") as tmp:
        env_db = str(Path(tmp) / "unused.db")
        os.environ["FIELDKIT_DB"] = env_db
        names = [n for n in sorted(labels) if args.split == "all" or splits[n] == args.split]
        runs: list[tuple[str, tuple[list[str], dict[str, str] | None]]] = [("raw", ([], None)), ("fieldkit", ([], tree_env(ROOT)))]
        if not args.no_tesseract_only:
            runs.append(("tesseract only", (["--engine", "tesseract"], tree_env(ROOT))))
        if args.baseline:
            runs.append(("baseline", ([], tree_env(args.baseline))))
        os.environ["FIELDKIT_OCR_ENGINE"] = "off"  # every variant but "served" reads in its own process
        served_env = None
        if args.engine_server:
            served_env = {**tree_env(ROOT), "XDG_RUNTIME_DIR": str(Path(tmp) / "rt")}
            served_env.pop("FIELDKIT_OCR_ENGINE")
            (Path(tmp) / "rt").mkdir(mode=0o700)
            started = subprocess.run([*FIELDKIT, "ocr-engine", "start"], env=served_env, capture_output=True, text=True, cwd=AWAY)
            if started.returncode:
                raise SystemExit(f"the OCR engine process did not start: {started.stderr.strip()}")
            engine_pid = int(started.stdout.split("pid ")[1].split(",")[0])
            engine_cpu = -process_cpu(engine_pid)
            runs.append(("served", ([], served_env)))
        for i, name in enumerate(names, 1):
            label = labels[name]
            x, y, w, h = label["crop"]
            photo = args.data / name
            with Image.open(photo) as image:
                crop = ImageOps.exif_transpose(image).convert("RGB").crop((x, y, x + w, y + h))
            crop_path = Path(tmp) / f"{Path(name).stem}.png"
            crop.save(crop_path)
            row = {"name": name, "label": label, "split": splits[name]}
            order = [v for v, _ in runs]
            shift = i % len(order)  # the order turns round from line to line
            for variant in order[shift:] + order[:shift]:
                extra, env = dict(runs)[variant]
                if variant == "raw":
                    raw, row["raw_s"], row["raw_cpu"] = timed_cpu(["tesseract", str(crop_path), "-", "-l", "eng+kor+rus", "--psm", "7"])
                    row["raw"] = raw.stdout.strip()
                    continue
                done, seconds, cpu = timed_cpu([*FIELDKIT, "ocr", str(photo), "--crop", f"{x},{y},{w},{h}", "--json", *extra], env)
                if done.returncode:
                    row[variant] = {"text": "", "confidence": 0.0, "error": done.stderr.strip()[-200:], "s": seconds, "cpu": cpu}
                    continue
                data = json.loads(done.stdout)
                row[variant] = {"text": data["corrected"], "confidence": data["confidence"], "engine": data["engine"]["name"],
                                "as_read": data["text"], "s": seconds, "cpu": cpu, "engines": data.get("engines", []),
                                "json": data}
            row["crop_path"] = str(crop_path)
            rows.append(row)
            print(f"\r{i}/{len(names)}", end="", file=sys.stderr, flush=True)
        if served_env is not None:
            engine_cpu += process_cpu(engine_pid)
            status = subprocess.run([*FIELDKIT, "ocr-engine", "status"], env=served_env, capture_output=True, text=True, cwd=AWAY)
            batches["engine"] = [engine_cpu / len(rows), int(status.stdout.split("readings: ")[1].split()[0])]
            subprocess.run([*FIELDKIT, "ocr-engine", "stop"], env=served_env, capture_output=True, cwd=AWAY)
        pages: list[str] = []
        readings: list[dict] = []
        listing = Path(tmp) / "crops.txt"
        listing.write_text("".join(f"{r['crop_path']}\n" for r in rows), encoding="utf-8")
        raw_cmd = ["tesseract", str(listing), str(Path(tmp) / "batch"), "-l", "eng+kor+rus", "--psm", "7"]
        fk_cmd = [*FIELDKIT, "ocr", *(str(args.data / r["name"]) for r in rows),
                  *(a for r in rows for a in ("--crop", ",".join(map(str, r["label"]["crop"])))), "--json"]
        for _ in range(args.batch_runs):
            batches["raw per line"].append(sum(
                timed(["tesseract", r["crop_path"], "-", "-l", "eng+kor+rus", "--psm", "7"])[1] for r in rows))
            done, seconds = timed(raw_cmd)
            batches["raw batch"].append(seconds)
            pages = (Path(tmp) / "batch.txt").read_text(encoding="utf-8").split("\f")
            done, seconds = timed(fk_cmd, tree_env(ROOT))
            batches["fieldkit batch"].append(seconds)
            if done.returncode:
                raise SystemExit(f"fieldkit batch failed: {done.stderr.strip()[-300:]}")
            readings = json.loads(done.stdout)
        for row, page, data in zip(rows, pages, readings):
            row["raw batch"] = page.strip()
            row["fieldkit batch"] = {"text": data["corrected"], "confidence": data["confidence"]}
        for row in rows:
            row.pop("crop_path")
        print(file=sys.stderr)
    report(rows, args, batches)
    if args.rows:
        for row in rows:
            for variant in ("fieldkit", "tesseract only", "baseline", "served"):
                if variant in row:
                    row[variant].pop("json", None)
        args.rows.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


ENGINE_BANDS = {"ppocr": [0.0, 0.8, 0.9, 0.95, 0.99, 1.01], "tesseract": [0.0, 50.0, 70.0, 85.0, 92.0, 97.0, 101.0]}


def calibration(rows: list[dict]) -> None:
    """Each engine's reading of each tuning line (from `fieldkit ocr --json`'s "engines"), scored
    exact or not (from both `fieldkit ocr` and `--engine tesseract`), by band of the engine's own
    confidence: the measurements behind
    fieldkit.ocr.choice.CALIBRATION. Folded readings (PP-OCR's letters written as Cyrillic) count
    with the engine's own reading."""
    out = ["| engine | own confidence | readings | exact | share |", "|---|---|---:|---:|---:|"]
    for engine, edges in ENGINE_BANDS.items():
        seen = []
        for row in rows:
            if row["split"] != "tuning":
                continue
            both = row["fieldkit"].get("engines", []) + row["tesseract only"].get("engines", [])
            for reading in both:
                if reading["engine"] == engine and not reading.get("as_read") and reading["text"]:
                    seen.append((reading["confidence"], key(reading["text"]) == key(row["label"]["text"])))
        for lo, hi in zip(edges, edges[1:]):
            band = [ok for conf, ok in seen if lo <= conf < hi]
            if band:
                out.append(f"| {engine} | {lo:g}–{min(hi, 100 if engine == 'tesseract' else 1):g} | {len(band)} | {sum(band)} "
                           f"| {sum(band) / len(band):.2f} |")
    print("\n".join(out))


def whole_photos(args) -> None:
    """`fieldkit ocr PHOTO` with no crop on each distinct source photo, and on one enlarged to
    6000x4000 (24 megapixels, in a temporary folder): seconds (process start included), lines
    found and read, and how many of the photo's labelled lines are among the lines read."""
    args.data = args.data.resolve()  # the processes run in AWAY
    labels = json.loads((args.data / "labels.json").read_text(encoding="utf-8"))
    by_source: dict[str, list[str]] = {}
    for name, label in sorted(labels.items()):
        by_source.setdefault(label["source"], []).append(name)
    out = ["| photo | pixels | seconds | lines found | lines read | labelled lines among them |", "|---|---|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory(prefix="fieldkit-ocr-whole-") as tmp:
        os.environ["FIELDKIT_DB"] = str(Path(tmp) / "unused.db")
        jobs = [(args.data / names[0], names) for names in by_source.values()]
        biggest = max(jobs, key=lambda job: Image.open(job[0]).size[0] * Image.open(job[0]).size[1])
        enlarged = Path(tmp) / "enlarged-24mp.jpg"
        with Image.open(biggest[0]) as image:
            ImageOps.exif_transpose(image).convert("RGB").resize((6000, 4000), Image.Resampling.LANCZOS).save(enlarged, quality=92)
        jobs.append((enlarged, biggest[1]))
        for path, names in jobs:
            done, seconds = timed([*FIELDKIT, "ocr", str(path), "--json"], tree_env(ROOT))
            if done.returncode:
                out.append(f"| {path.name} | | {seconds:.1f} | error: {done.stderr.strip()[:80]} | | |")
                continue
            data = json.loads(done.stdout)
            detection = data["engine"].get("detection") or {}
            read = {key(line["text"]) for line in data["lines"]}
            found = sum(key(labels[n]["text"]) in read for n in names)
            with Image.open(path) as image:
                size = f"{image.width}×{image.height}"
            shown = path.name if path != enlarged else f"{biggest[0].name} enlarged"
            out.append(f"| {shown} | {size} | {seconds:.1f} | {detection.get('found', '?')} | {len(data['lines'])} | {found}/{len(names)} |")
            print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print("\n".join(out))


def report(rows: list[dict], args, batches: dict[str, list[float]]) -> None:
    out = []
    try:
        load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        load = "?"
    tesseract_version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    out.append(f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; CPU: {cpu_model()}, nproc {os.cpu_count()};"
               f" load average at the end: {load}; {tesseract_version}")
    out.append(f"- lines: {len(rows)} from {args.data.name}/ (split: {args.split})")

    def exact(row, variant):
        got = row[variant] if variant in ("raw", "raw batch") else row[variant]["text"]
        return key(got) == key(row["label"]["text"])

    def seconds(row, variant):
        return row["raw_s"] if variant == "raw" else row[variant]["s"]

    def cpu(row, variant):
        return row["raw_cpu"] if variant == "raw" else row[variant]["cpu"]

    variants = [(v, name) for v, name in (("raw", "raw `tesseract --psm 7`"), ("tesseract only", "`fieldkit ocr --engine tesseract`"),
                                          ("fieldkit", "**`fieldkit ocr`**"), ("baseline", f"`fieldkit ocr` from {args.baseline}"),
                                          ("served", "`fieldkit ocr`, `ocr-engine` running"))
                if v in rows[0]]
    for split in ("tuning", "held-out"):
        part = [r for r in rows if r["split"] == split]
        if not part:
            continue
        out.append("")
        out.append(f"#### {split} split ({len(part)} lines)")
        out.append("")
        slices = [("all", part), ("upright", [r for r in part if r["label"]["upright"]]),
                  ("rotated/curved", [r for r in part if not r["label"]["upright"]])]
        for kind in sorted({r["label"]["kind"] for r in part}):
            slices.append((f"kind {kind}", [r for r in part if r["label"]["kind"] == kind]))
        for script in sorted({r["label"]["script"] for r in part}):
            slices.append((f"script {script}", [r for r in part if r["label"]["script"] == script]))
        out.append("| slice | n | " + " | ".join(name for _, name in variants) + " |")
        out.append("|---|---|" + "---|" * len(variants))
        for name, subset in slices:
            cells = [f"{sum(exact(r, v) for r in subset)}/{len(subset)}" for v, _ in variants]
            out.append(f"| {name} | {len(subset)} | " + " | ".join(cells) + " |")
        medians = {v: statistics.median(seconds(r, v) for r in part) for v, _ in variants}
        means = {v: statistics.mean(seconds(r, v) for r in part) for v, _ in variants}
        cpus = {v: statistics.mean(cpu(r, v) for r in part) for v, _ in variants}
        out.append("| seconds per line, median (mean) | | " + " | ".join(
            f"{medians[v]:.2f} ({means[v]:.2f})" for v, _ in variants) + " |")
        out.append("| time per line / raw tesseract (mean) | | " + " | ".join(
            f"{means[v] / means['raw']:.2f}×" for v, _ in variants) + " |")
        out.append("| CPU seconds per line, mean (/ raw) | | " + " | ".join(
            f"{cpus[v]:.3f} ({cpus[v] / cpus['raw']:.2f}×)" for v, _ in variants) + " |")
    n = len(rows)
    out.append("")
    out.append(f"#### Time per line, all {n} lines: one process per line" + (", and one process for the whole set" if args.batch_runs else ""))
    out.append("")
    out.append("One process per line, each line's processes in turn (wall: around the process; CPU: user + system):")
    out.append("")
    out.append("| | wall s per line, mean (median) | / raw | CPU s per line, mean (median) | / raw | exact |")
    out.append("|---|---|---|---|---|---|")
    for v, name in variants:
        wall = [seconds(r, v) for r in rows]
        used = [cpu(r, v) for r in rows]
        out.append(f"| {name} | {statistics.mean(wall):.3f} ({statistics.median(wall):.3f}) |"
                   f" {statistics.mean(wall) / statistics.mean(seconds(r, 'raw') for r in rows):.2f}× |"
                   f" {statistics.mean(used):.3f} ({statistics.median(used):.3f}) |"
                   f" {statistics.mean(used) / statistics.mean(cpu(r, 'raw') for r in rows):.2f}× | {sum(exact(r, v) for r in rows)}/{n} |")
    if "baseline" in rows[0]:
        same = sum(timeless(r["fieldkit"].get("json")) == timeless(r["baseline"].get("json")) for r in rows)
        out.append(f"- `--json` output (timings left out) identical to the baseline's on {same}/{n} lines"
                   + ("" if same == n else ": " + ", ".join(r["name"] for r in rows
                                                             if timeless(r["fieldkit"].get("json")) != timeless(r["baseline"].get("json")))))
    if "served" in rows[0]:
        engine_cpu, served_count = batches.pop("engine")
        client = statistics.mean(cpu(r, "served") for r in rows)
        raw_cpu = statistics.mean(cpu(r, "raw") for r in rows)
        same = sum(timeless(r["fieldkit"].get("json")) == timeless(r["served"].get("json")) for r in rows)
        out.append(f"- `ocr-engine` running: the engine process used {engine_cpu:.3f} CPU s per line beside the client's"
                   f" {client:.3f}; together {(client + engine_cpu):.3f} ({(client + engine_cpu) / raw_cpu:.2f}× raw);"
                   f" it read {served_count} of the {n} lines (status)")
        out.append(f"- `--json` output served (timings left out) identical to the in-process reading's on {same}/{n} lines")
    if args.batch_runs:
        raw_line, raw_batch, fk_batch = (statistics.median(batches[k]) / n for k in ("raw per line", "raw batch", "fieldkit batch"))
        out.append("")
        out.append("Batches, run alternately with raw tesseract over the same crops one process per line"
                   f" ({args.batch_runs} runs each, medians; raw per line then took {raw_line:.3f} s a line):")
        out.append("")
        out.append("| | seconds per line | / raw tesseract, one process per line | / raw tesseract on a list file | exact |")
        out.append("|---|---|---|---|---|")
        for name, per, variant in (("raw `tesseract --psm 7`, one process per line", raw_line, "raw"),
                                   ("raw `tesseract LIST.txt OUT --psm 7`, one process", raw_batch, "raw batch"),
                                   ("`fieldkit ocr P1 P2 ... --crop C1 --crop C2 ...`, one process", fk_batch, "fieldkit batch")):
            out.append(f"| {name} | {per:.3f} | {per / raw_line:.2f}× | {per / raw_batch:.2f}× |"
                       f" {sum(exact(r, variant) for r in rows)}/{n} |")
        out.append("- whole-set seconds per run: " + "; ".join(f"{k} {', '.join(f'{s:.1f}' for s in v)}" for k, v in batches.items()))
    out.append("")
    out.append("#### Confidence shown by `fieldkit ocr` (all lines of this run)")
    out.append("")
    right = [r["fieldkit"]["confidence"] for r in rows if exact(r, "fieldkit")]
    wrong = [r["fieldkit"]["confidence"] for r in rows if not exact(r, "fieldkit")]
    t_right = [r["tesseract only"]["confidence"] for r in rows if "tesseract only" in r and exact(r, "tesseract only")]
    t_wrong = [r["tesseract only"]["confidence"] for r in rows if "tesseract only" in r and not exact(r, "tesseract only")]
    a, b = auroc(right, wrong), auroc(t_right, t_wrong)
    out.append(f"- AUROC (right vs wrong lines): fieldkit {a:.2f}" if a is not None else "- AUROC: n/a (no right or no wrong line)")
    if b is not None:
        out.append(f"- the same for `--engine tesseract` (tesseract's mean word confidence): {b:.2f}")
    out.append("")
    out.append("| confidence shown | lines | exact |")
    out.append("|---|---|---|")
    for lo, hi in BANDS:
        band = [r for r in rows if lo <= r["fieldkit"]["confidence"] < hi]
        if band:
            out.append(f"| {lo}–{min(hi, 100)} | {len(band)} | {sum(exact(r, 'fieldkit') for r in band)} |")
    print("\n".join(out))
    if args.lines:
        print("\nTuning lines (label -> fieldkit [engine, confidence] | raw tesseract):", file=sys.stderr)
        for r in rows:
            if r["split"] != "tuning":
                continue
            fk = r["fieldkit"]
            mark = "ok  " if exact(r, "fieldkit") else "MISS"
            print(f"{mark} {r['name']} {r['label']['text']!r} -> {fk['text']!r} [{fk.get('engine')}, {fk['confidence']}]"
                  f" | {r['raw']!r} ({fk['s']:.2f}s vs {r['raw_s']:.2f}s)", file=sys.stderr)


if __name__ == "__main__":
    main()
