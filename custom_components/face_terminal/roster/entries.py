"""Roster entries: one checked person per roster row, with its problem if it has one.

The fields of a row are ``custom_id``, ``name``, ``photo`` (a file name in the photo
folder, or an absolute path in an allowed folder), ``person_type`` (``allow``/``block``),
``valid_from`` and ``valid_until`` (date or date and time, both or neither) and
``ha_person`` (the Home Assistant person the terminal person is linked to, see
`roster.links`; an empty value clears the link, a missing column or key leaves it as
it is).

Problems that make the whole roster unusable (a row without a customId, a duplicate
customId, an ``ha_person`` that is no ``person.*`` entity ID, a photo outside the allow
list) raise `ServiceValidationError`: a mistyped link is a mistake in the file, like a
mistyped ``person_type``, and is fixed before anything is sent. Problems of one person
(a name too long for the terminal, validity in the wrong order, a missing or unreadable
photo) are kept with the person and reported per person; such a person is not sent,
and not deleted either.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import valid_entity_id
from homeassistant.util import dt as dt_util

from ..action_helpers import terminal_time
from ..photo import MAX_SOURCE_BYTES
from ..protocol.roster import MAX_CUSTOM_ID_BYTES, RosterPerson
from ..validation import invalid_input, validity_bound

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from homeassistant.core import HomeAssistant

MAX_NAME_BYTES: Final = 31
FIELD_CUSTOM_ID: Final = "custom_id"
FIELD_NAME: Final = "name"
FIELD_PHOTO: Final = "photo"
FIELD_PERSON_TYPE: Final = "person_type"
FIELD_VALID_FROM: Final = "valid_from"
FIELD_VALID_UNTIL: Final = "valid_until"
FIELD_HA_PERSON: Final = "ha_person"
MAX_ENTITY_ID_LENGTH: Final = 255
_PERSON_ENTITY: Final = re.compile(r"person\.[a-z0-9_]+")
PERSON_TYPES: Final = {"allow": 0, "block": 1, "0": 0, "1": 1}

# Per-person problems (reported in the action's response, in English).
PROBLEM_NAME_TOO_LONG: Final = "name_too_long"
PROBLEM_VALIDITY_INCOMPLETE: Final = "validity_incomplete"
PROBLEM_VALIDITY_ORDER: Final = "validity_order"
PROBLEM_PHOTO_MISSING: Final = "photo_missing"
PROBLEM_PHOTO_UNREADABLE: Final = "photo_unreadable"
PROBLEM_PHOTO_REQUIRED: Final = "photo_required"
PROBLEM_TEXTS: Final = {
    PROBLEM_NAME_TOO_LONG: f"the name is longer than the terminal's {MAX_NAME_BYTES} bytes",
    PROBLEM_VALIDITY_INCOMPLETE: "give both valid_from and valid_until, or neither",
    PROBLEM_VALIDITY_ORDER: "valid_from must be before valid_until",
    PROBLEM_PHOTO_MISSING: "the photo file does not exist",
    PROBLEM_PHOTO_UNREADABLE: "the photo file cannot be read",
    PROBLEM_PHOTO_REQUIRED: "a new person needs a photo",
}


@dataclass(slots=True, kw_only=True)
class RosterEntry:
    """One person of a roster, checked; `problem` says why it cannot be sent."""

    custom_id: str
    name: str
    person_type: int = 0
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    photo: Path | None = None
    photo_digest: str | None = None
    problem: str | None = None
    links_person: bool = False
    """Whether the roster says anything about the link (``ha_person`` given, maybe empty)."""
    ha_person: str | None = None

    def person(self) -> RosterPerson:
        """What the sync plan compares."""
        return RosterPerson(
            custom_id=self.custom_id,
            name=self.name,
            person_type=self.person_type,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            photo_digest=self.photo_digest,
        )


# --- checking rows ---------------------------------------------------------------------


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, str)):
        text = str(value).strip()
        return text or None
    return None


def _is_clean(text: str) -> bool:
    return all(ord(char) >= 0x20 and char != "\x7f" for char in text) and text.isprintable()


def _custom_id(value: object, where: str) -> str:
    text = _text(value)
    if (
        text is None
        or len(text.encode("utf-8", errors="surrogatepass")) > MAX_CUSTOM_ID_BYTES
        or "," in text
        or not _is_clean(text)
    ):
        raise invalid_input("roster_row_invalid", row=where, field=FIELD_CUSTOM_ID)
    return text


def _person_type(value: object, where: str) -> int:
    if value is None or value == "":
        return 0
    key = str(value).strip().lower()
    if isinstance(value, bool) or key not in PERSON_TYPES:
        raise invalid_input("roster_row_invalid", row=where, field=FIELD_PERSON_TYPE)
    return PERSON_TYPES[key]


def _ha_person(row: Mapping[str, Any], where: str) -> tuple[bool, str | None]:
    """(whether the row mentions a link, the linked ``person.*`` entity or None to clear)."""
    if FIELD_HA_PERSON not in row:
        return False, None
    value = row[FIELD_HA_PERSON]
    if value is None or (isinstance(value, str) and not value.strip()):
        return True, None
    entity_id = value.strip() if isinstance(value, str) else None
    if (
        entity_id is None
        or len(entity_id) > MAX_ENTITY_ID_LENGTH
        or _PERSON_ENTITY.fullmatch(entity_id) is None  # ASCII only, as the options
        or not valid_entity_id(entity_id)
    ):
        raise invalid_input("roster_ha_person_invalid", row=where)
    return True, entity_id


def _moment(value: object, field: str, where: str) -> datetime | None:
    """A validity bound: a datetime, or a date (start of day / end of day)."""
    if value is None or value == "":
        return None
    end_of_day = field == FIELD_VALID_UNTIL
    if isinstance(value, str):
        text = value.strip()
        parsed: datetime | date | None = dt_util.parse_date(text)  # date only: whole days
        if parsed is None:
            parsed = dt_util.parse_datetime(text)
        value = parsed
    if isinstance(value, datetime):
        return terminal_time(value).replace(microsecond=0)
    if isinstance(value, date):
        return validity_bound(value, until=end_of_day)
    raise invalid_input("roster_row_invalid", row=where, field=field)


def _photo(hass: HomeAssistant, value: object, folder: Path | None, where: str) -> Path | None:
    text = _text(value)
    if text is None:
        return None
    path = Path(text)
    if not path.is_absolute():
        if folder is None:
            raise invalid_input("roster_row_invalid", row=where, field=FIELD_PHOTO)
        path = folder / path
    if not hass.config.is_allowed_path(str(path)):
        raise invalid_input("photo_path_not_allowed", path=str(path))
    return path


def check_rows(
    hass: HomeAssistant,
    rows: Iterable[tuple[str, Mapping[str, Any]]],
    photo_folder: Path | None,
) -> list[RosterEntry]:
    """Turn (where, row) pairs into entries; raise for problems of the whole roster.

    Blocking (checks photo paths against the allow list): run in the executor.
    """
    entries: list[RosterEntry] = []
    seen: set[str] = set()
    for where, row in rows:
        custom_id = _custom_id(row.get(FIELD_CUSTOM_ID), where)
        if custom_id in seen:
            raise invalid_input("roster_duplicate_id", custom_id=custom_id)
        seen.add(custom_id)
        name = _text(row.get(FIELD_NAME))
        if name is None or not _is_clean(name):
            raise invalid_input("roster_row_invalid", row=where, field=FIELD_NAME)
        entry = RosterEntry(
            custom_id=custom_id,
            name=name,
            person_type=_person_type(row.get(FIELD_PERSON_TYPE), where),
            valid_from=_moment(row.get(FIELD_VALID_FROM), FIELD_VALID_FROM, where),
            valid_until=_moment(row.get(FIELD_VALID_UNTIL), FIELD_VALID_UNTIL, where),
            photo=_photo(hass, row.get(FIELD_PHOTO), photo_folder, where),
        )
        entry.links_person, entry.ha_person = _ha_person(row, where)
        entry.problem = _person_problem(entry)
        entries.append(entry)
    return entries


def _person_problem(entry: RosterEntry) -> str | None:
    if len(entry.name.encode("utf-8")) > MAX_NAME_BYTES:
        return PROBLEM_NAME_TOO_LONG
    if (entry.valid_from is None) != (entry.valid_until is None):
        return PROBLEM_VALIDITY_INCOMPLETE
    if (
        entry.valid_from is not None
        and entry.valid_until is not None
        and entry.valid_from >= entry.valid_until
    ):
        return PROBLEM_VALIDITY_ORDER
    return None


# --- photos ----------------------------------------------------------------------------


def _digest(path: Path) -> str:
    """SHA-256 of a photo file; `OSError` when it cannot be read or is too large."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(256 * 1024):
            size += len(chunk)
            if size > MAX_SOURCE_BYTES:
                raise OSError("the photo is too large")
            digest.update(chunk)
    return digest.hexdigest()


def digest_photos(entries: Sequence[RosterEntry]) -> None:
    """Fill in each photo's SHA-256, or the problem reading it (blocking: executor)."""
    for entry in entries:
        if entry.photo is None or entry.problem is not None:
            continue
        try:
            entry.photo_digest = _digest(entry.photo)
        except FileNotFoundError:
            entry.problem = PROBLEM_PHOTO_MISSING
        except OSError:
            entry.problem = PROBLEM_PHOTO_UNREADABLE
