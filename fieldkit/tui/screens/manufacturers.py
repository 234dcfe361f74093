"""Manufacturer dialogs: pick one of a part number's candidate firms, and add a family or brand of your own.

`FirmPickScreen` lists the firms a multi-source or ambiguous part number may be (the component form
opens it with ctrl+f); the firm picked is entered as the researcher's choice. `FamilyFormScreen`
adds a part-number family or a printed brand form to the user reference folder, checked as it is
typed: what the new row would make of an example part number, or that the brand is already known.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.widgets import Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from fieldkit.components.attribution import Candidate, ManufacturerIndex
from fieldkit.errors import FieldkitError
from fieldkit.tui.safe_text import plain
from fieldkit.tui.widgets.footer import Dialog


class FirmPickScreen(Dialog[str | None]):
    """The candidate firms of a part number; Enter picks one (its name), Escape picks none."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="firmpick.cancel")]

    def __init__(self, part_number: str, candidates: tuple[Candidate, ...]):
        super().__init__()
        self.part_number, self.candidates = part_number, candidates

    def compose(self) -> ComposeResult:
        with Vertical(id="firm-pick"):
            yield Label(plain(f"{self.part_number} may be made by any of these; pick the brand printed on it"),
                        classes="cal-title")
            yield OptionList(*[Option(plain(f"{c.firm_line()}  [{c.basis()}]"), id=c.firm_id) for c in self.candidates],
                             id="firm-pick-list")

    def on_mount(self) -> None:
        self.query_one("#firm-pick-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#firm-pick-list")
    def picked(self, event: OptionList.OptionSelected) -> None:
        chosen = next(c for c in self.candidates if c.firm_id == event.option.id)
        self.dismiss(chosen.firm)

    def action_cancel(self) -> None:
        self.dismiss(None)


FIELDS = [
    ("text", "Prefix/brand *", "a prefix such as ZQX7 (family), or a brand as printed"),
    ("firm_id", "Firm id *", "its id in the Manufacturers tab, e.g. texas-instruments"),
    ("example", "Example part", "a part number the family should attribute, e.g. ZQX7100"),
    ("source", "Source *", "the maker's ordering guide or datasheet, with its URL"),
]


class FamilyFormScreen(Dialog[str | None]):
    """A user part-number family or brand form; checked as typed, saved to the user reference folder."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="family.save"),
        Binding("escape", "cancel", "Cancel", id="family.cancel"),
    ]

    def __init__(self, index: ManufacturerIndex):
        super().__init__()
        self.index = index

    def compose(self) -> ComposeResult:
        with Vertical(id="pattern-form"):
            yield Label("New part-number family or brand (saved to your user reference folder)", classes="cal-title")
            with Grid(id="pattern-fields"):
                yield Label("Kind", classes="field-label")
                yield Select([("part-number family", "family"), ("printed brand form", "brand")], value="family",
                             allow_blank=False, id="f-kind", classes="family-field", compact=True)
                for name, label, placeholder in FIELDS:
                    yield Label(label, classes="field-label")
                    yield Input(placeholder=placeholder, id=f"f-{name}", classes="family-field", compact=True)
            yield Label("", id="pattern-error")

    def on_mount(self) -> None:
        self.query_one("#f-text", Input).focus()

    def value(self, name: str) -> str:
        return self.query_one(f"#f-{name}", Input).value.strip()

    def row(self):
        """The row as typed (a FamilyRow or the firm's ManufacturerRow with the brand added); ValueError if wrong."""
        from fieldkit.components.lookup import user_brand_row, user_family_row

        if self.query_one("#f-kind", Select).value == "brand":
            return "manufacturers", user_brand_row(self.value("text"), self.value("firm_id"), self.value("source"), self.index)
        return "families", user_family_row(self.value("text"), self.value("firm_id"), self.value("source"), self.index)

    def check(self) -> str | None:
        """The first problem with what is typed (None if it can be saved), and what it would do."""
        from fieldkit.components.attribution import ManufacturerIndex, attribute

        try:
            table, row = self.row()
        except ValueError as exc:
            return str(exc)
        example = self.value("example")
        if table == "families" and example:
            trial = ManufacturerIndex(list(self.index.rows.values()), "trial", families=[row])
            result = attribute(example, index=trial)
            if result.firm_id != row.firm_id:
                return f"example: {example} does not begin with {row.family}"
        return None

    @on(Input.Changed, ".family-field")
    @on(Select.Changed, ".family-field")
    def check_as_typed(self) -> None:
        label = self.query_one("#pattern-error", Label)
        problem = self.check()
        if problem is None:
            table, row = self.row()
            firm = self.index.firm(row.id if table == "manufacturers" else row.firm_id)
            what = f"family {row.family}" if table == "families" else f"brand {self.value('text')!r}"
            label.update(plain(f"✓ {what} → {firm.firm} ({firm.country})"))
        else:
            label.update(plain(problem))
        label.set_class(problem is not None, "invalid")

    def action_save(self) -> None:
        from fieldkit.locations import user_reference_save_dir
        from fieldkit.reference.tables import clear_cache, write_user_row

        problem = self.check()
        if problem:
            self.check_as_typed()
            self.notify(f"Not saved: {problem}", severity="error")
            return
        table, row = self.row()
        try:
            path = write_user_row(user_reference_save_dir(), table, row)
        except (FieldkitError, OSError) as exc:
            self.notify(f"Not saved: {exc}", severity="error")
            return
        clear_cache()
        self.notify(f"Saved to {path}" + (" (your row overrides the shipped row of this firm)" if table == "manufacturers" else ""))
        self.dismiss(self.value("text"))

    def action_cancel(self) -> None:
        self.dismiss(None)
