"""Silence watchdog shared by both device families.

A device counts as offline after `timeout` seconds without any message. Rather than
re-arming a timer on every message (records can arrive many times a second), one timer
runs: when it fires it looks at the last message time and either reports the silence or
sleeps until the earliest moment the device could have been silent long enough.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime


class SilenceWatchdog:
    """Calls `went_silent(timeout)` while nothing was heard for `timeout()` seconds."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        timeout: Callable[[], float],
        last_seen: Callable[[], datetime | None],
        went_silent: Callable[[float], None],
    ) -> None:
        """Read the timeout and the last message time through the callables, at check time."""
        self._hass = hass
        self._timeout = timeout
        self._last_seen = last_seen
        self._went_silent = went_silent
        self._timer: CALLBACK_TYPE | None = None

    def start(self) -> None:
        """First check one timeout from now (a device never heard from counts as silent)."""
        self._schedule(self._timeout())

    @callback
    def stop(self) -> None:
        """Cancel the timer."""
        if self._timer is not None:
            self._timer()
            self._timer = None

    def _schedule(self, delay: float) -> None:
        self._timer = async_call_later(self._hass, delay, self._async_check)

    @callback
    def _async_check(self, _now: datetime) -> None:
        self._timer = None
        timeout = self._timeout()
        last_seen = self._last_seen()
        silent_for = (
            timeout if last_seen is None else (dt_util.utcnow() - last_seen).total_seconds()
        )
        if silent_for >= timeout:
            self._went_silent(timeout)
            self._schedule(timeout)
        else:
            self._schedule(timeout - silent_for)
