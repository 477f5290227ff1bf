"""Screen texts of a terminal: what it shows on success, for strangers, on refusal."""

from __future__ import annotations

from typing import TYPE_CHECKING, override

from homeassistant.components.text import TextEntity, TextEntityDescription
from homeassistant.const import MAX_LENGTH_STATE_STATE, EntityCategory
from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN
from .protocol import utf8_len
from .protocol.settings import Setting, SettingKind
from .setting_entity import FaceTerminalSettingEntity, setting_entities

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminal, FaceTerminalConfigEntry

# One command at a time per terminal.
PARALLEL_UPDATES = 1


def text_description(setting: Setting) -> TextEntityDescription:
    """The entity description of a screen text (at most 63 UTF-8 bytes, checked on send).

    The limit is in bytes, and the frontend's text field cuts what is typed at the
    entity's maximum length in characters, without a word. The maximum is therefore
    Home Assistant's largest (255 characters), never below what the bytes allow: a text
    that does not fit reaches `FaceTerminalSettingText.async_set_value`, which refuses
    it with a message naming the field, instead of being shortened silently.
    """
    return TextEntityDescription(
        key=setting.key,
        translation_key=setting.key,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=setting.enabled_by_default,
        native_min=0,
        native_max=max(MAX_LENGTH_STATE_STATE, setting.max_bytes),
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
        """Send the text if its UTF-8 form fits the terminal; refuse it otherwise."""
        limit = self.setting.max_bytes
        if (size := utf8_len(value)) > limit:
            name = self.name if isinstance(self.name, str) else self.setting.key
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="text_too_long",
                translation_placeholders={
                    "name": name,
                    "bytes": str(size),
                    "characters": str(len(value)),
                    "max_bytes": str(limit),
                },
            )
        await self.async_change(value)
