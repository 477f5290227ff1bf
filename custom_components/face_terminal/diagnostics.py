"""Diagnostics of a terminal: configuration, presence, message counters, recent records.

Person names, custom and person IDs, card and ID-card numbers never appear: the last
recognition goes through `async_redact_data`, and records are listed by type and time
only. Pictures are described by their type and size, never included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data

from .const import (
    ATTR_CARD_NUMBER,
    ATTR_CODE,
    ATTR_CUSTOM_ID,
    ATTR_ID_LAST4,
    ATTR_PERSON_ID,
    ATTR_PERSON_NAME,
)
from .events import access_attributes, access_type

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .coordinator import FaceTerminalConfigEntry
    from .protocol.models import Image, ImageProblem

TO_REDACT = {
    ATTR_PERSON_NAME,
    ATTR_CUSTOM_ID,
    ATTR_PERSON_ID,
    ATTR_CARD_NUMBER,
    ATTR_CODE,
    ATTR_ID_LAST4,
    "password",
    "username",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: FaceTerminalConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for one terminal."""
    terminal = entry.runtime_data
    state = terminal.state
    last_recognition: dict[str, Any] | None = None
    if (message := state.last_recognition) is not None:
        last_recognition = async_redact_data(
            {
                "access": access_type(message),
                "time": state.last_recognition_time.isoformat()
                if state.last_recognition_time
                else None,
                "record_id": message.record_id,
                **access_attributes(message),
                ATTR_PERSON_ID: message.person_id,
                "verify_status": message.verify_status,
                "push_type": message.push_type,
                "face": _image_summary(message.face.image, message.face.problem),
                "scene": _image_summary(message.scene.image, message.scene.problem),
            },
            TO_REDACT,
        )
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "terminal": {
            "terminal_id": terminal.terminal_id,
            "command_topic": terminal.command_topic,
            "online": state.online,
            "last_seen": state.last_seen.isoformat() if state.last_seen else None,
            "ip": state.ip,
            "name": state.name,
            "firmware": state.firmware,
            "clock_offset_seconds": state.clock_offset,
            "last_temperature": state.last_temperature,
            "last_face": _image_summary(state.last_face, None),
            "last_face_time": state.last_face_time.isoformat() if state.last_face_time else None,
            "scene_cached": terminal.last_scene is not None,
        },
        "counters": dict(sorted(terminal.counters.items())),
        "drops": dict(sorted(terminal.drops.items())),
        "last_records": [dict(record) for record in state.last_records],
        "last_recognition": last_recognition,
    }


def _image_summary(image: Image | None, problem: ImageProblem | None) -> dict[str, Any] | None:
    """Type and size of a picture, or why there is none; never the picture."""
    if image is not None:
        return {"content_type": image.content_type, "size": len(image.data)}
    if problem is not None:
        return {"problem": str(problem)}
    return None
