"""The roster sync engine: bring terminals in line with a roster, in batches.

Per terminal: read its customId list (``QueryPerson``), compare it with the roster and
the fingerprints of what was last sent (`protocol.roster.plan_roster`), delete extras
(``DeletePersons``, 200 at a time, only when asked), then add and change persons with
``EditPersonsNew`` batches whose photos the terminal downloads from Home Assistant
(`photo_server`). While a batch runs, ``QueryProgress`` is polled: a terminal that is
idle again without having answered lost the batch (V1.24 §4.8) and gets it once more;
a busy terminal (code 410) is retried with growing pauses. Terminals sync concurrently;
each photo is prepared once for all of them, in the executor, while earlier batches run.

Without a usable local URL, photos go inline with single ``EditPerson`` commands one
second apart (V1.24 §4.1): correct, but slow; the result says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .. import protocol
from ..const import DOMAIN, LOGGER
from ..coordinator import TerminalCommandError
from ..photo import prepare_face_photo
from ..photo_server import async_get_photo_server, local_base_url, photo_url
from ..protocol import Lane
from ..protocol.roster import (
    Fingerprint,
    PersonOutcome,
    RosterAction,
    RosterPlan,
    batch_outcomes,
    chunked,
    custom_ids_from_ack,
    fingerprint,
    plan_roster,
)
from .entries import PROBLEM_PHOTO_REQUIRED, PROBLEM_TEXTS
from .links import write_links

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator, Sequence
    from datetime import datetime

    from homeassistant.util.json import JsonValueType

    from ..coordinator import FaceTerminal
    from ..photo_server import PhotoServer
    from .entries import RosterEntry

STORAGE_KEY: Final = f"{DOMAIN}.roster"
STORAGE_VERSION: Final = 1
DATA_ROSTER: HassKey[RosterSyncs] = HassKey(f"{DOMAIN}_roster")

DEFAULT_BATCH_SIZE: Final = 200
DELETE_BATCH_SIZE: Final = protocol.MAX_BATCH_DELETE
BUSY_CODE: Final = 410
BUSY_BACKOFF_FIRST: Final = 2.0
BUSY_BACKOFF_MAX: Final = 30.0
BUSY_GIVE_UP: Final = 600.0
"""Seconds a busy terminal is waited for before its batch is reported as failed."""
POLL_INTERVAL: Final = 2.0
PROGRESS_TIMEOUT: Final = 5.0
IDLE_POLLS_FOR_LOST_ACK: Final = 3
FAILED_POLLS_FOR_GONE: Final = 5
BATCH_TIMEOUT_BASE: Final = 60.0
BATCH_TIMEOUT_PER_PERSON: Final = 35.0
"""Backstop only: a terminal may spend a download timeout on every photo."""
LIST_TIMEOUT: Final = 15.0
LIST_ATTEMPTS: Final = 2
DELETE_TIMEOUT: Final = 60.0
LOG_INTERVAL: Final = 5.0
PREPARE_CONCURRENCY: Final = 2

DELIVERY_URL: Final = "url"
DELIVERY_INLINE: Final = "inline"
STATE_IDLE: Final = "idle"
STATE_SYNCING: Final = "syncing"


class _AckLostError(Exception):
    """The terminal went idle without answering the batch."""


class PhotoProblemError(Exception):
    """A photo cannot be sent; the message says why (no personal data)."""


# --- progress ------------------------------------------------------------------------


@dataclass(slots=True)
class SyncProgress:
    """A terminal's roster sync as the UI shows it."""

    name: str
    syncing: bool = False
    done: int = 0
    total: int = 0
    persons: int | None = None
    failed: int | None = None
    last_sync: datetime | None = None
    _listeners: list[CALLBACK_TYPE] = field(default_factory=list)
    _logged: float = 0.0

    @property
    def state(self) -> str:
        """``syncing`` while a sync runs, else ``idle``."""
        return STATE_SYNCING if self.syncing else STATE_IDLE

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` whenever the progress changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    def start(self, total: int) -> None:
        """A sync begins with `total` changes to make."""
        self.syncing, self.done, self.total = True, 0, total
        self._logged = time.monotonic()
        LOGGER.info("Roster sync of %s: %d changes to make", self.name, total)
        self._notify()

    def advance(self, done: int) -> None:
        """`done` changes are made; log at most every `LOG_INTERVAL` seconds."""
        self.done = min(max(done, self.done), self.total)
        now = time.monotonic()
        if now - self._logged >= LOG_INTERVAL:
            self._logged = now
            LOGGER.info(
                "Roster sync of %s: %d of %d changes made", self.name, self.done, self.total
            )
        self._notify()

    def finish(self, persons: int | None, failed: int) -> None:
        """The sync ended; the terminal holds `persons`."""
        self.syncing = False
        self.done = self.total
        self.persons, self.failed = persons, failed
        self.last_sync = dt_util.utcnow()
        LOGGER.info(
            "Roster sync of %s finished: %s persons on the terminal, %d failed",
            self.name,
            "unknown" if persons is None else persons,
            failed,
        )
        self._notify()

    def cleared(self) -> None:
        """The terminal's person list was wiped."""
        self.persons, self.failed = 0, 0
        self.last_sync = dt_util.utcnow()
        self._notify()

    def abort(self) -> None:
        """The sync ended early."""
        self.syncing = False
        self._notify()


# --- the integration-wide state ---------------------------------------------------------


class RosterSyncs:
    """Progress per terminal, the busy terminals and the stored fingerprints."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing loaded until the first sync."""
        self.hass = hass
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
        self._known: dict[str, dict[str, Fingerprint]] | None = None
        self._progress: dict[str, SyncProgress] = {}
        self._busy: set[str] = set()

    def progress(self, terminal: FaceTerminal) -> SyncProgress:
        """The progress of a terminal (created on first use)."""
        progress = self._progress.get(terminal.terminal_id)
        if progress is None:
            progress = self._progress[terminal.terminal_id] = SyncProgress(terminal.display_name)
        return progress

    @contextlib.contextmanager
    def reserve(self, terminals: Sequence[FaceTerminal]) -> Iterator[None]:
        """Mark the terminals busy for the block; refuse when one is busy already."""
        for terminal in terminals:
            if terminal.terminal_id in self._busy:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="sync_in_progress",
                    translation_placeholders={"name": terminal.display_name},
                )
        ids = {terminal.terminal_id for terminal in terminals}
        self._busy |= ids
        try:
            yield
        finally:
            self._busy -= ids

    async def async_known(self, terminal_id: str) -> dict[str, Fingerprint]:
        """What was last sent to a terminal, per customId (a live dict)."""
        if self._known is None:
            self._known = _parse_stored(await self._store.async_load())
        return self._known.setdefault(terminal_id, {})

    async def async_forget(self, terminal_id: str) -> None:
        """The terminal was wiped: nothing is known about it any more."""
        known = await self.async_known(terminal_id)
        known.clear()
        await self.async_save()

    async def async_save(self) -> None:
        """Write the fingerprints."""
        if self._known is None:
            return
        await self._store.async_save(
            {
                "terminals": {
                    terminal_id: {cid: [fp.details, fp.photo] for cid, fp in persons.items()}
                    for terminal_id, persons in self._known.items()
                }
            }
        )


def _parse_stored(data: object) -> dict[str, dict[str, Fingerprint]]:
    """Stored fingerprints; anything malformed is dropped (it only costs a re-send)."""
    known: dict[str, dict[str, Fingerprint]] = {}
    terminals = data.get("terminals") if isinstance(data, dict) else None
    if not isinstance(terminals, dict):
        return known
    for terminal_id, persons in terminals.items():
        if not isinstance(persons, dict):
            continue
        known[str(terminal_id)] = {
            str(cid): Fingerprint(value[0], value[1])
            for cid, value in persons.items()
            if isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], str)
            and (value[1] is None or isinstance(value[1], str))
        }
    return known


@callback
def async_get_roster_syncs(hass: HomeAssistant) -> RosterSyncs:
    """The integration-wide roster state."""
    syncs = hass.data.get(DATA_ROSTER)
    if syncs is None:
        syncs = hass.data[DATA_ROSTER] = RosterSyncs(hass)
    return syncs


# --- photos ----------------------------------------------------------------------------


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
        raise PhotoProblemError(PROBLEM_TEXTS["photo_unreadable"]) from err
    try:
        prepared = prepare_face_photo(data)
    except ServiceValidationError as err:
        raise PhotoProblemError("the photo is not a picture the terminal can use") from err
    if prepared is data:
        return source
    target = folder / f"{secrets.token_hex(16)}.jpg"
    target.write_bytes(prepared)
    return target


# --- one terminal ------------------------------------------------------------------------


@dataclass(slots=True)
class _Report:
    """Per-person outcomes of one terminal's sync."""

    persons: list[dict[str, JsonValueType]] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"added": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    )
    failed: int = 0
    synced: set[str] = field(default_factory=set)
    """CustomIds the terminal now holds as the roster says."""
    deleted: set[str] = field(default_factory=set)

    def add(self, custom_id: str, action: str, outcome: PersonOutcome) -> None:
        item: dict[str, JsonValueType] = {
            "custom_id": custom_id,
            "action": action,
            "success": outcome.ok,
        }
        if outcome.ok:
            key = {"add": "added", "update": "updated", "delete": "deleted"}.get(
                action, "unchanged"
            )
            self.counts[key] += 1
            (self.deleted if action == RosterAction.DELETE else self.synced).add(custom_id)
        else:
            self.failed += 1
            if outcome.error_code is not None:
                item["error_code"] = outcome.error_code
            item["error"] = outcome.error
        self.persons.append(item)


class TerminalSync:
    """Brings one terminal in line with a roster."""

    def __init__(
        self,
        terminal: FaceTerminal,
        entries: Sequence[RosterEntry],
        photos: PhotoPreparer,
        progress: SyncProgress,
        known: dict[str, Fingerprint],
        *,
        delete_missing: bool,
        batch_size: int,
    ) -> None:
        """Bind the sync to its terminal and shared photos."""
        self.terminal = terminal
        self.entries = entries
        self.photos = photos
        self.progress = progress
        self.known = known
        self.delete_missing = delete_missing
        self.batch_size = batch_size
        self.report = _Report()
        self._done = 0
        self._polls_progress = True
        self._progress_answered = False

    # --- commands -----------------------------------------------------------------

    def _topic(self) -> tuple[str, str]:
        return self.terminal.command_topic, self.terminal.terminal_id

    async def _async_list(self) -> tuple[list[str], int | None]:
        """The terminal's customIds; asked twice when the first answer does not come."""
        for attempt in range(LIST_ATTEMPTS):
            try:
                ack = await self.terminal.async_request(
                    protocol.build_query_person(*self._topic()), timeout=LIST_TIMEOUT
                )
            except TerminalCommandError:
                raise
            except HomeAssistantError:
                if attempt + 1 == LIST_ATTEMPTS:
                    raise
                continue
            return custom_ids_from_ack(ack)
        raise AssertionError  # pragma: no cover - the loop returns or raises

    async def _async_progress(self) -> protocol.QueryProgressAck | None:
        """The batch's progress; None when the terminal did not tell.

        A terminal that refuses ``QueryProgress`` (older firmware) is not asked again in
        this sync: its batches are then only awaited.
        """
        try:
            ack = await self.terminal.async_request(
                protocol.build_query_progress(*self._topic()),
                lane=Lane.QUERY,  # beside the batch, which holds the persons lane
                timeout=PROGRESS_TIMEOUT,
            )
        except TerminalCommandError:
            self._polls_progress = False
            return None
        except HomeAssistantError:
            return None
        self._progress_answered = True
        return ack if isinstance(ack, protocol.QueryProgressAck) else None

    async def _async_busy_retry(self, send: Callable[[], Awaitable[protocol.Ack]]) -> protocol.Ack:
        """Run `send` until the terminal is not busy (410), waiting longer each time."""
        waited, pause = 0.0, BUSY_BACKOFF_FIRST
        while True:
            try:
                return await send()
            except TerminalCommandError as err:
                if err.ack.code != BUSY_CODE or waited >= BUSY_GIVE_UP:
                    raise
            LOGGER.debug(
                "Roster sync of %s: terminal busy, next try in %.0f s",
                self.terminal.display_name,
                pause,
            )
            await asyncio.sleep(pause)
            waited += pause
            pause = min(pause * 2, BUSY_BACKOFF_MAX)

    async def _async_await_batch(self, command: protocol.Command, size: int) -> protocol.Ack:
        """Send a batch and wait for its ack, polling its progress meanwhile."""
        task = self.terminal.hass.async_create_task(
            self.terminal.async_request(
                command,
                lane=Lane.PERSONS,
                timeout=BATCH_TIMEOUT_BASE + BATCH_TIMEOUT_PER_PERSON * size,
            ),
            eager_start=True,
        )
        idle = failed = 0
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=POLL_INTERVAL)
                if task in done:
                    return task.result()
                if not self._polls_progress:
                    continue
                status = await self._async_progress()
                if task.done():
                    return task.result()
                if status is None:
                    # Silence counts only from a terminal that answered before: one that
                    # never does may just not know QueryProgress.
                    failed += self._progress_answered
                    if failed >= FAILED_POLLS_FOR_GONE:
                        raise HomeAssistantError(
                            translation_domain=DOMAIN,
                            translation_key="sync_terminal_silent",
                            translation_placeholders={"name": self.terminal.display_name},
                        )
                    continue
                failed = 0
                if status.done is not None:
                    self.progress.advance(self._done + min(status.done, size))
                if status.finished:
                    idle += 1
                    if idle >= IDLE_POLLS_FOR_LOST_ACK:
                        raise _AckLostError
                else:
                    idle = 0
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, HomeAssistantError):
                    await task

    async def _async_send_batch(self, specs: list[protocol.PersonSpec]) -> dict[str, PersonOutcome]:
        """One EditPersonsNew batch: per-person outcomes."""
        sent = [spec.custom_id for spec in specs]
        try:
            protocol.build_edit_persons_new(*self._topic(), specs)
        except protocol.CommandError as err:  # pragma: no cover - the roster checks the same
            return {cid: PersonOutcome(False, None, str(err)) for cid in sent}
        for attempt in range(2):
            try:
                ack = await self._async_busy_retry(
                    lambda: self._async_await_batch(
                        protocol.build_edit_persons_new(*self._topic(), specs), len(specs)
                    )
                )
            except _AckLostError:
                LOGGER.info(
                    "Roster sync of %s: the terminal lost a batch; sending it again",
                    self.terminal.display_name,
                )
                if attempt == 0:
                    continue
                return batch_outcomes_unconfirmed(sent)
            except TerminalCommandError as err:
                return batch_outcomes(err.ack, sent)
            except HomeAssistantError as err:
                return {cid: PersonOutcome(False, None, str(err)) for cid in sent}
            return batch_outcomes(ack, sent)
        return batch_outcomes_unconfirmed(sent)  # pragma: no cover - the loop returns

    async def _async_delete(self, custom_ids: Sequence[str]) -> dict[str, PersonOutcome]:
        command = protocol.build_delete_persons(*self._topic(), list(custom_ids))
        try:
            ack = await self._async_busy_retry(
                lambda: self.terminal.async_request(
                    command, lane=Lane.PERSONS, timeout=DELETE_TIMEOUT
                )
            )
        except TerminalCommandError as err:
            return batch_outcomes(err.ack, custom_ids)
        except HomeAssistantError as err:
            return {cid: PersonOutcome(False, None, str(err)) for cid in custom_ids}
        return batch_outcomes(ack, custom_ids)

    async def _async_enrol_inline(self, spec: protocol.PersonSpec) -> PersonOutcome:
        try:
            await self.terminal.async_enrol_person(spec)
        except TerminalCommandError as err:
            return PersonOutcome(False, err.ack.code, protocol.describe_ack_error(err.ack))
        except HomeAssistantError as err:
            return PersonOutcome(False, None, str(err))
        except protocol.CommandError as err:  # pragma: no cover - the roster checks the same
            return PersonOutcome(False, None, str(err))
        return PersonOutcome(True)

    # --- the sync -----------------------------------------------------------------

    async def async_run(self) -> dict[str, JsonValueType]:
        """Sync the terminal; return its report (raises only when it cannot start)."""
        present, _total = await self._async_list()
        valid = [entry for entry in self.entries if entry.problem is None]
        plan = plan_roster(
            [entry.person() for entry in valid],
            present,
            self.known,
            keep=[entry.custom_id for entry in self.entries if entry.problem is not None],
            delete_missing=self.delete_missing,
        )
        present_set = set(present)
        by_id = {entry.custom_id: entry for entry in valid}
        self.photos.start([by_id[cid] for cid in plan.send_photo])
        self._report_problems(present_set, plan)
        self.progress.start(plan.changes)
        try:
            await self._async_apply(plan, by_id)
        except BaseException:
            self.progress.abort()
            raise
        for cid in list(self.known):
            if cid not in present_set and cid not in plan.add:
                self.known.pop(cid, None)
        persons = await self._async_count(present_set, plan)
        self.progress.finish(persons, self.report.failed)
        links = write_links(
            self.terminal.hass,
            self.terminal.entry,
            self.entries,
            self.report.synced,
            self.report.deleted,
        )
        person_links: dict[str, JsonValueType] = {**links}
        return {
            "device_id": self.terminal.device_id,
            "terminal_id": self.terminal.terminal_id,
            "success": True,
            "photo_delivery": self.photos.delivery,
            **self.report.counts,
            "failed": self.report.failed,
            "persons_on_terminal": persons,
            "person_links": person_links,
            "persons": list(self.report.persons),
        }

    def _report_problems(self, present: set[str], plan: RosterPlan) -> None:
        for entry in self.entries:
            if entry.problem is None:
                continue
            action = RosterAction.UPDATE if entry.custom_id in present else RosterAction.ADD
            self.report.add(
                entry.custom_id, action, PersonOutcome(False, None, PROBLEM_TEXTS[entry.problem])
            )
        for cid in plan.photo_missing:
            self.report.add(
                cid,
                RosterAction.ADD,
                PersonOutcome(False, None, PROBLEM_TEXTS[PROBLEM_PHOTO_REQUIRED]),
            )
        for cid in plan.unchanged:
            self.report.add(cid, RosterAction.UNCHANGED, PersonOutcome(True))

    async def _async_apply(self, plan: RosterPlan, by_id: dict[str, RosterEntry]) -> None:
        # Deletions first: they free room for the additions.
        for chunk in chunked(plan.delete, DELETE_BATCH_SIZE):
            outcomes = await self._async_delete(chunk)
            for cid in chunk:
                self.known.pop(cid, None)
                self.report.add(cid, RosterAction.DELETE, outcomes[cid])
            self._advance(len(chunk))
        changes = [(cid, RosterAction.ADD) for cid in plan.add] + [
            (cid, RosterAction.UPDATE) for cid in plan.update
        ]
        inline = self.photos.delivery == DELIVERY_INLINE
        batch: list[tuple[str, RosterAction, protocol.PersonSpec]] = []
        for cid, action in changes:
            entry = by_id[cid]
            spec = _spec(entry)
            if cid in plan.send_photo:
                try:
                    if inline:
                        spec.picture = await self.photos.async_bytes(entry)
                    else:
                        spec.picture_uri = await self.photos.async_url(entry)
                except PhotoProblemError as err:
                    self.known.pop(cid, None)
                    self.report.add(cid, action, PersonOutcome(False, None, str(err)))
                    self._advance(1)
                    continue
            if spec.picture is not None:
                self._record(entry, action, await self._async_enrol_inline(spec), photo=True)
                self._advance(1)
                continue
            batch.append((cid, action, spec))
            if len(batch) >= self.batch_size:
                await self._async_flush(batch, by_id, plan)
                batch = []
        if batch:
            await self._async_flush(batch, by_id, plan)

    async def _async_flush(
        self,
        batch: list[tuple[str, RosterAction, protocol.PersonSpec]],
        by_id: dict[str, RosterEntry],
        plan: RosterPlan,
    ) -> None:
        outcomes = await self._async_send_batch([spec for _cid, _action, spec in batch])
        for cid, action, _spec_sent in batch:
            self._record(by_id[cid], action, outcomes[cid], photo=cid in plan.send_photo)
        self._advance(len(batch))

    def _record(
        self, entry: RosterEntry, action: str, outcome: PersonOutcome, *, photo: bool
    ) -> None:
        """Report a person and remember what the terminal now holds."""
        self.report.add(entry.custom_id, action, outcome)
        if not outcome.ok:
            self.known.pop(entry.custom_id, None)
            return
        sent = fingerprint(entry.person())
        last = self.known.get(entry.custom_id)
        photo_digest = sent.photo if photo else (last.photo if last is not None else None)
        self.known[entry.custom_id] = Fingerprint(sent.details, photo_digest)

    def _advance(self, count: int) -> None:
        self._done += count
        self.progress.advance(self._done)

    async def _async_count(self, present: set[str], plan: RosterPlan) -> int | None:
        """How many persons the terminal holds now (asked; estimated if it does not say)."""
        try:
            ids, total = await self._async_list()
        except HomeAssistantError:
            deleted = self.report.counts["deleted"]
            return len(present) - deleted + self.report.counts["added"]
        return total if total is not None else len(ids)


def batch_outcomes_unconfirmed(sent: Sequence[str]) -> dict[str, PersonOutcome]:
    """Every person of a batch the terminal never answered."""
    return {
        cid: PersonOutcome(False, None, "the terminal did not confirm the batch") for cid in sent
    }


def _spec(entry: RosterEntry) -> protocol.PersonSpec:
    return protocol.PersonSpec(
        custom_id=entry.custom_id,
        name=entry.name,
        person_type=entry.person_type,
        temp_card_type=0 if entry.valid_from is None else 1,
        valid_from=entry.valid_from,
        valid_until=entry.valid_until,
    )


# --- entry point -------------------------------------------------------------------------


async def async_sync_terminals(
    hass: HomeAssistant,
    terminals: Sequence[FaceTerminal],
    entries: Sequence[RosterEntry],
    *,
    delete_missing: bool,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[dict[str, JsonValueType]]:
    """Sync all terminals concurrently; one report per terminal, in the given order.

    The caller holds `RosterSyncs.reserve` for the terminals.
    """
    syncs = async_get_roster_syncs(hass)
    photos = PhotoPreparer(hass, local_base_url(hass))
    if photos.delivery == DELIVERY_INLINE:
        LOGGER.warning(
            "Home Assistant has no local network URL the terminals could fetch photos from; "
            "sending photos inline, one person per second"
        )

    async def run(terminal: FaceTerminal) -> dict[str, JsonValueType]:
        sync = TerminalSync(
            terminal,
            entries,
            photos,
            syncs.progress(terminal),
            await syncs.async_known(terminal.terminal_id),
            delete_missing=delete_missing,
            batch_size=batch_size,
        )
        try:
            return await sync.async_run()
        except HomeAssistantError as err:
            return {
                "device_id": terminal.device_id,
                "terminal_id": terminal.terminal_id,
                "success": False,
                "error": str(err),
            }

    try:
        return list(await asyncio.gather(*(run(terminal) for terminal in terminals)))
    finally:
        await photos.async_close()
        await syncs.async_save()
