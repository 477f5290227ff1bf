"""Benchmark-only probe: event-loop lag and loop-thread CPU inside Home Assistant.

`scripts/bench` copies this file into the custom_components of the throw-away
configuration it starts Home Assistant with, and writes its manifest there
(`PROBE_MANIFEST` in scripts/bench.py: hassfest validates every `manifest.json` in the
repository, and this is no integration to ship); it is never installed anywhere else.

* Loop lag: a timer re-armed every 10 ms on the event loop records how late it ran.
  A callback that holds the loop (or a thread holding the GIL) shows up as lag.
* `bench_probe/stats` (WebSocket): the lag samples since the last reset, and the CPU
  time of the event-loop thread (`time.thread_time` read on the loop).
* `bench_probe/tcp_nodelay` (WebSocket): set TCP_NODELAY on Home Assistant's MQTT
  socket, to tell which side's Nagle algorithm delays what (diagnostics only).
* Stalls: every garbage collection is timed (`gc.callbacks`), and a watchdog thread
  takes the event-loop thread's Python stack whenever the loop timer is more than
  `STALL` late; `bench_probe/stalls` (WebSocket) returns the collections by generation
  and the most frequent stacks seen during stalls (a sampling profiler for the tail).
* Handlers: `bench_probe/handlers` (WebSocket) times what each side does with a record
  once Home Assistant's MQTT client handed it over: the integration's session
  (`TerminalSession.receive` of a ``…/Rec`` message: parse, de-duplication), its
  `RecordEvents.fire` (building and firing the bus event; the dispatch of its own events,
  `EventBus.async_fire`, i.e. every listener's callback, also on its own) and its entity
  updates (`RecordEvents.deliver`); the peer's templates
  (`Template.async_render_with_possible_json_value`, the only templates this configuration
  renders) and its state writes (`async_write_ha_state` of its MQTT event and sensor).
  Wrapped on their classes when first asked for, so calls through existing objects are
  timed too; what both sides share (broker, MQTT client, WebSocket writers) is left out.
"""

from __future__ import annotations

import collections
import cProfile
import gc
import pstats
import socket
import sys
import threading
import time
import traceback
from typing import TYPE_CHECKING, Any

import voluptuous as vol
from homeassistant.components import websocket_api
from homeassistant.core import HomeAssistant, callback

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.helpers.typing import ConfigType

DOMAIN = "bench_probe"
INTERVAL = 0.010
MAX_SAMPLES = 200_000
STALL = 0.020  # the loop timer this late: sample the loop thread's stack
SAMPLE_EVERY = 0.002


class StallProfiler:
    """Times garbage collections and samples the loop thread's stack while it is stalled."""

    def __init__(self, probe: LagProbe) -> None:
        """Hook into the collector and start the watchdog thread."""
        self._probe = probe
        self._loop_thread = threading.get_ident()  # set up on the loop
        self._gc_started = 0.0
        self.collections: collections.Counter[int] = collections.Counter()
        self.gc_seconds: collections.Counter[int] = collections.Counter()
        self.gc_longest: dict[int, float] = {}
        self.stacks: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        gc.callbacks.append(self._on_gc)
        threading.Thread(target=self._watch, name="bench-probe-stalls", daemon=True).start()

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        generation = info["generation"]
        took = time.perf_counter() - self._gc_started
        self.collections[generation] += 1
        self.gc_seconds[generation] += took
        self.gc_longest[generation] = max(self.gc_longest.get(generation, 0.0), took)

    def _watch(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY):
            if time.monotonic() - self._probe.last_tick < STALL + INTERVAL:
                continue
            frame = sys._current_frames().get(self._loop_thread)  # noqa: SLF001
            if frame is not None:
                summary = traceback.extract_stack(frame)[-12:]
                self.stacks["".join(traceback.format_list(summary))] += 1

    def report(self, *, reset: bool) -> dict[str, Any]:
        """Collections by generation and the 10 most frequent stall stacks."""
        result = {
            "gc": {
                str(gen): {
                    "count": self.collections[gen],
                    "seconds": self.gc_seconds[gen],
                    "longest": self.gc_longest.get(gen, 0.0),
                }
                for gen in sorted(self.collections)
            },
            "stacks": [[count, stack] for stack, count in self.stacks.most_common(10)],
        }
        if reset:
            self.collections.clear()
            self.gc_seconds.clear()
            self.gc_longest.clear()
            self.stacks.clear()
        return result


class HandlerTimes:
    """Seconds and calls spent in each side's own per-record work (see the module doc)."""

    def __init__(self) -> None:
        """Wrap the integration's and the peer's per-record functions."""
        # Imported here: the probe's module loads before the integration is set up.
        from homeassistant.components.mqtt.event import MqttEvent  # noqa: PLC0415
        from homeassistant.components.mqtt.sensor import MqttSensor  # noqa: PLC0415
        from homeassistant.core import EventBus  # noqa: PLC0415
        from homeassistant.helpers.template import Template  # noqa: PLC0415

        from custom_components.face_terminal.protocol.session import (  # noqa: PLC0415
            TerminalSession,
        )
        from custom_components.face_terminal.records import RecordEvents  # noqa: PLC0415

        self.seconds: collections.Counter[str] = collections.Counter()
        self.calls: collections.Counter[str] = collections.Counter()

        def record_topic(args: tuple[Any, ...]) -> bool:
            return str(args[1]).endswith("/Rec")

        def own_event(args: tuple[Any, ...]) -> bool:
            return str(args[1]).startswith("face_terminal_")

        self._wrap(TerminalSession, "receive", "integration_session", record_topic)
        self._wrap(RecordEvents, "fire", "integration_fire")
        self._wrap(EventBus, "async_fire", "integration_bus_dispatch", own_event)
        self._wrap(RecordEvents, "deliver", "integration_entities")
        self._wrap(Template, "async_render_with_possible_json_value", "peer_templates")
        self._wrap(MqttEvent, "async_write_ha_state", "peer_entities")
        self._wrap(MqttSensor, "async_write_ha_state", "peer_entities")

    def _wrap(
        self,
        owner: type,
        name: str,
        key: str,
        wanted: Callable[[tuple[Any, ...]], bool] | None = None,
    ) -> None:
        original = getattr(owner, name)
        seconds, calls = self.seconds, self.calls

        def timed(*args: Any, **kwargs: Any) -> Any:
            if wanted is not None and not wanted(args):
                return original(*args, **kwargs)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[key] += time.perf_counter() - started
                calls[key] += 1

        setattr(owner, name, timed)

    def report(self, *, reset: bool) -> dict[str, Any]:
        """Seconds and calls per key since the last reset."""
        result = {
            key: {"seconds": self.seconds[key], "calls": self.calls[key]} for key in self.calls
        }
        if reset:
            self.seconds.clear()
            self.calls.clear()
        return result


class LagProbe:
    """Re-arms a loop timer every `INTERVAL` and keeps how late each one fired."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start sampling at once."""
        self.loop = hass.loop
        self.samples: collections.deque[float] = collections.deque(maxlen=MAX_SAMPLES)
        self._due = self.loop.time() + INTERVAL
        self._handle = self.loop.call_at(self._due, self._tick)
        self.last_tick = time.monotonic()  # read by the stall profiler's thread

    @callback
    def _tick(self) -> None:
        now = self.loop.time()
        self.last_tick = time.monotonic()
        self.samples.append(now - self._due)
        self._due = now + INTERVAL
        self._handle = self.loop.call_at(self._due, self._tick)

    def stop(self) -> None:
        """Stop sampling."""
        self._handle.cancel()


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start the probe and register its WebSocket commands."""
    probe = LagProbe(hass)
    hass.data[DOMAIN] = probe
    hass.data[f"{DOMAIN}_stalls"] = StallProfiler(probe)
    websocket_api.async_register_command(hass, ws_stats)
    websocket_api.async_register_command(hass, ws_stalls)
    websocket_api.async_register_command(hass, ws_tcp_nodelay)
    websocket_api.async_register_command(hass, ws_handlers)
    websocket_api.async_register_command(hass, ws_profile)
    return True


@websocket_api.websocket_command(
    {
        vol.Required("type"): "bench_probe/profile",
        vol.Required("action"): vol.In(("start", "stop")),
        vol.Optional("top", default=25): int,
    }
)
@callback
def ws_profile(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Profile the event-loop thread (cProfile) between `start` and `stop` (issue 23's scale).

    `stop` returns each function's own time and call count (the `top` ones by own time),
    and own time summed by file, all of them: the benchmark compares two windows.
    """
    key = f"{DOMAIN}_profile"
    if msg["action"] == "start":
        profiler = hass.data[key] = cProfile.Profile()
        profiler.enable()  # on the loop thread: profiles only what runs on the loop
        connection.send_result(msg["id"], {})
        return
    profiler = hass.data.pop(key)
    profiler.disable()
    functions: dict[str, tuple[float, int, list[str]]] = {}
    by_file: collections.Counter[str] = collections.Counter()
    raw: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    for (filename, line, name), (_cc, calls, own, _cumulative, callers) in raw.items():
        short = _short_path(filename)
        # Who called it most (by time spent in it from there): names what a built-in
        # such as a lock's `acquire` was waiting for.
        top_callers = sorted(callers.items(), key=lambda item: -item[1][3])[:3]
        functions[f"{short}:{line}({name})"] = (
            own,
            calls,
            [f"{_short_path(c[0])}:{c[1]}({c[2]}) {1000 * v[3]:.1f} ms" for c, v in top_callers],
        )
        by_file[short] += own
    top = sorted(functions.items(), key=lambda item: -item[1][0])[: msg["top"]]
    connection.send_result(
        msg["id"],
        {
            "functions": {name: list(value) for name, value in functions.items()},
            "top": [name for name, _ in top],
            "by_file": dict(by_file),
        },
    )


def _short_path(filename: str) -> str:
    for marker in ("site-packages/", "custom_components/", "lib/python3"):
        if marker in filename:
            return filename[filename.index(marker) :].removeprefix("site-packages/")
    return filename


@websocket_api.websocket_command(
    {vol.Required("type"): "bench_probe/stats", vol.Optional("reset", default=False): bool}
)
@callback
def ws_stats(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Lag samples (seconds) since the last reset, and the loop thread's CPU time."""
    probe: LagProbe = hass.data[DOMAIN]
    samples = list(probe.samples)
    if msg["reset"]:
        probe.samples.clear()
    connection.send_result(
        msg["id"], {"lag": samples, "loop_cpu": time.thread_time(), "wall": time.monotonic()}
    )


@websocket_api.websocket_command(
    {vol.Required("type"): "bench_probe/tcp_nodelay", vol.Required("enable"): bool}
)
@callback
def ws_tcp_nodelay(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Set or clear TCP_NODELAY on the MQTT client's socket (private API: bench only)."""
    client = hass.data["mqtt"].client._mqttc  # noqa: SLF001
    sock = client.socket()
    sock = getattr(sock, "_socket", sock)
    if not isinstance(sock, socket.socket):
        connection.send_error(msg["id"], "no_socket", "the MQTT client has no TCP socket")
        return
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, int(msg["enable"]))
    connection.send_result(msg["id"], {"enabled": msg["enable"]})


@websocket_api.websocket_command(
    {vol.Required("type"): "bench_probe/stalls", vol.Optional("reset", default=False): bool}
)
@callback
def ws_stalls(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Garbage collections and the stacks sampled during stalls since the last reset."""
    profiler: StallProfiler = hass.data[f"{DOMAIN}_stalls"]
    connection.send_result(msg["id"], profiler.report(reset=msg["reset"]))


@websocket_api.websocket_command(
    {vol.Required("type"): "bench_probe/handlers", vol.Optional("reset", default=False): bool}
)
@callback
def ws_handlers(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Each side's own per-record work since the last reset (wrapped on first use)."""
    if (times := hass.data.get(f"{DOMAIN}_handlers")) is None:
        times = hass.data[f"{DOMAIN}_handlers"] = HandlerTimes()
    connection.send_result(msg["id"], times.report(reset=msg["reset"]))
