"""At 80x24, the smallest terminal fieldkit supports, every capability of the catalog screen is
reachable by keys alone: the footer shows the main actions and More (`o`), which lists every action
with its key and runs the one picked, by the arrows and Enter or by its own key. Every key works on
the catalog screen as before. The help screen's footer names the keys that close it."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList
from textual.widgets._footer import FooterKey

from fieldkit.tui.app import make_app
from fieldkit.tui.screens.catalog import CatalogScreen
from fieldkit.tui.screens.help import HelpScreen
from fieldkit.tui.screens.more import MoreScreen
from test_tui_every_screen import fixed_catalog, fixture_firms, settle  # noqa: F401 (fixture_firms: autouse)


def searching(app) -> bool:
    return isinstance(app.screen, CatalogScreen) and app.screen.focused is app.screen.query_one("#search", Input)


def recheck_of(noun):
    return lambda app: type(app.screen).__name__ == "RecheckScreen" and app.screen.kind.noun == noun


# Each action of the catalog screen, in the screen's order: (its key, what shows once it ran).
ACTIONS = {
    "Search": ("slash", searching),
    "Add": ("a", lambda app: type(app.screen).__name__ == "ItemScreen" and app.screen.ref is None),
    "Delete": ("d", lambda app: type(app.screen).__name__ == "ConfirmScreen"),
    "Export": ("x", lambda app: type(app.screen).__name__ == "ExportScreen"),
    "Backup": ("b", lambda app: type(app.screen).__name__ == "BackupScreen"),
    "Verify": ("v", lambda app: type(app.screen).__name__ == "VerifyScreen"),
    "Summary": ("s", lambda app: type(app.screen).__name__ == "SummaryScreen"),
    "Reference": ("r", lambda app: type(app.screen).__name__ == "ReferenceScreen"),
    "Dates": ("y", lambda app: type(app.screen).__name__ == "CalendarsScreen"),
    "Report": ("p", lambda app: type(app.screen).__name__ == "ReportScreen"),
    "Team": ("t", lambda app: type(app.screen).__name__ == "TeamScreen"),
    "Recheck parts": ("k", recheck_of("component")),
    "Recheck marks": ("m", recheck_of("marking")),
    "Ref prefix": ("f", lambda app: type(app.screen).__name__ == "PromptScreen"),
}


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("FIELDKIT_CONFIG_DIR", str(tmp_path / "config"))
    return make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)


async def open_more(pilot):
    """The catalog settled, then `o`: the More menu open and settled."""
    await settle(pilot)
    await pilot.press("o")
    await settle(pilot)


def footer(app) -> dict[str, str]:
    """The footer's keys as shown, each whole on screen: description -> key."""
    keys = list(app.screen.query(FooterKey))
    assert all(k.region.right <= app.size.width for k in keys)
    return {k.description: k.key_display for k in keys}


async def test_at_80_columns_the_catalog_footer_shows_more_beside_the_main_actions_quit_and_help(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = footer(app)
        assert shown["More"] == "o" and shown["Quit"] == "^q" and shown["Help"] == "f1"
        assert {"Search", "Add", "Delete", "Export", "Backup", "Verify"} <= set(shown)
        assert "Team" not in shown  # no room: More lists it


async def test_more_lists_every_action_of_the_catalog_screen_with_its_key_in_the_screens_order(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_more(pilot)
        assert isinstance(app.screen, MoreScreen)
        rows = [str(option.prompt).split(maxsplit=1) for option in app.screen.query_one(OptionList).options]
        assert rows == [["/" if key == "slash" else key, name] for name, (key, _) in ACTIONS.items()]
        assert footer(app) == {"Close": "esc", "Help": "f1"}


@pytest.mark.parametrize("name", ACTIONS)
async def test_every_catalog_action_runs_from_more_by_the_arrows_and_enter_at_80x24(app, name):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_more(pilot)
        await pilot.press(*["down"] * list(ACTIONS).index(name), "enter")
        await settle(pilot)
        assert ACTIONS[name][1](app), type(app.screen).__name__


@pytest.mark.parametrize("name", ["Team", "Search", "Recheck marks"])
async def test_an_actions_own_key_runs_it_from_more(app, name):
    key, shown = ACTIONS[name]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_more(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert shown(app), type(app.screen).__name__


@pytest.mark.parametrize("name", ACTIONS)
async def test_every_catalog_key_still_runs_its_action_from_the_catalog_at_80x24(app, name):
    key, shown = ACTIONS[name]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert shown(app), type(app.screen).__name__


async def test_more_shows_the_highlighted_actions_description_under_the_list(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_more(pilot)
        await pilot.press(*["down"] * list(ACTIONS).index("Ref prefix"))
        await pilot.pause()
        assert "fieldkit init --ref-prefix" in str(app.screen.query_one("#more-about").render())


@pytest.mark.parametrize("key", ["escape", "o"])
async def test_escape_or_o_again_closes_more_and_runs_nothing(app, key):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_more(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, CatalogScreen) and len(app.screen_stack) == 2 and not searching(app)


@pytest.mark.parametrize("key", ["escape", "f1", "question_mark", "q"])
async def test_the_help_screens_footer_names_escape_and_f1_and_each_closes_it(app, key):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert footer(app) == {"Close": "esc/f1"}
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, CatalogScreen)


async def test_on_another_screen_that_leaves_keys_out_ctrl_p_more_runs_one_of_them_by_keys_alone(app):
    """The Reference screen at 80 columns has no room for `c` Check tables: its footer shows
    `^p More`, the command palette, which finds it by name and runs it."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        shown = footer(app)
        assert shown["More"] == "^p" and "Check tables" not in shown
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Check tables (c)")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ReferenceCheckScreen"
