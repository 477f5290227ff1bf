"""The terminal runtime: presence, records, acknowledgements and the command engine."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.components.mqtt.const import MQTT_CONNECTION_STATE, MQTT_PROCESSED_SUBSCRIPTIONS
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.dispatcher import DATA_DISPATCHER, async_dispatcher_send
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
    async_fire_time_changed,
)

from custom_components.face_terminal import protocol
from custom_components.face_terminal.clock import clock_issue_id
from custom_components.face_terminal.const import (
    CONF_ACKNOWLEDGE_RECORDS,
    CONF_OFFLINE_TIMEOUT,
    CONF_UNLOCK_MESSAGE,
    DEFAULT_OFFLINE_TIMEOUT,
    DOMAIN,
    EVENT_RECOGNITION,
    EVENT_SCAN,
    EVENT_STRANGER,
    LARGE_COMMAND_BYTES,
)
from custom_components.face_terminal.errors import TerminalCommandError
from custom_components.face_terminal.protocol import COMMAND_TIMEOUT, normalise_terminal_id
from custom_components.face_terminal.sender import command_qos

from . import payloads
from .conftest import TerminalResponder, fire, settle_probe, setup_entry
from .payloads import (
    ACK_TOPIC,
    BASIC_TOPIC,
    CARD_TOPIC,
    COMMAND_TOPIC,
    HEARTBEAT_TOPIC,
    IDCARD_TOPIC,
    QR_TOPIC,
    REC_TOPIC,
    SNAP_TOPIC,
    TERMINAL_ID,
)

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.helpers import device_registry as dr
    from homeassistant.helpers import issue_registry as ir

    from custom_components.face_terminal.coordinator import FaceTerminal
    from custom_components.face_terminal.events import TerminalRecord

LOGGER_NAME = "custom_components.face_terminal"


def runtime_of(entry: MockConfigEntry) -> FaceTerminal:
    """The entry's runtime, typed."""
    runtime: FaceTerminal = entry.runtime_data
    return runtime


def our_logs(caplog: pytest.LogCaptureFixture, level: int, text: str) -> list[str]:
    """Messages of the integration's loggers at `level` that contain `text`."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(LOGGER_NAME)
        and record.levelno == level
        and text in record.getMessage()
    ]


async def setup_with_options(
    hass: HomeAssistant, entry: MockConfigEntry, options: dict[str, Any]
) -> None:
    """Set up the entry with these options."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options=options)
    await setup_entry(hass, entry)


async def deliver(hass: HomeAssistant, topic: str, payload: bytes, *, retain: bool = False) -> None:
    """Deliver a message and let everything it starts finish."""
    async_fire_mqtt_message(hass, topic, payload, retain=retain)
    await hass.async_block_till_done()


def all_events(hass: HomeAssistant) -> list[Event]:
    """Capture the three bus events of the integration."""
    events: list[Event] = []

    @callback
    def capture(event: Event) -> None:
        events.append(event)

    for event_type in (EVENT_RECOGNITION, EVENT_STRANGER, EVENT_SCAN):
        hass.bus.async_listen(event_type, capture)
    return events


# --- presence -----------------------------------------------------------------------


async def test_any_message_marks_online(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """A terminal that does not answer the probe is offline until it sends anything."""
    terminal.silent = True
    await setup_entry(hass, config_entry)
    runtime = runtime_of(config_entry)
    changes: list[bool] = []
    remove = runtime.async_add_presence_listener(lambda: changes.append(runtime.state.online))
    assert not runtime.state.online

    await deliver(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
    assert runtime.state.online
    assert runtime.state.last_seen is not None
    assert changes == [True]

    remove()
    await deliver(hass, BASIC_TOPIC, payloads.offline())
    assert not runtime.state.online
    assert changes == [True]
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_unhandled_message_on_its_topic_marks_online(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """Issue 9 item 8: a push nothing handles still says the terminal is there."""
    terminal.silent = True
    await setup_entry(hass, config_entry)
    runtime = runtime_of(config_entry)
    assert not runtime.state.online
    alarm = payloads.dump(
        {"operator": "SomeNewPush", "info": {"facesluiceId": TERMINAL_ID, "AlarmType": 1}}
    )
    await deliver(hass, f"{COMMAND_TOPIC}/Alarm", alarm)
    assert runtime.state.online
    assert runtime.state.last_seen is not None
    assert runtime.counters["unhandled"] == 1
    await hass.config_entries.async_unload(config_entry.entry_id)


@pytest.mark.parametrize("topic", [SNAP_TOPIC, ACK_TOPIC, BASIC_TOPIC])
async def test_record_on_a_foreign_kind_of_topic_is_no_recognition(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry, topic: str
) -> None:
    """Issue 9 item 2: a RecPush counts only on the record topic; elsewhere it is dropped."""
    terminal.silent = True
    await setup_entry(hass, config_entry)
    runtime = runtime_of(config_entry)
    events = all_events(hass)
    await deliver(hass, topic, payloads.rec_push())
    assert not events
    assert "PushAck" not in terminal.operators()
    assert runtime.drops["wrong_topic"] == 1
    assert not runtime.state.online
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_offline_after_silence(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    loaded_entry: MockConfigEntry,
) -> None:
    """No message for the offline timeout: offline, logged once; back online logged once."""
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    runtime = runtime_of(loaded_entry)
    assert runtime.state.online

    # A message in between postpones the deadline.
    freezer.tick(timedelta(seconds=DEFAULT_OFFLINE_TIMEOUT - 50))
    await deliver(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
    freezer.tick(timedelta(seconds=60))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert runtime.state.online

    for _ in range(4):  # several checks while silent: still one log line
        freezer.tick(timedelta(seconds=DEFAULT_OFFLINE_TIMEOUT))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert not runtime.state.online
    offline_lines = our_logs(caplog, logging.INFO, "is offline")
    assert len(offline_lines) == 1
    assert f"no message for {DEFAULT_OFFLINE_TIMEOUT} s" in offline_lines[0]

    caplog.clear()
    await deliver(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
    await deliver(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
    assert runtime.state.online
    assert len(our_logs(caplog, logging.INFO, "is online")) == 1
    assert not our_logs(caplog, logging.INFO, "is offline")


async def test_offline_timeout_option(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
) -> None:
    """The offline timeout comes from the options."""
    await setup_with_options(hass, config_entry, {CONF_OFFLINE_TIMEOUT: 30})
    runtime = runtime_of(config_entry)
    assert runtime.offline_timeout == 30
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert not runtime.state.online


async def test_offline_message(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture, loaded_entry: MockConfigEntry
) -> None:
    """A live `Offline` takes the terminal offline at once."""
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    runtime = runtime_of(loaded_entry)
    await deliver(hass, BASIC_TOPIC, payloads.offline())
    assert not runtime.state.online
    assert our_logs(caplog, logging.INFO, "it sent its offline notice")

    # Another terminal's Offline is not ours.
    await deliver(hass, HEARTBEAT_TOPIC, payloads.heartbeat())
    await deliver(hass, BASIC_TOPIC, payloads.offline("7654321"))
    await deliver(hass, BASIC_TOPIC, payloads.offline("13054331"))  # contains our ID
    assert runtime.state.online


async def test_retained_offline_while_online_is_ignored(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A retained will is older than what we heard since subscribing."""
    runtime = runtime_of(loaded_entry)
    await deliver(hass, BASIC_TOPIC, payloads.offline(), retain=True)
    assert runtime.state.online


async def test_online_is_acknowledged(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """`Online` gets an `Online-Ack` on the command topic, result ok, with our ID."""
    await deliver(hass, BASIC_TOPIC, payloads.online())
    ack = terminal.last("Online-Ack")
    assert ack["info"]["facesluiceId"] == TERMINAL_ID
    assert ack["info"]["result"] == "ok"
    assert ack["messageId"]

    # Another terminal's Online is not answered, even when its ID contains ours.
    count = terminal.operators().count("Online-Ack")
    await deliver(hass, BASIC_TOPIC, payloads.online("7654321"))
    await deliver(hass, BASIC_TOPIC, payloads.online("13054330"))
    assert terminal.operators().count("Online-Ack") == count


async def test_online_with_cloud_client_id(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """`GroupID@@@DeviceID` client IDs name our terminal too."""
    await deliver(hass, BASIC_TOPIC, payloads.online(f"GID_face@@@{TERMINAL_ID}"))
    assert terminal.last("Online-Ack")["info"]["facesluiceId"] == TERMINAL_ID


async def test_online_never_moves_the_stored_ip(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry, loaded_entry: MockConfigEntry
) -> None:
    """A fake `Online` cannot move the stored IP or the device's "Visit" link (issue 9.6)."""
    runtime = runtime_of(loaded_entry)
    await deliver(hass, BASIC_TOPIC, payloads.online(ip="192.168.1.50"))
    assert runtime.counters["ip_changes_ignored"] == 0

    await deliver(hass, BASIC_TOPIC, payloads.online(ip="10.0.0.9"))
    assert loaded_entry.data["ip"] == "192.168.1.50"
    assert runtime.state.ip == "192.168.1.50"
    assert runtime.state.reported_ip == "10.0.0.9"
    assert runtime.counters["ip_changes_ignored"] == 1
    device = device_registry.async_get(runtime.device_id)
    assert device is not None
    assert device.configuration_url == "http://192.168.1.50"
    # Not an address at all: not even reported.
    for junk in ("http://evil.example/login", "127.0.0.1", "0.0.0.0", "1" * 5000):
        await deliver(hass, BASIC_TOPIC, payloads.online(ip=junk))
        assert runtime.state.reported_ip == "10.0.0.9"
    device = device_registry.async_get(runtime.device_id)
    assert device is not None
    assert device.configuration_url == "http://192.168.1.50"


async def test_online_fills_a_missing_ip_once(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
) -> None:
    """Trust on first use: an entry without IP takes the first reported one, then keeps it."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, data={**config_entry.data, "ip": None})
    await setup_entry(hass, config_entry)
    runtime = runtime_of(config_entry)
    await deliver(hass, BASIC_TOPIC, payloads.online(ip="192.168.1.77"))
    assert config_entry.data["ip"] == "192.168.1.77"
    device = device_registry.async_get(runtime.device_id)
    assert device is not None
    assert device.configuration_url == "http://192.168.1.77"
    await deliver(hass, BASIC_TOPIC, payloads.online(ip="10.6.6.6"))
    assert config_entry.data["ip"] == "192.168.1.77"


async def test_online_name_fills_missing_name(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """The terminal's own name is used when the entry has none."""
    data = {key: value for key, value in config_entry.data.items() if key != "name"}
    entry = MockConfigEntry(domain=DOMAIN, title="T", unique_id=TERMINAL_ID, data=data)
    await setup_entry(hass, entry)
    runtime = runtime_of(entry)
    assert runtime.state.name is None
    await deliver(hass, BASIC_TOPIC, payloads.online(name="Gate"))
    assert runtime.state.name == "Gate"
    await deliver(hass, BASIC_TOPIC, payloads.online(name="Other"))
    assert runtime.state.name == "Gate"


# --- records --------------------------------------------------------------------------


async def test_push_ack_and_commands_are_published_with_qos_0(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    loaded_entry: MockConfigEntry,
    mqtt_client_mock: Any,
) -> None:
    """PushAck and the commands that wait for an answer go out with QoS 0.

    A QoS-1 message makes the broker answer with a small PUBACK that Home Assistant
    acknowledges only after the delayed-ACK timer, and the broker holds the next
    record, or the terminal's answer to the command, behind it (docs/benchmarks.md).
    """
    await deliver(hass, REC_TOPIC, payloads.rec_push(record_id="382"))
    qos_by_operator = {
        json.loads(call.args[1])["operator"]: call.args[2]
        for call in mqtt_client_mock.publish.call_args_list
        if call.args[0] == COMMAND_TOPIC
    }
    assert qos_by_operator["PushAck"] == 0
    assert qos_by_operator["Versions"] == 0


def test_a_photo_goes_at_qos_1_so_the_door_is_not_held_behind_it() -> None:
    """A command as large as a photo goes at QoS 1, the small ones (the door's) at 0.

    At QoS 0 the photo's last segment waits for the broker's delayed ACK and Home
    Assistant's Nagle algorithm holds the next command behind it; the broker's PUBACK
    to a QoS-1 publish acknowledges it at once (docs/benchmarks.md, unlock-lane).
    """
    photo = payloads.jpeg(640, 800)
    assert len(photo) >= LARGE_COMMAND_BYTES // 2  # base64 makes it larger still
    person = protocol.PersonSpec(custom_id="eve-1", name="Eve", picture=photo)
    enrolment = protocol.build_edit_person(COMMAND_TOPIC, TERMINAL_ID, person)
    unlock = protocol.build_unlock(COMMAND_TOPIC, TERMINAL_ID)
    assert len(enrolment.payload) >= LARGE_COMMAND_BYTES
    assert (command_qos(enrolment), command_qos(unlock)) == (1, 0)


async def test_event_before_push_ack(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """The bus event fires first; the record's PushAck (string fields) follows at once."""
    seen_at_event: list[list[str]] = []

    @callback
    def on_event(event: Event) -> None:
        seen_at_event.append(terminal.operators())

    hass.bus.async_listen(EVENT_RECOGNITION, on_event)
    hass.bus.async_listen(EVENT_STRANGER, on_event)

    await deliver(hass, REC_TOPIC, payloads.rec_push(record_id="381"))
    assert "PushAck" not in seen_at_event[0]
    ack = terminal.last("PushAck")
    assert ack["info"]["PushAckType"] == "2"
    assert ack["info"]["SnapOrRecordID"] == "381"
    assert ack["info"]["facesluiceId"] == TERMINAL_ID

    await deliver(hass, SNAP_TOPIC, payloads.str_snap_push(snap_id="311"))
    assert terminal.operators().count("PushAck") == 2
    assert seen_at_event[1].count("PushAck") == 1
    ack = terminal.last("PushAck")
    assert ack["info"]["PushAckType"] == "1"
    assert ack["info"]["SnapOrRecordID"] == "311"
    assert runtime_of(loaded_entry).counters["acks_sent"] == 2


async def test_duplicate_record(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """A re-sent record is acknowledged again but fires no second event."""
    events = all_events(hass)
    records: list[TerminalRecord] = []
    runtime = runtime_of(loaded_entry)
    remove = runtime.async_add_record_listener(records.append)

    await deliver(hass, REC_TOPIC, payloads.rec_push(record_id="381"))
    await deliver(hass, REC_TOPIC, payloads.rec_push(record_id="381"))
    await deliver(hass, SNAP_TOPIC, payloads.str_snap_push(snap_id="381"))  # other kind

    assert terminal.operators().count("PushAck") == 3
    assert [event.event_type for event in events] == [EVENT_RECOGNITION, EVENT_STRANGER]
    assert len(records) == 2
    assert runtime.counters["duplicates"] == 1

    remove()
    await deliver(hass, REC_TOPIC, payloads.rec_push(record_id="382"))
    assert len(records) == 2


async def test_acknowledgement_off(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """With acknowledgement off, records fire events but get no `PushAck`."""
    await setup_with_options(hass, config_entry, {CONF_ACKNOWLEDGE_RECORDS: False})
    events = all_events(hass)
    await deliver(hass, REC_TOPIC, payloads.rec_push())
    await deliver(hass, REC_TOPIC, payloads.rec_push())
    assert "PushAck" not in terminal.operators()
    assert len(events) == 1


async def test_record_without_id(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """No RecordID: nothing to acknowledge or de-duplicate, the event still fires."""
    events = all_events(hass)
    await deliver(hass, REC_TOPIC, payloads.rec_push(record_id=None))
    await deliver(hass, REC_TOPIC, payloads.rec_push(record_id=None))
    await deliver(hass, SNAP_TOPIC, payloads.str_snap_push(snap_id=None))
    assert "PushAck" not in terminal.operators()
    assert len(events) == 3
    assert events[0].data["record_id"] is None


async def test_record_id_the_terminal_cannot_take_back(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """A RecordID too long for a `PushAck` is not acknowledged, but the record counts."""
    events = all_events(hass)
    await deliver(hass, REC_TOPIC, payloads.rec_push(record_id="9" * 80))
    assert "PushAck" not in terminal.operators()
    assert len(events) == 1


async def test_delivery_memory_is_bounded(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Only the most recent record IDs are remembered."""
    events = all_events(hass)
    runtime_of(loaded_entry).session.delivered.capacity = 3
    for record_id in ("1", "2", "3", "4"):
        await deliver(hass, REC_TOPIC, payloads.rec_push(record_id=record_id))
    await deliver(hass, REC_TOPIC, payloads.rec_push(record_id="4"))  # remembered
    await deliver(hass, REC_TOPIC, payloads.rec_push(record_id="1"))  # forgotten
    assert [event.data["record_id"] for event in events] == ["1", "2", "3", "4", "1"]


async def test_record_of_another_terminal_is_dropped(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    terminal: TerminalResponder,
    loaded_entry: MockConfigEntry,
) -> None:
    """A record on our topic that names another terminal is dropped, counted and logged."""
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    events = all_events(hass)
    await deliver(hass, REC_TOPIC, payloads.rec_push(terminal_id="7654321"))
    await deliver(hass, ACK_TOPIC, payloads.ack("Unlock", "m1", terminal_id="7654321"))
    assert not events
    assert "PushAck" not in terminal.operators()
    runtime = runtime_of(loaded_entry)
    assert runtime.drops["foreign_terminal"] == 2
    assert len(our_logs(caplog, logging.DEBUG, "foreign_terminal")) == 1


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"\xff\xd8\xff\xe0\x00\x10JFIF binary garbage",
        b"",
        b"[1, 2, 3]",
        b'"RecPush"',
        b'{"info": {"facesluiceId": "1305433"}}',
        b'{"operator": null, "info": {}}',
        b'{"operator": "RecPush", "info": {"RecordID": "1"',
    ],
    ids=["text", "binary", "empty", "array", "string", "no_operator", "null_operator", "cut"],
)
async def test_malformed_payloads_are_dropped(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    terminal: TerminalResponder,
    loaded_entry: MockConfigEntry,
    payload: bytes,
) -> None:
    """Anything that is not a protocol message is counted and logged, once."""
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    events = all_events(hass)
    await deliver(hass, REC_TOPIC, payload)
    await deliver(hass, REC_TOPIC, payload)
    assert not events
    assert "PushAck" not in terminal.operators()
    runtime = runtime_of(loaded_entry)
    assert runtime.drops["malformed"] == 2
    assert len(our_logs(caplog, logging.DEBUG, "malformed")) == 1
    assert runtime.state.online


async def test_drop_log_is_rate_limited_per_reason(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
) -> None:
    """After the rate-limit interval, a dropped message is logged again."""
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    await deliver(hass, REC_TOPIC, b"not json")
    await deliver(hass, ACK_TOPIC, payloads.rec_push())  # a record on the Ack topic
    freezer.tick(timedelta(seconds=61))
    await deliver(hass, REC_TOPIC, b"not json")
    assert len(our_logs(caplog, logging.DEBUG, "malformed")) == 2
    assert len(our_logs(caplog, logging.DEBUG, "wrong_topic")) == 1


async def test_own_commands_are_not_processed(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Our commands come back from the broker on the command topic: not subscribed."""
    events = all_events(hass)
    runtime = runtime_of(loaded_entry)
    messages = runtime.counters["messages"]
    await runtime.door.async_unlock()
    # The mock broker echoes every publish; a record-looking echo is ignored too.
    await deliver(hass, COMMAND_TOPIC, payloads.rec_push())
    assert not events
    # One message: the Unlock-Ack. Neither the Unlock nor the echoed record was read.
    assert runtime.counters["messages"] == messages + 1
    # A command echoed onto the Ack topic by a misconfigured bridge is not an ack, and
    # not the terminal speaking either.
    await deliver(
        hass,
        ACK_TOPIC,
        json.dumps(terminal.last("Unlock")).encode(),
    )
    assert runtime.drops["wrong_topic"] == 1
    assert runtime.counters["unhandled"] == 0


async def test_messages_of_other_terminals_on_shared_topics_are_skipped(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Presence of other terminals never reaches this runtime (the router keys by ID)."""
    runtime = runtime_of(loaded_entry)
    messages = runtime.counters["messages"]
    await deliver(hass, HEARTBEAT_TOPIC, payloads.heartbeat("7654321"))
    await deliver(hass, BASIC_TOPIC, payloads.online("7654321"))
    # An ID that contains ours is another terminal, too.
    await deliver(hass, HEARTBEAT_TOPIC, payloads.heartbeat("13054330"))
    assert runtime.counters["messages"] == messages


def _compact_rec(**info: Any) -> bytes:
    base: dict[str, Any] = {
        "operator": "RecPush",
        "info": {
            "facesluiceId": TERMINAL_ID,
            "RecordID": "500",
            "personName": "Bob",
            "customId": "bob-7",
            "personId": 7,
            "VerifyStatus": 1,
            "PersonType": 0,
            "similarity1": 91.5,
            "time": "2026-11-22 11:00:00",
        },
    }
    base["info"].update(info)
    return json.dumps(base).encode()


QUIRKS: list[tuple[str, str, bytes, str, dict[str, Any]]] = [
    (
        "pretty_crlf",
        REC_TOPIC,
        payloads.rec_push(pretty=True),
        EVENT_RECOGNITION,
        {"person_name": "Alice", "record_id": "381", "access": "access_granted"},
    ),
    (
        "personName_ints",
        REC_TOPIC,
        _compact_rec(),
        EVENT_RECOGNITION,
        {"person_name": "Bob", "person_id": "7", "similarity": 91.5, "record_id": "500"},
    ),
    (
        "record_id_int",
        REC_TOPIC,
        _compact_rec(RecordID=501),
        EVENT_RECOGNITION,
        {"record_id": "501"},
    ),
    (
        "facesluiceId_top_level",
        REC_TOPIC,
        json.dumps(
            {
                "operator": "RecPush",
                "facesluiceId": TERMINAL_ID,
                "info": {"RecordID": "502", "persionName": "Carol", "VerifyStatus": "2"},
            }
        ).encode(),
        EVENT_RECOGNITION,
        {"person_name": "Carol", "access": "access_denied"},
    ),
    (
        "cloud_client_id",
        REC_TOPIC,
        _compact_rec(facesluiceId=f"GID_face@@@{TERMINAL_ID}"),
        EVENT_RECOGNITION,
        {"terminal_id": TERMINAL_ID},
    ),
    (
        "lower_case_rec_topic",
        f"{COMMAND_TOPIC}/rec",
        payloads.rec_push(record_id="503"),
        EVENT_RECOGNITION,
        {"record_id": "503"},
    ),
    (
        "no_pic_time_or_message_id",
        REC_TOPIC,
        json.dumps(
            {
                "operator": "RecPush",
                "info": {"facesluiceId": TERMINAL_ID, "RecordID": "504", "personId": "41"},
            }
        ).encode(),
        EVENT_RECOGNITION,
        {"record_id": "504", "access": "access_granted", "person_id": "41"},
    ),
    (
        "blacklisted_without_status",
        REC_TOPIC,
        _compact_rec(VerifyStatus=0, PersonType=1),
        EVENT_RECOGNITION,
        {"access": "access_denied", "blacklisted": True},
    ),
    (
        "stranger",
        SNAP_TOPIC,
        payloads.str_snap_push(),
        EVENT_STRANGER,
        {"record_id": "311", "temperature": 36.8},
    ),
    ("qr_code", QR_TOPIC, payloads.qr_push(), EVENT_SCAN, {"scan_type": "qr_code"}),
    (
        "card",
        CARD_TOPIC,
        payloads.card_push(),
        EVENT_SCAN,
        {"scan_type": "card", "card_number": "519f7d29"},
    ),
    (
        "id_card",
        IDCARD_TOPIC,
        payloads.id_card_push(),
        EVENT_SCAN,
        {"scan_type": "id_card", "person_name": "张三", "id_last4": "8515"},
    ),
    (
        "id_card_topic_variant",
        f"{COMMAND_TOPIC}/IDCard",
        payloads.id_card_push(),
        EVENT_SCAN,
        {"scan_type": "id_card", "id_last4": "8515"},
    ),
    (
        "card_topic_variant",
        f"{COMMAND_TOPIC}/Card",
        payloads.card_push("00AB"),
        EVENT_SCAN,
        {"card_number": "00AB"},
    ),
]


@pytest.mark.parametrize(
    ("topic", "payload", "event_type", "expected"),
    [quirk[1:] for quirk in QUIRKS],
    ids=[quirk[0] for quirk in QUIRKS],
)
async def test_real_world_payloads_fire_events(
    hass: HomeAssistant,
    *,
    loaded_entry: MockConfigEntry,
    topic: str,
    payload: bytes,
    event_type: str,
    expected: dict[str, Any],
) -> None:
    """Payloads as real firmware and platforms send them end up as clean events."""
    events = all_events(hass)
    await deliver(hass, topic, payload)
    assert [event.event_type for event in events] == [event_type]
    data = events[0].data
    assert data["device_id"] == runtime_of(loaded_entry).device_id
    assert data["terminal_id"] == TERMINAL_ID
    for key, value in expected.items():
        assert data[key] == value, key
    # Every event's data can be stored by the recorder.
    json.dumps(data)


async def test_records_update_state(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """The last recognition, face and temperature are kept for the entities."""
    runtime = runtime_of(loaded_entry)
    face = payloads.jpeg()
    await deliver(hass, REC_TOPIC, payloads.rec_push(pic=face))
    state = runtime.state
    assert state.last_recognition is not None
    assert state.last_recognition.person_name == "Alice"
    assert state.last_face is not None
    assert state.last_face.data == face
    assert state.last_temperature == 36.53
    for index in range(12):
        await deliver(hass, QR_TOPIC, payloads.qr_push(code=f"code-{index}"))
    assert len(state.last_records) == 10
    assert state.last_records[0]["type"] == "qr_code"


# --- command engine -------------------------------------------------------------------


async def test_command_ack_by_message_id(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """A command resolves with the ack carrying its messageId; others are ignored."""
    runtime = runtime_of(loaded_entry)

    def two_acks(command: dict[str, Any]) -> bytes:
        # An unrelated ack first, then ours twice (QoS 1 may deliver twice).
        async_fire_mqtt_message(hass, ACK_TOPIC, payloads.ack("Unlock", "someone-else"))
        async_fire_mqtt_message(hass, ACK_TOPIC, payloads.ack("Unlock", command["messageId"]))
        return payloads.ack("Unlock", command["messageId"])

    terminal.replies["Unlock"] = two_acks
    unmatched = runtime.counters["unmatched_acks"]
    await runtime.door.async_unlock("Welcome")
    await hass.async_block_till_done()
    assert terminal.last("Unlock")["info"]["showInfo"] == "Welcome"
    assert runtime.counters["unmatched_acks"] == unmatched + 2


async def test_unlock_uses_configured_message(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """Without a message, the option's text is shown (or nothing)."""
    await setup_with_options(hass, config_entry, {CONF_UNLOCK_MESSAGE: "Hi"})
    runtime = runtime_of(config_entry)
    await runtime.door.async_unlock()
    assert terminal.last("Unlock")["info"]["showInfo"] == "Hi"
    assert runtime.door.unlock_message == "Hi"
    assert runtime.door.hold_time == 5


async def test_command_timeout(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """No ack: a translated timeout error; a late ack afterwards is harmless."""
    runtime = runtime_of(loaded_entry)
    terminal.silent = True
    command = protocol.build_unlock(COMMAND_TOPIC, TERMINAL_ID)
    with pytest.raises(HomeAssistantError) as err:
        await runtime.async_request(command, timeout=0.01)
    assert err.value.translation_key == "command_timeout"
    assert err.value.translation_placeholders == {
        "command": "Unlock",
        "name": "Front door",
        "seconds": "0",
    }
    await deliver(hass, ACK_TOPIC, payloads.ack("Unlock", command.message_id))
    assert not runtime.session.pending
    assert runtime.counters["commands_timed_out"] == 1


async def test_command_failure(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """A failure ack raises an error that names what the code means."""
    runtime = runtime_of(loaded_entry)
    terminal.replies["Unlock"] = lambda cmd: payloads.ack(
        "Unlock", cmd["messageId"], code=464, result="fail"
    )
    with pytest.raises(TerminalCommandError) as err:
        await runtime.door.async_unlock()
    assert err.value.translation_key == "command_failed"
    assert err.value.ack.code == 464
    reason = err.value.translation_placeholders["reason"]
    assert "464" in reason
    assert reason == protocol.describe_ack_error(err.value.ack)
    assert runtime.counters["commands_failed"] == 1


@pytest.mark.parametrize("code", ["200", 200, None])
async def test_command_success_codes(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    loaded_entry: MockConfigEntry,
    code: str | int | None,
) -> None:
    """`code` 200 as text or number, or only `result` ok, all mean success."""
    terminal.replies["Unlock"] = lambda cmd: payloads.ack("Unlock", cmd["messageId"], code=code)
    await runtime_of(loaded_entry).door.async_unlock()


async def test_command_while_offline(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """An offline terminal gets no command: a translated error at once."""
    runtime = runtime_of(loaded_entry)
    await deliver(hass, BASIC_TOPIC, payloads.offline())
    count = len(terminal.commands)
    with pytest.raises(HomeAssistantError) as err:
        await runtime.door.async_unlock()
    assert err.value.translation_key == "terminal_offline"
    assert len(terminal.commands) == count


async def test_commands_of_one_lane_are_serialised(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """A second command of a lane waits for the first one's ack; other lanes do not."""
    runtime = runtime_of(loaded_entry)
    terminal.replies["Versions"] = lambda cmd: None
    versions_before = terminal.operators().count("Versions")
    first = hass.async_create_task(
        runtime.async_request(protocol.build_versions(COMMAND_TOPIC, TERMINAL_ID))
    )
    second = hass.async_create_task(
        runtime.async_request(protocol.build_get_sys_time(COMMAND_TOPIC, TERMINAL_ID))
    )
    for _ in range(5):
        await asyncio.sleep(0)
    assert terminal.operators()[-1] == "Versions"
    assert "GetSysTime" not in terminal.operators()
    # The door lane does not wait for the query lane.
    await runtime.door.async_unlock()
    assert terminal.operators()[-1] == "Unlock"
    assert not first.done()

    fire(hass, ACK_TOPIC, payloads.ack("Versions", terminal.last("Versions")["messageId"]))
    assert isinstance(await first, protocol.VersionsAck)
    await second
    assert terminal.operators().count("Versions") == versions_before + 1
    assert terminal.operators()[-1] == "GetSysTime"


async def test_unlock_is_not_blocked_behind_an_enrolment(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Issue 10: an unanswered enrolment does not hold the door back.

    The Unlock is published and answered while the EditPerson still waits for its ack;
    the enrolment's ack is only sent afterwards.
    """
    runtime = runtime_of(loaded_entry)
    terminal.replies["EditPerson"] = lambda cmd: None
    alice = protocol.PersonSpec(custom_id="alice-01", name="Alice", picture=payloads.jpeg())
    enrolment = hass.async_create_task(runtime.async_request(protocol.EnrolPerson(alice)))
    for _ in range(5):
        await asyncio.sleep(0)
    assert terminal.operators()[-1] == "EditPerson"

    await runtime.door.async_unlock()
    assert terminal.operators()[-2:] == ["EditPerson", "Unlock"]
    assert not enrolment.done()

    fire(hass, ACK_TOPIC, payloads.ack("EditPerson", terminal.last("EditPerson")["messageId"]))
    assert isinstance(await enrolment, protocol.EditPersonAck)


async def test_timeout_covers_the_wait_in_the_lane(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    terminal: TerminalResponder,
    loaded_entry: MockConfigEntry,
) -> None:
    """A command queued behind an unanswered one times out on its own deadline, unsent."""
    runtime = runtime_of(loaded_entry)
    terminal.silent = True
    first = hass.async_create_task(runtime.async_request(protocol.DeletePerson("alice-01")))
    second = hass.async_create_task(runtime.async_request(protocol.DeletePerson("bob-02")))
    for _ in range(5):
        await asyncio.sleep(0)
    freezer.tick(timedelta(seconds=COMMAND_TIMEOUT + 1))
    async_fire_time_changed(hass)
    for task in (first, second):
        with pytest.raises(HomeAssistantError) as err:
            await task
        assert err.value.translation_key == "command_timeout"
    deleted = [c["info"]["customId"] for c in terminal.commands if c["operator"] == "DelPerson"]
    assert deleted == ["alice-01"]
    assert not runtime.session.pending


async def test_enrolments_are_spaced(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Enrolments wait for the spacing the terminal needs; other commands do not."""
    runtime = runtime_of(loaded_entry)
    session = runtime.session
    session.spacing = 5.0
    sends: list[tuple[str, float]] = []
    real_ready = session.ready

    def ready(now: float) -> list[protocol.Request]:
        requests = real_ready(now)
        sends.extend((request.command.operator, now) for request in requests)
        return requests

    alice = protocol.PersonSpec(custom_id="alice-01", name="Alice", picture=payloads.jpeg())
    bob = protocol.PersonSpec(custom_id="bob-02", name="Bob", picture=payloads.jpeg())
    with patch.object(session, "ready", ready):
        first = await runtime.async_request(protocol.EnrolPerson(alice))
        second_task = hass.async_create_task(runtime.async_request(protocol.EnrolPerson(bob)))
        await runtime.door.async_unlock()  # another lane, not spaced: goes at once
        assert [operator for operator, _ in sends] == ["EditPerson", "Unlock"]
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
        second = await second_task
    assert [operator for operator, _ in sends] == ["EditPerson", "Unlock", "EditPerson"]
    assert sends[2][1] - sends[0][1] >= 5.0  # session clock: bob went 5 s after alice ended
    assert isinstance(first, protocol.EditPersonAck)
    assert isinstance(second, protocol.EditPersonAck)
    enrolled = [c["info"]["customId"] for c in terminal.commands if c["operator"] == "EditPerson"]
    assert enrolled == ["alice-01", "bob-02"]


async def test_scene_snapshot(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Scene pictures are fetched once for concurrent callers and cached briefly."""
    runtime = runtime_of(loaded_entry)
    picture = payloads.jpeg(320, 240)
    terminal.replies["GetSceneSnap"] = lambda cmd: payloads.ack(
        "GetSceneSnap", cmd["messageId"], ImgData=payloads.data_uri(picture)
    )
    assert runtime.scene.last is None
    results = await asyncio.gather(runtime.scene.async_snapshot(), runtime.scene.async_snapshot())
    assert results == [picture, picture]
    assert await runtime.scene.async_snapshot() == picture
    assert terminal.operators().count("GetSceneSnap") == 1
    assert runtime.scene.last == picture


async def test_scene_snapshot_without_picture(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """An ack without a usable picture is an error."""
    with pytest.raises(HomeAssistantError) as err:
        await runtime_of(loaded_entry).scene.async_snapshot()
    assert err.value.translation_key == "no_scene_image"


async def test_failed_probe_is_logged(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
) -> None:
    """A terminal refusing the version query is only logged at debug level."""
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    terminal.replies["Versions"] = lambda cmd: payloads.ack(
        "Versions", cmd["messageId"], code=461, result="fail"
    )
    await setup_entry(hass, config_entry)
    await hass.async_block_till_done(wait_background_tasks=True)
    runtime = runtime_of(config_entry)
    assert runtime.state.firmware is None
    assert our_logs(caplog, logging.DEBUG, "did not answer the version query")


async def test_publish_failure_is_logged(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture, loaded_entry: MockConfigEntry
) -> None:
    """A `PushAck` that cannot be published is logged; the record still fires."""
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    events = all_events(hass)
    with patch(
        "custom_components.face_terminal.sender.mqtt.async_publish",
        side_effect=HomeAssistantError("not connected"),
    ):
        await deliver(hass, REC_TOPIC, payloads.rec_push())
    assert len(events) == 1
    assert our_logs(caplog, logging.DEBUG, "Could not publish")


async def test_unload_cancels_pending_commands(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Unloading ends waiting commands instead of leaving them to time out."""
    runtime = runtime_of(loaded_entry)
    terminal.replies["Unlock"] = lambda cmd: None
    task = hass.async_create_task(runtime.door.async_unlock())
    for _ in range(5):
        await asyncio.sleep(0)
    assert runtime.session.pending
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "terminal_unloaded"
    assert not runtime.session.pending


async def test_unload_fails_queued_callers_and_publishes_nothing_after(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Callers still queued in a lane get the unloaded error; nothing is sent after unload."""
    runtime = runtime_of(loaded_entry)
    terminal.silent = True
    tasks = [
        hass.async_create_task(runtime.async_request(protocol.DeletePerson(custom_id)))
        for custom_id in ("alice-01", "bob-02", "carol-03")
    ]
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(runtime.session.pending) == 3
    sent = len(terminal.commands)
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    for task in tasks:
        with pytest.raises(HomeAssistantError) as err:
            await task
        assert err.value.translation_key == "terminal_unloaded"
    await hass.async_block_till_done()
    assert len(terminal.commands) == sent
    # A caller that arrives after the unload is refused at once, unsent.
    runtime.state.online = True
    with pytest.raises(HomeAssistantError) as err:
        await runtime.door.async_unlock()
    assert err.value.translation_key == "terminal_unloaded"
    assert len(terminal.commands) == sent


async def test_unload_right_after_the_ack(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """An ack that arrived just before the unload still completes its command."""
    runtime = runtime_of(loaded_entry)
    terminal.replies["Unlock"] = lambda cmd: None
    task = hass.async_create_task(runtime.door.async_unlock())
    for _ in range(5):
        await asyncio.sleep(0)
    async_fire_mqtt_message(
        hass, ACK_TOPIC, payloads.ack("Unlock", terminal.last("Unlock")["messageId"])
    )
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    await task


async def test_never_heard_terminal_stays_offline_quietly(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
) -> None:
    """A terminal never heard from is offline from the start; the checks log nothing."""
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    terminal.silent = True
    await setup_entry(hass, config_entry)
    runtime = runtime_of(config_entry)
    for _ in range(2):
        freezer.tick(timedelta(seconds=DEFAULT_OFFLINE_TIMEOUT + 1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert not runtime.state.online
    assert not our_logs(caplog, logging.INFO, "Terminal")
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_versions_ack_without_version(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_registry: dr.DeviceRegistry,
    config_entry: MockConfigEntry,
) -> None:
    """A version reply without a name leaves the firmware unknown."""
    terminal.replies["Versions"] = lambda cmd: payloads.ack("Versions", cmd["messageId"])
    await setup_entry(hass, config_entry)
    await hass.async_block_till_done(wait_background_tasks=True)
    runtime = runtime_of(config_entry)
    assert runtime.state.online
    assert runtime.state.firmware is None
    device = device_registry.async_get(runtime.device_id)
    assert device is not None
    assert device.sw_version is None


def test_normalise_terminal_id() -> None:
    """Cloud client IDs are cut to the device part."""
    assert normalise_terminal_id(None) is None
    assert normalise_terminal_id("GID@@@1305433") == "1305433"
    assert normalise_terminal_id(" 1305433 ") == "1305433"
    assert normalise_terminal_id("GID@@@") is None


# --- clock ----------------------------------------------------------------------------


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=dt_util.get_default_time_zone())


async def test_clock_drift_issue(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    loaded_entry: MockConfigEntry,
) -> None:
    """A clock more than 5 minutes off raises a fixable issue; a good clock clears it."""
    issue_id = clock_issue_id(loaded_entry.entry_id)
    runtime = runtime_of(loaded_entry)
    freezer.move_to(_local("2026-11-22 10:20:00"))

    await deliver(hass, BASIC_TOPIC, payloads.online(time="2026-11-22 10:00:00"))
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_key == "clock_drift"
    assert issue.translation_placeholders == {"name": "Front door", "minutes": "20"}
    assert issue.data == {"entry_id": loaded_entry.entry_id}
    assert runtime.state.clock_offset == -1200

    # Within 5 minutes: the issue goes.
    await deliver(hass, HEARTBEAT_TOPIC, payloads.heartbeat(time="2026-11-22 10:16:00"))
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert runtime.state.clock_offset == -240

    # Ahead by an hour.
    await deliver(hass, HEARTBEAT_TOPIC, payloads.heartbeat(time="2026-11-22 11:20:00"))
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    # A message without a time changes nothing.
    await deliver(
        hass,
        BASIC_TOPIC,
        payloads.dump({"operator": "HeartBeat", "info": {"facesluiceId": TERMINAL_ID}}),
    )
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert runtime.state.clock_offset == 3600


async def test_entry_title_is_the_display_name(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Messages name the terminal by the entry's title."""
    runtime = runtime_of(loaded_entry)
    assert runtime.display_name == "Front door"
    assert runtime.acknowledge_records
    assert runtime.offline_timeout == DEFAULT_OFFLINE_TIMEOUT


async def test_cancelled_caller_frees_its_lane(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """A caller that gives up (cancelled) does not keep the next command waiting."""
    runtime = runtime_of(loaded_entry)
    terminal.replies["DelPerson"] = lambda cmd: None
    first = hass.async_create_task(runtime.async_request(protocol.DeletePerson("alice-01")))
    for _ in range(5):
        await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert not runtime.session.pending
    terminal.replies.pop("DelPerson")
    await runtime.async_request(protocol.DeletePerson("bob-02"))
    deleted = [c["info"]["customId"] for c in terminal.commands if c["operator"] == "DelPerson"]
    assert deleted == ["alice-01", "bob-02"]


async def test_publish_failure_reaches_the_caller(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """A command the MQTT client cannot send fails at once and frees its lane."""
    runtime = runtime_of(loaded_entry)
    with (
        patch(
            "custom_components.face_terminal.sender.mqtt.async_publish",
            side_effect=HomeAssistantError("not connected"),
        ),
        pytest.raises(HomeAssistantError, match="not connected") as err,
    ):
        await runtime.door.async_unlock()
    assert err.value.translation_key == "publish_failed"
    assert err.value.translation_placeholders == {
        "name": "Front door",
        "command": "Unlock",
        "error": "not connected",
    }
    assert not runtime.session.pending
    await runtime.door.async_unlock()
    assert terminal.operators()[-1] == "Unlock"


async def test_on_sent_hears_when_the_command_leaves_its_lane(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """A request waiting behind another in its lane is reported sent only when it goes."""
    runtime = runtime_of(loaded_entry)
    terminal.replies["DelPerson"] = lambda cmd: None
    first = hass.async_create_task(runtime.async_request(protocol.DeletePerson("alice-01")))
    sent: list[float] = []
    second = hass.async_create_task(
        runtime.async_request(protocol.DeletePerson("bob-02"), on_sent=sent.append)
    )
    for _ in range(5):
        await asyncio.sleep(0)
    assert sent == []
    fire(hass, ACK_TOPIC, payloads.ack("DelPerson", terminal.last("DelPerson")["messageId"]))
    await first
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(sent) == 1
    assert sent[0] <= hass.loop.time()
    assert terminal.last("DelPerson")["info"]["customId"] == "bob-02"
    fire(hass, ACK_TOPIC, payloads.ack("DelPerson", terminal.last("DelPerson")["messageId"]))
    await second
    assert len(sent) == 1


async def test_invalid_intent_is_refused_before_anything_is_sent(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """The session frames an intent first: bad arguments never reach a lane."""
    runtime = runtime_of(loaded_entry)
    sent = len(terminal.commands)
    with pytest.raises(protocol.CommandError):
        await runtime.async_request(protocol.PlayVoice("../secret.wav"))
    assert not runtime.session.pending
    assert len(terminal.commands) == sent


# --- the response subscription ------------------------------------------------------------


def _subscription_listeners(hass: HomeAssistant) -> int:
    """Listeners Home Assistant's MQTT client tells about each subscription it completes."""
    return len(hass.data.get(DATA_DISPATCHER, {}).get(MQTT_PROCESSED_SUBSCRIPTIONS, {}))


async def test_no_subscription_listener_left_once_probed(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """The entry stops listening for completed subscriptions once its own one is confirmed.

    Each such listener runs as a task for every subscription of every other entry: kept
    for the entry's lifetime, they made a new entry's setup grow with the number of
    terminals (issue 23).
    """
    await setup_entry(hass, config_entry)
    runtime = runtime_of(config_entry)
    assert runtime.identity._probe is not None
    assert runtime._awaiting_subscription is None
    assert _subscription_listeners(hass) == 0


async def test_reconnect_probes_again_once_resubscribed(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """Home Assistant's broker connection back: the terminal is probed again."""
    await setup_entry(hass, config_entry)
    runtime = runtime_of(config_entry)
    with patch.object(runtime, "_async_start_probe") as start_probe:
        async_dispatcher_send(hass, MQTT_CONNECTION_STATE, False)
        await hass.async_block_till_done()
        assert start_probe.call_count == 0
        async_dispatcher_send(hass, MQTT_CONNECTION_STATE, True)
        await settle_probe(hass, config_entry)
        await hass.async_block_till_done()
    assert start_probe.call_count == 1
    assert _subscription_listeners(hass) == 0


async def test_unloaded_entry_does_not_wait_for_a_subscription(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """A reconnect that reaches an entry being unloaded leaves no listener behind."""
    await setup_entry(hass, config_entry)
    async_dispatcher_send(hass, MQTT_CONNECTION_STATE, True)
    await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert _subscription_listeners(hass) == 0
