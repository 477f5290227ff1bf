"""The terminals' responses through one shared subscription, routed by command topic."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.components import mqtt
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import async_fire_mqtt_message

from custom_components.face_terminal.responses import (
    RESPONSE_ROUTER_KEY,
    async_get_response_router,
)

from . import payloads
from .conftest import TerminalResponder, setup_entry
from .payloads import BASIC_TOPIC, HEARTBEAT_TOPIC
from .test_router import TERMINAL_IDS, terminal_entry

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.components.mqtt import ReceiveMessage
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.typing import MqttMockHAClient


@pytest.fixture
def subscribed() -> Generator[list[str]]:
    """Topics the integration subscribed, and (prefixed `-`) unsubscribed."""
    topics: list[str] = []
    real = mqtt.async_subscribe

    async def spy(hass: HomeAssistant, topic: str, *args: Any, **kwargs: Any) -> Any:
        topics.append(topic)
        unsubscribe = await real(hass, topic, *args, **kwargs)

        def tracked() -> None:
            topics.append(f"-{topic}")
            unsubscribe()

        return tracked

    with patch("custom_components.face_terminal.responses.mqtt.async_subscribe", spy):
        yield topics


def collector() -> tuple[list[str], Any]:
    received: list[str] = []

    def handler(msg: ReceiveMessage) -> None:
        received.append(msg.topic)

    return received, handler


async def test_responses_reach_only_their_terminal(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, subscribed: list[str]
) -> None:
    router = async_get_response_router(hass)
    first, on_first = collector()
    second, on_second = collector()
    await router.async_register("mqtt/face/1", on_first)
    await router.async_register("mqtt/face/2/", on_second)  # a trailing slash is the same
    assert subscribed == ["mqtt/face/+/+"]  # one for both
    for topic in ("mqtt/face/1/Ack", "mqtt/face/2/Rec", "mqtt/face/3/Ack", "mqtt/face/1"):
        async_fire_mqtt_message(hass, topic, b"{}")
    await hass.async_block_till_done()
    assert first == ["mqtt/face/1/Ack"]
    assert second == ["mqtt/face/2/Rec"]
    assert router.unrouted == 1  # terminal 3 is configured by no entry


async def test_the_last_terminal_unsubscribes(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, subscribed: list[str]
) -> None:
    router = async_get_response_router(hass)
    first, on_first = collector()
    second, on_second = collector()
    unregister_first = await router.async_register("mqtt/face/1", on_first)
    unregister_twin = await router.async_register("mqtt/face/1", on_second)  # same topic
    unregister_other = await router.async_register("door9", on_second)  # no parent
    assert subscribed == ["mqtt/face/+/+", "door9/+"]
    async_fire_mqtt_message(hass, "mqtt/face/1/Ack", b"{}")
    await hass.async_block_till_done()
    assert first == second == ["mqtt/face/1/Ack"]  # both, as with two subscriptions
    unregister_first()
    unregister_first()  # a second call changes nothing
    assert subscribed == ["mqtt/face/+/+", "door9/+"]
    unregister_twin()
    assert subscribed[-1] == "-mqtt/face/+/+"
    assert hass.data[RESPONSE_ROUTER_KEY] is router  # door9 still uses it
    unregister_other()
    assert subscribed[-1] == "-door9/+"
    assert RESPONSE_ROUTER_KEY not in hass.data
    assert async_get_response_router(hass) is not router


async def test_a_failed_subscription_registers_nothing(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> None:
    router = async_get_response_router(hass)
    _, handler = collector()
    with (
        patch(
            "custom_components.face_terminal.responses.mqtt.async_subscribe",
            side_effect=HomeAssistantError("not connected"),
        ),
        pytest.raises(HomeAssistantError),
    ):
        await router.async_register("mqtt/face/1", handler)
    assert router.routes == {}
    assert RESPONSE_ROUTER_KEY not in hass.data


async def test_terminals_share_one_response_subscription(
    hass: HomeAssistant, terminal: TerminalResponder, subscribed: list[str]
) -> None:
    """N entries: one response subscription; each entry's answers reach its runtime."""
    entries = [terminal_entry(terminal_id) for terminal_id in TERMINAL_IDS]
    for entry in entries:
        await setup_entry(hass, entry)
    presence = {BASIC_TOPIC, HEARTBEAT_TOPIC, f"-{BASIC_TOPIC}", f"-{HEARTBEAT_TOPIC}"}
    assert [topic for topic in subscribed if topic not in presence] == ["mqtt/face/+/+"]
    # A record on one terminal's topic reaches that terminal's runtime only.
    record = payloads.rec_push(record_id="41", terminal_id=TERMINAL_IDS[2])
    events: list[Any] = []
    hass.bus.async_listen("face_terminal_recognition", events.append)
    async_fire_mqtt_message(hass, f"mqtt/face/{TERMINAL_IDS[2]}/Rec", record)
    await hass.async_block_till_done()
    assert [event.data["terminal_id"] for event in events] == [TERMINAL_IDS[2]]
    for entry in entries:
        assert await hass.config_entries.async_unload(entry.entry_id)
    assert [topic for topic in subscribed if topic not in presence] == [
        "mqtt/face/+/+",
        "-mqtt/face/+/+",
    ]
