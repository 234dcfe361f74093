"""Shared fixtures: a fresh catalog file in a temporary directory for each test, a private user data
dir, and hypothesis's CI profile."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# In CI (CI=true) hypothesis draws the same examples on every run, so a run cannot fail by chance;
# a failure found there is found again. Locally it searches afresh each run, as it should.
# Profiles registered in test modules after this one (tests/test_fuzz.py) inherit it.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# An OCR engine process the developer started (`fieldkit ocr-engine start`) would read for the tests'
# `fieldkit ocr` runs, past what they patch in this process: the tests read in-process.
# tests/test_ocr_engine_process.py starts engines of its own and clears this for them.
os.environ["FIELDKIT_OCR_ENGINE"] = "off"

from fieldkit.catalog.db import open_catalog


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "catalog.db"


@pytest.fixture
def catalog(db_path):
    catalog = open_catalog(db_path, actor="tester")
    yield catalog
    catalog.close()


def khk_catalog(path, *, components=(), markings=()):
    """A catalog file with one item, KHK-0001, and the given components (dicts) and markings (texts)."""
    from fieldkit.catalog import components as components_core
    from fieldkit.catalog import items
    from fieldkit.catalog.markings import add_marking

    catalog = open_catalog(path, actor="t")
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    for component in components:
        components_core.add_component(catalog, "KHK-0001", component)
    for text in markings:
        add_marking(catalog, "KHK-0001", text)
    catalog.close()
    return path


async def open_item_tab(pilot, key: str) -> None:
    """From the catalog screen: open the highlighted item, then switch to a tab (f2 to f5)."""
    await pilot.app.workers.wait_for_complete()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(key)
    await pilot.pause()


@pytest.fixture(scope="session", autouse=True)
def shared_data_dir(tmp_path_factory):
    """A user data dir for fixtures shared by several tests (module or session scope), which are made
    before any test's own `data_dir`: what they write (witness lines) never reaches the real one."""
    with pytest.MonkeyPatch.context() as patch:
        path = tmp_path_factory.mktemp("shared-data")
        patch.setenv("FIELDKIT_DATA_DIR", str(path))
        yield path


@pytest.fixture(autouse=True)
def data_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own user data dir (witness log, user reference tables): never the real one."""
    path = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("FIELDKIT_DATA_DIR", str(path))
    return path


@pytest.fixture
def fixture_firms(tmp_path, monkeypatch):
    """The fixture manufacturers (tests/component_fixtures.py) as the user's reference rows, so the
    shipped table's growth changes nothing in a test that uses them."""
    from component_fixtures import manufacturers_csv
    from fieldkit.reference import tables

    user_dir = tmp_path / "user-reference"
    user_dir.mkdir()
    (user_dir / "manufacturers.csv").write_text(manufacturers_csv(), encoding="utf-8")
    monkeypatch.setenv("FIELDKIT_REFERENCE", str(user_dir))
    tables.clear_cache()
    yield
    tables.clear_cache()


@pytest.fixture
def merged_today(tmp_path):
    """A catalog of today that merged the old bundle (tests/fixtures/bundle-m017.fkb, made before m012,
    so m012 converts its components): its merges row counts the versions seen (merge_seen) that the
    merge added, and its foreign_audit holds the colleague's records."""
    from pathlib import Path

    from fieldkit.team.bundle import read_bundle
    from fieldkit.team.merge import merge_content

    path = tmp_path / "hq.db"
    catalog = open_catalog(path, actor="hq")
    bundle = Path(__file__).resolve().parent / "fixtures" / "bundle-m017.fkb"
    _, content = read_bundle(bundle, allow_unsigned=True)
    merge_content(catalog, content, unsigned=True)
    catalog.close()
    return path


@pytest.fixture
def run(db_path):
    """`fieldkit --db DB_PATH --actor tester ARGS...` in-process (click's CliRunner); `input` is its stdin."""
    from click.testing import CliRunner

    from fieldkit.cli import cli

    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, ["--db", str(db_path), "--actor", "tester", *args], input=input)

    return invoke
