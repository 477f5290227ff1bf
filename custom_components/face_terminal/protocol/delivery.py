"""Which records reached the platform, remembered by identity (exactly-once delivery).

A terminal re-sends a record until it is acknowledged (resume-from-breakpoint, Q-31) and
re-sends whole periods on request (§20, §22). After any outage, live records and re-sent
ones interleave by design: the terminal goes on sending new records while it re-sends
the old ones, and a ``ManualPushRecords`` answer arrives after the first live record. So a
copy is recognised by what it is — its kind (``PushAckType``: record or stranger
snapshot) and its record/snapshot ID — never by its place in time ("older than the
newest seen" would throw away every record of a gap once one newer record got through).

`DeliveryLog` keeps those identities with each record's own time, bounded (the oldest
delivered leave first), in a JSON-ready form the driver persists. It also tells where a
gap begins: the newest record time it holds.

Pure data: no I/O, no clock.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any, Final

from .commands import PUSH_ACK_RECORD, PUSH_ACK_STRANGER

KINDS: Final = (PUSH_ACK_RECORD, PUSH_ACK_STRANGER)
"""Record kinds a terminal expects acknowledged, by their ``PushAckType``."""

DEFAULT_CAPACITY: Final = 2048
"""Identities kept per kind: at 2 records/s, the last 17 minutes of one terminal.

Enough by far for what a recovery needs (the records delivered live since a gap began,
until the terminal's answer re-sends the gap) and small to store (~60 KB of JSON).
"""

MAX_ID_LENGTH: Final = 64
"""Longer IDs are device input nobody can acknowledge (`build_push_ack` refuses them)."""

_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%S"
_NAMES: Final = {PUSH_ACK_RECORD: "records", PUSH_ACK_STRANGER: "snaps"}

type Identity = tuple[int, str]
"""(``PushAckType``, record or snapshot ID)."""


class DeliveryLog:
    """Delivered records of one terminal, by (kind, ID), with their record times.

    Times are kept as the text they are stored as ("2026-12-08T10:01:00"): the journal
    writes the whole log up to ten times a second while records arrive, and formatting
    4 000 datetimes each time held the event loop for ~4 ms. Fixed-width, so the text
    sorts like the time it names.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        """An empty log keeping at most `capacity` identities per kind."""
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._entries: dict[int, OrderedDict[str, str | None]] = {
            kind: OrderedDict() for kind in KINDS
        }
        self.changes = 0
        """Bumped by every `add`: the driver persists the log when it moved."""

    def __contains__(self, identity: object) -> bool:
        """Whether a record with this (kind, ID) was delivered."""
        if not isinstance(identity, tuple) or len(identity) != 2:
            return False
        kind, record_id = identity
        entries = self._entries.get(kind)
        return entries is not None and record_id in entries

    def __len__(self) -> int:
        """Identities held, all kinds together."""
        return sum(len(entries) for entries in self._entries.values())

    def add(self, identity: Identity, when: datetime | None) -> bool:
        """Remember a delivered record; False when it was already known.

        `when` is the record's own time on the terminal's wall clock (naive), or None.
        """
        kind, record_id = identity
        entries = self._entries[kind]
        if record_id in entries:
            return False
        entries[record_id] = _stored_time(when)
        while len(entries) > self.capacity:
            entries.popitem(last=False)
        self.changes += 1
        return True

    def newest(self, kind: int, *, not_after: datetime | None = None) -> datetime | None:
        """The latest record time delivered of `kind` (at or before `not_after`, if given).

        `not_after` keeps a terminal whose clock once jumped ahead from placing a gap in
        its future.
        """
        times = (when for when in self._entries[kind].values() if when is not None)
        if not_after is not None and (bound := _stored_time(not_after)) is not None:
            times = (when for when in times if when <= bound)
        return parse_time(max(times, default=None))

    def clear(self) -> None:
        """Forget everything (a fresh terminal, or data nobody can read)."""
        for entries in self._entries.values():
            entries.clear()
        self.changes += 1

    # --- storage -------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready copy: per kind, ``[ID, time or None]`` pairs, oldest delivered first."""
        return {
            _NAMES[kind]: [[record_id, when] for record_id, when in entries.items()]
            for kind, entries in self._entries.items()
        }

    def restore(self, data: object) -> None:
        """Replace the contents with `as_dict` output; unreadable parts are skipped.

        Stored data is still input: only string IDs of a sane length are taken, at most
        `capacity` per kind (the newest), and a time that does not parse is dropped.
        """
        self.clear()
        if not isinstance(data, dict):
            return
        for kind, name in _NAMES.items():
            pairs = data.get(name)
            if not isinstance(pairs, list):
                continue
            for pair in pairs[-self.capacity :]:
                if not isinstance(pair, list) or len(pair) != 2:
                    continue
                record_id, text = pair
                if not isinstance(record_id, str) or not 0 < len(record_id) <= MAX_ID_LENGTH:
                    continue
                self._entries[kind][record_id] = _stored_time(parse_time(text))

    @classmethod
    def from_watermark(cls, data: object) -> DeliveryLog:
        """Read what versions up to 0.2 stored: the latest record time and its IDs.

        Only those identities are known for sure; that time is where a gap would begin.
        """
        log = cls()
        if not isinstance(data, dict):
            return log
        for kind, name in _NAMES.items():
            stored = data.get(name)
            if not isinstance(stored, dict):
                continue
            when = _stored_time(parse_time(stored.get("time")))
            ids = stored.get("ids")
            if not isinstance(ids, list):
                continue
            for record_id in ids[: log.capacity]:
                if isinstance(record_id, (str, int)) and not isinstance(record_id, bool):
                    text = str(record_id)
                    if 0 < len(text) <= MAX_ID_LENGTH:
                        log._entries[kind][text] = when
        return log


def parse_time(text: object) -> datetime | None:
    """A stored record time, or None."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text, _TIME_FORMAT)  # noqa: DTZ007 - terminal wall clock
    except ValueError:
        return None


def format_time(when: datetime) -> str:
    """A record time as stored."""
    return when.strftime(_TIME_FORMAT)


def _stored_time(when: datetime | None) -> str | None:
    """A record time as kept: the terminal's wall clock to the second, else unknown."""
    if when is None or when.tzinfo is not None:
        return None
    return when.strftime(_TIME_FORMAT)
