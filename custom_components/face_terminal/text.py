"""Screen texts of a terminal: what it shows on success, for strangers, on refusal."""

from __future__ import annotations

from typing import TYPE_CHECKING, override

from homeassistant.components.text import TextEntity, TextEntityDescription
from homeassistant.const import EntityCategory

from .protocol.settings import Setting, SettingKind
from .setting_entity import FaceTerminalSettingEntity, setting_entities

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminal, FaceTerminalConfigEntry

# One command at a time per terminal.
PARALLEL_UPDATES = 1


def text_description(setting: Setting) -> TextEntityDescription:
    """The entity description of a screen text (at most 63 UTF-8 bytes, checked on send)."""
    return TextEntityDescription(
        key=setting.key,
        translation_key=setting.key,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=setting.enabled_by_default,
        native_min=0,
        native_max=setting.max_bytes,
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's screen texts (only MQTT terminals have these platforms)."""
    async_add_entities(
        setting_entities(entry.runtime_data, SettingKind.TEXT, FaceTerminalSettingText)
    )


class FaceTerminalSettingText(FaceTerminalSettingEntity, TextEntity):
    """A text the terminal shows on its screen."""

    def __init__(self, terminal: FaceTerminal, setting: Setting) -> None:
        """Describe the text from its setting."""
        super().__init__(terminal, setting, text_description(setting))

    @property
    @override
    def native_value(self) -> str | None:
        value = self.setting_value
        return value if isinstance(value, str) else None

    @override
    async def async_set_value(self, value: str) -> None:
        await self.async_change(value)
