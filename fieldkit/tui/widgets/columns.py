"""Table columns that fit an 80-column terminal: under NARROW_BELOW columns each gets a fixed,
narrower width (longer text is cut in the table and shown whole in the panel beneath it), so
that the last columns do not scroll off the right edge."""

from __future__ import annotations

from textual.widgets import DataTable

NARROW_BELOW = 100


def add_fitted_columns(table: DataTable, columns: list[tuple[str, int]]) -> None:
    """Add `columns` (label, width under NARROW_BELOW columns) to `table`; wider terminals size
    each column to its content."""
    narrow = table.app.size.width < NARROW_BELOW
    for label, width in columns:
        table.add_column(label, width=width if narrow else None)
