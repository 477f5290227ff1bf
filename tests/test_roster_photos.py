"""Tests of roster photos: served by URL or sent inline, prepared once, and the photo view."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import TYPE_CHECKING
from unittest.mock import patch

import pytest
from PIL import Image
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
)

from custom_components.face_terminal import photo_server
from custom_components.face_terminal.photo_server import PHOTO_URL_PREFIX
from custom_components.face_terminal.roster import photos as roster_photos
from custom_components.face_terminal.roster import sync as roster_sync

from .payloads import COMMAND_TOPIC
from .roster_fakes import BASE_URL, FakeRoster, png, report, sync

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    from .conftest import TerminalResponder

pytestmark = pytest.mark.usefixtures("quick_roster", "only_sensor_platform")


async def test_inline_photos_without_local_url(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    with (
        patch.object(roster_sync, "local_base_url", return_value=None),
    ):
        result = report(
            await sync(
                hass,
                {
                    "device_id": device_id,
                    "persons": [
                        {"custom_id": "i1", "name": "Ina", "photo": "p1.jpg"},
                        {"custom_id": "i2", "name": "Ivo", "photo": str(faces_dir / "p2.jpg")},
                    ],
                    "photo_folder": str(faces_dir),
                },
            )
        )
    assert result["photo_delivery"] == "inline"
    assert result["added"] == 2
    assert fake.batches == []
    assert terminal.operators().count("EditPerson") == 2
    assert terminal.last("EditPerson")["info"]["pic"].startswith("data:image/jpeg;base64,")


async def test_large_photo_is_downscaled_before_serving(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    fake = FakeRoster(terminal)
    fake.hold = True
    (faces_dir / "big.png").write_bytes(png(2400, 1200))
    task = hass.async_create_task(
        sync(
            hass,
            {
                "device_id": device_id,
                "persons": [{"custom_id": "big", "name": "Big", "photo": "big.png"}],
                "photo_folder": str(faces_dir),
            },
        )
    )
    for _ in range(2000):
        if fake.batches:
            break
        await asyncio.sleep(0.005)
    url = fake.batches[0]["info"][0]["picURI"]
    client = await hass_client_no_auth()
    data = await (await client.get(url.removeprefix(BASE_URL))).read()
    assert data[:2] == b"\xff\xd8"  # re-encoded as JPEG
    with Image.open(io.BytesIO(data)) as image:
        assert max(image.size) <= 1920
        assert min(image.size) <= 1080
    async_fire_mqtt_message(hass, f"{COMMAND_TOPIC}/Ack", fake.answer(fake.batches[0]))
    assert report(await task)["added"] == 1


async def test_people_sharing_a_photo_share_its_url(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    result = report(
        await sync(
            hass,
            {
                "device_id": device_id,
                "photo_folder": str(faces_dir),
                "persons": [
                    {"custom_id": "twin-1", "name": "Twin", "photo": "p1.jpg"},
                    {"custom_id": "twin-2", "name": "Twin", "photo": "p1.jpg"},
                ],
            },
        )
    )
    assert result["added"] == 2
    first, second = fake.items()
    assert first["picURI"] == second["picURI"]


def test_photo_server_tokens_expire() -> None:
    server = photo_server.PhotoServer()
    token = server.publish(Path("/nonexistent.jpg"))
    assert len(token) >= 40
    assert server.lookup(token) == Path("/nonexistent.jpg")
    assert len(server) == 1
    with patch.object(photo_server.time, "monotonic", return_value=10**12):
        assert server.lookup(token) is None
        server.publish(Path("/other.jpg"))
    assert len(server) == 1
    server.revoke(["unknown"])
    assert photo_server.photo_url("http://h:1/", "t") == f"http://h:1{PHOTO_URL_PREFIX}/t"


async def test_photo_view_edges(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    tmp_path: Path,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    server = photo_server.async_get_photo_server(hass)
    gone = server.publish(tmp_path / "gone.jpg")
    (tmp_path / "huge.jpg").write_bytes(b"\xff" * (photo_server.MAX_SERVED_BYTES + 1))
    huge = server.publish(tmp_path / "huge.jpg")
    client = await hass_client_no_auth()
    assert (await client.get(f"{PHOTO_URL_PREFIX}/{gone}")).status == 404
    assert (await client.get(f"{PHOTO_URL_PREFIX}/{huge}")).status == 404
    with patch.object(photo_server, "get_url", side_effect=photo_server.NoURLAvailableError):
        assert photo_server.local_base_url(hass) is None


def test_photo_server_expiry_and_unreadable_source(tmp_path: Path) -> None:
    server = photo_server.PhotoServer()
    server.publish(Path("/a.jpg"))
    server.publish(Path("/b.jpg"))
    with patch.object(photo_server.time, "monotonic", return_value=10**12):
        server.publish(Path("/c.jpg"))
    assert len(server) == 1
    with pytest.raises(roster_photos.PhotoProblemError):
        roster_photos._prepare_file(tmp_path / "missing.jpg", tmp_path)
