"""`fieldkit init` and `fieldkit item add | list | show | edit | delete`."""

from __future__ import annotations

import click

from fieldkit.catalog import items as items_core
from fieldkit.cli.base import echo, pass_state, print_json, print_table

ITEM_OPTIONS = [
    click.option("--category", help="What the item is: rocket, projectile, missile debris, cartridge..."),
    click.option("--designation", help="Model or designation, e.g. 9M22U."),
    click.option("--calibre", help="Calibre, e.g. 122 mm."),
    click.option("--origin", help="Assessed country or origin."),
    click.option("--ref", help="Human reference, e.g. KHK-0007 (default: the next FK-NNNN)."),
    click.option("--found-at", "found_on", help="Date found, YYYY-MM-DD."),
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
        echo(f"new items get refs {items_core.next_ref(catalog)}, ...")


@click.group()
def item() -> None:
    """Add, list, show, edit and delete debris items."""


@item.command("add")
@item_options
@pass_state
def item_add(state, **fields) -> None:
    """Record a new item and print its ref."""
    data = {k: v for k, v in fields.items() if v is not None}
    stored = items_core.add_item(state.catalog(), data)
    echo(stored["ref"])


@item.command("edit")
@click.argument("item_ref", metavar="REF")
@item_options
@pass_state
def item_edit(state, item_ref: str, **fields) -> None:
    """Change fields of an item (--ref renames it); an empty value ('') clears a field."""
    data = {k: v for k, v in fields.items() if v is not None}
    stored = items_core.update_item(state.catalog(), item_ref, data)
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
    """List items with their counts of photos, markings and components."""
    rows = items_core.list_items(state.catalog(read_only=True), query)
    if as_json:
        print_json(rows)
        return
    print_table(rows, ["ref", "category", "designation", "place", "found_on", "photos", "markings", "components"])


@item.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def item_show(state, ref: str, as_json: bool) -> None:
    """Show every field of one item."""
    from fieldkit.team.provenance import item_provenance

    catalog = state.catalog(read_only=True)
    row = items_core.get_item(catalog, ref)
    origins = item_provenance(catalog.db, row["id"])
    merged = [o for o in origins if o["signer"] != "this catalog"]
    if as_json:
        print_json(row | ({"provenance": origins} if merged else {}))
        return
    width = max(len(k) for k in row)
    for key, value in row.items():
        if value is not None:
            echo(f"{key.ljust(width)}  {value}")
    for o in merged:  # work that came in by merge: which laptop (catalog) and researcher
        echo(f"{'from'.ljust(width)}  catalog {o['catalog'][:8]} ({o['signer'] or 'unsigned'}), "
                   f"{o['actor']}: {o['changes']} changes, {o['first'][:10]} to {o['last'][:10]}")
