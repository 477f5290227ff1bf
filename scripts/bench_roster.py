"""Benchmark of the roster sync (issue 11) in a real Home Assistant.

Everything runs on this machine: mosquitto on 127.0.0.1, Home Assistant as its own process
(`harness.home_assistant`), and in this process the simulated terminals, which download
every photo from Home Assistant over HTTP as real terminals do. One run:

1. 1 000 people with ~100 KB photos (a CSV roster in an allowed folder) synced to 2
   terminals at once: wall time against the per-person floor of single `EditPerson`
   commands (1 s apart, V1.24 §4.1: 1 000 s per terminal), Home Assistant's memory
   growth, and the event loop's responsiveness (WebSocket pings every 20 ms from a
   separate, otherwise idle process: a loop blocked for X ms delays a ping by up to X).
2. The same roster again: nothing changed, nothing is sent.

Measured, never asserted: the report says MISSED where a target is not met.

    scripts/run python scripts/bench_roster.py [--people N] [--photo-kb KB] [--output FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.home_assistant import HomeAssistantClient, HomeAssistantProcess  # noqa: E402
from simulator import Mosquitto, Terminal, images  # noqa: E402

FIRST_ID = 3_100_000
TERMINALS = 2
PEOPLE = 1000
PHOTO_KB = 100
DISTINCT_FACES = 40
PING_INTERVAL = 0.02
PER_PERSON_FLOOR_S = 1.0  # V1.24 §4.1: base64 EditPerson at least 1 s apart

TARGET_SPEEDUP = 20.0
TARGET_RSS_GROWTH_MB = 100.0
TARGET_LOOP_BLOCK_MS = 50.0


# --- roster ------------------------------------------------------------------------------


def _with_comment(jpeg: bytes, text: str) -> bytes:
    """The same JPEG with a COM segment after SOI: a distinct file (and digest) per person."""
    payload = text.encode()
    segment = b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:2] + segment + jpeg[2:]


def write_roster(folder: Path, people: int, photo_kb: float) -> Path:
    """A CSV roster of `people` with one ~`photo_kb` KB JPEG each; returns the CSV path."""
    photos = folder / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    faces = [
        images.face_jpeg(f"Bench Person {number}", photo_kb)
        for number in range(min(DISTINCT_FACES, people))
    ]
    lines = ["custom_id,name,photo,person_type,valid_from,valid_until"]
    for number in range(people):
        custom_id = f"bench-{number:05d}"
        photo = _with_comment(faces[number % len(faces)], custom_id)
        (photos / f"{custom_id}.jpg").write_bytes(photo)
        lines.append(f"{custom_id},Person {number},photos/{custom_id}.jpg,allow,,")
    roster = folder / "roster.csv"
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return roster


# --- measurements -----------------------------------------------------------------------

# A tiny custom integration for the benchmark's own Home Assistant only: it measures the
# event loop's lag from inside (a 5 ms sleep that wakes up late), and publishes the worst
# lag since the last reset as the state of `sensor.loop_probe`.
PROBE_DOMAIN = "loop_probe"
PROBE_MANIFEST = {
    "domain": PROBE_DOMAIN,
    "name": "Loop probe (benchmark)",
    "version": "0.0.1",
    "documentation": "https://example.invalid",
    "codeowners": [],
    "requirements": [],
    "iot_class": "local_push",
}
PROBE_CODE = """
import asyncio

DOMAIN = "loop_probe"
TICK = 0.005
DEBUG = __DEBUG__


async def async_setup(hass, config):
    worst = {"lag": 0.0, "over": 0, "ticks": 0}

    async def probe():
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(TICK)
            lag = loop.time() - start - TICK
            worst["ticks"] += 1
            if lag > 0.05:
                worst["over"] += 1
            worst["lag"] = max(worst["lag"], lag)

    async def publish():
        while True:
            await asyncio.sleep(0.5)
            hass.states.async_set(
                "sensor.loop_probe",
                round(worst["lag"] * 1000, 1),
                {"over_50ms": worst["over"], "ticks": worst["ticks"]},
            )

    def reset(call):
        worst.update(lag=0.0, over=0, ticks=0)

    if DEBUG:
        loop = asyncio.get_running_loop()
        loop.slow_callback_duration = 0.03
        loop.set_debug(True)
    hass.services.async_register(DOMAIN, "reset", reset)
    hass.async_create_background_task(probe(), "loop probe")
    hass.async_create_background_task(publish(), "loop probe publish")
    return True
"""


class ProbedHomeAssistant(HomeAssistantProcess):
    """Home Assistant with the loop probe next to this repository's integration."""

    def prepare(self) -> None:
        """Link the integration and the probe, then enable the probe in the YAML."""
        components = self.config_dir / "custom_components"
        if not components.exists():
            components.mkdir(parents=True)
            (components / "face_terminal").symlink_to(REPO / "custom_components" / "face_terminal")
            probe = components / PROBE_DOMAIN
            probe.mkdir()
            (probe / "manifest.json").write_text(json.dumps(PROBE_MANIFEST), encoding="utf-8")
            debug = str(bool(os.environ.get("FT_BENCH_LOOP_DEBUG")))
            (probe / "__init__.py").write_text(
                PROBE_CODE.replace("__DEBUG__", debug), encoding="utf-8"
            )
        super().prepare()
        configuration = self.config_dir / "configuration.yaml"
        text = configuration.read_text(encoding="utf-8")
        configuration.write_text(f"{text}\n{PROBE_DOMAIN}:\n", encoding="utf-8")


async def loop_lag(client: HomeAssistantClient) -> tuple[float, int, int]:
    """Worst loop lag in ms since the last reset, lags over 50 ms, and probe ticks."""
    await asyncio.sleep(0.6)  # the probe publishes every 0.5 s
    state = await client.state("sensor.loop_probe")
    if state is None:
        return float("nan"), 0, 0
    attributes = state["attributes"]
    return float(state["state"]), int(attributes["over_50ms"]), int(attributes["ticks"])


async def ping_worker(url: str, seconds: float) -> None:
    """Body of the pinging subprocess: print the round trips (JSON list of seconds)."""
    client = HomeAssistantClient(url)
    client.token = os.environ["FT_BENCH_TOKEN"]
    results: list[float] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)  # the sync is over: report
    try:
        end = loop.time() + seconds
        next_ping = loop.time()
        while loop.time() < end and not stop.is_set():
            results.append(await client.ping())
            next_ping += PING_INTERVAL
            await asyncio.sleep(max(0.0, next_ping - loop.time()))
    finally:
        await client.close()
    print(json.dumps(results))


class Pinger:
    """WebSocket pings from a separate process while the sync runs."""

    def __init__(self, url: str, token: str, seconds: float) -> None:
        """Start pinging for at most `seconds`."""
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--ping-worker", url, str(seconds)],
            stdout=subprocess.PIPE,
            env={**os.environ, "FT_BENCH_TOKEN": token},
        )

    def results(self) -> list[float]:
        """Wait for the worker; the round trips in seconds."""
        out, _ = self.process.communicate(timeout=900)
        if self.process.returncode:
            raise RuntimeError(f"ping worker failed ({self.process.returncode})")
        values: list[float] = json.loads(out)
        return values


class RssSampler:
    """Home Assistant's resident memory, sampled every 0.2 s on a thread."""

    def __init__(self, hass: HomeAssistantProcess) -> None:
        """Take the baseline and start sampling."""
        self.hass = hass
        self.before = hass.rss_bytes()
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self.hass.rss_bytes())

    def stop(self) -> int:
        """Stop sampling; the RSS after, in bytes."""
        self._stop.set()
        self._thread.join()
        after = self.hass.rss_bytes()
        self.peak = max(self.peak, after)
        return after


@dataclass
class SyncRun:
    """One timed call of sync_persons."""

    seconds: float
    reports: list[dict[str, Any]]


async def timed_sync(
    client: HomeAssistantClient, device_ids: list[str], roster: Path, limit: float
) -> SyncRun:
    """Call sync_persons with a response and time it."""
    started = time.perf_counter()
    response = await asyncio.wait_for(
        client.call_service(
            "face_terminal",
            "sync_persons",
            {"device_id": device_ids, "roster_file": str(roster)},
            response=True,
        ),
        limit,
    )
    return SyncRun(time.perf_counter() - started, response["service_response"]["results"])


# --- setup -----------------------------------------------------------------------------


async def add_terminals(
    client: HomeAssistantClient, broker: Mosquitto, count: int
) -> list[Terminal]:
    """Start simulated terminals and confirm them in Home Assistant until online."""
    terminals = []
    for index in range(count):
        terminal = Terminal(
            str(FIRST_ID + index),
            broker.host,
            broker.port,
            seed_persons=False,
            capacity=PEOPLE * 2,
            heartbeat=30.0,
            online_repeat=1.0,
        )
        terminal.start()
        if not terminal.wait_connected(15):
            raise RuntimeError("a simulated terminal did not connect")
        terminals.append(terminal)
    await client.confirm_terminals({terminal.terminal_id for terminal in terminals})
    return terminals


# --- report ------------------------------------------------------------------------------


def verdict(met: bool) -> str:
    """Table cell for a target."""
    return "met" if met else "**MISSED**"


def _ping_stats(pings: list[float]) -> tuple[float, float, float, int]:
    """Median, p99 and max in milliseconds, and the count."""
    values = sorted(value * 1000 for value in pings)
    if not values:
        return float("nan"), float("nan"), float("nan"), 0
    p99 = values[int(0.99 * (len(values) - 1))]
    return statistics.median(values), p99, values[-1], len(values)


def ping_row(label: str, pings: list[float]) -> str:
    """A table row for a ping distribution (no target)."""
    median, p99, worst, count = _ping_stats(pings)
    values = f"{median:.1f} / {p99:.1f} / {worst:.1f} ms ({count} pings)"
    return f"| {label} (median / p99 / max) | {values} | | |"


def lag_row(label: str, lag: tuple[float, int, int]) -> str:
    """A table row for the loop probe's reading."""
    worst, over, ticks = lag
    values = f"max {worst:.1f} ms, {over} of {ticks} ticks over 50 ms"
    met = verdict(worst < TARGET_LOOP_BLOCK_MS)
    return f"| {label} | {values} | max < {TARGET_LOOP_BLOCK_MS:g} ms | {met} |"


def summarise(
    *,
    people: int,
    photo_kb: float,
    first: SyncRun,
    second: SyncRun,
    terminals: list[Terminal],
    rss: tuple[int, int, int],
    pings: list[float],
) -> str:
    """The report table."""
    floor = people * PER_PERSON_FLOOR_S  # per terminal; terminals in parallel at best
    speedup = floor / first.seconds
    mb = 1024 * 1024
    before, after, peak = rss
    growth = (after - before) / mb
    median, p99, worst, count = _ping_stats(pings)
    held = [len(terminal.store) for terminal in terminals]
    added = [report.get("added") for report in first.reports]
    failed = [report.get("failed") for report in first.reports]
    unchanged = [report.get("unchanged") for report in second.reports]
    rows = [
        "| Measure | Value | Target | |",
        "|---|---|---|---|",
        (
            f"| Sync {people} people ({photo_kb:g} KB photos) to {len(terminals)} terminals | "
            f"{first.seconds:.1f} s | | |"
        ),
        f"| Per-person floor (single EditPerson, 1 s apart) | {floor:.0f} s per terminal | | |",
        (
            f"| Speed-up over the floor | {speedup:.0f}x | >= {TARGET_SPEEDUP:g}x | "
            f"{verdict(speedup >= TARGET_SPEEDUP)} |"
        ),
        (
            f"| Persons added / failed per terminal | {added} / {failed} | all / 0 | "
            f"{verdict(all(a == people for a in added) and not any(failed))} |"
        ),
        (
            f"| Persons held by the simulated terminals | {held} | {people} each | "
            f"{verdict(all(h == people for h in held))} |"
        ),
        f"| Second sync, nothing changed | {second.seconds:.1f} s, unchanged {unchanged} | | |",
        (
            f"| Home Assistant RSS growth (before -> after, peak) | {growth:+.1f} MB "
            f"({before / mb:.0f} -> {after / mb:.0f}, peak {peak / mb:.0f} MB) | "
            f"< {TARGET_RSS_GROWTH_MB:g} MB | {verdict(growth < TARGET_RSS_GROWTH_MB)} |"
        ),
        (
            f"| WebSocket ping during the sync (median / p99 / max) | {median:.1f} / {p99:.1f} / "
            f"{worst:.1f} ms ({count} pings) | | |"
        ),
    ]
    return "\n".join(rows)


async def run(people: int, photo_kb: float, output: Path | None) -> None:
    """The whole benchmark."""
    with tempfile.TemporaryDirectory(prefix="ft-bench-roster-") as tmp:
        broker = Mosquitto()
        hass = ProbedHomeAssistant(Path(tmp) / "config", log_level="info")
        broker.start()
        hass.start()
        client = HomeAssistantClient(hass.url)
        terminals: list[Terminal] = []
        try:
            await hass.wait_until_up()
            await client.onboard_or_login()
            await client.setup_mqtt(broker.port)
            print(f"[bench-roster] writing {people} photos of ~{photo_kb:g} KB", flush=True)
            roster = await asyncio.to_thread(
                write_roster, hass.config_dir / "media" / "roster", people, photo_kb
            )
            terminals = await add_terminals(client, broker, TERMINALS)
            device_ids = [await client.device_id(terminal.terminal_id) for terminal in terminals]
            await asyncio.sleep(3)  # let start-up work settle before the baseline
            budget = people * PER_PERSON_FLOOR_S
            print("[bench-roster] idle ping baseline (5 s)", flush=True)
            await client.call_service(PROBE_DOMAIN, "reset", {})
            idle_pinger = Pinger(hass.url, client.token, 5)
            idle = await asyncio.to_thread(idle_pinger.results)
            idle_lag = await loop_lag(client)
            await client.call_service(PROBE_DOMAIN, "reset", {})
            rss = RssSampler(hass)
            pinger = Pinger(hass.url, client.token, budget)
            print(
                f"[bench-roster] syncing {people} people to {len(terminals)} terminals", flush=True
            )
            first = await timed_sync(client, device_ids, roster, budget)
            pinger.process.terminate()  # stop pinging once the sync is done
            after = rss.stop()
            pings_out, _ = pinger.process.communicate(timeout=60)
            pings: list[float] = json.loads(pings_out or b"[]")
            sync_lag = await loop_lag(client)
            print(f"[bench-roster] first sync {first.seconds:.1f} s; syncing again", flush=True)
            for report in first.reports:
                problems = [p for p in report.get("persons", []) if not p["success"]]
                if problems or not report.get("success"):
                    print(
                        f"[bench-roster] {report.get('terminal_id')}: {report.get('error')} "
                        f"{len(problems)} failed, first: {problems[:1]}",
                        flush=True,
                    )
            second = await timed_sync(client, device_ids, roster, budget)
            table = summarise(
                people=people,
                photo_kb=photo_kb,
                first=first,
                second=second,
                terminals=terminals,
                rss=(rss.before, after, rss.peak),
                pings=pings,
            )
            table += "\n" + lag_row("Event-loop lag in Home Assistant during the sync", sync_lag)
            table += "\n" + lag_row("Event-loop lag, idle baseline (5 s before the sync)", idle_lag)
            table += "\n" + ping_row("WebSocket ping, idle baseline before the sync", idle)
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            cpus = os.cpu_count()
            table += (
                f"\n| Machine load average (1/5/15 min) at the end | {load} on {cpus} CPUs | | |"
            )
            print(table, flush=True)
            if output is not None:
                await asyncio.to_thread(
                    output.write_text,
                    "# Roster sync benchmark\n\n"
                    "Measured by `scripts/bench_roster.py` (real Home Assistant, real mosquitto, "
                    "simulated terminals fetching photos over HTTP).\n\n"
                    + table
                    + "\n\nThe event-loop lag comes from a probe inside Home Assistant: a 5 ms "
                    "sleep that wakes up late by the lag. On a loaded machine the whole process "
                    "also waits for a CPU, which the probe cannot tell apart from a blocked "
                    "loop: compare with the idle baseline and the load average.\n",
                    "utf-8",
                )
        finally:
            if os.environ.get("FT_BENCH_LOOP_DEBUG"):
                # Debug mode: show what held the loop (asyncio names slow callbacks).
                log = hass.log_file.read_text(encoding="utf-8", errors="replace")
                for line in log.splitlines():
                    if "Executing" in line and "took" in line:
                        print(f"[bench-roster] slow: {line[:400]}", flush=True)
            for terminal in terminals:
                terminal.stop()
            await client.close()
            hass.stop()
            broker.cleanup()


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--photo-kb", type=float, default=PHOTO_KB)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--ping-worker", nargs=2, metavar=("URL", "SECONDS"))
    args = parser.parse_args()
    if args.ping_worker:
        url, seconds = args.ping_worker
        asyncio.run(ping_worker(url, float(seconds)))
        return
    asyncio.run(run(args.people, args.photo_kb, args.output))


if __name__ == "__main__":
    main()
