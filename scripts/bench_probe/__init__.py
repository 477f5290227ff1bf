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
"""

from __future__ import annotations

import collections
import socket
import time
from typing import TYPE_CHECKING, Any

import voluptuous as vol
from homeassistant.components import websocket_api
from homeassistant.core import HomeAssistant, callback

if TYPE_CHECKING:
    from homeassistant.helpers.typing import ConfigType

DOMAIN = "bench_probe"
INTERVAL = 0.010
MAX_SAMPLES = 200_000


class LagProbe:
    """Re-arms a loop timer every `INTERVAL` and keeps how late each one fired."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start sampling at once."""
        self.loop = hass.loop
        self.samples: collections.deque[float] = collections.deque(maxlen=MAX_SAMPLES)
        self._due = self.loop.time() + INTERVAL
        self._handle = self.loop.call_at(self._due, self._tick)

    @callback
    def _tick(self) -> None:
        now = self.loop.time()
        self.samples.append(now - self._due)
        self._due = now + INTERVAL
        self._handle = self.loop.call_at(self._due, self._tick)

    def stop(self) -> None:
        """Stop sampling."""
        self._handle.cancel()


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start the probe and register its WebSocket commands."""
    hass.data[DOMAIN] = LagProbe(hass)
    websocket_api.async_register_command(hass, ws_stats)
    websocket_api.async_register_command(hass, ws_tcp_nodelay)
    return True


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
