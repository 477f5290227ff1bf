"""Remote access decisions of the "face verification + remote door opening" mode (§9.3.5).

In door mode 3 a terminal that recognises someone does not open by itself: it sends the
record with ``VerifyStatus`` 22 and waits for the platform's ``PushAck`` (§11.4), whose
``openDoor`` and ``showInfo`` say whether to open and what to show. `AccessDecisions` is
the platform's side of that exchange as a state machine without I/O or clock: the caller
feeds it records, answers and the time, and sends the `AccessDecision` values it returns.

Rules (all fail closed):

* A request waits at most `AccessPolicy.window` seconds; then the configured default
  applies (deny unless the user chose otherwise).
* A record that is not live never opens the door: one the terminal re-sent after an
  outage (``Sendintime`` 0), a manual re-push (``PushType`` 2), a record ID that was
  decided before (V1.24 §9.3.5 warns that re-sent records must not open the door again),
  or a record older than the decision window. One number decides that age: a record
  whose time on the terminal's clock (corrected by its known offset, whole seconds, as
  records carry) lies more than `AccessPolicy.window` seconds back is history, whatever
  its ``Sendintime`` says (the terminal's own "sent in time" allows 10 s).
* The terminal re-sends an unanswered record after about 10 s; a copy of a record that
  is still waiting keeps waiting (it is the same person at the same door).
* Both maps keyed by device input (pending and decided records) are bounded; a request
  beyond `AccessPolicy.max_pending` is denied at once.
"""

from __future__ import annotations

import math
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from .errors import ProtocolError

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

VERIFY_STATUS_AWAITING_REMOTE: Final = 22
"""``VerifyStatus`` of a record that waits for the platform's decision."""
MANUAL_PUSH_TYPE: Final = 2
"""``PushType`` of a record re-sent by ``ManualPushRecords`` (§20)."""

DEFAULT_WINDOW: Final = 5.0
"""Seconds an automation has to answer; the terminal re-sends after about 10 s."""
MIN_WINDOW: Final = 1.0
MAX_WINDOW: Final = 9.0
DEFAULT_MAX_PENDING: Final = 32
DECIDED_MEMORY: Final = 512


class DecidedBy(StrEnum):
    """Who or what decided an access request."""

    AUTOMATION = "automation"  # an action answered in time
    DEFAULT = "default"  # nobody answered within the window
    REPLAY = "replay"  # not a live record: never opens
    OVERFLOW = "overflow"  # too many requests waiting at once


class UnknownRequestError(ProtocolError):
    """The answered request does not exist, or was already decided (e.g. by the default)."""


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    """How requests are decided when nobody, or something suspicious, answers."""

    window: float = DEFAULT_WINDOW
    default_grant: bool = False
    max_pending: int = DEFAULT_MAX_PENDING

    def __post_init__(self) -> None:
        """Reject a policy the terminal's re-send interval would defeat."""
        if not MIN_WINDOW <= self.window <= MAX_WINDOW:
            raise ValueError(f"window must be {MIN_WINDOW}-{MAX_WINDOW} s, not {self.window}")
        if self.max_pending < 1:
            raise ValueError("max_pending must be positive")


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """A record waiting for an answer."""

    request_id: str  # generated here: never device input
    record_id: str
    received: float
    deadline: float


@dataclass(frozen=True, slots=True)
class AccessDecision:
    """What to send: a ``PushAck`` for `record_id` with ``openDoor`` and ``showInfo``."""

    record_id: str
    open_door: bool
    show_info: str | None
    decided_by: DecidedBy
    request_id: str | None = None  # None when the record never became a request


def is_live(
    *,
    push_type: int | None,
    send_in_time: bool | None,
    age: float | None,
    window: float,
    replay: bool = False,
) -> bool:
    """Whether a record is a passage happening now (only those may open the door).

    `age` is seconds between the record's time and now on the terminal's clock (None when
    the record has no time); `window` is the decision window; `replay` is any earlier
    finding that it was re-sent. Record times are whole seconds, so the age counts in
    whole seconds too: a fresh record is never refused for the fraction of a second its
    time was rounded down.
    """
    if replay or push_type == MANUAL_PUSH_TYPE or send_in_time is False:
        return False
    return age is None or math.floor(age) <= window


def record_age(record_time: datetime | None, terminal_now: datetime | None) -> float | None:
    """Seconds from `record_time` to `terminal_now` (both the terminal's wall clock)."""
    if record_time is None or terminal_now is None:
        return None
    if (record_time.tzinfo is None) != (terminal_now.tzinfo is None):
        return None
    return (terminal_now - record_time).total_seconds()


def _new_request_id() -> str:
    return secrets.token_hex(8)


class AccessDecisions:
    """Pending access requests of one terminal, their deadlines and their answers."""

    def __init__(
        self,
        policy: AccessPolicy | None = None,
        *,
        new_request_id: Callable[[], str] = _new_request_id,
    ) -> None:
        """Start with nothing pending."""
        self.policy = policy or AccessPolicy()
        self._new_request_id = new_request_id
        self._pending: OrderedDict[str, AccessRequest] = OrderedDict()  # by request ID
        self._by_record: dict[str, str] = {}  # record ID -> request ID
        self._decided: OrderedDict[str, None] = OrderedDict()  # record IDs

    @property
    def pending(self) -> tuple[AccessRequest, ...]:
        """Requests still waiting, oldest first."""
        return tuple(self._pending.values())

    def receive(
        self, record_id: str, *, now: float, live: bool
    ) -> AccessRequest | AccessDecision | None:
        """Take a record that waits for an answer.

        Returns a new `AccessRequest` (fire it to the automations), an immediate
        `AccessDecision` (send it now: a replay or an overflow), or None for a copy of a
        record that is still waiting (the terminal's own re-send; keep waiting).
        """
        if record_id in self._by_record:
            return None
        if not live or record_id in self._decided:
            return self._decide(record_id, None, DecidedBy.REPLAY, grant=False)
        if len(self._pending) >= self.policy.max_pending:
            return self._decide(record_id, None, DecidedBy.OVERFLOW, grant=False)
        request = AccessRequest(
            request_id=self._new_request_id(),
            record_id=record_id,
            received=now,
            deadline=now + self.policy.window,
        )
        self._pending[request.request_id] = request
        self._by_record[record_id] = request.request_id
        return request

    def answer(self, request_id: str, *, grant: bool, show_info: str | None) -> AccessDecision:
        """Decide a waiting request as an automation asked.

        Raises:
            UnknownRequestError: no such request is waiting (it never existed, was
                answered already, or its window ran out and the default applied).
        """
        request = self._pending.pop(request_id, None)
        if request is None:
            raise UnknownRequestError(f"no access request {request_id!r} is waiting")
        del self._by_record[request.record_id]
        return self._decide(
            request.record_id, request_id, DecidedBy.AUTOMATION, grant=grant, text=show_info
        )

    def expire(self, now: float) -> list[AccessDecision]:
        """Apply the default to every request whose window has run out."""
        decisions: list[AccessDecision] = []
        for request in list(self._pending.values()):
            if request.deadline > now:
                continue
            del self._pending[request.request_id]
            del self._by_record[request.record_id]
            decisions.append(
                self._decide(
                    request.record_id,
                    request.request_id,
                    DecidedBy.DEFAULT,
                    grant=self.policy.default_grant,
                )
            )
        return decisions

    def next_deadline(self) -> float | None:
        """When `expire` next has something to do (None when nothing waits)."""
        return min((request.deadline for request in self._pending.values()), default=None)

    def clear(self) -> None:
        """Forget what waits (the terminal is unloaded; nobody can answer any more)."""
        self._pending.clear()
        self._by_record.clear()

    def _decide(
        self,
        record_id: str,
        request_id: str | None,
        decided_by: DecidedBy,
        *,
        grant: bool,
        text: str | None = None,
    ) -> AccessDecision:
        self._decided[record_id] = None
        self._decided.move_to_end(record_id)
        if len(self._decided) > DECIDED_MEMORY:
            self._decided.popitem(last=False)
        return AccessDecision(
            record_id=record_id,
            open_door=grant,
            show_info=text,
            decided_by=decided_by,
            request_id=request_id,
        )
