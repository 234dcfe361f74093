"""In the app: F6 on the item screen writes its dossier, `p` on the catalog screen writes a report,
each with progress, and the screen says where the file was written."""

from __future__ import annotations

from pypdf import PdfReader
from textual.widgets import Input, ProgressBar

from fieldkit.tui.app import make_app
from fieldkit.tui.screens.help import HelpScreen
from fieldkit.tui.screens.report import ReportScreen
from tests.report_fixtures import HANGUL, khk_with_markings


async def settle(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def write_from(pilot, out, *, finishes: bool = True) -> str:
    assert isinstance(pilot.app.screen, ReportScreen)
    pilot.app.screen.query_one("#report-path", Input).value = str(out)
    await pilot.press("enter")
    await settle(pilot)
    if finishes:
        bar = pilot.app.screen.query_one("#report-progress", ProgressBar)
        assert bar.total and bar.progress == bar.total  # progress ran to the end
    return str(pilot.app.screen.query_one("#result").render())


async def test_f6_on_the_item_screen_writes_the_dossier_and_says_where(tmp_path):
    db = khk_with_markings(tmp_path)
    out = tmp_path / "out" / "KHK-0001.pdf"
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # EX-0002, EX-0003, KHK-0001
        await settle(pilot)
        assert app.screen.ref == "KHK-0001"
        await pilot.press("f6")
        await pilot.pause()
        result = await write_from(pilot, out)
        assert f"Written to {out}" in result
        await pilot.press("escape")
    assert HANGUL in "".join(page.extract_text() for page in PdfReader(out).pages)


async def test_p_on_the_catalog_writes_a_report_and_an_error_is_shown_not_raised(tmp_path):
    db = khk_with_markings(tmp_path)
    out = tmp_path / "report.html"
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert f"Written to {out}" in await write_from(pilot, out)
        result = await write_from(pilot, out, finishes=False)  # the same name again: refused, the file kept
        assert "already exists" in result
    html = out.read_text(encoding="utf-8")
    assert "Map of finds" in html and HANGUL in html


async def test_help_lists_the_dossier_and_report_keys(tmp_path):
    db = khk_with_markings(tmp_path)
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "Write a report of every item" in app.screen.query_one("Markdown").source


def test_report_screen_snapshot(snap_compare, tmp_path):
    db = khk_with_markings(tmp_path)

    async def open_report(pilot):
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        pilot.app.screen.query_one("#report-path", Input).value = "/home/researcher/fieldkit-exports/catalog-report.pdf"
        await pilot.pause()

    assert snap_compare(make_app(db, actor="t", offer_example=False), terminal_size=(100, 30), run_before=open_report)


async def test_c_in_the_photo_view_reads_the_credentials_of_a_photo_added_before_fieldkit_did(tmp_path):
    from fieldkit.catalog.db import open_catalog
    from fieldkit.evidence.photos import list_photos
    from fieldkit.tui.screens.photos import PhotoScreen
    from tests.report_fixtures import example_copy_without_provenance

    db = example_copy_without_provenance(tmp_path)
    catalog = open_catalog(db, actor="t")
    photo = list_photos(catalog, "KHK-0001")[0]
    catalog.close()
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(PhotoScreen(photo, "KHK-0001"))
        await pilot.pause()
        shown = lambda: " ".join(str(label.render()) for label in app.screen.query(".fact-value"))  # noqa: E731
        assert "not examined" in shown()
        await pilot.press("c")
        await pilot.pause()
        assert "no Content Credentials" in shown()
    catalog = open_catalog(db, actor="t")
    assert catalog.db["photo_provenance"].count == 1
    catalog.close()


async def test_escape_while_the_file_is_written_keeps_the_dialog_until_it_is_done(tmp_path):
    """Closed while it wrote, the dialog was gone under the worker, whose next progress step failed
    (no app to post to): the report was left unwritten, without a word."""
    db = khk_with_markings(tmp_path)
    out = tmp_path / "report.html"
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        dialog = app.screen
        real = dialog.write

        def escape_first(path, progress):  # escape pressed as the writing starts
            app.call_from_thread(dialog.action_close)
            return real(path, progress)

        dialog.write = escape_first
        result = await write_from(pilot, out)
        assert app.screen is dialog
        assert f"Written to {out}" in result
        await pilot.press("escape")  # done: escape closes it
        await pilot.pause()
        assert app.screen is not dialog
    assert "Map of finds" in out.read_text(encoding="utf-8")


async def test_a_control_character_in_the_path_written_is_shown_escaped_not_sent_to_the_terminal(tmp_path):
    """The Report and Export dialogs put the path written (and an error's text) in their outcome line
    escaped as markup only: an ESC or a right-to-left override in a folder's name reached the
    terminal raw, where every other line of the app shows it as \\x1b or \\u202e (fieldkit.safe_text)."""
    from fieldkit.tui.screens.export import ExportScreen

    out = tmp_path / "site\x1b]0;x\x07\u202eA"

    def write_report(path, progress):
        path.write_text("report", encoding="utf-8")
        return path

    app = make_app(khk_with_markings(tmp_path), actor="tester", offer_example=False)
    shown = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for dialog, box in ((ReportScreen("Write to:", "r", write_report), "#report-path"),
                            (ExportScreen("Export to:", write=lambda folder: f"wrote {folder}"), "#outdir")):
            await app.push_screen(dialog)
            await pilot.pause()
            dialog.query_one(box, Input).value = str(out / "r.html" if box == "#report-path" else out)
            dialog.start()
            await settle(pilot)
            shown.append(str(dialog.query_one("#result").render()))
            dialog.dismiss(None)
            await pilot.pause()
    for line in shown:
        assert "\x1b" not in line and "\u202e" not in line, line
        assert "site\\x1b]0;x\\x07\\u202eA" in line, line


async def p_after_searching(pilot, words: str) -> None:
    """The catalog settled, a search for `words` entered (back at the table, the search kept), then p."""
    await settle(pilot)
    await pilot.press("slash", *words, "enter")
    await settle(pilot)
    await pilot.press("p")
    await pilot.pause()


async def test_p_while_a_search_is_on_writes_a_report_of_the_items_it_finds_only(tmp_path):
    """As `fieldkit report OUT --item REF...`: the catalog holds KHK-0001, EX-0002 and EX-0003;
    the search "KHK" finds one, and the report has that item and not the others."""
    db = khk_with_markings(tmp_path)
    out = tmp_path / "found.html"
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await p_after_searching(pilot, "KHK")
        assert "report of the 1 item the search finds" in str(app.screen.query_one(".question").render())
        assert f"Written to {out}" in await write_from(pilot, out)
    html = out.read_text(encoding="utf-8")
    assert "KHK-0001" in html and "EX-0002" not in html and "EX-0003" not in html


async def test_p_while_a_search_finds_nothing_says_so_and_writes_nothing(tmp_path):
    db = khk_with_markings(tmp_path)
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await p_after_searching(pilot, "zzzznothing")
        assert not isinstance(app.screen, ReportScreen)
        assert any("No item matches the search" in str(n.message) for n in app._notifications)


async def test_p_right_after_a_search_changes_does_not_give_the_count_of_the_search_before(tmp_path, monkeypatch):
    """On a large catalog the count of the new search comes in after its rows (a worker): p pressed
    before it did said 'the 0 items the search finds' (the count from before). Until the count of
    this search is in, the question names no number."""
    from fieldkit.tui.screens.catalog import CatalogScreen

    db = khk_with_markings(tmp_path)
    monkeypatch.setattr(CatalogScreen, "count", lambda self, query: None)  # the count not in yet
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await p_after_searching(pilot, "KHK")
        assert str(app.screen.query_one(".question").render()) == \
            "Write a report of the items the search finds to (.pdf or .html):"


async def test_p_before_the_rows_of_a_new_search_are_in_judges_by_that_search_not_the_rows_on_show(tmp_path, monkeypatch):
    """The rows on show were the search before's (KHK: one item); the new search (zzz) finds none.
    The report was offered as 'of the 1 item the search finds' and written with no item in it:
    now the writing says that nothing matches and writes no file."""
    from fieldkit.tui.screens.catalog import CatalogScreen

    db = khk_with_markings(tmp_path)
    out = tmp_path / "found.html"
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"KHK", "enter")
        await settle(pilot)
        monkeypatch.setattr(CatalogScreen, "load_page", lambda self, query, offset: None)  # rows not in yet
        monkeypatch.setattr(CatalogScreen, "count", lambda self, query: None)
        await pilot.press("slash", "ctrl+u", *"zzz", "enter")  # the search is now "zzz"
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert "1 item" not in str(app.screen.query_one(".question").render())
        assert "No item matches the search" in await write_from(pilot, out, finishes=False)
    assert not out.exists()
