"""The schema history of the catalog. The schema is created and changed only here.

Each change is a new function registered on `migrations`, appended at the end and never edited
once released, so an older catalog opens and is upgraded without loss. sqlite-utils records what
has been applied in `_sqlite_migrations`.
"""

from __future__ import annotations

import json

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
# Bulk writers (records.insert_many, records.BulkInsert) put a row in `search_suspended` while they insert many
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
    from fieldkit.catalog.db import new_id

    db.execute("CREATE TABLE catalog_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO catalog_meta (key, value) VALUES ('catalog_id', ?)", [new_id()])


# What m012 adds to each component row; see catalog.components for what each column means.
M012_COLUMNS = {
    "firm_id": "TEXT",
    "attributed_by": "TEXT",
    "basis_id": "TEXT REFERENCES attribution_bases(id)",
    "reference_version_id": "TEXT REFERENCES reference_versions(id)",
    "candidates": "TEXT",
    "entered_manufacturer": "TEXT",
    "entered_country": "TEXT",
    "date_form": "TEXT",
}


def _m012_values(stored: dict) -> dict:
    """The new values of one component row, from the attribution JSON it was stored with
    (basis and version as text; the migration turns them into lookup ids)."""
    from fieldkit.catalog.components import MICROCHIP_WEEKS, NOT_READ

    candidates = stored.get("candidates") or []
    source = stored.get("source")
    basis = "; ".join([stored["basis"], *(f"note: {n}" for n in stored.get("notes") or [])]) if stored.get("basis") else None
    entered = stored.get("entered") or {}
    dated = stored.get("date_code") or {}
    readings = dated.get("readings") or []
    form = " or ".join(dict.fromkeys(r["form"] for r in readings)) or None
    if form and any(str(r.get("label", "")).startswith("Microchip week") for r in readings):
        form += f", {MICROCHIP_WEEKS}"
    return {
        "firm_id": stored.get("firm_id"),
        "attributed_by": "ambiguous" if source == "none" and len(candidates) > 1 else source,
        "candidates": json.dumps([{k: c.get(k) for k in ("firm_id", "firm", "country", "matched_by", "matched")}
                                  for c in candidates], ensure_ascii=False, separators=(",", ":"))
        if len(candidates) > 1 else None,
        "entered_manufacturer": entered.get("manufacturer"),
        "entered_country": entered.get("country"),
        "date_form": form if form else (NOT_READ if dated else None),
        "basis_id": basis,
        "reference_version_id": stored.get("reference_version") or None,
    }


def m012_component_row(row: dict) -> dict:
    """A component row in the shape before m012 (with `attribution_json`), as m012 rewrites it: the
    JSON dropped and its facts in the M012_COLUMNS (`_m012_values`), all NULL if it had none. The
    basis and the table version stay texts under `basis_id` and `reference_version_id`; the caller
    stores them as lookup ids. A row of another shape is returned as it is.

    For the rows that outlive the migration in another table: a team-merge conflict recorded in a
    catalog before m012 keeps both versions of the component as they were (fieldkit.team.conflicts).
    """
    if "attribution_json" not in row:
        return row
    text = row["attribution_json"]
    values = _m012_values(json.loads(text)) if text is not None else dict.fromkeys(M012_COLUMNS)
    return {**{k: v for k, v in row.items() if k != "attribution_json"}, **values}


@migrations()
def m012_component_rows(db: Database) -> None:
    """Component attribution in plain columns instead of a JSON blob per row; each distinct basis
    and table version stored once, in `attribution_bases` and `reference_versions`, whose id is
    a hash of the text (`catalog.lookups`), so that it is the same in every catalog.

    Nothing is lost: each row's former `attribution_json` is kept in `component_attribution_m011`
    (component_id, attribution_json), as the audit log also holds it. The new lookup rows are
    audited one by one; the rewritten component rows by one bulk audit event (action "migrate",
    see catalog.audit.BulkEvent), so the old chain still verifies and `verify` checks every row's
    new state. `audit_rows` (the per-row hashes of bulk events) is created here.
    """
    from fieldkit.catalog import audit
    from fieldkit.catalog.db import now

    from fieldkit.catalog.lookups import lookup_key

    db.execute("CREATE TABLE reference_versions (id TEXT PRIMARY KEY, version TEXT NOT NULL UNIQUE)")
    db.execute("CREATE TABLE attribution_bases (id TEXT PRIMARY KEY, basis TEXT NOT NULL UNIQUE)")
    db.execute(f"CREATE TABLE {audit.BULK_TABLE} (seq INTEGER NOT NULL, n INTEGER NOT NULL, row_id TEXT NOT NULL, "
               "sha256 TEXT NOT NULL, PRIMARY KEY (seq, n)) WITHOUT ROWID")
    db.execute("CREATE TABLE component_attribution_m011 (component_id TEXT PRIMARY KEY, attribution_json TEXT NOT NULL)")
    db.execute("INSERT INTO component_attribution_m011 SELECT id, attribution_json FROM components "
               "WHERE attribution_json IS NOT NULL")
    for name, kind in M012_COLUMNS.items():
        db.execute(f"ALTER TABLE components ADD COLUMN {name} {kind}")
    stamp = now()
    lookups = {"basis_id": ("attribution_bases", "basis", {}), "reference_version_id": ("reference_versions", "version", {})}
    updates = []
    for rowid, text in db.execute("SELECT rowid, attribution_json FROM components WHERE attribution_json IS NOT NULL").fetchall():
        values = _m012_values(json.loads(text))
        for column, (table, text_column, ids) in lookups.items():
            value = values[column]
            if value is not None and value not in ids:
                ids[value] = lookup_key(value)
                row = {"id": ids[value], text_column: value}
                db[table].insert(row)
                audit.record(db, at=stamp, actor="fieldkit", action="insert", table=table, row_id=str(row["id"]),
                             before=None, after=row)
            values[column] = ids.get(value)
        updates.append([*(values[name] for name in M012_COLUMNS), rowid])
    db.conn.executemany(f"UPDATE components SET {', '.join(f'{n} = ?' for n in M012_COLUMNS)} WHERE rowid = ?", updates)
    db.execute("ALTER TABLE components DROP COLUMN attribution_json")
    cursor = db.execute("SELECT * FROM components ORDER BY rowid")
    columns = [d[0] for d in cursor.description]
    event = audit.BulkEvent(db, table="components", action="migrate", event_id="m012_component_rows")
    for values in cursor:
        event.add(dict(zip(columns, values)))
    if event.count:
        event.finish(at=stamp, actor="fieldkit", details={
            "migration": "m012_component_rows",
            "note": "attribution_json moved to plain columns; former values in component_attribution_m011",
        })


@migrations()
def m016_team_merges(db: Database) -> None:
    """What merging other catalogs' work needs: their audit entries as they wrote them (each origin's
    own chain), the merges done, the conflicts kept, and the row versions already seen."""
    db.execute(
        "CREATE TABLE foreign_audit (origin_catalog TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, "
        "actor TEXT NOT NULL, action TEXT NOT NULL, table_name TEXT NOT NULL, row_id TEXT NOT NULL, "
        "before_json TEXT, after_json TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, "
        "PRIMARY KEY (origin_catalog, seq))"
    )
    db.execute("CREATE INDEX foreign_audit_by_row ON foreign_audit (table_name, row_id)")
    db.execute(
        "CREATE TABLE merges (id TEXT PRIMARY KEY, origin_catalog TEXT NOT NULL, origin_actor TEXT, "
        "signer TEXT, signer_fingerprint TEXT, unsigned INTEGER NOT NULL, source TEXT NOT NULL, "
        "bundle_created_at TEXT, head_seq INTEGER, head_hash TEXT, merged_at TEXT NOT NULL, "
        "merged_by TEXT NOT NULL, summary_json TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE conflicts (id TEXT PRIMARY KEY, table_name TEXT NOT NULL, row_id TEXT NOT NULL, "
        "ours_json TEXT, theirs_json TEXT NOT NULL, origin_catalog TEXT NOT NULL, merge_id TEXT NOT NULL, "
        "opened_at TEXT NOT NULL, resolved_at TEXT, resolution TEXT, resolved_by TEXT)"
    )
    db.execute("CREATE INDEX conflicts_open ON conflicts (resolved_at, table_name, row_id)")
    db.execute(
        "CREATE TABLE merge_seen (table_name TEXT NOT NULL, row_id TEXT NOT NULL, version TEXT NOT NULL, "
        "PRIMARY KEY (table_name, row_id, version)) WITHOUT ROWID"
    )


@migrations()
def m017_photo_provenance(db: Database) -> None:
    """What a photo's own provenance says, read at ingest (fieldkit/evidence/provenance.py): the
    C2PA Content Credentials' status, signer, claim generator and capture time, and whether the
    EXIF looks edited. One row per photo; photos ingested before this step have none."""
    db["photo_provenance"].create(
        {
            "photo_id": str,
            "c2pa_status": str,
            "signer": str,
            "claim_generator": str,
            "capture_time": str,
            "exif_edited": int,
            "result_json": str,
            "checked_at": str,
        },
        pk="photo_id",
        not_null={"c2pa_status", "result_json", "checked_at"},
        foreign_keys=[("photo_id", "photos", "id")],
    )


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


# Merged search indexes. Every flush of an FTS5 index writes a new segment, and automerge leaves up
# to a few dozen of them in a large catalog (24 in the 100,000-item benchmark catalog); a query reads
# each term in every segment, so a search for words found in every item took 150-240 ms. 'optimize'
# merges each index into one segment: the same rows, found 2-3x faster as a set and 20x faster item
# by item (search.where_clause checks common words item by item). search.resume merges again after
# a bulk write of many items.
SEARCH_INDEXES = ("item_search", "item_words")


def merge_search_indexes(db: Database) -> None:
    """Merge each search index into one segment (FTS5 'optimize'): nothing found changes."""
    for table in SEARCH_INDEXES:
        db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")


@migrations()
def m019_search_merged(db: Database) -> None:
    """Merge the search indexes into one segment each, so that searching a large catalog is fast."""
    merge_search_indexes(db)


@migrations()
def m020_merged_digests(db: Database) -> None:
    """Bind what earlier merges wrote: the SHA-256 of `foreign_audit` and of `merge_seen` as they are,
    recorded as audited catalog settings, as every merge records them since (fieldkit.team.provenance),
    so that a row replaced by another is found. Nothing for a catalog that never merged, and nothing
    where a digest is recorded: run again (its row removed from `_sqlite_migrations` with sqlite3),
    it must not record a table changed since as the one the merges left."""
    if db.execute("SELECT 1 FROM merges LIMIT 1").fetchone() is None:
        return
    from fieldkit.catalog.db import now
    from fieldkit.team.provenance import record_digests

    record_digests(db, at=now(), actor="fieldkit", only_missing=True)


def known_names() -> list[str]:
    """The names of every migration this version of fieldkit knows, in order."""
    return [m.name for m in migrations._migrations]
