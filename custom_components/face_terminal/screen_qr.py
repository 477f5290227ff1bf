"""The QR code on the terminal's screen, shown again after an outage: `ScreenQRCode`.

A terminal forgets the QR code it showed when it restarts; V1.24 §14.1 suggests sending it
again when the terminal comes back. `ScreenQRCode` (``FaceTerminal.screen_qr``) keeps the
last ``ShowQRCode`` the terminal confirmed and re-sends it after each ``Online``, until a
``HideQRCode`` is confirmed. The re-sent code is background work: nobody waits for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError

from . import protocol
from .const import DOMAIN, LOGGER

if TYPE_CHECKING:
    from .port import TerminalPort


class ScreenQRCode:
    """What the terminal's screen should show, and showing it again when it is back."""

    def __init__(self, terminal: TerminalPort) -> None:
        """Nothing is shown yet."""
        self._terminal = terminal
        self.shown: protocol.ShowQRCode | None = None

    async def async_show(self, show: protocol.ShowQRCode) -> None:
        """Show `show` and remember it once the terminal confirmed it."""
        await self._terminal.async_request(show)
        self.shown = show

    async def async_hide(self) -> None:
        """Hide the code; nothing is shown again after an outage."""
        await self._terminal.async_request(protocol.HideQRCode())
        self.shown = None

    @callback
    def async_announced(self) -> None:
        """The terminal sent ``Online``: show the remembered code again (§14.1)."""
        if self.shown is None:
            return
        terminal = self._terminal
        terminal.entry.async_create_background_task(
            terminal.hass,
            self._async_show_again(self.shown),
            f"{DOMAIN} QR code {terminal.terminal_id}",
            eager_start=False,
        )

    async def _async_show_again(self, show: protocol.ShowQRCode) -> None:
        try:
            await self._terminal.async_request(show, background=True)
        except HomeAssistantError as err:
            LOGGER.debug(
                "Terminal %s: QR code not shown again: %s", self._terminal.terminal_id, err
            )
