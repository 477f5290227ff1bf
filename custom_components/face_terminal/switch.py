"""On/off settings of a terminal: voice prompts, mask and temperature checks, uploads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory

from .protocol.settings import Setting, SettingKind
from .setting_entity import FaceTerminalSettingEntity, setting_entities

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminalConfigEntry
    from .entity import CommandDevice

# One command at a time per terminal.
PARALLEL_UPDATES = 1


def switch_description(setting: Setting) -> SwitchEntityDescription:
    """The entity description of an on/off setting."""
    return SwitchEntityDescription(
        key=setting.key,
        translation_key=setting.key,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=setting.enabled_by_default,
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's on/off settings (only MQTT terminals have these platforms)."""
    async_add_entities(
        setting_entities(entry.runtime_data, SettingKind.SWITCH, FaceTerminalSettingSwitch)
    )


class FaceTerminalSettingSwitch(FaceTerminalSettingEntity, SwitchEntity):
    """A setting that is on or off."""

    def __init__(self, terminal: CommandDevice, setting: Setting) -> None:
        """Describe the switch from its setting."""
        super().__init__(terminal, setting, switch_description(setting))

    @property
    @override
    def is_on(self) -> bool | None:
        value = self.setting_value
        return value if isinstance(value, bool) else None

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.async_change(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.async_change(False)
