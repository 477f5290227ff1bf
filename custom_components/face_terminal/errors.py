"""How a command to a terminal ends when it does not succeed, in the words Home Assistant shows.

A leaf module: every feature may import it, and it imports nothing of the runtime. The
runtime raises only these errors for a command, and features tell them apart by class,
never by looking for attributes:

=========================  ============================  ==========================
What happened              Raised as                     Translation key
=========================  ============================  ==========================
terminal offline           `CommandFailedError`          ``terminal_offline``
no answer in time          `CommandFailedError`          ``command_timeout``
entry unloaded             `CommandFailedError`          ``terminal_unloaded``
MQTT client cannot send    `CommandFailedError`          ``publish_failed``
terminal refused           `TerminalCommandError`        ``command_failed``
=========================  ============================  ==========================

A feature that says more about a refusal (a setting, a restart, a firmware file) turns
it into its own key with `refused_as`. Arguments the terminal must not get are the
caller's fault: `validation.invalid_arguments` refuses them before anything is sent.
"""

from __future__ import annotations

from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING

from homeassistant.exceptions import HomeAssistantError

from . import protocol
from .const import DOMAIN

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .protocol import Ack, Request


class Failure(StrEnum):
    """Why a command got no answer; each value is its translation key (placeholders).

    Every key takes ``name`` (the terminal); ``command_timeout`` also ``command`` and
    ``seconds``, ``command_interrupted`` ``command``, ``publish_failed`` ``command`` and ``error``.
    """

    OFFLINE = "terminal_offline"
    TIMEOUT = "command_timeout"
    UNLOADED = "terminal_unloaded"
    PUBLISH = "publish_failed"
    INTERRUPTED = "command_interrupted"


class CommandFailedError(HomeAssistantError):
    """A command got no answer from the terminal; `failure` says why."""

    def __init__(self, failure: Failure, name: str, **placeholders: str) -> None:
        """The translated error of `failure` for the terminal called `name`."""
        self.failure = failure
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=failure.value,
            translation_placeholders={"name": name, **placeholders},
        )


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

    @property
    def code(self) -> int | None:
        """The terminal's error code (some mean "nothing found", not a failure)."""
        return self.ack.code


def timed_out(request: Request, name: str) -> CommandFailedError:
    """The error for a request the session gave up at its deadline."""
    return CommandFailedError(
        Failure.TIMEOUT,
        name,
        command=request.command.operator,
        seconds=str(int(request.timeout)),
    )


def interrupted(request: Request, name: str) -> CommandFailedError:
    """The error for a request sent before the terminal went offline and came back."""
    return CommandFailedError(Failure.INTERRUPTED, name, command=request.command.operator)


def publish_failed(request: Request, name: str, err: HomeAssistantError) -> CommandFailedError:
    """The error for a request the MQTT client could not publish (its reason included)."""
    return CommandFailedError(
        Failure.PUBLISH, name, command=request.command.operator, error=str(err)
    )


@contextmanager
def refused_as(key: str, name: str, **placeholders: str) -> Iterator[None]:
    """Inside the block, a refusal becomes the error `key`, naming the terminal's reason.

    Other failures (offline, timeout, …) keep their own message.
    """
    try:
        yield
    except TerminalCommandError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={**placeholders, "name": name, "reason": err.reason},
        ) from err
