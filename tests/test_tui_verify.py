"""The verify screen shows schema and witness problems and the head fingerprint; `w` checks against a backup."""

from __future__ import annotations

import sqlite3

import pytest
from textual.widgets import DataTable, Input, Label, ProgressBar

from fieldkit.catalog import items, witness
from fieldkit.catalog.backup import backup
from fieldkit.catalog.db import open_catalog
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.verify import VerifyScreen, WitnessFolderScreen
from tests.tampering import shell


@pytest.fixture
def two_items(db_path):
    catalog = open_catalog(db_path, actor="tester")
    items.add_item(catalog, {"category": "rocket", "ref": "EX-1"})
    items.add_item(catalog, {"category": "fuze", "ref": "EX-2"})
    catalog.close()
    return db_path


async def open_verify(pilot) -> VerifyScreen:
    await pilot.pause()
    await pilot.press("v")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app.screen, VerifyScreen)
    return pilot.app.screen


def rows(screen: VerifyScreen) -> list[tuple[str, str]]:
    table = screen.query_one("#verify-problems", DataTable)
    return [(str(table.get_row_at(i)[0]), str(table.get_row_at(i)[3])) for i in range(table.row_count)]


async def test_a_planted_trigger_is_listed_and_the_fingerprint_shown(two_items):
    shell(two_items, "CREATE TRIGGER quiet AFTER INSERT ON components BEGIN SELECT 1; END")
    app = make_app(two_items, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_verify(pilot)
        assert [kind for kind, _ in rows(screen)] == ["schema"]
        assert rows(screen)[0][1].startswith("trigger quiet on components was added")
        head = witness.head_record(app.catalog)
        assert str(screen.query_one("#verify-head", Label).render()) == (
            f"audit head: row {head['seq']}, fingerprint {head['fingerprint']}")


async def test_w_checks_the_catalog_against_the_head_recorded_in_a_backup(two_items, tmp_path):
    catalog = open_catalog(two_items)
    backup(catalog, tmp_path / "usb")
    catalog.close()
    shell(two_items, "DELETE FROM items WHERE ref = 'EX-2'",  # roll back the last change, with its audit row
          "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    witness.witness_path().unlink()  # and the local witness with it
    app = make_app(two_items, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_verify(pilot)
        assert screen.report.ok  # nothing local is left to tell
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WitnessFolderScreen)
        app.screen.query_one("#witness-path", Input).value = str(tmp_path / "usb")
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen and not screen.report.ok
        [problem, note] = rows(screen)  # the problem, then the note that the local log lacks the head
        assert problem[0] == "witness" and problem[1].startswith("the audit head went backwards: the witness saw row 2")
        assert problem[1].endswith("the catalog now ends at row 1")
        assert note == ("witness", "the audit head (row 1) is not in the witness log; it was written by a program "
                                   "other than fieldkit, or the log was lost or could not be written")


async def test_a_folder_that_does_not_exist_is_refused_in_place(two_items, tmp_path):
    app = make_app(two_items, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_verify(pilot)
        await pilot.press("w")
        await pilot.pause()
        app.screen.query_one("#witness-path", Input).value = str(tmp_path / "nowhere")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WitnessFolderScreen)  # still asking


def test_witness_folder_dialog_snapshot(snap_compare, two_items):
    app = make_app(two_items, actor="tester", offer_example=False)

    async def open_dialog(pilot):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        app.push_screen(WitnessFolderScreen())
        await pilot.pause()

    assert snap_compare(app, terminal_size=(110, 32), run_before=open_dialog)


async def answer(pilot, key: str, field: str, text: str) -> None:
    """Press `key` on the verify screen, type `text` into the dialog's `field`, submit, and let the work finish."""
    await pilot.press(key)
    await pilot.pause()
    pilot.app.screen.query_one(field, Input).value = text
    await pilot.press("enter")
    for _ in range(2):  # the dialog's work, then the verification it starts
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_w_checks_a_head_noted_by_hand(two_items):
    app = make_app(two_items, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_verify(pilot)
        await answer(pilot, "w", "#witness-path", "1:0000-0000-0000-0000")
        [(kind, detail)] = rows(screen)
        assert kind == "witness" and detail.startswith("the head you noted (row 1, fingerprint 0000-0000-0000-0000) "
                                                       "is not in this catalog: row 1 now has fingerprint ")


async def test_s_signs_the_head_with_the_key_and_the_screen_shows_it_signed(two_items, tmp_path, monkeypatch):
    from fieldkit.team import keys
    from fieldkit.tui.screens.verify import SignHeadScreen

    monkeypatch.setenv("FIELDKIT_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("FIELDKIT_PASSPHRASE", raising=False)
    public = keys.new_key("pass phrase", name="amina")
    app = make_app(two_items, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_verify(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SignHeadScreen)
        await pilot.press("escape")
        await answer(pilot, "s", "#sign-passphrase", "wrong")
        assert app.screen is screen and not screen.report.signed  # a wrong passphrase signs nothing
        await answer(pilot, "s", "#sign-passphrase", "pass phrase")
        head = witness.head_record(app.catalog)
        assert [(s.seq, s.signer, s.key_fingerprint) for s in screen.report.signed] == [(head["seq"], "you", public.fingerprint)]
        shown = str(screen.query_one("#verify-head", Label).render()).splitlines()[1]
        assert shown.startswith(f"signed checkpoint: row {head['seq']} (fingerprint {head['fingerprint']}) by you")
        assert shown.endswith("the head itself is signed")


async def rebuild(pilot, answer: str) -> None:
    """Press `b` on the verify screen, answer the question with `answer`, and let the rebuild and the check finish."""
    from fieldkit.tui.screens.confirm import ConfirmScreen

    await pilot.press("b")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ConfirmScreen)
    await pilot.press(answer)
    for _ in range(2):  # the rebuild, then the verification it starts
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_b_rebuilds_a_damaged_search_index_and_verify_is_then_clean(two_items):
    from fieldkit.catalog.search_check import check_search

    shell(two_items, "UPDATE item_search SET text = 'nothing here' WHERE rowid = (SELECT rowid FROM items WHERE ref = 'EX-1')")
    audit = sqlite3.connect(two_items).execute("SELECT max(seq) FROM audit").fetchone()
    app = make_app(two_items, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_verify(pilot)
        [(kind, detail)] = rows(screen)
        assert kind == "search" and detail.startswith("the search document of item EX-1 does not hold the words of its rows")
        assert [row["ref"] for row in items.list_items(app.catalog, "rocket")] == []  # what the damage hides
        await rebuild(pilot, "n")  # asked first: no rebuilds nothing
        assert [kind for kind, _ in rows(screen)] == ["search"]
        await rebuild(pilot, "y")
        assert app.screen is screen and screen.report.ok and rows(screen) == []
        assert str(screen.query_one("#verify-summary", Label).render()).startswith("✓ ")
        assert [row["ref"] for row in items.list_items(app.catalog, "rocket")] == ["EX-1"]
        bar = screen.query_one("#verify-progress", ProgressBar)
        assert bar.total == bar.progress
    assert check_search(open_catalog(two_items).db) == []
    # derived data: the rebuild recorded nothing in the audit log, as the CLI's --rebuild-search
    assert sqlite3.connect(two_items).execute("SELECT max(seq) FROM audit").fetchone() == audit


async def test_the_rebuild_shows_what_it_is_doing_and_its_steps(two_items):
    """While the rebuild runs the summary says so and the bar counts its steps, from the worker thread."""
    from fieldkit.catalog import search

    app = make_app(two_items, actor="tester", offer_example=False)
    seen = []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_verify(pilot)
        real = search.rebuild

        def watched(db, progress=None):
            def step(done, total):
                progress(done, total)
                seen.append((done, total, str(screen.query_one("#verify-summary", Label).render())))
            real(db, step)

        search.rebuild = watched
        try:
            await rebuild(pilot, "y")
        finally:
            search.rebuild = real
    assert [(done, total) for done, total, _ in seen] == [(n, search.REBUILD_STEPS) for n in range(1, 6)]
    assert {summary for _, _, summary in seen} == {"Rebuilding the search indexes from the rows…"}


async def test_a_read_only_catalog_refuses_the_rebuild_in_one_line(two_items):
    from fieldkit.tui.app import FieldkitApp

    app = FieldkitApp(open_catalog(two_items, actor="tester", read_only=True), offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_verify(pilot)
        await rebuild(pilot, "y")
        assert app.screen is screen and screen.report.ok
        [note] = [n.message for n in app._notifications]
        assert "is read-only; copy it somewhere writable" in note and "\n" not in note


async def test_keys_that_start_a_check_are_refused_while_the_rebuild_runs(two_items, monkeypatch):
    """r, w, s and t each start a verify, which would end the rebuild's busy state while it still writes:
    while the rebuild runs each is refused with one line, and the screen stays busy until its worker ends."""
    import threading

    from fieldkit.catalog import search

    release = threading.Event()
    real = search.rebuild_indexes

    def slow(catalog, progress=None):
        release.wait(30)
        real(catalog, progress)

    monkeypatch.setattr(search, "rebuild_indexes", slow)
    app = make_app(two_items, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_verify(pilot)
        await pilot.press("b", "y")
        await pilot.pause()
        try:
            assert screen.busy == "Rebuilding the search indexes"
            for key in "rwst":
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is screen  # no dialog asked
                assert screen.busy == "Rebuilding the search indexes"
                assert str(screen.query_one("#verify-summary", Label).render()) == "Rebuilding the search indexes from the rows…"
        finally:
            release.set()
        notes = [n.message for n in app._notifications]
        assert notes == [f"Rebuilding the search indexes; press {key} again when it has finished" for key in "rwst"]
        for _ in range(2):  # the rebuild, then the verification it starts
            await pilot.pause()
            await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.busy == "" and screen.report.ok
        assert str(screen.query_one("#verify-summary", Label).render()).startswith("✓ ")
