"""The Markings tab of the item screen: the item's markings with their stored readings, and a box to
type a new marking that shows its readings live, before it is saved."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Static

from fieldkit.catalog import markings as markings_core
from fieldkit.catalog.overview import crop_text
from fieldkit.errors import FieldkitError
from fieldkit.markings import soviet_ic
from fieldkit.markings.matcher import matcher_for, read_marking
from fieldkit.reference.tables import get_reference
from fieldkit.tui.safe_text import plain
from fieldkit.tui.widgets.columns import add_fitted_columns


def describe_reading(reading: dict, limit: int = 4) -> str:
    """A few lines a researcher can read: top pattern candidates, then years with range and basis."""
    lines = []
    for c in reading["candidates"][:limit]:
        flag = " (normalised)" if c["normalised"] else ""
        fields = ", ".join(f"{k}={v}" for k, v in c["fields"].items() if k != "year")
        line = f"{c['pattern_id']}  {c['score']:.2f}{flag}"
        if fields:
            line += f"  {fields}"
        for y in c["years"][:2]:
            line += f"  · {y['label']}"
        lines.append(line)
    if not reading["candidates"]:
        lines.append("no reference pattern matches")
    for y in reading["years"][:limit]:
        lines.append(f"year {y['describe']}")
    return "\n".join(lines)


def withheld(text: str) -> list[str]:
    """A short line for each word of `text` with a Soviet IC type number's shape that is not offered
    as one, saying why (fieldkit.markings.soviet_ic); `fieldkit match` gives the whole reason."""
    try:
        return [soviet_ic.not_offered_short(word) for word in matcher_for(get_reference()).withheld(text)]
    except FieldkitError:
        return []  # the tables cannot be read: the reading above says so


def top_reading(reading: dict) -> str:
    if not reading["candidates"]:
        return "—"
    c = reading["candidates"][0]
    return f"{c['pattern_id']} ({c['score']:.2f})"


def year_summary(reading: dict) -> str:
    """The Year column: the first year reading's Gregorian span and calendar, e.g. "2023 (juche)".
    The token it was read from, and every other reading with its basis, are in the panel beneath."""
    if not reading["years"]:
        return ""
    y = reading["years"][0]
    span = y["gregorian_start"][:4]
    if y["gregorian_end"][:4] != span:
        span += f"–{y['gregorian_end'][:4]}"
    return f"{span} ({y['calendar']})"


def source_label(row: dict) -> str:
    """The Source column: manual or ocr; for OCR text that was corrected, also what OCR read."""
    if row["source"] == "ocr" and row.get("ocr_text") and row["ocr_text"] != row["text"]:
        return f"ocr, read {row['ocr_text']!r}"
    return row["source"]


def photo_label(row: dict) -> str:
    """The From photo column: the photo's hash and the crop a marking was read from, or "typed"."""
    if not row.get("photo_sha256"):
        return "typed"
    return row["photo_sha256"][:8] + (f" @ {crop}" if (crop := crop_text(row)) else " (whole)")


class MarkingsPane(Vertical):
    """The markings of one item, and a live-reading input to add one or correct one."""

    BINDINGS = [
        Binding("ctrl+e", "edit", "Correct marking", id="markings.edit",
                tooltip="Load the highlighted marking into the box below; Enter stores the correction"),
        Binding("ctrl+d", "delete", "Delete marking", id="markings.delete",
                tooltip="Delete the highlighted marking (asks first; the audit log keeps it)"),
        Binding("ctrl+r", "recheck", "Recheck", id="markings.recheck",
                tooltip="This item's markings the current reference tables would read differently; apply all or some"),
    ]

    def __init__(self, item_ref: str, **kwargs):
        super().__init__(**kwargs)
        self.item_ref = item_ref
        self.editing: str | None = None  # id of the marking being corrected, if any

    def _highlighted(self) -> str | None:
        table = self.query_one("#markings-table", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_edit(self) -> None:
        marking_id = self._highlighted()
        if marking_id is None:
            return
        row = markings_core.get_marking(self.app.catalog, marking_id)
        self.editing = marking_id
        self.query_one("#marking-text", Input).value = row["text"]
        self.query_one("#marking-position", Input).value = row["position"] or ""
        self.query_one("#marking-text", Input).focus()
        self.notify("Correct the text, then Enter stores it (Esc leaves it as it was)")

    def action_delete(self) -> None:
        from fieldkit.tui.screens.confirm import ConfirmScreen

        marking_id = self._highlighted()
        if marking_id is None:
            return
        row = markings_core.get_marking(self.app.catalog, marking_id)

        def delete(answer: bool | None) -> None:
            if answer:
                markings_core.delete_marking(self.app.catalog, marking_id)
                self.notify(f"Deleted marking {row['text']!r}")
                self.reload()

        self.app.push_screen(ConfirmScreen(f"Delete marking {row['text']!r}? The audit log keeps what it was."), delete)

    def action_recheck(self) -> None:
        from fieldkit.tui.screens.recheck import RecheckScreen

        self.app.push_screen(RecheckScreen("markings", self.item_ref), lambda _: self.reload())

    def unsaved(self) -> list[str]:
        """The marking being typed or corrected, if any (see ItemScreen.unsaved)."""
        text = self.query_one("#marking-text", Input).value.strip()
        position = self.query_one("#marking-position", Input).value.strip()
        if self.editing:
            row = markings_core.get_marking(self.app.catalog, self.editing)
            changed = text != row["text"] or position != (row["position"] or "")
            return [f"the correction of marking {row['text']!r}"] if changed else []
        return [f"the marking typed ({text or position!r})"] if text or position else []

    def compose(self) -> ComposeResult:
        yield DataTable(id="markings-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="marking-entry"):
            yield Input(placeholder="type a marking as read, Enter adds it", id="marking-text", compact=True)
            yield Input(placeholder="where on the item", id="marking-position", compact=True)
        with VerticalScroll(id="marking-detail"):  # focusable: the arrow keys scroll a long detail
            yield Static("", id="marking-live")

    def on_mount(self) -> None:
        table = self.query_one("#markings-table", DataTable)
        add_fitted_columns(table, [("Text", 13), ("Position", 8), ("Source", 6), ("From photo", 10), ("Top reading", 12), ("Year", 14)])
        self.reload()

    def reload(self) -> None:
        table = self.query_one("#markings-table", DataTable)
        table.clear()
        for row in markings_core.list_markings(self.app.catalog, self.item_ref):
            table.add_row(
                plain(row["text"], multiline=False), plain(row["position"]),  # one line: a line break shows as \x0a
                plain(source_label(row)), plain(photo_label(row)),
                plain(top_reading(row["readings"])), plain(year_summary(row["readings"])), key=row["id"],
            )

    @on(DataTable.RowSelected, "#markings-table")
    def open_photo(self, event: DataTable.RowSelected) -> None:
        """Enter on a marking read from a photo opens that photo with the crop outlined."""
        from fieldkit.evidence.photos import get_photo
        from fieldkit.tui.screens.photos import PhotoScreen

        row = markings_core.marking_view(self.app.catalog, markings_core.get_marking(self.app.catalog, event.row_key.value))
        if not row["photo_sha256"]:
            self.notify("This marking was typed, not read from a photo.")
            return
        crop = tuple(row[k] for k in ("crop_x", "crop_y", "crop_w", "crop_h"))
        self.app.push_screen(PhotoScreen(get_photo(self.app.catalog, row["photo_sha256"]), self.item_ref,
                                         crop=crop if None not in crop else None))

    @on(DataTable.RowHighlighted, "#markings-table")
    def show_stored_reading(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted marking's stored readings (matches, years with their range, and each basis)
        and, for a marking read from a photo, which OCR engine's reading was kept and why."""
        if event.row_key is None or event.row_key.value is None:
            return
        view = markings_core.marking_view(self.app.catalog, markings_core.get_marking(self.app.catalog, event.row_key.value))
        lines = [view["text"], describe_reading(view["readings"]), *withheld(view["text"]),
                 *markings_core.ocr_choice_lines(view["ocr_choice"])]
        self.query_one("#marking-live", Static).update(plain("\n".join(lines)))

    @on(Input.Changed, "#marking-text")
    def show_live_reading(self, event: Input.Changed) -> None:
        live = self.query_one("#marking-live", Static)
        text = event.value.strip()
        if not text:
            live.update("")
            return
        try:
            live.update(plain("\n".join([describe_reading(read_marking(text, get_reference()).to_json()), *withheld(text)])))
        except FieldkitError as exc:
            live.update(plain(f"cannot read markings: {exc}"))

    @on(Input.Submitted, "#marking-text")
    @on(Input.Submitted, "#marking-position")
    def add(self) -> None:
        text_input = self.query_one("#marking-text", Input)
        position_input = self.query_one("#marking-position", Input)
        if not text_input.value.strip():
            text_input.focus()
            return
        try:
            if self.editing:
                stored = markings_core.update_marking(
                    self.app.catalog, self.editing, text=text_input.value, position=position_input.value
                )
                self.editing = None
            else:
                stored = markings_core.add_marking(
                    self.app.catalog, self.item_ref, text_input.value, position=position_input.value or None
                )
        except FieldkitError as exc:
            self.notify(f"Not saved: {exc}", severity="error")
            return
        text_input.value = ""
        position_input.value = ""
        self.reload()
        self.query_one("#marking-live", Static).update(plain(f"saved {stored['text']!r}: " + top_reading(stored["readings"])))
        self.notify(f"Marking {stored['text']!r} saved")
        text_input.focus()
