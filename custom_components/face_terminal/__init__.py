"""The Face Recognition Terminal integration.

Face-recognition access terminals ("all-in-one" door terminals of many brands, one
firmware protocol) talk JSON over MQTT. Each terminal is one config entry with one device;
its runtime (`coordinator.FaceTerminal`) owns the subscriptions, presence and commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components import mqtt
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN, PLATFORMS
from .coordinator import FaceTerminal, FaceTerminalConfigEntry, clock_issue_id
from .services import async_setup_services

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.typing import ConfigType

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions (once, not per terminal)."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: FaceTerminalConfigEntry) -> bool:
    """Start one terminal's runtime once MQTT is available."""
    if not await mqtt.async_wait_for_mqtt_client(hass):
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="mqtt_unavailable")
    terminal = FaceTerminal(hass, entry)
    entry.runtime_data = terminal
    await terminal.async_start()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # No update listener: the options flow reloads by itself (OptionsFlowWithReload) and
    # the reconfigure flow with async_update_reload_and_abort; the IP that discovery
    # writes into the entry needs no reload.
    return True


async def async_unload_entry(hass: HomeAssistant, entry: FaceTerminalConfigEntry) -> bool:
    """Unload platforms; subscriptions and timers go with the entry's unload callbacks."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: FaceTerminalConfigEntry) -> None:
    """Forget the terminal's repair issue with the entry."""
    ir.async_delete_issue(hass, DOMAIN, clock_issue_id(entry.entry_id))


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: FaceTerminalConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow removing the device only when it is not this entry's terminal."""
    return not any(
        identifier == (DOMAIN, entry.runtime_data.terminal_id) for identifier in device.identifiers
    )
