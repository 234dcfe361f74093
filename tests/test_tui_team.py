"""The Team screen, driven with Pilot: merge a colleague's bundle with progress and a summary,
resolve conflicts (ours, theirs, an edited union), create a bundle of the selected item."""

from __future__ import annotations

import contextlib
import json

import pytest
from textual.widgets import DataTable, Input

from fieldkit.catalog import items
from fieldkit.team.bundle import read_bundle
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.team import TeamScreen, UnionScreen

from team_helpers import PASSPHRASE, Researcher

SIZE = (120, 50)


@pytest.fixture
def pair(tmp_path, monkeypatch):
    monkeypatch.delenv("FIELDKIT_PASSPHRASE", raising=False)
    amina = Researcher(tmp_path, "amina", monkeypatch, "AM")
    hq = Researcher(tmp_path, "hq", monkeypatch, "HQ")
    hq.trust(amina)
    yield amina, hq
    amina.catalog.close()
    hq.catalog.close()


async def settle(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_team(pilot, *, bundle_path=None):
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TeamScreen)
    screen.query_one("#passphrase", Input).value = PASSPHRASE
    if bundle_path is not None:
        screen.query_one("#bundle-path", Input).value = str(bundle_path)
    return screen


def text_of(screen, selector) -> str:
    return str(screen.query_one(selector).render())


def edited_on_both_sides(amina, hq, tmp_path, *, two=True):
    """Amina's item(s) merged into hq, then changed on both sides: (refs, her bundle of the change,
    not merged yet). The first item's notes differ, the second's place."""
    refs = [amina.record(place="Kharkiv")] + ([amina.record(place="Kyiv")] if two else [])
    hq.merge(amina.bundle(tmp_path / "first.fkb", everything=True))
    items.update_item(hq.catalog, refs[0], {"notes": "HQ note"})
    items.update_item(amina.catalog, refs[0], {"notes": "field note"})
    if two:
        items.update_item(hq.catalog, refs[1], {"place": "Kyiv oblast"})
        items.update_item(amina.catalog, refs[1], {"place": "Kyiv city"})
    return refs, amina.bundle(tmp_path / "second.fkb", everything=True)


@contextlib.asynccontextmanager
async def hq_team_screen(hq, bundle_path=None):
    """The app opened on hq's catalog at the Team screen, with `bundle_path` typed as the bundle to
    read if one is given: (pilot, screen)."""
    hq.use()
    app = make_app(hq.catalog.path, actor="hq", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        yield pilot, await open_team(pilot, bundle_path=bundle_path)


async def test_merge_a_bundle_then_resolve_conflicts_in_the_app(pair, tmp_path):
    amina, hq = pair
    (ref, second), bundle = edited_on_both_sides(amina, hq, tmp_path)
    async with hq_team_screen(hq, bundle_path=bundle) as (pilot, screen):
        app = pilot.app
        assert "Trusted: amina" in text_of(screen, "#key-info")
        await pilot.press("f7")
        await settle(pilot)
        assert "changed on both sides" in text_of(screen, "#result")
        assert "signed by amina" in text_of(screen, "#origins")
        screen.query_one("#refs", Input).value = ref
        screen.refresh_origins()
        assert f"{ref}: catalog" in text_of(screen, "#origins") and "(amina), amina:" in text_of(screen, "#origins")
        table = screen.query_one("#conflicts", DataTable)
        assert table.row_count == 2
        table.focus()
        await pilot.pause()
        shown = text_of(screen, "#ours") + text_of(screen, "#theirs")
        assert ("HQ note" in shown and "field note" in shown) or ("Kyiv oblast" in shown and "Kyiv city" in shown)
        first_label = screen.conflicts[0]["label"]
        await pilot.press("t")  # keep theirs
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("e")  # an edited union for the other
        await pilot.pause()
        assert isinstance(app.screen, UnionScreen)
        draft = json.loads(app.screen.query_one("#union").text)
        assert " / " in (draft.get("notes") or draft.get("place"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert table.row_count == 0
    kept_theirs, edited = (ref, second) if first_label == f"items of {ref}" else (second, ref)
    theirs_item = items.get_item(amina.catalog, kept_theirs)
    assert items.get_item(hq.catalog, kept_theirs)["notes"] == theirs_item["notes"]
    assert items.get_item(hq.catalog, kept_theirs)["place"] == theirs_item["place"]
    union_item = items.get_item(hq.catalog, edited)
    assert union_item["notes"] == "HQ note / field note" or union_item["place"] == "Kyiv oblast / Kyiv city"
    actions = [r[0] for r in hq.catalog.db.execute("SELECT action FROM audit WHERE action LIKE 'resolve%' ORDER BY seq")]
    assert actions == ["resolve-theirs", "resolve", "resolve-edited", "resolve"]


async def test_f3_shows_the_resolved_conflicts_too_with_who_resolved_them_and_how(pair, tmp_path):
    """As `fieldkit conflicts --all` (the same core list): F3 adds the resolved conflicts to the open
    ones, each with when, by whom and how it was resolved; F3 again shows the open ones only. A
    resolved conflict cannot be resolved again. The footer and the help screen name the key."""
    from textual.widgets._footer import FooterKey

    from fieldkit.team.conflicts import list_conflicts

    amina, hq = pair
    _, bundle = edited_on_both_sides(amina, hq, tmp_path)
    hq.merge(bundle)
    async with hq_team_screen(hq) as (pilot, screen):
        table = screen.query_one("#conflicts", DataTable)
        table.focus()
        await pilot.pause()
        resolved_label = screen.conflicts[0]["label"]
        await pilot.press("t")  # keep theirs: resolved by hq
        await pilot.pause()
        assert table.row_count == 1 and text_of(screen, "#conflicts-heading") == "Open conflicts"
        footer = {k.description: k.key_display for k in screen.query(FooterKey)}
        assert footer.get("Resolved") == "f3", str(list(footer))

        await pilot.press("f3")
        await pilot.pause()
        assert text_of(screen, "#conflicts-heading") == "Conflicts, open and resolved (F3: open only)"
        assert [c["id"] for c in screen.conflicts] == [c["id"] for c in list_conflicts(hq.catalog, include_resolved=True)]
        assert table.row_count == 2
        row = next(i for i, c in enumerate(screen.conflicts) if c["resolved_at"] is not None)
        cells = [str(cell) for cell in table.get_row_at(row)]
        assert cells[1] == resolved_label and cells[4:6] == ["theirs", "hq"]
        assert cells[6] == screen.conflicts[row]["resolved_at"][:19]
        open_row = 1 - row
        assert [str(cell) for cell in table.get_row_at(open_row)][4:7] == ["open", "", ""]
        table.move_cursor(row=row)
        await pilot.pause()
        assert text_of(screen, "#ours").startswith(
            f"RESOLVED {screen.conflicts[row]['resolved_at'][:19]} by hq: kept theirs\nOURS")
        await pilot.press("o")  # a resolved conflict stays as it was resolved
        await pilot.pause()
        assert "was already resolved (theirs) by hq" in text_of(screen, "#result")
        assert hq.catalog.db.execute("SELECT resolution FROM conflicts WHERE resolved_at IS NOT NULL").fetchall() == [("theirs",)]

        await pilot.press("f3")
        await pilot.pause()
        assert table.row_count == 1 and text_of(screen, "#conflicts-heading") == "Open conflicts"
        assert screen.conflicts[0]["resolved_at"] is None
        await pilot.press("f1")
        await pilot.pause()
        help_text = pilot.app.screen.query_one("Markdown")._markdown
    assert ("`f3` | Show the resolved conflicts too: when, by whom and how each was resolved "
            "(as `fieldkit conflicts --all`); again for the open ones only") in help_text
    assert "F3 shows the resolved conflicts too" in help_text


@contextlib.asynccontextmanager
async def resolved_view(pair, tmp_path, **changed):
    """The Team screen of hq showing every conflict (F3): one, on amina's item, resolved (theirs)
    by hq, with its conflicts row's `changed` columns set as another program might: (pilot, screen)."""
    from fieldkit.team.conflicts import list_conflicts, resolve

    amina, hq = pair
    _, bundle = edited_on_both_sides(amina, hq, tmp_path, two=False)
    hq.merge(bundle)
    [conflict] = list_conflicts(hq.catalog)
    resolve(hq.catalog, conflict["id"], "theirs")
    if changed:
        with hq.catalog.transaction() as db:
            db.execute(f"UPDATE conflicts SET {', '.join(f'{k} = ?' for k in changed)} WHERE id = ?",
                       [*changed.values(), conflict["id"]])
    async with hq_team_screen(hq) as (pilot, screen):
        await pilot.press("f3")
        await pilot.pause()
        yield pilot, screen


async def test_f3_shows_stored_text_of_a_resolved_conflict_as_text_never_as_markup(pair, tmp_path):
    """A bundle's catalog id is the bundle's own word (From), and a catalog may be written by another
    program: markup in any cell of the resolved view is shown as typed, control characters escaped."""
    async with resolved_view(pair, tmp_path, origin_catalog="[/]\x1b[2J", resolution="[/]kept",
                             resolved_at="[b]2026\x1b[31m") as (_, screen):
        cells = [str(cell) for cell in screen.query_one("#conflicts", DataTable).get_row_at(0)]
        assert cells[2] == "[/]\\x1b[2J" and cells[4] == "[/]kept" and cells[6] == "[b]2026\\x1b[31m"
        assert "RESOLVED [b]2026\\x1b[31m by hq: kept [/]kept" in text_of(screen, "#ours")


async def test_e_on_a_resolved_conflict_says_so_and_opens_no_editor(pair, tmp_path):
    """An edited union of a conflict already resolved could never be saved: say so at once, rather
    than after the researcher has written it."""
    async with resolved_view(pair, tmp_path) as (pilot, screen):
        screen.query_one("#conflicts", DataTable).focus()
        await pilot.press("e")
        await pilot.pause()
        assert pilot.app.screen is screen
        assert "was already resolved (theirs) by hq" in text_of(screen, "#result")


async def test_resolving_a_conflict_in_the_f3_view_keeps_the_cursor_on_it(pair, tmp_path):
    """With F3 the resolved conflict stays in the list: the cursor stays on it (with hundreds of
    conflicts, going back to the top after each one would lose the researcher's place), and its
    resolution is shown at once."""
    amina, hq = pair
    _, bundle = edited_on_both_sides(amina, hq, tmp_path)
    hq.merge(bundle)
    async with hq_team_screen(hq) as (pilot, screen):
        await pilot.press("f3")
        await pilot.pause()
        table = screen.query_one("#conflicts", DataTable)
        table.focus()
        table.move_cursor(row=1)
        await pilot.pause()
        second = screen.conflicts[1]["id"]
        await pilot.press("o")
        await pilot.pause()
        assert table.cursor_row == 1 and screen.highlighted()["id"] == second
        assert text_of(screen, "#ours").startswith("RESOLVED ") and "kept ours" in text_of(screen, "#ours")


async def test_create_a_bundle_of_the_selected_item_encrypted_to_a_colleague(pair, tmp_path):
    amina, hq = pair
    amina.record()
    amina.trust(hq)
    out = tmp_path / "from-app.fkb"
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_team(pilot, bundle_path=out)
        assert screen.query_one("#refs", Input).value == "AM-0001"  # the item highlighted in the catalog
        screen.query_one("#recipients", Input).value = "hq"
        await pilot.press("f5")
        await settle(pilot)
        assert "encrypted to 1 recipient" in text_of(screen, "#result")
    report = hq.merge(out)
    assert report.added["items"] == 1


async def test_a_refused_bundle_is_shown_and_nothing_merged(pair, tmp_path):
    amina, hq = pair
    amina.record()
    bundle = amina.bundle(tmp_path / "a.fkb", everything=True)
    cut = tmp_path / "cut.fkb"
    cut.write_bytes(bundle.read_bytes()[:500])
    async with hq_team_screen(hq, bundle_path=cut) as (pilot, screen):
        await pilot.press("f7")
        await settle(pilot)
        assert "Nothing was merged" in text_of(screen, "#result")
    assert hq.catalog.db.execute("SELECT count(*) FROM items").fetchone()[0] == 0


async def test_make_a_key_in_the_app(tmp_path, monkeypatch):
    """F8 is `fieldkit key new`: the passphrase asked twice (again in a dialog); two that differ make no key."""
    from fieldkit.tui.screens.team import PassphraseAgainScreen

    monkeypatch.setenv("FIELDKIT_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("FIELDKIT_PASSPHRASE", raising=False)
    app = make_app(tmp_path / "c.db", actor="amina", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_team(pilot)
        assert "No key yet" in text_of(screen, "#key-info")
        for again in (PASSPHRASE + "x", PASSPHRASE):
            await pilot.press("f8")
            await pilot.pause()
            assert isinstance(app.screen, PassphraseAgainScreen)
            app.screen.query_one("#passphrase-again", Input).value = again
            await pilot.press("enter")
            await pilot.pause()
            if again != PASSPHRASE:
                assert text_of(screen, "#result") == ("the two passphrases differ; no key was made: "
                                                      "type the same passphrase again (F8)")
                assert "No key yet" in text_of(screen, "#key-info")
        assert "Your key:" in text_of(screen, "#key-info")
    from fieldkit.team import keys

    assert keys.unlock(PASSPHRASE).public.name == "amina"


def test_team_screen_snapshot(snap_compare, tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDKIT_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("FIELDKIT_PASSPHRASE", raising=False)
    from fieldkit.catalog.db import open_catalog

    catalog = open_catalog(tmp_path / "snapshot.db", actor="seed")
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    catalog.close()
    app = make_app(tmp_path / "snapshot.db", actor="t", offer_example=False)

    async def open_it(pilot):
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(110, 32), run_before=open_it)


async def test_escape_cancels_a_merge_and_nothing_is_merged(pair, tmp_path, monkeypatch):
    amina, hq = pair
    amina.record()
    amina.record()
    bundle = amina.bundle(tmp_path / "a.fkb", everything=True)
    hq.use()
    app = make_app(hq.catalog.path, actor="hq", offer_example=False)
    import fieldkit.team.merge as merge_module

    real = merge_module.tempfile.mkstemp
    screen_ref = {}

    def copying(*args, **kwargs):  # the user presses escape while the originals are being copied
        screen_ref["screen"].action_back()
        return real(*args, **kwargs)

    monkeypatch.setattr(merge_module.tempfile, "mkstemp", copying)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_team(pilot, bundle_path=bundle)
        screen_ref["screen"] = screen
        await pilot.press("f7")
        await settle(pilot)
        assert "Cancelled: nothing was merged" in text_of(screen, "#result")
    assert hq.catalog.db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    assert [p for p in hq.catalog.photo_store.rglob("*") if p.is_file()] == []


async def test_trust_a_colleagues_key_in_the_app_then_her_bundle_verifies_as_hers(tmp_path, monkeypatch):
    """F9 is `fieldkit key trust FILE --name NAME`: the file is what she saved from `fieldkit key show`."""
    from click.testing import CliRunner

    from fieldkit.cli import cli
    from fieldkit.team import keys
    from fieldkit.tui.screens.team import TrustKeyScreen

    monkeypatch.delenv("FIELDKIT_PASSPHRASE", raising=False)
    amina = Researcher(tmp_path, "amina", monkeypatch, "AM")
    hq = Researcher(tmp_path, "hq", monkeypatch, "HQ")
    amina.use()
    shown = CliRunner().invoke(cli, ["key", "show"])
    assert shown.exit_code == 0, shown.output
    (tmp_path / "amina.pub").write_text(shown.output)
    amina.record(place="Kharkiv")
    bundle = amina.bundle(tmp_path / "amina.fkb", everything=True)
    async with hq_team_screen(hq, bundle_path=bundle) as (pilot, screen):
        app = pilot.app
        assert "Trusted: nobody yet" in text_of(screen, "#key-info")
        assert f"\nPublic key (as `fieldkit key show`, for colleagues to trust): {hq.public.text}\n" in \
            text_of(screen, "#key-info")
        await pilot.press("f9")
        assert isinstance(app.screen, TrustKeyScreen)
        app.screen.query_one("#trust-file", Input).value = str(tmp_path / "amina.pub")
        await pilot.press("enter")  # on to the name
        assert app.screen.focused is app.screen.query_one("#trust-name", Input)
        app.screen.query_one("#trust-name", Input).value = "amina"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert text_of(screen, "#result") == (f"Trusted amina: {amina.public.fingerprint} "
                                              "(check it with them by another channel).")
        assert "Trusted: amina" in text_of(screen, "#key-info")
        await pilot.press("f6")
        await settle(pilot)
        assert "signed by amina" in text_of(screen, "#result")
    assert [(k.name, k.verify_key) for k in keys.trusted_keys()] == [("amina", amina.public.verify_key)]
    amina.catalog.close()
    hq.catalog.close()


async def test_trusting_a_file_without_one_key_or_a_bad_name_is_one_line_and_trusts_nobody(tmp_path, monkeypatch):
    from fieldkit.team import keys
    from fieldkit.tui.screens.team import TrustKeyScreen

    monkeypatch.delenv("FIELDKIT_PASSPHRASE", raising=False)
    hq = Researcher(tmp_path, "hq", monkeypatch, "HQ")
    (tmp_path / "notes.txt").write_text("no key in here\n")
    (tmp_path / "hq.pub").write_text(f"public key: {hq.public.text}\n")
    app = make_app(hq.catalog.path, actor="hq", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_team(pilot)
        await pilot.press("f9")
        dialog = app.screen
        for path, name, error in [
            (tmp_path / "missing.pub", "amina", "missing.pub: not a file; give the file saved from their `fieldkit key show`"),
            (tmp_path / "notes.txt", "amina", "holds 0 fieldkit public keys, not one"),
            (tmp_path / "hq.pub", "two words", "the name must be one printable word"),
        ]:
            dialog.query_one("#trust-file", Input).value = str(path)
            dialog.query_one("#trust-name", Input).value = name
            dialog.query_one("#trust-name", Input).focus()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, TrustKeyScreen)
            said = text_of(dialog, "#trust-error")
            assert said.startswith("Error: ") and error in said and "\n" not in said
    assert keys.trusted_keys() == []
    hq.catalog.close()


def manifest_of(bundle) -> dict:
    import zipfile

    with zipfile.ZipFile(bundle) as zf:
        return json.loads(zf.read("manifest.json"))


async def create_in_app(pilot, out, *, refs: str, since: str, unsigned: bool = False, passphrase: str = PASSPHRASE) -> str:
    """On the Team screen (opened first if need be): the bundle file, items, date, Unsigned; F5; the outcome."""
    if not isinstance(pilot.app.screen, TeamScreen):
        await open_team(pilot)
    screen = pilot.app.screen
    screen.query_one("#bundle-path", Input).value = str(out)
    screen.query_one("#passphrase", Input).value = passphrase
    screen.query_one("#refs", Input).value = refs
    screen.query_one("#since", Input).value = since
    if unsigned:
        await pilot.press("f4")
    assert screen.query_one("#unsigned").value == unsigned
    await pilot.press("f5")
    await settle(pilot)
    return text_of(screen, "#result")


async def test_a_bundle_of_what_changed_since_a_date_is_the_one_the_cli_makes(pair, tmp_path):
    """*Changed since* is `fieldkit bundle create OUT --since DATE`: the same items, the same selection."""
    from click.testing import CliRunner

    from fieldkit.cli import cli

    amina, hq = pair
    first, second = amina.record(), amina.record()
    amina.use()  # the app runs as amina, with her key
    out = tmp_path / "since.fkb"
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        result = await create_in_app(pilot, out, refs="", since="2000-01-01")
        assert "Error" not in result
        future = await create_in_app(pilot, tmp_path / "future.fkb", refs=first, since="2999-01-01")
        bad = await create_in_app(pilot, tmp_path / "bad.fkb", refs="", since="2024-13-01")
    printed = CliRunner().invoke(cli, ["--db", str(amina.catalog.path), "--actor", "amina", "bundle", "create",
                                       str(tmp_path / "cli.fkb"), "--since", "2000-01-01"], env={"FIELDKIT_PASSPHRASE": PASSPHRASE})
    assert printed.exit_code == 0, printed.output
    ours, theirs = manifest_of(out), manifest_of(tmp_path / "cli.fkb")
    assert ours["selection"] == theirs["selection"] == {"all": False, "items": [], "since": "2000-01-01"}
    assert ours["counts"] == theirs["counts"] and ours["counts"]["items"] == 2
    assert result == (f"wrote {out}: bundle {ours['bundle_id']}, 2 items, 4 photos, {ours['counts']['audit']} audit entries, "
                      f"signed {amina.public.fingerprint}")
    assert manifest_of(tmp_path / "future.fkb")["counts"]["items"] == 1 and ", 1 items," in future  # the named item only
    assert bad == "Error: --since '2024-13-01' is not a date; give YYYY-MM-DD"
    assert not (tmp_path / "bad.fkb").exists()
    assert hq.merge(out).added["items"] == 2 and second


async def test_an_unsigned_bundle_needs_no_key_and_merges_only_when_unsigned_is_allowed(pair, tmp_path):
    """*Unsigned* (F4) is `fieldkit bundle create --unsigned`: no key is unlocked, and the bundle says so."""
    amina, hq = pair
    amina.record()
    amina.use()
    out = tmp_path / "unsigned.fkb"
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        result = await create_in_app(pilot, out, refs="", since="", unsigned=True, passphrase="not it")  # never used
        await pilot.press("f1")
        help_text = app.screen.query_one("Markdown")._markdown
    assert result.endswith(", unsigned") and result.startswith(f"wrote {out}: bundle ")
    assert "manifest.sig" not in __import__("zipfile").ZipFile(out).namelist()
    hq.use()
    refused, _ = read_bundle(out)
    assert not refused.ok and "not signed" in " ".join(refused.problems)
    allowed, content = read_bundle(out, allow_unsigned=True)
    assert allowed.ok and allowed.unsigned and len(content.rows["items"]) == 1
    assert ("`f4` | Create the bundle without signing it (as `fieldkit bundle create --unsigned`); verify and merge "
            "accept an unsigned one (as `--allow-unsigned`)") in help_text


async def test_an_unsigned_bundle_is_verified_and_merged_only_with_unsigned_ticked(pair, tmp_path):
    """*Unsigned* (F4) is also `--allow-unsigned` for F6 and F7: an unsigned bundle is refused (nothing
    merged) until the researcher says she accepts one that cannot prove who made it."""
    from fieldkit.team.bundle import create_bundle

    amina, hq = pair
    amina.record()
    out = tmp_path / "unsigned.fkb"
    create_bundle(amina.catalog, out, secret=None, everything=True)
    async with hq_team_screen(hq, bundle_path=out) as (pilot, screen):
        await pilot.press("f6")
        await settle(pilot)
        checked = text_of(screen, "#result")
        await pilot.press("f7")
        await settle(pilot)
        refused = text_of(screen, "#result")
        assert hq.catalog.db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
        await pilot.press("f4")
        await pilot.press("f6")
        await settle(pilot)
        verified = text_of(screen, "#result")
        await pilot.press("f7")
        await settle(pilot)
    assert "the bundle is not signed" in checked and checked.endswith("bundle refused: 1 problem(s)")
    assert "the bundle is not signed" in refused and "Nothing was merged" in refused
    # the app's allowance is the F4 checkbox: the line names it, not the CLI's option
    for shown in (checked, refused):
        assert ("the bundle is not signed; tick Unsigned (F4) to verify or merge it, only if you know where "
                "it came from") in shown and "--allow-unsigned" not in shown
    assert "not signed" not in verified and verified.endswith("bundle intact")
    assert hq.catalog.db.execute("SELECT count(*) FROM items").fetchone()[0] == 1


async def test_a_passphrase_bundle_is_asked_twice_to_create_and_once_to_open(pair, tmp_path):
    """As `fieldkit bundle create --passphrase` asks twice: two boxes that differ write nothing and say so
    in one line; the same passphrase twice makes the bundle; verifying it needs the first box only."""
    from fieldkit.team import crypt

    amina, hq = pair
    amina.record()
    out = tmp_path / "with-passphrase.fkb"
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_team(pilot, bundle_path=out)
        screen.query_one("#bundle-passphrase", Input).value = "long walk home"
        screen.query_one("#bundle-passphrase-again", Input).value = "long walk hom"
        await pilot.press("f5")
        await settle(pilot)
        assert text_of(screen, "#result") == ("Error: the two bundle passphrases differ; "
                                              "type the same passphrase in both boxes")
        assert not out.exists()
        screen.query_one("#bundle-passphrase-again", Input).value = "long walk home"
        await pilot.press("f5")
        await settle(pilot)
        assert out.is_file() and crypt.is_encrypted(out) and crypt.needs_passphrase(out)
        screen.query_one("#bundle-passphrase-again", Input).value = ""  # opening asks once
        await pilot.press("f6")
        await settle(pilot)
        assert text_of(screen, "#result").endswith("bundle intact")


async def test_escape_while_a_passphrase_encrypts_the_bundle_stops_it_and_writes_nothing(pair, tmp_path, monkeypatch):
    """While the bundle is encrypted with a passphrase (in a child process, in memory) the result line
    says so; escape stops it there: no bundle is written."""
    from fieldkit.team import crypt

    monkeypatch.setattr(crypt, "POLL", 0.02)
    amina, hq = pair
    amina.record()
    out = tmp_path / "stopped.fkb"
    shown = []
    real = TeamScreen.show_stage

    def pressing_escape(screen, text):
        real(screen, text)
        shown.append(text_of(screen, "#result"))
        if len(shown) == 2:
            screen.action_back()  # escape, as the key does while a job runs

    monkeypatch.setattr(TeamScreen, "show_stage", pressing_escape)
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_team(pilot, bundle_path=out)
        for box in ("#bundle-passphrase", "#bundle-passphrase-again"):
            screen.query_one(box, Input).value = "long walk home"
        await pilot.press("f5")
        await settle(pilot)
        assert text_of(screen, "#result") == "Cancelled: nothing was written."
        assert app.screen is screen  # escape stopped the job, not the screen
    assert shown[0].startswith("Encrypting the bundle (") and shown[0].endswith(
        "with the passphrase, in memory (escape cancels)")
    assert not out.exists() and list(tmp_path.glob("stopped.fkb*")) == []


async def test_escape_pressed_before_the_jobs_thread_starts_cancels_the_job_not_the_screen(pair, tmp_path):
    """F5 then escape at once, before the worker's thread has run a line: the job is cancelled and the
    screen stays, saying so. The cancel was armed in the worker, so escape found nothing running,
    closed the screen, and the bundle was written behind it."""
    amina, hq = pair
    amina.record()
    out = tmp_path / "early.fkb"
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_team(pilot, bundle_path=out)
        screen.action_create()  # F5
        screen.action_back()  # escape, in the same turn of the event loop: the thread has not started
        await settle(pilot)
        assert app.screen is screen
        assert text_of(screen, "#result") == "Cancelled: nothing was written."
        await pilot.press("escape")  # nothing runs now: escape goes back
        await settle(pilot)
        assert app.screen is not screen
    assert not out.exists() and list(tmp_path.glob("early.fkb*")) == []


async def test_a_second_job_asked_for_while_one_runs_is_refused_in_one_line(pair, tmp_path, monkeypatch):
    amina, hq = pair
    amina.record()
    out = tmp_path / "once.fkb"
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_team(pilot, bundle_path=out)
        screen.action_create()
        screen.action_verify()  # F6 while the bundle is being made
        assert text_of(screen, "#result") == "A job is running: wait for it, or press escape to cancel it."
        await settle(pilot)
        assert "bundle" in text_of(screen, "#result").lower() and "Error" not in text_of(screen, "#result")
    assert out.exists()
