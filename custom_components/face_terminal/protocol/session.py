"""One terminal's conversation, without any I/O ("sans-I/O", in the spirit of h11).

`TerminalSession` is the state machine between a terminal and whoever drives it. It
never touches a network, a timer or a clock: the driver feeds it

* messages: `receive` (topic and raw payload) or `receive_message` (already parsed,
  as the shared presence router does),
* commands: `submit` takes what the caller wants done, an `intents.Intent` such as
  ``Unlock(show_info="Welcome")`` or ``ReadConfig(ConfigSection.DOOR)``,
* time: every call takes ``now``, a monotonic time in seconds of the driver's choice,

and acts on what comes back:

* `ready` hands out the queued commands that may be published now,
* `receive` returns `Event` objects (`session_events`, with `Request` and `Lane`) in
  the order they must be handled (a record's `RecordReceived` comes before the
  `Acknowledge` carrying its ``PushAck``, which the driver publishes only once the
  record is durable),
* `expire` returns the requests whose deadline passed, `next_wakeup` says when to call
  `ready`/`expire` again, and `close` ends the session with every request still open.

Sending, like h11's ``Connection.send(event)``: the caller says *what*, the session frames
and addresses it. `frame` turns an intent into a `Command` with the session's own command
topic and terminal ID (the builder's `CommandError` comes out here, before anything is
queued); `submit` frames it (or takes a command framed before, to send the very same
command again) and queues it. One table, `ROUTES`, decides for every operator the lane it
waits in and how long its answer may take; nobody outside picks a lane. A caller passes
``timeout`` only when its own answer takes longer than the operator's (a roster batch,
whose deadline grows with its size).

Rules it implements (V1.24 and the real-firmware notes):

* Acks resolve a pending command only when both ``messageId`` and operator match
  (``Unlock`` is answered by ``Unlock-Ack``); anything else is counted, never resolving.
* Each message kind is accepted only on its own topic: records on their record
  sub-topic, answers on ``/Ack``, presence on the shared basic/heartbeat topics (where
  the payload's terminal ID must be ours). Everything else is counted as dropped.
* Every well-formed message from the terminal on one of its topics marks it seen (and
  online), also kinds nothing handles, such as an alarm on ``/Alarm``.
* Records the terminal expects to be acknowledged are de-duplicated by identity (kind and
  record ID, `delivery.DeliveryLog`, which the driver persists), never by order, and
  answered with ``PushAck`` (when enabled) through `Acknowledge`: the driver sends it only
  once the record is durable on its side, so an acknowledged record is never lost.
* Lanes: each lane sends one command at a time; lanes never wait for each other, so an
  unlock is not stuck behind an enrolment. ``EditPerson``-type commands keep
  `SPACING_OPERATORS` apart by ``spacing`` seconds (V1.24 §4.1). A request's deadline
  is set when it is submitted, so the timeout covers its wait in the lane.
* Background work (``submit(..., background=True)``: the settings refresh, the version
  read, record recovery) waits in its own `Lane.BACKGROUND`, a sync's photo checks in
  `Lane.CHECKS`, and progress polls in `Lane.PROGRESS`: a chore the terminal never
  answers holds only its own lane, never the lane of a command someone waits for, and
  `ready` hands the lanes of people's commands out first.
* §4.9: while a ``DeletePersons`` (`Route.exclusive`) is sent and unanswered, nothing
  else goes out; when it returns,
  the lanes go in `Lane` order, so a waiting unlock is the first command sent.

Driving it (what `coordinator.FaceTerminal` does with MQTT and the event loop's clock)::

    session = TerminalSession("1305433", "mqtt/face/1305433")
    subscribe(session.response_topics)
    request = session.submit(Unlock(show_info="Welcome"), now=clock())
    for sendable in session.ready(clock()):
        publish(sendable.command.topic, sendable.command.payload)
    for event in session.receive(topic, payload, now=clock()):
        ...  # Answered(request, ack) resolves the caller; Publish(command) is sent at once
    # at session.next_wakeup(): session.expire(clock()) fails callers, then ready() again
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, TypeGuard

from . import operators as op
from .access import VERIFY_STATUS_AWAITING_REMOTE
from .alarms import AlarmInfoPush
from .commands import (
    PUSH_ACK_RECORD,
    PUSH_ACK_STRANGER,
    Command,
    ConfigSection,
    build_online_ack,
    build_push_ack,
)
from .delivery import DeliveryLog, Identity
from .errors import (
    CommandError,
    MessageTooLargeError,
    ProtocolError,
    RecordWithoutPersonError,
)
from .models import (
    Ack,
    CardPush,
    HeartBeat,
    IDCardPush,
    Message,
    Offline,
    Online,
    PushAckAck,
    QRCodePush,
    RecPush,
    StrSnapPush,
    UnknownMessage,
)
from .parse import parse_message
from .session_events import (
    Acknowledge,
    Announced,
    Answered,
    ClockReading,
    DecisionNeeded,
    Dropped,
    Event,
    Lane,
    PresenceChanged,
    Publish,
    Record,
    RecordReceived,
    Request,
)
from .topics import BASIC_TOPIC, HEARTBEAT_TOPIC, TopicKind, response_wildcard, topic_kind

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .intents import Intent

DEFAULT_SPACING: Final = 1.0
"""V1.24 §4.1: base64 enrolments at least 1 s apart, or the terminal stalls."""

PRESENCE_TOPICS: Final = frozenset({BASIC_TOPIC, HEARTBEAT_TOPIC})
"""Shared topics of every terminal; messages there name their terminal in the payload."""

CLIENT_ID_SEPARATOR: Final = "@@@"

# Which record type each response sub-topic carries (Q-26 spellings are folded by
# `topic_kind`). ``/Ack`` carries answers, ``/Alarm`` nothing this package models.
_RECORD_TOPICS: Final[dict[TopicKind, type[Message]]] = {
    TopicKind.REC: RecPush,
    TopicKind.SNAP: StrSnapPush,
    TopicKind.QRCODE: QRCodePush,
    TopicKind.CARD: CardPush,
    TopicKind.IDCARD: IDCardPush,
    TopicKind.ALARM: AlarmInfoPush,
}


COMMAND_TIMEOUT: Final = 10.0
"""Seconds an answer may take, the wait in the lane included, unless `ROUTES` says more."""
ENROL_TIMEOUT: Final = 30.0
"""``EditPerson``: a picture sent inline is decoded and checked for a face first."""
LIST_TIMEOUT: Final = 15.0
"""``QueryPerson``: the customIds of up to tens of thousands of persons in one answer."""
DELETE_TIMEOUT: Final = 60.0
"""Deleting in bulk: about 7 s per 200 persons (§4.9), a full library (§4.5) longer."""
PROGRESS_TIMEOUT: Final = 5.0
"""``QueryProgress`` is answered at once while a batch runs, or not at all."""
RESEND_TIMEOUT: Final = 20.0
"""``ManualPush…`` answers once the terminal collected the period (§20, §22)."""
UPGRADE_TIMEOUT: Final = 120.0
"""``Upgrade-Ack`` only says the download is accepted, yet it may take long (§7.1)."""


@dataclass(frozen=True, slots=True)
class Route:
    """Where a command waits (`lane`) and how long its answer may take (`timeout`)."""

    lane: Lane
    timeout: float = COMMAND_TIMEOUT
    exclusive: bool = False
    """§4.9: nothing else is sent while this command is out and unanswered."""
    background: Lane | None = None
    """Where the command waits when it is sent as background work (``submit(...,
    background=True)``); None: in `lane` all the same (the door, the screen and the
    persons lane keep their own order)."""


def _asked(timeout: float = COMMAND_TIMEOUT) -> Route:
    """A read or setting: in the query lane when asked for, else in the background lane."""
    return Route(Lane.QUERY, timeout, background=Lane.BACKGROUND)


ROUTES: Final[dict[str, Route]] = {
    # A person at the door waits for it.
    op.UNLOCK: Route(Lane.DOOR),
    # Someone watches the screen, or waits for the answer in the frontend.
    op.GET_SCENE_SNAP: Route(Lane.INTERACTIVE),
    op.VOICE_PLAY: Route(Lane.INTERACTIVE),
    op.SHOW_QRCODE: Route(Lane.INTERACTIVE),  # showing and hiding
    op.EDIT_AD: Route(Lane.INTERACTIVE),
    op.DEL_AD: Route(Lane.INTERACTIVE),
    op.GET_PICTURE_SIMILARITY: Route(Lane.INTERACTIVE),
    op.GET_PICTURE_SEARCH: Route(Lane.INTERACTIVE),
    # Asked from a face tool, someone waits; a sync's photo checks (up to 50 of them) are
    # background work in a lane of their own, so a person's snapshot or face tool never
    # waits behind them, nor they behind a settings read the terminal does not answer.
    op.DETECT_FACE_FROM_PIC: Route(Lane.INTERACTIVE, background=Lane.CHECKS),
    # Person management, one at a time. A factory reset may restore the persons: it must
    # not cross an enrolment either.
    op.EDIT_PERSON: Route(Lane.PERSONS, ENROL_TIMEOUT),
    op.DEL_PERSON: Route(Lane.PERSONS),
    op.EDIT_PERSONS: Route(Lane.PERSONS),
    op.EDIT_PERSONS_NEW: Route(Lane.PERSONS),  # its caller sets a deadline by batch size
    op.ADD_PERSONS: Route(Lane.PERSONS),
    # §4.9: "wait for this command to return ... before issuing other instructions".
    op.DELETE_PERSONS: Route(Lane.PERSONS, DELETE_TIMEOUT, exclusive=True),
    # The whole library: the document asks no pause for it, and the door keeps working.
    op.DELETE_ALL_PERSON: Route(Lane.PERSONS, DELETE_TIMEOUT),
    op.SET_FACTORY_DEFAULT: Route(Lane.PERSONS),
    # Reads and settings asked for in an action or the UI (the same operators sent as
    # background work go to `Lane.BACKGROUND`). Progress polls of a running batch have
    # their own lane beside the persons lane.
    op.QUERY_PERSON: _asked(LIST_TIMEOUT),
    op.SEARCH_PERSON: _asked(),
    op.SEARCH_PERSON_LIST: _asked(),
    op.QUERY_PROGRESS: Route(Lane.PROGRESS, PROGRESS_TIMEOUT, background=Lane.BACKGROUND),
    op.GET_AUDIO: _asked(),
    op.VERSIONS: _asked(),
    op.GET_SYS_TIME: _asked(),
    op.SET_SYS_TIME: _asked(),
    op.REBOOT_DEVICE: _asked(),
    op.UPGRADE: _asked(UPGRADE_TIMEOUT),
    op.MANUAL_PUSH_RECORDS: _asked(RESEND_TIMEOUT),
    op.MANUAL_PUSH_SNAPS: _asked(RESEND_TIMEOUT),
    **{section.get_operator: _asked() for section in ConfigSection},
    **{section.set_operator: _asked() for section in ConfigSection},
}
"""Every command's lane and answer deadline; an operator not listed goes as `DEFAULT_ROUTE`."""

DEFAULT_ROUTE: Final = _asked()


def route(operator: str) -> Route:
    """The lane and deadline of a command (`DEFAULT_ROUTE` for an operator not listed)."""
    return ROUTES.get(op.canonical_operator(operator), DEFAULT_ROUTE)


def normalise_terminal_id(raw: str | None) -> str | None:
    """The device part of a ``facesluiceId`` (cloud brokers use ``group@@@device``, Q-02)."""
    if raw is None:
        return None
    return raw.rsplit(CLIENT_ID_SEPARATOR, 1)[-1].strip() or None


class SessionClosedError(Exception):
    """The session was closed (the terminal was unloaded): nothing more is sent."""


# --- the session ---------------------------------------------------------------------------


@dataclass(slots=True)
class _LaneState:
    queue: deque[Request] = field(default_factory=deque)
    in_flight: Request | None = None


class TerminalSession:
    """State of the conversation with one terminal (see the module documentation).

    `counters` and `drops` are plain counters for diagnostics: ``messages`` (reached the
    session), ``records``, ``duplicates``, ``acks_sent``, ``commands`` (answered),
    ``commands_failed`` (answered with an error), ``commands_timed_out``,
    ``unmatched_acks`` (an ``-Ack`` for nothing pending: late, duplicate, another
    platform's), ``mismatched_acks`` (right ``messageId``, wrong operator),
    ``push_ack_acks`` (the terminal confirming our ``PushAck``), ``unhandled`` (well-formed
    messages of kinds nothing handles); `drops` by reason: ``malformed``,
    ``wrong_topic``, ``foreign_terminal``, ``foreign_topic``, ``already_delivered`` (a
    copy of a record delivered before: re-sent, or answered from a recovery).

    `delivered` is the identity of every record handed out (bounded); the driver restores
    it when it starts and persists it as it changes (`DeliveryLog.changes`).
    """

    def __init__(
        self,
        terminal_id: str,
        command_topic: str,
        *,
        acknowledge_records: bool = True,
        spacing: float = DEFAULT_SPACING,
        delivered: DeliveryLog | None = None,
    ) -> None:
        """Start a session; nothing is pending and the terminal counts as offline."""
        self.terminal_id = terminal_id
        self.command_topic = command_topic.rstrip("/")
        self.acknowledge_records = acknowledge_records
        self.spacing = spacing
        self.online = False
        self.last_seen: float | None = None
        self.counters: Counter[str] = Counter()
        self.drops: Counter[str] = Counter()
        self.closed = False
        self.delivered = delivered if delivered is not None else DeliveryLog()
        self._lanes: dict[Lane, _LaneState] = {lane: _LaneState() for lane in Lane}
        self._by_message_id: dict[str, Request] = {}
        self._spacing_free_at = float("-inf")

    # --- commands ----------------------------------------------------------------

    @property
    def response_topics(self) -> str:
        """The one subscription for every response sub-topic, in every spelling (Q-26)."""
        return response_wildcard(self.command_topic)

    def frame(self, intent: Intent) -> Command:
        """The command `intent` asks for, addressed to this terminal (nothing is queued).

        Raises:
            CommandError: the intent's arguments are not what the terminal accepts.
        """
        return intent.frame(self.command_topic, self.terminal_id)

    def submit(
        self,
        intent: Intent | Command,
        *,
        now: float,
        timeout: float | None = None,
        background: bool = False,
    ) -> Request:
        """Queue a command in the lane `ROUTES` gives its operator.

        `intent` is framed first (`frame`); a `Command` framed before goes out as it is,
        with its ``messageId`` (a lost batch sent again). The request is given up by
        `expire` at ``now`` plus the route's timeout (`timeout` if given), whether it is
        still queued or already sent. Call `ready` afterwards to learn whether it may go.
        `background` marks work nobody waits for: it goes to its route's `Route.background`
        lane where it has one (a read or setting to `Lane.BACKGROUND`, a photo check to
        `Lane.CHECKS`); the door, the screen and the persons lane keep their own order.

        Raises:
            CommandError: the intent's arguments are not what the terminal accepts.
            SessionClosedError: the session was closed.
            ValueError: a request with the same ``messageId`` is still open.
        """
        command = intent if isinstance(intent, Command) else self.frame(intent)
        if self.closed:
            raise SessionClosedError
        if command.message_id in self._by_message_id:
            raise ValueError(f"messageId {command.message_id!r} is already pending")
        path = route(command.operator)
        seconds = path.timeout if timeout is None else timeout
        lane = path.background if background and path.background is not None else path.lane
        request = Request(
            command=command,
            lane=lane,
            deadline=now + seconds,
            timeout=seconds,
            exclusive=path.exclusive,
        )
        self._by_message_id[command.message_id] = request
        self._lanes[request.lane].queue.append(request)
        return request

    def ready(self, now: float) -> list[Request]:
        """Requests to publish now: the head of every idle lane whose spacing allows it.

        Each returned request counts as sent from ``now``; publish them in the order given
        (`Lane` order: the door first). Nothing goes while an exclusive request (§4.9) is
        out; one that becomes ready goes after the other lanes' heads and ends the round.
        """
        if self.closed or self._exclusive_in_flight():
            return []
        sendable: list[Request] = []
        for state in self._lanes.values():
            if state.in_flight is not None or not state.queue:
                continue
            head = state.queue[0]
            if head.spaced and (now < self._spacing_free_at or self._spaced_in_flight()):
                continue
            if head.exclusive:
                continue  # sent last in this round, below
            state.queue.popleft()
            head.sent_at = now
            state.in_flight = head
            sendable.append(head)
        for state in self._lanes.values():
            if state.in_flight is None and state.queue and state.queue[0].exclusive:
                head = state.queue.popleft()
                head.sent_at = now
                state.in_flight = head
                sendable.append(head)
                break
        return sendable

    def cancel(self, request: Request, now: float) -> bool:
        """Forget a request (its caller gave up, or publishing it failed).

        Returns whether it was still open. A sent request frees its lane; a late ack for it
        is then counted as unmatched.
        """
        if self._by_message_id.get(request.command.message_id) is not request:
            return False
        self._finish(request, now)
        return True

    def expire(self, now: float) -> list[Request]:
        """Give up (and return) every open request whose deadline has passed."""
        expired = [request for request in self._open() if request.deadline <= now]
        for request in expired:
            self._finish(request, now)
            self.counters["commands_timed_out"] += 1
        return expired

    def next_wakeup(self) -> float | None:
        """The next time `ready` or `expire` has something to do (None: nothing open)."""
        times = [request.deadline for request in self._open()]
        if any(
            state.in_flight is None and state.queue and state.queue[0].spaced
            for state in self._lanes.values()
        ):
            times.append(self._spacing_free_at)
        return min(times, default=None)

    def close(self) -> list[Request]:
        """End the session: return every open request.

        Afterwards `ready` hands out nothing, `submit` raises `SessionClosedError` and
        messages are ignored, so the driver publishes nothing more.
        """
        self.closed = True
        remaining = list(self._open())
        for state in self._lanes.values():
            state.queue.clear()
            state.in_flight = None
        self._by_message_id.clear()
        return remaining

    @property
    def pending(self) -> list[Request]:
        """Every open request: sent ones first, then the queued ones, lane by lane."""
        return list(self._open())

    def _open(self) -> Iterator[Request]:
        for state in self._lanes.values():
            if state.in_flight is not None:
                yield state.in_flight
        for state in self._lanes.values():
            yield from state.queue

    def _exclusive_in_flight(self) -> bool:
        return any(
            state.in_flight is not None and state.in_flight.exclusive
            for state in self._lanes.values()
        )

    def _spaced_in_flight(self) -> bool:
        return any(
            state.in_flight is not None and state.in_flight.spaced for state in self._lanes.values()
        )

    def _finish(self, request: Request, now: float) -> None:
        del self._by_message_id[request.command.message_id]
        state = self._lanes[request.lane]
        if state.in_flight is request:
            state.in_flight = None
            if request.spaced:
                self._spacing_free_at = now + self.spacing
        else:
            state.queue.remove(request)

    # --- messages -------------------------------------------------------------------

    def receive(
        self, topic: str, payload: bytes | bytearray | str, *, now: float, retained: bool = False
    ) -> list[Event]:
        """Handle one raw message from one of the terminal's topics."""
        self.counters["messages"] += 1
        try:
            message = parse_message(topic, payload)
        except RecordWithoutPersonError as err:
            return self._person_less_record(topic, err)
        except MessageTooLargeError as err:
            return [self._drop("too_large", topic, str(err))]
        except ProtocolError as err:
            return [self._drop("malformed", topic, str(err))]
        return self._handle(message, now=now, retained=retained)

    def _person_less_record(self, topic: str, err: RecordWithoutPersonError) -> list[Event]:
        """A record naming nobody: never a recognition, but acknowledged when it is ours.

        Under "resume from breakpoint" the terminal re-sends an unacknowledged record every
        10 s (e.g. its remote-opening records), so it still gets its `PushAck` when it came
        on this terminal's own record topic.
        """
        events: list[Event] = [self._drop("malformed", topic, str(err))]
        if (
            not self.closed
            and err.record_id is not None
            and self.acknowledge_records
            and self._own_topic_kind(topic) is TopicKind.REC
        ):
            events.append(self._push_ack_command(topic, PUSH_ACK_RECORD, err.record_id))
        return events

    def receive_message(
        self, message: Message, *, now: float, retained: bool = False
    ) -> list[Event]:
        """Handle a message parsed elsewhere (the shared presence topics are parsed once)."""
        self.counters["messages"] += 1
        return self._handle(message, now=now, retained=retained)

    def set_offline(self, reason: str) -> list[Event]:
        """The driver's silence watchdog decided the terminal is gone."""
        return self._presence(online=False, reason=reason)

    def _handle(self, message: Message, *, now: float, retained: bool) -> list[Event]:
        if self.closed:
            return []  # a closed session answers nothing: no PushAck, no Online-Ack
        topic = message.topic
        if topic in PRESENCE_TOPICS:
            return self._handle_presence(message, now=now, retained=retained)
        kind = self._own_topic_kind(topic)
        if kind is None:
            return [self._drop("foreign_topic", topic, message.operator)]
        payload_id = normalise_terminal_id(message.facesluice_id)
        if payload_id is not None and payload_id != self.terminal_id:
            # terminals may share a command topic; the payload names the device.
            return [self._drop("foreign_terminal", topic, message.operator)]
        if isinstance(message, UnknownMessage):
            if message.operator in op.COMMAND_OPERATORS:
                # A command (ours, echoed by a bridge, or another platform's) is not the
                # terminal speaking.
                return [self._drop("wrong_topic", topic, message.operator)]
            # Well-formed but nothing to do (an alarm, a newer push): the terminal is there.
            self.counters["unhandled"] += 1
            return self._seen(now)
        if kind is TopicKind.ACK:
            if not isinstance(message, Ack):
                return [self._drop("wrong_topic", topic, message.operator)]
            return [*self._seen(now), *self._handle_ack(message, now)]
        expected = _RECORD_TOPICS.get(kind)
        if expected is None or type(message) is not expected:
            return [self._drop("wrong_topic", topic, message.operator)]
        return [*self._seen(now), *self._handle_record(message)]  # type: ignore[arg-type]

    def _own_topic_kind(self, topic: str) -> TopicKind | None:
        head, _, _suffix = topic.rstrip("/").rpartition("/")
        if head != self.command_topic:
            return None
        return topic_kind(topic)

    def _handle_presence(self, message: Message, *, now: float, retained: bool) -> list[Event]:
        if normalise_terminal_id(message.facesluice_id) != self.terminal_id:
            return [self._drop("foreign_terminal", message.topic, message.operator)]
        if isinstance(message, Offline):
            # A retained will is older than anything heard since we subscribed.
            if retained and self.online:
                return []
            return self._presence(online=False, reason="it sent its offline notice")
        if isinstance(message, Online):
            events: list[Event] = [
                *self._seen(now),
                Publish(build_online_ack(self.command_topic, self.terminal_id)),
                Announced(message),
            ]
            if message.time is not None:
                events.append(ClockReading(message.time))
            return events
        if isinstance(message, HeartBeat):
            events = self._seen(now)
            if message.time is not None:
                events.append(ClockReading(message.time))
            return events
        return [self._drop("wrong_topic", message.topic, message.operator)]

    def _handle_ack(self, ack: Ack, now: float) -> list[Event]:
        if isinstance(ack, PushAckAck):
            # The terminal confirming one of our PushAcks: nobody waits for it.
            self.counters["push_ack_acks"] += 1
            return []
        request = self._by_message_id.get(ack.message_id or "")
        if request is None or request.sent_at is None:
            # A late ack, a duplicate QoS-1 delivery, or a reply to another platform.
            self.counters["unmatched_acks"] += 1
            return []
        if ack.operator.lower() != request.command.ack_operator.lower():
            # Right messageId, wrong reply (a reused or forged ID): it answers nothing.
            self.counters["mismatched_acks"] += 1
            return []
        self._finish(request, now)
        self.counters["commands"] += 1
        if not ack.ok:
            self.counters["commands_failed"] += 1
        return [Answered(request, ack)]

    def _handle_record(self, message: Record) -> list[Event]:
        identity = _identity(message)
        events: list[Event] = []
        decision = False
        if _awaits_decision(message):
            decision = True
            events.append(DecisionNeeded(message))
        if identity is not None and identity in self.delivered:
            self.counters["duplicates"] += 1
            events.append(
                self._drop(
                    "already_delivered", message.topic, message.operator, record_id=identity[1]
                )
            )
        else:
            if identity is not None:
                self.delivered.add(identity, getattr(message, "time", None))
            self.counters["records"] += 1
            events.append(RecordReceived(message))
        # A decision's PushAck is the platform's answer (door mode 3): the driver sends it.
        if identity is not None and self.acknowledge_records and not decision:
            acknowledge = self._push_ack_command(message.topic, *identity)
            if acknowledge is not None:
                events.append(acknowledge)
        return events

    def _push_ack_command(self, topic: str, push_type: int, record_id: str) -> Event:
        try:
            command = build_push_ack(
                self.command_topic, self.terminal_id, push_ack_type=push_type, record_id=record_id
            )
        except CommandError as err:
            return self._drop("unacknowledgeable", topic, str(err), count=False)
        self.counters["acks_sent"] += 1
        return Acknowledge(command)

    # --- presence -------------------------------------------------------------------

    def _seen(self, now: float) -> list[Event]:
        self.last_seen = now
        return self._presence(online=True, reason=None)

    def _presence(self, *, online: bool, reason: str | None) -> list[Event]:
        if online == self.online:
            return []
        self.online = online
        return [PresenceChanged(online, reason)]

    def _drop(
        self,
        reason: str,
        topic: str,
        detail: str,
        *,
        count: bool = True,
        record_id: str | None = None,
    ) -> Dropped:
        if count:
            self.drops[reason] += 1
        return Dropped(reason, topic, detail[:120], record_id)


def _awaits_decision(message: Record) -> TypeGuard[RecPush]:
    """A recognition that waits for the platform's PushAck to open (and has an ID)."""
    return (
        isinstance(message, RecPush)
        and message.verify_status == VERIFY_STATUS_AWAITING_REMOTE
        and message.record_id is not None
    )


def _identity(message: Record) -> Identity | None:
    """(PushAckType, ID) of a record the terminal expects to be acknowledged."""
    if isinstance(message, RecPush) and message.record_id:
        return (PUSH_ACK_RECORD, message.record_id)
    if isinstance(message, StrSnapPush) and message.snap_id:
        return (PUSH_ACK_STRANGER, message.snap_id)
    return None
