"""CSV guard cost (issue 19, point 11): the export's SQL guard, now also for cells that begin with
an invisible character, against the guard as it was (formula characters only), on the same cells.

    python bench/csv_guard.py [ROWS]

Both guards run in the same SQLite query shape the export uses (`format()` over a table scan), on
the same generated text: part numbers, firm names, Cyrillic and Hangul place names, notes, a few
signed lot numbers and formulas. Best of 5 alternating runs each; prints a markdown row.
"""

from __future__ import annotations

import datetime as dt
import platform
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.export.csv import guard_sql  # noqa: E402
from machine import cpu_model  # noqa: E402

OLD_GUARD = (  # fieldkit.export.csv before this change
    "CASE WHEN +{c} < 'A' AND (+{c} < '0' OR +{c} >= '=') AND typeof({c}) = 'text' "
    "AND unicode(ltrim({c}, '''')) IN (61, 43, 45, 64, 9, 13) THEN '''' || {c} ELSE {c} END"
)
SAMPLES = ["STM32F405RGT6", "ADXL345", "Texas Instruments", "Analog Devices", "Харків", "주체112", "9M22U",
           "-1 lot 0412", "=HYPERLINK(1)", "0012", "generated item notes", "Kharkiv oblast", "@SUM(1)", "Ю-12"]


def build(rows: int) -> sqlite3.Connection:
    rng = random.Random(19)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a TEXT, b TEXT, c TEXT, d TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)",
                     ([rng.choice(SAMPLES) for _ in range(4)] for _ in range(rows)))
    return conn


def run(conn: sqlite3.Connection, guard) -> float:
    line = "format('%s,%s,%s,%s', " + ", ".join(guard(c) for c in "abcd") + ")"
    started = time.perf_counter()
    for _ in conn.execute(f"SELECT {line} FROM t"):
        pass
    return time.perf_counter() - started


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    conn = build(rows)
    new, old = [], []
    for _ in range(5):
        new.append(run(conn, guard_sql))
        old.append(run(conn, lambda c: OLD_GUARD.format(c=c)))
    best_new, best_old = min(new), min(old)
    print(f"{dt.date.today()} {cpu_model()}, {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    print("| rows × 4 cells | guard as now | guard before | ratio |")
    print("| ---: | ---: | ---: | ---: |")
    print(f"| {rows:,} | {rows / best_new:,.0f} rows/s | {rows / best_old:,.0f} rows/s | {best_old / best_new:.2f}× |")


if __name__ == "__main__":
    main()
