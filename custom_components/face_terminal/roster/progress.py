"""A terminal's roster sync as the UI shows it: idle or syncing, and how far it is.

`SyncProgress` is what the "Roster sync" sensor (`roster.sensor`) reads and follows. It
logs the progress too, at most every `LOG_INTERVAL` seconds and with counts only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.util import dt as dt_util

from ..const import LOGGER

if TYPE_CHECKING:
    from datetime import datetime

LOG_INTERVAL: Final = 5.0
STATE_IDLE: Final = "idle"
STATE_SYNCING: Final = "syncing"


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
