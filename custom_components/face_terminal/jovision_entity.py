"""Entities of a Jovision device: online, last person, access events, last face and scene.

The platform modules (``binary_sensor``, ``sensor``, ``event``, ``image``) add these when
the entry's runtime is a `JovisionDevice`. The protocol has no door, enrolment, voice or
QR command, so there is no lock, camera or scan entity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.components.sensor import RestoreSensor, SensorEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.util import dt as dt_util

from .const import (
    ATTR_AGE,
    ATTR_CAPTURE_TIME,
    ATTR_GENDER,
    ATTR_GLASSES,
    ATTR_INDEX_ID,
    ATTR_LIST,
    ATTR_MASK,
    ATTR_PERSON_NAME,
    ATTR_SIMILARITY,
    DOMAIN,
    JOVISION_ACCESS_EVENT_TYPES,
)

if TYPE_CHECKING:
    from .jovision import JovisionDevice, JovisionRecognition
    from .protocol import Image

LAST_PERSON_ATTRIBUTES = (
    ATTR_INDEX_ID,
    ATTR_LIST,
    ATTR_SIMILARITY,
    ATTR_CAPTURE_TIME,
    ATTR_AGE,
    ATTR_GENDER,
    ATTR_MASK,
    ATTR_GLASSES,
)
EVENT_ATTRIBUTES = (ATTR_PERSON_NAME, ATTR_INDEX_ID, ATTR_LIST, ATTR_SIMILARITY)

ONLINE_DESCRIPTION = BinarySensorEntityDescription(
    key="online",
    translation_key="online",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)
LAST_PERSON_DESCRIPTION = SensorEntityDescription(
    key="last_person", translation_key="jovision_last_person"
)
ACCESS_DESCRIPTION = EventEntityDescription(
    key="access",
    translation_key="jovision_access",
    event_types=JOVISION_ACCESS_EVENT_TYPES,
)
LAST_FACE_DESCRIPTION = ImageEntityDescription(key="last_face", translation_key="last_face")
LAST_SCENE_DESCRIPTION = ImageEntityDescription(key="last_scene", translation_key="last_scene")


class JovisionEntity(Entity):
    """An entity of one Jovision device; unavailable while the device is offline."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, device: JovisionDevice, description: EntityDescription) -> None:
        """Name, ID and device come from the device's UUID and the description's key."""
        self.device = device
        self.entity_description = description
        self._attr_unique_id = f"{device.uuid}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, device.uuid)})

    @property
    @override
    def available(self) -> bool:
        """Available while the device is online."""
        return self.device.online

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the device's presence and its matches."""
        await super().async_added_to_hass()
        self.async_on_remove(self.device.async_add_presence_listener(self.async_write_ha_state))
        self.async_on_remove(
            self.device.async_add_recognition_listener(self._async_handle_recognition)
        )

    @callback
    def _async_handle_recognition(self, recognition: JovisionRecognition) -> None:
        """React to a match; most entities only show presence."""


class JovisionOnlineSensor(JovisionEntity, BinarySensorEntity):
    """On while the device sends heartbeats or pushes."""

    @property
    @override
    def available(self) -> bool:
        """Always available: offline is this sensor's "off" state."""
        return True

    @property
    @override
    def is_on(self) -> bool:
        """Whether the device is online."""
        return self.device.online


class JovisionLastPersonSensor(JovisionEntity, RestoreSensor):
    """Name of the last matched person, with a few small attributes; kept across restarts."""

    def __init__(self, device: JovisionDevice, description: SensorEntityDescription) -> None:
        """Start without a value."""
        super().__init__(device, description)
        self._attr_extra_state_attributes = {}

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the last name and attributes."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_sensor_data()) is not None and isinstance(
            last.native_value, str
        ):
            self._attr_native_value = last.native_value
        if (state := await self.async_get_last_state()) is not None:
            self._attr_extra_state_attributes = {
                key: state.attributes[key]
                for key in LAST_PERSON_ATTRIBUTES
                if key in state.attributes
            }

    @callback
    @override
    def _async_handle_recognition(self, recognition: JovisionRecognition) -> None:
        self._attr_native_value = recognition.person_name
        self._attr_extra_state_attributes = dict(recognition.attributes)
        self.async_write_ha_state()


class JovisionAccessEvent(JovisionEntity, EventEntity):
    """Fires once per match: recognized, blacklisted or vip."""

    @callback
    @override
    def _async_handle_recognition(self, recognition: JovisionRecognition) -> None:
        attributes: dict[str, Any] = {
            key: recognition.data[key] for key in EVENT_ATTRIBUTES if key in recognition.data
        }
        self._trigger_event(recognition.event_type, attributes)
        self.async_write_ha_state()


class JovisionImage(JovisionEntity, ImageEntity):
    """The face crop or the scene picture of the last push that carried one.

    Pictures live in memory only; after a restart there is none until the next push.
    """

    def __init__(
        self, hass: HomeAssistant, device: JovisionDevice, description: ImageEntityDescription
    ) -> None:
        """Set up both bases (ImageEntity needs `hass` for its HTTP client)."""
        JovisionEntity.__init__(self, device, description)
        ImageEntity.__init__(self, hass)
        self._image: Image | None = None
        self._use()

    def _current(self) -> tuple[Image | None, Any]:
        if self.entity_description.key == LAST_SCENE_DESCRIPTION.key:
            return self.device.last_scene, self.device.last_scene_time
        return self.device.last_face, self.device.last_face_time

    def _use(self) -> bool:
        image, when = self._current()
        if image is None or image is self._image:
            return False
        self._image = image
        self._attr_content_type = image.content_type
        self._attr_image_last_updated = when or dt_util.utcnow()
        return True

    @callback
    @override
    def _async_handle_recognition(self, recognition: JovisionRecognition) -> None:
        if self._use():
            self.async_write_ha_state()

    @override
    async def async_image(self) -> bytes | None:
        """The picture bytes, decoded on the first fetch (none if its base64 is broken)."""
        return (self._image.data or None) if self._image is not None else None


def online_entities(device: JovisionDevice) -> list[JovisionOnlineSensor]:
    """The binary sensors of a Jovision device."""
    return [JovisionOnlineSensor(device, ONLINE_DESCRIPTION)]


def sensor_entities(device: JovisionDevice) -> list[JovisionLastPersonSensor]:
    """The sensors of a Jovision device."""
    return [JovisionLastPersonSensor(device, LAST_PERSON_DESCRIPTION)]


def event_entities(device: JovisionDevice) -> list[JovisionAccessEvent]:
    """The event entities of a Jovision device."""
    return [JovisionAccessEvent(device, ACCESS_DESCRIPTION)]


def image_entities(hass: HomeAssistant, device: JovisionDevice) -> list[JovisionImage]:
    """The image entities of a Jovision device."""
    return [
        JovisionImage(hass, device, LAST_FACE_DESCRIPTION),
        JovisionImage(hass, device, LAST_SCENE_DESCRIPTION),
    ]
