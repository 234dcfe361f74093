"""`fieldkit ocr-engine start|stop|status`: the resident OCR engine process the user starts on purpose
(fieldkit.ocr.resident; the process itself is fieldkit.ocr.resident_server)."""

from __future__ import annotations

import os
import sys
import time

import click

from fieldkit.cli.base import echo, fail
from fieldkit.ocr import resident

START_TIMEOUT = 300.0  # seconds for the engines to load (a few on an idle machine)


def _running() -> dict | None:
    try:
        return resident.ask("status")
    except FileNotFoundError:  # no runtime folder yet
        return None
    except (resident.Unsafe, OSError, ValueError) as exc:
        fail(f"the OCR engine's socket cannot be used: {exc}")
    return None


@click.group("ocr-engine")
def ocr_engine() -> None:
    """Start, stop or ask about the OCR engine process that keeps tesseract and PP-OCR loaded for `fieldkit ocr FILE`.

    While it runs, `fieldkit ocr FILE [--crop ...]` has it read the file (same readings, same
    output) instead of loading the engines in its own process. It listens on a Unix socket in a
    private folder ($XDG_RUNTIME_DIR/fieldkit, or fieldkit-UID in $TMPDIR or /tmp), serves this user only, and
    ends after --idle minutes without a request, on `fieldkit ocr-engine stop`, or when its socket
    file is removed. Set FIELDKIT_OCR_ENGINE=off to read in-process anyway.
    """


@ocr_engine.command("start")
@click.option("--idle", "idle_minutes", type=click.FloatRange(min=0.1, max=7 * 24 * 60), default=resident.IDLE_MINUTES,
              show_default=True, help="Minutes without a request after which the engine process ends.")
def start(idle_minutes: float) -> None:
    """Start the OCR engine process in the background (its engines load first: a few seconds)."""
    import select
    import subprocess

    if idle_minutes != idle_minutes:  # nan passes click's range check, and an engine would never end
        fail("--idle nan is not a number of minutes; give e.g. --idle 30")
    info = _running()
    if info is not None:
        echo(f"an OCR engine process already runs: pid {info['pid']} (fieldkit ocr-engine status)")
        return
    import fieldkit

    tree = os.path.dirname(os.path.dirname(os.path.abspath(fieldkit.__file__)))  # the same fieldkit code as this one
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (tree, os.environ.get("PYTHONPATH")) if p)}
    from fieldkit.cli.base import State

    state = click.get_current_context().find_object(State)
    tables = state.user_reference_dir()  # --reference DIR (refused if not there): the engine is built on those tables
    if tables is not None:  # absolute: the engine runs in / (a relative name would be another folder there)
        env["FIELDKIT_REFERENCE"] = os.path.abspath(tables)
    process = subprocess.Popen([sys.executable, "-m", "fieldkit.ocr.resident_server", "--idle", repr(idle_minutes)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               cwd="/", env=env, start_new_session=True)
    line = b""
    deadline = time.monotonic() + START_TIMEOUT
    while not line.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(process.stdout.fileno(), 4096)  # type: ignore[union-attr]
        if not chunk:
            break
        line += chunk
    process.stdout.close()  # type: ignore[union-attr]
    text = line.decode("utf-8", "replace").strip()
    if text.startswith("ready "):
        _, pid, path = text.split(" ", 2)
        process.returncode = 0  # it runs on by itself (a session of its own): not waited for here
        echo(f"OCR engine started: pid {pid}, socket {path}; it ends after {idle_minutes:g} min idle"
             " or on `fieldkit ocr-engine stop`", one_line=True)
        return
    if text.startswith("error: "):  # it said why, and ends
        process.wait()
        fail(text.removeprefix("error: "))
    if process.poll() is None:
        process.kill()
        process.wait()
        fail(f"the OCR engine process did not start within {START_TIMEOUT:g} s")
    fail(f"the OCR engine process ended at once (exit code {process.returncode})")


@ocr_engine.command("stop")
def stop() -> None:
    """Stop the OCR engine process (nothing to do when none runs)."""
    info = _running()
    if info is None:
        echo("no OCR engine process runs")
        return
    try:
        resident.ask("stop")
    except (OSError, ValueError):
        pass
    path = resident.socket_path()
    deadline = time.monotonic() + 10
    while os.path.lexists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    if os.path.lexists(path):
        fail(f"the OCR engine process (pid {info['pid']}) was asked to stop but its socket is still there: {path}")
    echo(f"OCR engine stopped (pid {info['pid']}; it had read {info['readings']})")


@ocr_engine.command("status")
def status() -> None:
    """Say whether the OCR engine process runs: its pid, fieldkit version, reference tables, readings; exit 1 when none runs."""
    info = _running()
    if info is None:
        echo("OCR engine: not running (start it with `fieldkit ocr-engine start`)")
        sys.exit(1)
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(info["started"]))
    echo(f"OCR engine: running, pid {info['pid']}")
    echo(f"socket: {info['socket']}", one_line=True)
    echo(f"fieldkit: {info['code']}", one_line=True)
    echo(f"reference tables: version {info['reference_version']}")
    echo(f"readings: {info['readings']} (one per FILE and --crop box)")
    echo(f"started: {started}; ends after {info['idle_seconds'] / 60:g} min idle (idle for {info['idle_for']:g} s)")
    differ = resident.differences(resident.identity(), info.get("identity") or {})
    if differ:
        echo(f"not used by this fieldkit: it runs other {', '.join(differ)} (restart it: fieldkit ocr-engine stop;"
             " fieldkit ocr-engine start)")
    elif os.environ.get(resident.ENV, "").strip().lower() == "off":
        echo(f"not used: {resident.ENV}=off")
    else:
        echo("used by `fieldkit ocr FILE` here")
