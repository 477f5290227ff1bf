"""Chaos benchmark: records counted by ID through each kind of outage (scripts/bench chaos).

Its own mosquitto and Home Assistant (restarting them would disturb the other
scenarios), and three simulated terminals sending two records a second each:

* resume-from-breakpoint on, re-sending unacknowledged records after 10 s,
* resume-from-breakpoint on, re-sending after 1 s,
* resume-from-breakpoint off (the factory default: Home Assistant asks for the gap).

For each kind of outage — two graceful restarts of Home Assistant, two ``kill -9``, a
broker restart — the records are counted by (terminal, kind, record ID) in the
recorder's database: sent, delivered live, delivered late as a replay, lost, delivered
twice (`harness.chaos`). Counts, not timings: the targets are zero.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.chaos import (  # noqa: E402
    RATE,
    Tally,
    kill_and_start,
    restart_broker,
    restart_gracefully,
    run_outages,
    settle,
)
from harness.home_assistant import HomeAssistantClient, HomeAssistantProcess  # noqa: E402
from simulator import Mosquitto, Terminal  # noqa: E402

if TYPE_CHECKING:
    from harness.chaos import Outage

FIRST_ID = 3_200_000
TERMINALS: tuple[tuple[str, dict[str, object]], ...] = (
    ("resume on, re-send after 10 s", {"resume": True, "resend_interval": 10.0}),
    ("resume on, re-send after 1 s", {"resume": True, "resend_interval": 1.0}),
    ("resume off (recovery asks)", {"resume": False}),
)
OPTIONS = {"offline_timeout": 20, "acknowledge_records": True}


async def add_terminals(client: HomeAssistantClient, broker: Mosquitto) -> list[Terminal]:
    """Start the terminals, confirm their discovered flows, wait until they are online."""
    terminals = [
        Terminal(
            str(FIRST_ID + index),
            broker.host,
            broker.port,
            heartbeat=10.0,
            online_repeat=1.0,
            keepalive=10,
            **options,  # type: ignore[arg-type]
        )
        for index, (_, options) in enumerate(TERMINALS)
    ]
    for terminal in terminals:
        terminal.start()
        if not terminal.wait_connected(15):
            raise RuntimeError("a simulated terminal did not connect")
    ids = {terminal.terminal_id for terminal in terminals}
    await client.confirm_terminals(ids)
    for terminal in terminals:
        entry = await client.wait_for_entry(terminal.terminal_id)
        await client.set_options(entry["entry_id"], OPTIONS)
    await client.confirm_terminals(ids)  # the options reloaded each entry: online again
    return terminals


async def measure(quick: bool = False) -> list[tuple[str, str, Tally]]:
    """(outage, terminal mode, counts) for every outage kind and terminal."""
    rows: list[tuple[str, str, Tally]] = []
    with tempfile.TemporaryDirectory(prefix="ft-bench-chaos-") as tmp:
        broker = Mosquitto()
        hass = HomeAssistantProcess(Path(tmp) / "config")
        broker.start()
        hass.start()
        client = HomeAssistantClient(hass.url)
        terminals: list[Terminal] = []
        try:
            await hass.wait_until_up()
            await client.onboard_or_login()
            await client.setup_mqtt(broker.port)
            terminals = await add_terminals(client, broker)
            kinds: list[tuple[str, list[Outage]]] = [
                ("2 graceful restarts of Home Assistant", [lambda: restart_gracefully(hass)] * 2),
                ("`kill -9` of Home Assistant, twice", [lambda: kill_and_start(hass)] * 2),
                ("broker restart (2 s down)", [lambda: restart_broker(broker)]),
            ]
            if quick:
                kinds = kinds[:1]
            for name, outages in kinds:
                print(f"[bench-chaos] {name}", flush=True)
                flow = await run_outages(hass, terminals, outages, between=6.0)
                recorded = await settle(hass, flow)
                for (mode, _), terminal in zip(TERMINALS, terminals, strict=True):
                    rows.append((name, mode, Tally.of(flow, recorded, terminal.terminal_id)))
        finally:
            for terminal in terminals:
                terminal.stop()
            await client.close()
            hass.stop()
            broker.cleanup()
    return rows


def report(
    rows: list[tuple[str, str, Tally]],
) -> tuple[list[str], list[tuple[str, str, str, bool]]]:
    """Markdown body and targets of the chaos section."""
    lost = sum(tally.lost for *_, tally in rows)
    twice = sum(tally.twice_live for *_, tally in rows)
    late = sum(tally.late_not_replay for *_, tally in rows)
    duplicates = sum(tally.duplicates for *_, tally in rows)
    sent = sum(tally.sent for *_, tally in rows)
    targets = [
        ("records lost (acknowledged or not)", "0", f"{lost} of {sent}", lost == 0),
        ("records delivered twice as live", "0", str(twice), twice == 0),
        ("late records not marked `replay: true`", "0", str(late), late == 0),
    ]
    body = [
        (
            f"Three simulated terminals send {RATE:g} records/s each (a stranger snapshot every "
            "fourth) while the outage happens; afterwards every record is counted by "
            "(terminal, kind, record ID) in the recorder's database — what history and the "
            "logbook keep. *Live* and *replay* count records delivered first that way; "
            "*duplicates* counts records recorded more than once in any way "
            f"({duplicates} in this run)."
        ),
        "",
        (
            "| Outage | Terminal | Sent | Live | Late, `replay: true` | Lost | Twice as live "
            "| Recorded twice |"
        ),
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {outage} | {mode} | {t.sent} | {t.live} | {t.replayed} | {t.lost} "
            f"| {t.twice_live} | {t.duplicates} |"
            for outage, mode, t in rows
        ),
        "",
    ]
    return body, targets
