"""Photos in the TUI: the item screen's Photos tab, a file picker, and the full view of one photo.

Ingest and thumbnail loading run in thread workers and talk back through typed messages;
progress is posted at most every 250 ms. One ingest runs at a time: a second is refused, and the
item screen is not left while one runs (escape stops it, ctrl+s waits); its outcome names every
photo not added, whether the ingest was stopped or failed. The images shown are display copies
(upright, scaled); the stored originals are only read.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any, Iterable

from PIL import Image as PILImage
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DirectoryTree, Header, Input, Label, ListItem, ListView, ProgressBar, Static
from textual_image.widget import Image

from fieldkit.errors import FieldkitError
from fieldkit.evidence import photos as photos_core
from fieldkit.evidence.ingest_outcome import add_one_by_one, not_added_lines, outcome, with_error
from fieldkit.evidence.photos import IngestResult, exif_flags
from fieldkit.evidence.placement import describe_offer, disagreements, offers
from fieldkit.paths import expand_user
from fieldkit.tui.progress import Cancel, throttled
from fieldkit.tui.safe_text import plain, visible
from fieldkit.wording import plural
from fieldkit.tui.widgets.footer import Dialog, FitFooter

THUMB_SIZE = (192, 128)
PLACES = ("/media", "/mnt", "/")  # shown as buttons in the file picker, where they exist
LARGE_SIZE = (1280, 1280)
WAIT = "Photos are being added: wait for them, or press escape to stop them."
STOPPING = "Stopping the photo ingest: the results will name every photo not added."
NAMED = 8  # photos not added named in the notification; all of them are in the results list


def parse_paths(text: str) -> list[Path]:
    """Paths typed or pasted: separated by new lines, commas or spaces ('quotes' keep spaces); ~ expanded.

    A whole line or comma-separated piece that names an existing file is taken as one path even
    if it contains spaces, so a pasted unquoted path works too. A `~user` with no home folder here
    is a FieldkitError (fieldkit.paths.expand_user), once the piece is split.
    """
    paths: list[str] = []
    for line in text.splitlines():
        for piece in line.split(","):
            piece = piece.strip()
            if not piece:
                continue
            if _names_a_file(piece):
                paths.append(piece)
                continue
            try:
                paths.extend(shlex.split(piece))
            except ValueError:  # an unbalanced quote: fall back to spaces
                paths.extend(piece.split())
    return [expand_user(p) for p in paths]


def _names_a_file(piece: str) -> bool:
    """Whether a typed piece, `~` expanded, exists; a `~user` with no home folder here does not."""
    try:
        return expand_user(piece).exists()
    except FieldkitError:
        return False


def photo_facts(photo: dict[str, Any], items: Iterable[str] = ()) -> list[tuple[str, str]]:
    """What the full view shows beside a photo, as (label, value) rows."""
    gps = "—"
    if photo.get("gps_lat") is not None and photo.get("gps_lon") is not None:
        lat, lon = photo["gps_lat"], photo["gps_lon"]
        gps = f"{abs(lat):.6f}°{'N' if lat >= 0 else 'S'} {abs(lon):.6f}°{'E' if lon >= 0 else 'W'}"
    camera = " ".join(x for x in (photo.get("camera_make"), photo.get("camera_model")) if x) or "—"
    return [
        ("Original name", photo.get("original_name") or "—"),
        ("Caption", photo.get("caption") or "—"),
        ("Items", ", ".join(items) or "—"),
        ("Captured", photo.get("exif_time") or "— (no EXIF time)"),
        *(("EXIF flag", flag) for flag in exif_flags(photo)),
        ("GPS", gps),
        ("Camera", camera),
        ("Orientation", str(photo.get("orientation") or "—")),
        ("Format", photo.get("format") or "—"),
        ("Dimensions", f"{photo.get('width')} × {photo.get('height')} px"),
        ("Size", f"{photo.get('size'):,} bytes"),
        ("SHA-256", photo["sha256"]),
        ("Stored as", photo["stored_path"]),
    ]


def outlined(display: PILImage.Image, photo: dict[str, Any], crop: tuple[int, int, int, int]) -> PILImage.Image:
    """The display copy of a photo with a marking's crop framed (the crop is in pixels of the
    upright original; the display copy is upright and scaled)."""
    from fieldkit.tui.screens.ocr import framed_preview

    width = photo.get("height") if photo.get("orientation") in (5, 6, 7, 8) else photo.get("width")
    scale = display.width / width if width else 1.0
    return framed_preview(display, scale, crop)


def _summary(photo: dict[str, Any]) -> str:
    first = photo.get("caption") or photo.get("original_name") or ""
    taken = photo.get("exif_time") or "no EXIF time"
    return f"{first}\n{photo['format']} {photo['width']}×{photo['height']} · {taken}\nSHA-256 {photo['sha256'][:16]}…"


class PhotosPane(Vertical):
    """The photos of one item: thumbnails, adding by typed paths or a picker, and the results."""

    BINDINGS = [
        # Short footer labels, so that they fit beside Save, Back, More, Quit and Help at 80 columns.
        Binding("ctrl+o", "browse", "Add photos", id="photos.browse", tooltip="Browse for photos to add (a folder picker)"),
        Binding("ctrl+l", "focus_paths", "Paths", id="photos.paths", tooltip="Type photo paths to add"),
        Binding("o", "ocr", "OCR", id="photos.ocr", tooltip="OCR the highlighted photo: read a marking from a crop"),
        Binding("B", "ocr_batch", "OCR all", id="photos.ocr_batch", tooltip="OCR all the item's photos, each result shown as it is done"),
        Binding("g", "use_exif", "Use GPS/date", id="photos.use_exif",
                tooltip="Copy the highlighted photo's EXIF position and capture date to the item where it has none (audited)"),
    ]

    class Loaded(Message):
        """The item, its photos and a thumbnail of each (None where the original could not be read)."""

        def __init__(self, rows: list[dict[str, Any]], thumbs: list[PILImage.Image | None], item: dict[str, Any] | None = None):
            super().__init__()
            self.rows, self.thumbs, self.item = rows, thumbs, item

    class Progress(Message):
        def __init__(self, done: int, total: int):
            super().__init__()
            self.done, self.total = done, total

    class Ingested(Message):
        """An ingest finished: the files given, one result per file reached, and the error that
        stopped it before the rest (None if every file was reached)."""

        def __init__(self, paths: list[Path], results: list[IngestResult], error: str | None = None):
            super().__init__()
            self.paths, self.results, self.error = paths, results, error

    def __init__(self, ref: str, **kwargs):
        super().__init__(**kwargs)
        self.ref = ref
        self.rows: list[dict[str, Any]] = []
        self.item: dict[str, Any] | None = None
        self.job = Cancel()  # the ingest: one at a time, stopped by escape (ItemScreen) or the app closing

    def compose(self) -> ComposeResult:
        with Horizontal(id="photo-add-bar"):
            # whole at 80 columns (58 cells beside the two compact buttons); the rest in its tooltip and F1
            yield Input(
                placeholder="Photo paths or a folder, separated by spaces or commas",
                tooltip="Photo paths or a folder of photos: several at once, separated by spaces, commas or new lines (~ works)",
                id="photo-paths",
            )
            yield Button("Add", id="photo-add", variant="primary")
            yield Button("Browse…", id="photo-browse")
        yield ProgressBar(id="photo-progress", show_eta=False)
        yield Static("", id="photo-results")
        yield Static("", id="photo-offer")
        yield ListView(id="photo-list")
        yield Label("", id="photo-count")

    def on_mount(self) -> None:
        self.query_one("#photo-progress").display = False
        self.load()

    def on_unmount(self) -> None:
        self.job.request()  # the app closing: stop (a photo is stored whole or not at all)

    # loading ---------------------------------------------------------------

    @work(thread=True, exclusive=True, group="photo-load")
    def load(self) -> None:
        from fieldkit.catalog.items import find_item

        catalog = self.app.catalog
        try:
            rows = photos_core.list_photos(catalog, self.ref)
        except FieldkitError:
            rows = []
        item = find_item(catalog, self.ref)
        thumbs = []
        for row in rows:
            try:
                thumbs.append(photos_core.thumbnail(photos_core.stored_file(catalog, row), THUMB_SIZE))
            except (FieldkitError, OSError):
                thumbs.append(None)
        self.post_message(self.Loaded(rows, thumbs, item))

    @on(Loaded)
    async def show_photos(self, message: Loaded) -> None:
        self.rows = message.rows
        self.item = message.item
        view = self.query_one("#photo-list", ListView)
        await view.clear()
        for row, thumb in zip(message.rows, message.thumbs):
            picture = Image(thumb, classes="thumb") if thumb is not None else Label("original\nmissing", classes="thumb")
            text = _summary(row)
            for problem in disagreements(message.item or {}, row):
                text += f"\n⚠ {problem}"
            await view.append(ListItem(Horizontal(picture, Label(text, classes="thumb-text", markup=False)), classes="photo-row"))
        if message.rows and view.index is None:
            view.index = 0  # so Enter, o and the arrow keys work at once
        self.show_offer()
        count = len(message.rows)
        self.query_one("#photo-count", Label).update(
            f"{count} photo{'' if count == 1 else 's'} · Enter opens one" if count else "No photos yet."
        )

    def highlighted(self) -> dict[str, Any] | None:
        index = self.query_one("#photo-list", ListView).index
        return self.rows[index] if index is not None and index < len(self.rows) else None

    @on(ListView.Highlighted, "#photo-list")
    def show_offer(self) -> None:
        """Offer the highlighted photo's EXIF position and date for the item, where the item has none."""
        photo, box = self.highlighted(), self.query_one("#photo-offer", Static)
        values = offers(self.item, photo) if photo is not None and self.item is not None else {}
        box.display = bool(values)
        if values:
            box.update(plain(f"This photo's EXIF gives a {describe_offer(values)}, which {self.ref} lacks: g copies it to the item."))

    def action_use_exif(self) -> None:
        from fieldkit.catalog.items import update_item

        photo = self.highlighted()
        values = offers(self.item, photo) if photo is not None and self.item is not None else {}
        if not values:
            self.notify("The highlighted photo has no EXIF position or date that the item lacks.", severity="warning")
            return
        try:
            self.item = update_item(self.app.catalog, self.ref, values)
        except FieldkitError as exc:
            self.notify(f"Not saved: {exc}", severity="error")
            return
        form = self.screen
        if hasattr(form, "take_stored"):
            form.take_stored(self.item, list(values))
        self.notify(f"{self.ref}: {describe_offer(values)} copied from the photo's EXIF")
        self.load()

    @on(ListView.Selected, "#photo-list")
    def open_photo(self, event: ListView.Selected) -> None:
        index = event.list_view.index
        if index is not None and index < len(self.rows):
            self.app.push_screen(PhotoScreen(self.rows[index], self.ref))

    def action_ocr(self) -> None:
        """Open the OCR screen on the highlighted photo."""
        from fieldkit.tui.screens.ocr import OcrScreen

        index = self.query_one("#photo-list", ListView).index
        if index is None or index >= len(self.rows):
            self.notify("Highlight a photo first.", severity="warning")
            return
        self.app.push_screen(OcrScreen(self.rows[index], self.ref))

    def action_ocr_batch(self) -> None:
        """OCR every photo of the item (or a folder of images) on the batch screen."""
        from fieldkit.tui.screens.ocr import BatchOcrScreen

        if self.refuse_while_running():  # it reads the item's photos, and can add a folder of them
            return
        self.app.push_screen(BatchOcrScreen(self.ref, start=bool(self.rows)))

    # adding ----------------------------------------------------------------

    def action_focus_paths(self) -> None:
        self.query_one("#photo-paths", Input).focus()

    def action_browse(self) -> None:
        if self.refuse_while_running():
            return

        def chosen(paths: list[Path] | None) -> None:
            if paths:
                self.start_ingest(paths)

        self.app.push_screen(PhotoPickerScreen(), chosen)

    @on(Button.Pressed, "#photo-browse")
    def browse_pressed(self) -> None:
        self.action_browse()

    @on(Button.Pressed, "#photo-add")
    @on(Input.Submitted, "#photo-paths")
    def add_typed(self) -> None:
        field = self.query_one("#photo-paths", Input)
        from fieldkit.ocr.photos import open_folders

        try:
            paths = open_folders(parse_paths(field.value))  # a folder: the photos inside it
        except FieldkitError as exc:
            self.notify(str(exc), severity="error")
            return
        if not paths:
            self.notify("Type the path of one or more photos, or of their folder, first.", severity="warning")
            return
        if self.start_ingest(paths):
            field.value = ""  # else kept, to be added once the running ingest is done

    def refuse_while_running(self) -> bool:
        """True, having said so, while an ingest runs: nothing else starts, the screen stays."""
        if self.job.running:
            self.notify(WAIT, severity="warning")
        return self.job.running

    def stop(self) -> bool:
        """Escape: stop the running ingest (True then: stay on the screen to show its outcome).
        A photo being copied is dropped, one already copied is stored whole (ingest_file)."""
        if not self.job.request():
            return False
        self.notify(STOPPING, severity="warning")
        return True

    def start_ingest(self, paths: list[Path]) -> bool:
        """Start adding `paths` (False, having said so, while another ingest runs)."""
        if not self.job.start():
            self.notify(WAIT, severity="warning")
            return False
        bar = self.query_one("#photo-progress", ProgressBar)
        bar.update(total=len(paths), progress=0)
        bar.display = True
        self.query_one("#photo-results", Static).update(f"Adding {plural(len(paths), 'photo')}…")
        self.ingest(paths)
        return True

    @work(thread=True, group="photo-ingest")
    def ingest(self, paths: list[Path]) -> None:
        """Add the photos one by one (add_one_by_one); the results so far are shown whatever stops it."""
        progress = throttled(lambda done, total: self.post_message(self.Progress(done, total)))
        results, error = add_one_by_one(self.app.catalog, self.ref, paths, self.job.requested, progress)
        self.post_message(self.Ingested(paths, results, error))

    @on(Progress)
    def show_progress(self, message: Progress) -> None:
        self.query_one("#photo-progress", ProgressBar).update(total=message.total, progress=message.done)

    @on(Ingested)
    def show_results(self, message: Ingested) -> None:
        stopped = self.job.requested.is_set()
        self.job.finished()
        self.query_one("#photo-progress").display = False
        headline, not_added = outcome(message.paths, message.results, message.error, stopped)
        lines = [with_error(headline, message.error)]
        lines += [f"✓ {r.sha256[:16]}…  {Path(r.source).name}" + (" (already in the store)" if r.duplicate else "")
                  for r in message.results if r.ok]
        lines += not_added_lines(message.paths, message.results)
        self.query_one("#photo-results", Static).update(plain("\n".join(lines)))
        if not_added:
            names = ", ".join(not_added[:NAMED]) + (f" and {len(not_added) - NAMED} more (listed)" if len(not_added) > NAMED else "")
            self.notify(visible(f"{headline} Not added: {names}."), severity="error", markup=False)
        else:
            self.notify(f"Added {plural(len(message.results), 'photo')}.")
        self.load()


class PhotoDirectoryTree(DirectoryTree):
    """Folders and files with one of `suffixes` only (photos unless told), hidden files left out."""

    def __init__(self, path: Path, suffixes: Iterable[str] | None = None, **kwargs):
        self.suffixes = frozenset(suffixes or photos_core.PHOTO_SUFFIXES)
        super().__init__(path, **kwargs)

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            p for p in paths
            if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in self.suffixes)
        ]


class PhotoPickerScreen(Dialog[list[Path] | None]):
    """Pick photo files: Enter on a file marks or unmarks it; ctrl+s adds the marked files.
    With `suffixes` and `what` it picks other files (the components import picks a CSV file).

    The tree starts in the home folder; the box above it goes anywhere: type a folder (/media,
    /mnt, a USB stick's mount point) or a file and press Enter. `ctrl+u` goes up one folder.
    """

    BINDINGS = [
        Binding("ctrl+s", "done", "Add marked photos", id="picker.done"),
        Binding("ctrl+u", "up", "Parent folder", id="picker.up"),
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
    ]

    def __init__(self, start: Path | None = None, suffixes: Iterable[str] | None = None, what: str = "photo"):
        super().__init__()
        self.start = start or Path.home()
        self.suffixes, self.what = suffixes, what
        self.chosen: list[Path] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="picker"):
            yield Label(f"Enter marks a {self.what} (again to unmark); ctrl+s adds the marked ones; ctrl+u goes up "
                        "a folder; escape cancels.", classes="question")
            with Horizontal(id="picker-places"):
                yield Input(str(self.start), placeholder=f"a folder or {self.what}: /media, /mnt, ~/… then Enter",
                            id="picker-path", compact=True)
                for place in PLACES:
                    if Path(place).is_dir():
                        yield Button(place, id=f"picker-go-{place.strip('/')}", classes="picker-place", compact=True)
            yield PhotoDirectoryTree(self.start, self.suffixes, id="picker-tree")
            yield Label("Nothing marked yet.", id="picker-chosen")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="picker-cancel", compact=True)
                yield Button("Add marked", id="picker-done", variant="primary", compact=True)

    def go(self, folder: Path) -> None:
        """Show `folder` in the tree."""
        tree = self.query_one("#picker-tree", PhotoDirectoryTree)
        tree.path = folder
        self.query_one("#picker-path", Input).value = str(folder)
        tree.focus()

    @on(Input.Submitted, "#picker-path")
    def go_typed(self, event: Input.Submitted) -> None:
        try:
            path = expand_user(event.value.strip() or "~")
        except FieldkitError as exc:
            self.notify(str(exc), severity="error")
            return
        if path.is_dir():
            self.go(path)
        elif path.is_file():
            self._toggle(path)
        else:
            self.notify(f"{path} is not a folder or file here; check the path (a USB stick may be under /media)", severity="error")

    @on(Button.Pressed, ".picker-place")
    def go_place(self, event: Button.Pressed) -> None:
        self.go(Path(str(event.button.label)))

    def action_up(self) -> None:
        current = Path(self.query_one("#picker-tree", PhotoDirectoryTree).path)
        self.go(current.parent)

    @on(DirectoryTree.FileSelected)
    def toggle(self, event: DirectoryTree.FileSelected) -> None:
        self._toggle(event.path)

    def _toggle(self, path: Path) -> None:
        if path in self.chosen:
            self.chosen.remove(path)
        else:
            self.chosen.append(path)
        names = ", ".join(p.name for p in self.chosen)
        self.query_one("#picker-chosen", Label).update(plain(f"Marked {len(self.chosen)}: {names}" if self.chosen else "Nothing marked yet."))

    @on(Button.Pressed, "#picker-done")
    def action_done(self) -> None:
        self.dismiss(list(self.chosen))

    @on(Button.Pressed, "#picker-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class PhotoScreen(Screen[None]):
    """One photo, large, with its EXIF and hash beside it."""

    HELP = """\
## Photo

The photo as stored (turned upright for viewing; the stored original is never changed), with
what its EXIF says and the SHA-256 recorded when it was added, and its provenance: the C2PA
Content Credentials read when it was added. `c` reads them for a photo added before fieldkit did.
An "EXIF flag" row marks a capture time that cannot be real (kept as read, not used as the
capture time) or lies in the future.
Photos over 120 megapixels, or that would take over 512 MB to decode, are refused when added.
Opened from a marking, the crop the marking was read from is outlined. `e` sets or changes the
photo's caption on the item it was opened from: a photo on several items has a caption on each,
as `fieldkit photo edit SHA --caption TEXT --item REF` (open it from that item's Photos tab).
"""

    BINDINGS = [
        Binding("escape", "close", "Back", id="photo.back"),
        Binding("o", "ocr", "OCR", id="photo.ocr"),
        Binding("c", "credentials", "Credentials", id="photo.credentials",
                tooltip="Read the C2PA Content Credentials of a photo added before fieldkit read them"),
        Binding("e", "caption", "Caption", id="photo.caption", tooltip="Set or change this photo's caption on the item (audited)"),
    ]

    def __init__(self, photo: dict[str, Any], ref: str | None = None, crop: tuple[int, int, int, int] | None = None):
        super().__init__()
        self.photo = photo
        self.ref = ref  # the item it was opened from, if any: where an OCR reading is saved
        self.crop = crop  # a marking's crop, outlined on the photo (pixels of the upright original)

    def compose(self) -> ComposeResult:
        catalog = self.app.catalog
        yield Header()
        with Horizontal(id="photo-view"):
            try:
                large = photos_core.thumbnail(photos_core.stored_file(catalog, self.photo), LARGE_SIZE)
                if self.crop is not None:
                    large = outlined(large, self.photo, self.crop)
                yield Image(large, id="photo-large")
            except (FieldkitError, OSError) as exc:
                yield Label(f"The stored original cannot be shown: {exc}", id="photo-large", markup=False)
            with VerticalScroll(id="photo-facts"), Grid(id="photo-facts-grid"):
                from fieldkit.evidence import provenance

                items = photos_core.items_of_photo(catalog, self.photo["id"])
                facts = [*photo_facts(self.photo, items), *provenance.describe(provenance.of_photo(catalog, self.photo["id"]))]
                for label, value in facts:
                    yield Label(label, classes="fact-label")
                    yield Label(value, classes="fact-value", markup=False)
        yield FitFooter()

    def on_mount(self) -> None:
        self.sub_title = self.photo.get("original_name") or self.photo["sha256"][:16]
        if self.crop is not None:
            self.sub_title += f" · marking crop {','.join(map(str, self.crop))} outlined"

    def action_close(self) -> None:
        self.dismiss(None)

    def action_credentials(self) -> None:
        from fieldkit.evidence import provenance

        try:
            found = provenance.examine_photo(self.app.catalog, self.photo, photos_core.stored_file(self.app.catalog, self.photo))
        except (FieldkitError, OSError) as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(provenance.status_line(found))
        self.refresh(recompose=True)

    def action_ocr(self) -> None:
        from fieldkit.tui.screens.ocr import OcrScreen

        self.app.push_screen(OcrScreen(self.photo, self.ref))

    def action_caption(self) -> None:
        from fieldkit.tui.screens.confirm import PromptScreen

        items = photos_core.items_of_photo(self.app.catalog, self.photo["id"])
        ref = self.ref or (items[0] if len(items) == 1 else None)
        if ref is None:
            self.notify("This photo is on several items: open it from the item's Photos tab to caption it.", severity="error")
            return

        def save(caption: str | None) -> None:
            if caption is None:
                return
            try:
                link = photos_core.set_caption(self.app.catalog, self.photo["sha256"], caption, ref)
            except FieldkitError as exc:
                self.notify(f"Not saved: {exc}", severity="error")
                return
            self.photo = {**self.photo, "caption": link["caption"]}
            facts = dict(photo_facts(self.photo, items))
            for label, value in zip(self.query(".fact-label"), self.query(".fact-value")):
                if str(label.render()) == "Caption":
                    value.update(facts["Caption"])
            self.notify(f"Caption of this photo on {ref}: {link['caption'] or '(none)'}")
            for screen in self.app.screen_stack:
                for pane in screen.query(PhotosPane):
                    pane.load()

        self.app.push_screen(PromptScreen(f"Caption of this photo on {ref} (empty clears it):",
                                          self.photo.get("caption") or "", "e.g. stencil on motor section"), save)
