"""End-to-end fixtures: a real mosquitto, a real Home Assistant process, simulated terminals.

Nothing here uses the Home Assistant test plugin's in-process `hass`: Home Assistant runs
as `python -m homeassistant` (see `harness.py`) with its real MQTT client, and the tests
drive it over HTTP and WebSocket like a browser would. The plugin's autouse fixtures that
assume an in-process instance are overridden below, and loopback sockets are enabled.

One broker and one Home Assistant serve the whole package (Home Assistant takes a few
seconds to start); the package fixture stops both, killing Home Assistant's process group,
whatever happens in the tests.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import pytest_socket

from harness.home_assistant import HomeAssistantClient, HomeAssistantProcess
from simulator import Mosquitto, Terminal

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Coroutine, Iterator
    from pathlib import Path

FRONT_DOOR = "1305433"
# Short enough to keep the tests quick; the offline timeout is the option's minimum.
E2E_OPTIONS: dict[str, Any] = {
    "offline_timeout": 20,
    "door_open_time": 1,
    "unlock_message": "",
    "acknowledge_records": True,
}


# --- the Home Assistant test plugin's autouse fixtures, neutralised -----------------------


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the integration tests' autouse fixture, which needs an in-process `hass`."""


@pytest.fixture(autouse=True)
def verify_cleanup() -> None:
    """Override the plugin's in-process checks (threads, timers, `hass` instances).

    The end-to-end fixtures stop what they start themselves: terminals are stopped, Home
    Assistant's process group and mosquitto are ended by the package fixture.
    """


@pytest.fixture(autouse=True)
def enable_event_loop_debug() -> None:
    """Keep the test client's event loop in normal mode (debug mode slows aiohttp down)."""


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Every end-to-end test talks to mosquitto and Home Assistant over 127.0.0.1."""


# --- helpers ---------------------------------------------------------------------------


def run_async[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a private loop in a worker thread.

    Package fixtures are synchronous; running their async steps on another thread keeps
    them clear of the event loops pytest-asyncio gives each test.
    """
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="e2e-setup") as pool:
        return pool.submit(asyncio.run, coroutine).result()


@dataclass
class Stack:
    """The running broker and Home Assistant, and a valid access token."""

    broker: Mosquitto
    hass: HomeAssistantProcess
    token: str

    @property
    def media_dir(self) -> Path:
        """Home Assistant's allowlisted folder for pictures."""
        return self.hass.config_dir / "media"

    async def client(self) -> HomeAssistantClient:
        """A new client that reuses the onboarded user's token."""
        client = HomeAssistantClient(self.hass.url)
        client.token = self.token
        return client

    async def restart_home_assistant(self) -> None:
        """Stop Home Assistant gracefully and start it again on the same configuration."""
        self.hass.stop()
        self.hass.start()
        await self.hass.wait_until_up()


async def _onboard(hass: HomeAssistantProcess, broker_port: int) -> str:
    client = HomeAssistantClient(hass.url)
    try:
        await hass.wait_until_up()
        await client.onboard_or_login()
        await client.setup_mqtt(broker_port)
        return client.token
    finally:
        await client.close()


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Mosquitto and an onboarded Home Assistant with the MQTT integration set up."""
    pytest_socket.enable_socket()  # package setup runs before the per-test socket fixture
    broker = Mosquitto()
    # With the web interface: the browser test (test_browser.py) uses the same instance.
    hass = HomeAssistantProcess(tmp_path_factory.mktemp("e2e") / "config", frontend=True)
    try:
        broker.start()
        hass.start()
        token = run_async(_onboard(hass, broker.port))
        yield Stack(broker, hass, token)
    finally:
        hass.stop()
        broker.cleanup()


def make_terminal(stack: Stack, terminal_id: str, **options: Any) -> Terminal:
    """A simulated terminal on the stack's broker with short intervals (not started)."""
    settings: dict[str, Any] = {
        "resume": True,
        "resend_interval": 1.0,
        "online_repeat": 1.0,
        "heartbeat": 10.0,
        "keepalive": 10,
    }
    settings.update(options)
    return Terminal(terminal_id, stack.broker.host, stack.broker.port, **settings)


async def add_terminal(stack: Stack, terminal: Terminal) -> dict[str, Any]:
    """Start `terminal`, confirm its discovered flow and set the quick test options.

    Returns the loaded config entry.
    """
    terminal.start()
    assert terminal.wait_connected(10), "the simulated terminal did not connect"
    client = await stack.client()
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while (entry := await client.entry(terminal.terminal_id)) is None:
            assert asyncio.get_running_loop().time() < deadline, "terminal not discovered"
            await client.confirm_discovered()
            await asyncio.sleep(0.2)
        result = await client.set_options(entry["entry_id"], E2E_OPTIONS)
        assert result["type"] == "create_entry", result
        # Saving the options reloads the entry; wait for the new runtime to hear the terminal.
        await client.wait_for_entry(terminal.terminal_id)
        await wait_for_state(client, await online_entity(client, terminal.terminal_id), "on")
        # The probe's answer can bring the terminal online before its next Online repeat
        # (the first one came before the entry existed): wait for the answer to that too,
        # or it lands in the middle of the next test.
        assert await asyncio.to_thread(terminal.wait_online_acked, 10), "no Online-Ack"
        return await client.wait_for_entry(terminal.terminal_id)
    finally:
        await client.close()


def last_command(terminal: Terminal) -> str:
    """Operator of the last command the terminal received, not counting settings reads.

    Home Assistant reads the terminal's settings (``Versions``, ``Get…config``) whenever
    it comes online, in their own lane, so they may arrive after a command under test.
    """
    operators = [
        str(command.get("operator"))
        for command in terminal.received
        if not str(command.get("operator")).startswith("Get")
        and command.get("operator") != "Versions"
    ]
    return operators[-1] if operators else ""


async def online_entity(client: HomeAssistantClient, terminal_id: str) -> str:
    """Entity ID of a terminal's connectivity binary sensor."""
    return (await client.entity_ids(terminal_id))["binary_sensor.online"]


async def wait_for_state(
    client: HomeAssistantClient,
    entity_id: str,
    state: str,
    timeout: float = 15,  # noqa: ASYNC109 - a deadline for polling
) -> dict[str, Any]:
    """Poll an entity until its state is `state`; return the state object."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    current: dict[str, Any] | None = None
    while loop.time() < deadline:
        current = await client.state(entity_id)
        if current is not None and current["state"] == state:
            return current
        await asyncio.sleep(0.1)
    raise AssertionError(f"{entity_id} is {current and current['state']!r}, not {state!r}")


async def wait_for_arrival(
    client: HomeAssistantClient,
    entity_id: str,
    person_name: str,
    timeout: float = 15,  # noqa: ASYNC109 - a deadline for polling
) -> dict[str, Any]:
    """Poll an access event entity until its last event names `person_name`.

    Who came is the access event entity's `person_name` (the last-person sensor is
    created disabled); return the state object.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    current: dict[str, Any] | None = None
    while loop.time() < deadline:
        current = await client.state(entity_id)
        if current is not None and current["attributes"].get("person_name") == person_name:
            return current
        await asyncio.sleep(0.1)
    raise AssertionError(f"{entity_id} names {current and current['attributes']!r}")


async def enable_entity(client: HomeAssistantClient, entity_id: str) -> None:
    """Enable an entity the integration created disabled, as a user does, and reload.

    Home Assistant reloads the entry itself only 30 s after the change; the test asks
    for the reload at once.
    """
    reply = await client.ws(
        {"type": "config/entity_registry/update", "entity_id": entity_id, "disabled_by": None}
    )
    entry_id = reply["entity_entry"]["config_entry_id"]
    await client.post(f"/api/config/config_entries/entry/{entry_id}/reload", {})
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        if await client.state(entity_id) is not None:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{entity_id} did not appear after it was enabled")


@pytest.fixture(scope="package")
def front_door(stack: Stack) -> Iterator[Terminal]:
    """Terminal 1305433 ("Face1"), discovered, confirmed and online in Home Assistant.

    Resume-from-breakpoint is on, so records wait for Home Assistant's `PushAck`.
    """
    # Package fixtures run before the per-test socket fixture: a test other than the
    # package's first may be the one that starts this terminal.
    pytest_socket.enable_socket()
    terminal = make_terminal(stack, FRONT_DOOR)
    try:
        run_async(add_terminal(stack, terminal))
        yield terminal
    finally:
        terminal.stop()


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[HomeAssistantClient]:
    """A logged-in REST/WebSocket client for this test."""
    client = await stack.client()
    try:
        yield client
    finally:
        with contextlib.suppress(Exception):
            await client.close()


@pytest.fixture
async def front_door_online(front_door: Terminal, client: HomeAssistantClient) -> Terminal:
    """The front door, connected and online in Home Assistant when the test starts."""
    if not front_door.running:
        front_door.start()
    assert front_door.wait_connected(15)
    await wait_for_state(client, await online_entity(client, FRONT_DOOR), "on", timeout=30)
    return front_door
