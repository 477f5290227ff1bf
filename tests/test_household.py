"""What a household sees (issue 22): the entities enabled by default and their names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from homeassistant.helpers import entity_registry as er

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

TRANSLATIONS = Path(__file__).parent.parent / "custom_components" / "face_terminal" / "translations"
MAX_ENABLED = 15
# What the device page's cards show in full next to a slider at 1440 px (issue 22 saw
# "White light brig…" cut after 16 characters); Chinese characters are twice as wide.
MAX_NAME_LENGTH = {"en.json": 16, "zh-Hans.json": 8}


async def test_enabled_entities_of_a_terminal(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """At most 15 entities are enabled: what a household uses; the rest one click away."""
    entries = er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id)
    enabled = sorted(entry.entity_id for entry in entries if entry.disabled_by is None)
    assert enabled == [
        "binary_sensor.front_door_online",
        "button.front_door_restart",
        "camera.front_door_scene",
        "event.front_door_access",
        "event.front_door_alarm",
        "event.front_door_scan",
        "image.front_door_last_face",
        "lock.front_door_door",
        "number.front_door_door_relay_time",
        "number.front_door_match_threshold",
        "number.front_door_volume",
        "sensor.front_door_body_temperature",
        "sensor.front_door_last_person",
        "sensor.front_door_roster_sync",
        "update.front_door_firmware",
    ]
    assert len(enabled) <= MAX_ENABLED
    disabled = [entry for entry in entries if entry.disabled_by is not None]
    assert len(disabled) == len(entries) - len(enabled) >= 30
    # Disabled by the integration (a user can enable them), not by the user.
    assert {entry.disabled_by for entry in disabled} == {er.RegistryEntryDisabler.INTEGRATION}
    assert entity_registry.async_get("select.front_door_language") in disabled


@pytest.mark.parametrize("file", sorted(MAX_NAME_LENGTH))
def test_entity_names_fit_the_card(file: str) -> None:
    """Every entity name is short enough to be read in full on the device page."""
    strings = json.loads((TRANSLATIONS / file).read_text(encoding="utf-8"))
    too_long = {
        f"{platform}.{key}": name
        for platform, entities in strings["entity"].items()
        for key, entity in entities.items()
        if (name := entity.get("name")) and "{" not in name and len(name) > MAX_NAME_LENGTH[file]
    }
    assert not too_long
