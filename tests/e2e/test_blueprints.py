"""The shipped automation blueprints, in a real Home Assistant with a simulated terminal.

Each blueprint must load without error, accept a configuration through the automation
editor's API (which validates it), and do its job when the terminal reports something:
the checks read what the automation did from its trace, or from the terminal itself.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from .conftest import FRONT_DOOR, last_command, wait_for_state

if TYPE_CHECKING:
    from harness.home_assistant import HomeAssistantClient
    from simulator import Terminal

pytestmark = pytest.mark.timeout(120)

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints" / "automation" / "face_terminal"
SHIPPED = sorted(path.name for path in BLUEPRINTS.glob("*.yaml"))


async def create_automation(
    client: HomeAssistantClient, automation_id: str, blueprint: str, inputs: dict[str, Any]
) -> str:
    """Save an automation from a blueprint, as the editor does; return its entity ID."""
    alias = f"Blueprint test {automation_id}"
    await client.post(
        f"/api/config/automation/config/{automation_id}",
        {
            "alias": alias,
            "use_blueprint": {"path": f"face_terminal/{blueprint}", "input": inputs},
        },
    )
    for _ in range(100):
        for entry in await client.ws({"type": "config/entity_registry/list"}):
            if entry["platform"] == "automation" and entry["unique_id"] == automation_id:
                await wait_for_state(client, entry["entity_id"], "on")
                return str(entry["entity_id"])
        await asyncio.sleep(0.1)
    raise AssertionError(f"automation {automation_id} was not created")


async def traces(client: HomeAssistantClient, automation_id: str) -> list[dict[str, Any]]:
    """Full traces of an automation's runs, oldest first."""
    summaries = await client.ws(
        {"type": "trace/list", "domain": "automation", "item_id": automation_id}
    )
    return [
        await client.ws(
            {
                "type": "trace/get",
                "domain": "automation",
                "item_id": automation_id,
                "run_id": summary["run_id"],
            }
        )
        for summary in sorted(summaries, key=lambda s: s["timestamp"]["start"])
    ]


async def wait_for_runs(
    client: HomeAssistantClient, automation_id: str, count: int
) -> list[dict[str, Any]]:
    """Wait until an automation has `count` finished runs; return their traces."""
    for _ in range(150):
        runs = await traces(client, automation_id)
        if len(runs) >= count and all(run["state"] == "stopped" for run in runs):
            return runs
        await asyncio.sleep(0.1)
    raise AssertionError(f"{automation_id}: {len(await traces(client, automation_id))} runs")


def event_data(run: dict[str, Any]) -> dict[str, Any]:
    """The data of the bus event that started a run."""
    [step] = run["trace"]["trigger/0"]
    data: dict[str, Any] = step["changed_variables"]["trigger"]["event"]["data"]
    return data


def called(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The actions a run performed: domain, service, data and target of each call."""
    return [
        step["result"]["params"]
        for steps in run["trace"].values()
        for step in steps
        if isinstance(step.get("result"), dict) and "params" in step["result"]
    ]


def test_every_blueprint_is_valid_yaml_with_the_repository_source_url() -> None:
    assert SHIPPED == [
        "decide_access.yaml",
        "notify_stranger.yaml",
        "open_door_for_qr_code.yaml",
        "stranger_to_visitor.yaml",
        "welcome_known_person.yaml",
    ]
    for name in SHIPPED:
        text = (BLUEPRINTS / name).read_text(encoding="utf-8")
        # `!input` is Home Assistant's own tag; any other tag would not load there.
        loaded = yaml.load(text, Loader=_BlueprintLoader)
        assert loaded["blueprint"]["domain"] == "automation"
        assert loaded["blueprint"]["source_url"].endswith(
            f"face_terminal/blob/main/blueprints/automation/face_terminal/{name}"
        )


class _BlueprintLoader(yaml.SafeLoader):
    """SafeLoader that reads `!input name` as a plain marker."""


_BlueprintLoader.add_constructor(
    "!input", lambda loader, node: ("input", loader.construct_scalar(node))
)


async def test_home_assistant_loads_every_blueprint(client: HomeAssistantClient) -> None:
    listed = await client.ws({"type": "blueprint/list", "domain": "automation"})

    for name in SHIPPED:
        entry = listed[f"face_terminal/{name}"]
        assert "error" not in entry, entry
        assert entry["metadata"]["domain"] == "automation"
        assert "terminal" in entry["metadata"]["input"]


async def test_welcome_turns_on_lights_and_scene_for_the_listed_people_only(
    front_door_online: Terminal, client: HomeAssistantClient
) -> None:
    device_id = await client.device_id(FRONT_DOOR)
    await create_automation(
        client,
        "welcome",
        "welcome_known_person.yaml",
        {
            "terminal": device_id,
            "people": ["Alice"],
            "lights": {"entity_id": "light.hall"},
            "scene": "scene.evening_welcome",
        },
    )

    front_door_online.push_recognition("Bob")  # enrolled, granted, but not listed
    front_door_online.push_recognition("Alice")
    front_door_online.push_recognition("Alice", verify_status=2)  # refused: no welcome

    runs = await wait_for_runs(client, "welcome", 3)
    welcomed = [run for run in runs if called(run)]
    assert len(welcomed) == 1
    assert event_data(welcomed[0])["person_name"] == "Alice"
    assert event_data(welcomed[0])["access"] == "access_granted"
    light, scene = called(welcomed[0])
    assert (light["domain"], light["service"]) == ("light", "turn_on")
    assert light["target"] == {"entity_id": ["light.hall"]}
    assert (scene["domain"], scene["service"]) == ("scene", "turn_on")
    assert scene["target"] == {"entity_id": ["scene.evening_welcome"]}


async def test_stranger_notification_carries_the_face_from_the_image_entity(
    front_door_online: Terminal, client: HomeAssistantClient
) -> None:
    device_id = await client.device_id(FRONT_DOOR)
    face = (await client.entity_ids(FRONT_DOOR))["image.last_face"]
    await create_automation(
        client,
        "stranger",
        "notify_stranger.yaml",
        {
            "terminal": device_id,
            "face_image": face,
            "notify_action": "notify.persistent_notification",
            "cooldown": 0,
        },
    )

    front_door_online.push_stranger(label="visitor")

    [run] = await wait_for_runs(client, "stranger", 1)
    [call] = called(run)
    assert (call["domain"], call["service"]) == ("notify", "persistent_notification")
    data = call["service_data"]
    assert data["message"] == "A stranger is at the door"
    assert data["title"] == "Face1"
    assert data["data"]["image"] == f"/api/image_proxy/{face}"
    # The URL serves the stranger's face; the event itself carried no picture.
    status, body = await client.get_bytes(data["data"]["image"])
    assert status == 200
    assert body[:2] == b"\xff\xd8"
    assert all(len(str(value)) < 200 for value in event_data(run).values())


async def test_qr_code_opens_the_door_only_for_a_listed_code(
    front_door_online: Terminal, client: HomeAssistantClient
) -> None:
    device_id = await client.device_id(FRONT_DOOR)
    await create_automation(
        client,
        "qr",
        "open_door_for_qr_code.yaml",
        {"terminal": device_id, "codes": ["PARCEL-2026"], "message": "Leave it inside"},
    )
    unlocks = front_door_online.unlock_count

    async with client.subscribe_events("face_terminal_scan") as scans:
        assert front_door_online.push_qr("SOMETHING-ELSE")
        await scans.wait_for(code="SOMETHING-ELSE")
        assert front_door_online.push_qr("PARCEL-2026")
        await scans.wait_for(code="PARCEL-2026")

    runs = await wait_for_runs(client, "qr", 2)
    assert [len(called(run)) for run in runs] == [0, 1]
    assert front_door_online.wait_for(lambda: front_door_online.unlock_count == unlocks + 1)
    assert last_command(front_door_online) == "Unlock"
    # The door locks again by itself after the door open time (1 s here).
    await wait_for_state(client, (await client.entity_ids(FRONT_DOOR))["lock.door"], "locked")


async def test_access_decision_blueprint_makes_a_valid_automation(
    front_door_online: Terminal, client: HomeAssistantClient
) -> None:
    """The door-mode-3 blueprint saves as an automation that Home Assistant turns on."""
    device_id = await client.device_id(FRONT_DOOR)
    entity_id = await create_automation(
        client,
        "decide",
        "decide_access.yaml",
        {"terminal": device_id, "always": ["person.alice"], "welcome": "Hello"},
    )
    state = await client.state(entity_id)
    assert state is not None
    assert state["state"] == "on"
    await client.delete_automation("decide")
