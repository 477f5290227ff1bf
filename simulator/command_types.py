"""What every command handler of the simulated terminal deals in.

`Command` is a received command, `Reply` what the transport does after it, and a handler
raises `CommandError` to answer with one of the appendix's error codes. They live below
`commands` (the processor) and `settings` (the firmware, advertisement and version
handlers) so that both can use them without importing each other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simulator.messages import JsonDict, has_key, lookup

if TYPE_CHECKING:
    from simulator.device import Outgoing


@dataclasses.dataclass(slots=True)
class Command:
    """A received command: the decoded message and its size on the wire."""

    message: JsonDict
    size: int = 0

    @property
    def operator(self) -> str:
        """The operator as received."""
        return str(self.message.get("operator", ""))

    @property
    def info(self) -> JsonDict | None:
        """``info`` when it is an object."""
        info = self.message.get("info")
        return info if isinstance(info, dict) else None

    def field(self, key: str) -> Any:
        """Read ``key`` from ``info`` first, then from the message root."""
        info = self.info
        if info is not None and has_key(info, key):
            return lookup(info, key)
        return lookup(self.message, key)


@dataclasses.dataclass(slots=True)
class Reply:
    """What the transport must do after a command.

    Attributes:
        messages: Messages to publish, in order.
        reboot: Simulate a reboot after publishing.
        batch: A validated batch command to run on the batch thread.
    """

    messages: list[Outgoing] = dataclasses.field(default_factory=list)
    reboot: bool = False
    batch: Command | None = None


class CommandError(Exception):
    """Raised inside handlers to answer with an error code."""

    def __init__(self, code: str, detail: str) -> None:
        """Store the appendix code and its text."""
        super().__init__(detail)
        self.code = code
        self.detail = detail


type Handler = Callable[[Command], Reply]
"""Answers one command; raises `CommandError` to answer with an error code."""
