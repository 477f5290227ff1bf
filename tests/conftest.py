"""Shared fixtures for the integration's tests."""

# Import the integration before anything else: otherwise the test harness's own empty
# `custom_components` package wins and Home Assistant reports "Cannot find integration".
import custom_components.face_terminal  # noqa: F401, I001

import asyncio
import copy
from collections.abc import Callable, Generator
import dataclasses
from datetime import timedelta
import json
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
    async_fire_time_changed,
)

from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers.entity import Entity
from homeassistant.util import dt as dt_util

from custom_components.face_terminal.const import (
    CONF_COMMAND_TOPIC,
    CONF_IP,
    CONF_TERMINAL_ID,
    DOMAIN,
)
from custom_components.face_terminal.protocol import ROUTES
from custom_components.face_terminal.roster import commands as roster_commands

from . import payloads
from .payloads import COMMAND_TOPIC, TERMINAL_ID
from .roster_fakes import BASE_URL, write_photos

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_homeassistant_custom_component.typing import MqttMockHAClient

type Reply = Callable[[dict[str, Any]], bytes | None]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/face_terminal in every test."""


@pytest.fixture
def all_entities_enabled() -> Generator[None]:
    """Create every entity enabled, also the settings a household rarely changes.

    Most settings are created disabled (issue 22); tests of those settings use them as
    a user who enabled them would.
    """
    with patch.object(Entity, "entity_registry_enabled_default", True):
        yield


@pytest.fixture(autouse=True)
def immediate_mqtt_subscriptions() -> Generator[None]:
    """Send MQTT subscriptions at once instead of batching them for 0.1-0.5 s.

    HA's MQTT client debounces subscriptions with loop timers that time travel cannot
    move; the integration waits for the broker's confirmation before probing.
    """
    with (
        patch("homeassistant.components.mqtt.client.INITIAL_SUBSCRIBE_COOLDOWN", 0.001),
        patch("homeassistant.components.mqtt.client.SUBSCRIBE_COOLDOWN", 0.001),
    ):
        yield


@pytest.fixture
def config_entry() -> MockConfigEntry:
    """A configured terminal."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Front door",
        unique_id=TERMINAL_ID,
        data={
            CONF_TERMINAL_ID: TERMINAL_ID,
            CONF_COMMAND_TOPIC: COMMAND_TOPIC,
            CONF_NAME: "Front door",
            CONF_IP: "192.168.1.50",
        },
        version=1,
    )


class TerminalResponder:
    """Answers the commands Home Assistant publishes, like a terminal would.

    `replies[operator]` returns the ack bytes for a command (decoded JSON) or None to
    stay silent; by default every command gets an ok ack. `commands` keeps every command
    received, in order.
    """

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.commands: list[dict[str, Any]] = []
        self.replies: dict[str, Reply] = {}
        self.silent = False
        # The terminal's settings: Up…config changes them, Get…config reports them.
        self.config = copy.deepcopy(payloads.TERMINAL_CONFIG)

    def operators(self) -> list[str]:
        """Operators of the commands received so far."""
        return [command["operator"] for command in self.commands]

    def last(self, operator: str) -> dict[str, Any]:
        """The last command with this operator."""
        return next(c for c in reversed(self.commands) if c["operator"] == operator)

    @callback
    def handle(self, topic: str, payload: bytes | str) -> None:
        if topic != COMMAND_TOPIC:
            return
        command = json.loads(payload)
        self.commands.append(command)
        if self.silent:
            return
        operator = command["operator"]
        reply = self.replies.get(operator, self.default_reply)(command)
        if reply is not None:
            self.hass.loop.call_soon(
                async_fire_mqtt_message, self.hass, f"{COMMAND_TOPIC}/Ack", reply
            )

    def default_reply(self, command: dict[str, Any]) -> bytes | None:
        operator = command["operator"]
        if operator in self.config:
            return payloads.ack(operator, command["messageId"], **self.config[operator])
        if operator.startswith("Up") and (group := "Get" + operator[2:]) in self.config:
            stored = self.config[group]
            for key, value in command["info"].items():
                if key != "facesluiceId":  # keep the stored spelling (Verifytipcontent)
                    stored[next((k for k in stored if k.lower() == key.lower()), key)] = value
            return payloads.ack(operator, command["messageId"])
        if operator in ("Online-Ack", "PushAck"):
            return None  # the terminal answers PushAck with PushAck-Ack; not needed here
        if operator == "Versions":
            return payloads.ack(
                operator, command["messageId"], name="v12.5.6L3M1-1.0.6.9", buildtime="x"
            )
        return payloads.ack(operator, command["messageId"])


@pytest.fixture
def terminal(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, mqtt_client_mock: Any
) -> Generator[TerminalResponder]:
    """A fake terminal answering on the MQTT mock; also sets up MQTT."""
    responder = TerminalResponder(hass)
    client = mqtt_client_mock
    original = client.publish.side_effect

    def publish(topic: str, payload: Any, qos: int, retain: bool, properties: Any = None) -> Any:
        result = original(topic, payload, qos, retain, properties)
        responder.handle(topic, payload)
        return result

    with patch.object(client.publish, "side_effect", publish):
        yield responder


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add (if needed) and set up a config entry, then let the startup probe finish."""
    if hass.config_entries.async_get_entry(entry.entry_id) is None:
        entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await settle_probe(hass, entry)
    await settle_settings(hass, entry)


async def settle_settings(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Let the settings read that follows going online finish (the fake terminal answers
    at once; a silent one leaves it waiting)."""
    task = getattr(getattr(entry.runtime_data, "settings", None), "_refresh_task", None)
    for _ in range(2000):
        if task is None or task.done():
            return
        await asyncio.sleep(0)


async def settle_probe(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Let a freshly set-up (or reloaded) runtime probe the terminal.

    The runtime probes once the broker confirmed its Ack subscription. Fire the MQTT
    client's subscription timer (see `immediate_mqtt_subscriptions`) by time travel, then
    let the call_soon chain run: subscribe → confirmation → probe → Versions → the fake
    terminal's ack. No loop timer is awaited, so tests that freeze time work too. A
    silent terminal leaves the probe waiting.
    """
    runtime = entry.runtime_data
    for _ in range(10):
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
        for _ in range(100):
            await asyncio.sleep(0)
            if runtime.identity._probe is not None and runtime.identity._probe.done():
                return
        await hass.async_block_till_done()
        if runtime.identity._probe is not None:
            break
    if runtime.identity._probe is None:
        # The mocked client's confirmation did not come through (it depends on loop
        # timers that frozen time can stall); the real-broker tests cover that path.
        runtime._async_start_probe()
    for _ in range(100):
        await asyncio.sleep(0)
        if runtime.identity._probe is not None and runtime.identity._probe.done():
            return
    await hass.async_block_till_done()


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The terminal's entry, set up and online (it answered the version probe)."""
    await setup_entry(hass, config_entry)
    return config_entry


def fire(hass: HomeAssistant, topic: str, payload: bytes) -> None:
    """Deliver a message as the broker would."""
    async_fire_mqtt_message(hass, topic, payload)


def answer_within(operator: str, seconds: float) -> Any:
    """Patch the deadline the session's route table gives `operator` (a short timeout)."""
    route = ROUTES[operator]
    return patch.dict(ROUTES, {operator: dataclasses.replace(route, timeout=seconds)})


@pytest.fixture(autouse=True)
def no_mqtt_misc_timer() -> Generator[None]:
    """Keep the MQTT client from starting its 1 s "misc" timer on the mocked socket.

    Paho needs that loop on a real socket only; a test shorter than a second would
    otherwise fail on the lingering timer, which is not ours.
    """
    with patch("homeassistant.components.mqtt.client.MQTT._async_start_misc_periodic"):
        yield


# --- roster sync ---------------------------------------------------------------------------


@pytest.fixture
def quick_roster() -> Generator[None]:
    """Roster batches polled and backed off in milliseconds instead of seconds."""
    policy = dataclasses.replace(roster_commands.BATCH_POLICY, busy_first=0.01, busy_longest=0.02)
    with (
        patch.object(roster_commands, "POLL_INTERVAL", 0.01),
        patch.object(roster_commands, "BATCH_POLICY", policy),
    ):
        yield


@pytest.fixture
def only_sensor_platform() -> Generator[None]:
    """Set terminals up with the sensor platform only (the roster sync sensor is there)."""
    with patch("custom_components.face_terminal.PLATFORMS", ["sensor"]):
        yield


@pytest.fixture
async def faces_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """An allowed folder with a CSV roster of three people and their photos.

    Home Assistant has a local URL, so the terminal downloads the photos in batches.
    """
    await async_process_ha_core_config(hass, {"internal_url": BASE_URL})
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    write_photos(tmp_path)
    (tmp_path / "roster.csv").write_text(
        "custom_id,name,photo,person_type,valid_from,valid_until\n"
        "p1,Alice,p1.jpg,allow,,\n"
        "p2,Bob,p2.jpg,block,2026-01-01,2026-12-31\n"
        "p3,Carol,p3.jpg,,,\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.fixture
def device_id(loaded_entry: MockConfigEntry) -> str:
    """The loaded terminal's device; its person commands need no spacing here."""
    loaded_entry.runtime_data.session.spacing = 0
    return str(loaded_entry.runtime_data.device_id)
