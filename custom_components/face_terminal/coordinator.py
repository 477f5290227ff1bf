"""Per-terminal runtime: MQTT subscriptions, presence, records and the command engine.

One `FaceTerminal` lives in each config entry's ``runtime_data``. It is a push
"coordinator": it owns every subscription and timer of its terminal, turns messages into
state that entities read, fires the bus events, and sends commands that resolve when the
terminal's matching ``-Ack`` arrives.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_NAME
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from . import protocol
from .access import AccessController, awaits_decision
from .const import (
    CLOCK_DRIFT_LIMIT,
    COMMAND_TIMEOUT,
    CONF_ACKNOWLEDGE_RECORDS,
    CONF_COMMAND_TOPIC,
    CONF_DOOR_OPEN_TIME,
    CONF_IP,
    CONF_OFFLINE_TIMEOUT,
    CONF_TERMINAL_ID,
    CONF_UNLOCK_MESSAGE,
    DEFAULT_ACKNOWLEDGE_RECORDS,
    DEFAULT_DOOR_OPEN_TIME,
    DEFAULT_OFFLINE_TIMEOUT,
    DEFAULT_UNLOCK_MESSAGE,
    DOMAIN,
    DROP_LOG_INTERVAL,
    DUPLICATE_MEMORY,
    ENROL_SPACING,
    ENROL_TIMEOUT,
    LOGGER,
    SCENE_CACHE_SECONDS,
)
from .events import Record, TerminalRecord, build_record
from .presence import SilenceWatchdog

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from homeassistant.components.mqtt import ReceiveMessage

    from .protocol import Ack

type FaceTerminalConfigEntry = ConfigEntry[FaceTerminal]

MQTT_QOS = 1
# Subscriptions at QoS 0: Home Assistant's MQTT session is clean, so QoS 1 would add no
# delivery guarantee (resume-from-breakpoint does that), only a PUBACK for every record.
# That PUBACK goes out just before the record's PushAck, and Nagle's algorithm then holds
# the PushAck until the broker's delayed ACK (up to 40 ms on Linux): in door mode 3 the
# person waits for exactly that PushAck (scripts/bench_access.py: p50 23 -> 3-6 ms).
SUBSCRIBE_QOS = 0
RECORD_TYPES = (
    protocol.RecPush,
    protocol.StrSnapPush,
    protocol.QRCodePush,
    protocol.CardPush,
    protocol.IDCardPush,
)


def clock_issue_id(entry_id: str) -> str:
    """Repair issue ID of a terminal whose clock is off."""
    return f"clock_drift_{entry_id}"


def configuration_url(host: str | None) -> str | None:
    """The device page linked from Home Assistant's device view."""
    return f"http://{host}" if host else None


def normalise_terminal_id(raw: str | None) -> str | None:
    """The device part of a `facesluiceId` (cloud brokers use ``group@@@device``, Q-02)."""
    if raw is None:
        return None
    return raw.rsplit("@@@", 1)[-1].strip() or None


@dataclass(slots=True)
class TerminalSnapshot:
    """What the terminal last told us; entities and diagnostics read it."""

    online: bool = False
    last_seen: datetime | None = None
    ip: str | None = None
    name: str | None = None
    firmware: str | None = None
    clock_offset: float | None = None  # seconds, terminal minus HA
    last_recognition: protocol.RecPush | None = None
    last_recognition_time: datetime | None = None
    last_face: protocol.Image | None = None
    last_face_time: datetime | None = None
    last_temperature: float | None = None
    last_records: list[dict[str, Any]] = field(default_factory=list)


class FaceTerminal:
    """Runtime of one terminal (the object in ``entry.runtime_data``)."""

    def __init__(self, hass: HomeAssistant, entry: FaceTerminalConfigEntry) -> None:
        """Read the entry; nothing is subscribed before `async_start`."""
        self.hass = hass
        self.entry = entry
        self.terminal_id: str = entry.data[CONF_TERMINAL_ID]
        self.command_topic: str = entry.data[CONF_COMMAND_TOPIC]
        self.device_id: str = ""
        self.state = TerminalSnapshot(ip=entry.data.get(CONF_IP), name=entry.data.get(CONF_NAME))
        self.counters: Counter[str] = Counter()
        self.drops: Counter[str] = Counter()
        self._drop_logged: dict[str, float] = {}
        self._seen_records: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._pending: dict[str, asyncio.Future[Ack]] = {}
        self._command_lock = asyncio.Lock()
        self._last_enrol = 0.0
        self._watchdog = SilenceWatchdog(
            hass,
            timeout=lambda: self.offline_timeout,
            last_seen=lambda: self.state.last_seen,
            went_silent=lambda timeout: self._set_online(False, f"no message for {int(timeout)} s"),
        )
        self._presence_listeners: list[CALLBACK_TYPE] = []
        self._record_listeners: list[Callable[[TerminalRecord], None]] = []
        self._scene_task: asyncio.Task[bytes] | None = None
        self._probe_task: asyncio.Task[None] | None = None
        self._scene: bytes | None = None
        self._scene_time = 0.0
        self.access = AccessController(hass, self, self._publish_now)

    # --- options ------------------------------------------------------------------

    @property
    def offline_timeout(self) -> float:
        """Seconds of silence after which the terminal counts as offline."""
        return float(self.entry.options.get(CONF_OFFLINE_TIMEOUT, DEFAULT_OFFLINE_TIMEOUT))

    @property
    def acknowledge_records(self) -> bool:
        """Whether records are answered with `PushAck` (resume-from-breakpoint)."""
        return bool(self.entry.options.get(CONF_ACKNOWLEDGE_RECORDS, DEFAULT_ACKNOWLEDGE_RECORDS))

    @property
    def unlock_message(self) -> str:
        """Text the terminal shows when Home Assistant opens the door."""
        return str(self.entry.options.get(CONF_UNLOCK_MESSAGE, DEFAULT_UNLOCK_MESSAGE))

    @property
    def door_open_time(self) -> float:
        """Seconds the door counts as open after a remote unlock."""
        return float(self.entry.options.get(CONF_DOOR_OPEN_TIME, DEFAULT_DOOR_OPEN_TIME))

    @property
    def display_name(self) -> str:
        """Name used in messages: the entry title."""
        return self.entry.title

    # --- lifecycle ----------------------------------------------------------------

    async def async_start(self) -> None:
        """Register the device, subscribe to the terminal's topics and probe it."""
        device = dr.async_get(self.hass).async_get_or_create(
            config_entry_id=self.entry.entry_id,
            identifiers={(DOMAIN, self.terminal_id)},
            name=self.state.name or self.entry.title,
            model="Face recognition terminal",
            serial_number=self.terminal_id,
            configuration_url=configuration_url(self.state.ip),
        )
        self.device_id = device.id
        topics = [
            *protocol.subscription_topics(self.command_topic),
            protocol.BASIC_TOPIC,
            protocol.HEARTBEAT_TOPIC,
        ]
        for topic in dict.fromkeys(topics):
            self.entry.async_on_unload(
                await mqtt.async_subscribe(
                    self.hass, topic, self._async_message_received, SUBSCRIBE_QOS, encoding=None
                )
            )
        self.entry.async_on_unload(self._async_stop)
        self._watchdog.start()
        # A terminal that was online before Home Assistant started only sends its next
        # heartbeat a minute later; asking for its version tells at once that it is there.
        # Ask only once the broker has confirmed the Ack subscription (HA batches
        # subscriptions), or the immediate answer is lost. This also runs again after the
        # MQTT client re-subscribes on a reconnect, which re-checks presence at once.
        self.entry.async_on_unload(
            mqtt.async_on_subscribe_done(
                self.hass,
                f"{self.command_topic}/{protocol.RESPONSE_SUFFIXES[protocol.TopicKind.ACK]}",
                SUBSCRIBE_QOS,
                self._async_start_probe,
            )
        )

    @callback
    def _async_start_probe(self) -> None:
        if self._probe_task is not None and not self._probe_task.done():
            return
        self._probe_task = self.entry.async_create_background_task(
            self.hass, self._async_probe(), f"{DOMAIN} probe {self.terminal_id}"
        )

    @callback
    def _async_stop(self) -> None:
        self._watchdog.stop()
        self.access.async_stop()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(
                    HomeAssistantError(
                        translation_domain=DOMAIN,
                        translation_key="terminal_unloaded",
                        translation_placeholders={"name": self.display_name},
                    )
                )
                # The waiting task may be cancelled with the entry before it looks.
                future.exception()
        self._pending.clear()

    async def _async_probe(self) -> None:
        try:
            ack = await self.async_request(
                protocol.build_versions(self.command_topic, self.terminal_id),
                require_online=False,
            )
        except HomeAssistantError as err:
            LOGGER.debug("Terminal %s did not answer the version query: %s", self.terminal_id, err)
            return
        if isinstance(ack, protocol.VersionsAck) and ack.version:
            self.state.firmware = ack.version
            dr.async_get(self.hass).async_update_device(self.device_id, sw_version=ack.version)

    # --- listeners ----------------------------------------------------------------

    @callback
    def async_add_presence_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` when the terminal goes online or offline."""
        self._presence_listeners.append(listener)
        return lambda: self._presence_listeners.remove(listener)

    @callback
    def async_add_record_listener(
        self, listener: Callable[[TerminalRecord], None]
    ) -> CALLBACK_TYPE:
        """Call `listener` with every new (not duplicate) record."""
        self._record_listeners.append(listener)
        return lambda: self._record_listeners.remove(listener)

    # --- inbound messages ------------------------------------------------------------

    @callback
    def _async_message_received(self, msg: ReceiveMessage) -> None:
        payload = msg.payload
        if isinstance(payload, str):
            payload = payload.encode()
        # Every terminal shares the basic and heartbeat topics: a cheap look for our ID
        # first spares parsing the other terminals' messages.
        if (
            msg.topic in (protocol.BASIC_TOPIC, protocol.HEARTBEAT_TOPIC)
            and self.terminal_id.encode() not in payload
        ):
            return
        self.counters["messages"] += 1
        try:
            message = protocol.parse_message(msg.topic, payload)
        except protocol.ProtocolError as err:
            self._drop("malformed", msg.topic, str(err))
            return
        if isinstance(message, protocol.Ack):
            self._handle_ack(message)
        elif isinstance(message, RECORD_TYPES):
            self._handle_record(message)
        elif isinstance(message, protocol.Online):
            self._handle_online(message)
        elif isinstance(message, protocol.HeartBeat):
            self._handle_heartbeat(message)
        elif isinstance(message, protocol.Offline):
            self._handle_offline(message, retained=msg.retain)
        else:
            self._drop("unknown_operator", msg.topic, message.operator)

    def _is_foreign(self, message: protocol.Message) -> bool:
        """Whether the payload names another terminal than ours (absent ID: ours)."""
        payload_id = normalise_terminal_id(message.facesluice_id)
        if message.topic in (protocol.BASIC_TOPIC, protocol.HEARTBEAT_TOPIC):
            return payload_id != self.terminal_id
        return payload_id is not None and payload_id != self.terminal_id

    def _drop(self, reason: str, topic: str, detail: str) -> None:
        """Count a dropped message; log it at debug level at most once a minute per reason."""
        self.drops[reason] += 1
        self._log_limited(
            reason,
            "Terminal %s: dropped a message on %s (%s: %s; %d dropped for this reason)",
            self.terminal_id,
            topic,
            reason,
            detail[:120],
            self.drops[reason],
        )

    def _log_limited(self, reason: str, text: str, *args: object) -> None:
        """Log at debug level, at most once a minute per reason."""
        now = time.monotonic()
        if now - self._drop_logged.get(reason, -DROP_LOG_INTERVAL) >= DROP_LOG_INTERVAL:
            self._drop_logged[reason] = now
            LOGGER.debug(text, *args)

    def _handle_ack(self, ack: Ack) -> None:
        if self._is_foreign(ack):
            self._drop("foreign_terminal", ack.topic, ack.operator)
            return
        self._mark_seen()
        future = self._pending.get(ack.message_id or "")
        if future is None or future.done():
            # A late ack, a duplicate QoS-1 delivery, or a reply to another platform.
            self.counters["unmatched_acks"] += 1
            return
        future.set_result(ack)

    def _handle_online(self, message: protocol.Online) -> None:
        if self._is_foreign(message):
            return
        self._mark_seen()
        self.hass.async_create_task(self._async_publish(self._online_ack()))
        if message.name and not self.state.name:
            self.state.name = message.name
        if message.ip and message.ip != self.state.ip:
            self.state.ip = message.ip
            self.hass.config_entries.async_update_entry(
                self.entry, data={**self.entry.data, CONF_IP: message.ip}
            )
            dr.async_get(self.hass).async_update_device(
                self.device_id, configuration_url=configuration_url(message.ip)
            )
        self._check_clock(message.time)

    def _online_ack(self) -> tuple[str, bytes]:
        return protocol.build_online_ack(self.command_topic, self.terminal_id)

    def _handle_heartbeat(self, message: protocol.HeartBeat) -> None:
        if self._is_foreign(message):
            return
        self._mark_seen()
        self._check_clock(message.time)

    def _handle_offline(self, message: protocol.Offline, *, retained: bool) -> None:
        if self._is_foreign(message):
            return
        # A retained will is older than anything heard since we subscribed.
        if retained and self.state.online:
            return
        self._set_online(False, "it sent its offline notice")

    def _handle_record(self, message: Record) -> None:
        if self._is_foreign(message):
            self._drop("foreign_terminal", message.topic, message.operator)
            return
        self._mark_seen()
        record_key = self._record_key(message)
        if awaits_decision(message):
            # Door mode 3: the PushAck is the answer (openDoor), whatever the ack option.
            self.access.async_receive(message)
        elif record_key is not None and self.acknowledge_records:
            self._acknowledge(message, *record_key)
        if record_key is not None:
            if record_key in self._seen_records:
                self.counters["duplicates"] += 1
                return
            self._seen_records[record_key] = None
            if len(self._seen_records) > DUPLICATE_MEMORY:
                self._seen_records.popitem(last=False)
        record = build_record(message, device_id=self.device_id, terminal_id=self.terminal_id)
        if record.replay:
            # Re-sent after an outage or on request: history for the bus and the logbook,
            # never a live arrival for the entities (and never the "last" anything).
            self.hass.bus.async_fire(record.bus_event, record.data)
            self.counters["replayed_records"] += 1
            return
        self._remember(record)
        self.hass.bus.async_fire(record.bus_event, record.data)
        self.counters["records"] += 1
        for listener in list(self._record_listeners):
            listener(record)

    def _acknowledge(self, message: Record, push_type: str, record_id: str) -> None:
        """Send the record's `PushAck` before any other work: the terminal re-sends after ~10 s.

        The task starts eagerly, so the `PushAck` is handed to the MQTT client before the
        bus event fires.
        """
        try:
            command = protocol.build_push_ack(
                self.command_topic,
                self.terminal_id,
                push_ack_type=int(push_type),
                record_id=record_id,
            )
        except protocol.CommandError as err:
            self._log_limited(
                "unacknowledgeable",
                "Terminal %s: cannot acknowledge a record on %s: %s",
                self.terminal_id,
                message.topic,
                err,
            )
            return
        self.hass.async_create_task(self._async_publish(command), eager_start=True)
        self.counters["acks_sent"] += 1

    @staticmethod
    def _record_key(message: Record) -> tuple[str, str] | None:
        """(PushAckType, ID) of a record the terminal expects to be acknowledged."""
        if isinstance(message, protocol.RecPush) and message.record_id:
            return (str(protocol.PUSH_ACK_RECORD), message.record_id)
        if isinstance(message, protocol.StrSnapPush) and message.snap_id:
            return (str(protocol.PUSH_ACK_STRANGER), message.snap_id)
        return None

    def _remember(self, record: TerminalRecord) -> None:
        message = record.message
        state = self.state
        if isinstance(message, protocol.RecPush):
            state.last_recognition = message
            state.last_recognition_time = record.time
        if isinstance(message, (protocol.RecPush, protocol.StrSnapPush)):
            if message.face.image is not None:
                state.last_face = message.face.image
                state.last_face_time = dt_util.utcnow()
            if message.temperature is not None:
                state.last_temperature = message.temperature
        state.last_records = [
            {"type": record.event_type, "time": record.time.isoformat()},
            *state.last_records[:9],
        ]

    # --- presence -----------------------------------------------------------------

    def _mark_seen(self) -> None:
        self.state.last_seen = dt_util.utcnow()
        if not self.state.online:
            self._set_online(True, None)

    def _set_online(self, online: bool, reason: str | None) -> None:
        if online == self.state.online:
            return
        self.state.online = online
        if online:
            LOGGER.info("Terminal %s (%s) is online", self.display_name, self.terminal_id)
        else:
            LOGGER.info(
                "Terminal %s (%s) is offline: %s", self.display_name, self.terminal_id, reason
            )
        for listener in list(self._presence_listeners):
            listener()

    # --- clock --------------------------------------------------------------------

    def _check_clock(self, terminal_time: datetime | None) -> None:
        """Raise (or clear) a repair issue when the terminal's clock is off by > 5 min."""
        if terminal_time is None:
            return
        ha_local = dt_util.now().replace(tzinfo=None)
        offset = (terminal_time - ha_local).total_seconds()
        self.state.clock_offset = offset
        issue_id = clock_issue_id(self.entry.entry_id)
        if abs(offset) > CLOCK_DRIFT_LIMIT.total_seconds():
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=True,
                severity=ir.IssueSeverity.WARNING,
                translation_key="clock_drift",
                translation_placeholders={
                    "name": self.display_name,
                    "minutes": str(round(abs(offset) / 60)),
                },
                data={"entry_id": self.entry.entry_id},
            )
        else:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    # --- commands -----------------------------------------------------------------

    def _publish_now(self, command: tuple[str, bytes]) -> None:
        """Hand a command to the MQTT client before anything else runs (eager task)."""
        self.hass.async_create_task(self._async_publish(command), eager_start=True)

    async def _async_publish(self, command: tuple[str, bytes]) -> None:
        topic, payload = command
        try:
            await mqtt.async_publish(self.hass, topic, payload, MQTT_QOS, False)
        except HomeAssistantError as err:
            LOGGER.debug("Could not publish to %s: %s", topic, err)

    async def async_request(
        self,
        command: tuple[str, bytes],
        *,
        timeout: float = COMMAND_TIMEOUT,  # noqa: ASYNC109 - the ack wait, not the call's
        require_online: bool = True,
        spaced: bool = False,
    ) -> Ack:
        """Send a command and wait for its ``-Ack``; raise a translated error on failure.

        Commands to one terminal are serialised. `spaced` keeps base64 enrolments at
        least `ENROL_SPACING` seconds apart, as V1.24 §4.1 asks.
        """
        topic, payload = command
        message_id, operator = _command_identity(payload)
        if require_online and not self.state.online:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="terminal_offline",
                translation_placeholders={"name": self.display_name},
            )
        async with self._command_lock:
            if spaced:
                wait = self._last_enrol + ENROL_SPACING - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            future: asyncio.Future[Ack] = self.hass.loop.create_future()
            self._pending[message_id] = future
            try:
                await mqtt.async_publish(self.hass, topic, payload, MQTT_QOS, False)
                async with asyncio.timeout(timeout):
                    ack = await future
            except TimeoutError as err:
                self.counters["commands_timed_out"] += 1
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="command_timeout",
                    translation_placeholders={
                        "command": operator,
                        "name": self.display_name,
                        "seconds": str(int(timeout)),
                    },
                ) from err
            finally:
                self._pending.pop(message_id, None)
                if spaced:
                    self._last_enrol = time.monotonic()
        self.counters["commands"] += 1
        if not ack.ok:
            self.counters["commands_failed"] += 1
            raise TerminalCommandError(ack, self.display_name)
        return ack

    async def async_unlock(self, message: str | None = None) -> None:
        """Open the door, showing `message` (or the configured text) on the screen."""
        text = message if message is not None else self.unlock_message
        await self.async_request(
            protocol.build_unlock(self.command_topic, self.terminal_id, show_info=text or None)
        )

    async def async_enrol(self, person: protocol.PersonSpec) -> protocol.Ack:
        """Add or update one person (photo inline, so spaced 1 s apart)."""
        return await self.async_request(
            protocol.build_edit_person(self.command_topic, self.terminal_id, person=person),
            timeout=ENROL_TIMEOUT,
            spaced=True,
        )

    async def async_scene_snapshot(self) -> bytes:
        """A fresh scene JPEG; concurrent callers share one request, briefly cached."""
        if self._scene is not None and time.monotonic() - self._scene_time < SCENE_CACHE_SECONDS:
            return self._scene
        if self._scene_task is None or self._scene_task.done():
            self._scene_task = self.hass.async_create_task(self._async_fetch_scene())
        return await asyncio.shield(self._scene_task)

    async def _async_fetch_scene(self) -> bytes:
        ack = await self.async_request(
            protocol.build_get_scene_snap(self.command_topic, self.terminal_id)
        )
        image = ack.image.image if isinstance(ack, protocol.SceneSnapAck) else None
        if image is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="no_scene_image",
                translation_placeholders={"name": self.display_name},
            )
        self._scene = image.data
        self._scene_time = time.monotonic()
        return image.data

    @property
    def last_scene(self) -> bytes | None:
        """The last scene picture the terminal sent, if any."""
        return self._scene


class TerminalCommandError(HomeAssistantError):
    """The terminal refused a command; the message says what its error code means."""

    def __init__(self, ack: Ack, name: str) -> None:
        """Build the translated error from the failed ack."""
        self.ack = ack
        super().__init__(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={
                "name": name,
                "reason": protocol.describe_ack_error(ack),
            },
        )


def _command_identity(payload: bytes) -> tuple[str, str]:
    """The messageId and operator of a command the protocol package built.

    Builders return only (topic, payload); reading the two keys back keeps every call
    site to one line, and commands are rare and small (photos are at most 1 MiB).
    """
    data = json.loads(payload)
    return str(data["messageId"]), str(data["operator"])
