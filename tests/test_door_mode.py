"""Door mode 3 turns on what it needs (§9.3.5; issue 21, point 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from custom_components.face_terminal.protocol.settings import SETTINGS_BY_KEY

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from .conftest import TerminalResponder


async def test_mode_3_turns_on_resume_and_record_upload(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    terminal.config["GetMQTTconfig"]["ResumefromBreakpoint"] = "0"
    terminal.config["GetMQTTconfig"]["RecordUploadType"] = "0"
    settings = loaded_entry.runtime_data.settings
    await settings.async_refresh()
    await settings.async_set(SETTINGS_BY_KEY["door_mode"], "face_and_remote")
    assert terminal.last("UpDoorconfig")["info"]["OpendoorWay"] in (3, "3")
    sent = terminal.last("UpMQTTconfig")["info"]
    assert sent["ResumefromBreakpoint"] == "1"
    assert sent["RecordUploadType"] == "1"
    assert terminal.config["GetMQTTconfig"]["ResumefromBreakpoint"] == "1"
    assert terminal.operators().index("UpDoorconfig") < terminal.operators().index("UpMQTTconfig")


async def test_mode_3_with_its_prerequisites_on_changes_only_the_mode(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    settings = loaded_entry.runtime_data.settings
    await settings.async_set(SETTINGS_BY_KEY["door_mode"], "face_and_remote")
    await settings.async_set(SETTINGS_BY_KEY["door_mode"], "face")
    assert "UpMQTTconfig" not in terminal.operators()
