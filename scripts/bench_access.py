"""Benchmark: a door-mode-3 record published -> Home Assistant's PushAck with openDoor.

Runs on its own (``scripts/run python scripts/bench_access.py [--records N]``): mosquitto
on 127.0.0.1, Home Assistant as its own process (harness/), one simulated terminal in
door mode 3 (simulator/), and an automation that answers every access request at once
with ``face_terminal.answer_access_request``. Each sample is the time from just before
this process publishes a ``RecPush`` with ``VerifyStatus`` 22 until it receives, over
the same broker, the ``PushAck`` that opens the door for that record. Sequential, one
record in flight. Measured, never asserted: the output says MISSED when p99 is not
below the target.

`measure_access_latency` is importable for scripts/bench's scenarios.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.home_assistant import HomeAssistantClient, HomeAssistantProcess  # noqa: E402
from simulator import Mosquitto, Terminal  # noqa: E402
from simulator.device import Device  # noqa: E402

TERMINAL_ID = "2900013"
TARGET_P99_MS = 50.0
FIRST_RECORD = 70_000_000
# People arrive seconds apart; 250 ms keeps one record clear of the previous one's TCP
# delayed ACKs (up to 200 ms on Linux), which would otherwise hold the next record back.
RECORD_SPACING = 0.25
AUTOMATION_ID = "bench_access_grant"
AUTOMATION: dict[str, Any] = {
    "alias": "Bench: grant every access request",
    "triggers": [{"trigger": "event", "event_type": "face_terminal_access_request"}],
    "actions": [
        {
            "action": "face_terminal.answer_access_request",
            "data": {"request_id": "{{ trigger.event.data.request_id }}", "grant": True},
        }
    ],
    "mode": "parallel",
}


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


class PushAckWatcher:
    """Subscribes to a terminal's command topic and notes when each opening PushAck arrives."""

    def __init__(self, port: int, terminal_id: str) -> None:
        """Connect, subscribe to ``mqtt/face/<id>`` and a publisher for its records."""
        self.rec_topic = f"mqtt/face/{terminal_id}/Rec"
        self._arrivals: dict[str, float] = {}
        self._waiters: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-access")
        subscribed = threading.Event()
        self.client.on_connect = lambda client, *_: client.subscribe(
            f"mqtt/face/{terminal_id}", qos=0
        )
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        if not subscribed.wait(10):
            raise RuntimeError("the PushAck watcher could not subscribe")
        # Records go out on a connection of their own: on one shared connection the
        # broker's PUBACK for the record would hold the PushAck back (Nagle's algorithm
        # against the receiver's delayed ACK, up to 40 ms) and the benchmark would measure
        # its own client instead of Home Assistant.
        self.publisher = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-access-pub")
        connected = threading.Event()
        self.publisher.on_connect = lambda *_: connected.set()
        self.publisher.connect("127.0.0.1", port)
        self.publisher.loop_start()
        if not connected.wait(10):
            raise RuntimeError("the record publisher could not connect")

    def _on_message(self, _client: mqtt.Client, _userdata: Any, msg: mqtt.MQTTMessage) -> None:
        arrived = time.perf_counter()
        try:
            command = json.loads(msg.payload)
        except ValueError:
            return
        info = command.get("info") or {}
        if command.get("operator") != "PushAck" or str(info.get("openDoor")) != "1":
            return
        record_id = str(info.get("SnapOrRecordID"))
        with self._lock:
            self._arrivals[record_id] = arrived
            waiter = self._waiters.get(record_id)
        if waiter is not None:
            waiter.set()

    def measure(self, record_id: str, payload: bytes) -> float:
        """Publish one record; seconds until its opening PushAck arrived."""
        waiter = threading.Event()
        with self._lock:
            self._waiters[record_id] = waiter
        started = time.perf_counter()
        self.publisher.publish(self.rec_topic, payload, qos=1)
        if not waiter.wait(10):
            raise TimeoutError(f"no opening PushAck for record {record_id}")
        with self._lock:
            del self._waiters[record_id]
            return self._arrivals.pop(record_id) - started

    def close(self) -> None:
        """Disconnect both clients."""
        for client in (self.publisher, self.client):
            client.disconnect()
            client.loop_stop()


def access_payloads(terminal_id: str, count: int, first: int) -> list[tuple[str, bytes]]:
    """`count` live ``VerifyStatus`` 22 records (small pictures), built just in time."""
    device = Device(terminal_id, picture_kb=1, record_id_start=first)
    device.config["door"]["OpendoorWay"] = "3"
    person = device.store.find("Alice")
    assert person is not None
    out = []
    for _ in range(count):
        entry = device.recognition(person)
        out.append((str(entry.ident), device.profile.encode(device.payload_for_send(entry))))
        device.pending.clear()
    return out


async def measure_access_latency(
    client: HomeAssistantClient, port: int, terminal_id: str, records: int, warmup: int = 5
) -> list[float]:
    """Milliseconds from record publish to opening PushAck, for `records` samples.

    The terminal must be set up in Home Assistant; this saves (and afterwards deletes) the
    automation that grants every request at once.
    """
    await client.save_automation(AUTOMATION_ID, AUTOMATION)
    deadline = time.monotonic() + 20
    entity = "automation.bench_grant_every_access_request"
    while (await client.state(entity) or {}).get("state") != "on":
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark automation did not load")
        await asyncio.sleep(0.2)
    watcher = PushAckWatcher(port, terminal_id)
    samples: list[float] = []
    try:
        for number in range(warmup + records):
            # Build each record just before sending it: its time must be "now" (a record
            # older than 30 s is not live and is refused, never granted).
            [(record_id, payload)] = access_payloads(terminal_id, 1, FIRST_RECORD + number)
            elapsed = await asyncio.to_thread(watcher.measure, record_id, payload)
            if number >= warmup:
                samples.append(elapsed * 1000)
            await asyncio.sleep(RECORD_SPACING)
    finally:
        watcher.close()
        with contextlib.suppress(Exception):
            await client.delete_automation(AUTOMATION_ID)
    return samples


async def _run(records: int, config_dir: Path) -> list[float]:
    with Mosquitto() as broker:
        hass = HomeAssistantProcess(config_dir, log_level="warning")
        client = HomeAssistantClient(hass.url)
        terminal = Terminal(
            TERMINAL_ID, "127.0.0.1", broker.port, resume=True, heartbeat=30.0, online_repeat=1.0
        )
        terminal.config["door"]["OpendoorWay"] = "3"
        try:
            hass.start()
            await hass.wait_until_up()
            await client.onboard_or_login()
            await client.setup_mqtt(broker.port)
            terminal.start()
            if not terminal.wait_connected(30):
                raise RuntimeError("the simulated terminal did not connect")
            deadline = time.monotonic() + 60
            while await client.entry(TERMINAL_ID) is None:
                if time.monotonic() > deadline:
                    raise TimeoutError("the terminal was not discovered")
                await client.confirm_discovered()
                await asyncio.sleep(0.5)
            online = (await client.entity_ids(TERMINAL_ID))["binary_sensor.online"]
            while (await client.state(online) or {}).get("state") != "on":
                if time.monotonic() > deadline:
                    raise TimeoutError("the terminal did not come online")
                await asyncio.sleep(0.2)
            await asyncio.sleep(3)  # let the entry's setup work settle
            return await measure_access_latency(client, broker.port, TERMINAL_ID, records)
        finally:
            terminal.stop()
            with contextlib.suppress(Exception):
                await client.close()
            hass.stop()


def main() -> None:
    """Run and print p50/p99 against the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200, help="samples (default 200)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ft-bench-access-") as tmp:
        samples = asyncio.run(_run(args.records, Path(tmp) / "config"))
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    verdict = "met" if p99 < TARGET_P99_MS else "MISSED"
    print(
        f"[bench] access decision (record published -> PushAck openDoor), {len(samples)} "
        f"records: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(samples):.1f} ms, "
        f"mean {statistics.fmean(samples):.1f} ms; target p99 < {TARGET_P99_MS:.0f} ms: "
        f"{verdict}"
    )


if __name__ == "__main__":
    main()
