"""Diagnostics of a device (MQTT terminal, Jovision device) or of the Jovision receiver.

A device's sections come from its runtime (`DeviceRuntime.diagnostics`); this module
adds the entry and redacts everything in one place: person names, custom and person IDs,
card and ID-card numbers, MAC addresses and the webhook ID never appear. Pictures are
described by their type and size only (`device.image_summary`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from homeassistant.components.diagnostics import async_redact_data

from .const import (
    ATTR_CARD_NUMBER,
    ATTR_CODE,
    ATTR_CUSTOM_ID,
    ATTR_ID_LAST4,
    ATTR_PERSON_ID,
    ATTR_PERSON_NAME,
    CONF_MAC,
    CONF_PERSON_LINKS,
    CONF_PERSON_NAMES,
    CONF_WEBHOOK_ID,
)
from .jovision import is_receiver_entry

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .device import DeviceRuntime
    from .jovision import FaceTerminalAnyConfigEntry, JovisionReceiver

TO_REDACT = {
    ATTR_PERSON_NAME,
    ATTR_CUSTOM_ID,
    ATTR_PERSON_ID,
    ATTR_CARD_NUMBER,
    ATTR_CODE,
    ATTR_ID_LAST4,
    "password",
    "username",
    CONF_MAC,
    CONF_WEBHOOK_ID,
    CONF_PERSON_NAMES,
    CONF_PERSON_LINKS,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: FaceTerminalAnyConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for one device entry or for the Jovision receiver entry."""
    entry_section = {
        "title": entry.title,
        "data": dict(entry.data),
        "options": dict(entry.options),
    }
    if is_receiver_entry(entry):
        # The receiver is no device (it owns the webhook): its own few numbers.
        receiver = cast("JovisionReceiver", entry.runtime_data)
        sections: dict[str, Any] = {
            "counters": dict(sorted(receiver.counters.items())),
            "devices_seen": len(receiver.first_seen),
        }
    else:
        sections = cast("DeviceRuntime", entry.runtime_data).diagnostics()
    return async_redact_data({"entry": entry_section, **sections}, TO_REDACT)
