"""Event entities of a face terminal: access attempts and scans (QR code, card, ID card)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback

from .access import AccessUpdate, awaits_decision
from .const import ACCESS_EVENT_TYPES, SCAN_EVENT_TYPES
from .entity import FaceTerminalEntity
from .events import TerminalRecord, access_attributes, scan_attributes
from .jovision import JovisionDevice
from .jovision_entity import event_entities
from .protocol import CardPush, IDCardPush, QRCodePush, RecPush, StrSnapPush

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminal
    from .jovision import FaceTerminalDeviceConfigEntry

# Push only: records arrive by themselves.
PARALLEL_UPDATES = 0


def _access_attributes(record: TerminalRecord) -> dict[str, Any] | None:
    """Attributes of a recognition or stranger record; None for any other record."""
    message = record.message
    if awaits_decision(message):
        return None  # the access controller shows the request and its decision
    if isinstance(message, (RecPush, StrSnapPush)):
        return access_attributes(message)
    return None


def _scan_attributes(record: TerminalRecord) -> dict[str, Any] | None:
    """Attributes of a QR code, card or ID card scan; None for any other record."""
    message = record.message
    if isinstance(message, (QRCodePush, CardPush, IDCardPush)):
        return scan_attributes(message)
    return None


@dataclass(frozen=True, kw_only=True)
class FaceTerminalEventEntityDescription(EventEntityDescription):
    """An event entity fed by terminal records.

    `attributes_fn` returns the event's attributes for the records the entity shows and
    None for the others. Only the small, named fields of `events` ever get here: never a
    picture, a full ID number or a phone number.
    """

    attributes_fn: Callable[[TerminalRecord], dict[str, Any] | None]


EVENT_DESCRIPTIONS: tuple[FaceTerminalEventEntityDescription, ...] = (
    FaceTerminalEventEntityDescription(
        key="access",
        translation_key="access",
        event_types=ACCESS_EVENT_TYPES,
        attributes_fn=_access_attributes,
    ),
    FaceTerminalEventEntityDescription(
        key="scan",
        translation_key="scan",
        event_types=SCAN_EVENT_TYPES,
        attributes_fn=_scan_attributes,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalDeviceConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's access and scan event entities."""
    runtime = entry.runtime_data
    if isinstance(runtime, JovisionDevice):
        async_add_entities(event_entities(runtime))
        return
    terminal = runtime
    async_add_entities(
        FaceTerminalEventEntity(terminal, description) for description in EVENT_DESCRIPTIONS
    )


class FaceTerminalEventEntity(FaceTerminalEntity, EventEntity):
    """Fires once per record, so a second visit of the same person still triggers."""

    entity_description: FaceTerminalEventEntityDescription

    def __init__(
        self, terminal: FaceTerminal, description: FaceTerminalEventEntityDescription
    ) -> None:
        """Keep the description typed for the record filter."""
        super().__init__(terminal, description)
        self.entity_description = description

    @override
    async def async_added_to_hass(self) -> None:
        """Listen to the terminal's records."""
        await super().async_added_to_hass()
        self.async_on_remove(self.terminal.async_add_record_listener(self._async_handle_record))
        if self.entity_description.key == "access":
            self.async_on_remove(self.terminal.access.async_add_listener(self._async_handle_access))

    @callback
    def _async_handle_record(self, record: TerminalRecord) -> None:
        attributes = self.entity_description.attributes_fn(record)
        if attributes is None or record.event_type not in self.event_types:
            return
        self._trigger_event(record.event_type, attributes)
        self.async_write_ha_state()

    @callback
    def _async_handle_access(self, update: AccessUpdate) -> None:
        """A door-mode-3 request (awaiting_remote) or Home Assistant's decision on it."""
        self._trigger_event(update.event_type, update.attributes)
        self.async_write_ha_state()
