"""Exactly once, on Home Assistant's side: nothing is acknowledged before it is durable.

A terminal deletes a record for good once it gets the record's ``PushAck``. So a
``PushAck`` leaves only when what it acknowledges can no longer be lost:

* the record's bus event was fired (the session reported the record before its ack),
* the recorder committed it (when the recorder runs: after a ``kill -9`` the recorder
  would otherwise lose up to its commit interval of history), and
* the identity of every delivered (and recorded) record, and the open gaps, are stored,
  so a copy that comes back after a restart — re-sent, or answered from a recovery — is
  recognised.

`DeliveryJournal` persists the session's `DeliveryLog` and the recovery's `Gaps` with a
short, bounded delay — a write starts as soon as the previous one ended and at most
`SAVE_INTERVAL` after it, never pushed back by the next record (a debounce would never
write while records keep coming) — and holds each ``PushAck`` until the write and the
recorder commit that cover it are done.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.recorder import DATA_INSTANCE
from homeassistant.helpers.storage import Store

from .const import DOMAIN, LOGGER
from .protocol.commands import PUSH_ACK_RECORD, PUSH_ACK_STRANGER
from .protocol.delivery import DeliveryLog, parse_time
from .protocol.recovery import Gaps

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.config_entries import ConfigEntry

    from . import protocol

STORAGE_VERSION: Final = 2
SAVE_INTERVAL: Final = 0.1
"""Seconds between two writes at most: at 100 records/s, ten small writes a second."""
RECORDER_WAIT: Final = 10.0
"""A recorder that has not committed by then is stuck (or still starting): the PushAcks
of that round are not sent, and the terminal re-sends the records (they are then
recognised and acknowledged again)."""


def storage_key(entry_id: str) -> str:
    """Storage file of one terminal's delivered records and gaps."""
    return f"{DOMAIN}.records_{entry_id}"


class _DeliveryStore(Store[dict[str, Any]]):
    """Version 1 (up to 0.2.0) stored a watermark: the latest record time and its IDs."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        # The stored times were the newest records before Home Assistant stopped: where
        # the gaps of this start begin, even for a kind with no ID stored.
        log = DeliveryLog.from_watermark(old_data)
        gaps = Gaps()
        for kind, name in ((PUSH_ACK_RECORD, "records"), (PUSH_ACK_STRANGER, "snaps")):
            stored = old_data.get(name)
            if isinstance(stored, dict):
                gaps.open(kind, parse_time(stored.get("time")))
        return {"delivered": log.as_dict(), "gaps": gaps.as_dict()}


class DeliveryJournal:
    """Stores what one terminal delivered and lets its ``PushAck``s go once it is durable."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        log: DeliveryLog,
        gaps: Gaps,
        publish: Callable[[protocol.Command], None],
    ) -> None:
        """`log` and `gaps` are the live objects the session and the recovery change."""
        self.hass = hass
        self._entry = entry
        self._log = log
        self._gaps = gaps
        self._publish = publish
        self._store = _DeliveryStore(hass, STORAGE_VERSION, storage_key(entry.entry_id))
        self._gaps_changes = 0
        self._saved: tuple[int, int] | None = None
        self._acks: list[protocol.Command] = []
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        self.counters = {"saves": 0, "acks_held_back": 0}

    async def async_load(self) -> None:
        """Read what was stored; an unreadable file starts empty."""
        data = await self._store.async_load()
        stored = data if isinstance(data, dict) else {}
        self._log.restore(stored.get("delivered"))
        self._gaps.restore(stored.get("gaps"))
        self._saved = self._revision()
        # Home Assistant cancels background tasks (a flush among them) as it stops: the
        # last round runs as a listener of the stop, which the shutdown waits for.
        self._entry.async_on_unload(
            self.hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, self._async_final_flush)
        )

    async def _async_final_flush(self, _event: Event) -> None:
        """Store what the recorder committed before Home Assistant stops (no more acks)."""
        self._acks.clear()
        if self.dirty:
            revision, data = self._revision(), self._data()
            if await self._async_recorded():
                # Written by the store at the final write, after the recorder's last commit.
                await self._store.async_save(data)
                self._saved = revision

    def _revision(self) -> tuple[int, int]:
        return self._log.changes, self._gaps_changes

    def _data(self) -> dict[str, Any]:
        return {"delivered": self._log.as_dict(), "gaps": self._gaps.as_dict()}

    @property
    def dirty(self) -> bool:
        """Whether something changed that is not stored yet."""
        return self._saved != self._revision()

    @callback
    def async_gaps_changed(self) -> None:
        """The recovery opened or closed a gap: store it soon."""
        self._gaps_changes += 1
        self.async_changed()

    @callback
    def async_changed(self) -> None:
        """Records were delivered (or gaps changed): store them soon."""
        if self.dirty:
            self._ensure_flush()

    @callback
    def async_acknowledge(self, commands: list[protocol.Command]) -> None:
        """Publish these ``PushAck``s once everything delivered so far is durable."""
        if self._stopped or not commands:
            return
        self._acks.extend(commands)
        self._ensure_flush()

    def _ensure_flush(self) -> None:
        if self._stopped or (self._task is not None and not self._task.done()):
            return
        self._task = self._entry.async_create_background_task(
            self.hass, self._async_flush(), f"{DOMAIN} delivery journal", eager_start=False
        )

    async def _async_flush(self) -> None:
        """Record, write, release the acks; again while more arrived.

        The identities written are those of records whose events the recorder has
        committed: a snapshot taken before asking for the commit. Written after a
        commit that did not happen, they would make a ``kill -9`` drop the terminal's
        copies of records the history never got.
        """
        loop = self.hass.loop
        last_write = float("-inf")
        while not self._stopped and (self._acks or self.dirty):
            if self.dirty and (wait := last_write + SAVE_INTERVAL - loop.time()) > 0:
                await asyncio.sleep(wait)
            acks, self._acks = self._acks, []
            revision, data = self._revision(), self._data()
            if not await self._async_recorded():
                # Neither stored nor acknowledged: the terminal re-sends (or a recovery
                # asks for) these records, and they are recognised only if recorded.
                self.counters["acks_held_back"] += len(acks)
                LOGGER.debug(
                    "Recorder did not commit within %s s: %d PushAcks held back (re-sent"
                    " records are acknowledged later)",
                    RECORDER_WAIT,
                    len(acks),
                )
                return  # the next record (or re-sent copy) tries again
            if revision != self._saved:
                await self._store.async_save(data)
                self._saved = revision
                self.counters["saves"] += 1
                last_write = loop.time()
            # After an unload meanwhile, `publish` sends nothing (the session is closed).
            for command in acks:
                self._publish(command)

    async def _async_recorded(self) -> bool:
        """Wait until the recorder committed every event fired so far (True if none runs)."""
        recorder = self.hass.data.get(DATA_INSTANCE)
        if recorder is None:
            return True
        future = recorder.async_get_commit_future()
        if future is None:
            return True
        try:
            async with asyncio.timeout(RECORDER_WAIT):
                await asyncio.shield(future)
        except TimeoutError:
            return False
        return True

    async def async_stop(self) -> None:
        """Unload: no more acks (the terminal re-sends), and a last write of what changed."""
        self._stopped = True
        self._acks.clear()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        if self.dirty:
            revision = self._revision()
            await self._store.async_save(self._data())
            self._saved = revision

    def as_diagnostics(self) -> dict[str, Any]:
        """Counts only: record IDs and times stay out."""
        return {
            "delivered_remembered": len(self._log),
            "unsaved_changes": self.dirty,
            "acks_waiting": len(self._acks),
            **self.counters,
        }
