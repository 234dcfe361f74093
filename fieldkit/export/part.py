"""The second process of a CSV export: `python -m fieldkit.export.part WORK`, WORK being JSON (below).

`export_catalog` (fieldkit.export.csv) starts it when components.csv is long, so that the file is
made on two cores: this process makes the lines of the components from a given rowid on, while the
first makes the lines before it. It writes them into a file that has no name (the first process
opened it in the export's folder and passes its descriptor), so a process stopped at any moment
leaves nothing behind; the first process copies those bytes after its own, then fsyncs the whole
file and renames it into place (atomic_file), as when it writes the file alone.

It reads in a read transaction of its own, and writes only if that transaction sees the catalog at
the audit head the first process is exporting (every change to a catalog adds an audit row in the
same transaction, so the same newest audit row is the same catalog); otherwise it exits with
MOVED, writes nothing, and the first process makes the rest itself.

It loads only the standard library and fieldkit's light modules (no sqlite-utils, no migrations),
so it starts in a few hundredths of a second; unless it must write `--full`'s date readings, it is
started without the site module (`-S`), which in an editable install of fieldkit costs more than
all the rest of its start. The module also holds what both processes write with (`write_blocks`).

The JSON: {"catalog": path; "wal": whether the first process reads it in WAL mode; "head": the
newest audit row as [seq, hash] (or [] if none) in the first process's read transaction; "sql":
the SELECT of the chunks (fieldkit.export.csv.chunked_select); "fd": the descriptor to write to;
"name" (the table) and "outdir", for messages}. Prints the number of lines written on success; on
failure, one line on stderr and exit status 1.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

MOVED = 3  # exit status: the catalog changed since the first process began; nothing written
NEWEST_AUDIT_ROW = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"  # the head (fieldkit.catalog.audit.head)
WRITE_BUFFER = 1 << 20
WRITEBACK = 8 << 20  # bytes written between two requests to start writing them to disk


def not_utf8(name: str) -> str:
    """The line that stops an export whose table `name` holds text that is not UTF-8."""
    return (f"cannot export {name}.csv: a text cell of the {name} table is not valid UTF-8, so another "
            "program wrote it; correct that row with a SQLite tool, then export again")


def write_blocks(fh: BinaryIO, blocks: Iterable[tuple[bytes, int]], written: int = 0,
                 writeback: bool = True) -> tuple[int, int]:
    """Write blocks of finished CSV lines to `fh`, which holds `written` bytes: each block is (its
    lines as UTF-8 bytes joined by CRLF, without the last CRLF; how many lines). Returns the lines
    and the bytes written in all. A line that is not valid UTF-8 (a text cell another program wrote)
    raises UnicodeDecodeError. With `writeback`, every WRITEBACK bytes the kernel is asked to start
    writing what is written so far, so the fsync at the end waits for the last part only."""
    count = 0
    flushed = written
    for data, lines in blocks:
        if not data.isascii():
            data.decode("utf-8")  # the check SQLite does not make; ASCII is valid UTF-8 as it is
        fh.write(data)
        fh.write(b"\r\n")
        count += lines
        written += len(data) + 2
        if writeback and written - flushed >= WRITEBACK:
            fh.flush()
            start_writeback(fh.fileno(), flushed, written - flushed)
            flushed = written
    return count, written


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing a written range to disk now (Linux: POSIX_FADV_DONTNEED starts
    the writeback of dirty pages without waiting for it, and drops the range from the page cache once
    written). The fsync of `atomic_file` still makes the file durable; this only lets the disk work
    while the export goes on. Where there is no such call, nothing happens."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        with contextlib.suppress(OSError):
            advise(fd, offset, length, os.POSIX_FADV_DONTNEED)


def main(argv: list[str]) -> int:
    from fieldkit.catalog.connection import connect_reader
    from fieldkit.errors import FieldkitError
    from fieldkit.export import cells

    work = json.loads(argv[0])
    name = work["name"]
    try:
        reader = connect_reader(Path(work["catalog"]), wal=work["wal"])
        try:
            reader.execute("BEGIN")
            if list(reader.execute(NEWEST_AUDIT_ROW).fetchone() or []) != work["head"]:
                return MOVED
            cells.register(reader)
            # The lines go where the first process will copy them from: no fsync, no writeback (the
            # bytes are copied while in the page cache, and the file is dropped when both have closed it).
            with os.fdopen(work["fd"], "wb", buffering=WRITE_BUFFER) as fh:
                lines, _ = write_blocks(fh, reader.execute(work["sql"]), writeback=False)
        finally:
            reader.close()
    except OSError as exc:
        print(f"cannot write the export to {work['outdir']}: {exc.strerror}; choose another folder", file=sys.stderr)
        return 1
    except UnicodeDecodeError:
        print(not_utf8(name), file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        if isinstance(exc, sqlite3.OperationalError) and "decode to UTF-8" in str(exc):
            print(not_utf8(name), file=sys.stderr)
        else:
            from fieldkit.catalog.db import translate_error

            print(translate_error(exc, Path(work["catalog"])), file=sys.stderr)
        return 1
    except FieldkitError as exc:
        print(exc, file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 -- a process's last word: one line, saying where it happened
        print(f"the export's second process could not write {name}.csv: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
