"""`fieldkit year`, `fieldkit years` and `fieldkit datecode`: calendar years and date codes.

- `year CALENDAR [ERA] N` converts a calendar year to the Gregorian range it covers;
  `year --to CALENDAR GREGORIAN_YEAR` gives every year of CALENDAR overlapping it.
- `years TEXT` lists every year reading in the text of a marking, best first, with its basis.
- `datecode CODE [--manufacturer M]` lists every reading of a component date code.

Thin: the conversions live in fieldkit.markings (calendars, years, datecodes). Impossible
input raises CalendarError / DateCodeError, which the root group prints as one line and
exit code 2. Implausible but possible years print `warning: ...` on stderr and exit 0.
"""

from __future__ import annotations

import re

import click

from fieldkit.cli.base import echo, print_json
from fieldkit.errors import CalendarError
from fieldkit.markings.calendars import (
    CALENDARS,
    YearSpan,
    from_gregorian,
    plausibility_warnings,
    to_gregorian,
)
from fieldkit.markings.datecodes import read_date_code
from fieldkit.markings.years import find_years

# Let "-5" reach the year check instead of being taken for an unknown option.
_LET_NEGATIVE_NUMBERS_THROUGH = {"ignore_unknown_options": True}
_SIGNED_NUMBER = re.compile(r"-[0-9]+")


def _reject_unknown_options(ctx: click.Context, values: tuple[str, ...]) -> None:
    """With unknown options let through for "-5", still refuse a mistyped option like "--jsn"."""
    for value in values:
        if value.startswith("-") and len(value) > 1 and not _SIGNED_NUMBER.fullmatch(value):
            raise click.NoSuchOption(value, ctx=ctx)


def span_json(span: YearSpan, warnings: list[str]) -> dict:
    """The `year --json` object: calendar, year, era (Japanese only), Gregorian ends, warnings if any."""
    data = span.to_json()
    if warnings:
        data["warnings"] = warnings
    return data


def span_line(span: YearSpan) -> str:
    """E.g. "Reiwa 1 = 2019-05-01 to 2019-12-31"."""
    return f"{span.label()} = {span.start.isoformat()} to {span.end.isoformat()}"


@click.command("year", context_settings=_LET_NEGATIVE_NUMBERS_THROUGH)
@click.argument("args", nargs=-1, metavar="CALENDAR [ERA] N")
@click.option(
    "--to",
    "to_calendar",
    metavar="CALENDAR",
    help="Go the other way: give a Gregorian year and list every year of CALENDAR that overlaps it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with --to: a list of objects).")
@click.pass_context
def year(ctx: click.Context, args: tuple[str, ...], to_calendar: str | None, as_json: bool) -> None:
    """Convert a calendar year to the Gregorian date range it covers.

    CALENDAR is one of: juche, minguo, japanese (give the ERA: meiji, taisho, showa,
    heisei, reiwa), solar-hijri, thai, gregorian.

    \b
    Examples:
      fieldkit year juche 112              Juche 112 = 2023-01-01 to 2023-12-31
      fieldkit year japanese reiwa 1       Reiwa 1 = 2019-05-01 to 2019-12-31
      fieldkit year solar-hijri 1402       Solar Hijri 1402 = 2023-03-21 to 2024-03-19
      fieldkit year --to solar-hijri 2023  every Solar Hijri year overlapping 2023

    An impossible year (Juche 0, Reiwa 0, -5, abc) exits 2; an implausible one (Juche
    before 86, a year in the future) prints a warning on stderr and exits 0. To read the
    years in the text of a marking use `fieldkit years TEXT`.
    """
    _reject_unknown_options(ctx, args)
    if to_calendar is not None:
        if len(args) != 1:
            raise CalendarError("give one Gregorian year after --to CALENDAR, e.g. fieldkit year --to juche 2023")
        spans = from_gregorian(to_calendar, args[0])
    else:
        if len(args) == 2:
            calendar, era, number = args[0], None, args[1]
        elif len(args) == 3:
            calendar, era, number = args
        else:
            raise CalendarError(
                f"give a calendar and a year (and the era for japanese), e.g. fieldkit year juche 112; "
                f"calendars: {', '.join(CALENDARS)}"
            )
        spans = [to_gregorian(calendar, number, era)]

    results = [(span, plausibility_warnings(span)) for span in spans]
    for span, warnings in results:
        for warning in warnings:
            echo(f"warning: {warning}", err=True)
    if as_json:
        objects = [span_json(span, warnings) for span, warnings in results]
        print_json(objects if to_calendar is not None else objects[0])
    else:
        for span, _ in results:
            echo(span_line(span))


@click.command("years", context_settings=_LET_NEGATIVE_NUMBERS_THROUGH)
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of readings, best first.")
def years(text: str, as_json: bool) -> None:
    """List every year reading in the text of a marking, best first, each with its basis.

    A bare number is never silently a year: "112" is listed as Juche 112 = 2023 and as
    Minguo 112 = 2023, each noting it may be a code (a plant designation, a lot).

    \b
    Examples:
      fieldkit years "주체112"          주체112: Juche 112 = 2023 (explicit 주체 prefix)
      fieldkit years "12-87-270" --json
    """
    readings = find_years(text)
    if as_json:
        print_json([r.to_json() for r in readings])
        return
    if not readings:
        echo(f"no year readings in {text!r}", err=True)
        return
    for reading in readings:
        echo(reading.describe())


@click.command("datecode", context_settings=_LET_NEGATIVE_NUMBERS_THROUGH)
@click.argument("code")
@click.option(
    "--manufacturer",
    "-m",
    metavar="M",
    help="The part's maker (e.g. TI, Microchip): enables that maker's own date-code scheme.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of readings, best first.")
def datecode(code: str, manufacturer: str | None, as_json: bool) -> None:
    """List every reading of an electronic component's date code: the period and the basis.

    A date code is a period, not a day: 2310 read as YYWW is ISO week 10 of 2023,
    2023-03-06 to 2023-03-12. A code no known form can read exits 2.
    """
    readings = read_date_code(code, manufacturer)
    if as_json:
        print_json([r.to_json() for r in readings])
        return
    for reading in readings:
        echo(f"{reading.describe()}; basis: {reading.basis}")
