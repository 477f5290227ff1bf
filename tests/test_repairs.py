"""The clock-drift repair: set the terminal's clock to Home Assistant's local time."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pytest
from homeassistant.components.repairs import DOMAIN as REPAIRS_DOMAIN
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from custom_components.face_terminal import protocol
from custom_components.face_terminal.clock import clock_issue_id
from custom_components.face_terminal.const import DOMAIN
from custom_components.face_terminal.repairs import ClockDriftRepairFlow, async_create_fix_flow

from . import payloads
from .conftest import TerminalResponder, fire
from .payloads import BASIC_TOPIC

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.components.repairs.issue_handler import RepairsFlowManager
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry


@pytest.fixture
async def flow_manager(hass: HomeAssistant) -> RepairsFlowManager:
    """The repairs integration's flow manager (what the UI's fix button talks to)."""
    assert await async_setup_component(hass, REPAIRS_DOMAIN, {})
    manager: RepairsFlowManager = hass.data[REPAIRS_DOMAIN]["flow_manager"]
    return manager


@pytest.fixture
async def drift_issue(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    loaded_entry: MockConfigEntry,
) -> str:
    """The terminal's clock is 30 minutes behind; returns the issue ID."""
    freezer.move_to(datetime(2026, 11, 22, 10, 30, 0, tzinfo=dt_util.get_default_time_zone()))
    fire(hass, BASIC_TOPIC, payloads.online(time="2026-11-22 10:00:00"))
    await hass.async_block_till_done()
    issue_id = clock_issue_id(loaded_entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    return issue_id


async def test_fix_sets_the_clock(
    hass: HomeAssistant,
    *,
    flow_manager: RepairsFlowManager,
    issue_registry: ir.IssueRegistry,
    terminal: TerminalResponder,
    loaded_entry: MockConfigEntry,
    drift_issue: str,
) -> None:
    """Confirming sends SetSysTime with the local time and closes the issue."""
    result = await flow_manager.async_init(DOMAIN, context={"issue_id": drift_issue})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "confirm"
    assert result["description_placeholders"] == {"name": "Front door", "minutes": "30"}

    result = await flow_manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    command = terminal.last("SetSysTime")
    assert command["info"]["SysTime"] == protocol.format_command_time(
        datetime(2026, 11, 22, 10, 30, 0)  # local wall-clock time, no zone
    )
    assert command["info"]["facesluiceId"] == payloads.TERMINAL_ID
    assert issue_registry.async_get_issue(DOMAIN, drift_issue) is None
    assert loaded_entry.runtime_data.state.clock_offset == 0


async def test_fix_refused(
    hass: HomeAssistant,
    flow_manager: RepairsFlowManager,
    issue_registry: ir.IssueRegistry,
    terminal: TerminalResponder,
    drift_issue: str,
) -> None:
    """A refused SetSysTime shows the error and keeps the issue; a retry can succeed."""
    terminal.replies["SetSysTime"] = lambda cmd: payloads.ack(
        "SetSysTime", cmd["messageId"], code=461, result="fail"
    )
    result = await flow_manager.async_init(DOMAIN, context={"issue_id": drift_issue})
    result = await flow_manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "set_time_failed"}
    assert "code 461" in result["description_placeholders"]["error"]
    assert issue_registry.async_get_issue(DOMAIN, drift_issue) is not None

    terminal.replies.pop("SetSysTime")
    result = await flow_manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert issue_registry.async_get_issue(DOMAIN, drift_issue) is None


async def test_fix_while_offline(
    hass: HomeAssistant,
    flow_manager: RepairsFlowManager,
    terminal: TerminalResponder,
    drift_issue: str,
) -> None:
    """An offline terminal cannot be set: the error says so."""
    fire(hass, BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    result = await flow_manager.async_init(DOMAIN, context={"issue_id": drift_issue})
    result = await flow_manager.async_configure(result["flow_id"], {})
    assert result["errors"] == {"base": "set_time_failed"}
    assert "offline" in result["description_placeholders"]["error"]
    assert "SetSysTime" not in terminal.operators()


async def test_fix_after_unload(
    hass: HomeAssistant,
    flow_manager: RepairsFlowManager,
    issue_registry: ir.IssueRegistry,
    loaded_entry: MockConfigEntry,
    drift_issue: str,
) -> None:
    """With the entry unloaded, the flow aborts and the issue stays."""
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    result = await flow_manager.async_init(DOMAIN, context={"issue_id": drift_issue})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"
    assert issue_registry.async_get_issue(DOMAIN, drift_issue) is not None


async def test_fix_after_issue_went_away(
    hass: HomeAssistant,
    *,
    flow_manager: RepairsFlowManager,
    terminal: TerminalResponder,
    issue_registry: ir.IssueRegistry,
    loaded_entry: MockConfigEntry,
    drift_issue: str,
) -> None:
    """The form still opens if the issue was cleared meanwhile; placeholders fall back."""
    result = await flow_manager.async_init(DOMAIN, context={"issue_id": drift_issue})
    ir.async_delete_issue(hass, DOMAIN, drift_issue)
    flow = flow_manager._progress[result["flow_id"]]
    assert isinstance(flow, ClockDriftRepairFlow)
    result = await flow.async_step_confirm()
    assert result["description_placeholders"] == {"name": "Front door", "minutes": "?"}


async def test_create_fix_flow_without_data(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Issues stored without data still find their entry through the issue ID."""
    issue_id = clock_issue_id(loaded_entry.entry_id)
    flow = await async_create_fix_flow(hass, issue_id, None)
    assert isinstance(flow, ClockDriftRepairFlow)
    assert flow._entry_id == loaded_entry.entry_id
    flow = await async_create_fix_flow(hass, issue_id, {"entry_id": "other"})
    assert isinstance(flow, ClockDriftRepairFlow)
    assert flow._entry_id == "other"
