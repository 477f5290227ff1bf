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

import contextlib
from typing import TYPE_CHECKING

import pytest
import pytest_socket

from harness.chaos import (
    Recorded,
    Traffic,
    kill_and_start,
    restart_broker,
    restart_gracefully,
    run_outages,
    settle,
)

from .conftest import add_terminal, make_terminal, run_async

if TYPE_CHECKING:
    from collections.abc import Iterator

    from simulator import Terminal

    from .conftest import Stack

pytestmark = pytest.mark.timeout(420)

RESUME_10S = "2190001"  # resume-from-breakpoint, re-sends after 10 s
RESUME_1S = "2190002"  # resume-from-breakpoint, re-sends after 1 s
NO_RESUME = "2190003"  # factory default: Home Assistant asks for the gap
GATE = "2190004"  # door mode 3, resume on, re-sends after 3 s (the terminal)
GATE_AUTOMATION_ID = "face_terminal_e2e_exactly_once_gate"
DECISION_WINDOW = 5.0  # the access window option's default


def assert_exactly_once(flow: Traffic, recorded: Recorded, *, killed: bool = False) -> None:
    """Nothing lost, nothing twice as live, late ones replays; no copy at all unless killed.

    A ``kill -9`` between the recorder's commit and the store's write (a few
    milliseconds) may let one record come back once more, marked as a replay.
    """
    missing = sorted(flow.sent - set(recorded.copies))
    assert not missing, f"{len(missing)} of {len(flow.sent)} records lost: {missing[:20]}"
    twice_live = {key: n for key, n in recorded.live.items() if n > 1}
    assert not twice_live, f"delivered twice as live: {twice_live}"
    assert not recorded.late_live, f"late records not marked replay: {recorded.late_live}"
    strays = set(recorded.copies) - flow.sent - flow.before
    assert not strays, f"records nobody sent: {sorted(strays)[:20]}"
    duplicates = {key: n for key, n in recorded.copies.items() if n > 1 and key not in flow.before}
    assert killed or not duplicates, f"recorded more than once: {duplicates}"


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
    hass = stack.hass
    outages = [lambda: restart_gracefully(hass)] * 2
    flow = await run_outages(hass, list(terminals.values()), outages)
    assert_exactly_once(flow, await settle(hass, flow))
    # The terminal without resume-from-breakpoint got its gaps through recovery.
    asked = [
        command
        for command in terminals[NO_RESUME].received
        if command.get("operator") == "ManualPushRecords"
    ]
    assert asked


async def test_kill_9(stack: Stack, terminals: dict[str, Terminal]) -> None:
    hass = stack.hass
    # Killed twice, the second time shortly after a start: what was stored just before
    # still counts.
    outages = [lambda: kill_and_start(hass)] * 2
    flow = await run_outages(hass, list(terminals.values()), outages)
    assert_exactly_once(flow, await settle(hass, flow), killed=True)


async def test_broker_restart(stack: Stack, terminals: dict[str, Terminal]) -> None:
    hass = stack.hass
    outages = [lambda: restart_broker(stack.broker)]
    flow = await run_outages(hass, list(terminals.values()), outages, between=6)
    assert_exactly_once(flow, await settle(hass, flow))


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
            await client.wait_until_on("automation.exactly_once_gate_everyone_may_enter")
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
    hass = stack.hass
    outages = [lambda: restart_gracefully(hass), lambda: kill_and_start(hass)]
    flow = await run_outages(hass, [gate], outages)
    assert_exactly_once(flow, await settle(hass, flow), killed=True)
    openings = gate.remote_openings
    assert openings, "the automation never opened the door"
    # Record times are whole seconds on the terminal's clock, and so is the offset Home
    # Assistant knows it by: the age it judges can be up to 2 s off the real one.
    too_old = [(ident, age) for ident, age in openings if age is None or age > DECISION_WINDOW + 2]
    assert not too_old, f"doors opened for records past the decision window: {too_old}"
