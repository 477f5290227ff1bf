"""Home Assistant as the access decision-maker of a terminal in door mode 3 (§9.3.5).

A terminal in "face verification + remote door opening" mode sends each recognition with
``VerifyStatus`` 22 and opens only when the platform's ``PushAck`` says ``openDoor`` 1.
`AccessController` turns such a record into a ``face_terminal_access_request`` bus event
(and an ``awaiting_remote`` event on the access event entity) that automations answer
with the ``face_terminal.answer_access_request`` action. Whatever is not answered within
the configured window gets the configured default; records that are not live (re-sent
after an outage, manual re-pushes, records decided before, records older than the
decision window on the terminal's clock) never open the door. The
decision logic itself is `protocol.access`; this module feeds it and sends its answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from . import protocol
from .const import (
    ACCESS_DEFAULT_GRANT,
    ATTR_DEADLINE,
    ATTR_DECIDED_BY,
    ATTR_DEFAULT,
    ATTR_DEVICE_ID,
    ATTR_GRANTED,
    ATTR_PERSON_ENTITY_ID,
    ATTR_RECORD_ID,
    ATTR_REQUEST_ID,
    ATTR_TERMINAL_ID,
    ATTR_TIME,
    CONF_ACCESS_DEFAULT,
    CONF_ACCESS_WINDOW,
    DEFAULT_ACCESS_DEFAULT,
    DEFAULT_ACCESS_WINDOW,
    EVENT_ACCESS_DECISION,
    EVENT_ACCESS_REQUEST,
    LOGGER,
)
from .events import access_attributes, record_time, without_none
from .people import linked_person
from .protocol.access import (
    AccessDecision,
    AccessDecisions,
    AccessPolicy,
    AccessRequest,
    DecidedBy,
    UnknownRequestError,
    is_live,
    record_age,
)
from .validation import invalid_input

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable
    from datetime import datetime

    from .port import TerminalPort


@dataclass(frozen=True, slots=True)
class AccessUpdate:
    """What the access event entity shows: a new request, or how one was decided."""

    event_type: str  # awaiting_remote | access_granted | access_denied
    attributes: dict[str, Any]


class AccessController:
    """The access requests of one terminal: events out, answers in, PushAcks out."""

    def __init__(
        self,
        hass: HomeAssistant,
        terminal: TerminalPort,
        send: Callable[[protocol.Command], None],
    ) -> None:
        """Read the policy from the terminal's options; `send` publishes an answer."""
        self.hass = hass
        self._terminal = terminal
        self._send = send
        options = terminal.entry.options
        self.policy = AccessPolicy(
            window=float(options.get(CONF_ACCESS_WINDOW, DEFAULT_ACCESS_WINDOW)),
            default_grant=options.get(CONF_ACCESS_DEFAULT, DEFAULT_ACCESS_DEFAULT)
            == ACCESS_DEFAULT_GRANT,
        )
        self._decisions = AccessDecisions(self.policy)
        self._timer: asyncio.TimerHandle | None = None
        self._listeners: list[Callable[[AccessUpdate], None]] = []
        self._context: dict[str, dict[str, Any]] = {}  # request ID -> entity attributes
        self.counters = {"requests": 0, "granted": 0, "denied": 0, "replays": 0, "defaults": 0}

    @property
    def pending_count(self) -> int:
        """How many requests wait for an answer."""
        return len(self._decisions.pending)

    def as_diagnostics(self) -> dict[str, Any]:
        """The policy, how many requests wait, and how they were decided."""
        return {
            "window_seconds": self.policy.window,
            "default_grant": self.policy.default_grant,
            "pending": self.pending_count,
            **self.counters,
        }

    def has_request(self, request_id: str) -> bool:
        """Whether `request_id` waits here."""
        return request_id in self._context

    @callback
    def async_add_listener(self, listener: Callable[[AccessUpdate], None]) -> CALLBACK_TYPE:
        """Call `listener` with each request and each decision."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_stop(self) -> None:
        """Stop the timer and forget the waiting requests.

        Nobody can answer them any more: the terminal re-sends them, and a re-sent record
        never opens the door.
        """
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._decisions.clear()
        self._context.clear()

    # --- records in -----------------------------------------------------------------

    @callback
    def async_receive(self, message: protocol.RecPush) -> None:
        """Take a ``VerifyStatus`` 22 record: ask the automations, or refuse a replay."""
        record_id = message.record_id
        assert record_id is not None  # the session hands over only records with an ID
        now = self.hass.loop.time()
        live = is_live(
            push_type=message.push_type,
            send_in_time=message.send_in_time,
            age=record_age(message.time, self._terminal_now()),
            window=self.policy.window,
            replay=message.replay,
        )
        outcome = self._decisions.receive(record_id, now=now, live=live)
        if outcome is None:
            return  # the terminal re-sent a record that still waits
        if isinstance(outcome, AccessDecision):
            self._apply(outcome)
            return
        self._open(outcome, message)

    def _terminal_now(self) -> datetime:
        """Now on the terminal's clock (Home Assistant's local time plus its known offset)."""
        offset = self._terminal.clock_offset or 0.0
        return dt_util.now().replace(tzinfo=None) + timedelta(seconds=offset)

    def _open(self, request: AccessRequest, message: protocol.RecPush) -> None:
        terminal = self._terminal
        self.counters["requests"] += 1
        attributes = without_none(
            {
                ATTR_REQUEST_ID: request.request_id,
                **access_attributes(message),
                ATTR_PERSON_ENTITY_ID: linked_person(terminal.entry, message.custom_id),
            }
        )
        self._context[request.request_id] = attributes
        deadline = dt_util.utcnow() + timedelta(seconds=request.deadline - request.received)
        data = without_none(
            {
                ATTR_DEVICE_ID: terminal.device_id,
                ATTR_TERMINAL_ID: terminal.terminal_id,
                ATTR_RECORD_ID: request.record_id,
                ATTR_TIME: record_time(message.time).isoformat(),
                ATTR_DEADLINE: deadline.isoformat(),
                ATTR_DEFAULT: "grant" if self.policy.default_grant else "deny",
                **attributes,
            }
        )
        self.hass.bus.async_fire(EVENT_ACCESS_REQUEST, data)
        self._notify(AccessUpdate("awaiting_remote", attributes))
        self._schedule()

    # --- answers ----------------------------------------------------------------------

    @callback
    def async_answer(self, request_id: str, *, grant: bool, message: str | None) -> None:
        """Answer a waiting request; raise a translated error when it waits no more."""
        try:
            decision = self._decisions.answer(request_id, grant=grant, show_info=message)
        except UnknownRequestError as err:
            raise invalid_input("access_request_unknown", request_id=request_id[:40]) from err
        self._apply(decision)
        self._schedule()

    @callback
    def _async_expire(self, deadline: float) -> None:
        self._timer = None
        # The timer fired for `deadline`: everything due by then expires now.
        for decision in self._decisions.expire(max(self.hass.loop.time(), deadline)):
            self._apply(decision)
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = self._decisions.next_deadline()
        if deadline is not None:
            self._timer = self.hass.loop.call_at(deadline, self._async_expire, deadline)

    def _apply(self, decision: AccessDecision) -> None:
        """Send the PushAck first (the person waits at the door), then tell everybody."""
        terminal = self._terminal
        try:
            command = terminal.frame(
                protocol.AnswerAccess(
                    decision.record_id, decision.open_door, decision.show_info or None
                )
            )
        except protocol.CommandError as err:  # a record ID the terminal could not accept
            LOGGER.warning(
                "Terminal %s: cannot answer an access request: %s", terminal.terminal_id, err
            )
            return
        self._send(command)
        self.counters["granted" if decision.open_door else "denied"] += 1
        if decision.decided_by is DecidedBy.REPLAY:
            self.counters["replays"] += 1
        elif decision.decided_by is DecidedBy.DEFAULT:
            self.counters["defaults"] += 1
        attributes = self._context.pop(decision.request_id or "", {})
        data = without_none(
            {
                ATTR_DEVICE_ID: terminal.device_id,
                ATTR_TERMINAL_ID: terminal.terminal_id,
                ATTR_REQUEST_ID: decision.request_id,
                ATTR_RECORD_ID: decision.record_id,
                ATTR_GRANTED: decision.open_door,
                ATTR_DECIDED_BY: decision.decided_by.value,
            }
        )
        self.hass.bus.async_fire(EVENT_ACCESS_DECISION, data)
        if decision.request_id is not None:
            self._notify(
                AccessUpdate(
                    "access_granted" if decision.open_door else "access_denied",
                    {**attributes, ATTR_DECIDED_BY: decision.decided_by.value},
                )
            )

    def _notify(self, update: AccessUpdate) -> None:
        for listener in list(self._listeners):
            listener(update)
