"""A terminal setting changed through Home Assistant's API, against the simulated terminal."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from simulator.device import VERSION_NAME

from .conftest import FRONT_DOOR, wait_for_state

if TYPE_CHECKING:
    from harness.home_assistant import HomeAssistantClient
    from simulator import Terminal

pytestmark = pytest.mark.timeout(120)


async def test_volume_changed_through_the_api(
    front_door_online: Terminal, client: HomeAssistantClient
) -> None:
    """number.set_value → UpSoundconfig → the terminal's value and the entity's state."""
    ids = await client.entity_ids(FRONT_DOOR)
    volume = ids["number.volume"]
    # The settings are read once the terminal is online (the simulator reports 90).
    await wait_for_state(client, volume, "90.0")

    await client.call_service("number", "set_value", {"entity_id": volume, "value": 40})
    assert front_door_online.device.config["sound"]["Volume"] == "40"
    await wait_for_state(client, volume, "40.0")

    # Out of the spec's range: Home Assistant refuses, the terminal never sees it.
    status, _body = await client.post_raw(
        "/api/services/number/set_value", {"entity_id": volume, "value": 150}
    )
    assert status == 400
    await asyncio.sleep(0.5)
    assert front_door_online.device.config["sound"]["Volume"] == "40"

    # Put it back for the other tests of the package.
    await client.call_service("number", "set_value", {"entity_id": volume, "value": 90})
    await wait_for_state(client, volume, "90.0")


async def enable(client: HomeAssistantClient, entity_ids: list[str]) -> None:
    """Enable entities created disabled, as a user does, and reload the terminal's entry."""
    for entity_id in entity_ids:
        await client.ws(
            {"type": "config/entity_registry/update", "entity_id": entity_id, "disabled_by": None}
        )
    entry = await client.entry(FRONT_DOOR)
    assert entry is not None
    await client.post(f"/api/config/config_entries/entry/{entry['entry_id']}/reload")


async def test_door_mode_select_and_texts(
    front_door_online: Terminal, client: HomeAssistantClient
) -> None:
    ids = await client.entity_ids(FRONT_DOOR)
    # Created disabled (a household rarely changes them): enabled here as a user would.
    await enable(client, [ids["select.door_mode"], ids["text.success_text"]])
    door_mode = await wait_for_state(client, ids["select.door_mode"], "face_or_remote")
    assert "face_and_remote" in door_mode["attributes"]["options"]
    text = await wait_for_state(client, ids["text.success_text"], "please pass")
    # The frontend cuts at "max" characters: never below the 63 bytes the terminal takes.
    assert text["attributes"]["max"] == 255
    firmware = await client.state(ids["update.firmware"])
    assert firmware is not None
    assert firmware["attributes"]["installed_version"] == VERSION_NAME
