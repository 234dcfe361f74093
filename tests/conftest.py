"""Shared fixtures: a fresh catalog file in a temporary directory for each test."""

from __future__ import annotations

import pytest

from fieldkit.catalog.db import open_catalog


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "catalog.db"


@pytest.fixture
def catalog(db_path):
    catalog = open_catalog(db_path, actor="tester")
    yield catalog
    catalog.close()
