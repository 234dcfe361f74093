"""Writing dossiers and reports to disk: which renderer for which file, atomically, never over evidence.

A file is written beside its destination, fsynced and renamed over it, so a crash leaves the old
file or the new one. An existing file is replaced only when asked (`force`), and nothing is ever
written inside a catalog's photo store.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from fieldkit.catalog.db import Catalog
from fieldkit.errors import ValidationError
from fieldkit.paths import expand_user, refuse_special

Progress = Callable[[int, int], None]
KINDS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def file_stem(ref: str) -> str:
    """A file name stem made from an item ref: no folder separators, no leading dot, no controls."""
    return re.sub(r"[^\w.-]", "_", ref).lstrip(".") or "item"


def kind_of(path: Path) -> str:
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise ValidationError(f"{path.name}: give a file name ending in .pdf or .html")
    return kind


def check_destination(catalog: Catalog, path: Path, *, force: bool = False) -> Path:
    """Refuse a destination that exists (unless `force`), is a folder, a device or a pipe, has no folder,
    or is in the photo store."""
    path = expand_user(path)
    refuse_special(path)  # even with force: never replace a device
    if path.is_dir():
        raise ValidationError(f"{path} is a folder; give a file name ending in .pdf or .html")
    if not path.parent.is_dir():
        raise ValidationError(f"the folder {path.parent} does not exist; create it or choose another")
    if catalog.path is not None:
        store = catalog.photo_store.resolve()
        if path.parent.resolve() == store or store in path.parent.resolve().parents:
            raise ValidationError(f"{path} is inside the photo store, which holds only originals; write elsewhere")
    if (path.exists() or path.is_symlink()) and not force:
        raise ValidationError(f"{path} already exists; choose another name or pass --force to replace it")
    return path


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (a symlink at `path` is replaced, never followed; a device or
    a pipe is refused)."""
    refuse_special(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_dossier(catalog: Catalog, ref: str, outputs: list[Path], *, force: bool = False,
                  progress: Progress | None = None) -> list[Path]:
    """Render the dossier of `ref` to each of `outputs` (.pdf or .html); returns the paths written.

    `progress(done, total)` is called after the dossier is gathered and after each file is written.
    """
    from fieldkit.report.dossier import build_dossier

    targets = [(check_destination(catalog, p, force=force), kind_of(Path(p))) for p in outputs]
    step = _stepper(progress, 1 + len(targets))
    dossier = build_dossier(catalog, ref)
    step()
    for path, kind in targets:
        if kind == "pdf":
            from fieldkit.report.pdf import dossier_pdf

            write_bytes(path, dossier_pdf(dossier))
        else:
            from fieldkit.report.html import dossier_html

            write_bytes(path, dossier_html(dossier).encode("utf-8"))
        step()
    return [p for p, _ in targets]


def write_report(catalog: Catalog, refs: list[str] | None, out: Path, *, force: bool = False,
                 progress: Progress | None = None) -> Path:
    """Render the report of `refs` (every item when None) to `out` (.pdf or .html).

    `progress(done, total)` is called after each item is gathered and once the file is written.
    """
    from fieldkit.catalog.items import get_item
    from fieldkit.report.dossier import build_report

    path, kind = check_destination(catalog, out, force=force), kind_of(Path(out))
    for ref in refs or []:
        get_item(catalog, ref)  # an unknown ref is bad input, before any work
    count = len(refs) if refs is not None else catalog.db["items"].count
    step = _stepper(progress, count + 1)
    report = build_report(catalog, refs, progress=lambda done, total: step())
    if kind == "pdf":
        from fieldkit.report.pdf import report_pdf

        write_bytes(path, report_pdf(report))
    else:
        from fieldkit.report.html import report_html

        write_bytes(path, report_html(report).encode("utf-8"))
    step()
    return path


def _stepper(progress: Progress | None, total: int) -> Callable[[], None]:
    """A function that reports one more step of `total` to `progress` each time it is called."""
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total), total)

    return step
