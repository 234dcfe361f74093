"""Signing and encrypting a backup in the app (`b`). Sign (F2) is `fieldkit backup DEST --sign`: the
key unlocked first, the backup copied, then a signed checkpoint of the head the backup records, which
verify accepts as signed by you; a wrong passphrase copies nothing, and no key is one line saying
how to make one. *Encrypt to* is `--encrypt-to`: one age file only the recipients can open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input

from fieldkit.catalog import items, witness
from fieldkit.catalog.db import open_catalog
from fieldkit.evidence.verify import verify_catalog
from fieldkit.team import keys
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.backup import BackupScreen
from fieldkit.tui.screens.help import HelpScreen
from tests.team_helpers import PASSPHRASE, Researcher
from tests.test_tui_catalog import settle


def log_lines() -> list[dict]:
    path = witness.witness_path()
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def researcher(tmp_path, monkeypatch) -> Researcher:
    monkeypatch.delenv("FIELDKIT_PASSPHRASE", raising=False)
    amina = Researcher(tmp_path, "amina", monkeypatch, "AM")
    items.add_item(amina.catalog, {"category": "rocket", "designation": "9M22U"})
    amina.catalog.close()
    return amina


async def back_up(pilot, dest, *, passphrase: str | None) -> str:
    """Open the backup dialog, tick Sign with F2 and type the passphrase (if given), start; the outcome line."""
    app = pilot.app
    await settle(app, pilot)
    await pilot.press("b")
    assert isinstance(app.screen, BackupScreen)
    app.screen.query_one("#dest", Input).value = str(dest)
    assert not app.screen.query_one("#sign-passphrase").display  # asked only when signing
    await pilot.press("f2")
    assert app.screen.query_one("#sign", Checkbox).value
    assert app.screen.focused is app.screen.query_one("#sign-passphrase", Input)
    if passphrase is not None:
        app.screen.query_one("#sign-passphrase", Input).value = passphrase
    await pilot.press("enter")
    await settle(app, pilot)
    return str(app.screen.query_one("#result").render())


async def test_a_backup_signed_in_the_app_carries_a_checkpoint_that_verify_accepts(tmp_path, monkeypatch):
    amina = researcher(tmp_path, monkeypatch)
    before = len(log_lines())
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        result = await back_up(pilot, tmp_path / "usb", passphrase=PASSPHRASE)
    assert "all verified by SHA-256" in result
    catalog = open_catalog(amina.catalog.path, actor="amina")
    signed = log_lines()[-1]
    assert len(log_lines()) > before and signed["key"] == amina.public.text
    assert f"signed a witness checkpoint: row {signed['seq']}, fingerprint {witness.fingerprint(signed['head'])}" in result
    recorded = json.loads((tmp_path / "usb" / witness.HEAD_FILE).read_text())
    assert (signed["seq"], signed["head"]) == (recorded["seq"], recorded["head"])  # the head the backup holds
    assert witness.signature_valid(signed) == (amina.public.verify_key, True)
    report = verify_catalog(catalog)
    assert report.ok, report.summary()
    assert [(s.seq, s.signer) for s in report.signed] == [(signed["seq"], "you")]
    assert "the head itself is signed" in report.signed_line()
    assert [r["designation"] for r in items.list_items(open_catalog(tmp_path / "usb" / "catalog.db"))] == ["9M22U"]


async def test_a_wrong_passphrase_copies_nothing_and_signs_nothing(tmp_path, monkeypatch):
    amina = researcher(tmp_path, monkeypatch)
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        result = await back_up(pilot, tmp_path / "usb", passphrase="not it")
        assert not app.screen.query_one("#progress").display
    assert "Error: wrong passphrase for your key" in result
    assert not (tmp_path / "usb").exists()
    assert not any(witness.is_signed(line) for line in log_lines())


async def test_signing_without_a_key_says_how_to_make_one_and_copies_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDKIT_CONFIG_DIR", str(tmp_path / "empty-config"))
    monkeypatch.delenv("FIELDKIT_PASSPHRASE", raising=False)
    db = tmp_path / "catalog.db"
    items.add_item(open_catalog(db, actor="amina"), {"category": "fuze"})
    assert not keys.has_key()
    app = make_app(db, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        result = await back_up(pilot, tmp_path / "usb", passphrase=None)
    assert result.count("\n") == 0
    assert result == ("Error: no signing key yet: make one on the Team screen (t, then F8) or with `fieldkit key new`, "
                      "or untick Sign")
    assert not (tmp_path / "usb").exists()


async def test_help_on_the_backup_dialog_names_the_sign_key(db_path):
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("Markdown")._markdown
    assert "`f2` | Also sign a witness checkpoint of the audit head with your key" in text
    assert "`fieldkit backup DEST --sign`" in text


async def test_a_backup_encrypted_in_the_app_opens_only_with_the_recipients_key(tmp_path, monkeypatch):
    """*Encrypt to* is `fieldkit backup DEST --encrypt-to R`: one age file, restored with the recipient's key."""
    from fieldkit.catalog.backup import restore
    from fieldkit.team import crypt
    from fieldkit.team.sealed_backup import opened_backup

    amina = researcher(tmp_path, monkeypatch)
    hq = Researcher(tmp_path, "hq", monkeypatch, "HQ")
    hq.trust(amina)
    amina.use()
    keys.trust(hq.public, "hq")
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        app.screen.query_one("#dest", Input).value = str(tmp_path / "to-hq.age")
        app.screen.query_one("#encrypt-to", Input).value = "hq"
        await pilot.click("#start")
        await settle(app, pilot)
        result = str(app.screen.query_one("#result").render())
    assert "all verified by SHA-256" in result and "Error" not in result
    sealed = tmp_path / "to-hq.age"
    assert sealed.is_file() and crypt.is_encrypted(sealed)
    with pytest.raises(crypt.DecryptProblem, match="not encrypted to your key"):  # amina's own key cannot
        with opened_backup(sealed, identities=[keys.unlock(PASSPHRASE).age_identity]):
            pass
    hq.use()
    with opened_backup(sealed, identities=[keys.unlock(PASSPHRASE).age_identity]) as folder:
        report = restore(folder, tmp_path / "restored.db", actor="hq")
    assert not report.problems
    assert [r["designation"] for r in items.list_items(open_catalog(tmp_path / "restored.db"))] == ["9M22U"]


async def test_a_bad_recipient_is_one_line_and_writes_nothing(tmp_path, monkeypatch):
    amina = researcher(tmp_path, monkeypatch)
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        app.screen.query_one("#dest", Input).value = str(tmp_path / "to-nobody.age")
        app.screen.query_one("#encrypt-to", Input).value = "nobody"
        await pilot.click("#start")
        await settle(app, pilot)
        result = str(app.screen.query_one("#result").render())
    assert result == "Error: 'nobody' is not an age recipient (age1...), a trusted name or a file holding one"
    assert not (tmp_path / "to-nobody.age").exists()


async def make_passphrase_backup(pilot, sealed, first: str, again: str) -> str:
    """In the backup dialog: F3, the passphrase typed twice, start; the outcome line."""
    app = pilot.app
    await settle(app, pilot)
    await pilot.press("b")
    app.screen.query_one("#dest", Input).value = str(sealed)
    assert not app.screen.query_one("#backup-passphrases").display  # asked only when ticked
    await pilot.press("f3")
    assert app.screen.query_one("#with-passphrase", Checkbox).value
    boxes = [app.screen.query_one(f"#{box}", Input) for box in ("backup-passphrase", "backup-passphrase-again")]
    assert app.screen.focused is boxes[0] and all(box.password for box in boxes)  # never echoed
    boxes[0].value, boxes[1].value = first, again
    await pilot.click("#start")
    await settle(app, pilot)
    return str(app.screen.query_one("#result").render())


async def restore_in_app(pilot, source, target, secret: str) -> str:
    """Restore… (ctrl+r) from the backup dialog: the file, its passphrase, the target; confirm; the outcome."""
    app = pilot.app
    if isinstance(app.screen, BackupScreen):
        await pilot.press("ctrl+r")
    app.screen.query_one("#source", Input).value = str(source)
    await pilot.pause()
    box = app.screen.query_one("#restore-passphrase", Input)
    assert box.display and box.password
    box.value = secret
    app.screen.query_one("#target", Input).value = str(target)
    await pilot.click("#start")
    await settle(app, pilot)
    if type(app.screen).__name__ == "ConfirmScreen":
        await pilot.press("y")
        await settle(app, pilot)
    return str(app.screen.query_one("#result").render())


async def test_a_passphrase_backup_made_in_the_app_restores_in_the_app_as_the_cli_restores_it(tmp_path, monkeypatch):
    """*Passphrase* (F3) is `fieldkit backup DEST --passphrase`; Restore of that file is
    `fieldkit restore FILE --to NEW.db`: both restored catalogs hold the same items and photos."""
    from click.testing import CliRunner

    from fieldkit.cli import cli
    from fieldkit.evidence.photos import list_photos
    from fieldkit.team import crypt

    monkeypatch.delenv("FIELDKIT_BUNDLE_PASSPHRASE", raising=False)
    amina = Researcher(tmp_path, "amina", monkeypatch, "AM")
    ref = amina.record(designation="9M22U")
    amina.catalog.close()
    sealed = tmp_path / "usb" / "backup.age"
    (tmp_path / "usb").mkdir()
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        made = await make_passphrase_backup(pilot, sealed, "long walk home", "long walk home")
        assert "copied the catalog and 2 photo originals" in made and "Error" not in made
        assert sealed.is_file() and crypt.is_encrypted(sealed) and crypt.needs_passphrase(sealed)
        assert b"long walk home" not in sealed.read_bytes()
        wrong = await restore_in_app(pilot, sealed, tmp_path / "wrong.db", "short walk")
        assert wrong == "Error: backup.age cannot be opened with this passphrase (wrong passphrase, or the file is damaged)"
        assert not (tmp_path / "wrong.db").exists()
        placeholder = app.screen.query_one("#restore-passphrase", Input).placeholder
        restored = await restore_in_app(pilot, sealed, tmp_path / "app.db", "long walk home")
    assert placeholder == "The backup's passphrase"
    assert restored.startswith(f"restored the catalog to {tmp_path / 'app.db'} and 2 photo originals")
    result = CliRunner().invoke(cli, ["--actor", "amina", "restore", str(sealed), "--to", str(tmp_path / "cli.db")],
                                env={"FIELDKIT_BUNDLE_PASSPHRASE": "long walk home"})
    assert result.exit_code == 0, result.output

    def content(path):
        catalog = open_catalog(path)
        return ([(r["ref"], r["designation"]) for r in items.list_items(catalog)],
                sorted(p["sha256"] for p in list_photos(catalog, ref)))

    assert content(tmp_path / "app.db") == content(tmp_path / "cli.db") == ([(ref, "9M22U")], content(amina.catalog.path)[1])
    assert verify_catalog(open_catalog(tmp_path / "app.db")).ok


async def test_passphrases_that_differ_or_an_empty_one_write_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("FIELDKIT_BUNDLE_PASSPHRASE", raising=False)
    amina = researcher(tmp_path, monkeypatch)
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        differ = await make_passphrase_backup(pilot, tmp_path / "a.age", "long walk", "long walk!")

        async def again(first: str, second: str) -> str:  # Enter in the second box starts, as *Back up* does
            app.screen.query_one("#backup-passphrase", Input).value = first
            app.screen.query_one("#backup-passphrase-again", Input).value = second
            app.screen.query_one("#backup-passphrase-again", Input).focus()
            await pilot.press("enter")
            await settle(app, pilot)
            return str(app.screen.query_one("#result").render())

        empty = await again("", "")
        app.screen.query_one("#encrypt-to", Input).value = amina.public.age_recipient
        both = await again("long walk", "long walk")
    assert differ == "Error: the two passphrases differ; type the same passphrase in both boxes"
    assert empty == "Error: the passphrase is empty; give one to encrypt with"
    assert both == "Error: age encrypts to recipients or with a passphrase, not both; choose one"
    assert not (tmp_path / "a.age").exists()
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".age"]


async def test_a_backup_encrypted_to_your_key_restores_in_the_app_with_your_keys_passphrase(tmp_path, monkeypatch):
    from fieldkit.team.sealed_backup import sealed_backup

    amina = researcher(tmp_path, monkeypatch)
    catalog = open_catalog(amina.catalog.path, actor="amina")
    sealed_backup(catalog, tmp_path / "mine.age", recipients=[amina.public.age_recipient])
    catalog.close()
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        wrong = await restore_in_app(pilot, tmp_path / "mine.age", tmp_path / "r.db", "not it")
        placeholder = app.screen.query_one("#restore-passphrase", Input).placeholder
        restored = await restore_in_app(pilot, tmp_path / "mine.age", tmp_path / "r.db", PASSPHRASE)
    assert placeholder == "Your key's passphrase (the backup is encrypted to your key)"
    assert wrong.startswith("Error: wrong passphrase for your key")
    assert restored.startswith(f"restored the catalog to {tmp_path / 'r.db'}")
    assert [r["designation"] for r in items.list_items(open_catalog(tmp_path / "r.db"))] == ["9M22U"]


async def test_help_on_the_backup_dialog_names_the_passphrase_key(db_path):
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await pilot.press("f1")
        text = app.screen.query_one("Markdown")._markdown
    assert "`f3` | Encrypt the backup into one file with a passphrase (as `fieldkit backup DEST --passphrase`)" in text


async def test_restoring_a_file_that_is_not_an_encrypted_backup_is_one_line(tmp_path, monkeypatch):
    amina = researcher(tmp_path, monkeypatch)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup")
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b", "ctrl+r")
        app.screen.query_one("#source", Input).value = str(notes)
        await pilot.pause()
        asked = app.screen.query_one("#restore-passphrase").display
        app.screen.query_one("#target", Input).value = str(tmp_path / "r.db")
        await pilot.click("#start")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        result = str(app.screen.query_one("#result").render())
    assert not asked  # no passphrase for a file that is not encrypted
    assert result == f"Error: {notes} is a file but not an encrypted backup; give a backup folder or file"
    assert not (tmp_path / "r.db").exists()


async def test_the_dialog_says_what_it_is_doing_while_a_passphrase_encrypts_and_decrypts(tmp_path, monkeypatch):
    """Encrypting or decrypting with a passphrase is one call in memory, with no steps to count: while it
    runs, in a child process (the screen stays live), the bar pulses and the outcome line says what is
    being done and for how long; at the end the report replaces it and the bar goes."""
    from textual.widgets import ProgressBar

    from fieldkit.team import crypt
    from fieldkit.tui.screens.backup import CopyDialog

    monkeypatch.delenv("FIELDKIT_BUNDLE_PASSPHRASE", raising=False)
    monkeypatch.setattr(crypt, "POLL", 0.02)
    amina = Researcher(tmp_path, "amina", monkeypatch, "AM")
    amina.record(designation="9M22U")
    amina.catalog.close()
    seen = []
    real = CopyDialog.show_stage

    def watched(dialog, text):
        real(dialog, text)
        bar = dialog.query_one("#progress", ProgressBar)
        seen.append((str(dialog.query_one("#result").render()), bar.display, bar.total))

    monkeypatch.setattr(CopyDialog, "show_stage", watched)
    sealed = tmp_path / "backup.age"
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        made = await make_passphrase_backup(pilot, sealed, "long walk home", "long walk home")
        assert "copied the catalog and 2 photo originals" in made
        assert not app.screen.query_one("#progress").display
        encrypting = [shown for shown in seen if shown[0].startswith("Encrypting the backup (")]
        assert encrypting and all(display and total is None for _, display, total in encrypting)
        assert encrypting[0][0].endswith("with the passphrase, in memory")
        assert any(text.endswith(" s") for text, _, _ in encrypting[1:])  # and for how long
        assert seen[0][0] == "Packing the backup into one file"
        seen.clear()
        restored = await restore_in_app(pilot, sealed, tmp_path / "back.db", "long walk home")
        assert restored.startswith("restored the catalog to")
    assert seen[0][0].startswith("Decrypting backup.age (") and seen[0][0].endswith("with the passphrase, in memory")
    assert seen[-1][0] == "Unpacking the backup"


def escape_while(dialog_class, starts: str, monkeypatch) -> list[str]:
    """Press escape (as the key does) on the dialog the second time it says a line starting with
    `starts`, i.e. while that step runs; the lines it said are collected."""
    from fieldkit.tui.screens.backup import CopyDialog

    said = []
    real = CopyDialog.show_stage

    def pressing_escape(dialog, text):
        real(dialog, text)
        said.append(text)
        if isinstance(dialog, dialog_class) and sum(line.startswith(starts) for line in said) == 2:
            dialog.action_close()

    monkeypatch.setattr(CopyDialog, "show_stage", pressing_escape)
    return said


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """The temporary folders that backups are packed and unpacked in, where the test can see them."""
    import tempfile

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


async def test_escape_while_the_backup_is_encrypted_stops_it_and_keeps_nothing(tmp_path, monkeypatch, private_tmp):
    from fieldkit.team import crypt

    monkeypatch.delenv("FIELDKIT_BUNDLE_PASSPHRASE", raising=False)
    monkeypatch.setattr(crypt, "POLL", 0.02)
    amina = Researcher(tmp_path, "amina", monkeypatch, "AM")
    amina.record(designation="9M22U")
    amina.catalog.close()
    said = escape_while(BackupScreen, "Encrypting the backup", monkeypatch)
    sealed = tmp_path / "usb" / "backup.age"
    sealed.parent.mkdir()
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        result = await make_passphrase_backup(pilot, sealed, "long walk home", "long walk home")
        assert isinstance(app.screen, BackupScreen)  # escape stopped the work, not the dialog
        assert not app.screen.query_one("#progress").display
        assert not app.screen.query_one("#start").disabled
    assert result == "Cancelled: nothing was kept."
    assert [line for line in said if line.startswith("Encrypting")][-1].endswith(" s")  # it was at work
    assert list(sealed.parent.iterdir()) == []  # no backup, no partial file
    assert list(private_tmp.iterdir()) == []  # nor the packed copy


async def test_escape_while_a_backup_is_decrypted_stops_the_restore_and_keeps_nothing(tmp_path, monkeypatch, private_tmp):
    from fieldkit.team import crypt
    from fieldkit.tui.screens.backup import RestoreScreen
    from fieldkit.team.sealed_backup import sealed_backup

    monkeypatch.setattr(crypt, "POLL", 0.02)
    amina = Researcher(tmp_path, "amina", monkeypatch, "AM")
    amina.record(designation="9M22U")
    sealed_backup(amina.catalog, tmp_path / "backup.age", passphrase="long walk home")
    amina.catalog.close()
    said = escape_while(RestoreScreen, "Decrypting backup.age", monkeypatch)
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        result = await restore_in_app(pilot, tmp_path / "backup.age", tmp_path / "restored.db", "long walk home")
        assert isinstance(app.screen, RestoreScreen)
    assert result == "Cancelled: nothing was kept."
    assert [line for line in said if line.startswith("Decrypting")][-1].endswith(" s")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("restored")]
    assert list(private_tmp.iterdir()) == []  # no decrypted copy left behind


async def test_enter_pressed_again_while_a_backup_runs_starts_no_second_one_and_escape_still_cancels(
        tmp_path, monkeypatch):
    """The Back up button is disabled while a copy runs, but Enter in the folder box starts too: it is
    refused, and the running copy keeps its cancel (a second start had re-armed it and, on its error,
    disarmed it, so that escape closed the dialog over a copy still running)."""
    amina = researcher(tmp_path, monkeypatch)
    outcomes, real_finish, real_backup = [], BackupScreen.finish, BackupScreen.make_backup
    monkeypatch.setattr(BackupScreen, "finish",
                        lambda dialog, text, **kw: outcomes.append(text) or real_finish(dialog, text, **kw))

    armed = []

    def enter_again(dialog, *args):  # in the worker, as the copy begins: Enter in the folder box
        if not armed:
            dialog.app.call_from_thread(dialog.start)
            armed.append(dialog.cancel.running)  # escape would still cancel this copy
        return real_backup(dialog, *args)

    monkeypatch.setattr(BackupScreen, "make_backup", enter_again)
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        dialog = app.screen
        dialog.query_one("#dest", Input).value = str(tmp_path / "usb")
        dialog.start()
        await settle(app, pilot)
    assert armed == [True]
    assert len(outcomes) == 1 and "all verified by SHA-256" in outcomes[0], outcomes


def whole_without_scrolling(dialog) -> list[str]:
    """What of the dialog does not show whole without scrolling it: [] when it all does."""
    from fieldkit.tui.screens.backup import CopyDialog

    assert isinstance(dialog, CopyDialog)
    found = [f"the dialog scrolls by {dialog.query_one('.dialog').max_scroll_y}"] if dialog.query_one(".dialog").max_scroll_y else []
    for widget in dialog.query("Button, #result, #progress, Input, Checkbox"):
        if widget.display and widget.region.area:
            geometry = dialog.find_widget(widget)
            if geometry.visible_region != geometry.region:
                found.append(f"{widget!r} cut: {geometry.visible_region} of {geometry.region}")
    return found


async def test_at_80x24_a_long_outcome_and_the_progress_bar_leave_every_button_in_view(tmp_path, monkeypatch):
    """The tallest backup dialog (Passphrase and Sign both ticked) at 80x24, with a folder path of
    some 130 characters: while it works (bar and stage line) and when it is done (the report and the
    signed checkpoint's line) nothing scrolls and the buttons stay in view; the outcome keeps its key
    facts -- where (the path shortened in its middle), how many photos, verified, the checkpoint."""
    monkeypatch.delenv("FIELDKIT_BUNDLE_PASSPHRASE", raising=False)
    amina = researcher(tmp_path, monkeypatch)
    folder = tmp_path / ("evidence-from-the-eastern-district-" * 3) / "usb"
    folder.mkdir(parents=True)
    sealed = folder / "backup-2026-12-03.age"
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        dialog = app.screen
        dialog.query_one("#dest", Input).value = str(sealed)
        await pilot.press("f3")
        for box in ("#backup-passphrase", "#backup-passphrase-again"):
            dialog.query_one(box, Input).value = "long walk home"
        await pilot.press("f2")
        dialog.query_one("#sign-passphrase", Input).value = PASSPHRASE
        dialog.query_one("#progress").display = True  # as while it works
        dialog.show_stage("Encrypting the backup (1 MB) with the passphrase, in memory: 3 s")
        await pilot.pause()
        assert whole_without_scrolling(dialog) == []
        dialog.start()
        await settle(app, pilot)
        result = str(dialog.query_one("#result").render())
        assert whole_without_scrolling(dialog) == []
    assert sealed.exists()
    assert "\\x0a" not in result  # the checkpoint's line on a line of its own, not after an escaped newline
    flat = " ".join(result.split())
    assert "0 photo originals" in flat and "all verified by SHA-256" in flat
    assert "…" in flat and "usb/backup-2026-12-03.age" in flat.replace("\n", "")
    signed = log_lines()[-1]
    assert f"signed a witness checkpoint: row {signed['seq']}, fingerprint {witness.fingerprint(signed['head'])}" in flat


async def test_at_80x24_a_restores_long_outcome_leaves_its_buttons_in_view(tmp_path, monkeypatch):
    from fieldkit.catalog.backup import backup
    from fieldkit.tui.screens.backup import RestoreScreen

    amina = Researcher(tmp_path, "amina", monkeypatch, "AM")
    amina.record(designation="9M22U")
    backup(amina.catalog, tmp_path / "usb")
    amina.catalog.close()
    target = tmp_path / ("restored-from-the-eastern-district-" * 3) / "catalog-restored.db"
    target.parent.mkdir()
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await pilot.press("ctrl+r")
        dialog = app.screen
        assert isinstance(dialog, RestoreScreen)
        dialog.query_one("#source", Input).value = str(tmp_path / "usb")
        dialog.query_one("#target", Input).value = str(target)
        dialog.run_restore(tmp_path / "usb", target)
        await settle(app, pilot)
        result = " ".join(str(dialog.query_one("#result").render()).split())
        assert dialog.query_one("#open").display  # Open it is offered...
        assert whole_without_scrolling(dialog) == []  # ...and in view
    assert target.exists()
    assert "restored the catalog to" in result and "catalog-restored.db" in result and "SHA256SUMS" in result


def test_a_shortened_path_is_escaped_once_where_it_is_shown_and_keeps_its_file_name_whole():
    """On a short terminal the outcome names its path through short_path. It escaped the path, and
    the dialog escaped the outcome again: an ESC stored in a folder's name showed as `\\\\x1b`, which
    reads as four typed characters (fieldkit.safe_text), not as the control character it is. And its
    cut kept 32 characters of the end, so a long file name lost its start (which site, which copy)."""
    from fieldkit.catalog.backup import CopyReport
    from fieldkit.safe_text import visible
    from fieldkit.tui.safe_text import short_path

    def shown(target: Path) -> str:  # the outcome as CopyDialog.finish shows it on a short terminal
        return visible(CopyReport(target, 2, [], restored=True).describe(short_path))

    assert shown(Path("/media/usb/site\x1b]0;x\x07.db")).startswith("restored the catalog to /media/usb/site\\x1b]0;x\\x07.db and")
    name = "catalog-restored-from-al-hasakah-site-3-2026-12-03.db"
    assert f"restored the catalog to /media/usb/…/{name} and 2 photo originals" in shown(
        Path("/media/usb") / ("evidence-" * 6) / name)
    assert short_path("/media/usb/catalog.db") == "/media/usb/catalog.db"  # short enough: whole


async def test_ctrl_r_while_a_backup_runs_opens_no_restore_over_it(tmp_path, monkeypatch):
    """ctrl+r (Restore…) while a backup ran pushed the Restore dialog over it; its Open it then
    popped both dialogs and switched catalogs under the backup's worker, which was cancelled unseen.
    Now it is refused, as a second start is, until the backup is over."""
    import threading

    amina = researcher(tmp_path, monkeypatch)
    release, real_backup, seen = threading.Event(), BackupScreen.make_backup, []

    def slow_backup(dialog, *args):  # the worker waits until the test has pressed ctrl+r
        release.wait(30)
        return real_backup(dialog, *args)

    monkeypatch.setattr(BackupScreen, "make_backup", slow_backup)
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        dialog = app.screen
        dialog.query_one("#dest", Input).value = str(tmp_path / "usb")
        dialog.start()
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        seen.append(type(app.screen))
        release.set()
        await settle(app, pilot)
        assert "all verified by SHA-256" in str(dialog.query_one("#result").render())
    assert seen == [BackupScreen]


async def test_a_home_folder_that_does_not_exist_is_a_one_line_error_not_a_crash(tmp_path, monkeypatch):
    """`~amina/usb` typed in the Restore dialog on a machine with no user amina: Path.expanduser()
    raises RuntimeError, and the Restore dialog asks it on every keystroke (is it an encrypted file?),
    so the app ended with a traceback at `~a`. Now the box is taken as typed until Restore is pressed,
    which says in one line what is wrong; Back up says the same of its folder."""
    from fieldkit.tui.screens.backup import RestoreScreen

    amina = researcher(tmp_path, monkeypatch)
    app = make_app(amina.catalog.path, actor="amina", offer_example=False)
    said = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        backup_dialog = app.screen
        backup_dialog.query_one("#dest", Input).value = "~nosuchuser-fk/usb"
        backup_dialog.start()
        await settle(app, pilot)
        said.append(str(backup_dialog.query_one("#result").render()))
        await pilot.press("ctrl+r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RestoreScreen)
        dialog.query_one("#source", Input).focus()
        await pilot.press(*"~nosuchuser-fk/usb")
        await pilot.pause()
        dialog.start()
        await settle(app, pilot)
        said.append(str(dialog.query_one("#result").render()))
        assert app.is_running
    assert not (tmp_path / "~nosuchuser-fk").exists()
    for line in said:
        assert line.startswith("Error: cannot find the home folder of ~nosuchuser-fk"), said
