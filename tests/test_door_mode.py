"""Door mode 3 turns on what it needs (§9.3.5; issue 21, point 4), or a repair does."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from homeassistant.components.repairs import DOMAIN as REPAIRS_DOMAIN
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component

from custom_components.face_terminal import protocol
from custom_components.face_terminal.const import DOMAIN
from custom_components.face_terminal.protocol.settings import SETTINGS_BY_KEY
from custom_components.face_terminal.remote_decision import (
    lacks_prerequisites,
    remote_decision_issue_id,
)
from custom_components.face_terminal.repairs import RemoteDecisionRepairFlow, async_create_fix_flow

from . import payloads

if TYPE_CHECKING:
    from homeassistant.components.repairs.issue_handler import RepairsFlowManager
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


# --- mode 3 set outside Home Assistant: the repair ---------------------------------------


@pytest.fixture
async def flow_manager(hass: HomeAssistant) -> RepairsFlowManager:
    """The repairs integration's flow manager (what the UI's fix button talks to)."""
    assert await async_setup_component(hass, REPAIRS_DOMAIN, {})
    manager: RepairsFlowManager = hass.data[REPAIRS_DOMAIN]["flow_manager"]
    return manager


@pytest.fixture
async def mode_3_outside(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
) -> str:
    """The terminal's web page set door mode 3 and left resume off; returns the issue ID."""
    terminal.config["GetDoorconfig"]["OpendoorWay"] = "3"
    terminal.config["GetMQTTconfig"]["ResumefromBreakpoint"] = "0"
    await loaded_entry.runtime_data.settings.async_refresh()
    issue_id = remote_decision_issue_id(loaded_entry.entry_id)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_key == "remote_decision_prerequisites"
    assert issue.translation_placeholders == {"name": "Front door"}
    return issue_id


async def test_mode_3_set_outside_is_repaired(
    hass: HomeAssistant,
    *,
    flow_manager: RepairsFlowManager,
    issue_registry: ir.IssueRegistry,
    terminal: TerminalResponder,
    mode_3_outside: str,
) -> None:
    result = await flow_manager.async_init(DOMAIN, context={"issue_id": mode_3_outside})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "confirm"
    assert result["description_placeholders"] == {"name": "Front door"}
    result = await flow_manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # Only what is off is sent (record upload was on), and read back.
    assert terminal.last("UpMQTTconfig")["info"] == {
        "facesluiceId": payloads.TERMINAL_ID,
        "ResumefromBreakpoint": "1",
    }
    assert terminal.operators()[-1] == "GetMQTTconfig"
    assert issue_registry.async_get_issue(DOMAIN, mode_3_outside) is None


async def test_mode_3_repair_refused(
    hass: HomeAssistant,
    *,
    flow_manager: RepairsFlowManager,
    issue_registry: ir.IssueRegistry,
    terminal: TerminalResponder,
    mode_3_outside: str,
) -> None:
    terminal.replies["UpMQTTconfig"] = lambda cmd: payloads.ack(
        "UpMQTTconfig", cmd["messageId"], code=461, result="fail"
    )
    result = await flow_manager.async_init(DOMAIN, context={"issue_id": mode_3_outside})
    result = await flow_manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "enable_failed"}
    assert "code 461" in result["description_placeholders"]["error"]
    assert issue_registry.async_get_issue(DOMAIN, mode_3_outside) is not None


async def test_mode_3_issue_goes_with_the_mode(
    hass: HomeAssistant,
    *,
    issue_registry: ir.IssueRegistry,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    mode_3_outside: str,
) -> None:
    """Another mode (or the prerequisites turned on elsewhere) clears the issue."""
    terminal.config["GetDoorconfig"]["OpendoorWay"] = "2"
    await loaded_entry.runtime_data.settings.async_refresh()
    assert issue_registry.async_get_issue(DOMAIN, mode_3_outside) is None
    # Record upload off counts as well; firmware that does not report it does not.
    terminal.config["GetDoorconfig"]["OpendoorWay"] = "3"
    terminal.config["GetMQTTconfig"] = {"RecordUploadType": "0"}
    await loaded_entry.runtime_data.settings.async_refresh()
    assert issue_registry.async_get_issue(DOMAIN, mode_3_outside) is not None
    terminal.config["GetMQTTconfig"] = {"Direction": "0"}
    await loaded_entry.runtime_data.settings.async_refresh()
    assert issue_registry.async_get_issue(DOMAIN, mode_3_outside) is None
    # Removing the entry forgets its issue.
    terminal.config["GetMQTTconfig"] = {"ResumefromBreakpoint": "0"}
    await loaded_entry.runtime_data.settings.async_refresh()
    assert issue_registry.async_get_issue(DOMAIN, mode_3_outside) is not None
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, mode_3_outside) is None


async def test_mode_3_repair_needs_a_loaded_terminal(
    hass: HomeAssistant,
    *,
    flow_manager: RepairsFlowManager,
    loaded_entry: MockConfigEntry,
    mode_3_outside: str,
) -> None:
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    result = await flow_manager.async_init(DOMAIN, context={"issue_id": mode_3_outside})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"
    flow = await async_create_fix_flow(hass, mode_3_outside, None)
    assert isinstance(flow, RemoteDecisionRepairFlow)
    assert flow._entry_id == loaded_entry.entry_id


async def test_mode_3_chosen_in_home_assistant_raises_no_issue(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
) -> None:
    """The mode and its prerequisites reach the listeners together: no repair, not briefly."""
    terminal.config["GetMQTTconfig"]["ResumefromBreakpoint"] = "0"
    settings = loaded_entry.runtime_data.settings
    await settings.async_refresh()
    raised: list[str] = []
    hass.bus.async_listen(
        ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED,
        lambda event: (
            raised.append(event.data["issue_id"]) if event.data["action"] == "create" else None
        ),
    )
    await settings.async_set(SETTINGS_BY_KEY["door_mode"], "face_and_remote")
    await hass.async_block_till_done()
    assert remote_decision_issue_id(loaded_entry.entry_id) not in raised


async def test_mode_3_before_the_mqtt_group_is_read_is_no_evidence(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """Only values read as off raise the repair; a group not read yet does not."""
    terminal.config["GetDoorconfig"]["OpendoorWay"] = "3"
    terminal.config["GetMQTTconfig"]["ResumefromBreakpoint"] = "0"
    settings = loaded_entry.runtime_data.settings
    await settings.async_refresh()
    assert lacks_prerequisites(settings)
    settings.parameters.pop(protocol.ConfigSection.MQTT)
    assert not lacks_prerequisites(settings)
