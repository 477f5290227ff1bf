"""Tests of the config flow: discovery, manual setup, reconfigure and options."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import AsyncMock, Mock, patch

import pytest
from homeassistant.components import mqtt
from homeassistant.config_entries import SOURCE_MQTT, SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import Event, callback
from homeassistant.data_entry_flow import (
    EVENT_DATA_ENTRY_FLOW_PROGRESS_UPDATE,
    FlowResult,
    FlowResultType,
    InvalidData,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo

from custom_components.face_terminal.const import (
    CONF_ACCESS_DEFAULT,
    CONF_ACCESS_WINDOW,
    CONF_ACKNOWLEDGE_RECORDS,
    CONF_COMMAND_TOPIC,
    CONF_DOOR_OPEN_TIME,
    CONF_FIRMWARE_FOLDER,
    CONF_IP,
    CONF_OFFLINE_TIMEOUT,
    CONF_PERSON_LINKS,
    CONF_RECOVER_RECORDS,
    CONF_TERMINAL_ID,
    CONF_UNLOCK_MESSAGE,
    DOMAIN,
)
from custom_components.face_terminal.occupancy.const import (
    CONF_ASSUME_LEFT_AFTER,
    CONF_DOOR_ROLE,
    CONF_SITE,
)

from . import payloads
from .conftest import TerminalResponder, fire
from .payloads import (
    ACK_TOPIC,
    BASIC_TOPIC,
    COMMAND_TOPIC,
    HEARTBEAT_TOPIC,
    REC_TOPIC,
    TERMINAL_ID,
)

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Callable, Generator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import MqttMockHAClient

FLOW = "custom_components.face_terminal.config_flow"
REPLIES = f"{COMMAND_TOPIC}/+"  # the runtime's one subscription to the replies


@pytest.fixture(autouse=True)
def mock_setup_entry() -> Generator[AsyncMock]:
    """Created entries are not really set up: these tests are about the flow."""
    with (
        patch("custom_components.face_terminal.async_setup_entry", return_value=True) as setup,
        patch("custom_components.face_terminal.async_unload_entry", return_value=True),
    ):
        yield setup


@pytest.fixture(autouse=True)
async def close_mqtt_socket(hass: HomeAssistant, mqtt_client_mock: Any) -> AsyncGenerator[None]:
    """Close the mocked broker socket at the end, which stops MQTT's 1 s misc timer."""
    yield
    mqtt_client_mock.on_socket_close(mqtt_client_mock, None, Mock(fileno=Mock(return_value=-1)))


class Subscriptions:
    """The flow's subscriptions through `mqtt.async_subscribe`: all made, and still active."""

    def __init__(self) -> None:
        self.made: list[str] = []
        self.active: list[str] = []


@pytest.fixture(autouse=True)
def listening() -> Generator[Subscriptions]:
    """Spy on the subscriptions the flow makes and drops."""
    spy = Subscriptions()
    real_subscribe = mqtt.async_subscribe

    async def subscribe(
        hass: HomeAssistant, topic: str, msg_callback: Any, qos: int = 0, encoding: Any = "utf-8"
    ) -> Callable[[], None]:
        unsubscribe = await real_subscribe(hass, topic, msg_callback, qos, encoding)
        spy.made.append(topic)
        spy.active.append(topic)

        def undo() -> None:
            spy.active.remove(topic)
            unsubscribe()

        return undo

    with patch("homeassistant.components.mqtt.async_subscribe", subscribe):
        yield spy


@pytest.fixture
def no_wait() -> Generator[None]:
    """The user step gives up listening at once."""
    with patch(f"{FLOW}.PROBE_TIMEOUT", 0):
        yield


def service_info(topic: str, payload: bytes | str) -> MqttServiceInfo:
    """What MQTT discovery hands to the flow."""
    return MqttServiceInfo(
        topic=topic,
        payload=payload,
        qos=0,
        retain=False,
        subscribed_topic=topic,
        timestamp=0.0,
    )


async def discover(hass: HomeAssistant, topic: str, payload: bytes | str) -> FlowResult:
    """Start a discovery flow."""
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_MQTT}, data=service_info(topic, payload)
    )


async def start_user(hass: HomeAssistant) -> FlowResult:
    """Start a manual flow and pick the MQTT terminal in the menu."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["find_terminals", "mqtt_terminal", "jovision"]
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "mqtt_terminal"}
    )


def assert_listened(listening: Subscriptions, command_topic: str = COMMAND_TOPIC) -> None:
    """The user step listened on presence and reply topics, and dropped it all afterwards."""
    assert listening.made == [BASIC_TOPIC, HEARTBEAT_TOPIC, f"{command_topic}/+"]
    assert listening.active == []


async def submit_while_listening(
    hass: HomeAssistant,
    listening: Subscriptions,
    flow_id: str,
    user_input: dict[str, Any],
    messages: list[tuple[str, bytes]],
) -> FlowResult:
    """Submit the user form and deliver `messages` once the flow listens on every topic."""
    task = asyncio.create_task(hass.config_entries.flow.async_configure(flow_id, user_input))
    for _ in range(200):
        if REPLIES in listening.active:
            break
        await asyncio.sleep(0)
    else:
        raise AssertionError("the flow did not subscribe")
    for topic, payload in messages:
        fire(hass, topic, payload)
    return await task


def dump(message: dict[str, Any]) -> bytes:
    return json.dumps(message).encode()


# --- discovery --------------------------------------------------------------------------


async def test_discovery_online(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> None:
    """An Online message leads to a confirm step and an entry with name and IP."""
    result = await discover(hass, BASIC_TOPIC, payloads.online())
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {
        "name": "Front door",
        "terminal_id": TERMINAL_ID,
        "ip": "192.168.1.50",
    }
    flows = hass.config_entries.flow.async_progress()
    assert flows[0]["context"]["title_placeholders"] == {"name": "Front door"}
    assert flows[0]["context"]["unique_id"] == TERMINAL_ID

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Front door"
    assert result["data"] == {
        CONF_TERMINAL_ID: TERMINAL_ID,
        CONF_COMMAND_TOPIC: COMMAND_TOPIC,
        CONF_NAME: "Front door",
        CONF_IP: "192.168.1.50",
    }
    assert result["result"].unique_id == TERMINAL_ID


async def test_discovery_heartbeat(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> None:
    """A HeartBeat has no name and no IP: the flow shows and stores what it knows."""
    result = await discover(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {
        "name": f"Face terminal {TERMINAL_ID}",
        "terminal_id": TERMINAL_ID,
        "ip": "-",
    }

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Face terminal {TERMINAL_ID}"
    assert result["data"] == {
        CONF_TERMINAL_ID: TERMINAL_ID,
        CONF_COMMAND_TOPIC: COMMAND_TOPIC,
        CONF_NAME: f"Face terminal {TERMINAL_ID}",
        CONF_IP: None,
    }


async def test_discovery_cloud_client_id(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> None:
    """A `group@@@device` client ID gives the device part as terminal ID."""
    payload = payloads.online(f"GID_face@@@{TERMINAL_ID}", name="")
    result = await discover(hass, BASIC_TOPIC, payload.decode())
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"]["terminal_id"] == TERMINAL_ID
    assert result["description_placeholders"]["name"] == f"Face terminal {TERMINAL_ID}"

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["result"].unique_id == TERMINAL_ID
    assert result["data"][CONF_COMMAND_TOPIC] == COMMAND_TOPIC


async def test_discovery_of_an_id_with_a_dot_is_shown_and_refused(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> None:
    """A terminal ID with a dot breaks on RabbitMQ: its card says so and adds nothing."""
    result = await discover(hass, BASIC_TOPIC, payloads.online("door.1"))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["errors"] == {"base": "terminal_id_with_dot"}
    assert result["description_placeholders"]["terminal_id"] == "door.1"

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "terminal_id_with_dot"
    assert result["description_placeholders"] == {"terminal_id": "door.1"}
    assert hass.config_entries.async_entries(DOMAIN) == []


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        (BASIC_TOPIC, payloads.offline(), "not_online"),
        (BASIC_TOPIC, dump({"operator": "SomethingNew", "info": {}}), "not_online"),
        (BASIC_TOPIC, payloads.ack("Online", "1"), "not_online"),
        (BASIC_TOPIC, b"not json at all", "invalid_discovery_info"),
        (BASIC_TOPIC, b"[1, 2]", "invalid_discovery_info"),
        (BASIC_TOPIC, b"", "invalid_discovery_info"),
        (BASIC_TOPIC, dump({"operator": "Online", "info": {"ip": "1.2.3.4"}}), "no_terminal_id"),
        (HEARTBEAT_TOPIC, dump({"operator": "HeartBeat"}), "no_terminal_id"),
        (BASIC_TOPIC, payloads.online("door/1"), "invalid_discovery_info"),
        (BASIC_TOPIC, payloads.online("door+1"), "invalid_discovery_info"),
    ],
)
async def test_discovery_aborts(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    topic: str,
    payload: bytes,
    reason: str,
) -> None:
    """Everything but a presence message with a usable terminal ID aborts."""
    result = await discover(hass, topic, payload)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason


async def test_discovery_never_moves_the_ip(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, config_entry: MockConfigEntry
) -> None:
    """An Online of a configured terminal is a claim: it aborts and changes nothing."""
    config_entry.add_to_hass(hass)
    result = await discover(hass, BASIC_TOPIC, payloads.online(ip="192.168.1.77"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert config_entry.data[CONF_IP] == "192.168.1.50"
    assert config_entry.data[CONF_COMMAND_TOPIC] == COMMAND_TOPIC


async def test_discovery_heartbeat_configured(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, config_entry: MockConfigEntry
) -> None:
    """A HeartBeat without IP of a configured terminal leaves the entry alone."""
    config_entry.add_to_hass(hass)
    result = await discover(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert config_entry.data[CONF_IP] == "192.168.1.50"


async def test_discovery_already_in_progress(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> None:
    """The next heartbeat of a terminal that waits for confirmation starts no new flow."""
    result = await discover(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
    assert result["type"] is FlowResultType.FORM
    result = await discover(hass, BASIC_TOPIC, payloads.online())
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_in_progress"


# --- manual setup -----------------------------------------------------------------------


async def test_user_heard_online(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, listening: Subscriptions
) -> None:
    """The terminal's Online arrives while the flow listens: name and IP come from it."""
    result = await start_user(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "mqtt_terminal"
    assert result["errors"] == {}

    result = await submit_while_listening(
        hass,
        listening,
        result["flow_id"],
        {CONF_TERMINAL_ID: f" {TERMINAL_ID} "},
        [(BASIC_TOPIC, payloads.online(ip="192.168.1.60", name="Gate"))],
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Gate"
    assert result["data"] == {
        CONF_TERMINAL_ID: TERMINAL_ID,
        CONF_COMMAND_TOPIC: COMMAND_TOPIC,
        CONF_NAME: "Gate",
        CONF_IP: "192.168.1.60",
    }
    assert result["result"].unique_id == TERMINAL_ID
    assert_listened(listening)


async def test_user_ignores_other_messages(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    listening: Subscriptions,
) -> None:
    """Other terminals, other operators and garbage do not count as the terminal."""
    result = await start_user(hass)
    result = await submit_while_listening(
        hass,
        listening,
        result["flow_id"],
        {CONF_TERMINAL_ID: TERMINAL_ID, CONF_NAME: "  "},
        [
            (BASIC_TOPIC, b"garbage"),
            (BASIC_TOPIC, payloads.online("999", ip="10.0.0.9", name="Other")),
            (BASIC_TOPIC, payloads.offline()),
            (ACK_TOPIC, payloads.heartbeat()),
            (ACK_TOPIC, b"{broken"),
            (HEARTBEAT_TOPIC, payloads.heartbeat("999")),
            (BASIC_TOPIC, payloads.online(name="")),
        ],
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Face terminal {TERMINAL_ID}"
    assert result["data"][CONF_IP] == "192.168.1.50"
    assert result["data"][CONF_NAME] == f"Face terminal {TERMINAL_ID}"
    assert_listened(listening)


async def test_user_heard_heartbeat(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, listening: Subscriptions
) -> None:
    """A HeartBeat is enough; the user's name and topic are kept."""
    heartbeat = dump(
        {"operator": "HeartBeat", "info": {"facesluiceId": TERMINAL_ID, "ip": "192.168.1.61"}}
    )
    result = await start_user(hass)
    result = await submit_while_listening(
        hass,
        listening,
        result["flow_id"],
        {
            CONF_TERMINAL_ID: TERMINAL_ID,
            CONF_COMMAND_TOPIC: f"{COMMAND_TOPIC}/",
            CONF_NAME: " Back door ",
        },
        [(HEARTBEAT_TOPIC, heartbeat)],
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Back door"
    assert result["data"] == {
        CONF_TERMINAL_ID: TERMINAL_ID,
        CONF_COMMAND_TOPIC: COMMAND_TOPIC,
        CONF_NAME: "Back door",
        CONF_IP: "192.168.1.61",
    }


async def test_user_heard_ack(
    hass: HomeAssistant, terminal: TerminalResponder, listening: Subscriptions
) -> None:
    """A terminal that answers the version query is there at once."""
    result = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TERMINAL_ID: TERMINAL_ID}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_TERMINAL_ID: TERMINAL_ID,
        CONF_COMMAND_TOPIC: COMMAND_TOPIC,
        CONF_NAME: f"Face terminal {TERMINAL_ID}",
        CONF_IP: None,
    }
    assert terminal.operators() == ["Versions"]
    assert terminal.last("Versions")["info"]["facesluiceId"] == TERMINAL_ID
    assert_listened(listening)


async def test_user_heard_ack_in_any_spelling(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, listening: Subscriptions
) -> None:
    """An answer on the reply topic in another firmware's spelling counts too."""
    result = await start_user(hass)
    result = await submit_while_listening(
        hass,
        listening,
        result["flow_id"],
        {CONF_TERMINAL_ID: TERMINAL_ID},
        [(f"{COMMAND_TOPIC}/ack", payloads.ack("Versions", "1"))],
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert_listened(listening)


async def test_user_ack_on_another_topic_is_not_heard(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, listening: Subscriptions
) -> None:
    """An answer counts only on the reply topic of its kind, as in the runtime's session."""
    result = await start_user(hass)
    with patch(f"{FLOW}.PROBE_TIMEOUT", 0.2):
        result = await submit_while_listening(
            hass,
            listening,
            result["flow_id"],
            {CONF_TERMINAL_ID: TERMINAL_ID},
            [
                (REC_TOPIC, payloads.ack("Versions", "1")),
                (f"{COMMAND_TOPIC}/Rec/Ack", payloads.ack("Versions", "2")),
            ],
        )
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "not_heard"
    assert_listened(listening)


async def test_user_publish_fails(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, listening: Subscriptions
) -> None:
    """When the version query cannot be sent, the flow still listens."""
    result = await start_user(hass)
    with patch(
        "homeassistant.components.mqtt.async_publish", side_effect=HomeAssistantError("boom")
    ) as publish:
        result = await submit_while_listening(
            hass,
            listening,
            result["flow_id"],
            {CONF_TERMINAL_ID: TERMINAL_ID},
            [(BASIC_TOPIC, payloads.online())],
        )
    assert publish.called
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Front door"
    assert_listened(listening)


@pytest.mark.usefixtures("no_wait")
async def test_user_not_heard_add_anyway(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    listening: Subscriptions,
) -> None:
    """A silent terminal gets a warning; the user can add it anyway."""
    result = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_TERMINAL_ID: TERMINAL_ID, CONF_COMMAND_TOPIC: "site/door-1", CONF_NAME: "Lobby"},
    )
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "not_heard"
    assert result["menu_options"] == ["add_anyway", "mqtt_terminal"]
    assert result["description_placeholders"] == {
        "name": "Lobby",
        "terminal_id": TERMINAL_ID,
        "seconds": "0",
        "command_topic": "site/door-1",
    }
    assert_listened(listening, "site/door-1")

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "add_anyway"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Lobby"
    assert result["data"] == {
        CONF_TERMINAL_ID: TERMINAL_ID,
        CONF_COMMAND_TOPIC: "site/door-1",
        CONF_NAME: "Lobby",
        CONF_IP: None,
    }


@pytest.mark.usefixtures("no_wait")
async def test_user_not_heard_go_back(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> None:
    """Going back shows the form with what was entered; a second try can succeed."""
    result = await start_user(hass)
    user_input = {CONF_TERMINAL_ID: "7654321", CONF_NAME: "Lobby"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["step_id"] == "not_heard"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "mqtt_terminal"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "mqtt_terminal"
    schema = result["data_schema"].schema
    suggested = {
        str(key): key.description["suggested_value"]
        for key in schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == user_input

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TERMINAL_ID: TERMINAL_ID}
    )
    assert result["step_id"] == "not_heard"
    assert result["description_placeholders"]["name"] == f"Face terminal {TERMINAL_ID}"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "add_anyway"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == TERMINAL_ID
    assert result["data"][CONF_NAME] == f"Face terminal {TERMINAL_ID}"


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({CONF_TERMINAL_ID: ""}, {CONF_TERMINAL_ID: "invalid_terminal_id"}),
        ({CONF_TERMINAL_ID: "   "}, {CONF_TERMINAL_ID: "invalid_terminal_id"}),
        ({CONF_TERMINAL_ID: "door/1"}, {CONF_TERMINAL_ID: "invalid_terminal_id"}),
        ({CONF_TERMINAL_ID: "door#"}, {CONF_TERMINAL_ID: "invalid_terminal_id"}),
        ({CONF_TERMINAL_ID: "+"}, {CONF_TERMINAL_ID: "invalid_terminal_id"}),
        ({CONF_TERMINAL_ID: "group@@@"}, {CONF_TERMINAL_ID: "invalid_terminal_id"}),
        (
            {CONF_TERMINAL_ID: TERMINAL_ID, CONF_COMMAND_TOPIC: "mqtt/face/#"},
            {CONF_COMMAND_TOPIC: "invalid_command_topic"},
        ),
        (
            {CONF_TERMINAL_ID: TERMINAL_ID, CONF_COMMAND_TOPIC: "mqtt/+/door"},
            {CONF_COMMAND_TOPIC: "invalid_command_topic"},
        ),
        (
            {CONF_TERMINAL_ID: TERMINAL_ID, CONF_COMMAND_TOPIC: "/"},
            {CONF_COMMAND_TOPIC: "invalid_command_topic"},
        ),
        (
            {CONF_TERMINAL_ID: TERMINAL_ID, CONF_COMMAND_TOPIC: "a\x00b"},
            {CONF_COMMAND_TOPIC: "invalid_command_topic"},
        ),
        # RabbitMQ turns `.` in topics into `/` (docs/clustered-brokers.md).
        ({CONF_TERMINAL_ID: "door.1"}, {CONF_TERMINAL_ID: "terminal_id_with_dot"}),
        ({CONF_TERMINAL_ID: "group@@@door.1"}, {CONF_TERMINAL_ID: "terminal_id_with_dot"}),
        (
            {CONF_TERMINAL_ID: TERMINAL_ID, CONF_COMMAND_TOPIC: "site.gate/door"},
            {CONF_COMMAND_TOPIC: "command_topic_with_dot"},
        ),
    ],
)
@pytest.mark.usefixtures("no_wait")
async def test_user_invalid_input(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    user_input: dict[str, str],
    errors: dict[str, str],
    listening: Subscriptions,
) -> None:
    """Bad IDs and topics give field errors and nothing is subscribed; fixing them works."""
    result = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "mqtt_terminal"
    assert result["errors"] == errors
    assert listening.made == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TERMINAL_ID: TERMINAL_ID}
    )
    assert result["step_id"] == "not_heard"


@pytest.mark.usefixtures("no_wait")
async def test_user_cloud_client_id(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> None:
    """A pasted `group@@@device` client ID is cut to the device part."""
    result = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TERMINAL_ID: f"GID_face@@@{TERMINAL_ID}"}
    )
    assert result["step_id"] == "not_heard"
    assert result["description_placeholders"]["terminal_id"] == TERMINAL_ID
    assert result["description_placeholders"]["command_topic"] == COMMAND_TOPIC


async def test_user_already_configured(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    config_entry: MockConfigEntry,
    listening: Subscriptions,
) -> None:
    """A terminal cannot be added twice; nothing is subscribed for it."""
    config_entry.add_to_hass(hass)
    result = await start_user(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TERMINAL_ID: TERMINAL_ID}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert listening.made == []


async def test_user_replaces_discovery(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, listening: Subscriptions
) -> None:
    """Adding a terminal by hand works while its discovery waits, and ends the discovery."""
    discovered = await discover(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
    result = await start_user(hass)
    result = await submit_while_listening(
        hass,
        listening,
        result["flow_id"],
        {CONF_TERMINAL_ID: TERMINAL_ID},
        [(BASIC_TOPIC, payloads.online())],
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert all(
        flow["flow_id"] != discovered["flow_id"]
        for flow in hass.config_entries.flow.async_progress()
    )


async def test_user_mqtt_not_configured(hass: HomeAssistant) -> None:
    """Without the MQTT integration the manual flow aborts."""
    result = await start_user(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "mqtt_not_configured"


async def test_user_mqtt_not_connected(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> None:
    """With MQTT set up but not connected to the broker the manual flow aborts."""
    mqtt_mock.connected = False
    result = await start_user(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "mqtt_not_connected"


# --- find terminals on the broker (issue 22) ---------------------------------------------


async def start_finding(hass: HomeAssistant) -> FlowResult:
    """Add integration → "Face recognition terminal (MQTT)": the flow starts listening."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "find_terminals"}
    )


async def find_terminals(
    hass: HomeAssistant, listening: Subscriptions, messages: list[tuple[str, bytes | str]]
) -> tuple[FlowResult, list[float]]:
    """Listen (briefly), deliver `messages`; the step after listening, and the progress."""
    progress: list[float] = []

    @callback
    def updated(event: Event) -> None:
        progress.append(event.data["progress"])

    unlisten = hass.bus.async_listen(EVENT_DATA_ENTRY_FLOW_PROGRESS_UPDATE, updated)
    with patch(f"{FLOW}.LISTEN_TIME", 0.5):
        result = await start_finding(hass)
        assert result["type"] is FlowResultType.SHOW_PROGRESS
        assert result["step_id"] == "find_terminals"
        assert result["progress_action"] == "listening"
        assert result["description_placeholders"] == {"seconds": "0.5"}
        for _ in range(200):
            if len(listening.active) == 2:
                break
            await asyncio.sleep(0)
        else:
            raise AssertionError("the flow did not subscribe")
        assert listening.active == [BASIC_TOPIC, HEARTBEAT_TOPIC]
        for topic, payload in messages:
            fire(hass, topic, payload)
        await hass.async_block_till_done(wait_background_tasks=True)
        result = await hass.config_entries.flow.async_configure(result["flow_id"])
    unlisten()
    assert listening.active == []
    return result, progress


async def test_find_terminals_offers_those_heard(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    listening: Subscriptions,
    config_entry: MockConfigEntry,
) -> None:
    """Terminals already connected are offered, with name and IP; picking one adds it."""
    config_entry.add_to_hass(hass)  # TERMINAL_ID is configured: not offered
    result, progress = await find_terminals(
        hass,
        listening,
        [
            (BASIC_TOPIC, payloads.online("2000001", ip="192.168.1.61", name="Gate")),
            (HEARTBEAT_TOPIC, payloads.heartbeat("2000002")),
            (HEARTBEAT_TOPIC, payloads.heartbeat("2000001")),  # its name stays
            (BASIC_TOPIC, payloads.online("2000002", name="")),  # no name: none shown
            (HEARTBEAT_TOPIC, payloads.heartbeat(TERMINAL_ID)),
            (HEARTBEAT_TOPIC, payloads.heartbeat("gate.3")),
            (BASIC_TOPIC, payloads.offline("2000004")),
            (HEARTBEAT_TOPIC, dump({"operator": "HeartBeat", "info": {}})),
            (HEARTBEAT_TOPIC, b"not json"),
        ],
    )
    assert progress
    assert progress[-1] == 1.0
    assert progress == sorted(progress)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "pick_terminal"
    assert result["description_placeholders"] == {"count": "3", "seconds": "0.5"}
    [field] = result["data_schema"].schema
    assert field == "terminal"
    selector = result["data_schema"].schema[field].config
    assert selector["custom_value"] is True
    assert selector["options"] == [
        {"value": "2000002", "label": "2000002, 192.168.1.50"},
        {"value": "gate.3", "label": "gate.3"},
        {"value": "2000001", "label": "Gate (2000001), 192.168.1.61"},
    ]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"terminal": "2000001"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Gate"
    assert result["data"] == {
        CONF_TERMINAL_ID: "2000001",
        CONF_COMMAND_TOPIC: "mqtt/face/2000001",
        CONF_NAME: "Gate",
        CONF_IP: "192.168.1.61",
    }
    assert result["result"].unique_id == "2000001"


async def test_find_terminals_pick_refuses_dots_and_bad_ids(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, listening: Subscriptions
) -> None:
    """A heard ID with a dot is refused with its reason; a typed ID leads to the ID form."""
    result, _ = await find_terminals(
        hass, listening, [(HEARTBEAT_TOPIC, payloads.heartbeat("gate.3"))]
    )
    flow_id = result["flow_id"]
    result = await hass.config_entries.flow.async_configure(flow_id, {"terminal": "gate.3"})
    assert result["errors"] == {"terminal": "terminal_id_with_dot"}
    result = await hass.config_entries.flow.async_configure(flow_id, {"terminal": "a/b"})
    assert result["errors"] == {"terminal": "invalid_terminal_id"}
    result = await hass.config_entries.flow.async_configure(flow_id, {"terminal": " 2000009 "})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "mqtt_terminal"
    assert result["errors"] == {}
    [terminal_id] = [key for key in result["data_schema"].schema if key == CONF_TERMINAL_ID]
    assert terminal_id.description == {"suggested_value": "2000009"}


async def test_find_terminals_picked_one_configured_meanwhile(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    listening: Subscriptions,
    config_entry: MockConfigEntry,
) -> None:
    """A terminal added meanwhile (its discovery card) is not added twice."""
    result, _ = await find_terminals(
        hass, listening, [(HEARTBEAT_TOPIC, payloads.heartbeat(TERMINAL_ID))]
    )
    config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"terminal": TERMINAL_ID}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_find_terminals_none_heard(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, listening: Subscriptions
) -> None:
    """Nobody heard: the ID form, saying so; it adds a terminal as usual."""
    result, _ = await find_terminals(hass, listening, [])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "mqtt_terminal"
    assert result["errors"] == {"base": "none_heard"}


async def test_find_terminals_bounded(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, listening: Subscriptions
) -> None:
    """The pick list takes at most MAX_HEARD terminals (IDs come from anyone on the broker)."""
    with patch(f"{FLOW}.MAX_HEARD", 1):
        result, _ = await find_terminals(
            hass,
            listening,
            [
                (HEARTBEAT_TOPIC, payloads.heartbeat("2000001")),
                (HEARTBEAT_TOPIC, payloads.heartbeat("2000002")),
                (HEARTBEAT_TOPIC, payloads.heartbeat("2000001")),
            ],
        )
    assert result["description_placeholders"]["count"] == "1"


async def test_find_terminals_without_mqtt(hass: HomeAssistant) -> None:
    """Without the MQTT integration the flow aborts before listening."""
    result = await start_finding(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "mqtt_not_configured"


async def test_find_terminals_mqtt_not_connected(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> None:
    """With MQTT set up but not connected the flow aborts before listening."""
    mqtt_mock.connected = False
    result = await start_finding(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "mqtt_not_connected"


# --- reconfigure ------------------------------------------------------------------------


async def test_reconfigure(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """Command topic and name can be changed; the entry reloads."""
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"] == {"terminal_id": TERMINAL_ID}
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {
        CONF_COMMAND_TOPIC: COMMAND_TOPIC,
        CONF_NAME: "Front door",
        CONF_IP: "192.168.1.50",
    }

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_COMMAND_TOPIC: "mqtt/face/#", CONF_NAME: "Gate"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_COMMAND_TOPIC: "invalid_command_topic"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_COMMAND_TOPIC: "site/gate.1", CONF_NAME: "Gate"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_COMMAND_TOPIC: "command_topic_with_dot"}

    for bad_ip in ("http://evil.example", "127.0.0.1", "gate.local"):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_COMMAND_TOPIC: COMMAND_TOPIC, CONF_IP: bad_ip}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {CONF_IP: "invalid_ip"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_COMMAND_TOPIC: " site/gate/ ", CONF_NAME: " Gate ", CONF_IP: " 192.168.1.77 "},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.title == "Gate"
    assert config_entry.data == {
        CONF_TERMINAL_ID: TERMINAL_ID,
        CONF_COMMAND_TOPIC: "site/gate",
        CONF_NAME: "Gate",
        CONF_IP: "192.168.1.77",
    }
    assert mock_setup_entry.called


async def test_reconfigure_default_name(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, config_entry: MockConfigEntry
) -> None:
    """An empty name becomes the default name."""
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_COMMAND_TOPIC: COMMAND_TOPIC}
    )
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.title == f"Face terminal {TERMINAL_ID}"
    assert config_entry.data[CONF_NAME] == f"Face terminal {TERMINAL_ID}"
    assert config_entry.data[CONF_IP] is None  # empty: the next reported address is taken


# --- options ----------------------------------------------------------------------------


async def test_options(
    hass: HomeAssistant, config_entry: MockConfigEntry, mock_setup_entry: AsyncMock
) -> None:
    """Options are checked, stored with their types, and reload the entry."""
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_setup_entry.call_count == 1

    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    defaults = {
        str(key): key.default() for key in result["data_schema"].schema if callable(key.default)
    }
    assert defaults == {
        CONF_OFFLINE_TIMEOUT: 150,
        CONF_DOOR_OPEN_TIME: 5,
        CONF_ACKNOWLEDGE_RECORDS: True,
        CONF_RECOVER_RECORDS: True,
        CONF_ACCESS_WINDOW: 5,
        CONF_ACCESS_DEFAULT: "deny",
        CONF_DOOR_ROLE: "none",
        CONF_ASSUME_LEFT_AFTER: 12,
    }

    user_input: dict[str, Any] = {
        CONF_OFFLINE_TIMEOUT: 300.0,
        CONF_UNLOCK_MESSAGE: "é" * 32,  # 64 bytes
        CONF_DOOR_OPEN_TIME: 8.0,
        CONF_ACKNOWLEDGE_RECORDS: False,
        CONF_RECOVER_RECORDS: False,
        CONF_ACCESS_WINDOW: 3.0,
        CONF_ACCESS_DEFAULT: "grant",
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_UNLOCK_MESSAGE: "unlock_message_too_long"}

    user_input[CONF_UNLOCK_MESSAGE] = "Welcome\nhome"
    result = await hass.config_entries.options.async_configure(result["flow_id"], user_input)
    assert result["errors"] == {CONF_UNLOCK_MESSAGE: "unlock_message_invalid"}

    user_input[CONF_UNLOCK_MESSAGE] = " " + "é" * 31 + "a "  # 63 bytes once trimmed
    result = await hass.config_entries.options.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options == {
        CONF_OFFLINE_TIMEOUT: 300,
        CONF_UNLOCK_MESSAGE: "é" * 31 + "a",
        CONF_DOOR_OPEN_TIME: 8,
        CONF_ACKNOWLEDGE_RECORDS: False,
        CONF_RECOVER_RECORDS: False,
        CONF_ACCESS_WINDOW: 3,
        CONF_ACCESS_DEFAULT: "grant",
        CONF_PERSON_LINKS: {},
        CONF_FIRMWARE_FOLDER: "",
        CONF_DOOR_ROLE: "none",
        CONF_SITE: "",
        CONF_ASSUME_LEFT_AFTER: 12,
    }
    assert isinstance(config_entry.options[CONF_OFFLINE_TIMEOUT], int)
    await hass.async_block_till_done()
    assert mock_setup_entry.call_count == 2


async def test_options_firmware_folder(
    hass: HomeAssistant, config_entry: MockConfigEntry, tmp_path: Path
) -> None:
    """The firmware folder must be an absolute folder Home Assistant may read."""
    config_entry.add_to_hass(hass)
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    (tmp_path / "firmware").mkdir()
    (tmp_path / "file.swx").write_bytes(b"x")
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    for folder in ("firmware", "/etc", str(tmp_path / "missing"), str(tmp_path / "file.swx")):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_FIRMWARE_FOLDER: folder}
        )
        assert result["errors"] == {CONF_FIRMWARE_FOLDER: "firmware_folder_invalid"}, folder
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_FIRMWARE_FOLDER: f" {tmp_path / 'firmware'} "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options[CONF_FIRMWARE_FOLDER] == str(tmp_path / "firmware")


async def test_options_suggests_current_values(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """The form starts from the stored options; an empty text may be left out."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        options={
            CONF_OFFLINE_TIMEOUT: 90,
            CONF_UNLOCK_MESSAGE: "Hello",
            CONF_DOOR_OPEN_TIME: 3,
            CONF_ACKNOWLEDGE_RECORDS: False,
            CONF_RECOVER_RECORDS: True,
            CONF_ACCESS_WINDOW: 4,
            CONF_ACCESS_DEFAULT: "deny",
            CONF_PERSON_LINKS: {"bob-2": "person.bob", "alice-01": "person.alice"},
        },
    )
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {
        **config_entry.options,
        CONF_PERSON_LINKS: "alice-01 = person.alice\nbob-2 = person.bob",
    }

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_OFFLINE_TIMEOUT: 90,
            CONF_DOOR_OPEN_TIME: 3,
            CONF_ACKNOWLEDGE_RECORDS: True,
            CONF_RECOVER_RECORDS: True,
            CONF_ACCESS_WINDOW: 4,
            CONF_ACCESS_DEFAULT: "deny",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options[CONF_UNLOCK_MESSAGE] == ""
    assert config_entry.options[CONF_ACKNOWLEDGE_RECORDS] is True
    assert config_entry.options[CONF_PERSON_LINKS] == {}


@pytest.mark.parametrize(
    ("text", "links"),
    [
        (
            "alice-01 = person.alice\n\n bob: person.bob ",
            {"alice-01": "person.alice", "bob": "person.bob"},
        ),
        ("alice-01 = light.kitchen", None),
        ("just a name", None),
        ("a,b = person.x", None),
        # A custom ID may hold the separators itself (a roster may link such a person).
        ("a=b:c = person.x", {"a=b:c": "person.x"}),
        ("= person.x", None),
    ],
)
async def test_options_person_links(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
    text: str,
    links: dict[str, str] | None,
) -> None:
    """Links are `custom ID = person.x` lines; anything else is refused with a hint."""
    config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    user_input = {
        CONF_OFFLINE_TIMEOUT: 150,
        CONF_DOOR_OPEN_TIME: 5,
        CONF_ACKNOWLEDGE_RECORDS: True,
        CONF_RECOVER_RECORDS: True,
        CONF_ACCESS_WINDOW: 5,
        CONF_ACCESS_DEFAULT: "deny",
        CONF_PERSON_LINKS: text,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], user_input)
    if links is None:
        assert result["errors"] == {CONF_PERSON_LINKS: "invalid_person_links"}
    else:
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert config_entry.options[CONF_PERSON_LINKS] == links


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (CONF_OFFLINE_TIMEOUT, 10),
        (CONF_OFFLINE_TIMEOUT, 4000),
        (CONF_DOOR_OPEN_TIME, 0),
        (CONF_DOOR_OPEN_TIME, 61),
        (CONF_ACCESS_WINDOW, 0),
        (CONF_ACCESS_WINDOW, 10),
        (CONF_ACCESS_DEFAULT, "maybe"),
    ],
)
async def test_options_out_of_range(
    hass: HomeAssistant, config_entry: MockConfigEntry, key: str, value: int
) -> None:
    """Numbers outside their range are refused by the form."""
    config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    user_input = {
        CONF_OFFLINE_TIMEOUT: 150,
        CONF_DOOR_OPEN_TIME: 5,
        CONF_ACKNOWLEDGE_RECORDS: True,
        CONF_RECOVER_RECORDS: True,
        CONF_ACCESS_WINDOW: 5,
        CONF_ACCESS_DEFAULT: "deny",
        key: value,
    }
    with pytest.raises(InvalidData, match=key):
        await hass.config_entries.options.async_configure(result["flow_id"], user_input)


# --- strings ----------------------------------------------------------------------------


def test_translations_cover_the_flow() -> None:
    """Every step, error and abort reason the flows use has an English text."""
    root = Path(__file__).parent.parent / "custom_components" / DOMAIN
    source = "\n".join(
        (root / module).read_text() for module in ("config_flow.py", "config_flow_jovision.py")
    )
    strings = json.loads((root / "translations" / "en.json").read_text())
    config, options = strings["config"], strings["options"]
    used_errors = set(re.findall(r'errors\[[A-Z_]+\] = "(\w+)"', source))
    used_errors |= set(re.findall(r'errors=\{"base": "(\w+)"\}', source))
    used_errors |= set(re.findall(r'\(\{"base": "(\w+)"\}\)', source))
    assert "none_heard" in used_errors
    assert {"terminal_id_with_dot", "command_topic_with_dot"} <= used_errors
    assert used_errors <= set(config["error"]) | set(options["error"])
    reasons = set(re.findall(r'(?:reason=|AbortFlow\()"(\w+)"', source))
    assert {"no_internal_url", "receiver_already_configured"} <= reasons
    assert reasons <= set(config["abort"])
    assert {"already_configured", "already_in_progress", "reconfigure_successful"} <= set(
        config["abort"]
    )
    steps = set(re.findall(r'(?<!next_)step_id="(\w+)"', source))
    next_steps = set(re.findall(r'next_step_id="(\w+)"', source))
    assert next_steps == {"none_heard", "pick_terminal"}
    assert all(f"async def async_step_{step}(" in source for step in next_steps)
    assert steps - {"init"} <= set(config["step"])
    assert set(config["step"]["not_heard"]["menu_options"]) == {"add_anyway", "mqtt_terminal"}
    assert set(config["step"]["user"]["menu_options"]) == {
        "find_terminals",
        "mqtt_terminal",
        "jovision",
    }
    assert set(re.findall(r'progress_action="(\w+)"', source)) == set(config["progress"])
    for step in ("mqtt_terminal", "reconfigure", "reconfigure_receiver"):
        assert set(config["step"][step]["data"]) == set(config["step"][step]["data_description"])
    init = options["step"]["init"]
    assert (
        set(init["data"])
        == set(init["data_description"])
        == {
            CONF_OFFLINE_TIMEOUT,
            CONF_UNLOCK_MESSAGE,
            CONF_DOOR_OPEN_TIME,
            CONF_ACKNOWLEDGE_RECORDS,
            CONF_RECOVER_RECORDS,
            CONF_ACCESS_WINDOW,
            CONF_ACCESS_DEFAULT,
            CONF_PERSON_LINKS,
            CONF_FIRMWARE_FOLDER,
            CONF_DOOR_ROLE,
            CONF_SITE,
            CONF_ASSUME_LEFT_AFTER,
        }
    )


async def test_discovered_terminals_waiting_at_once_are_bounded(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> None:
    """Anyone on the broker can claim terminal IDs: the discovery list stays bounded."""
    with patch("custom_components.face_terminal.config_flow.MAX_PENDING_DISCOVERIES", 2):
        for terminal_id in ("7000001", "7000002"):
            result = await discover(hass, BASIC_TOPIC, payloads.online(terminal_id))
            assert result["type"] is FlowResultType.FORM
        result = await discover(hass, BASIC_TOPIC, payloads.online("7000003"))
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "too_many_discoveries"
        # Once the user dealt with one card, the next message of the refused one gets in.
        first = hass.config_entries.flow.async_progress_by_handler(DOMAIN)[0]
        hass.config_entries.flow.async_abort(first["flow_id"])
        result = await discover(hass, BASIC_TOPIC, payloads.online("7000003"))
        assert result["type"] is FlowResultType.FORM
