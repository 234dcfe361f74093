"""Search as you type with short words (issue 14 point 20), against the rule it replaced.

    python bench/search_short_words.py [CATALOG]      # default bench/out/scale.db (bench/scale.py --generate)

Before, a query word of one or two characters was matched with LIKE against the item's own fields
only (so `주체` in a marking was never found); now it is looked up in the word index `item_words`.
Every prefix of each query is timed both ways, alternately, on the same catalog in the same run
(the first page of 200 results, as the app shows it, and the capped count that follows), so a
busy machine weighs on both sides alike. Prints a markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldkit.catalog import items, search  # noqa: E402
from fieldkit.catalog.db import open_catalog  # noqa: E402
from scale import QUERIES_TYPED, machine  # noqa: E402

CURRENT = search.where_clause


def before(query: str, db=None) -> tuple[str, list[str]]:
    """The rule before: trigram index for words of 3+ characters, LIKE on the item's fields for shorter."""
    clauses, params = [], []
    long_words = [w for w in query.split() if len(w) >= search.TRIGRAM]
    if long_words:
        clauses.append("items.rowid IN (SELECT rowid FROM item_search WHERE item_search MATCH ?)")
        params.append(" AND ".join('"' + w.replace('"', '""') + '"' for w in long_words))
    for word in (w for w in query.split() if len(w) < search.TRIGRAM):
        like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append("(" + " OR ".join(f"items.{c} LIKE ? ESCAPE '\\'" for c in search.ITEM_COLUMNS) + ")")
        params.extend([like] * len(search.ITEM_COLUMNS))
    return (" AND ".join(clauses) or "1"), params


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
            for name, rule in (("before", before), ("now", CURRENT)):
                search.where_clause = rule
                rows[name].append((prefix, *keystroke(catalog, prefix)))
    search.where_clause = CURRENT
    print(f"### Search with short words ({dt.date.today().isoformat()}; {machine()})\n")
    print(f"Catalog {args.catalog.name}: {catalog.db['items'].count:,} items. Every prefix of: {', '.join(QUERIES_TYPED)}.\n")
    print("| Rule | First page, median | First page, worst (query) | Count, worst | Target |")
    print("| --- | --- | --- | --- | --- |")
    for name, label in (("before", "before: LIKE on the item's fields for 1-2 characters"), ("now", "now: word index (m015)")):
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
