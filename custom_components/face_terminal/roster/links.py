"""Links written by a roster sync: the ``ha_person`` column into each terminal's options.

A terminal's links (``person_links``) are one map per terminal entry, edited in its
options form. A sync that reached a terminal merges the roster into that map:

- a roster person the terminal now holds as the roster says (added, updated or
  unchanged) gets the link of its ``ha_person`` value, or loses its link when the value
  is empty; a roster without the column (or a person without the key) leaves it alone;
- a person the sync deleted from the terminal loses its link;
- a person the terminal refused, and every customId the roster does not mention, keep
  the link they had (the user's own lines in the options stay as they were).

The options change like a save of the options form: the entry reloads, so the
per-person trackers of new links appear and those of removed links go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ..const import CONF_PERSON_LINKS
from ..people import MAX_LINKS, current_links
from ..validation import invalid_input

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .entries import RosterEntry

LINKS_SET: Final = "set"
LINKS_CLEARED: Final = "cleared"


def check_link_room(entries: Sequence[ConfigEntry[Any]], roster: Sequence[RosterEntry]) -> None:
    """Refuse a roster whose links could not all be kept on some terminal.

    Counted before anything is sent, as if every person synced: the options form only
    takes `MAX_LINKS` lines, and a map the form refuses could no longer be edited.
    """
    linked = {person.custom_id for person in roster if person.ha_person is not None}
    if not linked:
        return
    for entry in entries:
        if len(linked | current_links(entry).keys()) > MAX_LINKS:
            raise invalid_input("roster_too_many_links", max_links=str(MAX_LINKS))


def merge_links(
    links: Mapping[str, str],
    roster: Sequence[RosterEntry],
    synced: Collection[str],
    deleted: Collection[str],
) -> tuple[dict[str, str], dict[str, int]]:
    """The links after a sync, and how many were set and cleared (see the module)."""
    merged = dict(links)
    counts = {LINKS_SET: 0, LINKS_CLEARED: 0}
    for person in roster:
        if not person.links_person or person.custom_id not in synced:
            continue
        before = merged.get(person.custom_id)
        if person.ha_person is None:
            merged.pop(person.custom_id, None)
        else:
            merged[person.custom_id] = person.ha_person
        if before != person.ha_person:
            counts[LINKS_SET if person.ha_person is not None else LINKS_CLEARED] += 1
    for custom_id in deleted:
        if merged.pop(custom_id, None) is not None:
            counts[LINKS_CLEARED] += 1
    return merged, counts


def write_links(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    roster: Sequence[RosterEntry],
    synced: Collection[str],
    deleted: Collection[str],
) -> dict[str, int]:
    """Merge the sync into the entry's options; reload the entry when the links changed."""
    links = current_links(entry)
    merged, counts = merge_links(links, roster, synced, deleted)
    if merged != links:
        hass.config_entries.async_update_entry(
            entry, options={**entry.options, CONF_PERSON_LINKS: merged}
        )
        # As after saving the options form (there is no update listener: the options
        # flow reloads by itself): the trackers follow the links.
        hass.config_entries.async_schedule_reload(entry.entry_id)
    return counts
