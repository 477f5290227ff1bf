"""Logbook lines of the integration's bus events."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from homeassistant.components.logbook import (
    DOMAIN as LOGBOOK_DOMAIN,
)
from homeassistant.components.logbook import (
    _process_logbook_platform,
)
from homeassistant.components.logbook.models import LogbookConfig
from homeassistant.core import Event, HomeAssistant
from homeassistant.loader import async_get_integration

from custom_components.face_terminal.const import (
    DOMAIN,
    EVENT_RECOGNITION,
    EVENT_SCAN,
    EVENT_STRANGER,
)
from custom_components.face_terminal.logbook import async_describe_events

from . import payloads
from .conftest import fire
from .payloads import CARD_TOPIC, IDCARD_TOPIC, QR_TOPIC, REC_TOPIC, SNAP_TOPIC

if TYPE_CHECKING:
    from homeassistant.helpers import device_registry as dr
    from pytest_homeassistant_custom_component.common import MockConfigEntry

type Describe = Callable[[Event], dict[str, Any]]


@pytest.fixture
def describers(hass: HomeAssistant) -> dict[str, Describe]:
    """The describe callbacks the integration registers, by event type."""
    found: dict[str, Describe] = {}

    def register(domain: str, event_type: str, describe: Describe) -> None:
        assert domain == DOMAIN
        found[event_type] = describe

    async_describe_events(hass, register)
    return found


def describe(describers: dict[str, Describe], event: Event) -> str:
    """The line the logbook shows: name, then message."""
    entry = describers[event.event_type](event)
    return f"{entry['name']} {entry['message']}"


async def _record_events(hass: HomeAssistant, topic: str, payload: bytes) -> list[Event]:
    events: list[Event] = []
    remove = [
        hass.bus.async_listen(event_type, events.append)
        for event_type in (EVENT_RECOGNITION, EVENT_STRANGER, EVENT_SCAN)
    ]
    fire(hass, topic, payload)
    await hass.async_block_till_done()
    for undo in remove:
        undo()
    return events


@pytest.mark.parametrize(
    ("topic", "payload", "line"),
    [
        (REC_TOPIC, payloads.rec_push(), "Front door granted access to Alice"),
        (
            REC_TOPIC,
            payloads.rec_push(verify_status="2", name="Mallory"),
            "Front door denied access to Mallory",
        ),
        (
            REC_TOPIC,
            payloads.rec_push(verify_status="3"),
            "Front door saw a face that is not registered",
        ),
        (
            REC_TOPIC,
            payloads.rec_push(verify_status="22"),
            "Front door recognised Alice, awaiting remote confirmation",
        ),
        (
            REC_TOPIC,
            payloads.rec_push(verify_status="24"),
            "Front door recognised Alice, who has no permission at this time",
        ),
        (
            REC_TOPIC,
            payloads.rec_push(name="", extra={"PushType": "2"}),
            "Front door granted access to an enrolled person (re-sent record)",
        ),
        (SNAP_TOPIC, payloads.str_snap_push(), "Front door saw a stranger"),
        (QR_TOPIC, payloads.qr_push(), "Front door scanned a QR code"),
        (CARD_TOPIC, payloads.card_push("1234"), "Front door read card 1234"),
        (
            IDCARD_TOPIC,
            payloads.id_card_push(),
            "Front door read the ID card of 张三 (…8515)",
        ),
    ],
)
async def test_describe_records(
    hass: HomeAssistant,
    *,
    describers: dict[str, Describe],
    loaded_entry: MockConfigEntry,
    topic: str,
    payload: bytes,
    line: str,
) -> None:
    """Each record reads as a sentence about the terminal."""
    events = await _record_events(hass, topic, payload)
    assert len(events) == 1
    assert describe(describers, events[0]) == line


async def test_user_given_device_name(
    hass: HomeAssistant,
    describers: dict[str, Describe],
    device_registry: dr.DeviceRegistry,
    loaded_entry: MockConfigEntry,
) -> None:
    """A name the user gave the device wins."""
    device_registry.async_update_device(
        loaded_entry.runtime_data.device_id, name_by_user="Back gate"
    )
    events = await _record_events(hass, SNAP_TOPIC, payloads.str_snap_push())
    assert describe(describers, events[0]) == "Back gate saw a stranger"


@pytest.mark.parametrize(
    ("event_type", "data", "line"),
    [
        (EVENT_RECOGNITION, {}, "Face terminal recognised an enrolled person"),
        (
            EVENT_RECOGNITION,
            {"device_id": "gone", "person_name": "Eve"},
            "Face terminal recognised Eve",
        ),
        (EVENT_SCAN, {"scan_type": "card"}, "Face terminal read a card"),
        (EVENT_SCAN, {"scan_type": "id_card"}, "Face terminal read an ID card"),
        (
            EVENT_SCAN,
            {"scan_type": "id_card", "person_name": "Li"},
            "Face terminal read the ID card of Li",
        ),
        (EVENT_SCAN, {"scan_type": "fingerprint"}, "Face terminal read a credential"),
    ],
)
async def test_describe_incomplete_events(
    hass: HomeAssistant,
    describers: dict[str, Describe],
    event_type: str,
    data: dict[str, Any],
    line: str,
) -> None:
    """Events from older versions or of removed devices still read well."""
    assert describe(describers, Event(event_type, data)) == line


async def test_logbook_platform_is_registered(hass: HomeAssistant) -> None:
    """The logbook integration finds the platform and registers the three events."""
    integration = await async_get_integration(hass, DOMAIN)
    platform = await integration.async_get_platform("logbook")
    hass.data[LOGBOOK_DOMAIN] = LogbookConfig({}, None, None)
    _process_logbook_platform(hass, DOMAIN, platform)
    config: LogbookConfig = hass.data[LOGBOOK_DOMAIN]
    for event_type in (EVENT_RECOGNITION, EVENT_STRANGER, EVENT_SCAN):
        assert config.external_events[event_type][0] == DOMAIN
