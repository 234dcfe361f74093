"""fieldkit: an offline catalog of munitions and weapon debris, its markings and components."""

import sys

__version__ = "0.1.0"


class _SqliteUtilsLean:
    """An import hook for what sqlite-utils' `db` module loads and fieldkit never uses.

    - numpy and pandas are reported missing: sqlite-utils imports both when it loads, if they are
      installed, only to map their types in inserts of data frames and arrays, which fieldkit never
      makes; numpy alone is about a tenth of a second of every catalog command's start.
    - dateutil's parser is loaded lazily (importlib.util.LazyLoader): sqlite-utils imports it when
      it loads, for its date-conversion recipes, which fieldkit never calls; with dateutil's time
      zones it is a fifth of the time sqlite-utils takes to import. It loads in full the first time
      anything uses it.
    Once sqlite_utils.db has loaded, or if a module was already imported (the OCR path uses numpy),
    nothing changes.
    """

    def find_spec(self, name, path=None, target=None):
        loading = sys.modules.get("sqlite_utils.db")
        if loading is None or hasattr(loading, "Database"):
            return None
        if name in ("numpy", "pandas"):
            raise ModuleNotFoundError(f"{name} is not imported for sqlite-utils by fieldkit", name=name)
        if name == "dateutil.parser":
            import importlib.machinery
            import importlib.util

            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = importlib.util.LazyLoader(spec.loader)
            return spec
        return None


sys.meta_path.insert(0, _SqliteUtilsLean())
