"""Who is inside: entry/exit doors, per-person state, the count per site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.const import Platform
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.face_terminal.const import CONF_PERSON_LINKS, DOMAIN
from custom_components.face_terminal.occupancy.const import (
    CONF_ASSUME_LEFT_AFTER,
    CONF_DOOR_ROLE,
    CONF_SITE,
    IN,
    OUT,
    ROLE_ENTRY,
    ROLE_EXIT,
    ROLE_NONE,
    ROLE_RECORD,
)
from custom_components.face_terminal.occupancy.manager import STORAGE_KEY, _time
from custom_components.face_terminal.occupancy.sensor import async_setup_site_sensor
from custom_components.face_terminal.occupancy.state import (
    Passage,
    SiteOccupancy,
    entry_passage,
    passage_direction,
)

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry

if TYPE_CHECKING:
    from collections.abc import Generator

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

SENSOR = "sensor.people_inside_office"
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def only_sensor() -> Generator[None]:
    with patch("custom_components.face_terminal.PLATFORMS", [Platform.SENSOR]):
        yield


def test_direction_by_role() -> None:
    assert passage_direction(ROLE_ENTRY, "exit") == IN
    assert passage_direction(ROLE_EXIT, None) == OUT
    assert passage_direction(ROLE_RECORD, "entr") == IN
    assert passage_direction(ROLE_RECORD, "exit") == OUT
    assert passage_direction(ROLE_RECORD, None) is None
    assert passage_direction(ROLE_RECORD, "unknow") is None
    assert passage_direction(ROLE_NONE, "entr") is None


def test_record_time_decides() -> None:
    site = SiteOccupancy()
    assert site.apply("a", entry_passage(T0, IN, 0, "person.alice"))
    # The same record again, or an older one arriving late: nothing changes.
    assert not site.apply("a", entry_passage(T0, IN, 0, "person.alice"))
    assert not site.apply("a", entry_passage(T0 - timedelta(hours=1), OUT, 0, None))
    assert site.inside(T0) == ["a"]
    assert site.persons(T0) == ["person.alice"]
    assert site.apply("a", entry_passage(T0 + timedelta(hours=8), OUT, 0, None))
    assert site.count(T0 + timedelta(hours=9)) == 0
    assert site.next_change(T0) is None


def test_assume_left_after() -> None:
    site = SiteOccupancy()
    site.apply("b", entry_passage(T0, IN, 2, None))
    assert site.count(T0 + timedelta(hours=1)) == 1
    assert site.persons(T0) == []  # not linked: counted, never named
    assert site.next_change(T0) == T0 + timedelta(hours=2)
    assert site.count(T0 + timedelta(hours=2)) == 0
    assert site.next_change(T0 + timedelta(hours=3)) is None


def test_stored_form_round_trip_and_malformed() -> None:
    site = SiteOccupancy()
    site.apply("a", entry_passage(T0, IN, 3, "person.alice"))
    site.apply("b", entry_passage(T0, OUT, 3, None))
    again = SiteOccupancy.from_dict(site.as_dict())
    assert again.as_dict() == site.as_dict()
    bad: dict[str, Any] = {
        "x1": "nonsense",
        "x2": ["not a time", IN, None, None],
        "x3": [T0.replace(tzinfo=None).isoformat(), IN, None, None],
        "x4": [T0.isoformat(), "sideways", None, None],
        "x5": [T0.isoformat(), IN, T0.replace(tzinfo=None).isoformat(), None],
        "x6": [5, IN, None, None],
        "ok": [T0.isoformat(), IN, None, 7],
    }
    restored = SiteOccupancy.from_dict(bad)
    assert restored.inside(T0) == ["ok"]
    assert restored.persons(T0) == []
    assert SiteOccupancy.from_dict("nonsense").as_dict() == {}
    assert Passage.from_list(["2026-13-01T00:00:00+00:00", IN, None, None]) is None


def test_event_time() -> None:
    assert _time(None) is None
    assert _time("yesterday") is None
    assert _time("2026-11-22T10:00:00") is None
    assert _time("2026-11-22T10:00:00+00:00") == datetime(2026, 11, 22, 10, tzinfo=UTC)


def door_entry(terminal_id: str, role: str, **options: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=terminal_id,
        unique_id=terminal_id,
        data={
            "terminal_id": terminal_id,
            "command_topic": f"mqtt/face/{terminal_id}",
            "name": terminal_id,
            "ip": "192.168.1.50",
        },
        options={
            CONF_DOOR_ROLE: role,
            CONF_SITE: "Office",
            CONF_ASSUME_LEFT_AFTER: 0,
            CONF_PERSON_LINKS: {"alice-01": "person.alice"},
            **options,
        },
        version=1,
    )


def rec(time: str, record_id: str, **kwargs: Any) -> bytes:
    direction = kwargs.pop("direction", "entr")
    extra = {"direction": direction, **kwargs.pop("extra", {})}
    return payloads.rec_push(record_id=record_id, time=time, extra=extra, **kwargs)


async def test_entry_and_exit_by_record_direction(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        options={
            CONF_DOOR_ROLE: ROLE_RECORD,
            CONF_SITE: "Office",
            CONF_ASSUME_LEFT_AFTER: 0,
            CONF_PERSON_LINKS: {"alice-01": "person.alice"},
        },
    )
    await setup_entry(hass, config_entry)
    assert hass.states.get(SENSOR).state == "0"
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 09:00:00", "1"))
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 09:05:00", "2", custom_id="bob-02"))
    await hass.async_block_till_done()
    state = hass.states.get(SENSOR)
    assert state.state == "2"
    # Only linked persons are named; nothing else about anyone.
    assert state.attributes["persons"] == ["person.alice"]
    assert state.attributes["site"] == "Office"
    assert "bob-02" not in str(state.attributes)
    # A re-sent entry older than what is known, a refused one, an undirected one: no change.
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 08:00:00", "0", extra={"PushType": "2"}))
    fire(
        hass,
        payloads.REC_TOPIC,
        rec("2026-11-22 09:10:00", "3", custom_id="eve", verify_status="2"),
    )
    fire(
        hass, payloads.REC_TOPIC, rec("2026-11-22 09:20:00", "4", direction="unknow", custom_id="c")
    )
    await hass.async_block_till_done()
    assert hass.states.get(SENSOR).state == "2"
    # Alice leaves; her exit arrives only after a later record (out of order) of Bob's.
    fire(
        hass,
        payloads.REC_TOPIC,
        rec("2026-11-22 17:30:00", "6", direction="exit", custom_id="bob-02"),
    )
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 17:00:00", "5", direction="exit"))
    await hass.async_block_till_done()
    state = hass.states.get(SENSOR)
    assert state.state == "0"
    assert state.attributes["persons"] == []


async def test_entry_and_exit_doors_share_a_site(
    hass: HomeAssistant, terminal: TerminalResponder
) -> None:
    entrance = door_entry(payloads.TERMINAL_ID, ROLE_ENTRY)
    exit_door = door_entry("exit-1", ROLE_EXIT)
    await setup_entry(hass, entrance)
    entrance_id = payloads.TERMINAL_ID
    await setup_entry(hass, exit_door)
    assert hass.states.async_entity_ids("sensor").count(SENSOR) == 1
    # The entrance's records say "exit" (firmware default): its role decides.
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 09:00:00", "1", direction="exit"))
    await hass.async_block_till_done()
    assert hass.states.get(SENSOR).state == "1"
    exit_topic = payloads.REC_TOPIC.replace(entrance_id, "exit-1")
    fire(hass, exit_topic, rec("2026-11-22 12:00:00", "1", terminal_id="exit-1"))
    await hass.async_block_till_done()
    assert hass.states.get(SENSOR).state == "0"
    # An unloaded door counts nobody; the site keeps its count.
    assert await hass.config_entries.async_unload(exit_door.entry_id)
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 13:00:00", "2"))
    await hass.async_block_till_done()
    assert hass.states.get(SENSOR).state == "1"


async def test_not_a_door(hass: HomeAssistant, terminal: TerminalResponder) -> None:
    entry = door_entry(payloads.TERMINAL_ID, ROLE_NONE)
    await setup_entry(hass, entry)
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 09:00:00", "1"))
    await hass.async_block_till_done()
    assert hass.states.get(SENSOR) is None


async def test_restored_after_restart(
    hass: HomeAssistant, terminal: TerminalResponder, hass_storage: dict[str, Any]
) -> None:
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "key": STORAGE_KEY,
        "data": {
            "sites": {
                "office": {
                    "alice-01": [T0.isoformat(), IN, None, "person.alice"],
                    "bob-02": [(T0 + timedelta(days=1)).isoformat(), OUT, None, None],
                }
            }
        },
    }
    await setup_entry(hass, door_entry(payloads.TERMINAL_ID, ROLE_RECORD))
    state = hass.states.get(SENSOR)
    assert state.state == "1"
    assert state.attributes["persons"] == ["person.alice"]
    # A record re-sent after the restart that is older than the stored exit: still out.
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 08:00:00", "9", custom_id="bob-02"))
    await hass.async_block_till_done()
    assert hass.states.get(SENSOR).state == "1"


async def test_changes_are_stored(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(hass, door_entry(payloads.TERMINAL_ID, ROLE_RECORD))
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 09:00:00", "1"))
    await hass.async_block_till_done()
    freezer.tick(timedelta(seconds=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    stored = hass_storage[STORAGE_KEY]["data"]["sites"]["office"]
    assert stored["alice-01"][1] == IN


async def test_missed_exit_assume_left(
    hass: HomeAssistant, terminal: TerminalResponder, freezer: FrozenDateTimeFactory
) -> None:
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to(datetime(2026, 11, 22, 9, 30, tzinfo=UTC))
    await setup_entry(
        hass, door_entry(payloads.TERMINAL_ID, ROLE_ENTRY, **{CONF_ASSUME_LEFT_AFTER: 2})
    )
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 09:00:00", "1"))
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 09:20:00", "2", custom_id="bob-02"))
    await hass.async_block_till_done()
    assert hass.states.get(SENSOR).state == "2"
    freezer.move_to(datetime(2026, 11, 22, 11, 0, 1, tzinfo=UTC))
    async_fire_time_changed(hass, dt_util.utcnow())
    await hass.async_block_till_done()
    state = hass.states.get(SENSOR)
    assert state.state == "1"
    freezer.move_to(datetime(2026, 11, 22, 11, 20, 1, tzinfo=UTC))
    async_fire_time_changed(hass, dt_util.utcnow())
    await hass.async_block_till_done()
    state = hass.states.get(SENSOR)
    assert state.state == "0"
    assert state.attributes["persons"] == []


async def test_site_sensor_needs_its_site(hass: HomeAssistant) -> None:
    added: list[Any] = []
    await async_setup_site_sensor(hass, {}, added.extend, None)
    await async_setup_site_sensor(hass, {}, added.extend, {"site": "office"})
    assert added == []
