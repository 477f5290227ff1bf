"""Jovision capture pushes as records: a face was seen, nobody was matched.

``sw_face_capture_push`` and ``sw_cap_face_report`` (seed 004, both marked "temporarily
unused" by the vendor) report a captured face with its estimated attributes, its pictures
and, on thermometer models, a ``temperature`` object. A capture names no library picture,
so it is never a recognition: it fires its own bus event (``face_terminal_capture``, never
``face_terminal_recognition``), shows on the access event entity as ``face_captured``,
and leaves the last-person sensor alone. Its pictures update the last-face and
last-scene images like a match's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Final

from homeassistant.core import Context

from .const import (
    ATTR_AGE,
    ATTR_DEVICE_ID,
    ATTR_FAMILY,
    ATTR_GENDER,
    ATTR_GLASSES,
    ATTR_MASK,
    ATTR_QUALITY,
    ATTR_TEMPERATURE,
    ATTR_TEMPERATURE_THRESHOLD,
    ATTR_TEMPERATURE_WARNING,
    ATTR_TERMINAL_ID,
    ATTR_TIME,
    EVENT_CAPTURE,
    FACE_CAPTURED,
    FAMILY_JOVISION,
)
from .events import record_time, without_none

if TYPE_CHECKING:
    from datetime import datetime

    from .protocol import JovisionCapture

# The bus event's fields the access event entity shows for a capture.
CAPTURE_ATTRIBUTES: Final = (
    ATTR_QUALITY,
    ATTR_AGE,
    ATTR_GENDER,
    ATTR_MASK,
    ATTR_GLASSES,
    ATTR_TEMPERATURE,
)


@dataclass(frozen=True, slots=True)
class JovisionCaptured:
    """A capture as the integration hands it to entities and the bus (a `DeviceRecord`).

    `data` holds small named fields only: never a picture, a face feature vector, the
    tracking or face IDs, or the user name and password hash some captures carry.
    """

    message: JovisionCapture
    time: datetime  # aware, in HA's time zone
    data: dict[str, Any]  # bus event data
    context: Context = field(default_factory=Context)

    bus_event: ClassVar[str] = EVENT_CAPTURE
    event_type: ClassVar[str] = FACE_CAPTURED
    # A face was seen: the access event entity shows it (as face_captured, never a match).
    is_access: ClassVar[bool] = True
    is_scan: ClassVar[bool] = False
    # No person identity: not a recognition (hostile-input rule), no last person.
    recognized_person: ClassVar[str | None] = None
    # Jovision devices raise no alarms the integration could name (see the README).
    alarm_type: ClassVar[str | None] = None

    @property
    def event_attributes(self) -> dict[str, Any]:
        """Quality, estimated age, gender, mask, glasses and temperature, where sent."""
        return {key: self.data[key] for key in CAPTURE_ATTRIBUTES if key in self.data}

    @property
    def person_attributes(self) -> dict[str, Any]:
        """None: a capture is nobody's."""
        return {}

    @property
    def alarm_attributes(self) -> dict[str, Any]:
        """None: a capture raises no alarm."""
        return {}

    @property
    def temperature(self) -> float | None:
        """The body temperature measured with the capture (``temperature.realtime_t``)."""
        return self.message.temperature


def describe_capture(message: JovisionCapture, *, device_id: str, uuid: str) -> JovisionCaptured:
    """Bus event data and entity fields of a capture."""
    when = record_time(message.capture_time)
    data = {
        ATTR_FAMILY: FAMILY_JOVISION,
        ATTR_DEVICE_ID: device_id,
        ATTR_TERMINAL_ID: uuid,
        ATTR_TIME: when.isoformat(),
        **without_none(
            {
                ATTR_QUALITY: message.quality,
                ATTR_AGE: message.age,
                ATTR_GENDER: message.gender,
                ATTR_MASK: message.mask,
                ATTR_GLASSES: message.glasses,
                ATTR_TEMPERATURE: message.temperature,
                ATTR_TEMPERATURE_THRESHOLD: message.temperature_threshold,
                ATTR_TEMPERATURE_WARNING: message.temperature_warning,
            }
        ),
    }
    return JovisionCaptured(message=message, time=when, data=data)
