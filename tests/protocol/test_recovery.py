"""Gaps in what was received, and the periods to ask a terminal for (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.face_terminal.protocol.commands import PUSH_ACK_RECORD, PUSH_ACK_STRANGER
from custom_components.face_terminal.protocol.recovery import Gaps, resume_enabled

BASE = datetime(2020, 5, 1, 8, 0, 0)  # terminal wall clock (no zone)


def test_a_gap_opens_after_the_last_record_and_keeps_its_earliest_start() -> None:
    gaps = Gaps()
    assert not gaps
    assert gaps.open(PUSH_ACK_RECORD, BASE)
    assert gaps
    # A second outage before the first was filled: one period from the earlier start.
    assert not gaps.open(PUSH_ACK_RECORD, BASE + timedelta(minutes=5))
    assert gaps.starts == {PUSH_ACK_RECORD: BASE}
    # An earlier start (records of the first outage were not all known) widens it.
    assert gaps.open(PUSH_ACK_RECORD, BASE - timedelta(seconds=1))
    assert gaps.period(PUSH_ACK_RECORD, BASE + timedelta(hours=1)) == (
        BASE - timedelta(seconds=1),
        BASE + timedelta(hours=1),
    )


def test_no_gap_without_a_record_before_it() -> None:
    gaps = Gaps()
    # A new terminal: its whole history is never replayed.
    assert not gaps.open(PUSH_ACK_RECORD, None)
    # A time with a zone is not a terminal wall-clock time.
    assert not gaps.open(PUSH_ACK_RECORD, BASE.replace(tzinfo=UTC))
    assert not gaps
    assert gaps.period(PUSH_ACK_RECORD, BASE) is None


def test_a_gap_that_begins_after_now_asks_for_nothing() -> None:
    gaps = Gaps()
    gaps.open(PUSH_ACK_STRANGER, BASE + timedelta(hours=1))
    assert gaps.period(PUSH_ACK_STRANGER, BASE) is None
    assert gaps.period(PUSH_ACK_STRANGER, BASE + timedelta(hours=1)) is not None


def test_close() -> None:
    gaps = Gaps()
    gaps.open(PUSH_ACK_RECORD, BASE)
    gaps.open(PUSH_ACK_STRANGER, BASE)
    assert gaps.close(PUSH_ACK_RECORD)
    assert not gaps.close(PUSH_ACK_RECORD)
    assert gaps.starts == {PUSH_ACK_STRANGER: BASE}


def test_round_trip_and_cleaning() -> None:
    gaps = Gaps()
    gaps.open(PUSH_ACK_RECORD, BASE.replace(microsecond=500))
    restored = Gaps()
    restored.restore(gaps.as_dict())
    assert restored.starts == {PUSH_ACK_RECORD: BASE}
    restored.restore(
        {"2": "2020-05-01T08:00:00", "7": "2020-05-01T08:00:00", "1": "yesterday", "x": 1}
    )
    assert restored.starts == {PUSH_ACK_RECORD: BASE}


@pytest.mark.parametrize("data", [None, [], "x", {"1": None}])
def test_unreadable_storage_has_no_gap(data: object) -> None:
    gaps = Gaps()
    gaps.open(PUSH_ACK_RECORD, BASE)
    gaps.restore(data)
    assert not gaps


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
