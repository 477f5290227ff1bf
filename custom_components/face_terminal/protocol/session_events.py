"""What a `session.TerminalSession` hands its driver: requests and events.

A `Request` is one submitted command on its way through its `Lane`; `submit`, `ready`
and `expire` return them. An `Event` is something the driver has to act on, returned by
`receive` in the order it must be handled (like h11's events beside its connection).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from . import operators as op
from .alarms import AlarmInfoPush
from .models import CardPush, IDCardPush, QRCodePush, RecPush, StrSnapPush

if TYPE_CHECKING:
    from datetime import datetime

    from .commands import Command
    from .models import Ack, Online

type Record = RecPush | StrSnapPush | QRCodePush | CardPush | IDCardPush | AlarmInfoPush

RECORD_TYPES: Final = (RecPush, StrSnapPush, QRCodePush, CardPush, IDCardPush, AlarmInfoPush)
"""Message types that are records (an event at the door)."""

SPACING_OPERATORS: Final = frozenset(
    {op.EDIT_PERSON, op.EDIT_PERSONS, op.ADD_PERSONS, op.EDIT_PERSONS_NEW}
)
"""``EditPerson``-type commands: the next one waits `spacing` after the last one ended."""


class Lane(StrEnum):
    """Queues of commands that do not wait for each other.

    Within one lane commands go one at a time, in order. Pick the lane by who waits for
    the answer: a person at the door (`DOOR`), someone watching the screen
    (`INTERACTIVE`), person management that the terminal must take one at a time
    (`PERSONS`), reads and settings someone asked for in an action or the UI (`QUERY`),
    the progress polls of a running batch (`PROGRESS`), the face detection a roster sync
    asks about its photos (`CHECKS`), or chores nobody waits for (`BACKGROUND`: the
    settings refresh, the version read, record recovery). A command
    the terminal never answers holds only its own lane, so background work never delays
    a person's command. The order is the order `TerminalSession.ready` hands them out.
    """

    DOOR = "door"
    INTERACTIVE = "interactive"
    PERSONS = "persons"
    QUERY = "query"
    PROGRESS = "progress"
    CHECKS = "checks"
    BACKGROUND = "background"


@dataclass(eq=False, slots=True)
class Request:
    """One submitted command on its way through a lane. Read-only for drivers."""

    command: Command
    lane: Lane
    deadline: float
    """Monotonic time after which `TerminalSession.expire` gives the request up."""
    timeout: float
    """Seconds from submission to `deadline` (for error messages)."""
    sent_at: float | None = None
    """When `TerminalSession.ready` handed it out for publishing; None while queued."""
    exclusive: bool = False
    """While it is sent and unanswered nothing else goes out (§4.9, `Route.exclusive`)."""

    @property
    def spaced(self) -> bool:
        """Whether this command keeps the ``EditPerson`` spacing."""
        return self.command.operator in SPACING_OPERATORS


@dataclass(frozen=True, slots=True)
class Event:
    """Something the driver has to act on; returned by `TerminalSession.receive`."""


@dataclass(frozen=True, slots=True)
class Publish(Event):
    """Publish this command now (an ``Online-Ack`` or a record's ``PushAck``); no reply."""

    command: Command


@dataclass(frozen=True, slots=True)
class Acknowledge(Event):
    """Publish this ``PushAck`` once every record reported so far is durable.

    The terminal deletes an acknowledged record for good, so the driver first makes
    sure what it reported cannot be lost any more (stored, recorded), then publishes.
    """

    command: Command


@dataclass(frozen=True, slots=True)
class Answered(Event):
    """A submitted command got its ``-Ack`` (which may still report a failure)."""

    request: Request
    ack: Ack


@dataclass(frozen=True, slots=True)
class RecordReceived(Event):
    """A new record (duplicates were already dropped)."""

    record: Record


@dataclass(frozen=True, slots=True)
class DecisionNeeded(Event):
    """A record waits for the platform's answer (door mode 3, ``VerifyStatus`` 22).

    Sent for every copy, duplicates included, and never acknowledged by the session: the
    driver's ``PushAck`` with ``openDoor`` is the answer (see `access.AccessDecisions`,
    which also refuses copies of decided records, so the terminal stops re-sending).
    """

    record: RecPush


@dataclass(frozen=True, slots=True)
class PresenceChanged(Event):
    """The terminal went online or offline; `reason` says why it went offline."""

    online: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Announced(Event):
    """The terminal sent ``Online`` (its address and name may have changed)."""

    message: Online


@dataclass(frozen=True, slots=True)
class ClockReading(Event):
    """The terminal's wall-clock time from a presence message (no time zone)."""

    time: datetime


@dataclass(frozen=True, slots=True)
class Dropped(Event):
    """Something was refused, for the driver's (rate-limited) debug log.

    A refused message is also counted under `reason` in `TerminalSession.drops`. The
    one reason that is not a refused message, ``unacknowledgeable`` (a record whose ID
    cannot be put into a ``PushAck``; the record itself still counts), is not counted.
    """

    reason: str
    topic: str
    detail: str
    record_id: str | None = None
    """Set for a dropped record: each one is worth a line of its own in a debug log."""
