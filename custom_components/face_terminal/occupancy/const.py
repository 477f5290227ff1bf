"""Options and constants of the occupancy feature."""

from __future__ import annotations

from typing import Final

CONF_DOOR_ROLE: Final = "door_role"
CONF_SITE: Final = "site"
CONF_ASSUME_LEFT_AFTER: Final = "assume_left_after"

ROLE_NONE: Final = "none"
ROLE_RECORD: Final = "record"  # the record's own direction (entr / exit)
ROLE_ENTRY: Final = "entry"
ROLE_EXIT: Final = "exit"
DOOR_ROLES: Final = [ROLE_NONE, ROLE_RECORD, ROLE_ENTRY, ROLE_EXIT]
DEFAULT_DOOR_ROLE: Final = ROLE_NONE

DEFAULT_SITE: Final = "home"
MAX_SITE_LENGTH: Final = 40
# Hours after an entry without an exit after which the person counts as gone (0: never).
DEFAULT_ASSUME_LEFT_AFTER: Final = 12
MAX_ASSUME_LEFT_AFTER: Final = 168

IN: Final = "in"
OUT: Final = "out"

ATTR_PERSONS: Final = "persons"
ATTR_SITE: Final = "site"
