"""The whole app walked at 80x24 and 120x40: every CLI command has a way in, every key a footer
shows runs an action that exists, F1 lists every key of the screen it is pressed on, and at
120x40 as at 80x24 nothing is cut (test_tui_narrow checks 80x24 in more detail)."""

from __future__ import annotations

import click
import pytest
from textual.widgets import Markdown
from textual.widgets._footer import FooterKey

from fieldkit.cli import cli
from fieldkit.tui.app import FieldkitApp, make_app
from fieldkit.tui.screens.backup import BackupScreen
from fieldkit.tui.screens.catalog import CatalogScreen
from fieldkit.tui.screens.export import ExportScreen
from fieldkit.tui.screens.help import HelpScreen, key_owners
from fieldkit.tui.screens.item import ItemScreen
from fieldkit.tui.screens.photos import PhotoScreen, PhotosPane
from fieldkit.tui.screens.reference import ReferenceScreen
from fieldkit.tui.screens.team import TeamScreen
from fieldkit.tui.screens.verify import VerifyScreen
from fieldkit.tui.widgets.components import ComponentsPane
from fieldkit.tui.widgets.markings import MarkingsPane
from test_tui_every_screen import fixed_catalog, fixture_firms  # noqa: F401 (fixture_firms: autouse)
from test_tui_narrow import EVERY_SCREEN, _open, cut

# Every CLI command -> the key that leads to it in the app: (the screen or pane whose key it is, the
# key's binding id). A command added to the CLI without a way in fails this table's test.
WAYS_IN = {
    "backup": (CatalogScreen, "catalog.backup"),
    "restore": (BackupScreen, "backup.restore"),
    "bundle create": (TeamScreen, "team.create"),
    "bundle verify": (TeamScreen, "team.verify"),
    "merge": (TeamScreen, "team.merge"),
    "conflicts": (CatalogScreen, "catalog.team"),  # listed on the Team screen
    "conflicts resolve": (TeamScreen, "team.keep_ours"),
    "key new": (TeamScreen, "team.new_key"),
    "key show": (CatalogScreen, "catalog.team"),  # shown at the top of the Team screen
    "key trust": (TeamScreen, "team.trust"),
    "witness checkpoint": (VerifyScreen, "verify.sign"),
    "verify": (CatalogScreen, "catalog.verify"),
    "item add": (CatalogScreen, "catalog.add"),
    "item list": (CatalogScreen, "catalog.search"),
    "item show": (CatalogScreen, "catalog.open"),
    "item edit": (ItemScreen, "item.save"),
    "item delete": (CatalogScreen, "catalog.delete"),
    "dossier": (ItemScreen, "item.dossier"),
    "photo add": (PhotosPane, "photos.browse"),
    "photo list": (ItemScreen, "item.tab.photos"),
    "photo edit": (PhotoScreen, "photo.caption"),
    "photo provenance": (PhotoScreen, "photo.credentials"),
    "ocr": (PhotosPane, "photos.ocr"),
    "marking add": (ItemScreen, "item.tab.markings"),
    "marking list": (ItemScreen, "item.tab.markings"),
    "marking show": (ItemScreen, "item.tab.markings"),
    "marking edit": (MarkingsPane, "markings.edit"),
    "marking delete": (MarkingsPane, "markings.delete"),
    "marking recheck": (CatalogScreen, "catalog.recheck_markings"),
    "component add": (ItemScreen, "item.tab.components"),
    "component list": (ItemScreen, "item.tab.components"),
    "component edit": (ComponentsPane, "components.edit"),
    "component delete": (ComponentsPane, "components.delete"),
    "component import": (ComponentsPane, "components.import"),
    "component recheck": (CatalogScreen, "catalog.recheck_components"),
    "summary": (CatalogScreen, "catalog.summary"),
    "match": (ReferenceScreen, "reference.match"),
    "reference check": (ReferenceScreen, "reference.check"),
    "year": (CatalogScreen, "catalog.calendars"),
    "years": (CatalogScreen, "catalog.calendars"),
    "datecode": (CatalogScreen, "catalog.calendars"),
    "export csv": (ExportScreen, "export.csv"),
    "export geojson": (ExportScreen, "export.geojson"),
    "export kml": (ExportScreen, "export.kml"),
    "report": (CatalogScreen, "catalog.report"),
}
# Commands with no place in the app, and why.
NOT_IN_THE_APP = {
    "init": "the app creates (or upgrades) the catalog it opens",
    "serve": "serves the catalog to a browser, or this app itself (--tui)",
    "ocr-engine start": "keeps the engines loaded for separate `fieldkit ocr` processes; the app reads in its own process, engines loaded once",
    "ocr-engine stop": "stops that engine process (the app never uses it)",
    "ocr-engine status": "says whether that engine process runs (the app never uses it)",
}


def cli_commands(group: click.Group = cli, prefix: str = "") -> list[str]:
    """Every command of the CLI, a group's commands as "group command" (a group that is itself
    a command, as `conflicts` is, counts too)."""
    found, ctx = [], click.Context(group)
    for name in group.list_commands(ctx):  # the CLI loads its commands lazily
        command, path = group.get_command(ctx, name), f"{prefix}{name}"
        if isinstance(command, click.Group):
            if command.invoke_without_command:
                found.append(path)
            found += cli_commands(command, path + " ")
        else:
            found.append(path)
    return found


def test_every_cli_command_has_a_way_in_through_a_key_of_the_app():
    commands = cli_commands()
    assert "bundle create" in commands and "export kml" in commands  # the walk reaches into groups
    assert set(commands) - set(NOT_IN_THE_APP) == set(WAYS_IN), "a CLI command without a way in, or a stale one"
    for command, (owner, binding_id) in WAYS_IN.items():
        bindings = {b.id: b for b in owner.BINDINGS if not isinstance(b, tuple)}
        assert binding_id in bindings, f"{command}: {owner.__name__} has no key {binding_id}"
        assert has_action(owner, bindings[binding_id].action), f"{command}: {owner.__name__} has no action for {binding_id}"


def has_action(node, action: str) -> bool:
    """Whether `action` (a binding's, e.g. "show_tab('photos')" or "app.help") has a method to run on
    `node` (a class or an instance), the one that binds it: Textual runs it there or nowhere."""
    name = action.split("(")[0]
    if name.startswith("app."):
        node, name = FieldkitApp, name.removeprefix("app.")
    return callable(getattr(node, f"action_{name}", None))


SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


def runs(app, key: FooterKey) -> bool:
    """Whether the footer key's action is one the app can run: a method of the node that binds the
    key (a widget in the focus chain, the screen or the app). A method of another node does not count:
    the app's action_back (Textual's) made a screen's escape pass with no action_back of its own."""
    active = app.screen.active_bindings.get(key.key)
    return active is not None and active.binding.action == key.action and has_action(active.node, key.action)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", EVERY_SCREEN)
async def test_every_key_shown_runs_f1_lists_them_all_and_nothing_is_cut(tmp_path, monkeypatch, screen, size):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("FIELDKIT_CONFIG_DIR", str(tmp_path / "config"))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=SIZES[size]) as pilot:
        await _open(pilot, screen)
        top = app.screen
        if size == "120x40":
            assert not cut(app)
        footer = list(top.query(FooterKey))
        assert [k.description for k in footer if not runs(app, k)] == []
        if isinstance(top, HelpScreen):
            return
        owners = key_owners(top)
        await pilot.press("f1")  # a priority key: it reaches the app from a dialog too
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and app.screen.beneath is top
        listed = app.screen.query_one(Markdown).source
        for node in [*owners, app]:
            for binding in node.BINDINGS:
                if not isinstance(binding, tuple):
                    assert (binding.tooltip or binding.description) in listed, binding
        assert {k.description for k in footer} <= {b.description for n in [*owners, app] for b in n.BINDINGS
                                                   if not isinstance(b, tuple)}
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is top


async def test_a_dialog_shows_its_own_keys_in_the_footer_over_those_of_the_screen_beneath(tmp_path, monkeypatch):
    """Under the Backup dialog the catalog's footer showed `a Add`, `x Export`... -- keys that do
    nothing there -- and none of the dialog's own (ctrl+r, F2, F3)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "backup")
        keys = [k for k in app.screen.query(FooterKey) if k.region.area]
        assert [k.key for k in keys] == ["escape", "ctrl+r", "f2", "f3", "f1"]
        assert {k.region.y for k in keys} == {23}  # the bottom line, over the catalog's footer
        await pilot.press("ctrl+r")  # a key the footer shows does what it says
        await pilot.pause()
        assert type(app.screen).__name__ == "RestoreScreen"
