"""The occupancy fields of a terminal's options form."""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from homeassistant.const import UnitOfTime
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
)

from .const import (
    CONF_ASSUME_LEFT_AFTER,
    CONF_DOOR_ROLE,
    CONF_SITE,
    DEFAULT_ASSUME_LEFT_AFTER,
    DEFAULT_DOOR_ROLE,
    DOOR_ROLES,
    MAX_ASSUME_LEFT_AFTER,
    MAX_SITE_LENGTH,
)

OCCUPANCY_OPTIONS: Final[dict[vol.Marker, Any]] = {
    vol.Required(CONF_DOOR_ROLE, default=DEFAULT_DOOR_ROLE): SelectSelector(
        SelectSelectorConfig(options=DOOR_ROLES, translation_key=CONF_DOOR_ROLE)
    ),
    vol.Optional(CONF_SITE): TextSelector(),
    vol.Required(CONF_ASSUME_LEFT_AFTER, default=DEFAULT_ASSUME_LEFT_AFTER): NumberSelector(
        NumberSelectorConfig(
            min=0,
            max=MAX_ASSUME_LEFT_AFTER,
            step=1,
            mode=NumberSelectorMode.BOX,
            unit_of_measurement=UnitOfTime.HOURS,
        )
    ),
}


def occupancy_options(user_input: dict[str, Any]) -> dict[str, Any]:
    """The occupancy options as stored, from the form's input."""
    return {
        CONF_DOOR_ROLE: user_input.get(CONF_DOOR_ROLE, DEFAULT_DOOR_ROLE),
        CONF_SITE: str(user_input.get(CONF_SITE, "")).strip()[:MAX_SITE_LENGTH],
        CONF_ASSUME_LEFT_AFTER: int(
            user_input.get(CONF_ASSUME_LEFT_AFTER, DEFAULT_ASSUME_LEFT_AFTER)
        ),
    }
