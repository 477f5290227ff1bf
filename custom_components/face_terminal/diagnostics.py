"""Diagnostics of a terminal: configuration, presence, message counters, recent records.

Person names, custom and person IDs, card and ID-card numbers never appear: the last
recognition goes through `async_redact_data`, and records are listed by type and time
only. Pictures are described by their type and size, never included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from homeassistant.components.diagnostics import async_redact_data

from .const import (
    ATTR_CARD_NUMBER,
    ATTR_CODE,
    ATTR_CUSTOM_ID,
    ATTR_ID_LAST4,
    ATTR_PERSON_ID,
    ATTR_PERSON_NAME,
    CONF_MAC,
    CONF_PERSON_LINKS,
    CONF_PERSON_NAMES,
    CONF_WEBHOOK_ID,
)
from .events import access_attributes, access_type
from .jovision import JovisionDevice, JovisionReceiver

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.core import HomeAssistant

    from .coordinator import FaceTerminal
    from .jovision import FaceTerminalAnyConfigEntry
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
    CONF_WEBHOOK_ID,
    CONF_PERSON_NAMES,
    CONF_PERSON_LINKS,
}
JOVISION_TO_REDACT = {*TO_REDACT, CONF_MAC}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: FaceTerminalAnyConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for one terminal, Jovision device or the Jovision receiver.

    Unlike the platforms, diagnostics are about what only one family has (topics, clock,
    drop counters; webhook counters), so they look at the runtime's class.
    """
    runtime = entry.runtime_data
    if isinstance(runtime, JovisionReceiver):
        return {
            "entry": _entry(entry, JOVISION_TO_REDACT),
            "counters": dict(sorted(runtime.counters.items())),
            "devices_seen": len(runtime.first_seen),
        }
    if isinstance(runtime, JovisionDevice):
        return _jovision_device(entry, runtime)
    return _mqtt_terminal(entry, cast("FaceTerminal", runtime))


def _mqtt_terminal(entry: FaceTerminalAnyConfigEntry, terminal: FaceTerminal) -> dict[str, Any]:
    """Presence, clock, counters and the last records of an MQTT terminal, without names."""
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
            "reported_ip": state.reported_ip,
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
        "access_decisions": {
            "window_seconds": terminal.access.policy.window,
            "default_grant": terminal.access.policy.default_grant,
            "pending": terminal.access.pending_count,
            **terminal.access.counters,
        },
        "record_recovery": {
            "enabled": terminal.recovery.enabled,
            "unsupported": terminal.recovery.unsupported,
            "last_run": terminal.recovery.last_run,
            # Times only: the record IDs of the watermark stay out.
            "last_record_time": _time(terminal.recovery.watermark.records.time),
            "last_snap_time": _time(terminal.recovery.watermark.snaps.time),
        },
    }


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _image_summary(image: Image | None, problem: ImageProblem | None) -> dict[str, Any] | None:
    """Type and size of a picture, or why there is none; never the picture."""
    if image is not None:
        return {"content_type": image.content_type, "size": len(image.data)}
    if problem is not None:
        return {"problem": str(problem)}
    return None


def _entry(entry: FaceTerminalAnyConfigEntry, redact: set[str]) -> dict[str, Any]:
    return {
        "title": entry.title,
        "data": async_redact_data(dict(entry.data), redact),
        "options": async_redact_data(dict(entry.options), redact),
    }


def _jovision_device(entry: FaceTerminalAnyConfigEntry, device: JovisionDevice) -> dict[str, Any]:
    """Presence, counters and the last match without names or pictures."""
    recognition = device.last_recognition
    last: dict[str, Any] | None = None
    if recognition is not None:
        message = recognition.message
        last = async_redact_data(
            {
                "access": recognition.event_type,
                "time": recognition.time.isoformat(),
                **recognition.person_attributes,
                ATTR_PERSON_NAME: recognition.person_name,
                "face": _image_summary(message.face.image, message.face.problem),
                "scene": _image_summary(message.scene.image, message.scene.problem),
            },
            JOVISION_TO_REDACT,
        )
    return {
        "entry": _entry(entry, JOVISION_TO_REDACT),
        "device": {
            "online": device.online,
            "last_seen": device.last_seen.isoformat() if device.last_seen else None,
            "offline_timeout": device.offline_timeout,
            "last_face": _image_summary(device.last_face, None),
            "last_scene": _image_summary(device.last_scene, None),
        },
        "counters": dict(sorted(device.counters.items())),
        "last_recognition": last,
    }
