"""Alarm pushes as Home Assistant events (``face_terminal_alarm``).

The terminal's ``AlarmInfoPush`` (tamper, temperature and other alarms of later firmware
editions, see `protocol.alarms`) becomes one bus event per alarm. The alarm codes are
undocumented, so the event carries the code, the terminal's own description (cleaned and
bounded by the parser) and the status as they came; automations match on the code their
terminal uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from .const import ATTR_DEVICE_ID, ATTR_TERMINAL_ID, ATTR_TIME, DOMAIN
from .events import record_time, without_none

if TYPE_CHECKING:
    from .protocol.alarms import AlarmInfoPush

EVENT_ALARM: Final = f"{DOMAIN}_alarm"
ATTR_ALARM_CODE: Final = "alarm_code"
ATTR_DESCRIPTION: Final = "description"
ATTR_STATUS: Final = "status"


def alarm_event_data(message: AlarmInfoPush, *, device_id: str, terminal_id: str) -> dict[str, Any]:
    """Bus event data of one alarm."""
    return without_none(
        {
            ATTR_DEVICE_ID: device_id,
            ATTR_TERMINAL_ID: terminal_id,
            ATTR_TIME: record_time(message.time).isoformat(),
            ATTR_ALARM_CODE: message.alarm_code,
            ATTR_DESCRIPTION: message.description,
            ATTR_STATUS: message.status,
        }
    )
