"""Search: any part of a word, across items, their marking texts and their part numbers."""

from __future__ import annotations

import pytest

from fieldkit.catalog import items, records
from fieldkit.catalog.db import new_id, now


def add_child(catalog, table, item, **values):
    stamp = now()
    base = {"id": new_id(), "item_id": item["id"], "created_at": stamp, "updated_at": stamp}
    if table == "markings":
        base["source"] = "manual"
    return records.insert(catalog, table, base | values)


@pytest.fixture
def two_items(catalog):
    rocket = items.add_item(catalog, {"category": "rocket", "designation": "9M22U", "place": "Kharkiv"})
    missile = items.add_item(catalog, {"category": "missile debris", "designation": "Hwasong-11"})
    return rocket, missile


def refs(catalog, query):
    return [row["ref"] for row in items.list_items(catalog, query)]


def test_part_of_a_designation_finds_the_item(catalog, two_items):
    assert refs(catalog, "22U") == ["FK-0001"]
    assert refs(catalog, "hwas") == ["FK-0002"]


def test_marking_texts_and_part_numbers_find_their_item(catalog, two_items):
    rocket, missile = two_items
    add_child(catalog, "markings", rocket, text="9М22У 4-23")
    add_child(catalog, "components", missile, part_number="ADXL345", manufacturer="Analog Devices")
    assert refs(catalog, "4-23") == ["FK-0001"]
    assert refs(catalog, "xl34") == ["FK-0002"]
    assert refs(catalog, "analog") == ["FK-0002"]


def test_every_word_must_match_somewhere_in_the_item(catalog, two_items):
    rocket, _ = two_items
    add_child(catalog, "components", rocket, part_number="STM32F405")
    assert refs(catalog, "kharkiv stm32") == ["FK-0001"]
    assert refs(catalog, "hwasong stm32") == []


def test_the_index_follows_edits_and_deletes(catalog, two_items):
    items.update_item(catalog, "FK-0001", {"designation": "9M27F"})
    assert refs(catalog, "22U") == []
    assert refs(catalog, "27F") == ["FK-0001"]
    items.delete_item(catalog, "FK-0001")
    assert refs(catalog, "27F") == []
    assert catalog.db.execute("SELECT count(*) FROM item_search").fetchone()[0] == 1


@pytest.mark.parametrize("query", ['"', "'", 'a"b', "OR", "NEAR(", "*", "--", "%", "_", "; DROP TABLE items", "\\"])
def test_search_metacharacters_are_plain_text(catalog, two_items, query):
    assert refs(catalog, query) == []
    assert items.count_items(catalog) == 2


def test_short_words_match_the_items_own_fields(catalog, two_items):
    assert refs(catalog, "9M") == ["FK-0001"]


def test_components_added_in_bulk_are_found(catalog, two_items):
    from fieldkit.catalog.db import new_id, now

    _, missile = two_items
    stamp = now()
    rows = [
        {"id": new_id(), "item_id": missile["id"], "part_number": f"LTC{n:04d}", "quantity": 1, "created_at": stamp, "updated_at": stamp}
        for n in range(300)
    ]
    records.insert_many(catalog, "components", rows)
    assert refs(catalog, "LTC0299") == ["FK-0002"]
    assert catalog.db.execute("SELECT count(*) FROM search_suspended").fetchone()[0] == 0
    add_child(catalog, "components", missile, part_number="ADXL345")
    assert refs(catalog, "adxl ltc0001") == ["FK-0002"]


def test_a_bulk_import_indexes_each_distinct_value_once_and_finds_the_same_items(catalog, tmp_path):
    """The bulk rebuild writes each distinct part number and maker of an item once; a search finds
    exactly what the full per-row document (rebuilt by the triggers on any edit) finds."""
    from component_fixtures import fixture_index, write_khk_csv
    from fieldkit.components.importer import import_components

    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    items.add_item(catalog, {"ref": "OTHER-1", "category": "rocket", "notes": "Texas"})
    import_components(catalog, "KHK-0001", write_khk_csv(tmp_path / "khk.csv"), index=fixture_index())
    words = ["ADXL", "Texas", "Instruments", "Analog", "STM32", "345", "missile", "KHK", "zzz-none"]
    bulk = {w: [r["ref"] for r in items.list_items(catalog, w)] for w in words}
    document = catalog.db.execute("SELECT text FROM item_search WHERE rowid = (SELECT rowid FROM items WHERE ref = 'KHK-0001')").fetchone()[0]
    items.update_item(catalog, "KHK-0001", {"notes": "re-indexed"})  # the trigger writes the full document
    full = catalog.db.execute("SELECT text FROM item_search WHERE rowid = (SELECT rowid FROM items WHERE ref = 'KHK-0001')").fetchone()[0]
    assert len(document) < len(full)
    assert {w: [r["ref"] for r in items.list_items(catalog, w)] for w in words} == bulk
    assert bulk["ADXL"] == ["KHK-0001"] and bulk["Texas"] == ["KHK-0001", "OTHER-1"] and bulk["zzz-none"] == []


@pytest.mark.parametrize("query, found", [
    ("주체", "FK-0001"),     # a two-syllable Hangul word, stamped as 주체112
    ("ОФ", "FK-0002"),       # a Cyrillic projectile prefix, as in ОФ-462
    ("оф", "FK-0002"),       # case folded
    ("TI", "FK-0002"),       # a two-letter brand among a component's makers
    ("Z", "FK-0001"),        # one character: the start of Z-21
])
def test_short_words_in_markings_and_components_are_found(catalog, two_items, query, found):
    rocket, missile = two_items
    add_child(catalog, "markings", rocket, text="주체112 Z-21")
    add_child(catalog, "markings", missile, text="ОФ-462")
    add_child(catalog, "components", missile, part_number="LM358", manufacturer="TI")
    assert refs(catalog, query) == [found]


def test_a_short_word_matches_the_start_of_a_word_and_combines_with_long_ones(catalog, two_items):
    rocket, missile = two_items
    add_child(catalog, "markings", rocket, text="주체112")
    add_child(catalog, "markings", missile, text="주체113")
    assert refs(catalog, "주체") == ["FK-0001", "FK-0002"]
    assert refs(catalog, "주체 22U") == ["FK-0001"]
    assert refs(catalog, "체") == []  # not the start of a word
    assert items.count_items(catalog, "주체") == 2


def test_the_word_index_follows_edits_deletes_and_bulk_writes(catalog, two_items):
    rocket, missile = two_items
    marking = add_child(catalog, "markings", rocket, text="ОФ-462")
    assert refs(catalog, "ОФ") == ["FK-0001"]
    records.update(catalog, "markings", {"id": marking["id"]}, {"text": "OF-462"})
    assert refs(catalog, "ОФ") == [] and refs(catalog, "OF") == ["FK-0001"]
    stamp = now()
    records.insert_many(catalog, "components", [
        {"id": new_id(), "item_id": missile["id"], "part_number": "AD8", "manufacturer": "ST", "quantity": 1,
         "created_at": stamp, "updated_at": stamp}])
    assert refs(catalog, "ST") == ["FK-0002"]
    items.delete_item(catalog, "FK-0002")
    assert refs(catalog, "ST") == []
    assert catalog.db.execute("SELECT count(*) FROM item_words").fetchone()[0] == 1


def test_a_common_short_word_checked_item_by_item_finds_the_same_items(catalog, two_items, monkeypatch):
    from fieldkit.catalog import search

    rocket, missile = two_items
    add_child(catalog, "markings", rocket, text="주체112")
    add_child(catalog, "markings", missile, text="주체113 ОФ-462")
    by_set = {q: refs(catalog, q) for q in ("주체", "ОФ", "주체 ОФ", "주체 113", "z")}
    monkeypatch.setattr(search, "COMMON", 1)  # every short word counts as common: looked up item by item
    assert "EXISTS" in search.where_clause("주체", catalog.db)[0]
    assert {q: refs(catalog, q) for q in by_set} == by_set
    assert by_set["주체"] == ["FK-0001", "FK-0002"] and by_set["주체 ОФ"] == ["FK-0002"]


def _many_items(catalog, n):
    """n items in shuffled ref order: every one 'generated', every third a Kharkiv find, every 50th
    from Sumy, the others from Izium."""
    import random

    numbers = list(range(1, n + 1))
    random.Random(7).shuffle(numbers)  # rowid order is not ref order
    stamp = now()
    rows = [{"id": new_id(), "ref": f"G-{k:04d}", "category": "rocket", "designation": f"generated item {k}",
             "place": "Sumy" if k % 50 == 0 else "Kharkiv" if k % 3 == 0 else "Izium", "created_at": stamp, "updated_at": stamp} for k in numbers]
    records.insert_many(catalog, "items", rows)


def test_words_in_most_items_checked_item_by_item_find_the_same_items_in_the_same_order(catalog, monkeypatch):
    """Issue 14 point 20: long words found in most items are checked item by item in list order (a
    first page without reading and sorting every match); the items and their order are the same as
    when read as a set, and so is every page."""
    from fieldkit.catalog import search

    _many_items(catalog, 600)
    queries = ("generated", "generated item", "generated item 5", "generated item 51", "item kharkiv", "kharkiv",
               "izium 7", "sumy", "SUMY generated", "ITEM 1")
    assert "fieldkit_has_words" in search.where_clause("generated item", catalog.db)[0]  # every item: item by item
    assert "fieldkit_has_words" not in search.where_clause("sumy", catalog.db)[0]  # 12 items: a set
    dense = {q: [r["ref"] for r in items.list_items(catalog, q, limit=50, offset=100)] for q in queries}
    whole = {q: refs(catalog, q) for q in queries}
    monkeypatch.setattr(search, "_dense", lambda db, match: False)
    assert {q: [r["ref"] for r in items.list_items(catalog, q, limit=50, offset=100)] for q in queries} == dense
    assert {q: refs(catalog, q) for q in queries} == whole
    assert len(whole["generated"]) == 600 and whole["generated"] == sorted(whole["generated"])
    assert whole["generated item 51"] == ["G-0051"] + [f"G-{k:04d}" for k in range(510, 520)]


def test_a_bulk_write_touching_many_items_leaves_each_search_index_in_one_segment(catalog, monkeypatch):
    from fieldkit.catalog import search

    monkeypatch.setattr(search, "MERGE_AFTER", 100)
    _many_items(catalog, 150)  # one trigger run per item: many segments
    item_ids = [row[0] for row in catalog.db.execute("SELECT id FROM items")]
    assert catalog.db.execute("SELECT count(DISTINCT segid) FROM item_search_idx").fetchone()[0] > 1
    stamp = now()
    rows = [{"id": new_id(), "item_id": item_id, "part_number": f"LTC{n:04d}", "quantity": 1, "created_at": stamp,
             "updated_at": stamp} for n, item_id in enumerate(item_ids)]
    records.insert_many(catalog, "components", rows)  # a bulk write: 150 items' documents rebuilt, then merged
    for table in ("item_search", "item_words"):
        assert catalog.db.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()[0] == 1
    assert len(refs(catalog, "generated")) == 150 and refs(catalog, "LTC0007") == refs(catalog, "ltc0007 generated")


@pytest.mark.parametrize(("document", "words", "found"), [
    ("G-1 rocket 9М22У 4-23", "9м22у", True), ("주체112 LOT", "주체11 lot", True), ("Analog Devices", "ANALOG dev", True),
    ("Analog Devices", "analog xyz", False), (None, "abc", False), ("Straße", "STRASSE", True),
])
def test_the_item_by_item_test_finds_every_word_case_folded(document, words, found):
    from fieldkit.catalog.search import _has_words

    assert _has_words(document, words) is found
