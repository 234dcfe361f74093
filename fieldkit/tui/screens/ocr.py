"""OCR in the TUI: read a marking from a crop of one stored photo and save it as a marking
(:class:`OcrScreen`), or read every photo of an item, or a folder of images, at once
(:class:`BatchOcrScreen`).

The crop is chosen from the keyboard (arrows move it, shift+arrows resize it, in steps that scale
with the photo) or typed as "X,Y,W,H"; both stay in sync. It is drawn into the display copy of the
photo (outside dimmed, a frame around it), and the crop itself is shown enlarged beside it: plain
pixels, so it renders the same under every textual-image renderer. The stored original is only read.

OCR runs in a thread worker that reports progress at most every 250 ms and can be cancelled
(escape). What it read is shown word by word with its confidence (doubtful words in the theme's
warning and error colours), with the corrections and their basis and the other readings tried;
the corrected text is put in an editor, and ctrl+s stores both texts through the same core
function as `fieldkit ocr --save`.
"""

from __future__ import annotations

import threading
from typing import Any

from PIL import Image as PILImage
from PIL import ImageDraw, ImageEnhance
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Label, ProgressBar, Static, TextArea
from textual_image.widget import Image

from fieldkit.errors import FieldkitError
from fieldkit.evidence import photos as photos_core
from fieldkit.evidence.ingest_outcome import add_one_by_one, not_added_lines, outcome, stopped_part_way, with_error
from fieldkit.ocr import photos as ocr_photos
from fieldkit.ocr import preprocess
from fieldkit.ocr.engine import DEFAULT_LANGUAGES, OcrCancelled, check_available, parse_crop, validate_crop
from fieldkit.tui.screens.confirm import confirm_discard
from fieldkit.tui.progress import throttled
from fieldkit.tui.safe_text import plain, visible
from fieldkit.wording import plural
from fieldkit.tui.widgets.footer import FitFooter

PREVIEW_SIZE = (800, 800)  # the display copy of the photo, in pixels
CROP_PREVIEW_SIZE = (480, 200)
DOUBTFUL = 80  # words under this confidence are shown in the warning colour; under LOW_CONFIDENCE, error
FRAME_COLOUR = (255, 0, 200)


def crop_step(size: tuple[int, int]) -> int:
    """How far one key press moves or resizes the crop: about 2% of the photo's longer side."""
    return max(1, round(max(size) / 50))


def default_crop(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The crop a first arrow key starts from: the middle half of the width, a quarter of the height."""
    w, h = max(1, size[0] // 2), max(1, size[1] // 4)
    return ((size[0] - w) // 2, (size[1] - h) // 2, w, h)


def moved(crop: tuple[int, int, int, int], dx: int, dy: int, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The crop moved by (dx, dy), kept inside the photo."""
    x, y, w, h = crop
    return (min(max(0, x + dx), size[0] - w), min(max(0, y + dy), size[1] - h), w, h)


def resized(crop: tuple[int, int, int, int], dw: int, dh: int, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The crop made wider/taller (or narrower/shorter) from its top-left corner, kept inside the photo."""
    x, y, w, h = crop
    return (x, y, min(max(1, w + dw), size[0] - x), min(max(1, h + dh), size[1] - y))


ENGINE_CYCLE = ("auto", "tesseract", "ppocr")
TILT_STEP = 5  # degrees per press of [ or ]
RING_INNER = 0.55  # the ring's inner radius as a share of its outer one, to start with


def ring_of(crop: tuple[int, int, int, int], inner_share: float, start: float) -> tuple[float, float, float, float, float]:
    """The ring a crop box stands for in ring shape: centred in the box, the outer circle touching
    its shorter sides, the inner one ``inner_share`` of it; cut at ``start`` degrees."""
    x, y, w, h = crop
    outer = min(w, h) / 2
    return (x + w / 2, y + h / 2, outer * inner_share, outer, start)


def crop_text(crop: tuple[int, int, int, int] | None) -> str:
    return "" if crop is None else ",".join(str(v) for v in crop)


def framed_preview(display: PILImage.Image, scale: float, crop: tuple[int, int, int, int] | None) -> PILImage.Image:
    """The display copy with the crop shown: outside dimmed, a frame around the crop."""
    if crop is None:
        return display
    x, y, w, h = crop
    box = (int(x * scale), int(y * scale), max(int(x * scale) + 1, int((x + w) * scale)), max(int(y * scale) + 1, int((y + h) * scale)))
    out = ImageEnhance.Brightness(display).enhance(0.4)
    out.paste(display.crop(box), box[:2])
    line = max(2, max(display.size) // 100)
    ImageDraw.Draw(out).rectangle(
        (box[0] - line, box[1] - line, box[2] + line - 1, box[3] + line - 1), outline=FRAME_COLOUR, width=line
    )
    return out


def word_markup(reading: ocr_photos.Reading) -> str:
    """Each line of the reading, word by word with its confidence; doubtful words in warning/error colours."""
    lines = []
    for line in reading.result.lines:
        parts = []
        for word in line.words:
            shown = f"{escape(word.text)} ({word.confidence:.0f})"
            if word.confidence < ocr_photos.LOW_CONFIDENCE:
                shown = f"[$error][b]{shown}[/b][/]"
            elif word.confidence < DOUBTFUL:
                shown = f"[$warning]{shown}[/]"
            parts.append(shown)
        lines.append(" · ".join(parts))
    return "\n".join(lines) if lines else "[$warning]nothing was read: try another crop[/]"


def corrections_markup(reading: ocr_photos.Reading) -> str:
    if not reading.corrections:
        return "[dim]no corrections: the text is as read[/dim]"
    out = []
    for c in reading.corrections:
        out.append(f"{escape(repr(c.before))} → {escape(repr(c.after))}  [dim]{escape(c.basis)}[/dim]")
    return "\n".join(out)


def candidates_markup(reading: ocr_photos.Reading) -> str:
    """The chosen reading and every other one tried: pipeline, psm, languages, mean confidence."""
    engine = reading.result.engine
    chosen = "/".join(filter(None, [engine["name"], engine.get("pipeline"), f"psm {engine['psm']}" if engine.get("psm") else "",
                                    engine.get("languages")]))
    rows = [f"{escape(chosen)}  {reading.result.confidence:.1f}  {escape(repr(reading.result.text))}  [b]chosen[/b]"]
    if engine.get("choice"):
        rows.append(f"[dim]{escape(engine['choice'])}[/dim]")
    if not engine.get("detection"):
        for r in reading.readings:  # each engine's reading, with its calibrated confidence
            rows.append(f"{escape(r.engine)} ({escape(r.detail)})  {escape(repr(r.text))}  raw {r.confidence:g}"
                        f" → calibrated {r.calibrated:.2f}")
    missing = (engine.get("ppocr") or {}).get("missing")
    if missing:
        rows.append(f"[$warning]PP-OCR not used: {escape(missing)}[/]")
    for c in reading.result.candidates:
        note = f"  [$error]{escape(visible(c.error))}[/]" if c.error else ""
        if not c.in_choice and not c.error:
            note = "  [dim]not in the choice (see the script basis above)[/dim]"
        tried = "/".join(filter(None, [c.pipeline, f"psm {c.psm}" if c.psm else "", c.languages]))
        rows.append(f"{escape(tried)}  {c.confidence:.1f}  {escape(repr(c.text))}{note}")
    return "\n".join(rows)


def refresh_markings(app, item_ref: str) -> None:
    """Reload the Markings tab of `item_ref` wherever it is open (on screens below this one)."""
    from fieldkit.tui.widgets.markings import MarkingsPane

    for screen in app.screen_stack:
        for pane in screen.query(MarkingsPane):
            if pane.item_ref == item_ref:
                pane.reload()


class CropArea(Vertical, can_focus=True):
    """The photo with the crop drawn on it; focused, the arrow keys move and resize the crop."""

    BINDINGS = [
        Binding("left", "move(-1, 0)", "Move crop", show=False, id="ocr.crop.left"),
        Binding("right", "move(1, 0)", "Move crop", show=False, id="ocr.crop.right"),
        Binding("up", "move(0, -1)", "Move crop", show=False, id="ocr.crop.up"),
        Binding("down", "move(0, 1)", "Move crop", show=False, id="ocr.crop.down"),
        Binding("shift+left", "resize(-1, 0)", "Narrower", show=False, id="ocr.crop.narrower"),
        Binding("shift+right", "resize(1, 0)", "Wider", show=False, id="ocr.crop.wider"),
        Binding("shift+up", "resize(0, -1)", "Shorter", show=False, id="ocr.crop.shorter"),
        Binding("shift+down", "resize(0, 1)", "Taller", show=False, id="ocr.crop.taller"),
        Binding("t", "turn(90)", "Turn 90°", id="ocr.crop.turn"),
        Binding("[", f"turn({TILT_STEP})", "Tilt", id="ocr.crop.tilt_left"),
        Binding("]", f"turn(-{TILT_STEP})", "Tilt", show=False, id="ocr.crop.tilt_right"),
        Binding("o", "ring", "Ring shape", id="ocr.crop.ring"),
        Binding("plus,equals_sign", "inner(0.05)", "Ring inner +", show=False, id="ocr.crop.inner_more"),
        Binding("minus", "inner(-0.05)", "Ring inner -", show=False, id="ocr.crop.inner_less"),
        Binding("n", "line(1)", "Next line", id="ocr.crop.next_line"),
        Binding("p", "line(-1)", "Prev line", show=False, id="ocr.crop.previous_line"),
    ]

    def action_turn(self, degrees: int) -> None:
        self.screen.turn_crop(degrees)

    def action_ring(self) -> None:
        self.screen.toggle_ring()

    def action_inner(self, change: float) -> None:
        self.screen.change_inner(change)

    def action_line(self, step: int) -> None:
        self.screen.take_detected_line(step)

    def action_move(self, dx: int, dy: int) -> None:
        self.screen.nudge_crop(dx, dy, resize=False)

    def action_resize(self, dw: int, dh: int) -> None:
        self.screen.nudge_crop(dw, dh, resize=True)


class OcrScreen(Screen[None]):
    """Read a marking from (a crop of) one stored photo, correct it and save it as a marking."""

    HELP = """\
## OCR a marking

Choose the part of the photo that shows the marking: with the photo focused, the arrow keys move
the crop and shift+arrows resize it; or type `X,Y,W,H` in pixels (empty: the whole photo).
`w` goes back to the whole photo.

`t` turns the crop by 90°, `[` and `]` tilt it by 5° (for lines at an angle); `o` makes the crop
a ring (text around a circle, such as a headstamp: the circle in the crop box, unrolled into a
strip; `+` and `-` move its inner edge, `[` `]` and `t` where it is cut). The enlarged crop shows
what will be read.

`enter` or `r` reads it with both engines (tesseract and PP-OCR, the reading chosen on evidence;
`e` switches to one engine alone); `escape` cancels a reading, or goes back. Without a crop, the
text lines of the whole photo are detected and read: `n` and `p` then take each detected line
as the crop, to read and save on its own. Each word is shown with its confidence (calibrated:
the share of lines read right at that confidence): yellow under 80, red under 60. The corrected text (each correction with its
basis) goes in the editor: change it to what you read on the item, then `ctrl+s` saves a marking
with both the text as read and your text, the crop, the photo and the engine settings.
"""

    BINDINGS = [
        Binding("enter,r", "run", "Read", id="ocr.run"),
        Binding("w", "whole", "Whole photo", id="ocr.whole"),
        Binding("e", "engine", "Engine", id="ocr.engine"),
        Binding("ctrl+s", "save", "Save marking", id="ocr.save"),
        Binding("escape", "cancel_or_close", "Cancel / back", id="ocr.back"),
    ]

    class Loaded(Message):
        """The stored original, upright, and its display copy (or the reason it cannot be shown)."""

        def __init__(self, image: PILImage.Image | None, display: PILImage.Image | None, error: str | None, unavailable: str | None):
            super().__init__()
            self.image, self.display, self.error, self.unavailable = image, display, error, unavailable

    class Progress(Message):
        def __init__(self, done: int, total: int):
            super().__init__()
            self.done, self.total = done, total

    class Finished(Message):
        """A reading finished: the reading, or cancelled, or a one-line error."""

        def __init__(self, reading: ocr_photos.Reading | None, cancelled: bool = False, error: str | None = None):
            super().__init__()
            self.reading, self.cancelled, self.error = reading, cancelled, error

    def __init__(self, photo: dict[str, Any], ref: str | None = None, *, languages: str = DEFAULT_LANGUAGES):
        super().__init__()
        self.photo = photo
        self.ref = ref
        self.languages = languages
        self.image: PILImage.Image | None = None  # the upright original
        self.display_image: PILImage.Image | None = None
        self.scale = 1.0
        self.crop: tuple[int, int, int, int] | None = None
        self.reading: ocr_photos.Reading | None = None
        self.saved_id: str | None = None
        self.unavailable: str | None = None
        self.cancel = threading.Event()
        self.running = False
        self.engine = "auto"
        self.turn = 0  # degrees counter-clockwise the crop is turned before it is read
        self.ring = False  # the crop box stands for a ring (unrolled before it is read)
        self.inner = RING_INNER
        self.detected: list[tuple[tuple[int, int, int, int], str]] = []  # lines of a whole-photo reading
        self.detected_index = -1

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="ocr-top"):
            with CropArea(id="ocr-crop-area"):
                yield Image(None, id="ocr-preview")
                yield Label("Loading the photo…", id="ocr-photo-note")
            with Vertical(id="ocr-side"):
                yield Label("Crop X,Y,W,H px (empty: whole photo)", classes="ocr-caption")
                yield Input(placeholder="whole photo", id="ocr-crop", compact=True)
                yield Label("", id="ocr-crop-error")
                yield Image(None, id="ocr-crop-preview")
                yield Static("enter reads the crop", id="ocr-status")
                yield ProgressBar(id="ocr-progress", show_eta=False)
        with Horizontal(id="ocr-bottom"):
            with VerticalScroll(id="ocr-result"):
                yield Label("Words and confidence", classes="ocr-caption")
                yield Static("", id="ocr-words")
                yield Label("Corrections", classes="ocr-caption")
                yield Static("", id="ocr-corrections")
                yield Label("Readings tried", classes="ocr-caption")
                yield Static("", id="ocr-candidates")
            with Vertical(id="ocr-edit"):
                yield Label("Marking text: corrected; edit it to what you read", classes="ocr-caption")
                yield TextArea("", id="ocr-text")
                yield Input(placeholder="where on the item (optional)", id="ocr-position", compact=True)
        yield FitFooter()

    def on_mount(self) -> None:
        self.sub_title = f"OCR · {self.photo.get('original_name') or self.photo['sha256'][:16]}"
        self.query_one("#ocr-progress").display = False
        self.query_one("#ocr-crop-area").focus()
        self.load()

    def on_unmount(self) -> None:
        self.cancel.set()

    # loading -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="ocr-load")
    def load(self) -> None:
        unavailable = None
        try:
            check_available(self.languages)
        except FieldkitError as exc:
            unavailable = str(exc)
        try:
            image = ocr_photos.open_stored(self.app.catalog, self.photo)
        except (FieldkitError, OSError) as exc:
            self.post_message(self.Loaded(None, None, str(exc), unavailable))
            return
        display = image.convert("RGB")
        display.thumbnail(PREVIEW_SIZE)
        self.post_message(self.Loaded(image, display, None, unavailable))

    @on(Loaded)
    def show_photo(self, message: Loaded) -> None:
        note = self.query_one("#ocr-photo-note", Label)
        self.unavailable = message.unavailable
        if message.unavailable:
            self.set_status(f"[$error]OCR is not available: {escape(message.unavailable)}[/]")
        if message.image is None:
            note.update(plain(f"The stored original cannot be read: {message.error}"))
            return
        self.image, self.display_image = message.image, message.display
        self.scale = message.display.width / message.image.width
        w, h = message.image.size
        note.update(f"{w} × {h} px · arrows move, shift+arrows resize ({crop_step(message.image.size)} px)")
        self.show_crop()

    # the crop ----------------------------------------------------------------

    def set_crop(self, crop: tuple[int, int, int, int] | None, *, from_input: bool = False) -> None:
        self.crop = crop
        if not from_input:
            field = self.query_one("#ocr-crop", Input)
            if field.value != crop_text(crop):
                field.value = crop_text(crop)
        self.query_one("#ocr-crop-error", Label).update("")
        if self.reading is not None and self.reading.result.engine.get("crop") != (list(crop) if crop else None):
            self.set_status("The crop changed since this reading: enter reads it again.")
        self.show_crop()

    def show_crop(self) -> None:
        if self.image is None or self.display_image is None:
            return
        self.query_one("#ocr-preview", Image).image = framed_preview(self.display_image, self.scale, self.crop)
        piece = self.what_is_read()
        if piece is not None:
            piece = piece.convert("RGB")
            piece.thumbnail(CROP_PREVIEW_SIZE)
        self.query_one("#ocr-crop-preview", Image).image = piece

    def what_is_read(self) -> PILImage.Image | None:
        """The crop as it will be read: turned, or its ring unrolled."""
        if self.image is None or self.crop is None:
            return None
        if self.ring:
            cx, cy, inner, outer, start = ring_of(self.crop, self.inner, -self.turn)
            return preprocess.unroll_ring(self.image, (cx, cy), inner, outer, start)
        x, y, w, h = self.crop
        return preprocess.turn(self.image.crop((x, y, x + w, y + h)), self.turn)

    def shape_note(self) -> str:
        parts = [f"engine {self.engine}"]
        if self.ring:
            parts.append(f"ring, inner {self.inner:.0%}, cut at {-self.turn % 360}°")
        elif self.turn % 360:
            parts.append(f"turned {self.turn % 360}°")
        return " · ".join(parts)

    def turn_crop(self, degrees: int) -> None:
        self.turn = (self.turn + degrees) % 360
        self.set_status(f"{self.shape_note()}: enter reads it")
        self.show_crop()

    def toggle_ring(self) -> None:
        if self.crop is None and self.image is not None:
            self.set_crop(default_crop(self.image.size))
        self.ring = not self.ring
        self.set_status(f"{self.shape_note()}: enter reads it")
        self.show_crop()

    def change_inner(self, change: float) -> None:
        if self.ring:
            self.inner = min(0.95, max(0.0, round(self.inner + change, 2)))
            self.set_status(f"{self.shape_note()}: enter reads it")
            self.show_crop()

    def take_detected_line(self, step: int) -> None:
        """Make the next (or previous) line found in the whole photo the crop."""
        if not self.detected:
            self.notify("Read the whole photo first (w, then enter): its text lines are offered here.", severity="warning")
            return
        self.detected_index = (self.detected_index + step) % len(self.detected)
        box, text = self.detected[self.detected_index]
        self.ring, self.turn = False, 0
        self.set_crop(box)
        self.set_status(f"Detected line {self.detected_index + 1} of {len(self.detected)}: {escape(repr(text))}"
                        " · enter reads it alone, ctrl+s saves the reading")

    def action_engine(self) -> None:
        self.engine = ENGINE_CYCLE[(ENGINE_CYCLE.index(self.engine) + 1) % len(ENGINE_CYCLE)]
        self.set_status(f"{self.shape_note()}: enter reads it")

    def nudge_crop(self, dx: int, dy: int, *, resize: bool) -> None:
        """Move (or resize) the crop by one step per unit; the first key press starts a crop."""
        if self.image is None:
            return
        size = self.image.size
        step = crop_step(size)
        crop = self.crop or default_crop(size)
        crop = resized(crop, dx * step, dy * step, size) if resize else moved(crop, dx * step, dy * step, size)
        self.set_crop(crop)

    def action_whole(self) -> None:
        self.set_crop(None)

    @on(Input.Changed, "#ocr-crop")
    def crop_typed(self, event: Input.Changed) -> None:
        if self.image is None or event.value == crop_text(self.crop):
            return
        if not event.value.strip():
            self.set_crop(None, from_input=True)
            return
        try:
            crop = parse_crop(event.value, self.image.size)
        except FieldkitError as exc:
            self.query_one("#ocr-crop-error", Label).update(plain(exc))
            return
        self.set_crop(crop, from_input=True)

    @on(Input.Submitted, "#ocr-crop")
    def crop_submitted(self) -> None:
        self.action_run()

    # reading -----------------------------------------------------------------

    def set_status(self, markup: str) -> None:
        self.query_one("#ocr-status", Static).update(markup)

    def action_run(self) -> None:
        if self.unavailable:
            self.set_status(f"[$error]OCR is not available: {escape(self.unavailable)}[/]")
            self.notify(self.unavailable, severity="error", timeout=10)
            return
        if self.image is None:
            self.notify("The photo is not loaded.", severity="warning")
            return
        if self.running:
            return
        if self.crop is not None:
            try:
                validate_crop(self.crop, self.image.size)
            except FieldkitError as exc:
                self.query_one("#ocr-crop-error", Label).update(plain(exc))
                return
        self.cancel = threading.Event()
        self.running = True
        bar = self.query_one("#ocr-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.set_status("Reading… escape cancels")
        how = {"engine": self.engine}
        if self.crop is not None and self.ring:
            how["ring"] = ring_of(self.crop, self.inner, -self.turn)
        elif self.crop is not None:
            how["crop"], how["rotate"] = self.crop, self.turn
        self.run_ocr(self.image, how, self.cancel)

    @work(thread=True, exclusive=True, group="ocr-run")
    def run_ocr(self, image: PILImage.Image, how: dict[str, Any], cancel: threading.Event) -> None:
        progress = throttled(lambda done, total: self.post_message(self.Progress(done, total)))

        try:
            reading = ocr_photos.read(image, languages=self.languages, cancel=cancel, progress=progress, **how)
        except OcrCancelled:
            self.post_message(self.Finished(None, cancelled=True))
        except FieldkitError as exc:
            self.post_message(self.Finished(None, error=str(exc)))
        else:
            self.post_message(self.Finished(reading))

    @on(Progress)
    def show_progress(self, message: Progress) -> None:
        self.query_one("#ocr-progress", ProgressBar).update(total=message.total, progress=message.done)

    @on(Finished)
    def show_finished(self, message: Finished) -> None:
        self.running = False
        self.query_one("#ocr-progress").display = False
        if message.cancelled:
            self.set_status("[$warning]cancelled[/]: enter reads again")
            return
        if message.error:
            self.set_status(f"[$error]{escape(visible(message.error))}[/]")
            self.notify(message.error, severity="error")
            return
        self.show_reading(message.reading)

    def show_reading(self, reading: ocr_photos.Reading) -> None:
        """Show a reading and put its corrected text in the editor (also used by the snapshot test)."""
        self.reading = reading
        self.saved_id = None
        result = reading.result
        engine = result.engine
        where = crop_text(tuple(engine["crop"])) if engine.get("crop") else "whole photo"
        if engine.get("ring"):
            where += " (ring)"
        elif engine.get("rotation"):
            where += f" turned {engine['rotation']:g}°"
        self.set_status(f"Read with confidence [b]{result.confidence:.1f}[/b] · {escape(engine['name'])} · crop {where}")
        detection = engine.get("detection")
        if detection:
            self.detected = [(tuple(line.box), line.text) for line in result.lines]  # type: ignore[misc]
            self.detected_index = -1
            self.set_status(f"{len(self.detected)} text lines read of {detection['found']} detected, confidence"
                            f" [b]{result.confidence:.1f}[/b] · n and p take each line as the crop")
        self.query_one("#ocr-words", Static).update(word_markup(reading))
        self.query_one("#ocr-corrections", Static).update(corrections_markup(reading))
        self.query_one("#ocr-candidates", Static).update(candidates_markup(reading))
        self.query_one("#ocr-text", TextArea).text = reading.corrected

    def unsaved(self) -> list[str]:
        """A correction of the reading (or a position) typed but not saved as a marking."""
        if self.reading is None or self.saved_id is not None:
            return []
        corrected = self.query_one("#ocr-text", TextArea).text != self.reading.corrected
        if corrected or self.query_one("#ocr-position", Input).value.strip():
            return ["the corrected reading, not saved as a marking (ctrl+s saves it)"]
        return []

    def action_cancel_or_close(self) -> None:
        if self.running:
            self.cancel.set()
            self.set_status("Cancelling… (the reading under way finishes first)")
            return
        confirm_discard(self, self.unsaved(), lambda: self.dismiss(None))

    # saving ------------------------------------------------------------------

    def item_ref(self) -> str | None:
        if self.ref is not None:
            return self.ref
        refs = photos_core.items_of_photo(self.app.catalog, self.photo["id"])
        return refs[0] if len(refs) == 1 else None

    def action_save(self) -> None:
        if self.reading is None:
            self.notify("Read the photo first (enter).", severity="warning")
            return
        if self.saved_id is not None:
            self.notify(f"This reading is already saved as marking {self.saved_id[:8]}; edit it in the Markings tab.", severity="warning")
            return
        ref = self.item_ref()
        if ref is None:
            self.notify("This photo belongs to several items: open it from the item's Photos tab to save.", severity="error")
            return
        text = self.query_one("#ocr-text", TextArea).text
        position = self.query_one("#ocr-position", Input).value or None
        try:
            stored = ocr_photos.save_reading(self.app.catalog, ref, self.photo, self.reading, text=text, position=position)
        except FieldkitError as exc:
            self.notify(f"Not saved: {exc}", severity="error")
            return
        self.saved_id = stored["id"]
        refresh_markings(self.app, ref)
        self.set_status(f"Saved as marking {stored['id'][:8]} of {escape(ref)}: {escape(repr(stored['text']))}")
        self.notify(f"Marking {stored['text']!r} saved to {ref}")


WAITING = "waiting to be read…"


class BatchOcrScreen(Screen[None]):
    """OCR every photo of an item, or a folder of images ingested as its photos; save the readings."""

    HELP = """\
## OCR of many photos

Reads each whole photo of the item (or, with a folder typed, first adds the folder's images as
photos of the item, so every marking stays traceable to a stored original): the text lines of
each photo are found first (PP-OCR's detector, on a copy about 1000 px across, so a camera-size
photo takes seconds) and each line is read. `escape` cancels, or
goes back. If a folder's photos stop being added part-way (`escape`, or an error),
nothing is read: the outcome says how many were added and names each photo not added, with why. In the list, `space` selects a reading; `ctrl+s` saves the selected ones as markings,
`ctrl+a` saves all. A reading is saved with its corrected text and the text as read.
"""

    BINDINGS = [
        Binding("space", "toggle", "Select", id="ocr-batch.toggle"),
        Binding("ctrl+s", "save_selected", "Save selected", id="ocr-batch.save"),
        Binding("ctrl+a", "save_all", "Save all", id="ocr-batch.save_all"),
        Binding("escape", "cancel_or_close", "Cancel / back", id="ocr-batch.back"),
    ]

    class Progress(Message):
        def __init__(self, done: int, total: int):
            super().__init__()
            self.done, self.total = done, total

    class Started(Message):
        """The photos about to be read, listed at once (each row fills in when its photo is read)."""

        def __init__(self, photos: list[dict]):
            super().__init__()
            self.photos = photos

    class EntryRead(Message):
        """One photo read (or not): shown in its row as soon as it is done."""

        def __init__(self, index: int, entry: ocr_photos.BatchEntry):
            super().__init__()
            self.index, self.entry = index, entry

    class Finished(Message):
        """The batch finished: an entry per photo; `ingest`, when a folder's photos were not all added,
        the outcome and a line per photo not added; `stopped`, the ingest stopped part-way (nothing
        read); or an error."""

        def __init__(self, entries: list[ocr_photos.BatchEntry], ingest: list[str], error: str | None = None,
                     stopped: bool = False):
            super().__init__()
            self.entries, self.ingest, self.error, self.stopped = entries, ingest, error, stopped

    def __init__(self, ref: str, *, start: bool = True, languages: str = DEFAULT_LANGUAGES):
        super().__init__()
        self.ref = ref
        self.start = start
        self.languages = languages
        self.entries: list[ocr_photos.BatchEntry] = []
        self.selected: set[int] = set()
        self.saved: dict[int, str] = {}
        self.cancel = threading.Event()
        self.running = False
        self.adding = False  # a folder's photos are being added (set by the worker)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="ocr-batch-bar"):
            yield Button("Read its photos", id="ocr-batch-item", variant="primary")
            yield Input(placeholder="…or a folder of images to add and read", id="ocr-batch-folder", compact=True)
            yield Button("Add and read folder", id="ocr-batch-folder-run")
        yield ProgressBar(id="ocr-batch-progress", show_eta=False)
        yield Static("", id="ocr-batch-status")
        yield DataTable(id="ocr-batch-table", cursor_type="row", zebra_stripes=True)
        yield FitFooter()

    def on_mount(self) -> None:
        self.sub_title = f"OCR of {self.ref}'s photos"
        self.query_one("#ocr-batch-progress").display = False
        table = self.query_one("#ocr-batch-table", DataTable)
        table.add_column("", key="sel", width=3)
        table.add_column("Photo", key="photo")
        table.add_column("Text (corrected)", key="text")
        table.add_column("Conf.", key="conf")
        table.add_column("As read, or why not", key="note")
        if self.start:
            self.start_batch(None)
        table.focus()

    def on_unmount(self) -> None:
        self.cancel.set()

    @on(Button.Pressed, "#ocr-batch-item")
    def read_item(self) -> None:
        self.start_batch(None)

    @on(Button.Pressed, "#ocr-batch-folder-run")
    @on(Input.Submitted, "#ocr-batch-folder")
    def read_folder(self) -> None:
        folder = self.query_one("#ocr-batch-folder", Input).value.strip()
        if not folder:
            self.notify("Type the path of a folder of images first.", severity="warning")
            return
        self.start_batch(folder)

    def start_batch(self, folder: str | None) -> None:
        if self.running:
            return
        self.running = True
        self.cancel = threading.Event()
        bar = self.query_one("#ocr-batch-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        what = f"the images in {folder}" if folder else f"the photos of {self.ref}"
        self.query_one("#ocr-batch-status", Static).update(f"Reading {escape(what)}… escape cancels")
        self.run_batch(folder, self.cancel)

    @work(thread=True, exclusive=True, group="ocr-batch")
    def run_batch(self, folder: str | None, cancel: threading.Event) -> None:
        catalog = self.app.catalog
        progress = throttled(lambda done, total: self.post_message(self.Progress(done, total)))

        ingest: list[str] = []
        try:
            check_available(self.languages)
            if folder:
                paths = ocr_photos.folder_images(folder)
                self.adding = True
                try:
                    results, error = add_one_by_one(catalog, self.ref, paths, cancel)
                finally:
                    self.adding = False
                headline, not_added = outcome(paths, results, error, cancel.is_set())
                if not_added:
                    ingest = [with_error(headline, error), *not_added_lines(paths, results)]
                if stopped_part_way(error, cancel.is_set(), not_added):  # nothing is read
                    self.post_message(self.Finished([], ingest, stopped=True))
                    return
                photos = [photos_core.get_photo(catalog, r.sha256) for r in results if r.ok]
            else:
                photos = photos_core.list_photos(catalog, self.ref)
            self.post_message(self.Started(photos))
            self.post_message(self.Progress(0, len(photos)))
            entries = ocr_photos.read_photos(
                catalog, photos, languages=self.languages, progress=progress, cancel=cancel,
                on_entry=lambda index, entry: self.post_message(self.EntryRead(index, entry)),
            )
        except FieldkitError as exc:
            self.post_message(self.Finished([], ingest, str(exc)))
            return
        except Exception as exc:  # a bug or a failing disk: said, not a traceback; the ingest's outcome kept
            self.post_message(self.Finished([], ingest, f"{str(exc) or type(exc).__name__}; run `fieldkit verify`"))
            return
        self.post_message(self.Finished(entries, ingest))

    @on(Progress)
    def show_progress(self, message: Progress) -> None:
        self.query_one("#ocr-batch-progress", ProgressBar).update(total=message.total, progress=message.done)

    @on(Started)
    def list_photos(self, message: Started) -> None:
        self.entries = [ocr_photos.BatchEntry(photo, error=WAITING) for photo in message.photos]
        self.selected, self.saved = set(), {}
        self.fill_table()

    @on(EntryRead)
    def show_entry(self, message: EntryRead) -> None:
        """A photo's reading in its row at once; it can be selected and saved while the rest are read."""
        if message.index >= len(self.entries):
            return
        self.entries[message.index] = message.entry
        table = self.query_one("#ocr-batch-table", DataTable)
        for key, value in zip(("sel", "photo", "text", "conf", "note"), self.row_cells(message.index)):
            table.update_cell(str(message.index), key, value)

    @on(Finished)
    def show_results(self, message: Finished) -> None:
        self.running = False
        self.query_one("#ocr-batch-progress").display = False
        status = self.query_one("#ocr-batch-status", Static)
        ingest = [f"[$error]{escape(visible(line))}[/]" for line in message.ingest]  # names as text, never markup
        if message.error:
            status.update("\n".join([f"[$error]{escape(visible(message.error))}[/]", *ingest]))
            self.notify(message.error, severity="error", timeout=10)
            return
        self.entries = message.entries  # the same photos in the same order: selections made meanwhile hold
        read = sum(e.ok for e in self.entries)
        cancelled = sum(e.error == "cancelled" for e in self.entries)
        lines = [] if message.stopped else [
            f"Read {read} of {plural(len(self.entries), 'photo')}" + (f" ({cancelled} cancelled)" if cancelled else "")
            + " · space selects, ctrl+s saves selected, ctrl+a saves all"]
        status.update("\n".join(lines + ingest))
        self.fill_table()
        self.query_one("#ocr-batch-table", DataTable).focus()

    def row_cells(self, index: int) -> tuple:
        entry = self.entries[index]
        if entry.reading is not None:
            text = entry.reading.corrected.replace("\n", " ⏎ ")
            conf = f"{entry.reading.result.confidence:.1f}"
            note = entry.error or entry.reading.result.text.replace("\n", " ⏎ ")
        else:
            text, conf, note = "", "—", entry.error or ""
        return self.mark(index), plain(entry.name), plain(text), conf, plain(note)

    def fill_table(self) -> None:
        table = self.query_one("#ocr-batch-table", DataTable)
        table.clear()
        for i in range(len(self.entries)):
            table.add_row(*self.row_cells(i), key=str(i))

    def mark(self, index: int) -> str:
        if index in self.saved:
            return "✓"
        return "[x]" if index in self.selected else "[ ]"

    def action_toggle(self) -> None:
        table = self.query_one("#ocr-batch-table", DataTable)
        if not self.entries or table.cursor_row is None or table.cursor_row >= len(self.entries):
            return
        index = table.cursor_row
        if index in self.saved:
            return
        if not self.entries[index].ok:
            self.notify("Nothing was read from this photo to save.", severity="warning")
            return
        self.selected ^= {index}
        table.update_cell(str(index), "sel", self.mark(index))

    def action_save_selected(self) -> None:
        if not self.selected:
            self.notify("Select readings with space first (or ctrl+a saves all).", severity="warning")
            return
        self.save(sorted(self.selected))

    def action_save_all(self) -> None:
        self.save([i for i, e in enumerate(self.entries) if e.ok])

    def save(self, indexes: list[int]) -> None:
        table = self.query_one("#ocr-batch-table", DataTable)
        saved, failed = 0, []
        for i in indexes:
            if i in self.saved or not self.entries[i].ok:
                continue
            entry = self.entries[i]
            try:
                stored = ocr_photos.save_reading(self.app.catalog, self.ref, entry.photo, entry.reading)
            except FieldkitError as exc:
                failed.append(f"{entry.name}: {exc}")
                continue
            self.saved[i] = stored["id"]
            self.selected.discard(i)
            table.update_cell(str(i), "sel", self.mark(i))
            saved += 1
        refresh_markings(self.app, self.ref)
        if failed:
            self.notify("Not saved: " + "; ".join(failed), severity="error")
        self.notify(f"Saved {plural(saved, 'marking')} to {self.ref}" if saved else "Nothing new to save.",
                    severity="information" if saved else "warning")

    def stop_before_quit(self) -> bool:
        """ctrl+q while a folder's photos are being added and no stop was asked for yet: stop and stay
        (True), so that the outcome -- which photos went in, which not -- is seen before quitting."""
        if not self.adding or self.cancel.is_set():
            return False
        self.action_cancel_or_close()
        return True

    def action_cancel_or_close(self) -> None:
        if self.running:
            self.cancel.set()
            self.query_one("#ocr-batch-status", Static).update("Cancelling… (the photo under way finishes first)")
            return
        self.dismiss(None)
