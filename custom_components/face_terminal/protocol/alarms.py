"""Alarm pushes: ``AlarmInfoPush`` on ``<command topic>/Alarm`` (later editions, Q-36).

V1.24 has no alarm push; the AIO-V2.0.3 edition of the same firmware adds
``AlarmInfoPush`` with ``info.code`` (the alarm type, *not* a result code),
``description``, ``event_time`` (epoch milliseconds as text) and ``status``. The codes
are not documented in any source we have, so the alarm is passed on as it came: its code,
its (cleaned, bounded) description and its status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from .coerce import as_int, as_str
from .models import Message

if TYPE_CHECKING:
    from .loose import LooseObject

MAX_DESCRIPTION: Final = 120
_MAX_EPOCH_MS: Final = 253_402_300_799_000  # 9999-12-31


@dataclass(frozen=True, slots=True, kw_only=True)
class AlarmInfoPush(Message):
    """An alarm the terminal raised (tamper, temperature and others)."""

    alarm_code: int | None
    description: str | None
    status: int | None
    time: datetime | None  # aware (UTC) when the terminal sent epoch milliseconds


def _event_time(value: object) -> datetime | None:
    millis = as_int(value)
    if millis is None or not 0 < millis <= _MAX_EPOCH_MS:
        return None
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def parse_alarm_push(
    base: dict[str, Any], info: LooseObject, fallback_time: datetime | None
) -> AlarmInfoPush:
    """Build the alarm from the message's common fields and its ``info``."""
    return AlarmInfoPush(
        **base,
        alarm_code=as_int(info.get("code", "alarmType", "AlarmType")),
        description=as_str(info.get("description", "desc"), MAX_DESCRIPTION),
        status=as_int(info.get("status")),
        time=_event_time(info.get("event_time", "eventTime")) or fallback_time,
    )
