"""Re-sent records for the "last" entities: the newest arrival by the record's own time.

A terminal re-sends the records Home Assistant missed (``replay: true``: after an outage,
a restart, or on request). They are history: they never trigger the access event entity,
and never open a door. But the last-person sensor and the last-face image show the newest
arrival, and after Home Assistant restarts the newest arrival may well be a re-sent one.
So re-sent records reach the entities that follow them through this module, and those
entities take one only when it is newer, by the record's own time, than what they show.

The runtime's record listeners stay live-only (the event entities, the presence trackers
and the rest see no re-sent record): the runtime calls `async_record_replayed` for each
re-sent record after firing its bus event, and only the listeners added here hear it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.util import dt as dt_util

from .protocol import RecPush, StrSnapPush

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from .device import DeviceRecord
    from .protocol import Image

type ReplayListener = Callable[[DeviceRecord], None]

_LISTENERS: WeakKeyDictionary[Any, list[ReplayListener]] = WeakKeyDictionary()


@callback
def async_add_replay_listener(runtime: object, listener: ReplayListener) -> CALLBACK_TYPE:
    """Call `listener` with every re-sent record of `runtime` until the returned call."""
    listeners = _LISTENERS.setdefault(runtime, [])
    listeners.append(listener)

    @callback
    def remove() -> None:
        listeners.remove(listener)

    return remove


@callback
def async_record_replayed(runtime: object, record: DeviceRecord) -> None:
    """Hand a re-sent record (its bus event already fired) to the listeners of `runtime`."""
    for listener in list(_LISTENERS.get(runtime, ())):
        listener(record)


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
