"""What a terminal says about itself, kept where Home Assistant shows it.

`TerminalIdentity` (``FaceTerminal.identity``) registers the terminal's device, asks the
terminal for its firmware version once the reply subscription stands (a terminal online
before Home Assistant started only sends its next heartbeat a minute later: the answer
tells at once that it is there), and takes the name and address an ``Online`` announces.

``Online`` comes on the presence topic every terminal may publish to, so its address is
a claim, not a fact: it fills in a missing address (trust on first use), but never moves
the stored one, nor the device's "Visit" link, elsewhere. The user changes it with
Reconfigure; diagnostics show what the terminal reported.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr

from . import protocol
from .const import CONF_IP, DOMAIN, DROP_LOG_INTERVAL, LOGGER, MQTT_MANUFACTURER, MQTT_MODEL
from .device import configuration_url

if TYPE_CHECKING:
    import asyncio
    from collections import Counter

    from .port import TerminalPort
    from .snapshot import TerminalSnapshot


class TerminalIdentity:
    """The terminal's device entry, firmware version, name and address."""

    def __init__(
        self, terminal: TerminalPort, state: TerminalSnapshot, counters: Counter[str]
    ) -> None:
        """Keep what the terminal says in `state`; count ignored address changes."""
        self._terminal = terminal
        self._state = state
        self._counters = counters
        self._ip_change_logged = -DROP_LOG_INTERVAL
        self._probe: asyncio.Task[None] | None = None

    def async_register(self) -> str:
        """Create (or find) the terminal's device; its device registry ID."""
        terminal = self._terminal
        device = dr.async_get(terminal.hass).async_get_or_create(
            config_entry_id=terminal.entry.entry_id,
            identifiers={(DOMAIN, terminal.terminal_id)},
            name=self._state.name or terminal.entry.title,
            manufacturer=MQTT_MANUFACTURER,
            model=MQTT_MODEL,
            serial_number=terminal.terminal_id,
            configuration_url=configuration_url(self._state.ip),
        )
        return device.id

    @callback
    def async_start_probe(self) -> None:
        """Ask for the firmware version in the background, unless that runs already."""
        if self._probe is not None and not self._probe.done():
            return
        terminal = self._terminal
        self._probe = terminal.entry.async_create_background_task(
            terminal.hass, self._async_probe(), f"{DOMAIN} probe {terminal.terminal_id}"
        )

    async def _async_probe(self) -> None:
        """Ask for the firmware version (offline too: an answer means it is there)."""
        terminal = self._terminal
        try:
            ack = await terminal.async_request(
                protocol.ReadVersions(), require_online=False, background=True
            )
        except HomeAssistantError as err:
            LOGGER.debug(
                "Terminal %s did not answer the version query: %s", terminal.terminal_id, err
            )
            return
        if isinstance(ack, protocol.VersionsAck) and ack.version:
            self._state.firmware = ack.version
            dr.async_get(terminal.hass).async_update_device(
                terminal.device_id, sw_version=ack.version
            )

    def async_announced(self, message: protocol.Online) -> None:
        """Take the name (if none is known) and the address an ``Online`` reports."""
        if message.name and not self._state.name:
            self._state.name = message.name
        if message.ip:
            self._reported_ip(message.ip)

    def _reported_ip(self, ip: str) -> None:
        """Store a reported IP address only when none is stored yet (trust on first use)."""
        terminal, state = self._terminal, self._state
        state.reported_ip = ip
        if state.ip is None:
            state.ip = ip
            terminal.hass.config_entries.async_update_entry(
                terminal.entry, data={**terminal.entry.data, CONF_IP: ip}
            )
            dr.async_get(terminal.hass).async_update_device(
                terminal.device_id, configuration_url=configuration_url(ip)
            )
        elif ip != state.ip:
            self._counters["ip_changes_ignored"] += 1
            now = time.monotonic()
            if now - self._ip_change_logged >= DROP_LOG_INTERVAL:
                self._ip_change_logged = now
                LOGGER.debug(
                    "Terminal %s reports the IP address %s; the stored address %s is kept"
                    " (reconfigure the terminal to change it)",
                    terminal.terminal_id,
                    ip,
                    state.ip,
                )
