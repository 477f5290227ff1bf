"""QR pictures of new passes, served by Home Assistant under unguessable, expiring URLs.

A pass's picture shows its code, so it is as secret as the code: it lives in memory
only (gone after a restart), under a random 256-bit path token, until the pass ends or
`PICTURE_LIFETIME` passes, whichever comes first. The view answers without
authentication (a notification's image is fetched by the phone) and only for a token
that is published and not expired; anything else is 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from aiohttp import web
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from . import qr
from .expiring import ExpiringTokens

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

PICTURE_URL_PREFIX: Final = f"/api/{DOMAIN}/guest_pass"
PICTURE_LIFETIME: Final = 24 * 3600.0
TOKEN_BYTES: Final = 32

DATA_PICTURES: HassKey[PassPictures] = HassKey(f"{DOMAIN}_guest_pass_pictures")


class PassPictures:
    """Published pictures: token -> PNG, each until it expires."""

    def __init__(self) -> None:
        """Nothing is published at first."""
        self._pictures = ExpiringTokens[bytes](TOKEN_BYTES)

    def publish(self, code: str, lifetime: float) -> str:
        """Draw the QR code of `code`; return the token of its URL path."""
        return self._pictures.add(qr.png(code), max(0.0, min(lifetime, PICTURE_LIFETIME)))

    def lookup(self, token: str) -> bytes | None:
        """The PNG of a published, unexpired token."""
        return self._pictures.get(token)

    def __len__(self) -> int:
        """How many pictures are published."""
        return len(self._pictures)


class PassPictureView(HomeAssistantView):
    """``GET /api/face_terminal/guest_pass/<token>``: a published picture, or 404."""

    url = PICTURE_URL_PREFIX + "/{token}"
    name = f"api:{DOMAIN}:guest_pass"
    requires_auth = False

    async def get(self, request: web.Request, token: str) -> web.StreamResponse:
        """Answer with the PNG of a published token."""
        pictures = request.app[KEY_HASS].data.get(DATA_PICTURES)
        png = None if pictures is None else pictures.lookup(token)
        if png is None:
            return web.Response(status=404)
        return web.Response(
            body=png,
            content_type="image/png",
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )


def async_get_pictures(hass: HomeAssistant) -> PassPictures:
    """The published pictures, registering the view on first use."""
    pictures = hass.data.get(DATA_PICTURES)
    if pictures is None:
        pictures = hass.data[DATA_PICTURES] = PassPictures()
        hass.http.register_view(PassPictureView())
    return pictures


def picture_url(hass: HomeAssistant, token: str) -> str:
    """The picture's URL: Home Assistant's own address if it has one, else the path."""
    path = f"{PICTURE_URL_PREFIX}/{token}"
    try:
        return get_url(hass, allow_internal=True, prefer_external=True) + path
    except NoURLAvailableError:
        return path
