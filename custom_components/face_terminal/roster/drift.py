"""Roster drift: a terminal's people compared with what Home Assistant last synced to it.

People get enrolled or deleted on the terminal's own screen, a terminal is reset or
replaced, a sync half-fails, a name is edited on the terminal. `RosterDriftWatch`
compares, every `CHECK_INTERVAL` (the first time `FIRST_CHECK` after start) and on
demand, the terminal's customIds (one ``QueryPerson``, §4.2.1) and names (``SearchPersonList``
pages, §4.2.3, read one page at a time) with the fingerprints of the last sync
(`state.RosterSyncs`). Both go on the query lane, never the door's or the roster's, and
without any face or picture. One repair issue per terminal says in plain words what
differs. Its fix flow (`repairs`) syncs the terminal again from the roster file of its
last sync (people with another name are sent their name again, without the photo), and
for people the roster does not know offers keep or delete.

Only terminals Home Assistant has synced at least once are compared; a terminal that is
syncing or offline is skipped until the next time.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later, async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN, LOGGER
from ..terminal_issues import async_raise_terminal_issue
from .commands import RosterCommands
from .files import load_roster
from .state import async_get_roster_syncs
from .sync import async_sync_terminals

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence
    from datetime import datetime

    from homeassistant.core import HomeAssistant

    from ..port import TerminalPort
    from ..protocol.roster import Fingerprint

ISSUE_PREFIX: Final = "roster_drift_"
CHECK_INTERVAL: Final = timedelta(hours=6)
FIRST_CHECK: Final = timedelta(minutes=10)
SOURCES_KEY: Final = f"{DOMAIN}.roster_sources"
DATA_SOURCES: HassKey[RosterSources] = HassKey(f"{DOMAIN}_roster_sources")
EXAMPLES: Final = 5


@dataclass(frozen=True, slots=True)
class Drift:
    """How a terminal's people differ from what Home Assistant synced to it."""

    missing: list[str]  # synced by Home Assistant, gone from the terminal
    unknown: list[str]  # on the terminal, never synced (nor kept on purpose)
    renamed: list[str] = field(default_factory=list)  # on it under another name

    def __bool__(self) -> bool:
        """Whether anything differs."""
        return bool(self.missing or self.unknown or self.renamed)


def compare(
    present: Iterable[str],
    known: Mapping[str, Fingerprint],
    accepted: Collection[str] = (),
    renamed: Iterable[str] = (),
) -> Drift:
    """The drift between the terminal's customIds and names and the last sync's (sorted)."""
    on_terminal = set(present)
    missing = sorted(cid for cid in known if cid not in on_terminal)
    unknown = sorted(cid for cid in on_terminal if cid not in known and cid not in accepted)
    other_name = sorted({cid for cid in renamed if cid in on_terminal and cid in known})
    return Drift(missing, unknown, other_name)


def issue_id(entry_id: str) -> str:
    """The repair issue of a terminal's entry."""
    return f"{ISSUE_PREFIX}{entry_id}"


class RosterSources:
    """Per terminal, the roster file of its last sync and the unknown people kept."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing loaded yet."""
        self._store: Store[dict[str, Any]] = Store(hass, 1, SOURCES_KEY)
        self._data: dict[str, dict[str, Any]] | None = None

    async def _async_data(self) -> dict[str, dict[str, Any]]:
        if self._data is None:
            stored = await self._store.async_load()
            terminals = stored.get("terminals") if isinstance(stored, dict) else None
            self._data = (
                {str(k): v for k, v in terminals.items() if isinstance(v, dict)}
                if isinstance(terminals, dict)
                else {}
            )
        return self._data

    async def async_source(self, terminal_id: str) -> tuple[str | None, str | None]:
        """The roster file and photo folder of the terminal's last sync from a file."""
        item = (await self._async_data()).get(terminal_id, {})
        roster, folder = item.get("roster_file"), item.get("photo_folder")
        return (
            roster if isinstance(roster, str) else None,
            folder if isinstance(folder, str) else None,
        )

    async def async_accepted(self, terminal_id: str) -> set[str]:
        """The unknown people the owner chose to keep on the terminal."""
        kept = (await self._async_data()).get(terminal_id, {}).get("accepted")
        return {str(cid) for cid in kept} if isinstance(kept, list) else set()

    async def async_remember(
        self,
        terminal_ids: Iterable[str],
        roster_file: str | None,
        photo_folder: str | None,
        *,
        accepted: Collection[str] | None = None,
    ) -> None:
        """Note a sync's roster file (and, from a fix, the people kept)."""
        data = await self._async_data()
        for terminal_id in terminal_ids:
            item = data.setdefault(terminal_id, {})
            if roster_file is not None:
                item["roster_file"] = roster_file
                item["photo_folder"] = photo_folder
            if accepted is not None:
                item["accepted"] = sorted(accepted)
        await self._store.async_save({"terminals": data})


@callback
def async_get_roster_sources(hass: HomeAssistant) -> RosterSources:
    """The one `RosterSources` of this Home Assistant."""
    sources = hass.data.get(DATA_SOURCES)
    if sources is None:
        sources = hass.data[DATA_SOURCES] = RosterSources(hass)
    return sources


async def async_check_roster(terminal: TerminalPort) -> Drift | None:
    """Compare the terminal with its last sync and raise or clear its issue.

    None: nothing to compare (never synced, syncing now, offline or no answer).
    """
    hass = terminal.hass
    syncs = async_get_roster_syncs(hass)
    known = await syncs.async_known(terminal.terminal_id)
    if not known or not terminal.online or syncs.busy(terminal):
        return None
    commands = RosterCommands(terminal)
    try:
        present, _total = await commands.async_list()
    except HomeAssistantError as err:
        LOGGER.debug("Roster check of %s skipped: %s", terminal.display_name, err)
        return None
    # A terminal that cannot list names is still compared by its IDs.
    renamed = await commands.async_renamed(known) or []
    if syncs.busy(terminal):  # a sync started while the pages came: it decides
        return None
    accepted = await async_get_roster_sources(hass).async_accepted(terminal.terminal_id)
    drift = compare(present, known, accepted, renamed)
    async_update_issue(terminal, drift)
    return drift


@callback
def async_update_issue(terminal: TerminalPort, drift: Drift) -> None:
    """Raise the terminal's repair issue for `drift`, or clear it when nothing differs."""
    hass, entry_id = terminal.hass, terminal.entry.entry_id
    if not drift:
        ir.async_delete_issue(hass, DOMAIN, issue_id(entry_id))
        return
    async_raise_terminal_issue(
        terminal,
        issue_id(entry_id),
        "roster_drift",
        missing=str(len(drift.missing)),
        unknown=str(len(drift.unknown)),
        renamed=str(len(drift.renamed)),
        missing_examples=_examples(drift.missing),
        unknown_examples=_examples(drift.unknown),
        renamed_examples=_examples(drift.renamed),
    )


def _examples(custom_ids: Sequence[str]) -> str:
    shown = ", ".join(custom_ids[:EXAMPLES])
    more = len(custom_ids) - EXAMPLES
    return f"{shown}, … (+{more})" if more > 0 else shown or "-"


class RosterDriftWatch:
    """Compares one terminal with its last sync now and then."""

    def __init__(self, terminal: TerminalPort) -> None:
        """Start the checks; they stop with the terminal's entry."""
        self.terminal = terminal
        entry = terminal.entry
        entry.async_on_unload(async_call_later(terminal.hass, FIRST_CHECK, self._async_scheduled))
        entry.async_on_unload(
            async_track_time_interval(terminal.hass, self._async_scheduled, CHECK_INTERVAL)
        )

    @callback
    def _async_scheduled(self, _now: datetime) -> None:
        # In the background: nobody waits for it, and it never delays a shutdown.
        self.terminal.entry.async_create_background_task(
            self.terminal.hass,
            async_check_roster(self.terminal),
            f"{DOMAIN} roster check {self.terminal.terminal_id}",
        )


async def async_repair_roster(terminal: TerminalPort, *, delete_unknown: bool) -> Drift:
    """Sync the terminal again from its last roster file; keep or delete unknown people.

    People whose name on the terminal differs are found again first, and their last
    fingerprint's details forgotten: the sync sends them their name (not their photo).

    Raises `HomeAssistantError` (translated) when there is no roster file to sync from or
    the sync cannot run; returns what still differs afterwards.
    """
    hass = terminal.hass
    sources = async_get_roster_sources(hass)
    roster_file, photo_folder = await sources.async_source(terminal.terminal_id)
    if roster_file is None:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="roster_source_unknown",
            translation_placeholders={"name": terminal.display_name},
        )
    entries = await hass.async_add_executor_job(
        lambda: load_roster(hass, roster_file=roster_file, photo_folder=photo_folder, inline=[])
    )
    syncs = async_get_roster_syncs(hass)
    commands = RosterCommands(terminal)
    with syncs.reserve([terminal]):
        known = await syncs.async_known(terminal.terminal_id)
        for custom_id in await commands.async_renamed(known) or []:
            known[custom_id] = replace(known[custom_id], details="")
        (report,) = await async_sync_terminals(
            hass, [terminal], entries, delete_missing=delete_unknown
        )
        if not report.get("success"):
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="sync_failed",
                translation_placeholders={"error": str(report.get("error"))},
            )
        present, _total = await commands.async_list()
        known = await syncs.async_known(terminal.terminal_id)
        renamed = await commands.async_renamed(known) or []
    accepted = {cid for cid in present if cid not in known} if not delete_unknown else set()
    await sources.async_remember([terminal.terminal_id], None, None, accepted=accepted)
    drift = compare(present, known, accepted, renamed)
    async_update_issue(terminal, drift)
    return drift
