"""The components summary as files for a report: summary.csv and summary.json, written atomically."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from fieldkit.components.summary import Summary
from fieldkit.errors import FieldkitError
from fieldkit.export.csv import guard_cell, write_text


def export_summary(summary: Summary, outdir: Path | str) -> list[Path]:
    """Write summary.csv (spreadsheet-safe, as `export csv`) and summary.json to `outdir`."""
    outdir = Path(outdir).expanduser()
    rows = list(csv.reader(io.StringIO(summary.to_csv(), newline="")))
    guarded = io.StringIO(newline="")
    csv.writer(guarded).writerows([[guard_cell(cell) for cell in row] for row in rows])
    paths = [outdir / "summary.csv", outdir / "summary.json"]
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        write_text(paths[0], guarded.getvalue())
        write_text(paths[1], json.dumps(summary.to_json(), ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        raise FieldkitError(f"cannot write the summary to {outdir}: {exc.strerror}; choose another folder") from None
    return paths
