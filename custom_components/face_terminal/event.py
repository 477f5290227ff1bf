"""Event entities of a device: access attempts, scans (QR code, card, ID card) and alarms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback

from .access import AccessController, AccessUpdate
from .const import ALARM_EVENT_TYPES, AWAITING_REMOTE, SCAN_EVENT_TYPES
from .device import Capability, has_capability
from .entity import FaceTerminalRecordEntity

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .device import DeviceConfigEntry, DeviceRecord, DeviceRuntime

# Push only: records arrive by themselves.
PARALLEL_UPDATES = 0


def _access_attributes(record: DeviceRecord) -> dict[str, Any] | None:
    """Attributes of a recognition or stranger record; None for any other record."""
    if record.event_type == AWAITING_REMOTE:
        return None  # the access controller shows the request and its decision
    return record.event_attributes if record.is_access else None


def _scan_attributes(record: DeviceRecord) -> dict[str, Any] | None:
    """Attributes of a QR code, card or ID card scan; None for any other record."""
    return record.event_attributes if record.is_scan else None


def _alarm_attributes(record: DeviceRecord) -> dict[str, Any] | None:
    """Attributes of an alarm (push or over-temperature record); None for other records."""
    return record.alarm_attributes if record.alarm_type is not None else None


def _record_type(record: DeviceRecord) -> str | None:
    return record.event_type


def _alarm_type(record: DeviceRecord) -> str | None:
    return record.alarm_type


@dataclass(frozen=True, kw_only=True)
class FaceTerminalEventEntityDescription(EventEntityDescription):
    """An event entity fed by a device's records.

    `attributes_fn` returns the event's attributes for the records the entity shows and
    None for the others; `event_type_fn` the event's type (by default the record's own).
    Only the small, named fields of a `DeviceRecord` ever get here: never a picture, a
    full ID number or a phone number. `event_types_fn` gives the event types when they
    depend on the device family; `capability` is what the device needs for the entity to
    exist.
    """

    attributes_fn: Callable[[DeviceRecord], dict[str, Any] | None]
    event_type_fn: Callable[[DeviceRecord], str | None] = _record_type
    event_types_fn: Callable[[DeviceRuntime], list[str]] | None = None
    capability: Capability | None = None


EVENT_DESCRIPTIONS: tuple[FaceTerminalEventEntityDescription, ...] = (
    FaceTerminalEventEntityDescription(
        key="access",
        translation_key="access",
        # MQTT terminals decide (granted, denied, …); Jovision devices tell the list.
        event_types_fn=lambda runtime: list(runtime.access_event_types),
        attributes_fn=_access_attributes,
    ),
    FaceTerminalEventEntityDescription(
        key="scan",
        translation_key="scan",
        event_types=SCAN_EVENT_TYPES,
        attributes_fn=_scan_attributes,
        capability=Capability.SCANS,
    ),
    FaceTerminalEventEntityDescription(
        key="alarm",
        translation_key="alarm",
        event_types=ALARM_EVENT_TYPES,
        # A record may be an access event and an alarm: the alarm is typed on its own.
        event_type_fn=_alarm_type,
        attributes_fn=_alarm_attributes,
        capability=Capability.ALARMS,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DeviceConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the access event entity, and the scan and alarm entities where they apply."""
    runtime = entry.runtime_data
    async_add_entities(
        FaceTerminalEventEntity(runtime, description)
        for description in EVENT_DESCRIPTIONS
        if has_capability(runtime, description.capability)
    )


class FaceTerminalEventEntity(FaceTerminalRecordEntity, EventEntity):
    """Fires once per record, so a second visit of the same person still triggers."""

    entity_description: FaceTerminalEventEntityDescription

    def __init__(
        self, runtime: DeviceRuntime, description: FaceTerminalEventEntityDescription
    ) -> None:
        """Take the event types of the device's family where the description asks."""
        super().__init__(runtime, description)
        if description.event_types_fn is not None:
            self._attr_event_types = description.event_types_fn(runtime)

    @override
    async def async_added_to_hass(self) -> None:
        """Also show door-mode-3 requests and decisions (terminals that take them)."""
        await super().async_added_to_hass()
        access = getattr(self.terminal, "access", None)
        if self.entity_description.key == "access" and isinstance(access, AccessController):
            self.async_on_remove(access.async_add_listener(self._async_handle_access))

    @callback
    def _async_handle_access(self, update: AccessUpdate) -> None:
        """A door-mode-3 request (awaiting_remote) or Home Assistant's decision on it."""
        self._trigger_event(update.event_type, update.attributes)
        self.async_write_ha_state()

    @callback
    @override
    def _async_handle_record(self, record: DeviceRecord) -> None:
        description = self.entity_description
        attributes = description.attributes_fn(record)
        event_type = description.event_type_fn(record)
        if attributes is None or event_type is None or event_type not in self.event_types:
            return
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()
