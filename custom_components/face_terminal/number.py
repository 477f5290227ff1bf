"""Number settings of a terminal: volume, thresholds, times, distance (V1.24 §9)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, override

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfLength, UnitOfTime

from .protocol.settings import Setting, SettingKind, number_range
from .setting_entity import FaceTerminalSettingEntity, setting_entities

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import FaceTerminalConfigEntry
    from .entity import CommandDevice

# One command at a time per terminal.
PARALLEL_UPDATES = 1

UNITS: Final = {
    "%": PERCENTAGE,
    "s": UnitOfTime.SECONDS,
    "ms": UnitOfTime.MILLISECONDS,
    "min": UnitOfTime.MINUTES,
    "cm": UnitOfLength.CENTIMETERS,
}
TEMPERATURE: Final = "temperature"
TEMPERATURE_DELTA: Final = "temperature_delta"


def number_description(setting: Setting) -> NumberEntityDescription:
    """The entity description of a number setting."""
    return NumberEntityDescription(
        key=setting.key,
        translation_key=setting.key,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=setting.enabled_by_default,
        device_class=NumberDeviceClass.TEMPERATURE if setting.unit == TEMPERATURE else None,
        native_step=setting.step,
        native_unit_of_measurement=UNITS.get(setting.unit or ""),
        mode=NumberMode.SLIDER if setting.unit == "%" else NumberMode.BOX,
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's number settings (only MQTT terminals have these platforms)."""
    async_add_entities(
        setting_entities(entry.runtime_data, SettingKind.NUMBER, FaceTerminalSettingNumber)
    )


class FaceTerminalSettingNumber(FaceTerminalSettingEntity, NumberEntity):
    """A numeric setting with the range V1.24 gives (temperatures in the terminal's unit)."""

    def __init__(self, terminal: CommandDevice, setting: Setting) -> None:
        """Describe the number from its setting."""
        super().__init__(terminal, setting, number_description(setting))

    @property
    @override
    def native_value(self) -> float | None:
        value = self.setting_value
        return value if isinstance(value, float) else None

    @property
    @override
    def native_min_value(self) -> float:
        return number_range(self.setting, self.terminal.settings.fahrenheit)[0]

    @property
    @override
    def native_max_value(self) -> float:
        return number_range(self.setting, self.terminal.settings.fahrenheit)[1]

    @property
    @override
    def native_unit_of_measurement(self) -> str | None:
        if self.setting.unit in (TEMPERATURE, TEMPERATURE_DELTA):
            return self.terminal.settings.temperature_unit
        return super().native_unit_of_measurement

    @override
    async def async_set_native_value(self, value: float) -> None:
        await self.async_change(value)
