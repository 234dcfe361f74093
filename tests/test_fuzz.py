"""Fuzzing with hypothesis: no input makes fieldkit raise anything but a FieldkitError with one line.

Targets: the component CSV importer (random bytes, truncated files, odd encodings, huge fields),
the reference loader (malformed rows in a user dir), the matcher and normalize (arbitrary unicode
with RTL overrides, combining marks, NUL), calendar parsing, date codes, and image ingest (random
bytes, truncated PNG/JPEG, PNG headers claiming huge dimensions).

`make test` runs the "fuzz" profile (a few hundred inputs per target); `make stress` sets
FIELDKIT_FUZZ_PROFILE=fuzz-stress for many more. How many inputs each target saw goes to
FIELDKIT_RELIABILITY_LOG (JSON lines) when it is set.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from component_fixtures import fixture_index
from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.components.importer import import_components
from fieldkit.errors import FieldkitError
from fieldkit.evidence.photos import add_photos, open_image
from fieldkit.markings import calendars, datecodes, normalize
from fieldkit.markings.matcher import read_marking
from fieldkit.markings.years import find_years
from fieldkit.reference.tables import TABLES, check_reference, load_reference
from tests.photo_files import jpeg_bytes, png_bytes, png_claiming

settings.register_profile("fuzz", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("fuzz-stress", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROFILE = settings.get_profile(os.environ.get("FIELDKIT_FUZZ_PROFILE", "fuzz"))
FUZZED: Counter[str] = Counter()
TODAY = date(2025, 6, 1)


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    log = os.environ.get("FIELDKIT_RELIABILITY_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            for target, n in sorted(FUZZED.items()):
                fh.write(json.dumps({"test": f"fuzz: {target}", "inputs": n}) + "\n")


def one_line(message: object) -> None:
    text = str(message)
    assert text.strip(), "an empty error message"
    assert "\n" not in text and "\r" not in text, f"a multi-line error message: {text!r}"


def refused_cleanly(target: str, call) -> object:
    """Run `call`; a FieldkitError with one line is fine, anything else escaping fails the test."""
    FUZZED[target] += 1
    try:
        return call()
    except FieldkitError as exc:
        one_line(exc)
        return exc


# text ---------------------------------------------------------------------------------

NASTY = st.sampled_from(["\u202e", "\u202d", "\u2066", "\u2069", "\u200f", "\x00", "\x1b[2J", "\u0301", "\u0336",
                         "\ufeff", "\r", "\n", "\t", "\uffff", "𝟙𝟚", "١١٢", "주체", "令和",
                         "\u0000\u0000", "'", '"', ",", "%", "_", "*", "(", ")", "NEAR", "AND", "OR", "-", "="])
TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(NASTY, st.text(max_size=8)), max_size=30).map("".join),
    st.text(alphabet=st.characters(categories=["Mn", "Me", "Cf", "Cc", "Zl", "Zp", "Nd"]), max_size=60),
)


@settings(PROFILE)
@given(TEXT)
def test_normalize_keeps_a_map_back_to_the_text_as_read(text):
    FUZZED["normalize"] += 1
    n = normalize.normalize(text)
    assert len(n.index) == len(n.text) and n.original == text
    assert all(0 <= i < len(text) for i in n.index)
    normalize.fold(text)
    for variant in normalize.ocr_variants(n.text):
        assert len(variant.text) == len(n.text)


@settings(PROFILE)
@given(TEXT)
def test_the_matcher_reads_any_text_without_raising(text):
    FUZZED["matcher"] += 1
    reading = read_marking(text, today=TODAY)
    assert reading.text == text  # the text as read is never changed
    find_years(text, TODAY)


# calendars and date codes -----------------------------------------------------------

YEARS = st.one_of(st.integers(), st.integers(-20000, 20000), TEXT, st.from_regex(r"[+-]?\d{0,8}", fullmatch=True),
                  st.none(), st.booleans(), st.floats(allow_nan=True))
CALS = st.one_of(st.sampled_from([*calendars.CALENDARS, *calendars.CALENDAR_ALIASES, "JUCHE", " thai ", ""]), TEXT)
ERAS = st.one_of(st.none(), st.sampled_from([*calendars.ERAS, *calendars.ERA_KANJI, "REIWA"]), TEXT)


@settings(PROFILE)
@given(YEARS)
def test_parse_year_refuses_with_one_line(value):
    result = refused_cleanly("calendars.parse_year", lambda: calendars.parse_year(value))
    if isinstance(result, int):
        assert abs(result) < 10_000


@settings(PROFILE)
@given(CALS, YEARS, ERAS)
def test_to_gregorian_and_back_refuse_with_one_line(calendar, year, era):
    span = refused_cleanly("calendars.to_gregorian", lambda: calendars.to_gregorian(calendar, year, era))
    if isinstance(span, calendars.YearSpan):
        assert span.start <= span.end
        calendars.plausibility_warnings(span, TODAY)
    refused_cleanly("calendars.from_gregorian", lambda: calendars.from_gregorian(calendar, year))


CODES = st.one_of(TEXT, st.from_regex(r"[0-9A-Z]{1,7}", fullmatch=True), st.integers().map(str), st.none())
MAKERS = st.one_of(st.none(), st.sampled_from(["Microchip", "TI", "Texas Instruments", "NXP", "atmel", ""]), TEXT)


@settings(PROFILE)
@given(CODES, MAKERS)
def test_date_codes_refuse_with_one_line(code, maker):
    readings = refused_cleanly("datecodes", lambda: datecodes.read_date_code(code, maker, TODAY))
    if isinstance(readings, list):
        assert readings and all(r.start <= r.end <= TODAY or r.start <= TODAY for r in readings)


# component import -------------------------------------------------------------------

INDEX = fixture_index()


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "catalog.db"
    catalog = open_catalog(path, actor="fuzz")
    items.add_item(catalog, {"ref": "FZ-1", "category": "missile debris"})
    yield catalog
    catalog.close()


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


CELL = st.one_of(TEXT, st.sampled_from(["2310", "ADXL345", "TI", "US", "0", "-1", "9" * 30, "x" * 5000]))
HEADERS = st.lists(st.sampled_from(["part_number", "Part Number", "manufacturer", "country", "date_code",
                                    "quantity", "type", "notes", "pn", "qty", "", "colour"]), min_size=1, max_size=8)
GOOD = _csv([["part_number", "manufacturer", "date_code", "quantity"], ["ADXL345", "ADI", "2310", "2"],
             ["LM317", "TI", "1952", "1"]])
CSV_BYTES = st.one_of(
    st.binary(max_size=400),
    st.builds(lambda h, rows: _csv([h, *rows]), HEADERS, st.lists(st.lists(CELL, max_size=9), max_size=12)),
    st.integers(0, len(GOOD)).map(lambda n: GOOD[:n]),  # truncated files
    st.sampled_from(["utf-16", "utf-16-le", "latin-1", "cp1251", "shift_jis", "utf-8-sig"]).map(
        lambda enc: "part_number,manufacturer\nМК-1,Тексас\n".encode(enc, "replace")),
    st.builds(lambda n: b"part_number,notes\nA1," + b"x" * n + b"\n", st.sampled_from([10, 200_000, 2_000_000])),
    st.builds(lambda data: GOOD.replace(b"ADI", data), st.binary(max_size=30)),
    st.just(b'part_number\n"unbalanced\n'),
)


@settings(PROFILE, max_examples=max(40, PROFILE.max_examples // 3))
@given(CSV_BYTES)
def test_the_component_importer_refuses_bad_files_with_one_line(catalog, tmp_path_factory, data):
    path = tmp_path_factory.getbasetemp() / "fuzz-components.csv"
    path.write_bytes(data)
    before = catalog.db["components"].count
    result = refused_cleanly("component import", lambda: import_components(catalog, "FZ-1", path, index=INDEX))
    if isinstance(result, FieldkitError):
        assert catalog.db["components"].count == before  # a refused file writes nothing
    else:
        assert catalog.db["components"].count == before + result.imported
        for problem in result.problems:
            one_line(problem)
        one_line(result.describe())


# reference loader -------------------------------------------------------------------

REF_CELL = st.one_of(TEXT, st.sampled_from(["(?P<year>\\d+)", "(", "[a-", "(?P<year>1)(?P<year>2)", "juche", "KP",
                                            "https://example.org", "x-y", "a" * 3000, "(a+)+$"]))


@settings(PROFILE, max_examples=max(40, PROFILE.max_examples // 3))
@given(st.sampled_from(TABLES), st.one_of(
    st.binary(max_size=300),
    st.lists(st.lists(REF_CELL, max_size=12), max_size=6),
))
def test_the_reference_loader_refuses_bad_user_rows_with_one_line(tmp_path_factory, spec, body):
    user = tmp_path_factory.mktemp("ref")
    if isinstance(body, bytes):
        data = body
    else:
        data = _csv([list(spec.model.model_fields), *body])
    (user / spec.filename).write_bytes(data)
    FUZZED["reference loader"] += 1
    tables, problems = check_reference(user)
    for problem in problems:
        one_line(problem)
    refused_cleanly("reference loader (load)", lambda: load_reference(user))


# images -----------------------------------------------------------------------------

JPEG, PNG = jpeg_bytes(1), png_bytes(1)
IMAGES = st.one_of(
    st.binary(max_size=600),
    st.integers(1, len(JPEG) - 1).map(lambda n: JPEG[:n]),
    st.integers(1, len(PNG) - 1).map(lambda n: PNG[:n]),
    st.tuples(st.integers(1, 2**31 - 1), st.integers(1, 2**31 - 1)).map(lambda wh: png_claiming(*wh)),
    st.tuples(st.integers(0, len(JPEG) - 1), st.binary(min_size=1, max_size=8)).map(
        lambda t: JPEG[: t[0]] + t[1] + JPEG[t[0] + len(t[1]):]),  # a few corrupted bytes
    st.tuples(st.integers(8, len(PNG) - 1), st.binary(min_size=1, max_size=8)).map(
        lambda t: PNG[: t[0]] + t[1] + PNG[t[0] + len(t[1]):]),
    st.binary(max_size=200).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
    st.binary(max_size=200).map(lambda b: b"\xff\xd8\xff\xe0" + b),
    st.binary(max_size=200).map(lambda b: b"II*\x00" + b),  # TIFF
    st.binary(max_size=200).map(lambda b: b"RIFF\x00\x00\x00\x00WEBP" + b),
)


@settings(PROFILE)
@given(IMAGES)
def test_image_decoding_refuses_bad_files_with_one_line(tmp_path_factory, data):
    path = tmp_path_factory.getbasetemp() / "fuzz-image"
    path.write_bytes(data)
    result = refused_cleanly("image decode", lambda: open_image(path))
    if not isinstance(result, FieldkitError):
        result.close()


@settings(PROFILE, max_examples=max(30, PROFILE.max_examples // 5))
@given(IMAGES)
def test_photo_ingest_stores_a_good_file_whole_and_a_bad_one_not_at_all(catalog, tmp_path_factory, data):
    path = tmp_path_factory.getbasetemp() / "fuzz-photo.jpg"
    path.write_bytes(data)
    FUZZED["photo ingest"] += 1
    before = catalog.db["photos"].count
    (result,) = add_photos(catalog, "FZ-1", [path])
    if result.ok:
        stored = catalog.photo_store / result.stored_path
        assert stored.read_bytes() == data
    else:
        one_line(result.error)
        assert catalog.db["photos"].count == before
    leftovers = [p for p in catalog.photo_store.rglob(".ingest-*")] if catalog.photo_store.exists() else []
    assert leftovers == []
