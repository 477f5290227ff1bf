"""The "Roster sync" sensor: idle or syncing, with the progress of the running sync.

Attributes: `done` and `total` changes of the running (or last) sync, `persons` the
terminal held after the last sync, `failed` how many person changes failed in it, and
`last_sync`. Counts only: no names or IDs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.const import EntityCategory

from ..device import Capability, DeviceRuntime
from ..entity import FaceTerminalEntity
from .progress import STATE_IDLE, STATE_SYNCING
from .state import async_get_roster_syncs

if TYPE_CHECKING:
    from ..port import TerminalPort
    from .progress import SyncProgress

ROSTER_SYNC_DESCRIPTION = SensorEntityDescription(
    key="roster_sync",
    translation_key="roster_sync",
    device_class=SensorDeviceClass.ENUM,
    options=[STATE_IDLE, STATE_SYNCING],
    entity_category=EntityCategory.DIAGNOSTIC,
)


def roster_sync_entities(runtime: DeviceRuntime) -> list[RosterSyncSensor]:
    """The roster sensor of a device that takes commands (the sync needs batch commands)."""
    if Capability.COMMANDS not in runtime.capabilities:
        return []
    # Only MQTT terminals take commands: the capability stands for their runtime, which
    # is the port the roster sync runs on.
    terminal = cast("TerminalPort", runtime)
    progress = async_get_roster_syncs(terminal.hass).progress(terminal)
    return [RosterSyncSensor(runtime, progress)]


class RosterSyncSensor(FaceTerminalEntity[DeviceRuntime], SensorEntity):
    """Whether a roster sync runs on the terminal, and how far it is."""

    def __init__(self, runtime: DeviceRuntime, progress: SyncProgress) -> None:
        """Follow the terminal's roster-sync progress."""
        super().__init__(runtime, ROSTER_SYNC_DESCRIPTION)
        self._progress = progress

    @override
    async def async_added_to_hass(self) -> None:
        """Write the state whenever the progress moves."""
        await super().async_added_to_hass()
        self.async_on_remove(self._progress.async_add_listener(self.async_write_ha_state))

    @property
    @override
    def native_value(self) -> str:
        """``idle`` or ``syncing``."""
        return self._progress.state

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Progress counts."""
        progress = self._progress
        return {
            "done": progress.done,
            "total": progress.total,
            "persons": progress.persons,
            "failed": progress.failed,
            "last_sync": None if progress.last_sync is None else progress.last_sync.isoformat(),
        }
