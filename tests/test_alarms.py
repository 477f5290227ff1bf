"""Alarm pushes (AlarmInfoPush on /Alarm) and over-temperature records: events, entity."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)

from custom_components.face_terminal.alarms import EVENT_ALARM, build_alarm
from custom_components.face_terminal.events import build_record
from custom_components.face_terminal.protocol import QRCodePush, parse_message
from custom_components.face_terminal.protocol.alarms import AlarmInfoPush

from . import payloads
from .conftest import TerminalResponder, fire

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

ALARM_TOPIC = f"{payloads.COMMAND_TOPIC}/Alarm"


def alarm(**info: Any) -> bytes:
    body = {"facesluiceId": payloads.TERMINAL_ID, **info}
    return json.dumps({"operator": "AlarmInfoPush", "info": body}).encode()


async def test_alarm_event(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    events = async_capture_events(hass, EVENT_ALARM)
    fire(
        hass,
        ALARM_TOPIC,
        alarm(
            code="3", description="Tamper\u202e switch\x07", event_time="1700000000000", status=1
        ),
    )
    await hass.async_block_till_done()
    [event] = events
    data = dict(event.data)
    when = dt_util.parse_datetime(data.pop("time"))
    assert when == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert data == {
        "entity_id": "event.front_door_alarm",  # the logbook line's entity (issue 22)
        "device_id": loaded_entry.runtime_data.device_id,
        "terminal_id": payloads.TERMINAL_ID,
        "alarm_code": 3,
        "description": "Tamper switch",
        "status": 1,
    }


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        (payloads.REC_TOPIC, alarm(code="3")),  # an alarm only on its own topic
        (ALARM_TOPIC, payloads.qr_push()),  # and nothing else there
        (ALARM_TOPIC, alarm(code="3", facesluiceId="9999999")),  # another terminal's
    ],
)
async def test_alarm_only_on_its_topic(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    topic: str,
    payload: bytes,
) -> None:
    events = async_capture_events(hass, EVENT_ALARM)
    fire(hass, topic, payload)
    await hass.async_block_till_done()
    assert events == []


@pytest.mark.parametrize(
    ("info", "code", "time_set"),
    [
        ({"code": "x", "event_time": "-5"}, None, False),
        ({"code": 7, "event_time": "99999999999999999999"}, 7, False),
        ({"description": "d" * 500}, None, False),
    ],
)
def test_alarm_fields_fail_closed(info: dict[str, Any], code: int | None, time_set: bool) -> None:
    message = parse_message(ALARM_TOPIC, alarm(**info))
    assert isinstance(message, AlarmInfoPush)
    assert message.alarm_code == code
    assert (message.time is not None) is time_set
    assert message.description is None or len(message.description) <= 120


# --- the alarm event entity ----------------------------------------------------------

ALARM_ENTITY = "event.front_door_alarm"
ACCESS_ENTITY = "event.front_door_access"
STANDARD = {"friendly_name", "icon", "event_type", "event_types"}


def alarm_event(hass: HomeAssistant) -> tuple[str | None, dict[str, Any]]:
    """The alarm entity's last event type and its own attributes."""
    state = hass.states.get(ALARM_ENTITY)
    assert state is not None
    own = {key: value for key, value in state.attributes.items() if key not in STANDARD}
    return state.attributes.get("event_type"), own


async def test_alarm_entity(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """An alarm push fires terminal_alarm with its code, description and status."""
    state = hass.states.get(ALARM_ENTITY)
    assert state is not None
    assert state.attributes["event_types"] == ["terminal_alarm", "high_temperature"]
    events = async_capture_events(hass, EVENT_ALARM)
    fire(hass, ALARM_TOPIC, alarm(code="3", description="Tamper", status="1"))
    await hass.async_block_till_done()
    assert alarm_event(hass) == (
        "terminal_alarm",
        {"alarm_code": 3, "description": "Tamper", "status": 1},
    )
    # One context for the bus event and the entity's state (one logbook cause).
    assert hass.states.get(ALARM_ENTITY).context.id == events[0].context.id
    assert loaded_entry.runtime_data.state.last_records[0]["type"] == "terminal_alarm"


async def test_alarm_without_code(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """An alarm without a (numeric) code is still an alarm; no code is made up."""
    events = async_capture_events(hass, EVENT_ALARM)
    fire(hass, ALARM_TOPIC, alarm(code="tamper?", status="x"))
    await hass.async_block_till_done()
    assert alarm_event(hass) == ("terminal_alarm", {})
    assert "alarm_code" not in events[0].data
    assert "status" not in events[0].data


@pytest.mark.parametrize(
    ("topic", "payload", "access"),
    [
        (
            payloads.REC_TOPIC,
            payloads.rec_push(temperature="38.2", extra={"temperatureAlarm": "1"}),
            "access_granted",
        ),
        (
            payloads.SNAP_TOPIC,
            payloads.str_snap_push(temperature="38.4").replace(
                b'"temperatureAlarm": "0"', b'"temperatureAlarm": "1"'
            ),
            "stranger",
        ),
    ],
)
@pytest.mark.usefixtures("loaded_entry")
async def test_high_temperature(
    hass: HomeAssistant,
    topic: str,
    payload: bytes,
    access: str,
) -> None:
    """A record the terminal flags as over its threshold: high_temperature, nobody named."""
    fire(hass, topic, payload)
    await hass.async_block_till_done()
    event_type, attributes = alarm_event(hass)
    assert event_type == "high_temperature"
    assert attributes == {"temperature": attributes["temperature"], "access": access}
    assert attributes["temperature"] > 38
    # The record is an access event too, with the same context (one logbook cause).
    access_state = hass.states.get(ACCESS_ENTITY)
    assert access_state.attributes["event_type"] == access
    assert access_state.context.id == hass.states.get(ALARM_ENTITY).context.id
    text = json.dumps(dict(hass.states.get(ALARM_ENTITY).attributes))
    for private in ("Alice", "alice-01", "421381199504030001", "18888888888", "base64"):
        assert private not in text


@pytest.mark.parametrize("flag", ["0", "maybe", "2", None])
async def test_no_alarm_without_the_flag(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    flag: str | None,
) -> None:
    """Only temperatureAlarm 1 is an alarm: 0, garbage or a missing flag are none."""
    extra = {"temperatureAlarm": flag} if flag is not None else {}
    payload = payloads.rec_push(temperature="39.0" if flag else None, extra=extra)
    fire(hass, payloads.REC_TOPIC, payload)
    await hass.async_block_till_done()
    assert hass.states.get(ACCESS_ENTITY).attributes["event_type"] == "access_granted"
    assert alarm_event(hass) == (None, {})


async def test_replayed_high_temperature_is_history(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """A re-sent record raises no alarm now (the bus event keeps the history)."""
    extra = {"temperatureAlarm": "1", "PushType": "2"}
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(temperature="38.5", extra=extra))
    await hass.async_block_till_done()
    assert alarm_event(hass) == (None, {})


def test_alarm_record_contract() -> None:
    """An alarm push as entities read it: no access, scan or person; a scan is no alarm."""
    message = parse_message(ALARM_TOPIC, alarm(code="5", description="Door held", status="0"))
    assert isinstance(message, AlarmInfoPush)
    record = build_alarm(message, device_id="d", terminal_id=payloads.TERMINAL_ID)
    assert (record.is_access, record.is_scan, record.replay) == (False, False, False)
    assert (record.recognized_person, record.person_attributes, record.temperature) == (
        None,
        {},
        None,
    )
    attributes = {"alarm_code": 5, "description": "Door held", "status": 0}
    assert record.event_attributes == record.alarm_attributes == attributes
    scan = parse_message(payloads.QR_TOPIC, payloads.qr_push())
    assert isinstance(scan, QRCodePush)
    scanned = build_record(scan, device_id="d", terminal_id=payloads.TERMINAL_ID)
    assert (scanned.alarm_type, scanned.alarm_attributes) == (None, {})


def readme_automation(heading: str) -> dict[str, Any]:
    """The first YAML block after a heading of docs/automations.md (the example users copy)."""
    page = Path(__file__).parent.parent / "docs" / "automations.md"
    section = page.read_text(encoding="utf-8").split(f"{heading}\n", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    loaded: dict[str, Any] = yaml.safe_load(block)
    return loaded


async def test_readme_alarm_automation(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """The documented alarm example runs: alarm code 3 and a high temperature notify."""
    calls = async_mock_service(hass, "notify", "mobile_app_phone")
    assert await async_setup_component(hass, "automation", readme_automation("## Alarms"))
    fire(hass, ALARM_TOPIC, alarm(code="4", description="Something else"))
    await hass.async_block_till_done()
    flagged = payloads.rec_push(temperature="38.2", extra={"temperatureAlarm": "1"})
    fire(hass, payloads.REC_TOPIC, flagged)
    await hass.async_block_till_done()
    fire(hass, ALARM_TOPIC, alarm(code="3", description="Tamper switch"))
    await hass.async_block_till_done()
    assert [call.data["message"].strip() for call in calls] == [
        "Body temperature 38.2 at the front door",
        "Front door terminal: Tamper switch",
    ]
