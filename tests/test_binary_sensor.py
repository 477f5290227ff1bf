"""Tests of the connectivity binary sensor."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from unittest.mock import patch

import pytest
from homeassistant.const import STATE_OFF, STATE_ON, Platform
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension

from custom_components.face_terminal.const import DEFAULT_OFFLINE_TIMEOUT

from . import payloads
from .conftest import fire

if TYPE_CHECKING:
    from collections.abc import Generator

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import entity_registry as er
    from syrupy.assertion import SnapshotAssertion

ENTITY_ID = "binary_sensor.front_door_online"


@pytest.fixture(autouse=True)
def only_binary_sensor() -> Generator[None]:
    """Set up only this platform."""
    with patch("custom_components.face_terminal.PLATFORMS", [Platform.BINARY_SENSOR]):
        yield


async def test_entities(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Registry entry and state."""
    await snapshot_platform(
        hass,
        entity_registry,
        snapshot.use_extension(HomeAssistantSnapshotExtension),
        loaded_entry.entry_id,
    )


async def test_follows_presence(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """On while the terminal talks, off (but available) after its Offline will."""
    assert hass.states.get(ENTITY_ID).state == STATE_ON

    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    assert hass.states.get(ENTITY_ID).state == STATE_OFF

    fire(hass, payloads.HEARTBEAT_TOPIC, payloads.heartbeat())
    await hass.async_block_till_done()
    assert hass.states.get(ENTITY_ID).state == STATE_ON


async def test_off_after_silence(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Silence past the offline timeout turns the sensor off; it stays available."""
    freezer.tick(timedelta(seconds=DEFAULT_OFFLINE_TIMEOUT + 1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(ENTITY_ID).state == STATE_OFF


async def test_other_terminal_ignored(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Another terminal's Offline does not touch this one."""
    fire(hass, payloads.BASIC_TOPIC, payloads.offline("999999"))
    await hass.async_block_till_done()
    assert hass.states.get(ENTITY_ID).state == STATE_ON
