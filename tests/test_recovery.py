"""Recovering the records a terminal made while Home Assistant or the broker was away."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.components.event import ATTR_EVENT_TYPE
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.helpers.recorder import DATA_INSTANCE
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.face_terminal.const import (
    CONF_RECOVER_RECORDS,
    DOMAIN,
    EVENT_RECOGNITION,
    EVENT_STRANGER,
    SETTINGS_REFRESH_INTERVAL,
)
from custom_components.face_terminal.delivery import storage_key
from custom_components.face_terminal.protocol.commands import PUSH_ACK_RECORD
from custom_components.face_terminal.recovery import gap_issue_id

from . import payloads
from .conftest import TerminalResponder, answer_within, fire, settle_settings, setup_entry

if TYPE_CHECKING:
    from collections.abc import Generator

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import issue_registry as ir

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
    """Pretend Home Assistant last saw a record `seconds_ago` (returns that time, ISO).

    Stored in the format of version 0.2 (a watermark), which the journal migrates.
    """
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

    # Delivered before the outage: the ID the stored mark names.
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
    runtime = config_entry.runtime_data
    assert runtime.drops["already_delivered"] == 1
    assert runtime.counters["replayed_records"] == 1


async def test_live_and_resent_records_interleave_without_loss(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The race of the outage: live records arrive before the recovery's answer.

    Keeping only "the newest seen" threw the whole gap away behind the first live
    record; by identity, every missed record is delivered once, and only the copies of
    the live ones are dropped (each with a debug line naming its ID).
    """
    caplog.set_level("DEBUG", logger="custom_components.face_terminal")
    config_entry.add_to_hass(hass)
    stored_mark(hass_storage, config_entry, seconds_ago=120)
    await setup_entry(hass, config_entry)
    recognitions = async_capture_events(hass, EVENT_RECOGNITION)
    live = payloads.rec_push(record_id="610", time=terminal_time(1))
    fire(hass, payloads.REC_TOPIC, live)
    await hass.async_block_till_done()
    # The terminal's answer to ManualPushRecords: the gap, and the live record again.
    for record_id, seconds_ago in (("601", 100), ("602", 90), ("610", 1)):
        fire(
            hass,
            payloads.REC_TOPIC,
            payloads.rec_push(
                record_id=record_id, time=terminal_time(seconds_ago), extra={"PushType": "2"}
            ),
        )
    await hass.async_block_till_done()
    delivered = [(e.data["record_id"], e.data["replay"]) for e in recognitions]
    assert delivered == [("610", False), ("601", True), ("602", True)]
    assert "dropped record 610" in caplog.text


async def test_delivered_records_are_stored_without_waiting_for_a_stop(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
) -> None:
    """A kill -9 keeps what was delivered: written at once, not on a debounce or at stop."""
    when = terminal_time(5)
    for record_id in ("900", "901"):
        fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id=record_id, time=when))
        await hass.async_block_till_done()
    fire(hass, payloads.QR_TOPIC, payloads.qr_push())  # no identity: nothing to store
    await hass.async_block_till_done(wait_background_tasks=True)
    stored = hass_storage[storage_key(loaded_entry.entry_id)]
    assert stored["version"] == 2
    assert stored["data"]["delivered"]["records"] == [
        ["900", when.replace(" ", "T")],
        ["901", when.replace(" ", "T")],
    ]
    assert stored["data"]["delivered"]["snaps"] == []
    # Nothing was seen before this start, so nothing was asked for.
    assert manual_pushes(terminal) == []
    journal = loaded_entry.runtime_data.journal
    assert not journal.dirty
    assert journal.counters["saves"] >= 1


async def test_push_ack_waits_for_the_write(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
) -> None:
    """The terminal deletes what it gets a PushAck for: only once the record is stored."""
    key = storage_key(loaded_entry.entry_id)
    stored_when_acked: list[bool] = []

    def on_push_ack(command: dict[str, Any]) -> None:
        records = hass_storage.get(key, {}).get("data", {}).get("delivered", {}).get("records")
        stored_when_acked.append(
            any(pair[0] == command["info"]["SnapOrRecordID"] for pair in records or [])
        )

    terminal.replies["PushAck"] = on_push_ack
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="920", time=terminal_time(1)))
    await hass.async_block_till_done()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert stored_when_acked == [True]


class FakeRecorder:
    """Stands in for the recorder: commits when the test says so."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.futures: list[Any] = []

    def async_get_commit_future(self) -> Any:
        future = self.hass.loop.create_future()
        self.futures.append(future)
        return future

    def commit(self) -> None:
        for future in self.futures:
            if not future.done():
                future.set_result(None)


async def test_push_ack_waits_for_the_recorder(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """After a kill -9 the recorder loses what it had not committed: ack only after."""
    recorder = FakeRecorder(hass)
    hass.data[DATA_INSTANCE] = recorder  # type: ignore[assignment]
    try:
        fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="930", time=terminal_time(1)))
        for _ in range(20):
            await asyncio.sleep(0.02)
            if recorder.futures:
                break
        assert recorder.futures
        assert "PushAck" not in terminal.operators()
        recorder.commit()
        await hass.async_block_till_done(wait_background_tasks=True)
        assert terminal.operators().count("PushAck") == 1
    finally:
        del hass.data[DATA_INSTANCE]


async def test_stuck_recorder_holds_the_acks_back(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """No commit in time: no PushAck (the terminal re-sends; the copy is acked later)."""
    hass.data[DATA_INSTANCE] = FakeRecorder(hass)  # type: ignore[assignment]
    try:
        with patch("custom_components.face_terminal.delivery.RECORDER_WAIT", 0.05):
            fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="931"))
            await hass.async_block_till_done(wait_background_tasks=True)
    finally:
        del hass.data[DATA_INSTANCE]
    assert "PushAck" not in terminal.operators()
    assert loaded_entry.runtime_data.journal.counters["acks_held_back"] == 1
    # The copy the terminal re-sends is dropped, and acknowledged this time.
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="931"))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert terminal.operators().count("PushAck") == 1
    assert loaded_entry.runtime_data.drops["already_delivered"] == 1


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


async def test_refusal_raises_a_repair_naming_the_period(  # noqa: PLR0917 - fixtures
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    issue_registry: ir.IssueRegistry,
) -> None:
    config_entry.add_to_hass(hass)
    since = stored_mark(hass_storage, config_entry)
    terminal.replies["ManualPushRecords"] = lambda c: payloads.ack(
        "ManualPushRecords", c["messageId"], code="464", result="fail"
    )
    await setup_entry(hass, config_entry)
    await hass.async_block_till_done()
    assert [c["operator"] for c in manual_pushes(terminal)] == ["ManualPushRecords"]
    runtime = config_entry.runtime_data
    assert runtime.recovery.last_run == {"records": None}
    assert "refused to re-send the records of" in caplog.text
    issue = issue_registry.async_get_issue(DOMAIN, gap_issue_id(config_entry.entry_id))
    assert issue is not None
    assert issue.translation_key == "records_gap"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["start"] == since.replace("T", " ")
    assert issue.translation_placeholders["name"] == "Front door"
    assert issue.translation_placeholders["reason"]
    # The gap stays open and is asked again when the terminal comes back; then it is
    # filled and the repair goes away.
    assert runtime.recovery.gaps
    terminal.replies.pop("ManualPushRecords")
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    fire(hass, payloads.HEARTBEAT_TOPIC, payloads.heartbeat(time=terminal_time(0)))
    await hass.async_block_till_done()
    records = [c for c in manual_pushes(terminal) if c["operator"] == "ManualPushRecords"]
    assert len(records) == 2
    assert records[1]["info"]["TimeS"] == since  # the same gap, not a new one
    assert not runtime.recovery.gaps
    assert issue_registry.async_get_issue(DOMAIN, gap_issue_id(config_entry.entry_id)) is None


async def test_terminal_that_never_answers_gets_a_repair(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Old firmware without the command: the gap is reported, not silently lost."""
    config_entry.add_to_hass(hass)
    stored_mark(hass_storage, config_entry)
    terminal.replies["ManualPushRecords"] = lambda _command: None
    with answer_within("ManualPushRecords", 0.05), answer_within("ManualPushSnaps", 0.05):
        await setup_entry(hass, config_entry)
        # Gone and back while the first attempt still waits: no second attempt alongside.
        fire(hass, payloads.BASIC_TOPIC, payloads.offline())
        fire(hass, payloads.HEARTBEAT_TOPIC, payloads.heartbeat(time=terminal_time(0)))
        for _ in range(50):
            await asyncio.sleep(0.02)
            if issue_registry.async_get_issue(DOMAIN, gap_issue_id(config_entry.entry_id)):
                break
    issue = issue_registry.async_get_issue(DOMAIN, gap_issue_id(config_entry.entry_id))
    assert issue is not None
    assert issue.translation_key == "records_gap_unanswered"
    await hass.async_block_till_done(wait_background_tasks=True)
    # One attempt at a time: the reconnection while it waited ran once after it.
    assert (
        1 <= len([c for c in manual_pushes(terminal) if c["operator"] == "ManualPushRecords"]) <= 2
    )


async def test_online_announcement_opens_and_fills_a_gap(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """``Online`` means the terminal reconnected to the broker: it may have missed us."""
    when = terminal_time(5)
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="940", time=when))
    await hass.async_block_till_done()
    fire(hass, payloads.BASIC_TOPIC, payloads.online(time=terminal_time(0)))
    await hass.async_block_till_done()
    pushes = manual_pushes(terminal)
    assert [c["operator"] for c in pushes] == ["ManualPushRecords"]
    assert pushes[0]["info"]["TimeS"] == when.replace(" ", "T")


async def test_home_assistants_own_mqtt_outage_opens_a_gap(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """Home Assistant's broker connection dropped: recovered once it re-subscribed."""
    fire(hass, payloads.REC_TOPIC, payloads.rec_push(record_id="950", time=terminal_time(5)))
    await hass.async_block_till_done()
    runtime = loaded_entry.runtime_data
    runtime._async_mqtt_connection(False)
    assert runtime.recovery.gaps
    runtime._async_mqtt_connection(True)
    runtime._async_start_probe()
    await hass.async_block_till_done()
    assert [c["operator"] for c in manual_pushes(terminal)] == ["ManualPushRecords"]
    assert not runtime.recovery.gaps


async def test_open_gaps_survive_a_restart(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
) -> None:
    """A gap not filled before Home Assistant stopped is asked for after it starts."""
    config_entry.add_to_hass(hass)
    key = storage_key(config_entry.entry_id)
    start = terminal_time(7200).replace(" ", "T")
    hass_storage[key] = {
        "version": 2,
        "minor_version": 1,
        "key": key,
        "data": {
            "delivered": {"records": [["1", terminal_time(60).replace(" ", "T")]], "snaps": []},
            "gaps": {"2": start},
        },
    }
    await setup_entry(hass, config_entry)
    await hass.async_block_till_done()
    pushes = manual_pushes(terminal)
    assert [c["operator"] for c in pushes] == ["ManualPushRecords"]
    assert pushes[0]["info"]["TimeS"] == start


async def test_the_last_round_runs_when_home_assistant_stops(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    loaded_entry: MockConfigEntry,
) -> None:
    """Home Assistant cancels background tasks as it stops: the stop itself stores."""
    runtime = loaded_entry.runtime_data
    journal = runtime.journal
    runtime.session.delivered.add((PUSH_ACK_RECORD, "990"), None)
    assert journal.dirty
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert not journal.dirty
    stored = hass_storage[storage_key(loaded_entry.entry_id)]["data"]["delivered"]["records"]
    assert ["990", None] in stored
