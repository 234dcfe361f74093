"""The resident OCR engine, client side: where its socket is, who may use it, and asking it to read.

Why (issues 17.7 and 18, time per line): a `fieldkit ocr FILE --crop ...` process spends about two
raw tesseract runs importing numpy and onnxruntime and building PP-OCR's session before it reads a
pixel. A researcher who reads many lines one command at a time can start an engine process on
purpose (`fieldkit ocr-engine start`, like mypy's dmypy): it keeps tesseract and PP-OCR loaded and
reads for `fieldkit ocr FILE`, which then imports none of them (this module uses the standard
library only). Nothing starts it behind the user's back; it ends after an idle time, on
`fieldkit ocr-engine stop`, or when its socket file is removed.

What a served reading is: the server (fieldkit.ocr.resident_server) runs the very `fieldkit ocr`
command on the same arguments, in the client's working folder, and sends back its exit code and
its output, which the client prints: the same text, JSON and one-line errors as a reading in the
client's own process. It serves only when it runs the same fieldkit code (the package folder, its
version and every module's size and modification time), the same reference tables (each table
file's size and modification time) and the same OCR settings (:func:`identity`); otherwise, or
when none runs, or it does not answer in time, the client reads in its own process as before.

Security (someone else on the machine, or a file planted in /tmp): the socket is a Unix domain
socket (never TCP) in a private folder, ``$XDG_RUNTIME_DIR/fieldkit`` or ``/tmp/fieldkit-UID``,
which must be a real folder (not a symlink) owned by the user with no access for others
(:func:`runtime_dir`); both ends check the other's user id from the kernel (SO_PEERCRED); a
request is at most :data:`MAX_REQUEST` bytes. The engine reads only the files the user names, with
the same guards as in-process (it calls the same functions). ``FIELDKIT_OCR_ENGINE=off`` makes
`fieldkit ocr` always read in its own process.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
import sys
from pathlib import Path
from typing import Any

ENV = "FIELDKIT_OCR_ENGINE"  # "off": `fieldkit ocr` never asks an engine process
SOCKET_NAME = "ocr-engine.sock"
MAX_REQUEST = 64 * 1024  # bytes of one request (arguments and file names)
MAX_REPLY = 256 * 1024 * 1024  # bytes of one reply (a whole photo's JSON is well under a megabyte)
ANSWER_TIMEOUT = 3.0  # seconds for the engine to take a request (or say why not) before reading here
READ_TIMEOUT = 600.0  # seconds for a taken reading to come back before it is read here
IDLE_MINUTES = 30.0  # the engine ends after this long without a request
SETTINGS = ("FIELDKIT_TESSERACT", "TESSDATA_PREFIX")  # environment that changes how a line is read
SERVING = False  # set in the engine process itself: its `fieldkit ocr` reads in-process
# fieldkit.reference.plain.TABLE_FILES' file names, written out: importing that module (hashlib,
# dataclasses, typing: ~20 ms) would cost a served `fieldkit ocr` more than its whole identity check
TABLE_FILE_NAMES = ("marking_patterns.csv", "factory_codes.csv", "manufacturers.csv", "part_families.csv")


class Unsafe(Exception):
    """The runtime folder or the socket is not the user's own and private: it is not used."""


def runtime_dir(create: bool = False) -> Path:
    """The private folder of the engine's socket: ``$XDG_RUNTIME_DIR/fieldkit`` (a per-user folder
    the system makes for each login), else ``fieldkit-UID`` in ``$TMPDIR`` or /tmp. Made with mode
    0700 when ``create``. Raises FileNotFoundError when it is not there (and not ``create``), and
    :class:`Unsafe` when it is a symlink or not a folder, another user's, or open to others."""
    base = os.environ.get("XDG_RUNTIME_DIR", "")
    if base and os.path.isabs(base):
        folder = Path(base) / "fieldkit"
    else:
        folder = Path(os.environ.get("TMPDIR") or "/tmp") / f"fieldkit-{os.getuid()}"
    if create:
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise Unsafe(f"cannot make {folder}: {exc.strerror}") from None
    check_private(folder)
    return folder


def check_private(folder: Path) -> None:
    """Raise :class:`Unsafe` unless ``folder`` is a real folder of this user that others cannot use."""
    info = os.lstat(folder)  # a symlink is seen as one, not followed
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise Unsafe(f"{folder} is not a folder (a symlink or a file); remove it")
    if info.st_uid != os.getuid():
        raise Unsafe(f"{folder} belongs to another user (uid {info.st_uid}); remove it or set XDG_RUNTIME_DIR")
    if info.st_mode & 0o077:
        raise Unsafe(f"{folder} is open to other users (mode {stat.S_IMODE(info.st_mode):o}); run chmod 700 on it")


def socket_path(create: bool = False) -> Path:
    path = runtime_dir(create) / SOCKET_NAME
    if len(os.fsencode(path)) > 100:  # sun_path holds 108 bytes
        raise Unsafe(f"{path}: too long for a Unix socket; set XDG_RUNTIME_DIR to a shorter folder")
    return path


def peer(sock: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end, from the kernel (Linux SO_PEERCRED)."""
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _ = struct.unpack("3i", raw)
    return pid, uid


# ---------------------------------------------------------------- what must match


def code_stamp() -> str:
    """Which fieldkit code runs: its folder, version, and every module's size and modification time
    (a checksum of them: a consistency check, not a defence; the socket is this user's alone)."""
    import fieldkit

    root = Path(fieldkit.__file__).parent
    entries = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                entries.append(f"{folder}/{name}\0{info.st_size}\0{info.st_mtime_ns}")
    return f"{fieldkit.__version__} {root} {_checksum(entries)}"


def reference_stamp() -> str:
    """Which reference tables `fieldkit ocr` would load (fieldkit.reference.plain.plain_reference):
    the shipped and user folders, and each table file's size and modification time."""
    from fieldkit.locations import shipped_reference_dir, user_reference_dir

    entries = []
    for folder in (shipped_reference_dir(), user_reference_dir()):
        if folder is None:
            continue
        entries.append(str(folder.resolve()))
        for name in TABLE_FILE_NAMES:
            try:
                info = os.stat(folder / name)
            except OSError:
                continue
            entries.append(f"{name}\0{info.st_size}\0{info.st_mtime_ns}")
    return _checksum(entries)


def _checksum(entries: list[str]) -> str:
    import zlib  # not hashlib: its OpenSSL costs more to load than this whole check

    text = "\n".join(sorted(entries)).encode("utf-8", "surrogateescape")
    return f"{len(entries)}-{zlib.crc32(text):08x}-{zlib.adler32(text):08x}"


def packages_stamp() -> str:
    """Which packages are installed (each site-packages folder's *.dist-info names, which carry the
    versions): an upgrade of onnxruntime, rapidocr or tesserocr is another installation, since the
    engine keeps the old one loaded."""
    entries = []
    for folder in sys.path:
        if os.path.basename(folder) not in ("site-packages", "dist-packages"):
            continue
        try:
            entries += [f"{folder}/{name}" for name in os.listdir(folder) if name.endswith(".dist-info")]
        except OSError:
            continue
    return _checksum(entries)


def _which(command: str) -> str | None:
    """shutil.which without shutil (and what it imports)."""
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        path = os.path.join(folder or ".", command)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def identity() -> dict[str, Any]:
    """What an engine must share with the client to read for it: fieldkit's code, the reference
    tables, the Python installation (its packages and their versions: onnxruntime, tesserocr...),
    the tesseract command and the OCR settings of the environment."""
    return {
        "code": code_stamp(),
        "reference": reference_stamp(),
        "python": f"{sys.prefix} {packages_stamp()}",
        "tesseract": _which("tesseract"),
        "settings": {name: os.environ.get(name) for name in SETTINGS},
    }


def differences(mine: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    names = {"code": "fieldkit code", "reference": "reference tables", "python": "Python installation",
             "tesseract": "tesseract command", "settings": "OCR settings (" + ", ".join(SETTINGS) + ")"}
    return [names[k] for k in names if mine.get(k) != theirs.get(k)]


# ---------------------------------------------------------------- messages


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    sock.sendall(json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n")


def receive(stream, limit: int) -> dict[str, Any]:
    """One message (a JSON object on one line) from ``stream`` (the socket's ``makefile("rb")``);
    ValueError when it is longer than ``limit`` bytes or not one, ConnectionError when the other
    end closed first."""
    data = stream.readline(limit + 1)
    if not data.endswith(b"\n"):
        if len(data) > limit:
            raise ValueError(f"message longer than {limit} bytes")
        raise ConnectionError("the other end closed the connection")
    message = json.loads(data)
    if not isinstance(message, dict):
        raise ValueError("not a JSON object")
    return message


def connect(path: Path, timeout: float) -> tuple[socket.socket, int] | None:
    """A connection to the engine at ``path`` and its pid; None when none listens there (a socket
    left by an engine that is gone is removed). Raises :class:`Unsafe` when the socket file or the
    process listening is not this user's."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid():
        raise Unsafe(f"{path} is not a socket of this user; remove it")
    if not hasattr(socket, "SO_PEERCRED"):
        raise Unsafe("this system cannot tell who listens on a socket (no SO_PEERCRED)")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(os.fspath(path))
    except (ConnectionRefusedError, FileNotFoundError):
        sock.close()
        remove_stale(path, info)
        return None
    except OSError:
        sock.close()
        raise
    pid, uid = peer(sock)
    if uid != os.getuid():
        sock.close()
        raise Unsafe(f"{path} is served by another user's process (uid {uid}); remove it")
    return sock, pid


def remove_stale(path: Path, seen: os.stat_result) -> None:
    """Remove the socket file an engine left behind (no process listens), if it is still that file."""
    try:
        now = os.lstat(path)
        if (now.st_dev, now.st_ino) == (seen.st_dev, seen.st_ino) and stat.S_ISSOCK(now.st_mode):
            os.unlink(path)
    except OSError:
        pass


def ask(op: str, timeout: float = ANSWER_TIMEOUT) -> dict[str, Any] | None:
    """Send a plain request ("status" or "stop") to the running engine; its answer, or None when none runs."""
    found = connect(socket_path(), timeout)
    if found is None:
        return None
    sock, pid = found
    with sock:
        send(sock, {"op": op})
        with sock.makefile("rb") as stream:
            return receive(stream, MAX_REQUEST) | {"pid": pid}


def file_id(path: str) -> list[int] | None:
    """The device and inode ``path`` names (symlinks followed), None when it names none. /dev/stdin,
    /dev/fd/N or /proc/self/... name a process's own open files: another file in the engine process."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return [info.st_dev, info.st_ino]


def note(message: str) -> None:
    from fieldkit.safe_text import visible

    sys.stderr.write(f"note: {visible(message, multiline=False)}\n")


def read(*, files: list[str], crops: list[str], languages: str, ring: str | None, engine: str,
         psm: int | None, as_json: bool) -> tuple[int, str, str] | None:
    """Have the running engine read image files as `fieldkit ocr FILE...` would: (exit code, stdout,
    stderr) of that command run there; None when it is to be read in this process (no engine, or
    one that differs, is busy or does not answer in time: a one-line note on stderr says which)."""
    if SERVING or os.environ.get(ENV, "").strip().lower() == "off":
        return None
    try:
        found = connect(socket_path(), ANSWER_TIMEOUT)
    except FileNotFoundError:  # no runtime folder: no engine was ever started
        return None
    except (Unsafe, OSError) as exc:
        note(f"the OCR engine process is not used: {exc}")
        return None
    if found is None:
        return None
    sock, pid = found
    try:
        cwd = os.getcwd()
    except OSError:  # this process's folder was removed: a file given by its full path is read here
        sock.close()
        return None
    ids = [file_id(f) for f in files]  # the engine reads only when each name is the same file there
    request = {"op": "read", "identity": identity(), "cwd": cwd, "files": files, "ids": ids, "crops": crops,
               "languages": languages, "ring": ring, "engine": engine, "psm": psm, "json": as_json}
    with sock, sock.makefile("rb") as stream:
        try:
            send(sock, request)
            answer = receive(stream, MAX_REQUEST)
            if not answer.get("accepted"):
                note(f"the OCR engine process (pid {pid}) did not read this: {answer.get('why', 'no reason given')};"
                     " read in this process")
                return None
            sock.settimeout(READ_TIMEOUT)
            done = receive(stream, MAX_REPLY)
            code, out, err = done["exit"], done["stdout"], done["stderr"]
            if not (isinstance(code, int) and isinstance(out, str) and isinstance(err, str)):
                raise ValueError("a malformed reply")
            return code, out, err
        except TimeoutError:
            note(f"the OCR engine process (pid {pid}) did not answer in time; read in this process")
        except (OSError, ValueError, KeyError) as exc:
            note(f"the OCR engine process (pid {pid}) failed ({exc}); read in this process")
    return None
