"""Tests of the access and scan event entities."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.components.event import ATTR_EVENT_TYPE, ATTR_EVENT_TYPES
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import Event, HomeAssistant, State, callback
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension

from custom_components.face_terminal.const import (
    ACCESS_EVENT_TYPES,
    EVENT_RECOGNITION,
    SCAN_EVENT_TYPES,
)

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry

if TYPE_CHECKING:
    from collections.abc import Generator

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.helpers import entity_registry as er
    from syrupy.assertion import SnapshotAssertion

ACCESS = "event.front_door_access"
SCAN = "event.front_door_scan"
STANDARD_ATTRIBUTES = {"friendly_name", "icon", ATTR_EVENT_TYPE, ATTR_EVENT_TYPES}
ACCESS_KEYS = {"person_name", "custom_id", "similarity", "temperature", "direction", "blacklisted"}
SECRETS = ("base64", "421381199504030001", "18888888888", payloads.ID_NUMBER, payloads.PHONE)


@pytest.fixture(autouse=True)
def only_event() -> Generator[None]:
    """Set up only this platform."""
    with patch("custom_components.face_terminal.PLATFORMS", [Platform.EVENT]):
        yield


async def deliver(hass: HomeAssistant, topic: str, payload: bytes) -> None:
    """Fire a terminal message and let it be handled."""
    fire(hass, topic, payload)
    await hass.async_block_till_done()


def event_of(hass: HomeAssistant, entity_id: str) -> tuple[str, dict[str, Any]]:
    """The last event's type and its own attributes."""
    state = hass.states.get(entity_id)
    attributes = {
        key: value for key, value in state.attributes.items() if key not in STANDARD_ATTRIBUTES
    }
    return state.attributes[ATTR_EVENT_TYPE], attributes


def assert_private(hass: HomeAssistant) -> None:
    """No picture, ID number or phone number in any state of the integration."""
    for state in hass.states.async_all():
        text = json.dumps(state.as_dict(), default=str)
        for secret in SECRETS:
            assert secret not in text, (state.entity_id, secret)


async def test_entities(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Registry entries and states, with the event types."""
    await snapshot_platform(
        hass,
        entity_registry,
        snapshot.use_extension(HomeAssistantSnapshotExtension),
        loaded_entry.entry_id,
    )
    assert hass.states.get(ACCESS).attributes[ATTR_EVENT_TYPES] == ACCESS_EVENT_TYPES
    assert hass.states.get(SCAN).attributes[ATTR_EVENT_TYPES] == SCAN_EVENT_TYPES


@pytest.mark.parametrize(
    ("verify_status", "person_type", "event_type", "blacklisted"),
    [
        ("1", "0", "access_granted", False),
        ("2", "0", "access_denied", False),
        ("3", "0", "not_registered", False),
        ("24", "0", "no_permission", False),
        ("0", "1", "access_denied", True),
        ("0", "0", "access_granted", False),
        ("99", "1", "unknown", True),  # an undocumented status is never granted
        ("99", "0", "unknown", False),
        ("0", "7", "unknown", False),  # no status and an undocumented list
    ],
)
async def test_access_event(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    *,
    verify_status: str,
    person_type: str,
    event_type: str,
    blacklisted: bool,
) -> None:
    """Every VerifyStatus maps to its event type, with only the small attributes."""
    await deliver(
        hass,
        payloads.REC_TOPIC,
        payloads.rec_push(
            verify_status=verify_status, person_type=person_type, pic=payloads.jpeg()
        ),
    )
    assert event_of(hass, ACCESS) == (
        event_type,
        {
            "person_name": "Alice",
            "custom_id": "alice-01",
            "similarity": 83.0,
            "temperature": 36.53,
            "direction": "entr",
            "blacklisted": blacklisted,
        },
    )
    assert hass.states.get(SCAN).state == STATE_UNKNOWN
    assert_private(hass)


async def test_stranger_event(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """A stranger snapshot fires "stranger" with temperature and direction only."""
    await deliver(hass, payloads.SNAP_TOPIC, payloads.str_snap_push(pic=payloads.jpeg()))
    assert event_of(hass, ACCESS) == ("stranger", {"temperature": 36.8, "direction": "exit"})

    await deliver(
        hass, payloads.SNAP_TOPIC, payloads.str_snap_push(snap_id="312", temperature=None)
    )
    assert event_of(hass, ACCESS) == ("stranger", {"direction": "exit"})
    assert_private(hass)


async def test_same_person_twice_fires_twice(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Two passages of the same person are two events (the state is the event time)."""
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="1"))
    first = hass.states.get(ACCESS).state
    freezer.tick(5)
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="2"))
    assert hass.states.get(ACCESS).state != first

    # A re-sent record (same RecordID) is not a new passage.
    second = hass.states.get(ACCESS).state
    freezer.tick(5)
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="2"))
    assert hass.states.get(ACCESS).state == second


@pytest.mark.parametrize(
    ("topic", "payload", "event_type", "attributes"),
    [
        (
            payloads.QR_TOPIC,
            payloads.qr_push("https://u.example/123456ABCD"),
            "qr_code",
            {"code": "https://u.example/123456ABCD"},
        ),
        (payloads.CARD_TOPIC, payloads.card_push("519f7d29"), "card", {"card_number": "519f7d29"}),
        (
            payloads.IDCARD_TOPIC,
            payloads.id_card_push(photo=payloads.jpeg()),
            "id_card",
            {"person_name": "张三", "id_last4": payloads.ID_NUMBER[-4:]},
        ),
    ],
)
async def test_scan_event(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    *,
    topic: str,
    payload: bytes,
    event_type: str,
    attributes: dict[str, Any],
) -> None:
    """Every scan type fires its event with only its own small attributes."""
    await deliver(hass, topic, payload)
    assert event_of(hass, SCAN) == (event_type, attributes)
    assert hass.states.get(ACCESS).state == STATE_UNKNOWN
    assert_private(hass)


async def test_scan_without_value(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """A scan without a readable value still fires, with no attributes."""
    await deliver(hass, payloads.QR_TOPIC, payloads.qr_push(""))
    assert event_of(hass, SCAN) == ("qr_code", {})


async def test_bad_records_fire_nothing(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Malformed payloads and other terminals' records fire no event."""
    await deliver(hass, payloads.REC_TOPIC, b"{not json")
    await deliver(hass, payloads.REC_TOPIC, b"[]")
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push()[:-5])
    await deliver(hass, payloads.QR_TOPIC, payloads.qr_push(terminal_id="999999"))
    assert hass.states.get(ACCESS).state == STATE_UNKNOWN
    assert hass.states.get(SCAN).state == STATE_UNKNOWN


async def test_unavailable_when_offline(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Both event entities follow the terminal's presence; a record brings them back."""
    await deliver(hass, payloads.BASIC_TOPIC, payloads.offline())
    assert hass.states.get(ACCESS).state == STATE_UNAVAILABLE
    assert hass.states.get(SCAN).state == STATE_UNAVAILABLE

    await deliver(hass, payloads.CARD_TOPIC, payloads.card_push())
    assert event_of(hass, SCAN)[0] == "card"
    assert hass.states.get(ACCESS).state == STATE_UNKNOWN


async def test_restore(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """The last event survives a restart (EventEntity restores itself)."""
    when = "2026-11-22T09:00:00.000+00:00"
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(ACCESS, when),
                {
                    "last_event_type": "access_granted",
                    "last_event_attributes": {"person_name": "Bob"},
                },
            )
        ],
    )
    await setup_entry(hass, config_entry)
    state = hass.states.get(ACCESS)
    assert state.state == when
    assert event_of(hass, ACCESS) == ("access_granted", {"person_name": "Bob"})


async def test_access_entity_changes_one_pass_after_the_bus_event(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The entity follows the bus event in the next loop pass, behind what the event queued.

    A WebSocket connection writes the bus event in the pass after it fired (its writer is
    woken while the event fires, like `first` here): the state write must not come before
    it, and must not wait a second pass either (issue 23).
    """
    before = hass.states.get(ACCESS).state
    seen: dict[str, str] = {}

    @callback
    def second() -> None:
        seen["second"] = hass.states.get(ACCESS).state

    @callback
    def first() -> None:
        seen["first"] = hass.states.get(ACCESS).state
        hass.loop.call_soon(second)

    @callback
    def on_event(event: Event) -> None:
        seen["event"] = hass.states.get(ACCESS).state
        hass.loop.call_soon(first)

    hass.bus.async_listen(EVENT_RECOGNITION, on_event)
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="901"))
    assert seen["event"] == before
    assert seen["first"] == before
    assert seen["second"] != before
    assert hass.states.get(ACCESS).state == seen["second"]
