"""Per-terminal runtime: the Home Assistant adapter of one `protocol.TerminalSession`.

One `FaceTerminal` lives in each config entry's ``runtime_data``. The protocol rules
(message IDs, pending commands, ack matching, lanes, deadlines, record de-duplication,
presence) live in the transport-free `protocol.TerminalSession`; this module only wires
it to Home Assistant: it subscribes to the terminal's topics, feeds messages and the loop
clock in, publishes what the session hands out, runs one timer for the session's next
deadline, and turns session events into state, bus events and listener calls.

Its ``async_…`` methods are the only way to talk to a terminal: actions, repairs and
entities call them and never see topics, terminal IDs or protocol builders. Other
features send their own commands through `FaceTerminal.async_request`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_NAME
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from . import protocol
from .access import AccessController
from .alarms import build_alarm
from .const import (
    ACCESS_EVENT_TYPES,
    ATTR_PERSON_ENTITY_ID,
    ATTR_PERSON_ID,
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
    ENROL_SPACING,
    ENROL_TIMEOUT,
    LOGGER,
    MQTT_MANUFACTURER,
    MQTT_MODEL,
    MQTT_QOS,
    PUSH_ACK_QOS,
    SCENE_CACHE_SECONDS,
    SUBSCRIBE_QOS,
)
from .delivery import DeliveryJournal
from .device import Capability, ImageKind, image_summary
from .errors import TerminalCommandError
from .events import (
    Record,
    TerminalRecord,
    access_attributes,
    access_type,
    build_record,
    name_logbook_entity,
)
from .newest import async_record_replayed
from .people import linked_person
from .presence import SilenceWatchdog
from .protocol import Lane, operators
from .protocol.alarms import AlarmInfoPush
from .protocol.face_tools import build_detect_face, build_picture_search, build_picture_similarity
from .protocol.recovery import Gaps
from .protocol.session import DecisionNeeded
from .recovery import RecordRecovery
from .router import async_get_router
from .settings import TerminalSettings

if TYPE_CHECKING:
    from collections import Counter
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime

    from homeassistant.components.mqtt import ReceiveMessage

    from .protocol import Ack

type FaceTerminalConfigEntry = ConfigEntry[FaceTerminal]

__all__ = [
    "FaceTerminal",
    "FaceTerminalConfigEntry",
    "Lane",
    "PersonPage",
    "TerminalCommandError",
    "TerminalSnapshot",
    "VoiceList",
    "clock_issue_id",
    "configuration_url",
]

# SearchPersonList-Ack 466 and GetAudio-Ack 463 mean "nothing found", not a failure.
NO_MATCHING_PERSON = 466
NO_SOUND_FILES = 463


CLOCK_ISSUE_PREFIX = "clock_drift_"


def clock_issue_id(entry_id: str) -> str:
    """Repair issue ID of a terminal whose clock is off."""
    return f"{CLOCK_ISSUE_PREFIX}{entry_id}"


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def configuration_url(host: str | None) -> str | None:
    """The device page linked from Home Assistant's device view."""
    return f"http://{host}" if host else None


@dataclass(slots=True)
class TerminalSnapshot:
    """What the terminal last told us; the contract's properties and `diagnostics` read it."""

    online: bool = False
    last_seen: datetime | None = None
    ip: str | None = None  # the stored address (setup, or the first one reported)
    reported_ip: str | None = None  # the last address the terminal claimed
    name: str | None = None
    firmware: str | None = None
    clock_offset: float | None = None  # seconds, terminal minus HA
    last_recognition: protocol.RecPush | None = None
    last_recognition_time: datetime | None = None
    last_face: protocol.Image | None = None
    last_face_time: datetime | None = None
    last_temperature: float | None = None
    last_records: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PersonPage:
    """One page of the terminal's person list (`FaceTerminal.async_list_persons`)."""

    total: int
    persons: tuple[protocol.PersonRecord, ...]


@dataclass(frozen=True, slots=True)
class VoiceList:
    """Sound files of a terminal (`FaceTerminal.async_list_voices`)."""

    builtin: tuple[str, ...]
    custom: tuple[str, ...]


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
        self.session = protocol.TerminalSession(
            self.terminal_id,
            self.command_topic,
            acknowledge_records=self.acknowledge_records,
            spacing=ENROL_SPACING,
        )
        self._waiters: dict[protocol.Request, asyncio.Future[Ack]] = {}
        self._wakeup: asyncio.TimerHandle | None = None
        self._drop_logged: dict[str, float] = {}
        self._watchdog = SilenceWatchdog(
            hass,
            timeout=lambda: self.offline_timeout,
            last_seen=lambda: self.state.last_seen,
            went_silent=lambda timeout: self._apply(
                self.session.set_offline(f"no message for {int(timeout)} s")
            ),
        )
        self._presence_listeners: list[CALLBACK_TYPE] = []
        self._record_listeners: list[Callable[[TerminalRecord], None]] = []
        self._door_listeners: list[CALLBACK_TYPE] = []
        self._door_timer: CALLBACK_TYPE | None = None
        self._scene_task: asyncio.Task[bytes] | None = None
        self._probe_task: asyncio.Task[None] | None = None
        self._scene: bytes | None = None
        self._scene_time = 0.0
        self.settings = TerminalSettings(self)
        gaps = Gaps()
        self.journal = DeliveryJournal(hass, entry, self.session.delivered, gaps, self._publish_now)
        # A decision's PushAck acknowledges its record too: it waits like any other.
        self.access = AccessController(
            hass, self, lambda command: self.journal.async_acknowledge([command])
        )
        self.recovery = RecordRecovery(
            hass, self, self.session.delivered, gaps, self.journal.async_gaps_changed
        )

    # --- device contract (`device.DeviceRuntime`) -----------------------------------

    # Records carry a scene picture too, but the terminal sends one on request (camera):
    # keeping the pushed ones is not worth their memory.
    capabilities: frozenset[Capability] = frozenset(
        {
            Capability.COMMANDS,
            Capability.DOOR,
            Capability.SCENE_SNAPSHOT,
            Capability.TEMPERATURE,
            Capability.SCANS,
            Capability.ALARMS,
        }
    )
    access_event_types: list[str] = ACCESS_EVENT_TYPES

    @property
    def device_info(self) -> DeviceInfo:
        """The device-registry link of the terminal's entities."""
        return DeviceInfo(identifiers={(DOMAIN, self.terminal_id)})

    @property
    def online(self) -> bool:
        """Whether the terminal is heard from."""
        return self.state.online

    @property
    def last_seen(self) -> datetime | None:
        """When the terminal last sent anything."""
        return self.state.last_seen

    def last_image(self, kind: ImageKind) -> tuple[protocol.Image, datetime] | None:
        """The face of the last record that carried one (records' scenes are not kept)."""
        state = self.state
        if kind is ImageKind.FACE and state.last_face and state.last_face_time:
            return state.last_face, state.last_face_time
        return None

    def diagnostics(self) -> dict[str, Any]:
        """Presence, clock, counters and the last records; redacted by `diagnostics.py`."""
        state = self.state
        last_recognition: dict[str, Any] | None = None
        if (message := state.last_recognition) is not None:
            last_recognition = {
                "access": access_type(message),
                "time": _iso(state.last_recognition_time),
                "record_id": message.record_id,
                **access_attributes(message),
                ATTR_PERSON_ID: message.person_id,
                "verify_status": message.verify_status,
                "push_type": message.push_type,
                "face": image_summary(message.face.image, message.face.problem),
                "scene": image_summary(message.scene.image, message.scene.problem),
            }
        return {
            "terminal": {
                "terminal_id": self.terminal_id,
                "command_topic": self.command_topic,
                "online": state.online,
                "last_seen": _iso(state.last_seen),
                "ip": state.ip,
                "reported_ip": state.reported_ip,
                "name": state.name,
                "firmware": state.firmware,
                "clock_offset_seconds": state.clock_offset,
                "last_temperature": state.last_temperature,
                "last_face": image_summary(state.last_face),
                "last_face_time": _iso(state.last_face_time),
                "scene_cached": self._scene is not None,
            },
            "settings": self.settings.as_diagnostics(),
            "counters": dict(sorted(self.counters.items())),
            "drops": dict(sorted(self.drops.items())),
            "last_records": [dict(record) for record in state.last_records],
            "last_recognition": last_recognition,
            "access_decisions": {
                "window_seconds": self.access.policy.window,
                "default_grant": self.access.policy.default_grant,
                "pending": self.access.pending_count,
                **self.access.counters,
            },
            # Counts and times only: the IDs of delivered records stay out.
            "record_recovery": self.recovery.as_diagnostics(),
            "delivery": self.journal.as_diagnostics(),
        }

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
    def clock_offset(self) -> float | None:
        """Seconds the terminal's clock is ahead of Home Assistant's (None: not known yet)."""
        return self.state.clock_offset

    async def async_mqtt_settings(self) -> Mapping[str, Any] | None:
        """The terminal's MQTT parameter group as the settings store read it recently."""
        return await self.settings.async_current(protocol.ConfigSection.MQTT)

    @property
    def display_name(self) -> str:
        """Name used in messages: the entry title."""
        return self.entry.title

    @property
    def counters(self) -> Counter[str]:
        """Message and command counters of the session (diagnostics)."""
        return self.session.counters

    @property
    def drops(self) -> Counter[str]:
        """Dropped messages by reason (diagnostics)."""
        return self.session.drops

    @property
    def door_released(self) -> bool:
        """Whether a successful unlock released the strike within the door's hold time."""
        return self._door_timer is not None

    # --- lifecycle ----------------------------------------------------------------

    async def async_start(self) -> None:
        """Register the device, subscribe to the terminal's topics and probe it."""
        device = dr.async_get(self.hass).async_get_or_create(
            config_entry_id=self.entry.entry_id,
            identifiers={(DOMAIN, self.terminal_id)},
            name=self.state.name or self.entry.title,
            manufacturer=MQTT_MANUFACTURER,
            model=MQTT_MODEL,
            serial_number=self.terminal_id,
            configuration_url=configuration_url(self.state.ip),
        )
        self.device_id = device.id
        await self.journal.async_load()
        # Unload callbacks run last-in first-out: the journal's last write comes after
        # the session closed, so it holds everything the session reported.
        self.entry.async_on_unload(self.journal.async_stop)
        # Whatever the terminal recorded since the last record delivered before Home
        # Assistant (or this entry) stopped is a gap until the terminal is heard again.
        self.recovery.async_outage()
        self.entry.async_on_unload(
            self.async_add_presence_listener(self.recovery.async_presence_changed)
        )
        self.entry.async_on_unload(
            mqtt.async_subscribe_connection_status(self.hass, self._async_mqtt_connection)
        )
        # One subscription for every response sub-topic in every spelling: the
        # session classifies the suffix. `+` (not `#`) skips our own commands on the
        # command topic itself and deeper foreign topics.
        response_topics = protocol.response_wildcard(self.command_topic)
        self.entry.async_on_unload(
            await mqtt.async_subscribe(
                self.hass,
                response_topics,
                self._async_message_received,
                SUBSCRIBE_QOS,
                encoding=None,
            )
        )
        # Presence comes through the integration's one subscription to the shared topics.
        router = await async_get_router(self.hass)
        self.entry.async_on_unload(router.async_register(self.terminal_id, self._async_presence))
        self.entry.async_on_unload(self._async_stop)
        self._watchdog.start()
        self.settings.async_start()
        # A terminal that was online before Home Assistant started only sends its next
        # heartbeat a minute later; asking for its version tells at once that it is there.
        # Ask only once the broker has confirmed the subscription (HA batches
        # subscriptions), or the immediate answer is lost. This also runs again after the
        # MQTT client re-subscribes on a reconnect, which re-checks presence at once.
        self.entry.async_on_unload(
            mqtt.async_on_subscribe_done(
                self.hass, response_topics, SUBSCRIBE_QOS, self._async_start_probe
            )
        )

    @callback
    def _async_mqtt_connection(self, connected: bool) -> None:
        """Home Assistant's own broker connection dropped: records may be missed."""
        if not connected:
            self.recovery.async_outage()

    @callback
    def _async_start_probe(self) -> None:
        # (Re)subscribed: records reach us again, so what was missed meanwhile can be asked.
        self.recovery.async_fill()
        self.settings.async_subscription_ready()
        if self._probe_task is not None and not self._probe_task.done():
            return
        self._probe_task = self.entry.async_create_background_task(
            self.hass, self._async_probe(), f"{DOMAIN} probe {self.terminal_id}"
        )

    @callback
    def _async_stop(self) -> None:
        """Fail every queued or sent command; from now on nothing is published."""
        self._watchdog.stop()
        self.access.async_stop()
        self._cancel_wakeup()
        self._end_door_hold(notify=False)
        unloaded = HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="terminal_unloaded",
            translation_placeholders={"name": self.display_name},
        )
        for request in self.session.close():
            self._fail(request, unloaded)

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

    @callback
    def async_add_door_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` when the door opens (an unlock succeeded) or its hold time ends."""
        self._door_listeners.append(listener)
        return lambda: self._door_listeners.remove(listener)

    # --- inbound messages ------------------------------------------------------------

    @callback
    def _async_message_received(self, msg: ReceiveMessage) -> None:
        """A message on one of the terminal's response sub-topics."""
        payload = msg.payload
        if isinstance(payload, str):
            payload = payload.encode()
        now = self.hass.loop.time()
        self._apply(self.session.receive(msg.topic, payload, now=now, retained=msg.retain), now)

    @callback
    def _async_presence(self, message: protocol.Message, retained: bool) -> None:
        """A presence message the router parsed and found to name this terminal."""
        now = self.hass.loop.time()
        self._apply(self.session.receive_message(message, now=now, retained=retained), now)

    def _apply(self, events: Sequence[protocol.Event], now: float | None = None) -> None:
        """Carry out what the session asks for, in its order.

        `now` is the session time of the message the events answer: when the session
        counted the terminal as heard then, `TerminalSnapshot.last_seen` moves too.
        """
        if now is not None and self.session.last_seen == now:
            self.state.last_seen = dt_util.utcnow()
        replies: list[protocol.Command] = []
        acknowledgements: list[protocol.Command] = []
        arrivals: list[TerminalRecord] = []
        delivered = False
        for event in events:
            match event:
                case protocol.Publish(command):
                    replies.append(command)
                case protocol.Acknowledge(command):
                    acknowledgements.append(command)
                case protocol.Answered(request, ack):
                    self._resolve(request, ack)
                case DecisionNeeded(message):
                    # Door mode 3: Home Assistant's answer is the record's PushAck.
                    self.access.async_receive(message)
                case protocol.RecordReceived(record):
                    delivered = True
                    arrival = (
                        self._handle_alarm(record)
                        if isinstance(record, AlarmInfoPush)
                        else self._handle_record(record)
                    )
                    if arrival is not None:
                        arrivals.append(arrival)
                case protocol.PresenceChanged(online, reason):
                    self._set_online(online, reason)
                case protocol.Announced(message):
                    self._handle_online(message)
                    self.recovery.async_reconnected()
                case protocol.ClockReading(terminal_time):
                    self._check_clock(terminal_time)
                case protocol.Dropped(reason, topic, detail, record_id) if record_id:
                    # Each dropped record is somebody's passage: worth its own line.
                    LOGGER.debug(
                        "Terminal %s: dropped record %s on %s (%s; %d dropped for this reason)",
                        self.terminal_id,
                        record_id,
                        topic,
                        reason,
                        self.drops[reason],
                    )
                case protocol.Dropped(reason, topic, detail):
                    self._log_limited(
                        reason,
                        "Terminal %s: dropped a message on %s (%s: %s; %d dropped for this reason)",
                        self.terminal_id,
                        topic,
                        reason,
                        detail,
                        self.drops[reason],
                    )
        if delivered:
            self.journal.async_changed()
        if acknowledgements:
            self.journal.async_acknowledge(acknowledgements)
        if replies or arrivals:
            self.hass.async_create_task(
                self._async_after_events(arrivals, replies), eager_start=False
            )
        self._pump()

    async def _async_after_events(
        self, arrivals: list[TerminalRecord], replies: list[protocol.Command]
    ) -> None:
        """Entity updates and replies (an ``Online-Ack``), once the events are out.

        A record's bus event fires first. Home Assistant's WebSocket connections queue
        what an event sends for one loop pass and write it in the next; the automations
        it triggered started at once. Waiting those two passes, the up to three state
        writes no longer delay the event for anyone (measured in docs/benchmarks.md).
        ``PushAck``s go through the delivery journal instead (`delivery`).
        """
        await asyncio.sleep(0)  # the task's first step was the first pass
        if self.session.closed:
            return
        for record in arrivals:
            for listener in list(self._record_listeners):
                listener(record)
        for command in replies:
            self._publish_now(command)

    def _log_limited(self, reason: str, text: str, *args: object) -> None:
        """Log at debug level, at most once a minute per reason."""
        now = time.monotonic()
        if now - self._drop_logged.get(reason, -DROP_LOG_INTERVAL) >= DROP_LOG_INTERVAL:
            self._drop_logged[reason] = now
            LOGGER.debug(text, *args)

    def _handle_online(self, message: protocol.Online) -> None:
        if message.name and not self.state.name:
            self.state.name = message.name
        if message.ip:
            self._reported_ip(message.ip)

    def _reported_ip(self, ip: str) -> None:
        """Store a reported IP address only when none is stored yet (trust on first use).

        ``Online`` comes on the presence topic every terminal may publish to, so its
        address is a claim, not a fact: it may fill in a missing address, but never moves
        the stored one (and the device's "Visit" link) elsewhere. The user changes it with
        Reconfigure; diagnostics show what the terminal reported.
        """
        self.state.reported_ip = ip
        if self.state.ip is None:
            self.state.ip = ip
            self.hass.config_entries.async_update_entry(
                self.entry, data={**self.entry.data, CONF_IP: ip}
            )
            dr.async_get(self.hass).async_update_device(
                self.device_id, configuration_url=configuration_url(ip)
            )
        elif ip != self.state.ip:
            self.counters["ip_changes_ignored"] += 1
            self._log_limited(
                "ip_change",
                "Terminal %s reports the IP address %s; the stored address %s is kept"
                " (reconfigure the terminal to change it)",
                self.terminal_id,
                ip,
                self.state.ip,
            )

    def _handle_record(self, message: Record) -> TerminalRecord | None:
        """Fire a record's bus event; the live arrival the entities are to see, if any."""
        record = build_record(message, device_id=self.device_id, terminal_id=self.terminal_id)
        name_logbook_entity(self.hass, record.bus_event, record.data, self.terminal_id)
        if isinstance(message, protocol.RecPush) and (
            person := linked_person(self.entry, message.custom_id)
        ):
            record.data[ATTR_PERSON_ENTITY_ID] = person
        if record.replay:
            # Re-sent after an outage or on request: history for the bus and the logbook,
            # never a live arrival for the entities (the "last" ones take it if newer).
            self.hass.bus.async_fire(record.bus_event, record.data, context=record.context)
            self.session.counters["replayed_records"] += 1
            async_record_replayed(self, record)  # the "last" entities, if newer (newest.py)
            return None
        self._remember(record)
        # One context for the event and the entity updates it causes (logbook lines).
        self.hass.bus.async_fire(record.bus_event, record.data, context=record.context)
        return record

    def _handle_alarm(self, message: AlarmInfoPush) -> TerminalRecord:
        """An alarm push: the bus event, then the alarm event entity (same context)."""
        record = build_alarm(message, device_id=self.device_id, terminal_id=self.terminal_id)
        name_logbook_entity(self.hass, record.bus_event, record.data, self.terminal_id)
        self._remember(record)
        self.hass.bus.async_fire(record.bus_event, record.data, context=record.context)
        return record

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

    def _check_clock(self, terminal_time: datetime) -> None:
        """Raise (or clear) a repair issue when the terminal's clock is off by > 5 min."""
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

    # --- command engine -------------------------------------------------------------

    async def async_request(
        self,
        command: protocol.Command,
        *,
        lane: Lane | None = None,
        timeout: float = COMMAND_TIMEOUT,  # noqa: ASYNC109 - covers the lane wait, too
        require_online: bool = True,
    ) -> Ack:
        """Send `command` and wait for its ``-Ack``; raise a translated error on failure.

        `lane` defaults to `protocol.default_lane` of the operator. `timeout` counts from
        now, so it includes the wait behind earlier commands of the same lane.

        Raises:
            HomeAssistantError: offline (``terminal_offline``), no answer in time
                (``command_timeout``), unloaded (``terminal_unloaded``), or the
                publish failed.
            TerminalCommandError: the terminal answered with an error code.
        """
        if require_online and not self.state.online:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="terminal_offline",
                translation_placeholders={"name": self.display_name},
            )
        try:
            request = self.session.submit(
                command, now=self.hass.loop.time(), timeout=timeout, lane=lane
            )
        except protocol.SessionClosedError:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="terminal_unloaded",
                translation_placeholders={"name": self.display_name},
            ) from None
        future: asyncio.Future[Ack] = self.hass.loop.create_future()
        self._waiters[request] = future
        self._pump()
        try:
            ack = await future
        finally:
            # The caller went away (cancelled): free the lane for the next command.
            if self._waiters.pop(request, None) is not None:
                self.session.cancel(request, self.hass.loop.time())
                self._pump()
        if not ack.ok:
            raise TerminalCommandError(ack, self.display_name)
        return ack

    def _pump(self) -> None:
        """Publish what the session lets go now and re-arm the one deadline timer."""
        for request in self.session.ready(self.hass.loop.time()):
            self.hass.async_create_task(self._async_publish_request(request), eager_start=True)
        wakeup = self.session.next_wakeup()
        if self._wakeup is not None and self._wakeup.when() == wakeup:
            return  # the timer is already set for that moment (the common case per message)
        self._cancel_wakeup()
        if wakeup is not None:
            self._wakeup = self.hass.loop.call_at(wakeup, self._async_wakeup, wakeup)

    @callback
    def _async_wakeup(self, when: float) -> None:
        self._wakeup = None
        # The timer fired, so its time has come even when a test moved time forward
        # without moving the loop clock.
        now = max(self.hass.loop.time(), when)
        for request in self.session.expire(now):
            self._fail(
                request,
                HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="command_timeout",
                    translation_placeholders={
                        "command": request.command.operator,
                        "name": self.display_name,
                        "seconds": str(int(request.timeout)),
                    },
                ),
            )
        self._pump()

    def _cancel_wakeup(self) -> None:
        if self._wakeup is not None:
            self._wakeup.cancel()
            self._wakeup = None

    def _resolve(self, request: protocol.Request, ack: Ack) -> None:
        future = self._waiters.pop(request, None)
        if future is not None and not future.done():
            future.set_result(ack)

    def _fail(self, request: protocol.Request, error: HomeAssistantError) -> None:
        future = self._waiters.pop(request, None)
        if future is not None and not future.done():
            future.set_exception(error)
            # The waiting task may be cancelled with the entry before it looks.
            future.exception()

    async def _async_publish_request(self, request: protocol.Request) -> None:
        command = request.command
        try:
            await mqtt.async_publish(self.hass, command.topic, command.payload, MQTT_QOS, False)
        except HomeAssistantError as err:
            if self.session.cancel(request, self.hass.loop.time()):
                self._fail(request, err)
                self._pump()

    def _publish_now(self, command: protocol.Command) -> None:
        """Hand a fire-and-forget command (a PushAck) to the MQTT client at once (eager)."""
        if self.session.closed:
            return
        self.hass.async_create_task(self._async_publish_quietly(command), eager_start=True)

    async def _async_publish_quietly(self, command: protocol.Command) -> None:
        # A PushAck goes at QoS 0: the broker's PUBACK to a QoS-1 PushAck is a small
        # segment Home Assistant never answers, so its TCP ACK waits for the delayed-ACK
        # timer (~40 ms) while the broker's Nagle algorithm holds the next record behind it
        # (measured in docs/benchmarks.md). A lost PushAck costs nothing: the terminal
        # re-sends the record, and the session acknowledges and de-duplicates it.
        qos = PUSH_ACK_QOS if command.operator == operators.PUSH_ACK else MQTT_QOS
        try:
            await mqtt.async_publish(self.hass, command.topic, command.payload, qos, False)
        except HomeAssistantError as err:
            LOGGER.debug("Could not publish to %s: %s", command.topic, err)

    # --- commands -------------------------------------------------------------------

    async def async_unlock(self, message: str | None = None) -> None:
        """Open the door, showing `message` (or the configured text) on the screen.

        On success the strike counts as released (`door_released`) for `door_open_time`
        seconds, whoever asked (the lock entity or an action); door listeners are told
        when that starts and ends.
        """
        text = message if message is not None else self.unlock_message
        await self.async_request(
            protocol.build_unlock(self.command_topic, self.terminal_id, show_info=text or None),
            lane=Lane.DOOR,
        )
        if self.session.closed:
            return  # answered just before the unload: no entity is left to show it
        self._end_door_hold(notify=False)
        self._door_timer = async_call_later(
            self.hass, self.door_open_time, self._async_door_hold_over
        )
        self._notify_door()

    @callback
    def _async_door_hold_over(self, _now: datetime) -> None:
        self._door_timer = None
        self._notify_door()

    @callback
    def async_end_door_hold(self) -> None:
        """Count the strike as closed again (the lock entity's "lock": nothing to send)."""
        self._end_door_hold()

    def _end_door_hold(self, *, notify: bool = True) -> None:
        was_released = self._door_timer is not None
        if self._door_timer is not None:
            self._door_timer()
            self._door_timer = None
        if notify and was_released:
            self._notify_door()

    def _notify_door(self) -> None:
        for listener in list(self._door_listeners):
            listener()

    async def async_enrol_person(self, person: protocol.PersonSpec) -> Ack:
        """Add or update one person (photo inline, so spaced 1 s apart)."""
        return await self.async_request(
            protocol.build_edit_person(self.command_topic, self.terminal_id, person=person),
            lane=Lane.PERSONS,
            timeout=ENROL_TIMEOUT,
        )

    async def async_delete_person(self, custom_id: str) -> Ack:
        """Delete one person by customId."""
        return await self.async_request(
            protocol.build_del_person(self.command_topic, self.terminal_id, custom_id),
            lane=Lane.PERSONS,
        )

    async def async_list_persons(
        self, *, name: str | None = None, offset: int = 0, limit: int = 100
    ) -> PersonPage:
        """One page of enrolled persons (by fuzzy `name`, or everybody); no pictures."""
        command = protocol.build_search_person_list(
            self.command_topic, self.terminal_id, name=name, offset=offset, count=limit
        )
        try:
            ack = await self.async_request(command, lane=Lane.QUERY)
        except TerminalCommandError as err:
            if err.ack.code != NO_MATCHING_PERSON:
                raise
            return PersonPage(total=0, persons=())
        # The session resolves a command only with its own -Ack, which parses as this type.
        assert isinstance(ack, protocol.SearchPersonListAck)
        total = ack.total if ack.total is not None else len(ack.persons)
        return PersonPage(total=total, persons=tuple(ack.persons))

    async def async_play_voice(self, file_name: str, *, custom: bool = False) -> None:
        """Play a built-in (or `custom`, ``_C.wav``) sound file."""
        await self.async_request(
            protocol.build_voice_play(self.command_topic, self.terminal_id, file_name, custom),
            lane=Lane.INTERACTIVE,
        )

    async def async_list_voices(self) -> VoiceList:
        """The terminal's built-in and custom sound files."""
        try:
            ack = await self.async_request(
                protocol.build_get_audio(self.command_topic, self.terminal_id), lane=Lane.QUERY
            )
        except TerminalCommandError as err:
            if err.ack.code != NO_SOUND_FILES:
                raise
            return VoiceList(builtin=(), custom=())
        assert isinstance(ack, protocol.AudioAck)  # only GetAudio-Ack answers GetAudio
        return VoiceList(builtin=tuple(ack.builtin), custom=tuple(ack.custom))

    async def async_show_qr_code(
        self,
        *,
        text: str | None = None,
        image: bytes | None = None,
        x: int = 10,
        y: int = 10,
        width: int = 200,
        height: int = 200,
    ) -> None:
        """Show a QR code drawn from `text`, or a ready picture, at a screen position."""
        await self.async_request(
            protocol.build_show_qr_code(
                self.command_topic,
                self.terminal_id,
                text=text,
                image=image,
                x=x,
                y=y,
                width=width,
                height=height,
            ),
            lane=Lane.INTERACTIVE,
        )

    async def async_hide_qr_code(self) -> None:
        """Remove the QR code from the screen."""
        await self.async_request(
            protocol.build_hide_qr_code(self.command_topic, self.terminal_id),
            lane=Lane.INTERACTIVE,
        )

    async def async_delete_all_persons(self, *, timeout: float) -> Ack:  # noqa: ASYNC109 - like async_request
        """Delete every person from the terminal (§4.5); slow on a full library."""
        return await self.async_request(
            protocol.build_delete_all_persons(self.command_topic, self.terminal_id),
            lane=Lane.PERSONS,
            timeout=timeout,
        )

    async def async_compare_faces(self, first: bytes, second: bytes) -> Ack:
        """Ask the terminal how alike the faces on two photos are (§17)."""
        return await self.async_request(
            build_picture_similarity(self.command_topic, self.terminal_id, first, second),
            lane=Lane.INTERACTIVE,
        )

    async def async_search_face(
        self, picture: bytes, *, min_similarity: float, max_results: int
    ) -> Ack:
        """Search the terminal's library for the face on a photo (§18)."""
        return await self.async_request(
            build_picture_search(
                self.command_topic,
                self.terminal_id,
                picture,
                min_similarity=min_similarity,
                max_results=max_results,
            ),
            lane=Lane.INTERACTIVE,
        )

    async def async_detect_face(self, picture: bytes) -> Ack:
        """Ask the terminal whether a photo shows a usable face (§19)."""
        return await self.async_request(
            build_detect_face(self.command_topic, self.terminal_id, picture),
            lane=Lane.INTERACTIVE,
        )

    async def async_set_clock(self) -> None:
        """Set the terminal's clock to Home Assistant's local time; clear the drift issue.

        The terminal keeps local time without a zone, as its records do.
        """
        await self.async_request(
            protocol.build_set_sys_time(
                self.command_topic, self.terminal_id, when=dt_util.now().replace(tzinfo=None)
            ),
            lane=Lane.QUERY,
        )
        self.state.clock_offset = 0.0
        ir.async_delete_issue(self.hass, DOMAIN, clock_issue_id(self.entry.entry_id))

    async def async_scene_snapshot(self) -> bytes:
        """A fresh scene JPEG; concurrent callers share one request, briefly cached."""
        if self._scene is not None and time.monotonic() - self._scene_time < SCENE_CACHE_SECONDS:
            return self._scene
        if self._scene_task is None or self._scene_task.done():
            self._scene_task = self.hass.async_create_task(self._async_fetch_scene())
        return await asyncio.shield(self._scene_task)

    async def _async_fetch_scene(self) -> bytes:
        ack = await self.async_request(
            protocol.build_get_scene_snap(self.command_topic, self.terminal_id),
            lane=Lane.INTERACTIVE,
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
