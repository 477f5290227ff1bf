"""Binary sensor of a face terminal: whether it is online."""

from __future__ import annotations

from typing import TYPE_CHECKING, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory

from .entity import FaceTerminalEntity
from .jovision import JovisionDevice
from .jovision_entity import online_entities

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .jovision import FaceTerminalDeviceConfigEntry

# Push only: nothing is polled or sent.
PARALLEL_UPDATES = 0

ONLINE_DESCRIPTION = BinarySensorEntityDescription(
    key="online",
    translation_key="online",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalDeviceConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's connectivity sensor."""
    runtime = entry.runtime_data
    if isinstance(runtime, JovisionDevice):
        async_add_entities(online_entities(runtime))
        return
    async_add_entities([FaceTerminalOnlineSensor(runtime, ONLINE_DESCRIPTION)])


class FaceTerminalOnlineSensor(FaceTerminalEntity, BinarySensorEntity):
    """On while the terminal talks to the broker (Online, heartbeats, records, acks)."""

    entity_description: BinarySensorEntityDescription

    @property
    @override
    def available(self) -> bool:
        """Always available: being offline is this sensor's "off" state, not missing data."""
        return True

    @property
    @override
    def is_on(self) -> bool:
        """Whether the terminal is online."""
        return self.terminal.state.online
