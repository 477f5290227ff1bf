"""Face tools as actions with response data (V1.24 §17-19).

* ``compare_faces``: how similar the faces on two photos are (0-100).
* ``identify_face``: who in a terminal's library a photo shows ("who is at the doorbell
  camera?"), with the linked Home Assistant person where there is one.
* ``check_face_photo``: whether the terminal finds a face on a photo (before enrolling).

Photos come from a file, a URL or any camera entity, like ``enrol_person``'s, and are
scaled down to what the terminal accepts. The terminal does the work; these actions only
send one command and read its answer. Responses never hold a picture. Registered by
`services.async_setup_services`; the terminal and the photo fields are `action_helpers`'.
"""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv

from . import photo, protocol
from .action_helpers import (
    ONE_DEVICE,
    PHOTO_FIELDS,
    PHOTO_SOURCES,
    async_get_one_terminal,
    async_load_photo,
)
from .const import ATTR_PERSON_ENTITY_ID, DOMAIN
from .errors import TerminalCommandError
from .people import linked_person
from .protocol.face_tools import (
    DEFAULT_MIN_SIMILARITY,
    MAX_SEARCH_RESULTS,
    NO_MATCH,
    face_detected,
    search_matches,
    similarity_of,
)
from .validation import check_one_source

SERVICE_COMPARE_FACES: Final = "compare_faces"
SERVICE_IDENTIFY_FACE: Final = "identify_face"
SERVICE_CHECK_FACE_PHOTO: Final = "check_face_photo"

ATTR_SECOND_IMAGE_PATH: Final = "second_image_path"
ATTR_SECOND_IMAGE_URL: Final = "second_image_url"
ATTR_SECOND_CAMERA_ENTITY_ID: Final = "second_camera_entity_id"
ATTR_MIN_SIMILARITY: Final = "min_similarity"
ATTR_MAX_RESULTS: Final = "max_results"

# Two photos share one command of at most 1 MB: each gets half of the usual budget.
COMPARE_PHOTO_BYTES: Final = 340 * 1024
FIRST: Final = PHOTO_SOURCES
SECOND: Final = (ATTR_SECOND_IMAGE_PATH, ATTR_SECOND_IMAGE_URL, ATTR_SECOND_CAMERA_ENTITY_ID)

COMPARE_FACES_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): ONE_DEVICE,
        **PHOTO_FIELDS,
        vol.Optional(ATTR_SECOND_IMAGE_PATH): cv.string,
        vol.Optional(ATTR_SECOND_IMAGE_URL): cv.url,
        vol.Optional(ATTR_SECOND_CAMERA_ENTITY_ID): cv.entity_domain("camera"),
    }
)
IDENTIFY_FACE_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): ONE_DEVICE,
        **PHOTO_FIELDS,
        vol.Optional(ATTR_MIN_SIMILARITY, default=DEFAULT_MIN_SIMILARITY): vol.All(
            vol.Coerce(float), vol.Range(min=0, max=100)
        ),
        vol.Optional(ATTR_MAX_RESULTS, default=1): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_SEARCH_RESULTS)
        ),
    }
)
CHECK_FACE_PHOTO_SCHEMA: Final = vol.Schema(
    {vol.Required(ATTR_DEVICE_ID): ONE_DEVICE, **PHOTO_FIELDS}
)


async def _async_photo(call: ServiceCall, sources: tuple[str, str, str], max_bytes: int) -> bytes:
    data = await async_load_photo(call, sources)
    return await photo.async_prepare_face_photo(call.hass, data, max_bytes)


async def _async_compare_faces(call: ServiceCall) -> ServiceResponse:
    check_one_source(call, FIRST, "photo_source_count")
    check_one_source(call, SECOND, "photo_source_count")
    terminal = async_get_one_terminal(call)
    first = await _async_photo(call, FIRST, COMPARE_PHOTO_BYTES)
    second = await _async_photo(call, SECOND, COMPARE_PHOTO_BYTES)
    ack = await terminal.async_request(protocol.CompareFaces(first, second))
    return {"similarity": similarity_of(ack)}


async def _async_identify_face(call: ServiceCall) -> ServiceResponse:
    check_one_source(call, FIRST, "photo_source_count")
    terminal = async_get_one_terminal(call)
    picture = await _async_photo(call, FIRST, photo.MAX_FACE_PHOTO_BYTES)
    try:
        ack = await terminal.async_request(
            protocol.SearchFace(
                picture,
                min_similarity=call.data[ATTR_MIN_SIMILARITY],
                max_results=call.data[ATTR_MAX_RESULTS],
            )
        )
    except TerminalCommandError as err:
        if err.code != NO_MATCH:
            raise
        return {"matches": []}
    matches: list[Any] = [
        {
            "custom_id": match.custom_id,
            "name": match.name,
            "similarity": match.similarity,
            "blacklisted": None if match.person_type is None else match.person_type == 1,
            ATTR_PERSON_ENTITY_ID: linked_person(terminal.entry, match.custom_id),
        }
        for match in search_matches(ack)
    ]
    return {"matches": matches}


async def _async_check_face_photo(call: ServiceCall) -> ServiceResponse:
    check_one_source(call, FIRST, "photo_source_count")
    terminal = async_get_one_terminal(call)
    picture = await _async_photo(call, FIRST, photo.MAX_FACE_PHOTO_BYTES)
    ack = await terminal.async_request(protocol.DetectFace(picture))
    return {"face_detected": face_detected(ack)}


@callback
def async_setup_face_tools(hass: HomeAssistant) -> None:
    """Register the face tool actions."""
    for name, handler, schema in (
        (SERVICE_COMPARE_FACES, _async_compare_faces, COMPARE_FACES_SCHEMA),
        (SERVICE_IDENTIFY_FACE, _async_identify_face, IDENTIFY_FACE_SCHEMA),
        (SERVICE_CHECK_FACE_PHOTO, _async_check_face_photo, CHECK_FACE_PHOTO_SCHEMA),
    ):
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=SupportsResponse.ONLY
        )
