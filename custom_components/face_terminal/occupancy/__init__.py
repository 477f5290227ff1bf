"""Who is inside: entry and exit doors, per-person inside/outside, a count per site.

A terminal whose **door role** option says it is an entry or an exit door (or that its
records' own ``direction`` tells) moves the people it lets through in or out of its
**site** (another option; terminals of one site share one count). `state` is the pure
bookkeeping (the record's own time decides; re-sent and out-of-order records change
nothing they should not; "assume left after" ends a stay without an exit); `manager`
follows the integration's recognition events on the bus, keeps the state across
restarts and tells the sensors; `sensor` is the "people inside" sensor of each site.
"""

from __future__ import annotations

from .manager import async_setup_occupancy, async_unload_occupancy

__all__ = ["async_setup_occupancy", "async_unload_occupancy"]
