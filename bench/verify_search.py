"""What comparing the search indexes and the merged tables costs `fieldkit verify` on a large catalog.

    python bench/verify_search.py CATALOG [--rounds 3]

CATALOG is made by generate_catalog.py (100,000 items). Each round times, one after the other on
the same open catalog, the catalog-wide checks without the search check (the baseline: audit
chain and state, merged origins, schema, witness), then the search check alone
(fieldkit.catalog.search_check: documents against the rows, FTS5 integrity-check on a copy of each
index), then the digest of a merge_seen and a foreign_audit table as large as a merge of the whole
catalog would make (a temporary copy: 3 versions seen per item, 1 audit entry per item). Medians are
printed with the load average.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlite_utils import Database  # noqa: E402

from fieldkit.catalog import audit  # noqa: E402
from fieldkit.catalog.db import open_read_only  # noqa: E402
from fieldkit.catalog.schema import check_schema  # noqa: E402
from fieldkit.catalog.search_check import check_search  # noqa: E402
from fieldkit.team.provenance import check_merged, table_digest  # noqa: E402


def baseline(catalog) -> None:
    db = catalog.db
    assert not audit.check_chain(db) and not audit.check_state(db) and not check_merged(db) and not check_schema(db)


def merged_tables(folder: Path, items: int) -> Database:
    """merge_seen and foreign_audit as a merge of `items` items would leave them."""
    db = Database(sqlite3.connect(folder / "merged.db"))
    db.execute("CREATE TABLE merge_seen (table_name TEXT NOT NULL, row_id TEXT NOT NULL, version TEXT NOT NULL, "
               "PRIMARY KEY (table_name, row_id, version)) WITHOUT ROWID")
    db.execute("CREATE TABLE foreign_audit (origin_catalog TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, "
               "actor TEXT NOT NULL, action TEXT NOT NULL, table_name TEXT NOT NULL, row_id TEXT NOT NULL, "
               "before_json TEXT, after_json TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (origin_catalog, seq))")
    db.conn.executemany("INSERT INTO merge_seen VALUES ('items', ?, ?)",
                        ((f"{n:032x}", f"{n * 3 + k:064x}") for n in range(items) for k in range(3)))
    after = '{"category":"rocket","id":"%032x","notes":"generated item","ref":"G-%06d"}'
    db.conn.executemany("INSERT INTO foreign_audit VALUES ('origin', ?, '2026-01-01', 'a', 'insert', 'items', ?, NULL, ?, ?, ?)",
                        ((n + 1, f"{n:032x}", after % (n, n), "0" * 64, f"{n:064x}") for n in range(items)))
    db.conn.commit()
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    catalog = open_read_only(args.catalog)
    items = catalog.db.execute("SELECT count(*) FROM items").fetchone()[0]
    components = catalog.db.execute("SELECT count(*) FROM components").fetchone()[0]
    times: dict[str, list[float]] = {"baseline": [], "search": [], "digests": []}
    with tempfile.TemporaryDirectory() as folder:
        merged = merged_tables(Path(folder), items)
        for _ in range(args.rounds):
            for name, run in (("baseline", lambda: baseline(catalog)),
                              ("search", lambda: check_search(catalog.db)),
                              ("digests", lambda: [table_digest(merged, t) for t in ("merge_seen", "foreign_audit")])):
                start = time.perf_counter()
                result = run()
                times[name].append(time.perf_counter() - start)
                assert not (name == "search" and result), result
        merged.conn.close()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{items} items, {components} components; medians of {args.rounds} rounds, alternating; load {load}")
    print(f"catalog-wide checks without search: {statistics.median(times['baseline']):.2f} s")
    print(f"search check (documents + FTS5 integrity-check of both indexes): {statistics.median(times['search']):.2f} s")
    print(f"digests of merge_seen ({3 * items} rows) and foreign_audit ({items} rows): {statistics.median(times['digests']):.2f} s")


if __name__ == "__main__":
    main()
