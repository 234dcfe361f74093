"""Instructions of `fieldkit export csv` (callgrind), process start included, against `sqlite3 -csv`.

    .venv/bin/python bench/export_instructions.py CATALOG [--compare DIR] [--runs N]

bench/component_import.py --export-only times the export on the wall clock, which a shared machine
makes noisy (at load 2 to 5 a 5% difference cannot show, bench/RESULTS.md "Export, eighth pass").
This counts the instructions each process runs instead (valgrind --tool=callgrind, "Ir"), the same
whatever the load, about 50 times slower. Counted: `fieldkit --db CATALOG export csv --force OUT`
as a user runs it (the CLI opens the catalog read-only, so one reader: see `export_catalog`), from
this tree and from DIR (e.g. `git archive main | tar -x -C DIR`), each after one untimed run that
compiles its bytecode; and the issue's baseline, `sqlite3 -csv -header CATALOG "SELECT * FROM t"`
for each exported table (their sum, as component_import.py times it). The trees' files are compared
byte for byte. CATALOG: one that component_import.py made (e.g. 100,000 components).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TABLES = ["items", "photos", "markings", "components"]  # the keys of fieldkit.export.csv.EXPORTS


def counted(command: list[str], tmp: Path, env: dict[str, str] | None = None, stdout: Path | None = None) -> int:
    """callgrind's instruction count (Ir) of one run of `command` (its children are not counted)."""
    log = tmp / "callgrind.log"
    with open(stdout or os.devnull, "wb") as out:
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp / 'callgrind.out'}", f"--log-file={log}",
                        *command], check=True, env=env, stdout=out)
    return int(re.search(r"Collected : (\d+)", log.read_text()).group(1))


def export_command(tree: Path, catalog: Path, out: Path) -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    return [sys.executable, "-m", "fieldkit", "--db", str(catalog), "export", "csv", "--force", str(out)], env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", type=Path)
    parser.add_argument("--compare", type=Path, metavar="DIR", help="another fieldkit tree to count too")
    parser.add_argument("--runs", type=int, default=1, help="counts per tree (alternating)")
    args = parser.parse_args()
    if not args.catalog.exists():
        raise SystemExit(f"error: no catalog at {args.catalog}; make one with bench/component_import.py")
    trees = {"this tree": BENCH.parent}
    if args.compare is not None:
        trees[f"compared: {args.compare}"] = args.compare.resolve()
    catalog = args.catalog.resolve()
    counts: dict[str, list[int]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        baseline = sum(counted(["sqlite3", "-csv", "-header", str(catalog), f"SELECT * FROM {table}"], tmp,
                               stdout=tmp / f"star-{table}.csv") for table in TABLES)
        for number, tree in enumerate(trees.values()):
            command, env = export_command(tree, catalog, tmp / f"out{number}")
            subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)  # compiles the bytecode
        for _ in range(args.runs):
            for number, (name, tree) in enumerate(trees.items()):
                command, env = export_command(tree, catalog, tmp / f"out{number}")
                counts[name].append(counted(command, tmp, env))
        files = sorted(p.name for p in (tmp / "out0").iterdir())
        same = [filecmp.cmp(tmp / "out0" / f, tmp / f"out{n}" / f, shallow=False)
                for n in range(1, len(trees)) for f in files]
    print("| Process (callgrind Ir) | Instructions | Ratio to `sqlite3 -csv` `SELECT *` |")
    print("| --- | --- | --- |")
    print(f"| `sqlite3 -csv -header` `SELECT *`, {len(TABLES)} tables | {baseline / 1e6:,.0f} M | 1.00× |")
    for name, runs in counts.items():
        low, high = min(runs), max(runs)
        spread = f" ({low / 1e6:,.0f}–{high / 1e6:,.0f} M)" if len(runs) > 1 else ""
        print(f"| `fieldkit export csv` ({name}) | {min(runs) / 1e6:,.0f} M{spread} | {low / baseline:.2f}× |")
    if len(trees) > 1:
        print(f"every file byte-identical between the trees: {all(same)}")


if __name__ == "__main__":
    main()
