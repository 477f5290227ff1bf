"""Choice settings of a terminal: door mode, liveness, light, language, units (V1.24 §9)."""

from __future__ import annotations

from typing import TYPE_CHECKING, override

from homeassistant.components.select import SelectEntity, SelectEntityDescription
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


def select_description(setting: Setting) -> SelectEntityDescription:
    """The entity description of a choice setting: options from the V1.24 table."""
    return SelectEntityDescription(
        key=setting.key,
        translation_key=setting.key,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=setting.enabled_by_default,
        options=list(setting.options.values()),
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's choice settings (only MQTT terminals have these platforms)."""
    async_add_entities(
        setting_entities(entry.runtime_data, SettingKind.SELECT, FaceTerminalSettingSelect)
    )


class FaceTerminalSettingSelect(FaceTerminalSettingEntity, SelectEntity):
    """A setting with a fixed list of choices."""

    def __init__(self, terminal: CommandDevice, setting: Setting) -> None:
        """Describe the select from its setting."""
        super().__init__(terminal, setting, select_description(setting))

    @property
    @override
    def current_option(self) -> str | None:
        value = self.setting_value
        return value if isinstance(value, str) else None

    @override
    async def async_select_option(self, option: str) -> None:
        await self.async_change(option)
