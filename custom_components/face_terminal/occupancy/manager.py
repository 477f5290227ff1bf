"""The occupancy of every site, fed by the integration's recognition events.

One `OccupancyManager` per Home Assistant instance (created by the first terminal with a
door role): it listens to ``face_terminal_recognition`` on the bus (live and re-sent
records alike: the record's own time decides), keeps each site's `SiteOccupancy` in a
`Store` across restarts, loads one sensor per site and tells the sensors when a count
changes, also when a stay ends by itself ("assume left after").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import discovery
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util import slugify
from homeassistant.util.hass_dict import HassKey

from ..const import (
    ACCESS_GRANTED,
    ATTR_ACCESS,
    ATTR_CUSTOM_ID,
    ATTR_DIRECTION,
    ATTR_PERSON_ENTITY_ID,
    ATTR_TERMINAL_ID,
    ATTR_TIME,
    CONF_TERMINAL_ID,
    DOMAIN,
)
from .const import (
    ATTR_SITE,
    CONF_ASSUME_LEFT_AFTER,
    CONF_DOOR_ROLE,
    CONF_SITE,
    DEFAULT_ASSUME_LEFT_AFTER,
    DEFAULT_DOOR_ROLE,
    DEFAULT_SITE,
    ROLE_NONE,
)
from .state import SiteOccupancy, entry_passage, passage_direction

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.config_entries import ConfigEntry

DATA_OCCUPANCY: Final[HassKey[OccupancyManager]] = HassKey(f"{DOMAIN}_occupancy")
STORAGE_KEY: Final = f"{DOMAIN}.occupancy"
STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 2


@dataclass(frozen=True, slots=True)
class Door:
    """A terminal's part in a site."""

    role: str
    site: str  # the site's key
    site_title: str
    assume_left_after: float  # hours; 0: never


def site_key(title: str) -> str:
    """The key (and sensor ID suffix) of a site's name."""
    return slugify(title) or DEFAULT_SITE


def door_of(entry: ConfigEntry[Any]) -> Door | None:
    """The door an entry's options describe; None when it counts nobody."""
    role = entry.options.get(CONF_DOOR_ROLE, DEFAULT_DOOR_ROLE)
    if role == ROLE_NONE or not isinstance(role, str):
        return None
    title = str(entry.options.get(CONF_SITE) or "").strip() or DEFAULT_SITE
    hours = entry.options.get(CONF_ASSUME_LEFT_AFTER, DEFAULT_ASSUME_LEFT_AFTER)
    return Door(role, site_key(title), title, float(hours or 0))


class OccupancyManager:
    """Every site's occupancy, its storage and its sensors."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing loaded yet; `async_load` reads the store."""
        self.hass = hass
        self.sites: dict[str, SiteOccupancy] = {}
        self.doors: dict[str, Door] = {}  # by terminal ID
        self._titles: dict[str, str] = {}
        self._loaded_sensors: set[str] = set()
        self._listeners: dict[str, list[Callable[[], None]]] = {}
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
        self._timer: CALLBACK_TYPE | None = None

    async def async_load(self) -> None:
        """Restore the sites as they were stored and start following the records."""
        stored = await self._store.async_load()
        sites = stored.get("sites") if isinstance(stored, dict) else None
        if isinstance(sites, dict):
            self.sites = {str(key): SiteOccupancy.from_dict(raw) for key, raw in sites.items()}
        self.hass.bus.async_listen(f"{DOMAIN}_recognition", self._async_recognition)
        self._schedule()

    def site(self, key: str) -> SiteOccupancy:
        """The site `key` (empty when nobody was seen there yet)."""
        return self.sites.setdefault(key, SiteOccupancy())

    def title(self, key: str) -> str:
        """The site's name as its doors' options spell it."""
        return self._titles.get(key, key)

    async def async_add_door(self, terminal_id: str, door: Door) -> None:
        """Count the terminal's passages; load its site's sensor once."""
        self.doors[terminal_id] = door
        self._titles.setdefault(door.site, door.site_title)
        self.site(door.site)
        if door.site not in self._loaded_sensors:
            self._loaded_sensors.add(door.site)
            await discovery.async_load_platform(
                self.hass, Platform.SENSOR, DOMAIN, {ATTR_SITE: door.site}, {}
            )

    @callback
    def async_add_listener(self, key: str, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` when site `key` changes; returns the remover."""
        listeners = self._listeners.setdefault(key, [])
        listeners.append(listener)
        return lambda: listeners.remove(listener)

    @callback
    def _async_recognition(self, event: Event[dict[str, Any]]) -> None:
        data = event.data
        door = self.doors.get(str(data.get(ATTR_TERMINAL_ID)))
        custom_id = data.get(ATTR_CUSTOM_ID)
        if door is None or data.get(ATTR_ACCESS) != ACCESS_GRANTED or not custom_id:
            return
        direction = passage_direction(door.role, data.get(ATTR_DIRECTION))
        when = _time(data.get(ATTR_TIME))
        if direction is None or when is None:
            return
        person = data.get(ATTR_PERSON_ENTITY_ID)
        passage = entry_passage(
            when, direction, door.assume_left_after, person if isinstance(person, str) else None
        )
        if self.site(door.site).apply(str(custom_id), passage):
            self._store.async_delay_save(self._stored, SAVE_DELAY)
            self._notify(door.site)
            self._schedule()

    def _stored(self) -> dict[str, Any]:
        return {"sites": {key: site.as_dict() for key, site in self.sites.items()}}

    @callback
    def _notify(self, key: str) -> None:
        for listener in list(self._listeners.get(key, ())):
            listener()

    @callback
    def _schedule(self) -> None:
        """Wake up when the next stay ends by itself."""
        if self._timer is not None:
            self._timer()
            self._timer = None
        now = dt_util.utcnow()
        ends = [end for site in self.sites.values() if (end := site.next_change(now))]
        if ends:
            self._timer = async_track_point_in_utc_time(self.hass, self._async_expired, min(ends))

    @callback
    def _async_expired(self, _now: datetime) -> None:
        self._timer = None
        for key in self.sites:
            self._notify(key)
        self._schedule()


def _time(raw: object) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


async def async_setup_occupancy(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """Make the entry's terminal a door of its site, if its options say it is one."""
    door = door_of(entry)
    if door is None:
        return
    manager = hass.data.get(DATA_OCCUPANCY)
    if manager is None:
        manager = hass.data[DATA_OCCUPANCY] = OccupancyManager(hass)
        await manager.async_load()
    await manager.async_add_door(entry.data[CONF_TERMINAL_ID], door)


def async_unload_occupancy(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """Stop counting the entry's passages (the site's count stays as it is)."""
    if (manager := hass.data.get(DATA_OCCUPANCY)) is not None:
        manager.doors.pop(entry.data.get(CONF_TERMINAL_ID, ""), None)
