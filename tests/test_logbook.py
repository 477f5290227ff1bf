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
from homeassistant.components.logbook.helpers import _is_state_filtered
from homeassistant.components.logbook.models import LogbookConfig, async_event_to_row
from homeassistant.components.logbook.processor import EventProcessor
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import translation
from homeassistant.loader import async_get_integration

from custom_components.face_terminal.alarms import EVENT_ALARM
from custom_components.face_terminal.const import (
    DOMAIN,
    EVENT_CAPTURE,
    EVENT_RECOGNITION,
    EVENT_SCAN,
    EVENT_STRANGER,
)
from custom_components.face_terminal.guests import EVENT_GUEST_PASS
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


def _collector() -> tuple[list[Event], Callable[[Event], None]]:
    """A list and a bus listener that appends to it in the order the bus fires.

    The listener must be a callback: a plain function (such as ``list.append``) runs
    in the executor, one thread per event, and the list's order is then the threads'
    order. The logbook takes a context's first row as its origin, so a state change
    listed before the recognition that caused it loses its "caused by" line.
    """
    events: list[Event] = []

    @callback
    def collect(event: Event) -> None:
        events.append(event)

    return events, collect


async def _record_events(hass: HomeAssistant, topic: str, payload: bytes) -> list[Event]:
    events, collect = _collector()
    remove = [
        hass.bus.async_listen(event_type, collect)
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
        (REC_TOPIC, payloads.rec_push(), "Alice was granted access at Front door"),
        (
            REC_TOPIC,
            payloads.rec_push(verify_status="2", name="Mallory"),
            "Mallory was denied access at Front door",
        ),
        (
            REC_TOPIC,
            payloads.rec_push(verify_status="3"),
            "Front door saw a face that is not registered",
        ),
        (
            REC_TOPIC,
            payloads.rec_push(verify_status="22"),
            "Alice was recognised at Front door, awaiting remote confirmation",
        ),
        (
            REC_TOPIC,
            payloads.rec_push(verify_status="24"),
            "Alice was recognised at Front door but has no permission at this time",
        ),
        (
            REC_TOPIC,
            payloads.rec_push(name="", extra={"PushType": "2"}),
            "An enrolled person was granted access at Front door (re-sent record)",
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
        (EVENT_RECOGNITION, {}, "An enrolled person was recognised at Face terminal"),
        (
            EVENT_RECOGNITION,
            {"device_id": "gone", "person_name": "Eve"},
            "Eve was recognised at Face terminal",
        ),
        (
            EVENT_RECOGNITION,
            {"family": "jovision", "access": "vip", "person_name": "Li"},
            "Li was recognised at Face terminal (VIP)",
        ),
        (
            EVENT_RECOGNITION,
            {"family": "jovision", "access": "blacklisted", "person_name": "Eve"},
            "Eve was recognised at Face terminal (blacklisted)",
        ),
        (EVENT_SCAN, {"scan_type": "card"}, "Face terminal read a card"),
        (EVENT_SCAN, {"scan_type": "id_card"}, "Face terminal read an ID card"),
        (
            EVENT_SCAN,
            {"scan_type": "id_card", "person_name": "Li"},
            "Face terminal read the ID card of Li",
        ),
        (EVENT_SCAN, {"scan_type": "fingerprint"}, "Face terminal read a credential"),
        (EVENT_CAPTURE, {"family": "jovision"}, "Face terminal captured a face"),
        (
            EVENT_ALARM,
            {"alarm_code": 3, "description": "Tamper"},
            "Face terminal raised alarm 3: Tamper",
        ),
        (EVENT_ALARM, {"alarm_code": 0}, "Face terminal raised alarm 0"),
        (EVENT_ALARM, {}, "Face terminal raised an alarm"),
        (
            EVENT_GUEST_PASS,
            {"result": "used", "label": "Plumber", "pass_id": "0a1b2c3d", "device_id": "gone"},
            "Plumber came in at Face terminal with a guest pass",
        ),
        (
            EVENT_GUEST_PASS,
            {"result": "refused", "reason": "expired", "label": "Plumber"},
            "Plumber was refused at Face terminal: the pass has expired",
        ),
        (
            EVENT_GUEST_PASS,
            {"result": "refused", "reason": "unknown", "label": None},
            "Face terminal refused a guest pass: unknown code",
        ),
        (
            EVENT_GUEST_PASS,
            {"result": "refused", "reason": "from_a_newer_version"},
            "Face terminal refused a guest pass: refused",
        ),
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
    for event_type in (EVENT_RECOGNITION, EVENT_STRANGER, EVENT_SCAN, EVENT_GUEST_PASS):
        assert config.external_events[event_type][0] == DOMAIN


async def test_one_arrival_in_the_logbook(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """One arrival through the logbook's own humanify path, as its live stream runs it.

    The described bus event names person and door; the entity lines it causes (access
    event, last person) carry it as their cause, so each of them names the person too.
    Pictures (image entities) and the temperature sensor (a unit) stay out.
    """
    integration = await async_get_integration(hass, DOMAIN)
    platform = await integration.async_get_platform("logbook")
    hass.data[LOGBOOK_DOMAIN] = LogbookConfig({}, None, None)
    _process_logbook_platform(hass, DOMAIN, platform)

    events, collect = _collector()
    remove = [
        hass.bus.async_listen(event_type, collect)
        for event_type in (EVENT_STATE_CHANGED, EVENT_RECOGNITION)
    ]
    fire(hass, REC_TOPIC, payloads.rec_push())
    await hass.async_block_till_done()
    for undo in remove:
        undo()

    processor = EventProcessor(
        hass, (EVENT_RECOGNITION, EVENT_STRANGER, EVENT_SCAN), for_live_stream=True
    )
    rows = [
        async_event_to_row(event)
        for event in events
        if event.event_type != EVENT_STATE_CHANGED
        or not _is_state_filtered(event.data["new_state"], event.data["old_state"])
    ]
    lines = processor.humanify(rows)

    described = [line for line in lines if line.get("domain") == DOMAIN]
    assert [(line["name"], line["message"]) for line in described] == [
        ("Alice", "was granted access at Front door")
    ]
    entity_lines = {line["entity_id"]: line for line in lines if "entity_id" in line}
    assert set(entity_lines) == {"event.front_door_access"}
    for line in entity_lines.values():
        assert line["context_domain"] == DOMAIN
        assert line["context_event_type"] == EVENT_RECOGNITION
        assert line["context_name"] == "Alice"
        assert line["context_message"] == "was granted access at Front door"
    assert entity_lines["event.front_door_access"]["attributes"] == {"event_type": "access_granted"}


async def test_sentences_in_home_assistants_language(hass: HomeAssistant) -> None:
    """The logbook's sentences follow Home Assistant's language (Chinese here)."""
    hass.config.language = "zh-Hans"
    await translation.async_load_integrations(hass, {DOMAIN})
    found: dict[str, Describe] = {}
    async_describe_events(hass, lambda _domain, event_type, fn: found.setdefault(event_type, fn))
    recognition = {"person_name": "张三", "access": "access_granted", "replay": True}
    assert describe(found, Event(EVENT_RECOGNITION, recognition)) == (
        "张三 在人脸识别终端获准通行（补传记录）"  # noqa: RUF001
    )
    assert describe(found, Event(EVENT_STRANGER, {})) == "人脸识别终端 看到一位陌生人"
    assert describe(found, Event(EVENT_SCAN, {"scan_type": "card", "card_number": "12"})) == (
        "人脸识别终端 读取了卡片 12"
    )
    assert describe(found, Event(EVENT_RECOGNITION, {"access": "access_denied"})) == (
        "一位已登记人员 在人脸识别终端被拒绝通行"
    )
    guest = {"result": "refused", "reason": "used_up", "label": "水管工"}
    assert describe(found, Event(EVENT_GUEST_PASS, guest)) == (
        "水管工 在人脸识别终端被拒绝：通行证次数已用完"  # noqa: RUF001
    )
