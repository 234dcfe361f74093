"""`fieldkit match`, `fieldkit marking add | list | recheck` and `fieldkit reference check`."""

from __future__ import annotations

import click

from fieldkit.cli.base import echo, pass_state, print_json
from fieldkit.markings.matcher import match_lines, read_marking, reading_lines, withheld_json, withheld_lines
from fieldkit.reference.tables import check_lines, check_reference
from fieldkit.wording import plural


def _core():
    """The markings core (and with it the catalog and sqlite-utils), imported by the commands that
    use a catalog, so that `fieldkit match` does not load them."""
    from fieldkit.catalog import markings

    return markings


def _warn_overrides(tables) -> None:
    for line in tables.override_lines():
        echo(f"note: {line}", err=True)


def _echo_reading(reading: dict) -> None:
    for line in reading_lines(reading):
        echo(line)


@click.command("match")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the readings, and the words not offered and why, as JSON.")
@pass_state
def match(state, text: str, as_json: bool) -> None:
    """Read TEXT against the reference patterns: ranked candidates, fields, years and basis."""
    tables = state.reference()
    _warn_overrides(tables)
    reading = read_marking(text, tables).to_json()
    if as_json:
        print_json({**reading, "not_offered": withheld_json(text, tables)})
        return
    for line in match_lines(text, reading, withheld_lines(text, tables)):
        echo(line)


@click.group()
def marking() -> None:
    """Add, list, show, correct, delete and recheck the markings read from items."""


@marking.command("add")
@click.argument("item_ref", metavar="REF")
@click.argument("text")
@click.option("--position", help="Where on the item the marking is, e.g. 'rocket body, near the fins'.")
@pass_state
def marking_add(state, item_ref: str, text: str, position: str | None) -> None:
    """Store TEXT, typed as read, as a marking of item REF, with its readings; prints the marking id."""
    tables = state.reference()
    _warn_overrides(tables)
    stored = _core().add_marking(state.catalog(), item_ref, text, position=position, tables=tables)
    echo(stored["id"])
    candidates = stored["readings"]["candidates"]
    if candidates:
        echo(f"top reading: {candidates[0]['pattern_id']} (score {candidates[0]['score']})", err=True)


@marking.command("edit")
@click.argument("marking_id", metavar="ID")
@click.option("--text", help="The corrected text; it is read again against the current reference tables.")
@click.option("--position", help="Where on the item the marking is ('' clears it).")
@pass_state
def marking_edit(state, marking_id: str, text: str | None, position: str | None) -> None:
    """Correct the marking with id ID (or the first characters of it); the change is audited."""
    stored = _core().update_marking(state.catalog(create=False), marking_id, text=text, position=position,
                                          tables=state.reference())
    echo(f"{stored['id'][:8]}  {stored['text']!r}")


@marking.command("delete")
@click.argument("marking_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def marking_delete(state, marking_id: str, yes: bool) -> None:
    """Delete the marking with id ID (or the first characters of it); the audit log keeps what it was."""
    catalog = state.catalog(create=False)
    current = _core().get_marking(catalog, marking_id)
    if not yes:
        click.confirm(f"Delete marking {current['text']!r}?", abort=True)
    _core().delete_marking(catalog, current["id"])
    echo(f"deleted {current['id'][:8]}  {current['text']!r}")


@marking.command("list")
@click.argument("item_ref", metavar="REF")
@click.option("--json", "as_json", is_flag=True, help="Print the markings and their stored readings as JSON.")
@pass_state
def marking_list(state, item_ref: str, as_json: bool) -> None:
    """List the markings of item REF with their stored readings, and the photo and crop each was read from."""
    from fieldkit.catalog.overview import crop_text, origin_text

    rows = _core().list_markings(state.catalog(read_only=True), item_ref)
    if as_json:
        print_json(rows)
        return
    if not rows:
        echo(f"{item_ref} has no markings")
        return
    for row in rows:
        where = f"  @ {row['position']}" if row["position"] else ""
        echo(f"{row['id'][:8]}  {row['text']!r}  [{row['source']}]{where}{origin_text(row['photo_sha256'], crop_text(row))}")
        candidates = row["readings"]["candidates"]
        for i, c in enumerate(candidates[:3], 1):
            years = f"  {c['years'][0]['label']}" if c["years"] else ""
            echo(f"    {i}. {c['pattern_id']}  score {c['score']}{years}")
        for y in row["readings"]["years"][:3]:
            echo(f"    year: {y['describe']}")


@marking.command("show")
@click.argument("marking_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the marking, its photo and crop, and its readings as JSON.")
@pass_state
def marking_show(state, marking_id: str, as_json: bool) -> None:
    """Show the marking with id ID (or the first characters of it): its text, the photo and crop it
    was read from, which OCR engine's reading was kept and why, and every reading with its basis."""
    from fieldkit.catalog.overview import crop_text

    markings_core = _core()
    catalog = state.catalog(read_only=True)
    view = markings_core.marking_view(catalog, markings_core.get_marking(catalog, marking_id))
    view["crop"] = crop_text(view)
    if as_json:
        print_json(view)
        return
    echo(f"id: {view['id']}")
    echo(f"item: {view['item_ref']}")
    echo(f"text: {view['text']!r}  [{view['source']}]")
    if view["ocr_text"] is not None and view["ocr_text"] != view["text"]:
        echo(f"as read by OCR: {view['ocr_text']!r}")
    if view["position"]:
        echo(f"position: {view['position']}")
    if view["photo_sha256"]:
        echo(f"photo: {view['photo_sha256']}")
        echo(f"crop: {view['crop'] or 'the whole photo'} (x,y,w,h in pixels of the original)")
    else:
        echo("photo: none (typed, not read from a photo)")
    for line in markings_core.ocr_choice_lines(view["ocr_choice"]):
        echo(line)
    _echo_reading(view["readings"])


@marking.command("recheck")
@click.argument("item_ref", metavar="[REF]", required=False)
@click.option("--apply", "apply", is_flag=True, help="Store the new readings (audited); without it nothing changes.")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@pass_state
def marking_recheck(state, item_ref: str | None, apply: bool, as_json: bool) -> None:
    """Show what the current reference tables would read differently in stored markings."""
    tables = state.reference()
    catalog = state.catalog(read_only=not apply)
    results = _core().recheck_markings(catalog, item_ref, tables)
    updated = _core().apply_recheck(catalog, results) if apply else 0
    if as_json:
        print_json({"markings": [r.to_json() for r in results if r.differs], "checked": len(results),
                    "updated": updated, "reference_version": tables.version})
        return
    _warn_overrides(tables)
    differing = [r for r in results if r.differs]
    for r in differing:
        echo(f"{r.marking['id'][:8]}  {r.item_ref}  {r.marking['text']!r}")
        for line in r.lines():
            echo(f"    {line}")
    echo(f"{plural(len(results), 'marking')} checked, {len(differing)} would read differently", err=True)
    if apply:
        echo(f"{plural(updated, 'marking')} updated", err=True)
    elif differing:
        echo("nothing changed; run again with --apply to store the new readings", err=True)


@click.group()
def reference() -> None:
    """Check the reference tables (marking patterns, factory codes, manufacturers)."""


@reference.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print counts, version, overrides and problems as JSON.")
@pass_state
def reference_check(state, as_json: bool) -> None:
    """Validate the shipped and user reference tables; print counts, version and overrides (exit 2 on a problem)."""
    user_dir = state.user_reference_dir()  # the folder every other command loads
    tables, problems = check_reference(user_dir)
    if as_json:
        print_json({
            "version": tables.version, "counts": tables.counts(), "files": [str(p) for p in tables.files],
            "user_dir": str(user_dir) if user_dir else None,
            "overridden": tables.overridden, "added": tables.added, "problems": [str(p) for p in problems],
        })
    else:
        for line in check_lines(tables, user_dir):
            echo(line)
        for problem in problems:
            echo(f"error: {problem}", err=True)
    if problems:
        click.get_current_context().exit(2)
