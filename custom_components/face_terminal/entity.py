"""Base entity of a face terminal: one device per terminal, availability from presence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import DOMAIN

if TYPE_CHECKING:
    from .coordinator import FaceTerminal


class FaceTerminalEntity(Entity):
    """An entity of one terminal; unavailable while the terminal is offline."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, terminal: FaceTerminal, description: EntityDescription) -> None:
        """Name, ID and device come from the terminal and the description's key."""
        self.terminal = terminal
        self.entity_description = description
        self._attr_unique_id = f"{terminal.terminal_id}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, terminal.terminal_id)})

    @property
    def available(self) -> bool:
        """Available while the terminal is online."""
        return self.terminal.state.online

    async def async_added_to_hass(self) -> None:
        """Follow the terminal's presence."""
        await super().async_added_to_hass()
        self.async_on_remove(self.terminal.async_add_presence_listener(self.async_write_ha_state))
