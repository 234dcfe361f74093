"""Rebuild catalog.db.example from the seed data in seeds/: `make example`.

The example holds a few illustrative items modelled on publicly reported cases, each marked as
example data in its notes. Each step below adds one kind of record; later steps (photos,
markings, components) build on the items.

Two builds write the same rows and the same bytes: the build runs inside
`fieldkit.catalog.db.reproducible`, so its timestamps count from EXAMPLE_CLOCK (after the seed
items' last find) and its ids come from a generator seeded with EXAMPLE_SEED; the migrations'
applied_at, which sqlite-utils stamps with its own clock, is set to EXAMPLE_CLOCK too.
(tests/test_example_build.py.)
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parent
sys.path.insert(0, str(SEEDS.parent))

from fieldkit.catalog import items  # noqa: E402
from fieldkit.catalog.db import Catalog, open_catalog, reproducible  # noqa: E402
from fieldkit.locations import photo_store_path  # noqa: E402

ACTOR = "fieldkit-example"
EXAMPLE_CLOCK = dt.datetime(2024, 2, 1, tzinfo=dt.timezone.utc)  # after the last find in seeds/items.json
EXAMPLE_SEED = "fieldkit example catalog"


def seed_items(catalog: Catalog) -> None:
    for item in json.loads((SEEDS / "items.json").read_text(encoding="utf-8")):
        items.add_item(catalog, item)


def seed_photos(catalog: Catalog) -> None:
    """Generate the synthetic marking photos (seeds/make_photos.py) and ingest them as evidence."""
    import tempfile

    from fieldkit.evidence.photos import add_photos
    sys.path.insert(0, str(SEEDS))
    from make_photos import make_all

    with tempfile.TemporaryDirectory() as tmp:
        for photo, path in make_all(Path(tmp)):
            for result in add_photos(catalog, photo.item_ref, [path], caption=photo.caption):
                if not result.ok:
                    raise SystemExit(f"example photo failed: {result.error}")


# (item ref, text as read, position): typed markings, read against the shipped tables only.
EXAMPLE_MARKINGS = [
    ("KHK-0001", "112", "stamped repeatedly on debris parts (example data)"),
    ("EX-0002", "9М22У 4-23", "stencil on the rocket body (example data)"),
    ("EX-0003", "12-87-270", "stencil on the projectile body: lot-year-factory (example data)"),
]


def seed_markings(catalog: Catalog) -> None:
    """Typed markings on the example items, with their readings against the shipped reference tables."""
    from fieldkit.catalog.markings import add_marking
    from fieldkit.reference.tables import load_reference

    shipped = load_reference(None)  # never the user's own tables: the example must rebuild alike
    for ref, text, position in EXAMPLE_MARKINGS:
        add_marking(catalog, ref, text, position=position, tables=shipped)


def seed_components(catalog: Catalog) -> None:
    """An illustrative component list for KHK-0001 (seeds/components_khk.csv), through the importer.

    EXAMPLE DATA: CAR's report on the Kharkiv missile named no companies; these parts, brands and
    date codes are made up to show the summary, and every row says so in its notes.
    """
    from fieldkit.components.attribution import ManufacturerIndex
    from fieldkit.components.importer import import_components
    from fieldkit.reference.tables import load_reference

    shipped = ManufacturerIndex.from_tables(load_reference(None))  # shipped tables only, as above
    result = import_components(catalog, "KHK-0001", SEEDS / "components_khk.csv", strict=True, index=shipped)
    if result.problem_count:
        raise SystemExit(f"example components failed: {result.problems[0]}")


# Each step takes the open catalog. Add a step for each kind of record the example gains.
STEPS = [seed_items, seed_photos, seed_markings, seed_components]


def build(target: Path) -> None:
    for path in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        path.unlink(missing_ok=True)
    store = photo_store_path(target)
    if store.exists():
        for path in store.rglob("*"):
            path.chmod(0o700 if path.is_dir() else 0o600)
        shutil.rmtree(store)
    with reproducible(EXAMPLE_CLOCK, EXAMPLE_SEED):
        catalog = open_catalog(target, actor=ACTOR)
        for step in STEPS:
            step(catalog)
    with catalog.db.conn:
        catalog.db.execute("UPDATE _sqlite_migrations SET applied_at = ?", [str(EXAMPLE_CLOCK)])
    catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    catalog.close()
    print(f"rebuilt {target}")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else SEEDS.parent / "catalog.db.example"))
