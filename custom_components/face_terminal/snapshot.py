"""What a terminal last told Home Assistant: `TerminalSnapshot` (``FaceTerminal.state``).

Plain state, written by the runtime as the session reports presence and records, and by
the clock watch (`clock`) as the terminal reports its time. The device contract's
properties (online, last seen, last face) and the diagnostics read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.util import dt as dt_util

from . import protocol
from .const import ATTR_PERSON_ID
from .device import ImageKind, image_summary
from .events import access_attributes, access_type

if TYPE_CHECKING:
    from datetime import datetime

    from .events import TerminalRecord


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


@dataclass(slots=True)
class TerminalSnapshot:
    """What the terminal last told us."""

    online: bool = False
    last_seen: datetime | None = None
    ip: str | None = None  # the stored address (setup, or the first one reported)
    reported_ip: str | None = None  # the last address the terminal claimed
    name: str | None = None
    firmware: str | None = None
    clock_offset: float | None = None  # seconds, terminal minus HA
    last_recognition: protocol.RecPush | None = None
    last_recognition_time: datetime | None = None
    last_face: protocol.Image | None = None
    last_face_time: datetime | None = None
    last_temperature: float | None = None
    last_records: list[dict[str, Any]] = field(default_factory=list)

    def remember(self, record: TerminalRecord) -> None:
        """Keep what a live record tells: the last recognition, face and temperature."""
        message = record.message
        if isinstance(message, protocol.RecPush):
            self.last_recognition = message
            self.last_recognition_time = record.time
        if isinstance(message, (protocol.RecPush, protocol.StrSnapPush)):
            if message.face.image is not None:
                self.last_face = message.face.image
                self.last_face_time = dt_util.utcnow()
            if message.temperature is not None:
                self.last_temperature = message.temperature
        self.last_records = [
            {"type": record.event_type, "time": record.time.isoformat()},
            *self.last_records[:9],
        ]

    def last_image(self, kind: ImageKind) -> tuple[protocol.Image, datetime] | None:
        """The face of the last record that carried one (records' scenes are not kept)."""
        if kind is ImageKind.FACE and self.last_face and self.last_face_time:
            return self.last_face, self.last_face_time
        return None

    def as_diagnostics(self) -> dict[str, Any]:
        """Presence, identity, clock and the last pictures (as summaries only)."""
        return {
            "online": self.online,
            "last_seen": _iso(self.last_seen),
            "ip": self.ip,
            "reported_ip": self.reported_ip,
            "name": self.name,
            "firmware": self.firmware,
            "clock_offset_seconds": self.clock_offset,
            "last_temperature": self.last_temperature,
            "last_face": image_summary(self.last_face),
            "last_face_time": _iso(self.last_face_time),
        }

    def last_recognition_diagnostics(self) -> dict[str, Any] | None:
        """The last recognition's fields (redacted by `diagnostics.py`), if any."""
        message = self.last_recognition
        if message is None:
            return None
        return {
            "access": access_type(message),
            "time": _iso(self.last_recognition_time),
            "record_id": message.record_id,
            **access_attributes(message),
            ATTR_PERSON_ID: message.person_id,
            "verify_status": message.verify_status,
            "push_type": message.push_type,
            "face": image_summary(message.face.image, message.face.problem),
            "scene": image_summary(message.scene.image, message.scene.problem),
        }
