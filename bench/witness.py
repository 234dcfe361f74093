"""What the witness and the new verify checks cost: single-row writes, and verify's extra work.

Baselines in the same run: the same writes with the witness append switched off, and with the
append's fsync switched off (what durability costs); verify with the schema and witness checks
switched off. Prints a markdown section.

    python bench/witness.py [--writes N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import cpu_model  # noqa: E402
from fieldkit.catalog import items, witness  # noqa: E402
from fieldkit.catalog.db import open_catalog  # noqa: E402
from fieldkit.catalog.schema import check_schema, expected_schema  # noqa: E402
from fieldkit.evidence import verify  # noqa: E402


def writes_per_second(path: Path, count: int) -> float:
    catalog = open_catalog(path, actor="bench")
    start = time.perf_counter()
    for n in range(count):
        items.add_item(catalog, {"category": "rocket", "designation": f"item {n}"})
    elapsed = time.perf_counter() - start
    catalog.close()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["FIELDKIT_DATA_DIR"] = str(tmp / "data")
        real_append = witness.append
        real_fsync = os.fsync
        rates = {"with": [], "without": [], "no_fsync": []}
        for round_ in range(3):  # interleaved, so that load on the machine hits all alike
            rates["with"].append(writes_per_second(tmp / f"with-{round_}.db", args.writes))
            witness.append = lambda *a, **k: False
            rates["without"].append(writes_per_second(tmp / f"without-{round_}.db", args.writes))
            witness.append = real_append
            os.fsync = lambda fd: None  # the append as it was before it was made durable
            rates["no_fsync"].append(writes_per_second(tmp / f"nofsync-{round_}.db", args.writes))
            os.fsync = real_fsync
        best = {k: max(v) for k, v in rates.items()}
        log_lines = len(witness.witness_path().read_text().splitlines())

        catalog = open_catalog(tmp / "with-0.db")
        start = time.perf_counter()
        expected_schema.cache_clear()
        check_schema(catalog.db)
        schema_first = time.perf_counter() - start
        start = time.perf_counter()
        check_schema(catalog.db)
        schema_again = time.perf_counter() - start
        start = time.perf_counter()
        verify.verify_catalog(catalog)
        full = time.perf_counter() - start
        plain_check, plain_schema = verify._check_witness, verify.check_schema
        verify._check_witness, verify.check_schema = (lambda *a: None), (lambda db: [])
        start = time.perf_counter()
        verify.verify_catalog(catalog)
        without = time.perf_counter() - start
        verify._check_witness, verify.check_schema = plain_check, plain_schema
        catalog.close()

    print(f"## Witness and verify checks ({time.strftime('%Y-%m-%d')}, {cpu_model()}, {os.cpu_count()} cores)\n")
    print("| Measure | Result | Baseline (same run) | Ratio |")
    print("| --- | --- | --- | --- |")
    print(f"| single-row writes (`item add` in a loop, best of 3 × {args.writes}) | {best['with']:,.0f} writes/s "
          f"| witness off: {best['without']:,.0f} writes/s | {best['without'] / best['with']:.2f}× the time |")
    print(f"| the same, the witness line fsynced (durable) vs not | {best['with']:,.0f} writes/s "
          f"| witness without fsync: {best['no_fsync']:,.0f} writes/s | {best['no_fsync'] / best['with']:.2f}× the time |")
    print(f"| verify of {args.writes} items, witness log of {log_lines:,} lines | {full * 1000:.0f} ms "
          f"| schema and witness checks off: {without * 1000:.0f} ms | {full / without:.2f}× |")
    print(f"| schema check | {schema_first * 1000:.1f} ms first (migrations applied in memory), "
          f"{schema_again * 1000:.1f} ms after | — | — |")


if __name__ == "__main__":
    main()
