"""A terminal that goes away (its tmux window killed, its ssh session dropped) sends the app SIGHUP:
the app exits as on ctrl+q and closes the catalog, so no -wal or -shm file is left beside it. On
ctrl+q too the catalog is closed by the app, not left to the collector (fieldkit.tui.gc_pause
freezes the app's start-up objects, the catalog among them, out of every later collection)."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "catalog.db.example"

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this system")


def read_until(fd: int, mark: bytes, limit: float = 60.0) -> bytes:
    """What the app writes to its terminal, up to `mark` (a wait, not a timing: `limit` only stops a hung app)."""
    seen = b""
    deadline = time.monotonic() + limit
    while mark not in seen:
        assert time.monotonic() < deadline, f"{mark!r} never shown; the app wrote: {seen[-500:]!r}"
        if select.select([fd], [], [], 0.5)[0]:
            seen += os.read(fd, 65536)
    return seen


@pytest.mark.parametrize("how", ["SIGHUP", "ctrl+q"])
def test_the_app_exits_and_closes_the_catalog(tmp_path, how):
    db = tmp_path / "catalog.db"
    shutil.copyfile(EXAMPLE, db)
    main, terminal = pty.openpty()
    env = {**os.environ, "FIELDKIT_DATA_DIR": str(tmp_path / "data"), "TERM": "xterm-256color",
           "COLUMNS": "120", "LINES": "40"}
    app = subprocess.Popen([sys.executable, "-m", "fieldkit", "--db", str(db)], stdin=terminal, stdout=terminal,
                           stderr=terminal, env=env, close_fds=True)
    os.close(terminal)
    try:
        read_until(main, b"EX-0002")  # the first page is on screen: the catalog is open
        assert db.with_name("catalog.db-wal").exists()
        if how == "SIGHUP":
            app.send_signal(signal.SIGHUP)
        else:
            os.write(main, b"\x11")
        while app.poll() is None:  # drain the terminal while the app restores it and exits
            if select.select([main], [], [], 0.5)[0]:
                try:
                    os.read(main, 65536)
                except OSError:
                    break
        assert app.wait(timeout=60) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        os.close(main)
    assert not db.with_name("catalog.db-wal").exists() and not db.with_name("catalog.db-shm").exists()
