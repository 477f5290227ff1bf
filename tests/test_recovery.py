"""Recovering the records a terminal made while Home Assistant or the broker was away."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.components.event import ATTR_EVENT_TYPE
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE, Platform
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.face_terminal import protocol
from custom_components.face_terminal.const import (
    CONF_RECOVER_RECORDS,
    EVENT_RECOGNITION,
    EVENT_STRANGER,
    SETTINGS_REFRESH_INTERVAL,
)
from custom_components.face_terminal.recovery import storage_key

from . import payloads
from .conftest import TerminalResponder, fire, settle_settings, setup_entry

if TYPE_CHECKING:
    from collections.abc import Generator

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

ACCESS = "event.front_door_access"
FORMAT = "%Y-%m-%d %H:%M:%S"


@pytest.fixture(autouse=True)
def only_event() -> Generator[None]:
    """Set up only the event platform."""
    with patch("custom_components.face_terminal.PLATFORMS", [Platform.EVENT]):
        yield


@pytest.fixture(autouse=True)
def resume_off(terminal: TerminalResponder) -> None:
    """The terminal does not re-send by itself (the responder's default says it does)."""
    terminal.replies["GetMQTTconfig"] = reply_with("GetMQTTconfig", ResumefromBreakpoint="0")


def terminal_time(seconds_ago: float) -> str:
    return (dt_util.now() - timedelta(seconds=seconds_ago)).strftime(FORMAT)


def stored_mark(
    hass_storage: dict[str, Any], entry: MockConfigEntry, seconds_ago: float = 3600
) -> str:
    """Pretend Home Assistant last saw a record `seconds_ago` (returns that time, ISO)."""
    when = (dt_util.now() - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%S")
    hass_storage[storage_key(entry.entry_id)] = {
        "version": 1,
        "minor_version": 1,
        "key": storage_key(entry.entry_id),
        "data": {
            "records": {"time": when, "ids": ["500"]},
            "snaps": {"time": when, "ids": []},
        },
    }
    return when


def reply_with(operator: str, **info: Any) -> Any:
    return lambda command: payloads.ack(operator, command["messageId"], **info)


def manual_pushes(terminal: TerminalResponder) -> list[dict[str, Any]]:
    return [
        c for c in terminal.commands if c["operator"] in ("ManualPushRecords", "ManualPushSnaps")
    ]


async def test_catch_up_after_a_restart(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
) -> None:
    """The terminal is asked for everything since the stored record time."""
    config_entry.add_to_hass(hass)
    since = stored_mark(hass_storage, config_entry)
    terminal.replies["ManualPushRecords"] = reply_with("ManualPushRecords", RecordNum="2")
    terminal.replies["ManualPushSnaps"] = reply_with("ManualPushSnaps", RecordNum="1")
    await setup_entry(hass, config_entry)
    await hass.async_block_till_done()

    assert "GetMQTTconfig" in terminal.operators()
    records, snaps = manual_pushes(terminal)
    assert records["operator"] == "ManualPushRecords"
    assert records["info"]["TimeS"] == since
    assert snaps["operator"] == "ManualPushSnaps"
    end = dt_util.parse_datetime(records["info"]["TimeE"])
    assert end is not None
    assert abs((end - dt_util.now().replace(tzinfo=None)).total_seconds()) < 5
    assert config_entry.runtime_data.recovery.last_run == {"records": 2, "snaps": 1}
    # Nothing known yet: asked once, and the settings store's own read used that answer.
    await settle_settings(hass, config_entry)
    assert terminal.operators().count("GetMQTTconfig") == 1


async def test_replayed_records_are_history_not_arrivals(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
) -> None:
    """Re-sent records fire with replay true, never on the entity; delivered ones drop."""
    config_entry.add_to_hass(hass)
    since = stored_mark(hass_storage, config_entry)
    await setup_entry(hass, config_entry)
    recognitions = async_capture_events(hass, EVENT_RECOGNITION)
    strangers = async_capture_events(hass, EVENT_STRANGER)
    old_second = since.replace("T", " ")

    # Delivered before the outage: same second and ID as the stored mark.
    fire(
        hass,
        payloads.REC_TOPIC,
        payloads.rec_push(record_id="500", time=old_second, extra={"PushType": "2"}),
    )
    # Missed during the outage.
    fire(
        hass,
        payloads.REC_TOPIC,
        payloads.rec_push(record_id="501", time=terminal_time(60), extra={"PushType": "2"}),
    )
    await hass.async_block_till_done()
    assert [event.data["record_id"] for event in recognitions] == ["501"]
    assert recognitions[0].data["replay"] is True
    assert hass.states.get(ACCESS).attributes.get(ATTR_EVENT_TYPE) is None
    assert config_entry.runtime_data.state.last_recognition is None

    fire(hass, payloads.SNAP_TOPIC, payloads.str_snap_push(snap_id="77", time=terminal_time(50)))
    await hass.async_block_till_done()
    # A live stranger snapshot is an arrival as before.
    assert strangers[0].data["replay"] is False
    assert hass.states.get(ACCESS).attributes[ATTR_EVENT_TYPE] == "stranger"
    counters = config_entry.runtime_data.counters
    assert counters["replays_already_delivered"] == 1
    assert counters["replayed_records"] == 1


async def test_late_resend_counts_as_replay(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """A record the terminal re-sent after an outage (Sendintime 0) is not live either."""
    recognitions = async_capture_events(hass, EVENT_RECOGNITION)
    fire(
        hass, payloads.REC_TOPIC, payloads.rec_push(time=terminal_time(30), extra={"Sendintime": 0})
    )
    await hass.async_block_till_done()
    assert recognitions[0].data["replay"] is True
    assert hass.states.get(ACCESS).attributes.get(ATTR_EVENT_TYPE) is None


async def test_live_records_move_the_stored_mark(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
) -> None:
    """The last record time is stored, so a restart of Home Assistant knows it."""
    when = terminal_time(5)
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="900", time=when))
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="901", time=when))
    fire(hass, payloads.QR_TOPIC, payloads.qr_push())  # not a record with a time: ignored
    await hass.async_block_till_done()
    recovery = loaded_entry.runtime_data.recovery
    qr = protocol.parse_message(payloads.QR_TOPIC, payloads.qr_push())
    assert not recovery.delivered(qr)
    # Stored at the latest when Home Assistant stops (the write waits a few seconds).
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    stored = hass_storage[storage_key(loaded_entry.entry_id)]["data"]
    assert stored["records"] == {"time": when.replace(" ", "T"), "ids": ["900", "901"]}
    assert stored["snaps"]["time"] is None
    # Nothing was seen before this start, so nothing was asked for.
    assert manual_pushes(terminal) == []


async def test_back_online_after_an_outage(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """The terminal went offline (broker away) and came back: ask for what it made since."""
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="900", time=terminal_time(5)))
    await hass.async_block_till_done()
    assert manual_pushes(terminal) == []
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    assert not loaded_entry.runtime_data.state.online
    fire(hass, payloads.HEARTBEAT_TOPIC, payloads.heartbeat(time=terminal_time(0)))
    await hass.async_block_till_done()
    assert [c["operator"] for c in manual_pushes(terminal)] == ["ManualPushRecords"]


async def test_terminal_resends_by_itself(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
) -> None:
    """With resume-from-breakpoint on, the terminal re-sends itself: nothing is asked."""
    config_entry.add_to_hass(hass)
    stored_mark(hass_storage, config_entry)
    terminal.replies["GetMQTTconfig"] = reply_with("GetMQTTconfig", ResumefromBreakpoint="1")
    await setup_entry(hass, config_entry)
    await hass.async_block_till_done()
    assert manual_pushes(terminal) == []
    assert config_entry.runtime_data.recovery.last_run == {"skipped": "resume_from_breakpoint"}
    await settle_settings(hass, config_entry)
    assert terminal.operators().count("GetMQTTconfig") == 1


async def test_settings_store_answers_whether_the_terminal_resends(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """Back from an outage, recovery takes resume-on from the settings store: not asked."""
    terminal.replies["GetMQTTconfig"] = reply_with("GetMQTTconfig", ResumefromBreakpoint="1")
    await setup_entry(hass, config_entry)
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="900", time=terminal_time(5)))
    await hass.async_block_till_done()
    assert terminal.operators().count("GetMQTTconfig") == 1  # the store's read at setup
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    fire(hass, payloads.HEARTBEAT_TOPIC, payloads.heartbeat(time=terminal_time(0)))
    await hass.async_block_till_done()
    await settle_settings(hass, config_entry)
    recovery = config_entry.runtime_data.recovery
    assert recovery.last_run == {"skipped": "resume_from_breakpoint"}
    assert manual_pushes(terminal) == []
    # One more read: the store's own on coming back online, none for recovery.
    assert terminal.operators().count("GetMQTTconfig") == 2


async def test_settings_store_off_recovers_without_asking(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """The store read resume-off recently: recovery asks for the records straight away."""
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="900", time=terminal_time(5)))
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    operators_before = len(terminal.operators())
    fire(hass, payloads.HEARTBEAT_TOPIC, payloads.heartbeat(time=terminal_time(0)))
    await hass.async_block_till_done()
    # Recovery's command is the first one after coming back: no GetMQTTconfig before it.
    assert terminal.operators()[operators_before] == "ManualPushRecords"


async def test_old_settings_are_read_again(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Away longer than the store's read interval: asked again, and the new answer counts.

    Resume-from-breakpoint was switched on on the terminal's own page meanwhile.
    """
    await setup_entry(hass, config_entry)
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="900", time=terminal_time(5)))
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    assert terminal.operators().count("GetMQTTconfig") == 1
    terminal.replies["GetMQTTconfig"] = reply_with("GetMQTTconfig", ResumefromBreakpoint="1")
    freezer.tick(SETTINGS_REFRESH_INTERVAL + timedelta(minutes=1))
    async_fire_time_changed(hass)  # the periodic read is due while the terminal is away
    await hass.async_block_till_done()
    fire(hass, payloads.HEARTBEAT_TOPIC, payloads.heartbeat(time=terminal_time(0)))
    await hass.async_block_till_done()
    await settle_settings(hass, config_entry)
    assert config_entry.runtime_data.recovery.last_run == {"skipped": "resume_from_breakpoint"}
    assert manual_pushes(terminal) == []
    # Recovery's read answered the store's read on coming online, too.
    assert terminal.operators().count("GetMQTTconfig") == 2


async def test_option_off(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={CONF_RECOVER_RECORDS: False})
    stored_mark(hass_storage, config_entry)
    await setup_entry(hass, config_entry)
    await hass.async_block_till_done()
    # Not even asked whether the terminal re-sends by itself (the settings store reads
    # the MQTT section for its own entities; recovery never ran).
    assert config_entry.runtime_data.recovery.last_run == {}
    assert manual_pushes(terminal) == []


@pytest.mark.parametrize("code", ["466", "467"])
async def test_nothing_to_send_is_an_answer(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    code: str,
) -> None:
    """No record in the period (466) or no upload of that kind (467) is not a failure."""
    config_entry.add_to_hass(hass)
    stored_mark(hass_storage, config_entry)
    terminal.replies["ManualPushRecords"] = lambda c: payloads.ack(
        "ManualPushRecords", c["messageId"], code=code, result="fail"
    )
    await setup_entry(hass, config_entry)
    await hass.async_block_till_done()
    assert config_entry.runtime_data.recovery.last_run == {"records": 0, "snaps": 0}


async def test_refusal_is_logged_and_stops(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config_entry.add_to_hass(hass)
    stored_mark(hass_storage, config_entry)
    terminal.replies["ManualPushRecords"] = lambda c: payloads.ack(
        "ManualPushRecords", c["messageId"], code="464", result="fail"
    )
    await setup_entry(hass, config_entry)
    await hass.async_block_till_done()
    assert [c["operator"] for c in manual_pushes(terminal)] == ["ManualPushRecords"]
    assert config_entry.runtime_data.recovery.last_run == {"records": None}
    assert "refused to re-send missed records" in caplog.text


async def test_terminal_without_the_command(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
) -> None:
    """Old firmware never answers: recovery gives up for this terminal (no retry loop)."""
    config_entry.add_to_hass(hass)
    stored_mark(hass_storage, config_entry)
    terminal.replies["GetMQTTconfig"] = lambda _command: None
    terminal.replies["ManualPushRecords"] = lambda _command: None
    await setup_entry(hass, config_entry)
    # Gone and back while the first attempt still waits: no second attempt alongside.
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    fire(hass, payloads.HEARTBEAT_TOPIC, payloads.heartbeat(time=terminal_time(0)))
    await hass.async_block_till_done()
    assert [c["operator"] for c in manual_pushes(terminal)] == []
    # The unanswered MQTT read (recovery's, which the settings store's read waits for
    # too) times out in the query lane before the unanswered ManualPushRecords does.
    recovery = config_entry.runtime_data.recovery
    for step in range(1, 21):
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=25 * step))
        await hass.async_block_till_done()
        if recovery.unsupported:
            break
    assert recovery.unsupported
    assert recovery.last_run == {"records": None}
    # Offline and back: not asked again.
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    fire(hass, payloads.HEARTBEAT_TOPIC, payloads.heartbeat(time=terminal_time(0)))
    await hass.async_block_till_done()
    assert [c["operator"] for c in manual_pushes(terminal)] == ["ManualPushRecords"]
