"""Base entity of both device families: one device per runtime, availability from presence.

`CommandDevice` is what entities of a device that takes commands (an MQTT terminal) may
use beyond the `device.DeviceRuntime` contract: its features, each an object of its own.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, ClassVar, Protocol, override

from homeassistant.core import callback
from homeassistant.helpers.entity import Entity, EntityDescription

from .device import DeviceRuntime

if TYPE_CHECKING:
    from .clock import ClockWatch
    from .coordinator import FaceTerminal
    from .device import DeviceRecord
    from .door import DoorRelease
    from .scene import SceneSnapshots
    from .settings import TerminalSettings


class CommandDevice(DeviceRuntime, Protocol):
    """What entities of a device that takes commands (`Capability.COMMANDS`) may use.

    Only MQTT terminals take commands; each of their features is an object of its own.
    """

    @property
    def display_name(self) -> str:
        """The device's name in messages."""

    @property
    def settings(self) -> TerminalSettings:
        """The terminal's own settings: read, kept, changed; restart and firmware."""

    @property
    def door(self) -> DoorRelease:
        """The door it releases, and how long the strike counts as released."""

    @property
    def scene(self) -> SceneSnapshots:
        """Pictures of its view on request."""

    @property
    def clock(self) -> ClockWatch:
        """Its clock: the drift repair, and setting it to Home Assistant's time."""


class FaceTerminalEntity[RuntimeT: DeviceRuntime = FaceTerminal](Entity):
    """An entity of one device; unavailable while the device is offline.

    Shared platforms use ``FaceTerminalEntity[DeviceRuntime]`` and read only the
    contract; entities of capabilities only MQTT terminals have (door, camera) name
    their runtime's class. The default keeps those short.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, terminal: RuntimeT, description: EntityDescription) -> None:
        """Name, ID and device come from the runtime and the description's key."""
        self.terminal = terminal
        self.entity_description = description
        self._attr_unique_id = f"{terminal.terminal_id}_{description.key}"
        self._attr_device_info = terminal.device_info

    @property
    @override
    def available(self) -> bool:
        """Available while the device is online."""
        return self.terminal.online

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the device's presence."""
        await super().async_added_to_hass()
        self.async_on_remove(self.terminal.async_add_presence_listener(self.async_write_ha_state))


class FaceTerminalRecordEntity(FaceTerminalEntity[DeviceRuntime]):
    """An entity fed by the device's records (either family).

    Live records only, unless `follows_replays`: such an entity (the "last" ones) also
    gets the records the device re-sends, in `_async_handle_replay` (see `newest`).
    """

    follows_replays: ClassVar[bool] = False

    @override
    async def async_added_to_hass(self) -> None:
        """Follow presence and the device's records."""
        await super().async_added_to_hass()
        self.async_on_remove(self.terminal.async_add_record_listener(self._async_record))
        if self.follows_replays:
            self.async_on_remove(self.terminal.async_add_replay_listener(self._async_replay))

    @callback
    def _async_replay(self, record: DeviceRecord) -> None:
        self.async_set_context(record.context)
        self._async_handle_replay(record)

    @callback
    def _async_handle_replay(self, record: DeviceRecord) -> None:
        """React to a re-sent record (entities with `follows_replays`)."""

    @callback
    def _async_record(self, record: DeviceRecord) -> None:
        # The state written for the record carries the record's context, so the logbook
        # shows this entity's line as caused by the record's (described) bus event.
        self.async_set_context(record.context)
        self._async_handle_record(record)

    @abstractmethod
    @callback
    def _async_handle_record(self, record: DeviceRecord) -> None:
        """React to a record (after the runtime stored its pictures)."""
