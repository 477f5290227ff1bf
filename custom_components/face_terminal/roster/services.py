"""Actions for people at scale: `sync_persons` and `delete_all_persons`.

`sync_persons` brings terminals in line with a roster (a CSV/YAML file with a photo
folder and/or inline entries) using the batch commands; see `roster.sync`. It answers
per terminal and per person. `delete_all_persons` wipes a terminal's person list and
access records (V1.24 §4.5) and needs ``confirm: true``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, cast

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv

from .. import protocol
from ..action_helpers import DEVICES, async_get_terminals
from ..const import DOMAIN, LOGGER
from ..validation import VALIDITY_BOUND, invalid_input
from .drift import async_check_roster, async_get_roster_sources
from .entries import (
    FIELD_CUSTOM_ID,
    FIELD_HA_PERSON,
    FIELD_NAME,
    FIELD_PERSON_TYPE,
    FIELD_PHOTO,
    FIELD_VALID_FROM,
    FIELD_VALID_UNTIL,
)
from .files import load_roster
from .links import check_link_room
from .state import async_get_roster_syncs
from .sync import DEFAULT_BATCH_SIZE, async_sync_terminals

if TYPE_CHECKING:
    from homeassistant.util.json import JsonValueType

SERVICE_SYNC_PERSONS: Final = "sync_persons"
SERVICE_DELETE_ALL_PERSONS: Final = "delete_all_persons"

SERVICE_CHECK_ROSTER: Final = "check_roster"
ATTR_ROSTER_FILE: Final = "roster_file"
ATTR_PHOTO_FOLDER: Final = "photo_folder"
ATTR_PERSONS: Final = "persons"
ATTR_DELETE_MISSING: Final = "delete_missing"
ATTR_ALLOW_EMPTY: Final = "allow_empty_roster"
ATTR_BATCH_SIZE: Final = "batch_size"
ATTR_CONFIRM: Final = "confirm"

MAX_INLINE_PERSONS: Final = 1000

_SCALAR = vol.Any(cv.string, int)

INLINE_PERSON_SCHEMA = vol.Schema(
    {
        vol.Required(FIELD_CUSTOM_ID): _SCALAR,
        vol.Required(FIELD_NAME): cv.string,
        vol.Optional(FIELD_PHOTO): cv.string,
        vol.Optional(FIELD_PERSON_TYPE): vol.In(["allow", "block"]),
        vol.Optional(FIELD_VALID_FROM): VALIDITY_BOUND,
        vol.Optional(FIELD_VALID_UNTIL): VALIDITY_BOUND,
        # Checked by the roster (a translated error), like a file's column; None clears.
        vol.Optional(FIELD_HA_PERSON): vol.Any(None, cv.string),
    }
)

SYNC_PERSONS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): DEVICES,
        vol.Optional(ATTR_ROSTER_FILE): cv.string,
        vol.Optional(ATTR_PHOTO_FOLDER): cv.string,
        vol.Optional(ATTR_PERSONS, default=list): vol.All(
            cv.ensure_list, vol.Length(max=MAX_INLINE_PERSONS), [INLINE_PERSON_SCHEMA]
        ),
        vol.Optional(ATTR_DELETE_MISSING, default=False): cv.boolean,
        vol.Optional(ATTR_ALLOW_EMPTY, default=False): cv.boolean,
        vol.Optional(ATTR_BATCH_SIZE, default=DEFAULT_BATCH_SIZE): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=protocol.MAX_BATCH_PERSONS)
        ),
    }
)

CHECK_ROSTER_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): DEVICES})

DELETE_ALL_PERSONS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): DEVICES,
        vol.Required(ATTR_CONFIRM): cv.boolean,
    }
)


async def _async_sync_persons(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    roster_file: str | None = call.data.get(ATTR_ROSTER_FILE)
    inline: list[dict[str, Any]] = call.data[ATTR_PERSONS]
    delete_missing: bool = call.data[ATTR_DELETE_MISSING]
    if roster_file is None and not inline and not delete_missing:
        raise invalid_input("roster_source_missing")
    terminals = async_get_terminals(call)
    syncs = async_get_roster_syncs(hass)
    with syncs.reserve(terminals):
        entries = await hass.async_add_executor_job(
            lambda: load_roster(
                hass,
                roster_file=roster_file,
                photo_folder=call.data.get(ATTR_PHOTO_FOLDER),
                inline=inline,
            )
        )
        if not entries and delete_missing and not call.data[ATTR_ALLOW_EMPTY]:
            raise invalid_input("roster_empty_delete")
        check_link_room([terminal.entry for terminal in terminals], entries)
        reports = await async_sync_terminals(
            hass,
            terminals,
            entries,
            delete_missing=delete_missing,
            batch_size=call.data[ATTR_BATCH_SIZE],
        )
        if roster_file is not None and not inline:
            # What the roster drift repair syncs from (`drift`).
            await async_get_roster_sources(hass).async_remember(
                [terminal.terminal_id for terminal in terminals],
                roster_file,
                call.data.get(ATTR_PHOTO_FOLDER),
            )
    failed = [report for report in reports if not report.get("success")]
    persons_failed = sum(
        int(cast("int", report.get("failed", 0)))
        for report in reports
        if isinstance(report.get("failed"), int)
    )
    if persons_failed:
        LOGGER.warning("Roster sync: %d person changes failed", persons_failed)
    if not call.return_response:
        if failed:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="sync_failed",
                translation_placeholders={"error": str(failed[0].get("error"))},
            )
        return None
    results: list[JsonValueType] = list(reports)
    return {"results": results}


async def _async_check_roster(call: ServiceCall) -> ServiceResponse:
    """Compare each terminal with its last sync now (`drift`); raise or clear its repair."""
    results: list[JsonValueType] = []
    for terminal in async_get_terminals(call):
        drift = await async_check_roster(terminal)
        item: dict[str, JsonValueType] = {
            "device_id": terminal.device_id,
            "terminal_id": terminal.terminal_id,
            "checked": drift is not None,
        }
        if drift is not None:
            item["missing"] = list(drift.missing)
            item["unknown"] = list(drift.unknown)
            item["renamed"] = list(drift.renamed)
        results.append(item)
    return {"results": results}


async def _async_delete_all_persons(call: ServiceCall) -> None:
    hass = call.hass
    if call.data[ATTR_CONFIRM] is not True:
        raise invalid_input("confirmation_required")
    terminals = async_get_terminals(call)
    syncs = async_get_roster_syncs(hass)
    with syncs.reserve(terminals):
        for terminal in terminals:
            await terminal.async_request(protocol.DeleteAllPersons())
            await syncs.async_forget(terminal.terminal_id)
            syncs.progress(terminal).cleared()


@callback
def async_setup_roster_services(hass: HomeAssistant) -> None:
    """Register the roster actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SYNC_PERSONS,
        _async_sync_persons,
        schema=SYNC_PERSONS_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CHECK_ROSTER,
        _async_check_roster,
        schema=CHECK_ROSTER_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_DELETE_ALL_PERSONS,
        _async_delete_all_persons,
        schema=DELETE_ALL_PERSONS_SCHEMA,
    )
