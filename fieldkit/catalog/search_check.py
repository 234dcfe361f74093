"""Verify's check of the search indexes: derived from the rows, so compared with what the rows give.

Search finds items through two full-text indexes of one document per item: `item_search`
(trigram, m004) and `item_words` (words, m015, a copy of the same document). Someone with the file
can change what search finds without touching an audited row: edit a document, take an item out of
an index, or leave a row in `search_suspended` so that the triggers stop following markings and
components. `check_search` reports, each in one line ending with the remedy:
- a row in `search_suspended` (a bulk write holds one only inside its own transaction);
- an item whose document does not hold the words its rows give (its own fields, its marking
  texts, its components' part numbers, printed markings and makers), a document of no item, an
  item with none, an `item_words` document that is not `item_search`'s;
- an index that does not match its own documents (FTS5 'integrity-check', run on a copy of the
  index in a temporary file, since verify opens the catalog read-only).
The document the triggers write (ITEM_SEARCH_DOCUMENT) is made again for each item; where the one
stored is not the same text, their words are compared: a bulk write writes each distinct value of
an item's components once (search.BULK_DOCUMENT), and a query word holds no whitespace, so both
find the same items. The remedy is always `fieldkit verify --rebuild-search` (search.rebuild).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile

from sqlite_utils import Database

from fieldkit.catalog.migrations import ITEM_SEARCH_DOCUMENT, SEARCH_INDEXES

REBUILD = "run `fieldkit verify --rebuild-search` to rebuild the search indexes from the rows"
SHOWN = 10  # items named one by one; the rest are counted


def check_search(db: Database) -> list[str]:
    """One line per way the search indexes differ from the rows (see the module docstring)."""
    names = set(db.table_names())
    problems = []
    if "search_suspended" in names:
        for (since,) in db.execute("SELECT since FROM search_suspended LIMIT 1"):
            problems.append(f"search_suspended holds a row (since {since}) that no write of fieldkit leaves behind: "
                            f"search no longer follows new markings and components; {REBUILD}")
    indexes = [t for t in SEARCH_INDEXES if t in names]
    if indexes:
        problems += _documents(db, indexes)
        problems += [p for table in indexes for p in _integrity(db, table)]
    return problems


def _documents(db: Database, indexes: list[str]) -> list[str]:
    """Items whose documents differ from their rows' words, and documents of no item."""
    joins = " ".join(f"LEFT JOIN {t}_content d{n} ON d{n}.id = i.rowid" for n, t in enumerate(indexes))
    differs: list[str] = []
    columns = ", ".join(f"d{n}.c0" for n in range(len(indexes)))
    for ref, document, first, *copies in db.execute(f"SELECT i.ref, {ITEM_SEARCH_DOCUMENT}, {columns} FROM items i {joins}"):
        if first != document and (first is None or set(first.split()) != set(document.split())):
            differs.append(str(ref))
        elif any(copy != first for copy in copies):
            differs.append(str(ref))
    problems = []
    if differs:
        named = ", ".join(differs[:SHOWN]) + (f" and {len(differs) - SHOWN} more" if len(differs) > SHOWN else "")
        problems.append(f"the search document of item{'s' if len(differs) > 1 else ''} {named} "
                        f"does not hold the words of {'their' if len(differs) > 1 else 'its'} rows: "
                        f"search does not find what the catalog holds; {REBUILD}")
    for table in indexes:
        (orphans,) = db.execute(f"SELECT count(*) FROM {table}_content WHERE id NOT IN (SELECT rowid FROM items)").fetchone()
        if orphans:
            problems.append(f"{table} holds {orphans} document{'s' if orphans > 1 else ''} of no item: "
                            f"search finds what the catalog does not hold; {REBUILD}")
    return problems


SHADOWS = ("data", "idx", "content", "docsize", "config")


def _integrity(db: Database, table: str) -> list[str]:
    """FTS5's own integrity-check of `table` against its documents, on a copy in a temporary file."""
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()
    try:
        handle, name = tempfile.mkstemp(prefix="fieldkit-search-", suffix=".db")  # one file, no journal: nothing else to remove
    except OSError as exc:
        return [_not_checked(table, exc)]
    os.close(handle)
    copy = sqlite3.connect(name)
    try:
        try:  # the copy: a failure here (a full or read-only temporary folder) says nothing of the index
            copy.execute("PRAGMA journal_mode = OFF")
            copy.execute("PRAGMA synchronous = OFF")
            copy.execute(sql)
            for shadow in SHADOWS:
                copy.execute(f"DELETE FROM {table}_{shadow}")
                cursor = db.execute(f"SELECT * FROM {table}_{shadow}")
                marks = ", ".join("?" for _ in cursor.description)
                while rows := cursor.fetchmany(5000):
                    copy.executemany(f"INSERT INTO {table}_{shadow} VALUES ({marks})", rows)
        except (sqlite3.DatabaseError, OSError) as exc:
            return [_not_checked(table, exc)]
        try:
            copy.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            code = getattr(exc, "sqlite_errorname", "")  # "database disk image is malformed" is the index's fault
            if code == "SQLITE_FULL" or code.startswith("SQLITE_IOERR"):
                return [_not_checked(table, exc)]
            return [f"the search index {table} does not match its own documents (FTS5 integrity-check: {exc}): "
                    f"search does not find what the catalog holds; {REBUILD}"]
    finally:
        copy.close()
        os.unlink(name)
    return []


def _not_checked(table: str, exc: Exception) -> str:
    """The check could not be made (no room for the copy): said as such, never as a damaged index."""
    return (f"the search index {table} could not be checked: its copy in the temporary folder failed ({exc}); "
            "free space there (or set TMPDIR to a folder with room) and run verify again")
