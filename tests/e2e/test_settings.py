"""A terminal setting changed through Home Assistant's API, against the simulated terminal."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from simulator.device import VERSION_NAME

from .conftest import FRONT_DOOR, online_entity, wait_for_state

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


async def _issues(client: HomeAssistantClient) -> set[str]:
    listed = await client.ws({"type": "repairs/list_issues"})
    return {issue["issue_id"] for issue in listed["issues"] if issue["domain"] == "face_terminal"}


async def test_door_mode_3_set_on_the_terminal_is_repaired(
    front_door_online: Terminal, client: HomeAssistantClient
) -> None:
    """Issue 21, point 4: mode 3 without resume → a repair whose fix turns it on."""
    device = front_door_online.device
    with device.lock:
        saved = (device.config["door"]["OpendoorWay"], device.config["mqtt"].copy())
        device.config["door"]["OpendoorWay"] = "3"
        device.config["mqtt"]["ResumefromBreakpoint"] = "0"
    entry = await client.entry(FRONT_DOOR)
    assert entry is not None
    reload = f"/api/config/config_entries/entry/{entry['entry_id']}/reload"
    issue_id = f"remote_decision_{entry['entry_id']}"
    try:
        await client.post(reload)  # read everything again, as after a restart
        async with asyncio.timeout(30):
            while issue_id not in await _issues(client):  # noqa: ASYNC110 - polled over HTTP
                await asyncio.sleep(0.2)
        flow = await client.post(
            "/api/repairs/issues/fix", {"handler": "face_terminal", "issue_id": issue_id}
        )
        assert flow["step_id"] == "confirm"
        done = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", {})
        assert done["type"] == "create_entry"
        assert device.config["mqtt"]["ResumefromBreakpoint"] == "1"
        assert issue_id not in await _issues(client)
    finally:
        with device.lock:
            device.config["door"]["OpendoorWay"] = saved[0]
            device.config["mqtt"].clear()
            device.config["mqtt"].update(saved[1])
        await client.post(reload)
        await wait_for_state(client, await online_entity(client, FRONT_DOOR), "on", timeout=30)
