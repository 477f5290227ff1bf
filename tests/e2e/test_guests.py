"""Guest passes end to end: issue, scan on a simulated terminal's reader, door, events.

A real Home Assistant and mosquitto; the simulated terminal's scripted QR scanner reads
the pass code that ``create_guest_pass`` answered with. The door opens only on the
terminal's ``Unlock``; every refusal reason is seen as a ``face_terminal_guest_pass``
event while the door stays shut, and the fifth refusal within a minute blocks the
terminal's scans and raises a repair.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import pytest_socket

from harness.home_assistant import HomeAssistantClient

from .conftest import (
    FRONT_DOOR,
    add_terminal,
    make_terminal,
    online_entity,
    run_async,
    wait_for_state,
)
from .test_blueprints import create_automation

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from harness.home_assistant import EventStream
    from simulator import Terminal

    from .conftest import Stack

pytestmark = pytest.mark.timeout(180)

LOBBY = "1400024"
EVENT = "face_terminal_guest_pass"


@pytest.fixture(scope="module")
def lobby(stack: Stack) -> Iterator[Terminal]:
    """A terminal whose QR scanner the guests use."""
    pytest_socket.enable_socket()
    terminal = make_terminal(stack, LOBBY)
    try:
        run_async(add_terminal(stack, terminal))
        yield terminal
    finally:
        terminal.stop()


async def wait_until(predicate: Callable[[], bool], timeout: float = 10) -> bool:  # noqa: ASYNC109
    """Poll a simulator predicate without blocking the loop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return False


async def create(client: HomeAssistantClient, device_id: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("valid_until", (datetime.now(UTC) + timedelta(hours=1)).isoformat())
    data = {"device_id": device_id, "label": "Guest", **fields}
    answer = await client.call_service("face_terminal", "create_guest_pass", data, response=True)
    return dict(answer["service_response"])


async def refused(events: EventStream, terminal: Terminal, code: str, reason: str) -> None:
    opened = terminal.unlock_count
    count = len(events.matching(reason=reason))
    terminal.scan_qr(code)
    await events.wait_for(count + 1, timeout=15, reason=reason, result="refused")
    await asyncio.sleep(0.3)
    assert terminal.unlock_count == opened


async def test_pass_opens_once_and_every_refusal_stays_shut(
    lobby: Terminal, front_door: Terminal, client: HomeAssistantClient
) -> None:
    lobby_device = await client.device_id(LOBBY)
    async with client.subscribe_events(EVENT) as events:
        issued = await create(client, lobby_device, label="Plumber", uses=1)
        status, picture = await client.get_bytes(
            issued["qr_url"][issued["qr_url"].index("/api/") :]
        )
        assert status == 200
        assert picture.startswith(b"\x89PNG")

        opened = lobby.unlock_count
        lobby.scan_qr(issued["code"])
        [used] = await events.wait_for(timeout=15, result="used")
        assert used.data["pass_id"] == issued["pass_id"]
        assert used.data["label"] == "Plumber"
        assert await wait_until(lambda: lobby.unlock_count == opened + 1)
        assert lobby.show_infos[-1] == "Welcome Plumber"
        secret = issued["code"][14:]
        assert all(secret not in str(event.data) for event in events.events)

        await refused(events, lobby, issued["code"], "used_up")
        await refused(events, lobby, issued["code"][:-1] + "0", "unknown")

        revoked = await create(client, lobby_device)
        await client.call_service(
            "face_terminal", "revoke_guest_pass", {"pass_id": revoked["pass_id"]}
        )
        await refused(events, lobby, revoked["code"], "revoked")

        late = await create(client, lobby_device)
        opened = lobby.unlock_count
        lobby.scan_qr(late["code"], late=300)
        await events.wait_for(timeout=15, reason="replayed", pass_id=late["pass_id"])
        await asyncio.sleep(0.3)
        assert lobby.unlock_count == opened

        elsewhere = await create(client, await client.device_id(FRONT_DOOR))
        await refused(events, lobby, elsewhere["code"], "wrong_terminal")

        ending = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
        short = await create(client, lobby_device, valid_until=ending)
        await asyncio.sleep(2.5)
        await refused(events, lobby, short["code"], "expired")  # the fifth refusal

        issues = await client.ws({"type": "repairs/list_issues"})
        assert any(issue["issue_id"] == f"guest_pass_scans_{LOBBY}" for issue in issues["issues"])
        fresh = await create(client, lobby_device)
        await refused(events, lobby, fresh["code"], "rate_limited")

    listed = await client.call_service("face_terminal", "list_guest_passes", {}, response=True)
    statuses = {p["pass_id"]: p["status"] for p in listed["service_response"]["passes"]}
    assert statuses[issued["pass_id"]] == "used_up"
    assert statuses[revoked["pass_id"]] == "revoked"
    assert secret not in str(listed)


async def test_stranger_let_in_until_then_refused(
    lobby: Terminal, client: HomeAssistantClient
) -> None:
    async with client.subscribe_events(
        "face_terminal_stranger", "face_terminal_recognition"
    ) as events:
        kind, snap_id = lobby.present_face("Delivery person")
        assert kind == "snap"
        [seen] = await events.wait_for(timeout=15, record_id=str(snap_id))
        face_ref = seen.data["face_ref"]

        opened = lobby.unlock_count
        await client.call_service("face_terminal", "open_for_stranger", {"face_ref": face_ref})
        assert await wait_until(lambda: lobby.unlock_count == opened + 1)

        until = (datetime.now(UTC) + timedelta(seconds=6)).isoformat()
        answer = await client.call_service(
            "face_terminal",
            "admit_stranger",
            {"face_ref": face_ref, "name": "Delivery", "valid_until": until},
            response=True,
        )
        custom_id = answer["service_response"]["custom_id"]
        assert lobby.device.store.get(custom_id) is not None

        kind, record_id = lobby.present_face("Delivery person")
        assert kind == "rec"
        [admitted] = await events.wait_for(
            timeout=15, record_id=str(record_id), custom_id=custom_id
        )
        assert admitted.data["access"] == "access_granted"

        await asyncio.sleep(7)
        kind, record_id = lobby.present_face("Delivery person")
        assert kind == "rec"
        [refused_event] = await events.wait_for(
            timeout=15, record_id=str(record_id), custom_id=custom_id
        )
        assert refused_event.data["access"] == "access_denied"

    lobby_device = await client.device_id(LOBBY)
    listed = await client.call_service(
        "face_terminal", "list_visitors", {"device_id": lobby_device}, response=True
    )
    [visitor] = [v for v in listed["service_response"][LOBBY] if v["custom_id"] == custom_id]
    assert visitor["expired"] is True
    assert visitor["kind"] == "until"
    removed = await client.call_service(
        "face_terminal", "remove_expired_visitors", {"device_id": lobby_device}, response=True
    )
    assert custom_id in removed["service_response"][LOBBY]
    assert await wait_until(lambda: lobby.device.store.get(custom_id) is None)


async def test_blueprint_answers_from_the_phone(
    lobby: Terminal, client: HomeAssistantClient
) -> None:
    lobby_device = await client.device_id(LOBBY)
    await create_automation(
        client,
        "stranger_to_visitor",
        "stranger_to_visitor.yaml",
        {"terminal": lobby_device, "notify_action": "notify.persistent_notification"},
    )
    try:
        async with client.subscribe_events("face_terminal_stranger") as events:
            # "Let in until tonight": the face is enrolled as a temporary visitor.
            _kind, snap_id = lobby.present_face("Night visitor")
            [seen] = await events.wait_for(timeout=15, record_id=str(snap_id))
            tag = seen.data["face_ref"][:12]
            await asyncio.sleep(1)  # the notification went out; the automation waits
            await client.post(
                "/api/events/mobile_app_notification_action", {"action": f"FT_ADMIT_{tag}"}
            )
            assert await wait_until(
                lambda: any(
                    p.custom_id.startswith("visitor-")
                    and p.temp_card_type == 1
                    and p.name == "Visitor"
                    for p in lobby.device.store
                ),
                timeout=15,
            )
            assert lobby.present_face("Night visitor")[0] == "rec"

            # "Open now".
            opened = lobby.unlock_count
            _kind, snap_id = lobby.present_face("Knocking person")
            [seen] = await events.wait_for(timeout=15, record_id=str(snap_id))
            tag = seen.data["face_ref"][:12]
            await asyncio.sleep(1)
            await client.post(
                "/api/events/mobile_app_notification_action", {"action": f"FT_OPEN_{tag}"}
            )
            assert await wait_until(lambda: lobby.unlock_count == opened + 1, timeout=15)
    finally:
        await client.delete_automation("stranger_to_visitor")


async def test_passes_across_a_restart(front_door_online: Terminal, stack: Stack) -> None:
    """Passes live in Home Assistant's storage; their pictures live in memory only.

    After a graceful restart a valid pass still opens, a revoked one and one used up
    before the restart still refuse, and the picture's address answers 404 (the code is
    kept nowhere, so the picture cannot be drawn again: the guest keeps the one sent).
    """
    terminal = front_door_online
    client = await stack.client()
    try:
        device = await client.device_id(FRONT_DOOR)
        valid = await create(client, device, label="Cleaner", uses=2)
        revoked = await create(client, device, label="Former tenant")
        await client.call_service(
            "face_terminal", "revoke_guest_pass", {"pass_id": revoked["pass_id"]}
        )
        once = await create(client, device, label="Courier", uses=1)
        picture_path = valid["qr_url"][valid["qr_url"].index("/api/") :]
        assert (await client.get_bytes(picture_path))[0] == 200
        async with client.subscribe_events(EVENT) as events:
            opened = terminal.unlock_count
            terminal.scan_qr(once["code"])
            await events.wait_for(timeout=15, result="used", pass_id=once["pass_id"])
            assert await wait_until(lambda: terminal.unlock_count == opened + 1)
    finally:
        await client.close()

    await stack.restart_home_assistant()

    client = HomeAssistantClient(stack.hass.url)
    try:
        await client.onboard_or_login()
        await wait_for_state(client, await online_entity(client, FRONT_DOOR), "on", timeout=60)
        assert (await client.get_bytes(picture_path))[0] == 404
        async with client.subscribe_events(EVENT) as events:
            opened = terminal.unlock_count
            terminal.scan_qr(valid["code"])
            [used] = await events.wait_for(timeout=15, result="used", pass_id=valid["pass_id"])
            assert used.data["uses_left"] == 1
            assert await wait_until(lambda: terminal.unlock_count == opened + 1)
            assert terminal.show_infos[-1] == "Welcome Cleaner"

            await refused(events, terminal, revoked["code"], "revoked")
            await refused(events, terminal, once["code"], "used_up")
        listed = await client.call_service("face_terminal", "list_guest_passes", {}, response=True)
        statuses = {p["pass_id"]: p["status"] for p in listed["service_response"]["passes"]}
        assert statuses[valid["pass_id"]] == "active"
        assert statuses[revoked["pass_id"]] == "revoked"
        assert statuses[once["pass_id"]] == "used_up"
    finally:
        await client.close()
