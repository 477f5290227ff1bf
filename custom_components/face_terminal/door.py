"""The door a terminal releases: `DoorRelease` (``FaceTerminal.door``).

The terminal drives a strike that relocks by itself; it has no lock state to read. After
a successful ``Unlock``, whoever asked for it (the lock entity or the
``face_terminal.unlock`` action), the door counts as released for the entry's door hold
time; listeners hear when that starts and when it ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_call_later

from .const import (
    CONF_DOOR_OPEN_TIME,
    CONF_UNLOCK_MESSAGE,
    DEFAULT_DOOR_OPEN_TIME,
    DEFAULT_UNLOCK_MESSAGE,
)
from .protocol import Unlock

if TYPE_CHECKING:
    from datetime import datetime

    from .port import TerminalPort


class DoorRelease:
    """Unlocks of one terminal and the hold time that follows each."""

    def __init__(self, terminal: TerminalPort) -> None:
        """Nothing is released at first."""
        self._terminal = terminal
        self._timer: CALLBACK_TYPE | None = None
        self._listeners: list[CALLBACK_TYPE] = []
        self._stopped = False

    @property
    def unlock_message(self) -> str:
        """Text the terminal shows when Home Assistant opens the door."""
        options = self._terminal.entry.options
        return str(options.get(CONF_UNLOCK_MESSAGE, DEFAULT_UNLOCK_MESSAGE))

    @property
    def hold_time(self) -> float:
        """Seconds the door counts as open after a remote unlock."""
        options = self._terminal.entry.options
        return float(options.get(CONF_DOOR_OPEN_TIME, DEFAULT_DOOR_OPEN_TIME))

    @property
    def released(self) -> bool:
        """Whether a successful unlock released the strike within the door's hold time."""
        return self._timer is not None

    async def async_unlock(self, message: str | None = None) -> None:
        """Open the door, showing `message` (or the configured text) on the screen.

        Raises the runtime's translated error (offline, no answer, refused).
        """
        text = message if message is not None else self.unlock_message
        await self._terminal.async_request(Unlock(show_info=text or None))
        if self._stopped:
            return  # answered just before the unload: no entity is left to show it
        self._end_hold(notify=False)
        self._timer = async_call_later(self._terminal.hass, self.hold_time, self._async_hold_over)
        self._notify()

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` when the door opens (an unlock succeeded) or its hold time ends."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_end_hold(self) -> None:
        """Count the strike as closed again (the lock entity's "lock": nothing to send)."""
        self._end_hold()

    @callback
    def async_stop(self) -> None:
        """The entry unloads: end the hold quietly; a late answer releases nothing."""
        self._stopped = True
        self._end_hold(notify=False)

    @callback
    def _async_hold_over(self, _now: datetime) -> None:
        self._timer = None
        self._notify()

    def _end_hold(self, *, notify: bool = True) -> None:
        was_released = self._timer is not None
        if self._timer is not None:
            self._timer()
            self._timer = None
        if notify and was_released:
            self._notify()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()
