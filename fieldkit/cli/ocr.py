"""`fieldkit ocr`: read a marking from an image file, or from a stored photo and save it as a marking."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fieldkit.cli import base
from fieldkit.cli.base import UserPath, echo, fail, pass_state, print_json

from fieldkit.ocr import DEFAULT_LANGUAGES  # the package module only: the engine loads when OCR runs


def parse_ring(text: str) -> tuple[float, float, float, float, float]:
    """CX,CY,INNER,OUTER[,START]: the ring's centre and radii in pixels, and where to cut it (degrees
    clockwise from 3 o'clock; default 90, 6 o'clock)."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) not in (4, 5) or any(v != v or abs(v) > 1e6 for v in values):
        fail(f"--ring {text!r} is not CX,CY,INNER,OUTER[,START] in pixels (e.g. 410,380,120,190)")
    if len(values) == 4:
        values.append(90.0)
    cx, cy, inner, outer, start = values
    if cx < 0 or cy < 0 or not 0 <= inner < outer:
        fail(f"--ring {text!r}: the centre must be in the photo and 0 <= INNER < OUTER")
    return cx, cy, inner, outer, start


def _echo_result(reading) -> None:
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
    if engine["name"] == "tesseract":
        echo(f"engine: tesseract {engine['version']} · {engine['languages']} · psm {engine['psm']}"
                   f" · pipeline {engine['pipeline']} · crop {crop}")
    else:
        echo(f"engine: {engine['name']} {engine['version']} · crop {crop}")
    if reading.readings and not engine.get("detection"):
        echo("engines:")
        for r in reading.readings:
            echo(f"  {r.engine} ({r.detail}): {r.text!r}  confidence {r.confidence:g} -> calibrated {r.calibrated:.2f}")
    echo(f"choice: {engine.get('choice')}")
    missing = (engine.get("ppocr") or {}).get("missing")
    if missing:
        echo(f"note: PP-OCR not used: {missing}")
    hangul = (engine.get("hangul_script") or {}).get("missing")
    if hangul:
        echo(f"note: {hangul}")
    if result.candidates:
        tried = "; ".join(f"{c.languages or 'tesseract'} {c.pipeline}{f'/psm {c.psm}' if c.psm else ''}: {c.text!r} ({c.confidence:.1f})"
                          for c in result.candidates)
        echo(f"also tried: {tried}")


@click.command("ocr")
@click.argument("files", metavar="[FILE]...", nargs=-1, type=UserPath(path_type=Path, dir_okay=True))
@click.option("--photo", "photo_sha", metavar="SHA256", help="Read a stored photo, given by (the start of) its SHA-256.")
@click.option("--item", "item_ref", metavar="REF", help="The item the stored photo shows (needed with --save).")
@click.option("--lang", "languages", default=DEFAULT_LANGUAGES, show_default=True,
              help="Tesseract languages joined by '+', e.g. eng+kor+rus.")
@click.option("--crop", "crop_texts", metavar="X,Y,W,H", multiple=True,
              help="Read only this box of the image, in pixels of the upright photo. Repeat it: with one FILE, "
                   "each box of that file; with several, one box per FILE in order.")
@click.option("--ring", "ring_text", metavar="CX,CY,R1,R2[,START]",
              help="Read the ring between radii R1 and R2 around CX,CY unrolled into a strip (a headstamp).")
@click.option("--engine", "engine_name", type=click.Choice(["auto", "tesseract", "ppocr"]), default="auto", show_default=True,
              help="auto: tesseract and PP-OCR, the reading chosen on evidence; or one engine alone.")
@click.option("--psm", type=click.IntRange(3, 13), help="Tesseract page segmentation mode (default: 7 for a crop, else 6 and 11).")
@click.option("--save", is_flag=True, help="Store the reading as an OCR marking of --item (needs --photo).")
@click.option("--text", "text", help="With --save: the marking's text as you read it (default: the corrected OCR text).")
@click.option("--position", help="With --save: where on the item the marking is.")
@click.option("--json", "as_json", is_flag=True, help="Print the reading (and the stored marking) as JSON.")
@pass_state
def ocr(state, files: tuple[Path, ...], photo_sha: str | None, item_ref: str | None, languages: str,
        crop_texts: tuple[str, ...], ring_text: str | None, engine_name: str, psm: int | None, save: bool,
        text: str | None, position: str | None, as_json: bool) -> None:
    """Read a marking from an image FILE, or from a stored photo (--photo) and --save it as a marking.

    Prints the text as read, its confidence, each line with its words' confidences, the corrected
    text with the basis of each correction, each engine's reading and the basis of the choice.
    Without --crop, a photo's text lines are detected first and each is read. With --save the
    text as read and the corrected (or --text) text are both stored, with the crop, confidence
    and settings. Several FILEs, or several --crop boxes, are read in one run (the engines load
    once), each reading under a "== FILE crop ==" header (with --json: a list, one object each).
    """
    if bool(files) == (photo_sha is not None):
        fail("give either an image FILE (or several) or --photo SHA256 (a stored photo)")
    if save and (photo_sha is None or item_ref is None):
        fail("--save needs --photo SHA256 and --item REF, so the marking is traceable to a stored photo")
    if (text is not None or position is not None) and not save:
        fail("--text and --position are for --save")
    if crop_texts and ring_text is not None:
        fail("give either --crop or --ring, not both")
    state.user_reference_dir()  # a --reference folder that is not there is refused before anything is read
    for file in files:  # every file before any is read: a batch does not stop half-way for a typo
        if not file.exists():
            fail(f"{file}: no such file")
    inputs = list(files) or [None]
    if len(inputs) > 1 and len(crop_texts) > 1 and len(crop_texts) != len(inputs):
        fail(f"{len(inputs)} FILEs and {len(crop_texts)} --crop boxes: give one --crop per FILE, in order,"
             " or several --crop boxes of one FILE")
    if len(inputs) > 1 and len(crop_texts) == 1:
        fail("one --crop for several FILEs: give one --crop per FILE, in order")
    if ring_text is not None and len(inputs) > 1:
        fail("--ring reads one FILE; give one FILE per run with --ring")
    if save and len(crop_texts) > 1:
        fail("--save stores one reading: give one --crop")
    one_image = len(files) == 1 and len(crop_texts) <= 1  # a batch reads here: engines load once, lines print as read
    if photo_sha is None and one_image and _served(files, crop_texts, languages, ring_text, engine_name, psm, as_json):
        return
    from fieldkit.ocr import engine, ppocr

    # the engines start loading now, in threads, while the rest of the reading is imported (issue 17.7)
    if engine_name != "ppocr" and crop_texts and psm in (None, 7):
        engine.preload(languages)  # tesseract's models for a cropped line
    if engine_name != "tesseract":
        ppocr.warm()
    from fieldkit.ocr.engine import parse_crop
    from fieldkit.ocr.reading import read

    if photo_sha is None:  # image files only: no catalog to close; the engines need no tear-down
        base.END_AT_ONCE = True
    crops = [parse_crop(c) for c in crop_texts] or [None]
    ring = parse_ring(ring_text) if ring_text is not None else None
    jobs = list(zip(inputs, crops)) if len(inputs) > 1 and len(crops) > 1 else [(f, c) for f in inputs for c in crops]

    photo = None
    if photo_sha is not None:  # the catalog and the evidence store load only for a stored photo
        from fieldkit.ocr import photos as ocr_photos

        catalog = state.catalog(read_only=not save)
        if item_ref is not None:
            photo = ocr_photos.photo_of_item(catalog, item_ref, photo_sha)
        else:
            from fieldkit.evidence.photos import get_photo

            photo = get_photo(catalog, photo_sha)
        stored_source = ocr_photos.open_stored(catalog, photo)
    if len(jobs) > 1:
        _read_many(jobs, stored_source if photo is not None else None, photo, languages, psm, engine_name, as_json)
        return
    source = stored_source if photo is not None else files[0]
    reading = read(source, languages=languages, crop=crops[0], psm=psm, engine=engine_name, ring=ring)

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
        from fieldkit.cli.markings import _echo_reading

        echo(stored["id"])
    _echo_result(reading)
    if stored is not None:
        echo(f"saved marking {stored['id']} of {stored['item_ref']}: {stored['text']!r} (as read: {stored['ocr_text']!r})")
        _echo_reading(stored["readings"])


def _served(files, crop_texts, languages: str, ring_text: str | None, engine_name: str, psm: int | None,
            as_json: bool) -> bool:
    """Whether the OCR engine process the user started (`fieldkit ocr-engine start`) read the image
    file (one image, one box or none: a batch is read in this process, which loads the engines once
    anyway and prints each reading as it is made, and is never read twice when it outlasts the wait
    for an answer): its output, the same as this command's own, is printed and the command ends with its exit
    code. False when there is none, or it differs or fails (fieldkit.ocr.resident says why on stderr):
    the files are then read in this process. Nothing here imports an engine."""
    from fieldkit.ocr import resident

    served = resident.read(files=[str(f) for f in files], crops=list(crop_texts), languages=languages, ring=ring_text,
                           engine=engine_name, psm=psm, as_json=as_json)
    if served is None:
        return False
    code, out, err = served
    base.END_AT_ONCE = True  # nothing loaded here to tear down
    click.echo(out, nl=False)  # already escaped by the command that wrote it
    click.echo(err, nl=False, err=True)
    if code:
        sys.exit(code)
    return True


def _read_many(jobs, stored_source, photo, languages: str, psm: int | None, engine_name: str, as_json: bool) -> None:
    """Read each (file, crop) in this one process; a file read for several boxes is decoded once."""
    from fieldkit.ocr.engine import open_image
    from fieldkit.ocr.reading import read

    images: dict = {}
    out = []
    for file, crop in jobs:
        if stored_source is not None:
            key, name = "stored", photo["sha256"]
        else:
            key, name = file, str(file)
        if key not in images:
            images.clear()  # one decoded photo kept at a time: a batch of large photos stays small
            images[key] = stored_source if stored_source is not None else open_image(file)  # a stored photo is open
        reading = read(images[key], languages=languages, crop=crop, psm=psm, engine=engine_name)
        where = ",".join(str(v) for v in crop) if crop else "whole image"
        if as_json:
            label = {"photo_sha256": name} if photo is not None else {"file": name}
            out.append({**label, **reading.to_json()})
            continue
        echo(f"== {name} crop {where} ==")
        _echo_result(reading)
    if as_json:
        print_json(out)
