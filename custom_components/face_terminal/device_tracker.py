"""Per-person presence through the door: home after an entry, away after an exit.

For every terminal person linked to a Home Assistant person (the ``person_links``
option), a tracker follows the terminal's recognitions that report a direction (``entr``
or ``exit``, terminals mounted at an entrance or an exit). Add it to the person as a
tracker. Replayed records never move it; records without a direction leave it as it is.

The links change in the options form or through a roster sync; either reloads the entry,
and the trackers of links that are gone leave the entity registry here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, override

from homeassistant.components.device_tracker.const import SourceType
from homeassistant.components.device_tracker.entity import TrackerEntity
from homeassistant.components.zone import ENTITY_ID_HOME
from homeassistant.const import STATE_HOME, STATE_NOT_HOME, Platform
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.restore_state import RestoreEntity

from .const import DOMAIN
from .entity import FaceTerminalEntity
from .people import current_links
from .protocol import RecPush

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminal
    from .device import DeviceConfigEntry
    from .events import TerminalRecord

PARALLEL_UPDATES = 0
PRESENCE_KEY_PREFIX = "presence_"
# Where a passage puts the person: the home zone after an entry, no zone after an exit
# (the state is then ``home`` / ``not_home``; unknown before either).
_ZONES: dict[str, list[str]] = {"entr": [ENTITY_ID_HOME], "exit": []}
_RESTORED_ZONES: dict[str, list[str]] = {STATE_HOME: [ENTITY_ID_HOME], STATE_NOT_HOME: []}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DeviceConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One tracker per linked person; none left over for links removed since."""
    links = current_links(entry)
    terminal: FaceTerminal = entry.runtime_data  # type: ignore[assignment]
    trackers = [
        PersonPresenceTracker(terminal, custom_id, person) for custom_id, person in links.items()
    ]
    _async_remove_unlinked(hass, entry, {tracker.entity_description.key for tracker in trackers})
    async_add_entities(trackers)


def presence_key(custom_id: str, person: str) -> str:
    """The tracker's key: one per link, not one per custom ID.

    Relinking a custom ID to someone else must not move the presence of the person who
    added the old tracker; the old one goes, a new one comes. An entity ID holds no `|`.
    """
    return f"{PRESENCE_KEY_PREFIX}{custom_id}|{person}"


@callback
def _async_remove_unlinked(hass: HomeAssistant, entry: DeviceConfigEntry, keys: set[str]) -> None:
    """Remove the registered trackers of links that are gone."""
    registry = er.async_get(hass)
    terminal_id = entry.runtime_data.terminal_id
    prefix = f"{terminal_id}_{PRESENCE_KEY_PREFIX}"
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        if (
            registered.domain == Platform.DEVICE_TRACKER
            and registered.platform == DOMAIN
            and registered.unique_id.startswith(prefix)
            and registered.unique_id.removeprefix(f"{terminal_id}_") not in keys
        ):
            registry.async_remove(registered.entity_id)


class PersonPresenceTracker(FaceTerminalEntity, TrackerEntity, RestoreEntity):
    """Where a linked person is, as far as this door knows."""

    _attr_translation_key = "presence"

    def __init__(self, terminal: FaceTerminal, custom_id: str, person: str) -> None:
        """Track `custom_id`; named after the linked person's entity."""
        super().__init__(terminal, EntityDescription(key=presence_key(custom_id, person)))
        self._custom_id = custom_id
        self._attr_translation_placeholders = {"person": person.removeprefix("person.")}

    @property
    @override
    def available(self) -> bool:
        """A person stays where they went while the terminal is offline."""
        return True

    @property
    @override
    def source_type(self) -> SourceType:
        """A fixed door, not a GPS fix."""
        return SourceType.ROUTER

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the last place and follow the terminal's recognitions."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None:
            self._attr_in_zones = _RESTORED_ZONES.get(last.state)
        self.async_on_remove(self.terminal.async_add_record_listener(self._async_record))

    @callback
    def _async_record(self, record: TerminalRecord) -> None:
        message = record.message
        if not isinstance(message, RecPush) or message.custom_id != self._custom_id:
            return
        zones = _ZONES.get(message.direction or "")
        if zones is None or record.replay:
            return
        self._attr_in_zones = zones
        self.async_write_ha_state()
