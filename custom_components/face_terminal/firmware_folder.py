"""Firmware files a user keeps in a folder, offered by the firmware update entity.

A terminal cannot tell whether newer firmware exists, and there is no public feed of it:
without a folder the update entity claims nothing (its latest version is unknown). With
one (the terminal's option "Firmware folder", a folder Home Assistant may read), the
newest ``.swx`` file found there is offered, named by its file name; installing it
serves that file to the terminal at an unguessable URL on Home Assistant's local address
for as long as an installation may take, and sends ``Upgrade`` with it (V1.24 §7.1).
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from aiohttp import web
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, UPGRADE_INSTALL_TIMEOUT
from .photo_server import local_base_url

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

FIRMWARE_SUFFIX: Final = ".swx"
URL_PATH: Final = f"/api/{DOMAIN}/firmware"
SERVE_SECONDS: Final = UPGRADE_INSTALL_TIMEOUT.total_seconds()
MAX_FILES: Final = 200
"""Files looked at in a folder at most (the newest by version among them is offered)."""
_DIGITS: Final = re.compile(r"(\d+)")


@dataclass(frozen=True, slots=True)
class FirmwareFile:
    """A firmware file found in the folder: its version name and where it is."""

    version: str
    path: Path


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Order versions the way people read them: numbers by value (v12.10 after v12.9)."""
    return tuple(
        (1, int(part)) if part.isdigit() else (0, part.casefold())
        for part in _DIGITS.split(version)
        if part
    )


def newest_firmware(folder: str) -> FirmwareFile | None:
    """The newest ``.swx`` file in `folder` by its version name; None when there is none.

    Runs in the executor (it lists a folder). A folder that cannot be read has none.
    """
    try:
        paths = [
            path
            for _, path in zip(range(MAX_FILES), Path(folder).iterdir(), strict=False)
            if path.suffix.casefold() == FIRMWARE_SUFFIX and path.is_file()
        ]
    except OSError:
        return None
    if not paths:
        return None
    newest = max(paths, key=lambda path: version_key(path.stem))
    return FirmwareFile(newest.stem, newest)


@dataclass(frozen=True, slots=True)
class _Served:
    path: Path
    expires: float


class FirmwareServer:
    """Firmware files served by token, each until its installation may be over."""

    def __init__(self) -> None:
        """Nothing served at first."""
        self._files: dict[str, _Served] = {}

    def publish(self, path: Path) -> str:
        """Serve `path`; return its token."""
        now = time.monotonic()
        self._files = {token: item for token, item in self._files.items() if item.expires > now}
        token = secrets.token_urlsafe(32)
        self._files[token] = _Served(path, now + SERVE_SECONDS)
        return token

    def lookup(self, token: str) -> Path | None:
        """The file of a served, unexpired token."""
        served = self._files.get(token)
        if served is None or served.expires <= time.monotonic():
            return None
        return served.path


DATA_FIRMWARE_SERVER: HassKey[FirmwareServer] = HassKey(f"{DOMAIN}_firmware_server")


class FirmwareView(HomeAssistantView):
    """``GET /api/face_terminal/firmware/<token>/<name>``: a served file, or 404.

    No authentication (terminals cannot log in): the token is the secret.
    """

    url = URL_PATH + "/{token}/{name}"
    name = f"api:{DOMAIN}:firmware"
    requires_auth = False

    async def get(self, request: web.Request, token: str, name: str) -> web.StreamResponse:
        """Stream the file of a served token."""
        server = request.app[KEY_HASS].data.get(DATA_FIRMWARE_SERVER)
        path = None if server is None else server.lookup(token)
        if path is None or path.name != name:
            return web.Response(status=404)
        return web.FileResponse(path, headers={"Cache-Control": "no-store"})


def firmware_url(hass: HomeAssistant, path: Path) -> str | None:
    """Serve `path` and return the URL a terminal downloads it from (None: no local URL)."""
    base = local_base_url(hass)
    if base is None:
        return None
    server = hass.data.get(DATA_FIRMWARE_SERVER)
    if server is None:
        server = hass.data[DATA_FIRMWARE_SERVER] = FirmwareServer()
        hass.http.register_view(FirmwareView())
    return f"{base.rstrip('/')}{URL_PATH}/{server.publish(path)}/{path.name}"
