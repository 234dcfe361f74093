"""Finding items: the query language of the search box, and upkeep of the search index.

Every word of a query must appear in the item: in its own fields, its marking texts, or its
components' part numbers, printed markings and makers. Words of three characters or more use
the trigram index `item_search` (any part of a word matches: "22U" finds 9M22U); shorter words
are matched against the item's own fields. Search text is never SQL or FTS syntax: quotes,
operators and wildcards are plain characters.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from fieldkit.catalog.migrations import ITEM_SEARCH_DOCUMENT

TRIGRAM = 3
ITEM_COLUMNS = ("ref", "category", "designation", "calibre", "origin", "place", "notes")


def where_clause(query: str) -> tuple[str, list[str]]:
    """A WHERE clause over `items` (and its parameters) for the words of `query`."""
    clauses, params = [], []
    query = "".join(" " if ch < " " or ch == "\x7f" else ch for ch in query)  # a NUL would cut a LIKE pattern short
    long_words = [w for w in query.split() if len(w) >= TRIGRAM]
    if long_words:
        clauses.append("items.rowid IN (SELECT rowid FROM item_search WHERE item_search MATCH ?)")
        params.append(" AND ".join('"' + w.replace('"', '""') + '"' for w in long_words))
    for word in (w for w in query.split() if len(w) < TRIGRAM):
        like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append("(" + " OR ".join(f"items.{c} LIKE ? ESCAPE '\\'" for c in ITEM_COLUMNS) + ")")
        params.extend([like] * len(ITEM_COLUMNS))
    return (" AND ".join(clauses) or "1"), params


# The document a bulk write rebuilds: the same words as ITEM_SEARCH_DOCUMENT (which the per-row
# triggers use), but each distinct part number, printed marking and maker of the item's components
# once. Query words hold no whitespace and values are joined by spaces, so a word matches the same
# items either way; an item with a million imported components gets a document of its few thousand
# distinct values instead of a million, which FTS5 would tokenise in memory all at once.
BULK_DOCUMENT = ITEM_SEARCH_DOCUMENT[: ITEM_SEARCH_DOCUMENT.index("coalesce((SELECT group_concat(coalesce(c.part_number")] + """\
    coalesce((SELECT group_concat(v, ' ') FROM (
        SELECT part_number AS v FROM components WHERE item_id = i.id
        UNION SELECT marking_text FROM components WHERE item_id = i.id
        UNION SELECT manufacturer FROM components WHERE item_id = i.id)), '')
"""


def suspend(db: Database) -> None:
    """Stop the per-row triggers from rebuilding documents; call inside a write transaction."""
    db.execute("INSERT INTO search_suspended (since) VALUES (datetime('now'))")


def resume(db: Database, item_ids: Iterable[str]) -> None:
    """Turn the triggers back on and rebuild the documents of the items a bulk write touched."""
    db.execute("DELETE FROM search_suspended")
    ids = sorted(set(item_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        db.execute(f"DELETE FROM item_search WHERE rowid IN (SELECT rowid FROM items WHERE id IN ({marks}))", chunk)
        db.execute(
            f"INSERT INTO item_search (rowid, text) SELECT i.rowid, {BULK_DOCUMENT} FROM items i WHERE i.id IN ({marks})",
            chunk,
        )
