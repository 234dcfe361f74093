"""Start-up of light commands (issue 17): each against `sqlite-utils tables` on the same catalog.

    .venv/bin/python bench/startup.py [RUNS]

Runs, as fresh processes, `fieldkit years 112`, `fieldkit --help`, `fieldkit item list` (on a copy
of catalog.db.example) and the baseline `sqlite-utils tables` on the same copy, interleaved,
RUNS times each (default 5), and prints the median wall time of each (process start included)
and its ratio to the baseline, as a markdown table.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu_model  # bench/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def commands(db: Path) -> dict[str, list[str]]:
    fieldkit = str(BIN / "fieldkit")
    return {
        "sqlite-utils tables (baseline)": [str(BIN / "sqlite-utils"), "tables", str(db)],
        "fieldkit years 112": [fieldkit, "years", "112"],
        "fieldkit --help": [fieldkit, "--help"],
        "fieldkit item list": [fieldkit, "--db", str(db), "item", "list"],
    }


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "catalog.db"
        shutil.copyfile(ROOT / "catalog.db.example", db)
        todo = commands(db)
        for command in todo.values():  # warm the page cache and any first-run work (none is kept)
            wall(command)
        times: dict[str, list[float]] = {name: [] for name in todo}
        for _ in range(runs):
            for name, command in todo.items():
                times[name].append(wall(command))
    medians = {name: statistics.median(t) for name, t in times.items()}
    base = medians["sqlite-utils tables (baseline)"]
    load = os.getloadavg()[0]
    print("## Start-up of light commands (bench/startup.py)\n")
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M} — {cpu_model()}, nproc {os.cpu_count()}, Python {platform.python_version()}; "
          f"load average {load:.1f}; median of {runs} interleaved runs, process start included\n")
    print("| Command | Median | Baseline `sqlite-utils tables` (same run) | Ratio | Target ≤ 1× |")
    print("| --- | --- | --- | --- | --- |")
    for name, median in medians.items():
        if name.endswith("(baseline)"):
            continue
        print(f"| `{name}` | {median * 1000:.0f} ms | {base * 1000:.0f} ms | {median / base:.2f}× | "
              f"{'yes' if median <= base else 'NO'} |")


if __name__ == "__main__":
    main()
