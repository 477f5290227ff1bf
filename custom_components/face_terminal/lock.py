"""Lock of a face terminal: the door it controls.

The terminal drives a door strike that relocks by itself after a few seconds; it has no
lock state to read. The entity therefore shows "locked" except for the moments after
Home Assistant opened the door (by this entity or by the ``face_terminal.unlock``
action): "unlocking"/"opening" while its own command is in flight, then
"unlocked"/"open" for the door's hold time, then "locked" again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, override

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.components.lock.const import LockEntityFeature
from homeassistant.core import HomeAssistant, callback

from .device import DeviceRuntime
from .entity import FaceTerminalEntity

if TYPE_CHECKING:
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminalConfigEntry
    from .door import DoorRelease

# Unlocks of one terminal go one at a time (the runtime's door lane).
PARALLEL_UPDATES = 1

DOOR_DESCRIPTION = LockEntityDescription(key="door", translation_key="door")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's door lock."""
    terminal = entry.runtime_data
    async_add_entities([FaceTerminalDoorLock(terminal, terminal.door, DOOR_DESCRIPTION)])


class FaceTerminalDoorLock(FaceTerminalEntity[DeviceRuntime], LockEntity):
    """Unlock and open both release the strike (`Unlock`, openDoor 1).

    The state follows the terminal's door (`door.DoorRelease.released`), so an unlock by
    the ``face_terminal.unlock`` action shows here as well. A release shows as "open",
    except when this entity's own unlock asked for it, which shows as "unlocked".
    """

    entity_description: LockEntityDescription
    _attr_supported_features = LockEntityFeature.OPEN

    def __init__(
        self, terminal: DeviceRuntime, door: DoorRelease, description: LockEntityDescription
    ) -> None:
        """Start from the door's state."""
        super().__init__(terminal, description)
        self._door = door
        self._release_shows_open = True
        self._show_door()

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the door's state."""
        await super().async_added_to_hass()
        self.async_on_remove(self._door.async_add_listener(self._async_door_changed))

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
        self._door.async_end_hold()
        self._show_door()
        self.async_write_ha_state()

    async def _async_release(self, *, open_door: bool) -> None:
        self._attr_is_locked = None
        self._attr_is_open = False
        self._attr_is_opening = open_door
        self._attr_is_unlocking = not open_door
        self.async_write_ha_state()
        self._release_shows_open = open_door
        try:
            # Raises the translated offline / timeout / refused error (`errors`). On
            # success the door's listener has already shown the release.
            await self._door.async_unlock()
        except BaseException:
            self._show_door()
            self.async_write_ha_state()
            raise
        finally:
            self._release_shows_open = True

    @callback
    def _async_door_changed(self) -> None:
        self._show_door()
        self.async_write_ha_state()

    def _show_door(self) -> None:
        released = self._door.released
        self._attr_is_locked = not released
        self._attr_is_open = released and self._release_shows_open
        self._attr_is_opening = self._attr_is_unlocking = False
