"""Buttons, firmware, advertisements and the factory reset."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import AsyncMock, patch
from urllib.parse import urlsplit

import pytest
import voluptuous as vol
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.components.camera import Image as CameraImage
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError
from PIL import Image
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.face_terminal import protocol
from custom_components.face_terminal.advertisement import (
    AD_SERVE_SECONDS,
    MAX_SERVED,
    ServedPictures,
)
from custom_components.face_terminal.clock import clock_issue_id
from custom_components.face_terminal.const import (
    CONF_FIRMWARE_FOLDER,
    CONF_OFFLINE_TIMEOUT,
    DOMAIN,
    UPGRADE_INSTALL_TIMEOUT,
)
from custom_components.face_terminal.firmware_folder import newest_firmware, version_key
from custom_components.face_terminal.update import FOLDER_SCAN_INTERVAL

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry

if TYPE_CHECKING:
    from pathlib import Path

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

# Settings a household rarely changes are created disabled: these tests enable them.
pytestmark = pytest.mark.usefixtures("all_entities_enabled")

RESTART = "button.front_door_restart"
SYNC_CLOCK = "button.front_door_sync_clock"
FIRMWARE = "update.front_door_firmware"
URL = "http://192.168.1.10:8000/fw/v12.5.7.swx"


def refuse(operator: str, code: str = "462", detail: str = "Parameter error") -> Any:
    return lambda command: payloads.ack(
        operator, command["messageId"], code=code, result="fail", detail=detail
    )


@pytest.fixture
def device_id(loaded_entry: MockConfigEntry) -> str:
    return loaded_entry.runtime_data.device_id


@pytest.fixture
async def internal_url(hass: HomeAssistant) -> None:
    await async_process_ha_core_config(hass, {"internal_url": "http://192.168.1.20:8123"})


async def press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        "button", SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


# --- buttons ------------------------------------------------------------------------------


async def test_restart(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    await press(hass, RESTART)
    assert terminal.operators()[-1] == "RebootDevice"
    terminal.replies["RebootDevice"] = refuse("RebootDevice")
    with pytest.raises(HomeAssistantError) as err:
        await press(hass, RESTART)
    assert err.value.translation_key == "reboot_refused"
    assert "462" in err.value.translation_placeholders["reason"]


async def test_sync_clock(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    runtime = loaded_entry.runtime_data
    ir.async_create_issue(
        hass,
        DOMAIN,
        clock_issue_id(loaded_entry.entry_id),
        is_fixable=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key="clock_drift",
        translation_placeholders={"name": "x", "minutes": "9"},
    )
    runtime.state.clock_offset = 540.0
    await press(hass, SYNC_CLOCK)
    sent = terminal.last("SetSysTime")["info"]["SysTime"]
    assert "T" in sent
    assert runtime.state.clock_offset == 0.0
    assert ir.async_get(hass).async_get_issue(DOMAIN, clock_issue_id(loaded_entry.entry_id)) is None


async def test_buttons_offline(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    assert hass.states.get(RESTART).state == STATE_UNAVAILABLE
    await press(hass, RESTART)  # an unavailable entity is skipped
    runtime = loaded_entry.runtime_data
    with pytest.raises(HomeAssistantError) as err:
        await runtime.async_request(protocol.Reboot())
    assert err.value.translation_key == "terminal_offline"
    assert "RebootDevice" not in terminal.operators()


# --- firmware ----------------------------------------------------------------------------


async def install(hass: HomeAssistant, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, "install_firmware", {ATTR_ENTITY_ID: FIRMWARE, **data}, blocking=True
    )


async def test_firmware_version_and_install(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    firmware = hass.states.get(FIRMWARE)
    # Nobody knows whether newer firmware exists: no "up to date" claim (issue 22).
    assert firmware.state == STATE_UNKNOWN
    assert firmware.attributes["latest_version"] is None
    assert firmware.attributes["installed_version"] == "v12.5.6L3M1-1.0.6.9"

    await install(hass, url=URL)
    sent = terminal.last("Upgrade")["info"]
    assert sent["path"] == URL
    assert sent["name"] == "v12.5.7"
    firmware = hass.states.get(FIRMWARE)
    assert firmware.attributes["in_progress"] is True
    assert firmware.attributes["latest_version"] == "v12.5.7"

    # The terminal restarts and reports the new version: done.
    terminal.replies["Versions"] = lambda command: payloads.ack(
        "Versions", command["messageId"], name="v12.5.7", buildtime="y"
    )
    await loaded_entry.runtime_data.settings.async_refresh()
    firmware = hass.states.get(FIRMWARE)
    assert firmware.attributes["in_progress"] is False
    assert firmware.attributes["installed_version"] == "v12.5.7"
    assert firmware.state == STATE_UNKNOWN


async def test_firmware_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    terminal.replies["Upgrade"] = refuse("Upgrade", "464", "download failed")
    with pytest.raises(HomeAssistantError) as err:
        await install(hass, url=URL, version="v13")
    assert err.value.translation_key == "firmware_refused"
    assert "download failed" in err.value.translation_placeholders["reason"]
    assert hass.states.get(FIRMWARE).attributes["in_progress"] is False


async def test_firmware_bad_url_not_sent(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await install(hass, url="http://192.168.1.10/fw/v2.bin")
    assert err.value.translation_key == "invalid_firmware"
    assert "Upgrade" not in terminal.operators()


# --- the firmware folder (issue 22) -----------------------------------------------------


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


async def firmware_folder(
    hass: HomeAssistant, config_entry: MockConfigEntry, folder: Path, files: dict[str, bytes]
) -> None:
    """Set the terminal up with a firmware folder holding `files`."""
    await hass.async_add_executor_job(_write_files, folder, files)
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        options={
            **config_entry.options,
            CONF_FIRMWARE_FOLDER: str(folder),
            CONF_OFFLINE_TIMEOUT: 3600,  # time moves on in some tests
        },
    )
    await setup_entry(hass, config_entry)


async def test_firmware_folder_offers_the_newest_file(
    hass: HomeAssistant,
    *,
    config_entry: MockConfigEntry,
    terminal: TerminalResponder,
    internal_url: None,
    tmp_path: Path,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The newest .swx by version is offered; Install serves it to the terminal."""
    await firmware_folder(
        hass,
        config_entry,
        tmp_path / "fw",
        {
            "v12.5.7.swx": b"old",
            "v12.10.1.SWX": b"newest firmware",
            "v13.0.0.txt": b"notes",
            "v12.9.swx": b"older",
        },
    )
    (tmp_path / "fw" / "v99.swx").mkdir()  # a folder, not a file
    firmware = hass.states.get(FIRMWARE)
    assert firmware.state == STATE_ON
    assert firmware.attributes["latest_version"] == "v12.10.1"
    assert firmware.attributes["release_summary"] == str(tmp_path / "fw" / "v12.10.1.SWX")

    await hass.services.async_call("update", "install", {ATTR_ENTITY_ID: FIRMWARE}, blocking=True)
    sent = terminal.last("Upgrade")["info"]
    assert sent["name"] == "v12.10.1"
    url = sent["path"]
    assert url.startswith("http://192.168.1.20:8123/api/face_terminal/firmware/")
    assert url.endswith("/v12.10.1.SWX")
    assert hass.states.get(FIRMWARE).attributes["in_progress"] is True

    client = await hass_client_no_auth()
    path = url.removeprefix("http://192.168.1.20:8123")
    response = await client.get(path)
    assert response.status == 200
    assert await response.read() == b"newest firmware"
    token = path.split("/")[-2]
    for wrong in (
        path.replace(token, "not-a-token"),
        path.replace("v12.10.1.SWX", "v12.5.7.swx"),
    ):
        assert (await client.get(wrong)).status == 404


async def test_firmware_folder_with_nothing_newer(
    hass: HomeAssistant, config_entry: MockConfigEntry, terminal: TerminalResponder, tmp_path: Path
) -> None:
    """Only older (or the installed) firmware in the folder: nothing to install."""
    await firmware_folder(hass, config_entry, tmp_path / "fw", {"v12.5.6.swx": b"x"})
    firmware = hass.states.get(FIRMWARE)
    assert firmware.state == STATE_OFF
    assert firmware.attributes["latest_version"] == "v12.5.6"


async def test_firmware_folder_empty_or_gone(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    terminal: TerminalResponder,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An empty or missing folder offers nothing; a file put there later is found."""
    folder = tmp_path / "fw"
    await firmware_folder(hass, config_entry, folder, {})
    assert hass.states.get(FIRMWARE).state == STATE_UNKNOWN
    (folder / "v13.swx").write_bytes(b"x")
    freezer.tick(FOLDER_SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(FIRMWARE).attributes["latest_version"] == "v13"
    # Gone between the last look and Install: nothing is sent.
    folder.joinpath("v13.swx").unlink()
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "update", "install", {ATTR_ENTITY_ID: FIRMWARE}, blocking=True
        )
    assert err.value.translation_key == "no_firmware_file"
    assert "Upgrade" not in terminal.operators()
    folder.rmdir()
    freezer.tick(FOLDER_SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(FIRMWARE).state == STATE_UNKNOWN


async def test_firmware_folder_without_a_local_url(
    hass: HomeAssistant, config_entry: MockConfigEntry, terminal: TerminalResponder, tmp_path: Path
) -> None:
    """The terminal downloads from Home Assistant's local URL: without one, say so."""
    await firmware_folder(hass, config_entry, tmp_path / "fw", {"v13.swx": b"x"})
    with (
        patch("custom_components.face_terminal.firmware_folder.local_base_url", return_value=None),
        pytest.raises(HomeAssistantError) as err,
    ):
        await hass.services.async_call(
            "update", "install", {ATTR_ENTITY_ID: FIRMWARE}, blocking=True
        )
    assert err.value.translation_key == "firmware_no_local_url"
    assert "Upgrade" not in terminal.operators()


def test_firmware_versions_compare_as_people_read_them() -> None:
    """Numbers by value, text as text; a folder that cannot be listed offers nothing."""
    names = ["v12.9", "v12.10.1", "V12.10", "v2", "v12.10.1b"]
    assert sorted(names, key=version_key) == ["v2", "v12.9", "V12.10", "v12.10.1", "v12.10.1b"]
    assert newest_firmware("/nonexistent/folder") is None


# --- advertisements ----------------------------------------------------------------------


def picture(width: int, height: int, kind: str = "PNG", mode: str = "RGB") -> bytes:
    output = io.BytesIO()
    Image.new(mode, (width, height)).save(output, format=kind)
    return output.getvalue()


async def test_advertisement_from_file(
    hass: HomeAssistant,
    *,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    device_id: str,
    internal_url: None,
    tmp_path: Path,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A big PNG becomes a JPEG of at most 800x1280 that the terminal can download."""
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    (tmp_path / "ad.png").write_bytes(picture(1600, 1600, mode="RGBA"))
    await hass.services.async_call(
        DOMAIN,
        "set_advertisement",
        {
            "device_id": device_id,
            "slot": 2,
            "image_path": str(tmp_path / "ad.png"),
            "poll_time": 15,
        },
        blocking=True,
    )
    info = terminal.last("EditAD")["info"]
    assert info["adslot"] == "2"
    assert info["polltime"] == "15"
    assert info["path"].startswith("http://192.168.1.20:8123/api/face_terminal/advertisement/")

    client = await hass_client_no_auth()
    response = await client.get(urlsplit(info["path"]).path)
    assert response.status == 200
    served = Image.open(io.BytesIO(await response.read()))
    assert served.format == "JPEG"
    assert served.size == (800, 800)
    missing = await client.get("/api/face_terminal/advertisement/nope")
    assert missing.status == 404


async def test_advertisement_from_camera_refused(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    device_id: str,
    internal_url: None,
) -> None:
    terminal.replies["EditAD"] = refuse("EditAD", "465", "AD file download fail")
    with (
        patch(
            "homeassistant.components.camera.async_get_image",
            AsyncMock(return_value=CameraImage("image/jpeg", picture(640, 480, "JPEG"))),
        ),
        pytest.raises(HomeAssistantError) as err,
    ):
        await hass.services.async_call(
            DOMAIN,
            "set_advertisement",
            {"device_id": device_id, "slot": 0, "camera_entity_id": "camera.lobby"},
            blocking=True,
        )
    assert err.value.translation_key == "advertisement_refused"
    assert "downloading the advertisement picture failed" in str(
        err.value.translation_placeholders["reason"]
    )


async def test_advertisement_bad_input(
    hass: HomeAssistant,
    *,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    device_id: str,
    internal_url: None,
    tmp_path: Path,
) -> None:
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    (tmp_path / "not.png").write_bytes(b"hello")
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_advertisement",
            {"device_id": device_id, "slot": 0, "image_path": str(tmp_path / "not.png")},
            blocking=True,
        )
    assert err.value.translation_key == "not_an_image"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "set_advertisement", {"device_id": device_id, "slot": 0}, blocking=True
        )
    assert err.value.translation_key == "photo_source_count"
    for slot in (5, -1):
        with pytest.raises(vol.Invalid):
            await hass.services.async_call(
                DOMAIN,
                "delete_advertisement",
                {"device_id": device_id, "slot": slot},
                blocking=True,
            )
    assert "EditAD" not in terminal.operators()
    assert "DelAD" not in terminal.operators()


async def test_advertisement_without_internal_url(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_id: str, tmp_path: Path
) -> None:
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    (tmp_path / "ad.jpg").write_bytes(picture(100, 100, "JPEG"))
    with (
        patch(
            "custom_components.face_terminal.advertisement.get_url",
            side_effect=NoURLAvailableError,
        ),
        pytest.raises(HomeAssistantError) as err,
    ):
        await hass.services.async_call(
            DOMAIN,
            "set_advertisement",
            {"device_id": device_id, "slot": 1, "image_path": str(tmp_path / "ad.jpg")},
            blocking=True,
        )
    assert err.value.translation_key == "no_internal_url"


async def test_delete_advertisement(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder, device_id: str
) -> None:
    await hass.services.async_call(
        DOMAIN, "delete_advertisement", {"device_id": device_id, "slot": 4}, blocking=True
    )
    assert terminal.last("DelAD")["info"]["adslot"] == "4"
    terminal.replies["DelAD"] = refuse("DelAD", "463", "adslot out of range")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "delete_advertisement", {"device_id": device_id, "slot": 4}, blocking=True
        )
    assert err.value.translation_key == "advertisement_refused"


def test_served_pictures_are_bounded_and_expire() -> None:
    served = ServedPictures()
    tokens = [served.add(bytes([i])) for i in range(MAX_SERVED + 3)]
    assert served.get(tokens[0]) is None
    assert served.get(tokens[-1]) == bytes([MAX_SERVED + 2])
    assert len(set(tokens)) == len(tokens)
    later = time.monotonic() + AD_SERVE_SECONDS + 1
    with patch("custom_components.face_terminal.advertisement.time.monotonic", return_value=later):
        assert served.get(tokens[-1]) is None


# --- factory reset -----------------------------------------------------------------------


async def test_factory_reset_needs_confirmation(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder, device_id: str
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "factory_reset",
            {"device_id": device_id, "parts": ["persons"], "confirm": False},
            blocking=True,
        )
    assert err.value.translation_key == "factory_reset_not_confirmed"
    with pytest.raises(vol.Invalid):
        await hass.services.async_call(
            DOMAIN, "factory_reset", {"device_id": device_id, "parts": ["persons"]}, blocking=True
        )
    with pytest.raises(vol.Invalid):
        await hass.services.async_call(
            DOMAIN,
            "factory_reset",
            {"device_id": device_id, "parts": ["everything"], "confirm": True},
            blocking=True,
        )
    assert "SetFactoryDefault" not in terminal.operators()


async def test_factory_reset(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder, device_id: str
) -> None:
    await hass.services.async_call(
        DOMAIN,
        "factory_reset",
        {"device_id": device_id, "parts": ["door", "sound"], "confirm": True},
        blocking=True,
    )
    info = terminal.last("SetFactoryDefault")["info"]
    assert info == {
        "facesluiceId": payloads.TERMINAL_ID,
        "DefaltDoorSet": "1",
        "DefaltSoundSet": "1",
    }
    terminal.replies["SetFactoryDefault"] = refuse("SetFactoryDefault")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "factory_reset",
            {"device_id": device_id, "parts": ["door"], "confirm": True},
            blocking=True,
        )
    assert err.value.translation_key == "factory_reset_refused"


async def test_firmware_install_timeout(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    terminal: TerminalResponder,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No new version reported in time: the installation no longer shows as running."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={CONF_OFFLINE_TIMEOUT: 3600})
    await setup_entry(hass, config_entry)
    await install(hass, url=URL)
    assert hass.states.get(FIRMWARE).attributes["in_progress"] is True
    freezer.tick(UPGRADE_INSTALL_TIMEOUT + timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(FIRMWARE).attributes["in_progress"] is False


async def test_firmware_no_answer(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    with (
        patch.object(
            loaded_entry.runtime_data,
            "async_request",
            AsyncMock(side_effect=HomeAssistantError("timeout")),
        ),
        pytest.raises(HomeAssistantError, match="timeout"),
    ):
        await install(hass, url=URL)
    assert hass.states.get(FIRMWARE).attributes["in_progress"] is False


async def test_firmware_offline(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    assert hass.states.get(FIRMWARE).state == STATE_UNAVAILABLE
    entity = hass.data["entity_components"]["update"].get_entity(FIRMWARE)
    with pytest.raises(HomeAssistantError) as err:
        await entity.async_install_from_url(URL)
    assert err.value.translation_key == "terminal_offline"
    assert not entity.in_progress
    assert "Upgrade" not in terminal.operators()
