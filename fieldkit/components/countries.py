"""Countries of components: ISO 3166-1 alpha-2 codes, checked against pycountry, and their names."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from fieldkit.errors import ValidationError


@lru_cache(maxsize=512)
def normalize_country(text: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code for `text` ("us" -> "US"); None if empty; ValidationError if not a code.

    Only alpha-2 codes are accepted: a country name or alpha-3 code is refused with the code to use.
    """
    code = (text or "").strip().upper()
    if not code:
        return None
    if len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None:
        return code
    hint = ""
    try:
        found = pycountry.countries.lookup(text.strip())
    except LookupError:
        found = None
    if found is not None:
        hint = f" (for {country_name(found.alpha_2)} use {found.alpha_2})"
    raise ValidationError(f"country: {text.strip()!r} is not an ISO 3166-1 alpha-2 code such as US or DE{hint}")


@lru_cache(maxsize=512)
def country_name(code: str | None) -> str:
    """A short English name for an alpha-2 code ("TW" -> "Taiwan"); the code itself if unknown."""
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name
