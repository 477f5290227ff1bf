"""The "people inside" sensor of a site: how many, and which linked persons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, override

from homeassistant.components.sensor import SensorEntity, SensorStateClass
from homeassistant.util import dt as dt_util

from .const import ATTR_PERSONS, ATTR_SITE
from .manager import DATA_OCCUPANCY, OccupancyManager

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddEntitiesCallback
    from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType


async def async_setup_site_sensor(
    hass: HomeAssistant,
    _config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None = None,
) -> None:
    """The sensor of the site the manager loaded the platform for."""
    manager = hass.data.get(DATA_OCCUPANCY)
    if manager is None or not discovery_info or ATTR_SITE not in discovery_info:
        return
    async_add_entities([PeopleInsideSensor(manager, str(discovery_info[ATTR_SITE]))])


class PeopleInsideSensor(SensorEntity):
    """The number of people inside a site; the linked persons among them as an attribute."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_translation_key = "people_inside"
    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, manager: OccupancyManager, key: str) -> None:
        """The sensor of site `key`."""
        self._manager = manager
        self._key = key
        self._attr_unique_id = f"people_inside_{key}"
        self._attr_translation_placeholders = {"site": manager.title(key)}

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the site (its count is restored by the manager's store)."""
        self.async_on_remove(self._manager.async_add_listener(self._key, self.async_write_ha_state))

    @property
    @override
    def native_value(self) -> int:
        """How many people are inside now."""
        return self._manager.site(self._key).count(dt_util.utcnow())

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """The site and the linked persons inside (nobody else is named)."""
        return {
            ATTR_SITE: self._manager.title(self._key),
            ATTR_PERSONS: self._manager.site(self._key).persons(dt_util.utcnow()),
        }
