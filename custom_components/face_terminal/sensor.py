"""Sensors of a face terminal: the last recognised person and the last body temperature."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self, override

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntityDescription,
    SensorExtraStoredData,
    SensorStateClass,
)
from homeassistant.const import UnitOfTemperature
from homeassistant.core import HomeAssistant, callback

from .const import ATTR_ACCESS, ATTR_CUSTOM_ID, ATTR_PERSON_ID, ATTR_SIMILARITY, ATTR_TIME
from .entity import FaceTerminalEntity
from .events import TerminalRecord, access_attributes
from .jovision import JovisionDevice
from .jovision_entity import sensor_entities
from .protocol import RecPush, StrSnapPush
from .roster_sensor import RosterSyncSensor

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.restore_state import ExtraStoredData
    from homeassistant.helpers.typing import StateType

    from .coordinator import FaceTerminal
    from .jovision import FaceTerminalDeviceConfigEntry

# Push only: records arrive by themselves.
PARALLEL_UPDATES = 0

LAST_PERSON_ATTRIBUTES = (ATTR_CUSTOM_ID, ATTR_PERSON_ID, ATTR_SIMILARITY, ATTR_ACCESS, ATTR_TIME)


def _last_person(record: TerminalRecord) -> str | None:
    """Name of a recognised person; None for strangers, scans and unidentified faces."""
    message = record.message
    if not isinstance(message, RecPush):
        return None
    return message.person_name or message.custom_id or message.person_id


def _last_person_attributes(record: TerminalRecord) -> dict[str, Any]:
    """Who it was and how the terminal decided; nothing personal beyond the name."""
    message = record.message
    assert isinstance(message, RecPush)
    shown = access_attributes(message)
    attributes = {
        ATTR_CUSTOM_ID: shown.get(ATTR_CUSTOM_ID),
        ATTR_PERSON_ID: message.person_id,
        ATTR_SIMILARITY: shown.get(ATTR_SIMILARITY),
        ATTR_ACCESS: record.event_type,
        ATTR_TIME: record.time.isoformat(),
    }
    return {key: value for key, value in attributes.items() if value is not None}


def _temperature(record: TerminalRecord) -> float | None:
    """Body temperature measured with a recognition or a stranger snapshot.

    Terminals with a thermometer report degrees Celsius. Should a record ever carry a
    Fahrenheit flag, convert (or report the unit) here.
    """
    message = record.message
    if isinstance(message, (RecPush, StrSnapPush)):
        return message.temperature
    return None


@dataclass(frozen=True, kw_only=True)
class FaceTerminalSensorEntityDescription(SensorEntityDescription):
    """A sensor fed by terminal records.

    `value_fn` returns the new value, or None when the record does not concern the
    sensor. `attributes_fn` gives its state attributes, limited to `attribute_keys`
    (also the only keys restored after a restart).
    """

    value_fn: Callable[[TerminalRecord], StateType]
    attributes_fn: Callable[[TerminalRecord], dict[str, Any]] | None = None
    attribute_keys: tuple[str, ...] = ()


SENSOR_DESCRIPTIONS: tuple[FaceTerminalSensorEntityDescription, ...] = (
    FaceTerminalSensorEntityDescription(
        key="last_person",
        translation_key="last_person",
        value_fn=_last_person,
        attributes_fn=_last_person_attributes,
        attribute_keys=LAST_PERSON_ATTRIBUTES,
    ),
    FaceTerminalSensorEntityDescription(
        key="body_temperature",
        translation_key="body_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        value_fn=_temperature,
    ),
)


@dataclass
class FaceTerminalSensorStoredData(SensorExtraStoredData):
    """The sensor's value and unit, plus its state attributes."""

    attributes: dict[str, Any] = field(default_factory=dict)

    @override
    def as_dict(self) -> dict[str, Any]:
        """Stored form: the sensor data with an "attributes" object."""
        return {**super().as_dict(), "attributes": self.attributes}

    @classmethod
    @override
    def from_dict(cls, restored: dict[str, Any]) -> Self | None:
        """Read the stored form back; attributes that are not an object are dropped."""
        data = super().from_dict(restored)
        if data is not None and isinstance(attributes := restored.get("attributes"), dict):
            data.attributes = attributes
        return data


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FaceTerminalDeviceConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the terminal's sensors."""
    runtime = entry.runtime_data
    if isinstance(runtime, JovisionDevice):
        async_add_entities(sensor_entities(runtime))
        return
    terminal = runtime
    async_add_entities(
        FaceTerminalRecordSensor(terminal, description) for description in SENSOR_DESCRIPTIONS
    )
    async_add_entities([RosterSyncSensor(terminal)])


class FaceTerminalRecordSensor(FaceTerminalEntity, RestoreSensor):
    """A value taken from the terminal's records, kept across restarts."""

    entity_description: FaceTerminalSensorEntityDescription

    def __init__(
        self, terminal: FaceTerminal, description: FaceTerminalSensorEntityDescription
    ) -> None:
        """Keep the description typed for the record handler."""
        super().__init__(terminal, description)
        self.entity_description = description
        self._attr_extra_state_attributes = {}

    @property
    @override
    def extra_restore_state_data(self) -> FaceTerminalSensorStoredData:
        """Value, unit and attributes to restore after a restart."""
        return FaceTerminalSensorStoredData(
            self.native_value,
            self.native_unit_of_measurement,
            dict(self._attr_extra_state_attributes),
        )

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the last value, then listen to the terminal's records."""
        await super().async_added_to_hass()
        self._restore(await self.async_get_last_extra_data())
        self.async_on_remove(self.terminal.async_add_record_listener(self._async_handle_record))

    def _restore(self, extra: ExtraStoredData | None) -> None:
        if extra is None:
            return
        stored = FaceTerminalSensorStoredData.from_dict(extra.as_dict())
        if stored is None:
            return
        value = stored.native_value
        numeric = self.entity_description.native_unit_of_measurement is not None
        if value is None or (numeric and not isinstance(value, (int, float))):
            return
        if not numeric and not isinstance(value, str):
            return
        self._attr_native_value = value
        self._attr_extra_state_attributes = {
            key: stored.attributes[key]
            for key in self.entity_description.attribute_keys
            if key in stored.attributes
        }

    @callback
    def _async_handle_record(self, record: TerminalRecord) -> None:
        description = self.entity_description
        if (value := description.value_fn(record)) is None:
            return
        self._attr_native_value = value
        if description.attributes_fn is not None:
            self._attr_extra_state_attributes = description.attributes_fn(record)
        self.async_write_ha_state()
