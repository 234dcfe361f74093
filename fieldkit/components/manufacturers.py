"""The manufacturers reference table, as attribution uses it.

`load_manufacturers()` is the one place component code gets the table from. It goes through the
shared reference loader (`fieldkit.reference.tables`: pydantic validation naming file, line and
column; user tables in FIELDKIT_REFERENCE extend or override rows by id; a `version` hash), so a
researcher's own rows are used, and every attribution can be stamped with the table version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fieldkit.reference.plain import ReferenceTables
    from fieldkit.reference.tables import ManufacturerRow


def load_manufacturers(tables: ReferenceTables | None = None) -> tuple[list[ManufacturerRow], str]:
    """The manufacturer rows (shipped plus user rows) and the version of the tables they came from."""
    if tables is None:
        from fieldkit.reference.tables import get_reference

        tables = get_reference()
    return list(tables.manufacturers), tables.version


def split_list(value: str) -> list[str]:
    """A `|`-separated cell as a list of its non-empty, stripped parts."""
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def former_names(row: ManufacturerRow) -> list[tuple[str, int | None]]:
    """`former_names` as (name, year) pairs: "Atmel@2016" -> ("Atmel", 2016); a missing year is None."""
    out = []
    for part in split_list(row.former_names):
        name, _, year = part.rpartition("@")
        if not name:
            name, year = year, ""
        out.append((name.strip(), int(year) if year.strip().isdigit() else None))
    return out
