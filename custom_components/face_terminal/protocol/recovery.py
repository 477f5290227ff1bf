"""Which records a platform has seen, to ask a terminal for the rest (§20, §22).

After Home Assistant or the broker was away, a terminal without resume-from-breakpoint
does not re-send what it recorded meanwhile; ``ManualPushRecords`` / ``ManualPushSnaps``
ask it for a period. `Watermark` remembers, per record kind, the latest record time seen
on the terminal's clock and the IDs recorded at that very second, so that

* the period to ask for starts at that time (inclusive: records of the same second may
  not all have arrived), and
* re-sent records that were delivered before are recognised and dropped.

Pure data: the caller persists `Watermark.as_dict` and restores it with `from_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from .coerce import as_int

MAX_IDS_PER_SECOND: Final = 64
"""Bound on the IDs kept for the latest second (device input)."""
RESUME_KEY: Final = "ResumefromBreakpoint"
_FORMAT: Final = "%Y-%m-%dT%H:%M:%S"


@dataclass(slots=True)
class KindWatermark:
    """The latest record time of one kind (records or stranger snapshots)."""

    time: datetime | None = None
    ids: list[str] = field(default_factory=list)  # record IDs at `time`

    def note(self, when: datetime | None, record_id: str | None) -> bool:
        """Take a delivered record; return whether the watermark moved or grew."""
        if when is None or when.tzinfo is not None:
            return False
        when = when.replace(microsecond=0)
        if self.time is None or when > self.time:
            self.time = when
            self.ids = [record_id] if record_id else []
            return True
        if (
            when == self.time
            and record_id
            and record_id not in self.ids
            and len(self.ids) < MAX_IDS_PER_SECOND
        ):
            self.ids.append(record_id)
            return True
        return False

    def delivered(self, when: datetime | None, record_id: str | None) -> bool:
        """Whether a re-sent record was delivered before (older, or seen at the latest second)."""
        if self.time is None or when is None or when.tzinfo is not None:
            return False
        when = when.replace(microsecond=0)
        if when < self.time:
            return True
        return when == self.time and record_id is not None and record_id in self.ids


@dataclass(slots=True)
class Watermark:
    """What a platform has seen of one terminal: recognition records and snapshots."""

    records: KindWatermark = field(default_factory=KindWatermark)
    snaps: KindWatermark = field(default_factory=KindWatermark)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for storage."""
        return {
            name: {
                "time": None if kind.time is None else kind.time.strftime(_FORMAT),
                "ids": list(kind.ids),
            }
            for name, kind in (("records", self.records), ("snaps", self.snaps))
        }

    @classmethod
    def from_dict(cls, data: object) -> Watermark:
        """Restore from `as_dict`; anything unreadable starts empty (never raises)."""
        mark = cls()
        if not isinstance(data, dict):
            return mark
        for name, kind in (("records", mark.records), ("snaps", mark.snaps)):
            stored = data.get(name)
            if not isinstance(stored, dict):
                continue
            text = stored.get("time")
            try:
                kind.time = datetime.strptime(text, _FORMAT) if isinstance(text, str) else None  # noqa: DTZ007 - terminal wall clock
            except ValueError:
                continue
            ids = stored.get("ids")
            if isinstance(ids, list):
                kind.ids = [str(item) for item in ids if isinstance(item, (str, int))][
                    :MAX_IDS_PER_SECOND
                ]
        return mark


def resume_enabled(info: dict[str, Any]) -> bool | None:
    """``ResumefromBreakpoint`` of a ``GetMQTTconfig-Ack`` info (None when not reported)."""
    for key, value in info.items():
        if key.lower() == RESUME_KEY.lower():
            number = as_int(value)
            return None if number is None else number == 1
    return None
