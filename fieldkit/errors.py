"""The errors fieldkit raises for bad input, each carrying one line a person can act on.

The CLI prints `error: <message>` and exits 2; the TUI shows the message in a notification.
Nothing below this module prints or exits.
"""


class FieldkitError(Exception):
    """Bad input or an unusable environment. The message names the problem and what to do."""

    exit_code = 2


class CatalogError(FieldkitError):
    """The catalog file cannot be opened, is locked, read-only, corrupt or from a newer fieldkit."""


class ValidationError(FieldkitError):
    """A value that fieldkit refuses to store (a bad date, a latitude of 123, an empty category)."""


class NotFound(FieldkitError):
    """An item, photo or marking that the catalog does not hold."""


class ReferenceTableError(FieldkitError):
    """A reference table (CSV) that fails validation; the message names file, line and column."""


class CalendarError(FieldkitError):
    """An impossible calendar year or era, or an unknown calendar."""


class DateCodeError(FieldkitError):
    """A component date code that no known form can read."""


class PhotoError(FieldkitError):
    """A photo that cannot be ingested: missing, unreadable, not an image, corrupt or too large."""


class OcrUnavailable(FieldkitError):
    """The tesseract binary or one of its language packs is missing; the message says what to install."""
