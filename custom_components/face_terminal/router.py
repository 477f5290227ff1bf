"""One subscription to the shared presence topics for all terminals.

Every terminal publishes ``Online``/``Offline`` on ``mqtt/face/basic`` and ``HeartBeat``
on ``mqtt/face/heartbeat``; only the payload says which terminal spoke (Q-11). Rather
than every runtime subscribing to both topics and parsing every other terminal's
messages (N terminals: N² callbacks per heartbeat round), the `PresenceRouter` holds the
integration's single subscription, parses each message once and hands it to the one
runtime registered for its terminal ID.

Discovery: the manifest's ``mqtt`` key lists only the basic topic, so Home Assistant's
MQTT discovery offers a terminal when it connects (``Online``) even before any entry of
this integration exists. The heartbeat topic is not in the manifest: HA's discovery only
skips a payload identical to the last one, and every heartbeat carries a new time, so
each heartbeat of every configured terminal would start a flow that aborts at once.
Instead, while the router runs (at least one terminal is set up), a heartbeat from an ID
no entry knows starts one discovery flow, once per ID while the router lives. That finds
terminals that were already connected when they were first seen.

At most `MAX_PENDING_DISCOVERIES` discovered terminals wait for the user at once (the IDs
come from any host on the broker). A terminal heard while the list is full waits in a
bounded queue and is offered, in the order heard, with the next presence message after a
card was confirmed or ignored, rather than only with its own next heartbeat (30 s
later): a site adding hundreds of terminals sees the next cards at once.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Final

from homeassistant.components import mqtt
from homeassistant.config_entries import SOURCE_MQTT
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import discovery_flow
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo
from homeassistant.util.hass_dict import HassKey

from . import protocol
from .const import DOMAIN, LOGGER, MAX_PENDING_DISCOVERIES, MQTT_QOS

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.components.mqtt import ReceiveMessage

type PresenceHandler = Callable[[protocol.Message, bool], None]
"""Called with a parsed presence message of the terminal and whether it was retained."""

ROUTER_KEY: HassKey[PresenceRouter] = HassKey(f"{DOMAIN}_presence_router")
# Unknown IDs remembered so that each starts one discovery flow; bounded because the
# IDs come from any host on the broker.
MAX_OFFERED_IDS: Final = 256


class PresenceRouter:
    """Routes presence messages by terminal ID; offers unknown heartbeating terminals."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the router; `async_start` subscribes."""
        self.hass = hass
        self.routes: dict[str, PresenceHandler] = {}
        self.unrouted = 0
        self.malformed = 0
        self._offered: OrderedDict[str, None] = OrderedDict()
        # Terminals heard while the discovery list was full: ID -> its latest heartbeat.
        self._waiting: OrderedDict[str, ReceiveMessage] = OrderedDict()
        self.refused_offers = 0
        self._unsubscribe: list[CALLBACK_TYPE] = []

    async def async_start(self) -> None:
        """Subscribe to both shared presence topics."""
        for topic in (protocol.BASIC_TOPIC, protocol.HEARTBEAT_TOPIC):
            self._unsubscribe.append(
                await mqtt.async_subscribe(
                    self.hass, topic, self._async_message_received, MQTT_QOS, encoding=None
                )
            )

    @callback
    def async_register(self, terminal_id: str, handler: PresenceHandler) -> CALLBACK_TYPE:
        """Route the terminal's presence messages to `handler` until the returned call."""
        self.routes[terminal_id] = handler
        if self._waiting:
            # A confirmed card made room: offer the next one now, not with the next
            # presence message (terminals that connected together heartbeat together).
            self._async_offer_waiting()

        @callback
        def unregister() -> None:
            if self.routes.get(terminal_id) is handler:
                del self.routes[terminal_id]
            if not self.routes:
                self._async_stop()

        return unregister

    @callback
    def _async_stop(self) -> None:
        """The last terminal went: unsubscribe and forget the router."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self.hass.data.get(ROUTER_KEY) is self:
            del self.hass.data[ROUTER_KEY]

    @callback
    def _async_message_received(self, msg: ReceiveMessage) -> None:
        payload = msg.payload
        if isinstance(payload, str):
            payload = payload.encode()
        try:
            message = protocol.parse_message(msg.topic, payload)
        except protocol.ProtocolError:
            self.malformed += 1
            return
        terminal_id = protocol.normalise_terminal_id(message.facesluice_id)
        if terminal_id is None:
            self.unrouted += 1
            return
        handler = self.routes.get(terminal_id)
        if handler is not None:
            handler(message, msg.retain)
        else:
            self.unrouted += 1
            if msg.topic == protocol.HEARTBEAT_TOPIC and isinstance(message, protocol.HeartBeat):
                self._async_offer(terminal_id, msg)
            elif (
                msg.topic == protocol.BASIC_TOPIC
                and isinstance(message, protocol.Online)
                and pending_discoveries(self.hass) >= MAX_PENDING_DISCOVERIES
            ):
                # HA's MQTT discovery offers an Online, but not into a full list: it
                # waits here instead of until its first heartbeat.
                self._async_offer(terminal_id, msg)
        if self._waiting:
            self._async_offer_waiting()

    @property
    def waiting(self) -> int:
        """Terminals waiting for room in the discovery list."""
        return len(self._waiting)

    @callback
    def _async_offer_waiting(self) -> None:
        """Offer waiting terminals, first heard first, while the discovery list has room."""
        # Counted once: a flow counts only once its first step ran, and one started
        # into a full list aborts and is not offered again by the router.
        room = MAX_PENDING_DISCOVERIES - pending_discoveries(self.hass)
        while room > 0 and self._waiting:
            terminal_id, msg = self._waiting.popitem(last=False)
            # Those configured or shown meanwhile (their Online) take no room.
            if self._async_offer(terminal_id, msg):
                room -= 1

    @callback
    def _async_offer(self, terminal_id: str, msg: ReceiveMessage) -> bool:
        """Start a discovery flow for a heartbeating terminal no entry knows (once).

        True when a flow was started.
        """
        if terminal_id in self._offered:
            return False
        if self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, terminal_id):
            return False  # configured, ignored or disabled: nothing to offer
        if self.hass.config_entries.flow.async_progress_by_handler(
            DOMAIN, match_context={"unique_id": terminal_id}
        ):
            return False  # its card is shown already (offered for its Online)
        if pending_discoveries(self.hass) >= MAX_PENDING_DISCOVERIES:
            # Not offered yet: it waits (its place kept, its latest heartbeat stored).
            if terminal_id not in self._waiting:
                self.refused_offers += 1
            self._waiting[terminal_id] = msg
            if len(self._waiting) > MAX_OFFERED_IDS:
                self._waiting.popitem(last=False)  # the oldest retries with its heartbeat
            return False
        self._waiting.pop(terminal_id, None)
        self._offered[terminal_id] = None
        if len(self._offered) > MAX_OFFERED_IDS:
            self._offered.popitem(last=False)
        LOGGER.debug("Offering terminal %s, heard on %s", terminal_id, msg.topic)
        discovery_flow.async_create_flow(
            self.hass,
            DOMAIN,
            context={"source": SOURCE_MQTT},
            data=MqttServiceInfo(
                topic=msg.topic,
                payload=msg.payload,
                qos=msg.qos,
                retain=msg.retain,
                subscribed_topic=msg.subscribed_topic,
                timestamp=msg.timestamp,
            ),
        )
        return True


async def async_get_router(hass: HomeAssistant) -> PresenceRouter:
    """The integration's router, created (and subscribed) by the first terminal."""
    router = hass.data.get(ROUTER_KEY)
    if router is None:
        router = hass.data[ROUTER_KEY] = PresenceRouter(hass)
        await router.async_start()
    return router


@callback
def pending_discoveries(hass: HomeAssistant) -> int:
    """Terminals discovered over MQTT that wait for the user's confirmation.

    A confirmed card's flow stays in progress until its entry is set up; its entry
    exists by then, and it no longer counts.
    """
    entries = hass.config_entries
    count = 0
    for flow in entries.flow.async_progress_by_handler(DOMAIN):
        context = flow["context"]
        unique_id = context.get("unique_id") or ""  # a waiting card always has one
        if (
            context.get("source") == SOURCE_MQTT
            and entries.async_entry_for_domain_unique_id(DOMAIN, unique_id) is None
        ):
            count += 1
    return count
