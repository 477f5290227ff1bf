"""Errors a terminal command ends in, as translated Home Assistant errors.

A leaf module: every feature may import it, and it imports nothing of the runtime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.exceptions import HomeAssistantError

from . import protocol
from .const import DOMAIN

if TYPE_CHECKING:
    from .protocol import Ack


class TerminalCommandError(HomeAssistantError):
    """The terminal refused a command; the message says what its error code means."""

    def __init__(self, ack: Ack, name: str) -> None:
        """Build the translated error from the failed ack."""
        self.ack = ack
        self.reason = protocol.describe_ack_error(ack)
        super().__init__(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={"name": name, "reason": self.reason},
        )
