"""The terminal's clock: a repair issue while it is off, and setting it to Home Assistant's.

Terminals keep local time without a zone, as their records do. Each presence message
carries the terminal's time (`protocol.ClockReading`); `ClockWatch.async_reading` keeps
the offset in `TerminalSnapshot.clock_offset` and raises a fixable repair issue
(`repairs`) while it is more than `CLOCK_DRIFT_LIMIT` off, or removes it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.core import callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import CLOCK_DRIFT_LIMIT, DOMAIN
from .protocol import SetClock
from .terminal_issues import async_raise_terminal_issue

if TYPE_CHECKING:
    from datetime import datetime

    from .port import TerminalPort
    from .snapshot import TerminalSnapshot

CLOCK_ISSUE_PREFIX: Final = "clock_drift_"


def clock_issue_id(entry_id: str) -> str:
    """Repair issue ID of a terminal whose clock is off."""
    return f"{CLOCK_ISSUE_PREFIX}{entry_id}"


class ClockWatch:
    """One terminal's clock offset and its repair issue."""

    def __init__(self, terminal: TerminalPort, state: TerminalSnapshot) -> None:
        """Keep the offset in `state`."""
        self._terminal = terminal
        self._state = state

    @property
    def _issue_id(self) -> str:
        return clock_issue_id(self._terminal.entry.entry_id)

    @callback
    def async_reading(self, terminal_time: datetime) -> None:
        """Raise (or clear) a repair issue when the terminal's clock is off by > 5 min."""
        hass = self._terminal.hass
        offset = (terminal_time - dt_util.now().replace(tzinfo=None)).total_seconds()
        self._state.clock_offset = offset
        if abs(offset) <= CLOCK_DRIFT_LIMIT.total_seconds():
            ir.async_delete_issue(hass, DOMAIN, self._issue_id)
            return
        async_raise_terminal_issue(
            self._terminal, self._issue_id, "clock_drift", minutes=str(round(abs(offset) / 60))
        )

    async def async_set(self) -> None:
        """Set the terminal's clock to Home Assistant's local time; clear the drift issue."""
        await self._terminal.async_request(SetClock(when=dt_util.now().replace(tzinfo=None)))
        self._state.clock_offset = 0.0
        ir.async_delete_issue(self._terminal.hass, DOMAIN, self._issue_id)
