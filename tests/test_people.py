"""People, not IDs: linked Home Assistant persons in events and entities."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.face_terminal.const import (
    CONF_PERSON_LINKS,
    EVENT_ACCESS_REQUEST,
    EVENT_RECOGNITION,
)
from custom_components.face_terminal.people import format_links, linked_person, parse_links

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

LINKS = {"alice-01": "person.alice"}

# The last-person sensor is created disabled; these tests use it as a user who enabled it.
pytestmark = pytest.mark.usefixtures("all_entities_enabled")


@pytest.fixture
async def linked_entry(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> MockConfigEntry:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={CONF_PERSON_LINKS: LINKS})
    await setup_entry(hass, config_entry)
    return config_entry


async def test_recognition_names_the_linked_person(
    hass: HomeAssistant, linked_entry: MockConfigEntry
) -> None:
    events = async_capture_events(hass, EVENT_RECOGNITION)
    fire(hass, payloads.REC_TOPIC, payloads.rec_push())
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="382", custom_id="bob-02"))
    await hass.async_block_till_done()
    assert events[0].data["person_entity_id"] == "person.alice"
    assert "person_entity_id" not in events[1].data
    events.clear()
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="383"))
    await hass.async_block_till_done()
    access = hass.states.get("event.front_door_access")
    assert access.attributes["person_entity_id"] == "person.alice"
    person = hass.states.get("sensor.front_door_last_person")
    assert person.attributes["person_entity_id"] == "person.alice"


async def test_access_request_names_the_linked_person(
    hass: HomeAssistant, linked_entry: MockConfigEntry
) -> None:
    requests = async_capture_events(hass, EVENT_ACCESS_REQUEST)
    now = dt_util.now().strftime("%Y-%m-%d %H:%M:%S")
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(verify_status="22", time=now))
    await hass.async_block_till_done()
    assert requests[0].data["person_entity_id"] == "person.alice"
    assert hass.states.get("event.front_door_access").attributes["person_entity_id"] == (
        "person.alice"
    )
    assert timedelta(0) <= dt_util.parse_datetime(requests[0].data["deadline"]) - dt_util.utcnow()


def test_helpers() -> None:
    entry = MockConfigEntry(domain="face_terminal", options={CONF_PERSON_LINKS: LINKS})
    assert linked_person(entry, "alice-01") == "person.alice"
    assert linked_person(entry, None) is None
    assert linked_person(entry, "bob") is None
    assert linked_person(MockConfigEntry(domain="x", options={CONF_PERSON_LINKS: "x"}), "a") is None
    assert format_links(None) == ""
    assert parse_links(format_links(LINKS)) == LINKS
    odd = {"a=b": "person.x", "c:d": "person.y", "x = person.z": "person.w"}
    assert parse_links(format_links(odd)) == odd
    assert parse_links("\n".join(f"p{n} = person.p{n}" for n in range(501))) is None


async def test_links_stay_out_of_diagnostics(
    hass: HomeAssistant, linked_entry: MockConfigEntry
) -> None:
    """customIds are personal identifiers: the links are redacted."""
    from custom_components.face_terminal.diagnostics import (
        async_get_config_entry_diagnostics,
    )

    data = await async_get_config_entry_diagnostics(hass, linked_entry)
    assert data["entry"]["options"][CONF_PERSON_LINKS] == "**REDACTED**"
    assert "alice-01" not in str(data)
