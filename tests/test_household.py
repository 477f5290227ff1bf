"""What a household sees (issue 22): entities enabled by default, names, texts, blueprints,
the newest arrival live or re-sent."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import Mock, patch

import pytest
from homeassistant.components.image import async_get_image
from homeassistant.core import State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.template import Template
from homeassistant.util.yaml import load_yaml_dict
from pytest_homeassistant_custom_component.common import mock_restore_cache_with_extra_data

from custom_components.face_terminal.const import (
    DOMAIN,
    JOVISION_MANUFACTURER,
    MQTT_MANUFACTURER,
    MQTT_MODEL,
)
from custom_components.face_terminal.events import name_logbook_entity
from custom_components.face_terminal.logbook import translator
from custom_components.face_terminal.newest import record_face

from . import payloads
from .conftest import fire, setup_entry
from .payloads import REC_TOPIC, SNAP_TOPIC

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


BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / "face_terminal"


def _blueprint(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = load_yaml_dict(str(BLUEPRINTS / name))
    return loaded


@pytest.mark.parametrize("name", ["decide_access.yaml", "open_door_for_qr_code.yaml"])
def test_door_blueprints_offer_only_mqtt_terminals(name: str) -> None:
    """The terminal picker filters on the MQTT terminals' manufacturer and model."""
    selector = _blueprint(name)["blueprint"]["input"]["terminal"]["selector"]["device"]
    assert selector["filter"] == [
        {"integration": DOMAIN, "manufacturer": MQTT_MANUFACTURER, "model": MQTT_MODEL}
    ]
    assert MQTT_MANUFACTURER != JOVISION_MANUFACTURER


async def test_device_of_a_terminal_has_manufacturer_and_model(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """The devices list shows a manufacturer, not "<unknown>" (and the filter matches)."""
    device = device_registry.async_get(loaded_entry.runtime_data.device_id)
    assert device is not None
    assert (device.manufacturer, device.model) == (MQTT_MANUFACTURER, MQTT_MODEL)


@pytest.mark.parametrize(
    ("data", "always", "granted"),
    [
        ({"custom_id": "alice-01", "person_entity_id": "person.alice"}, ["person.alice"], True),
        ({"custom_id": "bob-01", "person_entity_id": "person.bob"}, ["person.alice"], False),
        ({"custom_id": "bob-01"}, ["person.alice"], False),
        # Automations saved before persons: their custom IDs still let people in.
        ({"custom_id": "alice-01"}, ["alice-01"], True),
        (
            {"custom_id": "alice-01", "person_entity_id": "person.alice", "blacklisted": True},
            ["person.alice"],
            False,
        ),
    ],
)
async def test_access_blueprint_always_lets_in_persons(
    hass: HomeAssistant, data: dict[str, Any], always: list[str], granted: bool
) -> None:
    """The "always let in" input takes Home Assistant persons (linked to enrolled people)."""
    blueprint = _blueprint("decide_access.yaml")
    assert blueprint["blueprint"]["input"]["always"]["selector"] == {
        "entity": {"multiple": True, "filter": [{"domain": "person"}]}
    }
    variables = {"trigger": {"event": {"data": data}}, "always": always, "while_on": []}
    variables["known"] = Template(blueprint["variables"]["known"], hass).async_render(variables)
    grant = Template(blueprint["variables"]["grant"], hass).async_render(variables)
    assert grant is granted


@pytest.mark.usefixtures("all_entities_enabled")
@pytest.mark.parametrize(
    ("text", "characters", "size"),
    [
        # issue 22: a 29-character Chinese text, and a 76-character Latin sentence
        ("欢迎光临请通过今天也要加油哦祝您工作顺利生活愉快好的再见啦", 29, 87),
        ("Welcome home! Please wait for the click of the door before you push it open.", 76, 76),
    ],
)
async def test_screen_text_over_the_byte_limit_is_refused_not_cut(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, text: str, characters: int, size: int
) -> None:
    """The field takes the whole text (no cut by the frontend); the action refuses it.

    The refusal is translated and names the field as the UI does; nothing is sent, and
    the entity keeps the terminal's text.
    """
    entity_id = "text.front_door_success_text"
    state = hass.states.get(entity_id)
    assert state is not None
    # The frontend's field cuts at "max" characters: never shorter than the bytes allow.
    assert state.attributes["max"] >= max(characters, 63)
    before = state.state
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "text", "set_value", {"entity_id": entity_id, "value": text}, blocking=True
        )
    assert (len(text), len(text.encode())) == (characters, size)
    assert err.value.translation_key == "text_too_long"
    assert err.value.translation_placeholders == {
        "name": "Success text",
        "bytes": str(size),
        "characters": str(characters),
        "max_bytes": "63",
    }
    assert str(err.value).startswith("Success text is too long:")
    assert str(err.value).endswith("nothing was sent")  # HA drops the last full stop
    assert hass.states.get(entity_id).state == before
    # 63 bytes exactly are sent (21 Chinese characters).
    await hass.services.async_call(
        "text", "set_value", {"entity_id": entity_id, "value": "欢" * 21}, blocking=True
    )
    assert hass.states.get(entity_id).state == "欢" * 21


LAST_PERSON = "sensor.front_door_last_person"
LAST_FACE = "image.front_door_last_face"
ACCESS = "event.front_door_access"
RESENT = {"PushType": "2"}


async def _deliver(hass: HomeAssistant, topic: str, payload: bytes) -> None:
    fire(hass, topic, payload)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("all_entities_enabled")
async def test_last_person_and_face_show_the_newest_record_live_or_resent(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Issue 22 point 5: by the record's own time; the event entity stays live-only."""
    bob, alice, carol = (payloads.jpeg(color=color) for color in ((1, 2, 3), (9, 8, 7), (5, 5, 5)))
    await _deliver(
        hass,
        REC_TOPIC,
        payloads.rec_push(
            record_id="1", name="Bob", custom_id="bob-7", time="2026-11-22 10:00:00", pic=bob
        ),
    )
    assert hass.states.get(LAST_PERSON).state == "Bob"
    access = hass.states.get(ACCESS)
    assert access is not None

    # Re-sent, and newer than Bob's: Alice is the newest arrival.
    await _deliver(
        hass,
        REC_TOPIC,
        payloads.rec_push(record_id="2", time="2026-11-22 10:05:00", pic=alice, extra=RESENT),
    )
    state = hass.states.get(LAST_PERSON)
    assert state.state == "Alice"
    assert state.attributes["time"] == "2026-11-22T10:05:00-08:00"
    assert (await async_get_image(hass, LAST_FACE)).content == alice
    assert hass.states.get(ACCESS) == access  # no event for a re-sent record

    # Re-sent but older than Alice's: history only.
    await _deliver(
        hass,
        REC_TOPIC,
        payloads.rec_push(
            record_id="3",
            name="Carol",
            custom_id="carol-1",
            time="2026-11-22 09:00:00",
            pic=carol,
            extra=RESENT,
        ),
    )
    assert hass.states.get(LAST_PERSON).state == "Alice"
    assert (await async_get_image(hass, LAST_FACE)).content == alice

    # A re-sent stranger newer than Alice: the face changes, the last person does not.
    stranger = payloads.jpeg(color=(0, 0, 0))
    snap = json.loads(payloads.str_snap_push(time="2026-11-22 10:06:00", pic=stranger))
    snap["info"]["PushType"] = "2"
    await _deliver(hass, SNAP_TOPIC, json.dumps(snap).encode())
    assert hass.states.get(LAST_PERSON).state == "Alice"
    assert (await async_get_image(hass, LAST_FACE)).content == stranger
    assert hass.states.get(ACCESS) == access

    # Live records are the newest arrival, and fire the event.
    await _deliver(hass, REC_TOPIC, payloads.rec_push(record_id="4", name="Carol", pic=carol))
    assert hass.states.get(LAST_PERSON).state == "Carol"
    assert (await async_get_image(hass, LAST_FACE)).content == carol
    assert hass.states.get(ACCESS) != access
    # Cards and automations on the event entity see who came (no picture, no ID number).
    assert hass.states.get(ACCESS).attributes["person_name"] == "Carol"
    assert not {"pic", "face", "id_number", "phone"} & set(hass.states.get(ACCESS).attributes)


@pytest.mark.usefixtures("only_sensor_platform")
@pytest.mark.usefixtures("all_entities_enabled")
async def test_resent_arrival_after_a_restart_replaces_the_restored_person(
    hass: HomeAssistant, terminal: object, config_entry: MockConfigEntry
) -> None:
    """After a restart the sensor shows Bob (restored); Alice's re-sent, newer record wins."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(LAST_PERSON, "Bob"),
                {
                    "native_value": "Bob",
                    "native_unit_of_measurement": None,
                    "attributes": {"custom_id": "bob-7", "time": "2026-11-22T09:30:00-08:00"},
                },
            )
        ],
    )
    await setup_entry(hass, config_entry)
    assert hass.states.get(LAST_PERSON).state == "Bob"
    older = payloads.rec_push(record_id="8", name="Eve", time="2026-11-22 09:00:00", extra=RESENT)
    await _deliver(hass, REC_TOPIC, older)
    assert hass.states.get(LAST_PERSON).state == "Bob"
    newer = payloads.rec_push(record_id="9", time="2026-11-22 10:01:00", extra=RESENT)
    await _deliver(hass, REC_TOPIC, newer)
    assert hass.states.get(LAST_PERSON).state == "Alice"


async def test_helpers_at_their_edges(hass: HomeAssistant) -> None:
    """The logbook entity only for record events; a broken translation falls back to English;
    only recognition and stranger records carry a face."""
    data: dict[str, Any] = {}
    name_logbook_entity(hass, "face_terminal_access_request", data, "1305433")
    name_logbook_entity(hass, "face_terminal_recognition", data, "no-such-terminal")
    assert data == {}

    with patch(
        "homeassistant.helpers.translation.async_get_cached_translations",
        return_value={"component.face_terminal.exceptions.logbook_stranger.message": "{oops}"},
    ):
        assert translator(hass)("stranger") == "saw a stranger"

    assert record_face(Mock(spec=[])) is None


def test_docs_name_the_menu_entries_as_the_ui_does() -> None:
    """Every "Add integration → Face Recognition Terminal → …" names a menu entry as shown."""
    menu = json.loads((TRANSLATIONS / "en.json").read_text(encoding="utf-8"))["config"]["step"][
        "user"
    ]["menu_options"]
    repo = Path(__file__).parent.parent
    pages = [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]
    text = " ".join(" ".join(page.read_text(encoding="utf-8").split()) for page in pages)
    named = re.findall(r"Add integration → Face Recognition Terminal → ([^*]+)\*\*", text)
    assert set(named) == set(menu.values())
