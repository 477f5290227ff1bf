"""Outages under load, and the count of what reached Home Assistant's history.

Shared by the end-to-end test of exactly-once delivery (tests/e2e/test_exactly_once.py)
and the chaos benchmark (scripts/bench_chaos.py): simulated terminals send records at a
steady rate while Home Assistant is restarted, killed or the broker restarted; then the
recorder's database is read — what history and the logbook show, and what survives a
``kill -9`` — and every record is counted by (terminal, kind, record ID).
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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable
    from pathlib import Path

    from simulator import Mosquitto, Terminal

    from .home_assistant import HomeAssistantProcess

RATE = 2.0
"""Records per second and terminal."""
EVENT_TYPES = ("face_terminal_recognition", "face_terminal_stranger")
LATE = 12.0
"""Seconds after which a delivered record must be a replay: the terminal's own "sent in
time" is 10 s, plus two for the whole seconds of its clock."""

type Key = tuple[str, str, str]
"""Terminal ID, event type, record or snapshot ID."""


@dataclass
class Recorded:
    """What the recorder holds of some terminals: every copy, and how it arrived."""

    copies: Counter[Key] = field(default_factory=Counter)
    live: Counter[Key] = field(default_factory=Counter)
    late_live: list[Key] = field(default_factory=list)


def database(hass: HomeAssistantProcess) -> Path:
    """The recorder's SQLite database of a harness Home Assistant."""
    return hass.config_dir / "home-assistant_v2.db"


def read_recorder(path: Path, terminal_ids: set[str]) -> Recorded:
    """The recorded record events of `terminal_ids`, read-only, while Home Assistant runs."""
    recorded = Recorded()
    if not path.exists():
        return recorded
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
        rows = db.execute(
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
    before: set[Key] = field(default_factory=set)
    """Records of these terminals recorded before the traffic started."""
    rounds: int = 0

    @property
    def terminal_ids(self) -> set[str]:
        """IDs of the sending terminals."""
        return {terminal.terminal_id for terminal in self.terminals}

    async def _run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for terminal in self.terminals:
                if self.rounds % 4 == 3:
                    key = (terminal.terminal_id, EVENT_TYPES[1], str(terminal.push_stranger()))
                else:
                    record_id = terminal.push_recognition("Bob")
                    key = (terminal.terminal_id, EVENT_TYPES[0], str(record_id))
                self.sent.add(key)
            self.rounds += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1 / RATE)


@contextlib.asynccontextmanager
async def traffic(hass: HomeAssistantProcess, terminals: list[Terminal]) -> AsyncIterator[Traffic]:
    """Send records from `terminals` for as long as the block runs."""
    flow = Traffic(terminals)
    earlier = await asyncio.to_thread(read_recorder, database(hass), flow.terminal_ids)
    flow.before = set(earlier.copies)
    stop = asyncio.Event()
    task = asyncio.create_task(flow._run(stop))  # noqa: SLF001 - the owner of the loop
    try:
        yield flow
    finally:
        stop.set()
        await task


async def restart_gracefully(hass: HomeAssistantProcess) -> None:
    """Stop Home Assistant (SIGTERM) and start it again."""
    await asyncio.to_thread(hass.stop)
    await asyncio.to_thread(hass.start)
    await hass.wait_until_up()


async def kill_and_start(hass: HomeAssistantProcess) -> None:
    """``kill -9`` Home Assistant and start it again."""
    await asyncio.to_thread(hass.kill)
    await asyncio.to_thread(hass.start)
    await hass.wait_until_up()


async def restart_broker(broker: Mosquitto, down: float = 2.0) -> None:
    """Stop mosquitto for `down` seconds."""
    await asyncio.to_thread(broker.stop)
    await asyncio.sleep(down)
    await asyncio.to_thread(broker.start)


type Outage = Callable[[], Awaitable[None]]


async def run_outages(
    hass: HomeAssistantProcess,
    terminals: list[Terminal],
    outages: list[Outage],
    *,
    before: float = 3.0,
    between: float = 4.0,
) -> Traffic:
    """Send records through each outage in turn (`between` seconds of traffic after each)."""
    async with traffic(hass, terminals) as flow:
        await asyncio.sleep(before)
        for outage in outages:
            await outage()
            await asyncio.sleep(between)
    return flow


async def settle(hass: HomeAssistantProcess, flow: Traffic, *, limit: float = 120.0) -> Recorded:
    """Wait until every record sent is recorded and no terminal waits for an ack."""
    deadline = time.monotonic() + limit
    while True:
        recorded = await asyncio.to_thread(read_recorder, database(hass), flow.terminal_ids)
        waiting = [t for t in flow.terminals if t.resume and t.pending_records]
        if (flow.sent <= set(recorded.copies) and not waiting) or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    # Past a re-send interval of the quick terminals: a late duplicate would show now.
    await asyncio.sleep(3)
    return await asyncio.to_thread(read_recorder, database(hass), flow.terminal_ids)


@dataclass(frozen=True)
class Tally:
    """The counts of one run, for one terminal or all of them."""

    sent: int
    live: int
    replayed: int
    lost: int
    twice_live: int
    duplicates: int
    late_not_replay: int
    strays: int

    @classmethod
    def of(cls, flow: Traffic, recorded: Recorded, terminal_id: str | None = None) -> Tally:
        """Count `flow` against `recorded` (one terminal, or all when None)."""

        def mine(key: Key) -> bool:
            return terminal_id is None or key[0] == terminal_id

        sent = {key for key in flow.sent if mine(key)}
        copies = {key: n for key, n in recorded.copies.items() if mine(key)}
        live = {key: n for key, n in recorded.live.items() if mine(key)}
        return cls(
            sent=len(sent),
            live=sum(1 for key in sent if live.get(key)),
            replayed=sum(1 for key in sent if copies.get(key) and not live.get(key)),
            lost=len(sent - set(copies)),
            twice_live=sum(1 for n in live.values() if n > 1),
            duplicates=sum(1 for n in copies.values() if n > 1),
            late_not_replay=sum(1 for key in recorded.late_live if mine(key)),
            strays=len(set(copies) - flow.sent - flow.before),
        )
