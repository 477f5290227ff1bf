"""A stranger at the door becomes a visitor: ``open_for_stranger`` and ``admit_stranger``.

Both take the ``face_ref`` of a ``face_terminal_stranger`` event (`faces`), valid for a
few minutes. ``open_for_stranger`` opens the door of the terminal that saw the stranger
(its runtime's own unlock). ``admit_stranger`` enrols the captured face as a temporary
person (V1.24 §4.1 ``tempCardType``) on the chosen terminals — until a given time (1) or
for a number of passages (3) — and the terminal itself then stops admitting them.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Final

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from .. import protocol
from ..action_helpers import (
    DEVICES,
    async_get_terminal,
    async_get_terminals,
    async_run_on_each,
    terminal_time,
)
from ..const import ATTR_MESSAGE, DOMAIN
from ..protocol.commands import MAX_SHOW_INFO_BYTES
from ..protocol.text import utf8_len
from ..validation import invalid_input
from .faces import KeptFace, async_get_stranger_faces
from .visitor_list import async_setup_visitor_list_actions

if TYPE_CHECKING:
    from datetime import datetime

SERVICE_OPEN_FOR_STRANGER: Final = "open_for_stranger"
SERVICE_ADMIT_STRANGER: Final = "admit_stranger"
ATTR_FACE_REF: Final = "face_ref"
ATTR_NAME: Final = "name"
ATTR_VALID_UNTIL: Final = "valid_until"
ATTR_PASSAGES: Final = "passages"
VISITOR_PREFIX: Final = "visitor-"
DEFAULT_VISITOR_NAME: Final = "Visitor"
MAX_NAME: Final = 31
MAX_PASSAGES: Final = 100
TEMP_UNTIL: Final = 1  # tempCardType: valid for a period
TEMP_PASSAGES: Final = 3  # tempCardType: valid for a number of passages

FACE_REF: Final = vol.All(cv.string, vol.Length(min=1, max=64))
OPEN_FOR_STRANGER_SCHEMA: Final = vol.Schema(
    {vol.Required(ATTR_FACE_REF): FACE_REF, vol.Optional(ATTR_MESSAGE): cv.string}
)
ADMIT_STRANGER_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_FACE_REF): FACE_REF,
        vol.Optional(ATTR_NAME): cv.string,
        vol.Optional(ATTR_VALID_UNTIL): cv.datetime,
        vol.Optional(ATTR_PASSAGES): vol.Coerce(int),
        vol.Optional(ATTR_DEVICE_ID): DEVICES,
    }
)


def _kept(call: ServiceCall) -> KeptFace:
    face = async_get_stranger_faces(call.hass).get(call.data[ATTR_FACE_REF])
    if face is None:
        raise invalid_input("stranger_face_gone")
    return face


async def _async_open(call: ServiceCall) -> None:
    message: str | None = call.data.get(ATTR_MESSAGE)
    if message is not None and (
        utf8_len(message) > MAX_SHOW_INFO_BYTES or any(ord(c) < 0x20 for c in message)
    ):
        raise invalid_input("message_too_long", max_bytes=str(MAX_SHOW_INFO_BYTES))
    face = _kept(call)
    terminal = async_get_terminal(call.hass, face.device_id)
    await terminal.door.async_unlock(message or None)


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or utf8_len(name) > MAX_NAME or any(ord(c) < 0x20 for c in name):
        raise invalid_input("visitor_name_invalid", max_length=str(MAX_NAME))
    return name


def _limit(call: ServiceCall) -> tuple[datetime | None, int | None]:
    until: datetime | None = call.data.get(ATTR_VALID_UNTIL)
    passages: int | None = call.data.get(ATTR_PASSAGES)
    if (until is None) == (passages is None):
        raise invalid_input("visitor_limit_invalid")
    if passages is not None and not 1 <= passages <= MAX_PASSAGES:
        raise invalid_input("visitor_passages_invalid", max_passages=str(MAX_PASSAGES))
    if until is not None:
        if until.tzinfo is None:
            until = until.replace(tzinfo=dt_util.get_default_time_zone())
        if until <= dt_util.now():
            raise invalid_input("guest_window_past")
    return until, passages


async def _async_admit(call: ServiceCall) -> ServiceResponse:
    name = _check_name(call.data.get(ATTR_NAME, DEFAULT_VISITOR_NAME))
    until, passages = _limit(call)
    face = _kept(call)
    if ATTR_DEVICE_ID in call.data:
        terminals = async_get_terminals(call)
    else:
        terminals = [async_get_terminal(call.hass, face.device_id)]
    custom_id = VISITOR_PREFIX + secrets.token_hex(6)
    spec = protocol.PersonSpec(
        custom_id=custom_id,
        name=name,
        temp_card_type=TEMP_UNTIL if until is not None else TEMP_PASSAGES,
        valid_from=terminal_time(dt_util.now()) if until is not None else None,
        valid_until=terminal_time(until) if until is not None else None,
        effect_number=passages,
        picture=face.image.data,
    )
    enrol = protocol.EnrolPerson(spec)
    await async_run_on_each(terminals, lambda terminal: terminal.async_request(enrol))
    return {
        "custom_id": custom_id,
        ATTR_NAME: name,
        ATTR_VALID_UNTIL: until.isoformat() if until is not None else None,
        ATTR_PASSAGES: passages,
        "terminals": [terminal.terminal_id for terminal in terminals],
    }


def async_setup_visitor_actions(hass: HomeAssistant) -> None:
    """Register the stranger actions and the visitor list and cleanup."""
    async_setup_visitor_list_actions(hass)
    hass.services.async_register(
        DOMAIN, SERVICE_OPEN_FOR_STRANGER, _async_open, schema=OPEN_FOR_STRANGER_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_ADMIT_STRANGER,
        _async_admit,
        schema=ADMIT_STRANGER_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
