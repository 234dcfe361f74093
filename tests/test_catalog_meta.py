"""The catalog's own id: made once, kept across openings, different for every catalog."""

from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.meta import catalog_id, get_meta, set_meta


def test_a_new_catalog_has_an_id_that_stays_the_same_when_reopened(tmp_path):
    first = open_catalog(tmp_path / "a.db")
    made = catalog_id(first.db)
    first.close()
    again = open_catalog(tmp_path / "a.db")
    assert catalog_id(again.db) == made
    again.close()


def test_two_catalogs_have_different_ids(tmp_path):
    a, b = open_catalog(tmp_path / "a.db"), open_catalog(tmp_path / "b.db")
    assert catalog_id(a.db) != catalog_id(b.db)
    a.close(), b.close()


def test_a_setting_is_stored_and_replaced(catalog):
    assert get_meta(catalog.db, "ref_prefix") is None
    with catalog.transaction() as db:
        set_meta(db, "ref_prefix", "KHK")
        set_meta(db, "ref_prefix", "KRK")
    assert get_meta(catalog.db, "ref_prefix") == "KRK"
