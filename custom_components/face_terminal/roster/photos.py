"""Roster photos: each prepared once for every terminal, and served to them.

A sync's `PhotoPreparer` re-encodes photos the terminal cannot take as they are
(`photo.prepare_face_photo`), in the executor, two at a time, into a private temporary
folder, while earlier batches run. With a local URL the terminals download them from
Home Assistant (`photo_server`, one unguessable token per photo and sync); without one
they go inline, one person at a time. Closing the preparer revokes the URLs and deletes
the folder.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Final

from homeassistant.exceptions import ServiceValidationError

from ..const import DOMAIN
from ..photo import prepare_face_photo
from ..photo_server import async_get_photo_server, photo_url
from .entries import PROBLEM_PHOTO_UNREADABLE, PROBLEM_TEXTS
from .photo_check import REASON_NOT_A_PICTURE, PhotoChecker, check_prepared

if TYPE_CHECKING:
    from collections.abc import Sequence

    from homeassistant.core import HomeAssistant

    from ..photo_server import PhotoServer
    from .entries import RosterEntry

PREPARE_CONCURRENCY: Final = 2
DELIVERY_URL: Final = "url"
DELIVERY_INLINE: Final = "inline"


class PhotoProblemError(Exception):
    """A photo cannot be sent; the message says why (no personal data)."""


class PhotoPreparer:
    """Prepares each roster photo once (executor) and publishes it for the terminals."""

    def __init__(self, hass: HomeAssistant, base_url: str | None) -> None:
        """`base_url` None: photos go inline, nothing is published."""
        self.hass = hass
        self.base_url = base_url
        self._server: PhotoServer | None = None
        self._tokens: list[str] = []
        self._photos: dict[str, asyncio.Future[Path]] = {}
        self._queue: deque[tuple[Path, asyncio.Future[Path]]] = deque()
        self._workers: list[asyncio.Task[None]] = []
        self._urls: dict[str, str] = {}
        self._folder: Path | None = None
        self._folder_lock = asyncio.Lock()
        # Checked once per sync, whichever terminal asks (`photo_check`).
        self.checker = PhotoChecker(self.async_path)

    @property
    def delivery(self) -> str:
        """How photos reach the terminals."""
        return DELIVERY_URL if self.base_url is not None else DELIVERY_INLINE

    def start(self, entries: Sequence[RosterEntry]) -> None:
        """Queue these photos for preparation (each once), in order.

        A few workers prepare them: queueing a thousand photos costs a thousand futures,
        not a thousand tasks, so the event loop is not held up.
        """
        for entry in entries:
            # The plan only sends photos of entries that have one.
            assert entry.photo is not None
            assert entry.photo_digest is not None
            if entry.photo_digest not in self._photos:
                future: asyncio.Future[Path] = self.hass.loop.create_future()
                # A photo nobody waits for any more must not log "never retrieved".
                future.add_done_callback(
                    lambda done: None if done.cancelled() else done.exception()
                )
                self._photos[entry.photo_digest] = future
                self._queue.append((entry.photo, future))
        self._workers = [worker for worker in self._workers if not worker.done()]
        while self._queue and len(self._workers) < PREPARE_CONCURRENCY:
            self._workers.append(
                self.hass.async_create_background_task(
                    self._async_work(), f"{DOMAIN} prepare roster photos"
                )
            )

    async def _async_work(self) -> None:
        """Prepare queued photos until the queue is empty."""
        while self._queue:
            source, future = self._queue.popleft()
            folder = await self._async_folder()
            try:
                path = await self.hass.async_add_executor_job(_prepare_file, source, folder)
            except PhotoProblemError as err:
                future.set_exception(err)
            else:
                future.set_result(path)

    async def _async_folder(self) -> Path:
        """The private folder for re-encoded photos, made once."""
        async with self._folder_lock:
            if self._folder is None:
                self._folder = Path(
                    await self.hass.async_add_executor_job(
                        lambda: tempfile.mkdtemp(prefix=f"{DOMAIN}_roster_")
                    )
                )
        return self._folder

    async def async_path(self, entry: RosterEntry) -> Path:
        """The prepared photo file of an entry; `PhotoProblemError` when unusable."""
        self.start([entry])
        assert entry.photo_digest is not None
        return await asyncio.shield(self._photos[entry.photo_digest])

    async def async_url(self, entry: RosterEntry) -> str:
        """The URL a terminal fetches an entry's photo from."""
        assert self.base_url is not None
        path = await self.async_path(entry)
        digest = entry.photo_digest
        assert digest is not None
        url = self._urls.get(digest)
        if url is None:
            if self._server is None:
                self._server = async_get_photo_server(self.hass)
            token = self._server.publish(path)
            self._tokens.append(token)
            url = self._urls[digest] = photo_url(self.base_url, token)
        return url

    async def async_bytes(self, entry: RosterEntry) -> bytes:
        """The prepared photo itself, for inline enrolment."""
        path = await self.async_path(entry)
        return await self.hass.async_add_executor_job(path.read_bytes)

    async def async_close(self) -> None:
        """Stop serving every URL of this sync and delete the prepared copies."""
        if self._server is not None:
            self._server.revoke(self._tokens)
        self._tokens.clear()
        self._queue.clear()
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        for future in self._photos.values():
            future.cancel()
        if self._folder is not None:
            await self.hass.async_add_executor_job(
                lambda folder: shutil.rmtree(folder, ignore_errors=True), self._folder
            )


def _prepare_file(source: Path, folder: Path) -> Path:
    """The source itself when the terminal accepts it, else a re-encoded copy in `folder`."""
    try:
        data = source.read_bytes()
    except OSError as err:
        raise PhotoProblemError(PROBLEM_TEXTS[PROBLEM_PHOTO_UNREADABLE]) from err
    try:
        prepared = prepare_face_photo(data)
    except ServiceValidationError as err:
        raise PhotoProblemError(REASON_NOT_A_PICTURE) from err
    if (reason := check_prepared(prepared)) is not None:
        raise PhotoProblemError(reason)
    if prepared is data:
        return source
    target = folder / f"{secrets.token_hex(16)}.jpg"
    target.write_bytes(prepared)
    return target
