"""Connections to a catalog file, with nothing but the standard library: `connect`, and
`connect_reader` for a process that only reads. Kept apart from fieldkit.catalog.db (which loads
sqlite-utils and the migrations) so that a process that only reads a catalog, such as the export's
second process (fieldkit.export.part), starts in a few milliseconds."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from fieldkit.errors import CatalogError

BUSY_TIMEOUT_MS = 5000
# Descriptors this process has read catalog headers through, by (device, inode), kept open for the
# process's life: see `_read_header`.
_HEADER_FDS: dict[tuple[int, int], int] = {}


def _read_header(path: Path) -> bytes:
    """The first 100 bytes of the file at `path` (SQLite's database header).

    POSIX locks belong to a process and a file, not to a descriptor: closing any descriptor on a
    catalog drops every lock this process holds on it, SQLite's included (see `connect_reader`).
    So the descriptor a header is read through is never closed: one per file, reused, as SQLite's
    own unix VFS does. (Reading through SQLite with `immutable=1` is no answer: an immutable reader
    of a file another process is writing can read a torn page and call the catalog malformed.)
    """
    st = os.stat(path)
    key = (st.st_dev, st.st_ino)
    fd = _HEADER_FDS.get(key)
    if fd is None:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        _HEADER_FDS[key] = fd
    return os.pread(fd, 100, 0)


def connect(path: Path | str, *, uri: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, uri=uri)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def writable(path: Path) -> bool:
    """Whether both the catalog file and its folder can be written (a read-only mount fails both)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def in_wal_mode(conn: sqlite3.Connection) -> bool:
    """Whether an open connection reads its catalog in WAL mode (what `connect_reader` asks of a caller)."""
    return conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _journal_is_wal(path: Path) -> bool:
    """Whether the catalog at `path` is in WAL mode, without opening it in SQLite: a -wal file beside
    it says so (SQLite opens a database with a -wal file in WAL mode); else the header does (bytes
    18-19 are 2), read through `_read_header`, which drops no lock."""
    if path.with_name(path.name + "-wal").exists():
        return True
    return _read_header(path)[18:20] == b"\x02\x02"


def connect_reader(path: Path, *, wal: bool | None = None) -> sqlite3.Connection:
    """A connection that can only read the catalog file at `path`, chosen as `open_read_only` says.

    A caller that holds a connection to the catalog passes `wal=in_wal_mode(its connection)`.
    POSIX locks belong to a process and a file, not to a descriptor: closing any descriptor on the
    catalog drops every lock this process holds on it, SQLite's included. A WAL connection holds a
    shared lock on the file for as long as it is open, and the last connection to close (the one
    that can take the exclusive lock) checkpoints and deletes the -wal and -shm; so with its locks
    gone, another process closing a connection would delete the -wal and -shm under this one
    ("disk I/O error", and writes made after it lost). fieldkit therefore never opens and closes a
    catalog file with Python in a process that may hold a connection to it.
    """
    if wal is None:
        wal = _journal_is_wal(path)
    if not writable(path):
        if wal and path.with_name(path.name + "-wal").exists():
            raise CatalogError(
                f"the catalog {path} is read-only and its {path.name}-wal file still holds changes; "
                "copy the catalog with its -wal file somewhere writable, then open the copy"
            )
        return connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
    if wal:
        conn = connect(path)
        conn.execute("PRAGMA query_only = ON")
        return conn
    return connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
