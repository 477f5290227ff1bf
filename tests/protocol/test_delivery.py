"""The log of delivered records, by identity (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.face_terminal.protocol.commands import PUSH_ACK_RECORD, PUSH_ACK_STRANGER
from custom_components.face_terminal.protocol.delivery import MAX_ID_LENGTH, DeliveryLog

BASE = datetime(2020, 5, 1, 8, 0, 0)  # terminal wall clock (no zone)


def test_identity_not_order_decides() -> None:
    log = DeliveryLog()
    assert log.add((PUSH_ACK_RECORD, "10"), BASE + timedelta(seconds=10))
    # An older record that was never delivered is new, whatever came before it: after an
    # outage, re-sent records arrive behind live ones.
    assert (PUSH_ACK_RECORD, "9") not in log
    assert log.add((PUSH_ACK_RECORD, "9"), BASE)
    assert not log.add((PUSH_ACK_RECORD, "9"), BASE)
    assert (PUSH_ACK_RECORD, "9") in log
    # Kinds are apart: stranger snapshot 9 is another record.
    assert (PUSH_ACK_STRANGER, "9") not in log
    assert log.changes == 2
    assert len(log) == 2


@pytest.mark.parametrize("identity", [None, "9", (PUSH_ACK_RECORD,), (5, "9"), [2, "9"]])
def test_anything_else_is_not_contained(identity: object) -> None:
    log = DeliveryLog()
    log.add((PUSH_ACK_RECORD, "9"), BASE)
    assert identity not in log


def test_bounded_oldest_delivered_leave_first() -> None:
    log = DeliveryLog(capacity=2)
    for number in range(3):
        log.add((PUSH_ACK_RECORD, str(number)), BASE)
    assert (PUSH_ACK_RECORD, "0") not in log
    assert (PUSH_ACK_RECORD, "2") in log
    with pytest.raises(ValueError, match="positive"):
        DeliveryLog(capacity=0)


def test_newest_is_where_a_gap_begins() -> None:
    log = DeliveryLog()
    assert log.newest(PUSH_ACK_RECORD) is None
    log.add((PUSH_ACK_RECORD, "2"), BASE + timedelta(seconds=5, microseconds=300))
    log.add((PUSH_ACK_RECORD, "1"), BASE)  # arrived late: not the newest
    log.add((PUSH_ACK_RECORD, "3"), None)  # no usable time
    log.add((PUSH_ACK_RECORD, "4"), BASE.replace(tzinfo=UTC))  # not a wall-clock time
    assert log.newest(PUSH_ACK_RECORD) == BASE + timedelta(seconds=5)
    # A clock that jumped ahead once does not put the gap in the future.
    log.add((PUSH_ACK_RECORD, "5"), BASE + timedelta(days=400))
    assert log.newest(PUSH_ACK_RECORD, not_after=BASE + timedelta(hours=1)) == BASE + timedelta(
        seconds=5
    )
    assert log.newest(PUSH_ACK_STRANGER) is None


def test_round_trip() -> None:
    log = DeliveryLog()
    log.add((PUSH_ACK_RECORD, "1"), BASE)
    log.add((PUSH_ACK_STRANGER, "1"), None)
    restored = DeliveryLog()
    restored.restore(log.as_dict())
    assert restored.as_dict() == log.as_dict()
    assert (PUSH_ACK_STRANGER, "1") in restored
    assert restored.newest(PUSH_ACK_RECORD) == BASE


def test_stored_data_is_cleaned_and_bounded() -> None:
    log = DeliveryLog(capacity=2)
    log.restore(
        {
            "records": [
                ["old", "2020-05-01T07:00:00"],
                ["1", "2020-05-01T08:00:00"],
                [2, "2020-05-01T08:00:00"],
                ["x" * (MAX_ID_LENGTH + 1), None],
                ["3", "never"],
            ],
            "snaps": "nonsense",
        }
    )
    # The last two pairs are kept (capacity); of those only "3" is usable, without time.
    assert (PUSH_ACK_RECORD, "3") in log
    assert (PUSH_ACK_RECORD, "1") not in log
    assert log.newest(PUSH_ACK_RECORD) is None
    roomy = DeliveryLog()
    roomy.restore({"records": [["1", None], "x", ["a", "b", "c"]]})
    assert len(roomy) == 1


@pytest.mark.parametrize("data", [None, [], "x", {"records": None}])
def test_unreadable_storage_starts_empty(data: object) -> None:
    log = DeliveryLog()
    log.add((PUSH_ACK_RECORD, "1"), BASE)
    log.restore(data)
    assert len(log) == 0


def test_from_the_old_watermark() -> None:
    log = DeliveryLog.from_watermark(
        {
            "records": {"time": "2020-05-01T08:00:00", "ids": ["1", 2, True, None, ""]},
            "snaps": {"time": None, "ids": ["7"]},
            "other": {},
        }
    )
    assert (PUSH_ACK_RECORD, "1") in log
    assert (PUSH_ACK_RECORD, "2") in log
    assert len(log) == 3
    assert log.newest(PUSH_ACK_RECORD) == BASE
    assert log.newest(PUSH_ACK_STRANGER) is None
    assert len(DeliveryLog.from_watermark("x")) == 0
    assert len(DeliveryLog.from_watermark({"records": {"time": "x", "ids": "1"}})) == 0


def test_stored_times_compare_as_times() -> None:
    """Times kept as text still order as times: loosely written ones are made canonical."""
    log = DeliveryLog()
    # strptime reads unpadded fields; kept as written, "2026-9-…" would sort after "2026-10-…".
    log.restore({"records": [["1", "2026-9-30T23:59:59"], ["2", "2026-10-01T00:00:00"]]})
    assert log.newest(PUSH_ACK_RECORD) == datetime(2026, 10, 1)
    assert log.as_dict()["records"][0] == ["1", "2026-09-30T23:59:59"]
    # A bound with a fraction of a second keeps a record of that very second.
    assert log.newest(PUSH_ACK_RECORD, not_after=datetime(2026, 9, 30, 23, 59, 59, 500)) == (
        datetime(2026, 9, 30, 23, 59, 59)
    )
    # An aware bound says nothing about a terminal's wall clock: no bound.
    assert log.newest(PUSH_ACK_RECORD, not_after=datetime(2026, 1, 1, tzinfo=UTC)) == datetime(
        2026, 10, 1
    )
