"""The resident OCR engine process (`fieldkit ocr-engine start`): tesseract and PP-OCR loaded once,
reading for `fieldkit ocr FILE` over a Unix domain socket (see fieldkit.ocr.resident, the client).

    python -m fieldkit.ocr.resident_server [--idle MINUTES]

Started by `fieldkit ocr-engine start`, which reads one line from its stdout: ``ready PID PATH``
once the engines are loaded and the socket listens, or ``error: ...``. Then its stdout and stderr
go to /dev/null and its working folder is /.

A reading is the `fieldkit ocr` command itself (fieldkit.cli.ocr), run in this process on the
request's arguments, in the client's working folder, its output captured: the same code, guards
(decompression bombs, truncated files, formats) and errors as in the client's own process. One
reading runs at a time; a request that would wait more than :data:`BUSY_WAIT` is declined (the
client reads it itself). Status and stop are answered at once.

It ends after ``--idle`` minutes without a request, on a "stop" request, on SIGTERM or SIGINT, and
when its socket file is removed or replaced (checked every :data:`WATCH_EVERY` seconds).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import socket
import socketserver
import stat
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from fieldkit.ocr import resident

BUSY_WAIT = 2.0  # seconds a request waits for the reading under way before it is declined (under the client's 3 s)
WATCH_EVERY = 1.0  # seconds between looks at the socket file and the idle time
REQUEST_TIMEOUT = 5.0  # seconds for a client to send its request
MAX_ITEMS = 10_000  # files or crops in one request
ENGINES = ("auto", "tesseract", "ppocr")


class Engine:
    """What the process knows: who it is, what it loaded, how much it read, and when it was last asked."""

    def __init__(self, path: Path, idle_minutes: float, identity: dict[str, Any]):
        self.path = path
        self.idle_seconds = idle_minutes * 60
        self.identity = identity
        self.reference_version = ""
        self.started = time.time()
        self.last = time.monotonic()
        self.readings = 0
        self.reading = threading.Lock()  # one reading at a time: it captures the process's stdout
        self.seen: os.stat_result | None = None
        self.server: socketserver.BaseServer | None = None
        self.stopping = threading.Event()

    def status(self) -> dict[str, Any]:
        import fieldkit

        return {"fieldkit": fieldkit.__version__, "code": self.identity.get("code"),
                "reference": self.identity.get("reference"), "reference_version": self.reference_version,
                "identity": self.identity, "readings": self.readings, "socket": str(self.path),
                "started": self.started, "idle_seconds": self.idle_seconds,
                "idle_for": round(time.monotonic() - self.last, 1)}

    def stop(self) -> None:
        if not self.stopping.is_set():
            self.stopping.set()
            threading.Thread(target=self.server.shutdown, name="fieldkit-ocr-engine-stop").start()  # type: ignore[union-attr]


def arguments(request: dict[str, Any]) -> list[str]:
    """The `fieldkit ocr` arguments of a read request; ValueError on anything malformed. Only image
    files are read: no --photo, --save or catalog option can be asked for."""
    def text(value: Any, name: str) -> str:
        if not isinstance(value, str) or "\0" in value or len(value) > 4096:
            raise ValueError(f"{name} is not a string")
        return value

    files = request.get("files")
    crops = request.get("crops")
    if not isinstance(files, list) or not files or not isinstance(crops, list) or len(files) + len(crops) > MAX_ITEMS:
        raise ValueError("files and crops must be lists")
    engine, psm = request.get("engine"), request.get("psm")
    if engine not in ENGINES:
        raise ValueError("unknown engine")
    if psm is not None and (not isinstance(psm, int) or isinstance(psm, bool) or not 3 <= psm <= 13):
        raise ValueError("psm is not a number from 3 to 13")
    # each value joined to its option: a value that starts with "-" (a crop of -5,...) is still its value
    args = [f"--lang={text(request.get('languages'), 'languages')}", f"--engine={engine}"]
    if psm is not None:
        args.append(f"--psm={psm}")
    args += [f"--crop={text(crop, 'crop')}" for crop in crops]
    if request.get("ring") is not None:
        args.append(f"--ring={text(request['ring'], 'ring')}")
    if request.get("json") is True:
        args.append("--json")
    return [*args, "--", *(text(f, "file") for f in files)]


def count(request: dict[str, Any]) -> int:
    """Readings in a request, as `fieldkit ocr` pairs them: one per FILE and --crop box."""
    files, crops = len(request["files"]), max(1, len(request["crops"]))
    return files if files > 1 and crops > 1 else files * crops


def not_the_same(cwd: str, files: list[str], ids: Any) -> str | None:
    """The first of ``files`` that is not, here, the file (device, inode) the client found under that
    name (resident.file_id): its own /dev/stdin or /dev/fd/N is another file, or none, in this process."""
    if not isinstance(ids, list) or len(ids) != len(files):
        return files[0]
    for name, seen in zip(files, ids):
        here = resident.file_id(os.path.join(cwd, name))
        if here is None or here != seen:
            return name
    return None


def run_ocr(args: list[str], cwd: str) -> tuple[int, str, str]:
    """`fieldkit ocr ARGS` run here, in ``cwd``: its exit code, stdout and stderr."""
    from fieldkit.cli import base, cli

    out, err = io.StringIO(), io.StringIO()
    code: Any = 0
    os.chdir(cwd)
    try:
        # warnings.catch_warnings: a warning is shown again at each reading, as a fresh process shows it
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            try:
                cli.main(["ocr", *args], prog_name="fieldkit", standalone_mode=True)
            except SystemExit as done:
                code = done.code
    finally:
        os.chdir("/")
        base.END_AT_ONCE = False
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): printed on stderr, exit 1, as Python does
        err.write(f"{code}\n")
        code = 1
    return code, out.getvalue(), err.getvalue()


class Handler(socketserver.BaseRequestHandler):
    """One connection: the peer's user id checked, one request read (at most resident.MAX_REQUEST
    bytes), one answer (for a reading: taken or declined, then the command's output)."""

    server: "Server"

    def handle(self) -> None:
        sock: socket.socket = self.request
        engine = self.server.engine
        _, uid = resident.peer(sock)
        if uid != os.getuid():
            return  # another user: closed without a word
        sock.settimeout(REQUEST_TIMEOUT)
        try:
            with sock.makefile("rb") as stream:
                request = resident.receive(stream, resident.MAX_REQUEST)
        except (OSError, ValueError) as exc:
            with contextlib.suppress(OSError):
                resident.send(sock, {"accepted": False, "why": f"bad request: {exc}"})
            return
        op = request.get("op")
        if op == "status":
            resident.send(sock, engine.status())
        elif op == "stop":
            resident.send(sock, {"stopping": True})
            engine.stop()
        elif op == "read":
            self.read(sock, engine, request)
        else:
            resident.send(sock, {"accepted": False, "why": f"unknown request {op!r}"})

    def read(self, sock: socket.socket, engine: Engine, request: dict[str, Any]) -> None:
        theirs = request.get("identity")
        differ = resident.differences(engine.identity, theirs if isinstance(theirs, dict) else {})
        if differ:
            resident.send(sock, {"accepted": False, "why": "it runs other " + ", ".join(differ)
                                 + " (restart it: fieldkit ocr-engine stop; fieldkit ocr-engine start)"})
            return
        cwd = request.get("cwd")
        try:
            args = arguments(request)
            if not isinstance(cwd, str) or not os.path.isabs(cwd) or "\0" in cwd:
                raise ValueError("the working folder is not an absolute path")
        except ValueError as exc:
            resident.send(sock, {"accepted": False, "why": f"bad request: {exc}"})
            return
        engine.last = time.monotonic()  # a reading asked for (a status or stop is not use)
        if not engine.reading.acquire(timeout=BUSY_WAIT):
            resident.send(sock, {"accepted": False, "why": "it is busy with another reading"})
            return
        try:
            if not os.path.isdir(cwd):
                resident.send(sock, {"accepted": False, "why": f"cannot use the working folder {cwd}"})
                return
            other = not_the_same(cwd, request["files"], request.get("ids"))
            if other is not None:
                resident.send(sock, {"accepted": False, "why": f"{other} is another file in the engine process"
                                     " (a file of the command's own, such as /dev/stdin or a <(...) pipe)"})
                return
            resident.send(sock, {"accepted": True})
            code, out, err = run_ocr(args, cwd)
            engine.readings += count(request)
            engine.last = time.monotonic()
        finally:
            engine.reading.release()
        with contextlib.suppress(OSError):  # a client that went away is not waited for
            resident.send(sock, {"exit": code, "stdout": out, "stderr": err})


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    engine: Engine


def warm_up() -> str:
    """Load both engines by reading two small synthetic images (a line and a square photo), and the
    reference tables; the version of the tables loaded."""
    from PIL import Image, ImageDraw

    from fieldkit.ocr import DEFAULT_LANGUAGES, engine, ppocr, reading
    from fieldkit.reference.plain import plain_reference

    for languages in (DEFAULT_LANGUAGES, "rus", "kor"):
        engine.preload(languages)
    ppocr.warm()
    line = Image.new("RGB", (240, 40), "white")
    ImageDraw.Draw(line).text((8, 12), "KP580 BM80A 1987", fill="black")
    line = line.resize((720, 120))
    photo = Image.new("RGB", (400, 400), "white")
    photo.paste(line.resize((360, 60)), (20, 170))
    for image, crop in ((line, (0, 0, line.width, line.height)), (photo, None)):
        try:
            reading.read(image, crop=crop)
        except Exception:  # noqa: BLE001 - a missing engine is reported by each reading, as in-process
            pass
    return plain_reference().version


def serve(path: Path, idle_minutes: float, identity: dict[str, Any], report) -> int:
    """Listen at ``path`` until stopped; ``report`` is told "ready ..." once listening."""
    engine = Engine(path, idle_minutes, identity)
    try:
        engine.reference_version = warm_up()
    except Exception as exc:  # noqa: BLE001 - said on the start command's line, as one line
        report(f"error: the OCR engines could not be loaded: {type(exc).__name__}: {exc}")
        return 2
    try:
        running = resident.connect(path, resident.ANSWER_TIMEOUT)  # a stale socket is removed
        if running is not None:
            running[0].close()
            report(f"error: an OCR engine process already runs (pid {running[1]}; fieldkit ocr-engine status)")
            return 2
    except (resident.Unsafe, OSError) as exc:
        report(f"error: {exc}")
        return 2
    # bound and listening under a name of its own, then renamed into place: a client never finds
    # the socket bound but not yet listening (and takes it for a stale one)
    fresh = path.with_name(f".{path.name}.{os.getpid()}")
    old = os.umask(0o177)  # the socket file is rw for this user only (its folder is 0700 too)
    try:
        server = Server(os.fspath(fresh), Handler)
        os.rename(fresh, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(fresh)
        report(f"error: cannot listen on {path}: {exc.strerror}")
        return 2
    finally:
        os.umask(old)
    server.engine = engine
    engine.server = server
    engine.seen = os.lstat(path)
    if threading.current_thread() is threading.main_thread():  # (tests serve from a thread)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: engine.stop())
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    threading.Thread(target=watch, args=(engine,), daemon=True, name="fieldkit-ocr-engine-watch").start()
    report(f"ready {os.getpid()} {path}")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        with contextlib.suppress(OSError):
            resident.remove_stale(path, engine.seen)  # still ours: removed; replaced: left alone
    return 0


def watch(engine: Engine) -> None:
    """Stop the engine when its socket file is gone or replaced, or when no reading was asked for
    during its idle time."""
    while not engine.stopping.wait(WATCH_EVERY):
        try:
            now = os.lstat(engine.path)
            gone = (now.st_dev, now.st_ino) != (engine.seen.st_dev, engine.seen.st_ino) or not stat.S_ISSOCK(now.st_mode)  # type: ignore[union-attr]
        except OSError:
            gone = True
        idle = not engine.reading.locked() and time.monotonic() - engine.last > engine.idle_seconds
        if gone or idle:
            engine.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fieldkit.ocr.resident_server", description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=resident.IDLE_MINUTES, help="minutes without a request before it ends")
    args = parser.parse_args(argv)
    out = sys.stdout

    def report(line: str) -> None:
        out.write(line + "\n")
        out.flush()
        if line.startswith("ready"):  # nobody reads these any more: the engine runs on alone
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.close(devnull)

    resident.SERVING = True
    identity = resident.identity()  # before the engines load: as a client's environment is
    os.chdir("/")
    try:
        path = resident.socket_path(create=True)
    except (resident.Unsafe, OSError) as exc:
        report(f"error: {exc}")
        return 2
    if not hasattr(socket, "SO_PEERCRED"):
        report("error: the OCR engine process needs Linux (SO_PEERCRED, to check who connects)")
        return 2
    return serve(path, args.idle, identity, report)


if __name__ == "__main__":
    sys.exit(main())
