"""The guest-pass actions: ``create_guest_pass``, ``list_guest_passes``, ``revoke_guest_pass``.

Creating a pass answers with its code (``code``, the text to put into a QR code) and the
URL of its QR picture (``qr_url``, `pictures`) — the only places the code ever appears;
lists and events name a pass by its ``pass_id`` and label. Bad input is refused with a
translated `ServiceValidationError` before anything is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, cast

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..action_helpers import DEVICES, async_get_terminals
from ..const import DOMAIN
from ..validation import invalid_input
from .manager import async_get_guest_passes
from .pictures import async_get_pictures, picture_url
from .visitors import async_setup_visitor_actions

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.util.json import JsonValueType

    from .passes import GuestPass

SERVICE_CREATE_GUEST_PASS: Final = "create_guest_pass"  # noqa: S105 - an action name
SERVICE_LIST_GUEST_PASSES: Final = "list_guest_passes"
SERVICE_REVOKE_GUEST_PASS: Final = "revoke_guest_pass"  # noqa: S105 - an action name
ATTR_LABEL: Final = "label"
ATTR_VALID_FROM: Final = "valid_from"
ATTR_VALID_UNTIL: Final = "valid_until"
ATTR_USES: Final = "uses"
ATTR_PASS_ID: Final = "pass_id"  # noqa: S105 - a field name
MAX_LABEL: Final = 32
MAX_USES: Final = 1000

CREATE_GUEST_PASS_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): DEVICES,
        vol.Required(ATTR_LABEL): cv.string,
        vol.Optional(ATTR_VALID_FROM): cv.datetime,
        vol.Optional(ATTR_VALID_UNTIL): cv.datetime,
        vol.Optional(ATTR_USES): vol.Coerce(int),
    }
)
LIST_GUEST_PASSES_SCHEMA: Final = vol.Schema({})
REVOKE_GUEST_PASS_SCHEMA: Final = vol.Schema({vol.Required(ATTR_PASS_ID): cv.string})


def _aware(value: datetime | None) -> datetime | None:
    """A time from the user: naive means Home Assistant's time zone."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt_util.get_default_time_zone())
    return dt_util.as_utc(value)


def _check_label(label: str) -> str:
    label = label.strip()
    if not label or len(label) > MAX_LABEL or any(ord(char) < 0x20 for char in label):
        raise invalid_input("guest_label_invalid", max_length=str(MAX_LABEL))
    return label


def _describe(guest_pass: GuestPass) -> dict[str, Any]:
    return {
        ATTR_PASS_ID: guest_pass.pass_id,
        ATTR_LABEL: guest_pass.label,
        ATTR_VALID_FROM: guest_pass.valid_from.isoformat() if guest_pass.valid_from else None,
        ATTR_VALID_UNTIL: guest_pass.valid_until.isoformat() if guest_pass.valid_until else None,
        ATTR_USES: guest_pass.uses_left,
    }


async def _async_create(call: ServiceCall) -> ServiceResponse:
    label = _check_label(call.data[ATTR_LABEL])
    valid_from = _aware(call.data.get(ATTR_VALID_FROM))
    valid_until = _aware(call.data.get(ATTR_VALID_UNTIL))
    uses: int | None = call.data.get(ATTR_USES)
    now = dt_util.utcnow()
    if valid_until is None and uses is None:
        raise invalid_input("guest_pass_unbounded")
    if uses is not None and not 1 <= uses <= MAX_USES:
        raise invalid_input("guest_uses_invalid", max_uses=str(MAX_USES))
    if valid_until is not None and valid_until <= now:
        raise invalid_input("guest_window_past")
    if valid_from is not None and valid_until is not None and valid_from >= valid_until:
        raise invalid_input("guest_window_invalid")
    terminals = tuple(terminal.terminal_id for terminal in async_get_terminals(call))
    guest_pass, code = await async_get_guest_passes(call.hass).async_create(
        label=label, terminals=terminals, valid_from=valid_from, valid_until=valid_until, uses=uses
    )
    lifetime = (valid_until - now).total_seconds() if valid_until is not None else float("inf")
    token = async_get_pictures(call.hass).publish(code, lifetime)
    return {**_describe(guest_pass), "code": code, "qr_url": picture_url(call.hass, token)}


async def _async_list(call: ServiceCall) -> ServiceResponse:
    manager = async_get_guest_passes(call.hass)
    await manager.async_load()
    return {"passes": cast("list[JsonValueType]", manager.as_list(dt_util.utcnow()))}


async def _async_revoke(call: ServiceCall) -> None:
    pass_id = call.data[ATTR_PASS_ID].strip()
    if await async_get_guest_passes(call.hass).async_revoke(pass_id) is None:
        raise invalid_input("guest_pass_unknown", pass_id=pass_id[:16])


def async_setup_guest_actions(hass: HomeAssistant) -> None:
    """Register the guest-pass actions and the stranger (visitor) actions."""
    async_setup_visitor_actions(hass)
    hass.services.async_register(
        DOMAIN,
        SERVICE_CREATE_GUEST_PASS,
        _async_create,
        schema=CREATE_GUEST_PASS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_LIST_GUEST_PASSES,
        _async_list,
        schema=LIST_GUEST_PASSES_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_REVOKE_GUEST_PASS, _async_revoke, schema=REVOKE_GUEST_PASS_SCHEMA
    )
