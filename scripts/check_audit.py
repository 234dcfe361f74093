"""Check a fieldkit catalog's audit log with nothing but Python's standard library.

    python3 check_audit.py CATALOG.db     # prints each problem; exit 0 if none, 1 otherwise, 2 if unreadable

The format it checks is described in README.md ("The audit log").
"""

import hashlib
import json
import sqlite3
import sys

FIELDS = ["seq", "at", "actor", "action", "table_name", "row_id", "before_json", "after_json", "prev_hash"]
TABLES = {"items": ["id"], "photos": ["id"], "item_photos": ["item_id", "photo_id"], "markings": ["id"],
          "components": ["id"], "reference_versions": ["id"], "attribution_bases": ["id"],
          "photo_provenance": ["photo_id"]}
# compared too: catalog settings (a setting's record is {"value": ...}), merges and conflicts
RECORDED = {"catalog_meta": ["key"], "merges": ["id"], "conflicts": ["id"]}
# written by merges only, each bound by the SHA-256 the last merge recorded in catalog_meta ("<table>_sha256")
BOUND = {"foreign_audit": "origin_catalog, seq, at, actor, action, table_name, row_id, before_json, after_json, "
                          "prev_hash, hash FROM foreign_audit ORDER BY origin_catalog, seq",
         "merge_seen": "table_name, row_id, version FROM merge_seen ORDER BY table_name, row_id, version"}
# each item's search document: the words of its own fields, its marking texts, its components' part numbers,
# printed markings and makers
DOCUMENT = """coalesce(i.ref,'')||' '||coalesce(i.category,'')||' '||coalesce(i.designation,'')||' '||
    coalesce(i.calibre,'')||' '||coalesce(i.origin,'')||' '||coalesce(i.place,'')||' '||coalesce(i.notes,'')||' '||
    coalesce((SELECT group_concat(coalesce(text,'')||' '||coalesce(ocr_text,''),' ') FROM markings WHERE item_id = i.id),'')||' '||
    coalesce((SELECT group_concat(coalesce(part_number,'')||' '||coalesce(marking_text,'')||' '||coalesce(manufacturer,''),' ')
              FROM components WHERE item_id = i.id),'')"""
REBUILD = "run `fieldkit verify --rebuild-search`"


def canonical(row):
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def parsed(text, seq, column, problems):
    """The JSON object in an audit row's column, or None (and a problem) if it is not one."""
    try:
        value = json.loads(text) if text is not None else None
    except ValueError:
        value = "not JSON"
    if value is not None and not isinstance(value, dict):
        problems.append(f"audit row {seq}: its {column} is not a JSON object, so it was changed after it was written; "
                        "restore the catalog from a backup")
        return None
    return value


def fts_intact(db, table):
    """FTS5's own integrity-check of a search index, on a copy (the catalog is only read)."""
    copy = sqlite3.connect(":memory:")
    try:
        copy.execute(db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0])
        for shadow in ("data", "idx", "content", "docsize", "config"):
            copy.execute(f"DELETE FROM {table}_{shadow}")
            rows = db.execute(f"SELECT * FROM {table}_{shadow}").fetchall()
            if rows:
                copy.executemany(f"INSERT INTO {table}_{shadow} VALUES ({', '.join('?' * len(rows[0]))})", map(tuple, rows))
        copy.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
        return True
    except sqlite3.DatabaseError:
        return False


def check(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    problems, prev, last, archived = [], "0" * 64, {}, {}
    for n, entry in enumerate(db.execute(f"SELECT {', '.join(FIELDS)}, hash FROM audit ORDER BY seq"), 1):
        fields = [entry[f] for f in FIELDS]
        payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if entry["seq"] != n or entry["prev_hash"] != prev or hashlib.sha256(payload).hexdigest() != entry["hash"]:
            problems.append(f"audit row {entry['seq']}: the chain is broken here")
        prev = entry["hash"]
        if (entry["table_name"], entry["row_id"]) == ("components", "m012_component_rows"):  # m012 archives
            for (t, r), (k, v, s) in last.items():  # each component's attribution_json as the log last recorded it
                row = parsed(v, s, "after_json", []) if t == "components" and k == "json" else None
                if row and row.get("attribution_json") is not None:
                    archived[r] = row["attribution_json"]
        if entry["action"] in ("import", "migrate"):  # a bulk event: its rows' hashes are in audit_rows
            event, root, count = parsed(entry["after_json"], entry["seq"], "after_json", problems) or {}, hashlib.sha256(), 0
            for row_id, digest in db.execute("SELECT row_id, sha256 FROM audit_rows WHERE seq = ? ORDER BY n", [entry["seq"]]):
                root.update(f"{row_id} {digest}\n".encode("utf-8"))
                count += 1
                last[(entry["table_name"], row_id)] = ("sha256", digest, entry["seq"])
            if (count, root.hexdigest()) != (event.get("rows"), event.get("rows_sha256")):
                problems.append(f"audit row {entry['seq']}: its audit_rows were changed")
        else:
            parsed(entry["before_json"], entry["seq"], "before_json", problems)
            parsed(entry["after_json"], entry["seq"], "after_json", problems)
            last[(entry["table_name"], entry["row_id"])] = ("json", entry["after_json"], entry["seq"])
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table, key in {**TABLES, **RECORDED}.items():
        for row in (db.execute(f"SELECT * FROM {table}") if table in names else []):
            row = dict(row)
            row_id = "/".join(str(row[k]) for k in key)
            kind, value, _ = last.pop((table, row_id), ("json", None, 0))
            if (table, row_id, value) == ("catalog_meta", "catalog_id", None):
                continue  # made with the catalog and not audited; the witness log records it
            text = canonical({"value": row["value"]} if table == "catalog_meta" else row)
            if value != (text if kind == "json" else hashlib.sha256(text.encode("utf-8")).hexdigest()):
                problems.append(f"{table} {row_id}: differs from its last audit record")
    problems += [f"{t} {r}: in the audit log but missing" for (t, r), (k, v, s) in last.items()
                 if (t in TABLES or t in RECORDED) and v is not None]
    for component_id, text in (db.execute("SELECT * FROM component_attribution_m011")
                               if "component_attribution_m011" in names else []):
        if archived.pop(component_id, None) != text:
            problems.append(f"component_attribution_m011 {component_id}: differs from its last audit record")
    problems += [f"component_attribution_m011 {r}: in the audit log but missing" for r in archived]
    if "merges" in names:  # entries of merged catalogs: as many as the merges kept
        counts = {"foreign_entries": [], "versions_seen": []}  # each merge's summary counts what it added
        for (summary,) in db.execute("SELECT summary_json FROM merges"):
            try:
                for key, found in counts.items():
                    found.append(json.loads(summary).get(key))
            except (ValueError, AttributeError):
                pass  # an edited merges row: reported above
        for table, key in (("foreign_audit", "foreign_entries"), ("merge_seen", "versions_seen")):
            if None not in counts[key]:  # merges before s6 did not count versions_seen
                if db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] != sum(counts[key]):
                    problems.append(f"{table}: not the {sum(counts[key])} rows the merges added")
        meta = dict(db.execute("SELECT key, value FROM catalog_meta").fetchall())
        for table, query in BOUND.items():  # the rows themselves: as the last merge left them
            sha = hashlib.sha256()
            for row in db.execute(f"SELECT {query}"):
                sha.update((json.dumps(list(row), ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8"))
            if meta.get(f"{table}_sha256", sha.hexdigest()) != sha.hexdigest():
                problems.append(f"{table}: not the rows the last merge left ({table}_sha256 in catalog_meta); "
                                "restore the catalog from a backup")
    if "search_suspended" in names and db.execute("SELECT 1 FROM search_suspended").fetchone():
        problems.append(f"search_suspended: holds a row, so search no longer follows the rows; {REBUILD}")
    if "item_search" in names:  # the search indexes: derived from the rows, so compared with them
        words = "item_words" in names
        join = "LEFT JOIN item_words_content w ON w.id = i.rowid" if words else ""
        for ref, document, found, copy in db.execute(
                f"SELECT i.ref, {DOCUMENT}, s.c0, {'w.c0' if words else 's.c0'} FROM items i "
                f"LEFT JOIN item_search_content s ON s.id = i.rowid {join}"):
            if found != document and (found is None or set(found.split()) != set(document.split())) or copy != found:
                problems.append(f"item {ref}: its search document does not hold the words of its rows; {REBUILD}")
        for table in ("item_search", "item_words") if words else ("item_search",):
            if db.execute(f"SELECT 1 FROM {table}_content WHERE id NOT IN (SELECT rowid FROM items)").fetchone():
                problems.append(f"{table}: holds a document of no item; {REBUILD}")
            if not fts_intact(db, table):
                problems.append(f"{table}: the index does not match its documents; {REBUILD}")
    return problems


if __name__ == "__main__":
    try:
        found = check(sys.argv[1])
    except (sqlite3.Error, UnicodeError) as exc:  # not a catalog, or bytes that are not text
        print(f"{sys.argv[1]}: cannot be read as a fieldkit catalog ({exc}); check the path, or restore from a backup")
        sys.exit(2)
    print("\n".join(found) or "audit log intact")
    sys.exit(1 if found else 0)
