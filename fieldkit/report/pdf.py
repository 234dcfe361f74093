"""The dossier and the catalog report as PDF (fpdf2), with the fonts embedded.

fpdf2 is pure Python, actively maintained, embeds and subsets TrueType fonts, shapes text with a
fallback font per glyph, tables that break across pages, and draws SVG, so it needs nothing
outside the venv but the fonts. Latin and Cyrillic are set in DejaVu Sans, Hangul in Nanum
Gothic (fallback), both from Debian (fonts-dejavu-core, fonts-nanum). Every page carries the
item ref (or the report title), the page number and the generation time.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from fieldkit.errors import FieldkitError
from fieldkit.evidence.provenance import describe as provenance_rows
from fieldkit.report.charts import Bar, country_bars
from fieldkit.report.dossier import Dossier, Report
from fieldkit.report.mapsvg import map_note, map_svg

FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts")
FONTS = {  # family, style -> file name (searched in FONT_DIRS, one level of subfolders)
    ("body", ""): "DejaVuSans.ttf",
    ("body", "B"): "DejaVuSans-Bold.ttf",
    ("hangul", ""): "NanumGothic.ttf",  # also serves bold Hangul: one font less to load
}
INSTALL_HINT = "install them with: sudo apt-get install fonts-dejavu-core fonts-nanum"


def find_font(name: str) -> Path:
    for base in FONT_DIRS:
        for candidate in (base / name, *base.glob(f"*/{name}")):
            if candidate.is_file():
                return candidate
    raise FieldkitError(f"the font {name} that PDF dossiers embed was not found; {INSTALL_HINT}")


def _new_pdf(running_head: str, generated_at: str):
    import logging

    from fpdf import FPDF

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # it lists tables it drops, on stderr

    class DossierPDF(FPDF):
        head = running_head

        def header(self) -> None:
            self.set_font("body", "", 7.5)
            self.set_text_color(90)
            self.cell(0, 5, self.head, align="L")
            self.cell(0, 5, f"generated {generated_at}", align="R", new_x="LMARGIN", new_y="NEXT")
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(3)
            self.set_text_color(0)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("body", "", 7.5)
            self.set_text_color(90)
            self.cell(0, 5, self.head, align="L")
            self.cell(0, 5, f"page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(0)

    pdf = DossierPDF(format="A4")
    pdf.set_margins(14, 14, 14)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(running_head)
    pdf.set_creator("fieldkit")
    for (family, style), name in FONTS.items():
        pdf.add_font(family, style, str(find_font(name)))
    pdf.set_fallback_fonts(["hangul"], exact_match=False)
    pdf.set_font("body", "", 9)
    return pdf


def _h1(pdf, text: str) -> None:
    pdf.set_font("body", "B", 14)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("body", "", 9)


def _h2(pdf, text: str) -> None:
    if pdf.get_y() > pdf.h - 40:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("body", "B", 11.5)
    pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1.5)
    pdf.set_font("body", "", 9)


def _para(pdf, text: str, *, bold: bool = False, size: float = 9) -> None:
    pdf.set_font("body", "B" if bold else "", size)
    pdf.multi_cell(0, 4.6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", "", 9)


def _fields(pdf, rows: list[tuple[str, str]], mono: set[str] = frozenset()) -> None:
    pdf.set_font("body", "", 8.5)
    with pdf.table(col_widths=(28, 72), text_align="LEFT", first_row_as_headings=False, line_height=4.2,
                   padding=1) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label)
            if label in mono:
                pdf.set_font("body", "", 7)
            row.cell(value)
            pdf.set_font("body", "", 8.5)
    pdf.set_font("body", "", 9)


def _table(pdf, header: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...], size: float = 7.5) -> None:
    """A bordered table; `widths` are shares of the page width. A cell wraps only when its text
    does not fit on one line (fpdf2's own table wraps every cell, which takes seconds for a
    few hundred rows); the header is repeated on each new page."""
    pad, line = 0.8, size * 0.45
    total = sum(widths)
    cols = [pdf.epw * w / total for w in widths]

    def lines(text: str, width: float) -> list[str]:
        if pdf.get_string_width(text) <= width - 2 * pad:
            return [text]
        return pdf.multi_cell(width - 2 * pad, line, text, dry_run=True, output="LINES", padding=0)

    def draw(values, bold: bool) -> None:
        pdf.set_font("body", "B" if bold else "", size)
        wrapped = [lines(v, w) for v, w in zip(values, cols)]
        height = max(len(w) for w in wrapped) * line + 2 * pad
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            if not bold:
                draw(header, True)
                pdf.set_font("body", "", size)
        x, y = pdf.l_margin, pdf.get_y()
        for texts, width in zip(wrapped, cols):
            if bold:
                pdf.set_fill_color(235)
                pdf.rect(x, y, width, height, style="DF")
            else:
                pdf.rect(x, y, width, height)
            for n, text in enumerate(texts):
                pdf.set_xy(x + pad, y + pad + n * line)
                pdf.cell(width - 2 * pad, line, text)
            x += width
        pdf.set_xy(pdf.l_margin, y + height)

    draw(header, True)
    for values in rows:
        draw(values, False)
    pdf.set_fill_color(255)
    pdf.set_font("body", "", 9)


def _bars(pdf, bars: list[Bar]) -> None:
    if not bars:
        _para(pdf, "no components recorded")
        return
    label_w, num_w, bar_w = 55, 22, pdf.epw - 77
    pdf.set_font("body", "", 8)
    for bar in bars:
        if pdf.get_y() > pdf.h - 24:
            pdf.add_page()
        y = pdf.get_y()
        pdf.cell(label_w, 5, bar.label)
        pdf.cell(num_w, 5, f"{bar.parts}  {bar.share * 100:.1f}%", align="R")
        pdf.set_fill_color(44, 110, 155)
        pdf.rect(pdf.l_margin + label_w + num_w + 2, y + 1, max(bar_w * bar.fraction - 2, 0.3), 3, style="F")
        pdf.ln(5)
    pdf.set_fill_color(255)
    pdf.set_font("body", "", 9)


def _image(pdf, data: bytes, max_w: float, max_h: float) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        w_px, h_px = img.size
    scale = min(max_w / w_px, max_h / h_px)
    w, h = w_px * scale, h_px * scale
    if pdf.get_y() + h > pdf.h - 18:
        pdf.add_page()
    pdf.image(io.BytesIO(data), x=pdf.l_margin, y=pdf.get_y(), w=w, h=h)
    pdf.set_y(pdf.get_y() + h + 1.5)


def _dossier(pdf, d: Dossier) -> None:
    pdf.head = f"Evidence dossier {d.ref}"
    pdf.add_page()
    _h1(pdf, f"Evidence dossier: {d.ref}" + (f" · {d.item['designation']}" if d.item.get("designation") else ""))
    _fields(pdf, d.fields())

    _h2(pdf, "Summary of components")
    _para(pdf, d.summary.report_line(), bold=True)
    pdf.ln(1)
    _bars(pdf, country_bars(d.summary))

    _h2(pdf, f"Photos ({len(d.photos)})")
    for n, p in enumerate(d.photos, 1):
        row = p.row
        if pdf.get_y() > pdf.h - 110:  # keep a photo's title with the photo
            pdf.add_page()
        _para(pdf, f"Photo {n}: {row.get('original_name') or ''}" + (f" · {row['caption']}" if row.get("caption") else ""), bold=True)
        if p.jpeg:
            _image(pdf, p.jpeg, pdf.epw * 0.7, 85)
        else:
            _para(pdf, "The stored original could not be read.", bold=True)
        gps = f"{row['gps_lat']:.6f}, {row['gps_lon']:.6f}" if row.get("gps_lat") is not None else "none"
        camera = " ".join(v for v in (row.get("camera_make"), row.get("camera_model")) if v) or "not recorded"
        _fields(pdf, [
            ("SHA-256", row["sha256"]),
            ("Size", f"{row['size']} bytes · {row.get('width')}×{row.get('height')} {row.get('format')}"),
            ("Capture time (EXIF)", row.get("exif_time") or "none recorded"),
            ("GPS", gps), ("Camera", camera), ("Added", f"{row['added_at']} by {row.get('added_by')}"),
            *provenance_rows(p.provenance),
        ], mono={"SHA-256"})
        pdf.ln(2)

    _h2(pdf, f"Markings ({len(d.markings)})")
    for n, m in enumerate(d.markings, 1):
        row = m.row
        _para(pdf, f"Marking {n}: {row['text']}", bold=True)
        if m.crop_png:
            _image(pdf, m.crop_png, pdf.epw, 45)
        rows = [("Text (corrected)", row["text"]),
                ("Read by", row["source"] + (f" · confidence {row['confidence']:.2f}" if row.get("confidence") is not None else ""))]
        if row.get("ocr_text"):
            rows.append(("Raw OCR reading", row["ocr_text"]))
        if row.get("engine"):
            rows.append(("Engine settings", json.dumps(row["engine"], ensure_ascii=False, sort_keys=True)))
        if m.ocr_choice:
            rows.append(("OCR choice", "\n".join(m.ocr_choice)))
        if row.get("photo_sha256"):
            crop = (f" · crop x={row['crop_x']} y={row['crop_y']} w={row['crop_w']} h={row['crop_h']}"
                    if row.get("crop_w") else "")
            rows.append(("From photo", row["photo_sha256"] + crop))
        _fields(pdf, rows, mono={"From photo"})
        readings = [(r["reading"], r["kind"], r["basis"]) for r in m.readings] or [("no reading in the reference tables", "", "")]
        _table(pdf, ("Reading", "Kind", "Basis"), readings, (30, 12, 58))
        pdf.ln(2)

    _h2(pdf, f"Components ({len(d.components)} rows)")
    if d.components:
        bases: dict[str, int] = {}  # the same basis (e.g. one brand alias) is stated once, as a note
        rows = []
        for c in d.components:
            basis = c["attribution"].get("basis") or c["attribution"].get("source") or ""
            note = bases.setdefault(basis, len(bases) + 1) if basis else ""
            rows.append((c["part_number"], c.get("manufacturer") or "", c.get("country") or "", c.get("type") or "",
                         c.get("date_code") or "", f"{c['date_start']} to {c['date_end']}" if c.get("date_start") else "",
                         str(c["quantity"]), f"[{note}]" if note else ""))
        _table(pdf, ("Part number", "Manufacturer", "Ctry", "Type", "Date code", "Period", "Qty", "Basis"), rows,
               (20, 22, 6, 16, 9, 24, 5, 7), size=7)
        _para(pdf, "Attribution bases", bold=True, size=8)
        _table(pdf, ("Note", "Basis of attribution"), [(f"[{n}]", basis) for basis, n in bases.items()], (7, 93), size=7)
    else:
        _para(pdf, "none recorded")

    _h2(pdf, "Chain of custody")
    _para(pdf, d.custody.verdict(), bold=True)
    _head(pdf, d.custody.head)
    _para(pdf, f"Audit trail ({len(d.custody.trail)} entries)", bold=True)
    _table(pdf, ("Seq", "When (UTC)", "Who", "Action", "Table", "What"), [
        (str(a["seq"]), a["at"], a["actor"], a["action"], a["table_name"], a["what"]) for a in d.custody.trail
    ], (6, 19, 11, 8, 11, 45), size=6.5)


def _head(pdf, head: dict) -> None:
    _fields(pdf, [
        ("Catalog id", str(head.get("catalog_id"))),
        ("Audit head", f"seq {head['seq']} · fingerprint {head['fingerprint']} · {head['head']}"),
        ("fieldkit version", head["fieldkit_version"]),
        ("Reference tables", head["reference_version"]),
    ], mono={"Audit head", "Reference tables"})


def dossier_pdf(dossier: Dossier) -> bytes:
    """The PDF dossier of one item."""
    pdf = _new_pdf(f"Evidence dossier {dossier.ref}", dossier.generated_at)
    _dossier(pdf, dossier)
    return bytes(pdf.output())


def report_pdf(report: Report) -> bytes:
    """The PDF report: a cover with the summary, chart and map of finds, then one section per item."""
    pdf = _new_pdf(report.title, report.generated_at)
    pdf.add_page()
    _h1(pdf, report.title)
    _para(pdf, f"{len(report.dossiers)} item(s). Generated {report.generated_at} by fieldkit {report.custody_head['fieldkit_version']}.")
    _para(pdf, report.summary.report_line(), bold=True)
    _h2(pdf, "Components by country")
    _bars(pdf, country_bars(report.summary))
    _h2(pdf, "Map of finds")
    svg = map_svg(report.finds).encode("utf-8")
    if pdf.get_y() + pdf.epw * 0.5625 > pdf.h - 18:
        pdf.add_page()
    pdf.image(io.BytesIO(svg), x=pdf.l_margin, y=pdf.get_y(), w=pdf.epw)
    pdf.set_y(pdf.get_y() + pdf.epw * 450 / 800 + 1)
    _para(pdf, map_note(report.finds), size=7.5)
    if report.finds:
        _table(pdf, ("#", "Ref", "Category", "Designation", "Found", "Place", "Lat, lon", "From"), [
            (str(n), f["ref"], f["category"] or "", f["designation"] or "", f["found_on"] or "", f["place"] or "",
             f"{f['lat']:.5f}, {f['lon']:.5f}", f["location_from"]) for n, f in enumerate(report.finds, 1)
        ], (4, 12, 14, 18, 11, 18, 15, 8))
    _h2(pdf, "Chain of custody of the catalog")
    _head(pdf, report.custody_head)
    for d in report.dossiers:
        _dossier(pdf, d)
    return bytes(pdf.output())
