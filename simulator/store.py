"""The terminal's in-memory face library ("personnel list").

Persons are keyed by the device-generated ``personId``; the platform's
``customId`` is a separate index because people enrolled on the device's own UI
have an empty ``customId`` (Q-18).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
from typing import TYPE_CHECKING, Any

from simulator.messages import as_int, as_text, lookup

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

DEFAULT_CAPACITY = 1000


class StoreFullError(Exception):
    """The list database is full (error 467)."""


@dataclasses.dataclass(slots=True)
class Person:
    """One enrolled person, with the fields of the vendor's §4.1 table."""

    person_id: int
    custom_id: str
    name: str
    person_type: int = 0
    gender: int = 0
    nation: int = 1
    id_card: str = ""
    birthday: str = ""
    telnum: str = ""
    native: str = ""
    address: str = ""
    notes: str = ""
    temp_card_type: int = 0
    card_valid_begin: str = ""
    card_valid_end: str = ""
    effect_number: int = 0
    card_type: int = 0
    card_type2: int = 0
    card_num2: int = 0
    rfid_card: str = "0"
    picture: bytes | None = None
    create_time: dt.datetime = dataclasses.field(default_factory=dt.datetime.now)

    @property
    def picture_hash(self) -> str | None:
        """SHA-256 of the registration picture, if any."""
        return hashlib.sha256(self.picture).hexdigest() if self.picture else None

    @property
    def blacklisted(self) -> bool:
        """Whether the person is on the block list (``personType`` 1)."""
        return self.person_type == 1

    def apply(self, fields: Mapping[str, Any]) -> None:
        """Update from a command's person object (keys matched case-insensitively).

        Only keys present in ``fields`` change; unknown keys are ignored.
        """
        text_fields = {
            "name": "name",
            "idCard": "id_card",
            "birthday": "birthday",
            "telnum1": "telnum",
            "native": "native",
            "address": "address",
            "notes": "notes",
            "cardValidBegin": "card_valid_begin",
            "cardValidEnd": "card_valid_end",
        }
        int_fields = {
            "personType": "person_type",
            "gender": "gender",
            "nation": "nation",
            "tempCardType": "temp_card_type",
            "EffectNumber": "effect_number",
            "cardType": "card_type",
            "cardType2": "card_type2",
            "cardNum2": "card_num2",
        }
        for key, attr in text_fields.items():
            value = lookup(fields, key)
            if value is not None:
                setattr(self, attr, as_text(value) or "")
        for key, attr in int_fields.items():
            value = as_int(lookup(fields, key))
            if value is not None:
                setattr(self, attr, value)
        rfid = as_text(lookup(fields, "RFIDCard"))
        if rfid is not None:
            self.rfid_card = rfid


class PersonStore:
    """Thread-safe face library with a configurable capacity.

    Iterating yields persons in enrolment order.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        """Create an empty library holding at most ``capacity`` persons."""
        self.capacity = capacity
        self._lock = threading.RLock()
        self._persons: dict[int, Person] = {}
        self._by_custom_id: dict[str, Person] = {}
        self._next_id = 1

    def __len__(self) -> int:
        """Number of enrolled persons (including those without ``customId``)."""
        return len(self._persons)

    def __iter__(self) -> Iterator[Person]:
        """Iterate over a snapshot of the persons."""
        with self._lock:
            return iter(list(self._persons.values()))

    def __contains__(self, custom_id: object) -> bool:
        """Tell whether a ``customId`` is enrolled."""
        return isinstance(custom_id, str) and self.get(custom_id) is not None

    @property
    def full(self) -> bool:
        """Whether no further person can be added."""
        return len(self._persons) >= self.capacity

    def get(self, custom_id: str) -> Person | None:
        """Return the person with this (non-empty) ``customId``."""
        if not custom_id:
            return None
        return self._by_custom_id.get(custom_id)

    def by_person_id(self, person_id: int) -> Person | None:
        """Return the person with this device-generated ``personId``."""
        return self._persons.get(person_id)

    def find(self, who: str) -> Person | None:
        """Find by ``customId`` first, then by exact name, then name ignoring case."""
        person = self.get(who)
        if person is not None:
            return person
        with self._lock:
            persons = list(self._persons.values())
        for person in persons:
            if person.name == who:
                return person
        folded = who.casefold()
        for person in persons:
            if person.name.casefold() == folded:
                return person
        return None

    def by_picture(self, picture_hash: str) -> Person | None:
        """Return a person registered with exactly this picture."""
        with self._lock:
            for person in self._persons.values():
                if person.picture_hash == picture_hash:
                    return person
        return None

    def add(self, custom_id: str, name: str, *, picture: bytes | None = None) -> Person:
        """Enrol a new person.

        Args:
            custom_id: Platform ID (may be empty for "device UI" enrolments).
            name: Display name.
            picture: Registration picture bytes.

        Returns:
            The new person.

        Raises:
            StoreFullError: When the capacity is reached.
            ValueError: When ``custom_id`` is already enrolled.
        """
        with self._lock:
            if self.full:
                raise StoreFullError(f"list full ({self.capacity})")
            if custom_id and self.get(custom_id) is not None:
                raise ValueError(f"customId {custom_id!r} exists")
            person = Person(
                person_id=self._next_id, custom_id=custom_id, name=name, picture=picture
            )
            self._next_id += 1
            self._persons[person.person_id] = person
            if custom_id:
                self._by_custom_id[custom_id] = person
            return person

    def delete(self, custom_id: str) -> Person | None:
        """Remove a person by ``customId``; return it, or ``None`` when unknown."""
        with self._lock:
            person = self._by_custom_id.pop(custom_id, None) if custom_id else None
            if person is not None:
                del self._persons[person.person_id]
            return person

    def clear(self) -> None:
        """Remove everybody."""
        with self._lock:
            self._persons.clear()
            self._by_custom_id.clear()

    def custom_ids(self) -> list[str]:
        """All non-empty ``customId`` values in enrolment order."""
        return [person.custom_id for person in self if person.custom_id]

    def names(self) -> list[str]:
        """All names in enrolment order."""
        return [person.name for person in self]


@dataclasses.dataclass(frozen=True, slots=True)
class SeedPerson:
    """A built-in person enrolled at start."""

    custom_id: str
    name: str
    gender: int
    person_type: int = 0
    id_card: str = ""


#: People every simulated terminal knows from the start. ``Dave`` was enrolled on
#: the device's own UI (empty ``customId``); ``Mallory`` is on the block list.
SEED_PERSONS: tuple[SeedPerson, ...] = (
    SeedPerson("sim-alice", "Alice", 1, id_card="110101199003071234"),
    SeedPerson("sim-bob", "Bob", 0),
    SeedPerson("sim-zhangsan", "张三", 0, id_card="421381199504030001"),
    SeedPerson("sim-carol", "Carol Danvers", 1),
    SeedPerson("", "Dave", 0),
    SeedPerson("sim-mallory", "Mallory", 0, person_type=1),
)


def seed_store(store: PersonStore, picture_for: Callable[[str], bytes]) -> None:
    """Enrol :data:`SEED_PERSONS` into ``store``.

    Args:
        store: The library to fill.
        picture_for: Callable ``name -> bytes`` giving the registration picture.
    """
    for seed in SEED_PERSONS:
        if seed.custom_id and seed.custom_id in store:
            continue
        person = store.add(seed.custom_id, seed.name, picture=picture_for(seed.name))
        person.gender = seed.gender
        person.person_type = seed.person_type
        person.id_card = seed.id_card
