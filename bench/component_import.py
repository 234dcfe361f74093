"""Benchmark: `component import` (time, peak memory, bytes per component), `export csv`, and `summary`.

    .venv/bin/python bench/component_import.py [ROWS] [SUMMARY_ROWS] [--big ROWS] [--runs N] [--import-only]
    .venv/bin/python bench/component_import.py --export-only CATALOG [--runs N]

Import: a CSV of ROWS components (brands printed in mixed forms, YYWW and YWW date codes, a few
part numbers attributed by prefix) is imported into a fresh catalog file (WAL, synchronous=FULL)
by `fieldkit component import` run as a process -- parse, check, attribute, date, insert, one
audit event -- timed with process start (wall, and CPU: user + system from wait4; fieldkit's
modules compiled first, as an installed copy's are), its peak resident memory (ru_maxrss), and the
catalog's growth per component (page_count x page_size after a checkpoint, audit and indexes
included). Baseline, in the same run: the same final rows written with raw sqlite3
`executemany` into the same table of another fresh catalog (its indexes included; its search
insert trigger dropped and created again and the item's search document rebuilt once, as the
bulk path does; no audit, no checks). With --runs N, N such pairs alternate (medians and each
pair's ratio and load are printed); --import-only skips export and summary. With --big ROWS, a second import of ROWS rows (default 1,000,000) for its
peak memory.

Export: `fieldkit export csv` of that catalog (ROWS components), process start included, against two
baselines on the same catalog, each `sqlite3 -csv -header` run per exported table: `SELECT *` of the
table (the issue's reading), and the same columns with the same joins as the exported file
(components.csv spells out the item ref, the basis and the table version from their tables, twice
the bytes of `SELECT *`). At least 5 alternating triples (as many as --runs), wall and CPU seconds
(user + system, from wait4) with the load average of each. --export-only CATALOG times the export
alone on an existing catalog (one the import part made).

Summary: SUMMARY_ROWS components written with raw executemany, then `summarize()` of the whole
catalog, best of 3.

Prints the figures, the ratios to the baselines and the machine (date, CPU model, nproc, load).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import platform
import random
import sqlite3
import statistics
import subprocess
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


FIELDKIT = str(Path(sys.executable).parent / "fieldkit")


def run_measured(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak resident MB, CPU seconds: user + system) of a process run to the end; exits if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"error: {' '.join(command)} failed")
    return time.perf_counter() - started, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def compile_fieldkit() -> None:
    """fieldkit's modules compiled once, as an installed copy's are after its first run: with
    PYTHONDONTWRITEBYTECODE set (as in this environment), every `fieldkit component import` would
    compile them again (as bench/first_paint.py and bench/ocr_real.py do)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parent.parent / "fieldkit")],
                   check=True, env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
                   stdout=subprocess.DEVNULL)


def catalog_bytes(path: Path) -> int:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    return size


def import_process(rows: int, tmp: Path, name: str, source: Path | None = None) -> tuple[Path, float, float, float, float]:
    """Import ROWS generated components with the CLI: (catalog, seconds, peak MB, bytes per component, CPU seconds).
    The CSV is written first, unless `source` (already written) is given."""
    if source is None:
        source = tmp / f"{name}.csv"
        write_csv(source, rows, random.Random(7))
    db = tmp / f"{name}.db"
    for leftover in tmp.glob(f"{name}.db*"):
        leftover.unlink()
    subprocess.run([FIELDKIT, "--db", str(db), "--actor", "bench", "item", "add", "--category", "bench", "--ref", "B-1"],
                   check=True, stdout=subprocess.DEVNULL)
    before = catalog_bytes(db)
    seconds, peak, cpu = run_measured([FIELDKIT, "--db", str(db), "--actor", "bench", "component", "import", "B-1", str(source)])
    return db, seconds, peak, (catalog_bytes(db) - before) / rows, cpu


def raw_insert(db: Path, tmp: Path, name: str) -> float:
    """Seconds to write the rows of `db`'s components table, renumbered, with raw executemany into a
    fresh catalog: its indexes included, its search insert trigger dropped and created again and the
    item's search document rebuilt once, as the bulk path does; no checks, no audit."""
    catalog = open_catalog(db, actor="bench")
    final_rows = [tuple(r) for r in catalog.db.execute("SELECT * FROM components ORDER BY rowid")]
    columns = [c.name for c in catalog.db["components"].columns]
    catalog.close()
    for leftover in tmp.glob(f"{name}.db*"):
        leftover.unlink()
    baseline = open_catalog(tmp / f"{name}.db", actor="bench")
    items.add_item(baseline, {"ref": "B-1", "category": "bench"})
    item_id = baseline.db.execute("SELECT id FROM items").fetchone()[0]
    renumbered = [(new_id(), item_id, *r[2:]) for r in final_rows]
    del final_rows
    sql = f"INSERT INTO components ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    baseline.db.conn.execute("PRAGMA foreign_keys = OFF")  # the lookup ids refer to the other catalog's tables
    start = time.perf_counter()
    with baseline.transaction() as bdb:
        search.suspend(bdb)
        trigger = bdb.execute("SELECT sql FROM sqlite_master WHERE name = 'components_search_insert'").fetchone()[0]
        bdb.execute("DROP TRIGGER components_search_insert")
        for at in range(0, len(renumbered), 5000):
            bdb.conn.executemany(sql, renumbered[at:at + 5000])
        bdb.execute(trigger)
        search.resume(bdb, [item_id])
    seconds = time.perf_counter() - start
    baseline.close()
    return seconds


def bench_import(rows: int, tmp: Path, runs: int = 1) -> dict:
    """`runs` alternating pairs: the CLI import of ROWS rows into a fresh catalog, then the raw insert."""
    source = tmp / "import.csv"
    write_csv(source, rows, random.Random(7))
    ours, base, loads, cpus = [], [], [], []
    for _ in range(runs):
        loads.append(os.getloadavg()[0])
        db, fieldkit_s, peak, per_row, cpu = import_process(rows, tmp, "import", source)
        ours.append(fieldkit_s)
        cpus.append(cpu)
        # in a process of its own: this one stays small, so that the next import's peak memory
        # (wait4's ru_maxrss, which counts the parent's pages the child starts with) is its own
        done = subprocess.run([sys.executable, __file__, "--raw-insert", str(db), str(tmp)],
                              check=True, capture_output=True, text=True)
        base.append(float(done.stdout))
    source.unlink()
    catalog = open_catalog(db, actor="bench")
    assert catalog.db["components"].count == rows
    catalog.close()
    return {"db": db, "seconds": statistics.median(ours), "cpu": statistics.median(cpus), "peak_mb": peak,
            "bytes_per_row": per_row, "baseline_s": statistics.median(base), "runs": list(zip(ours, base, loads, cpus))}


def run_cpu(command: list[str], stdout=subprocess.DEVNULL, env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of a process run to the end; exits if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"error: {' '.join(command)} failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def same_columns_sql(db_path: Path, table: str) -> str:
    """The SELECT that gives `sqlite3 -csv` the columns of the exported file `table`, in its order and
    with its joins (components.csv: the item ref, the basis and the table version spelled out from
    their tables), the values as stored: no guard, no quoting of plain cells. Made from the export's
    own definitions (fieldkit.export.csv), so that it follows them."""
    from fieldkit.catalog.db import connect_reader, database
    from fieldkit.export.csv import EXPORTS, LOOKUP_CELLS, _own_columns

    source, order, leading = EXPORTS[table]
    conn = connect_reader(db_path)
    try:
        own = _own_columns(database(conn), table, False)
    finally:
        conn.close()
    columns = [(e, n) for e, n in leading] + [(e, n) for e, n, _ in own]
    # The lookup CTEs as plain views of their tables: SQLite folds them into joins on the primary key.
    views = ", ".join(f"{cte}(id, raw) AS (SELECT id, {column} FROM {lookup})" for cte, lookup, column in LOOKUP_CELLS[table])
    select = ", ".join(f'{e} AS "{n}"' for e, n in columns)
    return f"{'WITH ' + views + ' ' if views else ''}SELECT {select} FROM {source} ORDER BY {order}"


def bench_export(db: Path, tmp: Path, runs: int = 5) -> dict:
    """`runs` alternating triples, each timed with process start (wall and CPU seconds) with the load
    average at its start: `fieldkit export csv`; `sqlite3 -csv -header` of `SELECT *` of every
    exported table (the issue's baseline); and `sqlite3 -csv -header` of the same columns with the
    same joins as each exported file (components.csv's item ref, basis and table version spelled out).
    One untimed export first, so that every timed run starts from compiled bytecode, as an installed
    fieldkit does. Medians."""
    from fieldkit.export.csv import EXPORTS

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    same = {table: same_columns_sql(db, table) for table in EXPORTS}

    def sqlite_csv(queries: dict[str, str], prefix: str) -> tuple[float, float]:
        wall = cpu = 0.0
        for table, query in queries.items():
            with open(tmp / f"{prefix}-{table}.csv", "w") as fh:
                w, c = run_cpu(["sqlite3", "-csv", "-header", str(db), query], stdout=fh)
            wall, cpu = wall + w, cpu + c
        return wall, cpu

    run_cpu([FIELDKIT, "--db", str(db), "export", "csv", str(tmp / "export-warm")], env=env)
    triples = []
    for i in range(runs):
        load = os.getloadavg()[0]
        ours = run_cpu([FIELDKIT, "--db", str(db), "export", "csv", "--force", str(tmp / f"export{i % 2}")], env=env)
        star = sqlite_csv({table: f"SELECT * FROM {table}" for table in EXPORTS}, "star")
        columns = sqlite_csv(same, "same")
        triples.append((ours, star, columns, load))

    def median(k: int, j: int) -> float:
        return statistics.median(t[k][j] for t in triples)

    return {"seconds": median(0, 0), "cpu": median(0, 1), "baseline_s": median(1, 0), "baseline_cpu": median(1, 1),
            "same_s": median(2, 0), "same_cpu": median(2, 1),
            "size": (tmp / "export0" / "components.csv").stat().st_size,
            "baseline_size": (tmp / "star-components.csv").stat().st_size,
            "same_size": (tmp / "same-components.csv").stat().st_size, "runs": triples}


def print_export(exported: dict, rows: int) -> None:
    e = exported
    print(f"| `export csv`, {rows:,} components, process start included (median of {len(e['runs'])}, alternating) "
          f"| {e['seconds']:.2f} s, CPU {e['cpu']:.2f} s (components.csv {e['size'] / 1e6:.1f} MB) | ≤ 2× "
          f"| `sqlite3 -csv` `SELECT *` {e['baseline_s']:.2f} s, CPU {e['baseline_cpu']:.2f} s ({e['baseline_size'] / 1e6:.1f} MB) "
          f"| {e['seconds'] / e['baseline_s']:.2f}× wall, {e['cpu'] / e['baseline_cpu']:.2f}× CPU "
          f"| {'yes' if e['seconds'] <= 2 * e['baseline_s'] else 'NO'} |")
    print(f"| the same, against the same columns and joins | | ≤ 2× "
          f"| `sqlite3 -csv`, components.csv's columns and joins {e['same_s']:.2f} s, CPU {e['same_cpu']:.2f} s ({e['same_size'] / 1e6:.1f} MB) "
          f"| {e['seconds'] / e['same_s']:.2f}× wall, {e['cpu'] / e['same_cpu']:.2f}× CPU "
          f"| {'yes' if e['seconds'] <= 2 * e['same_s'] else 'NO'} |")
    print("| each run: export; `SELECT *`; same columns (wall / CPU), load average at its start | " + "; ".join(
        f"{a[0]:.2f}/{a[1]:.2f}, {b[0]:.2f}/{b[1]:.2f}, {c[0]:.2f}/{c[1]:.2f} s, load {load:.1f}"
        for a, b, c, load in e["runs"]) + " | | | | |")


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


USAGE = __doc__.split("\n\n")[1]


def usage_error(message: str) -> None:
    sys.exit(f"error: {message}\nusage:\n{USAGE}")


def main() -> None:
    args = [a for a in sys.argv[1:]]
    if "-h" in args or "--help" in args:
        print(__doc__)
        return
    if args[:1] == ["--raw-insert"]:
        print(raw_insert(Path(args[1]), Path(args[2]), "baseline"))
        return
    runs = 1
    if "--runs" in args:
        at = args.index("--runs")
        if at + 1 >= len(args) or not args[at + 1].isdigit():
            usage_error("--runs takes a number of runs, 1 or more")
        runs = int(args[at + 1])
        del args[at:at + 2]
    only_import = "--import-only" in args
    if only_import:
        args.remove("--import-only")
    big = None
    if "--big" in args:
        at = args.index("--big")
        big = int(args[at + 1]) if at + 1 < len(args) and args[at + 1].isdigit() else 1_000_000
        del args[at:at + 2 if at + 1 < len(args) and args[at + 1].isdigit() else at + 1]
    if "--export-only" in args:  # the export alone, on a catalog this benchmark made before
        at = args.index("--export-only")
        if at + 1 >= len(args) or not Path(args[at + 1]).is_file():
            usage_error("--export-only takes the path of a catalog this benchmark made")
        db = Path(args[at + 1]).resolve()
        conn = sqlite3.connect(db)
        rows = conn.execute("SELECT count(*) FROM components").fetchone()[0]
        conn.close()
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            exported = bench_export(db, Path(tmp), max(runs, 5))
        print(f"{dt.datetime.now():%Y-%m-%d %H:%M} — {cpu_model()}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
              f"SQLite {sqlite3.sqlite_version}, load average {os.getloadavg()[0]:.1f}\n")
        print("| Measure | Result | Target | Baseline (same run) | Ratio | Met |")
        print("| --- | --- | --- | --- | --- | --- |")
        print_export(exported, rows)
        return
    if "--runs" in sys.argv and runs < 1:
        usage_error("--runs takes a number of runs, 1 or more")
    unknown = [a for a in args if not a.isdigit()]
    if unknown or len(args) > 2:
        usage_error(f"unknown option {unknown[0]!r}" if unknown else "at most two numbers: ROWS and SUMMARY_ROWS")
    rows = int(args[0]) if args else 100_000
    summary_rows = int(args[1]) if len(args) > 1 else 1_000_000
    compile_fieldkit()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        imported = bench_import(rows, Path(tmp), runs)
        if only_import:
            exported = summary_s = None
        else:
            exported = bench_export(imported["db"], Path(tmp), max(runs, 5))
            summary_s = bench_summary(summary_rows, Path(tmp))
        big_result = import_process(big, Path(tmp), "big") if big else None
    fieldkit_s, baseline_s = imported["seconds"], imported["baseline_s"]
    print("## Components: import, export and summary (bench/component_import.py)\n")
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M} — {cpu_model()}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| Measure | Result | Target | Baseline (same run) | Ratio | Met |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| `component import`, {rows:,} rows, process start included{f' (median of {runs}, alternating)' if runs > 1 else ''} | {fieldkit_s:.2f} s ({rows / fieldkit_s:,.0f} rows/s), CPU {imported['cpu']:.2f} s "
          f"| < 4 s | raw executemany {baseline_s:.2f} s | {fieldkit_s / baseline_s:.1f}× | {'yes' if fieldkit_s < 4 else 'NO'} |")
    print(f"| peak resident memory, {rows:,} rows | {imported['peak_mb']:.0f} MB | < 150 MB | | | "
          f"{'yes' if imported['peak_mb'] < 150 else 'NO'} |")
    if big_result:
        _, big_s, big_peak, big_bytes, _ = big_result
        print(f"| peak resident memory, {big:,} rows | {big_peak:.0f} MB ({big_s:.1f} s, {big_bytes:.0f} bytes/component) "
              f"| < 200 MB | | | {'yes' if big_peak < 200 else 'NO'} |")
    print(f"| catalog growth per component (audit, indexes, search included) | {imported['bytes_per_row']:.0f} bytes | ≤ 800 | | | "
          f"{'yes' if imported['bytes_per_row'] <= 800 else 'NO'} |")
    if runs > 1:
        print("| each run: import (its CPU), raw insert, load average at its start | " + "; ".join(
            f"{a:.2f} s ({cpu:.2f} s CPU), {b:.2f} s ({a / b:.1f}×), load {load:.1f}" for a, b, load, cpu in imported["runs"])
              + " | | | | |")
    if only_import:
        return
    print_export(exported, rows)
    print(f"| `summary`, {summary_rows:,} components (best of 3) | {summary_s * 1000:.0f} ms | < 1 s | | | "
          f"{'yes' if summary_s < 1 else 'NO'} |")


if __name__ == "__main__":
    main()
