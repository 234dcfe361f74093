"""Adding photos one by one so that whatever stops an ingest part-way -- an error, a stop asked for,
Ctrl-C -- the photos that went in are kept and every photo not added is named with its reason
(fieldkit.evidence.ingest_outcome, shared by `fieldkit photo add` and the app's screens)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.evidence import photos as photos_core
from fieldkit.evidence.ingest_outcome import add_one_by_one, not_added_lines, outcome
from fieldkit.evidence.photos import TMP_PREFIX, list_photos
from tests.photo_files import jpeg_bytes, write


@pytest.fixture
def catalog(tmp_path):
    catalog = open_catalog(tmp_path / "t.db", actor="t")
    items.add_item(catalog, {"ref": "A-1", "category": "drone"})
    yield catalog
    catalog.close()


def three(tmp_path) -> list[Path]:
    return [write(tmp_path / f"{n}.jpg", jpeg_bytes(seed=i + 1)) for i, n in enumerate("abc")]


def failing_at(monkeypatch, name: str, error: BaseException) -> None:
    real = photos_core.ingest_file

    def ingest_file(catalog, item, path, **kwargs):
        if Path(path).name == name:
            raise error
        return real(catalog, item, path, **kwargs)

    monkeypatch.setattr(photos_core, "ingest_file", ingest_file)


def test_an_error_without_a_message_is_named_by_its_kind_and_the_photos_before_it_are_kept(catalog, tmp_path, monkeypatch):
    """An unexpected error may carry no message (a bare RuntimeError(), a bug): the outcome names its kind
    instead of an empty reason, and the photo added before it is in the results."""
    paths = three(tmp_path)
    failing_at(monkeypatch, "b.jpg", RuntimeError())
    results, error = add_one_by_one(catalog, "A-1", paths, threading.Event())
    assert [r.ok for r in results] == [True]
    assert error == "RuntimeError; run `fieldkit verify`"
    assert outcome(paths, results, error, stopped=False) == ("Stopped by an error: added 1 of 3.", ["b.jpg", "c.jpg"])
    assert not_added_lines(paths, results) == ["✗ b.jpg was not added: not reached", "✗ c.jpg was not added: not reached"]


def test_ctrl_c_stops_the_ingest_as_a_stop_asked_for_keeping_what_went_in(catalog, tmp_path, monkeypatch):
    paths = three(tmp_path)
    failing_at(monkeypatch, "b.jpg", KeyboardInterrupt())
    cancel = threading.Event()
    results, error = add_one_by_one(catalog, "A-1", paths, cancel)
    assert error is None and cancel.is_set()  # Ctrl-C is a stop asked for, not an error
    assert [r.ok for r in results] == [True, False, False]
    assert outcome(paths, results, error, stopped=cancel.is_set()) == ("Stopped: added 1 of 3.", ["b.jpg", "c.jpg"])
    assert not_added_lines(paths, results, mark="error: ") == [
        f"error: {paths[1]} was not added: stopped (Ctrl-C)", f"error: {paths[2]} was not added: stopped (Ctrl-C)"]
    assert [r["original_name"] for r in list_photos(catalog, "A-1")] == ["a.jpg"]
    assert not list(catalog.photo_store.glob(f"{TMP_PREFIX}*"))


def test_a_caption_is_given_to_every_photo_added(catalog, tmp_path):
    results, error = add_one_by_one(catalog, "A-1", three(tmp_path)[:1], None, caption="stencil")
    assert error is None and results[0].ok
    assert [r["caption"] for r in list_photos(catalog, "A-1")] == ["stencil"]
