"""Tests of the last-face image."""

from __future__ import annotations

import base64
import io
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING
from unittest.mock import patch

import pytest
from homeassistant.components.image import async_get_image
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from PIL import Image as PILImage
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry

if TYPE_CHECKING:
    from collections.abc import Generator

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import entity_registry as er
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
    from syrupy.assertion import SnapshotAssertion

ENTITY_ID = "image.front_door_last_face"


@pytest.fixture(autouse=True)
def only_image() -> Generator[None]:
    """Set up only this platform."""
    with patch("custom_components.face_terminal.PLATFORMS", [Platform.IMAGE]):
        yield


def picture(kind: str) -> bytes:
    """A small picture in the given PIL format."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (32, 40), (10, 20, 30)).save(buffer, format=kind)
    return buffer.getvalue()


async def deliver(hass: HomeAssistant, topic: str, payload: bytes) -> None:
    """Fire a terminal message and let it be handled."""
    fire(hass, topic, payload)
    await hass.async_block_till_done()


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


async def test_no_face_yet(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """No picture until a record brings one."""
    assert hass.states.get(ENTITY_ID).state == STATE_UNKNOWN
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, ENTITY_ID)


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("BMP", "image/bmp")],
)
async def test_face_of_recognition(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    kind: str,
    content_type: str,
) -> None:
    """A recognition's face becomes the picture; the state is when it arrived."""
    face = picture(kind)
    arrival = datetime(2026, 11, 22, 18, 1, 5, tzinfo=dt_util.UTC)
    freezer.move_to(arrival)

    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(pic=face))

    assert hass.states.get(ENTITY_ID).state == arrival.isoformat()
    image = await async_get_image(hass, ENTITY_ID)
    assert image.content == face
    assert image.content_type == content_type


async def test_broken_base64_past_its_head_gives_no_picture(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Pictures are decoded on fetch; base64 broken past its first characters gives none."""
    text = base64.b64encode(picture("JPEG")).decode()
    broken = text[:16] + "@@@@" + text[20:]
    await deliver(
        hass,
        payloads.REC_TOPIC,
        payloads.rec_push(extra={"pic": f"data:image/jpeg;base64,{broken}"}),
    )
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, ENTITY_ID)


async def test_face_of_stranger_and_no_face(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A stranger's face replaces the picture; records without a face keep it."""
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(pic=picture("JPEG")))
    first = hass.states.get(ENTITY_ID).state

    freezer.tick(30)
    stranger = picture("PNG")
    await deliver(hass, payloads.SNAP_TOPIC, payloads.str_snap_push(pic=stranger))
    second = hass.states.get(ENTITY_ID).state
    assert second != first
    assert (await async_get_image(hass, ENTITY_ID)).content == stranger

    freezer.tick(30)
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="2"))
    await deliver(hass, payloads.QR_TOPIC, payloads.qr_push())
    await deliver(
        hass,
        payloads.REC_TOPIC,
        payloads.rec_push(record_id="3", extra={"pic": "data:image/jpeg;base64,!!!"}),
    )
    assert hass.states.get(ENTITY_ID).state == second
    assert (await async_get_image(hass, ENTITY_ID)).content == stranger


async def test_served_over_http(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """The image proxy serves the bytes with their content type."""
    face = picture("JPEG")
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(pic=face))

    client = await hass_client()
    response = await client.get(f"/api/image_proxy/{ENTITY_ID}")
    assert response.status == HTTPStatus.OK
    assert response.content_type == "image/jpeg"
    assert await response.read() == face


async def test_unavailable_when_offline(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """The image follows the terminal's presence."""
    await deliver(hass, payloads.BASIC_TOPIC, payloads.offline())
    assert hass.states.get(ENTITY_ID).state == STATE_UNAVAILABLE
    await deliver(hass, payloads.HEARTBEAT_TOPIC, payloads.heartbeat())
    assert hass.states.get(ENTITY_ID).state == STATE_UNKNOWN


async def test_added_after_a_face(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """An entity set up after a face arrived shows it at once."""
    face = picture("JPEG")
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(pic=face))
    state = hass.states.get(ENTITY_ID).state

    assert await hass.config_entries.async_unload_platforms(loaded_entry, [Platform.IMAGE])
    await hass.config_entries.async_forward_entry_setups(loaded_entry, [Platform.IMAGE])
    await hass.async_block_till_done()

    assert hass.states.get(ENTITY_ID).state == state
    assert (await async_get_image(hass, ENTITY_ID)).content == face


async def test_no_picture_in_attributes(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """The picture is served, never put into the state."""
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(pic=picture("JPEG")))
    text = str(hass.states.get(ENTITY_ID).as_dict())
    assert "base64" not in text
    assert "Alice" not in text
