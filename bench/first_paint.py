"""First paint of the catalog screen on 100,000 items, against an empty Textual app, in the same tmux.

    .venv/bin/python bench/first_paint.py [CATALOG] [--runs 5] [--compare DIR]

CATALOG (default bench/out/paint.db) is made by generate_catalog.py with 100,000 items (no
components, markings or photos) if it does not exist. Each run starts, in a new window of one
detached tmux session (120x40) on a tmux server of its own (`tmux -L`, so no other tmux session is
touched), either `fieldkit --db CATALOG` or a Textual app that shows one line and nothing else,
and polls the window (`tmux capture-pane`) until the first item's ref, or the empty app's line, is
on screen: the time from launch to that is the first paint, process start included. Runs
alternate, after a round that is not counted (--warmup: the page cache, the bytecode); medians
are printed as a markdown table, and every run's time after it.

--compare DIR times a second tree too (another checkout of fieldkit, e.g. `git archive main |
tar -x -C /tmp/base`), in the same rounds: each round runs the empty app and both trees, in an
order that alternates from round to round, each fieldkit with its own tree first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu_model  # bench/ is on sys.path when a script runs

BENCH = Path(__file__).resolve().parent
SERVER = f"fieldkit-first-paint-{os.getpid()}"  # tmux -L: a tmux server (socket) of this run's own
SESSION = "paint"
EMPTY_APP = '''
from textual.app import App
from textual.widgets import Static

class Empty(App):
    def compose(self):
        yield Static("EMPTY-APP-PAINTED")

Empty().run()
'''


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SERVER, *args], check=True, capture_output=True, text=True).stdout


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


def compile_tree(tree: Path) -> None:
    """fieldkit's modules compiled once, as an installed copy's are after its first run: with
    PYTHONDONTWRITEBYTECODE set (as in some shells), every launch would compile them again (about
    0.15 s of the paint, 2.09x instead of 1.73x on 2026-12-02)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "fieldkit")], check=True,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, stdout=subprocess.DEVNULL)


def fieldkit_command(tree: Path, catalog: Path) -> str:
    """`fieldkit --db CATALOG` run from `tree`: the venv's console script, with the tree first on PYTHONPATH."""
    script = Path(sys.executable).parent / "fieldkit"
    return f"env PYTHONPATH={shlex.quote(str(tree))} {shlex.quote(str(script))} --db {shlex.quote(str(catalog))}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", nargs="?", type=Path, default=BENCH / "out" / "paint.db")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="rounds run first and not counted (page cache, bytecode)")
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="another fieldkit tree to time in the same rounds (e.g. main, from git archive)")
    args = parser.parse_args()
    if args.compare is not None and not (args.compare / "fieldkit" / "__init__.py").is_file():
        raise SystemExit(f"error: {args.compare} holds no fieldkit package; give a checkout of fieldkit (git archive main | tar -x -C DIR)")
    catalog = args.catalog.resolve()
    if not catalog.exists():
        catalog.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(BENCH / "generate_catalog.py"), str(catalog), "--items", "100000",
                        "--components", "0", "--markings", "0", "--photos", "0"], check=True)
    trees = {"this tree": BENCH.parent}
    if args.compare is not None:
        trees[f"compared: {args.compare}"] = args.compare.resolve()
    for tree in trees.values():
        compile_tree(tree)
    times: dict[str, list[float]] = {"empty": [], **{name: [] for name in trees}}
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty_app.py"
        empty.write_text(EMPTY_APP, encoding="utf-8")
        commands = {"empty": (f"{shlex.quote(sys.executable)} {shlex.quote(str(empty))}", "EMPTY-APP-PAINTED")}
        commands.update({name: (fieldkit_command(tree, catalog), "G-000001") for name, tree in trees.items()})
        order = list(commands)
        tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40")
        try:
            for run in range(-args.warmup, args.runs):
                for name in order if run % 2 == 0 else [order[0], *reversed(order[1:])]:
                    took = paint_time(*commands[name])
                    if run >= 0:
                        times[name].append(took)
        finally:
            tmux("kill-server")
    empty_s = statistics.median(times["empty"])
    print("## First paint of the catalog screen (bench/first_paint.py)\n")
    print(f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC — {cpu_model()}, nproc {os.cpu_count()}, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}; tmux 120x40, "
          f"median of {args.runs} alternating runs, process start included\n")
    print("| Measure | Result | Baseline (same tmux, same run) | Ratio | Target ≤ 2× |")
    print("| --- | --- | --- | --- | --- |")
    for name in trees:
        ours_s = statistics.median(times[name])
        label = "" if len(trees) == 1 else f" ({name})"
        print(f"| `fieldkit` catalog screen{label}, first page of 100,000 items on screen | {ours_s * 1000:.0f} ms "
              f"| empty Textual app {empty_s * 1000:.0f} ms | {ours_s / empty_s:.2f}× | {'yes' if ours_s <= 2 * empty_s else 'NO'} |")
    print("\nEvery run (ms): " + "; ".join(f"{name} " + ", ".join(f"{t * 1000:.0f}" for t in ts) for name, ts in times.items()))


if __name__ == "__main__":
    main()
