"""Tesseract in this process, through tesserocr: the same engine as the `tesseract` command,
without a process (and a model load) per run.

Why (issue 18 time per line, 17.7 OCR start): a tesseract process spends about 0.1 s starting and
loading eng+kor+rus before it reads a small crop in 0.01-0.02 s, and fieldkit ran about 2.3 of
them per line. Here one tesseract API object per (languages, page-segmentation mode) is created
when first needed, in the process that reads, and reused for every later line; objects are kept
in a pool, so threads reading at the same time each have their own (an object is not thread-safe).

Same readings as the command: tesserocr must be built from source against the system's
libtesseract (`make deps` does, with `pip install --no-binary tesserocr`), so the library is the
one the `tesseract` command runs. PyPI's binary wheel bundles another tesseract whose readings
differ; :func:`unavailable_reason` refuses a build whose library version is not the command's
when the command is there to ask. Each image is read from the same PNG file the command would be
given (leptonica's reader), with the same page-segmentation mode, engine mode and ``-c``
variables, and the TSV and text come from tesseract's own TSV and text output (GetTSVText,
GetUTF8Text). tests/test_ocr_inprocess.py and bench/ocr_real.py compare the two paths.

Tesserocr is optional (the ``inprocess`` extra): without it, or with ``FIELDKIT_TESSERACT=process``,
fieldkit.ocr.engine runs the command as before.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # read by libgomp when libtesseract loads, below

import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "FIELDKIT_TESSERACT"  # "process": always run the tesseract command
# the header of the command's TSV output (GetTSVText gives the rows only)
TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
INSTALL = "make deps (or: pip install --no-binary tesserocr tesserocr==2.13.0, with libtesseract-dev)"

_lock = threading.Lock()
_state: dict[str, object] = {}  # "module": tesserocr once imported; "missing": why it cannot be used
_idle: dict[tuple[str, int, int, tuple[tuple[str, str], ...]], list] = {}  # API objects not in use


def unavailable_reason() -> str | None:
    """Why tesseract cannot run in this process (None when it can): FIELDKIT_TESSERACT=process,
    tesserocr not installed, or built against another tesseract than the command's. Found once."""
    if os.environ.get(ENV, "").strip().lower() == "process":
        return f"{ENV}=process"
    with _lock:
        if "module" not in _state and "missing" not in _state:
            _state.update(_load())
        return _state.get("missing")  # type: ignore[return-value]


def _load() -> dict[str, object]:
    asked = _ask_command_version()  # the command answers while tesserocr (and libtesseract) loads
    try:
        import tesserocr
    except ImportError as exc:
        _command_version(asked)  # waited for: no process outlives the check
        return {"missing": f"tesserocr is not installed ({exc}); install it with {INSTALL}"}
    library = _version_of(tesserocr.tesseract_version())
    command = _command_version(asked)
    if command is not None and command != library:
        return {"missing": f"tesserocr is built with tesseract {library}, the tesseract command is {command}:"
                           f" readings would differ; rebuild it against the system's library with {INSTALL}"}
    return {"module": tesserocr}


def _version_of(banner: str) -> str:
    """'5.3.0' from 'tesseract 5.3.0\\n leptonica-1.82.0 ...' (or tesseract's own '--version')."""
    first = banner.strip().splitlines()[0] if banner.strip() else ""
    return first.split()[-1] if first else ""


def _ask_command_version() -> subprocess.Popen | None:
    """`tesseract --version` started (it loads no model), or None without the command."""
    found = shutil.which("tesseract")
    if found is None:
        return None
    try:
        return subprocess.Popen([found, "--version"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    except OSError:
        return None


def _command_version(asked: subprocess.Popen | None = None) -> str | None:
    """The `tesseract` command's version (a few milliseconds: it loads no model), None without it;
    from ``asked`` (:func:`_ask_command_version`) when the command was started earlier."""
    asked = asked if asked is not None else _ask_command_version()
    if asked is None:
        return None
    try:
        out, err = asked.communicate(timeout=30)
    except subprocess.SubprocessError:
        asked.kill()
        asked.communicate()
        return None
    return _version_of(out or err) or None


def _tesserocr():
    if unavailable_reason() is not None:
        raise RuntimeError(f"tesseract cannot run in this process: {unavailable_reason()}")
    return _state["module"]


def version() -> str:
    """The version of the tesseract library in use, e.g. '5.3.0'."""
    return _version_of(_tesserocr().tesseract_version())


def languages() -> set[str]:
    """The languages in the library's data folder."""
    return set(_tesserocr().get_languages()[1])


@contextmanager
def engine(languages: str, psm: int, oem: int, variables: dict[str, str],
           cancel: threading.Event | None = None) -> Iterator[object | None]:
    """A tesseract API object for ``languages`` and ``psm``, borrowed from the pool (created, and
    its models loaded, the first time) and given back afterwards. None when ``cancel`` is set while
    :func:`preload` is still loading the models: the reading is stopped without waiting for the load,
    which goes on in its own thread (a line PP-OCR reads alone ends before tesseract has loaded)."""
    key = (languages, psm, oem, tuple(sorted(variables.items())))
    with _lock:
        loading = _loading.get(key)
    if loading is not None:  # being created by preload(): waited for rather than loaded twice
        while not loading.wait(CANCEL_POLL if cancel is not None else None):
            if cancel.is_set():  # type: ignore[union-attr]
                yield None
                return
    with _lock:
        api = _idle.get(key, []).pop() if _idle.get(key) else None
    if api is None:
        api = _create(languages, psm, oem, variables)
    try:
        yield api
    finally:
        with _lock:
            _idle.setdefault(key, []).append(api)


def preload(languages: str, psm: int, oem: int, variables: dict[str, str]) -> None:
    """Start creating the API object :func:`engine` will lend for these settings, in a thread, so
    that tesseract loads its models (without holding Python's lock) while the caller goes on
    (issue 17.7). Nothing is done when one exists or is being made, or when tesseract cannot run
    in this process; an error is left for :func:`engine` to raise."""
    key = (languages, psm, oem, tuple(sorted(variables.items())))
    with _lock:
        if key in _loading or _idle.get(key):
            return
        _loading[key] = threading.Event()

    def load() -> None:
        try:
            if unavailable_reason() is None:
                api = _create(languages, psm, oem, variables)
                with _lock:
                    _idle.setdefault(key, []).append(api)
        except Exception:  # noqa: BLE001 - engine() tries again and reports it
            pass
        finally:
            with _lock:
                _loading.pop(key).set()

    # not a daemon: the interpreter waits for it at exit, so no model is half loaded while it ends
    threading.Thread(target=load, name="fieldkit-tesseract-load").start()


_loading: dict[tuple[str, int, int, tuple[tuple[str, str], ...]], threading.Event] = {}  # preload() at work
CANCEL_POLL = 0.005  # seconds between looks at a reading's cancel event while preload() loads its models


def _create(languages: str, psm: int, oem: int, variables: dict[str, str]):
    tesserocr = _tesserocr()
    try:
        api = tesserocr.PyTessBaseAPI(lang=languages, psm=psm, oem=oem)
    except RuntimeError as exc:
        raise RuntimeError(f"tesseract could not load {languages}: {exc}") from None
    api.SetVariable("debug_file", "/dev/null")  # the command's notes on stderr ("Estimating resolution ...")
    for name, value in variables.items():
        if not api.SetVariable(name, value):
            raise RuntimeError(f"tesseract has no variable {name}")
    return api


def read(api, path: str, timeout: float) -> tuple[str, str]:
    """Read one image file: (TSV with its header, as the command writes it; the text output)."""
    api.SetImageFile(path)  # RuntimeError when leptonica cannot read it
    if not api.Recognize(int(timeout * 1000)):
        raise RuntimeError(f"tesseract took longer than {timeout:g} s and was stopped")
    tsv = api.GetTSVText(0)
    text = api.GetUTF8Text()
    return TSV_HEADER + tsv, text


def clear() -> None:
    """Drop every idle API object (their models are freed); for tests."""
    with _lock:
        for apis in _idle.values():
            for api in apis:
                api.End()
        _idle.clear()
