"""Alarm pushes as Home Assistant events (``face_terminal_alarm``).

The terminal's ``AlarmInfoPush`` (tamper, temperature and other alarms of later firmware
editions, see `protocol.alarms`) becomes one bus event per alarm and one ``terminal_alarm``
event of the terminal's alarm event entity. The alarm codes are undocumented, so both
carry the code, the terminal's own description (cleaned and bounded by the parser) and the
status as they came; automations match on the code their terminal uses. No meaning is
made up for a code (nor for a status: whether 0 means "cleared" is not documented).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .const import (
    ATTR_ALARM_CODE,
    ATTR_DESCRIPTION,
    ATTR_DEVICE_ID,
    ATTR_STATUS,
    ATTR_TERMINAL_ID,
    ATTR_TIME,
    DOMAIN,
    TERMINAL_ALARM,
)
from .events import TerminalRecord, record_time, without_none

if TYPE_CHECKING:
    from .protocol.alarms import AlarmInfoPush

EVENT_ALARM: Final = f"{DOMAIN}_alarm"


def build_alarm(message: AlarmInfoPush, *, device_id: str, terminal_id: str) -> TerminalRecord:
    """Describe one alarm push for the bus and the alarm event entity."""
    when = record_time(message.time)
    data = without_none(
        {
            ATTR_DEVICE_ID: device_id,
            ATTR_TERMINAL_ID: terminal_id,
            ATTR_TIME: when.isoformat(),
            ATTR_ALARM_CODE: message.alarm_code,
            ATTR_DESCRIPTION: message.description,
            ATTR_STATUS: message.status,
        }
    )
    return TerminalRecord(message, EVENT_ALARM, TERMINAL_ALARM, when, data)
