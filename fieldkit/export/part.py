"""The second process of a large CSV export: `python -m fieldkit.export.part CATALOG OUTDIR SEQ HASH [--full]`.

`export_catalog` (fieldkit.export.csv) starts it to write components.csv while it writes the
other files itself, so that a large export runs on two cores. It reads in a read transaction of its
own, and writes only if that transaction sees the catalog at the audit head SEQ/HASH, the state the
first process is exporting; otherwise it exits with MOVED and the first process writes the file.

Prints the rows written as JSON on success; on failure, one line on stderr and exit status 1.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import sys
from pathlib import Path

from fieldkit.catalog import audit
from fieldkit.catalog.db import connect_reader, database, translate_error
from fieldkit.errors import FieldkitError

MOVED = 3  # exit status: the catalog changed since the first process began; nothing written
STOPPED = 4  # exit status: the first process stopped it (SIGTERM); its temporary file is removed
NAMES = ["components"]


def main(argv: list[str]) -> int:
    # Imported here, not at the top: fieldkit.export.csv imports this module.
    from fieldkit.export.csv import temp_prefix

    full = "--full" in argv
    path, outdir, seq, head_hash = [a for a in argv if a != "--full"]
    # SIGTERM (the first process failed) unwinds like an error, so atomic_file removes its temporary file;
    # one that lands inside mkstemp, before atomic_file holds the name, is found by its prefix.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(STOPPED))
    try:
        return _write(path, outdir, seq, head_hash, full)
    except SystemExit:
        for leftover in Path(outdir).glob(temp_prefix(NAMES[0] + ".csv") + "*"):
            leftover.unlink(missing_ok=True)
        raise


def _write(path: str, outdir: str, seq: str, head_hash: str, full: bool) -> int:
    from fieldkit.export.csv import write_files

    try:
        reader = connect_reader(Path(path))
        try:
            reader.execute("BEGIN")
            if audit.head(reader) != (int(seq), head_hash):
                return MOVED
            files = write_files(database(reader), NAMES, Path(outdir), full)
        finally:
            reader.close()
    except OSError as exc:
        print(f"cannot write the export to {outdir}: {exc.strerror}; choose another folder", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(translate_error(exc, Path(path)), file=sys.stderr)
        return 1
    except FieldkitError as exc:
        print(exc, file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 -- a process's last word: one line, saying where it happened
        print(f"the export's second process could not write components.csv: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 1
    print(json.dumps(files))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
