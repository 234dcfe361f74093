"""A generated catalog (small here; full size in bench/scale.py): the app searches it and opens an item."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from textual.widgets import DataTable

from fieldkit.catalog import audit, items
from fieldkit.catalog.db import open_catalog
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.item import ItemScreen

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_catalog", BENCH / "generate_catalog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "generated.db"
    load_generator().generate(path, items=2_000, components=20_000, photos=50, markings=2_000, seed=7)
    return path


def test_the_generated_catalog_is_what_fieldkit_would_have_written(generated):
    catalog = open_catalog(generated)
    assert items.count_items(catalog) == 2_000
    assert catalog.db["components"].count == 20_000
    assert audit.check_chain(catalog.db) == []
    catalog.close()


async def test_searching_a_part_number_and_opening_the_item(generated):
    catalog = open_catalog(generated)
    part, ref = catalog.db.execute(
        "SELECT c.part_number, i.ref FROM components c JOIN items i ON i.id = c.item_id ORDER BY c.rowid LIMIT 1"
    ).fetchone()
    expected = {row["ref"] for row in items.list_items(catalog, part)}
    catalog.close()
    assert ref in expected

    app = make_app(generated, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 200  # the first page only: rows are fetched as you scroll
        await pilot.press("slash", *part)
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert shown == expected
        row = [str(table.get_row_at(i)[0]) for i in range(table.row_count)].index(ref)
        table.move_cursor(row=row)
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen)
        assert app.screen.ref == ref


async def test_scrolling_down_fetches_the_next_page(generated):
    app = make_app(generated, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 200
        await pilot.press("ctrl+end")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.row_count == 400
        assert str(table.get_row_at(399)[0]) == "G-000400"
