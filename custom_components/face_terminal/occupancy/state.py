"""Who is inside one site, as far as its doors know: pure bookkeeping, no Home Assistant.

Each person (the terminal's custom ID) has their last passage: when, in or out, until
when an entry counts without an exit ("assume left after"), and the Home Assistant person
linked to them then. A passage replaces the stored one only when it is newer by the
record's own time: a record re-sent after an outage, or one that arrives after a later
one, changes nothing it should not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .const import IN, OUT, ROLE_ENTRY, ROLE_EXIT, ROLE_RECORD

_RECORD_DIRECTIONS = {"entr": IN, "exit": OUT}


def passage_direction(role: str, record_direction: str | None) -> str | None:
    """In or out for a door of `role` and the record's own ``direction``; None: neither."""
    if role == ROLE_ENTRY:
        return IN
    if role == ROLE_EXIT:
        return OUT
    if role == ROLE_RECORD:
        return _RECORD_DIRECTIONS.get(record_direction or "")
    return None


@dataclass(frozen=True, slots=True)
class Passage:
    """A person's last passage through a door of the site."""

    time: datetime  # the record's own time, aware
    direction: str  # IN | OUT
    until: datetime | None = None  # an entry counts until then (None: until an exit)
    person: str | None = None  # the linked ``person.*`` entity, if any

    def inside(self, now: datetime) -> bool:
        """Whether the passage leaves the person inside at `now`."""
        return self.direction == IN and (self.until is None or now < self.until)

    def as_list(self) -> list[Any]:
        """The stored form."""
        return [
            self.time.isoformat(),
            self.direction,
            self.until.isoformat() if self.until else None,
            self.person,
        ]

    @classmethod
    def from_list(cls, raw: object) -> Passage | None:
        """The passage of a stored form; None for anything malformed."""
        if not isinstance(raw, list) or len(raw) != 4:
            return None
        time, direction, until, person = raw
        try:
            when = datetime.fromisoformat(time) if isinstance(time, str) else None
            end = datetime.fromisoformat(until) if isinstance(until, str) else None
        except ValueError:
            return None
        if when is None or when.tzinfo is None or direction not in (IN, OUT):
            return None
        if end is not None and end.tzinfo is None:
            return None
        return cls(when, direction, end, person if isinstance(person, str) else None)


def entry_passage(
    time: datetime, direction: str, assume_left_after: float, person: str | None
) -> Passage:
    """A passage; an entry ends `assume_left_after` hours later (0: only with an exit)."""
    until = (
        time + timedelta(hours=assume_left_after) if direction == IN and assume_left_after else None
    )
    return Passage(time, direction, until, person)


class SiteOccupancy:
    """The last passage of everyone seen at one site."""

    def __init__(self) -> None:
        """An empty site."""
        self._people: dict[str, Passage] = {}

    def apply(self, custom_id: str, passage: Passage) -> bool:
        """Take `passage` if it is newer than what is known; whether anything changed."""
        known = self._people.get(custom_id)
        if known is not None and passage.time <= known.time:
            return False
        self._people[custom_id] = passage
        return True

    def inside(self, now: datetime) -> list[str]:
        """The custom IDs of the people inside at `now`, sorted."""
        return sorted(cid for cid, passage in self._people.items() if passage.inside(now))

    def count(self, now: datetime) -> int:
        """How many people are inside at `now`."""
        return sum(1 for passage in self._people.values() if passage.inside(now))

    def persons(self, now: datetime) -> list[str]:
        """The linked Home Assistant persons inside at `now`, sorted (others are not named)."""
        return sorted({p.person for p in self._people.values() if p.person and p.inside(now)})

    def next_change(self, now: datetime) -> datetime | None:
        """When the next stay ends by itself ("assume left after"), if any."""
        ends = [p.until for p in self._people.values() if p.until and p.inside(now)]
        return min(ends, default=None)

    def as_dict(self) -> dict[str, list[Any]]:
        """The stored form."""
        return {custom_id: passage.as_list() for custom_id, passage in self._people.items()}

    @classmethod
    def from_dict(cls, raw: object) -> SiteOccupancy:
        """The site of a stored form, without malformed entries."""
        site = cls()
        if isinstance(raw, dict):
            for custom_id, stored in raw.items():
                if isinstance(custom_id, str) and (passage := Passage.from_list(stored)):
                    site._people[custom_id] = passage
        return site
