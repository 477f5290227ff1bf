"""What the integration keeps between roster syncs, for all terminals.

`RosterSyncs` (one per Home Assistant, `async_get_roster_syncs`) holds each terminal's
`SyncProgress`, which terminals sync right now (a second sync or a wipe of the same
terminal is refused meanwhile), and the fingerprints of what was last sent to each
terminal (`protocol.roster.Fingerprint`), stored so that a restart does not re-send
everybody; their name digests let a roster check see names changed on the terminal.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from ..protocol.roster import Fingerprint
from .progress import SyncProgress

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from ..port import TerminalPort

STORAGE_KEY: Final = f"{DOMAIN}.roster"
STORAGE_VERSION: Final = 1
DATA_ROSTER: HassKey[RosterSyncs] = HassKey(f"{DOMAIN}_roster")


class RosterSyncs:
    """Progress per terminal, the busy terminals and the stored fingerprints."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing loaded until the first sync."""
        self.hass = hass
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
        self._known: dict[str, dict[str, Fingerprint]] | None = None
        self._progress: dict[str, SyncProgress] = {}
        self._busy: set[str] = set()

    def progress(self, terminal: TerminalPort) -> SyncProgress:
        """The progress of a terminal (created on first use)."""
        progress = self._progress.get(terminal.terminal_id)
        if progress is None:
            progress = self._progress[terminal.terminal_id] = SyncProgress(terminal.display_name)
        return progress

    def busy(self, terminal: TerminalPort) -> bool:
        """Whether a sync of the terminal is running."""
        return terminal.terminal_id in self._busy

    @contextlib.contextmanager
    def reserve(self, terminals: Sequence[TerminalPort]) -> Iterator[None]:
        """Mark the terminals busy for the block; refuse when one is busy already."""
        for terminal in terminals:
            if terminal.terminal_id in self._busy:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="sync_in_progress",
                    translation_placeholders={"name": terminal.display_name},
                )
        ids = {terminal.terminal_id for terminal in terminals}
        self._busy |= ids
        try:
            yield
        finally:
            self._busy -= ids

    async def async_known(self, terminal_id: str) -> dict[str, Fingerprint]:
        """What was last sent to a terminal, per customId (a live dict)."""
        if self._known is None:
            self._known = _parse_stored(await self._store.async_load())
        return self._known.setdefault(terminal_id, {})

    async def async_forget(self, terminal_id: str) -> None:
        """The terminal was wiped: nothing is known about it any more."""
        known = await self.async_known(terminal_id)
        known.clear()
        await self.async_save()

    async def async_save(self) -> None:
        """Write the fingerprints."""
        if self._known is None:
            return
        await self._store.async_save(
            {
                "terminals": {
                    terminal_id: {
                        cid: [fp.details, fp.photo, fp.name] for cid, fp in persons.items()
                    }
                    for terminal_id, persons in self._known.items()
                }
            }
        )


def _parse_stored(data: object) -> dict[str, dict[str, Fingerprint]]:
    """Stored fingerprints; anything malformed is dropped (it only costs a re-send)."""
    known: dict[str, dict[str, Fingerprint]] = {}
    terminals = data.get("terminals") if isinstance(data, dict) else None
    if not isinstance(terminals, dict):
        return known
    for terminal_id, persons in terminals.items():
        if not isinstance(persons, dict):
            continue
        known[str(terminal_id)] = {
            str(cid): fingerprint
            for cid, value in persons.items()
            if (fingerprint := _parse_fingerprint(value)) is not None
        }
    return known


def _parse_fingerprint(value: object) -> Fingerprint | None:
    """``[details, photo]`` (stored before names were kept) or ``[details, photo, name]``."""
    if not isinstance(value, list) or len(value) not in (2, 3):
        return None
    details, photo, name = (*value, None) if len(value) == 2 else value
    if not isinstance(details, str) or not all(
        x is None or isinstance(x, str) for x in (photo, name)
    ):
        return None
    return Fingerprint(details, photo, name)


@callback
def async_get_roster_syncs(hass: HomeAssistant) -> RosterSyncs:
    """The integration-wide roster state."""
    syncs = hass.data.get(DATA_ROSTER)
    if syncs is None:
        syncs = hass.data[DATA_ROSTER] = RosterSyncs(hass)
    return syncs
