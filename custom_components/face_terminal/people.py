"""People, not IDs: a terminal's person (its ``customId``) linked to a Home Assistant person.

The links live in the terminal's options (``person_links``, one ``custom_id = person.x``
line each in the options form). A roster sync writes them too (the ``ha_person`` column,
see `roster.links`), so both ways end in the same option. Recognition events, access
requests, the access event entity, the last-person sensor and ``identify_face`` carry the
linked ``person_entity_id``, so automations can say "Alice" instead of "alice-01".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from .const import CONF_PERSON_LINKS

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

MAX_LINKS: Final = 500
# The custom ID may hold `=` or `:` itself (the terminal allows them, and a roster may
# link such a person): the separator is the last one, as the entity ID holds neither.
_LINE: Final = re.compile(r"\s*([^\s,][^,]{0,46}?)\s*[=:]\s*(person\.[a-z0-9_]+)\s*")


def linked_person(entry: ConfigEntry[Any], custom_id: str | None) -> str | None:
    """The ``person.*`` entity linked to a terminal person, if any."""
    if not custom_id:
        return None
    links = entry.options.get(CONF_PERSON_LINKS)
    if not isinstance(links, dict):
        return None
    linked = links.get(custom_id)
    return linked if isinstance(linked, str) else None


def current_links(entry: ConfigEntry[Any]) -> dict[str, str]:
    """The entry's links as stored (anything malformed counts as none)."""
    links = entry.options.get(CONF_PERSON_LINKS)
    if not isinstance(links, dict):
        return {}
    return {
        str(custom_id): person for custom_id, person in links.items() if isinstance(person, str)
    }


def parse_links(text: str) -> dict[str, str] | None:
    """``custom_id = person.x`` lines as a map; None when a line is not one."""
    links: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            return None
        links[match.group(1)] = match.group(2)
    return links if len(links) <= MAX_LINKS else None


def format_links(links: object) -> str:
    """The stored links as the options form shows them."""
    if not isinstance(links, dict):
        return ""
    return "\n".join(f"{custom_id} = {entity}" for custom_id, entity in sorted(links.items()))
