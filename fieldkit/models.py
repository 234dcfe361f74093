"""Pydantic models that validate everything before it goes into the catalog.

A model turns loose input (from the CLI, a form in the TUI, or a CSV) into clean values, or
raises `fieldkit.errors.ValidationError` with one line naming the field and the problem.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from fieldkit.errors import ValidationError
from fieldkit.markings.digits import ascii_digits
from fieldkit.typed_text import UNSAFE_CHARS

REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")

SampleType = Literal["attributed", "unattributed"]


def clean_text(value: Any) -> Any:
    """Normalise text to NFC, strip surrounding space, and refuse invisible control characters."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value).strip()
    bad = UNSAFE_CHARS.search(value)
    if bad:
        raise ValueError(
            f"contains the invisible control character U+{ord(bad.group()):04X}; remove it and try again"
        )
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _clean_strings(cls, value: Any) -> Any:
        value = clean_text(value)
        return None if value == "" else value


class ItemFields(_Model):
    """The fields of a debris item that a researcher records. All but `category` are optional."""

    ref: str | None = Field(None, description="Short human reference, e.g. KHK-0007; generated if empty")
    category: str = Field(..., min_length=1, max_length=200)
    designation: str | None = Field(None, max_length=200)
    calibre: str | None = Field(None, max_length=100)
    origin: str | None = Field(None, max_length=200, description="Assessed country or origin")
    found_on: dt.date | None = None
    place: str | None = Field(None, max_length=500)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    recorded_by: str | None = Field(None, max_length=200)
    condition: str | None = Field(None, max_length=500)
    sample_type: SampleType | None = None
    holder: str | None = Field(None, max_length=500, description="The known user or holder, for an attributed sample")
    acquisition: str | None = Field(None, max_length=1000, description="How the item came to the researcher")
    custody: str | None = Field(None, max_length=1000, description="Where the physical item is now")
    notes: str | None = Field(None, max_length=20000)

    @field_validator("ref")
    @classmethod
    def _ref_shape(cls, value: str | None) -> str | None:
        if value is not None and not REF_PATTERN.match(value):
            raise ValueError("must be 1-40 letters, digits, '.', '_' or '-', starting with a letter or digit")
        return value

    @field_validator("found_on", mode="before")
    @classmethod
    def _date_not_future(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str):
            value = value.strip()
            try:
                value = dt.date.fromisoformat(ascii_digits(value))  # full-width ２０２４-０１-０２ too
            except ValueError:
                raise ValueError(f"{value!r} is not a date; use YYYY-MM-DD") from None
        if isinstance(value, dt.date) and value > dt.date.today():
            raise ValueError(f"{value.isoformat()} is in the future")
        return value

    @pydantic.model_validator(mode="after")
    def _lat_lon_together(self) -> "ItemFields":
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together: give both or neither")
        return self


ITEM_FIELDS = tuple(ItemFields.model_fields)


def validate(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """Validate `data` against `model`, turning pydantic's report into one readable line."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationError(describe_validation_error(exc)) from None


def describe_validation_error(exc: pydantic.ValidationError) -> str:
    """One line naming each bad field and what is wrong with it."""
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "item"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing" or (err["type"] == "string_type" and err.get("input") is None):
            message = "is required"
        elif err["type"] == "extra_forbidden":
            message = "is not a known field"
        parts.append(f"{field}: {message}")
    return "; ".join(parts)


def field_errors(exc: pydantic.ValidationError) -> dict[str, str]:
    """Errors keyed by field name, for showing inline next to form inputs."""
    out: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "item"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing" or (err["type"] == "string_type" and err.get("input") is None):
            message = "is required"
        out.setdefault(field, message)
    return out
