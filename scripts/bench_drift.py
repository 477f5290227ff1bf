"""What the roster drift compare costs Home Assistant at 10 000 people (issue 25).

Focused, not end to end: builds the ``QueryPerson-Ack`` a terminal with N people sends
(the shape the simulator and the firmware use: every customId in one comma-separated
field), then times and traces (tracemalloc) exactly what `roster.drift` does with it:
parse the message, take its customIds, compare them with N stored fingerprints. Prints
the numbers for the hand-written notes of docs/benchmarks.md. The lanes the compare uses
come from the route table: one ``QueryPerson`` on the query lane, nothing on the door or
persons lanes.

    scripts/run python scripts/bench_drift.py [--people 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.face_terminal.protocol import ROUTES, Lane, parse_message
from custom_components.face_terminal.protocol.roster import (
    Fingerprint,
    custom_ids_from_ack,
)
from custom_components.face_terminal.roster.drift import compare

TERMINAL = "1305433"


def ack_payload(people: int) -> bytes:
    """The QueryPerson-Ack of a terminal with `people` people, five of them drifted."""
    ids = [f"emp-{number:05d}" for number in range(people)]
    # Three deleted on the screen, two enrolled there.
    ids = [cid for cid in ids if cid not in ("emp-00007", "emp-04242", "emp-09998")]
    ids += ["screen-1", "screen-2"]
    body = {
        "messageId": "bench",
        "operator": "QueryPerson-Ack",
        "code": "200",
        "info": {
            "facesluiceId": TERMINAL,
            "TotalPersonNum": str(len(ids)),
            "QueryPersonNum": str(len(ids)),
            "customId": ",".join(ids),
            "result": "ok",
        },
    }
    return json.dumps(body).encode()


def round_trip(people: int, runs: int) -> list[float]:
    """Seconds from publishing ``QueryPerson`` to its ack, simulator over mosquitto."""
    import threading  # noqa: PLC0415 - only for this measurement

    import paho.mqtt.client as mqtt  # noqa: PLC0415
    from paho.mqtt.enums import CallbackAPIVersion  # noqa: PLC0415

    from simulator import Mosquitto, Terminal  # noqa: PLC0415

    broker = Mosquitto()
    broker.start()
    terminal = Terminal(TERMINAL, broker.host, broker.port, heartbeat=None, capacity=people + 10)
    for number in range(people):
        terminal.store.add(f"emp-{number:05d}", f"Person {number}")
    terminal.start()
    assert terminal.wait_connected(10)
    got = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.on_message = lambda _client, _data, _message: got.set()
    client.connect(broker.host, broker.port)
    client.subscribe(f"mqtt/face/{TERMINAL}/Ack", qos=1)
    client.loop_start()
    time.sleep(0.5)
    times: list[float] = []
    try:
        for run in range(runs):
            got.clear()
            command = {
                "operator": "QueryPerson",
                "messageId": f"bench-{run}",
                "info": {"facesluiceId": TERMINAL},
            }
            start = time.perf_counter()
            client.publish(f"mqtt/face/{TERMINAL}", json.dumps(command), qos=1)
            assert got.wait(30), "no QueryPerson-Ack"
            times.append(time.perf_counter() - start)
    finally:
        client.loop_stop()
        client.disconnect()
        terminal.stop()
        broker.cleanup()
    return times


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    payload = ack_payload(args.people)
    known = {
        f"emp-{number:05d}": Fingerprint(f"details-{number}", f"{number:064x}")
        for number in range(args.people)
    }
    times: list[float] = []
    peaks: list[int] = []
    for _ in range(args.runs):
        tracemalloc.start()
        start = time.perf_counter()
        message = parse_message(f"mqtt/face/{TERMINAL}/Ack", payload)
        ids, _total = custom_ids_from_ack(message)  # type: ignore[arg-type]
        drift = compare(ids, known)
        times.append(time.perf_counter() - start)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert drift.missing == ["emp-00007", "emp-04242", "emp-09998"], drift.missing[:5]
    assert drift.unknown == ["screen-1", "screen-2"]
    trips = round_trip(args.people, args.runs)
    print(
        f"QueryPerson round trip (simulated terminal, local mosquitto): median "
        f"{statistics.median(trips) * 1000:.0f} ms, max {max(trips) * 1000:.0f} ms"
    )
    route = ROUTES["QueryPerson"]
    print(f"people: {args.people}, ack: {len(payload) / 1024:.0f} KiB")
    print(f"stored fingerprints: {sys.getsizeof(known) / 1024:.0f} KiB for the dict alone")
    print(
        f"parse + compare: median {statistics.median(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms over {args.runs} runs"
    )
    print(f"peak traced memory: {max(peaks) / 1024 / 1024:.2f} MiB")
    print(
        f"lane: {route.lane.name} (door lane: {route.lane is Lane.DOOR}, "
        f"persons lane: {route.lane is Lane.PERSONS}), deadline {route.timeout:.0f} s"
    )


if __name__ == "__main__":
    main()
