"""Who is inside, end to end: an entrance and an exit terminal through one working day.

Two simulated terminals of one site ("Workshop"), one configured as the entry door and
one as the exit door, let people through at set times of their own clocks; the site's
"people inside" sensor follows, ignores a re-sent record of the morning, and keeps its
count across a Home Assistant restart during which a record was made (and re-sent by the
terminal once Home Assistant was back).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, Any

from .conftest import E2E_OPTIONS, add_terminal, make_terminal, online_entity, wait_for_state

if TYPE_CHECKING:
    from harness.home_assistant import HomeAssistantClient
    from simulator import Terminal

    from .conftest import Stack

ENTRANCE = "7305401"
EXIT = "7305402"
SENSOR = "sensor.people_inside_workshop"
DAY = dt.datetime(2026, 11, 23)


def at(terminal: Terminal, hour: int, minute: int = 0) -> None:
    """Set the terminal's clock to that time of the day."""
    terminal.device.set_time(DAY.replace(hour=hour, minute=minute))


def push_acks(terminal: Terminal) -> int:
    return sum(1 for command in terminal.received if command.get("operator") == "PushAck")


async def wait_acked(terminal: Terminal, before: int, count: int = 1) -> None:
    """Wait until Home Assistant acknowledged `count` more records of `terminal`."""
    for _ in range(300):
        if push_acks(terminal) >= before + count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("records not acknowledged")


async def make_door(
    stack: Stack, client: HomeAssistantClient, terminal: Terminal, role: str
) -> str:
    for custom_id, name in (("alice-01", "Alice"), ("bob-02", "Bob"), ("carol-03", "Carol")):
        terminal.store.add(custom_id, name)
    entry = await add_terminal(stack, terminal)
    options: dict[str, Any] = {
        **E2E_OPTIONS,
        "door_role": role,
        "site": "Workshop",
        "assume_left_after": 0,
        "person_links": "alice-01 = person.alice",
    }
    result = await client.set_options(entry["entry_id"], options)
    assert result["type"] == "create_entry", result
    await client.wait_for_entry(terminal.terminal_id)
    await wait_for_state(client, await online_entity(client, terminal.terminal_id), "on", 30)
    assert await asyncio.to_thread(terminal.wait_online_acked, 10)
    return str(entry["entry_id"])


async def test_inside_through_a_day(stack: Stack, client: HomeAssistantClient) -> None:
    entrance = make_terminal(stack, ENTRANCE)
    exit_door = make_terminal(stack, EXIT)
    entries: list[str] = []
    try:
        entries.append(await make_door(stack, client, entrance, "entry"))
        entries.append(await make_door(stack, client, exit_door, "exit"))
        assert (await wait_for_state(client, SENSOR, "0"))["attributes"]["persons"] == []

        at(entrance, 8)
        entrance.push_recognition("alice-01")
        await wait_for_state(client, SENSOR, "1")
        at(entrance, 8, 30)
        entrance.push_recognition("bob-02")
        at(entrance, 8, 45)
        entrance.push_recognition("carol-03")
        state = await wait_for_state(client, SENSOR, "3")
        # Only the linked person is named; the others are only counted.
        assert state["attributes"]["persons"] == ["person.alice"]
        assert "bob" not in str(state["attributes"]).lower()

        at(exit_door, 12)
        exit_door.push_recognition("alice-01")
        state = await wait_for_state(client, SENSOR, "2")
        assert state["attributes"]["persons"] == []
        at(entrance, 13)
        entrance.push_recognition("alice-01")
        await wait_for_state(client, SENSOR, "3")

        # The exit door re-sends its records of the morning (PushType 2): Alice's exit at
        # 12:00 is older than her entry at 13:00, so she stays inside.
        before = push_acks(exit_door)
        assert exit_door.push_replays(DAY.replace(hour=11), DAY.replace(hour=12, minute=30)) == 1
        await wait_acked(exit_door, before)
        await asyncio.sleep(0.5)
        assert (await client.state(SENSOR) or {}).get("state") == "3"

        # Carol leaves while Home Assistant is stopped; the exit door re-sends the record
        # until Home Assistant, back up, acknowledges it.
        stack.hass.stop()
        at(exit_door, 16, 30)
        exit_door.push_recognition("carol-03")
        await asyncio.sleep(1.5)
        stack.hass.start()
        await stack.hass.wait_until_up()
        after = await stack.client()
        try:
            state = await wait_for_state(after, SENSOR, "2", timeout=60)
            assert state["attributes"]["persons"] == ["person.alice"]
            at(exit_door, 17)
            exit_door.push_recognition("bob-02")
            await wait_for_state(after, SENSOR, "1")
            at(exit_door, 17, 30)
            exit_door.push_recognition("alice-01")
            state = await wait_for_state(after, SENSOR, "0")
            assert state["attributes"]["persons"] == []
            for entry_id in entries:
                await after.delete_entry(entry_id)
            entries.clear()
        finally:
            await after.close()
    finally:
        entrance.stop()
        exit_door.stop()
        if entries:
            fresh = await stack.client()
            try:
                for entry_id in entries:
                    await fresh.delete_entry(entry_id)
            finally:
                await fresh.close()
