"""Instructions to the catalog screen's first paint (callgrind), against an empty Textual app.

    .venv/bin/python bench/first_paint_instructions.py [CATALOG] [--compare DIR]

bench/first_paint.py times the first paint on the wall clock, which a shared, loaded machine makes
noisy (the same tree's median moved by 15% between runs at load 5). This counts the instructions
the process runs instead (valgrind --tool=callgrind, "Ir"), the same whatever the load, and about
50 times slower: each start takes 30 s or so. The app runs in a tmux window of its own tmux server
(`tmux -L`), with a small wrapper that exits the app as soon as the first item's ref (or the empty
app's line) is written to the terminal, so what is counted is process start, imports, the first
page and its paint, and the exit. Textual writes the screen to stderr: that goes to a file, so that
the count does not depend on how fast tmux reads a loaded machine's output (written to the pane,
one tree's count moved between 1,805 M and 2,055 M, main's between 2,192 M and 2,815 M; to a file,
within 0.3%); the pane stays the app's terminal, for its size and input. CATALOG as in
first_paint.py (bench/out/paint.db by default).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SERVER = f"fieldkit-paint-instructions-{os.getpid()}"
WRAPPER = '''
import sys
from textual.drivers.linux_driver import LinuxDriver

mark = sys.argv[1]
write = LinuxDriver.write

def write_and_stop(self, data):
    write(self, data)
    if mark in data and not getattr(self, "_painted", False):
        self._painted = True
        self._app.call_later(self._app.exit)

LinuxDriver.write = write_and_stop
if mark == "EMPTY-APP-PAINTED":
    from textual.app import App
    from textual.widgets import Static

    class Empty(App):
        def compose(self):
            yield Static(mark)

    Empty().run()
else:
    from fieldkit.cli import main

    sys.argv = ["fieldkit", "--db", sys.argv[2]]
    main()
'''


def instructions(tree: Path | None, catalog: Path, wrapper: Path, tmp: Path, timeout: float = 300.0) -> int:
    """Instructions (callgrind's Ir) of one start until the first paint, from `tree` (None: the empty app)."""
    log = tmp / f"callgrind-{time.monotonic_ns()}.log"
    mark = "EMPTY-APP-PAINTED" if tree is None else "G-000001"
    env = "" if tree is None else f"env PYTHONPATH={shlex.quote(str(tree))} "
    command = (f"{env}valgrind --tool=callgrind --callgrind-out-file=/dev/null --log-file={shlex.quote(str(log))} "
               f"{shlex.quote(sys.executable)} {shlex.quote(str(wrapper))} {mark} {shlex.quote(str(catalog))} "
               f"2>{shlex.quote(str(log))}.screen")
    subprocess.run(["tmux", "-L", SERVER, "new-window", "-d", "-t", "paint", command], check=True)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        found = re.search(r"Collected : (\d+)", log.read_text() if log.exists() else "")
        if found:
            return int(found.group(1))
        time.sleep(1)
    raise SystemExit(f"error: the run from {tree or 'the empty app'} did not finish within {timeout:.0f} s; see {log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", nargs="?", type=Path, default=BENCH / "out" / "paint.db")
    parser.add_argument("--compare", type=Path, metavar="DIR", help="another fieldkit tree to count too")
    args = parser.parse_args()
    if not args.catalog.exists():
        raise SystemExit(f"error: no catalog at {args.catalog}; run bench/first_paint.py once to make it")
    trees = {"this tree": BENCH.parent}
    if args.compare is not None:
        trees[f"compared: {args.compare}"] = args.compare.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        wrapper = Path(tmp) / "paint_and_exit.py"
        wrapper.write_text(WRAPPER, encoding="utf-8")
        subprocess.run(["tmux", "-L", SERVER, "new-session", "-d", "-s", "paint", "-x", "120", "-y", "40"], check=True)
        try:
            empty = instructions(None, args.catalog.resolve(), wrapper, Path(tmp))
            counts = {name: instructions(tree, args.catalog.resolve(), wrapper, Path(tmp)) for name, tree in trees.items()}
        finally:
            subprocess.run(["tmux", "-L", SERVER, "kill-server"], check=False)
    print(f"| Start until the first paint (callgrind Ir) | Instructions | Ratio to the empty app |")
    print("| --- | --- | --- |")
    print(f"| empty Textual app | {empty / 1e6:,.0f} M | 1.00× |")
    for name, count in counts.items():
        print(f"| `fieldkit` catalog screen, 100,000 items ({name}) | {count / 1e6:,.0f} M | {count / empty:.2f}× |")


if __name__ == "__main__":
    main()
