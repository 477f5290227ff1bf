"""The sending half of a terminal's runtime: `CommandSender`.

It drives the command side of the runtime's `protocol.TerminalSession` on the event
loop: a caller's intent is framed and queued (`TerminalSession.submit`, which picks the
lane and deadline), what the session lets go is published, one timer wakes up for the
session's next deadline (a timeout, or the end of the §4.1 spacing), and each caller
gets its ``-Ack`` or the `errors` class of its failure. Fire-and-forget commands (a
record's ``PushAck``, ``Online-Ack``) go out at once with `publish_now`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components import mqtt
from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError

from . import protocol
from .const import COMMAND_QOS, LARGE_COMMAND_BYTES, LOGGER, PUSH_ACK_QOS
from .errors import (
    CommandFailedError,
    Failure,
    TerminalCommandError,
    interrupted,
    publish_failed,
    timed_out,
)
from .protocol import operators

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant

    from .protocol import Ack


def command_qos(command: protocol.Command) -> int:
    """QoS of a command: 0, or 1 for one as large as a photo (`const.COMMAND_QOS`)."""
    return 1 if len(command.payload) >= LARGE_COMMAND_BYTES else COMMAND_QOS


@dataclass(slots=True)
class _Waiter:
    """A caller of `CommandSender.async_request` waiting for its answer."""

    future: asyncio.Future[Ack]
    on_sent: Callable[[float], None] | None


class CommandSender:
    """Requests to one terminal: submitted, published, answered or failed."""

    def __init__(
        self,
        hass: HomeAssistant,
        session: protocol.TerminalSession,
        *,
        name: Callable[[], str],
        online: Callable[[], bool],
    ) -> None:
        """Send through `session`; `name` and `online` are read when a request comes."""
        self.hass = hass
        self.session = session
        self._name = name
        self._online = online
        self._waiters: dict[protocol.Request, _Waiter] = {}
        self._wakeup: asyncio.TimerHandle | None = None

    async def async_request(
        self,
        what: protocol.Intent | protocol.Command,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - covers the lane wait, too
        require_online: bool = True,
        on_sent: Callable[[float], None] | None = None,
        background: bool = False,
    ) -> Ack:
        """Send `what` and wait for its ``-Ack`` (`port.TerminalPort.async_request`).

        Raises:
            protocol.CommandError: invalid arguments; nothing was queued.
            CommandFailedError: offline, no answer in time, unloaded, or not published.
            TerminalCommandError: the terminal answered with an error code.
        """
        command = what if isinstance(what, protocol.Command) else self.session.frame(what)
        if require_online and not self._online():
            raise CommandFailedError(Failure.OFFLINE, self._name())
        try:
            request = self.session.submit(
                command, now=self.hass.loop.time(), timeout=timeout, background=background
            )
        except protocol.SessionClosedError:
            raise CommandFailedError(Failure.UNLOADED, self._name()) from None
        waiter = _Waiter(self.hass.loop.create_future(), on_sent)
        self._waiters[request] = waiter
        self.pump()
        try:
            ack = await waiter.future
        finally:
            # The caller went away (cancelled): free the lane for the next command.
            if self._waiters.pop(request, None) is not None:
                self.session.cancel(request, self.hass.loop.time())
                self.pump()
        if not ack.ok:
            raise TerminalCommandError(ack, self._name())
        return ack

    def answered(self, request: protocol.Request, ack: Ack) -> None:
        """The session matched `ack` to `request` (`protocol.Answered`): resolve its caller."""
        waiter = self._waiters.pop(request, None)
        if waiter is not None and not waiter.future.done():
            waiter.future.set_result(ack)

    def pump(self) -> None:
        """Publish what the session lets go now and re-arm the one deadline timer."""
        for request in self.session.ready(self.hass.loop.time()):
            waiter = self._waiters.get(request)
            if waiter is not None and waiter.on_sent is not None and request.sent_at is not None:
                waiter.on_sent(request.sent_at)
            self.hass.async_create_task(self._async_publish_request(request), eager_start=True)
        wakeup = self.session.next_wakeup()
        if self._wakeup is not None and self._wakeup.when() == wakeup:
            return  # the timer is already set for that moment (the common case per message)
        self._cancel_wakeup()
        if wakeup is not None:
            self._wakeup = self.hass.loop.call_at(wakeup, self._async_wakeup, wakeup)

    def stop(self) -> None:
        """Close the session: fail every queued or sent request; nothing is published more."""
        self._cancel_wakeup()
        unloaded = CommandFailedError(Failure.UNLOADED, self._name())
        for request in self.session.close():
            self._fail(request, unloaded)

    def reconnected(self, offline_since: float) -> None:
        """The terminal is back after an outage: fail what it was sent before it.

        An answer to a command sent before the terminal went offline does not come after
        it is back (it restarted or lost the connection), so its caller hears why now
        (`Failure.INTERRUPTED`) instead of a bare timeout later.
        """
        now = self.hass.loop.time()
        for request in self.session.pending:
            if request.sent_at is not None and request.sent_at <= offline_since:
                self.session.cancel(request, now)
                self._fail(request, interrupted(request, self._name()))
        self.pump()

    def publish_now(self, command: protocol.Command) -> None:
        """Hand a fire-and-forget command (a PushAck) to the MQTT client at once (eager)."""
        if self.session.closed:
            return
        self.hass.async_create_task(self._async_publish_quietly(command), eager_start=True)

    @callback
    def _async_wakeup(self, when: float) -> None:
        self._wakeup = None
        # The timer fired, so its time has come even when a test moved time forward
        # without moving the loop clock.
        now = max(self.hass.loop.time(), when)
        for request in self.session.expire(now):
            self._fail(request, timed_out(request, self._name()))
        self.pump()

    def _cancel_wakeup(self) -> None:
        if self._wakeup is not None:
            self._wakeup.cancel()
            self._wakeup = None

    def _fail(self, request: protocol.Request, error: HomeAssistantError) -> None:
        waiter = self._waiters.pop(request, None)
        if waiter is not None and not waiter.future.done():
            waiter.future.set_exception(error)
            # The waiting task may be cancelled with the entry before it looks.
            waiter.future.exception()

    async def _async_publish_request(self, request: protocol.Request) -> None:
        command = request.command
        try:
            await mqtt.async_publish(
                self.hass, command.topic, command.payload, command_qos(command), False
            )
        except HomeAssistantError as err:
            if self.session.cancel(request, self.hass.loop.time()):
                self._fail(request, publish_failed(request, self._name(), err))
                self.pump()

    async def _async_publish_quietly(self, command: protocol.Command) -> None:
        # A PushAck goes at QoS 0: the broker's PUBACK to a QoS-1 PushAck is a small
        # segment Home Assistant never answers, so its TCP ACK waits for the delayed-ACK
        # timer (~40 ms) while the broker's Nagle algorithm holds the next record behind it
        # (measured in docs/benchmarks.md). A lost PushAck costs nothing: the terminal
        # re-sends the record, and the session acknowledges and de-duplicates it.
        qos = PUSH_ACK_QOS if command.operator == operators.PUSH_ACK else command_qos(command)
        try:
            await mqtt.async_publish(self.hass, command.topic, command.payload, qos, False)
        except HomeAssistantError as err:
            LOGGER.debug("Could not publish to %s: %s", command.topic, err)
