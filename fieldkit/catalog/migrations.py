"""The schema history of the catalog. The schema is created and changed only here.

Each change is a new function registered on `migrations`, appended at the end and never edited
once released, so an older catalog opens and is upgraded without loss. sqlite-utils records what
has been applied in `_sqlite_migrations`.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("fieldkit")


@migrations()
def m001_initial(db: Database) -> None:
    """Items, photos (and their links to items), markings, components and the audit log."""
    db["items"].create(
        {
            "id": str,
            "ref": str,
            "category": str,
            "designation": str,
            "calibre": str,
            "origin": str,
            "found_on": str,
            "place": str,
            "lat": float,
            "lon": float,
            "recorded_by": str,
            "condition": str,
            "sample_type": str,
            "holder": str,
            "acquisition": str,
            "custody": str,
            "notes": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"ref", "category", "created_at", "updated_at"},
    )
    db["items"].create_index(["ref"], unique=True)

    db["photos"].create(
        {
            "id": str,
            "sha256": str,
            "original_name": str,
            "stored_path": str,
            "size": int,
            "width": int,
            "height": int,
            "format": str,
            "exif_time": str,
            "gps_lat": float,
            "gps_lon": float,
            "camera_make": str,
            "camera_model": str,
            "orientation": int,
            "exif_json": str,
            "added_at": str,
            "added_by": str,
        },
        pk="id",
        not_null={"sha256", "stored_path", "size", "added_at"},
    )
    db["photos"].create_index(["sha256"], unique=True)

    db["item_photos"].create(
        {"item_id": str, "photo_id": str, "caption": str, "added_at": str},
        pk=("item_id", "photo_id"),
        foreign_keys=[("item_id", "items", "id"), ("photo_id", "photos", "id")],
    )
    db["item_photos"].create_index(["photo_id"])

    db["markings"].create(
        {
            "id": str,
            "item_id": str,
            "photo_id": str,
            "crop_x": int,
            "crop_y": int,
            "crop_w": int,
            "crop_h": int,
            "text": str,
            "ocr_text": str,
            "source": str,
            "confidence": float,
            "engine_json": str,
            "position": str,
            "readings_json": str,
            "reference_version": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"item_id", "text", "source", "created_at", "updated_at"},
        foreign_keys=[("item_id", "items", "id"), ("photo_id", "photos", "id")],
    )
    db["markings"].create_index(["item_id"])

    db["components"].create(
        {
            "id": str,
            "item_id": str,
            "part_number": str,
            "marking_text": str,
            "manufacturer": str,
            "country": str,
            "type": str,
            "date_code": str,
            "date_start": str,
            "date_end": str,
            "quantity": int,
            "photo_id": str,
            "crop_x": int,
            "crop_y": int,
            "crop_w": int,
            "crop_h": int,
            "notes": str,
            "attribution_json": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"item_id", "part_number", "quantity", "created_at", "updated_at"},
        defaults={"quantity": 1},
        foreign_keys=[("item_id", "items", "id"), ("photo_id", "photos", "id")],
    )
    db["components"].create_index(["item_id"])

    db["audit"].create(
        {
            "seq": int,
            "at": str,
            "actor": str,
            "action": str,
            "table_name": str,
            "row_id": str,
            "before_json": str,
            "after_json": str,
            "prev_hash": str,
            "hash": str,
        },
        pk="seq",
        not_null={"at", "actor", "action", "table_name", "row_id", "prev_hash", "hash"},
    )


# The search index: one FTS5 row per item, marking and component, kept in step by triggers.
# Trigram tokens find any part of a word ("22U" finds 9M22U). An index row's rowid is the source
# row's rowid times 4 plus a kind number, so a trigger finds its row without a scan.
SEARCH_KINDS = {"items": 1, "markings": 2, "components": 3}
SEARCH_TEXT = {
    "items": "coalesce({p}.ref,'') || ' ' || coalesce({p}.category,'') || ' ' || coalesce({p}.designation,'') || ' ' || "
    "coalesce({p}.calibre,'') || ' ' || coalesce({p}.origin,'') || ' ' || coalesce({p}.place,'') || ' ' || coalesce({p}.notes,'')",
    "markings": "coalesce({p}.text,'') || ' ' || coalesce({p}.ocr_text,'')",
    "components": "coalesce({p}.part_number,'') || ' ' || coalesce({p}.marking_text,'') || ' ' || coalesce({p}.manufacturer,'')",
}


@migrations()
def m002_search_index(db: Database) -> None:
    """A full-text (FTS5, trigram) index over items, marking texts and part numbers."""
    db.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5(item_id UNINDEXED, text, tokenize = 'trigram')"
    )
    for table, kind in SEARCH_KINDS.items():
        item_id = "{p}.id" if table == "items" else "{p}.item_id"
        values = f"{{p}}.rowid * 4 + {kind}, {item_id}, {SEARCH_TEXT[table]}"
        db.execute(f"INSERT INTO search_index (rowid, item_id, text) SELECT {values.format(p=table)} FROM {table}")
        db.execute(
            f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO search_index (rowid, item_id, text) VALUES ({values.format(p='new')}); END"
        )
        db.execute(
            f"CREATE TRIGGER {table}_search_update AFTER UPDATE ON {table} BEGIN "
            f"DELETE FROM search_index WHERE rowid = old.rowid * 4 + {kind}; "
            f"INSERT INTO search_index (rowid, item_id, text) VALUES ({values.format(p='new')}); END"
        )
        db.execute(
            f"CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM search_index WHERE rowid = old.rowid * 4 + {kind}; END"
        )


@migrations()
def m003_component_summary_indexes(db: Database) -> None:
    """Covering indexes that let `fieldkit summary` group a million components without sorting them."""
    db.execute("CREATE INDEX IF NOT EXISTS components_by_firm ON components (manufacturer, country, quantity)")
    db.execute("CREATE INDEX IF NOT EXISTS components_by_period ON components (date_start, date_end, date_code, quantity)")


# One search document per item: its own fields, its marking texts and its components' part
# numbers, printed markings and makers. The index's rowid is the item's rowid, so a search returns
# items directly and every word of a query must be found in the same item's document.
# Bulk writers (records.insert_many) put a row in `search_suspended` while they insert many
# markings or components, then rebuild the documents of the items they touched.
ITEM_SEARCH_DOCUMENT = """
    coalesce(i.ref, '') || ' ' || coalesce(i.category, '') || ' ' || coalesce(i.designation, '') || ' ' ||
    coalesce(i.calibre, '') || ' ' || coalesce(i.origin, '') || ' ' || coalesce(i.place, '') || ' ' ||
    coalesce(i.notes, '') || ' ' ||
    coalesce((SELECT group_concat(coalesce(m.text, '') || ' ' || coalesce(m.ocr_text, ''), ' ')
              FROM markings m WHERE m.item_id = i.id), '') || ' ' ||
    coalesce((SELECT group_concat(coalesce(c.part_number, '') || ' ' || coalesce(c.marking_text, '') || ' ' ||
                                  coalesce(c.manufacturer, ''), ' ')
              FROM components c WHERE c.item_id = i.id), '')
"""


def _refresh_document(item_id: str) -> str:
    """Trigger SQL that rewrites the search document of the item whose id is `item_id` (an expression)."""
    return (
        f"DELETE FROM item_search WHERE rowid = (SELECT rowid FROM items WHERE id = {item_id}); "
        f"INSERT INTO item_search (rowid, text) SELECT i.rowid, {ITEM_SEARCH_DOCUMENT} FROM items i WHERE i.id = {item_id}; "
    )


@migrations()
def m004_search_by_item(db: Database) -> None:
    """Replace the per-row search index with one document per item, so searches return items at once."""
    for table in SEARCH_KINDS:
        for event in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_search_{event}")
    db.execute("DROP TABLE IF EXISTS search_index")
    db.execute("CREATE VIRTUAL TABLE item_search USING fts5(text, tokenize = 'trigram')")
    db.execute("CREATE TABLE search_suspended (since TEXT)")
    db.execute(f"INSERT INTO item_search (rowid, text) SELECT i.rowid, {ITEM_SEARCH_DOCUMENT} FROM items i")
    db.execute(f"CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN {_refresh_document('new.id')} END")
    db.execute(f"CREATE TRIGGER items_search_update AFTER UPDATE ON items BEGIN {_refresh_document('new.id')} END")
    db.execute("CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN DELETE FROM item_search WHERE rowid = old.rowid; END")
    for table in ("markings", "components"):
        active = "WHEN NOT EXISTS (SELECT 1 FROM search_suspended)"
        db.execute(f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} {active} BEGIN {_refresh_document('new.item_id')} END")
        db.execute(
            f"CREATE TRIGGER {table}_search_update AFTER UPDATE ON {table} {active} BEGIN "
            f"{_refresh_document('old.item_id')} {_refresh_document('new.item_id')} END"
        )
        db.execute(f"CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} {active} BEGIN {_refresh_document('old.item_id')} END")


@migrations()
def m005_catalog_meta(db: Database) -> None:
    """Facts about the catalog itself: a random id that names it wherever its work travels
    (witness log, backups, bundles, dossiers), and settings such as its ref prefix."""
    import uuid

    db.execute("CREATE TABLE catalog_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO catalog_meta (key, value) VALUES ('catalog_id', ?)", [str(uuid.uuid4())])


# Short words. A trigram index cannot find a word of one or two characters: `주체` (juche, a normal
# two-syllable Hangul word), `ОФ` (a Soviet projectile prefix), `TI`. The word index `item_words`
# holds the same document as `item_search`, split into words (unicode61: runs of letters and
# digits, case folded), so that a short query word finds the items with a word that begins with
# it ("주체" finds 주체112, "ОФ" finds ОФ-462). Both documents are rewritten by the same triggers.
def _refresh_documents(item_id: str) -> str:
    """Trigger SQL that rewrites both search documents (trigram and word) of the item `item_id`."""
    rowid = f"(SELECT rowid FROM items WHERE id = {item_id})"
    return (
        f"DELETE FROM item_search WHERE rowid = {rowid}; DELETE FROM item_words WHERE rowid = {rowid}; "
        f"INSERT INTO item_search (rowid, text) SELECT i.rowid, {ITEM_SEARCH_DOCUMENT} FROM items i WHERE i.id = {item_id}; "
        f"INSERT INTO item_words (rowid, text) SELECT rowid, text FROM item_search WHERE rowid = {rowid}; "
    )


@migrations()
def m015_search_short_words(db: Database) -> None:
    """A word index beside the trigram index, so that one- and two-character words are found."""
    # prefix='1 2': one- and two-character prefixes are indexed, so "g*" reads one list instead of merging
    # the lists of every word that begins with g (tens of thousands in a large catalog).
    db.execute("CREATE VIRTUAL TABLE item_words USING fts5(text, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2')")
    db.execute("INSERT INTO item_words (rowid, text) SELECT rowid, text FROM item_search")
    for table in ("items", "markings", "components"):
        for event in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_search_{event}")
    db.execute(f"CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN {_refresh_documents('new.id')} END")
    db.execute(f"CREATE TRIGGER items_search_update AFTER UPDATE ON items BEGIN {_refresh_documents('new.id')} END")
    db.execute(
        "CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN "
        "DELETE FROM item_search WHERE rowid = old.rowid; DELETE FROM item_words WHERE rowid = old.rowid; END"
    )
    for table in ("markings", "components"):
        active = "WHEN NOT EXISTS (SELECT 1 FROM search_suspended)"
        db.execute(f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} {active} BEGIN {_refresh_documents('new.item_id')} END")
        db.execute(
            f"CREATE TRIGGER {table}_search_update AFTER UPDATE ON {table} {active} BEGIN "
            f"{_refresh_documents('old.item_id')} {_refresh_documents('new.item_id')} END"
        )
        db.execute(f"CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} {active} BEGIN {_refresh_documents('old.item_id')} END")


@migrations()
def m015a_items_ref_nocase(db: Database) -> None:
    """An index that finds a ref regardless of case (`khk-0002` finds KHK-0002) without a scan."""
    db.execute("CREATE INDEX IF NOT EXISTS items_ref_nocase ON items (ref COLLATE NOCASE)")


def known_names() -> list[str]:
    """The names of every migration this version of fieldkit knows, in order."""
    return [m.name for m in migrations._migrations]
