"""What the manufacturers and part-families tables say about a search text, read as a part number and
as a brand: which family matched and why, which firms a brand names. The Reference screen's
Manufacturers tab shows it; `user_family_row` and `user_brand_row` make the rows a researcher adds."""

from __future__ import annotations

from dataclasses import dataclass

from fieldkit.components.attribution import ManufacturerIndex, attribute, family_key
from fieldkit.components.manufacturers import split_list
from fieldkit.reference.tables import FamilyRow, ManufacturerRow

LONGEST = 200  # as a stored component's part number and brand (fieldkit.catalog.components.MAX_PART)


@dataclass(frozen=True)
class Lookup:
    """The text read as a part number and as a brand, and every firm either reading names."""

    lines: tuple[str, ...]
    firm_ids: tuple[str, ...]


def lookup(text: str, index: ManufacturerIndex) -> Lookup:
    """"TPS62130" -> part number: Texas Instruments (US), basis: prefix TPS → ...; "Maxim" -> brand: ...;
    "5962-8771601PA" -> part number: not attributed, basis: the drawing's fields and why it names no maker."""
    text = " ".join((text or "").split())
    if not text:
        return Lookup((), ())
    if len(text) > LONGEST:  # pasted by mistake: matching brands word by word would take seconds
        return Lookup((f"{len(text):,} characters is longer than any part number or brand ({LONGEST} at most): "
                       "search for the part number or the brand alone",), ())
    lines: list[str] = []
    firms: list[str] = []
    by_part = attribute(text, index=index)
    if by_part.candidates or by_part.military is not None:  # a military form is read even when it names no maker
        lines.append(f"as a part number: {by_part.headline().split(': ', 1)[1]}")
        lines.append(f"  basis: {by_part.basis}")
        firms += [c.firm_id for c in by_part.candidates]
    else:
        lines.append("as a part number: no family in the tables begins it")
    by_brand = index.by_brand(text)
    if by_brand:
        lines.append("as a brand: " + "; ".join(c.basis(text) for c in by_brand))
        firms += [c.firm_id for c in by_brand]
    else:
        lines.append("as a brand: names no firm in the tables")
    return Lookup(tuple(lines), tuple(dict.fromkeys(firms)))


def user_family_row(family: str, firm_id: str, source: str, index: ManufacturerIndex,
                    kind: str = "family", notes: str = "") -> FamilyRow:
    """A researcher's own family row, validated; the firm must be in the tables. Raises ValueError naming the field."""
    import pydantic

    def checked(source_text: str) -> FamilyRow:
        try:
            return FamilyRow(family=family, firm_id=firm_id, kind=kind, source=source_text, notes=notes)
        except pydantic.ValidationError as exc:
            error = exc.errors()[0]
            column = error.get("loc", ("",))[0]
            raise ValueError(f"{column}: {error.get('msg', 'invalid').removeprefix('Value error, ')}") from None

    checked("-")  # the family and firm id first, in the order they are typed
    if index.firm(firm_id) is None:
        raise ValueError(f"firm_id: no firm {firm_id!r} in manufacturers.csv; search the Manufacturers tab for its id")
    claimed = [f.row for f in index.prefixes.get(family_key(family), ()) if f.row.id != firm_id]
    if claimed and kind != "multi":
        raise ValueError(f"family: {family} is already {claimed[0].firm}'s ({claimed[0].id}); "
                         "a number several firms make needs every maker as a multi-source row")
    return checked(source)


def user_brand_row(brand: str, firm_id: str, source: str, index: ManufacturerIndex) -> ManufacturerRow:
    """The firm's row with one more printed brand form; saved as a user row, it overrides the shipped one
    (the Reference screen names the override). Raises ValueError naming the field."""
    brand = " ".join((brand or "").split())
    if not brand:
        raise ValueError("brand: is empty; type the brand as printed on the part")
    if not (source or "").strip():
        raise ValueError("source: missing source: say where you read that this brand is this firm's")
    firm = index.firm(firm_id)
    if firm is None:
        raise ValueError(f"firm_id: no firm {firm_id!r} in manufacturers.csv; search the Manufacturers tab for its id")
    known = [c for c in index.by_brand(brand) if c.matched_by != "abbreviation" or c.firm_id != firm_id]
    if known:
        raise ValueError(f"brand: {brand!r} already reads as {known[0].firm} ({known[0].firm_id}): {known[0].basis(brand)}")
    aliases = "|".join([*split_list(firm.aliases), brand])
    return firm.model_copy(update={"aliases": aliases, "source": f"{firm.source} ; brand {brand}: {source.strip()}"})
