"""Wording of counts in messages: "1 row", "2 rows", "1,200 rows"."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`count` and `word`, in the plural (`many`, or `word` + "s") unless count is 1."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
