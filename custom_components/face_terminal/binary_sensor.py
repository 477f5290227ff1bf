"""Binary sensor of a device: whether it is online."""

from __future__ import annotations

from typing import TYPE_CHECKING, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory

from .device import DeviceRuntime
from .entity import FaceTerminalEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .device import DeviceConfigEntry

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
    entry: DeviceConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the device's connectivity sensor."""
    async_add_entities([FaceTerminalOnlineSensor(entry.runtime_data, ONLINE_DESCRIPTION)])


class FaceTerminalOnlineSensor(FaceTerminalEntity[DeviceRuntime], BinarySensorEntity):
    """On while the device is heard from.

    MQTT terminals: Online, heartbeats, records and acks; Jovision devices: heartbeats
    and pushes.
    """

    entity_description: BinarySensorEntityDescription

    @property
    @override
    def available(self) -> bool:
        """Always available: being offline is this sensor's "off" state, not missing data."""
        return True

    @property
    @override
    def is_on(self) -> bool:
        """Whether the device is online."""
        return self.terminal.online
