"""Roster photos served to the terminals over Home Assistant's own HTTP server.

Batch enrolment (V1.24 §4.10) takes pictures only as URLs the terminal downloads. A roster
sync publishes each prepared photo under a random, unguessable token; the view answers
only for tokens that are published and not expired, without authentication (terminals
cannot log in), and nothing else is reachable through it. The sync revokes its tokens
when it ends, so the URLs stop working; a hard lifetime covers a sync that never ends.

The base URL is Home Assistant's local network URL: terminals sit on the LAN and cannot
reach a cloud or external address reliably. Without one, callers fall back to inline
photos.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from aiohttp import web
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from homeassistant.core import HomeAssistant

PHOTO_URL_PREFIX: Final = f"/api/{DOMAIN}/roster_photo"
PHOTO_LIFETIME: Final = 4 * 3600.0
"""Seconds after which a published photo is gone even if its sync never revoked it."""
MAX_SERVED_BYTES: Final = 1024 * 1024
TOKEN_BYTES: Final = 32

DATA_PHOTO_SERVER: HassKey[PhotoServer] = HassKey(f"{DOMAIN}_photo_server")


@dataclass(slots=True, frozen=True)
class _Published:
    path: Path
    expires: float


class PhotoServer:
    """The published photos: token -> file, each until revoked or expired."""

    def __init__(self) -> None:
        """Start with nothing published."""
        self._photos: dict[str, _Published] = {}

    def publish(self, path: Path) -> str:
        """Publish a prepared photo file; return its token."""
        self._expire()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self._photos[token] = _Published(path, time.monotonic() + PHOTO_LIFETIME)
        return token

    def revoke(self, tokens: Iterable[str]) -> None:
        """Stop serving these tokens."""
        for token in tokens:
            self._photos.pop(token, None)

    def lookup(self, token: str) -> Path | None:
        """The file of a published, unexpired token."""
        published = self._photos.get(token)
        if published is None:
            return None
        if published.expires <= time.monotonic():
            del self._photos[token]
            return None
        return published.path

    def __len__(self) -> int:
        """How many photos are published."""
        return len(self._photos)

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [token for token, item in self._photos.items() if item.expires <= now]:
            del self._photos[token]


class RosterPhotoView(HomeAssistantView):
    """``GET /api/face_terminal/roster_photo/<token>``: one published photo, or 404."""

    url = PHOTO_URL_PREFIX + "/{token}"
    name = f"api:{DOMAIN}:roster_photo"
    requires_auth = False

    async def get(self, request: web.Request, token: str) -> web.StreamResponse:
        """Answer with the JPEG of a published token; anything else is not found."""
        hass = request.app[KEY_HASS]
        server = hass.data.get(DATA_PHOTO_SERVER)
        path = None if server is None else server.lookup(token)
        if path is None:
            return web.Response(status=404)
        data = await hass.async_add_executor_job(_read, path)
        if data is None:
            return web.Response(status=404)
        return web.Response(
            body=data, content_type="image/jpeg", headers={"Cache-Control": "no-store"}
        )


def _read(path: Path) -> bytes | None:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_SERVED_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_SERVED_BYTES else None


def async_get_photo_server(hass: HomeAssistant) -> PhotoServer:
    """The photo server, registering the view on first use."""
    server = hass.data.get(DATA_PHOTO_SERVER)
    if server is None:
        server = hass.data[DATA_PHOTO_SERVER] = PhotoServer()
        hass.http.register_view(RosterPhotoView())
    return server


def local_base_url(hass: HomeAssistant) -> str | None:
    """Home Assistant's URL on the local network, or None when it has none."""
    try:
        return get_url(
            hass,
            allow_internal=True,
            allow_external=False,
            allow_cloud=False,
            allow_ip=True,
            prefer_external=False,
        )
    except NoURLAvailableError:
        return None


def photo_url(base_url: str, token: str) -> str:
    """The URL a terminal downloads a published photo from."""
    return f"{base_url.rstrip('/')}{PHOTO_URL_PREFIX}/{token}"
