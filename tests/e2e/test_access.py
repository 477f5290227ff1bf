"""Home Assistant decides who may enter, end to end (door mode 3, §9.3.5).

A simulated terminal in "face verification + remote door opening" mode, a real mosquitto
and a real Home Assistant whose automation (written through the automation editor's API)
answers the access requests. The door opens only when the terminal receives the
``PushAck`` with ``openDoor`` 1.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import pytest
import pytest_socket

from .conftest import add_terminal, make_terminal, run_async

if TYPE_CHECKING:
    from collections.abc import Iterator

    from harness.home_assistant import HomeAssistantClient
    from simulator import Terminal

    from .conftest import Stack

pytestmark = pytest.mark.timeout(120)

GATE = "1400013"
AUTOMATION_ID = "face_terminal_e2e_gate"
# Alice may enter, with her name on the screen; Bob is refused; nobody answers for Carol.
AUTOMATION = {
    "alias": "Gate: who may enter",
    "triggers": [
        {
            "trigger": "event",
            "event_type": "face_terminal_access_request",
            "event_data": {"terminal_id": GATE},
        }
    ],
    "conditions": [
        {
            "condition": "template",
            "value_template": "{{ trigger.event.data.person_name != 'Carol Danvers' }}",
        }
    ],
    "actions": [
        {
            "action": "face_terminal.answer_access_request",
            "data": {
                "request_id": "{{ trigger.event.data.request_id }}",
                "grant": "{{ trigger.event.data.person_name == 'Alice' }}",
                "message": (
                    "{{ 'Welcome ' ~ trigger.event.data.person_name"
                    " if trigger.event.data.person_name == 'Alice' else 'No entry' }}"
                ),
            },
        }
    ],
    "mode": "parallel",
}


@pytest.fixture(scope="module")
def gate(stack: Stack) -> Iterator[Terminal]:
    """A terminal in door mode 3 with resume-from-breakpoint, and the deciding automation."""
    pytest_socket.enable_socket()  # set up between tests, after one disabled sockets
    terminal = make_terminal(stack, GATE)
    terminal.config["door"]["OpendoorWay"] = "3"

    async def setup() -> None:
        await add_terminal(stack, terminal)
        client = await stack.client()
        try:
            await client.save_automation(AUTOMATION_ID, AUTOMATION)
            deadline = time.monotonic() + 20
            while (await client.state("automation.gate_who_may_enter") or {}).get("state") != "on":
                assert time.monotonic() < deadline, "the automation did not load"
                await asyncio.sleep(0.2)
        finally:
            await client.close()

    try:
        run_async(setup())
        yield terminal
    finally:
        terminal.stop()


async def wait_until(predicate: object, timeout: float = 10) -> bool:  # noqa: ASYNC109
    """Poll a simulator predicate without blocking the loop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.05)
    return False


async def test_automation_opens_for_alice_and_refuses_bob(
    gate: Terminal, client: HomeAssistantClient
) -> None:
    async with client.subscribe_events("face_terminal_access_decision") as decisions:
        opened = gate.unlock_count
        record_id = gate.push_recognition("Alice")
        [decision] = await decisions.wait_for(record_id=str(record_id), timeout=15)
        assert decision.data["granted"] is True
        assert decision.data["decided_by"] == "automation"
        assert await wait_until(lambda: gate.unlock_count == opened + 1)
        assert gate.show_infos[-1] == "Welcome Alice"
        assert await wait_until(lambda: not gate.pending_records)  # the PushAck matched

        record_id = gate.push_recognition("Bob")
        [decision] = await decisions.wait_for(record_id=str(record_id), timeout=15)
        assert decision.data["granted"] is False
        await asyncio.sleep(0.5)
        assert gate.unlock_count == opened + 1
        assert await wait_until(lambda: not gate.pending_records)


async def test_nobody_answers_and_the_default_denies(
    gate: Terminal, client: HomeAssistantClient
) -> None:
    async with client.subscribe_events(
        "face_terminal_access_request", "face_terminal_access_decision"
    ) as events:
        opened = gate.unlock_count
        record_id = gate.push_recognition("Carol Danvers")
        [decision] = await events.wait_for(
            record_id=str(record_id), decided_by="default", timeout=20
        )
        assert decision.data["granted"] is False
        requests = [e for e in events.events if e.event_type == "face_terminal_access_request"]
        assert [e.data["record_id"] for e in requests] == [str(record_id)]
        assert gate.unlock_count == opened


async def test_record_resent_after_an_outage_never_opens(
    gate: Terminal, client: HomeAssistantClient
) -> None:
    """Alice is recognised while the terminal is cut off; the late copy must not open."""
    async with client.subscribe_events(
        "face_terminal_access_request", "face_terminal_access_decision"
    ) as events:
        opened = gate.unlock_count
        gate.kill()
        record_id = gate.push_recognition("Alice")
        await asyncio.sleep(11)  # past the terminal's 10 s "sent in time" window
        gate.start()
        [decision] = await events.wait_for(record_id=str(record_id), timeout=30)
        assert decision.event_type == "face_terminal_access_decision"
        assert decision.data["decided_by"] == "replay"
        assert decision.data["granted"] is False
        assert await wait_until(lambda: not gate.pending_records, timeout=15)
        assert gate.unlock_count == opened
        assert not [e for e in events.events if e.event_type == "face_terminal_access_request"]


async def test_alarm_push_becomes_an_event(gate: Terminal, client: HomeAssistantClient) -> None:
    async with client.subscribe_events("face_terminal_alarm") as events:
        assert gate.push_alarm(3, "Tamper switch")
        [event] = await events.wait_for(terminal_id=GATE, timeout=15)
        assert event.data["alarm_code"] == 3
        assert event.data["description"] == "Tamper switch"
        assert event.data["status"] == 1
    alarm = (await client.entity_ids(GATE))["event.alarm"]
    state = await client.state(alarm)
    assert state is not None
    assert state["attributes"]["event_type"] == "terminal_alarm"
    assert state["attributes"]["alarm_code"] == 3
    assert state["attributes"]["description"] == "Tamper switch"
