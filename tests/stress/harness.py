"""Crash harness: run `python -m fieldkit` in a subprocess and SIGKILL it, then check the evidence.

Two ways to kill, both a real SIGKILL (no cleanup, no `finally`, no atexit):

- `run_cli(..., kill_after=SECONDS)`: the parent kills the child after a (seeded, random) delay.
  Most of a CLI run is Python start-up, so many of these land before any write; they still
  prove that a kill at an arbitrary moment is harmless.
- `run_cli(..., crash_at=N)`: the child kills *itself* with SIGKILL just before its N-th call
  of an operation that changes something (an SQLite execute/commit, a file write, fsync, rename,
  chmod, unlink, mkdir...). `count_steps()` runs the command once to learn how many such steps it
  has, so N can be drawn uniformly over every step of the write path. The child is still
  `python -m fieldkit` (run through runpy behind a profile hook that is armed when the catalog is
  first opened).

`check_catalog()` is what must hold after any kill: `PRAGMA integrity_check` is ok, no foreign
key is dangling, and `verify` finds nothing but unreferenced files (left by an interrupted
ingest), which it reports and never deletes.

Nothing here imports textual.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# Calls that change state: SQLite statements and commits, and file-system writes.
STEP_NAMES = (
    "execute", "executemany", "executescript", "commit", "rollback", "backup",
    "write", "writerow", "writerows", "flush", "fsync", "replace", "rename", "chmod", "unlink",
    "mkdir", "mkstemp", "open", "close", "copyfile", "truncate",
)

HOOK = r"""
import os, signal, sys, runpy
_target = int(os.environ.get("FIELDKIT_CRASH_AT") or 0)
_countfile = os.environ.get("FIELDKIT_CRASH_COUNT")
_names = frozenset(os.environ["FIELDKIT_CRASH_STEPS"].split(","))
_n = 0
def _prof(frame, event, arg):
    global _n
    if event == "c_call" and getattr(arg, "__name__", None) in _names:
        _n += 1
        if _n == _target:
            os.kill(os.getpid(), signal.SIGKILL)
_armed = False
def _audit(event, args):
    global _armed
    if event == "sqlite3.connect" and not _armed:
        _armed = True
        sys.setprofile(_prof)
sys.addaudithook(_audit)
if _countfile:
    import atexit
    def _save():
        sys.setprofile(None)
        with open(_countfile, "w") as fh:
            fh.write(str(_n))
    atexit.register(_save)
sys.argv[0] = "fieldkit"
runpy.run_module("fieldkit", run_name="__main__", alter_sys=True)
"""

KILLED = -signal.SIGKILL


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def killed(self) -> bool:
        return self.returncode == KILLED


def fieldkit_cmd(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "fieldkit", "--db", str(db), "--actor", "stress", *map(str, args)]


def run_cli(db: Path, *args: str, kill_after: float | None = None, crash_at: int | None = None,
            count_file: Path | None = None, env: dict | None = None, timeout: float = 120) -> Run:
    """Run `fieldkit --db DB ARGS...`; kill it after `kill_after` s, or at step `crash_at`."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("FIELDKIT_CRASH_AT", None)
    if crash_at is not None or count_file is not None:
        cmd = [sys.executable, "-c", HOOK, "--db", str(db), "--actor", "stress", *map(str, args)]
        full_env["FIELDKIT_CRASH_STEPS"] = ",".join(STEP_NAMES)
        if crash_at is not None:
            full_env["FIELDKIT_CRASH_AT"] = str(crash_at)
        if count_file is not None:
            full_env["FIELDKIT_CRASH_COUNT"] = str(count_file)
    else:
        cmd = fieldkit_cmd(db, *args)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full_env)
    try:
        out, err = proc.communicate(timeout=kill_after if kill_after is not None else timeout)
    except subprocess.TimeoutExpired:
        if kill_after is None:
            proc.kill()
            proc.communicate()
            raise
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
    return Run(proc.returncode, out, err, time.monotonic() - start)


def count_steps(db: Path, *args: str, scratch: Path) -> tuple[int, Run]:
    """Run the command to completion behind the hook; return how many state-changing steps it made."""
    count_file = scratch / "steps.count"
    run = run_cli(db, *args, count_file=count_file)
    return int(count_file.read_text()), run


# checks ---------------------------------------------------------------------------------


def integrity(db: Path) -> list[str]:
    """Problems SQLite itself finds: integrity_check and foreign_key_check."""
    conn = sqlite3.connect(str(db))
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        problems = [] if result == ["ok"] else result
        problems += [f"foreign key: {r}" for r in conn.execute("PRAGMA foreign_key_check")]
    finally:
        conn.close()
    return problems


def check_catalog(db: Path) -> list[str]:
    """Every problem after a crash except unreferenced files; asserts verify deletes nothing."""
    from fieldkit.catalog.db import open_catalog
    from fieldkit.evidence.verify import verify_catalog

    problems = integrity(db)
    if problems:
        return problems
    catalog = open_catalog(db, create=False, actor="checker")
    try:
        store = catalog.photo_store
        files_before = sorted(p for p in store.rglob("*")) if store.exists() else []
        report = verify_catalog(catalog)
        files_after = sorted(p for p in store.rglob("*")) if store.exists() else []
        if files_before != files_after:
            problems.append("verify changed the photo store")
        problems += [p.describe() for p in report.problems if p.kind != "unreferenced"]
        unlinked = catalog.db.execute(
            "SELECT count(*) FROM photos WHERE id NOT IN (SELECT photo_id FROM item_photos)").fetchone()[0]
        if unlinked:
            problems.append(f"{unlinked} photo rows linked to no item")
    finally:
        catalog.close()
    return problems


def unreferenced(db: Path) -> int:
    from fieldkit.catalog.db import open_catalog
    from fieldkit.evidence.verify import verify_catalog

    catalog = open_catalog(db, create=False, actor="checker")
    try:
        return sum(p.kind == "unreferenced" for p in verify_catalog(catalog).problems)
    finally:
        catalog.close()


def count(db: Path, sql: str, params=()) -> int:
    conn = sqlite3.connect(str(db))
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


# inputs ---------------------------------------------------------------------------------


def noise_jpeg(path: Path, seed: int, size=(480, 360)) -> Path:
    """A JPEG of random pixels: distinct per seed, and too noisy to compress much."""
    from PIL import Image

    rng = random.Random(seed)
    Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3)).save(path, "JPEG", quality=92)
    return path


def components_csv(path: Path, rows: int, seed: int) -> Path:
    rng = random.Random(seed)
    makers = [("Analog Devices", "US"), ("Texas Instruments", "US"), ("Infineon", "DE"), ("Murata", "JP"), ("", "")]
    lines = ["part_number,manufacturer,country,date_code,quantity"]
    for i in range(rows):
        maker, country = rng.choice(makers)
        lines.append(f"P{seed}-{i:05d},{maker},{country},{rng.choice(['2210', '2310', '1952', ''])},{rng.randint(1, 4)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# figures --------------------------------------------------------------------------------


@dataclass
class Tally:
    """Kills made by one test, written to FIELDKIT_RELIABILITY_LOG (JSON lines) if set."""

    name: str
    timed_kills: int = 0
    step_kills: int = 0
    finished_before_kill: int = 0
    notes: dict = field(default_factory=dict)

    def add(self, run: Run, *, step: bool) -> None:
        if not run.killed:
            self.finished_before_kill += 1
        elif step:
            self.step_kills += 1
        else:
            self.timed_kills += 1

    @property
    def kills(self) -> int:
        return self.timed_kills + self.step_kills

    def save(self) -> None:
        log = os.environ.get("FIELDKIT_RELIABILITY_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"test": self.name, "kills": self.kills, "timed_kills": self.timed_kills,
                                     "step_kills": self.step_kills,
                                     "finished_before_kill": self.finished_before_kill, **self.notes}) + "\n")


def stress_kills(default: int) -> int:
    """How many kills a test makes: FIELDKIT_STRESS_KILLS (the whole file's total) shares them out."""
    total = os.environ.get("FIELDKIT_STRESS_KILLS")
    return default if not total else max(default, int(total) * default // 72)
