"""Check list for issue 13, point 1: lines that changed hands say "formerly ..." with the year.

Each row of bench/formerly_check.csv is a number, the firm it belongs to today, the former firm
whose line it is and the year that firm changed hands, and the document that ties the number's
head to the former firm ("none found: ..." where no such document was read). A row is met when
the part number alone gives that firm, confidently, with "formerly <former> (until <year>)".

Two more kinds of row check that no wrong firm or wrong history is given (s13 formerly2 pass):
- no former firm (expected_former empty): met when the number gives that firm with no "formerly"
  at all (Honeywell's HMC1052 is not ADI's, and not "line formerly Hittite");
- several firms (expected_firm "onsemi|texas-instruments"): met when the number gives exactly
  those firms as candidates and no one firm (SN74LS00: Motorola's line at onsemi, and TI's).

    .venv/bin/python bench/formerly_check.py [--csv bench/formerly_check.csv]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fieldkit.components.attribution import attribute  # noqa: E402


def outcome(row: dict[str, str]) -> tuple[str, str]:
    """("met" | "firm only" | "wrong" | "none", the headline) for one check-list row."""
    result = attribute(row["number"])
    expected = set(row["expected_firm"].split("|"))
    if len(expected) > 1:
        if result.firm_id is not None:
            return ("wrong", result.headline())
        found = {c.firm_id for c in result.candidates}
        return ("met" if found == expected else "none", result.headline())
    if result.firm_id is None:
        return ("none", result.headline())
    if result.firm_id != row["expected_firm"]:
        return ("wrong", result.headline())
    if not row["expected_former"]:
        return ("met" if "formerly" not in result.headline() else "wrong history", result.headline())
    wanted = f"formerly {row['expected_former']} (until {row['former_year']})"
    return ("met" if wanted in result.headline() else "firm only", result.headline())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=ROOT / "bench" / "formerly_check.csv")
    args = parser.parse_args(argv)
    with args.csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    counts: dict[str, int] = {}
    for row in rows:
        kind, line = outcome(row)
        counts[kind] = counts.get(kind, 0) + 1
        sourced = "" if row["source"].startswith("none found") else " (sourced)"
        print(f"{kind:9}  {line}{sourced}")
    sourced_rows = [r for r in rows if not r["source"].startswith("none found")]
    met_sourced = sum(1 for r in sourced_rows if outcome(r)[0] == "met")
    print(f"\n{len(rows)} numbers: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"with a document: {met_sourced} of {len(sourced_rows)} met (the right firm or firms, and 'formerly' where a former firm is named)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
