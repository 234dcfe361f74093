"""The dossier and the catalog report as one self-contained HTML file (Jinja2).

Jinja2 is the template engine Flask and Datasette use: autoescaping keeps hostile text (a marking
or caption holding `<script>`) inert. Every image is inlined as a data: URI, the style is in the
page, there is no script, and a Content-Security-Policy forbids any request, so the file opens
offline and never reaches the network.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache

from fieldkit.evidence.provenance import describe as provenance_rows
from fieldkit.report.charts import country_bars
from fieldkit.report.dossier import Dossier, Report
from fieldkit.report.mapsvg import map_note, map_svg


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("fieldkit.report", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    env.globals["provenance_rows"] = provenance_rows
    return env


def css_text(text: str) -> str:
    """Text safe inside a CSS string in a <style> element (no quote, backslash, '<' or control)."""
    return re.sub(r'["\\<>\x00-\x1f\x7f]', " ", text)


def _render(title: str, footer: str, dossiers: list[Dossier], head: dict, generated_at: str, cover=None) -> str:
    for d in dossiers:
        d.bars = country_bars(d.summary)  # type: ignore[attr-defined]
    from markupsafe import Markup

    return _environment().get_template("report.html.j2").render(
        title=title, footer=Markup(css_text(footer)), dossiers=dossiers, head=head,
        generated_at=generated_at, cover=cover,
    )


def dossier_html(dossier: Dossier) -> str:
    """The HTML dossier of one item."""
    footer = f"{dossier.ref} · generated {dossier.generated_at}"
    return _render(f"Evidence dossier {dossier.ref}", footer, [dossier], dossier.custody.head, dossier.generated_at)


def report_html(report: Report) -> str:
    """The HTML report: a cover with the summary, charts and map of finds, then one section per item."""
    cover = {
        "count": len(report.dossiers),
        "summary_line": report.summary.report_line(),
        "bars": country_bars(report.summary),
        "map_svg": map_svg(report.finds),
        "map_note": map_note(report.finds),
        "finds": report.finds,
    }
    footer = f"{report.title} · generated {report.generated_at}"
    return _render(report.title, footer, report.dossiers, report.custody_head, report.generated_at, cover)
