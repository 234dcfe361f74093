"""`fieldkit component add | list | import | edit | recheck | delete` and `fieldkit summary`."""

from __future__ import annotations

from pathlib import Path

import click

from fieldkit.catalog import components as components_core
from fieldkit.cli.base import UserPath, echo, pass_state, print_json, print_table
from fieldkit.components.attribution import default_index
from fieldkit.components.importer import collector_paused, import_components
from fieldkit.safe_text import visible

# Component field -> the option that sets it, so that an error names what the user typed.
OPTION_OF_FIELD = {"part_number": "--part", "date_code": "--date-code", "type": "--type"}


def _in_option_names(exc: components_core.ComponentFieldError) -> components_core.ComponentFieldError:
    option = OPTION_OF_FIELD.get(exc.column, "--" + exc.column.replace("_", "-"))
    error = components_core.ComponentFieldError(exc.column, exc.reason)
    error.args = (f"{option}: {exc.reason}",)
    return error


LIST_COLUMNS = ("id", "part_number", "manufacturer", "country", "date_code", "date_start", "quantity", "type")


@click.group()
def component() -> None:
    """Add, list, import, correct, recheck and delete the electronic components found in items."""


@component.command("add")
@click.argument("item_ref", metavar="REF")
@click.option("--part", "part_number", required=True, help="The part number as printed, e.g. ATmega328P-AU.")
@click.option("--manufacturer", help="The brand or firm as printed (TI, ON Semiconductor...); wins over the part-number lookup.")
@click.option("--country", help="ISO 3166-1 alpha-2 code of the firm's headquarters (US, DE...); wins over the lookup.")
@click.option("--date-code", "date_code", help="The date code as printed, e.g. 2310 (YYWW).")
@click.option("--quantity", type=click.IntRange(1), default=1, show_default=True, help="How many of this part the item holds.")
@click.option("--type", "type_", help="What kind of part it is, e.g. microcontroller, voltage regulator.")
@click.option("--notes", help="Anything else worth recording about the part.")
@click.option("--json", "as_json", is_flag=True, help="Print the stored component and its attribution as JSON.")
@pass_state
def component_add(state, item_ref, part_number, manufacturer, country, date_code, quantity, type_, notes, as_json) -> None:
    """Store a component of item REF; prints its attribution with the basis, and its date range."""
    try:
        saved = components_core.add_component(
            state.catalog(), item_ref,
            {"part_number": part_number, "manufacturer": manufacturer, "country": country, "date_code": date_code,
             "quantity": quantity, "type": type_, "notes": notes},
            index=default_index(state.reference()),
        )
    except components_core.ComponentFieldError as exc:
        raise _in_option_names(exc) from None
    if as_json:
        row = dict(saved.row)
        row["attribution"] = saved.attribution.to_json()
        print_json(row)
        return
    echo(saved.describe())
    echo(f"id: {saved.row['id']}", err=True)


@component.command("list")
@click.argument("item_ref", metavar="REF")
@click.option("--json", "as_json", is_flag=True, help="Print the components as JSON, with their attribution.")
@pass_state
def component_list(state, item_ref: str, as_json: bool) -> None:
    """List the components of item REF, oldest first."""
    rows = components_core.list_components(state.catalog(read_only=True), item_ref)
    if as_json:
        for row in rows:
            row.pop("attribution_json", None)
        print_json(rows)
        return
    if not rows:
        echo(f"{item_ref} has no components yet; add one with `fieldkit component add {item_ref} --part PN`")
        return
    # the short id is enough for `component edit` and `component delete`, which take a unique prefix
    # a part several firms make reads "one of N"; a date code not read as a date says so
    print_table([row | {"id": row["id"][:8], "manufacturer": components_core.firm_shown(row),
                        "date_start": "not read" if row["date_form"] == components_core.NOT_READ else row["date_start"]}
                  for row in rows], LIST_COLUMNS)


@component.command("import")
@click.argument("item_ref", metavar="REF")
@click.argument("file", type=UserPath(path_type=Path, dir_okay=False))
@click.option("--strict", is_flag=True, help="Import nothing if any row has a problem (default: import the good rows).")
@pass_state
def component_import(state, item_ref: str, file: Path, strict: bool) -> None:
    """Import components of item REF from FILE.csv (columns by header: part_number, manufacturer, country,
    date_code, quantity, type, notes). Bad rows are reported by line and column; exit 2 if any."""
    with collector_paused():  # the reference tables' rows and the import's: many objects, no cycles to look for
        result = import_components(state.catalog(), item_ref, file, strict=strict, index=default_index(state.reference()))
    if result.unknown_columns:
        echo(f"note: ignored unknown column(s): {', '.join(result.unknown_columns)}", err=True)
    for problem in result.problems:
        echo(f"{file.name}, {problem}", err=True)
    if result.problem_count > len(result.problems):
        echo(f"... and {result.problem_count - len(result.problems)} more problem rows", err=True)
    if result.problem_count:
        echo(f"error: {result.describe()}", err=True)
        raise SystemExit(2)
    echo(result.describe())


@component.command("edit")
@click.argument("component_id", metavar="ID")
@click.option("--part", "part_number", help="The part number as printed.")
@click.option("--manufacturer", help="The brand or firm as printed ('' clears it, so the lookup decides).")
@click.option("--country", help="ISO 3166-1 alpha-2 code of the firm's headquarters ('' clears it).")
@click.option("--date-code", "date_code", help="The date code as printed ('' clears it).")
@click.option("--quantity", type=click.IntRange(1), help="How many of this part the item holds.")
@click.option("--type", "type_", help="What kind of part it is.")
@click.option("--notes", help="Anything else worth recording about the part.")
@pass_state
def component_edit(state, component_id, part_number, manufacturer, country, date_code, quantity, type_, notes) -> None:
    """Correct the component with id ID (or the first characters of it); attribution and date range are worked out again (audited)."""
    given = {"part_number": part_number, "manufacturer": manufacturer, "country": country, "date_code": date_code,
             "quantity": quantity, "type": type_, "notes": notes}
    changes = {k: (None if v == "" else v) for k, v in given.items() if v is not None}
    try:
        saved = components_core.update_component(state.catalog(create=False), component_id, changes,
                                                 index=default_index(state.reference()))
    except components_core.ComponentFieldError as exc:
        raise _in_option_names(exc) from None
    echo(saved.describe())


@component.command("recheck")
@click.argument("item_ref", metavar="[REF]", required=False)
@click.option("--apply", "apply", is_flag=True, help="Store the new attributions (audited); without it nothing changes.")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@pass_state
def component_recheck(state, item_ref: str | None, apply: bool, as_json: bool) -> None:
    """Show which stored components the current reference tables would attribute differently; what the
    researcher entered is never overwritten."""
    from fieldkit.catalog import component_recheck as recheck_core

    tables = state.reference()
    catalog = state.catalog(create=False)
    results = recheck_core.recheck_components(catalog, item_ref, default_index(tables))
    updated = recheck_core.apply_recheck(catalog, results) if apply else 0
    differing = [r for r in results if r.differs]
    if as_json:
        print_json({"components": [r.to_json() for r in differing], "checked": len(results),
                    "updated": updated, "reference_version": tables.version})
        return
    for r in differing:
        echo(r.line())
        for change in r.changes:
            echo(f"    ~ {change}")
    kept = sum(1 for r in differing if r.kept)
    click.echo(f"{len(results)} component(s) checked, {len(differing)} would be attributed differently"
               + (f", {kept} of them entered by the researcher and kept" if kept else ""), err=True)
    if apply:
        click.echo(f"{updated} component(s) updated", err=True)
    elif len(differing) > kept:
        click.echo("nothing changed; run again with --apply to store the new attributions", err=True)


@component.command("delete")
@click.argument("component_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def component_delete(state, component_id: str, yes: bool) -> None:
    """Delete the component with id ID (or the first characters of it, as `component list` shows them);
    the deletion is audited."""
    catalog = state.catalog(create=False)
    current = components_core.get_component(catalog, component_id)
    if not yes:
        click.confirm(f"Delete component {visible(current['part_number'])} ({current['id'][:8]})?", abort=True)
    row = components_core.delete_component(catalog, current["id"])
    echo(f"deleted {row['part_number']} ({row['id']})")


@click.command("summary")
@click.argument("item_ref", metavar="[REF]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (parts, firms, countries, shares, date codes).")
@click.option("--csv", "as_csv", is_flag=True, help="Print the summary as one CSV table (section, key, name, country, parts, share).")
@pass_state
def summary(state, item_ref: str | None, as_json: bool, as_csv: bool) -> None:
    """Summarise the components of item REF, or of the whole catalog: parts, firms, countries, shares,
    date codes by year and the earliest possible assembly date."""
    from fieldkit.components.summary import UNKNOWN_COUNTRY, UNKNOWN_FIRM, summarize  # the export's csv guard, pycountry

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    result = summarize(state.catalog(read_only=True), item_ref, index=default_index(state.reference()))
    if as_json:
        print_json(result.to_json())
        return
    if as_csv:
        echo(result.to_csv(), nl=False)
        return
    echo(result.report_line())
    if not result.parts:
        return
    echo("by country:")
    for c in result.by_country:
        echo(f"  {c.country}  {c.name:<24} {c.parts:>7}  {c.share * 100:5.1f}%")
    if result.parts_without_country:
        echo(f"  --  {UNKNOWN_COUNTRY:<24} {result.parts_without_country:>7}  "
             f"{result.parts_without_country / result.parts * 100:5.1f}%")
    echo("by firm:")
    for f in result.by_firm:
        echo(f"  {f.firm:<32} {f.country or '':<2} {f.parts:>7}  {f.share * 100:5.1f}%")
    if result.unattributed_parts:
        echo(f"  {UNKNOWN_FIRM:<32} {'':<2} {result.unattributed_parts:>7}  "
             f"{result.unattributed_parts / result.parts * 100:5.1f}%")
    if result.by_year:
        echo("date codes by year:")
        for year, parts in result.by_year:
            echo(f"  {year}  {parts:>7}")
    if result.uncertain_year_parts:
        echo(f"  year uncertain  {result.uncertain_year_parts}")
