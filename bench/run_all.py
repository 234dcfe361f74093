"""Run every benchmark in bench/ and print their markdown results (`make bench`).

Each script measures against a baseline in the same run and prints a markdown section; this
runs them one after another (never in parallel: they would disturb each other on 2 cores) and
writes the combined output to bench/out/latest.md. Copy what you keep into bench/RESULTS.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = [
    ["matcher.py"],
    ["attribution.py"],
    ["multisource_audit.py", "--markdown"],
    ["ocr_accuracy.py"],
    ["startup.py"],
    ["component_import.py", "100000", "1000000", "--big"],
    ["first_paint.py", str(BENCH / "out" / "paint.db")],
    ["photo_ingest.py", "--out", str(BENCH / "out" / "photos.md")],
    ["scale.py", str(BENCH / "out" / "scale.db"), "--generate"],
    ["witness.py"],
    ["team_bundles.py"],
    ["dossier.py"],
]


def main() -> None:
    (BENCH / "out").mkdir(exist_ok=True)
    sections = []
    for script, *args in SCRIPTS:
        print(f"== {script}", flush=True)
        result = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True)
        output = result.stdout if result.returncode == 0 else f"{script} failed:\n\n```\n{result.stderr[-2000:]}\n```\n"
        print(output, flush=True)
        sections.append(output)
    (BENCH / "out" / "latest.md").write_text("\n\n".join(sections), encoding="utf-8")
    print(f"wrote {BENCH / 'out' / 'latest.md'}")


if __name__ == "__main__":
    main()
