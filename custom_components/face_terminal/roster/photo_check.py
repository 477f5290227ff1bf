"""Photos checked before a sync or an enrolment sends them: refused with a reason.

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
``enrol_person`` runs the same checks (`async_check_enrol_photo`) and refuses a photo
that fails with a translated `ServiceValidationError` naming the reason; a terminal whose
face detection does not answer within `ENROL_DETECT_TIMEOUT` lets the photo pass.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from homeassistant.exceptions import HomeAssistantError
from PIL import Image, UnidentifiedImageError

from .. import protocol
from ..const import LOGGER
from ..protocol.face_tools import face_detected
from ..validation import invalid_input

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence
    from pathlib import Path

    from homeassistant.core import HomeAssistant

    from ..port import TerminalPort
    from .entries import RosterEntry

MIN_SIDE: Final = 120
MIN_FILE_BYTES: Final = 1000
DETECT_LIMIT: Final = 50
ENROL_DETECT_TIMEOUT: Final = 5.0
"""Seconds an enrolment waits for the terminal's face detection before sending anyway."""

PROBLEM_FILE_TOO_SMALL: Final = "photo_file_too_small"
PROBLEM_NOT_A_PICTURE: Final = "photo_not_a_picture"
PROBLEM_TOO_FEW_PIXELS: Final = "photo_too_few_pixels"
PROBLEM_NO_FACE: Final = "photo_no_face"
REASONS: Final = {
    PROBLEM_FILE_TOO_SMALL: (
        "the photo file is smaller than the terminal's minimum of {min_bytes} bytes"
    ),
    PROBLEM_NOT_A_PICTURE: "the photo is not a picture the terminal can use",
    PROBLEM_TOO_FEW_PIXELS: (
        "the photo is {width} x {height} pixels; the terminal needs at least {min_side} "
        "pixels on each side to find a face"
    ),
    PROBLEM_NO_FACE: "the terminal finds no face on the photo",
}
"""A sync report's reason (English, like the rest of its response) by problem; the
same problems raised by an action are translated (``exceptions`` in strings.json)."""
REASON_NOT_A_PICTURE: Final = REASONS[PROBLEM_NOT_A_PICTURE]
REASON_NO_FACE: Final = REASONS[PROBLEM_NO_FACE]


@dataclass(frozen=True, slots=True)
class PhotoProblem:
    """Why the terminal would refuse a photo: a translation key and its placeholders."""

    key: str
    placeholders: dict[str, str] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The reason in a sync's report."""
        return REASONS[self.key].format(**self.placeholders)


def find_problem(data: bytes) -> PhotoProblem | None:
    """Why the terminal would refuse these (prepared) photo bytes; None: nothing found."""
    if len(data) < MIN_FILE_BYTES:
        return PhotoProblem(PROBLEM_FILE_TOO_SMALL, {"min_bytes": str(MIN_FILE_BYTES)})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            width, height = image.size
    except UnidentifiedImageError, OSError, SyntaxError, ValueError:
        return PhotoProblem(PROBLEM_NOT_A_PICTURE)
    if min(width, height) < MIN_SIDE:
        return PhotoProblem(
            PROBLEM_TOO_FEW_PIXELS,
            {"width": str(width), "height": str(height), "min_side": str(MIN_SIDE)},
        )
    return None


def check_prepared(data: bytes) -> str | None:
    """Why the terminal would refuse these (prepared) photo bytes, as a sync reports it."""
    problem = find_problem(data)
    return None if problem is None else problem.reason


async def async_detect_face(
    terminal: TerminalPort,
    data: bytes,
    timeout: float | None = None,  # noqa: ASYNC109 - the request's deadline, lane wait included
    *,
    background: bool = True,
) -> bool | None:
    """Whether the terminal's face detection finds a face on `data`; None: it cannot say.

    A sync's checks are background work in the session's checks lane: a person's command
    never waits for them. An enrolment's check (`background=False`) is the person's own
    command and does not wait behind a sync's.
    """
    try:
        ack = await terminal.async_request(
            protocol.DetectFace(data), timeout=timeout, background=background
        )
    except HomeAssistantError, protocol.CommandError:
        LOGGER.debug("%s: no face detection for the photo", terminal.display_name)
        return None
    return face_detected(ack)


async def async_check_enrol_photo(
    hass: HomeAssistant, terminals: Sequence[TerminalPort], data: bytes
) -> None:
    """Refuse an enrolment's (prepared) photo that will fail, before anything is sent.

    The local checks first; then the face detection of the first terminal that answers.

    Raises:
        ServiceValidationError: translated, naming why the photo will fail.
    """
    problem = await hass.async_add_executor_job(find_problem, data)
    if problem is None:
        for terminal in terminals:
            found = await async_detect_face(terminal, data, ENROL_DETECT_TIMEOUT, background=False)
            if found is False:
                problem = PhotoProblem(PROBLEM_NO_FACE, {"terminal": terminal.display_name})
            if found is not None:
                break
    if problem is not None:
        raise invalid_input(problem.key, **problem.placeholders)


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
            except OSError:
                found = None
            else:
                found = await async_detect_face(terminal, data)
            if found is None:
                self._unable.add(terminal.terminal_id)
            elif found is False:
                result = REASON_NO_FACE
            verdict.set_result(result)
        return await asyncio.shield(verdict)
