"""A photo's EXIF place and time against its item: what it can offer, and where the two disagree."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldkit.evidence.placement import describe_offer, disagreements, distance_km, offers

PHOTO = {"gps_lat": 49.9935, "gps_lon": 36.2304, "exif_time": "2024-01-03T14:05:22+02:00"}


def test_distance_matches_a_known_one():
    assert distance_km(49.9935, 36.2304, 50.4501, 30.5234) == pytest.approx(410, abs=5)  # Kharkiv-Kyiv
    assert distance_km(10, 10, 10, 10) == 0


def test_a_photo_offers_only_what_the_item_lacks():
    assert offers({}, PHOTO) == {"lat": 49.9935, "lon": 36.2304, "found_on": "2024-01-03"}
    assert offers({"lat": 1.0, "lon": 2.0}, PHOTO) == {"found_on": "2024-01-03"}
    assert offers({"found_on": "2024-01-01"}, PHOTO) == {"lat": 49.9935, "lon": 36.2304}
    assert offers({}, {"gps_lat": None, "gps_lon": None, "exif_time": None}) == {}
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat() + "T00:00:00"
    assert offers({}, {"exif_time": future}) == {}  # a wrong camera clock: never a future found date
    assert describe_offer(offers({}, PHOTO)) == "position 49.993500, 36.230400 and found date 2024-01-03"


def test_disagreements_over_a_kilometre_or_another_day():
    near = {"lat": 49.99, "lon": 36.23, "found_on": "2024-01-03"}
    assert disagreements(near, PHOTO) == []
    far = {"lat": 50.4501, "lon": 30.5234, "found_on": "2024-01-02"}
    problems = disagreements(far, PHOTO)
    assert problems[0].startswith("GPS 4") and problems[0].endswith("km from the item's position")
    assert problems[1] == "taken 2024-01-03, item found 2024-01-02"
