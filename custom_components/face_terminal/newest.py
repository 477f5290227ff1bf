"""Re-sent records for the "last" entities: the newest arrival by the record's own time.

A terminal re-sends the records Home Assistant missed (``replay: true``: after an outage,
a restart, or on request). They are history: they never trigger the access event entity,
and never open a door. But the last-person sensor and the last-face image show the newest
arrival, and after Home Assistant restarts the newest arrival may well be a re-sent one.
So re-sent records reach the entities that follow them through this module, and those
entities take one only when it is newer, by the record's own time, than what they show.

The runtime's record listeners stay live-only (the event entities, the presence trackers
and the rest see no re-sent record): re-sent records go, after their bus event, to the
runtime's replay listeners (`async_add_replay_listener`), which only the entities with
`follows_replays` add; they use the helpers here to take only what is newer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.util import dt as dt_util

from .protocol import RecPush, StrSnapPush

if TYPE_CHECKING:
    from datetime import datetime

    from .device import DeviceRecord
    from .protocol import Image


def is_newer(record: DeviceRecord, shown: datetime | None) -> bool:
    """Whether `record` happened after the record shown at `shown` (None: nothing shown)."""
    return shown is None or record.time > shown


def shown_time(value: object) -> datetime | None:
    """The time of a restored record (its ISO "time" attribute), or None."""
    return dt_util.parse_datetime(value) if isinstance(value, str) else None


def record_face(record: DeviceRecord) -> Image | None:
    """The face picture a (re-sent) recognition or stranger record carries, if any."""
    message = getattr(record, "message", None)
    if isinstance(message, RecPush | StrSnapPush):
        return message.face.image
    return None
