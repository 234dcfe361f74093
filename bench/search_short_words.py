"""Search as you type (issue 14 point 20): every keystroke under 100 ms on the 100,000-item catalog.

    python bench/search_short_words.py [CATALOG]      # default bench/out/scale.db (bench/scale.py --generate)

Every prefix of each query is timed with the rule fieldkit uses now and with a baseline rule, on the
same catalog in the same run, alternately, so a busy machine weighs on both sides alike: the first
page of 200 results, as the app shows it, and the capped count that follows. The baseline is the
rule before this change: long words (3+ characters) always read as a set from the trigram index,
then sorted. Now long words found in most items are checked item by item in list order (see
search.DENSE). Both run on the catalog as it is (migration m019 has merged its search indexes).
Prints a markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.catalog import items, search  # noqa: E402
from fieldkit.catalog.db import open_catalog  # noqa: E402
from scale import QUERIES_TYPED, machine  # noqa: E402

CURRENT = search._dense


def as_a_set(db, match) -> bool:
    """The baseline: long words are never taken item by item."""
    return False


def keystroke(catalog, prefix: str) -> float:
    """Seconds until the first page shows, then the count (best of 3)."""
    best = []
    for _ in range(3):
        started = time.perf_counter()
        items.list_items(catalog, prefix, limit=200)
        page = time.perf_counter() - started
        items.count_items(catalog, prefix, cap=10_000)
        best.append((page, time.perf_counter() - started - page))
    return min(best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", nargs="?", type=Path, default=Path("bench/out/scale.db"))
    args = parser.parse_args()
    if not args.catalog.exists():
        sys.exit(f"error: {args.catalog} does not exist; make it with `python bench/scale.py --generate`")
    catalog = open_catalog(args.catalog, actor="bench")
    rows = {"before": [], "now": []}
    for query in QUERIES_TYPED:
        for end in range(1, len(query) + 1):
            prefix = query[:end]
            for name, rule in (("before", as_a_set), ("now", CURRENT)):
                search._dense = rule
                rows[name].append((prefix, *keystroke(catalog, prefix)))
    search._dense = CURRENT
    print(f"### Search as you type ({dt.datetime.now():%Y-%m-%d %H:%M}; {machine()}; load average {os.getloadavg()[0]:.1f})\n")
    print(f"Catalog {args.catalog.name}: {catalog.db['items'].count:,} items. Every prefix of: {', '.join(QUERIES_TYPED)}.\n")
    print("| Rule | First page, median | First page, worst (query) | Count, worst | Target |")
    print("| --- | --- | --- | --- | --- |")
    for name, label in (("before", "before: long words always as a set"), ("now", "now: common long words item by item")):
        pages = [r[1] for r in rows[name]]
        worst = max(rows[name], key=lambda r: r[1])
        print(f"| {label} | {statistics.median(pages) * 1000:.1f} ms | {worst[1] * 1000:.1f} ms ({worst[0]!r}) | "
              f"{max(r[2] for r in rows[name]) * 1000:.1f} ms | < 100 ms per keystroke |")
    ratio = max(r[1] for r in rows["now"]) / max(r[1] for r in rows["before"])
    median_ratio = statistics.median(r[1] for r in rows["now"]) / statistics.median(r[1] for r in rows["before"])
    print(f"\nNow against before, same run: median first page {median_ratio:.2f}×, worst first page {ratio:.2f}×.")
    short = [(p, n[1], b[1]) for (p, *_), n, b in zip(rows["now"], rows["now"], rows["before"]) if len(p.split()[-1]) < 3]
    print("Keystrokes ending in a short word (1-2 characters), first page now / before: "
          + ", ".join(f"{p!r} {n * 1000:.0f}/{b * 1000:.0f} ms" for p, n, b in short) + ".")


if __name__ == "__main__":
    main()
