"""Tests of the integration's actions."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import AsyncMock, patch

import aiohttp
import pytest
import voluptuous as vol
from homeassistant.components.camera import Image as CameraImage
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
from PIL import Image
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.face_terminal import photo
from custom_components.face_terminal.const import (
    CONF_COMMAND_TOPIC,
    CONF_TERMINAL_ID,
    DOMAIN,
)
from custom_components.face_terminal.protocol.session import COMMAND_TIMEOUT, ENROL_TIMEOUT
from custom_components.face_terminal.roster.photo_check import ENROL_DETECT_TIMEOUT

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry
from .payloads import BASIC_TOPIC, TERMINAL_ID

if TYPE_CHECKING:
    from collections.abc import Generator

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import device_registry as dr
    from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

URL = "http://example.com/face.jpg"
OTHER_TERMINAL_ID = "2000001"


@pytest.fixture(autouse=True)
def no_platforms() -> Generator[None]:
    """The actions need no entity platform."""
    with patch("custom_components.face_terminal.PLATFORMS", []):
        yield


@pytest.fixture
def device_id(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> str:
    """The terminal's device."""
    return loaded_entry.runtime_data.device_id


@pytest.fixture
def faces_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A folder Home Assistant may read pictures from."""
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    return tmp_path


@pytest.fixture
async def other_device_id(hass: HomeAssistant, terminal: TerminalResponder) -> str:
    """A second terminal that never answers (offline)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Back door",
        unique_id=OTHER_TERMINAL_ID,
        data={
            CONF_TERMINAL_ID: OTHER_TERMINAL_ID,
            CONF_COMMAND_TOPIC: f"mqtt/face/{OTHER_TERMINAL_ID}",
            CONF_NAME: "Back door",
        },
    )
    await setup_entry(hass, entry)
    return entry.runtime_data.device_id


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any], *, response: bool = False
) -> Any:
    """Call one of the integration's actions and wait for it."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    """Bytes of `image` saved as `fmt`."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def decode_data_uri(text: str) -> bytes:
    """Bytes of a data URI the integration sent."""
    head, _, data = text.partition(",")
    assert head.startswith("data:image/")
    return base64.b64decode(data)


def fail(operator: str, code: str) -> Any:
    """A reply that refuses the command with `code`."""
    return lambda cmd: payloads.ack(operator, cmd["messageId"], code=code, result="fail")


async def wait_for_command(terminal: TerminalResponder, operator: str) -> None:
    """Let the action run until it has published `operator` (photo work is in a thread)."""
    for _ in range(100_000):  # loop time is frozen: yield without sleeping
        if operator in terminal.operators():
            return
        await asyncio.sleep(0)
    pytest.fail(f"{operator} was not sent: {terminal.operators()}")


async def expire(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, task: asyncio.Task[Any], seconds: float
) -> None:
    """Move the clock past a command's timeout until the waiting action gives up."""
    for _ in range(10):
        for _ in range(20):
            await asyncio.sleep(0)
        if task.done():
            return
        freezer.tick(timedelta(seconds=seconds + 1))
        async_fire_time_changed(hass)


async def expect_invalid(
    hass: HomeAssistant, service: str, data: dict[str, Any], key: str, *, response: bool = False
) -> ServiceValidationError:
    """Call an action that must fail validation with translation `key`."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, data, response=response)
    assert err.value.translation_key == key
    assert str(err.value) not in ("", key)  # the translation exists and renders
    return err.value


# --- device resolution --------------------------------------------------------------------


async def test_actions_are_registered(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    assert set(hass.services.async_services_for_domain(DOMAIN)) == {
        "unlock",
        "enrol_person",
        "delete_person",
        "list_persons",
        "play_voice",
        "list_voices",
        "show_qr_code",
        "hide_qr_code",
        "set_advertisement",
        "delete_advertisement",
        "factory_reset",
        "install_firmware",
        "answer_access_request",
        "compare_faces",
        "identify_face",
        "check_face_photo",
        "sync_persons",
        "delete_all_persons",
        "attendance",
        "check_roster",
        "create_guest_pass",
        "list_guest_passes",
        "revoke_guest_pass",
        "open_for_stranger",
        "admit_stranger",
        "list_visitors",
        "remove_expired_visitors",
    }


async def test_unknown_device(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    await expect_invalid(hass, "unlock", {"device_id": "nope"}, "service_device_not_found")


async def test_device_of_another_integration(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    device = device_registry.async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "x")}, name="Other"
    )
    await expect_invalid(hass, "unlock", {"device_id": device.id}, "service_device_wrong_domain")


async def test_device_of_an_unloaded_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_id: str
) -> None:
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    await expect_invalid(
        hass, "unlock", {"device_id": device_id}, "service_config_entry_not_loaded"
    )


async def test_device_that_is_not_the_terminal(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    device_registry: dr.DeviceRegistry,
) -> None:
    device = device_registry.async_get_or_create(
        config_entry_id=loaded_entry.entry_id, identifiers={(DOMAIN, "stale")}, name="Stale"
    )
    err = await expect_invalid(hass, "unlock", {"device_id": device.id}, "not_a_terminal")
    assert "Stale" in str(err)
    assert "Unlock" not in terminal.operators()


# --- unlock -----------------------------------------------------------------------------------


async def test_unlock(hass: HomeAssistant, terminal: TerminalResponder, device_id: str) -> None:
    await call(hass, "unlock", {"device_id": device_id, "message": "Welcome, 欢迎"})
    info = terminal.last("Unlock")["info"]
    assert info == {"facesluiceId": TERMINAL_ID, "openDoor": 1, "showInfo": "Welcome, 欢迎"}


async def test_unlock_without_message(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    await call(hass, "unlock", {"device_id": [device_id, device_id]})
    assert terminal.operators().count("Unlock") == 1  # the same device once
    assert "showInfo" not in terminal.last("Unlock")["info"]


async def test_unlock_message_too_long(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    message = "é" * 32  # 64 bytes
    await expect_invalid(
        hass, "unlock", {"device_id": device_id, "message": message}, "message_too_long"
    )
    assert "Unlock" not in terminal.operators()
    await call(hass, "unlock", {"device_id": device_id, "message": message[:-1] + "e"})
    assert terminal.last("Unlock")["info"]["showInfo"] == message[:-1] + "e"


async def test_unlock_refused(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    terminal.replies["Unlock"] = fail("Unlock", "462")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "unlock", {"device_id": device_id})
    assert err.value.translation_key == "command_failed"
    assert "code 462" in str(err.value)


async def test_unlock_timeout(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    terminal.silent = True
    task = hass.async_create_task(call(hass, "unlock", {"device_id": device_id}))
    await wait_for_command(terminal, "Unlock")
    await expire(hass, freezer, task, COMMAND_TIMEOUT)
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "command_timeout"


async def test_unlock_offline(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    fire(hass, BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "unlock", {"device_id": device_id})
    assert err.value.translation_key == "terminal_offline"
    assert "Unlock" not in terminal.operators()


async def test_unlock_several_terminals_raises_after_trying_all(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, other_device_id: str
) -> None:
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "unlock", {"device_id": [other_device_id, device_id]})
    assert err.value.translation_key == "terminal_offline"
    assert "Back door" in str(err.value)
    assert "Unlock" in terminal.operators()  # the online one was still opened


# --- enrol_person -----------------------------------------------------------------------------


def enrol_ack(cmd: dict[str, Any]) -> bytes:
    """`EditPerson-Ack` with the terminal's person ID."""
    return payloads.ack(
        "EditPerson", cmd["messageId"], customId=cmd["info"]["customId"], personId="41"
    )


@pytest.fixture
def enrol_terminal(terminal: TerminalResponder) -> TerminalResponder:
    """A terminal that answers EditPerson with a person ID."""
    terminal.replies["EditPerson"] = enrol_ack
    return terminal


async def test_enrol_from_file(
    hass: HomeAssistant, enrol_terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    picture = payloads.jpeg(320, 400)
    (faces_dir / "alice.jpg").write_bytes(picture)
    result = await call(
        hass,
        "enrol_person",
        {
            "device_id": device_id,
            "custom_id": "alice-01",
            "name": "Alice",
            "image_path": str(faces_dir / "alice.jpg"),
        },
        response=True,
    )
    assert result == {
        "results": [
            {
                "device_id": device_id,
                "terminal_id": TERMINAL_ID,
                "success": True,
                "person_id": "41",
            }
        ]
    }
    info = enrol_terminal.last("EditPerson")["info"]
    pic = info.pop("pic")
    assert info == {
        "facesluiceId": TERMINAL_ID,
        "customId": "alice-01",
        "name": "Alice",
        "personType": 0,
        "tempCardType": 0,
    }
    assert pic.startswith("data:image/jpeg;base64,")
    assert decode_data_uri(pic) == picture  # a fitting JPEG is sent as it is


@pytest.mark.parametrize(
    ("picture", "key", "words"),
    [
        (payloads.jpeg(8, 8), "photo_file_too_small", "1000 bytes"),
        (payloads.jpeg(100, 90) + b"\0" * 1000, "photo_too_few_pixels", "100 x 90 pixels"),
    ],
    ids=["file_too_small", "too_few_pixels"],
)
async def test_enrol_photo_refused_locally(
    hass: HomeAssistant,
    *,
    enrol_terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    picture: bytes,
    key: str,
    words: str,
) -> None:
    """A photo the terminal would refuse is refused before anything is sent (issue 25)."""
    (faces_dir / "small.jpg").write_bytes(picture)
    data = {
        "device_id": device_id,
        "custom_id": "sam",
        "name": "Sam",
        "image_path": str(faces_dir / "small.jpg"),
    }
    err = await expect_invalid(hass, "enrol_person", data, key, response=True)
    assert words in str(err)
    assert not {"EditPerson", "DetectFaceFromPic"} & set(enrol_terminal.operators())


async def test_enrol_photo_without_a_face(
    hass: HomeAssistant, enrol_terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    """The terminal's own face detection is asked first; no face: nothing is enrolled."""
    found = {"value": "0"}
    enrol_terminal.replies["DetectFaceFromPic"] = lambda cmd: payloads.ack(
        "DetectFaceFromPic", cmd["messageId"], DetectFace=found["value"]
    )
    (faces_dir / "wall.jpg").write_bytes(payloads.face_photo(5))
    data = {
        "device_id": device_id,
        "custom_id": "wally",
        "name": "Wally",
        "image_path": str(faces_dir / "wall.jpg"),
    }
    err = await expect_invalid(hass, "enrol_person", data, "photo_no_face")
    assert "Front door finds no face" in str(err)
    assert "EditPerson" not in enrol_terminal.operators()
    # The very photo the terminal gets was checked.
    checked = enrol_terminal.last("DetectFaceFromPic")["info"]["picinfo"]
    assert decode_data_uri(checked) == payloads.face_photo(5)
    found["value"] = "1"
    await call(hass, "enrol_person", data)
    assert enrol_terminal.operators()[-2:] == ["DetectFaceFromPic", "EditPerson"]


async def test_enrol_without_response(
    hass: HomeAssistant, enrol_terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    (faces_dir / "bob.jpg").write_bytes(payloads.face_photo())
    result = await call(
        hass,
        "enrol_person",
        {
            "device_id": device_id,
            "custom_id": "bob",
            "name": "Bob",
            "image_path": str(faces_dir / "bob.jpg"),
        },
    )
    assert result is None
    assert enrol_terminal.last("EditPerson")["info"]["customId"] == "bob"


async def test_enrol_from_url_on_block_list_with_validity(
    hass: HomeAssistant,
    enrol_terminal: TerminalResponder,
    device_id: str,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    face = Image.radial_gradient("L").resize((200, 260))
    picture = encode(Image.merge("RGBA", (face, face, face, face.point(lambda _: 255))), "PNG")
    aioclient_mock.get(URL, content=picture)
    await call(
        hass,
        "enrol_person",
        {
            "device_id": device_id,
            "custom_id": "carol",
            "name": "Carol",
            "image_url": URL,
            "person_type": "block",
            "valid_from": "2026-12-01 08:00:00",
            "valid_until": "2026-12-24 18:30:00",
        },
    )
    info = enrol_terminal.last("EditPerson")["info"]
    assert info["personType"] == 1
    assert info["tempCardType"] == 1
    assert info["cardValidBegin"] == "2026-12-01 08:00:00"
    assert info["cardValidEnd"] == "2026-12-24 18:30:00"
    sent = Image.open(io.BytesIO(decode_data_uri(info["pic"])))
    assert (sent.format, sent.mode, sent.size) == ("JPEG", "RGB", (200, 260))


async def test_enrol_validity_with_time_zone_is_local_terminal_time(
    hass: HomeAssistant,
    enrol_terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    (faces_dir / "dan.jpg").write_bytes(payloads.face_photo())
    await call(
        hass,
        "enrol_person",
        {
            "device_id": device_id,
            "custom_id": "dan",
            "name": "Dan",
            "image_path": str(faces_dir / "dan.jpg"),
            "valid_from": "2026-12-01T07:00:00+00:00",
            "valid_until": "2026-12-01T17:00:00+00:00",
        },
    )
    info = enrol_terminal.last("EditPerson")["info"]
    assert info["cardValidBegin"] == "2026-12-01 08:00:00"
    assert info["cardValidEnd"] == "2026-12-01 18:00:00"


async def test_enrol_from_camera(
    hass: HomeAssistant, enrol_terminal: TerminalResponder, device_id: str
) -> None:
    snapshot = encode(Image.new("RGB", (2560, 1440), (90, 90, 90)), "JPEG")
    with patch(
        "homeassistant.components.camera.async_get_image",
        AsyncMock(return_value=CameraImage("image/jpeg", snapshot)),
    ) as get_image:
        await call(
            hass,
            "enrol_person",
            {
                "device_id": device_id,
                "custom_id": "eve",
                "name": "Eve",
                "camera_entity_id": "camera.porch",
            },
        )
    assert get_image.call_args.args[1] == "camera.porch"
    sent = Image.open(io.BytesIO(decode_data_uri(enrol_terminal.last("EditPerson")["info"]["pic"])))
    assert sent.size == (1920, 1080)


async def test_enrol_huge_picture_is_downscaled(
    hass: HomeAssistant, enrol_terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    noise = Image.effect_noise((4000, 3000), 30)
    picture = encode(Image.merge("RGB", (gradient, noise, gradient)), "JPEG", quality=92)
    assert len(picture) > 1024 * 1024
    (faces_dir / "huge.jpg").write_bytes(picture)
    await call(
        hass,
        "enrol_person",
        {
            "device_id": device_id,
            "custom_id": "frank",
            "name": "Frank",
            "image_path": str(faces_dir / "huge.jpg"),
        },
    )
    command = enrol_terminal.last("EditPerson")
    sent_bytes = decode_data_uri(command["info"]["pic"])
    assert len(sent_bytes) <= 1024 * 1024
    sent = Image.open(io.BytesIO(sent_bytes))
    assert sent.width <= 1920
    assert sent.height <= 1080


async def test_enrol_several_terminals_reports_each(
    hass: HomeAssistant,
    enrol_terminal: TerminalResponder,
    device_id: str,
    other_device_id: str,
    faces_dir: Path,
) -> None:
    (faces_dir / "gus.jpg").write_bytes(payloads.face_photo())
    data = {
        "device_id": [device_id, other_device_id],
        "custom_id": "gus",
        "name": "Gus",
        "image_path": str(faces_dir / "gus.jpg"),
    }
    result = await call(hass, "enrol_person", data, response=True)
    ok, failed = result["results"]
    assert ok == {
        "device_id": device_id,
        "terminal_id": TERMINAL_ID,
        "success": True,
        "person_id": "41",
    }
    assert failed["device_id"] == other_device_id
    assert failed["terminal_id"] == OTHER_TERMINAL_ID
    assert failed["success"] is False
    assert "Back door is offline" in failed["error"]

    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "enrol_person", data)
    assert err.value.translation_key == "terminal_offline"


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("464", "no face features could be extracted"),
        ("467", "the person list is full"),
    ],
)
async def test_enrol_refused_by_terminal(
    hass: HomeAssistant,
    *,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    code: str,
    meaning: str,
) -> None:
    terminal.replies["EditPerson"] = fail("EditPerson", code)
    (faces_dir / "h.jpg").write_bytes(payloads.face_photo())
    data = {
        "device_id": device_id,
        "custom_id": "henry",
        "name": "Henry",
        "image_path": str(faces_dir / "h.jpg"),
    }
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "enrol_person", data)
    assert err.value.translation_key == "command_failed"
    assert meaning in str(err.value)
    assert f"code {code}" in str(err.value)

    result = await call(hass, "enrol_person", data, response=True)
    (report,) = result["results"]
    assert report["success"] is False
    assert meaning in report["error"]


async def test_enrol_timeout(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    terminal.silent = True
    (faces_dir / "i.jpg").write_bytes(payloads.face_photo())
    task = hass.async_create_task(
        call(
            hass,
            "enrol_person",
            {
                "device_id": device_id,
                "custom_id": "ivy",
                "name": "Ivy",
                "image_path": str(faces_dir / "i.jpg"),
            },
            response=True,
        )
    )
    # The face detection stays unanswered too: the photo is sent after its short deadline.
    await wait_for_command(terminal, "DetectFaceFromPic")
    freezer.tick(timedelta(seconds=ENROL_DETECT_TIMEOUT + 1))
    async_fire_time_changed(hass)
    await wait_for_command(terminal, "EditPerson")
    await expire(hass, freezer, task, ENROL_TIMEOUT)
    result = await task
    assert result["results"][0]["success"] is False
    assert "did not answer the EditPerson command" in result["results"][0]["error"]


BASE_ENROL = {"custom_id": "jo", "name": "Jo", "image_url": URL}


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"custom_id": "x" * 48}, "custom_id_invalid"),
        ({"custom_id": "  "}, "custom_id_invalid"),
        ({"custom_id": "ü" * 24}, "custom_id_invalid"),  # 48 bytes
        ({"name": "n" * 32}, "name_invalid"),
        ({"name": "李" * 11}, "name_invalid"),  # 33 bytes
        ({"name": " "}, "name_invalid"),
        ({"image_url": None}, "photo_source_count"),
        ({"image_path": "/tmp/a.jpg"}, "photo_source_count"),
        ({"camera_entity_id": "camera.porch"}, "photo_source_count"),
        ({"valid_from": "2026-12-01 08:00:00"}, "validity_incomplete"),
        ({"valid_until": "2026-12-01 08:00:00"}, "validity_incomplete"),
        (
            {"valid_from": "2026-12-02 08:00:00", "valid_until": "2026-12-01 08:00:00"},
            "validity_order",
        ),
        (
            {"valid_from": "2026-12-01 08:00:00", "valid_until": "2026-12-01 08:00:00"},
            "validity_order",
        ),
    ],
)
async def test_enrol_bad_input(
    hass: HomeAssistant,
    *,
    terminal: TerminalResponder,
    device_id: str,
    aioclient_mock: AiohttpClientMocker,
    changes: dict[str, Any],
    key: str,
) -> None:
    data = {"device_id": device_id, **BASE_ENROL, **changes}
    data = {field: value for field, value in data.items() if value is not None}
    await expect_invalid(hass, "enrol_person", data, key)
    assert aioclient_mock.call_count == 0  # nothing fetched
    assert "EditPerson" not in terminal.operators()


async def test_enrol_custom_id_the_builder_refuses(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    aioclient_mock.get(URL, content=payloads.face_photo())
    err = await expect_invalid(
        hass,
        "enrol_person",
        {"device_id": device_id, **BASE_ENROL, "custom_id": "a,b"},
        "invalid_command",
        response=True,
    )
    assert "comma" in str(err)
    assert "EditPerson" not in terminal.operators()


@pytest.mark.parametrize(
    "data",
    [
        {"image_url": "not a url"},
        {"camera_entity_id": "light.kitchen"},
        {"person_type": "maybe"},
        {"valid_from": "tomorrow"},
    ],
)
async def test_enrol_schema(hass: HomeAssistant, device_id: str, data: dict[str, Any]) -> None:
    with pytest.raises(vol.Invalid):
        await call(hass, "enrol_person", {"device_id": device_id, **BASE_ENROL, **data})


async def test_enrol_path_not_allowed(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, tmp_path: Path
) -> None:
    (tmp_path / "x.jpg").write_bytes(payloads.face_photo())
    hass.config.allowlist_external_dirs = set()
    data = {
        "device_id": device_id,
        "custom_id": "k",
        "name": "K",
        "image_path": str(tmp_path / "x.jpg"),
    }
    err = await expect_invalid(hass, "enrol_person", data, "path_not_allowed")
    assert str(tmp_path) in str(err)


async def test_enrol_missing_file(hass: HomeAssistant, device_id: str, faces_dir: Path) -> None:
    data = {
        "device_id": device_id,
        "custom_id": "k",
        "name": "K",
        "image_path": str(faces_dir / "none.jpg"),
    }
    await expect_invalid(hass, "enrol_person", data, "file_unreadable")


async def test_enrol_file_too_large(hass: HomeAssistant, device_id: str, faces_dir: Path) -> None:
    with (faces_dir / "big.jpg").open("wb") as file:
        file.truncate(photo.MAX_SOURCE_BYTES + 1)
    data = {
        "device_id": device_id,
        "custom_id": "k",
        "name": "K",
        "image_path": str(faces_dir / "big.jpg"),
    }
    await expect_invalid(hass, "enrol_person", data, "image_too_large")


async def test_enrol_file_not_an_image(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    (faces_dir / "notes.txt").write_text("not a face")
    data = {
        "device_id": device_id,
        "custom_id": "k",
        "name": "K",
        "image_path": str(faces_dir / "notes.txt"),
    }
    await expect_invalid(hass, "enrol_person", data, "not_an_image")
    assert "EditPerson" not in terminal.operators()


async def test_enrol_url_not_found(
    hass: HomeAssistant, device_id: str, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.get(URL, status=404)
    err = await expect_invalid(
        hass, "enrol_person", {"device_id": device_id, **BASE_ENROL}, "download_failed"
    )
    assert "404" in str(err)


@pytest.mark.parametrize(
    "headers",
    [{"Content-Length": str(photo.MAX_SOURCE_BYTES + 1)}, None],
    ids=["announced", "streamed"],
)
async def test_enrol_url_too_large(
    hass: HomeAssistant,
    device_id: str,
    aioclient_mock: AiohttpClientMocker,
    headers: dict[str, str] | None,
) -> None:
    aioclient_mock.get(URL, content=b"\xff" * (photo.MAX_SOURCE_BYTES + 1), headers=headers)
    await expect_invalid(
        hass, "enrol_person", {"device_id": device_id, **BASE_ENROL}, "image_too_large"
    )


@pytest.mark.parametrize(
    "exc", [aiohttp.ClientConnectionError("refused"), TimeoutError()], ids=["error", "timeout"]
)
async def test_enrol_url_unreachable(
    hass: HomeAssistant,
    device_id: str,
    aioclient_mock: AiohttpClientMocker,
    exc: Exception,
) -> None:
    aioclient_mock.get(URL, exc=exc)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "enrol_person", {"device_id": device_id, **BASE_ENROL})
    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_key == "download_error"
    assert URL in str(err.value)


async def test_enrol_url_not_an_image(
    hass: HomeAssistant, device_id: str, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.get(URL, text="<html>login</html>")
    await expect_invalid(
        hass, "enrol_person", {"device_id": device_id, **BASE_ENROL}, "not_an_image"
    )


async def test_enrol_camera_without_picture(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    data = {
        "device_id": device_id,
        "custom_id": "k",
        "name": "K",
        "camera_entity_id": "camera.none",
    }
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "enrol_person", data)
    assert err.value.translation_key == "camera_image_failed"
    assert "camera.none" in str(err.value)

    with (
        patch(
            "homeassistant.components.camera.async_get_image",
            AsyncMock(side_effect=HomeAssistantError("Unable to get image")),
        ),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(hass, "enrol_person", data)
    assert err.value.translation_key == "camera_image_failed"
    assert "Unable to get image" in str(err.value)
    assert "EditPerson" not in terminal.operators()


async def test_enrol_offline(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fire(hass, BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    (faces_dir / "l.jpg").write_bytes(payloads.face_photo())
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass,
            "enrol_person",
            {
                "device_id": device_id,
                "custom_id": "l",
                "name": "L",
                "image_path": str(faces_dir / "l.jpg"),
            },
        )
    assert err.value.translation_key == "terminal_offline"


# --- delete_person ----------------------------------------------------------------------------


async def test_delete_person(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    await call(hass, "delete_person", {"device_id": [device_id], "custom_id": "alice-01"})
    assert terminal.last("DelPerson")["info"] == {
        "facesluiceId": TERMINAL_ID,
        "customId": "alice-01",
    }


async def test_delete_unknown_person(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    terminal.replies["DelPerson"] = fail("DelPerson", "464")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "delete_person", {"device_id": device_id, "custom_id": "ghost"})
    assert "no person with this customId" in str(err.value)


@pytest.mark.parametrize(
    ("custom_id", "key"),
    [("x" * 48, "custom_id_invalid"), ("", "custom_id_invalid"), ("a,b", "invalid_command")],
)
async def test_delete_person_bad_id(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, custom_id: str, key: str
) -> None:
    await expect_invalid(
        hass, "delete_person", {"device_id": device_id, "custom_id": custom_id}, key
    )
    assert "DelPerson" not in terminal.operators()


# --- list_persons -----------------------------------------------------------------------------


PERSON_LIST = [
    {
        "LibID": 7,
        "personId": "7",
        "personType": 0,
        "name": "Alice",
        "gender": 1,
        "idCard": payloads.ID_NUMBER,
        "telnum1": payloads.PHONE,
        "telnum": payloads.PHONE,
        "address": "1 Example Road",
        "customId": "alice-01",
        "tempCardType": 0,
        "cardValidBegin": "0000-00-00 00:00:00",
        "cardValidEnd": "0000-00-00 00:00:00",
        "pic": payloads.data_uri(payloads.jpeg()),
    },
    {
        "personId": "8",
        "personType": "1",
        "name": "Mallory",
        "idCard": "110101198001010011",
        "customId": "mallory",
        "tempCardType": 1,
        "cardValidBegin": "2026-12-01 08:00:00",
        "cardValidEnd": "2026-12-24 18:30:00",
    },
]


async def test_list_persons(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    terminal.replies["SearchPersonList"] = lambda cmd: payloads.ack(
        "SearchPersonList",
        cmd["messageId"],
        code=200,
        TotalPersonNum=102,
        PersonNum=2,
        List=PERSON_LIST,
    )
    result = await call(
        hass,
        "list_persons",
        {"device_id": device_id, "name": "Al", "offset": 100, "limit": 2},
        response=True,
    )
    assert result == {
        "total": 102,
        "persons": [
            {
                "custom_id": "alice-01",
                "person_id": "7",
                "name": "Alice",
                "person_type": "allow",
            },
            {
                "custom_id": "mallory",
                "person_id": "8",
                "name": "Mallory",
                "person_type": "block",
                "valid_from": "2026-12-01T08:00:00+01:00",
                "valid_until": "2026-12-24T18:30:00+01:00",
            },
        ],
    }
    text = repr(result)
    for secret in (payloads.ID_NUMBER, payloads.PHONE, "110101198001010011", "base64", "Example"):
        assert secret not in text
    info = terminal.last("SearchPersonList")["info"]
    assert info["name"] == "Al"
    assert info["BeginNO"] == 100
    assert info["RequestCount"] == 2
    assert info["personType"] == 2


async def test_list_persons_defaults_and_missing_total(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    terminal.replies["SearchPersonList"] = lambda cmd: payloads.ack(
        "SearchPersonList",
        cmd["messageId"],
        List=[{"customId": "x", "name": "X"}],
    )
    result = await call(hass, "list_persons", {"device_id": [device_id]}, response=True)
    assert result == {
        "total": 1,
        "persons": [{"custom_id": "x", "person_id": None, "name": "X", "person_type": None}],
    }
    info = terminal.last("SearchPersonList")["info"]
    assert info["BeginNO"] == 0
    assert info["RequestCount"] == 100
    assert "name" not in info


async def test_list_persons_none_found(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    terminal.replies["SearchPersonList"] = fail("SearchPersonList", "466")
    result = await call(
        hass, "list_persons", {"device_id": device_id, "name": "Zed"}, response=True
    )
    assert result == {"total": 0, "persons": []}


async def test_list_persons_reply_of_another_command(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    """Issue 9 item 10: an ack with our messageId but another operator answers nothing."""
    terminal.replies["SearchPersonList"] = lambda cmd: payloads.ack("Versions", cmd["messageId"])
    task = hass.async_create_task(
        call(hass, "list_persons", {"device_id": device_id}, response=True)
    )
    for _ in range(10):
        await asyncio.sleep(0)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=COMMAND_TIMEOUT + 1))
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "command_timeout"
    runtime = hass.config_entries.async_entries(DOMAIN)[0].runtime_data
    assert runtime.counters["mismatched_acks"] == 1


async def test_list_persons_refused(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    terminal.replies["SearchPersonList"] = fail("SearchPersonList", "465")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "list_persons", {"device_id": device_id}, response=True)
    assert "facesluiceId does not match" in str(err.value)


@pytest.mark.parametrize(
    ("name", "key"),
    [("n" * 32, "name_invalid"), (" ", "name_invalid"), ("a\x01b", "invalid_command")],
)
async def test_list_persons_bad_name(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, name: str, key: str
) -> None:
    await expect_invalid(
        hass, "list_persons", {"device_id": device_id, "name": name}, key, response=True
    )
    assert "SearchPersonList" not in terminal.operators()


@pytest.mark.parametrize("data", [{"limit": 0}, {"limit": 2001}, {"offset": -1}])
async def test_list_persons_schema(
    hass: HomeAssistant, device_id: str, data: dict[str, Any]
) -> None:
    with pytest.raises(vol.Invalid):
        await call(hass, "list_persons", {"device_id": device_id, **data}, response=True)


async def test_list_persons_one_device_only(
    hass: HomeAssistant, device_id: str, other_device_id: str
) -> None:
    with pytest.raises(vol.Invalid):
        await call(hass, "list_persons", {"device_id": [device_id, other_device_id]}, response=True)


async def test_list_persons_needs_response(hass: HomeAssistant, device_id: str) -> None:
    with pytest.raises(ServiceValidationError):
        await call(hass, "list_persons", {"device_id": device_id})


# --- voices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"file": "welcome.wav"}, {"UsrType": "1", "voicetype": "welcome.wav"}),
        ({"file": " Fail_C.WAV ", "set": "custom"}, {"UsrType": "2", "voicetype": "Fail_C.WAV"}),
    ],
)
async def test_play_voice(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    data: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    await call(hass, "play_voice", {"device_id": device_id, **data})
    assert terminal.last("voiceplay")["info"] == {"facesluiceId": TERMINAL_ID, **expected}


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"file": "welcome.mp3"}, "voice_file_invalid"),
        ({"file": "../etc/x.wav"}, "voice_file_invalid"),
        ({"file": "welcome.wav", "set": "custom"}, "custom_voice_file_invalid"),
        ({"file": "a\x02.wav"}, "invalid_command"),
    ],
)
async def test_play_voice_bad_file(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    data: dict[str, Any],
    key: str,
) -> None:
    await expect_invalid(hass, "play_voice", {"device_id": device_id, **data}, key)
    assert "voiceplay" not in terminal.operators()


async def test_play_voice_missing_file(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    terminal.replies["voiceplay"] = fail("voiceplay", "464")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "play_voice", {"device_id": device_id, "file": "nope.wav"})
    assert "the sound file does not exist" in str(err.value)


async def test_play_voice_schema(hass: HomeAssistant, device_id: str) -> None:
    with pytest.raises(vol.Invalid):
        await call(hass, "play_voice", {"device_id": device_id, "file": "a.wav", "set": "other"})


async def test_list_voices(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    terminal.replies["GetAudio"] = lambda cmd: payloads.ack(
        "GetAudio",
        cmd["messageId"],
        AudioNum="2",
        AudioName=["welcome.wav", "sorry.wav"],
        AudioCustomerNum="1",
        AudioCustomerName=["Fail_C.wav"],
    )
    result = await call(hass, "list_voices", {"device_id": device_id}, response=True)
    assert result == {"builtin": ["welcome.wav", "sorry.wav"], "custom": ["Fail_C.wav"]}
    assert terminal.last("GetAudio")["info"] == {"facesluiceId": TERMINAL_ID}


async def test_list_voices_none(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    terminal.replies["GetAudio"] = fail("GetAudio", "463")
    result = await call(hass, "list_voices", {"device_id": device_id}, response=True)
    assert result == {"builtin": [], "custom": []}


async def test_list_voices_refused(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    terminal.replies["GetAudio"] = fail("GetAudio", "410")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "list_voices", {"device_id": device_id}, response=True)
    assert err.value.translation_key == "command_failed"


# --- QR code ----------------------------------------------------------------------------------


async def test_show_qr_code_text(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    await call(
        hass,
        "show_qr_code",
        {
            "device_id": device_id,
            "text": "https://example.com/v/1",
            "x": 40,
            "y": 600,
            "width": 300,
            "height": 320,
        },
    )
    assert terminal.last("ShowQRCode")["info"] == {
        "facesluiceId": TERMINAL_ID,
        "ImageType": 1,
        "AbsX": 40,
        "AbsY": 600,
        "ImageW": 300,
        "ImageH": 320,
        "QRCodeData": "https://example.com/v/1",
    }


async def test_show_qr_code_picture_file(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    picture = encode(Image.new("1", (64, 64), 1), "PNG")
    (faces_dir / "qr.png").write_bytes(picture)
    await call(
        hass, "show_qr_code", {"device_id": [device_id], "image_path": str(faces_dir / "qr.png")}
    )
    info = terminal.last("ShowQRCode")["info"]
    assert info["ImageType"] == 2
    assert (info["AbsX"], info["AbsY"], info["ImageW"], info["ImageH"]) == (10, 10, 200, 200)
    assert info["QRCodeData"].startswith("data:image/png;base64,")
    assert decode_data_uri(info["QRCodeData"]) == picture  # shown as it is


async def test_show_qr_code_picture_url(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    aioclient_mock.get("http://example.com/qr.jpg", content=payloads.jpeg(100, 100))
    await call(
        hass, "show_qr_code", {"device_id": device_id, "image_url": "http://example.com/qr.jpg"}
    )
    assert terminal.last("ShowQRCode")["info"]["ImageType"] == 3


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "qr_source_count"),
        ({"text": "a", "image_url": URL}, "qr_source_count"),
        ({"text": "é" * 16384}, "qr_text_too_long"),
        ({"text": "a\x03"}, "invalid_command"),
    ],
)
async def test_show_qr_code_bad_input(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    data: dict[str, Any],
    key: str,
) -> None:
    await expect_invalid(hass, "show_qr_code", {"device_id": device_id, **data}, key)
    assert "ShowQRCode" not in terminal.operators()


@pytest.mark.parametrize(
    ("picture", "key"),
    [
        (encode(Image.new("RGB", (40, 40)), "GIF"), "qr_image_format"),
        (b"plain text", "qr_image_format"),
        (encode(Image.effect_noise((200, 200), 100), "PNG"), "qr_image_too_large"),
    ],
    ids=["gif", "text", "too_large"],
)
async def test_show_qr_code_bad_picture(
    hass: HomeAssistant,
    *,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    picture: bytes,
    key: str,
) -> None:
    (faces_dir / "qr.bin").write_bytes(picture)
    await expect_invalid(
        hass, "show_qr_code", {"device_id": device_id, "image_path": str(faces_dir / "qr.bin")}, key
    )
    assert "ShowQRCode" not in terminal.operators()


async def test_show_qr_code_path_not_allowed(
    hass: HomeAssistant, device_id: str, tmp_path: Path
) -> None:
    hass.config.allowlist_external_dirs = set()
    await expect_invalid(
        hass,
        "show_qr_code",
        {"device_id": device_id, "image_path": str(tmp_path / "q.png")},
        "path_not_allowed",
    )


@pytest.mark.parametrize(
    "data", [{"x": 5}, {"y": 5000}, {"width": 9}, {"height": "big"}, {"text": ""}]
)
async def test_show_qr_code_schema(
    hass: HomeAssistant, device_id: str, data: dict[str, Any]
) -> None:
    with pytest.raises(vol.Invalid):
        await call(hass, "show_qr_code", {"device_id": device_id, "text": "a", **data})


async def test_show_qr_code_refused(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    terminal.replies["ShowQRCode"] = fail("ShowQRCode", "463")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "show_qr_code", {"device_id": device_id, "text": "a"})
    assert "QRCodeData is missing" in str(err.value)


async def test_hide_qr_code(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    await call(hass, "hide_qr_code", {"device_id": device_id})
    assert terminal.last("ShowQRCode")["info"] == {"facesluiceId": TERMINAL_ID, "ShowStatus": 0}


async def test_hide_qr_code_offline(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, other_device_id: str
) -> None:
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "hide_qr_code", {"device_id": [device_id, other_device_id]})
    assert err.value.translation_key == "terminal_offline"
    assert terminal.last("ShowQRCode")["info"]["ShowStatus"] == 0


# --- descriptions ----------------------------------------------------------------------


def test_descriptions_match_schemas_translations_and_icons() -> None:
    """services.yaml is valid, and every action and field has a schema, texts and an icon."""
    from homeassistant.helpers import selector
    from homeassistant.helpers.service import _SERVICES_SCHEMA
    from homeassistant.util.yaml import load_yaml_dict

    from custom_components.face_terminal import (
        access_actions,
        attendance,
        face_tools,
        services,
        services_screen,
    )
    from custom_components.face_terminal.guests import actions as guest_actions
    from custom_components.face_terminal.guests import visitor_list, visitors
    from custom_components.face_terminal.roster import services as roster_services

    base = Path(services.__file__).parent
    described = _SERVICES_SCHEMA(load_yaml_dict(str(base / "services.yaml")))
    strings = json.loads((base / "translations" / "en.json").read_text(encoding="utf-8"))
    icons = json.loads((base / "icons.json").read_text(encoding="utf-8"))
    schemas = {
        "unlock": services.UNLOCK_SCHEMA,
        "enrol_person": services.ENROL_PERSON_SCHEMA,
        "delete_person": services.DELETE_PERSON_SCHEMA,
        "list_persons": services.LIST_PERSONS_SCHEMA,
        "play_voice": services.PLAY_VOICE_SCHEMA,
        "list_voices": services.LIST_VOICES_SCHEMA,
        "show_qr_code": services.SHOW_QR_CODE_SCHEMA,
        "hide_qr_code": services.HIDE_QR_CODE_SCHEMA,
        "set_advertisement": services_screen.SET_ADVERTISEMENT_SCHEMA,
        "delete_advertisement": services_screen.DELETE_ADVERTISEMENT_SCHEMA,
        "factory_reset": services_screen.FACTORY_RESET_SCHEMA,
        "install_firmware": vol.Schema(services_screen.INSTALL_FIRMWARE_SCHEMA),
        "answer_access_request": access_actions.ANSWER_ACCESS_REQUEST_SCHEMA,
        "compare_faces": face_tools.COMPARE_FACES_SCHEMA,
        "identify_face": face_tools.IDENTIFY_FACE_SCHEMA,
        "check_face_photo": face_tools.CHECK_FACE_PHOTO_SCHEMA,
        "sync_persons": roster_services.SYNC_PERSONS_SCHEMA,
        "delete_all_persons": roster_services.DELETE_ALL_PERSONS_SCHEMA,
        "attendance": attendance.ATTENDANCE_SCHEMA,
        "check_roster": roster_services.CHECK_ROSTER_SCHEMA,
        "create_guest_pass": guest_actions.CREATE_GUEST_PASS_SCHEMA,
        "list_guest_passes": guest_actions.LIST_GUEST_PASSES_SCHEMA,
        "revoke_guest_pass": guest_actions.REVOKE_GUEST_PASS_SCHEMA,
        "open_for_stranger": visitors.OPEN_FOR_STRANGER_SCHEMA,
        "admit_stranger": visitors.ADMIT_STRANGER_SCHEMA,
        "list_visitors": visitor_list.VISITORS_SCHEMA,
        "remove_expired_visitors": visitor_list.VISITORS_SCHEMA,
    }
    assert set(described) == set(schemas) == set(strings["services"]) == set(icons["services"])
    for name, description in described.items():
        texts = strings["services"][name]
        assert texts["name"]
        assert texts["description"]
        fields = description.get("fields", {})
        assert set(fields) == {str(key) for key in schemas[name].schema}
        assert set(fields) == set(texts.get("fields", {}))
        for field, spec in fields.items():
            assert texts["fields"][field]["name"]
            assert texts["fields"][field]["description"]
            selector.validate_selector(spec["selector"])
            key = spec["selector"].get("select", {}).get("translation_key")
            if key:
                options = strings["selector"][key]["options"]
                assert set(options) == set(spec["selector"]["select"]["options"])


async def test_enrol_validity_dates_are_whole_days(
    hass: HomeAssistant,
    enrol_terminal: TerminalResponder,
    device_id: str,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """One date rule everywhere: "from" a date is its start, "until" a date its end."""
    aioclient_mock.get(URL, content=encode(Image.new("RGB", (200, 260)), "JPEG"))
    await call(
        hass,
        "enrol_person",
        {
            "device_id": device_id,
            "custom_id": "erin",
            "name": "Erin",
            "image_url": URL,
            "valid_from": "2027-06-01",
            "valid_until": "2027-06-30",
        },
    )
    info = enrol_terminal.last("EditPerson")["info"]
    assert info["cardValidBegin"] == "2027-06-01 00:00:00"
    assert info["cardValidEnd"] == "2027-06-30 23:59:59"
