"""Actions for the terminal's screen and firmware, and its factory reset.

* ``set_advertisement`` / ``delete_advertisement`` (V1.24 §12): a picture from a file, a URL
  or a camera in one of the five advertisement slots.
* ``factory_reset`` (§9.9): admin only, and it needs ``confirm: true`` - a button would be
  too easy to press by accident for something that can delete every person.
* ``install_firmware`` (§7.1): an action on the firmware update entity, admin only.

Registered by `services.async_setup_services`; the terminals, the photo fields and the
run on several terminals are `action_helpers`' like every action's.
"""

from __future__ import annotations

from typing import Final

import voluptuous as vol
from homeassistant.components.update import DOMAIN as UPDATE_DOMAIN
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import service

from .action_helpers import (
    DEVICES,
    ONE_DEVICE,
    PHOTO_FIELDS,
    PHOTO_SOURCES,
    async_get_one_terminal,
    async_get_terminals,
    async_load_photo,
    async_run_on_each,
)
from .advertisement import async_serve_advertisement
from .const import DOMAIN
from .protocol.settings import AD_POLL_TIME_DEFAULT, AD_POLL_TIME_MAX, AD_SLOTS, FactoryPart
from .validation import check_one_source, invalid_input

SERVICE_SET_ADVERTISEMENT: Final = "set_advertisement"
SERVICE_DELETE_ADVERTISEMENT: Final = "delete_advertisement"
SERVICE_FACTORY_RESET: Final = "factory_reset"
SERVICE_INSTALL_FIRMWARE: Final = "install_firmware"

ATTR_SLOT: Final = "slot"
ATTR_POLL_TIME: Final = "poll_time"
ATTR_PARTS: Final = "parts"
ATTR_CONFIRM: Final = "confirm"
ATTR_URL: Final = "url"
ATTR_VERSION: Final = "version"

_SLOT = vol.All(vol.Coerce(int), vol.Range(min=0, max=AD_SLOTS - 1))

SET_ADVERTISEMENT_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): DEVICES,
        vol.Required(ATTR_SLOT): _SLOT,
        **PHOTO_FIELDS,
        vol.Optional(ATTR_POLL_TIME, default=AD_POLL_TIME_DEFAULT): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=AD_POLL_TIME_MAX)
        ),
    }
)

DELETE_ADVERTISEMENT_SCHEMA = vol.Schema(
    {vol.Required(ATTR_DEVICE_ID): DEVICES, vol.Required(ATTR_SLOT): _SLOT}
)

FACTORY_RESET_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): ONE_DEVICE,
        vol.Required(ATTR_PARTS): vol.All(
            cv.ensure_list, vol.Length(min=1), [vol.In([part.value for part in FactoryPart])]
        ),
        vol.Required(ATTR_CONFIRM): cv.boolean,
    }
)

INSTALL_FIRMWARE_SCHEMA: Final[dict[str | vol.Marker, object]] = {
    vol.Required(ATTR_URL): cv.url,
    vol.Optional(ATTR_VERSION): vol.All(cv.string, vol.Length(min=1, max=63)),
}


async def _async_set_advertisement(call: ServiceCall) -> None:
    check_one_source(call, PHOTO_SOURCES, "photo_source_count")
    terminals = async_get_terminals(call)
    url = await async_serve_advertisement(call.hass, await async_load_photo(call))
    slot: int = call.data[ATTR_SLOT]
    poll_time: int = call.data[ATTR_POLL_TIME]
    await async_run_on_each(
        terminals,
        lambda terminal: terminal.settings.async_set_advertisement(slot, url, poll_time),
    )


async def _async_delete_advertisement(call: ServiceCall) -> None:
    terminals = async_get_terminals(call)
    slot: int = call.data[ATTR_SLOT]
    await async_run_on_each(
        terminals, lambda terminal: terminal.settings.async_delete_advertisement(slot)
    )


async def _async_factory_reset(call: ServiceCall) -> None:
    if call.data[ATTR_CONFIRM] is not True:
        raise invalid_input("factory_reset_not_confirmed")
    terminal = async_get_one_terminal(call)
    await terminal.settings.async_factory_reset(call.data[ATTR_PARTS])


@callback
def async_setup_screen_services(hass: HomeAssistant) -> None:
    """Register the advertisement, factory-reset and firmware actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SET_ADVERTISEMENT,
        _async_set_advertisement,
        schema=SET_ADVERTISEMENT_SCHEMA,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_DELETE_ADVERTISEMENT,
        _async_delete_advertisement,
        schema=DELETE_ADVERTISEMENT_SCHEMA,
    )
    service.async_register_admin_service(
        hass, DOMAIN, SERVICE_FACTORY_RESET, _async_factory_reset, schema=FACTORY_RESET_SCHEMA
    )
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_INSTALL_FIRMWARE,
        entity_domain=UPDATE_DOMAIN,
        schema=INSTALL_FIRMWARE_SCHEMA,
        func="async_install_from_url",
        admin_only=True,
    )
