"""Recover the records a terminal made while Home Assistant or the broker was away.

A terminal with resume-from-breakpoint re-sends unacknowledged records by itself. One
without it (the factory default) keeps them only in its own log; when it comes back,
`RecordRecovery` asks it for the records since the last one Home Assistant saw
(``ManualPushRecords`` §20 and ``ManualPushSnaps`` §22). Those arrive with ``PushType``
2: the runtime fires them as replays (``replay: true``), never as live arrivals, and
drops the ones already delivered. The last record time per terminal is stored, so this
also works across a restart of Home Assistant.

Switched by the ``recover_records`` option (on by default). A terminal that does not
answer the command is left alone until its entry is reloaded.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from . import protocol
from .const import CONF_RECOVER_RECORDS, DEFAULT_RECOVER_RECORDS, DOMAIN, LOGGER
from .protocol import Lane
from .protocol.recovery import KindWatermark, Watermark, resume_enabled

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable
    from datetime import datetime

    from .coordinator import FaceTerminal

STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 10  # seconds: records come in bursts, one write per burst
RECOVERY_TIMEOUT: Final = 20.0
# ManualPush*-Ack codes that are answers, not failures (§20.1, §22.1).
NOTHING_TO_SEND: Final = 466  # no record in the period
UPLOAD_OFF: Final = 467  # the terminal does not upload this kind at all


def storage_key(entry_id: str) -> str:
    """Storage file of one terminal's watermark."""
    return f"{DOMAIN}.records_{entry_id}"


class RecordRecovery:
    """The watermark of one terminal and the catch-up after it comes back."""

    def __init__(self, hass: HomeAssistant, terminal: FaceTerminal) -> None:
        """Nothing is loaded before `async_load`."""
        self.hass = hass
        self._terminal = terminal
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(terminal.entry.entry_id)
        )
        self.watermark = Watermark()
        self._online: bool | None = None
        self._task: asyncio.Task[None] | None = None
        self.unsupported = False
        self.last_run: dict[str, Any] = {}

    @property
    def enabled(self) -> bool:
        """The ``recover_records`` option."""
        return bool(self._terminal.entry.options.get(CONF_RECOVER_RECORDS, DEFAULT_RECOVER_RECORDS))

    async def async_load(self) -> None:
        """Read the stored watermark (an unreadable one starts empty)."""
        self.watermark = Watermark.from_dict(await self._store.async_load())

    # --- records ----------------------------------------------------------------------

    def _kind(self, message: protocol.Message) -> tuple[KindWatermark, str | None] | None:
        if isinstance(message, protocol.RecPush):
            return self.watermark.records, message.record_id
        if isinstance(message, protocol.StrSnapPush):
            return self.watermark.snaps, message.snap_id
        return None

    @callback
    def async_note(self, message: protocol.Message) -> None:
        """Remember a delivered record's time (stored a few seconds later)."""
        found = self._kind(message)
        if found is None:
            return
        kind, record_id = found
        if kind.note(getattr(message, "time", None), record_id):
            self._store.async_delay_save(self.watermark.as_dict, SAVE_DELAY)

    @callback
    def delivered(self, message: protocol.Message) -> bool:
        """Whether a re-sent record was delivered before (drop it)."""
        found = self._kind(message)
        if found is None:
            return False
        kind, record_id = found
        return kind.delivered(getattr(message, "time", None), record_id)

    # --- catching up --------------------------------------------------------------------

    @callback
    def async_presence_changed(self) -> None:
        """Catch up when the terminal comes (back) online."""
        online = self._terminal.state.online
        came_back = online and not self._online
        self._online = online
        if not came_back or not self.enabled or self.unsupported:
            return
        if self.watermark.records.time is None and self.watermark.snaps.time is None:
            return  # nothing seen yet: never replay a new terminal's whole history
        if self._task is not None and not self._task.done():
            return
        # Not eagerly: this runs inside the runtime's presence callback, itself inside the
        # handling of a message; a command submitted from there would re-enter the session.
        self._task = self._terminal.entry.async_create_background_task(
            self.hass,
            self._async_recover(),
            f"{DOMAIN} recover {self._terminal.terminal_id}",
            eager_start=False,
        )

    def _terminal_now(self) -> datetime:
        offset = self._terminal.state.clock_offset or 0.0
        return dt_util.now().replace(tzinfo=None, microsecond=0) + timedelta(seconds=offset)

    async def _async_recover(self) -> None:
        terminal = self._terminal
        if await self._async_resume_on():
            self.last_run = {"skipped": "resume_from_breakpoint"}
            return  # the terminal re-sends what nobody acknowledged by itself
        end = self._terminal_now()
        run: dict[str, Any] = {}
        jobs: tuple[tuple[str, KindWatermark, Callable[..., protocol.Command]], ...] = (
            ("records", self.watermark.records, protocol.build_manual_push_records),
            ("snaps", self.watermark.snaps, protocol.build_manual_push_snaps),
        )
        for name, kind, build in jobs:
            if kind.time is None or kind.time > end:
                continue
            command = build(terminal.command_topic, terminal.terminal_id, kind.time, end)
            try:
                ack = await terminal.async_request(
                    command, lane=Lane.QUERY, timeout=RECOVERY_TIMEOUT
                )
            except HomeAssistantError as err:
                code = getattr(getattr(err, "ack", None), "code", None)
                if code in (NOTHING_TO_SEND, UPLOAD_OFF):
                    run[name] = 0
                    continue
                if code is None:
                    # No answer at all: firmware without the command. Leave it alone.
                    self.unsupported = True
                    LOGGER.info(
                        "Terminal %s does not answer %s; missed records are not recovered",
                        terminal.display_name,
                        command.operator,
                    )
                else:
                    LOGGER.warning(
                        "Terminal %s refused to re-send missed records: %s",
                        terminal.display_name,
                        err,
                    )
                run[name] = None
                break
            run[name] = protocol.as_int(ack.info.get("RecordNum")) or 0
        self.last_run = run
        LOGGER.debug("Terminal %s: missed-record recovery %s", terminal.terminal_id, run)

    async def _async_resume_on(self) -> bool:
        """Whether the terminal re-sends by itself (unknown counts as no).

        The settings store reads the MQTT group anyway (on coming online, every 15
        minutes, after a change): what it read within that time answers, and only when
        it has nothing that recent is the terminal asked, through the store, so the
        store's own read on coming online does not ask a second time.
        """
        parameters = await self._terminal.settings.async_current(protocol.ConfigSection.MQTT)
        return parameters is not None and resume_enabled(parameters) is True
