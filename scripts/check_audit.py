"""Check a fieldkit catalog's audit log with nothing but Python's standard library.

    python3 check_audit.py CATALOG.db     # prints each problem; exit 0 if none, 1 otherwise

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


def canonical(row):
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


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
            for (t, r), (k, v) in last.items():  # each component's attribution_json as the log last recorded it
                if t == "components" and k == "json" and v and json.loads(v).get("attribution_json") is not None:
                    archived[r] = json.loads(v)["attribution_json"]
        if entry["action"] in ("import", "migrate"):  # a bulk event: its rows' hashes are in audit_rows
            event, root, count = json.loads(entry["after_json"]), hashlib.sha256(), 0
            for row_id, digest in db.execute("SELECT row_id, sha256 FROM audit_rows WHERE seq = ? ORDER BY n", [entry["seq"]]):
                root.update(f"{row_id} {digest}\n".encode("utf-8"))
                count += 1
                last[(entry["table_name"], row_id)] = ("sha256", digest)
            if (count, root.hexdigest()) != (event["rows"], event["rows_sha256"]):
                problems.append(f"audit row {entry['seq']}: its audit_rows were changed")
        else:
            last[(entry["table_name"], entry["row_id"])] = ("json", entry["after_json"])
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table, key in {**TABLES, **RECORDED}.items():
        for row in (db.execute(f"SELECT * FROM {table}") if table in names else []):
            row = dict(row)
            row_id = "/".join(str(row[k]) for k in key)
            kind, value = last.pop((table, row_id), ("json", None))
            if (table, row_id, value) == ("catalog_meta", "catalog_id", None):
                continue  # made with the catalog and not audited; the witness log records it
            text = canonical({"value": row["value"]} if table == "catalog_meta" else row)
            if value != (text if kind == "json" else hashlib.sha256(text.encode("utf-8")).hexdigest()):
                problems.append(f"{table} {row_id}: differs from its last audit record")
    problems += [f"{t} {r}: in the audit log but missing" for (t, r), (k, v) in last.items()
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
    return problems


if __name__ == "__main__":
    found = check(sys.argv[1])
    print("\n".join(found) or "audit log intact")
    sys.exit(1 if found else 0)
