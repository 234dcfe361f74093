"""The prefix of new refs, set in the app (`f` on the catalog) as `fieldkit init --ref-prefix`: the
same core function, the same audit event, the CLI's own line and its one-line error."""

from __future__ import annotations

import json

from click.testing import CliRunner
from textual.widgets import Input

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.confirm import PromptScreen
from tests.test_tui_catalog import settle


def prefix_events(path) -> list[tuple]:
    db = open_catalog(path, actor="tester").db
    return [(action, actor, before, json.loads(after)) for action, actor, before, after in db.execute(
        "SELECT action, actor, before_json, after_json FROM audit WHERE table_name = 'catalog_meta' AND row_id = 'ref_prefix'")]


async def set_prefix(pilot, typed: str) -> str:
    """`f`, the prefix typed over the one shown, Enter; the last notification."""
    app = pilot.app
    await pilot.press("f")
    await pilot.pause()
    assert isinstance(app.screen, PromptScreen)
    box = app.screen.query_one("#prompt-input", Input)
    shown = box.value
    box.value = typed
    await pilot.press("enter")
    await settle(app, pilot)
    return shown, list(app._notifications)[-1].message


async def test_a_prefix_set_in_the_app_names_new_refs_as_init_ref_prefix_does(db_path, tmp_path):
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        shown, said = await set_prefix(pilot, "khk")
        await pilot.press("a", *"rocket", "ctrl+s")  # a new item, through the form
        await settle(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        question = str(app.screen.query_one(".question").render())
        await pilot.press("escape")
    printed = CliRunner().invoke(cli, ["--db", str(tmp_path / "cli.db"), "--actor", "tester", "init", "--ref-prefix", "khk"])
    assert printed.exit_code == 0
    assert shown == "FK"  # the prefix in use, to edit
    assert said == "new items get refs KHK-0001, ..." == printed.output.splitlines()[-1]
    assert [r["ref"] for r in items.list_items(open_catalog(db_path))] == ["KHK-0001"]
    assert question.startswith("Prefix of the refs new items get (now KHK: the next is KHK-0002)")
    assert prefix_events(db_path) == prefix_events(tmp_path / "cli.db") == [("update", "tester", None, {"value": "KHK"})]


async def test_a_bad_prefix_is_the_clis_one_line_and_changes_nothing(db_path, tmp_path):
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        _, said = await set_prefix(pilot, "9 mm")
        await pilot.press("f1")
        help_text = app.screen.query_one("Markdown")._markdown
    printed = CliRunner().invoke(cli, ["--db", str(tmp_path / "cli.db"), "init", "--ref-prefix", "9 mm"])
    assert printed.exit_code == 2 and printed.output == f"error: {said}\n"
    assert said == "ref prefix '9 MM': use 1-8 letters or digits starting with a letter, e.g. KHK"
    assert prefix_events(db_path) == []
    assert "`f` | Set the prefix of new items' refs, e.g. KHK for KHK-0001 (as `fieldkit init --ref-prefix`)" in help_text
