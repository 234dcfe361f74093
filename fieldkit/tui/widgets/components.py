"""The Components tab of the item screen: the item's components, and fast entry of new ones.

Type the part number first: the firm and country fill in live from the manufacturers table (and
stay editable -- what you type there wins, and is recorded as entered by you). A multi-source or
ambiguous part number fills in nothing: `ctrl+f` lists its candidate firms to pick the one whose
brand is printed on the part (entered as your choice). The date code shows
its readings, range and basis as you type. Enter adds the row and puts the cursor back in the
part-number box for the next part. `ctrl+e` loads the highlighted component into the entry row
to correct it (Enter stores the correction: attribution and date range are worked out again,
audited). `ctrl+g` opens the summary of this item's components; `ctrl+r` rechecks them against the
current reference tables (fieldkit.tui.screens.recheck); `ctrl+o` imports components from a CSV
file (fieldkit.tui.screens.component_import).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from fieldkit.catalog import components as components_core
from fieldkit.components.attribution import attribute, default_index
from fieldkit.errors import DateCodeError, FieldkitError
from fieldkit.markings.datecodes import read_date_code
from fieldkit.tui.safe_text import plain
from fieldkit.tui.widgets.columns import add_fitted_columns
from fieldkit.tui.widgets.readings import ReadingsView, warnings_text

ENTRY = [
    ("comp-part", "part number, e.g. ADXL345", "part_number"),
    ("comp-firm", "firm (fills in)", "manufacturer"),
    ("comp-country", "CC", "country"),
    ("comp-date", "date code", "date_code"),
    ("comp-qty", "qty", "quantity"),
    ("comp-type", "type", "type"),
]
AUTO_FILLED = ("comp-firm", "comp-country")


class ComponentsPane(Vertical):
    """The components of one item, with an entry row that attributes and dates as you type."""

    BINDINGS = [
        Binding("ctrl+e", "edit", "Edit", id="components.edit",
                tooltip="Load the highlighted component into the entry row; Enter stores the correction"),
        Binding("ctrl+d", "delete", "Delete", id="components.delete",
                tooltip="Delete the highlighted component (asks first; the audit log keeps it)"),
        Binding("ctrl+f", "pick_firm", "Pick firm", id="components.pick_firm",
                tooltip="A part number several firms make: pick the firm whose brand is printed on it"),
        Binding("ctrl+g", "summary", "Summary", id="components.summary", tooltip="Components summary of the whole catalog"),
        Binding("ctrl+r", "recheck", "Recheck", id="components.recheck",
                tooltip="This item's components the current reference tables would attribute differently; apply all or some"),
        Binding("ctrl+o", "import_csv", "Import CSV", id="components.import",
                tooltip="Import components from a CSV file (as `fieldkit component import`), with progress"),
    ]

    class Added(Message):
        """A component was stored for the item."""

        def __init__(self, item_ref: str, row: dict):
            super().__init__()
            self.item_ref, self.row = item_ref, row

    def __init__(self, item_ref: str, **kwargs):
        super().__init__(**kwargs)
        self.item_ref = item_ref
        self.auto: dict[str, str] = {name: "" for name in AUTO_FILLED}  # what fieldkit last filled in
        self.edited: set[str] = set()  # boxes the researcher has typed in
        self.candidates: tuple = ()  # the firms an ambiguous part number may be
        self.editing: dict | None = None  # the component being corrected, as stored
        self.loaded: dict[str, str] = {}  # the entry boxes as last loaded for editing

    def compose(self) -> ComposeResult:
        yield DataTable(id="components-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="component-mode")
        with Horizontal(id="component-entry"):
            for box, placeholder, _ in ENTRY:
                yield Input(placeholder=placeholder, id=box, compact=True)
        yield Static("", id="component-attribution")
        yield ReadingsView(id="component-date-readings", empty="")

    def on_mount(self) -> None:
        table = self.query_one("#components-table", DataTable)
        add_fitted_columns(table, [("Part number", 11), ("Firm", 8), ("Country", 7), ("Date code", 9), ("From", 10),
                                   ("To", 10), ("Qty", 3), ("Type", 4)])
        self.query_one("#component-mode", Static).display = False
        self.reload()

    def _boxes(self) -> dict[str, str]:
        return {box: self.query_one(f"#{box}", Input).value.strip() for box, _, _ in ENTRY}

    def unsaved(self) -> list[str]:
        """The component being typed or corrected, if any (see ItemScreen.unsaved)."""
        boxes = self._boxes()
        if self.editing is not None:
            return [f"the correction of component {self.editing['part_number']}"] if boxes != self.loaded else []
        typed = {box: v for box, v in boxes.items() if v and not (box in AUTO_FILLED and box not in self.edited)}
        return [f"the component typed ({boxes['comp-part'] or ', '.join(typed.values())})"] if typed else []

    def action_edit(self) -> None:
        """Load the highlighted component's values, as entered, into the entry row to correct them."""
        table = self.query_one("#components-table", DataTable)
        if not table.row_count:
            return
        row = components_core.get_component(self.app.catalog, table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        entered = components_core.entered_values(row)
        self.editing = row
        self.edited = {box for box, _, name in ENTRY if box in AUTO_FILLED and entered[name]}
        self.auto = {name: "" for name in AUTO_FILLED}
        for box, _, name in ENTRY:
            value = entered[name]
            self.query_one(f"#{box}", Input).value = "" if value is None else str(value)
        self.show_attribution()
        self.loaded = self._boxes()
        mode = self.query_one("#component-mode", Static)
        mode.update(plain(f"Correcting {row['part_number']} ({row['id'][:8]}): Enter stores the correction; "
                          "empty the firm or country to let the table decide."))
        mode.display = True
        self.query_one("#comp-part", Input).focus()

    def _end_edit(self) -> None:
        self.editing = None
        self.loaded = {}
        self.query_one("#component-mode", Static).display = False

    def reload(self) -> None:
        table = self.query_one("#components-table", DataTable)
        table.clear()
        for row in components_core.list_components(self.app.catalog, self.item_ref):
            table.add_row(
                plain(row["part_number"]), plain(components_core.firm_shown(row) or "—"), plain(row["country"] or "—"),
                plain(row["date_code"]),
                # a date code not read as a date: stored as printed, and said so where its period would be
                "not read" if row.get("date_form") == components_core.NOT_READ else plain(row["date_start"]),
                plain(row["date_end"]), str(row["quantity"]),
                plain(row["type"]), key=row["id"],
            )

    @on(DataTable.RowHighlighted, "#components-table")
    def show_stored_attribution(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted component's attribution with its basis, and its date-code readings."""
        if event.row_key is None or event.row_key.value is None:
            return
        row = components_core.get_component(self.app.catalog, event.row_key.value)
        basis = components_core.lookup_texts(self.app.catalog, row)["basis"]
        lines = [f"{row['part_number']}: {basis or 'not attributed'}"]
        if row["date_form"] == components_core.NOT_READ:
            lines.append(f"date code {row['date_code']}: {components_core.NOT_READ}, left out of the date window")
        for reading in components_core.date_readings(row):
            lines.append(f"date code {row['date_code']}: {reading.label}, {reading.start} to {reading.end} ({reading.basis})")
        self.query_one("#component-attribution", Static).update(plain("\n".join(lines)))

    def action_delete(self) -> None:
        from fieldkit.tui.screens.confirm import ConfirmScreen

        table = self.query_one("#components-table", DataTable)
        if not table.row_count:
            return
        component_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        part = str(table.get_row_at(table.cursor_row)[0])

        def delete(answer: bool | None) -> None:
            if answer:
                components_core.delete_component(self.app.catalog, component_id)
                self.notify(f"Deleted {part}")
                self.reload()

        self.app.push_screen(ConfirmScreen(f"Delete component {part}? The audit log keeps what it was."), delete)

    def _value(self, box: str) -> str:
        return self.query_one(f"#{box}", Input).value.strip()

    def _entered(self, box: str) -> str | None:
        """The box's value if the researcher typed it (not if fieldkit filled it in)."""
        return (self._value(box) or None) if box in self.edited else None

    def _fill(self, box: str, value: str | None) -> None:
        if box in self.edited:
            return
        self.auto[box] = value or ""
        self.query_one(f"#{box}", Input).value = value or ""

    @on(Input.Changed, "#comp-firm, #comp-country")
    def note_edit(self, event: Input.Changed) -> None:
        box = event.input.id
        if event.value == self.auto[box]:
            return
        if event.value.strip():
            self.edited.add(box)
        else:
            self.edited.discard(box)  # emptied: fill in from the table again
        self.show_attribution()

    @on(Input.Changed, "#comp-part")
    def show_attribution(self) -> None:
        live = self.query_one("#component-attribution", Static)
        part = self._value("comp-part")
        if not part:
            live.update("")
            self._fill("comp-firm", None)
            self._fill("comp-country", None)
            return
        try:
            result = attribute(part, self._entered("comp-firm"), self._entered("comp-country"), index=default_index())
        except FieldkitError as exc:
            live.update(plain(f"✗ {exc}"))
            return
        self._fill("comp-firm", result.manufacturer)
        self._fill("comp-country", result.country)
        self.candidates = result.candidates if result.ambiguous else ()
        hint = f"\n  ctrl+f: pick one of the {len(self.candidates)} candidate firms" if self.candidates else ""
        live.update(plain(result.describe() + hint))
        self.show_date_code()

    def action_pick_firm(self) -> None:
        from fieldkit.tui.screens.manufacturers import FirmPickScreen

        if not self.candidates:
            self.notify("The part number names one firm or none: nothing to pick", severity="warning")
            return

        def picked(firm: str | None) -> None:
            if firm:
                box = self.query_one("#comp-firm", Input)
                box.value = firm  # typed by the researcher, in effect: recorded as entered
                box.focus()

        self.app.push_screen(FirmPickScreen(self._value("comp-part"), self.candidates), picked)

    @on(Input.Changed, "#comp-date")
    def show_date_code(self) -> None:
        view = self.query_one("#component-date-readings", ReadingsView)
        code = self._value("comp-date")
        if not code:
            view.show_hint("")
            return
        try:
            view.show(read_date_code(code, self._entered("comp-firm") or self._value("comp-firm") or None))
        except DateCodeError as exc:  # stored anyway, as printed: say so, not as a refusal
            view.update(warnings_text([f"{exc}. It is stored as printed, flagged "
                                       f"\"{components_core.NOT_READ}\" and left out of the date window."]))

    @on(Input.Submitted, "#component-entry Input")
    def add(self) -> None:
        part_box = self.query_one("#comp-part", Input)
        if not part_box.value.strip():
            part_box.focus()
            return
        data = {
            "part_number": self._value("comp-part"),
            "manufacturer": self._entered("comp-firm"),
            "country": self._entered("comp-country"),
            "date_code": self._value("comp-date") or None,
            "quantity": self._value("comp-qty") or None,
            "type": self._value("comp-type") or None,
        }
        try:
            if self.editing is not None:
                saved = components_core.update_component(self.app.catalog, self.editing["id"], data)
            else:
                saved = components_core.add_component(self.app.catalog, self.item_ref, data)
        except FieldkitError as exc:
            self.notify(f"Not saved: {exc}", severity="error")
            return
        corrected = self.editing is not None
        self._end_edit()
        self.edited.clear()
        for box, _, _ in ENTRY:
            self.query_one(f"#{box}", Input).value = ""
        self.auto = {name: "" for name in AUTO_FILLED}
        self.reload()
        self.query_one("#component-attribution", Static).update(plain(f"saved: {saved.attribution.headline()}"))
        self.notify(f"Component {saved.row['part_number']} {'corrected' if corrected else 'saved'}")
        self.post_message(self.Added(self.item_ref, saved.row))
        part_box.focus()

    def action_recheck(self) -> None:
        from fieldkit.tui.screens.recheck import RecheckScreen

        self.app.push_screen(RecheckScreen("components", self.item_ref), lambda _: self.reload())

    def action_import_csv(self) -> None:
        from fieldkit.tui.screens.component_import import ComponentImportScreen

        self.app.push_screen(ComponentImportScreen(self.item_ref, imported=self.reload), lambda _: self.reload())

    def action_summary(self) -> None:
        from fieldkit.tui.screens.summary import SummaryScreen

        self.app.push_screen(SummaryScreen(self.item_ref))
