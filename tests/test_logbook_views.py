"""Lines per arrival in the logbook, as each of the frontend's views asks for them (issue 22).

These tests run with Home Assistant's recorder (the logbook reads its database), which
must be set up before Home Assistant itself: this module's own
`auto_enable_custom_integrations` asks for it first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from homeassistant.components.logbook import DOMAIN as LOGBOOK_DOMAIN
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.face_terminal.const import DOMAIN, EVENT_RECOGNITION, EVENT_STRANGER

from . import payloads
from .conftest import fire
from .payloads import REC_TOPIC, SNAP_TOPIC

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.components.recorder import Recorder
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import WebSocketGenerator


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder first, then Home Assistant with the custom integration."""


ACCESS = "event.front_door_access"
ALARM = "event.front_door_alarm"


async def _arrivals_in_the_logbook(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    start: datetime,
    *,
    entity_ids: list[str] | None = None,
    device_ids: list[str] | None = None,
) -> list[list[str]]:
    """Per arrival (one context each, in order), the lines the logbook gives the view."""
    await async_wait_recording_done(hass)
    client = await hass_ws_client()
    request: dict[str, Any] = {"type": "logbook/get_events", "start_time": start.isoformat()}
    if entity_ids:
        request["entity_ids"] = entity_ids
    if device_ids:
        request["device_ids"] = device_ids
    await client.send_json_auto_id(request)
    response = await client.receive_json()
    assert response["success"], response
    # In time order: each described sentence starts an arrival; the state lines it
    # caused (the logbook names it as their cause) follow it.
    arrivals: list[list[str]] = []
    for line in sorted(
        response["result"], key=lambda line: (line["when"], line.get("domain") != DOMAIN)
    ):
        text = f"{line.get('entity_id') or line['name']}: {line.get('message') or line['state']}"
        if line.get("domain") == DOMAIN:
            arrivals.append([text])
        elif line.get("context_event_type") in (EVENT_RECOGNITION, EVENT_STRANGER):
            assert line["context_domain"] == DOMAIN
            arrivals[-1].append(text)
    return arrivals


async def test_lines_per_arrival_in_every_view(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Every arrival is one sentence naming person (or stranger) and door, in every view.

    Counted through Home Assistant's logbook (``logbook/get_events``), asked as the views
    ask: the device page (its entities and the device), the Activity page (all, or the
    device's entities when filtered to it) and the ready dashboard's "Who came in" card
    (the access event entity). Home Assistant adds the access event entity's own line to
    each arrival (it lists every change of an event entity): two lines, the reason in
    docs/automations.md, "Who came in". The last-person sensor, which would add a third
    line whenever someone else came, is created disabled.
    """
    assert await async_setup_component(hass, LOGBOOK_DOMAIN, {})
    start = dt_util.utcnow()
    arrivals = [
        (REC_TOPIC, payloads.rec_push(record_id="1")),  # Alice
        (REC_TOPIC, payloads.rec_push(record_id="2")),  # Alice again
        (SNAP_TOPIC, payloads.str_snap_push(snap_id="3")),  # a stranger
        (REC_TOPIC, payloads.rec_push(record_id="4", name="Bob", custom_id="bob-7")),
        # Bob with a fever: the alarm event entity adds its own line.
        (
            REC_TOPIC,
            payloads.rec_push(
                record_id="5",
                name="Bob",
                custom_id="bob-7",
                temperature="38.2",
                extra={"temperatureAlarm": "1"},
            ),
        ),
    ]
    for topic, payload in arrivals:
        fire(hass, topic, payload)
        await hass.async_block_till_done()

    device_id = loaded_entry.runtime_data.device_id
    entities = [
        entry.entity_id
        for entry in er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id)
    ]
    sentences = [
        "Alice: was granted access at Front door",
        "Alice: was granted access at Front door",
        "Front door: saw a stranger",
        "Bob: was granted access at Front door",
        "Bob: was granted access at Front door",
    ]
    views = {
        "device page": {"entity_ids": entities, "device_ids": [device_id]},
        "activity": {},
        "activity filtered to the device": {"entity_ids": entities},
    }
    for view, ask in views.items():
        lines = await _arrivals_in_the_logbook(hass, hass_ws_client, start, **ask)
        assert [arrival[0] for arrival in lines] == sentences, view
        # The access event entity's line (its state is the event's time) follows each
        # sentence; the fever adds the alarm event entity's.
        caused = [sorted(line.split(": ")[0] for line in arrival[1:]) for arrival in lines]
        assert caused == [[ACCESS], [ACCESS], [ACCESS], [ACCESS], [ACCESS, ALARM]], view

    # The ready dashboard's card (harness/dashboard.py): the sentence and the access line.
    card = await _arrivals_in_the_logbook(hass, hass_ws_client, start, entity_ids=[ACCESS])
    assert [arrival[0] for arrival in card] == sentences
    assert [len(arrival) for arrival in card] == [2, 2, 2, 2, 2]
