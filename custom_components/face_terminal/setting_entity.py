"""Base of the configuration entities that show and change one terminal setting."""

from __future__ import annotations

from typing import TYPE_CHECKING, override

from .entity import CommandDevice, FaceTerminalEntity
from .protocol.settings import SETTINGS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from homeassistant.helpers.entity import EntityDescription

    from .protocol.settings import Setting, SettingKind


def setting_entities[TerminalT: CommandDevice, EntityT: FaceTerminalSettingEntity](
    terminal: TerminalT,
    kind: SettingKind,
    entity_type: Callable[[TerminalT, Setting], EntityT],
) -> Iterator[EntityT]:
    """One entity of `entity_type` for each setting of `kind` in the catalogue."""
    return (entity_type(terminal, setting) for setting in SETTINGS if setting.kind is kind)


class FaceTerminalSettingEntity(FaceTerminalEntity[CommandDevice]):
    """One V1.24 §9 parameter.

    Unavailable while the terminal is offline or has not reported it: never guessed.
    """

    def __init__(
        self, terminal: CommandDevice, setting: Setting, description: EntityDescription
    ) -> None:
        """Bind the entity to its setting."""
        super().__init__(terminal, description)
        self.setting = setting

    @property
    def setting_value(self) -> bool | float | str | None:
        """The value the terminal last reported (or confirmed)."""
        return self.terminal.settings.value(self.setting)

    @property
    @override
    def available(self) -> bool:
        """Available while online and reported."""
        return super().available and self.setting_value is not None

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the terminal's reported settings as well as its presence."""
        await super().async_added_to_hass()
        self.async_on_remove(self.terminal.settings.async_add_listener(self.async_write_ha_state))

    async def async_change(self, value: object) -> None:
        """Send `value`; the state follows once the terminal confirmed it."""
        await self.terminal.settings.async_set(self.setting, value)
