"""The integration's one subscription to the shared presence topics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.components import mqtt
from homeassistant.const import CONF_NAME
from homeassistant.helpers import discovery_flow
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_mqtt_message

from custom_components.face_terminal.const import (
    CONF_COMMAND_TOPIC,
    CONF_TERMINAL_ID,
    DOMAIN,
)
from custom_components.face_terminal.coordinator import FaceTerminal
from custom_components.face_terminal.router import ROUTER_KEY

from . import payloads
from .conftest import TerminalResponder, setup_entry
from .payloads import BASIC_TOPIC, HEARTBEAT_TOPIC

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant

TERMINAL_IDS = [f"90000{number:02d}" for number in range(5)]


def terminal_entry(terminal_id: str) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Door {terminal_id}",
        unique_id=terminal_id,
        data={
            CONF_TERMINAL_ID: terminal_id,
            CONF_COMMAND_TOPIC: f"mqtt/face/{terminal_id}",
            CONF_NAME: f"Door {terminal_id}",
        },
        version=1,
    )


@pytest.fixture
def presence_calls() -> Generator[list[str]]:
    """Terminal IDs of every presence message a runtime was handed."""
    calls: list[str] = []
    real = FaceTerminal._async_presence

    def spy(self: FaceTerminal, message: Any, retained: bool) -> None:
        calls.append(self.terminal_id)
        real(self, message, retained)

    with patch.object(FaceTerminal, "_async_presence", spy):
        yield calls


@pytest.fixture
def subscriptions() -> Generator[list[str]]:
    """Topics subscribed through `mqtt.async_subscribe` by the integration."""
    topics: list[str] = []
    real = mqtt.async_subscribe

    async def spy(hass: HomeAssistant, topic: str, *args: Any, **kwargs: Any) -> Any:
        topics.append(topic)
        return await real(hass, topic, *args, **kwargs)

    with (
        patch("custom_components.face_terminal.coordinator.mqtt.async_subscribe", spy),
        patch("custom_components.face_terminal.router.mqtt.async_subscribe", spy),
        patch("custom_components.face_terminal.responses.mqtt.async_subscribe", spy),
    ):
        yield topics


async def test_n_terminals_cost_n_route_calls(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    presence_calls: list[str],
    subscriptions: list[str],
) -> None:
    """One heartbeat round of N terminals reaches N runtimes once each, not N²."""
    entries = [terminal_entry(terminal_id) for terminal_id in TERMINAL_IDS]
    for entry in entries:
        await setup_entry(hass, entry)
    # The shared topics once, and the terminals' responses through one shared wildcard
    # (not one per terminal, nor 15 spellings each).
    assert sorted(subscriptions) == sorted([BASIC_TOPIC, HEARTBEAT_TOPIC, "mqtt/face/+/+"])
    presence_calls.clear()
    for terminal_id in TERMINAL_IDS:
        async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat(terminal_id))
    await hass.async_block_till_done()
    assert sorted(presence_calls) == sorted(TERMINAL_IDS)
    for entry in entries:
        assert entry.runtime_data.state.online


async def test_router_lives_from_the_first_to_the_last_terminal(
    hass: HomeAssistant, terminal: TerminalResponder, presence_calls: list[str]
) -> None:
    first, second = (terminal_entry(terminal_id) for terminal_id in TERMINAL_IDS[:2])
    await setup_entry(hass, first)
    router = hass.data[ROUTER_KEY]
    await setup_entry(hass, second)
    assert hass.data[ROUTER_KEY] is router
    assert set(router.routes) == set(TERMINAL_IDS[:2])

    assert await hass.config_entries.async_unload(first.entry_id)
    assert set(router.routes) == {TERMINAL_IDS[1]}
    assert await hass.config_entries.async_unload(second.entry_id)
    await hass.async_block_till_done()
    assert ROUTER_KEY not in hass.data
    # Unsubscribed: nothing reaches a runtime any more.
    presence_calls.clear()
    async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat(TERMINAL_IDS[1]))
    await hass.async_block_till_done()
    assert presence_calls == []


async def test_unknown_heartbeat_starts_one_discovery_flow(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """A heartbeating terminal no entry knows is offered once, not on every heartbeat."""
    router = hass.data[ROUTER_KEY]
    for _ in range(3):
        async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat("7654321"))
        await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["unique_id"] for flow in flows] == ["7654321"]
    assert router.unrouted == 3


async def test_offered_ids_are_bounded(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """IDs come from any host on the broker: the memory of offered IDs is bounded."""
    real = discovery_flow.async_create_flow
    with (
        patch("custom_components.face_terminal.router.MAX_OFFERED_IDS", 1),
        patch(
            "custom_components.face_terminal.router.discovery_flow.async_create_flow",
            wraps=real,
        ) as create_flow,
    ):
        for terminal_id in ("7000001", "7000002", "7000001"):
            async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat(terminal_id))
            await hass.async_block_till_done()
    # The first ID was forgotten, but its card is still shown: not offered again.
    assert create_flow.call_count == 2
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert sorted(flow["context"]["unique_id"] for flow in flows) == ["7000001", "7000002"]


async def test_configured_and_basic_topic_terminals_are_not_offered(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Known IDs (also ignored or unloaded ones) get no flow; `Online` is HA discovery's."""
    MockConfigEntry(domain=DOMAIN, unique_id="7000001", source="ignore").add_to_hass(hass)
    async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat("7000001"))
    # Heartbeats of a configured terminal start no flow either (no longer in the manifest).
    async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
    # The manifest's discovery topic: HA's MQTT discovery offers it, the router does not.
    async_fire_mqtt_message(hass, BASIC_TOPIC, payloads.online("7000002"))
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["unique_id"] for flow in flows] == ["7000002"]
    assert flows[0]["context"]["discovery_key"].domain == "mqtt"


@pytest.mark.parametrize(
    "payload",
    [b"not json", payloads.dump({"operator": "HeartBeat", "info": {}})],
    ids=["malformed", "no_id"],
)
async def test_unroutable_presence_is_counted(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    loaded_entry: MockConfigEntry,
    presence_calls: list[str],
    payload: bytes,
) -> None:
    router = hass.data[ROUTER_KEY]
    async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payload)
    await hass.async_block_till_done()
    assert presence_calls == []
    assert router.malformed + router.unrouted == 1
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_shared_topics_are_checked_for_kind(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Issue 9 item 2: a record on the basic topic is not a recognition."""
    events: list[Any] = []
    hass.bus.async_listen("face_terminal_recognition", events.append)
    async_fire_mqtt_message(hass, BASIC_TOPIC, payloads.rec_push())
    await hass.async_block_till_done()
    assert events == []
    assert loaded_entry.runtime_data.drops["wrong_topic"] == 1


async def test_offers_wait_while_the_discovery_list_is_full(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """At the cap a heartbeat starts no flow: the terminal waits and is offered later."""
    router = hass.data[ROUTER_KEY]
    with patch("custom_components.face_terminal.router.MAX_PENDING_DISCOVERIES", 1):
        for terminal_id in ("7000001", "7000002"):
            async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat(terminal_id))
            await hass.async_block_till_done()
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["unique_id"] for flow in flows] == ["7000001"]
        assert router.refused_offers == 1

        hass.config_entries.flow.async_abort(flows[0]["flow_id"])
        async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat("7000002"))
        await hass.async_block_till_done()
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["unique_id"] for flow in flows] == ["7000002"]


async def test_waiting_terminals_are_offered_with_the_next_message(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Once a card goes, the first waiting terminal is offered with any presence message."""
    router = hass.data[ROUTER_KEY]
    with patch("custom_components.face_terminal.router.MAX_PENDING_DISCOVERIES", 1):
        for terminal_id in ("7000001", "7000002", "7000003", "7000002"):
            async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat(terminal_id))
            await hass.async_block_till_done()
        assert router.waiting == 2  # 7000002 heard twice, waits once, keeps its place
        assert router.refused_offers == 2

        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        hass.config_entries.flow.async_abort(flows[0]["flow_id"])
        # The configured terminal's own heartbeat makes room for the first in line.
        async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
        await hass.async_block_till_done()
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["unique_id"] for flow in flows] == ["7000002"]
        assert router.waiting == 1

        # Nothing more while the list is full.
        async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
        await hass.async_block_till_done()
        assert router.waiting == 1


async def test_the_waiting_queue_is_bounded(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Made-up IDs cannot grow the queue: the oldest waiting ID is dropped."""
    router = hass.data[ROUTER_KEY]
    with (
        patch("custom_components.face_terminal.router.MAX_PENDING_DISCOVERIES", 1),
        patch("custom_components.face_terminal.router.MAX_OFFERED_IDS", 2),
    ):
        for number in range(1, 6):
            async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat(f"700000{number}"))
            await hass.async_block_till_done()
        assert router.waiting == 2
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        hass.config_entries.flow.async_abort(flows[0]["flow_id"])
        async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
        await hass.async_block_till_done()
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        # 7000002 and 7000003 were pushed out by 7000004 and 7000005.
        assert [flow["context"]["unique_id"] for flow in flows] == ["7000004"]


async def test_room_is_counted_once_per_refill(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """A flow counts only once its first step ran: the refill never offers past the room."""
    router = hass.data[ROUTER_KEY]
    with patch("custom_components.face_terminal.router.MAX_PENDING_DISCOVERIES", 1):
        for terminal_id in ("7000001", "7000002", "7000003"):
            async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat(terminal_id))
            await hass.async_block_till_done()
        assert router.waiting == 2
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        hass.config_entries.flow.async_abort(flows[0]["flow_id"])
        with patch.object(discovery_flow, "async_create_flow") as create_flow:
            async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
            await hass.async_block_till_done()
        # One slot: one offer, although the offered flow has not started yet.
        assert create_flow.call_count == 1
        assert router.waiting == 1


async def test_a_terminal_whose_card_is_shown_does_not_wait(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Offered for its Online, its heartbeats neither queue it nor take a freed slot."""
    router = hass.data[ROUTER_KEY]
    with patch("custom_components.face_terminal.router.MAX_PENDING_DISCOVERIES", 1):
        async_fire_mqtt_message(hass, BASIC_TOPIC, payloads.online("7000001"))
        await hass.async_block_till_done()
        for terminal_id in ("7000001", "7000002"):
            async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat(terminal_id))
            await hass.async_block_till_done()
        assert router.waiting == 1  # only 7000002
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        await hass.config_entries.flow.async_configure(flows[0]["flow_id"], {})
        await hass.async_block_till_done()
        async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
        await hass.async_block_till_done()
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["unique_id"] for flow in flows] == ["7000002"]


async def test_a_confirmed_card_makes_room_at_once(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Terminals that connected together heartbeat together: no wait for the next round."""
    with patch("custom_components.face_terminal.router.MAX_PENDING_DISCOVERIES", 1):
        for terminal_id in ("7000001", "7000002"):
            async_fire_mqtt_message(hass, HEARTBEAT_TOPIC, payloads.heartbeat(terminal_id))
            await hass.async_block_till_done()
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        await hass.config_entries.flow.async_configure(flows[0]["flow_id"], {})
        await hass.async_block_till_done()
        # No presence message since: the new terminal's setup offered the next card.
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["unique_id"] for flow in flows] == ["7000002"]


async def test_an_online_refused_for_a_full_list_waits(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Refused by the full list on its Online, a terminal waits in line, not 30 s."""
    router = hass.data[ROUTER_KEY]
    with (
        patch("custom_components.face_terminal.router.MAX_PENDING_DISCOVERIES", 1),
        patch("custom_components.face_terminal.config_flow.MAX_PENDING_DISCOVERIES", 1),
    ):
        for terminal_id in ("7000001", "7000002"):
            async_fire_mqtt_message(hass, BASIC_TOPIC, payloads.online(terminal_id))
            await hass.async_block_till_done()
        assert router.waiting == 1
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["unique_id"] for flow in flows] == ["7000001"]
        await hass.config_entries.flow.async_configure(flows[0]["flow_id"], {})
        await hass.async_block_till_done()
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["unique_id"] for flow in flows] == ["7000002"]
