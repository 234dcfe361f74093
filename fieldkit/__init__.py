"""fieldkit: an offline catalog of munitions and weapon debris, its markings and components."""

import sys

__version__ = "0.1.0"


class _LazyPattern:
    """A regular expression compiled the first time one of its methods or attributes is used."""

    def __init__(self, pattern, flags):
        self._args = (pattern, flags)
        self._compiled = None

    def __getattr__(self, name):
        if self._compiled is None:
            import re

            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


class _CompileLazily:
    """A loader that runs another loader's module with its module-level `re.compile` calls made lazy
    (_LazyPattern); any other caller of `re.compile`, in the meantime, gets a compiled pattern."""

    def __init__(self, loader):
        self.loader = loader

    def __getattr__(self, name):  # get_source, get_code, is_package...: the real loader's
        return getattr(self.loader, name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        import re

        compile_now = re.compile

        def compile_lazily(pattern, flags=0):
            if sys._getframe(1).f_globals is module.__dict__:
                return _LazyPattern(pattern, flags)
            return compile_now(pattern, flags)

        re.compile = compile_lazily
        try:
            self.loader.exec_module(module)
        finally:
            re.compile = compile_now


class _SqliteUtilsLean:
    """An import hook for what sqlite-utils' `db` module loads and fieldkit never uses.

    Every command that opens a catalog, and the app's first paint, load sqlite-utils; these were
    about half its import time.
    - numpy and pandas are reported missing: sqlite-utils imports both when it loads, if they are
      installed, only to map their types in inserts of data frames and arrays, which fieldkit never
      makes; numpy alone is about a tenth of a second.
    - dateutil's parser is loaded lazily (importlib.util.LazyLoader): sqlite-utils imports it when
      it loads, for date-conversion recipes fieldkit never calls; with dateutil's time zones,
      zoneinfo and sysconfig it took 11-33 ms. It loads in full the first time anything uses it.
    - sqlite_utils/db.py's module-level regular expressions are compiled when first used: one of
      them (`_virtual_table_using_re`, case-insensitive over `\\u0080-\\uffff`) took 16 ms to compile
      at every start, for `Table.virtual_table_using`, which fieldkit never asks for.
    Once sqlite_utils.db has loaded, or if a module was already imported (the OCR path uses numpy),
    nothing changes.
    """

    def find_spec(self, name, path=None, target=None):
        if name == "sqlite_utils.db":
            return self._spec(name, path, _CompileLazily)
        loading = sys.modules.get("sqlite_utils.db")
        if loading is None or hasattr(loading, "Database"):
            return None
        if name in ("numpy", "pandas"):
            raise ModuleNotFoundError(f"{name} is not imported for sqlite-utils by fieldkit", name=name)
        if name == "dateutil.parser":
            import importlib.util

            return self._spec(name, path, importlib.util.LazyLoader)
        return None

    @staticmethod
    def _spec(name, path, wrap):
        """The module's spec as Python's path finder makes it, its loader wrapped in `wrap`."""
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = wrap(spec.loader)
        return spec


sys.meta_path.insert(0, _SqliteUtilsLean())
