"""Face tools as actions: compare two photos, find who a photo shows, check a photo."""

from __future__ import annotations

import asyncio
import base64
import io
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from PIL import Image
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.face_terminal.const import CONF_PERSON_LINKS, DOMAIN

from . import payloads
from .conftest import TerminalResponder, setup_entry

if TYPE_CHECKING:
    from pathlib import Path

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant


@pytest.fixture
def faces(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Two photos in a folder Home Assistant may read."""
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    (tmp_path / "a.jpg").write_bytes(payloads.jpeg())
    (tmp_path / "b.jpg").write_bytes(payloads.jpeg(color=(10, 20, 30)))
    return tmp_path


async def call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


def reply(operator: str, **info: Any) -> Any:
    return lambda cmd: payloads.ack(operator, cmd["messageId"], **info)


def sent_picture(text: str) -> bytes:
    head, _, data = text.partition(",")
    assert head == "data:image/jpeg;base64"
    return base64.b64decode(data)


async def test_compare_faces(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder, faces: Path
) -> None:
    terminal.replies["GetPictureSimilarity"] = reply("GetPictureSimilarity", Similarity="94.0")
    result = await call(
        hass,
        "compare_faces",
        {
            "device_id": loaded_entry.runtime_data.device_id,
            "image_path": str(faces / "a.jpg"),
            "second_image_path": str(faces / "b.jpg"),
        },
    )
    assert result == {"similarity": 94.0}
    info = terminal.last("GetPictureSimilarity")["info"]
    assert sent_picture(info["picinfo1"]) == (faces / "a.jpg").read_bytes()
    assert sent_picture(info["picinfo2"]) == (faces / "b.jpg").read_bytes()


async def test_compare_faces_shrinks_both_photos_into_one_command(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder, faces: Path
) -> None:
    """Two big photos must fit one 1 MB command together."""
    noise = Image.effect_noise((1600, 1000), 120).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, format="JPEG", quality=95)
    (faces / "big.jpg").write_bytes(buffer.getvalue())
    assert len(buffer.getvalue()) > 500 * 1024
    terminal.replies["GetPictureSimilarity"] = reply("GetPictureSimilarity", Similarity="12")
    result = await call(
        hass,
        "compare_faces",
        {
            "device_id": loaded_entry.runtime_data.device_id,
            "image_path": str(faces / "big.jpg"),
            "second_image_path": str(faces / "big.jpg"),
        },
    )
    assert result == {"similarity": 12.0}
    info = terminal.last("GetPictureSimilarity")["info"]
    assert len(sent_picture(info["picinfo1"])) <= 340 * 1024


async def test_identify_face_names_the_linked_person(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry, faces: Path
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_PERSON_LINKS: {"alice-01": "person.alice"}}
    )
    await setup_entry(hass, config_entry)
    terminal.replies["GetPictureSearch"] = reply(
        "GetPictureSearch",
        TotalNum=1,
        SearchInfo=[
            {
                "customId": "alice-01",
                "name": "Alice",
                "personType": "0",
                "idCard": "421126198702054321",
                "Similarity": "91.0",
            }
        ],
    )
    result = await call(
        hass,
        "identify_face",
        {
            "device_id": config_entry.runtime_data.device_id,
            "image_path": str(faces / "a.jpg"),
            "min_similarity": 70,
        },
    )
    assert result == {
        "matches": [
            {
                "custom_id": "alice-01",
                "name": "Alice",
                "similarity": 91.0,
                "blacklisted": False,
                "person_entity_id": "person.alice",
            }
        ]
    }
    info = terminal.last("GetPictureSearch")["info"]
    assert info["MaxSimilarity"] == 70
    assert info["MaxNum"] == 1


async def test_identify_face_nobody(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder, faces: Path
) -> None:
    """Error 466 ("No Meet Conditions Person") is an empty answer, not a failure."""
    terminal.replies["GetPictureSearch"] = lambda cmd: payloads.ack(
        "GetPictureSearch", cmd["messageId"], code="466", result="fail"
    )
    data = {"device_id": loaded_entry.runtime_data.device_id, "image_path": str(faces / "a.jpg")}
    assert await call(hass, "identify_face", data) == {"matches": []}
    terminal.replies["GetPictureSearch"] = lambda cmd: payloads.ack(
        "GetPictureSearch", cmd["messageId"], code="467", result="fail"
    )
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "identify_face", data)
    assert err.value.translation_key == "command_failed"


FACE_TOOL_OPERATORS = {"GetPictureSimilarity", "GetPictureSearch", "DetectFaceFromPic"}


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("0", False)])
async def test_check_face_photo(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    faces: Path,
    *,
    value: str,
    expected: bool,
) -> None:
    terminal.replies["DetectFaceFromPic"] = reply("DetectFaceFromPic", DetectFace=value)
    result = await call(
        hass,
        "check_face_photo",
        {"device_id": loaded_entry.runtime_data.device_id, "image_path": str(faces / "a.jpg")},
    )
    assert result == {"face_detected": expected}


@pytest.mark.parametrize(
    ("service", "extra"),
    [
        ("check_face_photo", {}),
        ("compare_faces", {"image_path": "a"}),
        ("compare_faces", {"second_image_path": "b"}),
        ("identify_face", {"image_path": "a", "image_url": "http://x/a.jpg"}),
    ],
)
async def test_one_source_per_photo(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    service: str,
    extra: dict[str, Any],
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, {"device_id": loaded_entry.runtime_data.device_id, **extra})
    assert err.value.translation_key == "photo_source_count"
    # Nothing reached the terminal (it only saw the start-up reads).
    assert not set(terminal.operators()) & FACE_TOOL_OPERATORS


async def test_not_a_picture(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder, faces: Path
) -> None:
    (faces / "x.jpg").write_bytes(b"not a picture")
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "check_face_photo",
            {"device_id": loaded_entry.runtime_data.device_id, "image_path": str(faces / "x.jpg")},
        )
    assert err.value.translation_key == "not_an_image"


async def test_terminal_without_the_command(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    faces: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Firmware that never answers: the action fails with the timeout error, in time."""
    terminal.replies["DetectFaceFromPic"] = lambda _cmd: None
    task = asyncio.create_task(
        call(
            hass,
            "check_face_photo",
            {"device_id": loaded_entry.runtime_data.device_id, "image_path": str(faces / "a.jpg")},
        )
    )
    for _ in range(20):
        for _ in range(200):
            await asyncio.sleep(0)
        if task.done():
            break
        freezer.tick(11)
        async_fire_time_changed(hass)
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "command_timeout"


async def test_unknown_device(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    with (
        patch("custom_components.face_terminal.photo.async_load_image") as load,
        pytest.raises(ServiceValidationError),
    ):
        await call(hass, "check_face_photo", {"device_id": "nope", "image_path": "/x.jpg"})
    load.assert_not_called()
