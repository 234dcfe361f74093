"""First paint of the catalog screen on 100,000 items, against an empty Textual app, in the same tmux.

    .venv/bin/python bench/first_paint.py [CATALOG] [--runs 5]

CATALOG (default bench/out/paint.db) is made by generate_catalog.py with 100,000 items (no
components, markings or photos) if it does not exist. Each run starts, in a new window of one
detached tmux session (120x40), either `fieldkit --db CATALOG` or a Textual app that shows one
line and nothing else, and polls the window (`tmux capture-pane`) until the first item's ref, or
the empty app's line, is on screen: the time from launch to that is the first paint, process
start included. Runs alternate; medians are printed as a markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu_model  # bench/ is on sys.path when a script runs

BENCH = Path(__file__).resolve().parent
SESSION = f"fieldkit-first-paint-{os.getpid()}"
EMPTY_APP = '''
from textual.app import App
from textual.widgets import Static

class Empty(App):
    def compose(self):
        yield Static("EMPTY-APP-PAINTED")

Empty().run()
'''


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def paint_time(command: str, mark: str, timeout: float = 60.0) -> float:
    """Seconds from starting `command` in a new tmux window until `mark` shows in it."""
    started = time.perf_counter()
    window = tmux("new-window", "-d", "-P", "-F", "#{window_id}", "-t", SESSION, command).strip()
    try:
        while time.perf_counter() - started < timeout:
            if mark in tmux("capture-pane", "-p", "-t", window):
                return time.perf_counter() - started
            time.sleep(0.005)
        raise SystemExit(f"error: {mark!r} did not appear within {timeout:.0f} s")
    finally:
        tmux("kill-window", "-t", window)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", nargs="?", type=Path, default=BENCH / "out" / "paint.db")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.catalog.exists():
        args.catalog.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(BENCH / "generate_catalog.py"), str(args.catalog), "--items", "100000",
                        "--components", "0", "--markings", "0", "--photos", "0"], check=True)
    # fieldkit's modules compiled once, as an installed copy's are after its first run: with
    # PYTHONDONTWRITEBYTECODE set (as in some shells), every launch would compile them again (about
    # 0.15 s of the paint, 2.09x instead of 1.73x on 2026-12-02).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(BENCH.parent / "fieldkit")], check=True,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, stdout=subprocess.DEVNULL)
    fieldkit = Path(sys.executable).parent / "fieldkit"
    ours, base = [], []
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty_app.py"
        empty.write_text(EMPTY_APP, encoding="utf-8")
        tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40")
        try:
            for _ in range(args.runs):
                base.append(paint_time(f"{sys.executable} {empty}", "EMPTY-APP-PAINTED"))
                ours.append(paint_time(f"{fieldkit} --db {args.catalog}", "G-000001"))
        finally:
            tmux("kill-session", "-t", SESSION)
    ours_s, base_s = statistics.median(ours), statistics.median(base)
    print("## First paint of the catalog screen (bench/first_paint.py)\n")
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M} — {cpu_model()}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}; tmux 120x40, median of {args.runs} alternating runs, process start included\n")
    print("| Measure | Result | Baseline (same tmux, same run) | Ratio | Target ≤ 2× |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| `fieldkit` catalog screen, first page of 100,000 items on screen | {ours_s * 1000:.0f} ms "
          f"| empty Textual app {base_s * 1000:.0f} ms | {ours_s / base_s:.2f}× | {'yes' if ours_s <= 2 * base_s else 'NO'} |")


if __name__ == "__main__":
    main()
