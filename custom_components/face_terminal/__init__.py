"""The Face Recognition Terminal integration.

Face-recognition access terminals ("all-in-one" door terminals of many brands, one
firmware protocol) talk JSON over MQTT. Each terminal is one config entry with one device;
its runtime (`coordinator.FaceTerminal`) owns the subscriptions, presence and commands.

Jovision devices POST JSON over HTTP instead (`jovision`): one receiver entry owns the
webhook, and each confirmed device is an entry of its own with a `JovisionDevice` runtime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from homeassistant.components import mqtt
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir

from .clock import clock_issue_id
from .const import DOMAIN, PLATFORMS
from .coordinator import FaceTerminal
from .device import device_platforms
from .jovision import (
    FaceTerminalAnyConfigEntry,
    JovisionDevice,
    JovisionReceiver,
    is_jovision_entry,
    is_receiver_entry,
)
from .occupancy import async_setup_occupancy, async_unload_occupancy
from .remote_decision import remote_decision_issue_id
from .roster.drift import RosterDriftWatch
from .services import async_setup_services

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.typing import ConfigType

    from .coordinator import FaceTerminalConfigEntry
    from .device import DeviceRuntime
    from .jovision import JovisionDeviceConfigEntry, JovisionReceiverConfigEntry

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions (once, not per terminal)."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: FaceTerminalAnyConfigEntry) -> bool:
    """Start the receiver, or a device's runtime and the platforms its capabilities call for."""
    if is_receiver_entry(entry):
        receiver = JovisionReceiver(hass, cast("JovisionReceiverConfigEntry", entry))
        entry.runtime_data = receiver
        await receiver.async_start()
        return True
    runtime: FaceTerminal | JovisionDevice
    if is_jovision_entry(entry):
        runtime = JovisionDevice(hass, cast("JovisionDeviceConfigEntry", entry))
    elif await mqtt.async_wait_for_mqtt_client(hass):
        runtime = FaceTerminal(hass, cast("FaceTerminalConfigEntry", entry))
    else:
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="mqtt_unavailable")
    entry.runtime_data = runtime
    await runtime.async_start()
    await hass.config_entries.async_forward_entry_setups(
        entry, device_platforms(runtime, PLATFORMS)
    )
    if isinstance(runtime, FaceTerminal):
        await async_setup_occupancy(hass, entry)
        RosterDriftWatch(runtime)
    # No update listener: the options flow reloads by itself (OptionsFlowWithReload) and
    # the reconfigure flow with async_update_reload_and_abort; the IP that discovery
    # writes into the entry needs no reload.
    return True


async def async_unload_entry(hass: HomeAssistant, entry: FaceTerminalAnyConfigEntry) -> bool:
    """Unload platforms; subscriptions, timers and the webhook go with the entry's callbacks."""
    if is_receiver_entry(entry):
        return True
    runtime = cast("DeviceRuntime", entry.runtime_data)
    async_unload_occupancy(hass, entry)
    return await hass.config_entries.async_unload_platforms(
        entry, device_platforms(runtime, PLATFORMS)
    )


async def async_remove_entry(hass: HomeAssistant, entry: FaceTerminalAnyConfigEntry) -> None:
    """Forget the terminal's repair issues with the entry."""
    ir.async_delete_issue(hass, DOMAIN, clock_issue_id(entry.entry_id))
    ir.async_delete_issue(hass, DOMAIN, remote_decision_issue_id(entry.entry_id))


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: FaceTerminalAnyConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow removing a device only when it is not the entry's own device."""
    if is_receiver_entry(entry):
        return True
    runtime = cast("DeviceRuntime", entry.runtime_data)
    return not any(identifier == (DOMAIN, runtime.terminal_id) for identifier in device.identifiers)
