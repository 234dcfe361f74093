"""The components summary as files for a report: summary.csv and summary.json, written atomically."""

from __future__ import annotations

import json
from pathlib import Path

from fieldkit.components.summary import Summary
from fieldkit.errors import FieldkitError
from fieldkit.export.csv import write_text
from fieldkit.paths import expand_user


SUMMARY_FILES = ("summary.csv", "summary.json")


def summary_files_in(outdir: Path) -> list[str]:
    """The files of an earlier summary export in `outdir` that a new one would replace."""
    return [name for name in SUMMARY_FILES if (Path(outdir) / name).exists()]


def export_summary(summary: Summary, outdir: Path | str) -> list[Path]:
    """Write summary.csv (spreadsheet-safe) and summary.json to `outdir`."""
    outdir = expand_user(outdir)
    paths = [outdir / name for name in SUMMARY_FILES]
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        write_text(paths[0], summary.to_csv())
        write_text(paths[1], json.dumps(summary.to_json(), ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        raise FieldkitError(f"cannot write the summary to {outdir}: {exc.strerror}; choose another folder") from None
    return paths
