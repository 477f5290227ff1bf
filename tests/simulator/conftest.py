"""Fixtures for the simulator tests: a real mosquitto and a test-side "platform".

The Home Assistant test plugin disables sockets in every test; these tests need
loopback TCP, so the broker fixture depends on pytest-socket's ``socket_enabled``
(the plugin already restricts connections to 127.0.0.1).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from simulator import Terminal
from simulator.broker import Mosquitto, MosquittoNotFoundError, find_mosquitto

PREFIX = "mqtt/face"
FIRST_ID = "1305433"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the integration tests' autouse fixture: no Home Assistant needed here."""


@pytest.fixture
def broker(socket_enabled: None) -> Iterator[Mosquitto]:
    """A fresh mosquitto on 127.0.0.1 (fails loudly when mosquitto is missing)."""
    try:
        find_mosquitto()
    except MosquittoNotFoundError as err:
        pytest.fail(f"the simulator tests need a real broker: {err}")
    with Mosquitto() as running:
        yield running


class Received:
    """One message seen by the platform."""

    def __init__(self, topic: str, raw: bytes) -> None:
        self.topic = topic
        self.raw = raw
        try:
            self.json: dict[str, Any] = json.loads(raw)
        except ValueError:
            self.json = {}

    @property
    def operator(self) -> str:
        return str(self.json.get("operator", ""))

    @property
    def info(self) -> dict[str, Any]:
        info = self.json.get("info")
        return info if isinstance(info, dict) else {}

    def __repr__(self) -> str:
        return f"Received({self.topic!r}, {self.operator!r})"


class Platform:
    """The test's stand-in for the cloud platform: subscribes to ``mqtt/face/#``."""

    def __init__(self, port: int) -> None:
        self._ids = itertools.count(1)
        self._lock = threading.Condition()
        self.messages: list[Received] = []
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-platform")
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._subscribed = threading.Event()
        self._client.on_subscribe = lambda *_args: self._subscribed.set()
        self._client.reconnect_delay_set(1, 2)
        self._client.connect("127.0.0.1", port)
        self._client.loop_start()
        assert self._subscribed.wait(5), "platform could not subscribe"

    def _on_connect(self, client: mqtt.Client, *_args: Any) -> None:
        client.subscribe(f"{PREFIX}/#", qos=1)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append(Received(msg.topic, msg.payload))
            self._lock.notify_all()

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def publish(self, topic: str, payload: dict[str, Any] | bytes) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self._client.publish(topic, data, qos=1).wait_for_publish(5)

    def command(
        self,
        terminal_id: str,
        operator: str,
        info: Any = None,
        *,
        topic: str | None = None,
        **top: Any,
    ) -> str:
        """Send a command to ``mqtt/face/<id>``; return its messageId."""
        message_id = f"test-{next(self._ids)}"
        message: dict[str, Any] = {"messageId": message_id, "operator": operator, **top}
        if info is not None:
            message["info"] = info
        self.publish(topic or f"{PREFIX}/{terminal_id}", message)
        return message_id

    def select(self, predicate: Callable[[Received], bool]) -> list[Received]:
        with self._lock:
            return [message for message in self.messages if predicate(message)]

    def on(self, topic: str, operator: str | None = None) -> list[Received]:
        return self.select(
            lambda m: m.topic == topic and (operator is None or m.operator == operator)
        )

    def wait(
        self, predicate: Callable[[Received], bool], count: int = 1, timeout: float = 5.0
    ) -> list[Received]:
        """Wait until ``count`` messages match; return them (fail on timeout)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [message for message in self.messages if predicate(message)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(m.topic, m.operator) for m in self.messages][-20:]
                    pytest.fail(f"expected {count} message(s), got {len(found)}; last: {seen}")
                self._lock.wait(remaining)

    def wait_on(
        self, topic: str, operator: str | None = None, count: int = 1, timeout: float = 5.0
    ) -> list[Received]:
        return self.wait(
            lambda m: m.topic == topic and (operator is None or m.operator == operator),
            count,
            timeout,
        )

    def ack_for(self, terminal_id: str, message_id: str, timeout: float = 5.0) -> Received:
        """Wait for the ``/Ack`` answering ``message_id``."""
        return self.wait(
            lambda m: (
                m.topic == f"{PREFIX}/{terminal_id}/Ack" and m.json.get("messageId") == message_id
            ),
            timeout=timeout,
        )[0]

    def call(self, terminal_id: str, operator: str, info: Any = None, **top: Any) -> Received:
        """Send a command and return its ack."""
        return self.ack_for(terminal_id, self.command(terminal_id, operator, info, **top))

    def online_ack(self, terminal_id: str, result: str | None = "ok") -> None:
        info: dict[str, Any] = {"facesluiceId": terminal_id}
        if result is not None:
            info["result"] = result
        self.publish(
            f"{PREFIX}/{terminal_id}",
            {"messageId": "10201", "operator": "Online-Ack", "info": info},
        )


@pytest.fixture
def platform(broker: Mosquitto) -> Iterator[Platform]:
    """A platform client connected to the broker before any terminal starts."""
    client = Platform(broker.port)
    yield client
    client.close()


type TerminalFactory = Callable[..., Terminal]


@pytest.fixture
def make_terminal(broker: Mosquitto) -> Iterator[TerminalFactory]:
    """Create started terminals with short intervals; all are stopped at teardown."""
    created: list[Terminal] = []

    def factory(terminal_id: str = FIRST_ID, *, start: bool = True, **kwargs: Any) -> Terminal:
        options: dict[str, Any] = {
            "heartbeat": 30.0,
            "online_repeat": 30.0,
            "resend_interval": 0.3,
            "reboot_seconds": 0.2,
        }
        options.update(kwargs)
        terminal = Terminal(terminal_id, "127.0.0.1", broker.port, **options)
        created.append(terminal)
        if start:
            terminal.start()
            assert terminal.wait_connected(5), f"{terminal_id} did not connect"
        return terminal

    yield factory
    for terminal in created:
        terminal.stop()


@pytest.fixture
def terminal(make_terminal: TerminalFactory, platform: Platform) -> Terminal:
    """One connected terminal (1305433) whose Online was acknowledged."""
    started = make_terminal()
    platform.wait_on(f"{PREFIX}/basic", "Online")
    platform.online_ack(FIRST_ID)
    assert started.wait_online_acked(5)
    return started
