"""Every path fieldkit uses: the catalog, its photo store, the shipped reference tables and the example.

The catalog lives in the user data dir (platformdirs, or `FIELDKIT_DATA_DIR`) unless `--db` or
`FIELDKIT_DB` names another. The witness log of audit heads is kept in the data dir too.
The photo store sits beside the catalog it belongs to, so a catalog and its evidence move together.
"""

from __future__ import annotations

import os
from pathlib import Path

from fieldkit.paths import expand_user

APP_NAME = "fieldkit"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The user data dir where the default catalog and the witness log live: `FIELDKIT_DATA_DIR` if set."""
    env = os.environ.get("FIELDKIT_DATA_DIR")
    if env:
        return expand_user(env)
    from platformdirs import user_data_path  # only when a default path is needed, not at every start

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """The user config dir: the researcher's key and the colleagues' keys she trusts.
    `FIELDKIT_CONFIG_DIR` moves it (for scripts and tests)."""
    env = os.environ.get("FIELDKIT_CONFIG_DIR")
    if env:
        return expand_user(env)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def default_catalog_path() -> Path:
    """The catalog to open: `FIELDKIT_DB` if set, else `catalog.db` in the user data dir."""
    env = os.environ.get("FIELDKIT_DB")
    if env:
        return expand_user(env)
    return data_dir() / "catalog.db"


def photo_store_path(catalog_path: Path) -> Path:
    """The content-addressed store of photo originals that belongs to a catalog."""
    return catalog_path.with_name(catalog_path.name + ".photos")


def example_catalog_path() -> Path:
    """The committed example catalog (rebuilt from seeds/ by `make example`)."""
    return PROJECT_ROOT / "catalog.db.example"


def shipped_reference_dir() -> Path:
    """The reference tables shipped with fieldkit."""
    return PROJECT_ROOT / "reference"


_NAMED_REFERENCE: Path | None = None  # the running command's `--reference DIR` (choose_reference_dir)


def choose_reference_dir(folder: Path | None) -> None:
    """Make `folder` the user reference tables of this process, above `FIELDKIT_REFERENCE`: the CLI's
    `--reference DIR` for the command it runs (every default that loads tables then loads those:
    the OCR choice, the matcher, the OCR engine's identity); None when the command ends."""
    global _NAMED_REFERENCE
    _NAMED_REFERENCE = folder


def user_reference_dir() -> Path | None:
    """The user reference tables to load: `--reference DIR` of the running command, else
    `FIELDKIT_REFERENCE` if set, else the default folder if it exists."""
    if _NAMED_REFERENCE is not None:
        return _NAMED_REFERENCE
    env = os.environ.get("FIELDKIT_REFERENCE")
    if env:
        return expand_user(env)
    default = data_dir() / "reference"
    return default if default.is_dir() else None


def user_reference_save_dir() -> Path:
    """Where user reference rows are saved: `--reference DIR`, else `FIELDKIT_REFERENCE`, else
    `reference` in the user data dir."""
    if _NAMED_REFERENCE is not None:
        return _NAMED_REFERENCE
    env = os.environ.get("FIELDKIT_REFERENCE")
    return expand_user(env) if env else data_dir() / "reference"
