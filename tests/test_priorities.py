"""A person's command never waits for background work (issue 21), through the real pipeline."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.exceptions import HomeAssistantError

from custom_components.face_terminal import protocol
from custom_components.face_terminal.const import DOMAIN
from custom_components.face_terminal.protocol import ROUTES, ConfigSection
from custom_components.face_terminal.protocol.settings import SETTINGS_BY_KEY

from . import payloads
from .conftest import fire

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from .conftest import TerminalResponder

SOUND = SETTINGS_BY_KEY["volume"].section
PERSON_DEADLINE = 0.05
"""Seconds (wall clock) within which a person's command is answered here."""


def silence(terminal: TerminalResponder, operators: list[str]) -> None:
    for operator in operators:
        terminal.replies[operator] = lambda _command: None


async def start_refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Start the settings refresh and let its first (unanswered) read go out."""
    entry.runtime_data.settings.async_schedule_refresh()
    for _ in range(20):
        await asyncio.sleep(0)
    assert entry.runtime_data.session.pending, "a background read waits for its answer"


@pytest.mark.parametrize(
    "unanswered",
    [
        ["Versions"],
        # Every group but the one changed below, whose read-back someone waits for.
        [section.get_operator for section in ConfigSection if section is not SOUND],
    ],
    ids=["version", "every-other-group"],
)
async def test_persons_commands_pass_unanswered_background_reads(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    unanswered: list[str],
) -> None:
    silence(terminal, unanswered)
    await start_refresh(hass, loaded_entry)
    runtime = loaded_entry.runtime_data
    device_id = runtime.device_id
    async with asyncio.timeout(PERSON_DEADLINE):
        await hass.services.async_call(DOMAIN, "unlock", {"device_id": device_id}, blocking=True)
    async with asyncio.timeout(PERSON_DEADLINE):
        await hass.services.async_call(
            DOMAIN, "list_persons", {"device_id": device_id}, blocking=True, return_response=True
        )
    async with asyncio.timeout(PERSON_DEADLINE):
        # A setting changed in the UI: the change and its read-back.
        await runtime.settings.async_set(SETTINGS_BY_KEY["volume"], 50)
    assert terminal.last("UpSoundconfig")["info"]["Volume"] in (50, "50")
    runtime.settings._refresh_task.cancel()


async def test_a_group_never_answered_is_remembered_until_new_firmware(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    settings = loaded_entry.runtime_data.settings
    operator = ConfigSection.TEMPERATURE.get_operator
    silence(terminal, [operator])
    quick = dataclasses.replace(ROUTES[operator], timeout=0.01)
    with patch.dict(ROUTES, {operator: quick}):
        await settings.async_refresh()
        assert settings.unanswered == set()  # once may be a lost message
        await settings.async_refresh()
        assert settings.unanswered == {ConfigSection.TEMPERATURE}
        assert settings.as_diagnostics()["unanswered"] == [operator]
        asked = terminal.operators().count(operator)
        await settings.async_refresh()
        assert terminal.operators().count(operator) == asked  # not asked again

        def upgraded(command: dict[str, Any]) -> bytes:
            return payloads.ack("Versions", command["messageId"], name="v13", buildtime="y")

        terminal.replies["Versions"] = upgraded
        await settings.async_refresh()
        assert terminal.operators().count(operator) == asked + 1  # new firmware: asked again
    assert settings.unanswered == set()  # one miss since the upgrade


async def test_a_version_read_left_unanswered_stops_the_refresh(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    settings = loaded_entry.runtime_data.settings
    silence(terminal, ["Versions"])
    quick = dataclasses.replace(ROUTES["Versions"], timeout=0.01)
    before = len(terminal.commands)
    with patch.dict(ROUTES, {"Versions": quick}):
        await settings.async_refresh()
    assert terminal.operators()[before:] == ["Versions"]


async def test_nothing_goes_out_while_a_deletion_is_unanswered(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """§4.9: the door waits for the DeletePersons answer, then goes before anything else."""
    held: list[dict[str, Any]] = []
    terminal.replies["DeletePersons"] = held.append  # never answered by itself
    runtime = loaded_entry.runtime_data
    device_id = runtime.device_id
    delete = runtime.frame(protocol.DeletePersons([f"p{n}" for n in range(50)]))
    bulk = hass.async_create_task(runtime.async_request(delete))
    for _ in range(10):
        await asyncio.sleep(0)
    assert held, "the deletion went out"
    unlock = hass.async_create_task(
        hass.services.async_call(DOMAIN, "unlock", {"device_id": device_id}, blocking=True)
    )
    search = hass.async_create_task(
        hass.services.async_call(
            DOMAIN, "list_persons", {"device_id": device_id}, blocking=True, return_response=True
        )
    )
    for _ in range(10):
        await asyncio.sleep(0)
    after_delete = terminal.operators()[terminal.operators().index("DeletePersons") + 1 :]
    assert "Unlock" not in after_delete
    assert "SearchPersonList" not in after_delete
    fire(hass, payloads.ACK_TOPIC, payloads.ack("DeletePersons", held[0]["messageId"]))
    await asyncio.gather(unlock, search, bulk)
    after_delete = terminal.operators()[terminal.operators().index("DeletePersons") + 1 :]
    assert after_delete[0] == "Unlock"


async def test_a_change_unanswered_across_an_outage_fails_with_its_reason(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """Offline → Online: the answer will not come; the caller hears why at once."""
    silence(terminal, ["UpSoundconfig"])
    settings = loaded_entry.runtime_data.settings
    change = hass.async_create_task(settings.async_set(SETTINGS_BY_KEY["volume"], 50))
    for _ in range(10):
        await asyncio.sleep(0)
    assert "UpSoundconfig" in terminal.operators()
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await asyncio.sleep(0)
    assert not change.done()
    fire(hass, payloads.BASIC_TOPIC, payloads.online())
    with pytest.raises(HomeAssistantError) as err:
        async with asyncio.timeout(PERSON_DEADLINE):
            await change
    assert err.value.translation_key == "command_interrupted"
    assert err.value.translation_placeholders["command"] == "UpSoundconfig"


async def test_a_screen_qr_code_is_shown_again_after_online(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """§14.1: a restarted terminal forgot its QR code; it is sent again after Online."""
    device_id = loaded_entry.runtime_data.device_id
    show = {"device_id": device_id, "text": "https://example.com/v/1"}
    show |= {"x": 40, "y": 600, "width": 300, "height": 320}
    await hass.services.async_call(DOMAIN, "show_qr_code", show, blocking=True)
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    fire(hass, payloads.BASIC_TOPIC, payloads.online())
    await hass.async_block_till_done()
    assert terminal.operators().count("ShowQRCode") == 2
    await hass.services.async_call(DOMAIN, "hide_qr_code", {"device_id": device_id}, blocking=True)
    sent = len(terminal.commands)  # hiding is a ShowQRCode too
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    fire(hass, payloads.BASIC_TOPIC, payloads.online())
    await hass.async_block_till_done()
    assert "ShowQRCode" not in terminal.operators()[sent:]  # hidden: not shown again
