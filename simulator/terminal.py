"""One simulated terminal on MQTT: presence, pushes, records and command answers.

Each :class:`Terminal` owns a paho client (client ID = terminal ID) but no thread
of its own: the process-wide network thread (:mod:`simulator.network`) drives every
terminal's socket, and a small shared worker pool runs each terminal's task, which
answers commands, repeats ``Online`` until acknowledged, sends ``HeartBeat`` and
(re-)publishes records, woken when something arrives or falls due. One process carries
hundreds of terminals that way. Batch commands run on a short-lived batch thread so
that a second batch meanwhile gets error 410 ("busy"), as on the real device.

Example::

    with Mosquitto() as broker, Terminal("1305433", "127.0.0.1", broker.port) as t:
        t.wait_connected()
        record_id = t.push_recognition("Alice")
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import json
import logging
import queue
import socket
import threading
import time
from typing import TYPE_CHECKING, Any, Self

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

from simulator import network
from simulator.alarms import alarm_push
from simulator.command_types import Command, Reply
from simulator.commands import CommandProcessor
from simulator.device import KIND_BASIC, KIND_HEARTBEAT, Device, Outgoing
from simulator.messages import JsonDict, sanitize, summarize
from simulator.network import Task, network_hub, scheduler
from simulator.store import DEFAULT_CAPACITY, PersonStore

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable
    from types import TracebackType

    from paho.mqtt.properties import Properties
    from paho.mqtt.reasoncodes import ReasonCode

    from simulator.profiles import Profile

_LOGGER = logging.getLogger(__name__)
#: Longest sleep of a terminal's task; it wakes earlier when something is due or arrives.
_IDLE_TICK = 1.0


@dataclasses.dataclass(frozen=True, slots=True)
class PendingRecord:
    """A record not yet delivered (or, in resume mode, not yet acknowledged)."""

    operator: str
    record_id: int
    sends: int


class Terminal:
    """A simulated face-recognition terminal connected to an MQTT broker."""

    def __init__(
        self,
        terminal_id: str | int,
        broker_host: str = "127.0.0.1",
        broker_port: int = 1883,
        *,
        profile: Profile | str = "terminal",
        heartbeat: float | None = 60.0,
        online_repeat: float = 60.0,
        resume: bool = False,
        resend_interval: float = 10.0,
        command_topic: str | None = None,
        topic_prefix: str = "mqtt/face",
        basic_topic: str | None = None,
        heartbeat_topic: str | None = None,
        picture_kb: float | None = None,
        name: str = "Face1",
        username: str | None = None,
        password: str | None = None,
        keepalive: int = 60,
        capacity: int = DEFAULT_CAPACITY,
        seed_persons: bool = True,
        reboot_seconds: float = 2.0,
        record_id_start: int = 1,
        snap_id_start: int = 1,
        batch_person_delay: float = 0.0,
        unanswered: Iterable[str] = (),
    ) -> None:
        """Configure a terminal (nothing connects before :meth:`start`).

        Args:
            terminal_id: Device ID, also the MQTT client ID and ``facesluiceId``.
            broker_host: Broker host.
            broker_port: Broker port.
            profile: Quirk profile (``"terminal"``, ``"camera+pretty"`` ...).
            heartbeat: ``HeartBeat`` interval in seconds (``None`` disables it).
            online_repeat: Seconds between ``Online`` repeats until ``Online-Ack``.
            resume: Resume-from-breakpoint: records wait for ``PushAck``.
            resend_interval: Seconds between re-sends of unacknowledged records.
            command_topic: Subscribed command topic (default ``<prefix>/<ID>``).
            topic_prefix: Prefix of the default topics.
            basic_topic: ``Online``/``Offline`` topic (default ``<prefix>/basic``).
            heartbeat_topic: ``HeartBeat`` topic (default ``<prefix>/heartbeat``).
            picture_kb: Target size of record pictures in KB (``None``: ~10 KB).
            name: Device name (``facesname`` / ``facesluiceName``).
            username: MQTT user name (also reported in ``Online``).
            password: MQTT password.
            keepalive: MQTT keep-alive in seconds.
            capacity: Face library capacity.
            seed_persons: Enrol the built-in people (Alice, Bob, 张三 ...).
            reboot_seconds: Offline time of a simulated reboot.
            record_id_start: First ``RecordID``.
            snap_id_start: First ``SnapID``.
            batch_person_delay: Seconds spent per person in batch commands.
            unanswered: Operators (any case) received and logged but never answered,
                as a terminal that hangs on them (e.g. ``EditPerson`` while enrolling).
        """
        self.terminal_id = str(terminal_id)
        self.broker_host = broker_host
        self.broker_port = broker_port
        self.command_topic = command_topic or f"{topic_prefix}/{self.terminal_id}"
        self.basic_topic = basic_topic or f"{topic_prefix}/basic"
        self.heartbeat_topic = heartbeat_topic or f"{topic_prefix}/heartbeat"
        self.heartbeat = heartbeat
        self.online_repeat = online_repeat
        self.resend_interval = resend_interval
        self.keepalive = keepalive
        self.reboot_seconds = reboot_seconds
        self._username = username
        self._password = password
        self.device = Device(
            self.terminal_id,
            profile=profile,
            name=name,
            username=username or "",
            resume=resume,
            capacity=capacity,
            picture_kb=picture_kb,
            seed_persons=seed_persons,
            record_id_start=record_id_start,
            snap_id_start=snap_id_start,
        )
        self.processor = CommandProcessor(self.device, batch_person_delay=batch_person_delay)
        self.unanswered = {operator.casefold() for operator in unanswered}
        self._client: mqtt.Client | None = None
        self._connected = threading.Event()
        self._subscribed = threading.Event()
        self._stop = threading.Event()
        self._commands: queue.Queue[Command] = queue.Queue()
        self._outbox: collections.deque[Outgoing] = collections.deque()
        self._task: Task | None = None
        self._reboot_until: float | None = None
        self._batches: list[threading.Thread] = []
        self._received: collections.deque[JsonDict] = collections.deque(maxlen=1000)
        self._sent: collections.deque[tuple[str, JsonDict]] = collections.deque(maxlen=1000)
        # (time.perf_counter(), operator) of each command received / answer published.
        self._arrivals: collections.deque[tuple[float, str]] = collections.deque(maxlen=1000)
        self._answers: collections.deque[tuple[float, str]] = collections.deque(maxlen=1000)
        self._next_online = 0.0
        self._next_heartbeat = float("inf")
        self._rebooting = False
        self._held_operators: frozenset[str] = frozenset()
        self._held: list[Reply] = []
        self._ip = "127.0.0.1"
        self.online_count = 0
        self.heartbeat_count = 0
        self.ignored_count = 0
        self.unanswered_count = 0
        self.connect_count = 0

    # --------------------------------------------------------------- lifecycle

    @property
    def running(self) -> bool:
        """Whether :meth:`start` was called and neither :meth:`stop` nor :meth:`kill`."""
        return self._task is not None

    def start(self) -> None:
        """Connect (in the background, retrying) and schedule the terminal's task."""
        if self.running:
            return
        self._stop.clear()
        self._rebooting = False
        self._reboot_until = None
        network.acquire()
        self._connect()
        self._task = Task(self._run)
        self._wake()

    def stop(self) -> None:
        """Stop gracefully: publish ``Offline`` (with ``time``) and disconnect."""
        if not self.running:
            return
        self._halt_threads()
        client, self._client = self._client, None
        if client is not None:
            if self._subscribed.is_set():
                offline = self.device.offline(with_time=True)
                info = client.publish(self.basic_topic, self._encode(offline), qos=1)
                self._log_sent(self.basic_topic, offline)
                with contextlib.suppress(RuntimeError, ValueError):
                    info.wait_for_publish(timeout=2.0)
            network_hub().remove(client, graceful=True)
        self._connected.clear()
        self._subscribed.clear()
        network.release()
        _LOGGER.info("%s stopped", self.terminal_id)

    def kill(self) -> None:
        """Die without a clean MQTT disconnect so that the broker publishes the will."""
        if not self.running:
            return
        self._halt_threads()
        self._drop_connection()
        network.release()
        _LOGGER.info("%s killed (socket dropped)", self.terminal_id)

    def reboot(self) -> None:
        """Simulate a reboot now: drop the connection, stay away, reconnect."""
        self._commands.put(Command({"operator": "__reboot__"}))
        self._wake()

    def hold_replies(self, *operators: str) -> None:
        """Keep the replies to these operators back until `release_replies` is called.

        The terminal still executes the command and answers every other one meanwhile,
        like a terminal busy storing a face: this is how tests and benchmarks make an
        enrolment "slow" without slowing anything else down.
        """
        self._held_operators = frozenset(operator.casefold() for operator in operators)

    def release_replies(self) -> None:
        """Publish the replies held back so far (in order) and stop holding any."""
        self._held_operators = frozenset()
        self._commands.put(Command({"operator": "__release__"}))
        self._wake()

    def __enter__(self) -> Self:
        """Start the terminal."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the terminal gracefully."""
        self.stop()

    def _wake(self) -> None:
        """Have the task run soon (it handles commands, the outbox and what is due)."""
        task = self._task
        if task is not None:
            scheduler().wake(task)

    def _halt_threads(self) -> None:
        self._stop.set()
        task, self._task = self._task, None
        if task is not None:
            scheduler().cancel(task)
        for batch in self._batches:
            batch.join(30)
        self._batches.clear()

    def _connect(self) -> None:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.terminal_id,
            protocol=mqtt.MQTTv311,
            clean_session=True,
        )
        if self._username is not None:
            client.username_pw_set(self._username, self._password)
        will = self._encode(self.device.offline(with_time=False))
        client.will_set(self.basic_topic, will, qos=1, retain=False)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        self._client = client
        network_hub().add(client, self.broker_host, self.broker_port, self.keepalive)

    def _drop_connection(self) -> None:
        client, self._client = self._client, None
        self._connected.clear()
        self._subscribed.clear()
        if client is None:
            return
        # No DISCONNECT: the broker sees the socket die and publishes the will.
        network_hub().remove(client, graceful=False)

    def _simulate_reboot(self) -> None:
        """Drop the connection now; the task reconnects after `reboot_seconds`."""
        _LOGGER.info("%s reboots (%.1f s)", self.terminal_id, self.reboot_seconds)
        self._rebooting = True
        self._drop_connection()
        self.device.reboots += 1
        self._reboot_until = time.monotonic() + self.reboot_seconds

    # ---------------------------------------------------------- paho callbacks

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if client is not self._client:
            return
        if reason_code.is_failure:
            _LOGGER.warning("%s: connection refused: %s", self.terminal_id, reason_code)
            return
        sock = client.socket()
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                self._ip = sock.getsockname()[0]
        self.connect_count += 1
        network_hub().connected(client)
        self._connected.set()
        with self.device.lock:
            self.device.online_acked = False
            self.device.resend_all_now()
        client.subscribe(self.command_topic, qos=1)
        _LOGGER.info(
            "%s connected to %s:%s, subscribing %s",
            self.terminal_id,
            self.broker_host,
            self.broker_port,
            self.command_topic,
        )

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_codes: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        if client is not self._client:
            return
        self._next_online = 0.0
        self._next_heartbeat = time.monotonic() + self.heartbeat if self.heartbeat else float("inf")
        self._subscribed.set()
        self._wake()

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if client is not self._client:
            return
        self._connected.clear()
        self._subscribed.clear()
        _LOGGER.info("%s disconnected (%s)", self.terminal_id, reason_code)

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        if client is not self._client:
            return
        try:
            message = json.loads(msg.payload.decode("utf-8-sig").strip())
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            _LOGGER.warning(
                "%s <- %s: not JSON (%s): %r", self.terminal_id, msg.topic, err, msg.payload[:200]
            )
            return
        if not isinstance(message, dict):
            _LOGGER.warning("%s <- %s: not an object: %s", self.terminal_id, msg.topic, message)
            return
        if not self.processor.targets_me(message):
            self.ignored_count += 1
            _LOGGER.debug("%s ignores a command for another device", self.terminal_id)
            return
        self._arrivals.append((time.perf_counter(), str(message.get("operator", ""))))
        self._received.append(sanitize(message))
        _LOGGER.info("%s <- %s %s", self.terminal_id, msg.topic, summarize(message))
        self._commands.put(Command(message, len(msg.payload)))
        self._wake()

    # ------------------------------------------------------------------ worker

    def _run(self) -> float | None:
        """One run of the terminal's task; returns when it wants to run next."""
        if self._stop.is_set():
            return None
        try:
            self._tick()
        except Exception:
            _LOGGER.exception("%s: worker error", self.terminal_id)
        return self._next_due()

    def _next_due(self) -> float:
        """The earliest of: end of a reboot, Online repeat, HeartBeat, a record re-send."""
        now = time.monotonic()
        due = now + _IDLE_TICK
        if self._reboot_until is not None:
            return min(due, self._reboot_until)
        if not self._subscribed.is_set():
            return due
        if not self.device.online_acked:
            due = min(due, self._next_online)
        due = min(due, self._next_heartbeat)
        with self.device.lock:
            for entry in self.device.pending.values():
                if entry.last_sent is None:
                    return now
                if entry.needs_ack:
                    due = min(due, entry.last_sent + self.resend_interval)
        return due

    def _tick(self) -> None:
        if self._reboot_until is not None and time.monotonic() >= self._reboot_until:
            self._reboot_until = None
            self._rebooting = False
            if not self._stop.is_set():
                self._connect()
        while not self._stop.is_set():
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                break
            if command.operator == "__reboot__":
                self._simulate_reboot()
                continue
            if command.operator == "__release__":
                held, self._held = self._held, []
                for reply in held:
                    self._apply(reply)
                continue
            if command.operator.casefold() in self.unanswered:
                self.unanswered_count += 1
                _LOGGER.info("%s leaves %s unanswered", self.terminal_id, command.operator)
                continue
            reply = self.processor.handle(command)
            if command.operator.casefold() in self._held_operators:
                self._held.append(reply)
            else:
                self._apply(reply)
        if self._rebooting or not self._subscribed.is_set() or self._stop.is_set():
            return
        now = time.monotonic()
        if not self.device.online_acked and now >= self._next_online:
            self._next_online = now + self.online_repeat
            if self._publish(self.device.online(self._ip)) is not None:
                self.online_count += 1
        if now >= self._next_heartbeat:
            self._next_heartbeat = now + (self.heartbeat or float("inf"))
            if self._publish(self.device.heartbeat()) is not None:
                self.heartbeat_count += 1
        while self._outbox and self._subscribed.is_set():
            if self._publish(self._outbox[0]) is None:
                break
            self._outbox.popleft()
        for entry in self.device.due_records(self.resend_interval):
            if self._publish(Outgoing(entry.kind, self.device.payload_for_send(entry))) is None:
                break
            self.device.mark_sent(entry)

    def _apply(self, reply: Reply) -> None:
        last: mqtt.MQTTMessageInfo | None = None
        for outgoing in reply.messages:
            last = self._publish(outgoing) or last
        if reply.batch is not None:
            batch = reply.batch
            thread = threading.Thread(
                target=lambda: self._apply(self.processor.run_batch(batch)),
                name=f"ft-batch-{self.terminal_id}",
                daemon=True,
            )
            self._batches = [other for other in self._batches if other.is_alive()]
            self._batches.append(thread)
            thread.start()
        if reply.reboot:
            if last is not None:
                with contextlib.suppress(RuntimeError, ValueError):
                    last.wait_for_publish(timeout=2.0)
            self._simulate_reboot()

    # -------------------------------------------------------------- publishing

    def _encode(self, payload: JsonDict) -> bytes:
        return self.device.profile.encode(payload)

    def _topic(self, kind: str) -> str:
        if kind == KIND_BASIC:
            return self.basic_topic
        if kind == KIND_HEARTBEAT:
            return self.heartbeat_topic
        return f"{self.command_topic}/{kind}"

    def _log_sent(self, topic: str, payload: JsonDict) -> None:
        self._answers.append((time.perf_counter(), str(payload.get("operator", ""))))
        self._sent.append((topic, sanitize(payload)))
        _LOGGER.info("%s -> %s %s", self.terminal_id, topic, summarize(payload))

    def _publish(self, outgoing: Outgoing) -> mqtt.MQTTMessageInfo | None:
        client = self._client
        if client is None or not self._connected.is_set():
            _LOGGER.debug("%s offline, not sending %s", self.terminal_id, outgoing.kind)
            return None
        topic = self._topic(outgoing.kind)
        info = client.publish(topic, self._encode(outgoing.payload), qos=1)
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            _LOGGER.debug("%s: publish to %s failed: %s", self.terminal_id, topic, info.rc)
            return None
        self._log_sent(topic, outgoing.payload)
        return info

    def _queue(self, outgoing: Outgoing | None) -> bool:
        if outgoing is None:
            return False
        self._outbox.append(outgoing)
        self._wake()
        return True

    # -------------------------------------------------------------- public API

    @property
    def profile(self) -> Profile:
        """The quirk profile."""
        return self.device.profile

    @property
    def store(self) -> PersonStore:
        """The face library."""
        return self.device.store

    @property
    def config(self) -> dict[str, dict[str, str]]:
        """The §9 parameter sections (live, string values)."""
        return self.device.config

    @property
    def connected(self) -> bool:
        """Connected and subscribed to the command topic."""
        return self._subscribed.is_set()

    @property
    def online_acked(self) -> bool:
        """Whether an ``Online-Ack`` with ``result: ok`` arrived on this connection."""
        return self.device.online_acked

    @property
    def resume(self) -> bool:
        """Resume-from-breakpoint mode (also settable through ``UpMQTTconfig``)."""
        return self.device.resume

    @resume.setter
    def resume(self, value: bool) -> None:
        self.device.config["mqtt"]["ResumefromBreakpoint"] = "1" if value else "0"

    @property
    def received(self) -> list[JsonDict]:
        """Commands received for this terminal, decoded, pictures replaced by markers."""
        return list(self._received)

    def arrivals(self, operator: str) -> list[float]:
        """When each command with `operator` arrived (``time.perf_counter``, oldest first)."""
        return [at for at, name in list(self._arrivals) if name == operator]

    def answered(self, operator: str) -> list[float]:
        """When each answer to `operator` was published (``time.perf_counter``)."""
        ack = f"{operator}-Ack"
        return [at for at, name in list(self._answers) if name == ack]

    @property
    def sent(self) -> list[tuple[str, JsonDict]]:
        """``(topic, payload)`` of everything published, pictures replaced by markers."""
        return list(self._sent)

    @property
    def unlock_count(self) -> int:
        """Door openings ordered remotely (``Unlock`` or ``PushAck`` with ``openDoor`` 1)."""
        return self.device.unlock_count

    @property
    def remote_openings(self) -> list[tuple[int | None, float | None]]:
        """Doors opened by a ``PushAck``: (record ID, record age in seconds or None)."""
        with self.device.lock:
            return list(self.device.remote_openings)

    @property
    def show_infos(self) -> list[str]:
        """UI prompts shown (``showInfo`` of ``Unlock``/``PushAck``)."""
        return list(self.device.show_infos)

    @property
    def pending_records(self) -> list[PendingRecord]:
        """Records not yet sent, or waiting for ``PushAck`` in resume mode."""
        with self.device.lock:
            return [
                PendingRecord(entry.operator, entry.ident, entry.sends)
                for entry in self.device.pending.values()
            ]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Poll ``predicate`` every 20 ms until it is true or ``timeout`` expires."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def wait_connected(self, timeout: float = 5.0) -> bool:
        """Wait until connected and subscribed."""
        return self._subscribed.wait(timeout)

    def wait_online_acked(self, timeout: float = 5.0) -> bool:
        """Wait for an accepted ``Online-Ack``."""
        return self.wait_for(lambda: self.device.online_acked, timeout)

    def push_recognition(
        self,
        who: str,
        *,
        similarity: float | None = None,
        temperature: float | None = None,
        verify_status: int | None = None,
        otype: int | None = None,
        direction: str | None = None,
    ) -> int:
        """Let an enrolled person walk up: publish a ``RecPush`` on ``<cmd>/Rec``.

        Args:
            who: ``customId`` or name of an enrolled person.
            similarity: ``similarity1`` (default: stable 80-99 whole number).
            temperature: Body temperature (adds ``temperature`` fields).
            verify_status: Override ``VerifyStatus``.
            otype: Override ``otype``.
            direction: Override ``direction`` (``entr``/``exit``/``unknow``).

        Returns:
            The ``RecordID``.

        Raises:
            KeyError: When nobody with that ``customId`` or name is enrolled.
        """
        person = self.device.store.find(who)
        if person is None:
            raise KeyError(f"{who!r} is not enrolled on {self.terminal_id}")
        entry = self.device.recognition(
            person,
            similarity=similarity,
            temperature=temperature,
            verify_status=verify_status,
            otype=otype,
            direction=direction,
        )
        self.processor.note_faces((person.name,))
        self._wake()
        return entry.ident

    def push_replays(self, begin: dt.datetime, end: dt.datetime) -> int:
        """Re-send past recognitions between ``begin`` and ``end`` (``PushType`` 2).

        What ``ManualPushRecords`` would publish, unasked: the copies of records the
        terminal already sent, for tests of re-sent records. Returns how many.
        """
        payloads = self.device.manual_records("RecPush", begin, end)
        for payload in payloads:
            self._queue(Outgoing("Rec", payload))
        return len(payloads)

    def push_stranger(self, *, label: str | None = None, temperature: float | None = None) -> int:
        """Let a stranger walk up: publish a ``StrSnapPush`` on ``<cmd>/Snap``.

        Args:
            label: Seed of the stranger's face (same label, same face).
            temperature: Body temperature.

        Returns:
            The ``SnapID``.
        """
        entry = self.device.stranger(label=label, temperature=temperature)
        self.processor.note_faces((label or f"Stranger {entry.ident % 20}",))
        self._wake()
        return entry.ident

    def present_face(self, label: str) -> tuple[str, int]:
        """A face walks up: recognised if enrolled (and admitted now), else a stranger.

        An enrolled person whose temporary window is over or whose passages are used up
        is recognised but refused (``VerifyStatus`` 2). Returns ``("rec", RecordID)``
        or ``("snap", SnapID)``.
        """
        with self.device.lock:
            person = self.device.match_face(label)
            admitted = person is not None and self.device.admits(person)
        if person is None:
            return "snap", self.push_stranger(label=label)
        entry = self.device.recognition(person, verify_status=None if admitted else 2)
        self.processor.note_faces((person.name,))
        self._wake()
        return "rec", entry.ident

    def push_qr(self, text: str) -> bool:
        """Publish a ``QRCodePush`` on ``<cmd>/QRCode``; false when QR upload is off."""
        return self._queue(self.device.qr_push(text))

    def scan_qr(self, text: str, *, late: float | None = None) -> bool:
        """The scripted QR scanner: a guest holds `text` up to the reader.

        With `late`, the scan is re-sent `late` seconds after it happened (as after an
        outage: ``Sendintime`` 0), which must never open the door.
        """
        return self._queue(self.device.qr_push(text, late=late))

    def push_card(self, number: str | int) -> bool:
        """Publish a ``CardPush`` on ``<cmd>/card``; false when card upload is off."""
        return self._queue(self.device.card_push(str(number)))

    def push_id_card(self, *, name: str = "Li Mou", id_number: str = "421126198702054321") -> bool:
        """Publish an ``IDCardPush`` on ``<cmd>/IDcard``; false when ID-card upload is off."""
        return self._queue(self.device.id_card_push(name=name, id_number=id_number))

    def push_alarm(self, code: int, description: str = "", status: int = 1) -> bool:
        """Publish an ``AlarmInfoPush`` on ``<cmd>/Alarm`` (tamper, temperature, ...)."""
        return self._queue(alarm_push(self.device, code, description, status))
