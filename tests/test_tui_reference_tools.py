"""The Reference screen's tools for free text and for the tables themselves, in the app: `t` reads a
text against the marking patterns exactly as `fieldkit match TEXT` prints it (same core function,
same lines, same notes on overriding user rows)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from textual.widgets import Input, Static

from fieldkit.cli import cli
from fieldkit.reference import tables
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.help import HelpScreen
from fieldkit.tui.screens.match import MatchScreen
from fieldkit.tui.screens.reference import ReferenceScreen
from tests.test_tui_catalog import settle

# A user row that overrides a shipped pattern (its id is the shipped row's): the CLI notes it, so must the app.
USER_PATTERNS = """\
id,regex,year_calendar,country,producer,category,description,example_positive,example_negative,source,confidence_notes
su-grad-9m22u-designation,\\b(?P<designation>9M22[YU]?)\\b,,SU,,rocket,Grad index incl. Latin U,9M22U,9M221,my field notes,High
"""


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    folder = tmp_path / "user-reference"
    folder.mkdir()
    (folder / "marking_patterns.csv").write_text(USER_PATTERNS, encoding="utf-8")
    monkeypatch.setenv("FIELDKIT_REFERENCE", str(folder))
    tables.clear_cache()
    yield folder
    tables.clear_cache()


def cli_output(*args) -> str:
    result = CliRunner().invoke(cli, list(args))
    return result.output


async def open_reference(pilot):
    await settle(pilot.app, pilot)
    await pilot.press("r")
    await settle(pilot.app, pilot)
    assert isinstance(pilot.app.screen, ReferenceScreen)


@pytest.mark.parametrize("text", ["주체112", "9M22U 12-87", "nothing to read here", "lot 2148AA1"])
async def test_a_text_read_in_the_app_reads_as_fieldkit_match_prints_it(db_path, user_dir, text):
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_reference(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, MatchScreen)
        hint = str(app.screen.query_one("#match-result", Static).render())
        await pilot.press(*text)
        await pilot.pause()
        shown = str(app.screen.query_one("#match-result", Static).render())
    assert hint.startswith("Type or paste the text of a marking")
    assert shown == cli_output("match", text).rstrip("\n")
    assert shown.startswith("note: ")  # the override, named as the CLI names it
    if text == "주체112":
        assert "Juche 112" in shown and "2023" in shown
    if text == "lot 2148AA1":  # what was not offered, and why, as the CLI says it
        assert "\nnot offered: 2148AA1 has the shape of a Soviet IC type number" in shown


async def test_the_search_text_is_read_and_help_names_the_key(db_path, user_dir):
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_reference(pilot)
        app.screen.query_one("#ref-search", Input).value = "9M22U"
        await pilot.pause()
        app.screen.query_one("#ref-table-patterns").focus()
        await pilot.press("t")
        await pilot.pause()
        typed = app.screen.query_one("#match-text", Input).value
        shown = str(app.screen.query_one("#match-result", Static).render())
        await pilot.press("escape")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        help_text = app.screen.query_one("Markdown")._markdown
    assert typed == "9M22U" and "su-grad-9m22u-designation" in shown and "[user table]" in shown
    assert "`t` | Read a text against the marking patterns: candidates, fields, years, basis (as `fieldkit match TEXT`)" in help_text


# --- `c`: check the tables, as `fieldkit reference check` -----------------------------------------

BAD_ROWS = USER_PATTERNS + """\
bad-one,(?P<factory>112,,KP,,,,,,my notes,
bad-two,(unclosed,,KP,,,,,,my notes,
"""


async def check_in_app(pilot) -> tuple[str, str]:
    """`c` on the Reference screen; (the verdict, the lines) once the check is done."""
    from fieldkit.tui.screens.reference_check import ReferenceCheckScreen

    await pilot.press("c")
    await settle(pilot.app, pilot)
    assert isinstance(pilot.app.screen, ReferenceCheckScreen)
    screen = pilot.app.screen
    return str(screen.query_one("#check-verdict").render()), str(screen.query_one("#check-result").render())


async def test_checking_bad_user_rows_names_every_problem_as_the_cli_does(db_path, user_dir):
    (user_dir / "marking_patterns.csv").write_text(BAD_ROWS, encoding="utf-8")
    printed = CliRunner().invoke(cli, ["reference", "check"])
    tables.clear_cache()
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_reference(pilot)
        status = str(app.screen.query_one("#ref-status").render())
        verdict, lines = await check_in_app(pilot)
        (user_dir / "marking_patterns.csv").write_text(USER_PATTERNS, encoding="utf-8")  # the researcher fixes the rows
        await pilot.press("c")
        await settle(app, pilot)
        fixed_verdict = str(app.screen.query_one("#check-verdict").render())
        await pilot.press("escape")
        await settle(app, pilot)
        reloaded = str(app.screen.query_one("#ref-status").render())
    assert printed.exit_code == 2
    assert status.startswith("The reference tables could not be loaded: ") and status.endswith("Press c to see every problem.")
    assert verdict == f"Checked the shipped tables and your folder {user_dir}: 2 problems; fix or remove each row named below."
    assert lines.rstrip("\n") == printed.output.rstrip("\n")
    assert [line for line in lines.splitlines() if line.startswith("error: ")] == [
        line for line in printed.output.splitlines() if line.startswith("error: ")] and lines.count("error: ") == 2
    assert "bad regex" in lines and "override: patterns: user row su-grad-9m22u-designation overrides" in lines
    assert fixed_verdict == f"Checked the shipped tables and your folder {user_dir}: every row is valid."
    assert "could not be loaded" not in reloaded and "User rows override shipped rows" in reloaded


async def test_the_default_user_folder_is_checked_by_the_app_and_the_cli(db_path, data_dir, monkeypatch):
    """With no FIELDKIT_REFERENCE, the folder the app saves user rows to (and every command loads)
    is the one checked: `reference check` used to check the shipped tables only."""
    monkeypatch.delenv("FIELDKIT_REFERENCE", raising=False)
    folder = data_dir / "reference"
    folder.mkdir()
    (folder / "marking_patterns.csv").write_text(BAD_ROWS, encoding="utf-8")
    tables.clear_cache()
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_reference(pilot)
        verdict, lines = await check_in_app(pilot)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f1")
        help_text = app.screen.query_one("Markdown")._markdown
    tables.clear_cache()
    printed = CliRunner().invoke(cli, ["reference", "check"])
    assert printed.exit_code == 2 and printed.output.count("error: ") == 2
    assert verdict.startswith(f"Checked the shipped tables and your folder {folder}: 2 problems")
    assert lines.rstrip("\n") == printed.output.rstrip("\n")
    assert "`c` | Validate the shipped tables and yours: counts, version, overrides, every problem (as `fieldkit reference check`)" in help_text
