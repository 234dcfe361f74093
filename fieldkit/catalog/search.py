"""Finding items: the query language of the search box, and upkeep of the search indexes.

Every word of a query must appear in the item: in its own fields, its marking texts, or its
components' part numbers, printed markings and makers. A word of three characters or more may
be any part of a word, found with the trigram index `item_search` ("22U" finds 9M22U). A word of
one or two characters finds the items with a word that begins with it, through the word index
`item_words` (migration m015): "주체" finds 주체112, "ОФ" finds ОФ-462, "9M" finds 9M22U. A short
word with punctuation in it ("x*", "4-") is matched as typed in the item's own fields. Search
text is never SQL or FTS syntax: quotes, operators and wildcards are plain characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sqlite_utils import Database

from fieldkit.catalog.migrations import ITEM_SEARCH_DOCUMENT, SEARCH_INDEXES, merge_search_indexes

if TYPE_CHECKING:
    from fieldkit.catalog.db import Catalog

TRIGRAM = 3
ITEM_COLUMNS = ("ref", "category", "designation", "calibre", "origin", "place", "notes")
# What the word index (unicode61) counts as part of a word: runs of letters and digits; everything
# else (spaces, hyphens, punctuation) separates words.
WORD_PART = re.compile(r"[^\W_]+")


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# A short word found in more items than this is checked item by item, in the order the list is
# read, so that the first page does not wait for every match (100,000 items hold a word beginning
# with "g"); a rarer one is looked up once and its items taken from the list it gives. (Checking
# item by item is cheap in the word index, one lookup per item; in the trigram index it is not.)
COMMON = 2000


def _words_clause(db: Database | None, match: str) -> str:
    """`items` rows whose words `match` finds: by set, or item by item when the words are common."""
    if db is not None:
        sample = f"SELECT 1 FROM item_words WHERE item_words MATCH ? LIMIT {COMMON}"
        if db.execute(f"SELECT count(*) FROM ({sample})", [match]).fetchone()[0] >= COMMON:
            return "EXISTS (SELECT 1 FROM item_words WHERE item_words MATCH ? AND item_words.rowid = items.rowid)"
    return "items.rowid IN (SELECT rowid FROM item_words WHERE item_words MATCH ?)"


# Long words found in many items ("generated item" in a generated catalog, a common maker's name)
# are checked item by item, in the order the list is read, so that the first page does not wait for
# every match to be read and sorted (60-240 ms for 100,000 matches). Asking the trigram index about
# one item costs about as much as a short search (it opens a list per trigram), so each item's
# document (the index's own copy of it) is tested with a plain substring test on case-folded text
# (`fieldkit_has_words`, a few microseconds an item). It finds what the index finds: both fold case
# character by character; Unicode case folding is the wider of the two in a few letters (ß is also
# ss), so there it may find an item more, never one less.
# How common the words are is judged from the first DENSE_PROBE matches (the index yields them in
# rowid order): when they lie among the first DENSE_PROBE / DENSE items, about that share of the
# items match, and a page is filled after reading a few thousand items at most.
DENSE_PROBE = 200
DENSE = 0.1


def _has_words(text: str | None, words: str) -> bool:
    """Whether every space-separated word of `words` is in `text`, both case-folded."""
    folded = (text or "").casefold()
    return all(word in folded for word in words.casefold().split(" "))


def _dense(db: Database, match: str) -> bool:
    """Whether the trigram `match` finds at least about DENSE of the items."""
    row = db.execute(
        f"SELECT rowid FROM item_search WHERE item_search MATCH ? ORDER BY rowid LIMIT 1 OFFSET {DENSE_PROBE - 1}", [match]
    ).fetchone()
    if row is None:
        return False
    first = db.execute("SELECT min(rowid) FROM items").fetchone()[0] or 1
    return DENSE_PROBE / (row[0] - first + 1) >= DENSE


ITEM_BY_ITEM = "EXISTS (SELECT 1 FROM item_search_content doc WHERE doc.id = items.rowid AND fieldkit_has_words(doc.c0, ?))"


def where_clause(query: str, db: Database | None = None) -> tuple[str, list[str]]:
    """A WHERE clause over `items` (and its parameters) for the words of `query`; with `db`, short
    words are looked up the way that is fastest for how common they are."""
    clauses, params = [], []
    query = "".join(" " if ch < " " or ch == "\x7f" else ch for ch in query)  # a NUL would cut a LIKE pattern short
    long_words = [w for w in query.split() if len(w) >= TRIGRAM]
    short_words = [w for w in query.split() if len(w) < TRIGRAM]
    typed = [w for w in short_words if not WORD_PART.fullmatch(w)]  # "x*", "4-": LIKE, as typed
    dense = False
    if long_words:
        match = " AND ".join(_quoted(w) for w in long_words)
        # item by item only when nothing else may leave few items to find: a word matched with LIKE
        # finds few, and cannot narrow the items first as a word-index set does
        dense = db is not None and not typed and _dense(db, match)
        if dense:
            db.conn.create_function("fieldkit_has_words", 2, _has_words, deterministic=True)
            clauses.append(ITEM_BY_ITEM)
            params.append(" ".join(long_words))
        else:
            clauses.append("items.rowid IN (SELECT rowid FROM item_search WHERE item_search MATCH ?)")
            params.append(match)
    starts = [w for w in short_words if WORD_PART.fullmatch(w)]
    if starts:
        match = " AND ".join(_quoted(part) + "*" for part in starts)
        # item by item only when no long word narrows the items to a few first (then the set is the faster)
        clauses.append(_words_clause(None if long_words and not dense else db, match))
        params.append(match)
    for word in typed:  # "x*", "%": as typed, in the item's own fields
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


# A bulk write of this many items or more merges the search indexes after it (migration m019).
MERGE_AFTER = 5000


def resume(db: Database, item_ids: Iterable[str]) -> None:
    """Turn the triggers back on and rebuild the documents of the items a bulk write touched; after
    many items, merge the search indexes into one segment each (searching stays fast)."""
    db.execute("DELETE FROM search_suspended")
    ids = sorted(set(item_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        rowids = f"SELECT rowid FROM items WHERE id IN ({marks})"
        db.execute(f"DELETE FROM item_search WHERE rowid IN ({rowids})", chunk)
        db.execute(f"DELETE FROM item_words WHERE rowid IN ({rowids})", chunk)
        db.execute(
            f"INSERT INTO item_search (rowid, text) SELECT i.rowid, {BULK_DOCUMENT} FROM items i WHERE i.id IN ({marks})",
            chunk,
        )
        db.execute(f"INSERT INTO item_words (rowid, text) SELECT rowid, text FROM item_search WHERE rowid IN ({rowids})", chunk)
    if len(ids) >= MERGE_AFTER:
        merge_search_indexes(db)


REBUILD_STEPS = 6  # what `rebuild` reports progress in: documents, words' copy, two rebuilds, merge, commit


def rebuild(db: Database, progress: Callable[[int, int], None] | None = None) -> None:
    """Rebuild both search indexes from the rows, whatever they hold now (an edited document, an
    index that no longer matches its documents, a row left in `search_suspended`): each item's
    document written again, each index rebuilt from the documents (FTS5 'rebuild') and merged.
    Call inside a write transaction. The indexes are derived from audited rows: nothing is audited.
    `progress(done, REBUILD_STEPS)` is called after each step but the last (the caller's commit)."""
    step = progress or (lambda done, total: None)
    db.execute("DELETE FROM search_suspended")
    db.execute("DELETE FROM item_search_content")
    db.execute(f"INSERT INTO item_search_content (id, c0) SELECT i.rowid, {BULK_DOCUMENT} FROM items i")
    step(1, REBUILD_STEPS)
    db.execute("DELETE FROM item_words_content")
    db.execute("INSERT INTO item_words_content (id, c0) SELECT id, c0 FROM item_search_content")
    step(2, REBUILD_STEPS)
    for done, table in enumerate(SEARCH_INDEXES, start=3):
        db.execute(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
        step(done, REBUILD_STEPS)
    merge_search_indexes(db)
    step(5, REBUILD_STEPS)


def rebuild_indexes(catalog: Catalog, progress: Callable[[int, int], None] | None = None) -> None:
    """`fieldkit verify --rebuild-search` and the verify screen's `b`: rebuild both search indexes in
    one write transaction (all or nothing). Writes no audit row, as the indexes are derived data;
    a read-only catalog refuses it with the catalog's one-line error."""
    with catalog.transaction() as db:
        rebuild(db, progress)
    if progress:
        progress(REBUILD_STEPS, REBUILD_STEPS)
