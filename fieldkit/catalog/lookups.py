"""Content-derived ids for the lookup tables that component rows refer to.

`attribution_bases` and `reference_versions` hold each distinct text once; a component row refers
to it by id. The id is the first 16 hex digits of the SHA-256 of the text (UTF-8), so the same
basis or table version has the same id in every catalog, a component row is byte-identical on
every laptop it travels to, and a row whose id does not match its text has been altered.
"""

from __future__ import annotations

import hashlib
from typing import Any

# lookup table -> its text column
LOOKUP_TABLES = {"attribution_bases": "basis", "reference_versions": "version"}
KEY_DIGITS = 16


def lookup_key(text: str) -> str:
    """The id of a lookup row holding `text`: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_DIGITS]


def mismatch(table: str, row: dict[str, Any]) -> str | None:
    """Why a lookup row's id does not match its text (it was altered), or None if it does."""
    text = row.get(LOOKUP_TABLES[table])
    if not isinstance(text, str) or row.get("id") != lookup_key(text):
        return f"{table} row {str(row.get('id'))[:40]!r}: its id is not the hash of its text (altered)"
    return None
