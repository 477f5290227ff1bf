"""What the roster drift compare costs Home Assistant at 10 000 people (issue 25).

Focused, not end to end: builds the ``QueryPerson-Ack`` a terminal with N people sends
(the shape the simulator and the firmware use: every customId in one comma-separated
field), then times and traces (tracemalloc) exactly what `roster.drift` does with it:
parse the message, take its customIds, compare them with N stored fingerprints. Then the
names: the ``SearchPersonList-Ack`` pages (``NAME_PAGE`` people each, every field of the
vendor's example) are parsed and compared one at a time, as `RosterCommands.async_renamed`
does. Prints the numbers for the hand-written notes of docs/benchmarks.md. The lanes the
compare uses come from the route table: ``QueryPerson`` and ``SearchPersonList`` on the
query lane, nothing on the door or persons lanes.

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
from custom_components.face_terminal.protocol.models import SearchPersonListAck
from custom_components.face_terminal.protocol.roster import (
    Fingerprint,
    custom_ids_from_ack,
    name_digest,
    renamed,
)
from custom_components.face_terminal.roster.commands import NAME_PAGE
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


RENAMED: tuple[str, ...] = ("emp-00011", "emp-05005")


def page_payload(people: int, offset: int) -> bytes:
    """One ``SearchPersonList-Ack`` page; two people have another name on the terminal."""
    entries = [
        {
            "LibID": number,
            "personType": 0,
            "name": "Renamed" if f"emp-{number:05d}" in RENAMED else f"Person {number}",
            "gender": 0,
            "nation": 1,
            "cardType": 0,
            "idCard": "421381199504030001",
            "birthday": "1995-06-12",
            "telnum1": "18888888888",
            "native": "sz",
            "address": " ",
            "notes": " ",
            "cardType2": 0,
            "cardNum2": 1,
            "RFIDCard": "0",
            "tempCardType": 0,
            "customId": f"emp-{number:05d}",
            "cardValidBegin": "0000-00-00 00:00:00",
            "cardValidEnd": "0000-00-00 00:00:00",
        }
        for number in range(offset, min(people, offset + NAME_PAGE))
    ]
    body = {
        "messageId": "bench",
        "operator": "SearchPersonList-Ack",
        "code": 200,
        "info": {
            "facesluiceId": TERMINAL,
            "TotalPersonNum": people,
            "PersonNum": len(entries),
            "List": entries,
        },
    }
    return json.dumps(body).encode()


def names_pass(people: int, known: dict[str, Fingerprint]) -> tuple[list[str], int, float]:
    """What the name comparison does, page by page.

    The renamed IDs, the largest page (bytes) and the longest parse + compare of one page
    (seconds: the event loop's longest step; building the page is not counted).
    """
    found: list[str] = []
    largest, longest = 0, 0.0
    for offset in range(0, people, NAME_PAGE):
        payload = page_payload(people, offset)  # arrives from the broker, one at a time
        largest = max(largest, len(payload))
        start = time.perf_counter()
        message = parse_message(f"mqtt/face/{TERMINAL}/Ack", payload)
        assert isinstance(message, SearchPersonListAck)
        found.extend(renamed(message.persons, known))
        longest = max(longest, time.perf_counter() - start)
        del payload, message
    return found, largest, longest


def round_trip(people: int, runs: int, operator: str = "QueryPerson") -> list[float]:
    """Seconds from publishing `operator` to its ack, simulator over mosquitto."""
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
            info: dict[str, object] = {"facesluiceId": TERMINAL}
            if operator == "SearchPersonList":  # one full page, as the check asks
                info.update(
                    personType=2,
                    BeginTime="1971-01-01T00:00:00",
                    EndTime="2037-12-31T23:59:59",
                    BeginNO=0,
                    RequestCount=NAME_PAGE,
                )
            command = {"operator": operator, "messageId": f"bench-{run}", "info": info}
            start = time.perf_counter()
            client.publish(f"mqtt/face/{TERMINAL}", json.dumps(command), qos=1)
            assert got.wait(30), f"no {operator}-Ack"
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
        f"emp-{number:05d}": Fingerprint(
            f"details-{number}", f"{number:064x}", name_digest(f"Person {number}")
        )
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
    deleted = ["emp-00007", "emp-04242", "emp-09998"]
    assert drift.missing == [c for c in deleted if int(c[4:]) < args.people], drift.missing[:5]
    assert drift.unknown == ["screen-1", "screen-2"]
    name_times: list[float] = []
    longest_pages: list[float] = []
    for _ in range(args.runs):  # timed without tracemalloc, which slows parsing down
        start = time.perf_counter()
        found, largest, longest = names_pass(args.people, known)
        name_times.append(time.perf_counter() - start)
        longest_pages.append(longest)
    tracemalloc.start()
    names_pass(args.people, known)
    name_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert found == [cid for cid in RENAMED if int(cid[4:]) < args.people], found
    trips = round_trip(args.people, args.runs)
    page_trips = round_trip(args.people, args.runs, "SearchPersonList")
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
    pages = -(-args.people // NAME_PAGE)
    print(
        f"names: {pages} SearchPersonList pages of {NAME_PAGE}, largest "
        f"{largest / 1024:.0f} KiB; page round trip median "
        f"{statistics.median(page_trips) * 1000:.0f} ms, max {max(page_trips) * 1000:.0f} ms"
    )
    print(
        f"names, every page built, parsed and compared: median "
        f"{statistics.median(name_times) * 1000:.1f} ms, max {max(name_times) * 1000:.1f} ms; "
        f"longest parse + compare of one page {max(longest_pages) * 1000:.1f} ms; "
        f"peak traced memory {name_peak / 1024 / 1024:.2f} MiB (page building included)"
    )
    print(
        f"lane: {route.lane.name} (door lane: {route.lane is Lane.DOOR}, "
        f"persons lane: {route.lane is Lane.PERSONS}), deadline {route.timeout:.0f} s"
    )


if __name__ == "__main__":
    main()
