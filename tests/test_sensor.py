"""Tests of the last-person and body-temperature sensors."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.const import (
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant, State
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.helpers import entity_registry as er
    from syrupy.assertion import SnapshotAssertion

LAST_PERSON = "sensor.front_door_last_person"
TEMPERATURE = "sensor.front_door_body_temperature"
STANDARD_ATTRIBUTES = {"friendly_name", "icon"}

# The last-person sensor is created disabled (tests/test_household.py); here it is used
# as by a user who enabled it.
pytestmark = pytest.mark.usefixtures("all_entities_enabled")


@pytest.fixture(autouse=True)
def only_sensor() -> Generator[None]:
    """Set up only this platform."""
    with patch("custom_components.face_terminal.PLATFORMS", [Platform.SENSOR]):
        yield


async def deliver(hass: HomeAssistant, topic: str, payload: bytes) -> None:
    """Fire a terminal message and let it be handled."""
    fire(hass, topic, payload)
    await hass.async_block_till_done()


def own_attributes(hass: HomeAssistant, entity_id: str) -> dict[str, Any]:
    """State attributes without the ones Home Assistant adds."""
    return {
        key: value
        for key, value in hass.states.get(entity_id).attributes.items()
        if key not in STANDARD_ATTRIBUTES
    }


async def test_entities(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Registry entries and states before any record."""
    await snapshot_platform(
        hass,
        entity_registry,
        snapshot.use_extension(HomeAssistantSnapshotExtension),
        loaded_entry.entry_id,
    )


async def test_last_person(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """A recognition sets the name and a few small attributes, nothing personal."""
    assert hass.states.get(LAST_PERSON).state == STATE_UNKNOWN

    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(pic=payloads.jpeg()))

    assert hass.states.get(LAST_PERSON).state == "Alice"
    assert own_attributes(hass, LAST_PERSON) == {
        "custom_id": "alice-01",
        "person_id": "41",
        "similarity": 83.0,
        "access": "access_granted",
        "time": "2026-11-22T10:01:00-08:00",
    }
    # The time and similarity change with every record: the recorder leaves them out.
    state_info = hass.states.get(LAST_PERSON).state_info
    assert state_info is not None
    assert {"time", "similarity"} <= state_info["unrecorded_attributes"]
    assert "custom_id" not in state_info["unrecorded_attributes"]


@pytest.mark.parametrize(
    ("verify_status", "person_type", "access"),
    [
        ("1", "0", "access_granted"),
        ("2", "0", "access_denied"),
        ("22", "0", "awaiting_remote"),
        ("24", "0", "no_permission"),
        ("0", "1", "access_denied"),
        ("0", "0", "access_granted"),
    ],
)
async def test_last_person_access(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    verify_status: str,
    person_type: str,
    access: str,
) -> None:
    """The access attribute is the terminal's verdict."""
    await deliver(
        hass,
        payloads.REC_TOPIC,
        payloads.rec_push(verify_status=verify_status, person_type=person_type),
    )
    assert own_attributes(hass, LAST_PERSON)["access"] == access


async def test_last_person_without_name(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """A person without a name shows the custom ID; a face nobody knows changes nothing."""
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="1", name=""))
    assert hass.states.get(LAST_PERSON).state == "alice-01"

    await deliver(
        hass,
        payloads.REC_TOPIC,
        payloads.rec_push(record_id="2", name="", custom_id="", person_id="", verify_status="3"),
    )
    assert hass.states.get(LAST_PERSON).state == "alice-01"


async def test_last_person_ignores_strangers_and_scans(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Strangers and scans do not touch the last person."""
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push())
    before = hass.states.get(LAST_PERSON)

    await deliver(hass, payloads.SNAP_TOPIC, payloads.str_snap_push())
    await deliver(hass, payloads.QR_TOPIC, payloads.qr_push())
    await deliver(hass, payloads.CARD_TOPIC, payloads.card_push())
    await deliver(hass, payloads.IDCARD_TOPIC, payloads.id_card_push())

    after = hass.states.get(LAST_PERSON)
    assert after.state == "Alice"
    assert after.attributes == before.attributes


async def test_body_temperature(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Temperatures come from recognitions and stranger snapshots, in °C."""
    state = hass.states.get(TEMPERATURE)
    assert state.state == STATE_UNKNOWN
    assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == UnitOfTemperature.CELSIUS

    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(temperature="36.53"))
    assert hass.states.get(TEMPERATURE).state == "36.53"

    await deliver(hass, payloads.SNAP_TOPIC, payloads.str_snap_push(temperature="37.2"))
    assert hass.states.get(TEMPERATURE).state == "37.2"

    # Records without a temperature (or not measuring one) keep the last value.
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="9", temperature=None))
    await deliver(hass, payloads.QR_TOPIC, payloads.qr_push())
    assert hass.states.get(TEMPERATURE).state == "37.2"
    assert own_attributes(hass, TEMPERATURE) == {
        "state_class": "measurement",
        "unit_of_measurement": "°C",
        "device_class": "temperature",
    }


async def test_bad_temperature_ignored(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """A temperature that is not a number does not reach the sensor."""
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(temperature="hot"))
    assert hass.states.get(TEMPERATURE).state == STATE_UNKNOWN
    assert hass.states.get(LAST_PERSON).state == "Alice"


async def test_unavailable_when_offline(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Both sensors follow the terminal's presence."""
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push())
    await deliver(hass, payloads.BASIC_TOPIC, payloads.offline())
    assert hass.states.get(LAST_PERSON).state == STATE_UNAVAILABLE
    assert hass.states.get(TEMPERATURE).state == STATE_UNAVAILABLE

    await deliver(hass, payloads.HEARTBEAT_TOPIC, payloads.heartbeat())
    assert hass.states.get(LAST_PERSON).state == "Alice"
    assert hass.states.get(TEMPERATURE).state == "36.53"


def stored(value: Any, unit: str | None, attributes: Any = None) -> dict[str, Any]:
    """Extra restore data as the sensor stores it."""
    data: dict[str, Any] = {"native_value": value, "native_unit_of_measurement": unit}
    if attributes is not None:
        data["attributes"] = attributes
    return data


async def test_restore(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """Values and the known attributes come back after a restart."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(LAST_PERSON, "Bob"),
                stored(
                    "Bob",
                    None,
                    {
                        "custom_id": "bob-7",
                        "person_id": "7",
                        "similarity": 91.5,
                        "access": "access_denied",
                        "time": "2026-11-21T08:00:00-08:00",
                        "pic": "data:image/jpeg;base64,AAAA",  # never shown again
                    },
                ),
            ),
            (State(TEMPERATURE, "36.9"), stored(36.9, UnitOfTemperature.CELSIUS)),
        ],
    )
    await setup_entry(hass, config_entry)

    assert hass.states.get(LAST_PERSON).state == "Bob"
    assert own_attributes(hass, LAST_PERSON) == {
        "custom_id": "bob-7",
        "person_id": "7",
        "similarity": 91.5,
        "access": "access_denied",
        "time": "2026-11-21T08:00:00-08:00",
    }
    assert hass.states.get(TEMPERATURE).state == "36.9"

    # A new record replaces the restored values.
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push())
    assert hass.states.get(LAST_PERSON).state == "Alice"
    assert hass.states.get(TEMPERATURE).state == "36.53"


@pytest.mark.parametrize(
    ("person", "temperature"),
    [
        (stored(None, None), stored(None, UnitOfTemperature.CELSIUS)),
        (stored(42, None, {"custom_id": "x"}), stored("warm", UnitOfTemperature.CELSIUS)),
        (stored("Bob", None, ["not", "a", "dict"]), stored([36.6], UnitOfTemperature.CELSIUS)),
        ({"native_value": "Bob"}, {"unexpected": True}),
        (
            stored({"__type": "<class 'decimal.Decimal'>"}, None),
            stored({"__type": "<class 'decimal.Decimal'>", "decimal_str": "x"}, "°C"),
        ),
    ],
)
async def test_restore_bad_data(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    person: dict[str, Any],
    temperature: dict[str, Any],
) -> None:
    """Stored data of the wrong shape is ignored, not shown."""
    mock_restore_cache_with_extra_data(
        hass,
        [(State(LAST_PERSON, "x"), person), (State(TEMPERATURE, "x"), temperature)],
    )
    await setup_entry(hass, config_entry)

    last_person = hass.states.get(LAST_PERSON)
    if person.get("native_value") == "Bob" and "attributes" in person:
        # The name is fine; attributes that are not an object are dropped.
        assert last_person.state == "Bob"
        assert own_attributes(hass, LAST_PERSON) == {}
    else:
        assert last_person.state == STATE_UNKNOWN
    assert hass.states.get(TEMPERATURE).state == STATE_UNKNOWN


async def test_restore_nothing_stored(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """A state without extra data (older version) restores nothing."""
    mock_restore_cache_with_extra_data(hass, [])
    await setup_entry(hass, config_entry)
    assert hass.states.get(LAST_PERSON).state == STATE_UNKNOWN


async def test_stored_data_round_trip(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """What the sensor stores is JSON and reads back the same."""
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push())
    entity = hass.data["sensor"].get_entity(LAST_PERSON)
    data = json.loads(json.dumps(entity.extra_restore_state_data.as_dict()))
    assert data == {
        "native_value": "Alice",
        "native_unit_of_measurement": None,
        "attributes": {
            "custom_id": "alice-01",
            "person_id": "41",
            "similarity": 83.0,
            "access": "access_granted",
            "time": "2026-11-22T10:01:00-08:00",
        },
    }


async def test_privacy(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """No picture, ID number or phone number reaches a sensor attribute or state."""
    await deliver(hass, payloads.REC_TOPIC, payloads.rec_push(pic=payloads.jpeg()))
    await deliver(hass, payloads.SNAP_TOPIC, payloads.str_snap_push(pic=payloads.jpeg()))
    await deliver(hass, payloads.IDCARD_TOPIC, payloads.id_card_push(photo=payloads.jpeg()))
    for entity_id in (LAST_PERSON, TEMPERATURE):
        text = json.dumps(hass.states.get(entity_id).as_dict(), default=str)
        for secret in ("base64", "421381199504030001", "18888888888", payloads.ID_NUMBER):
            assert secret not in text
        assert "idCard" not in text
        assert "telnum" not in text
