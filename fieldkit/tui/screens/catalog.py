"""The catalog screen: every item in a paged table, with incremental search.

Rows are fetched from SQLite a page at a time as the cursor moves down, so a large catalog
opens at once: the first page paints before anything counts or aggregates the whole catalog (the
item count fills in after, from the same worker). Searching runs in a thread worker; the newest
keystroke wins.
"""

from __future__ import annotations


from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label

from fieldkit.catalog import items as items_core
from fieldkit.errors import FieldkitError
from fieldkit.tui import gc_pause
from fieldkit.tui.safe_text import plain, visible
from fieldkit.tui.screens.confirm import ConfirmScreen
from fieldkit.tui.widgets.columns import NARROW_BELOW
from fieldkit.tui.widgets.footer import FitFooter

# The other screens (item, export, calendars...) are imported when opened: the item screen alone
# pulls in Pillow, the photo store, the matcher and the reference tables, and the catalog screen
# paints its first page without them.

PAGE = 200
COUNT_CAP = 10_000  # while searching, counting stops here ("10,000+ items match")
# (key, label, width): fixed widths keep the counts on screen in a 100-column terminal; longer
# text is cut in the table and shown whole on the item screen.
COLUMNS = [
    ("ref", "Ref", 10),
    ("category", "Category", 14),
    ("designation", "Designation", 18),
    ("place", "Place", 14),
    ("found_on", "Found", 10),
    ("photos", "Photos", 6),
    ("markings", "Marks", 5),
    ("parts", "Parts", 5),  # quantities summed, as the summary counts them
]
# Under 100 columns the text columns are narrower, so that the counts stay on an 80-column screen.
NARROW_WIDTHS = {"ref": 9, "category": 9, "designation": 11, "place": 7}  # "Designation" whole


class CatalogScreen(Screen):
    """Items in the catalog; type to search, Enter to open."""

    HELP = """\
## Catalog

Every item in the catalog. Type in the search box to narrow the list: every word must appear
somewhere in the item -- its ref, category, designation, calibre, origin, place or notes, the
text of its markings (as corrected and as OCR read it), or its components' part numbers, printed
markings and makers. A word of three characters or more may be any part of a word ("22U" finds
9M22U); a word of one or two characters finds words that begin with it ("주체" finds 주체112,
"ОФ" finds ОФ-462; one with punctuation, such as `4-`, is matched as typed in the item's own
fields). Case does not matter, and quotes or `*` are plain characters.

The Parts column counts parts as the summary does: a component with quantity 6 is 6 parts.

When the catalog open is the copy of the example, a bar above the table says so, and the title
bar reads EXAMPLE COPY; what you add there is kept in that copy, apart from your own catalog.

A catalog that cannot be written (on a write-protected stick or a disc) opens read-only: the
title says so, you can browse, search, verify and export it, and every change is refused.
`k` and `m` recheck the components and the markings of the whole catalog against the current
reference tables: what they would attribute or read differently, to apply all or some (audited).
`p` writes a report of every item (PDF, or HTML if the name ends in .html): a cover with the
catalog summary, a chart by country and a map of finds, then each item's dossier. While a search
is on, the report is of the items it finds, as `fieldkit report OUT --item REF --item REF...`.
`o` (More) lists every action of this screen with its key, the ones a narrow footer leaves out
too: press the key, or pick the action with the arrows and Enter.
`f` sets the prefix of the refs this catalog gives new items (KHK makes KHK-0001, KHK-0002...),
as `fieldkit init --ref-prefix KHK`: items already recorded keep their refs; the change is audited.
"""

    # The table has the focus from the first frame: Textual's default, the first focusable widget
    # (the search box), hid the footer's printable keys until on_mount moved it (Search, Quit, Help).
    AUTO_FOCUS = "#items"

    # Most used first: on a narrow terminal the footer shows as many as fit, in this order, beside
    # More, Quit and Help (80 columns: up to Verify). More (`o`) lists every one of them with its
    # key and runs the one picked (fieldkit.tui.screens.more); the help screen (F1) and the command
    # palette (ctrl+p) list them all too, with their longer tooltips.
    BINDINGS = [
        Binding("slash", "search", "Search", id="catalog.search",
                tooltip="Search items, their markings and part numbers (Esc clears the search)"),
        Binding("a", "add", "Add", id="catalog.add", tooltip="Add an item"),
        Binding("enter", "open", "Open", id="catalog.open", show=False),
        Binding("d", "delete", "Delete", id="catalog.delete", tooltip="Delete the selected item (asks first)"),
        Binding("x", "export", "Export", id="catalog.export", tooltip="Export the catalog as CSV"),
        Binding("b", "backup", "Backup", id="catalog.backup", tooltip="Back up the catalog and its photos"),
        Binding("v", "verify", "Verify", id="catalog.verify", tooltip="Re-hash every photo; check the audit log, the schema and the witness"),
        Binding("s", "summary", "Summary", id="catalog.summary", tooltip="Components summary of the whole catalog"),
        Binding("r", "reference", "Reference", id="catalog.reference", tooltip="Browse the reference tables"),
        Binding("y", "calendars", "Dates", id="catalog.calendars",
                tooltip="Calendars & date codes: convert years, read years in markings and date codes"),
        Binding("p", "report", "Report", id="catalog.report",
                tooltip="Write a report of every item, or of those the search finds (PDF or HTML, with a map of finds)"),
        Binding("t", "team", "Team", id="catalog.team",
                tooltip="Team: your key, bundles of the selected item (create, verify, merge), conflicts"),
        Binding("k", "recheck('components')", "Recheck parts", id="catalog.recheck_components",
                tooltip="Components the current reference tables would attribute differently; apply all or some"),
        Binding("m", "recheck('markings')", "Recheck marks", id="catalog.recheck_markings",
                tooltip="Markings the current reference tables would read differently; apply all or some"),
        Binding("f", "ref_prefix", "Ref prefix", id="catalog.ref_prefix",
                tooltip="Set the prefix of new items' refs, e.g. KHK for KHK-0001 (as `fieldkit init --ref-prefix`)"),
        Binding("o", "more", "More", id="catalog.more",
                tooltip="Every action of this screen with its key: pick one, or press its key"),
        Binding("escape", "clear_search", "Clear search", id="catalog.clear", show=False),
    ]

    class PageLoaded(Message):
        """Rows fetched by a worker for the query `query`, starting at `offset`."""

        def __init__(self, query: str, offset: int, rows: list[dict]):
            super().__init__()
            self.query, self.offset, self.rows = query, offset, rows

    class Counted(Message):
        """How many items match `query` (counting stops past COUNT_CAP while searching)."""

        def __init__(self, query: str, total: int):
            super().__init__()
            self.query, self.total = query, total

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self.loaded = 0
        self.more = False
        self.total = 0
        self.loading = False
        # The queries whose first page and count are on show: a worker brings them after the query changes.
        self.shown_query: str | None = None
        self.counted_query: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="example-banner")
        with Horizontal(id="search-bar"):
            yield Input(placeholder="Search items, markings, part numbers…", id="search")
            yield Label("", id="count")
        table = DataTable(id="items", cursor_type="row", zebra_stripes=True)
        narrow = self.app.size.width < NARROW_BELOW
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=NARROW_WIDTHS.get(key, width) if narrow else width)
        yield table
        yield FitFooter()

    def on_mount(self) -> None:
        self.reload()
        self.show_example_banner()

    def _offer_example(self) -> None:
        """Offered once, when the first unfiltered page comes back empty (no count of the catalog first)."""
        if self.app.offer_example:
            self.app.offer_example = False
            kept = self.app.example_copy_path().exists()
            self.app.push_screen(
                ConfirmScreen(
                    "This catalog is empty. Open the example catalog to look around? "
                    + ("Your copy of it from before is reopened as you left it. " if kept else
                       "It opens as a copy of its own, kept apart from your catalog; what you add there stays in the copy. ")
                    + "Your own catalog stays empty until you start it.",
                    yes="Open example",
                    no="Start empty",
                    default_yes=True,
                ),
                self._open_example,
            )

    def show_example_banner(self) -> None:
        """Say plainly, above the table, when the catalog open is the example copy."""
        banner = self.query_one("#example-banner", Label)
        banner.display = self.app.is_example
        if self.app.is_example:
            banner.update(
                f"EXAMPLE: a copy of the example catalog ({escape(visible(str(self.app.catalog.path)))}), not your own catalog. "
                "What you add here is kept in this copy."
            )

    def _open_example(self, answer: bool | None) -> None:
        if not answer:
            return
        try:
            self.app.switch_catalog(self.app.open_example_copy())
        except (FieldkitError, OSError) as exc:
            self.notify(f"Could not open the example: {exc}", severity="error")
            return
        self.notify(f"Opened the example copy: {self.app.catalog.path}")
        self.show_example_banner()
        self.reload()

    # loading ---------------------------------------------------------------

    def reload(self) -> None:
        """Start again from the first page of the current query."""
        self.loaded = 0
        self.load_page(self.query_text, 0)

    @work(thread=True, exclusive=True, group="catalog-load")
    def load_page(self, query: str, offset: int) -> None:
        """One page of rows; the first page of a query, once shown, starts the count (`count`)."""
        rows = items_core.list_items(self.app.catalog, query, limit=PAGE, offset=offset)
        self.post_message(self.PageLoaded(query, offset, rows))

    @work(thread=True, exclusive=True, group="catalog-count")
    def count(self, query: str) -> None:
        """How many items match: started only once the first page is on screen."""
        total = items_core.count_items(self.app.catalog, query, cap=COUNT_CAP if query else None)
        self.post_message(self.Counted(query, total))

    @on(PageLoaded)
    def show_page(self, message: PageLoaded) -> None:
        if message.query != self.query_text:
            return
        table = self.query_one(DataTable)
        if message.offset == 0:
            keep = table.cursor_row
            table.clear()
            self.shown_query = message.query
        for row in message.rows:
            table.add_row(*[_cell(row[key]) for key, _, _ in COLUMNS], key=row["ref"])
        self.loaded = message.offset + len(message.rows)
        self.more = len(message.rows) == PAGE  # a full page: there may be another
        self.loading = False
        if message.offset == 0 and table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        if message.offset == 0:
            self.call_after_refresh(gc_pause.resume)  # the first page is painted (fieldkit.tui.gc_pause)
            self.count(message.query)
            if not message.query and not message.rows:
                self._offer_example()

    @on(Counted)
    def show_count(self, message: Counted) -> None:
        if message.query != self.query_text:
            return
        self.total, self.counted_query = message.total, message.query
        capped = self.query_text and self.total > COUNT_CAP
        number = f"{COUNT_CAP:,}+" if capped else f"{self.total:,}"
        shown = f"{number} item" + ("" if self.total == 1 else "s")
        self.query_one("#count", Label).update(shown if not self.query_text else f"{shown} match")

    @on(DataTable.RowHighlighted)
    def maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        if not self.loading and self.more and event.cursor_row >= self.loaded - 20:
            self.loading = True
            self.load_page(self.query_text, self.loaded)

    @on(Input.Changed, "#search")
    def search(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self.reload()

    @on(Input.Submitted, "#search")
    def focus_results(self) -> None:
        self.query_one(DataTable).focus()

    # actions ---------------------------------------------------------------

    def selected_ref(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        self.query_one(DataTable).focus()

    def action_add(self) -> None:
        from fieldkit.tui.screens.item import ItemScreen

        self.app.push_screen(ItemScreen(None), self._after_edit)

    def action_open(self) -> None:
        ref = self.selected_ref()
        if ref:
            from fieldkit.tui.screens.item import ItemScreen

            self.app.push_screen(ItemScreen(ref), self._after_edit)

    @on(DataTable.RowSelected)
    def open_selected(self) -> None:
        self.action_open()

    def _after_edit(self, ref: str | None) -> None:
        self.reload()

    def action_delete(self) -> None:
        ref = self.selected_ref()
        if not ref:
            return

        def delete(answer: bool | None) -> None:
            if not answer:
                return
            try:
                items_core.delete_item(self.app.catalog, ref)
            except FieldkitError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"Deleted {ref}")
            self.reload()

        self.app.push_screen(
            ConfirmScreen(f"Delete item {ref} with its markings, components and photo links? Photo originals are kept."),
            delete,
        )

    def action_more(self) -> None:
        from fieldkit.tui.screens.more import MoreScreen

        self.app.push_screen(MoreScreen(self), self._run_picked)

    async def _run_picked(self, action: str | None) -> None:
        if action:
            await self.app.run_action(action, self)

    def action_ref_prefix(self) -> None:
        from fieldkit.tui.screens.confirm import PromptScreen

        catalog = self.app.catalog

        def save(prefix: str | None) -> None:
            if prefix is None:
                return
            try:
                items_core.set_ref_prefix(catalog, prefix)
            except FieldkitError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(items_core.next_refs_line(catalog))

        self.app.push_screen(PromptScreen(
            f"Prefix of the refs new items get (now {items_core.ref_prefix(catalog)}: the next is "
            f"{items_core.next_ref(catalog)}); items already recorded keep theirs:",
            items_core.ref_prefix(catalog), "1-8 letters or digits, e.g. KHK"), save)

    def action_export(self) -> None:
        from fieldkit.tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen())

    def action_report(self) -> None:
        """A report of every item, or, while a search is on, of the items it finds (as
        `fieldkit report OUT --item REF...`): the refs are listed in the worker that writes it."""
        from fieldkit.report.files import write_report
        from fieldkit.tui.screens.report import ReportScreen

        catalog, query = self.app.catalog, self.query_text
        if not query:
            self.app.push_screen(ReportScreen(
                "Write a report of every item to (.pdf or .html):", "catalog-report",
                lambda path, progress: write_report(catalog, None, path, progress=progress),
            ))
            return
        if self.shown_query == query and not self.query_one(DataTable).row_count:  # rows of this search on show
            self.notify("No item matches the search: nothing to report. Esc clears the search.", severity="warning")
            return

        def write(path, progress):
            refs = [row["ref"] for row in items_core.list_items(catalog, query)]
            if not refs:  # its rows were not in yet when p was pressed
                raise FieldkitError("No item matches the search: nothing to report, and no file was written.")
            return write_report(catalog, refs, path, progress=progress)

        found = "items"  # its count is not in yet: no number, rather than the search before's
        if self.counted_query == query:
            found = f"{COUNT_CAP:,}+ items" if self.total > COUNT_CAP else f"{self.total:,} item" + ("" if self.total == 1 else "s")
        self.app.push_screen(ReportScreen(
            f"Write a report of the {found} the search finds to (.pdf or .html):", "search-report", write))

    def action_backup(self) -> None:
        from fieldkit.tui.screens.backup import BackupScreen

        self.app.push_screen(BackupScreen())

    def action_verify(self) -> None:
        from fieldkit.tui.screens.verify import VerifyScreen

        self.app.push_screen(VerifyScreen(), lambda _: self.reload())

    def action_calendars(self) -> None:
        from fieldkit.tui.screens.calendars import CalendarsScreen

        self.app.push_screen(CalendarsScreen())

    def action_summary(self) -> None:
        from fieldkit.tui.screens.summary import SummaryScreen

        self.app.push_screen(SummaryScreen())

    def action_reference(self) -> None:
        from fieldkit.tui.screens.reference import ReferenceScreen

        self.app.push_screen(ReferenceScreen())

    def action_recheck(self, kind: str) -> None:
        from fieldkit.tui.screens.recheck import RecheckScreen

        self.app.push_screen(RecheckScreen(kind), lambda _: self.reload())

    def action_team(self) -> None:
        from fieldkit.tui.screens.team import TeamScreen

        ref = self.selected_ref()
        self.app.push_screen(TeamScreen([ref] if ref else []), lambda _: self.reload())


def _cell(value) -> Text:
    """A cell shown exactly as stored (fieldkit.tui.safe_text.plain): a Text, never read as markup,
    so `[red]`, `[/]` (which would crash the screen) and `:rocket:` (which the markup pass turned
    into an emoji) show as typed, and control characters as escapes. A Text also spares the first
    page's 1,600 cells the markup parser (66 M instructions of the first paint, 3.5%)."""
    return plain(value, multiline=False)
