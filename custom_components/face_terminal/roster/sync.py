"""The roster sync: bring terminals in line with a roster, concurrently.

Per terminal (`TerminalSync`): read its customId list, compare it with the roster and
with the fingerprints of what was last sent (`protocol.roster.plan_roster`), delete
extras (``DeletePersons``, `DELETE_BATCH_SIZE` at a time, only when asked), then add and
change persons with ``EditPersonsNew`` batches whose photos the terminal downloads from
Home Assistant (`roster.photos`); `roster.commands` sends them and watches each batch.
Without a usable local URL, photos go inline with single ``EditPerson`` commands one second apart
(V1.24 §4.1): correct, but slow; the result says so.

Terminals sync concurrently and share the photos: each is prepared once for all of
them while earlier batches run. The result is one report per terminal (`roster.report`),
and each terminal's person links are merged from it (`roster.links`).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from homeassistant.exceptions import HomeAssistantError

from .. import protocol
from ..const import DELETE_BATCH_SIZE, LOGGER
from ..photo_server import local_base_url
from ..protocol.roster import (
    Fingerprint,
    PersonOutcome,
    RosterAction,
    RosterPlan,
    chunked,
    fingerprint,
    plan_roster,
)
from .commands import RosterCommands
from .entries import PROBLEM_PHOTO_REQUIRED, PROBLEM_TEXTS
from .links import write_links
from .photos import DELIVERY_INLINE, PhotoPreparer, PhotoProblemError
from .report import SyncReport
from .state import async_get_roster_syncs

if TYPE_CHECKING:
    from collections.abc import Sequence

    from homeassistant.core import HomeAssistant
    from homeassistant.util.json import JsonValueType

    from ..port import TerminalPort
    from .entries import RosterEntry
    from .progress import SyncProgress

DEFAULT_BATCH_SIZE: Final = 200

type _Change = tuple[RosterEntry, RosterAction, protocol.PersonSpec]


class TerminalSync:
    """Brings one terminal in line with a roster."""

    def __init__(
        self,
        terminal: TerminalPort,
        entries: Sequence[RosterEntry],
        photos: PhotoPreparer,
        progress: SyncProgress,
        known: dict[str, Fingerprint],
        *,
        delete_missing: bool,
        batch_size: int,
    ) -> None:
        """Bind the sync to its terminal and shared photos."""
        self.terminal = terminal
        self.entries = entries
        self.photos = photos
        self.progress = progress
        self.known = known
        self.delete_missing = delete_missing
        self.batch_size = batch_size
        self.commands = RosterCommands(terminal)
        self.report = SyncReport()
        self._done = 0

    async def async_run(self) -> dict[str, JsonValueType]:
        """Sync the terminal; return its report (raises only when it cannot start)."""
        present, _total = await self.commands.async_list()
        valid = [entry for entry in self.entries if entry.problem is None]
        plan = plan_roster(
            [entry.person() for entry in valid],
            present,
            self.known,
            keep=[entry.custom_id for entry in self.entries if entry.problem is not None],
            delete_missing=self.delete_missing,
        )
        present_set = set(present)
        by_id = {entry.custom_id: entry for entry in valid}
        self.photos.start([by_id[cid] for cid in plan.send_photo])
        # Every photo is checked before anything is sent (`photo_check`).
        refused = await self.photos.checker.async_refused(
            self.terminal, [by_id[cid] for cid in sorted(plan.send_photo)], PhotoProblemError
        )
        self._report_problems(present_set, plan)
        self._note_names([by_id[cid] for cid in plan.unchanged])
        self.progress.start(plan.changes)
        try:
            await self._async_apply(plan, by_id, refused)
        except BaseException:
            self.progress.abort()
            raise
        for cid in list(self.known):
            if cid not in present_set and cid not in plan.add:
                self.known.pop(cid, None)
        persons = await self._async_count(present_set)
        self.progress.finish(persons, self.report.failed)
        links = write_links(
            self.terminal.hass,
            self.terminal.entry,
            self.entries,
            self.report.synced,
            self.report.deleted,
        )
        person_links: dict[str, JsonValueType] = {**links}
        return {
            "device_id": self.terminal.device_id,
            "terminal_id": self.terminal.terminal_id,
            "success": True,
            "photo_delivery": self.photos.delivery,
            **self.report.counts,
            "failed": self.report.failed,
            "persons_on_terminal": persons,
            "refused_photos": [
                {"custom_id": cid, "reason": reason} for cid, reason in sorted(refused.items())
            ],
            "person_links": person_links,
            "persons": list(self.report.persons),
        }

    def _report_problems(self, present: set[str], plan: RosterPlan) -> None:
        for entry in self.entries:
            if entry.problem is None:
                continue
            action = RosterAction.UPDATE if entry.custom_id in present else RosterAction.ADD
            self.report.add(
                entry.custom_id, action, PersonOutcome(False, None, PROBLEM_TEXTS[entry.problem])
            )
        for cid in plan.photo_missing:
            self.report.add(
                cid,
                RosterAction.ADD,
                PersonOutcome(False, None, PROBLEM_TEXTS[PROBLEM_PHOTO_REQUIRED]),
            )
        for cid in plan.unchanged:
            self.report.add(cid, RosterAction.UNCHANGED, PersonOutcome(True))

    def _note_names(self, unchanged: Sequence[RosterEntry]) -> None:
        """Add the name digest to fingerprints stored before names were kept.

        An unchanged person's details, the name among them, are what was sent: the
        roster's name is the one the terminal was given.
        """
        for entry in unchanged:
            last = self.known.get(entry.custom_id)
            if last is not None and last.name is None:
                self.known[entry.custom_id] = replace(last, name=fingerprint(entry.person()).name)

    async def _async_apply(
        self, plan: RosterPlan, by_id: dict[str, RosterEntry], refused: dict[str, str]
    ) -> None:
        # Deletions first: they free room for the additions.
        for chunk in chunked(plan.delete, DELETE_BATCH_SIZE):
            outcomes = await self.commands.async_delete(chunk)
            for cid in chunk:
                self.known.pop(cid, None)
                self.report.add(cid, RosterAction.DELETE, outcomes[cid])
            self._advance(len(chunk))
        changes = [(cid, RosterAction.ADD) for cid in plan.add] + [
            (cid, RosterAction.UPDATE) for cid in plan.update
        ]
        inline = self.photos.delivery == DELIVERY_INLINE
        batch: list[_Change] = []
        for cid, action in changes:
            entry = by_id[cid]
            spec = _spec(entry)
            if cid in refused:
                self.known.pop(cid, None)
                self.report.add(cid, action, PersonOutcome(False, None, refused[cid]))
                self._advance(1)
                continue
            if cid in plan.send_photo:
                try:
                    if inline:
                        spec.picture = await self.photos.async_bytes(entry)
                    else:
                        spec.picture_uri = await self.photos.async_url(entry)
                except PhotoProblemError as err:
                    self.known.pop(cid, None)
                    self.report.add(cid, action, PersonOutcome(False, None, str(err)))
                    self._advance(1)
                    continue
            if spec.picture is not None:
                self._record(entry, action, await self.commands.async_enrol(spec), photo=True)
                self._advance(1)
                continue
            batch.append((entry, action, spec))
            if len(batch) >= self.batch_size:
                await self._async_flush(batch, plan)
                batch = []
        if batch:
            await self._async_flush(batch, plan)

    async def _async_flush(self, batch: list[_Change], plan: RosterPlan) -> None:
        done_before = self._done
        outcomes = await self.commands.async_edit_batch(
            [spec for _entry, _action, spec in batch],
            lambda done: self.progress.advance(done_before + done),
        )
        for entry, action, _spec_sent in batch:
            photo = entry.custom_id in plan.send_photo
            self._record(entry, action, outcomes[entry.custom_id], photo=photo)
        self._advance(len(batch))

    def _record(
        self, entry: RosterEntry, action: RosterAction, outcome: PersonOutcome, *, photo: bool
    ) -> None:
        """Report a person and remember what the terminal now holds."""
        self.report.add(entry.custom_id, action, outcome)
        if not outcome.ok:
            self.known.pop(entry.custom_id, None)
            return
        sent = fingerprint(entry.person())
        last = self.known.get(entry.custom_id)
        photo_digest = sent.photo if photo else (last.photo if last is not None else None)
        self.known[entry.custom_id] = Fingerprint(sent.details, photo_digest, sent.name)

    def _advance(self, count: int) -> None:
        self._done += count
        self.progress.advance(self._done)

    async def _async_count(self, present: set[str]) -> int | None:
        """How many persons the terminal holds now (asked; estimated if it does not say)."""
        try:
            ids, total = await self.commands.async_list()
        except HomeAssistantError:
            deleted = self.report.counts["deleted"]
            return len(present) - deleted + self.report.counts["added"]
        return total if total is not None else len(ids)


def _spec(entry: RosterEntry) -> protocol.PersonSpec:
    return protocol.PersonSpec(
        custom_id=entry.custom_id,
        name=entry.name,
        person_type=entry.person_type,
        temp_card_type=0 if entry.valid_from is None else 1,
        valid_from=entry.valid_from,
        valid_until=entry.valid_until,
    )


async def async_sync_terminals(
    hass: HomeAssistant,
    terminals: Sequence[TerminalPort],
    entries: Sequence[RosterEntry],
    *,
    delete_missing: bool,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[dict[str, JsonValueType]]:
    """Sync all terminals concurrently; one report per terminal, in the given order.

    The caller holds `RosterSyncs.reserve` for the terminals.
    """
    syncs = async_get_roster_syncs(hass)
    photos = PhotoPreparer(hass, local_base_url(hass))
    if photos.delivery == DELIVERY_INLINE:
        LOGGER.warning(
            "Home Assistant has no local network URL the terminals could fetch photos from; "
            "sending photos inline, one person per second"
        )

    async def run(terminal: TerminalPort) -> dict[str, JsonValueType]:
        sync = TerminalSync(
            terminal,
            entries,
            photos,
            syncs.progress(terminal),
            await syncs.async_known(terminal.terminal_id),
            delete_missing=delete_missing,
            batch_size=batch_size,
        )
        try:
            return await sync.async_run()
        except HomeAssistantError as err:
            return {
                "device_id": terminal.device_id,
                "terminal_id": terminal.terminal_id,
                "success": False,
                "error": str(err),
            }

    try:
        return list(await asyncio.gather(*(run(terminal) for terminal in terminals)))
    finally:
        await photos.async_close()
        await syncs.async_save()
