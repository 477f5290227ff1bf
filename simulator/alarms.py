"""Alarm pushes of later firmware editions (AIO-V2.0.3): ``AlarmInfoPush`` on ``/Alarm``.

``info.code`` is the alarm type (not a result code), ``description`` free text,
``event_time`` epoch milliseconds as text, ``status`` an integer.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from simulator.device import Outgoing

if TYPE_CHECKING:
    from simulator.device import Device

KIND_ALARM = "Alarm"
ALARM_OPERATOR = "AlarmInfoPush"


def alarm_push(device: Device, code: int, description: str = "", status: int = 1) -> Outgoing:
    """Build an ``AlarmInfoPush`` of `device` (numbers as text, like the terminal's fields)."""
    info = {
        "code": str(code),
        "description": description,
        "event_time": str(int(time.time() * 1000)),
        "status": str(status),
    }
    return Outgoing(KIND_ALARM, device.message(ALARM_OPERATOR, info))
