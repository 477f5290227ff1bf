"""Photos checked before a sync sends them: refused with a reason, never half-sent.

What can be checked locally is checked while a photo is prepared (`check_prepared`, in
the executor, on the very bytes the terminal would get): the photo decodes, it has at
least `MIN_SIDE` pixels on its short side (the terminal needs a face of about 100 pixels
to recognise it, V1.24 §9.10), and the file is at least `MIN_FILE_BYTES` (the terminal
refuses a smaller download with error 468). Then, before the first batch goes out,
`PhotoChecker` asks the terminal's own face detection (``DetectFaceFromPic``, §19, as
background work in the session's checks lane: a person's unlock, snapshot or face tool
never waits behind them) about up to `DETECT_LIMIT` photos of the sync; a terminal that
cannot answer is not asked again, and its photos pass. Each photo is asked about once
per sync, whichever terminal asks.

A refused photo's person is not sent at all (nothing half-sent) and is listed with the
reason in the sync's ``refused_photos``; no photo, ID or phone number is in a reason.
"""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING, Final

from homeassistant.exceptions import HomeAssistantError
from PIL import Image, UnidentifiedImageError

from .. import protocol
from ..const import LOGGER
from ..protocol.face_tools import face_detected

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence
    from pathlib import Path

    from ..port import TerminalPort
    from .entries import RosterEntry

MIN_SIDE: Final = 120
MIN_FILE_BYTES: Final = 1000
DETECT_LIMIT: Final = 50
REASON_NOT_A_PICTURE: Final = "the photo is not a picture the terminal can use"
REASON_NO_FACE: Final = "the terminal finds no face on the photo"


def check_prepared(data: bytes) -> str | None:
    """Why the terminal would refuse these (prepared) photo bytes; None: nothing found."""
    if len(data) < MIN_FILE_BYTES:
        return f"the photo file is smaller than the terminal's minimum of {MIN_FILE_BYTES} bytes"
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            width, height = image.size
    except UnidentifiedImageError, OSError, SyntaxError, ValueError:
        return REASON_NOT_A_PICTURE
    if min(width, height) < MIN_SIDE:
        return (
            f"the photo is {width} x {height} pixels; the terminal needs at least "
            f"{MIN_SIDE} pixels on each side to find a face"
        )
    return None


class PhotoChecker:
    """The terminals' face detection about a sync's photos, each photo asked once."""

    def __init__(self, prepared: Callable[[RosterEntry], Awaitable[Path]]) -> None:
        """`prepared` gives an entry's prepared photo file (or raises why it cannot)."""
        self._prepared = prepared
        self._verdicts: dict[str, asyncio.Future[str | None]] = {}
        self._unable: set[str] = set()  # terminal IDs whose face detection did not answer

    async def async_refused(
        self, terminal: TerminalPort, entries: Sequence[RosterEntry], problem: type[Exception]
    ) -> dict[str, str]:
        """The custom IDs among `entries` whose photos will fail, with the reason why.

        `problem` is the error a photo's preparation raises with its reason (local checks).
        """
        refused: dict[str, str] = {}
        for entry in entries:
            try:
                path = await self._prepared(entry)
            except problem as err:
                refused[entry.custom_id] = str(err)
                continue
            reason = await self._async_detect(terminal, entry, path)
            if reason is not None:
                refused[entry.custom_id] = reason
        return refused

    async def _async_detect(
        self, terminal: TerminalPort, entry: RosterEntry, path: Path
    ) -> str | None:
        digest = entry.photo_digest
        assert digest is not None
        verdict = self._verdicts.get(digest)
        if verdict is None:
            if terminal.terminal_id in self._unable or len(self._verdicts) >= DETECT_LIMIT:
                return None
            verdict = self._verdicts[digest] = terminal.hass.loop.create_future()
            result: str | None = None
            try:
                data = await terminal.hass.async_add_executor_job(path.read_bytes)
                ack = await terminal.async_request(protocol.DetectFace(data), background=True)
            except HomeAssistantError, OSError, protocol.CommandError:
                self._unable.add(terminal.terminal_id)
                LOGGER.debug("%s: no face detection for the roster photos", terminal.display_name)
            else:
                if face_detected(ack) is False:
                    result = REASON_NO_FACE
                elif face_detected(ack) is None:
                    self._unable.add(terminal.terminal_id)
            verdict.set_result(result)
        return await asyncio.shield(verdict)
