"""Opening a catalog: checks, connection settings, migrations, and the write transaction.

`open_catalog` refuses a file that is not a fieldkit catalog without touching it, applies pending
migrations to an older catalog, and refuses one made by a newer fieldkit. Every write goes through
`Catalog.transaction()`, which takes the write lock up front (BEGIN IMMEDIATE) so that the audit
chain stays a chain when two processes write at once, and after the commit appends the new audit
head to the witness log outside the file (fieldkit.catalog.witness).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import getpass
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlite_utils import Database

from fieldkit.catalog import witness
from fieldkit.catalog.migrations import known_names, migrations
from fieldkit.errors import CatalogError
from fieldkit.locations import photo_store_path
from fieldkit.paths import expand_user

SQLITE_HEADER = b"SQLite format 3\x00"
MIN_PAGE_SIZE = 512  # the smallest page, so the smallest database file
BUSY_TIMEOUT_MS = 5000
LOCK_RETRIES = 3


def _real_clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# Where `now` and the new ids come from: the real clock and os.urandom, except inside `reproducible`.
_clock: Callable[[], dt.datetime] = _real_clock
_seeded_bytes: Callable[[int], bytes] | None = None


def _random_bytes(n: int) -> bytes:
    return _seeded_bytes(n) if _seeded_bytes else os.urandom(n)


def now() -> str:
    """The current UTC time as ISO 8601 with microseconds, the catalog's timestamp format."""
    return _clock().isoformat(timespec="microseconds")


@contextlib.contextmanager
def reproducible(start: dt.datetime, seed: str) -> Iterator[None]:
    """Inside the block, `now` counts one millisecond a call from `start`, and new ids (`new_id`,
    `new_ids`) come from a generator seeded with `seed`: the same steps write the same rows. Only for
    seeds/build_example.py, so that catalog.db.example rebuilds alike; never for real work, whose ids
    must be random for catalogs from several laptops to merge."""
    global _clock, _seeded_bytes
    import itertools
    import random

    ticks = itertools.count()
    _clock = lambda: start + dt.timedelta(milliseconds=next(ticks))  # noqa: E731
    _seeded_bytes = random.Random(seed).randbytes
    try:
        yield
    finally:
        _clock, _seeded_bytes = _real_clock, None


def new_id() -> str:
    """A new primary key: a random UUID, so catalogs from several laptops merge without collisions.

    Random (UUIDv4), not time-ordered (UUIDv7): lists show the first 8 characters and commands
    take a unique prefix, and UUIDv7s made within a minute share those 8. (Time-ordered keys
    saved about a tenth of a 100,000-row import's insert time once the import got a larger page
    cache; bench/RESULTS.md.)
    """
    return str(uuid.UUID(bytes=_random_bytes(16), version=4))  # as uuid.uuid4(), from os.urandom


# An id's 36 characters, each taken from a position of the 32 hex digits of its 16 random bytes, or
# fixed: the hyphens, the version digit 4, and the variant digit (8, 9, a or b: bits 10 and the two
# low bits of the digit it replaces), as uuid.UUID(bytes=..., version=4) sets them. A space ends an id.
_ID_LAYOUT = (*range(0, 8), "-", *range(8, 12), "-", "4", *range(13, 16), "-", "variant", *range(17, 20), "-",
              *range(20, 32), " ")
_VARIANT_DIGITS = bytes.maketrans(b"0123456789abcdef", b"89ab89ab89ab89ab")


def new_ids(n: int) -> list[str]:
    """`n` new primary keys in `new_id`'s format (random UUIDv4, as `str(uuid.uuid4())` writes them),
    from one `os.urandom` call, written all at once: each character position of the ids is one
    strided copy (`_ID_LAYOUT`), so 100,000 ids cost about a twentieth of 100,000 `uuid.uuid4()`
    calls. The version digit is 4 and the variant bits 10."""
    digits = _random_bytes(16 * n).hex().encode("ascii")
    text = bytearray(len(_ID_LAYOUT) * n)
    for at, source in enumerate(_ID_LAYOUT):
        if isinstance(source, int):
            text[at::len(_ID_LAYOUT)] = digits[source::32]
        elif source == "variant":
            text[at::len(_ID_LAYOUT)] = digits[16::32].translate(_VARIANT_DIGITS)
        else:
            text[at::len(_ID_LAYOUT)] = source.encode("ascii") * n
    return text.decode("ascii").split()


def id_stream(batch: int = 5000) -> Iterator[str]:
    """New primary keys without end, made `batch` at a time (`new_ids`)."""
    while True:
        yield from new_ids(batch)


def default_actor() -> str:
    """Who is making changes: `$USER`, or the login name."""
    try:
        return os.environ.get("USER") or getpass.getuser()
    except Exception:  # getpass raises various errors when there is no login name
        return "unknown"


class Catalog:
    """An open catalog: the sqlite-utils Database, where it lives, and who is writing."""

    def __init__(self, db: Database, path: Path | None, actor: str, *, read_only: bool = False):
        self.db = db
        self.path = path
        self.actor = actor
        self.read_only = read_only  # opened by open_read_only: every write is refused
        # The TUI's worker threads share this connection: one thread writes at a time, and only
        # the thread that holds the transaction may join it (nested calls), never another thread.
        self._write_lock = threading.RLock()
        self._depth = 0
        self._witnessed: tuple[int, str] | None = None  # the head last appended to the witness log

    @property
    def photo_store(self) -> Path:
        if self.path is None:
            raise CatalogError("an in-memory catalog has no photo store; open a catalog file")
        return photo_store_path(self.path)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction, all or nothing, holding the write lock from the start.

        A nested call in the same thread joins the outer transaction; another thread waits.
        """
        with self._write_lock:
            self._depth += 1
            try:
                if self._depth > 1:  # nested: join the outer transaction
                    yield self.db
                else:
                    with self._outermost() as db:
                        yield db
            finally:
                self._depth -= 1

    @contextlib.contextmanager
    def _outermost(self) -> Iterator[Database]:
        conn = self.db.conn
        for attempt in range(LOCK_RETRIES):
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise translate_error(exc, self.path) from None
                if attempt == LOCK_RETRIES - 1:
                    raise CatalogError(
                        f"the catalog {self.path} is locked by another program; "
                        "close the other fieldkit window or wait, then try again"
                    ) from None
                time.sleep(0.2 * (attempt + 1))
        try:
            yield self.db
            head = witness.current_head(self.db)
        except sqlite3.Error as exc:  # a full disk, an I/O error...: one line, nothing saved
            if conn.in_transaction:
                conn.rollback()
            raise translate_error(exc, self.path) from None
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
        try:
            conn.commit()
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.rollback()
            raise translate_error(exc, self.path) from None
        if head != self._witnessed:
            self.witness()

    def witness(self) -> None:
        """Append the catalog's audit head to the witness log (after a commit, or on creation)."""
        if self.path is None:
            return
        try:
            record = witness.head_record(self)
        except sqlite3.Error:  # catalog_meta edited behind fieldkit's back: verify says so
            return
        if witness.append(self, record):
            self._witnessed = (record["seq"], record["head"])

    def close(self) -> None:
        self.db.conn.close()


def refuse_inside_store(catalog: Catalog, destination: Path, what: str) -> None:
    """Refuse to write `what` (an export, a backup) into the catalog's photo store, which holds originals only."""
    if catalog.path is None:
        return
    store = catalog.photo_store.resolve()
    target = expand_user(destination).resolve()
    if target == store or store in target.parents:
        raise CatalogError(f"{destination} is inside the photo store {store}, which holds only photo originals; "
                           f"choose a folder outside it for {what}")


def is_catalog_file(catalog: Catalog, path: Path | str) -> bool:
    """Whether `path` names the open catalog's file, or its -wal or -shm, under any name (a symbolic
    or hard link included). Such a file must not be read with Python while the catalog is open: see
    `connect_reader` on what closing a descriptor on it does."""
    if catalog.path is None:
        return False
    try:
        given = os.stat(path)
    except (OSError, ValueError):
        return False
    for suffix in ("", "-wal", "-shm"):
        try:
            own = os.stat(f"{catalog.path}{suffix}")
        except OSError:
            continue
        if (given.st_dev, given.st_ino) == (own.st_dev, own.st_ino):
            return True
    return False


def translate_error(exc: BaseException, path: Path | None) -> CatalogError:
    """Turn a low-level SQLite or OS error into one line a researcher can act on."""
    text = str(exc)
    if "Could not decode to UTF-8" in text:  # sqlite3's words for a TEXT cell holding other bytes
        column = text.split("column ", 1)[-1].split(" with text", 1)[0] if "column " in text else "a column"
        return CatalogError(f"the catalog {path} holds text that is not UTF-8 (in {column}), written by another "
                            "program; run `fieldkit verify` to find every such cell, and restore from a backup")
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in text or (
            "disk I/O error" in text and _nearly_full(path)):
        return CatalogError(f"the disk holding {path} is full; free some space, then try again (nothing was saved)")
    if "readonly" in text or "read-only" in text or ("unable to open" in text and _read_only(path)):
        return CatalogError(f"the catalog {path} is read-only; copy it somewhere writable or fix its permissions")
    if "locked" in text or "busy" in text:
        return CatalogError(f"the catalog {path} is locked by another program; close it or wait, then try again")
    if "not a database" in text or "malformed" in text:
        return CatalogError(f"{path} is not a readable fieldkit catalog (SQLite says: {text}); check the path")
    return CatalogError(f"the catalog {path} could not be used: {text}")


def _nearly_full(path: Path | None) -> bool:
    """Whether the disk holding the catalog has (almost) no free space left."""
    try:
        return path is not None and shutil.disk_usage(path.parent).free < 1 << 20
    except OSError:
        return False


def _read_only(path: Path | None) -> bool:
    """Whether the catalog file or its folder cannot be written (a read-only mount, or permissions)."""
    if path is None:
        return False
    return any(p.exists() and not os.access(p, os.W_OK) for p in (path, path.parent))


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


def _check_file(path: Path) -> None:
    """Refuse, without writing a byte, a path that is not a SQLite database. The header is read
    through `_read_header`, whose descriptor is never closed, so no lock of this process's own
    connections to `path` is dropped."""
    if path.is_dir():
        raise CatalogError(f"{path} is a directory; give the path of a catalog file")
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        header = _read_header(path)
    except OSError as exc:
        raise CatalogError(f"cannot read {path}: {exc.strerror}; check its permissions") from None
    if not header.startswith(SQLITE_HEADER) or path.stat().st_size < MIN_PAGE_SIZE:
        raise CatalogError(f"{path} is not a SQLite database (it may be corrupt or another kind of file); check the path")


def database(conn: sqlite3.Connection) -> Database:
    """sqlite-utils over `conn`, without sqlite-utils plugins: no third-party code runs on an
    evidence catalog's connection, and finding plugins (a scan of every installed package's
    metadata) is not paid at every start."""
    return Database(conn, execute_plugins=False)


def connect(path: Path | str, *, uri: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, uri=uri)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def open_catalog(path: Path | str | None, *, actor: str | None = None, create: bool = True,
                 read_only: bool = False, on_upgrade: Callable[[Path, list[str]], None] | None = None) -> Catalog:
    """Open (and if need be create and migrate) the catalog at `path`; `None` is in-memory, for tests.

    `read_only` is for commands that only read: see `open_read_only`. `on_upgrade(path, names)` is
    called before an existing catalog's pending schema steps are applied (a large catalog's upgrade
    can take many seconds, and the caller says so); never for a catalog created now.
    """
    actor = actor or default_actor()
    if read_only and path is not None:
        return open_read_only(path, actor=actor)
    if path is None:
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        catalog = Catalog(database(conn), None, actor)
        migrations.apply(catalog.db)
        return catalog
    path = expand_user(path)
    _check_file(path)
    if path.exists() and not writable(path):  # SQLite would fall back to reading and leave -wal/-shm behind
        raise CatalogError(f"the catalog {path} is read-only; copy it somewhere writable or fix its permissions")
    new = not path.exists() or path.stat().st_size == 0
    if not path.exists():
        if not create:
            raise CatalogError(f"no catalog at {path}; create one with `fieldkit --db {path} init`")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogError(f"cannot create the folder for {path}: {exc.strerror}") from None
    with _opening(path, lambda: connect(path)) as db:
        tables = set(db.table_names())
        if tables and "_sqlite_migrations" not in tables:
            raise CatalogError(f"{path} is a SQLite database but not a fieldkit catalog; check the path")
        _refuse_newer(db, path)
        if db.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.conn.execute("PRAGMA journal_mode = WAL")
        db.conn.execute("PRAGMA synchronous = FULL")
        pending = migrations.pending(db)
        if pending:
            if on_upgrade is not None and tables:
                on_upgrade(path, [m.name for m in pending])
            migrations.apply(db)
    catalog = Catalog(db, path, actor)
    if new:  # the witness knows from the start which catalog lives at this path
        catalog.witness()
    return catalog


def upgrade_notice(path: Path, names: list[str]) -> str:
    """The line said before an existing catalog is upgraded (see `open_catalog`'s `on_upgrade`)."""
    steps = f"{len(names)} schema steps, {names[0]} to {names[-1]}" if len(names) > 1 else f"schema step {names[0]}"
    return f"fieldkit: upgrading {path} ({steps}); a large catalog can take a minute"


def print_upgrade_notice(path: Path, names: list[str]) -> None:
    """`on_upgrade` for the command line and the app's start: the notice on standard error."""
    import sys

    from fieldkit.safe_text import visible

    if sys.stderr is None:  # standard error closed (2>&-): print would fall back to standard output
        return
    try:
        print(visible(upgrade_notice(path, names)), file=sys.stderr, flush=True)
    except (OSError, ValueError):  # no standard error to write to (closed, a broken pipe): upgrade all the same
        pass


@contextlib.contextmanager
def _opening(path: Path, make_connection) -> Iterator[Database]:
    """The checks that follow connecting: on any failure the connection is closed and the error is one line."""
    conn = None
    try:
        conn = make_connection()
        yield database(conn)
    except CatalogError:
        if conn is not None:
            conn.close()
        raise
    except (sqlite3.Error, OSError) as exc:
        if conn is not None:
            conn.close()
        raise translate_error(exc, path) from None


def _refuse_newer(db: Database, path: Path) -> None:
    if "_sqlite_migrations" not in db.table_names():
        return
    applied = [m.name for m in migrations.applied(db)]
    unknown = [name for name in applied if name not in known_names()]
    if unknown:
        raise CatalogError(
            f"{path} was made by a newer fieldkit (schema step {unknown[-1]}); upgrade fieldkit to open it"
        )


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


def open_read_only(path: Path | str, *, actor: str | None = None) -> Catalog:
    """Open an existing catalog for a command that only reads it, never writing a byte beside or into it.

    - A catalog in rollback-journal mode (a backup, an export) is opened `mode=ro`: SQLite reads it
      as it is, creates no -wal/-shm and never switches its journal mode, so a backup keeps matching
      its SHA256SUMS.
    - A file that cannot be written (read-only media, a write-protected file) cannot change while it
      is read, so it is opened `immutable=1`: no lock files, no -wal/-shm.
    - A live catalog in WAL mode is opened as the writer opens it but with `query_only`: SQLite
      needs its -wal/-shm to read safely beside a writer, and removes them when the last
      connection closes (a `mode=ro` reader would create them and leave them behind).
    A missing or empty file is no catalog (a mistyped --db must not create one), and a catalog
    that needs an upgrade is refused in one line rather than upgraded.
    """
    path = expand_user(path)
    _check_file(path)
    if not path.exists() or path.stat().st_size == 0:
        what = "the file is empty" if path.exists() else "no such file"
        raise CatalogError(f"no catalog at {path} ({what}); check --db or FIELDKIT_DB, or create one with "
                           f"`fieldkit --db {path} init`")
    with _opening(path, lambda: connect_reader(path)) as db:
        if "_sqlite_migrations" not in set(db.table_names()):
            raise CatalogError(f"{path} is a SQLite database but not a fieldkit catalog; check the path")
        _refuse_newer(db, path)
        pending = migrations.pending(db)
        if pending:
            raise CatalogError(
                f"the catalog {path} was made by an older fieldkit and needs an upgrade (schema step "
                f"{pending[0].name}) before it can be read; run `fieldkit --db {path} init` on it, or on a copy"
            )
    return Catalog(db, path, actor or default_actor(), read_only=True)
