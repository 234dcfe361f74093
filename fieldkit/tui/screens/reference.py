"""The reference browser: the loaded reference tables in tabs, with a search box, and forms to add a
user marking pattern, part-number family or brand, each validated as it is typed.

The Manufacturers tab reads the search text as a part number and as a brand: which family matched
and why, which firms a brand names (`components.lookup`), and lists those firms first.

User rows that override shipped rows are named at the top, never hidden.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Select, Static, TabbedContent, TabPane

from fieldkit.errors import FieldkitError
from fieldkit.locations import user_reference_save_dir
from fieldkit.reference.tables import (
    YEAR_CALENDARS,
    PatternRow,
    ReferenceTables,
    clear_cache,
    get_reference,
    write_user_row,
)
from fieldkit.tui.safe_text import plain
from fieldkit.tui.widgets.footer import Dialog, FitFooter

# table name -> (tab title, columns shown)
COLUMNS = {
    "patterns": ("Marking patterns", ("id", "regex", "year_calendar", "country", "category", "description")),
    "factory_codes": ("Factory codes", ("country", "code", "factory", "products")),
    "manufacturers": ("Manufacturers", ("id", "firm", "country", "aliases", "former_names")),
    "families": ("Part families", ("family", "firm_id", "kind", "brand", "line_from")),
}


MAX_ROWS = 500  # rows shown per tab


def _short(value: str, width: int = 48) -> str:
    value = " ".join(str(value or "").split())
    return value if len(value) <= width else value[: width - 1] + "…"


class ReferenceScreen(Screen):
    """Browse the marking patterns, factory codes and manufacturers; search; add a user pattern."""

    HELP = """\
## Reference tables

The tables fieldkit reads markings against, each row with its source. Type in the search box to
narrow every tab. `Enter` on a row shows the whole row: every column, its description and its
sources. `n` adds a pattern of your own to the user reference folder; a user row with the id of a
shipped row overrides it, and the screen says so.

The Manufacturers tab also reads the search text as a part number (which family matched, and
why) and as a brand (which firms it names). `f` adds a part-number family or a printed brand form
of your own, checked as you type.

`t` reads a text of your own against the marking patterns, as `fieldkit match TEXT`: every
pattern that matches, ranked, with its fields, years, factories and basis, then every way to read
a year in it (112 may be Juche 112 = 2023). Nothing is stored. To read only the years, or convert
a calendar year, use Calendars & date codes (`y` on the catalog).

`c` checks the tables, as `fieldkit reference check`: the shipped tables and your folder are read
afresh and every row validated, and every problem is named with its file, line and column (when
a bad row of yours stops the tables loading, this lists all of them, not only the first). The
screen then loads the tables again, so a row you fixed shows at once.
"""

    BINDINGS = [
        Binding("slash", "search", "Search", id="reference.search"),
        Binding("n", "new_pattern", "New pattern", id="reference.new_pattern"),
        Binding("f", "new_family", "New family/brand", id="reference.new_family",
                tooltip="Add a part-number family or a printed brand form of your own (checked as you type)"),
        Binding("t", "match", "Read text", id="reference.match",
                tooltip="Read a text against the marking patterns: candidates, fields, years, basis (as `fieldkit match TEXT`)"),
        Binding("c", "check", "Check tables", id="reference.check",
                tooltip="Validate the shipped tables and yours: counts, version, overrides, every problem "
                        "(as `fieldkit reference check`)"),
        Binding("escape", "close", "Back", id="reference.back"),
    ]

    def __init__(self, tables: ReferenceTables | None = None):
        super().__init__()
        self._fixed_tables = tables
        self.tables: ReferenceTables | None = tables

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="search every table: id, code, firm, description…", id="ref-search", compact=True)
        yield Static("", id="ref-status")
        with TabbedContent(id="ref-tabs"):
            for name, (title, _) in COLUMNS.items():
                with TabPane(title, id=f"ref-{name}"):
                    if name == "manufacturers":
                        yield Static("", id="ref-lookup")
                    yield DataTable(id=f"ref-table-{name}", cursor_type="row", zebra_stripes=True)
                    yield Static("", id=f"ref-more-{name}", classes="ref-more")
        yield FitFooter()

    def on_mount(self) -> None:
        self.sub_title = "Reference tables"
        for name, (_, columns) in COLUMNS.items():
            self.query_one(f"#ref-table-{name}", DataTable).add_columns(*columns, "from")
        self.load()
        self.query_one("#ref-table-patterns", DataTable).focus()

    def load(self) -> None:
        status = self.query_one("#ref-status", Static)
        try:
            self.tables = self._fixed_tables or get_reference()
        except FieldkitError as exc:
            self.tables = None
            status.update(plain(f"The reference tables could not be loaded: {exc}. Press c to see every problem."))
            return
        counts = ", ".join(f"{COLUMNS[n][0].lower()} {c}" for n, c in self.tables.counts().items())
        lines = [f"{counts} · version {self.tables.version[:12]}"]
        overrides = self.tables.override_lines()
        if overrides:
            lines.append("User rows override shipped rows: " + "; ".join(overrides))
        status.update("\n".join(lines))
        self.fill(self.query_one("#ref-search", Input).value)

    def fill(self, query: str) -> None:
        if self.tables is None:
            return
        from fieldkit.components.attribution import default_index, part_key
        from fieldkit.components.lookup import lookup

        found = lookup(query, default_index(self.tables))
        self.query_one("#ref-lookup", Static).update(plain("\n".join(found.lines)))
        words = query.lower().split()
        folded = part_key(query)
        for name, (_, columns) in COLUMNS.items():
            table = self.query_one(f"#ref-table-{name}", DataTable)
            table.clear()
            rows = self.tables.rows.get(name, [])
            if name == "manufacturers":  # the firms the lookup names come first
                rows = sorted(rows, key=lambda r: r.id not in found.firm_ids)
            matched = 0
            for row in rows:
                values = [str(getattr(row, c, "") or "") for c in columns]
                haystack = " ".join(values + [str(getattr(row, "source", ""))]).lower()
                named = (name == "manufacturers" and row.id in found.firm_ids) or (
                    name == "families" and folded and folded.startswith(part_key(row.family)))
                if named or all(w in haystack for w in words):
                    matched += 1
                    if matched <= MAX_ROWS:  # a table of a thousand rows redrawn per keystroke would lag
                        table.add_row(*[_short(v) for v in values], self.tables.source_of(name, row.key()), key=row.key())
            more = self.query_one(f"#ref-more-{name}", Static)
            more.update(f"showing the first {MAX_ROWS} of {matched} rows; type in the search box to narrow"
                        if matched > MAX_ROWS else "")

    @on(Input.Changed, "#ref-search")
    def search(self, event: Input.Changed) -> None:
        self.fill(event.value)

    @on(Input.Submitted, "#ref-search")
    def to_results(self) -> None:
        self.query_one("#ref-tabs", TabbedContent).active_pane.query_one(DataTable).focus()

    def action_search(self) -> None:
        self.query_one("#ref-search", Input).focus()

    @on(DataTable.RowSelected)
    def show_row(self, event: DataTable.RowSelected) -> None:
        """Enter on a row: the whole row, with its description and sources."""
        name = event.data_table.id.removeprefix("ref-table-")
        if self.tables is None or event.row_key.value is None:
            return
        for row in self.tables.rows.get(name, []):
            if row.key() == event.row_key.value:
                self.app.push_screen(ReferenceRowScreen(COLUMNS[name][0], row, self.tables.source_of(name, row.key())))
                return

    def action_new_pattern(self) -> None:
        def saved(result: str | None) -> None:
            if result:
                self._fixed_tables = None
                self.load()

        self.app.push_screen(PatternFormScreen(), saved)

    def action_new_family(self) -> None:
        from fieldkit.components.attribution import default_index
        from fieldkit.tui.screens.manufacturers import FamilyFormScreen

        if self.tables is None:
            return

        def saved(result: str | None) -> None:
            if result:
                self._fixed_tables = None
                self.load()

        self.app.push_screen(FamilyFormScreen(default_index(self.tables)), saved)

    def action_match(self) -> None:
        from fieldkit.tui.screens.match import MatchScreen

        if self.tables is None:
            self.notify(str(self.query_one("#ref-status", Static).render()), severity="error")
            return
        self.app.push_screen(MatchScreen(self.tables, self.query_one("#ref-search", Input).value.strip()))

    def action_check(self) -> None:
        from fieldkit.tui.screens.reference_check import ReferenceCheckScreen

        def checked(problems: int | None) -> None:
            if self._fixed_tables is None:  # the tables as the check read them: a fixed row shows at once
                clear_cache()
                self.load()

        self.app.push_screen(ReferenceCheckScreen(), checked)

    def action_close(self) -> None:
        self.dismiss()


class ReferenceRowScreen(Dialog[None]):
    """One reference row in full: every column, unshortened, and which table file it came from."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="reference-row.close")]

    def __init__(self, table_title: str, row, origin: str):
        super().__init__()
        self.table_title, self.row, self.origin = table_title, row, origin

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="reference-row"):
            yield Label(f"{self.table_title}: {self.row.key()} (from the {self.origin} table)", classes="cal-title", markup=False)
            with Grid(id="reference-row-fields"):
                for column, value in self.row.model_dump().items():
                    yield Label(column, classes="field-label", markup=False)
                    yield Static(plain(str(value) if value not in (None, "") else "—"), classes="reference-value")

    def action_close(self) -> None:
        self.dismiss(None)


PATTERN_FIELDS = [
    ("id", "Id *", "a lower-case slug, e.g. ru-grad-lot-stencil"),
    ("regex", "Regex *", r"normalised text, e.g. \b(?P<lot>\d+)-(?P<year>\d\d)\b"),
    ("country", "Country", "ISO alpha-2, e.g. RU (SU for the Soviet Union)"),
    ("producer", "Producer", "factory or firm, if the pattern names one"),
    ("category", "Category", "rocket, small-arms ammunition, missile component…"),
    ("description", "Description", "what the marking is and where it appears"),
    ("example_positive", "Must match", "an example the regex must match"),
    ("example_negative", "Must not match", "an example it must not match"),
    ("source", "Source *", "URL and passage read"),
    ("confidence_notes", "Confidence", "High / Medium / Low, and why"),
]


class PatternFormScreen(Dialog[str | None]):
    """A new user marking pattern; the regex, calendar and examples are checked as they are typed."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save pattern", id="pattern.save"),
        Binding("escape", "cancel", "Cancel", id="pattern.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="pattern-form"):
            yield Label("New marking pattern (saved to your user reference folder)", classes="cal-title")
            with Grid(id="pattern-fields"):
                for name, label, placeholder in PATTERN_FIELDS[:2]:
                    yield Label(label, classes="field-label")
                    yield Input(placeholder=placeholder, id=f"p-{name}", classes="pattern-field", compact=True)
                yield Label("Year calendar", classes="field-label")
                yield Select([(c, c) for c in YEAR_CALENDARS], id="p-year_calendar", prompt="none (no year group)",
                             classes="pattern-field", compact=True)
                for name, label, placeholder in PATTERN_FIELDS[2:]:
                    yield Label(label, classes="field-label")
                    yield Input(placeholder=placeholder, id=f"p-{name}", classes="pattern-field", compact=True)
            yield Label("", id="pattern-error")

    def on_mount(self) -> None:
        self.query_one("#p-id", Input).focus()

    def values(self) -> dict[str, str]:
        data = {name: self.query_one(f"#p-{name}", Input).value for name, _, _ in PATTERN_FIELDS}
        calendar = self.query_one("#p-year_calendar", Select).value
        data["year_calendar"] = calendar if isinstance(calendar, str) else ""
        return data

    def problem(self) -> str | None:
        """The first thing wrong with the pattern as typed, or None."""
        import pydantic

        from fieldkit.reference.tables import _problem_from_pydantic

        try:
            PatternRow.model_validate(self.values())
        except pydantic.ValidationError as exc:
            p = _problem_from_pydantic(user_reference_save_dir(), 0, exc)
            return f"{p.column}: {p.message}" if p.column else p.message
        return None

    @on(Input.Changed, ".pattern-field")
    @on(Select.Changed, ".pattern-field")
    def check_as_typed(self) -> None:
        error = self.query_one("#pattern-error", Label)
        problem = self.problem()
        error.update(problem or "✓ valid")
        error.set_class(problem is not None, "invalid")

    def action_save(self) -> None:
        problem = self.problem()
        if problem:
            self.check_as_typed()
            self.notify(f"Not saved: {problem}", severity="error")
            return
        row = PatternRow.model_validate(self.values())
        folder = user_reference_save_dir()
        try:
            overrides = any(p.id == row.id for p in get_reference().patterns)
        except FieldkitError:
            overrides = False
        try:
            path = write_user_row(folder, "patterns", row)
        except (FieldkitError, OSError) as exc:
            self.notify(f"Not saved: {exc}", severity="error")
            return
        clear_cache()
        note = f" (overrides the row {row.id})" if overrides else ""
        self.notify(f"Pattern {row.id} saved to {path}{note}")
        self.dismiss(row.id)

    def action_cancel(self) -> None:
        from fieldkit.tui.screens.confirm import confirm_discard

        typed = any(v.strip() for v in self.values().values())
        confirm_discard(self, ["the new pattern"] if typed else [], lambda: self.dismiss(None))
