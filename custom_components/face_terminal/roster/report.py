"""The report of one terminal's roster sync: an outcome per person, and the counts.

The action answers with it (per terminal), and the links are written from it: only
the persons the terminal now holds as the roster says (`SyncReport.synced`), and those
it deleted (`SyncReport.deleted`). Errors are the terminal's meanings in English; no
names, only customIds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..protocol.roster import PersonOutcome, RosterAction

if TYPE_CHECKING:
    from homeassistant.util.json import JsonValueType

_COUNTED_AS = {
    RosterAction.ADD: "added",
    RosterAction.UPDATE: "updated",
    RosterAction.UNCHANGED: "unchanged",
    RosterAction.DELETE: "deleted",
}


@dataclass(slots=True)
class SyncReport:
    """Per-person outcomes of one terminal's sync."""

    persons: list[dict[str, JsonValueType]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTED_AS.values(), 0))
    failed: int = 0
    synced: set[str] = field(default_factory=set)
    """CustomIds the terminal now holds as the roster says."""
    deleted: set[str] = field(default_factory=set)

    def add(self, custom_id: str, action: RosterAction, outcome: PersonOutcome) -> None:
        """Report what happened to one person."""
        item: dict[str, JsonValueType] = {
            "custom_id": custom_id,
            "action": action,
            "success": outcome.ok,
        }
        if outcome.ok:
            self.counts[_COUNTED_AS[action]] += 1
            (self.deleted if action is RosterAction.DELETE else self.synced).add(custom_id)
        else:
            self.failed += 1
            if outcome.error_code is not None:
                item["error_code"] = outcome.error_code
            item["error"] = outcome.error
        self.persons.append(item)
