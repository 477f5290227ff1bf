"""The roster's conversation with one terminal: list, delete, batch edit, inline enrol.

These methods only send, wait and sleep. What an answer means for the next step is
decided by the pure helpers of `protocol.roster`: `BatchTracker` while an
``EditPersonsNew`` batch runs (progress polls, a lost batch, a busy terminal),
`BusyBackoff` for ``DeletePersons``, and `batch_outcomes` for the result per person.
Only `async_list` raises; `async_renamed` answers None when names cannot be compared,
and every other outcome is a `PersonOutcome` per person.

The session's route table puts batches and deletions on the persons lane, one at a time,
and ``QueryProgress``, ``QueryPerson`` and ``SearchPersonList`` on lanes beside it, so
a running batch can be watched; it also gives each its deadline, except the batch's,
which grows with its size.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Final, Literal

from homeassistant.exceptions import HomeAssistantError

from .. import protocol
from ..const import DOMAIN, LOGGER
from ..errors import TerminalCommandError
from ..protocol.roster import (
    BatchPolicy,
    BatchStep,
    BatchTracker,
    BusyBackoff,
    PersonOutcome,
    ProgressPolls,
    batch_outcomes,
    custom_ids_from_ack,
    failed_outcomes,
    renamed,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ..port import TerminalPort
    from ..protocol.roster import Fingerprint

BATCH_POLICY: Final = BatchPolicy()
POLL_INTERVAL: Final = 2.0
BATCH_TIMEOUT_BASE: Final = 60.0
BATCH_TIMEOUT_PER_PERSON: Final = 35.0
"""Backstop only: a terminal may spend a download timeout on every photo."""
UNCONFIRMED: Final = "the terminal did not confirm the batch"
NAME_PAGE: Final = 200
"""People per ``SearchPersonList`` page when names are compared (the spec allows 2000).

Each page is parsed on the event loop: 200 people (about 80 KB with every field of the
spec's example) take a few milliseconds, 1000 would take about 25 ms.
"""
MAX_NAME_PAGES: Final = 500
"""A backstop against a terminal that ignores ``BeginNO``: 100 000 people at most."""
NO_MATCHING_PERSON: Final = 466

type _Lost = Literal[BatchStep.RESEND, BatchStep.UNCONFIRMED]


class RosterCommands:
    """The commands of one terminal's roster sync."""

    def __init__(self, terminal: TerminalPort) -> None:
        """Talk to `terminal`; nothing is known yet about its ``QueryProgress``."""
        self.terminal = terminal
        self._polls = ProgressPolls()

    def _now(self) -> float:
        """The session's clock (what `on_sent` reports is on it)."""
        return self.terminal.hass.loop.time()

    async def _async_answer(
        self,
        what: protocol.Intent | protocol.Command,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - a deadline, like async_request's
        on_sent: Callable[[float], None] | None = None,
    ) -> protocol.Ack:
        """The terminal's answer to `what`, a refusal included (the caller judges it)."""
        try:
            return await self.terminal.async_request(what, timeout=timeout, on_sent=on_sent)
        except TerminalCommandError as err:
            return err.ack

    async def async_list(self) -> tuple[list[str], int | None]:
        """The terminal's customIds and how many persons it holds.

        Asked once more when no answer comes: one lost message must not cost the sync.
        Raises `HomeAssistantError` when the terminal refuses, or answers neither time.
        """
        command = self.terminal.frame(protocol.ListPersonIds())
        try:
            ack = await self.terminal.async_request(command)
        except TerminalCommandError:
            raise
        except HomeAssistantError:
            ack = await self.terminal.async_request(command)
        return custom_ids_from_ack(ack)

    async def async_renamed(self, known: Mapping[str, Fingerprint]) -> list[str] | None:
        """The people whose name on the terminal differs from the one last sent.

        Reads the terminal's ``SearchPersonList`` (§4.2.3) page by page, on the query lane
        and without pictures, and keeps only the customIds that differ: memory stays one
        page, whatever the terminal holds. None when the terminal does not answer or
        refuses (older firmware has no such command): names are then not compared.
        """
        if not any(fp.name is not None for fp in known.values()):
            return []
        found: list[str] = []
        offset, pages = 0, 0
        while pages < MAX_NAME_PAGES:
            try:
                ack = await self.terminal.async_request(
                    protocol.SearchPersons(offset=offset, count=NAME_PAGE)
                )
            except TerminalCommandError as err:
                if err.code == NO_MATCHING_PERSON:  # an empty terminal lists nobody
                    return found
                LOGGER.debug("Names on %s not compared: %s", self.terminal.display_name, err)
                return None
            except HomeAssistantError as err:
                LOGGER.debug("Names on %s not compared: %s", self.terminal.display_name, err)
                return None
            if not isinstance(ack, protocol.SearchPersonListAck) or not ack.persons:
                return found
            found.extend(renamed(ack.persons, known))
            offset += len(ack.persons)
            pages += 1
            if ack.total is None or offset >= ack.total:
                return found
        return found

    async def async_delete(self, custom_ids: Sequence[str]) -> dict[str, PersonOutcome]:
        """One ``DeletePersons`` (§4.9), sent again while the terminal is busy."""
        command = self.terminal.frame(protocol.DeletePersons(list(custom_ids)))
        busy = BusyBackoff(BATCH_POLICY)
        while True:
            try:
                ack = await self._async_answer(command)
            except HomeAssistantError as err:
                return failed_outcomes(custom_ids, str(err))
            pause = busy.answered(ack, self._now())
            if pause is None:
                return batch_outcomes(ack, custom_ids)
            await self._async_busy_pause(pause)

    async def async_enrol(self, spec: protocol.PersonSpec) -> PersonOutcome:
        """One ``EditPerson`` with its photo inline (no local URL to download it from)."""
        try:
            await self.terminal.async_request(protocol.EnrolPerson(spec))
        except TerminalCommandError as err:
            return PersonOutcome(False, err.code, err.reason)
        except HomeAssistantError as err:
            return PersonOutcome(False, None, str(err))
        return PersonOutcome(True)

    async def async_edit_batch(
        self, specs: Sequence[protocol.PersonSpec], on_done: Callable[[int], None]
    ) -> dict[str, PersonOutcome]:
        """One ``EditPersonsNew`` batch (§4.10); `on_done` hears the terminal's count."""
        sent = [spec.custom_id for spec in specs]
        # Built once: a lost or refused batch goes out again as it is. The roster checked
        # every field the builder checks, so it does not refuse a person here.
        command = self.terminal.frame(protocol.EnrolPersons(specs))
        tracker = BatchTracker(len(specs), self._polls, BATCH_POLICY)
        while True:
            try:
                result = await self._async_send_batch(command, tracker, on_done)
            except HomeAssistantError as err:
                return failed_outcomes(sent, str(err))
            if result is BatchStep.UNCONFIRMED:
                return failed_outcomes(sent, UNCONFIRMED)
            if result is BatchStep.RESEND:
                LOGGER.info(
                    "Roster sync of %s: the terminal lost a batch; sending it again",
                    self.terminal.display_name,
                )
                continue
            pause = tracker.answered(result, self._now())
            if pause is None:
                return batch_outcomes(result, sent)
            await self._async_busy_pause(pause)

    async def _async_send_batch(
        self, command: protocol.Command, tracker: BatchTracker, on_done: Callable[[int], None]
    ) -> protocol.Ack | _Lost:
        """Send the batch once: its answer, or that the terminal lost it.

        Raises `HomeAssistantError` when the batch is not answered in time, or when the
        terminal stops answering its progress polls.
        """
        task = self.terminal.hass.async_create_task(
            self._async_answer(
                command,
                timeout=BATCH_TIMEOUT_BASE + BATCH_TIMEOUT_PER_PERSON * tracker.size,
                on_sent=tracker.sent,
            ),
            eager_start=True,
        )
        try:
            while True:
                interval = POLL_INTERVAL if tracker.polls else None
                await asyncio.wait({task}, timeout=interval)
                if task.done():
                    return task.result()
                asked_at = self._now()
                answer = await self._async_progress()
                if task.done():
                    return task.result()
                step = tracker.polled(answer, asked_at=asked_at)
                if tracker.done is not None:
                    on_done(tracker.done)
                if step is BatchStep.SILENT:
                    raise HomeAssistantError(
                        translation_domain=DOMAIN,
                        translation_key="sync_terminal_silent",
                        translation_placeholders={"name": self.terminal.display_name},
                    )
                if step is not BatchStep.WAIT:
                    return step
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, HomeAssistantError):
                    await task

    async def _async_progress(self) -> protocol.Ack | None:
        """The answer to ``QueryProgress`` (a refusal too); None when none came."""
        try:
            return await self._async_answer(protocol.ReadProgress())
        except HomeAssistantError:
            return None

    async def _async_busy_pause(self, pause: float) -> None:
        LOGGER.debug(
            "Roster sync of %s: terminal busy, next try in %.0f s",
            self.terminal.display_name,
            pause,
        )
        await asyncio.sleep(pause)
