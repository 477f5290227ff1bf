"""Per-terminal runtime: the Home Assistant adapter of one `protocol.TerminalSession`.

One `FaceTerminal` lives in each config entry's ``runtime_data``. The protocol rules
(framing and addressing commands, lanes and deadlines, ack matching, record
de-duplication, presence) live in the transport-free session; this module wires it to
Home Assistant: it subscribes to the terminal's topics, feeds messages and the loop clock
in, hands commands to `sender` (publish, the one timer), and turns session events into
state (`snapshot`), bus events (`records`) and listener calls.

It builds the features and hands each itself as their narrow `port.TerminalPort`:
`settings`, `access`, `recovery`, `door`, `scene`, `clock`, `identity`; `delivery` holds
record acknowledgements until they are durable. Actions and entities say what they want
with an intent (``await terminal.async_request(protocol.PlayVoice("hello.wav"))``) or
through those features, never with a topic, a terminal ID or a lane; a failed command
raises one of the `errors` classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_NAME
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.util import dt as dt_util

from . import protocol
from .access import AccessController
from .clock import ClockWatch
from .const import (
    ACCESS_EVENT_TYPES,
    CONF_ACKNOWLEDGE_RECORDS,
    CONF_COMMAND_TOPIC,
    CONF_IP,
    CONF_OFFLINE_TIMEOUT,
    CONF_TERMINAL_ID,
    DEFAULT_ACKNOWLEDGE_RECORDS,
    DEFAULT_OFFLINE_TIMEOUT,
    DOMAIN,
    ENROL_SPACING,
    LOGGER,
    SUBSCRIBE_QOS,
)
from .delivery import DeliveryJournal
from .device import Capability, ImageKind
from .door import DoorRelease
from .drops import DropLog
from .identity import TerminalIdentity
from .presence import SilenceWatchdog
from .protocol.recovery import Gaps
from .records import RecordEvents
from .recovery import RecordRecovery
from .remote_decision import RemoteDecisionWatch
from .responses import async_get_response_router
from .router import async_get_router
from .scene import SceneSnapshots
from .screen_qr import ScreenQRCode
from .sender import CommandSender
from .settings import TerminalSettings
from .snapshot import TerminalSnapshot

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime

    from homeassistant.components.mqtt import ReceiveMessage

    from .events import TerminalRecord

type FaceTerminalConfigEntry = ConfigEntry[FaceTerminal]

__all__ = ["FaceTerminal", "FaceTerminalConfigEntry"]


class FaceTerminal:
    """Runtime of one terminal (the object in ``entry.runtime_data``)."""

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

    def __init__(self, hass: HomeAssistant, entry: FaceTerminalConfigEntry) -> None:
        """Read the entry and build the features; nothing is subscribed before `async_start`."""
        self.hass = hass
        self.entry = entry
        self.terminal_id: str = entry.data[CONF_TERMINAL_ID]
        self.device_id: str = ""
        self.state = TerminalSnapshot(ip=entry.data.get(CONF_IP), name=entry.data.get(CONF_NAME))
        self.session = protocol.TerminalSession(
            self.terminal_id,
            entry.data[CONF_COMMAND_TOPIC],
            acknowledge_records=self.acknowledge_records,
            spacing=ENROL_SPACING,
        )
        # The session's counters (diagnostics): messages and commands, drops by reason.
        self.counters, self.drops = self.session.counters, self.session.drops
        self._sender = CommandSender(
            hass, self.session, name=lambda: self.display_name, online=lambda: self.state.online
        )
        # How features and actions send (`port.TerminalPort`): an intent, framed by the
        # session and sent by the sender, which raises the `errors` classes on failure.
        self.frame = self.session.frame
        self.async_request = self._sender.async_request
        # Loop time the terminal went offline (None: online or never seen), see `_set_online`.
        self._offline_since: float | None = None
        # Stops waiting for the broker to confirm the response subscription, while waiting.
        self._awaiting_subscription: CALLBACK_TYPE | None = None
        self._drop_log = DropLog(self.terminal_id, self.drops)
        self._watchdog = SilenceWatchdog(
            hass,
            timeout=lambda: self.offline_timeout,
            last_seen=lambda: self.state.last_seen,
            went_silent=lambda timeout: self._apply(
                self.session.set_offline(f"no message for {int(timeout)} s")
            ),
        )
        self._presence_listeners: list[CALLBACK_TYPE] = []
        self.identity = TerminalIdentity(self, self.state, self.counters)
        self.door = DoorRelease(self)
        self.records = RecordEvents(
            self, self.state.remember, self.counters, unlock=self.door.async_unlock
        )
        self.settings = TerminalSettings(self)
        self.scene = SceneSnapshots(self)
        self.screen_qr = ScreenQRCode(self)
        self.clock = ClockWatch(self, self.state)
        self.remote_decision = RemoteDecisionWatch(self, self.settings)
        gaps = Gaps()
        self.journal = DeliveryJournal(
            hass, entry, self.session.delivered, gaps, self._sender.publish_now
        )
        # A decision's PushAck acknowledges its record too: it waits like any other.
        self.access = AccessController(
            hass, self, lambda command: self.journal.async_acknowledge([command])
        )
        self.recovery = RecordRecovery(
            hass, self, self.session.delivered, gaps, self.journal.async_gaps_changed
        )

    # --- device contract (`device.DeviceRuntime`) and the features' port --------------

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

    @property
    def display_name(self) -> str:
        """Name used in messages: the entry title."""
        return self.entry.title

    @property
    def clock_offset(self) -> float | None:
        """Seconds the terminal's clock is ahead of Home Assistant's (None: not known yet)."""
        return self.state.clock_offset

    @property
    def offline_timeout(self) -> float:
        """Seconds of silence after which the terminal counts as offline."""
        return float(self.entry.options.get(CONF_OFFLINE_TIMEOUT, DEFAULT_OFFLINE_TIMEOUT))

    @property
    def acknowledge_records(self) -> bool:
        """Whether records are answered with `PushAck` (resume-from-breakpoint)."""
        return bool(self.entry.options.get(CONF_ACKNOWLEDGE_RECORDS, DEFAULT_ACKNOWLEDGE_RECORDS))

    def last_image(self, kind: ImageKind) -> tuple[protocol.Image, datetime] | None:
        """The face of the last record that carried one (records' scenes are not kept)."""
        return self.state.last_image(kind)

    async def async_mqtt_settings(self) -> Mapping[str, Any] | None:
        """The terminal's MQTT parameter group as the settings store read it recently."""
        return await self.settings.async_current(protocol.ConfigSection.MQTT)

    def diagnostics(self) -> dict[str, Any]:
        """Each part's own diagnostics; redacted by `diagnostics.py`."""
        return {
            "terminal": {
                "terminal_id": self.terminal_id,
                "command_topic": self.entry.data[CONF_COMMAND_TOPIC],
                **self.state.as_diagnostics(),
                "scene_cached": self.scene.last is not None,
            },
            "settings": self.settings.as_diagnostics(),
            "counters": dict(sorted(self.counters.items())),
            "drops": dict(sorted(self.drops.items())),
            "last_records": [dict(record) for record in self.state.last_records],
            "last_recognition": self.state.last_recognition_diagnostics(),
            "access_decisions": self.access.as_diagnostics(),
            # Counts and times only: the IDs of delivered records stay out.
            "record_recovery": self.recovery.as_diagnostics(),
            "delivery": self.journal.as_diagnostics(),
        }

    # --- lifecycle ----------------------------------------------------------------

    async def async_start(self) -> None:
        """Register the device, subscribe to the terminal's topics and probe it."""
        self.device_id = self.identity.async_register()
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
        # Every response sub-topic in every spelling reaches us through the
        # subscription terminals share (`responses`): the session classifies the
        # suffix. Only `<command topic>/<suffix>` is routed here, so our own commands on
        # the command topic itself and deeper foreign topics never are.
        self.entry.async_on_unload(
            await async_get_response_router(self.hass).async_register(
                self.session.command_topic, self._async_message_received
            )
        )
        # Presence comes through the integration's one subscription to the shared topics.
        router = await async_get_router(self.hass)
        self.entry.async_on_unload(router.async_register(self.terminal_id, self._async_presence))
        self.entry.async_on_unload(self._async_stop)
        self._watchdog.start()
        self.settings.async_start()
        self.remote_decision.async_start()
        # Probe only once the broker has confirmed the subscription (HA batches
        # subscriptions), or the immediate answer is lost; again after every reconnect.
        self.entry.async_on_unload(self._async_stop_awaiting_subscription)
        self._async_await_subscription()

    @callback
    def _async_await_subscription(self) -> None:
        """Probe when the broker confirms the response subscription, listening until then.

        Home Assistant tells every such listener about every subscription it completes
        (each as a task of its own): one left for the entry's lifetime per terminal made
        each new entry's setup cost grow with the number of terminals (issue 23).
        """
        if self._awaiting_subscription is not None or self.session.closed:
            return
        self._awaiting_subscription = mqtt.async_on_subscribe_done(
            self.hass,
            protocol.shared_response_wildcard(self.session.command_topic),
            SUBSCRIBE_QOS,
            self._async_subscribed,
        )

    @callback
    def _async_stop_awaiting_subscription(self) -> None:
        if self._awaiting_subscription is not None:
            self._awaiting_subscription()
            self._awaiting_subscription = None

    @callback
    def _async_subscribed(self) -> None:
        # Both the "already subscribed" check and a completed subscription may call.
        if self._awaiting_subscription is None:
            return
        self._async_stop_awaiting_subscription()
        if not self.session.closed:
            self._async_start_probe()

    @callback
    def _async_mqtt_connection(self, connected: bool) -> None:
        """Records may be missed while disconnected; re-probe once re-subscribed.

        On a reconnect Home Assistant queues its re-subscriptions right after telling
        this: wait one loop pass, so the subscription counts as pending, not done.
        """
        if not connected:
            self.recovery.async_outage()
            return
        self.hass.loop.call_soon(self._async_await_subscription)

    @callback
    def _async_start_probe(self) -> None:
        # (Re)subscribed: records reach us again, so what was missed meanwhile can be asked.
        self.recovery.async_fill()
        self.settings.async_subscription_ready()
        self.identity.async_start_probe()

    @callback
    def _async_stop(self) -> None:
        """Fail every queued or sent command; from now on nothing is published."""
        self._watchdog.stop()
        self.access.async_stop()
        self.door.async_stop()
        self._sender.stop()

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
        return self.records.async_add_listener(listener)

    @callback
    def async_add_replay_listener(
        self, listener: Callable[[TerminalRecord], None]
    ) -> CALLBACK_TYPE:
        """Call `listener` with every re-sent record (the "last" entities, `newest.py`)."""
        return self.records.async_add_replay_listener(listener)

    # --- inbound messages ------------------------------------------------------------

    @callback
    def _async_message_received(self, msg: ReceiveMessage) -> None:
        """A message on one of the terminal's response sub-topics."""
        if self.hass.is_stopping:
            # The recorder may not keep what is fired now: leave records to the terminal's
            # re-send (or the recovery after the start), never acknowledge them now.
            self.session.counters["ignored_while_stopping"] += 1
            return
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
                    self._sender.answered(request, ack)
                case protocol.DecisionNeeded(message):
                    # Door mode 3: Home Assistant's answer is the record's PushAck.
                    self.access.async_receive(message)
                case protocol.RecordReceived(record):
                    delivered = True
                    if (arrival := self.records.fire(record)) is not None:
                        arrivals.append(arrival)
                case protocol.PresenceChanged(online, reason):
                    self._set_online(online, reason)
                case protocol.Announced(message):
                    self.identity.async_announced(message)
                    self.recovery.async_reconnected()
                    self.screen_qr.async_announced()
                case protocol.ClockReading(terminal_time):
                    self.clock.async_reading(terminal_time)
                case protocol.Dropped():
                    self._drop_log.log(event)
        if delivered:
            self.journal.async_changed()
        if acknowledgements:
            self.journal.async_acknowledge(acknowledgements)
        if replies or arrivals:
            self.hass.loop.call_soon(self._after_events, arrivals, replies)
        self._sender.pump()

    def _after_events(
        self, arrivals: list[TerminalRecord], replies: list[protocol.Command]
    ) -> None:
        """Entity updates and replies (an ``Online-Ack``), once the events are out.

        A record's bus event fires first. Home Assistant's WebSocket connections queue
        what an event sends and write it in the next loop pass, woken while the event
        fired; this runs in that same next pass, after them (the loop runs its ready
        callbacks in order). So the state writes no longer delay the event for anyone,
        and the entities' changes follow one pass later, not two (issue 23, measured in
        docs/benchmarks.md). ``PushAck``s go through the delivery journal instead
        (`delivery`).
        """
        if self.session.closed:
            return
        self.records.deliver(arrivals)
        for command in replies:
            self._sender.publish_now(command)

    def _set_online(self, online: bool, reason: str | None) -> None:
        if online == self.state.online:
            return
        self.state.online = online
        if online:
            LOGGER.info("Terminal %s (%s) is online", self.display_name, self.terminal_id)
            if self._offline_since is not None:
                self._sender.reconnected(self._offline_since)
                self._offline_since = None
        else:
            self._offline_since = self.hass.loop.time()
            LOGGER.info(
                "Terminal %s (%s) is offline: %s", self.display_name, self.terminal_id, reason
            )
        for listener in list(self._presence_listeners):
            listener()
