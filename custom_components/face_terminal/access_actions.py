"""The ``answer_access_request`` action: an automation's answer to a door-mode-3 request.

The request ID comes from the ``face_terminal_access_request`` event (or the access event
entity's ``request_id`` attribute); it is unique across terminals, so the action needs no
device. Answering a request that no longer waits (answered already, or its window ran
out and the default applied) is an error the automation can see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import voluptuous as vol
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import config_validation as cv

from .const import ATTR_GRANT, ATTR_MESSAGE, ATTR_REQUEST_ID, DOMAIN
from .coordinator import FaceTerminal
from .protocol.commands import MAX_SHOW_INFO_BYTES
from .protocol.text import utf8_len
from .validation import invalid_input

if TYPE_CHECKING:
    from .access import AccessController

SERVICE_ANSWER_ACCESS_REQUEST: Final = "answer_access_request"
_MAX_REQUEST_ID: Final = 64

ANSWER_ACCESS_REQUEST_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_REQUEST_ID): vol.All(cv.string, vol.Length(min=1, max=_MAX_REQUEST_ID)),
        vol.Required(ATTR_GRANT): cv.boolean,
        vol.Optional(ATTR_MESSAGE): cv.string,
    }
)


def _check_message(message: str | None) -> str | None:
    """Screen text: at most 63 UTF-8 bytes, one line; empty means the terminal's own."""
    if message is None or not message.strip():
        return None
    if any(ord(char) < 0x20 for char in message):
        raise invalid_input("access_message_invalid")
    if utf8_len(message) > MAX_SHOW_INFO_BYTES:
        raise invalid_input("message_too_long", max_bytes=str(MAX_SHOW_INFO_BYTES))
    return message.strip()


@callback
def _async_find(hass: HomeAssistant, request_id: str) -> AccessController:
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        runtime = entry.runtime_data
        if isinstance(runtime, FaceTerminal) and runtime.access.has_request(request_id):
            return runtime.access
    raise invalid_input("access_request_unknown", request_id=request_id)


async def _async_answer_access_request(call: ServiceCall) -> None:
    request_id: str = call.data[ATTR_REQUEST_ID]
    message = _check_message(call.data.get(ATTR_MESSAGE))
    controller = _async_find(call.hass, request_id)
    controller.async_answer(request_id, grant=call.data[ATTR_GRANT], message=message)


@callback
def async_setup_access_actions(hass: HomeAssistant) -> None:
    """Register the access decision action."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_ANSWER_ACCESS_REQUEST,
        _async_answer_access_request,
        schema=ANSWER_ACCESS_REQUEST_SCHEMA,
    )
