"""Jovision devices end to end: simulated HTTP-push device → webhook → real Home Assistant.

The receiver entry is created through the config-flow REST API as the UI does (menu →
"Jovision"), the simulated device posts to the webhook address the flow shows, its
discovery is confirmed, and the checks go through the REST API, the WebSocket bus events
and the image proxy.
"""

from __future__ import annotations

import asyncio
import base64
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import pytest_socket
from PIL import Image

from simulator import JovisionDevice, images

from .conftest import run_async, wait_for_arrival, wait_for_state

if TYPE_CHECKING:
    from harness.home_assistant import HomeAssistantClient

    from .conftest import Stack

pytestmark = pytest.mark.timeout(120)

UUID = "E2EJV7A3F00C1E5B2"
EXPECTED_ENTITIES = {
    "binary_sensor.online",
    "event.access",
    "image.last_face",
    "image.last_scene",
    "sensor.last_person",
}


@dataclass
class Jovision:
    """The receiver entry, the address it showed and the confirmed simulated device."""

    receiver: dict[str, Any]
    address: str
    device: JovisionDevice


async def create_receiver(client: HomeAssistantClient) -> tuple[dict[str, Any], str]:
    """Add the Jovision receiver as the UI does; return the entry and the address shown."""
    flow = await client.post("/api/config/config_entries/flow", {"handler": "face_terminal"})
    assert flow["type"] == "menu", flow
    assert "jovision" in flow["menu_options"]
    form = await client.post(
        f"/api/config/config_entries/flow/{flow['flow_id']}", {"next_step_id": "jovision"}
    )
    assert form["type"] == "form", form
    assert form["step_id"] == "jovision"
    address = str(form["description_placeholders"]["address"])
    result = await client.post(f"/api/config/config_entries/flow/{flow['flow_id']}", {})
    assert result["type"] == "create_entry", result
    assert result["description_placeholders"]["address"] == address
    return result["result"], address


async def _add_device(stack: Stack) -> Jovision:
    client = await stack.client()
    try:
        receiver, address = await create_receiver(client)
        # No heartbeat thread: pytest-socket blocks sockets between tests, so the test
        # sends the heartbeats itself (the first one on start, as the device does).
        device = JovisionDevice(UUID, address, heartbeat=None, product_name="Gate JV-1")
        device.start()
        device.stop()  # returns once the first keepalive was answered
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while await client.entry(UUID) is None:
            assert loop.time() < deadline, "the Jovision device was not discovered"
            await client.confirm_discovered()
            await asyncio.sleep(0.2)
        await client.wait_for_entry(UUID)
        online = (await client.entity_ids(UUID))["binary_sensor.online"]
        assert (await asyncio.to_thread(device.send_keepalive)).ok
        await wait_for_state(client, online, "on", timeout=30)
        return Jovision(receiver, address, device)
    finally:
        await client.close()


@pytest.fixture(scope="module")
def jovision(stack: Stack) -> Jovision:
    """The receiver and a discovered, confirmed and online simulated Jovision device."""
    pytest_socket.enable_socket()  # module setup runs before the per-test socket fixture
    return run_async(_add_device(stack))


def decode_jpeg(data: bytes) -> Image.Image:
    """Decode a JPEG fully (raises on a broken one)."""
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "JPEG"
    picture.load()
    return picture


async def test_receiver_shows_the_webhook_address_and_the_device_is_set_up(
    jovision: Jovision, client: HomeAssistantClient, stack: Stack
) -> None:
    assert jovision.address.startswith(f"{stack.hass.url}/api/webhook/")
    receiver = next(
        e for e in await client.entries() if e["entry_id"] == jovision.receiver["entry_id"]
    )
    assert receiver["state"] == "loaded"
    # What the frontend reads for the options gear: the receiver has none, the device has.
    assert receiver["supports_options"] is False

    entry = await client.entry(UUID)
    assert entry is not None
    assert entry["source"] == "integration_discovery"
    assert entry["state"] == "loaded"
    assert entry["supports_options"] is True
    ids = await client.entity_ids(UUID)
    assert set(ids) == EXPECTED_ENTITIES
    assert (await client.state(ids["binary_sensor.online"]) or {})["state"] == "on"
    # The simulator checked every answer: HTTP 200, JSON, result code 0.
    assert jovision.device.replies("keepalive")
    assert all(reply.ok for reply in jovision.device.replies("keepalive"))

    devices = await client.ws({"type": "config/device_registry/list"})
    device = next(d for d in devices if ["face_terminal", UUID] in d["identifiers"])
    assert device["manufacturer"] == "Jovision"
    assert device["serial_number"] == UUID
    assert device["sw_version"] == jovision.device.soft_version


async def test_compare_push_reaches_bus_event_sensor_event_entity_and_images(
    jovision: Jovision, client: HomeAssistantClient
) -> None:
    ids = await client.entity_ids(UUID)
    device_id = await client.device_id(UUID)
    async with client.subscribe_events("face_terminal_recognition") as events:
        reply = await asyncio.to_thread(
            jovision.device.push_match, "Alice", list_type="vip", match_score=0.912
        )
        assert reply.ok, reply
        [event] = await events.wait_for(family="jovision", terminal_id=UUID)

    assert event.data["device_id"] == device_id
    assert event.data["person_name"] == "Alice"
    assert event.data["access"] == "vip"
    assert event.data["similarity"] == 91.2
    assert all(len(str(value)) < 200 for value in event.data.values())  # no picture

    access = await wait_for_arrival(client, ids["event.access"], "Alice")
    assert access["attributes"]["event_type"] == "vip"

    [sent] = [s for s in jovision.device.sent if s.method == "sw_face_compare_push"][-1:]
    status, face = await client.get_bytes(f"/api/image_proxy/{ids['image.last_face']}")
    assert status == 200
    decode_jpeg(face)
    assert face == images.face_jpeg("Alice")  # the very picture the device sent
    status, scene = await client.get_bytes(f"/api/image_proxy/{ids['image.last_scene']}")
    assert status == 200
    assert decode_jpeg(scene).width == 640
    assert scene == base64.b64decode(sent.payload["data"]["img_fr"])


async def test_capture_push_is_a_capture_not_a_recognition(
    jovision: Jovision, client: HomeAssistantClient
) -> None:
    ids = await client.entity_ids(UUID)
    async with client.subscribe_events("face_terminal_capture") as events:
        reply = await asyncio.to_thread(jovision.device.push_capture, temperature=37.9, age=41)
        assert reply.ok, reply
        [event] = await events.wait_for(family="jovision", terminal_id=UUID)
    assert event.data["temperature"] == 37.9
    assert event.data["temperature_threshold"] == 37.3
    assert event.data["age"] == 41
    assert all(len(str(value)) < 200 for value in event.data.values())  # no picture
    access = await client.state(ids["event.access"])
    assert access is not None
    assert access["attributes"]["event_type"] == "face_captured"
    [sent] = [s for s in jovision.device.sent if s.method == "sw_face_capture_push"][-1:]
    status, face = await client.get_bytes(f"/api/image_proxy/{ids['image.last_face']}")
    assert status == 200
    assert face == base64.b64decode(sent.payload["data"]["img_data"])
    # The first reading brings the body-temperature sensor (no thermometer assumed before).
    temperature = (await client.entity_ids(UUID))["sensor.body_temperature"]
    await wait_for_state(client, temperature, "37.9")

    async with client.subscribe_events("face_terminal_capture") as events:
        reply = await asyncio.to_thread(jovision.device.push_capture, report=True)
        assert reply.ok, reply  # answered in the report's own shape
        await events.wait_for(family="jovision", terminal_id=UUID)


async def test_blacklisted_match_is_reported_as_such(
    jovision: Jovision, client: HomeAssistantClient
) -> None:
    async with client.subscribe_events("face_terminal_recognition") as events:
        reply = await asyncio.to_thread(
            jovision.device.push_match, "Mallory", list_type="blacklist"
        )
        assert reply.ok, reply
        [event] = await events.wait_for(family="jovision", person_name="Mallory")
    assert event.data["access"] == "blacklisted"
    ids = await client.entity_ids(UUID)
    await wait_for_arrival(client, ids["event.access"], "Mallory")
