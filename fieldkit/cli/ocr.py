"""`fieldkit ocr`: read a marking from an image file, or from a stored photo and save it as a marking."""

from __future__ import annotations

from pathlib import Path

import click

from fieldkit.cli.base import echo, fail, pass_state, print_json
from fieldkit.cli.markings import _echo_reading
from fieldkit.ocr import photos as ocr_photos
from fieldkit.ocr.engine import DEFAULT_LANGUAGES, parse_crop


def _echo_result(reading: ocr_photos.Reading) -> None:
    result = reading.result
    echo(f"text: {result.text}")
    echo(f"confidence: {result.confidence:.1f}")
    if result.lines:
        echo("lines:")
        for i, line in enumerate(result.lines, 1):
            words = ", ".join(f"{w.text} {w.confidence:.0f}" for w in line.words)
            echo(f"  {i}. {line.text}  ({line.confidence:.1f})  words: {words}")
    else:
        echo("lines: none (nothing was read)")
    if reading.corrections:
        echo(f"corrected: {reading.corrected}")
        echo("corrections:")
        for c in reading.corrections:
            echo(f"  {c.start}-{c.end} {c.before!r} -> {c.after!r}  {c.basis}")
    else:
        echo("corrected: (no corrections)")
    engine = result.engine
    crop = ",".join(str(v) for v in engine["crop"]) if engine.get("crop") else "whole image"
    echo(
        f"engine: {engine['name']} {engine['version']} · {engine['languages']} · psm {engine['psm']}"
        f" · pipeline {engine['pipeline']} · crop {crop}"
    )
    if result.candidates:
        tried = "; ".join(f"{c.pipeline}/psm {c.psm}: {c.text!r} ({c.confidence:.1f})" for c in result.candidates)
        echo(f"also tried: {tried}")


@click.command("ocr")
@click.argument("file", metavar="[FILE]", required=False, type=click.Path(path_type=Path, dir_okay=True))
@click.option("--photo", "photo_sha", metavar="SHA256", help="Read a stored photo, given by (the start of) its SHA-256.")
@click.option("--item", "item_ref", metavar="REF", help="The item the stored photo shows (needed with --save).")
@click.option("--lang", "languages", default=DEFAULT_LANGUAGES, show_default=True,
              help="Tesseract languages joined by '+', e.g. eng+kor+rus.")
@click.option("--crop", "crop_text", metavar="X,Y,W,H", help="Read only this box of the image, in pixels of the upright photo.")
@click.option("--psm", type=click.IntRange(3, 13), help="Tesseract page segmentation mode (default: 7 for a crop, else 6 and 11).")
@click.option("--save", is_flag=True, help="Store the reading as an OCR marking of --item (needs --photo).")
@click.option("--text", "text", help="With --save: the marking's text as you read it (default: the corrected OCR text).")
@click.option("--position", help="With --save: where on the item the marking is.")
@click.option("--json", "as_json", is_flag=True, help="Print the reading (and the stored marking) as JSON.")
@pass_state
def ocr(state, file: Path | None, photo_sha: str | None, item_ref: str | None, languages: str, crop_text: str | None,
        psm: int | None, save: bool, text: str | None, position: str | None, as_json: bool) -> None:
    """Read a marking from an image FILE, or from a stored photo (--photo) and --save it as a marking.

    Prints the text as read, its confidence, each line with its words' confidences, the corrected
    text with the basis of each correction, and the engine settings. With --save the text as read
    and the corrected (or --text) text are both stored, with the crop, confidence and settings.
    """
    if (file is None) == (photo_sha is None):
        fail("give either an image FILE or --photo SHA256 (a stored photo)")
    if save and (photo_sha is None or item_ref is None):
        fail("--save needs --photo SHA256 and --item REF, so the marking is traceable to a stored photo")
    if (text is not None or position is not None) and not save:
        fail("--text and --position are for --save")
    crop = parse_crop(crop_text) if crop_text is not None else None

    photo = None
    if photo_sha is not None:
        catalog = state.catalog(read_only=not save)
        if item_ref is not None:
            photo = ocr_photos.photo_of_item(catalog, item_ref, photo_sha)
        else:
            from fieldkit.evidence.photos import get_photo

            photo = get_photo(catalog, photo_sha)
        source = ocr_photos.open_stored(catalog, photo)
    else:
        source = file
    reading = ocr_photos.read(source, languages=languages, crop=crop, psm=psm)

    stored = None
    if save:
        stored = ocr_photos.save_reading(state.catalog(), item_ref, photo, reading, text=text,
                                         position=position, tables=state.reference())
    if as_json:
        data = reading.to_json()
        if photo is not None:
            data["photo_sha256"] = photo["sha256"]
        if stored is not None:
            data["marking"] = stored
        print_json(data)
        return
    if stored is not None:
        echo(stored["id"])
    _echo_result(reading)
    if stored is not None:
        echo(f"saved marking {stored['id']} of {stored['item_ref']}: {stored['text']!r} (as read: {stored['ocr_text']!r})")
        _echo_reading(stored["readings"])
