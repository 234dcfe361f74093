"""Year and date-code readings rendered as Rich text: the reading, its Gregorian range, its basis.

Wherever a marking or a component is shown, show what was read from it this way:

    from fieldkit.tui.widgets.readings import ReadingsView, readings_text

    view = ReadingsView(id="marking-years")            # a Static; yield it in compose()
    view.show(find_years(marking_text))                # or read_date_code(code), or []
    view.show_error("date code 'abc' cannot be read")  # a one-line error instead

    label.update(readings_text(readings))              # or just the Rich Text, anywhere

Each reading is one line, best first (the order given), e.g.

    1. Juche 112  2023-01-01 – 2023-12-31  주체112 · explicit 주체 prefix
    1. YYWW  2023-03-06 – 2023-03-12  ISO week 10 of 2023 · YYWW (two-digit year, ISO week) ...

Readings are `YearReading` (fieldkit.markings.years), `DateCodeReading`
(fieldkit.markings.datecodes) or `YearSpan` (fieldkit.markings.calendars); they may be mixed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rich.text import Text
from textual.widgets import Static

from fieldkit.markings.calendars import YearSpan
from fieldkit.markings.datecodes import DateCodeReading
from fieldkit.markings.years import YearReading

Reading = YearReading | DateCodeReading | YearSpan

RANGE_STYLE = "bold"
BASIS_STYLE = "dim"
WARNING_STYLE = "yellow"
ERROR_STYLE = "bold red"


def date_range(start: date, end: date) -> str:
    """"2023-01-01 – 2023-12-31" (an en dash between ISO dates)."""
    return f"{start.isoformat()} – {end.isoformat()}"


def reading_name(reading: Reading) -> str:
    """What the reading says the text is: "Juche 112", "Reiwa 1", "Gregorian 2023", "YYWW"."""
    if isinstance(reading, DateCodeReading):
        return reading.form
    span = reading.span() if isinstance(reading, YearReading) else reading
    return "Gregorian " + str(span.year) if span.calendar == "gregorian" else span.label()


def reading_range(reading: Reading) -> tuple[date, date]:
    """The inclusive Gregorian date range a reading stands for."""
    if isinstance(reading, YearReading):
        return reading.gregorian_start, reading.gregorian_end
    return reading.start, reading.end


def reading_line(reading: Reading, number: int | None = None) -> Text:
    """One reading on one line: [number.] name, Gregorian range, then what was read and why."""
    line = Text()
    if number is not None:
        line.append(f"{number}. ", style=BASIS_STYLE)
    line.append(reading_name(reading), style="bold")
    line.append("  ")
    line.append(date_range(*reading_range(reading)), style=RANGE_STYLE)
    if isinstance(reading, YearReading):
        line.append("  ")
        line.append(reading.text)
        line.append(f" · {reading.basis}", style=BASIS_STYLE)
    elif isinstance(reading, DateCodeReading):
        line.append("  ")
        line.append(reading.label or reading.code)
        line.append(f" · {reading.basis}", style=BASIS_STYLE)
    return line


def readings_text(readings: Iterable[Reading], *, empty: str = "No readings.", numbered: bool = True) -> Text:
    """Every reading, one per line in the order given (best first), or `empty` (dimmed) if none."""
    readings = list(readings)
    if not readings:
        return Text(empty, style=BASIS_STYLE)
    lines = [reading_line(r, i if numbered else None) for i, r in enumerate(readings, 1)]
    return Text("\n").join(lines)


def warnings_text(warnings: Iterable[str]) -> Text:
    """Warning lines ("⚠ ..."), for plausibility warnings under a reading."""
    return Text("\n").join(Text(f"⚠ {w}", style=WARNING_STYLE) for w in warnings)


def error_text(message: str) -> Text:
    """A one-line error shown in place of readings."""
    return Text(f"✗ {message}", style=ERROR_STYLE)


class ReadingsView(Static):
    """A Static that lists readings (see `readings_text`) or shows a one-line error."""

    DEFAULT_CSS = """
    ReadingsView {
        height: auto;
    }
    """

    def __init__(self, *, empty: str = "No readings.", **kwargs) -> None:
        super().__init__("", **kwargs)
        self.empty = empty
        self.update(Text(empty, style=BASIS_STYLE))

    def show(self, readings: Iterable[Reading], warnings: Iterable[str] = ()) -> None:
        """List `readings` (best first), then any `warnings`."""
        text = readings_text(readings, empty=self.empty)
        warnings = list(warnings)
        if warnings:
            text = Text("\n").join([text, warnings_text(warnings)])
        self.update(text)

    def show_error(self, message: str) -> None:
        self.update(error_text(message))

    def show_hint(self, message: str) -> None:
        """A dimmed line, e.g. "Type a year" while the input is empty."""
        self.update(Text(message, style=BASIS_STYLE))
