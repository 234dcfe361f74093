"""Rebuild catalog.db.example from the seed data in seeds/: `make example`.

The example holds a few illustrative items modelled on publicly reported cases, each marked as
example data in its notes. Each step below adds one kind of record; later steps (photos,
markings, components) build on the items.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parent
sys.path.insert(0, str(SEEDS.parent))

from fieldkit.catalog import items  # noqa: E402
from fieldkit.catalog.db import Catalog, open_catalog  # noqa: E402
from fieldkit.locations import photo_store_path  # noqa: E402

ACTOR = "fieldkit-example"


def seed_items(catalog: Catalog) -> None:
    for item in json.loads((SEEDS / "items.json").read_text(encoding="utf-8")):
        items.add_item(catalog, item)


# Each step takes the open catalog. Add a step for each kind of record the example gains.
STEPS = [seed_items]


def build(target: Path) -> None:
    for path in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        path.unlink(missing_ok=True)
    store = photo_store_path(target)
    if store.exists():
        for path in store.rglob("*"):
            path.chmod(0o700 if path.is_dir() else 0o600)
        shutil.rmtree(store)
    catalog = open_catalog(target, actor=ACTOR)
    for step in STEPS:
        step(catalog)
    catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    catalog.close()
    print(f"rebuilt {target}")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else SEEDS.parent / "catalog.db.example"))
