"""`fieldkit dossier REF` and `fieldkit report`: the evidence dossier of an item, and a report of several."""

from __future__ import annotations

from pathlib import Path

import click

from fieldkit.cli.base import UserPath, echo, pass_state
from fieldkit.errors import ValidationError

FILE = UserPath(path_type=Path, dir_okay=False)


@click.command()
@click.argument("ref")
@click.option("--pdf", "pdf_path", type=FILE, help="Write the dossier as PDF to this file.")
@click.option("--html", "html_path", type=FILE, help="Write the dossier as one self-contained HTML file.")
@click.option("--force", is_flag=True, help="Replace a file that already exists.")
@pass_state
def dossier(state, ref: str, pdf_path: Path | None, html_path: Path | None, force: bool) -> None:
    """Write the evidence dossier of item REF (PDF and/or HTML; default REF.pdf here)."""
    from fieldkit.report.files import file_stem, write_dossier

    outputs = [p for p in (pdf_path, html_path) if p is not None] or [Path(f"{file_stem(ref)}.pdf")]
    if pdf_path is not None and pdf_path.suffix.lower() != ".pdf":
        raise ValidationError(f"--pdf {pdf_path}: the file name must end in .pdf")
    if html_path is not None and html_path.suffix.lower() not in (".html", ".htm"):
        raise ValidationError(f"--html {html_path}: the file name must end in .html")
    for path in write_dossier(state.catalog(read_only=True), ref, outputs, force=force):
        echo(f"wrote {path}")


@click.command()
@click.argument("out", type=FILE)
@click.option("--item", "refs", multiple=True, help="An item to include (repeat for several).")
@click.option("--all", "everything", is_flag=True, help="Include every item (the default when no --item is given).")
@click.option("--force", is_flag=True, help="Replace a file that already exists.")
@pass_state
def report(state, out: Path, refs: tuple[str, ...], everything: bool, force: bool) -> None:
    """Write a report of several items to OUT (.pdf or .html): cover summary, charts, map of finds, one section per item."""
    from fieldkit.report.files import write_report

    if refs and everything:
        raise ValidationError("give either --item REF (one or more) or --all, not both")
    path = write_report(state.catalog(read_only=True), list(refs) or None, out, force=force)
    echo(f"wrote {path}")
