"""Screen advertisements (V1.24 §12): pictures made to fit, served to the terminal.

The terminal downloads an advertisement from a URL itself. Whatever the source (a file, a
URL, a camera), Home Assistant first checks and converts the picture to what §12 allows -
a JPEG of at most 800x1280 pixels (the 8-inch screen; larger pictures are scaled down,
keeping their proportions) - and then serves it at an unguessable, short-lived URL on its
internal address, so the terminal never needs access to the original source.
"""

from __future__ import annotations

import io
import secrets
import time
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from aiohttp import web
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.util.hass_dict import HassKey
from PIL import Image

from .const import DOMAIN
from .photo import _load, _open
from .protocol.settings import AD_MAX_HEIGHT, AD_MAX_WIDTH

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

AD_SERVE_SECONDS: Final = 600.0
"""How long a prepared advertisement stays downloadable (the terminal fetches it at once)."""
MAX_SERVED: Final = 16
AD_JPEG_QUALITY: Final = 88
URL_PATH: Final = "/api/face_terminal/advertisement"


class ServedPictures:
    """Prepared advertisements by token, each until it expires; at most `MAX_SERVED`."""

    def __init__(self) -> None:
        """Nothing is served at first."""
        self._pictures: dict[str, tuple[bytes, float]] = {}

    def add(self, data: bytes) -> str:
        """Serve `data`; return its token."""
        self._expire()
        while len(self._pictures) >= MAX_SERVED:
            self._pictures.pop(next(iter(self._pictures)))
        token = secrets.token_urlsafe(32)
        self._pictures[token] = (data, time.monotonic() + AD_SERVE_SECONDS)
        return token

    def get(self, token: str) -> bytes | None:
        """The picture of a token that has not expired."""
        self._expire()
        found = self._pictures.get(token)
        return None if found is None else found[0]

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [token for token, (_, until) in self._pictures.items() if until <= now]:
            del self._pictures[token]


DATA_SERVED: HassKey[ServedPictures] = HassKey(f"{DOMAIN}_advertisements")


class AdvertisementView(HomeAssistantView):
    """Hands a prepared advertisement to the terminal (it cannot log in)."""

    url = URL_PATH + "/{token}"
    name = f"api:{DOMAIN}:advertisement"
    requires_auth = False

    async def get(self, request: web.Request, token: str) -> web.Response:
        """The picture, or 404 for an unknown or expired token."""
        served = request.app[KEY_HASS].data.get(DATA_SERVED)
        data = served.get(token) if served is not None else None
        if data is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        return web.Response(body=data, content_type="image/jpeg")


def prepare_advertisement(data: bytes) -> bytes:
    """A JPEG of at most 800x1280 pixels made from any picture Pillow reads."""
    image = _open(data)
    _load(image)
    if image.mode != "RGB":
        image = image.convert("RGB")
    if image.width > AD_MAX_WIDTH or image.height > AD_MAX_HEIGHT:
        image.thumbnail((AD_MAX_WIDTH, AD_MAX_HEIGHT), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=AD_JPEG_QUALITY)
    return output.getvalue()


async def async_serve_advertisement(hass: HomeAssistant, data: bytes) -> str:
    """Prepare `data` and return the URL the terminal downloads it from."""
    picture = await hass.async_add_executor_job(prepare_advertisement, data)
    try:
        base = get_url(hass, allow_external=False, allow_cloud=False, prefer_external=False)
    except NoURLAvailableError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="no_internal_url"
        ) from err
    served = hass.data.get(DATA_SERVED)
    if served is None:
        served = hass.data[DATA_SERVED] = ServedPictures()
        hass.http.register_view(AdvertisementView())
    return f"{base}{URL_PATH}/{served.add(picture)}"
