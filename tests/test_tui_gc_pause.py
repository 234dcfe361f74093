"""The cycle collector, paused from the app's start, runs again once the catalog's first page is
painted (fieldkit.tui.gc_pause); a collector nobody paused is left alone."""

from __future__ import annotations

import gc

import pytest
from textual.widgets import DataTable

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.tui import gc_pause
from fieldkit.tui.app import make_app


@pytest.fixture
def collector():
    """Leave the collector as the test found it: enabled, nothing frozen."""
    yield
    gc_pause.resume()
    gc.unfreeze()
    gc.enable()


async def test_the_collector_paused_at_start_runs_again_once_the_first_page_is_painted(db_path, collector):
    catalog = open_catalog(db_path, actor="seed")
    items.add_item(catalog, {"category": "rocket", "designation": "9M22U"})
    catalog.close()
    gc_pause.pause()
    assert not gc.isenabled()
    app = make_app(db_path, actor="t", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one(DataTable)
        while not table.row_count:
            assert not gc.isenabled()  # still paused: no page yet
            await pilot.pause()
        await pilot.pause()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what start-up made is frozen, out of later collections


async def test_resume_leaves_a_collector_nobody_paused_alone(collector):
    assert gc.isenabled()
    gc_pause.resume()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()  # stopped by someone else: not fieldkit's to start
    gc_pause.pause()
    gc_pause.resume()
    assert not gc.isenabled()


def test_the_collector_runs_again_when_the_app_cannot_start(tmp_path, collector, capsys):
    """`fieldkit` with no command pauses the collector before it imports the app; a catalog that
    cannot be opened ends the pause with the one-line error."""
    from fieldkit.cli.base import cli

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a catalog" * 100)
    try:
        cli.main(["--db", str(junk)], standalone_mode=False)
    except SystemExit:
        pass
    assert "is not a SQLite database" in capsys.readouterr().err
    assert gc.isenabled()
