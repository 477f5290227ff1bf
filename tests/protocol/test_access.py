"""The mode-3 access decision state machine (pure, fed with the time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from custom_components.face_terminal.protocol.access import (
    DECIDED_MEMORY,
    AccessDecision,
    AccessDecisions,
    AccessPolicy,
    AccessRequest,
    DecidedBy,
    UnknownRequestError,
    is_live,
    record_age,
)


def decisions(**policy: float | bool) -> AccessDecisions:
    ids = count(1)
    return AccessDecisions(
        AccessPolicy(**policy),  # type: ignore[arg-type]
        new_request_id=lambda: f"req{next(ids)}",
    )


def test_answer_in_time_opens_with_text() -> None:
    machine = decisions(window=5.0)
    request = machine.receive("381", now=100.0, live=True)
    assert request == AccessRequest("req1", "381", 100.0, 105.0)
    assert machine.next_deadline() == 105.0
    decision = machine.answer("req1", grant=True, show_info="Welcome")
    assert decision == AccessDecision("381", True, "Welcome", DecidedBy.AUTOMATION, "req1")
    assert machine.pending == ()
    assert machine.next_deadline() is None
    assert machine.expire(1000.0) == []


def test_answer_deny() -> None:
    machine = decisions()
    machine.receive("1", now=0.0, live=True)
    decision = machine.answer("req1", grant=False, show_info=None)
    assert not decision.open_door
    assert decision.decided_by is DecidedBy.AUTOMATION


def test_timeout_applies_deny_by_default() -> None:
    machine = decisions(window=2.0)
    machine.receive("7", now=10.0, live=True)
    assert machine.expire(11.9) == []
    [decision] = machine.expire(12.0)
    assert decision == AccessDecision("7", False, None, DecidedBy.DEFAULT, "req1")
    # A late answer finds nothing: the default already went out.
    with pytest.raises(UnknownRequestError):
        machine.answer("req1", grant=True, show_info=None)


def test_timeout_applies_grant_when_chosen() -> None:
    machine = decisions(window=2.0, default_grant=True)
    machine.receive("7", now=0.0, live=True)
    [decision] = machine.expire(5.0)
    assert decision.open_door
    assert decision.decided_by is DecidedBy.DEFAULT


def test_only_expired_requests_expire_in_order() -> None:
    machine = decisions(window=3.0)
    machine.receive("a", now=0.0, live=True)
    machine.receive("b", now=2.0, live=True)
    assert [d.record_id for d in machine.expire(3.0)] == ["a"]
    assert machine.next_deadline() == 5.0
    assert [r.record_id for r in machine.pending] == ["b"]


def test_replayed_record_never_opens_even_with_default_grant() -> None:
    machine = decisions(default_grant=True)
    decision = machine.receive("9", now=0.0, live=False)
    assert decision == AccessDecision("9", False, None, DecidedBy.REPLAY, None)
    assert machine.pending == ()


def test_record_decided_before_never_opens_again() -> None:
    machine = decisions()
    machine.receive("5", now=0.0, live=True)
    machine.answer("req1", grant=True, show_info=None)
    again = machine.receive("5", now=30.0, live=True)
    assert isinstance(again, AccessDecision)
    assert not again.open_door
    assert again.decided_by is DecidedBy.REPLAY


def test_terminal_resend_of_a_waiting_record_keeps_waiting() -> None:
    machine = decisions()
    machine.receive("5", now=0.0, live=True)
    assert machine.receive("5", now=1.0, live=True) is None
    assert len(machine.pending) == 1


def test_too_many_waiting_requests_deny_the_new_one() -> None:
    machine = decisions(max_pending=2)
    machine.receive("1", now=0.0, live=True)
    machine.receive("2", now=0.0, live=True)
    decision = machine.receive("3", now=0.0, live=True)
    assert isinstance(decision, AccessDecision)
    assert decision.decided_by is DecidedBy.OVERFLOW
    assert not decision.open_door


def test_unknown_request() -> None:
    with pytest.raises(UnknownRequestError):
        decisions().answer("nope", grant=True, show_info=None)


def test_decided_memory_is_bounded() -> None:
    machine = decisions()
    for number in range(DECIDED_MEMORY + 1):
        machine.receive(str(number), now=0.0, live=False)
    # The oldest record ID is forgotten, so its copy is judged on its own merits again.
    assert isinstance(machine.receive("0", now=0.0, live=True), AccessRequest)
    assert isinstance(machine.receive(str(DECIDED_MEMORY), now=0.0, live=True), AccessDecision)


def test_clear_forgets_waiting_requests() -> None:
    machine = decisions()
    machine.receive("1", now=0.0, live=True)
    machine.clear()
    assert machine.pending == ()
    assert machine.expire(100.0) == []


def test_default_request_ids_are_random() -> None:
    machine = AccessDecisions()
    first = machine.receive("1", now=0.0, live=True)
    second = machine.receive("2", now=0.0, live=True)
    assert isinstance(first, AccessRequest)
    assert isinstance(second, AccessRequest)
    assert first.request_id != second.request_id
    assert len(first.request_id) == 16


@pytest.mark.parametrize(
    "policy",
    [{"window": 0.5}, {"window": 10.0}, {"max_pending": 0}],
)
def test_policy_bounds(policy: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        AccessPolicy(**policy)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "live"),
    [
        ({"push_type": 0, "send_in_time": True, "age": 1.0}, True),
        ({"push_type": None, "send_in_time": None, "age": None}, True),
        ({"push_type": 2, "send_in_time": True, "age": 1.0}, False),
        ({"push_type": 0, "send_in_time": False, "age": 1.0}, False),
        ({"push_type": 0, "send_in_time": True, "age": 1.0, "replay": True}, False),
        # The one age rule: older than the decision window is history (issue: a record
        # re-sent 6 s after it happened opened the door with a 5 s window).
        ({"push_type": 0, "send_in_time": True, "age": 5.9}, True),
        ({"push_type": 0, "send_in_time": True, "age": 6.0}, False),
        ({"push_type": 0, "send_in_time": True, "age": -0.5}, True),
        ({"push_type": 0, "send_in_time": None, "age": 7.5, "window": 9.0}, True),
    ],
)
def test_is_live(kwargs: dict[str, object], live: bool) -> None:
    assert is_live(**{"window": 5.0, **kwargs}) is live  # type: ignore[arg-type]


def test_record_age() -> None:
    base = datetime(2020, 1, 1, 12, 0, 0)
    assert record_age(base, base + timedelta(seconds=12)) == 12.0
    assert record_age(None, base) is None
    assert record_age(base, None) is None
    assert record_age(base, base.replace(tzinfo=UTC)) is None
