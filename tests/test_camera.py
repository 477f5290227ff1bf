"""Tests of the scene camera."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.components.camera import CameraState, async_get_image
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import entity_registry as er
    from syrupy.assertion import SnapshotAssertion

ENTITY_ID = "camera.front_door_scene"


@pytest.fixture(autouse=True)
def only_camera() -> Generator[None]:
    """Set up only this platform."""
    with patch("custom_components.face_terminal.PLATFORMS", [Platform.CAMERA]):
        yield


@pytest.fixture
def no_cache() -> Generator[None]:
    """Every picture request goes to the terminal."""
    with patch("custom_components.face_terminal.scene.SCENE_CACHE_SECONDS", 0):
        yield


def scene_reply(picture: bytes) -> Any:
    """A GetSceneSnap-Ack carrying `picture`."""

    def reply(command: dict[str, Any]) -> bytes:
        return payloads.ack(
            "GetSceneSnap", command["messageId"], ImgData=payloads.data_uri(picture)
        )

    return reply


async def test_entities(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Registry entry and state (with a fixed access token)."""
    with patch("random.SystemRandom.getrandbits", return_value=0x1234):
        await setup_entry(hass, config_entry)
    await snapshot_platform(
        hass,
        entity_registry,
        snapshot.use_extension(HomeAssistantSnapshotExtension),
        config_entry.entry_id,
    )
    assert hass.states.get(ENTITY_ID).state == CameraState.IDLE


async def test_image(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """A picture request asks the terminal for the scene and returns its JPEG."""
    picture = payloads.jpeg(320, 240)
    terminal.replies["GetSceneSnap"] = scene_reply(picture)

    image = await async_get_image(hass, ENTITY_ID)

    assert image.content == picture
    assert image.content_type == "image/jpeg"
    assert terminal.operators().count("GetSceneSnap") == 1


async def test_requests_share_and_cache(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """Concurrent and quick successive requests cost the terminal one command."""
    picture = payloads.jpeg(320, 240)
    terminal.replies["GetSceneSnap"] = scene_reply(picture)

    images = await asyncio.gather(
        async_get_image(hass, ENTITY_ID), async_get_image(hass, ENTITY_ID)
    )
    again = await async_get_image(hass, ENTITY_ID)

    assert [image.content for image in (*images, again)] == [picture] * 3
    assert terminal.operators().count("GetSceneSnap") == 1


@pytest.mark.usefixtures("no_cache")
async def test_fallback_to_last_picture(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When the terminal refuses, the last good picture is shown (and logged at debug)."""
    first = payloads.jpeg(320, 240)
    terminal.replies["GetSceneSnap"] = scene_reply(first)
    assert (await async_get_image(hass, ENTITY_ID)).content == first

    terminal.replies["GetSceneSnap"] = lambda command: payloads.ack(
        "GetSceneSnap", command["messageId"], code="500", result="fail"
    )
    with caplog.at_level(logging.DEBUG, logger="custom_components.face_terminal"):
        assert (await async_get_image(hass, ENTITY_ID)).content == first
    assert "no scene picture" in caplog.text
    assert terminal.operators().count("GetSceneSnap") == 2


@pytest.mark.usefixtures("no_cache")
async def test_answer_without_picture(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """An ok answer without a usable picture counts as a failure too."""
    terminal.replies["GetSceneSnap"] = lambda command: payloads.ack(
        "GetSceneSnap", command["messageId"], ImgData="data:image/jpeg;base64,bm90IGEgcGljdHVyZQ=="
    )
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, ENTITY_ID)


async def test_no_picture_yet(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
) -> None:
    """A refusal before any good picture gives no image."""
    terminal.replies["GetSceneSnap"] = lambda command: payloads.ack(
        "GetSceneSnap", command["messageId"], code="500", result="fail"
    )
    entity = hass.data["camera"].get_entity(ENTITY_ID)
    assert await entity.async_camera_image() is None
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, ENTITY_ID)


async def test_offline(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """Offline: the camera is unavailable and asks nothing; it shows the last picture."""
    picture = payloads.jpeg(320, 240)
    terminal.replies["GetSceneSnap"] = scene_reply(picture)
    await async_get_image(hass, ENTITY_ID)

    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    assert hass.states.get(ENTITY_ID).state == STATE_UNAVAILABLE

    entity = hass.data["camera"].get_entity(ENTITY_ID)
    with patch("custom_components.face_terminal.scene.SCENE_CACHE_SECONDS", 0):
        assert await entity.async_camera_image() == picture
    assert terminal.operators().count("GetSceneSnap") == 1
