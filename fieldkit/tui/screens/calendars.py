"""Calendars & date codes: convert calendar years, read years in marking text, read date codes.

Four panels, each updated as you type, the same core functions as `fieldkit year`,
`fieldkit years` and `fieldkit datecode`:

- a calendar year (calendar, era for Japanese, year) to its Gregorian date range;
- a Gregorian year to every year of a calendar that overlaps it;
- marking text (paste it) to every year reading in it, best first, with its basis;
- a component date code (and maker) to every reading of it.

Impossible input shows its one-line error in place; implausible years show warnings.
"""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Select, TextArea

from fieldkit.errors import FieldkitError
from fieldkit.markings.calendars import CALENDARS, ERAS, from_gregorian, plausibility_warnings, to_gregorian
from fieldkit.markings.datecodes import read_date_code
from fieldkit.markings.years import find_years
from fieldkit.tui.widgets.readings import ReadingsView
from fieldkit.tui.widgets.footer import FitFooter

CALENDAR_NAMES = {"juche": "Juche (DPRK)", "minguo": "Minguo (ROC)", "japanese": "Japanese era",
                  "solar-hijri": "Solar Hijri (Iran)", "thai": "Thai Buddhist Era", "gregorian": "Gregorian"}
CALENDAR_OPTIONS = [(CALENDAR_NAMES[c], c) for c in CALENDARS if c != "gregorian"] + [("Gregorian", "gregorian")]
ERA_OPTIONS = [(era.capitalize(), era) for era in reversed(ERAS)]  # Reiwa first


class CalendarsScreen(Screen):
    """Convert calendar years and read years and date codes, as you type."""

    HELP = """\
## Calendars & date codes

- **Calendar year → Gregorian**: pick the calendar (and the era for Japanese years), type the
  year: the Gregorian date range it covers. Juche 112 = 2023-01-01 – 2023-12-31.
- **Gregorian → calendar**: every year of a calendar that overlaps a Gregorian year (a Solar
  Hijri year straddles two Gregorian years).
- **Years in marking text**: paste the text of a marking; every way to read a year in it is
  listed, best first, with its basis. A bare number is never silently a year.
- **Date code**: a component's date code (e.g. 2310 = ISO week 10 of 2023) and, optionally,
  its maker; every reading is listed with its period and basis.

Same as `fieldkit year`, `fieldkit year --to`, `fieldkit years` and `fieldkit datecode`.
"""

    BINDINGS = [Binding("escape", "back", "Back", id="calendars.back")]

    def __init__(self, today: date | None = None) -> None:
        super().__init__()
        self.today = today  # None: the real today (tests fix it)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="cal-body"):
            yield Label("Calendar year → Gregorian", classes="cal-title")
            with Horizontal(classes="cal-row"):
                yield Select(CALENDAR_OPTIONS, value="juche", allow_blank=False, id="cal-calendar")
                yield Select(ERA_OPTIONS, value="reiwa", allow_blank=False, id="cal-era")
                yield Input(placeholder="year, e.g. 112", id="cal-year")
            yield ReadingsView(id="cal-year-result")

            yield Label("Gregorian → calendar", classes="cal-title")
            with Horizontal(classes="cal-row"):
                yield Select(CALENDAR_OPTIONS, value="juche", allow_blank=False, id="cal-to-calendar")
                yield Input(placeholder="Gregorian year, e.g. 2023", id="cal-gregorian")
            yield ReadingsView(id="cal-to-result")

            yield Label("Years in marking text", classes="cal-title")
            yield TextArea(id="cal-text", soft_wrap=True, show_line_numbers=False)
            yield ReadingsView(id="cal-text-result", empty="No year readings in this text.")

            yield Label("Component date code", classes="cal-title")
            with Horizontal(classes="cal-row"):
                yield Input(placeholder="date code, e.g. 2310", id="cal-code")
                yield Input(placeholder="manufacturer if known, e.g. TI", id="cal-maker")
            yield ReadingsView(id="cal-code-result")
        yield FitFooter()

    def on_mount(self) -> None:
        self.query_one("#cal-era").display = False
        self.update_year()
        self.update_to()
        self.update_text()
        self.update_code()
        self.query_one("#cal-year", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    # calendar year -> Gregorian ------------------------------------------------------

    @on(Select.Changed, "#cal-calendar")
    @on(Select.Changed, "#cal-era")
    @on(Input.Changed, "#cal-year")
    def update_year(self) -> None:
        calendar = self.query_one("#cal-calendar", Select).value
        era_select = self.query_one("#cal-era", Select)
        era_select.display = calendar == "japanese"
        era = era_select.value if calendar == "japanese" else None
        text = self.query_one("#cal-year", Input).value
        view = self.query_one("#cal-year-result", ReadingsView)
        if not text.strip():
            view.show_hint("Type a year to see the Gregorian date range it covers.")
            return
        try:
            span = to_gregorian(calendar, text, era)
        except FieldkitError as exc:
            view.show_error(str(exc))
            return
        view.show([span], plausibility_warnings(span, self.today))

    # Gregorian -> calendar -----------------------------------------------------------

    @on(Select.Changed, "#cal-to-calendar")
    @on(Input.Changed, "#cal-gregorian")
    def update_to(self) -> None:
        calendar = self.query_one("#cal-to-calendar", Select).value
        text = self.query_one("#cal-gregorian", Input).value
        view = self.query_one("#cal-to-result", ReadingsView)
        if not text.strip():
            view.show_hint("Type a Gregorian year to see every calendar year that overlaps it.")
            return
        try:
            spans = from_gregorian(calendar, text)
        except FieldkitError as exc:
            view.show_error(str(exc))
            return
        view.show(spans, [w for span in spans for w in plausibility_warnings(span, self.today)])

    # years in marking text ------------------------------------------------------------

    @on(TextArea.Changed, "#cal-text")
    def update_text(self) -> None:
        text = self.query_one("#cal-text", TextArea).text
        view = self.query_one("#cal-text-result", ReadingsView)
        if not text.strip():
            view.show_hint("Paste or type the text of a marking, e.g. 주체112.")
            return
        view.show(find_years(text, today=self.today))

    # date codes ---------------------------------------------------------------------

    @on(Input.Changed, "#cal-code")
    @on(Input.Changed, "#cal-maker")
    def update_code(self) -> None:
        code = self.query_one("#cal-code", Input).value
        maker = self.query_one("#cal-maker", Input).value.strip() or None
        view = self.query_one("#cal-code-result", ReadingsView)
        if not code.strip():
            view.show_hint("Type a component date code, e.g. 2310 (and its maker if known).")
            return
        try:
            readings = read_date_code(code, maker, today=self.today)
        except FieldkitError as exc:
            view.show_error(str(exc))
            return
        view.show(readings)
