"""Attendance end to end: two simulated days at one door, read back from the recorder.

A simulated terminal whose records carry their direction lets three people through at
set times of its clock on two days (one record re-sent as a replay); the attendance
action's report and CSV file must say exactly what was sent.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
from typing import TYPE_CHECKING, Any

from .conftest import E2E_OPTIONS, add_terminal, make_terminal, online_entity, wait_for_state

if TYPE_CHECKING:
    from harness.home_assistant import HomeAssistantClient
    from simulator import Terminal

    from .conftest import Stack

DOOR = "7305403"
DAY1 = dt.datetime(2026, 11, 23)
DAY2 = DAY1 + dt.timedelta(days=1)
# (day, hour, minute, who, direction)
SENT: list[tuple[dt.datetime, int, int, str, str]] = [
    (DAY1, 8, 2, "alice-01", "entr"),
    (DAY1, 8, 40, "bob-02", "entr"),
    (DAY1, 12, 0, "alice-01", "exit"),
    (DAY1, 12, 45, "alice-01", "entr"),
    (DAY1, 17, 5, "alice-01", "exit"),
    (DAY1, 18, 0, "bob-02", "exit"),
    (DAY2, 7, 55, "alice-01", "entr"),
    (DAY2, 9, 30, "carol-03", "entr"),
    (DAY2, 16, 45, "alice-01", "exit"),
]


def push_acks(terminal: Terminal) -> int:
    return sum(1 for command in terminal.received if command.get("operator") == "PushAck")


async def wait_acked(terminal: Terminal, count: int) -> None:
    for _ in range(300):
        if push_acks(terminal) >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{push_acks(terminal)} of {count} records acknowledged")


def expected() -> dict[tuple[str, str], dict[str, Any]]:
    """Per (custom ID, day): first in, last out and the passages, as sent."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for day, hour, minute, who, direction in SENT:
        moment = day.replace(hour=hour, minute=minute)
        item = out.setdefault(
            (who, day.date().isoformat()), {"first_in": None, "last_out": None, "passages": []}
        )
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%S")
        item["passages"].append((stamp, "in" if direction == "entr" else "out"))
        if direction == "entr" and item["first_in"] is None:
            item["first_in"] = stamp
        if direction == "exit":
            item["last_out"] = stamp
    return out


async def test_attendance_over_two_days(stack: Stack, client: HomeAssistantClient) -> None:
    door = make_terminal(stack, DOOR)
    for custom_id, name in (("alice-01", "Alice"), ("bob-02", "Bob"), ("carol-03", "Carol")):
        door.store.add(custom_id, name)
    entry = await add_terminal(stack, door)
    try:
        options = {
            **E2E_OPTIONS,
            "door_role": "record",
            "site": "Clinic",
            "person_links": "alice-01 = person.alice",
        }
        result = await client.set_options(entry["entry_id"], options)
        assert result["type"] == "create_entry", result
        await client.wait_for_entry(DOOR)
        await wait_for_state(client, await online_entity(client, DOOR), "on", 30)
        assert await asyncio.to_thread(door.wait_online_acked, 10)
        acks = push_acks(door)
        for day, hour, minute, who, direction in SENT:
            door.device.set_time(day.replace(hour=hour, minute=minute))
            door.push_recognition(who, direction=direction)
            acks += 1
            await wait_acked(door, acks)
        # The morning of the first day, re-sent as replays: still one passage each.
        assert door.push_replays(DAY1.replace(hour=8), DAY1.replace(hour=9)) == 2
        await wait_acked(door, acks + 2)

        report = await client.call_service(
            "face_terminal",
            "attendance",
            {"start": "2026-11-23", "end": "2026-11-24", "csv_file": "attendance/e2e.csv"},
            response=True,
        )
        people = report["service_response"]["people"]
        got: dict[tuple[str, str], dict[str, Any]] = {}
        for person in people:
            for day in person["days"]:
                got[(person["custom_id"], day["date"])] = {
                    "first_in": day["first_in"] and day["first_in"][:19],
                    "last_out": day["last_out"] and day["last_out"][:19],
                    "passages": [(p["time"][:19], p["direction"]) for p in day["passages"]],
                }
                assert {p["terminal_id"] for p in day["passages"]} == {DOOR}
        assert got == expected()
        names = {person["custom_id"]: person["person_entity_id"] for person in people}
        assert names == {"alice-01": "person.alice", "bob-02": None, "carol-03": None}

        path = stack.media_dir / "attendance" / "e2e.csv"
        rows = list(csv.reader(path.read_text("utf-8-sig").splitlines()))
        assert rows[0] == [
            "Date",
            "Custom ID",
            "Name",
            "Person",
            "First in",
            "Last out",
            "First seen",
            "Last seen",
            "Passages",
        ]
        table = {(row[1], row[0]): row for row in rows[1:]}
        assert set(table) == set(expected())
        for key, item in expected().items():
            assert table[key][4][:19] == (item["first_in"] or "")
            assert table[key][5][:19] == (item["last_out"] or "")
            assert table[key][8] == str(len(item["passages"]))

        # Only one person, only the second day.
        report = await client.call_service(
            "face_terminal",
            "attendance",
            {"start": "2026-11-24", "end": "2026-11-24", "people": ["person.alice"]},
            response=True,
        )
        (alice,) = report["service_response"]["people"]
        assert [day["date"] for day in alice["days"]] == ["2026-11-24"]
    finally:
        door.stop()
        await client.delete_entry(entry["entry_id"])
