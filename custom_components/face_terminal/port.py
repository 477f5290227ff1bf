"""The port through which a feature reaches its terminal: `TerminalPort`.

Features (`settings`, `access`, `recovery`, `door`, `scene`, `clock`, the `roster`
package) depend on this Protocol, not on the runtime class: it holds what they use (send a
request and await its answer, the terminal's identity and display name, presence, the
clock offset) and nothing else. The runtime (`coordinator.FaceTerminal`) implements it and
hands itself to the features it builds, so the features never import the runtime and the
runtime imports them without an import cycle.

Requests are intents (`protocol.intents`): the feature says what it wants, the terminal's
session frames and addresses it and picks its lane and deadline (`protocol.ROUTES`).
Failures come as the errors of `errors` (`CommandFailedError`, `TerminalCommandError`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import CALLBACK_TYPE, HomeAssistant

    from .protocol import Ack, Command, Intent


class TerminalPort(Protocol):
    """What a feature may use of its terminal's runtime."""

    @property
    def hass(self) -> HomeAssistant:
        """The Home Assistant instance the terminal runs in."""

    @property
    def entry(self) -> ConfigEntry[Any]:
        """The terminal's config entry (its options, its unload callbacks)."""

    @property
    def terminal_id(self) -> str:
        """The terminal's own ID."""

    @property
    def device_id(self) -> str:
        """The device registry ID of the terminal (set once the runtime started)."""

    @property
    def display_name(self) -> str:
        """The terminal's name in messages."""

    @property
    def online(self) -> bool:
        """Whether the terminal is heard from."""

    @property
    def clock_offset(self) -> float | None:
        """Seconds the terminal's clock is ahead of Home Assistant's (None: not known yet)."""

    def async_add_presence_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` when the terminal goes online or offline; returns the remover."""

    def frame(self, intent: Intent) -> Command:
        """The command `intent` asks for, addressed to this terminal, without sending it.

        For a command sent more than once as the very same message (a lost batch), or
        handed to another sender (an access decision's ``PushAck``). Raises
        `protocol.CommandError` for arguments the terminal must not get.
        """

    async def async_request(
        self,
        what: Intent | Command,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - a deadline that covers the lane wait
        require_online: bool = True,
        on_sent: Callable[[float], None] | None = None,
        background: bool = False,
    ) -> Ack:
        """Send `what` and wait for its answer; raise the `errors` of a failure.

        `timeout` replaces the operator's deadline from `protocol.ROUTES` (a batch's
        grows with its size). `on_sent` hears when the command leaves its lane (the
        session's clock, `hass.loop.time`): it may wait behind earlier commands first.
        `background` marks a chore nobody waits for (a periodic read, a recovery): it
        waits in its own lane, so a terminal that never answers it delays nobody.
        `protocol.CommandError` comes out before anything is queued.
        """
