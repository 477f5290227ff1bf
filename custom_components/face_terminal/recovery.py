"""Recover the records a terminal made while Home Assistant or the broker was away.

Every outage opens a *gap* that begins at the last record delivered before it
(`protocol.recovery.Gaps`): Home Assistant starting (the journal's newest record), the
terminal going offline or announcing itself again with ``Online`` (it reconnected to
the broker), or Home Assistant's own MQTT connection dropping. Once the terminal is
heard again, the gap is filled:

* a terminal with resume-from-breakpoint re-sends every unacknowledged record by itself
  (nothing was acknowledged that is not durable, `delivery`), so the gap just closes;
* otherwise (the factory default) it is asked for the period (``ManualPushRecords`` §20,
  ``ManualPushSnaps`` §22). Those copies arrive with ``PushType`` 2: they are fired as
  replays (``replay: true``), and the ones already delivered — live ones that raced the
  answer included — are recognised by their identity and dropped.

A gap that could not be filled (the terminal refused, or never answered) raises a repair
naming the period; the gap stays open and the next reconnection tries again. Switched by
the ``recover_records`` option (on by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final, Protocol

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from . import protocol
from .const import CONF_RECOVER_RECORDS, DEFAULT_RECOVER_RECORDS, DOMAIN, LOGGER
from .errors import TerminalCommandError
from .port import TerminalPort
from .protocol.delivery import format_time
from .protocol.recovery import Gaps, resume_enabled

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from .protocol.delivery import DeliveryLog

# ManualPush*-Ack codes that are answers, not failures (§20.1, §22.1).
NOTHING_TO_SEND: Final = 466  # no record in the period
UPLOAD_OFF: Final = 467  # the terminal does not upload this kind at all
GAP_ISSUE_PREFIX: Final = "records_gap_"

_ASKS: Final[dict[int, Callable[[datetime, datetime], protocol.Intent]]] = {
    protocol.PUSH_ACK_RECORD: protocol.ResendRecords,
    protocol.PUSH_ACK_STRANGER: protocol.ResendSnaps,
}
_NAMES: Final = {protocol.PUSH_ACK_RECORD: "records", protocol.PUSH_ACK_STRANGER: "snaps"}


def gap_issue_id(entry_id: str) -> str:
    """Repair issue of a terminal whose missed records could not be recovered."""
    return f"{GAP_ISSUE_PREFIX}{entry_id}"


class RecoveryPort(TerminalPort, Protocol):
    """What the recovery needs of a terminal's runtime: its port and the MQTT settings."""

    async def async_mqtt_settings(self) -> Mapping[str, Any] | None:
        """The terminal's MQTT parameter group, as recently read."""


@dataclass(slots=True)
class _Failure:
    start: datetime
    end: datetime
    reason: str | None  # the terminal's refusal; None: no answer


class RecordRecovery:
    """The gaps of one terminal and the catch-up that fills them."""

    def __init__(
        self,
        hass: HomeAssistant,
        terminal: RecoveryPort,
        log: DeliveryLog,
        gaps: Gaps,
        gaps_changed: Callable[[], None],
    ) -> None:
        """`log` is the session's delivery log; `gaps_changed` stores the gaps soon."""
        self.hass = hass
        self._terminal = terminal
        self._log = log
        self.gaps = gaps
        self._gaps_changed = gaps_changed
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self.last_run: dict[str, Any] = {}

    @property
    def enabled(self) -> bool:
        """The ``recover_records`` option."""
        return bool(self._terminal.entry.options.get(CONF_RECOVER_RECORDS, DEFAULT_RECOVER_RECORDS))

    # --- outages ----------------------------------------------------------------------

    @callback
    def async_outage(self) -> None:
        """Something may have been missed from now on: open a gap after the newest record."""
        changed = False
        now = self._terminal_now()
        for kind in _ASKS:
            changed |= self.gaps.open(kind, self._log.newest(kind, not_after=now))
        if changed:
            self._gaps_changed()

    @callback
    def async_presence_changed(self) -> None:
        """Offline opens a gap; coming (back) online fills the open ones."""
        if self._terminal.online:
            self.async_fill()
        else:
            self.async_outage()

    @callback
    def async_reconnected(self) -> None:
        """The terminal announced itself (``Online``): it was away from the broker."""
        self.async_outage()
        self.async_fill()

    @callback
    def async_fill(self) -> None:
        """Fill the open gaps now (in the background), or once the current run ends."""
        if not self.gaps or not self.enabled or not self._terminal.online:
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        # Not eagerly: this runs inside the runtime's handling of a message; a command
        # submitted from there would re-enter the session.
        self._task = self._terminal.entry.async_create_background_task(
            self.hass,
            self._async_fill_all(),
            f"{DOMAIN} recover {self._terminal.terminal_id}",
            eager_start=False,
        )

    # --- catching up --------------------------------------------------------------------

    def _terminal_now(self) -> datetime:
        offset = self._terminal.clock_offset or 0.0
        return dt_util.now().replace(tzinfo=None, microsecond=0) + timedelta(seconds=offset)

    async def _async_fill_all(self) -> None:
        while True:
            self._again = False
            await self._async_fill_once()
            if not self._again or not self.gaps:
                return

    async def _async_fill_once(self) -> None:
        if await self._async_resume_on():
            # The terminal re-sends by itself whatever was not acknowledged.
            self._close(list(self.gaps.starts))
            self.last_run = {"skipped": "resume_from_breakpoint"}
            return
        end = self._terminal_now()
        run: dict[str, Any] = {}
        failure: _Failure | None = None
        for kind, ask in _ASKS.items():
            period = self.gaps.period(kind, end)
            if period is None:
                continue
            count, failure = await self._async_ask(ask(*period), *period)
            run[_NAMES[kind]] = count
            if failure is not None:
                break
            self._close([kind])
        self.last_run = run
        LOGGER.debug("Terminal %s: missed-record recovery %s", self._terminal.terminal_id, run)
        self._report(failure)

    async def _async_ask(
        self, ask: protocol.Intent, start: datetime, end: datetime
    ) -> tuple[int | None, _Failure | None]:
        """Ask for one period; the number of records re-sent, or what went wrong."""
        terminal = self._terminal
        try:
            ack = await terminal.async_request(ask, background=True)
        except TerminalCommandError as err:
            if err.code in (NOTHING_TO_SEND, UPLOAD_OFF):
                return 0, None
            LOGGER.warning(
                "Terminal %s refused to re-send the records of %s to %s: %s",
                terminal.display_name,
                format_time(start),
                format_time(end),
                err.reason,
            )
            return None, _Failure(start, end, err.reason)
        except HomeAssistantError as err:
            LOGGER.info(
                "Terminal %s did not re-send the records of %s to %s: %s",
                terminal.display_name,
                format_time(start),
                format_time(end),
                err,
            )
            return None, _Failure(start, end, None)
        return protocol.as_int(ack.info.get("RecordNum")) or 0, None

    def _close(self, kinds: list[int]) -> None:
        closed = [kind for kind in kinds if self.gaps.close(kind)]
        if closed:
            self._gaps_changed()
        if not self.gaps:
            ir.async_delete_issue(self.hass, DOMAIN, gap_issue_id(self._terminal.entry.entry_id))

    def _report(self, failure: _Failure | None) -> None:
        """Raise the repair for a gap that stays open (it is retried on reconnection)."""
        if failure is None:
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            gap_issue_id(self._terminal.entry.entry_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="records_gap" if failure.reason else "records_gap_unanswered",
            translation_placeholders={
                "name": self._terminal.display_name,
                "start": format_time(failure.start).replace("T", " "),
                "end": format_time(failure.end).replace("T", " "),
                **({"reason": failure.reason} if failure.reason else {}),
            },
        )

    async def _async_resume_on(self) -> bool:
        """Whether the terminal re-sends by itself (unknown counts as no).

        The settings store reads the MQTT group anyway (on coming online, every 15
        minutes, after a change): what it read recently answers, so the terminal is not
        asked twice when it comes online.
        """
        parameters = await self._terminal.async_mqtt_settings()
        return parameters is not None and resume_enabled(dict(parameters)) is True

    def as_diagnostics(self) -> dict[str, Any]:
        """Whether it runs, its last run and the open gaps (times only, no record IDs)."""
        return {
            "enabled": self.enabled,
            "last_run": self.last_run,
            "open_gaps": {
                _NAMES.get(kind, str(kind)): format_time(start)
                for kind, start in self.gaps.starts.items()
            },
        }
