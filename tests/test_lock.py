"""Tests of the door lock."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.components.lock import (
    DOMAIN as LOCK_DOMAIN,
)
from homeassistant.components.lock import (
    SERVICE_LOCK,
    SERVICE_OPEN,
    SERVICE_UNLOCK,
    LockState,
)
from homeassistant.const import ATTR_ENTITY_ID, ATTR_SUPPORTED_FEATURES, STATE_UNAVAILABLE, Platform
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension

from custom_components.face_terminal.const import (
    CONF_DOOR_OPEN_TIME,
    CONF_UNLOCK_MESSAGE,
    DEFAULT_DOOR_OPEN_TIME,
)
from custom_components.face_terminal.protocol.session import COMMAND_TIMEOUT

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry

if TYPE_CHECKING:
    from collections.abc import Generator

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import entity_registry as er
    from syrupy.assertion import SnapshotAssertion

ENTITY_ID = "lock.front_door_door"


@pytest.fixture(autouse=True)
def only_lock() -> Generator[None]:
    """Set up only this platform."""
    with patch("custom_components.face_terminal.PLATFORMS", [Platform.LOCK]):
        yield


def state(hass: HomeAssistant) -> str:
    """The lock's state."""
    return hass.states.get(ENTITY_ID).state


async def call(hass: HomeAssistant, service: str) -> None:
    """Call a lock action on the door and wait for it."""
    await hass.services.async_call(LOCK_DOMAIN, service, {ATTR_ENTITY_ID: ENTITY_ID}, blocking=True)


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Move time forward and run what became due."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def test_entities(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Registry entry and state: locked, with the open feature."""
    await snapshot_platform(
        hass,
        entity_registry,
        snapshot.use_extension(HomeAssistantSnapshotExtension),
        loaded_entry.entry_id,
    )
    current = hass.states.get(ENTITY_ID)
    assert current.state == LockState.LOCKED
    assert current.attributes[ATTR_SUPPORTED_FEATURES] == 1


@pytest.mark.parametrize(
    ("service", "in_flight", "released"),
    [
        (SERVICE_UNLOCK, LockState.UNLOCKING, LockState.UNLOCKED),
        (SERVICE_OPEN, LockState.OPENING, LockState.OPEN),
    ],
)
async def test_release_and_relock(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    freezer: FrozenDateTimeFactory,
    *,
    service: str,
    in_flight: str,
    released: str,
) -> None:
    """Unlock/open send Unlock, show the transient state, then relock after the hold time."""
    seen: list[str] = []

    def reply(command: dict[str, Any]) -> bytes:
        seen.append(state(hass))
        return payloads.ack("Unlock", command["messageId"])

    terminal.replies["Unlock"] = reply
    await call(hass, service)

    assert seen == [in_flight]
    assert state(hass) == released
    command = terminal.last("Unlock")
    assert command["info"]["openDoor"] == 1
    assert "showInfo" not in command["info"]  # no screen text configured

    await advance(hass, freezer, DEFAULT_DOOR_OPEN_TIME - 1)
    assert state(hass) == released
    await advance(hass, freezer, 2)
    assert state(hass) == LockState.LOCKED


async def test_options(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The screen text and the hold time come from the options."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_UNLOCK_MESSAGE: "Welcome", CONF_DOOR_OPEN_TIME: 20}
    )
    await setup_entry(hass, config_entry)

    await call(hass, SERVICE_UNLOCK)
    assert terminal.last("Unlock")["info"]["showInfo"] == "Welcome"
    await advance(hass, freezer, 15)
    assert state(hass) == LockState.UNLOCKED
    await advance(hass, freezer, 6)
    assert state(hass) == LockState.LOCKED


async def test_unlock_again_restarts_hold_time(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A second unlock while unlocked starts a new hold time."""
    await call(hass, SERVICE_UNLOCK)
    await advance(hass, freezer, DEFAULT_DOOR_OPEN_TIME - 1)
    await call(hass, SERVICE_OPEN)
    assert terminal.operators().count("Unlock") == 2
    await advance(hass, freezer, 2)
    assert state(hass) == LockState.OPEN
    await advance(hass, freezer, DEFAULT_DOOR_OPEN_TIME)
    assert state(hass) == LockState.LOCKED


@pytest.mark.parametrize(
    ("code", "result"),
    [("500", "fail"), ("464", "fail"), (None, "fail")],
)
async def test_refused(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    code: str | None,
    result: str,
) -> None:
    """A refused Unlock raises the translated error and leaves the door locked."""
    terminal.replies["Unlock"] = lambda command: payloads.ack(
        "Unlock", command["messageId"], code=code, result=result
    )
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, SERVICE_OPEN)
    assert err.value.translation_key == "command_failed"
    assert state(hass) == LockState.LOCKED


async def test_timeout(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No answer: "unlocking" until the command times out, then locked and an error."""
    terminal.silent = True
    task = hass.async_create_task(call(hass, SERVICE_UNLOCK))
    for _ in range(10):
        await asyncio.sleep(0)
    assert state(hass) == LockState.UNLOCKING

    freezer.tick(timedelta(seconds=COMMAND_TIMEOUT + 1))
    async_fire_time_changed(hass)
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "command_timeout"
    assert state(hass) == LockState.LOCKED


async def test_lock_sends_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Lock only shows the door as locked (the strike relocks itself) and stops the timer."""
    await call(hass, SERVICE_UNLOCK)
    assert state(hass) == LockState.UNLOCKED
    sent = len(terminal.commands)

    await call(hass, SERVICE_LOCK)
    assert state(hass) == LockState.LOCKED
    assert len(terminal.commands) == sent

    await call(hass, SERVICE_LOCK)  # locking a locked door is harmless too
    await advance(hass, freezer, DEFAULT_DOOR_OPEN_TIME + 1)
    assert state(hass) == LockState.LOCKED


async def test_unavailable_when_offline(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Offline terminal: the lock is unavailable, and back when the terminal returns."""
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    assert state(hass) == STATE_UNAVAILABLE

    fire(hass, payloads.BASIC_TOPIC, payloads.online())
    await hass.async_block_till_done()
    assert state(hass) == LockState.LOCKED


async def test_offline_unlock_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """The runtime refuses to unlock an offline terminal; the entity stays locked."""
    lock = hass.data["lock"].get_entity(ENTITY_ID)
    loaded_entry.runtime_data.state.online = False
    with pytest.raises(HomeAssistantError) as err:
        await lock.async_unlock()
    assert err.value.translation_key == "terminal_offline"
    assert "Unlock" not in terminal.operators()
    assert lock.is_locked


async def test_unload_while_unlocked(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unloading drops the relock timer."""
    await call(hass, SERVICE_UNLOCK)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, DEFAULT_DOOR_OPEN_TIME + 1)
    assert state(hass) == STATE_UNAVAILABLE


async def test_unlock_action_shows_on_the_lock(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Issue 9 item 13: `face_terminal.unlock` opens the same door the lock shows."""
    device_id = loaded_entry.runtime_data.device_id
    await hass.services.async_call(
        "face_terminal", "unlock", {"device_id": device_id}, blocking=True
    )
    assert terminal.operators().count("Unlock") == 1
    assert state(hass) == LockState.OPEN
    await advance(hass, freezer, DEFAULT_DOOR_OPEN_TIME + 1)
    assert state(hass) == LockState.LOCKED


async def test_refused_action_unlock_leaves_the_lock_locked(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """A refused `face_terminal.unlock` does not move the lock."""
    terminal.replies["Unlock"] = lambda command: payloads.ack(
        "Unlock", command["messageId"], code="500", result="fail"
    )
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            "face_terminal",
            "unlock",
            {"device_id": loaded_entry.runtime_data.device_id},
            blocking=True,
        )
    assert state(hass) == LockState.LOCKED
