"""One MQTT subscription for the responses of all terminals, routed by topic.

Each terminal answers on sub-topics of its command topic (``mqtt/face/<ID>/Ack``,
``…/Rec``…). A subscription per terminal (``mqtt/face/<ID>/+``) made every new entry's
setup cost grow with the number of terminals (issue 23, measured with
`scripts/bench_scale_profile.py` and `scripts/bench.py scale --profile-setup`): Home
Assistant's MQTT client clears its topic-matching cache on every new subscription, and
then matches each topic it sees again against every wildcard subscription, one by one.
With N terminals that was N matches per topic, some eight topics per new entry.

Terminals whose command topics share a parent (all of them on the factory-default
topics) now share one subscription, ``<parent>/+/+``, and the `ResponseRouter` hands
each message to the runtimes whose command topic is the message's parent topic: exactly
the messages their own ``<command topic>/+`` matched before. The shared subscription
also brings the responses of terminals on the broker that no entry configures; they are
counted (`unrouted`) and dropped without being parsed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components import mqtt
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from . import protocol
from .const import DOMAIN, SUBSCRIBE_QOS

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.components.mqtt import ReceiveMessage

type ResponseHandler = Callable[[ReceiveMessage], None]

RESPONSE_ROUTER_KEY: HassKey[ResponseRouter] = HassKey(f"{DOMAIN}_response_router")


class ResponseRouter:
    """Shares response subscriptions between terminals; routes by command topic."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the router; terminals subscribe through `async_register`."""
        self.hass = hass
        # Command topic (without a trailing slash) -> the runtimes listening on it.
        self.routes: dict[str, list[ResponseHandler]] = {}
        self.unrouted = 0
        # Shared wildcard -> how many registrations use it, and its unsubscribe.
        self._users: dict[str, int] = {}
        self._unsubscribe: dict[str, CALLBACK_TYPE] = {}

    async def async_register(self, command_topic: str, handler: ResponseHandler) -> CALLBACK_TYPE:
        """Route the responses on `command_topic`'s sub-topics to `handler`.

        Subscribes the shared wildcard if no other terminal did; the returned call
        unregisters (and unsubscribes with the last user).
        """
        route = command_topic.rstrip("/")
        wildcard = protocol.shared_response_wildcard(command_topic)
        self.routes.setdefault(route, []).append(handler)
        users = self._users[wildcard] = self._users.get(wildcard, 0) + 1
        registered = True

        @callback
        def unregister() -> None:
            nonlocal registered
            if not registered:
                return
            registered = False
            handlers = self.routes[route]
            handlers.remove(handler)
            if not handlers:
                del self.routes[route]
            self._users[wildcard] -= 1
            if self._users[wildcard] == 0:
                del self._users[wildcard]
                if (unsubscribe := self._unsubscribe.pop(wildcard, None)) is not None:
                    unsubscribe()
                if not self._users and self.hass.data.get(RESPONSE_ROUTER_KEY) is self:
                    del self.hass.data[RESPONSE_ROUTER_KEY]

        if users == 1:
            try:
                unsubscribe = await mqtt.async_subscribe(
                    self.hass, wildcard, self._async_message_received, SUBSCRIBE_QOS, encoding=None
                )
            except BaseException:
                unregister()
                raise
            # Kept even if others joined and left meanwhile: this registration counts.
            self._unsubscribe[wildcard] = unsubscribe
        return unregister

    @callback
    def _async_message_received(self, msg: ReceiveMessage) -> None:
        handlers = self.routes.get(protocol.response_route(msg.topic))
        if handlers is None:
            self.unrouted += 1
            return
        for handler in handlers:
            handler(msg)


@callback
def async_get_response_router(hass: HomeAssistant) -> ResponseRouter:
    """The integration's response router, created by the first terminal."""
    router = hass.data.get(RESPONSE_ROUTER_KEY)
    if router is None:
        router = hass.data[RESPONSE_ROUTER_KEY] = ResponseRouter(hass)
    return router
