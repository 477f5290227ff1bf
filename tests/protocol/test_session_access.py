"""The session leaves the PushAck of a door-mode-3 record to the access decision."""

from __future__ import annotations

import pytest

from custom_components.face_terminal.protocol import (
    Acknowledge,
    DecisionNeeded,
    Dropped,
    PresenceChanged,
    RecordReceived,
    TerminalSession,
)
from tests import payloads
from tests.payloads import COMMAND_TOPIC, REC_TOPIC, TERMINAL_ID


@pytest.mark.parametrize("acknowledge", [True, False])
def test_awaiting_record_is_not_acknowledged_but_handed_over(acknowledge: bool) -> None:
    session = TerminalSession(TERMINAL_ID, COMMAND_TOPIC, acknowledge_records=acknowledge)
    record = payloads.rec_push(verify_status="22")
    first = session.receive(REC_TOPIC, record, now=0.0)
    kinds = [type(event) for event in first if not isinstance(event, PresenceChanged)]
    assert kinds == [DecisionNeeded, RecordReceived]  # no PushAck: the decision is it
    decision = next(event for event in first if isinstance(event, DecisionNeeded))
    assert decision.record.record_id == "381"
    # A copy: handed over again (the decision answers it), but no second record.
    again = session.receive(REC_TOPIC, record, now=1.0)
    assert [type(event) for event in again] == [DecisionNeeded, Dropped]


def test_other_records_keep_their_plain_push_ack() -> None:
    session = TerminalSession(TERMINAL_ID, COMMAND_TOPIC)
    events = session.receive(REC_TOPIC, payloads.rec_push(verify_status="1"), now=0.0)
    assert not any(isinstance(event, DecisionNeeded) for event in events)
    assert any(isinstance(event, Acknowledge) for event in events)


def test_awaiting_record_without_id_is_a_plain_record() -> None:
    session = TerminalSession(TERMINAL_ID, COMMAND_TOPIC)
    events = session.receive(
        REC_TOPIC, payloads.rec_push(verify_status="22", record_id=None), now=0.0
    )
    assert [type(event) for event in events] == [PresenceChanged, RecordReceived]
