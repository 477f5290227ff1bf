"""Gaps in what a platform received from a terminal, and the periods to ask for (§20, §22).

While Home Assistant, the broker or the connection is away, a terminal without
resume-from-breakpoint keeps its records only in its own log. ``ManualPushRecords`` /
``ManualPushSnaps`` ask it to re-send a period. `Gaps` remembers, per record kind, where
each gap begins: the time of the last record delivered before the outage (inclusive, as
other records of that same second may not have arrived). The period asked for runs from
there to now; what comes back that was delivered already is recognised by its identity
(`delivery.DeliveryLog`) and dropped, whatever order it arrives in.

Pure data: the driver persists `Gaps.as_dict` and restores it with `Gaps.restore`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from .coerce import as_int
from .delivery import KINDS, format_time, parse_time

if TYPE_CHECKING:
    from datetime import datetime

RESUME_KEY: Final = "ResumefromBreakpoint"


class Gaps:
    """Open gaps of one terminal: per kind (``PushAckType``), where the gap begins."""

    def __init__(self) -> None:
        """No gap is open."""
        self.starts: dict[int, datetime] = {}

    def __bool__(self) -> bool:
        """Whether any gap is open."""
        return bool(self.starts)

    def open(self, kind: int, start: datetime | None) -> bool:
        """Note an outage after the record at `start`; return whether anything changed.

        A gap that is already open keeps its (earlier) start: the outages merge into one
        period. Without a record before it (`start` None) there is nothing to ask for — a
        new terminal's whole history is never replayed.
        """
        if start is None or start.tzinfo is not None:
            return False
        current = self.starts.get(kind)
        if current is not None and current <= start:
            return False
        self.starts[kind] = start.replace(microsecond=0)
        return True

    def close(self, kind: int) -> bool:
        """The gap was filled (or the terminal re-sends by itself); return whether one was open."""
        return self.starts.pop(kind, None) is not None

    def period(self, kind: int, end: datetime) -> tuple[datetime, datetime] | None:
        """From the gap's start to `end` (the terminal's now), if a gap began before it."""
        start = self.starts.get(kind)
        if start is None or start > end:
            return None
        return start, end

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{kind: start}``."""
        return {str(kind): format_time(start) for kind, start in self.starts.items()}

    def restore(self, data: object) -> None:
        """Replace the gaps with `as_dict` output; anything unreadable is skipped."""
        self.starts.clear()
        if not isinstance(data, dict):
            return
        for key, text in data.items():
            kind = as_int(key)
            start = parse_time(text)
            if kind in KINDS and start is not None:
                self.starts[kind] = start


def resume_enabled(info: dict[str, Any]) -> bool | None:
    """``ResumefromBreakpoint`` of a ``GetMQTTconfig-Ack`` info (None when not reported)."""
    for key, value in info.items():
        if key.lower() == RESUME_KEY.lower():
            number = as_int(value)
            return None if number is None else number == 1
    return None
