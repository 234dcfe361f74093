"""The evidence dossier of an item, as PDF and HTML: what it must show, read back from the files."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.components.summary import summarize
from fieldkit.evidence.photos import list_photos
from fieldkit.report.dossier import build_dossier
from tests.report_fixtures import CYRILLIC, HANGUL, khk_with_markings


@pytest.fixture(scope="module")
def khk(tmp_path_factory):
    return khk_with_markings(tmp_path_factory.mktemp("dossier"))


@pytest.fixture(scope="module")
def pdf_file(khk, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "KHK-0001.pdf"
    result = CliRunner().invoke(cli, ["--db", str(khk), "dossier", "KHK-0001", "--pdf", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {out}"
    return out


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def facts(path):
    catalog = open_catalog(path, actor="reader")
    try:
        return [p["sha256"] for p in list_photos(catalog, "KHK-0001")], summarize(catalog, "KHK-0001").report_line()
    finally:
        catalog.close()


def test_the_pdf_dossier_holds_the_hangul_and_cyrillic_markings_every_photo_hash_and_the_summary_line(khk, pdf_file):
    text = pdf_text(pdf_file)
    flat = re.sub(r"\s+", "", text)
    hashes, line = facts(khk)
    assert HANGUL in text
    assert CYRILLIC in text
    assert len(hashes) == 2
    for sha in hashes:
        assert sha in flat
    assert re.sub(r"\s+", "", line) in flat
    assert "Juche 112 = 2023" in text  # a reading, with its basis
    assert "dprk-juche-year-bare" in flat


def test_the_pdf_embeds_its_fonts_and_every_page_carries_ref_page_and_time(pdf_file):
    reader = PdfReader(pdf_file)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{descendant['/BaseFont']} is not embedded"
            fonts.add(str(descendant["/BaseFont"]).split("+")[-1])
    assert any(f.startswith("DejaVuSans") for f in fonts)  # Latin and Cyrillic
    assert any(f.startswith("NanumGothic") for f in fonts)  # Hangul
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert "KHK-0001" in text
        assert f"page {number} of {pages}" in text
        assert re.search(r"generated \d{4}-\d\d-\d\dT\d\d:\d\d", text)


def test_pdftoppm_renders_every_page_of_the_dossier(pdf_file, tmp_path):
    assert shutil.which("pdftoppm"), "poppler-utils must be installed (make deps)"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf_file), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(PdfReader(pdf_file).pages)
    from PIL import Image

    with Image.open(images[0]) as first:
        assert first.getextrema() != ((255, 255),) * 3  # not a blank page


def test_the_dossier_shows_each_marking_crop_cut_from_its_original(khk):
    catalog = open_catalog(khk, actor="reader")
    try:
        dossier = build_dossier(catalog, "KHK-0001")
    finally:
        catalog.close()
    from PIL import Image
    import io

    crops = {m.row["text"]: m.crop_png for m in dossier.markings}
    assert crops["112"] is None  # the example's marking has no photo
    with Image.open(io.BytesIO(crops[HANGUL])) as img:
        assert img.size == (400, 200)
    hangul = next(m for m in dossier.markings if m.row["text"] == HANGUL)
    assert hangul.row["ocr_text"] == "주체1l2" and hangul.row["engine"]["psm"] == 7


def test_the_chain_of_custody_records_the_audit_head_the_trail_and_a_verification(khk):
    catalog = open_catalog(khk, actor="reader")
    try:
        dossier = build_dossier(catalog, "KHK-0001")
        last_seq, last_hash = catalog.db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        component_rows = catalog.db.execute(
            "SELECT count(*) FROM components JOIN items ON items.id = components.item_id WHERE ref = 'KHK-0001'").fetchone()[0]
    finally:
        catalog.close()
    custody = dossier.custody
    assert custody.ok, custody.problems
    assert custody.head["seq"] == last_seq and custody.head["head"] == last_hash
    assert re.fullmatch(r"[0-9a-f-]{36}", custody.head["catalog_id"])
    tables = [a["table_name"] for a in custody.trail]
    # every component's arrival is in the trail: its own audit row, or the bulk import event that added it
    assert sum(a["rows"] for a in custody.trail if a["table_name"] == "components") == component_rows
    assert tables.count("markings") == 3 and tables.count("item_photos") == 2 and "items" in tables
    assert "2 photo original(s) re-hashed" in custody.verdict()


def test_a_dossier_says_when_a_photo_original_was_altered(tmp_path):
    path = khk_with_markings(tmp_path)
    catalog = open_catalog(path, actor="reader")
    photo = list_photos(catalog, "KHK-0001")[0]
    stored = catalog.photo_store / photo["stored_path"]
    stored.chmod(0o644)
    stored.write_bytes(stored.read_bytes() + b"tampered")
    try:
        dossier = build_dossier(catalog, "KHK-0001")
    finally:
        catalog.close()
    assert not dossier.custody.ok
    assert dossier.custody.verdict().startswith("NOT VERIFIED")
    assert photo["sha256"][:12] in dossier.custody.verdict()


def test_making_a_dossier_changes_nothing_in_the_catalog(khk, tmp_path):
    before = khk.read_bytes()
    out = tmp_path / "again.html"
    result = CliRunner().invoke(cli, ["--db", str(khk), "dossier", "KHK-0001", "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert khk.read_bytes() == before


def test_an_existing_file_is_not_replaced_without_force(khk, tmp_path):
    out = tmp_path / "d.pdf"
    out.write_bytes(b"keep me")
    result = CliRunner().invoke(cli, ["--db", str(khk), "dossier", "KHK-0001", "--pdf", str(out)])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "--force" in result.output
    assert out.read_bytes() == b"keep me"
    result = CliRunner().invoke(cli, ["--db", str(khk), "dossier", "KHK-0001", "--pdf", str(out), "--force"])
    assert result.exit_code == 0 and out.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("args, message", [
    (["dossier", "NOPE-1", "--pdf", "{tmp}/x.pdf"], "no item with ref 'NOPE-1'"),
    (["dossier", "KHK-0001", "--pdf", "{tmp}/x.txt"], "must end in .pdf"),
    (["dossier", "KHK-0001", "--html", "{tmp}/missing/x.html"], "does not exist"),
    (["report", "{tmp}/r.docx"], "ending in .pdf or .html"),
    (["report", "--item", "NOPE-1", "{tmp}/r.pdf"], "no item with ref 'NOPE-1'"),
])
def test_bad_input_is_one_line_and_exit_2(khk, tmp_path, args, message):
    result = CliRunner().invoke(cli, ["--db", str(khk), *[a.format(tmp=tmp_path) for a in args]])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("error: ")
    assert message in result.output
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob("*.html"))


def test_no_dossier_is_written_into_the_photo_store(khk):
    store = khk.with_name(khk.name + ".photos")
    result = CliRunner().invoke(cli, ["--db", str(khk), "dossier", "KHK-0001", "--html", str(store / "x.html")])
    assert result.exit_code == 2 and "photo store" in result.output
    assert not (store / "x.html").exists()


def test_hostile_text_in_the_html_dossier_stays_text(tmp_path):
    from fieldkit.catalog import items
    from fieldkit.report.html import dossier_html

    catalog = open_catalog(tmp_path / "c.db", actor='x"</style><script>alert(1)</script>')
    items.add_item(catalog, {"ref": "X-1", "category": "<script>alert(1)</script>", "notes": "<img src=http://example.com/a.png>"})
    html = dossier_html(build_dossier(catalog, "X-1"))
    catalog.close()
    assert "<script>" not in html
    assert "<img src=http" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_without_a_file_name_the_dossier_is_ref_pdf_here_and_a_ref_cannot_steer_it_elsewhere(tmp_path, monkeypatch):
    from fieldkit.catalog import items
    from fieldkit.report.files import file_stem

    catalog = open_catalog(tmp_path / "c.db", actor="t")
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    catalog.close()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "dossier", "KHK-0001"])
    assert result.exit_code == 0 and (tmp_path / "KHK-0001.pdf").read_bytes().startswith(b"%PDF-")
    assert file_stem("../../etc/x") == "_.._etc_x" and file_stem("a/b\x1b[31m") == "a_b__31m"


def test_a_dossier_of_a_catalog_with_unreadable_recorded_json_still_renders_and_says_so(tmp_path):
    import sqlite3

    path = khk_with_markings(tmp_path)
    catalog = open_catalog(path, actor="t")
    from fieldkit.evidence import provenance

    provenance.examine_unexamined(catalog, "KHK-0001")
    catalog.close()
    with sqlite3.connect(path) as conn:  # behind fieldkit's back
        conn.execute("UPDATE photo_provenance SET result_json = '{not json'")
        conn.execute("UPDATE audit SET after_json = '[1' WHERE seq = 1")
    catalog = open_catalog(path, actor="t")
    try:
        dossier = build_dossier(catalog, "KHK-0001")
    finally:
        catalog.close()
    from fieldkit.report.html import dossier_html

    html = dossier_html(dossier)
    assert "Content Credentials present but unreadable" in html
    assert not dossier.custody.ok  # the edited audit row breaks the chain


def test_the_dossier_shows_which_ocr_engines_reading_was_kept_and_why(tmp_path):
    from fieldkit.catalog import items
    from fieldkit.catalog.markings import add_marking
    from fieldkit.report.html import dossier_html
    from fieldkit.report.pdf import dossier_pdf

    catalog = open_catalog(tmp_path / "c.db", actor="t")
    items.add_item(catalog, {"ref": "X-1", "category": "rocket"})
    add_marking(catalog, "X-1", "9M22U 4-23", source="ocr", ocr_text="9M22U 4-23", engine={
        "name": "ppocr", "choice": "ppocr (as cropped): calibrated confidence 0.99; agrees with tesseract",
        "engines": [{"engine": "tesseract", "detail": "eng, psm 7", "text": "9M22U 4-23", "confidence": 91.0,
                     "calibrated": 0.87, "notes": []}]})
    add_marking(catalog, "X-1", "ОФ-462")  # typed: no OCR choice
    dossier = build_dossier(catalog, "X-1")
    catalog.close()
    html = dossier_html(dossier)
    assert html.count("<th>OCR choice</th>") == 1
    assert "ppocr&#39;s reading kept<br>basis: ppocr (as cropped): calibrated confidence 0.99; agrees with tesseract" in html
    assert "calibrated 0.87" in html
    out = tmp_path / "X-1.pdf"
    out.write_bytes(dossier_pdf(dossier))
    text = " ".join(pdf_text(out).split())
    assert "OCR choice ppocr's reading kept basis: ppocr (as cropped): calibrated confidence 0.99" in text
