"""Lock of a face terminal: the door it controls.

The terminal drives a door strike that relocks by itself after a few seconds; it has no
lock state to read. The entity therefore shows "locked" except for the moments after
Home Assistant opened the door: "unlocking"/"opening" while the command is in flight,
then "unlocked"/"open" for the door's hold time, then "locked" again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, override

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.components.lock.const import LockEntityFeature
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .entity import FaceTerminalEntity

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminal, FaceTerminalConfigEntry

# Commands to one terminal go one at a time.
PARALLEL_UPDATES = 1

DOOR_DESCRIPTION = LockEntityDescription(key="door", translation_key="door")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's door lock."""
    async_add_entities([FaceTerminalDoorLock(entry.runtime_data, DOOR_DESCRIPTION)])


class FaceTerminalDoorLock(FaceTerminalEntity, LockEntity):
    """Unlock and open both release the strike (`Unlock`, openDoor 1)."""

    entity_description: LockEntityDescription
    _attr_supported_features = LockEntityFeature.OPEN

    def __init__(self, terminal: FaceTerminal, description: LockEntityDescription) -> None:
        """Start locked: the strike is closed unless someone just opened it."""
        super().__init__(terminal, description)
        self._relock: CALLBACK_TYPE | None = None
        self._set_locked()

    @override
    async def async_added_to_hass(self) -> None:
        """Drop a pending relock timer when the entity goes away."""
        await super().async_added_to_hass()
        self.async_on_remove(self._cancel_relock)

    @override
    async def async_unlock(self, **kwargs: Any) -> None:
        """Release the strike; the door counts as unlocked for its hold time."""
        await self._async_release(open_door=False)

    @override
    async def async_open(self, **kwargs: Any) -> None:
        """Release the strike; the door counts as open for its hold time."""
        await self._async_release(open_door=True)

    @override
    async def async_lock(self, **kwargs: Any) -> None:
        """Nothing to send: the strike relocks by itself. Show the door as locked."""
        self._cancel_relock()
        self._set_locked()
        self.async_write_ha_state()

    async def _async_release(self, *, open_door: bool) -> None:
        self._cancel_relock()
        self._attr_is_locked = None
        self._attr_is_open = False
        self._attr_is_opening = open_door
        self._attr_is_unlocking = not open_door
        self.async_write_ha_state()
        try:
            # Raises the translated offline / timeout / refused error of the runtime.
            await self.terminal.async_unlock()
        except BaseException:
            self._set_locked()
            self.async_write_ha_state()
            raise
        self._attr_is_opening = self._attr_is_unlocking = False
        self._attr_is_locked = False
        self._attr_is_open = open_door
        self.async_write_ha_state()
        self._relock = async_call_later(self.hass, self.terminal.door_open_time, self._async_relock)

    @callback
    def _async_relock(self, _now: datetime) -> None:
        self._relock = None
        self._set_locked()
        self.async_write_ha_state()

    @callback
    def _cancel_relock(self) -> None:
        if self._relock is not None:
            self._relock()
            self._relock = None

    def _set_locked(self) -> None:
        self._attr_is_locked = True
        self._attr_is_open = self._attr_is_opening = self._attr_is_unlocking = False
