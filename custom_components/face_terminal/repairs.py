"""Repair flows of a terminal: its clock, its roster, what door mode 3 needs.

A drifting clock is set to Home Assistant's; a drifted roster is synced again; door mode 3
set outside Home Assistant gets resume-from-breakpoint and record upload turned on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import voluptuous as vol
from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.selector import SelectSelector, SelectSelectorConfig

from .clock import CLOCK_ISSUE_PREFIX
from .const import DOMAIN
from .remote_decision import REMOTE_DECISION_ISSUE_PREFIX
from .roster.drift import ISSUE_PREFIX as ROSTER_ISSUE_PREFIX
from .roster.drift import async_repair_roster

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .coordinator import FaceTerminalConfigEntry


class _TerminalRepairFlow(RepairsFlow):
    """A repair of one terminal: straight to the confirmation, only while it is loaded."""

    def __init__(self, entry_id: str) -> None:
        """Remember which terminal the issue is about."""
        super().__init__()
        self._entry_id = entry_id

    async def async_step_init(self, user_input: dict[str, str] | None = None) -> RepairsFlowResult:
        """Go straight to the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """The flow's one step (each repair says what it confirms)."""
        raise NotImplementedError

    def _loaded_entry(self) -> FaceTerminalConfigEntry | None:
        entry: FaceTerminalConfigEntry | None = self.hass.config_entries.async_get_entry(
            self._entry_id
        )
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return None
        return entry

    def _placeholders(self, defaults: dict[str, str]) -> dict[str, str]:
        """`defaults`, overridden by what the issue was raised with."""
        placeholders = dict(defaults)
        if issue := ir.async_get(self.hass).async_get_issue(DOMAIN, self.issue_id):
            placeholders.update(issue.translation_placeholders or {})
        return placeholders


class _FixOnConfirmRepairFlow(_TerminalRepairFlow):
    """Explain, and on submit ask the terminal for the fix; its refusal stays in the form.

    Subclasses name the fix (`_async_fix`), the placeholders the explanation needs besides
    the terminal's name, and the form's error key.
    """

    error_key: str
    placeholder_defaults: ClassVar[dict[str, str]] = {}

    async def _async_fix(self, entry: FaceTerminalConfigEntry) -> None:
        """Carry out the fix (raises `HomeAssistantError` when the terminal refuses)."""
        raise NotImplementedError

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Explain the issue; on submit fix it and close the issue."""
        if (entry := self._loaded_entry()) is None:
            return self.async_abort(reason="not_loaded")
        terminal = entry.runtime_data
        placeholders = self._placeholders(
            {"name": terminal.display_name, **self.placeholder_defaults}
        )
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                await self._async_fix(entry)
            except HomeAssistantError as err:
                errors["base"] = self.error_key
                placeholders["error"] = str(err)
            else:
                # The watch that raised the issue closes it too; this one in any case.
                ir.async_delete_issue(self.hass, DOMAIN, self.issue_id)
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            errors=errors,
            description_placeholders=placeholders,
        )


class ClockDriftRepairFlow(_FixOnConfirmRepairFlow):
    """Send `SetSysTime` with Home Assistant's local time, then close the issue."""

    error_key = "set_time_failed"
    placeholder_defaults: ClassVar[dict[str, str]] = {"minutes": "?"}

    async def _async_fix(self, entry: FaceTerminalConfigEntry) -> None:
        await entry.runtime_data.clock.async_set()


class RemoteDecisionRepairFlow(_FixOnConfirmRepairFlow):
    """Turn on resume-from-breakpoint and record upload for door mode 3 (§9.3.5)."""

    error_key = "enable_failed"

    async def _async_fix(self, entry: FaceTerminalConfigEntry) -> None:
        await entry.runtime_data.settings.async_enable_remote_decision()


ATTR_UNKNOWN_PEOPLE = "unknown_people"
KEEP = "keep"
DELETE = "delete"


class RosterDriftRepairFlow(_TerminalRepairFlow):
    """Sync a terminal again from its last roster; keep or delete people it alone has."""

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Say what differs; on submit sync again (keeping or deleting unknown people)."""
        if (entry := self._loaded_entry()) is None:
            return self.async_abort(reason="not_loaded")
        terminal = entry.runtime_data
        placeholders = self._placeholders(
            {"name": terminal.display_name, "missing": "0", "unknown": "0", "renamed": "0"}
        )
        schema = vol.Schema({})
        if placeholders["unknown"] != "0":
            schema = vol.Schema(
                {
                    vol.Required(ATTR_UNKNOWN_PEOPLE, default=KEEP): SelectSelector(
                        SelectSelectorConfig(
                            options=[KEEP, DELETE], translation_key=ATTR_UNKNOWN_PEOPLE
                        )
                    )
                }
            )
        errors: dict[str, str] = {}
        if user_input is not None:
            delete = user_input.get(ATTR_UNKNOWN_PEOPLE) == DELETE
            try:
                drift = await async_repair_roster(terminal, delete_unknown=delete)
            except HomeAssistantError as err:
                errors["base"] = "roster_repair_failed"
                placeholders["error"] = str(err)
            else:
                if not drift:
                    return self.async_create_entry(data={})
                errors["base"] = "roster_still_differs"
                placeholders["missing"] = str(len(drift.missing))
                placeholders["unknown"] = str(len(drift.unknown))
                placeholders["renamed"] = str(len(drift.renamed))
        return self.async_show_form(
            step_id="confirm",
            data_schema=schema,
            errors=errors,
            description_placeholders=placeholders,
        )


async def async_create_fix_flow(
    hass: HomeAssistant,
    issue_id: str,
    data: dict[str, str | int | float | None] | None,
) -> RepairsFlow:
    """Create the fix flow of a fixable issue."""
    entry_id = (data or {}).get("entry_id")
    if issue_id.startswith(ROSTER_ISSUE_PREFIX):
        if not isinstance(entry_id, str):
            entry_id = issue_id.removeprefix(ROSTER_ISSUE_PREFIX)
        return RosterDriftRepairFlow(entry_id)
    if issue_id.startswith(REMOTE_DECISION_ISSUE_PREFIX):
        if not isinstance(entry_id, str):
            entry_id = issue_id.removeprefix(REMOTE_DECISION_ISSUE_PREFIX)
        return RemoteDecisionRepairFlow(entry_id)
    if not isinstance(entry_id, str):
        entry_id = issue_id.removeprefix(CLOCK_ISSUE_PREFIX)
    return ClockDriftRepairFlow(entry_id)
