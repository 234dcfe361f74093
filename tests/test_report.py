"""`fieldkit report`: a cover with the summary, a chart and the map of finds, then one section per item."""

from __future__ import annotations

import re

from click.testing import CliRunner
from pypdf import PdfReader

from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.components.summary import summarize
from fieldkit.report.dossier import build_report
from tests.report_fixtures import HANGUL, khk_with_markings


def text_of(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_a_pdf_report_of_every_item_has_the_cover_the_map_and_each_items_dossier(tmp_path):
    db = khk_with_markings(tmp_path)
    out = tmp_path / "report.pdf"
    result = CliRunner().invoke(cli, ["--db", str(db), "report", "--all", str(out)])
    assert result.exit_code == 0, result.output
    text = text_of(out)
    catalog = open_catalog(db, actor="reader")
    line = summarize(catalog).report_line()
    catalog.close()
    assert re.sub(r"\s+", "", line) in re.sub(r"\s+", "", text)
    assert "Map of finds" in text and "3 find(s) with a location" in text
    for ref in ("EX-0002", "EX-0003", "KHK-0001"):
        assert f"Evidence dossier: {ref}" in text
    assert HANGUL in text


def test_a_report_of_chosen_items_covers_only_them_and_sums_their_components(tmp_path):
    db = khk_with_markings(tmp_path)
    catalog = open_catalog(db, actor="reader")
    try:
        report = build_report(catalog, ["EX-0002", "KHK-0001"])
        khk = summarize(catalog, "KHK-0001")
    finally:
        catalog.close()
    assert [d.ref for d in report.dossiers] == ["EX-0002", "KHK-0001"]
    assert [f["ref"] for f in report.finds] == ["EX-0002", "KHK-0001"]
    # EX-0002 has no components, so the selection's counts are KHK-0001's
    assert report.summary.parts == khk.parts
    assert [(c.country, c.parts) for c in report.summary.by_country] == [(c.country, c.parts) for c in khk.by_country]
    assert report.summary.newest == khk.newest
    out = tmp_path / "two.html"
    assert CliRunner().invoke(cli, ["--db", str(db), "report", "--item", "EX-0002", "--item", "KHK-0001", str(out)]).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "Evidence dossier: KHK-0001" in html and "Evidence dossier: EX-0003" not in html


def test_the_summary_of_two_items_adds_their_counts_and_keeps_the_newest_date_code(tmp_path):
    from fieldkit.catalog.components import add_component
    from fieldkit.report.dossier import merge_summaries

    db = khk_with_markings(tmp_path)
    catalog = open_catalog(db, actor="t")
    try:
        add_component(catalog, "EX-0002", {"part_number": "ADXL345", "date_code": "2440", "quantity": 3})
        add_component(catalog, "EX-0002", {"part_number": "XYZ-1"})
        a, b = summarize(catalog, "EX-0002"), summarize(catalog, "KHK-0001")
    finally:
        catalog.close()
    merged = merge_summaries([a, b], "EX-0002, KHK-0001")
    assert merged.parts == a.parts + b.parts == 4 + b.parts
    us = {c.country: c.parts for c in merged.by_country}["US"]
    assert us == 3 + {c.country: c.parts for c in b.by_country}["US"]
    assert abs(sum(c.share for c in merged.by_country) + merged.parts_without_country / merged.parts - 1) < 1e-9
    assert merged.newest.code == "2440"  # EX-0002's code is the newest of both
    assert merged.report_line().startswith(f"{merged.parts} components from {merged.firms} firms")
