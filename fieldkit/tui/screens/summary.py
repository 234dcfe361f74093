"""The components summary screen: shares by country and by firm as bars, date codes by year, the report line.

Opened with `s` on the catalog screen (the whole catalog) or `ctrl+g` in an item's Components tab
(that item). The counting runs in a thread worker (components.summary does it in SQL).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from fieldkit.components.summary import UNKNOWN_COUNTRY, UNKNOWN_FIRM, Summary, summarize
from fieldkit.errors import FieldkitError
from fieldkit.export.summary import export_summary, summary_files_in
from fieldkit.tui.screens.export import ExportScreen
from fieldkit.tui.widgets.footer import FitFooter

BAR_WIDTH = 14
TOP_FIRMS = 12
EIGHTHS = " ▏▎▍▌▋▊▉"  # partial blocks, 1/8 to 7/8 of a cell


def bar_chart(rows: list[tuple[str, int]], total: int, *, width: int = BAR_WIDTH, label_width: int = 18) -> Text:
    """Horizontal bars, one line each: label, bar scaled to the largest value, count and share of `total`."""
    if not rows:
        return Text("nothing to show", style="dim")
    largest = max(value for _, value in rows) or 1
    lines = []
    for label, value in rows:
        eighths = max(1, round(8 * width * value / largest)) if value else 0  # a part never draws as nothing
        bar = "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")
        line = Text(f"{label[:label_width]:<{label_width}} ")
        line.append(bar, style="bold cyan")
        line.append(" " * (width - len(bar)))
        share = f" {value:>6}  {value / total * 100:5.1f}%" if total else f" {value:>6}"
        line.append(share)
        lines.append(line)
    return Text("\n").join(lines)


class SummaryScreen(Screen):
    """What the components say: how many, whose, from where, and when."""

    HELP = """\
## Components summary

Parts (counting quantities), firms (brands folded through the manufacturers table) and
countries; shares by country and by firm; date codes by year; and the earliest date the
item can have been assembled: the first day of the period of its newest date code.
"""

    BINDINGS = [
        Binding("escape", "close", "Back", id="summary.back"),
        Binding("r", "refresh", "Refresh", id="summary.refresh"),
        Binding("x", "export", "Export", id="summary.export", tooltip="Write summary.csv and summary.json to a folder"),
    ]

    class Computed(Message):
        def __init__(self, summary: Summary):
            super().__init__()
            self.summary = summary

    def __init__(self, ref: str | None = None):
        super().__init__()
        self.ref = ref

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary-body"):
            yield Static("Counting…", id="summary-report")
            with Horizontal(id="summary-charts"):
                yield Static("", id="chart-country", classes="chart")
                yield Static("", id="chart-firm", classes="chart")
            yield Static("", id="chart-years", classes="chart")
        yield FitFooter()

    def on_mount(self) -> None:
        self.sub_title = f"Components of {self.ref}" if self.ref else "Components of the whole catalog"
        self.action_refresh()

    def action_refresh(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True, group="summary")
    def compute(self) -> None:
        try:
            summary = summarize(self.app.catalog, self.ref)
        except FieldkitError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.post_message(self.Computed(summary))

    @on(Computed)
    def show(self, message: Computed) -> None:
        s = message.summary
        self.query_one("#summary-report", Static).update(Text(s.report_line(), style="bold"))
        countries = [(f"{c.country} {c.name}", c.parts) for c in s.by_country]
        if s.parts_without_country:
            countries.append((UNKNOWN_COUNTRY, s.parts_without_country))
        firms = [(f.firm, f.parts) for f in s.by_firm[:TOP_FIRMS]]
        if len(s.by_firm) > TOP_FIRMS:
            firms.append((f"{len(s.by_firm) - TOP_FIRMS} more firms", sum(f.parts for f in s.by_firm[TOP_FIRMS:])))
        if s.unattributed_parts:
            firms.append((UNKNOWN_FIRM, s.unattributed_parts))
        self.query_one("#chart-country", Static).update(Text("By country\n", style="bold") + bar_chart(countries, s.parts))
        self.query_one("#chart-firm", Static).update(Text("By firm\n", style="bold") + bar_chart(firms, s.parts))
        years = [(str(y), n) for y, n in s.by_year]
        if s.uncertain_year_parts:
            years.append(("year uncertain", s.uncertain_year_parts))
        title = Text(f"Date codes by year ({s.dated_parts} dated, {s.undated_parts} undated)\n", style="bold")
        self.query_one("#chart-years", Static).update(title + bar_chart(years, s.dated_parts, label_width=14))

    def action_export(self) -> None:
        def write(outdir) -> str:
            paths = export_summary(summarize(self.app.catalog, self.ref), outdir)
            return "wrote " + " and ".join(str(p) for p in paths)

        self.app.push_screen(ExportScreen("Write the summary (CSV and JSON) to the folder:", write, stem="summary",
                                          replaces=summary_files_in))

    def action_close(self) -> None:
        self.dismiss()
