"""A stranger becomes a visitor: the kept face, opening for them, enrolling them for a while."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.face_terminal.const import DOMAIN, EVENT_STRANGER
from custom_components.face_terminal.guests.faces import (
    FACE_URL_PREFIX,
    MAX_FACES,
    StrangerFaces,
)
from custom_components.face_terminal.protocol import Image

from . import payloads
from .conftest import fire
from .payloads import SNAP_TOPIC

if TYPE_CHECKING:
    from homeassistant.core import Event, HomeAssistant
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    from .conftest import TerminalResponder

FACE = payloads.jpeg(96, 120, (90, 60, 30))


async def stranger(hass: HomeAssistant, snap_id: str = "501", **options: Any) -> Event:
    events = async_capture_events(hass, EVENT_STRANGER)
    fire(hass, SNAP_TOPIC, payloads.str_snap_push(snap_id=snap_id, pic=FACE, **options))
    await hass.async_block_till_done()
    return events[-1]


async def call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=service == "admit_stranger"
    )


async def expect_invalid(hass: HomeAssistant, service: str, data: dict[str, Any], key: str) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, data)
    assert err.value.translation_key == key
    assert str(err.value) not in ("", key)


def test_faces_are_few_and_short_lived() -> None:
    faces = StrangerFaces()
    image = Image(FACE, "image/jpeg")
    refs = [faces.keep(image, terminal_id="t", device_id="d") for _ in range(MAX_FACES + 1)]
    assert len(faces) == MAX_FACES
    assert faces.get(refs[0]) is None  # the oldest made room
    assert faces.get(refs[-1]) is not None
    assert faces.get("nope") is None
    with patch.object(time, "monotonic", return_value=time.monotonic() + 301):
        assert faces.get(refs[-1]) is None
        faces.keep(image, terminal_id="t", device_id="d")
    assert len(faces) == 1


async def test_stranger_event_carries_a_face_reference(
    hass: HomeAssistant, device_id: str, hass_client: ClientSessionGenerator
) -> None:
    event = await stranger(hass)
    ref = event.data["face_ref"]
    assert len(ref) >= 20
    client = await hass_client()
    answer = await client.get(f"{FACE_URL_PREFIX}/{ref}")
    assert answer.status == 200
    assert await answer.read() == FACE
    assert (await client.get(f"{FACE_URL_PREFIX}/other")).status == 404
    # A re-sent snapshot is history: no face to act on.
    replayed = await stranger(hass, snap_id="502", time="2026-11-22 10:05:00")
    resent = payloads.str_snap_push(snap_id="503", pic=FACE)
    info = json.loads(resent)
    info["info"]["PushType"] = "2"
    events = async_capture_events(hass, EVENT_STRANGER)
    fire(hass, SNAP_TOPIC, json.dumps(info).encode())
    await hass.async_block_till_done()
    assert events[0].data["replay"] is True
    assert "face_ref" not in events[0].data
    assert "face_ref" in replayed.data


async def test_face_view_needs_a_login(
    hass: HomeAssistant, device_id: str, hass_client_no_auth: ClientSessionGenerator
) -> None:
    event = await stranger(hass)
    client = await hass_client_no_auth()
    answer = await client.get(f"{FACE_URL_PREFIX}/{event.data['face_ref']}")
    assert answer.status == 401


async def test_open_for_stranger(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    event = await stranger(hass)
    await call(hass, "open_for_stranger", {"face_ref": event.data["face_ref"], "message": "Hi"})
    assert terminal.last("Unlock")["info"]["showInfo"] == "Hi"


async def test_open_for_stranger_bad_input(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    event = await stranger(hass)
    ref = event.data["face_ref"]
    await expect_invalid(hass, "open_for_stranger", {"face_ref": "gone"}, "stranger_face_gone")
    await expect_invalid(
        hass, "open_for_stranger", {"face_ref": ref, "message": "é" * 40}, "message_too_long"
    )
    with patch.object(time, "monotonic", return_value=time.monotonic() + 301):
        await expect_invalid(hass, "open_for_stranger", {"face_ref": ref}, "stranger_face_gone")
    assert "Unlock" not in terminal.operators()


async def test_admit_until(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    event = await stranger(hass)
    until = dt_util.now() + timedelta(hours=3)
    answer = await call(
        hass,
        "admit_stranger",
        {"face_ref": event.data["face_ref"], "name": "Courier", "valid_until": until},
    )
    assert answer["custom_id"].startswith("visitor-")
    assert answer["passages"] is None
    info = terminal.last("EditPerson")["info"]
    assert info["tempCardType"] == 1
    assert info["customId"] == answer["custom_id"]
    assert info["cardValidEnd"] == until.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S")
    assert "cardValidBegin" in info
    assert info["pic"]  # the captured face


async def test_admit_for_passages_on_chosen_terminals(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    event = await stranger(hass)
    answer = await call(
        hass,
        "admit_stranger",
        {"face_ref": event.data["face_ref"], "passages": 2, "device_id": [device_id]},
    )
    assert answer["name"] == "Visitor"
    info = terminal.last("EditPerson")["info"]
    assert info["tempCardType"] == 3
    assert info["EffectNumber"] == 2


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({}, "visitor_limit_invalid"),
        ({"passages": 1, "valid_until": "2099-01-01 00:00:00"}, "visitor_limit_invalid"),
        ({"passages": 0}, "visitor_passages_invalid"),
        ({"passages": 101}, "visitor_passages_invalid"),
        ({"valid_until": "2000-01-01 00:00:00"}, "guest_window_past"),
        ({"passages": 1, "name": " "}, "visitor_name_invalid"),
        ({"passages": 1, "name": "访" * 11}, "visitor_name_invalid"),
        ({"passages": 1, "face_ref": "gone"}, "stranger_face_gone"),
    ],
)
async def test_admit_bad_input(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    fields: dict[str, Any],
    key: str,
) -> None:
    event = await stranger(hass)
    await expect_invalid(
        hass, "admit_stranger", {"face_ref": event.data["face_ref"], **fields}, key
    )
    assert "EditPerson" not in terminal.operators()
