"""Benchmark: `component import` of 100,000 rows, and `summary` over 1,000,000 components.

    .venv/bin/python bench/component_import.py [ROWS] [SUMMARY_ROWS]

Import: a CSV of ROWS components (brands printed in mixed forms, YYWW and YWW date codes, a few
part numbers attributed by prefix) is imported into a fresh catalog file (WAL, synchronous=FULL)
through `import_components` -- parse, check, attribute, date, insert, one audit record per row.
Baseline, in the same run: the same final rows written with raw sqlite3 `executemany` into the
same table of another fresh catalog (its indexes included; its search triggers suspended and the
item's search document rebuilt once, as the bulk path does; no audit, no checks).

Summary: SUMMARY_ROWS components written with raw executemany, then `summarize()` of the whole
catalog, best of 3.

Prints rows/s, the ratio to the baseline and the machine (date, CPU model, nproc).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.catalog import items, search  # noqa: E402
from fieldkit.catalog.db import new_id, now, open_catalog  # noqa: E402
from fieldkit.components.attribution import default_index  # noqa: E402
from fieldkit.components.importer import import_components  # noqa: E402
from fieldkit.components.summary import summarize  # noqa: E402
from fieldkit.reference.tables import load_reference  # noqa: E402
from machine import cpu_model  # noqa: E402  (bench/ is on sys.path when a script runs)

BRANDS = ["TI", "Texas Instruments", "TEXAS INSTR.", "ON Semiconductor", "onsemi", "ADI", "Analog Devices",
          "Microchip", "ATMEL", "Infineon", "NXP", "ST", "Murata", "Renesas", "Winbond", "Samsung", "Acme", ""]
PARTS = ["SN74HC595", "MAX232", "ATMEGA328P", "PSoC4200", "nRF52832", "LM317", "STM32F103", "W25Q32"]




def write_csv(path: Path, rows: int, rng: random.Random) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["part_number", "manufacturer", "country", "date_code", "quantity", "type", "notes"])
        for i in range(rows):
            brand = rng.choice(BRANDS)
            code = f"{rng.randint(15, 23):02d}{rng.randint(1, 52):02d}" if rng.random() < 0.9 else f"{rng.randint(0, 9)}{rng.randint(1, 52):02d}"
            writer.writerow([f"{rng.choice(PARTS)}-{i % 997}", brand, "US" if brand == "Acme" else "",
                             code, rng.randint(1, 4), "IC", ""])


def bench_import(rows: int, tmp: Path) -> tuple[float, float]:
    rng = random.Random(7)
    source = tmp / "parts.csv"
    write_csv(source, rows, rng)
    index = default_index(load_reference(None))

    catalog = open_catalog(tmp / "import.db", actor="bench")
    items.add_item(catalog, {"ref": "B-1", "category": "bench"})
    start = time.perf_counter()
    result = import_components(catalog, "B-1", source, index=index)
    fieldkit_s = time.perf_counter() - start
    assert result.imported == rows and not result.problem_count, result.describe()
    final_rows = [tuple(r) for r in catalog.db.execute("SELECT * FROM components")]
    columns = [c.name for c in catalog.db["components"].columns]
    catalog.close()

    baseline = open_catalog(tmp / "baseline.db", actor="bench")
    items.add_item(baseline, {"ref": "B-1", "category": "bench"})
    item_id = baseline.db.execute("SELECT id FROM items").fetchone()[0]
    renumbered = [(new_id(), item_id, *r[2:]) for r in final_rows]
    sql = f"INSERT INTO components ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    start = time.perf_counter()
    with baseline.transaction() as db:
        search.suspend(db)
        db.conn.executemany(sql, renumbered)
        search.resume(db, [item_id])
    baseline_s = time.perf_counter() - start
    baseline.close()
    return fieldkit_s, baseline_s


def bench_summary(rows: int, tmp: Path) -> float:
    rng = random.Random(11)
    catalog = open_catalog(tmp / "summary.db", actor="bench")
    items.add_item(catalog, {"ref": "S-1", "category": "bench"})
    item_id = catalog.db.execute("SELECT id FROM items").fetchone()[0]
    firms = [("Texas Instruments", "US"), ("Analog Devices", "US"), ("Infineon Technologies", "DE"), ("NXP Semiconductors", "NL"),
             ("Murata Manufacturing", "JP"), ("STMicroelectronics", "CH"), ("Winbond Electronics", "TW"), ("Acme", None)]
    stamp = now()
    batch = []
    columns = "id, item_id, part_number, manufacturer, country, date_code, date_start, date_end, quantity, created_at, updated_at"
    sql = f"INSERT INTO components ({columns}) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
    with catalog.transaction() as db:
        search.suspend(db)  # as bulk writers do; the item's search document is rebuilt once below
        for i in range(rows):
            firm, country = firms[i % len(firms)]
            year, week = rng.randint(2015, 2023), rng.randint(1, 52)
            monday = dt.date.fromisocalendar(year, week, 1)
            batch.append((new_id(), item_id, f"P{i % 5000}", firm, country, f"{year % 100:02d}{week:02d}",
                          monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat(), 1 + i % 3, stamp, stamp))
            if len(batch) == 50_000:
                db.conn.executemany(sql, batch)
                batch = []
        if batch:
            db.conn.executemany(sql, batch)
        search.resume(db, [item_id])
    index = default_index(load_reference(None))
    times = []
    for _ in range(3):
        start = time.perf_counter()
        summary = summarize(catalog, index=index)
        times.append(time.perf_counter() - start)
    assert summary.firms == 8 and summary.dated_parts == summary.parts
    catalog.close()
    return min(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    summary_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        fieldkit_s, baseline_s = bench_import(rows, Path(tmp))
        summary_s = bench_summary(summary_rows, Path(tmp))
    print("## Components: import and summary (bench/component_import.py)\n")
    print(f"{dt.date.today().isoformat()} — {cpu_model()}, nproc {os.cpu_count()}, Python {platform.python_version()}\n")
    print(f"- component import, {rows:,} rows: {fieldkit_s:.2f} s = {rows / fieldkit_s:,.0f} rows/s "
          "(parse, check, attribute, date, insert, audit)")
    print(f"- baseline raw sqlite3 executemany, same rows: {baseline_s:.2f} s = {rows / baseline_s:,.0f} rows/s")
    print(f"- ratio fieldkit/baseline: {fieldkit_s / baseline_s:.1f}x the time")
    print(f"- summary of {summary_rows:,} components (whole catalog, best of 3): {summary_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
