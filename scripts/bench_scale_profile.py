"""Where setup time and memory per config entry go as the number of terminals grows.

Issue 23 part 5. Runs inside the test harness (pytest-homeassistant-custom-component:
an in-process Home Assistant, HA's MQTT client over a mocked paho client that answers
every subscription at once, a fake terminal per entry answering every command). Each
terminal is added the way a user adds a discovered one: an MQTT discovery flow from its
``Online``, confirmed; the confirmation returns once the entry is set up.

For each size N it grows the instance to N - 1 entries, then measures the next
`--window` entries:

* setup time per entry (confirmation, then until the probe settled), median;
* a cProfile of those setups: the functions and the files whose own time grows most
  between the smallest and the largest size (what makes setup cost grow with N);
* Python memory per added entry: a tracemalloc snapshot before and after the window,
  the difference grouped by file; and the count of live objects per type (gc).

Run it through the project environment (nothing here is a target; the numbers in
docs/benchmarks.md's notes come from it):

    scripts/run python scripts/bench_scale_profile.py --sizes 50,300 --window 10
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import gc
import json
import os
import pstats
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
# The options reach the pytest session (which imports this file again) through the
# environment.
OPTIONS: dict[str, Any] = json.loads(
    os.environ.get("BENCH_SCALE_PROFILE", '{"sizes": [50, 300], "window": 10, "top": 15}')
)

if __name__ != "__main__":
    # Collected by pytest: the harness's fixtures (custom integrations enabled, MQTT
    # subscriptions sent at once). Not imported by `main`: pytest must load its
    # plugins before Home Assistant is imported.
    from tests.conftest import (  # noqa: F401
        auto_enable_custom_integrations,
        immediate_mqtt_subscriptions,
    )


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,300", help="entry counts, comma-separated")
    parser.add_argument("--window", type=int, default=10, help="entries measured per size")
    parser.add_argument("--top", type=int, default=15, help="rows per table")
    return parser.parse_args()


def _short(filename: str) -> str:
    for marker in ("site-packages/", "custom_components/", "lib/python3"):
        if marker in filename:
            return filename[filename.index(marker) :].removeprefix("site-packages/")
    return filename


def _own_time_by_function(stats: pstats.Stats) -> dict[str, float]:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    by_function: dict[str, float] = collections.Counter()
    for (filename, line, name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        by_function[f"{_short(filename)}:{line}({name})"] += tottime
    return by_function


def _calls_by_function(stats: pstats.Stats) -> dict[str, int]:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    return {
        f"{_short(filename)}:{line}({name})": ncalls
        for (filename, line, name), (_cc, ncalls, _tt, _ct, _callers) in raw.items()
    }


def _by_file(by_function: dict[str, float]) -> dict[str, float]:
    by_file: dict[str, float] = collections.Counter()
    for key, seconds in by_function.items():
        by_file[key.split(":", 1)[0]] += seconds
    return by_file


def _object_counts() -> collections.Counter[str]:
    gc.collect()
    return collections.Counter(type(obj).__qualname__ for obj in gc.get_objects())


async def _grow_to(hass: Any, count: int, add: Any) -> None:
    while len(hass.config_entries.async_entries("face_terminal")) < count:
        await add()


async def test_scale_profile(hass: Any, mqtt_mock: Any, mqtt_client_mock: Any) -> None:
    """Measure (not a test of the integration: run through `python scripts/…`)."""
    from unittest.mock import patch  # noqa: PLC0415

    from homeassistant.helpers.service_info.mqtt import MqttServiceInfo  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        async_fire_mqtt_message,
    )

    from custom_components.face_terminal.const import DOMAIN  # noqa: PLC0415
    from tests import payloads  # noqa: PLC0415
    from tests.conftest import TerminalResponder, settle_probe  # noqa: PLC0415

    # The harness runs the loop in debug mode (a traceback per scheduled callback):
    # the bench's Home Assistant does not.
    hass.loop.set_debug(False)
    responder = TerminalResponder(hass)
    original = mqtt_client_mock.publish.side_effect

    def publish(topic: str, payload: Any, qos: int, retain: bool, properties: Any = None) -> Any:
        result = original(topic, payload, qos, retain, properties)
        parts = topic.split("/")
        if len(parts) == 3 and parts[:2] == ["mqtt", "face"] and parts[2].isdigit():
            command = json.loads(payload)
            reply = responder.default_reply(command)
            if reply is not None:
                reply = reply.replace(payloads.TERMINAL_ID.encode(), parts[2].encode())
                hass.loop.call_soon(async_fire_mqtt_message, hass, f"{topic}/Ack", reply)
        return result

    first_id = 2_000_000
    next_index = 0

    async def add() -> None:
        nonlocal next_index
        terminal_id = str(first_id + next_index)
        next_index += 1
        online = json.dumps(
            {
                "operator": "Online",
                "info": {
                    "facesluiceId": terminal_id,
                    "ip": f"10.0.{next_index // 250}.{next_index % 250 + 1}",
                    "name": f"Door {next_index}",
                },
            }
        )
        flow = await hass.config_entries.flow.async_init(
            DOMAIN,
            context={"source": "mqtt"},
            data=MqttServiceInfo(
                topic="mqtt/face/basic",
                payload=online,
                qos=0,
                retain=False,
                subscribed_topic="mqtt/face/basic",
                timestamp=time.monotonic(),
            ),
        )
        result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
        assert result["type"] == "create_entry", result
        await hass.async_block_till_done()
        await settle_probe(hass, result["result"])

    profiles: dict[int, pstats.Stats] = {}
    rows: list[str] = []
    with patch.object(mqtt_client_mock.publish, "side_effect", publish):
        for size in OPTIONS["sizes"]:
            await _grow_to(hass, size - 1, add)
            await hass.async_block_till_done()
            # Time: median of the window, nothing else running.
            durations = []
            for _ in range(OPTIONS["window"]):
                started = time.perf_counter()
                await add()
                durations.append(time.perf_counter() - started)
            # Profile the next window.
            profiler = cProfile.Profile()
            for _ in range(OPTIONS["window"]):
                profiler.enable()
                await add()
                profiler.disable()
            profiles[size] = pstats.Stats(profiler)
            # Memory: the window after that, with tracemalloc and object counts.
            await hass.async_block_till_done()
            objects_before = _object_counts()
            tracemalloc.start(1)
            before = tracemalloc.take_snapshot()
            for _ in range(OPTIONS["window"]):
                await add()
            await hass.async_block_till_done()
            gc.collect()
            after = tracemalloc.take_snapshot()
            tracemalloc.stop()
            objects_after = _object_counts()
            window = OPTIONS["window"]
            diff = after.compare_to(before, "filename")
            total = sum(stat.size_diff for stat in diff)
            rows.append(
                f"\n## {size} entries: setup median {1000 * statistics.median(durations):.1f} ms"
                f" (min {1000 * min(durations):.1f}), Python memory per added entry "
                f"{total / window / 1024:.0f} KiB"
            )
            rows.append("\nKiB per added entry by file (tracemalloc):")
            for stat in sorted(diff, key=lambda s: -s.size_diff)[: OPTIONS["top"]]:
                name = _short(stat.traceback[0].filename)
                rows.append(f"  {stat.size_diff / window / 1024:8.1f}  {name}")
            rows.append("\nLive objects per added entry by type (gc):")
            grown = objects_after - objects_before
            for kind, count in grown.most_common(OPTIONS["top"]):
                rows.append(f"  {count / window:8.1f}  {kind}")

    sizes = list(profiles)
    small, large = profiles[sizes[0]], profiles[sizes[-1]]
    window = OPTIONS["window"]
    for label, grouping in (("file", _by_file), ("function", lambda f: f)):
        small_time = grouping(_own_time_by_function(small))
        large_time = grouping(_own_time_by_function(large))
        growth = {
            key: large_time.get(key, 0.0) - small_time.get(key, 0.0)
            for key in set(small_time) | set(large_time)
        }
        rows.append(
            f"\nOwn time per entry by {label}, {sizes[0]} → {sizes[-1]} entries (ms), "
            "largest growth first:"
        )
        for key, grew in sorted(growth.items(), key=lambda kv: -kv[1])[: OPTIONS["top"]]:
            rows.append(
                f"  {1000 * small_time.get(key, 0) / window:8.2f} → "
                f"{1000 * large_time.get(key, 0) / window:8.2f}  (+{1000 * grew / window:.2f})"
                f"  {key}"
            )
    small_calls, large_calls = _calls_by_function(small), _calls_by_function(large)
    rows.append(f"\nCalls per entry, {sizes[0]} → {sizes[-1]} entries, largest growth first:")
    call_growth = {
        key: large_calls.get(key, 0) - small_calls.get(key, 0)
        for key in set(small_calls) | set(large_calls)
    }
    for key, _grew in sorted(call_growth.items(), key=lambda kv: -kv[1])[: OPTIONS["top"]]:
        rows.append(
            f"  {small_calls.get(key, 0) / window:10.0f} → {large_calls.get(key, 0) / window:10.0f}"
            f"  {key}"
        )
    total_small = sum(_own_time_by_function(small).values()) / window
    total_large = sum(_own_time_by_function(large).values()) / window
    rows.append(
        f"\nProfiled time per entry: {1000 * total_small:.1f} ms at {sizes[0]}, "
        f"{1000 * total_large:.1f} ms at {sizes[-1]} (profiler overhead included)"
    )
    print("\n".join(rows), flush=True)


def main() -> int:
    """Run the measurement as a pytest session in the harness."""
    args = _parse()
    os.environ["BENCH_SCALE_PROFILE"] = json.dumps(
        {
            "sizes": [int(size) for size in args.sizes.split(",")],
            "window": args.window,
            "top": args.top,
        }
    )
    os.chdir(REPO)
    sys.path.insert(0, str(REPO))
    return pytest.main(
        [
            __file__,
            "-p",
            "no:cacheprovider",
            "-p",
            "no:logging",  # pytest would keep every log record in memory
            "-q",
            "-s",
            "--rootdir",
            str(REPO),
            "--timeout",
            "0",
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
