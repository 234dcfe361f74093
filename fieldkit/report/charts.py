"""The bar chart of components by country, as numbers both renderers draw the same way."""

from __future__ import annotations

from dataclasses import dataclass

from fieldkit.components.summary import Summary

TOP = 10  # countries shown; the rest are one bar, "other"


@dataclass(frozen=True)
class Bar:
    label: str  # "US United States"
    parts: int
    share: float  # of all parts, 0..1
    fraction: float  # of the longest bar, 0..1, for drawing


def country_bars(summary: Summary) -> list[Bar]:
    """The bars by country, largest first; countries past TOP and unknown countries get a bar each."""
    rows = [(f"{c.country} {c.name}", c.parts) for c in summary.by_country[:TOP]]
    rest = sum(c.parts for c in summary.by_country[TOP:])
    if rest:
        rows.append((f"{len(summary.by_country) - TOP} other countries", rest))
    if summary.parts_without_country:
        rows.append(("country unknown", summary.parts_without_country))
    longest = max((n for _, n in rows), default=0) or 1
    total = summary.parts or 1
    return [Bar(label, n, n / total, n / longest) for label, n in rows]
