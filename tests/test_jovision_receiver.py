"""Jovision family: the webhook receiver, device discovery, runtime, entities and events."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import aiohttp
import pytest
import yaml
from homeassistant.config_entries import SOURCE_IGNORE, SOURCE_INTEGRATION_DISCOVERY
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, State
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
    mock_restore_cache_with_extra_data,
)

from custom_components.face_terminal.const import (
    CONF_FAMILY,
    CONF_FIRMWARE,
    CONF_HOST,
    CONF_MAC,
    CONF_MODEL,
    CONF_OFFLINE_TIMEOUT,
    CONF_PERSON_NAMES,
    CONF_UUID,
    CONF_WEBHOOK_ID,
    DOMAIN,
    EVENT_CAPTURE,
    EVENT_RECOGNITION,
    FAMILY_JOVISION,
    JOVISION_MAX_BODY,
    JOVISION_RECEIVER_UNIQUE_ID,
)
from custom_components.face_terminal.diagnostics import async_get_config_entry_diagnostics
from custom_components.face_terminal.jovision import JovisionDevice, JovisionReceiver, _preview
from custom_components.face_terminal.protocol import error_reply, keepalive_reply, push_reply

from .payloads import jpeg

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from pytest_homeassistant_custom_component.typing import (
        ClientSessionGenerator,
        MqttMockHAClient,
    )

WEBHOOK_ID = "0123456789abcdef0123456789abcdef"
URL = f"/api/webhook/{WEBHOOK_ID}"
UUID = "12721SSQSQCA"
MAC = "E0:62:90:AB:CD:EF"
HOST = "192.168.1.64"
FACE = jpeg(32, 40)
SCENE = jpeg(96, 64, (10, 20, 30))

ONLINE = "binary_sensor.facegate_online"
LAST_PERSON = "sensor.facegate_last_person"

# The last-person sensor is created disabled; these tests use it as a user who enabled it.
pytestmark = pytest.mark.usefixtures("all_entities_enabled")
ACCESS = "event.facegate_access"
LAST_FACE = "image.facegate_last_face"
LAST_SCENE = "image.facegate_last_scene"


def keepalive(**fields: Any) -> bytes:
    """A heartbeat of the device."""
    message = {
        "method": "keepalive",
        "uuid": UUID,
        "mac": MAC,
        "host": HOST,
        "device_type": 0x12,
        "timestamp": "1542204566",
        "soft_version": "V2.1.0",
        "token": "t0k3n",
        **fields,
    }
    return json.dumps(message).encode()


def compare(*, top: dict[str, Any] | None = None, **record: Any) -> bytes:
    """A compare push; `record` overrides fields of ``data``, `top` top-level fields."""
    data: dict[str, Any] = {
        "channel": 0,
        "index_id": "478",
        "pic_sort": "2",
        "pic_name": "chenzhen_12354.jpg",
        "match_score": 0.93,
        "capture_time": "1542204566",
        "quality": 87,
        "attribute": {"age": 32, "gender": 1, "glasses": 0, "mask": 1},
        "img_data": base64.b64encode(FACE).decode(),
        "img_fr": "data:image/jpeg;base64," + base64.b64encode(SCENE).decode(),
        "face_feature": "QUJDRA==" * 20,
        **record,
    }
    message = {
        "token": "t0k3n",
        "method": "sw_face_compare_push",
        "uuid": UUID,
        "mac": MAC,
        "host": HOST,
        "product_name": "FaceGate",
        "device_type": 0x12,
        "data": data,
        **(top or {}),
    }
    return json.dumps(message).encode()


def device_entry(**options: Any) -> MockConfigEntry:
    """A confirmed Jovision device."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="FaceGate",
        unique_id=UUID,
        data={
            CONF_FAMILY: FAMILY_JOVISION,
            CONF_UUID: UUID,
            CONF_MAC: MAC,
            CONF_HOST: HOST,
            CONF_MODEL: "FaceGate",
            CONF_FIRMWARE: "V2.0.0",
        },
        options=options,
    )


@pytest.fixture
async def receiver(hass: HomeAssistant, mqtt_mock: MqttMockHAClient) -> MockConfigEntry:
    """The receiver entry, set up (with the image platform, before the router freezes)."""
    assert await async_setup_component(hass, "image", {})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Jovision receiver",
        unique_id=JOVISION_RECEIVER_UNIQUE_ID,
        data={CONF_FAMILY: FAMILY_JOVISION, CONF_WEBHOOK_ID: WEBHOOK_ID},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def client(
    hass: HomeAssistant, receiver: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> Any:
    """An HTTP client for the webhook."""
    return await hass_client_no_auth()


@pytest.fixture
async def device(hass: HomeAssistant, receiver: MockConfigEntry) -> MockConfigEntry:
    """A confirmed device entry, set up (offline until it is heard)."""
    entry = device_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def post(hass: HomeAssistant, client: Any, body: bytes, **kwargs: Any) -> tuple[int, bytes]:
    """POST a body; wait for the background handling; return status and body."""
    response = await client.post(
        URL, data=body, headers={"Content-Type": "application/json;charset=utf-8"}, **kwargs
    )
    answer = await response.read()
    await hass.async_block_till_done(wait_background_tasks=True)
    return response.status, answer


def runtime(entry: MockConfigEntry) -> JovisionDevice:
    device = entry.runtime_data
    assert isinstance(device, JovisionDevice)
    return device


def state(hass: HomeAssistant, entity_id: str) -> State:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current


# --- discovery ---------------------------------------------------------------------------


async def test_keepalive_discovers_device(hass: HomeAssistant, client: Any) -> None:
    """Keepalive → one discovery flow → confirm → a device that is online."""
    status, answer = await post(hass, client, keepalive())
    assert status == HTTPStatus.OK
    assert answer == keepalive_reply()
    await post(hass, client, keepalive())  # a second heartbeat: still one flow

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(flows) == 1
    flow = flows[0]
    assert flow["context"]["source"] == SOURCE_INTEGRATION_DISCOVERY
    assert flow["context"]["unique_id"] == UUID
    assert flow["step_id"] == "jovision_confirm"

    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Jovision {UUID}"
    assert result["data"] == {
        CONF_FAMILY: FAMILY_JOVISION,
        CONF_UUID: UUID,
        CONF_MAC: MAC,
        CONF_HOST: HOST,
        CONF_MODEL: "Comparison machine",
        CONF_FIRMWARE: "V2.1.0",
    }
    await hass.async_block_till_done()
    entry = result["result"]
    assert state(hass, f"binary_sensor.jovision_{UUID.lower()}_online").state == STATE_OFF

    await post(hass, client, keepalive())
    assert state(hass, f"binary_sensor.jovision_{UUID.lower()}_online").state == STATE_ON
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, UUID), entry.entry_id)
    assert device is not None
    assert device.manufacturer == "Jovision"
    assert device.model == "Comparison machine"
    assert device.sw_version == "V2.1.0"
    assert device.configuration_url == f"http://{HOST}"
    assert device.config_entry_id == entry.entry_id


async def test_push_discovers_device_with_product_name(hass: HomeAssistant, client: Any) -> None:
    """A compare push from an unknown device is answered, ignored, and offered for setup."""
    events: list[Event] = []
    hass.bus.async_listen(EVENT_RECOGNITION, events.append)
    status, answer = await post(hass, client, compare())
    assert (status, answer) == (HTTPStatus.OK, push_reply())
    assert events == []
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["title_placeholders"] for flow in flows] == [{"name": "FaceGate"}]


async def test_ignored_device_is_not_offered_again(
    hass: HomeAssistant, client: Any, receiver: MockConfigEntry
) -> None:
    """A device the user ignored is answered, but neither handled nor offered."""
    MockConfigEntry(domain=DOMAIN, unique_id=UUID, source=SOURCE_IGNORE, data={}).add_to_hass(hass)
    status, _ = await post(hass, client, keepalive())
    assert status == HTTPStatus.OK
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert isinstance(receiver.runtime_data, JovisionReceiver)
    assert receiver.runtime_data.counters["ignored"] == 1


async def test_unloaded_device_is_ignored(
    hass: HomeAssistant, client: Any, receiver: MockConfigEntry, device: MockConfigEntry
) -> None:
    """Messages for a device whose entry is not loaded are answered and dropped."""
    await hass.config_entries.async_unload(device.entry_id)
    status, _ = await post(hass, client, keepalive())
    assert status == HTTPStatus.OK
    assert receiver.runtime_data.counters["ignored"] == 1


async def test_no_uuid(hass: HomeAssistant, client: Any, receiver: MockConfigEntry) -> None:
    """A message without UUID or MAC is answered and ignored."""
    status, answer = await post(hass, client, b'{"method":"keepalive"}')
    assert (status, answer) == (HTTPStatus.OK, keepalive_reply())
    assert receiver.runtime_data.counters["no_uuid"] == 1
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


# --- runtime and entities ----------------------------------------------------------------


async def test_compare_push(
    hass: HomeAssistant,
    client: Any,
    device: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """A match updates sensor, event and images, and fires the bus event."""
    events: list[Event] = []
    hass.bus.async_listen(EVENT_RECOGNITION, events.append)
    assert state(hass, LAST_PERSON).state == STATE_UNAVAILABLE

    status, answer = await post(hass, client, compare())
    assert (status, answer) == (HTTPStatus.OK, push_reply())

    assert state(hass, ONLINE).state == STATE_ON
    person = state(hass, LAST_PERSON)
    assert person.state == "chenzhen_12354"
    time = dt_util.as_local(datetime(2018, 11, 14, 14, 9, 26, tzinfo=UTC)).isoformat()
    expected_attributes = {
        "index_id": 478,
        "list": "whitelist",
        "similarity": 93.0,
        "capture_time": time,
        "age": 32,
        "gender": "male",
        "mask": True,
        "glasses": False,
    }
    assert {key: person.attributes[key] for key in expected_attributes} == expected_attributes

    access = state(hass, ACCESS)
    assert access.attributes["event_type"] == "recognized"
    assert access.attributes["person_name"] == "chenzhen_12354"
    assert access.attributes["similarity"] == 93.0

    assert len(events) == 1
    assert events[0].data == {
        "family": "jovision",
        "entity_id": "event.facegate_access",  # the logbook line's entity (issue 22)
        "device_id": runtime(device).device_id,
        "terminal_id": UUID,
        "record_id": None,
        "time": time,
        "access": "recognized",
        "person_name": "chenzhen_12354",
        "index_id": 478,
        "list": "whitelist",
        "similarity": 93.0,
    }
    # One context for the event and the entity updates (logbook: one cause, the person).
    assert access.context.id == person.context.id == events[0].context.id
    text = json.dumps([events[0].data, dict(person.attributes), dict(access.attributes)])
    assert "QUJDRA" not in text
    assert base64.b64encode(FACE).decode()[:40] not in text

    image_client = await hass_client()
    for entity_id, picture in ((LAST_FACE, FACE), (LAST_SCENE, SCENE)):
        image_state = state(hass, entity_id)
        assert image_state.state != STATE_UNKNOWN
        response = await image_client.get(f"/api/image_proxy/{entity_id}")
        assert response.status == HTTPStatus.OK
        assert await response.read() == picture

    diagnostics = await async_get_config_entry_diagnostics(hass, device)
    assert diagnostics["device"]["online"] is True
    assert diagnostics["device"]["last_face"] == {"content_type": "image/jpeg", "size": len(FACE)}
    assert diagnostics["last_recognition"]["person_name"] == "**REDACTED**"
    assert diagnostics["entry"]["data"][CONF_MAC] == "**REDACTED**"
    assert diagnostics["counters"] == {"sw_face_compare_push": 1}


async def test_match_without_name_shows_index(
    hass: HomeAssistant, client: Any, device: MockConfigEntry
) -> None:
    """A library picture without a name: the last person is its index ID, as MQTT's ID."""
    records: list[Any] = []
    runtime(device).async_add_record_listener(records.append)
    await post(hass, client, compare(pic_name=""))
    assert (records[0].alarm_type, records[0].alarm_attributes) == (None, {})
    assert state(hass, LAST_PERSON).state == "478"
    assert "person_name" not in state(hass, ACCESS).attributes


async def test_entities_follow_capabilities(hass: HomeAssistant, device: MockConfigEntry) -> None:
    """A Jovision device only pushes: no door, camera, scan or temperature entities."""
    entity_ids = sorted(
        entity.entity_id
        for entity in er.async_entries_for_config_entry(er.async_get(hass), device.entry_id)
    )
    assert entity_ids == sorted([ONLINE, LAST_PERSON, ACCESS, LAST_FACE, LAST_SCENE])
    assert state(hass, ACCESS).attributes["event_types"] == [
        "recognized",
        "blacklisted",
        "vip",
        "unknown",
        "face_captured",
    ]


@pytest.mark.parametrize(
    ("pic_sort", "event_type"), [("1", "blacklisted"), ("3", "vip"), ("4", "recognized")]
)
async def test_access_types(
    hass: HomeAssistant, client: Any, device: MockConfigEntry, pic_sort: str, event_type: str
) -> None:
    """The list the library picture is on gives the event type."""
    events: list[Event] = []
    hass.bus.async_listen(EVENT_RECOGNITION, events.append)
    await post(hass, client, compare(pic_sort=pic_sort))
    assert state(hass, ACCESS).attributes["event_type"] == event_type
    assert events[0].data["access"] == event_type


async def test_person_names_option(hass: HomeAssistant, client: Any, receiver: Any) -> None:
    """The options map index IDs to names; unmapped pictures keep their file name."""
    entry = device_entry(**{CONF_PERSON_NAMES: {"478": "Chen Zhen"}})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await post(hass, client, compare())
    assert state(hass, LAST_PERSON).state == "Chen Zhen"
    await post(hass, client, compare(index_id=9, pic_name="bob.jpg", match_score=None))
    person = state(hass, LAST_PERSON)
    assert person.state == "bob"
    assert "similarity" not in person.attributes


async def test_keepalive_updates_identity(
    hass: HomeAssistant, client: Any, device: MockConfigEntry
) -> None:
    """A new IP address and firmware are written to the entry and the device."""
    await post(hass, client, keepalive(host="192.168.1.99", soft_version="V3.0.0"))
    assert device.data[CONF_HOST] == "192.168.1.99"
    assert device.data[CONF_FIRMWARE] == "V3.0.0"
    registry_device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, UUID), device.entry_id
    )
    assert registry_device is not None
    assert registry_device.sw_version == "V3.0.0"
    assert registry_device.configuration_url == "http://192.168.1.99"
    assert device.state.name == "LOADED"


async def test_device_without_mac_learns_it(
    hass: HomeAssistant, client: Any, receiver: MockConfigEntry
) -> None:
    """An entry created without a MAC address takes the first one reported."""
    entry = device_entry()
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_MAC: None, CONF_HOST: None, CONF_MODEL: None}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    registry_device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, UUID), entry.entry_id
    )
    assert registry_device is not None
    assert registry_device.model == "Face recognition device"
    assert registry_device.configuration_url is None
    await post(hass, client, keepalive())
    assert entry.data[CONF_MAC] == MAC


async def test_offline_after_timeout(
    hass: HomeAssistant, client: Any, device: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Offline after three missed heartbeats; a push brings it back."""
    await post(hass, client, keepalive())
    assert state(hass, ONLINE).state == STATE_ON
    freezer.tick(timedelta(seconds=60))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert state(hass, ONLINE).state == STATE_ON
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert state(hass, ONLINE).state == STATE_OFF
    assert state(hass, LAST_PERSON).state == STATE_UNAVAILABLE
    freezer.tick(timedelta(seconds=100))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    await post(hass, client, compare())
    assert state(hass, ONLINE).state == STATE_ON


async def test_offline_timeout_option(
    hass: HomeAssistant, client: Any, receiver: Any, freezer: FrozenDateTimeFactory
) -> None:
    """The offline timeout comes from the options."""
    entry = device_entry(**{CONF_OFFLINE_TIMEOUT: 30})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await post(hass, client, keepalive())
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert state(hass, ONLINE).state == STATE_OFF


async def test_last_person_restored(hass: HomeAssistant, receiver: Any) -> None:
    """The last person and its known attributes survive a restart (the MQTT sensor's way)."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(LAST_PERSON, "Alice"),
                {
                    "native_value": "Alice",
                    "native_unit_of_measurement": None,
                    "attributes": {"index_id": 5, "list": "vip", "icon": "x"},
                },
            )
        ],
    )
    entry = device_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    device = runtime(entry)
    device.online = True
    for listener in list(device._presence_listeners):
        listener()
    person = state(hass, LAST_PERSON)
    assert person.state == "Alice"
    assert person.attributes["index_id"] == 5
    assert "icon" not in person.attributes or person.attributes["icon"] != "x"


def capture(*, top: dict[str, Any] | None = None, **record: Any) -> bytes:
    """A capture push in the seed's shape; `record` overrides fields of ``data``."""
    data: dict[str, Any] = {
        "channel": 0,
        "position": {"x": 220, "y": 96, "w": 180, "h": 240},
        "capture_time": "2018-04-17 14:53:23",
        "send_time": "2018-04-17 14:53:24",
        "quality": 54321,
        "track_id": 77,
        "attribute": {"age": 41, "gender": 2, "glasses": 1, "mask": 0},
        "img_data": base64.b64encode(FACE).decode(),
        "img_name": "FACE_12721SSQSQCA_20180417T145323000_1.jpg",
        "img_fr": base64.b64encode(SCENE).decode(),
        "img_fr_name": "FACE_12721SSQSQCA_20180417T145323000_1_YT.jpg",
        "face_feature": "QUJDRA==" * 20,
        "temperature": {"realtime_t": "37.8", "warning_t": "37.3", "warning_type": "over"},
        **record,
    }
    message = {
        "token": "t0k3n",
        "method": "sw_face_capture_push",
        "uuid": UUID,
        "mac": MAC,
        "host": HOST,
        "product_name": "FaceGate",
        "device_type": 0x10,
        "data": data,
        **(top or {}),
    }
    return json.dumps(message).encode()


async def test_capture_push(
    hass: HomeAssistant,
    client: Any,
    device: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """A capture: its own bus event, face_captured on the access entity, the pictures.

    It names nobody, so it is no recognition: no recognition event, no last person.
    """
    recognitions: list[Event] = []
    captures: list[Event] = []
    hass.bus.async_listen(EVENT_RECOGNITION, recognitions.append)
    hass.bus.async_listen(EVENT_CAPTURE, captures.append)
    records: list[Any] = []
    runtime(device).async_add_record_listener(records.append)

    status, answer = await post(hass, client, capture())
    assert (status, answer) == (HTTPStatus.OK, push_reply())

    # What every entity reads of the record: a face, nobody's, no alarm, a temperature.
    [record] = records
    assert (record.is_access, record.is_scan, record.recognized_person) == (True, False, None)
    assert (record.person_attributes, record.alarm_type, record.alarm_attributes) == ({}, None, {})
    assert record.temperature == 37.8

    assert recognitions == []
    time = datetime(2018, 4, 17, 14, 53, 23, tzinfo=dt_util.get_default_time_zone())
    assert [event.data for event in captures] == [
        {
            "family": "jovision",
            "entity_id": "event.facegate_access",
            "device_id": runtime(device).device_id,
            "terminal_id": UUID,
            "time": time.isoformat(),
            "quality": 54321,
            "age": 41,
            "gender": "female",
            "mask": False,
            "glasses": True,
            "temperature": 37.8,
            "temperature_threshold": 37.3,
            "temperature_warning": "over",
        }
    ]
    access = state(hass, ACCESS)
    assert access.attributes["event_type"] == "face_captured"
    shown = {
        key: access.attributes.get(key)
        for key in ("quality", "age", "gender", "mask", "glasses", "temperature")
    }
    assert shown == {
        "quality": 54321,
        "age": 41,
        "gender": "female",
        "mask": False,
        "glasses": True,
        "temperature": 37.8,
    }
    assert access.context.id == captures[0].context.id
    assert state(hass, LAST_PERSON).state == STATE_UNKNOWN
    assert runtime(device).last_recognition is None

    image_client = await hass_client()
    for entity_id, picture in ((LAST_FACE, FACE), (LAST_SCENE, SCENE)):
        assert state(hass, entity_id).state != STATE_UNKNOWN
        response = await image_client.get(f"/api/image_proxy/{entity_id}")
        assert await response.read() == picture

    text = json.dumps([captures[0].data, dict(access.attributes)])
    for private in ("QUJDRA", base64.b64encode(FACE).decode()[:40], "FACE_", "track_id"):
        assert private not in text
    assert runtime(device).counters["sw_face_capture_push"] == 1


async def test_capture_report(hass: HomeAssistant, client: Any, device: MockConfigEntry) -> None:
    """The CamelCase ``sw_cap_face_report``: answered its own way; no user name or hash."""
    captures: list[Event] = []
    hass.bus.async_listen(EVENT_CAPTURE, captures.append)
    body = {
        "UserName": "admin",
        "Password": "123456789abcdef123456789abcdef12",
        "sw_cap_face_report": {
            "DeviceID": "12221SSS13Q4",
            "DeviceUUID": UUID,
            "DeviceType": 16,
            "HostIP": HOST,
            "DeviceMac": MAC,
            "Info": {
                "FaceID": 1,
                "FaceQuality": 80,
                "CaptureTime": "2018-04-23 09:04:00",
                "Img": base64.b64encode(FACE).decode(),
                "Attribute": {"Age": 32, "Gender": 1},
            },
        },
    }
    status, answer = await post(hass, client, json.dumps(body).encode())
    assert status == HTTPStatus.OK
    assert json.loads(answer) == {"sw_cap_face_report": {"result": 0, "info": "ok"}}
    [event] = captures
    assert (event.data["quality"], event.data["age"], event.data["gender"]) == (80, 32, "male")
    assert "temperature" not in event.data
    text = json.dumps([event.data, dict(state(hass, ACCESS).attributes)])
    assert "admin" not in text
    assert "123456789abcdef" not in text
    assert state(hass, ACCESS).attributes["event_type"] == "face_captured"


async def test_capture_with_garbage_temperature(
    hass: HomeAssistant, client: Any, device: MockConfigEntry
) -> None:
    """Unreadable readings are left out; the warning text is cleaned and bounded."""
    captures: list[Event] = []
    hass.bus.async_listen(EVENT_CAPTURE, captures.append)
    garbage = {"realtime_t": "hot", "warning_t": "NaN", "warning_type": "\u202e" + "x" * 900}
    await post(hass, client, capture(temperature=garbage, attribute="not an object"))
    [event] = captures
    assert "temperature" not in event.data
    assert "temperature_threshold" not in event.data
    warning = event.data["temperature_warning"]
    assert "\u202e" not in warning
    assert len(warning) <= 256
    assert "age" not in event.data
    assert "temperature" not in state(hass, ACCESS).attributes


async def test_capture_claiming_a_match_is_no_recognition(
    hass: HomeAssistant, client: Any, device: MockConfigEntry
) -> None:
    """A capture push carrying a person's name or library index still names nobody."""
    recognitions: list[Event] = []
    hass.bus.async_listen(EVENT_RECOGNITION, recognitions.append)
    await post(
        hass,
        client,
        capture(person_name="Mallory", index_id="478", pic_name="mallory.jpg", pic_sort="3"),
    )
    assert recognitions == []
    access = state(hass, ACCESS)
    assert access.attributes["event_type"] == "face_captured"
    assert "Mallory" not in json.dumps(dict(access.attributes))
    assert state(hass, LAST_PERSON).state == STATE_UNKNOWN


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"no": "method"}', b""])
async def test_invalid_body(
    hass: HomeAssistant,
    client: Any,
    receiver: MockConfigEntry,
    body: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Bodies that are not Jovision messages get the documented error reply."""
    caplog.set_level(logging.DEBUG, logger="custom_components.face_terminal")
    status, answer = await post(hass, client, body)
    assert (status, answer) == (HTTPStatus.OK, error_reply())
    assert receiver.runtime_data.counters["invalid"] == 1


async def test_invalid_body_log_has_no_picture(
    hass: HomeAssistant, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The debug line is short and carries no base64."""
    caplog.set_level(logging.DEBUG, logger="custom_components.face_terminal")
    picture = base64.b64encode(FACE).decode()
    await post(hass, client, b'{"img_data":"' + picture.encode() + b'", broken')
    assert "invalid body" in caplog.text
    assert picture[:40] not in caplog.text
    assert len(_preview(b"x" * 10_000)) <= 120
    preview = _preview(b'{"name":"Li","phone":"13912345678","id":"110101199003078515"}')
    assert "13912345678" not in preview
    assert "110101199003078515" not in preview
    assert "Li" in preview


async def test_unknown_method(
    hass: HomeAssistant,
    client: Any,
    receiver: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unknown method is answered with -1001 and not handled."""
    caplog.set_level(logging.DEBUG, logger="custom_components.face_terminal")
    status, answer = await post(
        hass, client, json.dumps({"method": "sw_server_add_pic", "uuid": UUID}).encode()
    )
    assert status == HTTPStatus.OK
    assert json.loads(answer)["code"] == -1001
    assert receiver.runtime_data.counters["unknown_method"] == 1
    assert "sw_server_add_pic" in caplog.text
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_get_not_allowed(hass: HomeAssistant, client: Any) -> None:
    """Only POST is accepted."""
    response = await client.get(URL)
    assert response.status == HTTPStatus.METHOD_NOT_ALLOWED


async def test_oversized_body(hass: HomeAssistant, client: Any, receiver: MockConfigEntry) -> None:
    """A body over the limit is refused with 413 before it is parsed."""
    status, _ = await post(hass, client, b"{" + b" " * JOVISION_MAX_BODY + b"}")
    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert receiver.runtime_data.counters["too_large"] == 1


async def test_oversized_body_without_length(
    hass: HomeAssistant, client: Any, receiver: MockConfigEntry
) -> None:
    """A chunked body is measured after reading."""

    async def chunks() -> Any:
        yield b"{" + b" " * JOVISION_MAX_BODY
        yield b"}"

    status, _ = await post(hass, client, chunks())  # type: ignore[arg-type]
    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


async def test_body_over_server_limit(
    hass: HomeAssistant, client: Any, receiver: MockConfigEntry
) -> None:
    """aiohttp's own limit (HTTPRequestEntityTooLarge) gives 413 as well."""
    with patch(
        "custom_components.face_terminal.jovision.web.Request.read",
        side_effect=aiohttp.web.HTTPRequestEntityTooLarge(max_size=1, actual_size=2),
    ):
        status, _ = await post(hass, client, keepalive())
    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


async def test_http_10(hass: HomeAssistant, client: Any, device: MockConfigEntry) -> None:
    """A raw HTTP/1.0 request with Content-Length, as the devices send it, works."""
    body = keepalive()
    head = (
        f"POST {URL} HTTP/1.0\r\n"
        "Connection: keep-alive\r\n"
        "Content-Type: application/json;charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Host: {client.server.host}:{client.server.port}\r\n\r\n"
    )
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    try:
        writer.write(head.encode() + body)
        await writer.drain()
        status_line = await reader.readline()
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        answer = await reader.readexactly(int(headers["content-length"]))
    finally:
        writer.close()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert status_line.split()[1] == b"200"
    assert headers["content-type"].startswith("application/json")
    assert answer == keepalive_reply()
    assert state(hass, ONLINE).state == STATE_ON


async def test_identity_mismatch(
    hass: HomeAssistant,
    client: Any,
    receiver: MockConfigEntry,
    device: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A push whose UUID comes with another MAC address is flagged and ignored."""
    events: list[Event] = []
    hass.bus.async_listen(EVENT_RECOGNITION, events.append)
    other = {"mac": "00:11:22:33:44:55"}
    status, answer = await post(hass, client, compare(top=other))
    assert (status, answer) == (HTTPStatus.OK, push_reply())
    await post(hass, client, compare(top=other))
    assert events == []
    assert state(hass, ONLINE).state == STATE_OFF
    assert receiver.runtime_data.counters["identity_mismatch"] == 2
    assert caplog.text.count("first seen with") == 1
    # The same MAC in another spelling is the same device.
    await post(hass, client, compare(top={"mac": MAC.lower().replace(":", "-")}))
    assert len(events) == 1


async def test_identity_mismatch_unconfirmed(
    hass: HomeAssistant, client: Any, receiver: MockConfigEntry
) -> None:
    """Before confirmation the MAC address of the first message counts."""
    await post(hass, client, keepalive())
    await post(hass, client, keepalive(mac="00:11:22:33:44:55"))
    assert receiver.runtime_data.counters["identity_mismatch"] == 1
    diagnostics = await async_get_config_entry_diagnostics(hass, receiver)
    assert diagnostics["devices_seen"] == 1
    assert diagnostics["entry"]["data"][CONF_WEBHOOK_ID] == "**REDACTED**"


async def test_unload_receiver(hass: HomeAssistant, client: Any, receiver: MockConfigEntry) -> None:
    """Unloading the receiver removes the webhook."""
    assert await hass.config_entries.async_unload(receiver.entry_id)
    response = await client.post(URL, data=keepalive())
    assert response.status == HTTPStatus.OK  # the webhook component answers unknown IDs
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_remove_device_entry_device(
    hass: HomeAssistant, device: MockConfigEntry, receiver: MockConfigEntry
) -> None:
    """The device of a Jovision entry cannot be removed on its own; others can."""
    from custom_components.face_terminal import (
        async_remove_config_entry_device,
    )

    registry = dr.async_get(hass)
    own = registry.async_get_device_by_identifier((DOMAIN, UUID), device.entry_id)
    assert own is not None
    assert await async_remove_config_entry_device(hass, device, own) is False
    assert await async_remove_config_entry_device(hass, receiver, own) is True
    assert await hass.config_entries.async_unload(device.entry_id)


# --- actions -----------------------------------------------------------------------------


async def test_actions_refuse_jovision_devices(
    hass: HomeAssistant, device: MockConfigEntry
) -> None:
    """Actions the protocol cannot do raise a translated validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "unlock", {"device_id": [runtime(device).device_id]}, blocking=True
        )
    assert err.value.translation_key == "not_supported_by_jovision"
    assert err.value.translation_placeholders == {"device": "FaceGate"}


async def test_readme_capture_automation(
    hass: HomeAssistant, client: Any, device: MockConfigEntry
) -> None:
    """The documented capture example (docs/jovision.md) notifies for a warm face only."""
    calls = async_mock_service(hass, "notify", "mobile_app_phone")
    page = (Path(__file__).parent.parent / "docs" / "jovision.md").read_text(encoding="utf-8")
    section = page.split("## Captures\n", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert await async_setup_component(hass, "automation", yaml.safe_load(block))
    cool = {"realtime_t": "36.4", "warning_t": "37.3", "warning_type": "over"}
    await post(hass, client, capture(temperature=cool))
    await post(hass, client, capture(temperature=None))
    await post(hass, client, capture())  # 37.8 over 37.3
    await hass.async_block_till_done()
    assert [call.data["message"] for call in calls] == ["37.8 °C at the gate"]
    assert calls[0].data["data"]["image"] == "/api/image_proxy/image.gate_last_face"


TEMPERATURE = "sensor.facegate_body_temperature"


async def test_temperature_sensor_appears_with_the_first_reading(
    hass: HomeAssistant, client: Any, device: MockConfigEntry
) -> None:
    """No thermometer is assumed: the sensor comes with the first capture that has one."""
    await post(hass, client, compare())
    no_reading = {"realtime_t": "warm", "warning_t": "37.3", "warning_type": "over"}
    await post(hass, client, capture(temperature=no_reading))
    assert hass.states.get(TEMPERATURE) is None

    captures: list[Event] = []
    hass.bus.async_listen(EVENT_CAPTURE, captures.append)
    await post(hass, client, capture())
    first = state(hass, TEMPERATURE)
    assert first.state == "37.8"
    assert first.attributes["unit_of_measurement"] == "°C"
    assert first.context.id == captures[0].context.id  # one logbook cause

    await post(hass, client, capture(temperature={"realtime_t": "36.9"}))
    await post(hass, client, capture(temperature=None))  # no reading: the last one stays
    assert state(hass, TEMPERATURE).state == "36.9"

    # Once it exists it is set up with the device (restored), before any reading.
    assert await hass.config_entries.async_reload(device.entry_id)
    await hass.async_block_till_done()
    await post(hass, client, keepalive())
    assert state(hass, TEMPERATURE).state == "36.9"
    await post(hass, client, capture(temperature={"realtime_t": "37.1"}))
    assert state(hass, TEMPERATURE).state == "37.1"
    entries = er.async_entries_for_config_entry(er.async_get(hass), device.entry_id)
    assert [e.entity_id for e in entries].count(TEMPERATURE) == 1
