"""fieldkit: an offline catalog of munitions and weapon debris, its markings and components."""

import sys

__version__ = "0.1.0"


class _SqliteUtilsWithoutNumpy:
    """An import hook: while sqlite-utils' `db` module loads, numpy and pandas are reported missing.

    sqlite-utils imports both when it loads, if they are installed, only to map their types in
    inserts of data frames and arrays, which fieldkit never makes; numpy alone is about a tenth of
    a second of every catalog command's start. Once sqlite_utils.db has loaded, or if numpy was
    already imported (the OCR path uses it), nothing changes.
    """

    def find_spec(self, name, path=None, target=None):
        loading = sys.modules.get("sqlite_utils.db")
        if name in ("numpy", "pandas") and loading is not None and not hasattr(loading, "Database"):
            raise ModuleNotFoundError(f"{name} is not imported for sqlite-utils by fieldkit", name=name)
        return None


sys.meta_path.insert(0, _SqliteUtilsWithoutNumpy())
