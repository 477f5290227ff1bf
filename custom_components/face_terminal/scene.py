"""The terminal's current view on request: `SceneSnapshots` (``FaceTerminal.scene``).

Every picture is a ``GetSceneSnap`` command, which slows the terminal's recognition down
and can approach 1 MB; so concurrent callers (a dashboard, an automation) share one
request and the answer is kept for `SCENE_CACHE_SECONDS`.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from homeassistant.exceptions import HomeAssistantError

from . import protocol
from .const import DOMAIN, SCENE_CACHE_SECONDS

if TYPE_CHECKING:
    from .port import TerminalPort


class SceneSnapshots:
    """Scene pictures of one terminal, shared and briefly cached."""

    def __init__(self, terminal: TerminalPort) -> None:
        """No picture yet."""
        self._terminal = terminal
        self._task: asyncio.Task[bytes] | None = None
        self._last: bytes | None = None
        self._time = 0.0

    @property
    def last(self) -> bytes | None:
        """The last scene picture the terminal sent, if any."""
        return self._last

    async def async_snapshot(self) -> bytes:
        """A fresh scene JPEG; concurrent callers share one request, briefly cached."""
        if self._last is not None and time.monotonic() - self._time < SCENE_CACHE_SECONDS:
            return self._last
        if self._task is None or self._task.done():
            self._task = self._terminal.hass.async_create_task(self._async_fetch())
        return await asyncio.shield(self._task)

    async def _async_fetch(self) -> bytes:
        ack = await self._terminal.async_request(protocol.SnapScene())
        image = ack.image.image if isinstance(ack, protocol.SceneSnapAck) else None
        if image is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="no_scene_image",
                translation_placeholders={"name": self._terminal.display_name},
            )
        self._last = image.data
        self._time = time.monotonic()
        return image.data
