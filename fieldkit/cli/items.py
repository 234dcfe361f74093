"""`fieldkit init` and `fieldkit item add | list | show | edit | delete`."""

from __future__ import annotations

import re

import click

from fieldkit.catalog import items as items_core
from fieldkit.cli.base import echo, pass_state, print_json, print_table
from fieldkit.errors import ValidationError

ITEM_OPTIONS = [
    click.option("--category", help="What the item is: rocket, projectile, missile debris, cartridge..."),
    click.option("--designation", help="Model or designation, e.g. 9M22U."),
    click.option("--calibre", help="Calibre, e.g. 122 mm."),
    click.option("--origin", help="Assessed country or origin."),
    click.option("--ref", help="Human reference, e.g. KHK-0007 (default: the next FK-NNNN)."),
    click.option("--found-at", "--found-on", "found_on", help="Date found, YYYY-MM-DD (`item list` calls it found_on)."),
    click.option("--place", help="Where it was found."),
    click.option("--lat", type=float, help="Latitude in decimal degrees (with --lon)."),
    click.option("--lon", type=float, help="Longitude in decimal degrees (with --lat)."),
    click.option("--recorded-by", help="Who documented it."),
    click.option("--condition", help="Physical condition."),
    click.option("--sample-type", type=click.Choice(["attributed", "unattributed"]), help="Is the user or holder known?"),
    click.option("--holder", help="The known user or holder, for an attributed sample."),
    click.option("--acquisition", help="How the item came to the researcher."),
    click.option("--custody", help="Where the physical item is now."),
    click.option("--notes", help="Free notes."),
]


# Item field -> the option that sets it, so an error names what the user typed (`--found-at`, not found_on).
OPTION_OF_FIELD = {"found_on": "--found-at"}


def _in_option_names(error: ValidationError) -> ValidationError:
    """The same error with each `field:` it names written as the option the user typed."""
    from fieldkit.models import ITEM_FIELDS  # pydantic: only when there is an error to name

    def option(match: re.Match) -> str:
        name = match.group(2)
        if name not in ITEM_FIELDS:
            return match.group(0)
        return match.group(1) + OPTION_OF_FIELD.get(name, "--" + name.replace("_", "-")) + ":"

    return ValidationError(re.sub(r"(^|; )(\w+):", option, str(error)))


def item_options(func):
    for option in reversed(ITEM_OPTIONS):
        func = option(func)
    return func


@click.command()
@click.option("--ref-prefix", help="The prefix of refs this catalog generates, e.g. KHK (KHK-0001); changeable later.")
@pass_state
def init(state, ref_prefix: str | None) -> None:
    """Create the catalog (or upgrade an older one) and print where it is."""
    catalog = state.catalog()
    if ref_prefix is not None:
        items_core.set_ref_prefix(catalog, ref_prefix)
    echo(f"catalog ready at {catalog.path}")
    if ref_prefix is not None:
        echo(items_core.next_refs_line(catalog))


@click.group()
def item() -> None:
    """Add, list, show, edit and delete debris items."""


@item.command("add")
@item_options
@pass_state
def item_add(state, **fields) -> None:
    """Record a new item and print its ref."""
    data = {k: v for k, v in fields.items() if v is not None}
    try:
        stored = items_core.add_item(state.catalog(), data)
    except ValidationError as exc:
        raise _in_option_names(exc) from None
    echo(stored["ref"])


@item.command("edit")
@click.argument("item_ref", metavar="REF")
@item_options
@pass_state
def item_edit(state, item_ref: str, **fields) -> None:
    """Change fields of an item (--ref renames it); an empty value ('') clears a field."""
    data = {k: v for k, v in fields.items() if v is not None}
    try:
        stored = items_core.update_item(state.catalog(), item_ref, data)
    except ValidationError as exc:
        raise _in_option_names(exc) from None
    echo(stored["ref"])


@item.command("delete")
@click.argument("ref")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def item_delete(state, ref: str, yes: bool) -> None:
    """Delete an item with its markings, components and photo links (photo originals are kept)."""
    catalog = state.catalog()
    items_core.get_item(catalog, ref)
    if not yes:
        click.confirm(f"Delete item {ref}?", abort=True)
    items_core.delete_item(catalog, ref)
    echo(f"deleted {ref}")


@item.command("list")
@click.option("--search", "query", default="", help="Only items matching every word.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def item_list(state, query: str, as_json: bool) -> None:
    """List items with their counts of photos and markings, and of parts (component quantities, as `summary` counts them)."""
    rows = items_core.list_items(state.catalog(read_only=True), query)
    if as_json:
        print_json(rows)
        return
    print_table(rows, ["ref", "category", "designation", "place", "found_on", "photos", "markings", "parts"])


SHOW_FIRST = 20  # photos, markings and components that `item show` lists before "... and N more"


@item.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: the item's fields, counts, photos, markings and components.")
@click.option("--all", "show_all", is_flag=True, help=f"List every photo, marking and component (default: the first {SHOW_FIRST} of each).")
@pass_state
def item_show(state, ref: str, as_json: bool, show_all: bool) -> None:
    """Show every field of one item, then its photos, markings (with the photo and crop each was
    read from) and components."""
    from fieldkit.catalog.overview import item_overview, origin_text
    from fieldkit.team.provenance import item_provenance
    from fieldkit.wording import plural

    catalog = state.catalog(read_only=True)
    shown = item_overview(catalog, ref)
    origins = item_provenance(catalog.db, shown["id"])
    merged = [o for o in origins if o["signer"] != "this catalog"]
    if as_json:
        print_json(shown | ({"provenance": origins} if merged else {}))
        return
    fields = {k: v for k, v in shown.items() if k not in ("counts", "photos", "markings", "components")}
    width = max(len(k) for k in fields)
    for key, value in fields.items():
        if value is not None:
            echo(f"{key.ljust(width)}  {value}")
    for o in merged:  # work that came in by merge: which laptop (catalog) and researcher
        echo(f"{'from'.ljust(width)}  catalog {o['catalog'][:8]} ({o['signer'] or 'unsigned'}), "
             f"{o['actor']}: {o['changes']} changes, {o['first'][:10]} to {o['last'][:10]}")
    counts, item_ref = shown["counts"], shown["ref"]
    sections = [
        ("photos", plural(counts["photos"], "photo"), f"fieldkit photo list {item_ref}",
         [f"{p['sha256'][:12]}  {p['original_name']}" + (f"  — {p['caption']}" if p["caption"] else "")
          for p in shown["photos"]]),
        ("markings", plural(counts["markings"], "marking"), f"fieldkit marking list {item_ref}",
         [f"{m['id'][:8]}  {m['text']!r}  [{m['source']}]" + origin_text(m["photo_sha256"], m["crop"]) for m in shown["markings"]]),
        ("components", f"{plural(counts['components'], 'component row')}, {plural(counts['parts'], 'part')}",
         f"fieldkit component list {item_ref}",
         [f"{c['id'][:8]}  {c['part_number']}  {c['manufacturer'] or '?'} {c['country'] or '--'}"
          + (f"  date code {c['date_code']}" if c["date_code"] else "") + f"  ×{c['quantity']}"
          for c in shown["components"]]),
    ]
    for _, heading, command, lines in sections:
        echo(f"\n{heading}" + (":" if lines else ""))
        limit = None if show_all else SHOW_FIRST
        for line in lines[:limit]:
            echo(f"  {line}")
        if limit is not None and len(lines) > limit:
            echo(f"  ... and {len(lines) - limit} more: `{command}` lists them all (or `item show {item_ref} --all`)")

