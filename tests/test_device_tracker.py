"""Per-person presence through the door (linked persons, entr/exit records)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from unittest.mock import patch

import pytest
from homeassistant.const import STATE_HOME, STATE_NOT_HOME, STATE_UNKNOWN, Platform
from homeassistant.core import State
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_restore_cache

from custom_components.face_terminal.const import CONF_PERSON_LINKS

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant

TRACKER = "device_tracker.front_door_alice_through_the_door"


@pytest.fixture(autouse=True)
def only_tracker() -> Generator[None]:
    with patch("custom_components.face_terminal.PLATFORMS", [Platform.DEVICE_TRACKER]):
        yield


async def linked(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={CONF_PERSON_LINKS: {"alice-01": "person.alice"}}
    )
    await setup_entry(hass, entry)


def record(direction: str, record_id: str, **extra: object) -> bytes:
    return payloads.rec_push(record_id=record_id, extra={"direction": direction, **extra})


async def test_entry_and_exit(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    await linked(hass, config_entry)
    assert hass.states.get(TRACKER).state == STATE_UNKNOWN
    fire(hass, payloads.REC_TOPIC, record("entr", "1"))
    await hass.async_block_till_done()
    assert hass.states.get(TRACKER).state == STATE_HOME
    fire(hass, payloads.REC_TOPIC, record("exit", "2"))
    await hass.async_block_till_done()
    assert hass.states.get(TRACKER).state == STATE_NOT_HOME
    # Another person, no direction, or a replay: no move.
    fire(hass, payloads.REC_TOPIC, record("entr", "3", customId="bob-02"))
    fire(hass, payloads.REC_TOPIC, record("unknow", "4"))
    fire(hass, payloads.REC_TOPIC, record("entr", "5", PushType="2"))
    fire(hass, payloads.SNAP_TOPIC, payloads.str_snap_push())
    await hass.async_block_till_done()
    assert hass.states.get(TRACKER).state == STATE_NOT_HOME
    # Still where they went while the terminal is offline.
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    assert hass.states.get(TRACKER).state == STATE_NOT_HOME


async def test_restored(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    mock_restore_cache(hass, [State(TRACKER, STATE_HOME)])
    await linked(hass, config_entry)
    assert hass.states.get(TRACKER).state == STATE_HOME


async def test_no_links_no_trackers(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    assert hass.states.async_entity_ids("device_tracker") == []


async def test_removed_link_removes_the_tracker(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """A link removed in the options takes its tracker out of the registry on reload."""
    await linked(hass, config_entry)
    registry = er.async_get(hass)
    assert registry.async_get(TRACKER) is not None
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_PERSON_LINKS: {"bob-02": "person.bob"}}
    )
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(TRACKER) is None
    assert hass.states.get(TRACKER) is None
    assert hass.states.get("device_tracker.front_door_bob_through_the_door") is not None
