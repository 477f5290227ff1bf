"""Actions of the Face Recognition Terminal integration.

`async_setup_services` registers every action once, in `async_setup`: the terminal
actions of this module (door, persons, voices, QR code) and those of the other action
modules, each through its own registration function:

* `services_screen`: advertisements, factory reset, firmware;
* `face_tools`: comparing, identifying and checking faces;
* `access_actions`: answering an access request;
* `roster.services`: syncing and deleting people at scale.

Every terminal action names its terminal(s) with a ``device_id`` field, resolved by
`action_helpers` to the terminal's runtime; an action says what it wants with an intent
(``terminal.async_request(protocol.PlayVoice(...))``) or through a feature of the
runtime (``terminal.door.async_unlock``), never with a topic, a terminal ID or a lane.
Input is checked before anything is sent, so a bad call changes no terminal. Actions
aimed at several terminals run on all of them and then raise the first error;
`enrol_person` can instead report per terminal when the caller asks for a response.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

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
from homeassistant.util import dt as dt_util

from . import photo, protocol
from .access_actions import async_setup_access_actions
from .action_helpers import (
    ATTR_IMAGE_PATH,
    ATTR_IMAGE_URL,
    DEVICES,
    ONE_DEVICE,
    PHOTO_FIELDS,
    PHOTO_SOURCES,
    async_command,
    async_each,
    async_get_one_terminal,
    async_get_terminals,
    async_load_photo,
    async_run_on_each,
    raise_first,
    terminal_time,
)
from .attendance import async_setup_attendance
from .const import ATTR_CUSTOM_ID, ATTR_PERSON_ID, ATTR_TERMINAL_ID, DOMAIN
from .errors import TerminalCommandError
from .face_tools import async_setup_face_tools
from .guests.actions import async_setup_guest_actions
from .protocol.commands import MAX_QRCODE_DATA_BYTES, MAX_SEARCH_COUNT, MAX_SHOW_INFO_BYTES
from .protocol.text import utf8_len
from .roster.photo_check import async_check_enrol_photo
from .roster.services import async_setup_roster_services
from .services_screen import async_setup_screen_services
from .validation import VALIDITY_BOUND, check_one_source, invalid_input, validity_bound

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine
    from datetime import date, datetime

    from homeassistant.util.json import JsonValueType

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

# SearchPersonList-Ack 466 and GetAudio-Ack 463 mean "nothing found", not a failure.
NO_MATCHING_PERSON: Final = 466
NO_SOUND_FILES: Final = 463

_SCREEN_POSITION = vol.All(vol.Coerce(int), vol.Range(min=MIN_SCREEN_PIXELS, max=MAX_SCREEN_PIXELS))

UNLOCK_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): DEVICES,
        vol.Optional(ATTR_MESSAGE): cv.string,
    }
)

ENROL_PERSON_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): DEVICES,
        vol.Required(ATTR_CUSTOM_ID): cv.string,
        vol.Required(ATTR_NAME): cv.string,
        **PHOTO_FIELDS,
        vol.Optional(ATTR_PERSON_TYPE, default=PERSON_TYPE_ALLOW): vol.In(list(PERSON_TYPES)),
        vol.Optional(ATTR_VALID_FROM): VALIDITY_BOUND,
        vol.Optional(ATTR_VALID_UNTIL): VALIDITY_BOUND,
    }
)

DELETE_PERSON_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): DEVICES,
        vol.Required(ATTR_CUSTOM_ID): cv.string,
    }
)

LIST_PERSONS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): ONE_DEVICE,
        vol.Optional(ATTR_NAME): cv.string,
        vol.Optional(ATTR_OFFSET, default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
        vol.Optional(ATTR_LIMIT, default=DEFAULT_LIST_LIMIT): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_LIST_LIMIT)
        ),
    }
)

PLAY_VOICE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): DEVICES,
        vol.Required(ATTR_FILE): cv.string,
        vol.Optional(ATTR_SET, default=VOICE_SET_BUILTIN): vol.In(
            [VOICE_SET_BUILTIN, VOICE_SET_CUSTOM]
        ),
    }
)

LIST_VOICES_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): ONE_DEVICE})

SHOW_QR_CODE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): DEVICES,
        vol.Optional(ATTR_TEXT): vol.All(cv.string, vol.Length(min=1)),
        vol.Optional(ATTR_IMAGE_PATH): cv.string,
        vol.Optional(ATTR_IMAGE_URL): cv.url,
        vol.Optional(ATTR_X, default=MIN_SCREEN_PIXELS): _SCREEN_POSITION,
        vol.Optional(ATTR_Y, default=MIN_SCREEN_PIXELS): _SCREEN_POSITION,
        vol.Optional(ATTR_WIDTH, default=200): _SCREEN_POSITION,
        vol.Optional(ATTR_HEIGHT, default=200): _SCREEN_POSITION,
    }
)

HIDE_QR_CODE_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): DEVICES})


# --- helpers ---------------------------------------------------------------------------


def _iso(value: datetime) -> str:
    """ISO text of a terminal time, in Home Assistant's time zone."""
    return value.replace(tzinfo=dt_util.get_default_time_zone()).isoformat()


def _check_custom_id(custom_id: str) -> None:
    if not custom_id.strip() or utf8_len(custom_id) > MAX_CUSTOM_ID_BYTES:
        raise invalid_input("custom_id_invalid", max_bytes=str(MAX_CUSTOM_ID_BYTES))


def _check_name(name: str) -> None:
    if not name.strip() or utf8_len(name) > MAX_NAME_BYTES:
        raise invalid_input("name_invalid", max_bytes=str(MAX_NAME_BYTES))


def _validity(call: ServiceCall) -> tuple[datetime | None, datetime | None]:
    valid_from: date | None = call.data.get(ATTR_VALID_FROM)
    valid_until: date | None = call.data.get(ATTR_VALID_UNTIL)
    if valid_from is None and valid_until is None:
        return None, None
    if valid_from is None or valid_until is None:
        raise invalid_input("validity_incomplete")
    begin = terminal_time(validity_bound(valid_from, until=False))
    end = terminal_time(validity_bound(valid_until, until=True))
    if begin >= end:
        raise invalid_input("validity_order")
    return begin, end


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


# --- handlers ---------------------------------------------------------------------------


async def _async_unlock(call: ServiceCall) -> None:
    message: str | None = call.data.get(ATTR_MESSAGE)
    if message is not None and utf8_len(message) > MAX_MESSAGE_BYTES:
        raise invalid_input("message_too_long", max_bytes=str(MAX_MESSAGE_BYTES))
    terminals = async_get_terminals(call)
    await async_run_on_each(terminals, lambda terminal: terminal.door.async_unlock(message))


async def _async_enrol_person(call: ServiceCall) -> ServiceResponse:
    custom_id: str = call.data[ATTR_CUSTOM_ID]
    name: str = call.data[ATTR_NAME]
    _check_custom_id(custom_id)
    _check_name(name)
    check_one_source(call, PHOTO_SOURCES, "photo_source_count")
    valid_from, valid_until = _validity(call)
    terminals = async_get_terminals(call)
    picture = await photo.async_prepare_face_photo(call.hass, await async_load_photo(call))
    await async_check_enrol_photo(call.hass, terminals, picture)
    spec = protocol.PersonSpec(
        custom_id=custom_id,
        name=name,
        person_type=PERSON_TYPES[call.data[ATTR_PERSON_TYPE]],
        temp_card_type=0 if valid_from is None else 1,
        valid_from=valid_from,
        valid_until=valid_until,
        picture=picture,
    )
    enrol = protocol.EnrolPerson(spec)
    results = await async_each(terminals, lambda terminal: terminal.async_request(enrol))
    if not call.return_response:
        raise_first(results)
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
    terminals = async_get_terminals(call)
    delete = protocol.DeletePerson(custom_id)
    await async_run_on_each(terminals, lambda terminal: terminal.async_request(delete))


async def _async_list_persons(call: ServiceCall) -> ServiceResponse:
    name: str | None = call.data.get(ATTR_NAME)
    if name is not None:
        _check_name(name)
    search = protocol.SearchPersons(
        name=name, offset=call.data[ATTR_OFFSET], count=call.data[ATTR_LIMIT]
    )
    try:
        ack = await async_command(
            lambda terminal: terminal.async_request(search), async_get_one_terminal(call)
        )
    except TerminalCommandError as err:
        if err.code != NO_MATCHING_PERSON:
            raise
        return {"total": 0, "persons": []}
    # The session resolves a command only with its own -Ack, which parses as this type.
    assert isinstance(ack, protocol.SearchPersonListAck)
    persons: list[JsonValueType] = [_person(record) for record in ack.persons]
    return {"total": ack.total if ack.total is not None else len(persons), "persons": persons}


async def _async_play_voice(call: ServiceCall) -> None:
    file_name: str = call.data[ATTR_FILE].strip()
    custom = call.data[ATTR_SET] == VOICE_SET_CUSTOM
    if not file_name.lower().endswith(".wav") or "/" in file_name or "\\" in file_name:
        raise invalid_input("voice_file_invalid")
    if custom and not file_name.lower().endswith("_c.wav"):
        raise invalid_input("custom_voice_file_invalid")
    terminals = async_get_terminals(call)
    play = protocol.PlayVoice(file_name, custom=custom)
    await async_run_on_each(terminals, lambda terminal: terminal.async_request(play))


async def _async_list_voices(call: ServiceCall) -> ServiceResponse:
    try:
        ack = await async_get_one_terminal(call).async_request(protocol.ListVoices())
    except TerminalCommandError as err:
        if err.code != NO_SOUND_FILES:
            raise
        return {VOICE_SET_BUILTIN: [], VOICE_SET_CUSTOM: []}
    assert isinstance(ack, protocol.AudioAck)  # only GetAudio-Ack answers GetAudio
    builtin: list[JsonValueType] = list(ack.builtin)
    custom: list[JsonValueType] = list(ack.custom)
    return {VOICE_SET_BUILTIN: builtin, VOICE_SET_CUSTOM: custom}


async def _async_show_qr_code(call: ServiceCall) -> None:
    check_one_source(call, (ATTR_TEXT, ATTR_IMAGE_PATH, ATTR_IMAGE_URL), "qr_source_count")
    text: str | None = call.data.get(ATTR_TEXT)
    if text is not None and utf8_len(text) > MAX_QRCODE_DATA_BYTES:
        raise invalid_input("qr_text_too_long", max_bytes=str(MAX_QRCODE_DATA_BYTES))
    terminals = async_get_terminals(call)
    image: bytes | None = None
    if text is None:
        # The schema has no camera field: the picture is a file or a URL.
        image = await async_load_photo(call)
        photo.check_qr_image(image)
    position = {
        "x": call.data[ATTR_X],
        "y": call.data[ATTR_Y],
        "width": call.data[ATTR_WIDTH],
        "height": call.data[ATTR_HEIGHT],
    }
    show = protocol.ShowQRCode(text=text, image=image, **position)
    await async_run_on_each(terminals, lambda terminal: terminal.screen_qr.async_show(show))


async def _async_hide_qr_code(call: ServiceCall) -> None:
    terminals = async_get_terminals(call)
    await async_run_on_each(terminals, lambda terminal: terminal.screen_qr.async_hide())


# --- registration -----------------------------------------------------------------------

type _Handler = Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]

_TERMINAL_ACTIONS: Final[tuple[tuple[str, _Handler, vol.Schema, SupportsResponse], ...]] = (
    (SERVICE_UNLOCK, _async_unlock, UNLOCK_SCHEMA, SupportsResponse.NONE),
    (SERVICE_ENROL_PERSON, _async_enrol_person, ENROL_PERSON_SCHEMA, SupportsResponse.OPTIONAL),
    (SERVICE_DELETE_PERSON, _async_delete_person, DELETE_PERSON_SCHEMA, SupportsResponse.NONE),
    (SERVICE_LIST_PERSONS, _async_list_persons, LIST_PERSONS_SCHEMA, SupportsResponse.ONLY),
    (SERVICE_PLAY_VOICE, _async_play_voice, PLAY_VOICE_SCHEMA, SupportsResponse.NONE),
    (SERVICE_LIST_VOICES, _async_list_voices, LIST_VOICES_SCHEMA, SupportsResponse.ONLY),
    (SERVICE_SHOW_QR_CODE, _async_show_qr_code, SHOW_QR_CODE_SCHEMA, SupportsResponse.NONE),
    (SERVICE_HIDE_QR_CODE, _async_hide_qr_code, HIDE_QR_CODE_SCHEMA, SupportsResponse.NONE),
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration: this module's, then each action module's."""
    for name, handler, schema, supports_response in _TERMINAL_ACTIONS:
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=supports_response
        )
    async_setup_screen_services(hass)
    async_setup_face_tools(hass)
    async_setup_access_actions(hass)
    async_setup_roster_services(hass)
    async_setup_attendance(hass)
    async_setup_guest_actions(hass)
