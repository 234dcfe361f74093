"""At 80x24, the smallest terminal fieldkit supports, every screen's footer shows Quit, Help and the
screen's main actions whole, every table shows its key columns without scrolling sideways, and no
screen or dialog shows a box, button or line cut: nothing runs past the screen's edge or out of its
container, a button's or checkbox's label and an empty box's placeholder show whole."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.errors import NoWidget
from textual.widgets import Button, Checkbox, DataTable, Input, Static
from textual.widgets._footer import FooterKey

from fieldkit.catalog import items
from fieldkit.tui.app import make_app
from fieldkit.tui.screens import team as team_screens
from fieldkit.tui.screens import verify as verify_screens
from fieldkit.tui.widgets.footer import FitFooter, fitting
from team_helpers import Researcher
from test_tui_every_screen import SCREENS, fixed_catalog, fixture_firms, settle  # noqa: F401 (fixture_firms: autouse)

# Screen (as in test_tui_every_screen) -> the actions its footer must show at 80 columns, besides
# Quit and Help. Where keys are left out, More shows: the catalog's menu (`more`, test_tui_more) or,
# elsewhere, the command palette (`command_palette`), which lists every key of the screen.
MAIN_ACTIONS = {
    "catalog": {"search", "add", "delete", "export", "backup", "verify", "more"},
    "item_details": {"save", "close"},
    "item_photos": {"browse", "focus_paths", "ocr", "ocr_batch", "save", "close", "command_palette"},
    "item_markings": {"edit", "delete", "save", "close", "command_palette"},
    "item_components": {"edit", "delete", "pick_firm", "save", "close", "command_palette"},
    "photo_view": {"close", "ocr", "credentials", "caption"},
    "ocr": {"run", "save", "cancel_or_close", "command_palette"},
    "batch_ocr": {"toggle", "save_selected", "save_all", "cancel_or_close"},
    "summary": {"close", "refresh", "export"},
    "verify": {"close", "command_palette"},
}
# Table id -> the columns that must be on screen at 80 columns.
KEY_COLUMNS = {
    "items": {"Ref", "Designation", "Photos", "Marks", "Parts"},
    "markings-table": {"Text", "From photo", "Top reading", "Year"},
    "components-table": {"Part number", "Firm", "Country", "Date code", "Qty"},
}


async def _open(pilot, screen):
    await EVERY_SCREEN[screen](pilot)
    await pilot.pause()


@pytest.mark.parametrize("screen", MAIN_ACTIONS)
async def test_the_footer_shows_quit_help_and_the_main_actions_whole_at_80_columns(tmp_path, monkeypatch, screen):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, screen)
        keys = list(app.screen.query(FooterKey))
        cut = [k.description for k in keys if k.region.right > 80 or k.region.width < len(k.description)]
        assert not cut, f"cut at the right edge: {cut}"
        shown = {k.action.split(".")[-1] for k in keys}
        assert {"quit", "help"} | MAIN_ACTIONS[screen] <= shown, f"missing: {({'quit', 'help'} | MAIN_ACTIONS[screen]) - shown}"


@pytest.mark.parametrize("screen", [
    "catalog", "item_details", "item_photos", "item_markings", "item_components", "photo_view", "ocr", "batch_ocr",
    "summary", "verify", "team", "reference", "calendars", "recheck"])
async def test_a_footer_that_leaves_keys_out_at_80_columns_shows_more_and_none_otherwise(tmp_path, monkeypatch, screen):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("FIELDKIT_CONFIG_DIR", str(tmp_path / "config"))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, screen)
        shown = {k.action.split(".")[-1]: k.description for k in app.screen.query(FooterKey)}
        bound = {b.action for _, b, _, _ in app.screen.active_bindings.values() if b.show}
        left_out = bound - {k.action for k in app.screen.query(FooterKey)}
        more = {action for action, description in shown.items() if description == "More"}
        assert more == ({"more"} if screen == "catalog" else {"command_palette"} if left_out else set()), (left_out, shown)


@pytest.mark.parametrize(("screen", "table_id"), [("catalog", "items"), ("item_markings", "markings-table"),
                                                 ("item_components", "components-table")])
async def test_a_tables_key_columns_are_on_screen_at_80_columns(tmp_path, monkeypatch, screen, table_id):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, screen)
        table = app.screen.query_one(f"#{table_id}", DataTable)
        right, seen = 0, set()
        for column in table.ordered_columns:
            right += column.get_render_width(table)
            if right <= table.scrollable_content_region.width:
                seen.add(column.label.plain)
        assert KEY_COLUMNS[table.id] <= seen, f"off the right edge: {KEY_COLUMNS[table.id] - seen}"
        cut = [c.label.plain for c in table.ordered_columns if c.get_render_width(table) - 2 < len(c.label.plain)]
        assert not cut, f"headers cut short: {cut}"


async def test_the_first_footer_shown_at_start_has_the_catalogs_main_actions(tmp_path, monkeypatch):
    """The first frame's footer, not only the settled one: it showed Search, Quit and Help alone while
    the search box had the focus, before the table took it."""
    monkeypatch.setenv("HOME", str(tmp_path))
    footers: list[set[str]] = []
    compose = FitFooter.compose

    def recorded(footer):
        keys = list(compose(footer))
        if any(isinstance(k, FooterKey) for k in keys):
            footers.append({k.action.split(".")[-1] for k in keys if isinstance(k, FooterKey)})
        return keys

    monkeypatch.setattr(FitFooter, "compose", recorded)
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "catalog")
    assert footers and {"quit", "help"} | MAIN_ACTIONS["catalog"] <= footers[0], footers


async def test_on_a_wide_terminal_the_footer_shows_every_key_of_the_catalog(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await _open(pilot, "catalog")
        shown = {k.description for k in app.screen.query(FooterKey)}
        assert {"Reference", "Dates", "Report", "Team", "Quit", "Help"} <= shown


def test_keys_that_do_not_fit_are_left_out_from_the_first_that_does_not_and_the_kept_ones_stay():
    def key(name, description):
        return FooterKey(name, name, description, name)

    a, b, c, quit_ = key("a", "Aaaaaaaa"), key("b", "Bbbbbbbbbbbbbbbbbbbb"), key("c", "C"), key("q", "Quit")
    # widths: a 11, b 23, c 4, quit 7
    assert fitting([a, b, c, quit_], 30, {quit_}) == [a, quit_]  # c would fit, but not after b: order kept
    assert fitting([a, b, c, quit_], 45, {quit_}) == [a, b, c, quit_]
    assert fitting([a, b, c, quit_], 5, {quit_}) == [quit_]


async def test_the_command_palette_runs_a_key_the_narrow_footer_left_out(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "catalog")
        assert "Team" not in {k.description for k in app.screen.query(FooterKey)}
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Team (t)")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert type(app.screen).__name__ == "TeamScreen"


async def test_a_markings_year_reading_shows_whole_at_80_columns(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "item_markings")
        table = app.screen.query_one("#markings-table", DataTable)
        year = next(c for c in table.ordered_columns if c.label.plain == "Year")
        shown = [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]
        assert "2023 (juche)" in shown, shown  # 주체112 read as Juche 112 = 2023
        assert all(cell_len(text) <= year.get_render_width(table) - 2 for text in shown), (shown, year.width)


async def test_the_footer_is_rebuilt_only_when_its_keys_change(tmp_path, monkeypatch):
    """A bindings refresh or a layout with the same keys keeps the footer's key widgets as they are
    (Textual's Footer removed and remounted them every time); focusing the search box, which hides
    the printable keys, and a narrower terminal rebuild it."""
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await _open(pilot, "catalog")
        before = list(app.screen.query(FooterKey))
        app.screen.refresh_bindings()
        app.screen.query_one("FitFooter").refresh(layout=True)
        await pilot.pause()
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == before  # the same widgets: nothing rebuilt
        await pilot.press("slash")  # the search box: printable keys are typed, not bound
        await pilot.pause()
        searching = {k.key for k in app.screen.query(FooterKey)}
        assert "a" not in searching and "slash" in searching
        await pilot.press("escape")  # back to the table
        await pilot.pause()
        assert [k.key for k in app.screen.query(FooterKey)] == [k.key for k in before]
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        narrow = [k.key for k in app.screen.query(FooterKey)]
        assert len(narrow) < len(before) and {"ctrl+q", "f1"} <= set(narrow)


# Screens and dialogs not in test_tui_every_screen's snapshots, opened the same way.
def after_key(key: str):
    """Opens a screen by its key from the catalog screen."""
    async def opener(pilot):
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)

    return opener


new_item = after_key("a")


async def item_form_problems(pilot):
    await SCREENS["item_details"](pilot)
    form = pilot.app.screen
    form.query_one("#f-found_on", Input).value = "2024-13-45"
    form.query_one("#f-lat", Input).value = "200"
    await pilot.press("ctrl+s")
    await settle(pilot)


def dialog_on(screen: str, make):
    """Opens the dialog `make()` over the screen SCREENS[screen] opens."""
    async def opener(pilot):
        await SCREENS[screen](pilot)
        pilot.app.push_screen(make())
        await settle(pilot)

    return opener


trust_key = dialog_on("team", lambda: team_screens.TrustKeyScreen())
passphrase_again = dialog_on("team", lambda: team_screens.PassphraseAgainScreen())
union = dialog_on("team", lambda: team_screens.UnionScreen({"id": "1", "notes": "HQ note / field note"}))


reference = after_key("r")


async def family_form(pilot):
    from fieldkit.components.attribution import default_index
    from fieldkit.tui.screens.manufacturers import FamilyFormScreen

    await reference(pilot)
    pilot.app.push_screen(FamilyFormScreen(default_index(pilot.app.screen.tables)))
    await settle(pilot)


async def match(pilot):
    from fieldkit.tui.screens.match import MatchScreen

    await reference(pilot)
    pilot.app.push_screen(MatchScreen(pilot.app.screen.tables, "주체112"))
    await settle(pilot)


async def firm_pick(pilot):
    from fieldkit.components.attribution import Candidate
    from fieldkit.tui.screens.manufacturers import FirmPickScreen

    candidates = (Candidate("microchip", "Microchip Technology", "US", "prefix", "AT", via="Atmel", via_year=2016),
                  Candidate("micron", "Micron Technology", "US", "prefix", "N25Q", line_from="STMicroelectronics",
                            line_year=2010))
    await SCREENS["item_components"](pilot)
    pilot.app.push_screen(FirmPickScreen("AT25SF041", candidates))
    await settle(pilot)


async def component_import(pilot):
    await SCREENS["item_components"](pilot)
    await pilot.press("ctrl+o")
    await settle(pilot)


recheck = after_key("k")


report = after_key("p")


async def backup_signed_with_passphrase(pilot):
    await SCREENS["backup_passphrase"](pilot)
    await pilot.press("f2")
    await settle(pilot)


witness_folder = dialog_on("verify", lambda: verify_screens.WitnessFolderScreen())
sign_head = dialog_on("verify", lambda: verify_screens.SignHeadScreen())


EVERY_SCREEN = {**SCREENS, "new_item": new_item, "item_form_problems": item_form_problems, "trust_key": trust_key,
                "passphrase_again": passphrase_again, "union": union, "reference": reference,
                "family_form": family_form, "match": match, "firm_pick": firm_pick,
                "component_import": component_import, "recheck": recheck, "report": report,
                "witness_folder": witness_folder, "sign_head": sign_head,
                "backup_signed_with_passphrase": backup_signed_with_passphrase}

def out_of_reach(app, widget) -> bool:
    """Hidden, wholly or in part, by the containers it is in, none of which can scroll it into view."""
    try:
        geometry = app.screen.find_widget(widget)
        if geometry.visible_region == geometry.region:
            return False
    except NoWidget:
        pass
    return not any(getattr(a, "allow_vertical_scroll", False) or getattr(a, "allow_horizontal_scroll", False)
                   for a in widget.ancestors if a is not app.screen)


def cut(app) -> list[str]:
    """What the screen on top shows cut: a widget past the screen's right edge or its container's, a
    text, box or button hidden where no scrolling reaches it, a button's or checkbox's label that does
    not fit, an empty box whose placeholder does not fit (the cursor takes a cell after it)."""
    width, found = app.size.width, []
    for widget in app.screen.query("*"):
        if not widget.display or not widget.visible or not widget.region.area:
            continue
        if widget.region.right > width:
            found.append(f"{widget!r} runs past the screen's edge: {widget.region}")
            continue
        parent = widget.parent
        if parent is not app.screen and not isinstance(parent, DataTable) and widget.region.right > parent.content_region.right:
            found.append(f"{widget!r} runs out of {parent!r}")
        if isinstance(widget, (Static, Button, Input, Checkbox, DataTable)) and out_of_reach(app, widget):
            found.append(f"{widget!r} hidden where no scrolling reaches it")
        if isinstance(widget, Button) and cell_len(str(widget.label)) > widget.content_region.width:
            found.append(f"button label cut: {widget.label}")
        if isinstance(widget, Checkbox) and cell_len(str(widget.label)) + 4 > widget.content_region.width:  # "▐X▌ "
            found.append(f"checkbox label cut: {widget.label}")
        if isinstance(widget, Input) and not widget.value and widget.placeholder:
            if cell_len(widget.placeholder) >= widget.content_region.width:
                found.append(f"placeholder cut: {widget.placeholder!r} in {widget.content_region.width} cells")
    return found


@pytest.mark.parametrize("screen", EVERY_SCREEN)
async def test_no_screen_or_dialog_shows_anything_cut_at_80x24(tmp_path, monkeypatch, screen):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("FIELDKIT_CONFIG_DIR", str(tmp_path / "config"))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, screen)
        assert not cut(app)


def wholly_in_view(app, widget) -> bool:
    geometry = app.screen.find_widget(widget)
    return geometry.visible_region == geometry.region and geometry.region.right <= app.size.width


async def test_every_box_and_button_of_the_team_screen_scrolls_into_view_whole_at_80x24(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("FIELDKIT_CONFIG_DIR", str(tmp_path / "config"))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "team")
        body = app.screen.query_one("#team-body")
        controls = list(body.query("Input, Checkbox, Button"))
        assert [c.id for c in controls] == ["passphrase", "bundle-passphrase", "bundle-passphrase-again", "bundle-path",
                                            "refs", "since", "unsigned", "recipients", "create", "verify", "merge"]
        for control in controls:
            body.scroll_to_widget(control, animate=False)
            await pilot.pause()
            assert wholly_in_view(app, control), control


async def test_a_conflicts_two_versions_can_be_read_to_the_last_line_at_80x24(tmp_path, monkeypatch):
    """An item's row is longer than the versions box at any width (28 lines at 80 columns): the box
    scrolls, so the fields below its first 14 lines -- here the notes that differ -- can be read."""
    monkeypatch.delenv("FIELDKIT_PASSPHRASE", raising=False)
    amina = Researcher(tmp_path, "amina", monkeypatch, "AM")
    hq = Researcher(tmp_path, "hq", monkeypatch, "HQ")
    hq.trust(amina)
    ref = amina.record(place="Kharkiv")
    hq.merge(amina.bundle(tmp_path / "first.fkb", everything=True))
    items.update_item(hq.catalog, ref, {"notes": "HQ note"})
    items.update_item(amina.catalog, ref, {"notes": "field note"})
    hq.merge(amina.bundle(tmp_path / "second.fkb", everything=True))
    hq.catalog.close()
    amina.catalog.close()
    hq.use()
    app = make_app(hq.catalog.path, actor="hq", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#conflicts").focus()
        await pilot.pause()
        versions, ours, theirs = (screen.query_one(f"#{name}") for name in ("versions", "ours", "theirs"))
        assert "* notes: HQ note" in str(ours.render()) and "* notes: field note" in str(theirs.render())
        assert ours.region.height > versions.region.height  # longer than the box: it must scroll
        screen.query_one("#team-body").scroll_to_widget(versions, animate=False)
        versions.scroll_end(animate=False)
        await pilot.pause()
        assert versions.region.bottom <= 23  # above the footer
        for side in (ours, theirs):
            assert side.region.bottom <= versions.region.bottom, side


async def test_the_backup_dialog_with_sign_and_passphrase_ticked_shows_whole_without_scrolling_at_80x24(
        tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "backup_signed_with_passphrase")
        shown = [app.screen.query_one(f"#{box}") for box in ("backup-passphrase", "backup-passphrase-again",
                                                               "sign-passphrase")]
        assert all(box.display for box in shown)
        assert app.screen.query_one(".dialog").max_scroll_y == 0
        for widget in app.screen.query("Label, Input, Checkbox, Button"):
            if widget.region.area:  # not hidden (the progress bar's labels)
                assert wholly_in_view(app, widget), widget


async def test_the_ocr_screens_note_on_moving_the_crop_shows_under_the_photo_at_80x24(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(fixed_catalog(tmp_path), actor="t", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "ocr")
        note = app.screen.query_one("#ocr-photo-note")
        assert "arrows move, shift+arrows resize" in str(note.render())
        assert wholly_in_view(app, note)
