"""Sensors of a device: the last recognised person and the last body temperature.

Devices known to measure temperature (MQTT terminals) get the temperature sensor at once;
others (Jovision devices, whose capture push may carry a reading on thermometer models)
get it with the first record that has a reading, and keep it from then on.
"""

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
from homeassistant.const import Platform, UnitOfTemperature
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .const import (
    ATTR_ACCESS,
    ATTR_AGE,
    ATTR_CAPTURE_TIME,
    ATTR_CUSTOM_ID,
    ATTR_GENDER,
    ATTR_GLASSES,
    ATTR_INDEX_ID,
    ATTR_LIST,
    ATTR_MASK,
    ATTR_PERSON_ID,
    ATTR_SIMILARITY,
    ATTR_TIME,
    DOMAIN,
)
from .device import Capability, has_capability
from .entity import FaceTerminalRecordEntity
from .newest import is_newer, shown_time
from .occupancy.sensor import async_setup_site_sensor
from .roster.sensor import roster_sync_entities
from .settings import TerminalSettings

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from homeassistant.core import CALLBACK_TYPE
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.restore_state import ExtraStoredData
    from homeassistant.helpers.typing import StateType

    from .device import DeviceConfigEntry, DeviceRecord, DeviceRuntime

# Push only: records arrive by themselves.
PARALLEL_UPDATES = 0
# The "people inside" sensor of a site (loaded by the occupancy manager, one per site).
async_setup_platform = async_setup_site_sensor

# The last person's attributes of either family (MQTT terminal, then Jovision device);
# also the only keys restored after a restart.
LAST_PERSON_ATTRIBUTES = (
    ATTR_CUSTOM_ID,
    ATTR_PERSON_ID,
    ATTR_SIMILARITY,
    ATTR_ACCESS,
    ATTR_TIME,
    ATTR_INDEX_ID,
    ATTR_LIST,
    ATTR_CAPTURE_TIME,
    ATTR_AGE,
    ATTR_GENDER,
    ATTR_MASK,
    ATTR_GLASSES,
)


@dataclass(frozen=True, kw_only=True)
class FaceTerminalSensorEntityDescription(SensorEntityDescription):
    """A sensor fed by a device's records.

    `value_fn` returns the new value, or None when the record does not concern the
    sensor. `attributes_fn` gives its state attributes, limited to `attribute_keys`
    (also the only keys restored after a restart). `capability` is what the device
    needs for the sensor to exist; with `added_when_used`, a device without it gets the
    sensor with its first record that has a value.
    """

    value_fn: Callable[[DeviceRecord], StateType]
    attributes_fn: Callable[[DeviceRecord], dict[str, Any]] | None = None
    attribute_keys: tuple[str, ...] = ()
    capability: Capability | None = None
    added_when_used: bool = False


SENSOR_DESCRIPTIONS: tuple[FaceTerminalSensorEntityDescription, ...] = (
    FaceTerminalSensorEntityDescription(
        key="last_person",
        translation_key="last_person",
        # The access event entity names who came (its `person_name`); this sensor adds a
        # second logbook line for every change of person, so it is one click away.
        entity_registry_enabled_default=False,
        value_fn=lambda record: record.recognized_person,
        attributes_fn=lambda record: record.person_attributes,
        attribute_keys=LAST_PERSON_ATTRIBUTES,
    ),
    FaceTerminalSensorEntityDescription(
        key="body_temperature",
        translation_key="body_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        value_fn=lambda record: record.temperature,
        capability=Capability.TEMPERATURE,
        added_when_used=True,
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
    entry: DeviceConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the device's last-person sensor, and its temperature sensor where it has one."""
    runtime = entry.runtime_data
    async_add_entities(
        FaceTerminalRecordSensor(runtime, description)
        for description in SENSOR_DESCRIPTIONS
        if has_capability(runtime, description.capability)
    )
    async_add_entities(roster_sync_entities(runtime))
    for description in SENSOR_DESCRIPTIONS:
        if description.added_when_used and not has_capability(runtime, description.capability):
            _add_when_used(hass, entry, description, async_add_entities)


def _add_when_used(
    hass: HomeAssistant,
    entry: DeviceConfigEntry,
    description: FaceTerminalSensorEntityDescription,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensor now if the device already had it, else with its first value."""
    runtime = entry.runtime_data
    unique_id = f"{runtime.terminal_id}_{description.key}"
    if er.async_get(hass).async_get_entity_id(Platform.SENSOR, DOMAIN, unique_id):
        async_add_entities([FaceTerminalRecordSensor(runtime, description)])
        return
    unsubscribe: CALLBACK_TYPE | None = None

    @callback
    def stop() -> None:
        nonlocal unsubscribe
        if unsubscribe is not None:
            unsubscribe()
            unsubscribe = None

    @callback
    def first_record(record: DeviceRecord) -> None:
        if description.value_fn(record) is None:
            return
        stop()
        async_add_entities([FaceTerminalRecordSensor(runtime, description, first=record)])

    unsubscribe = runtime.async_add_record_listener(first_record)
    entry.async_on_unload(stop)


class FaceTerminalRecordSensor(FaceTerminalRecordEntity, RestoreSensor):
    """A value taken from the device's records, kept across restarts.

    It shows the newest arrival by the record's own time: every live record, and a
    re-sent one (``replay: true``) only when it happened after the record shown (after
    a restart, the restored one's "time").
    """

    entity_description: FaceTerminalSensorEntityDescription
    follows_replays = True
    # New with every record: kept on the state, but not a recorder row per record.
    _unrecorded_attributes = frozenset({ATTR_TIME, ATTR_SIMILARITY, ATTR_CAPTURE_TIME})

    def __init__(
        self,
        runtime: DeviceRuntime,
        description: FaceTerminalSensorEntityDescription,
        *,
        first: DeviceRecord | None = None,
    ) -> None:
        """No attributes before the first record (or the restored ones).

        `first` is the record that brought a sensor added when used: its value is the
        sensor's first state, in the record's context.
        """
        super().__init__(runtime, description)
        self._attr_extra_state_attributes = {}
        self._shown: datetime | None = None  # the shown record's own time
        if first is not None:
            self.async_set_context(first.context)
            self._take(first)

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
        """Restore the last value, then follow the device's records."""
        self._restore(await self.async_get_last_extra_data())
        await super().async_added_to_hass()

    def _restore(self, extra: ExtraStoredData | None) -> None:
        if extra is None or self._attr_native_value is not None:
            return  # nothing stored, or a fresh value already (a sensor added when used)
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
        self._shown = shown_time(self._attr_extra_state_attributes.get(ATTR_TIME))

    @property
    @override
    def native_unit_of_measurement(self) -> str | None:
        """Temperatures are in the unit the terminal is set to (V1.24 §9.5), not assumed °C."""
        settings = getattr(self.terminal, "settings", None)
        if self.entity_description.device_class is SensorDeviceClass.TEMPERATURE and isinstance(
            settings, TerminalSettings
        ):
            return settings.temperature_unit
        return super().native_unit_of_measurement

    @callback
    @override
    def _async_handle_record(self, record: DeviceRecord) -> None:
        if self._take(record):
            self.async_write_ha_state()

    @callback
    @override
    def _async_handle_replay(self, record: DeviceRecord) -> None:
        if is_newer(record, self._shown) and self._take(record):
            self.async_write_ha_state()

    def _take(self, record: DeviceRecord) -> bool:
        """Take the record's value and attributes; False if it has none for this sensor."""
        description = self.entity_description
        if (value := description.value_fn(record)) is None:
            return False
        self._shown = record.time
        self._attr_native_value = value
        if description.attributes_fn is not None:
            self._attr_extra_state_attributes = description.attributes_fn(record)
        return True
