"""Failures of the parts around the integration: the broker, the terminal, Home Assistant.

These tests restart or kill real processes and connections; each one leaves the package
stack running again (broker up, front door connected) for the tests after it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from harness.home_assistant import HomeAssistantClient

from .conftest import E2E_OPTIONS, FRONT_DOOR, enable_entity, wait_for_state

if TYPE_CHECKING:
    from harness.home_assistant import EventStream
    from simulator import Terminal

    from .conftest import Stack

pytestmark = pytest.mark.timeout(150)

RECORD_EVENTS = ("face_terminal_recognition", "face_terminal_stranger")


def _push(terminal: Terminal, number: int) -> tuple[str, str]:
    """A recognition or, every third time, a stranger; returns (event type, record ID)."""
    if number % 3 == 2:
        return RECORD_EVENTS[1], str(terminal.push_stranger())
    return RECORD_EVENTS[0], str(terminal.push_recognition("Bob"))


def _keys(events: EventStream) -> Counter[tuple[str, str]]:
    return Counter(
        (event.event_type, str(event.data["record_id"]))
        for event in events.events
        if event.data.get("terminal_id") == FRONT_DOOR
    )


async def test_records_arrive_exactly_once_across_a_broker_restart(
    front_door_online: Terminal, client: HomeAssistantClient, stack: Stack
) -> None:
    terminal = front_door_online
    assert terminal.resume  # records stay queued on the terminal until Home Assistant acks
    sent: list[tuple[str, str]] = []
    async with client.subscribe_events(*RECORD_EVENTS) as events:
        try:
            sent.extend(_push(terminal, number) for number in range(5))
            await asyncio.sleep(0.05)  # some are in flight when the broker goes away
            await asyncio.to_thread(stack.broker.stop)
            sent.extend(_push(terminal, number) for number in range(5, 10))
            await asyncio.sleep(1)
        finally:
            await asyncio.to_thread(stack.broker.start)
        sent.extend(_push(terminal, number) for number in range(10, 15))

        # Home Assistant reconnects within its 10 s retry interval; the terminal re-sends
        # every unacknowledged record after it reconnects and then every second.
        await events.wait_until(lambda: set(sent) <= set(_keys(events)), timeout=60)
        assert await asyncio.to_thread(terminal.wait_for, lambda: not terminal.pending_records, 30)
        await asyncio.sleep(2.5)  # past two re-send intervals: late duplicates would show
        received = _keys(events)

    assert set(received) == set(sent), f"missing: {set(sent) - set(received)}"
    duplicates = {key: count for key, count in received.items() if count > 1}
    assert not duplicates


async def test_killed_terminal_goes_offline_then_online_when_it_returns(
    front_door_online: Terminal, client: HomeAssistantClient
) -> None:
    ids = await client.entity_ids(FRONT_DOOR)
    online, lock = ids["binary_sensor.online"], ids["lock.door"]

    # No DISCONNECT: the broker publishes the terminal's will (`Offline` without time).
    await asyncio.to_thread(front_door_online.kill)

    await wait_for_state(client, online, "off", timeout=E2E_OPTIONS["offline_timeout"])
    assert (await client.state(lock) or {})["state"] == "unavailable"

    front_door_online.start()
    await wait_for_state(client, online, "on", timeout=15)
    await wait_for_state(client, lock, "locked", timeout=5)


async def test_restarted_home_assistant_restores_last_person_and_temperature(
    front_door_online: Terminal, stack: Stack
) -> None:
    terminal = front_door_online
    client = await stack.client()
    try:
        ids = await client.entity_ids(FRONT_DOOR)
        person, temperature = ids["sensor.last_person"], ids["sensor.body_temperature"]
        await enable_entity(client, person)  # created disabled: enabled as a user does
        terminal.push_recognition("张三", temperature=37.1)
        await wait_for_state(client, person, "张三")
        await wait_for_state(client, temperature, "37.1")
        assert await asyncio.to_thread(terminal.wait_for, lambda: not terminal.pending_records)
    finally:
        await client.close()
    records_sent = sum(topic.endswith("/Rec") for topic, _payload in terminal.sent)

    await asyncio.to_thread(stack.hass.stop)
    await asyncio.to_thread(stack.hass.start)
    await stack.hass.wait_until_up()

    client = HomeAssistantClient(stack.hass.url)
    try:
        await client.onboard_or_login()  # the demo user logs in again
        restored = await wait_for_state(client, person, "张三", timeout=60)
        assert restored["attributes"]["custom_id"] == "sim-zhangsan"
        assert restored["attributes"]["access"] == "access_granted"
        await wait_for_state(client, temperature, "37.1", timeout=10)
    finally:
        await client.close()
    # Restored by Home Assistant, not re-sent by the terminal.
    assert sum(topic.endswith("/Rec") for topic, _payload in terminal.sent) == records_sent
