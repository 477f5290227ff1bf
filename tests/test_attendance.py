"""Attendance from the recorder: first in, last out and passages per person and day."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.const import Platform
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.face_terminal.attendance import (
    Passage,
    build_report,
    day_summary,
)
from custom_components.face_terminal.const import CONF_PERSON_LINKS, DOMAIN
from custom_components.face_terminal.occupancy.const import CONF_DOOR_ROLE, ROLE_ENTRY

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry

if TYPE_CHECKING:
    from collections.abc import Generator
    from pathlib import Path

    from homeassistant.components.recorder import Recorder
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder first, then Home Assistant with the custom integration."""


@pytest.fixture(autouse=True)
def only_sensor() -> Generator[None]:
    with patch("custom_components.face_terminal.PLATFORMS", [Platform.SENSOR]):
        yield


def rec(time: str, record_id: str, direction: str = "entr", **kwargs: Any) -> bytes:
    extra = {"direction": direction, **kwargs.pop("extra", {})}
    return payloads.rec_push(record_id=record_id, time=time, extra=extra, **kwargs)


async def attendance(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    result = await hass.services.async_call(
        DOMAIN, "attendance", data, blocking=True, return_response=True
    )
    assert isinstance(result, dict)
    return result


async def two_days(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={CONF_PERSON_LINKS: {"alice-01": "person.alice"}}
    )
    await setup_entry(hass, entry)
    for time, record_id, direction, who in (
        ("2026-11-22 08:58:00", "1", "entr", "alice-01"),
        ("2026-11-22 09:10:00", "2", "entr", "bob-02"),
        ("2026-11-22 12:00:00", "3", "exit", "alice-01"),
        ("2026-11-22 13:00:00", "4", "entr", "alice-01"),
        ("2026-11-22 17:30:00", "5", "exit", "alice-01"),
        ("2026-11-23 08:45:00", "6", "entr", "alice-01"),
        ("2026-11-23 16:00:00", "7", "unknow", "alice-01"),
    ):
        fire(hass, payloads.REC_TOPIC, rec(time, record_id, direction, custom_id=who))
    # Re-sent after an outage (the same record), a refusal and a stranger: not passages.
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 12:00:00", "3", "exit", extra={"PushType": "2"}))
    fire(
        hass,
        payloads.REC_TOPIC,
        rec("2026-11-22 14:00:00", "8", custom_id="eve", verify_status="2"),
    )
    fire(hass, payloads.SNAP_TOPIC, payloads.str_snap_push())
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)


async def test_two_days(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry, tmp_path: Path
) -> None:
    await two_days(hass, config_entry)
    result = await attendance(hass, start="2026-11-22", end="2026-11-23")
    people = {person["custom_id"]: person for person in result["people"]}
    assert set(people) == {"alice-01", "bob-02"}
    alice = people["alice-01"]
    assert alice["name"] == "Alice"
    assert alice["person_entity_id"] == "person.alice"
    first, second = alice["days"]
    assert first["date"] == "2026-11-22"
    assert first["first_in"].startswith("2026-11-22T08:58:00")
    assert first["last_out"].startswith("2026-11-22T17:30:00")
    assert [p["direction"] for p in first["passages"]] == ["in", "out", "in", "out"]
    assert first["passages"][0]["terminal_id"] == payloads.TERMINAL_ID
    assert second["first_in"].startswith("2026-11-23T08:45:00")
    assert second["last_out"] is None
    assert second["last_seen"].startswith("2026-11-23T16:00:00")
    assert people["bob-02"]["person_entity_id"] is None
    # Nothing personal beyond the name.
    assert "idCard" not in str(result)
    assert "421381199504030001" not in str(result)
    assert "18888888888" not in str(result)

    # One person (by the linked person), one day, and a CSV under the media folder.
    hass.config.media_dirs = {"local": str(tmp_path)}
    result = await attendance(
        hass,
        start="2026-11-23T00:00:00",
        end="2026-11-23T23:59:59",
        people=["person.alice"],
        csv_file="reports/nov.csv",
    )
    assert [p["custom_id"] for p in result["people"]] == ["alice-01"]
    assert result["csv_file"] == str(tmp_path / "reports" / "nov.csv")
    rows = list(csv.reader((tmp_path / "reports" / "nov.csv").read_text("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["Date", "Custom ID", "Name"]
    assert rows[1][:4] == ["2026-11-23", "alice-01", "Alice", "person.alice"]
    assert rows[1][5] == ""  # no exit that day
    assert rows[1][-1] == "2"

    # By terminal: this one, and a period without records.
    device_id = config_entry.runtime_data.device_id
    result = await attendance(hass, start="2026-11-22", end="2026-11-22", device_id=device_id)
    assert len(result["people"]) == 2
    assert (await attendance(hass, start="2026-11-25", end="2026-11-26"))["people"] == []


async def test_door_role_decides(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={CONF_DOOR_ROLE: ROLE_ENTRY})
    await setup_entry(hass, config_entry)
    fire(hass, payloads.REC_TOPIC, rec("2026-11-22 18:00:00", "1", "exit"))
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    result = await attendance(hass, start="2026-11-22", end="2026-11-22")
    day = result["people"][0]["days"][0]
    assert day["first_in"].startswith("2026-11-22T18:00:00")
    assert day["last_out"] is None


DAY = {"start": "2026-11-22", "end": "2026-11-22"}
BAD_CSV = "attendance_invalid_csv_file"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"start": "yesterday", "end": "2026-11-23"}, "attendance_invalid_time"),
        ({"start": "2026-11-22", "end": "2026-13-45"}, "attendance_invalid_time"),
        ({"start": "2026-11-22", "end": "2026-11-22 25:00"}, "attendance_invalid_time"),
        ({"start": "2026-11-23", "end": "2026-11-22"}, "attendance_period_invalid"),
        (
            {"start": "2026-11-22T10:00+01:00", "end": "2026-11-22T09:00+01:00"},
            "attendance_period_invalid",
        ),
        ({"start": "2025-01-01", "end": "2026-11-22"}, "attendance_period_too_long"),
        ({**DAY, "csv_file": "/etc/x.csv"}, BAD_CSV),
        ({**DAY, "csv_file": "../x.csv"}, BAD_CSV),
        ({**DAY, "csv_file": "x.txt"}, BAD_CSV),
        ({**DAY, "csv_file": " "}, BAD_CSV),
        ({**DAY, "csv_file": "a\nb.csv"}, BAD_CSV),
        ({**DAY, "device_id": "nope"}, "attendance_unknown_device"),
    ],
)
async def test_bad_input(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    loaded_entry: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await attendance(hass, **data)
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN


async def test_not_a_terminal_device(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=loaded_entry.entry_id, identifiers={("other", "x")}
    )
    with pytest.raises(ServiceValidationError) as err:
        await attendance(hass, start="2026-11-22", end="2026-11-22", device_id=other.id)
    assert err.value.translation_key == "attendance_unknown_device"


async def test_needs_the_recorder(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    with (
        patch.dict(hass.data, clear=False) as data,
    ):
        from homeassistant.helpers.recorder import DATA_INSTANCE

        data.pop(DATA_INSTANCE)
        with pytest.raises(ServiceValidationError) as err:
            await attendance(hass, start="2026-11-22", end="2026-11-22")
    assert err.value.translation_key == "attendance_needs_recorder"


def test_report_skips_malformed_events() -> None:
    start = datetime(2026, 11, 22, tzinfo=UTC)
    end = datetime(2026, 11, 23, tzinfo=UTC)
    good = {"custom_id": "a", "terminal_id": "t", "time": "2026-11-22T10:00:00+00:00"}
    events: list[dict[str, Any]] = [
        {"terminal_id": "t", "time": good["time"]},
        {**good, "time": 5},
        {**good, "time": "not a time"},
        {**good, "time": "2026-11-22T10:00:00"},  # no zone
        {**good, "time": "2026-11-24T10:00:00+00:00"},  # outside
        {**good, "terminal_id": "other"},
        {**good, "custom_id": "b"},
        good,
        good,  # the same record re-sent
    ]
    report = build_report(events, start, end, {}, terminals={"t"}, people={"a"})
    assert [entry.custom_id for entry in report] == ["a"]
    (passages,) = report[0].days.values()
    assert passages[0].direction is None
    summary = day_summary(date(2026, 11, 22), passages)
    assert summary["first_in"] is None
    assert summary["first_seen"] == summary["last_seen"]
    assert Passage(start, "t", "in").as_dict()["direction"] == "in"
