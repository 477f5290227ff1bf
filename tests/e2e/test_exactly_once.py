"""Every arrival recorded exactly once, through any outage.

Real mosquitto, a real Home Assistant process and simulated terminals, each sending two
records a second while Home Assistant is restarted gracefully, killed with ``kill -9``,
or the broker is restarted. Records are counted by (terminal, kind, record ID) in the
recorder's database — what history and the logbook show, and what survives the outage
— and checked against what the terminals sent:

* nothing sent is missing (a record acknowledged but never recorded is lost for good:
  the terminal deletes what it gets a ``PushAck`` for);
* nothing is recorded twice as a live arrival;
* a record that arrives late is marked ``replay: true``;
* in door mode 3, no door opens for a record older than the decision window.

The terminals cover both ways back: resume-from-breakpoint on (the terminal re-sends
until acknowledged, after 10 s or after 1 s) and off (Home Assistant asks for the gap
with ``ManualPushRecords``/``ManualPushSnaps``). Live and re-sent records interleave, the
race that dropped records before identity de-duplication.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
import pytest_socket

from .conftest import add_terminal, make_terminal, run_async

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    from simulator import Terminal

    from .conftest import Stack

pytestmark = pytest.mark.timeout(420)

RATE = 2.0  # records per second and terminal
EVENT_TYPES = ("face_terminal_recognition", "face_terminal_stranger")
LATE = 12.0  # seconds: a record delivered this long after it happened is a replay
# (the terminal's own "sent in time" is 10 s; two more for the whole seconds of its clock)

RESUME_10S = "2190001"  # resume-from-breakpoint, re-sends after 10 s
RESUME_1S = "2190002"  # resume-from-breakpoint, re-sends after 1 s
NO_RESUME = "2190003"  # factory default: Home Assistant asks for the gap
GATE = "2190004"  # door mode 3, resume on, re-sends after 3 s (the terminal)
GATE_AUTOMATION_ID = "face_terminal_e2e_exactly_once_gate"
DECISION_WINDOW = 5.0  # the access window option's default


type Key = tuple[str, str, str]  # terminal ID, event type, record or snapshot ID


@dataclass
class Recorded:
    """What the recorder holds of our terminals: every copy, and how it arrived."""

    copies: Counter[Key] = field(default_factory=Counter)
    live: Counter[Key] = field(default_factory=Counter)
    late_live: list[Key] = field(default_factory=list)


def read_recorder(database: Path, terminal_ids: set[str]) -> Recorded:
    """The recorded record events of `terminal_ids`, read-only, while Home Assistant runs."""
    recorded = Recorded()
    if not database.exists():
        return recorded
    with contextlib.closing(
        sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    ) as connection:
        rows = connection.execute(
            "SELECT event_types.event_type, event_data.shared_data, events.time_fired_ts"
            " FROM events"
            " JOIN event_types ON events.event_type_id = event_types.event_type_id"
            " JOIN event_data ON events.data_id = event_data.data_id"
            f" WHERE event_types.event_type IN ({', '.join('?' for _ in EVENT_TYPES)})",
            EVENT_TYPES,
        ).fetchall()
    for event_type, shared_data, fired in rows:
        data = json.loads(shared_data)
        if data.get("terminal_id") not in terminal_ids:
            continue
        key = (str(data["terminal_id"]), str(event_type), str(data["record_id"]))
        recorded.copies[key] += 1
        if data.get("replay"):
            continue
        recorded.live[key] += 1
        happened = datetime.fromisoformat(data["time"]).timestamp()
        if fired - happened > LATE:
            recorded.late_live.append(key)
    return recorded


@dataclass
class Traffic:
    """Records a set of terminals sends at `RATE`, a stranger every fourth time."""

    terminals: list[Terminal]
    sent: set[Key] = field(default_factory=set)
    count: int = 0
    before: set[Key] = field(default_factory=set)
    """Records of these terminals recorded before (earlier tests)."""

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for terminal in self.terminals:
                if self.count % 4 == 3:
                    key = (terminal.terminal_id, EVENT_TYPES[1], str(terminal.push_stranger()))
                else:
                    record_id = terminal.push_recognition("Bob")
                    key = (terminal.terminal_id, EVENT_TYPES[0], str(record_id))
                self.sent.add(key)
            self.count += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1 / RATE)


def database(stack: Stack) -> Path:
    return stack.hass.config_dir / "home-assistant_v2.db"


@contextlib.asynccontextmanager
async def traffic(stack: Stack, terminals: list[Terminal]) -> AsyncIterator[Traffic]:
    """Send records from `terminals` for as long as the block runs."""
    ids = {terminal.terminal_id for terminal in terminals}
    earlier = await asyncio.to_thread(read_recorder, database(stack), ids)
    flow = Traffic(terminals, before=set(earlier.copies))
    stop = asyncio.Event()
    task = asyncio.create_task(flow.run(stop))
    try:
        yield flow
    finally:
        stop.set()
        await task


async def restart_gracefully(stack: Stack) -> None:
    await asyncio.to_thread(stack.hass.stop)
    await asyncio.to_thread(stack.hass.start)
    await stack.hass.wait_until_up()


async def kill_and_start(stack: Stack) -> None:
    await asyncio.to_thread(stack.hass.kill)
    await asyncio.to_thread(stack.hass.start)
    await stack.hass.wait_until_up()


async def restart_broker(stack: Stack) -> None:
    await asyncio.to_thread(stack.broker.stop)
    await asyncio.sleep(2)
    await asyncio.to_thread(stack.broker.start)


async def settle(stack: Stack, flow: Traffic, *, deadline_s: float = 120.0) -> Recorded:
    """Wait until every record sent is recorded and no terminal waits for an ack."""
    ids = {terminal.terminal_id for terminal in flow.terminals}
    deadline = time.monotonic() + deadline_s
    while True:
        recorded = await asyncio.to_thread(read_recorder, database(stack), ids)
        waiting = [t for t in flow.terminals if t.resume and t.pending_records]
        if flow.sent <= set(recorded.copies) and not waiting:
            break
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    # Past a re-send interval of the quick terminals: a late duplicate would show now.
    await asyncio.sleep(3)
    return await asyncio.to_thread(read_recorder, database(stack), ids)


def assert_exactly_once(flow: Traffic, recorded: Recorded) -> None:
    missing = sorted(flow.sent - set(recorded.copies))
    assert not missing, f"{len(missing)} of {len(flow.sent)} records lost: {missing[:20]}"
    twice_live = {key: n for key, n in recorded.live.items() if n > 1}
    assert not twice_live, f"delivered twice as live: {twice_live}"
    assert not recorded.late_live, f"late records not marked replay: {recorded.late_live}"
    strays = set(recorded.copies) - flow.sent - flow.before
    assert not strays, f"records nobody sent: {sorted(strays)[:20]}"
    duplicates = {key: n for key, n in recorded.copies.items() if n > 1}
    assert not duplicates, f"recorded more than once: {duplicates}"


@pytest.fixture(scope="module")
def terminals(stack: Stack) -> Iterator[dict[str, Terminal]]:
    """Three terminals: resume on (10 s and 1 s re-send) and off."""
    pytest_socket.enable_socket()  # set up between tests, after one disabled sockets
    made = {
        RESUME_10S: make_terminal(stack, RESUME_10S, resume=True, resend_interval=10.0),
        RESUME_1S: make_terminal(stack, RESUME_1S, resume=True, resend_interval=1.0),
        NO_RESUME: make_terminal(stack, NO_RESUME, resume=False),
    }

    async def setup() -> None:
        for terminal in made.values():
            await add_terminal(stack, terminal)

    try:
        run_async(setup())
        yield made
    finally:
        for terminal in made.values():
            terminal.stop()


async def test_graceful_restarts(stack: Stack, terminals: dict[str, Terminal]) -> None:
    async with traffic(stack, list(terminals.values())) as flow:
        await asyncio.sleep(3)
        await restart_gracefully(stack)
        await asyncio.sleep(4)
        await restart_gracefully(stack)
        await asyncio.sleep(4)
    assert_exactly_once(flow, await settle(stack, flow))
    # The terminal without resume-from-breakpoint got its gaps through recovery.
    asked = [
        command
        for command in terminals[NO_RESUME].received
        if command.get("operator") == "ManualPushRecords"
    ]
    assert asked


async def test_kill_9(stack: Stack, terminals: dict[str, Terminal]) -> None:
    async with traffic(stack, list(terminals.values())) as flow:
        await asyncio.sleep(3)
        await kill_and_start(stack)
        await asyncio.sleep(4)
        # Killed again shortly after a start: what was stored just before still counts.
        await kill_and_start(stack)
        await asyncio.sleep(4)
    assert_exactly_once(flow, await settle(stack, flow))


async def test_broker_restart(stack: Stack, terminals: dict[str, Terminal]) -> None:
    async with traffic(stack, list(terminals.values())) as flow:
        await asyncio.sleep(3)
        await restart_broker(stack)
        await asyncio.sleep(6)
    assert_exactly_once(flow, await settle(stack, flow))


GRANT_EVERYONE = {
    "alias": "Exactly once gate: everyone may enter",
    "triggers": [
        {
            "trigger": "event",
            "event_type": "face_terminal_access_request",
            "event_data": {"terminal_id": GATE},
        }
    ],
    "actions": [
        {
            "action": "face_terminal.answer_access_request",
            "data": {"request_id": "{{ trigger.event.data.request_id }}", "grant": True},
        }
    ],
    "mode": "parallel",
}


@pytest.fixture(scope="module")
def gate(stack: Stack) -> Iterator[Terminal]:
    """A door-mode-3 terminal that re-sends after 3 s, and an automation granting all."""
    pytest_socket.enable_socket()
    terminal = make_terminal(stack, GATE, resume=True, resend_interval=3.0)
    terminal.config["door"]["OpendoorWay"] = "3"

    async def setup() -> None:
        await add_terminal(stack, terminal)
        client = await stack.client()
        try:
            await client.save_automation(GATE_AUTOMATION_ID, GRANT_EVERYONE)
            deadline = time.monotonic() + 20
            entity = "automation.exactly_once_gate_everyone_may_enter"
            while (await client.state(entity) or {}).get("state") != "on":
                assert time.monotonic() < deadline, "the automation did not load"
                await asyncio.sleep(0.2)
        finally:
            await client.close()

    async def teardown() -> None:
        client = await stack.client()
        try:
            await client.delete_automation(GATE_AUTOMATION_ID)
        finally:
            await client.close()

    try:
        run_async(setup())
        yield terminal
    finally:
        terminal.stop()
        with contextlib.suppress(Exception):
            run_async(teardown())


async def test_mode_3_restart_and_kill(stack: Stack, gate: Terminal) -> None:
    """Every passage in history once; no door opened for a record past the window."""
    async with traffic(stack, [gate]) as flow:
        await asyncio.sleep(3)
        await restart_gracefully(stack)
        await asyncio.sleep(4)
        await kill_and_start(stack)
        await asyncio.sleep(4)
    assert_exactly_once(flow, await settle(stack, flow))
    openings: list[tuple[Any, Any]] = gate.remote_openings
    assert openings, "the automation never opened the door"
    # Record times are whole seconds on the terminal's clock, and so is the offset Home
    # Assistant knows it by: the age it judges can be up to 2 s off the real one.
    too_old = [(ident, age) for ident, age in openings if age is None or age > DECISION_WINDOW + 2]
    assert not too_old, f"doors opened for records past the decision window: {too_old}"
