"""Reading markings: calendars, year detection, component date codes, normalisation and pattern matching."""
