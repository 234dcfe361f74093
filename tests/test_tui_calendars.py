"""The Calendars & date codes screen: Pilot flows and a snapshot."""

from __future__ import annotations

from datetime import date

from textual import events
from textual.widgets import Input, Markdown, Select, TextArea

from fieldkit.tui.app import make_app
from fieldkit.tui.screens.calendars import CalendarsScreen
from fieldkit.tui.widgets.readings import ReadingsView

TODAY = date(2025, 6, 1)


def shown(screen, selector: str) -> str:
    return str(screen.query_one(selector, ReadingsView).render())


async def test_y_opens_the_screen_from_the_catalog_and_escape_goes_back(db_path):
    app = make_app(db_path, "tester", offer_example=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, CalendarsScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = app.screen.query_one(Markdown).source
        assert "| `y` | Calendars & date codes: convert years" in help_text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CalendarsScreen)


async def test_juche_112_and_marking_text(db_path):
    app = make_app(db_path, "tester", offer_example=False)
    async with app.run_test(size=(110, 50)) as pilot:
        await pilot.pause()
        await app.push_screen(CalendarsScreen(today=TODAY))
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#cal-calendar", Select).value == "juche"
        assert screen.focused is screen.query_one("#cal-year", Input)
        await pilot.press("1", "1", "2")
        await pilot.pause()
        result = shown(screen, "#cal-year-result")
        assert "Juche 112" in result and "2023-01-01 – 2023-12-31" in result
        assert "⚠" not in result

        # impossible input: the error in place, no crash
        await pilot.press("backspace", "backspace", "backspace", "0")
        await pilot.pause()
        assert "Juche year 0 does not exist" in shown(screen, "#cal-year-result")

        # implausible: a warning
        await pilot.press("backspace", "5", "0")
        await pilot.pause()
        result = shown(screen, "#cal-year-result")
        assert "1961-01-01 – 1961-12-31" in result and "⚠" in result and "1997" in result

        # marking text, pasted
        area = screen.query_one("#cal-text", TextArea)
        area.focus()
        await pilot.pause()
        area.post_message(events.Paste("주체112\nLOT 4-23"))
        await pilot.pause()
        lines = shown(screen, "#cal-text-result").splitlines()
        assert lines[0].startswith("1. Juche 112  2023-01-01 – 2023-12-31  주체112")
        assert "explicit 주체 prefix" in lines[0]
        assert len(lines) >= 2  # the lot year is listed too

        # marking text, typed
        area.clear()
        await pilot.press("주", "체", "1", "1", "2")
        await pilot.pause()
        assert area.text == "주체112"
        lines = shown(screen, "#cal-text-result").splitlines()
        assert lines == ["1. Juche 112  2023-01-01 – 2023-12-31  주체112 · explicit 주체 prefix"]


async def test_japanese_shows_the_era_and_other_panels(db_path):
    app = make_app(db_path, "tester", offer_example=False)
    async with app.run_test(size=(110, 50)) as pilot:
        await pilot.pause()
        await app.push_screen(CalendarsScreen(today=TODAY))
        await pilot.pause()
        screen = app.screen
        era = screen.query_one("#cal-era", Select)
        assert not era.display
        screen.query_one("#cal-calendar", Select).value = "japanese"
        await pilot.pause()
        assert era.display and era.value == "reiwa"
        screen.query_one("#cal-year", Input).value = "1"
        await pilot.pause()
        assert "Reiwa 1  2019-05-01 – 2019-12-31" in shown(screen, "#cal-year-result")

        screen.query_one("#cal-to-calendar", Select).value = "solar-hijri"
        screen.query_one("#cal-gregorian", Input).value = "2023"
        await pilot.pause()
        lines = shown(screen, "#cal-to-result").splitlines()
        assert lines[0].startswith("1. Solar Hijri 1401  2022-03-21 – 2023-03-20")
        assert lines[1].startswith("2. Solar Hijri 1402  2023-03-21 – 2024-03-19")

        screen.query_one("#cal-code", Input).value = "2310"
        await pilot.pause()
        assert "YYWW  2023-03-06 – 2023-03-12  ISO week 10 of 2023" in shown(screen, "#cal-code-result")
        screen.query_one("#cal-code", Input).value = "abc"
        await pilot.pause()
        assert "✗ date code 'abc'" in shown(screen, "#cal-code-result")


def test_snapshot(snap_compare, db_path):
    async def fill(pilot):
        await pilot.pause()
        await pilot.app.push_screen(CalendarsScreen(today=TODAY))
        await pilot.pause()
        screen = pilot.app.screen
        await pilot.press("1", "1", "2")
        screen.query_one("#cal-to-calendar", Select).value = "solar-hijri"
        screen.query_one("#cal-gregorian", Input).value = "2023"
        screen.query_one("#cal-text", TextArea).load_text("주체112  12-87-270")
        screen.query_one("#cal-code", Input).value = "2310"
        screen.query_one("#cal-year", Input).focus()
        await pilot.pause()

    app = make_app(db_path, "tester", offer_example=False)
    assert snap_compare(app, terminal_size=(110, 44), run_before=fill)
