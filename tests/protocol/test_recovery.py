"""The watermark of delivered records (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.face_terminal.protocol.recovery import (
    MAX_IDS_PER_SECOND,
    KindWatermark,
    Watermark,
    resume_enabled,
)

BASE = datetime(2020, 5, 1, 8, 0, 0)  # terminal wall clock (no zone)


def test_note_moves_forward_and_collects_ids_of_the_same_second() -> None:
    kind = KindWatermark()
    assert kind.note(BASE, "1")
    assert kind.note(BASE.replace(microsecond=5), "2")
    assert not kind.note(BASE, "2")
    assert not kind.note(BASE - timedelta(seconds=1), "0")  # older: no change
    assert kind.time == BASE
    assert kind.ids == ["1", "2"]
    assert kind.note(BASE + timedelta(seconds=1), None)
    assert kind.ids == []


def test_note_ignores_records_without_a_usable_time() -> None:
    kind = KindWatermark()
    assert not kind.note(None, "1")
    assert not kind.note(BASE.replace(tzinfo=UTC), "1")
    assert kind.time is None


def test_ids_per_second_are_bounded() -> None:
    kind = KindWatermark()
    for number in range(MAX_IDS_PER_SECOND + 10):
        kind.note(BASE, str(number))
    assert len(kind.ids) == MAX_IDS_PER_SECOND


def test_delivered() -> None:
    kind = KindWatermark()
    assert not kind.delivered(BASE, "1")  # nothing seen yet
    kind.note(BASE, "1")
    assert kind.delivered(BASE - timedelta(seconds=5), "9")
    assert kind.delivered(BASE, "1")
    assert not kind.delivered(BASE, "2")  # same second, another record: missed
    assert not kind.delivered(BASE, None)
    assert not kind.delivered(BASE + timedelta(seconds=1), "3")
    assert not kind.delivered(None, "1")
    assert not kind.delivered(BASE.replace(tzinfo=UTC), "1")


def test_round_trip() -> None:
    mark = Watermark()
    mark.records.note(BASE, "7")
    restored = Watermark.from_dict(mark.as_dict())
    assert restored == mark
    assert mark.as_dict()["snaps"] == {"time": None, "ids": []}


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"records": "x"},
        {"records": {"time": "yesterday", "ids": ["1"]}},
        {"records": {"time": 5, "ids": "1"}},
    ],
)
def test_unreadable_storage_starts_empty(data: object) -> None:
    assert Watermark.from_dict(data).records.time is None


def test_stored_ids_are_cleaned() -> None:
    data = {"records": {"time": "2020-05-01T08:00:00", "ids": ["1", 2, None, {"x": 1}]}}
    assert Watermark.from_dict(data).records.ids == ["1", "2"]


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ({"ResumefromBreakpoint": "1"}, True),
        ({"resumefrombreakpoint": 0}, False),
        ({"ResumefromBreakpoint": "x"}, None),
        ({}, None),
    ],
)
def test_resume_enabled(info: dict[str, object], expected: bool | None) -> None:
    assert resume_enabled(info) is expected
