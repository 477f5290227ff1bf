"""What the action modules share: their target terminals, running on each, common fields.

Every action module (`services`, `services_screen`, `face_tools`, ...) imports from here
and none imports another, so the actions form no import cycle and no module reaches
into another's private names.

* `async_get_terminal`, `async_get_terminals`, `async_get_one_terminal` turn the
  ``device_id`` field into terminals whose runtime takes commands
  (`Capability.COMMANDS`, an MQTT terminal), or refuse the call with a translated
  error before anything is sent.
  A terminal takes intents (``terminal.async_request(protocol.Unlock(...))``) and
  offers its features (``terminal.door``, ``terminal.settings``, …).
* `async_run_on_each` runs one command on all named terminals at once and then raises
  the first error; `async_each` keeps every terminal's outcome for actions that report
  per terminal.
* `DEVICES`, `ONE_DEVICE` and `PHOTO_FIELDS` are the schema fields several actions take;
  `async_load_photo` reads the photo such a call names.
* `terminal_time` turns a date and time from the user into the terminal's wall clock.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final, cast

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import service
from homeassistant.util import dt as dt_util

from . import photo
from .const import DOMAIN
from .device import Capability
from .validation import invalid_arguments, invalid_input

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import datetime

    from .coordinator import FaceTerminal
    from .device import DeviceConfigEntry

ATTR_IMAGE_PATH: Final = "image_path"
ATTR_IMAGE_URL: Final = "image_url"
ATTR_CAMERA_ENTITY_ID: Final = "camera_entity_id"
PHOTO_SOURCES: Final = (ATTR_IMAGE_PATH, ATTR_IMAGE_URL, ATTR_CAMERA_ENTITY_ID)
"""A photo from a file, a URL or a camera; an action takes exactly one of them."""

DEVICES: Final = vol.All(cv.ensure_list, vol.Length(min=1), [cv.string])
"""The ``device_id`` field of an action that runs on one or more terminals."""
ONE_DEVICE: Final = vol.All(cv.ensure_list, vol.Length(min=1, max=1), [cv.string])
"""The ``device_id`` field of an action that reads from exactly one terminal."""
PHOTO_FIELDS: Final[dict[vol.Marker, object]] = {
    vol.Optional(ATTR_IMAGE_PATH): cv.string,
    vol.Optional(ATTR_IMAGE_URL): cv.url,
    vol.Optional(ATTR_CAMERA_ENTITY_ID): cv.entity_domain("camera"),
}

type Outcome[T] = tuple[FaceTerminal, T | HomeAssistantError]
"""A terminal and what its command gave: the answer, or the error it failed with."""


@callback
def async_get_terminal(hass: HomeAssistant, device_id: str) -> FaceTerminal:
    """The command API of a face_terminal device whose entry is loaded."""
    device, entry = service.async_get_device_and_config_entry(
        hass, DOMAIN, device_id, include_child_devices=False
    )
    runtime = cast("DeviceConfigEntry", entry).runtime_data
    shown_name = device.name_by_user or device.name or device_id
    if Capability.COMMANDS not in runtime.capabilities:
        # Only Jovision devices lack it: their HTTP push protocol has no commands at all.
        raise invalid_input("not_supported_by_jovision", device=shown_name)
    if (DOMAIN, runtime.terminal_id) not in device.identifiers:
        raise invalid_input("not_a_terminal", device=shown_name)
    # The runtime that takes commands is the MQTT terminal's, which owns the command API.
    return cast("FaceTerminal", runtime)


@callback
def async_get_terminals(call: ServiceCall) -> list[FaceTerminal]:
    """Every terminal the call names, each once, in the order given."""
    device_ids: list[str] = call.data[ATTR_DEVICE_ID]
    return [async_get_terminal(call.hass, device_id) for device_id in dict.fromkeys(device_ids)]


@callback
def async_get_one_terminal(call: ServiceCall) -> FaceTerminal:
    """The terminal of an action whose schema takes exactly one device (`ONE_DEVICE`)."""
    return async_get_terminal(call.hass, call.data[ATTR_DEVICE_ID][0])


async def async_command[T](
    action: Callable[[FaceTerminal], Awaitable[T]], terminal: FaceTerminal
) -> T:
    """Run `action` on one terminal, refusing invalid command arguments as bad input."""
    with invalid_arguments():
        return await action(terminal)


async def async_each[T](
    terminals: list[FaceTerminal], action: Callable[[FaceTerminal], Awaitable[T]]
) -> list[Outcome[T]]:
    """Run `action` on all terminals at once; keep each result or error.

    A validation error is the caller's fault and the same for every terminal: it is
    raised at once. Other exceptions are bugs and propagate as they are.
    """
    outcomes = await asyncio.gather(
        *(async_command(action, terminal) for terminal in terminals),
        return_exceptions=True,
    )
    results: list[Outcome[T]] = []
    for terminal, outcome in zip(terminals, outcomes, strict=True):
        if isinstance(outcome, ServiceValidationError) or (
            isinstance(outcome, BaseException) and not isinstance(outcome, HomeAssistantError)
        ):
            raise outcome
        results.append((terminal, outcome))
    return results


def raise_first[T](results: list[Outcome[T]]) -> None:
    """Raise the first terminal's error, if any: the others have run all the same."""
    for _terminal, outcome in results:
        if isinstance(outcome, HomeAssistantError):
            raise outcome


async def async_run_on_each(
    terminals: list[FaceTerminal], action: Callable[[FaceTerminal], Awaitable[object]]
) -> None:
    """Run `action` on all terminals at once, then raise the first error."""
    raise_first(await async_each(terminals, action))


async def async_load_photo(
    call: ServiceCall, sources: tuple[str, str, str] = PHOTO_SOURCES
) -> bytes:
    """The picture the call names by one of `sources` (a file, a URL or a camera field)."""
    image_path, image_url, camera_entity_id = (call.data.get(key) for key in sources)
    return await photo.async_load_image(
        call.hass,
        image_path=image_path,
        image_url=image_url,
        camera_entity_id=camera_entity_id,
    )


def terminal_time(value: datetime) -> datetime:
    """A time for the terminal: its wall clock runs on Home Assistant's local time."""
    if value.tzinfo is None:
        return value
    return dt_util.as_local(value).replace(tzinfo=None)
