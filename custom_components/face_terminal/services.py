"""Actions of the Face Recognition Terminal integration.

Registered once in `async_setup`. Every action names its terminal(s) with a
``device_id`` field; the device is resolved to its loaded config entry, and a device
whose runtime has `Capability.COMMANDS` (an MQTT terminal) is driven through that
runtime's ``async_…`` command API (`coordinator.FaceTerminal`). Input is checked before anything is
sent, so a bad call changes no terminal. Actions aimed at several terminals run on all
of them and then raise the first error; `enrol_person` can instead report per terminal
when the caller asks for a response.
"""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final, cast

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import service
from homeassistant.util import dt as dt_util

from . import photo, protocol
from .access_actions import async_setup_access_actions
from .const import ATTR_CUSTOM_ID, ATTR_PERSON_ID, ATTR_TERMINAL_ID, DOMAIN
from .device import Capability
from .face_tools import async_setup_face_tools
from .protocol.commands import MAX_QRCODE_DATA_BYTES, MAX_SEARCH_COUNT, MAX_SHOW_INFO_BYTES
from .roster.services import async_setup_roster_services
from .validation import check_one_source, invalid_input

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator
    from datetime import datetime

    from homeassistant.util.json import JsonValueType

    from .coordinator import FaceTerminal
    from .device import DeviceConfigEntry

SERVICE_UNLOCK: Final = "unlock"
SERVICE_ENROL_PERSON: Final = "enrol_person"
SERVICE_DELETE_PERSON: Final = "delete_person"
SERVICE_LIST_PERSONS: Final = "list_persons"
SERVICE_PLAY_VOICE: Final = "play_voice"
SERVICE_LIST_VOICES: Final = "list_voices"
SERVICE_SHOW_QR_CODE: Final = "show_qr_code"
SERVICE_HIDE_QR_CODE: Final = "hide_qr_code"

ATTR_MESSAGE: Final = "message"
ATTR_NAME: Final = "name"
ATTR_IMAGE_PATH: Final = "image_path"
ATTR_IMAGE_URL: Final = "image_url"
ATTR_CAMERA_ENTITY_ID: Final = "camera_entity_id"
ATTR_PERSON_TYPE: Final = "person_type"
ATTR_VALID_FROM: Final = "valid_from"
ATTR_VALID_UNTIL: Final = "valid_until"
ATTR_OFFSET: Final = "offset"
ATTR_LIMIT: Final = "limit"
ATTR_FILE: Final = "file"
ATTR_SET: Final = "set"
ATTR_TEXT: Final = "text"
ATTR_X: Final = "x"
ATTR_Y: Final = "y"
ATTR_WIDTH: Final = "width"
ATTR_HEIGHT: Final = "height"

PERSON_TYPE_ALLOW: Final = "allow"
PERSON_TYPE_BLOCK: Final = "block"
PERSON_TYPES: Final = {PERSON_TYPE_ALLOW: 0, PERSON_TYPE_BLOCK: 1}
PERSON_TYPE_NAMES: Final = {value: key for key, value in PERSON_TYPES.items()}
VOICE_SET_BUILTIN: Final = "builtin"
VOICE_SET_CUSTOM: Final = "custom"

MAX_MESSAGE_BYTES: Final = MAX_SHOW_INFO_BYTES
MAX_CUSTOM_ID_BYTES: Final = 47
MAX_NAME_BYTES: Final = 31
MAX_LIST_LIMIT: Final = MAX_SEARCH_COUNT
DEFAULT_LIST_LIMIT: Final = 100
MAX_SCREEN_PIXELS: Final = 1920
MIN_SCREEN_PIXELS: Final = 10

_DEVICES = vol.All(cv.ensure_list, vol.Length(min=1), [cv.string])
_ONE_DEVICE = vol.All(cv.ensure_list, vol.Length(min=1, max=1), [cv.string])
_SCREEN_POSITION = vol.All(vol.Coerce(int), vol.Range(min=MIN_SCREEN_PIXELS, max=MAX_SCREEN_PIXELS))

UNLOCK_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): _DEVICES,
        vol.Optional(ATTR_MESSAGE): cv.string,
    }
)

ENROL_PERSON_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): _DEVICES,
        vol.Required(ATTR_CUSTOM_ID): cv.string,
        vol.Required(ATTR_NAME): cv.string,
        vol.Optional(ATTR_IMAGE_PATH): cv.string,
        vol.Optional(ATTR_IMAGE_URL): cv.url,
        vol.Optional(ATTR_CAMERA_ENTITY_ID): cv.entity_domain("camera"),
        vol.Optional(ATTR_PERSON_TYPE, default=PERSON_TYPE_ALLOW): vol.In(list(PERSON_TYPES)),
        vol.Optional(ATTR_VALID_FROM): cv.datetime,
        vol.Optional(ATTR_VALID_UNTIL): cv.datetime,
    }
)

DELETE_PERSON_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): _DEVICES,
        vol.Required(ATTR_CUSTOM_ID): cv.string,
    }
)

LIST_PERSONS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): _ONE_DEVICE,
        vol.Optional(ATTR_NAME): cv.string,
        vol.Optional(ATTR_OFFSET, default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
        vol.Optional(ATTR_LIMIT, default=DEFAULT_LIST_LIMIT): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_LIST_LIMIT)
        ),
    }
)

PLAY_VOICE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): _DEVICES,
        vol.Required(ATTR_FILE): cv.string,
        vol.Optional(ATTR_SET, default=VOICE_SET_BUILTIN): vol.In(
            [VOICE_SET_BUILTIN, VOICE_SET_CUSTOM]
        ),
    }
)

LIST_VOICES_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): _ONE_DEVICE})

SHOW_QR_CODE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): _DEVICES,
        vol.Optional(ATTR_TEXT): vol.All(cv.string, vol.Length(min=1)),
        vol.Optional(ATTR_IMAGE_PATH): cv.string,
        vol.Optional(ATTR_IMAGE_URL): cv.url,
        vol.Optional(ATTR_X, default=MIN_SCREEN_PIXELS): _SCREEN_POSITION,
        vol.Optional(ATTR_Y, default=MIN_SCREEN_PIXELS): _SCREEN_POSITION,
        vol.Optional(ATTR_WIDTH, default=200): _SCREEN_POSITION,
        vol.Optional(ATTR_HEIGHT, default=200): _SCREEN_POSITION,
    }
)

HIDE_QR_CODE_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): _DEVICES})


# --- helpers ----------------------------------------------------------------------------


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", errors="surrogatepass"))


@callback
def _async_get_terminal(hass: HomeAssistant, device_id: str) -> FaceTerminal:
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
def _async_get_terminals(hass: HomeAssistant, call: ServiceCall) -> list[FaceTerminal]:
    """Every terminal the call names, each once, in the order given."""
    device_ids: list[str] = call.data[ATTR_DEVICE_ID]
    return [_async_get_terminal(hass, device_id) for device_id in dict.fromkeys(device_ids)]


@contextmanager
def _command_errors() -> Iterator[None]:
    """Invalid builder arguments (`protocol.CommandError`) are the caller's fault."""
    try:
        yield
    except protocol.CommandError as err:
        raise invalid_input("invalid_command", error=str(err)) from err


async def _async_command[T](
    action: Callable[[FaceTerminal], Awaitable[T]], terminal: FaceTerminal
) -> T:
    with _command_errors():
        return await action(terminal)


type Outcome[T] = tuple[FaceTerminal, T | HomeAssistantError]


async def _async_each[T](
    terminals: list[FaceTerminal], action: Callable[[FaceTerminal], Awaitable[T]]
) -> list[Outcome[T]]:
    """Run `action` on all terminals at once; keep each result or error.

    A validation error is the caller's fault and the same for every terminal: it is
    raised at once. Other exceptions are bugs and propagate as they are.
    """
    outcomes = await asyncio.gather(
        *(_async_command(action, terminal) for terminal in terminals),
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


def _raise_first[T](results: list[Outcome[T]]) -> None:
    for _terminal, outcome in results:
        if isinstance(outcome, HomeAssistantError):
            raise outcome


def _terminal_time(value: datetime) -> datetime:
    """A time for the terminal: its wall clock runs on Home Assistant's local time."""
    if value.tzinfo is None:
        return value
    return dt_util.as_local(value).replace(tzinfo=None)


def _iso(value: datetime) -> str:
    """ISO text of a terminal time, in Home Assistant's time zone."""
    return value.replace(tzinfo=dt_util.get_default_time_zone()).isoformat()


# --- handlers ---------------------------------------------------------------------------


async def _async_unlock(call: ServiceCall) -> None:
    message: str | None = call.data.get(ATTR_MESSAGE)
    if message is not None and _utf8_len(message) > MAX_MESSAGE_BYTES:
        raise invalid_input("message_too_long", max_bytes=str(MAX_MESSAGE_BYTES))
    terminals = _async_get_terminals(call.hass, call)
    _raise_first(await _async_each(terminals, lambda terminal: terminal.async_unlock(message)))


def _check_custom_id(custom_id: str) -> None:
    if not custom_id.strip() or _utf8_len(custom_id) > MAX_CUSTOM_ID_BYTES:
        raise invalid_input("custom_id_invalid", max_bytes=str(MAX_CUSTOM_ID_BYTES))


def _check_person(custom_id: str, name: str) -> None:
    _check_custom_id(custom_id)
    if not name.strip() or _utf8_len(name) > MAX_NAME_BYTES:
        raise invalid_input("name_invalid", max_bytes=str(MAX_NAME_BYTES))


def _validity(call: ServiceCall) -> tuple[datetime | None, datetime | None]:
    valid_from: datetime | None = call.data.get(ATTR_VALID_FROM)
    valid_until: datetime | None = call.data.get(ATTR_VALID_UNTIL)
    if valid_from is None and valid_until is None:
        return None, None
    if valid_from is None or valid_until is None:
        raise invalid_input("validity_incomplete")
    begin, end = _terminal_time(valid_from), _terminal_time(valid_until)
    if begin >= end:
        raise invalid_input("validity_order")
    return begin, end


async def _async_enrol_person(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    custom_id: str = call.data[ATTR_CUSTOM_ID]
    name: str = call.data[ATTR_NAME]
    _check_person(custom_id, name)
    check_one_source(
        call, (ATTR_IMAGE_PATH, ATTR_IMAGE_URL, ATTR_CAMERA_ENTITY_ID), "photo_source_count"
    )
    valid_from, valid_until = _validity(call)
    terminals = _async_get_terminals(hass, call)
    data = await photo.async_load_image(
        hass,
        image_path=call.data.get(ATTR_IMAGE_PATH),
        image_url=call.data.get(ATTR_IMAGE_URL),
        camera_entity_id=call.data.get(ATTR_CAMERA_ENTITY_ID),
    )
    picture = await photo.async_prepare_face_photo(hass, data)
    spec = protocol.PersonSpec(
        custom_id=custom_id,
        name=name,
        person_type=PERSON_TYPES[call.data[ATTR_PERSON_TYPE]],
        temp_card_type=0 if valid_from is None else 1,
        valid_from=valid_from,
        valid_until=valid_until,
        picture=picture,
    )
    results = await _async_each(terminals, lambda terminal: terminal.async_enrol_person(spec))
    if not call.return_response:
        _raise_first(results)
        return None
    report: list[JsonValueType] = []
    for terminal, outcome in results:
        entry: dict[str, JsonValueType] = {
            ATTR_DEVICE_ID: terminal.device_id,
            ATTR_TERMINAL_ID: terminal.terminal_id,
        }
        if isinstance(outcome, HomeAssistantError):
            entry.update(success=False, error=str(outcome))
        else:
            person_id = outcome.person_id if isinstance(outcome, protocol.EditPersonAck) else None
            entry.update(success=True, person_id=person_id)
        report.append(entry)
    return {"results": report}


async def _async_delete_person(call: ServiceCall) -> None:
    custom_id: str = call.data[ATTR_CUSTOM_ID]
    _check_custom_id(custom_id)
    terminals = _async_get_terminals(call.hass, call)
    _raise_first(
        await _async_each(
            terminals,
            lambda terminal: terminal.async_delete_person(custom_id),
        )
    )


def _person(record: protocol.PersonRecord) -> dict[str, JsonValueType]:
    """What a listing shows of a person: never pictures, ID-card or phone numbers."""
    person: dict[str, JsonValueType] = {
        ATTR_CUSTOM_ID: record.custom_id,
        ATTR_PERSON_ID: record.person_id,
        ATTR_NAME: record.name,
        ATTR_PERSON_TYPE: None
        if record.person_type is None
        else PERSON_TYPE_NAMES.get(record.person_type),
    }
    if record.valid_from is not None:
        person[ATTR_VALID_FROM] = _iso(record.valid_from)
    if record.valid_until is not None:
        person[ATTR_VALID_UNTIL] = _iso(record.valid_until)
    return person


async def _async_list_persons(call: ServiceCall) -> ServiceResponse:
    name: str | None = call.data.get(ATTR_NAME)
    if name is not None and (not name.strip() or _utf8_len(name) > MAX_NAME_BYTES):
        raise invalid_input("name_invalid", max_bytes=str(MAX_NAME_BYTES))
    terminal = _async_get_terminal(call.hass, call.data[ATTR_DEVICE_ID][0])
    page = await _async_command(
        lambda terminal: terminal.async_list_persons(
            name=name, offset=call.data[ATTR_OFFSET], limit=call.data[ATTR_LIMIT]
        ),
        terminal,
    )
    persons: list[JsonValueType] = [_person(record) for record in page.persons]
    return {"total": page.total, "persons": persons}


async def _async_play_voice(call: ServiceCall) -> None:
    file_name: str = call.data[ATTR_FILE].strip()
    custom = call.data[ATTR_SET] == VOICE_SET_CUSTOM
    if not file_name.lower().endswith(".wav") or "/" in file_name or "\\" in file_name:
        raise invalid_input("voice_file_invalid")
    if custom and not file_name.lower().endswith("_c.wav"):
        raise invalid_input("custom_voice_file_invalid")
    terminals = _async_get_terminals(call.hass, call)
    _raise_first(
        await _async_each(
            terminals,
            lambda terminal: terminal.async_play_voice(file_name, custom=custom),
        )
    )


async def _async_list_voices(call: ServiceCall) -> ServiceResponse:
    terminal = _async_get_terminal(call.hass, call.data[ATTR_DEVICE_ID][0])
    voices = await terminal.async_list_voices()
    builtin: list[JsonValueType] = list(voices.builtin)
    custom: list[JsonValueType] = list(voices.custom)
    return {VOICE_SET_BUILTIN: builtin, VOICE_SET_CUSTOM: custom}


async def _async_show_qr_code(call: ServiceCall) -> None:
    hass = call.hass
    check_one_source(call, (ATTR_TEXT, ATTR_IMAGE_PATH, ATTR_IMAGE_URL), "qr_source_count")
    text: str | None = call.data.get(ATTR_TEXT)
    if text is not None and _utf8_len(text) > MAX_QRCODE_DATA_BYTES:
        raise invalid_input("qr_text_too_long", max_bytes=str(MAX_QRCODE_DATA_BYTES))
    terminals = _async_get_terminals(hass, call)
    image: bytes | None = None
    if text is None:
        image = await photo.async_load_image(
            hass, image_path=call.data.get(ATTR_IMAGE_PATH), image_url=call.data.get(ATTR_IMAGE_URL)
        )
        photo.check_qr_image(image)
    position = {
        "x": call.data[ATTR_X],
        "y": call.data[ATTR_Y],
        "width": call.data[ATTR_WIDTH],
        "height": call.data[ATTR_HEIGHT],
    }
    _raise_first(
        await _async_each(
            terminals,
            lambda terminal: terminal.async_show_qr_code(text=text, image=image, **position),
        )
    )


async def _async_hide_qr_code(call: ServiceCall) -> None:
    terminals = _async_get_terminals(call.hass, call)
    _raise_first(
        await _async_each(
            terminals,
            lambda terminal: terminal.async_hide_qr_code(),
        )
    )


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    from .services_screen import async_setup_screen_services  # noqa: PLC0415 - imports us

    async_setup_screen_services(hass)
    async_setup_access_actions(hass)
    async_setup_face_tools(hass)
    hass.services.async_register(DOMAIN, SERVICE_UNLOCK, _async_unlock, schema=UNLOCK_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        SERVICE_ENROL_PERSON,
        _async_enrol_person,
        schema=ENROL_PERSON_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_DELETE_PERSON, _async_delete_person, schema=DELETE_PERSON_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_LIST_PERSONS,
        _async_list_persons,
        schema=LIST_PERSONS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_PLAY_VOICE, _async_play_voice, schema=PLAY_VOICE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_LIST_VOICES,
        _async_list_voices,
        schema=LIST_VOICES_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SHOW_QR_CODE, _async_show_qr_code, schema=SHOW_QR_CODE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_HIDE_QR_CODE, _async_hide_qr_code, schema=HIDE_QR_CODE_SCHEMA
    )
    async_setup_roster_services(hass)
