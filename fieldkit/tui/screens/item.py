"""The item screen: a validated form to add or edit a debris item; errors show beside their fields.

Dismisses with the item's ref when saved, or None when left without saving.
"""

from __future__ import annotations

from typing import Any

import pydantic
from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Select, TabbedContent, TabPane, TextArea

from fieldkit.catalog import items as items_core
from fieldkit.errors import FieldkitError
from fieldkit.models import ItemFields, field_errors
from fieldkit.tui.safe_text import has_unsafe, visible
from fieldkit.tui.screens.confirm import confirm_discard
from fieldkit.tui.screens.photos import PhotosPane
from fieldkit.tui.widgets.markings import MarkingsPane
from fieldkit.tui.widgets.components import ComponentsPane
from fieldkit.tui.widgets.footer import FitFooter

# (field, label, placeholder); `notes` is a TextArea and `sample_type` a Select, below.
TEXT_FIELDS = [
    ("ref", "Ref", "generated if empty, e.g. FK-0001"),
    ("category", "Category *", "rocket, missile debris, cartridge…"),
    ("designation", "Designation", "e.g. 9M22U, OF-540, Hwasong-11"),
    ("calibre", "Calibre", "e.g. 122 mm"),
    ("origin", "Assessed origin", "country or producer"),
    ("found_on", "Found on", "YYYY-MM-DD"),
    ("place", "Place", "where it was found"),
    ("lat", "Latitude", "decimal degrees, -90 to 90"),
    ("lon", "Longitude", "decimal degrees, -180 to 180"),
    ("recorded_by", "Recorded by", "who documented it"),
    ("condition", "Condition", "e.g. fragmented, intact, burnt"),
    ("holder", "User or holder", "for an attributed sample"),
    ("acquisition", "How it came to you", "e.g. documented on site, handed over by…"),
    ("custody", "Where the item is now", "e.g. police evidence store"),
]
SAMPLE_TYPES = [("attributed (user or holder known)", "attributed"), ("unattributed", "unattributed")]


class ItemScreen(Screen[str | None]):
    """Add a new item (ref None) or edit an existing one."""

    # Below 110 columns the details form has two columns (label, box) and a field's problem shows
    # under it, wrapped, instead of in a third column too narrow for the placeholders and messages.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    HELP = """\
## Item

Fill in what you know; only the category is required. `ctrl+s` saves, and any problem is
shown beside its field (under it in a narrow terminal). Nothing is stored until the whole form is valid.

`F2` to `F5` switch between the Details, Photos, Markings and Components tabs. `Esc` goes back;
if anything typed is not saved (the details, a marking or component being typed or corrected), it
asks first.

- *Photos*: `Enter` opens a photo full size (`e` there sets its caption; when the photo has EXIF
  GPS or a capture time that the item lacks, `g` copies them to the item); `o` reads a marking
  off the highlighted photo, `B` reads every photo, `ctrl+o` picks files (type any folder or
  path in the picker's box to leave the home folder), `ctrl+l` types paths (several at once,
  separated by spaces, commas or new lines; `~` is your home folder). One batch is added at a
  time: while it runs, `Esc` stops it (the screen stays, and the results name every photo not
  added), and a second batch, `B` or `ctrl+s` waits. Each photo is
  stored whole, with its SHA-256 and audit entries, or not at all.
- *Markings*: the From photo column names the photo and crop each marking was read from;
  `Enter` opens that photo with the crop outlined. `ctrl+e` corrects a marking, `ctrl+d` deletes it.
  The panel beneath shows the highlighted marking's readings and, for one read from a photo, which
  OCR engine's reading was kept and why (agreement, script, a reference-table match, calibrated
  confidence), each engine's reading and the corrections. `ctrl+r` rechecks the item's markings
  against the current reference tables.
- *Components*: type a part number and press `Enter` to add it; `ctrl+e` loads the highlighted
  component to correct it (`Enter` stores the correction), `ctrl+d` deletes it (after asking),
  `ctrl+g` shows this item's summary, `ctrl+o` imports components from a CSV file (as `fieldkit
  component import`, with progress and each refused row by line), `ctrl+r` rechecks the item's
  components against the current reference tables (what you entered by hand is kept).

`F6` writes the item's evidence dossier (PDF, or HTML if the name ends in .html): its fields,
photos with their hashes and provenance, markings with their crops, OCR choice and readings, components,
summary and chain of custody.

In the Components tab the firm and country fill in from the part number. A number several firms
make (LM317, 74HC...) fills in none: `ctrl+f` lists the candidate firms, to pick the one whose
brand is printed on the part.
"""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="item.save"),
        Binding("escape", "close", "Back", id="item.back"),
        Binding("f2", "show_tab('details')", "Details", id="item.tab.details", show=False),
        Binding("f3", "show_tab('photos')", "Photos", id="item.tab.photos", show=False),
        Binding("f4", "show_tab('markings')", "Markings", id="item.tab.markings", show=False),
        Binding("f5", "show_tab('components')", "Components", id="item.tab.components", show=False),
        Binding("f6", "dossier", "Dossier", id="item.dossier",
                tooltip="Write this item's evidence dossier (PDF or HTML), with progress"),
    ]

    def __init__(self, ref: str | None):
        super().__init__()
        self.ref = ref
        # Fields whose stored text holds control characters: shown escaped, and kept as stored
        # unless the researcher edits them. {field: (text shown, text stored)}
        self.escaped: dict[str, tuple[str, str]] = {}
        self.saved_form: dict[str, Any] | None = None  # the form as loaded or last saved, to see edits

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="item-tabs"):
            with TabPane("Details F2", id="details"):
                with VerticalScroll(id="form"):
                    with Grid(id="fields"):
                        for name, label, placeholder in TEXT_FIELDS:
                            yield Label(label, classes="field-label")
                            yield Input(placeholder=placeholder, id=f"f-{name}", classes="field", compact=True)
                            yield Label("", id=f"err-{name}", classes="field-error")
                        yield Label("Sample", classes="field-label")
                        yield Select(SAMPLE_TYPES, id="f-sample_type", prompt="not recorded", classes="field", compact=True)
                        yield Label("", id="err-sample_type", classes="field-error")
                    yield Label("Notes", classes="field-label")
                    yield TextArea(id="f-notes", classes="field")
                    yield Label("", id="err-notes", classes="field-error")
                    yield Label("", id="err-item", classes="field-error")
            if self.ref is not None:
                with TabPane("Photos F3", id="photos"):
                    yield PhotosPane(self.ref, id="photos-pane")
                with TabPane("Markings F4", id="markings"):
                    yield MarkingsPane(self.ref, id="markings-pane")
                with TabPane("Components F5", id="components"):
                    yield ComponentsPane(self.ref, id="components-pane")
        yield FitFooter()

    def on_mount(self) -> None:
        if self.ref is None:
            self.sub_title = "New item"
        else:
            self.load(items_core.get_item(self.app.catalog, self.ref))
        self.saved_form = self.form_data()
        self.query_one("#f-category" if self.ref is None else "#f-designation", Input).focus()

    def load(self, item: dict[str, Any]) -> None:
        self.sub_title = visible(f"{item['ref']} · {item['category']}")
        for name, _, _ in TEXT_FIELDS:
            self.query_one(f"#f-{name}", Input).value = self._shown(name, item[name])
        sample = self.query_one("#f-sample_type", Select)
        if item["sample_type"]:
            sample.value = item["sample_type"]
        else:
            sample.clear()
        self.query_one("#f-notes", TextArea).text = self._shown("notes", item["notes"])
        self.show_errors({
            name: "holds control characters, shown as escapes; edit this field to save the item"
            for name in self.escaped
        })

    def _shown(self, name: str, value: Any) -> str:
        text = "" if value is None else str(value)
        if has_unsafe(text):
            self.escaped[name] = (visible(text), text)
            return visible(text)
        return text

    def form_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: self.query_one(f"#f-{name}", Input).value for name, _, _ in TEXT_FIELDS}
        sample = self.query_one("#f-sample_type", Select).value
        data["sample_type"] = sample if isinstance(sample, str) else None
        data["notes"] = self.query_one("#f-notes", TextArea).text
        for name, (shown, stored) in self.escaped.items():
            if data[name] == shown:  # not edited: the stored text, never its escaped display
                data[name] = stored
        return data

    def show_errors(self, errors: dict[str, str]) -> None:
        for label in self.query(".field-error"):
            field = label.id.removeprefix("err-")
            label.update(escape(errors.get(field, "")))
            label.set_class(field in errors, "visible")

    @on(Input.Changed, ".field")
    def validate_as_typed(self) -> None:
        """Clear an error as soon as the form is valid again; new errors wait for save."""
        if not any(label.has_class("visible") for label in self.query(".field-error")):
            return
        try:
            ItemFields.model_validate(self.form_data())
        except pydantic.ValidationError as exc:
            self.show_errors(field_errors(exc))
        else:
            self.show_errors({})

    def ingesting(self) -> PhotosPane | None:
        """The Photos tab while it adds photos: the screen is not left until it is done (None else)."""
        panes = [pane for pane in self.query(PhotosPane) if pane.job.running]
        return panes[0] if panes else None

    def action_save(self) -> None:
        pane = self.ingesting()
        if pane is not None:  # saving leaves the screen: the ingest's outcome would be lost
            pane.refuse_while_running()
            return
        data = self.form_data()
        try:
            ItemFields.model_validate(data)
        except pydantic.ValidationError as exc:
            self.show_errors(field_errors(exc))
            self.notify("Not saved: fix the fields marked in red.", severity="error")
            return
        try:
            if self.ref is None:
                stored = items_core.add_item(self.app.catalog, data)
            else:
                stored = items_core.update_item(self.app.catalog, self.ref, data)
        except FieldkitError as exc:
            self.show_errors({"item": str(exc)})
            self.notify(f"Not saved: {exc}", severity="error")
            return
        self.show_errors({})
        self.notify(f"Saved {stored['ref']}")
        self.dismiss(stored["ref"])

    def action_show_tab(self, tab: str) -> None:
        """Switch tabs from the keyboard, wherever the focus is (a new item has only Details)."""
        tabs = self.query_one("#item-tabs", TabbedContent)
        if tabs.query(f"TabPane#{tab}"):
            tabs.active = tab
            pane = tabs.get_pane(tab)
            lists = [w for w in pane.query("ListView, DataTable") if w.focusable]  # the tab's contents first
            focusable = lists or [w for w in pane.query("*") if w.focusable]
            if focusable:
                focusable[0].focus()

    def action_dossier(self) -> None:
        if self.ref is None:
            self.notify("Save the item first; a dossier shows what is stored", severity="warning")
            return
        from fieldkit.report.files import file_stem, write_dossier
        from fieldkit.tui.screens.report import ReportScreen

        ref = self.ref
        self.app.push_screen(ReportScreen(
            f"Write the evidence dossier of {ref} to (.pdf or .html):", f"{file_stem(ref)}-dossier",
            lambda path, progress: write_dossier(self.app.catalog, ref, [path], progress=progress)[0],
        ))

    def take_stored(self, item: dict[str, Any], fields: list[str]) -> None:
        """Show fields that were stored from elsewhere (a photo's EXIF) in the form, as saved, keeping
        any other edits in the form as they are."""
        for name in fields:
            value = "" if item[name] is None else str(item[name])
            self.query_one(f"#f-{name}", Input).value = value
            if self.saved_form is not None:
                self.saved_form[name] = value

    def unsaved(self) -> list[str]:
        """What would be lost by leaving now: the details form's edits, and text typed in the tabs' entry rows."""
        found = []
        if self.saved_form is not None and self.form_data() != self.saved_form:
            found.append("the new item's details" if self.ref is None else f"the details of {self.ref}")
        for pane in self.query("MarkingsPane, ComponentsPane"):
            found += pane.unsaved()
        return found

    def stop_before_quit(self) -> bool:
        """ctrl+q while photos are being added and no stop was asked for yet: stop them and stay
        (True), so that the outcome -- which photos went in, which not -- is seen before quitting."""
        pane = self.ingesting()
        return pane is not None and not pane.job.requested.is_set() and pane.job.request()

    def action_close(self) -> None:
        pane = self.ingesting()
        if pane is not None:  # escape stops the ingest and stays, to show which photos went in
            pane.stop()
            return
        confirm_discard(self, self.unsaved(), lambda: self.dismiss(None))
