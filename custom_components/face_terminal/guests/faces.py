"""Faces of strangers, kept in memory for a few minutes so that someone can let them in.

A live stranger snapshot's face is kept here under a random reference (``face_ref`` in
the ``face_terminal_stranger`` event) for `FACE_LIFETIME` seconds, at most `MAX_FACES`
at a time; it is never written anywhere (no storage, no state, no diagnostics) and is
gone after a restart. The reference is what the visitor actions take. The face itself
is served only to a logged-in user (`StrangerFaceView`, for a notification's picture).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from aiohttp import web
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from .expiring import ExpiringTokens

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from ..protocol import Image

FACE_LIFETIME: Final = 300.0
MAX_FACES: Final = 32
FACE_URL_PREFIX: Final = f"/api/{DOMAIN}/stranger_face"

DATA_FACES: HassKey[StrangerFaces] = HassKey(f"{DOMAIN}_stranger_faces")


@dataclass(frozen=True, slots=True)
class KeptFace:
    """A stranger's face and where it was seen."""

    image: Image
    terminal_id: str
    device_id: str


class StrangerFaces:
    """References to recent strangers' faces, each for a few minutes."""

    def __init__(self) -> None:
        """Nothing is kept at first."""
        self._faces = ExpiringTokens[KeptFace](16, limit=MAX_FACES)

    def keep(self, image: Image, *, terminal_id: str, device_id: str) -> str:
        """Keep a face for `FACE_LIFETIME` s; return its reference."""
        return self._faces.add(KeptFace(image, terminal_id, device_id), FACE_LIFETIME)

    def get(self, ref: str) -> KeptFace | None:
        """The kept face of `ref`, unless it expired or was never kept."""
        return self._faces.get(ref)

    def __len__(self) -> int:
        """How many faces are kept."""
        return len(self._faces)


class StrangerFaceView(HomeAssistantView):
    """``GET /api/face_terminal/stranger_face/<ref>``: a kept face, for logged-in users."""

    url = FACE_URL_PREFIX + "/{ref}"
    name = f"api:{DOMAIN}:stranger_face"
    requires_auth = True

    async def get(self, request: web.Request, ref: str) -> web.StreamResponse:
        """Answer with the face, or 404 once it is gone."""
        faces = request.app[KEY_HASS].data.get(DATA_FACES)
        face = None if faces is None else faces.get(ref)
        if face is None:
            return web.Response(status=404)
        return web.Response(
            body=face.image.data,
            content_type=face.image.content_type,
            headers={"Cache-Control": "no-store"},
        )


def async_get_stranger_faces(hass: HomeAssistant) -> StrangerFaces:
    """The kept faces, registering the view on first use."""
    faces = hass.data.get(DATA_FACES)
    if faces is None:
        faces = hass.data[DATA_FACES] = StrangerFaces()
        hass.http.register_view(StrangerFaceView())
    return faces
