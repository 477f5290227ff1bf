"""Alarm pushes (AlarmInfoPush on /Alarm) become face_terminal_alarm events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.face_terminal.alarms import EVENT_ALARM
from custom_components.face_terminal.protocol import parse_message
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
