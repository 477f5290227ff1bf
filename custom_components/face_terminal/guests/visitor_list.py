"""Temporary people on the terminals: ``list_visitors`` and ``remove_expired_visitors``.

A visitor is any person a terminal lists with a ``tempCardType`` other than 0 (V1.24
§4.1): valid for a period (1), daily between hours (2) or for a number of passages (3) —
whoever enrolled them (``admit_stranger``, a roster, the terminal's own menu). The
terminal stops admitting an expired visitor by itself but keeps the entry; the cleanup
deletes those entries (``DeletePersons``, at most 200 per command).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final, cast

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.util import dt as dt_util

from .. import protocol
from ..action_helpers import DEVICES, async_each, async_get_terminals, raise_first
from ..const import DELETE_BATCH_SIZE, DOMAIN
from ..errors import TerminalCommandError

if TYPE_CHECKING:
    from homeassistant.util.json import JsonValueType

    from ..coordinator import FaceTerminal

SERVICE_LIST_VISITORS: Final = "list_visitors"
SERVICE_REMOVE_EXPIRED_VISITORS: Final = "remove_expired_visitors"
NO_MATCHING_PERSON: Final = 466
PAGE: Final = 1000
DELETE_BATCH: Final = DELETE_BATCH_SIZE  # §4.9: the door waits for each one
KINDS: Final = {1: "until", 2: "daily", 3: "passages"}

VISITORS_SCHEMA: Final = vol.Schema({vol.Required(ATTR_DEVICE_ID): DEVICES})


@dataclass(frozen=True, slots=True)
class Visitor:
    """A temporary person as one terminal lists them."""

    record: protocol.PersonRecord
    expired: bool

    def as_dict(self) -> dict[str, JsonValueType]:
        """The listing: no picture, ID or phone number (the terminal sends none)."""
        record = self.record
        kind = KINDS.get(record.temp_card_type or 0)
        return {
            "custom_id": record.custom_id,
            "name": record.name,
            "kind": kind,
            "valid_from": record.valid_from.isoformat() if record.valid_from else None,
            "valid_until": record.valid_until.isoformat() if record.valid_until else None,
            "passages_left": record.effect_number if kind == "passages" else None,
            "expired": self.expired,
        }


def is_expired(record: protocol.PersonRecord, now: datetime) -> bool:
    """Whether the terminal no longer admits a temporary person (`now`: its wall clock)."""
    match record.temp_card_type:
        case 1:
            return record.valid_until is not None and _naive(record.valid_until) < now
        case 2:
            return record.valid_until is not None and _naive(record.valid_until).date() < now.date()
        case 3:
            return record.effect_number is not None and record.effect_number <= 0
        case _:
            return False


def _naive(value: datetime) -> datetime:
    return dt_util.as_local(value).replace(tzinfo=None) if value.tzinfo else value


def _terminal_now(terminal: FaceTerminal) -> datetime:
    offset = terminal.clock_offset or 0.0
    return dt_util.now().replace(tzinfo=None) + timedelta(seconds=offset)


async def async_visitors(terminal: FaceTerminal) -> list[Visitor]:
    """Every temporary person on one terminal, page by page."""
    records: list[protocol.PersonRecord] = []
    offset = 0
    while True:
        try:
            ack = await terminal.async_request(protocol.SearchPersons(offset=offset, count=PAGE))
        except TerminalCommandError as err:
            if err.code != NO_MATCHING_PERSON:
                raise
            break
        assert isinstance(ack, protocol.SearchPersonListAck)  # its own -Ack only
        records.extend(ack.persons)
        offset += len(ack.persons)
        if not ack.persons or (ack.total is not None and offset >= ack.total):
            break
    now = _terminal_now(terminal)
    return [
        Visitor(record, is_expired(record, now))
        for record in records
        if record.temp_card_type in KINDS
    ]


async def _async_list(call: ServiceCall) -> ServiceResponse:
    results = await async_each(async_get_terminals(call), async_visitors)
    raise_first(results)
    return {
        terminal.terminal_id: [visitor.as_dict() for visitor in cast("list[Visitor]", outcome)]
        for terminal, outcome in results
    }


async def async_remove_expired(terminal: FaceTerminal) -> list[str]:
    """Delete the expired visitors of one terminal; their customIds."""
    expired = [
        visitor.record.custom_id
        for visitor in await async_visitors(terminal)
        if visitor.expired and visitor.record.custom_id
    ]
    for start in range(0, len(expired), DELETE_BATCH):
        batch = expired[start : start + DELETE_BATCH]
        await terminal.async_request(protocol.DeletePersons(batch))
    return expired


async def _async_remove(call: ServiceCall) -> ServiceResponse:
    results = await async_each(async_get_terminals(call), async_remove_expired)
    raise_first(results)
    return {
        terminal.terminal_id: cast("list[JsonValueType]", outcome) for terminal, outcome in results
    }


def async_setup_visitor_list_actions(hass: HomeAssistant) -> None:
    """Register the visitor list and cleanup actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_LIST_VISITORS,
        _async_list,
        schema=VISITORS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_REMOVE_EXPIRED_VISITORS,
        _async_remove,
        schema=VISITORS_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
