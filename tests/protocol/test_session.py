"""The transport-free terminal session: driven by messages, commands and a fake clock."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from paho.mqtt.client import topic_matches_sub

from custom_components.face_terminal.protocol import (
    COMMAND_TIMEOUT,
    MAX_MESSAGE_BYTES,
    ROUTES,
    Acknowledge,
    Announced,
    AnswerAccess,
    Answered,
    ClockReading,
    Command,
    CommandError,
    CompareFaces,
    ConfigSection,
    DeleteAdvertisement,
    DeleteAllPersons,
    DeletePerson,
    DeletePersons,
    DetectFace,
    Dropped,
    EnrolPerson,
    EnrolPersons,
    Event,
    FactoryReset,
    HideQRCode,
    InstallFirmware,
    Lane,
    ListPersonIds,
    ListVoices,
    PlayVoice,
    PresenceChanged,
    Publish,
    ReadClock,
    ReadConfig,
    ReadProgress,
    ReadVersions,
    Reboot,
    RecordReceived,
    ResendRecords,
    ResendSnaps,
    Route,
    SearchFace,
    SearchPersons,
    SessionClosedError,
    SetClock,
    ShowAdvertisement,
    ShowQRCode,
    SnapScene,
    TerminalSession,
    Unlock,
    WriteConfig,
    build_del_person,
    build_edit_person,
    build_edit_persons_new,
    build_get_scene_snap,
    build_unlock,
    build_versions,
    normalise_terminal_id,
    parse_message,
    response_route,
    response_wildcard,
    route,
    shared_response_wildcard,
)
from custom_components.face_terminal.protocol.commands import (
    PUSH_ACK_RECORD,
    PUSH_ACK_STRANGER,
    PersonSpec,
)
from custom_components.face_terminal.protocol.delivery import DeliveryLog
from custom_components.face_terminal.protocol.session import ENROL_TIMEOUT
from tests import payloads
from tests.payloads import (
    ACK_TOPIC,
    BASIC_TOPIC,
    COMMAND_TOPIC,
    HEARTBEAT_TOPIC,
    QR_TOPIC,
    REC_TOPIC,
    SNAP_TOPIC,
    TERMINAL_ID,
)
from tests.protocol.samples import JPEG

ALARM_TOPIC = f"{COMMAND_TOPIC}/Alarm"
TIMEOUT = 10.0


def session(**kwargs: Any) -> TerminalSession:
    return TerminalSession(TERMINAL_ID, COMMAND_TOPIC, **kwargs)


def unlock() -> Command:
    return build_unlock(COMMAND_TOPIC, TERMINAL_ID)


def person(custom_id: str) -> PersonSpec:
    return PersonSpec(custom_id=custom_id, name="Alice", picture_uri="http://pics/a.jpg")


def enrol(custom_id: str = "alice-01") -> Command:
    return build_edit_person(COMMAND_TOPIC, TERMINAL_ID, person(custom_id))


def ack_for(command: Command, **fields: Any) -> bytes:
    return payloads.ack(command.operator, command.message_id, **fields)


def kinds(events: list[Event]) -> list[type[Event]]:
    return [type(event) for event in events]


# --- commands -------------------------------------------------------------------------


def test_submit_ready_and_ack() -> None:
    """A command goes out once; its ack (same messageId and operator) answers it."""
    s = session()
    request = s.submit(unlock(), now=0.0, timeout=TIMEOUT)
    assert request.lane is Lane.DOOR
    assert request.sent_at is None
    assert s.ready(1.0) == [request]
    assert request.sent_at == 1.0
    assert s.ready(1.0) == []  # handed out once
    events = s.receive(ACK_TOPIC, ack_for(request.command), now=2.0)
    answered = [event for event in events if isinstance(event, Answered)]
    assert len(answered) == 1
    assert answered[0].request is request
    assert answered[0].ack.ok
    assert s.pending == []
    assert s.counters["commands"] == 1


def test_failed_ack_is_answered_and_counted() -> None:
    s = session()
    request = s.submit(unlock(), now=0.0, timeout=TIMEOUT)
    s.ready(0.0)
    events = s.receive(ACK_TOPIC, ack_for(request.command, code=464, result="fail"), now=1.0)
    (answered,) = [event for event in events if isinstance(event, Answered)]
    assert not answered.ack.ok
    assert s.counters["commands_failed"] == 1


def test_ack_with_another_operator_answers_nothing() -> None:
    """Issue 9 item 10: the messageId alone does not resolve a command."""
    s = session()
    request = s.submit(unlock(), now=0.0, timeout=TIMEOUT)
    s.ready(0.0)
    forged = payloads.ack("Versions", request.command.message_id)
    assert not any(isinstance(e, Answered) for e in s.receive(ACK_TOPIC, forged, now=1.0))
    assert s.counters["mismatched_acks"] == 1
    assert s.pending == [request]
    # The real answer still works (operator spelling is not case-sensitive on the wire).
    events = s.receive(ACK_TOPIC, payloads.ack("unlock", request.command.message_id), now=2.0)
    assert any(isinstance(e, Answered) for e in events)


def test_unmatched_and_push_ack_acks_are_counted_apart() -> None:
    """Late or foreign acks are unmatched; the terminal confirming a PushAck is not."""
    s = session()
    s.receive(ACK_TOPIC, payloads.ack("Unlock", "nobody"), now=0.0)
    s.receive(ACK_TOPIC, payloads.ack("PushAck", "ha-1", PushAckType="2"), now=0.0)
    assert s.counters["unmatched_acks"] == 1
    assert s.counters["push_ack_acks"] == 1


def test_ack_for_a_queued_command_answers_nothing() -> None:
    """An ack cannot answer a command that was never sent."""
    s = session()
    first = s.submit(build_versions(COMMAND_TOPIC, TERMINAL_ID), now=0.0, timeout=TIMEOUT)
    queued = s.submit(build_versions(COMMAND_TOPIC, TERMINAL_ID), now=0.0, timeout=TIMEOUT)
    assert s.ready(0.0) == [first]
    s.receive(ACK_TOPIC, ack_for(queued.command), now=0.0)
    assert s.counters["unmatched_acks"] == 1
    assert queued in s.pending


def test_lanes_do_not_wait_for_each_other() -> None:
    """An unanswered enrolment holds back its own lane only."""
    s = session()
    enrolment = s.submit(enrol(), now=0.0, timeout=30.0)
    deletion = s.submit(
        build_del_person(COMMAND_TOPIC, TERMINAL_ID, "bob"), now=0.0, timeout=TIMEOUT
    )
    assert s.ready(0.0) == [enrolment]
    door = s.submit(unlock(), now=0.1, timeout=TIMEOUT)
    snapshot = s.submit(build_get_scene_snap(COMMAND_TOPIC, TERMINAL_ID), now=0.1, timeout=TIMEOUT)
    assert s.ready(0.1) == [door, snapshot]
    assert deletion.sent_at is None
    s.receive(ACK_TOPIC, ack_for(enrolment.command), now=0.2)
    assert s.ready(0.2) == [deletion]  # not spaced: goes at once


def test_one_command_at_a_time_per_lane() -> None:
    s = session()
    first = s.submit(unlock(), now=0.0, timeout=TIMEOUT)
    second = s.submit(unlock(), now=0.0, timeout=TIMEOUT)
    assert s.ready(0.0) == [first]
    assert s.ready(0.5) == []
    s.receive(ACK_TOPIC, ack_for(first.command), now=1.0)
    assert s.ready(1.0) == [second]


def test_enrolments_keep_their_spacing() -> None:
    """V1.24 §4.1: the next EditPerson waits `spacing` after the last one ended."""
    s = session(spacing=1.0)
    first = s.submit(enrol("a"), now=0.0, timeout=30.0)
    second = s.submit(enrol("b"), now=0.0, timeout=30.0)
    assert s.ready(0.0) == [first]
    s.receive(ACK_TOPIC, ack_for(first.command), now=5.0)
    assert s.ready(5.0) == []
    assert s.next_wakeup() == 6.0
    assert s.ready(5.999) == []
    assert s.ready(6.0) == [second]


def test_spacing_applies_across_lanes(monkeypatch: pytest.MonkeyPatch) -> None:
    """An EditPerson-type command routed to another lane still keeps the spacing."""
    monkeypatch.setitem(ROUTES, "EditPersonsNew", Route(Lane.QUERY))
    s = session(spacing=1.0)
    first = s.submit(enrol("a"), now=0.0, timeout=30.0)
    other = s.submit(
        build_edit_persons_new(COMMAND_TOPIC, TERMINAL_ID, [person("b")]), now=0.0, timeout=30.0
    )
    assert other.lane is Lane.QUERY
    assert s.ready(0.0) == [first]  # the other EditPerson waits for the one in flight
    s.cancel(first, 2.0)
    assert s.ready(2.5) == []
    assert s.ready(3.0) == [other]


def test_deadline_covers_the_wait_in_the_lane() -> None:
    """A queued command expires on its own deadline, without ever being sent."""
    s = session()
    first = s.submit(unlock(), now=0.0, timeout=TIMEOUT)
    queued = s.submit(unlock(), now=1.0, timeout=TIMEOUT)
    s.ready(0.0)
    assert s.next_wakeup() == 10.0
    assert s.expire(9.9) == []
    assert s.expire(10.0) == [first]
    assert s.ready(10.0) == [queued]
    assert s.expire(11.0) == [queued]
    assert s.counters["commands_timed_out"] == 2
    assert s.next_wakeup() is None
    # A late ack is harmless.
    s.receive(ACK_TOPIC, ack_for(first.command), now=12.0)
    assert s.counters["unmatched_acks"] == 1


def test_cancel_frees_the_lane() -> None:
    s = session()
    first = s.submit(unlock(), now=0.0, timeout=TIMEOUT)
    second = s.submit(unlock(), now=0.0, timeout=TIMEOUT)
    third = s.submit(unlock(), now=0.0, timeout=TIMEOUT)
    s.ready(0.0)
    assert s.cancel(third, 0.0)  # queued
    assert s.cancel(first, 0.0)  # sent
    assert not s.cancel(first, 0.0)  # already gone
    assert s.ready(0.0) == [second]


def test_close_returns_everything_and_sends_nothing_more() -> None:
    s = session()
    sent = s.submit(unlock(), now=0.0, timeout=TIMEOUT)
    s.ready(0.0)
    queued = s.submit(unlock(), now=0.0, timeout=TIMEOUT)
    assert s.close() == [sent, queued]
    assert s.closed
    assert s.ready(1.0) == []
    assert s.pending == []
    with pytest.raises(SessionClosedError):
        s.submit(unlock(), now=1.0, timeout=TIMEOUT)
    # Messages after the close ask for nothing (no PushAck, no Online-Ack).
    assert s.receive(REC_TOPIC, payloads.rec_push(), now=2.0) == []
    assert s.receive(BASIC_TOPIC, payloads.online(), now=2.0) == []


def test_duplicate_message_id_is_refused() -> None:
    s = session()
    command = unlock()
    s.submit(command, now=0.0, timeout=TIMEOUT)
    with pytest.raises(ValueError, match="already pending"):
        s.submit(command, now=0.0, timeout=TIMEOUT)


def test_routes() -> None:
    assert route("Unlock").lane is Lane.DOOR
    assert route("voiceplay").lane is Lane.INTERACTIVE
    assert route("EditPerson") == Route(Lane.PERSONS, ENROL_TIMEOUT)
    assert route("Versions") == Route(Lane.QUERY, COMMAND_TIMEOUT, background=Lane.BACKGROUND)
    assert route("GetPictureSearch").lane is Lane.INTERACTIVE
    assert route("DetectFaceFromPic") == Route(Lane.INTERACTIVE, background=Lane.CHECKS)
    assert route("SetFactoryDefault").lane is Lane.PERSONS
    assert route("SomethingNew") == Route(Lane.QUERY, COMMAND_TIMEOUT, background=Lane.BACKGROUND)


def test_every_intent_has_a_route() -> None:
    """The table decides every command the integration sends; none falls to the default."""
    operators = {
        s.frame(intent).operator
        for s in [session()]
        for intent in (
            Unlock(),
            AnswerAccess("1", open_door=True),
            PlayVoice("a.wav"),
            ListVoices(),
            ShowQRCode(text="x"),
            HideQRCode(),
            SnapScene(),
            ShowAdvertisement(0, "http://ha/a.jpg", 5),
            DeleteAdvertisement(0),
            EnrolPerson(person("a")),
            EnrolPersons([person("a")]),
            ReadProgress(),
            DeletePerson("a"),
            DeletePersons(["a"]),
            DeleteAllPersons(),
            ListPersonIds(),
            SearchPersons(),
            CompareFaces(JPEG, JPEG),
            SearchFace(JPEG),
            DetectFace(JPEG),
            ReadVersions(),
            Reboot(),
            ReadClock(),
            SetClock(datetime(2025, 1, 2, 3, 4, 5)),
            *(ReadConfig(section) for section in ConfigSection),
            WriteConfig(ConfigSection.DOOR, {"DoorOpenTime": 5}),
            InstallFirmware("http://ha/fw.swx", "1.2"),
            FactoryReset(["sound"]),
            ResendRecords(datetime(2025, 1, 1), datetime(2025, 1, 2)),
            ResendSnaps(datetime(2025, 1, 1), datetime(2025, 1, 2)),
        )
    }
    assert operators - {"PushAck"} <= set(ROUTES)


def test_submit_frames_and_addresses_an_intent() -> None:
    """The caller says what; the session adds its topic, terminal ID, lane and deadline."""
    s = session()
    request = s.submit(Unlock(show_info="Welcome"), now=5.0)
    body = json.loads(request.command.payload)
    assert request.command.topic == COMMAND_TOPIC
    assert body["info"] == {"facesluiceId": TERMINAL_ID, "openDoor": 1, "showInfo": "Welcome"}
    assert (request.lane, request.timeout, request.deadline) == (Lane.DOOR, 10.0, 15.0)
    longer = s.submit(EnrolPersons([person("a")]), now=5.0, timeout=99.0)
    assert (longer.lane, longer.deadline) == (Lane.PERSONS, 104.0)


def test_an_invalid_intent_is_refused_before_it_is_queued() -> None:
    s = session()
    with pytest.raises(CommandError):
        s.submit(PlayVoice("../etc/passwd.wav"), now=0.0)
    assert s.pending == []


def test_a_framed_command_goes_again_as_it_is() -> None:
    """A lost batch is sent again with its messageId (`frame`, then `submit` twice)."""
    s = session()
    command = s.frame(EnrolPersons([person("a")]))
    first = s.submit(command, now=0.0)
    s.cancel(first, 1.0)
    again = s.submit(command, now=1.0)
    assert again.command is command


def test_response_topics() -> None:
    assert session().response_topics == response_wildcard(COMMAND_TOPIC)


def test_commands_know_their_identity() -> None:
    """Builders return what the payload says, so nobody parses a command back."""
    command = unlock()
    body = json.loads(command.payload)
    assert (command.message_id, command.operator) == (body["messageId"], body["operator"])
    assert command.ack_operator == "Unlock-Ack"
    assert "payload" not in repr(command)


# --- records --------------------------------------------------------------------------


def test_record_is_reported_once_and_its_ack_held_for_the_driver() -> None:
    s = session()
    events = s.receive(REC_TOPIC, payloads.rec_push(record_id="381"), now=0.0)
    # The record first; its PushAck is an `Acknowledge`: the driver sends it only once
    # the record is durable on its side.
    assert kinds(events) == [PresenceChanged, RecordReceived, Acknowledge]
    acknowledge = events[2]
    assert isinstance(acknowledge, Acknowledge)
    body = json.loads(acknowledge.command.payload)
    assert body["operator"] == "PushAck"
    assert body["info"]["SnapOrRecordID"] == "381"
    assert (PUSH_ACK_RECORD, "381") in s.delivered
    # The terminal re-sends: acknowledged again, dropped by its identity (with its ID).
    again = s.receive(REC_TOPIC, payloads.rec_push(record_id="381"), now=1.0)
    assert kinds(again) == [Dropped, Acknowledge]
    dropped = again[0]
    assert isinstance(dropped, Dropped)
    assert (dropped.reason, dropped.record_id) == ("already_delivered", "381")
    assert s.counters["duplicates"] == 1
    assert s.drops["already_delivered"] == 1
    assert s.counters["records"] == 1
    assert s.counters["acks_sent"] == 2


def test_older_records_after_a_newer_one_are_new() -> None:
    """Identity, not order: after an outage re-sent records come behind live ones."""
    s = session()
    s.receive(REC_TOPIC, payloads.rec_push(record_id="50", time="2020-05-01 08:00:10"), now=0.0)
    late = s.receive(
        REC_TOPIC,
        payloads.rec_push(record_id="49", time="2020-05-01 08:00:00", extra={"Sendintime": 0}),
        now=1.0,
    )
    assert kinds(late) == [RecordReceived, Acknowledge]


def test_delivered_records_survive_in_the_drivers_log() -> None:
    """A log the driver restored (after a restart) drops what was delivered before it."""
    log = DeliveryLog()
    log.add((PUSH_ACK_STRANGER, "7"), None)
    s = TerminalSession(TERMINAL_ID, COMMAND_TOPIC, delivered=log)
    assert s.delivered is log
    events = s.receive(SNAP_TOPIC, payloads.str_snap_push(snap_id="7"), now=0.0)
    assert kinds(events) == [PresenceChanged, Dropped, Acknowledge]


def test_records_without_acknowledgement() -> None:
    s = session(acknowledge_records=False)
    events = s.receive(SNAP_TOPIC, payloads.str_snap_push(), now=0.0)
    assert kinds(events) == [PresenceChanged, RecordReceived]
    # A QR code record has no ID to acknowledge or de-duplicate.
    assert kinds(s.receive(QR_TOPIC, payloads.qr_push(), now=0.0)) == [RecordReceived]
    assert kinds(s.receive(QR_TOPIC, payloads.qr_push(), now=0.0)) == [RecordReceived]


def test_implausible_record_id_is_no_record_id() -> None:
    # The parser refuses a record ID longer than any terminal sends: the record still
    # counts, but there is nothing to acknowledge or de-duplicate by.
    s = session()
    events = s.receive(REC_TOPIC, payloads.rec_push(record_id="9" * 80), now=0.0)
    assert kinds(events) == [PresenceChanged, RecordReceived]
    assert s.counters["acks_sent"] == 0


def test_delivery_memory_is_bounded() -> None:
    s = session(delivered=DeliveryLog(capacity=2))
    for record_id in ("1", "2", "3"):
        s.receive(REC_TOPIC, payloads.rec_push(record_id=record_id), now=0.0)
    again = s.receive(REC_TOPIC, payloads.rec_push(record_id="1"), now=0.0)
    assert RecordReceived in kinds(again)  # forgotten, so new
    again = s.receive(REC_TOPIC, payloads.rec_push(record_id="3"), now=0.0)
    assert RecordReceived not in kinds(again)


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        (SNAP_TOPIC, payloads.rec_push()),
        (ACK_TOPIC, payloads.rec_push()),
        (BASIC_TOPIC, payloads.rec_push()),
        (HEARTBEAT_TOPIC, payloads.rec_push()),
        (REC_TOPIC, payloads.str_snap_push()),
        (REC_TOPIC, payloads.ack("Unlock", "m-1")),
        (BASIC_TOPIC, payloads.ack("Unlock", "m-1")),
        (REC_TOPIC, payloads.heartbeat()),
        (ACK_TOPIC, payloads.online()),
    ],
    ids=[
        "rec_on_snap",
        "rec_on_ack",
        "rec_on_basic",
        "rec_on_heartbeat",
        "snap_on_rec",
        "ack_on_rec",
        "ack_on_basic",
        "heartbeat_on_rec",
        "online_on_ack",
    ],
)
def test_a_kind_is_accepted_only_on_its_own_topic(topic: str, payload: bytes) -> None:
    """Issue 9 item 2: the topic decides what a message may be, not only the operator."""
    s = session()
    events = s.receive(topic, payload, now=0.0)
    assert kinds(events) == [Dropped]
    assert s.drops["wrong_topic"] == 1
    assert not s.online
    assert s.last_seen is None


def test_any_well_formed_message_on_its_topics_marks_the_terminal_seen() -> None:
    """Issue 9 item 8: a push nothing handles still says the terminal is there."""
    s = session()
    alarm = payloads.dump(
        {"operator": "SomeNewPush", "info": {"facesluiceId": TERMINAL_ID, "AlarmType": 1}}
    )
    events = s.receive(ALARM_TOPIC, alarm, now=3.0)
    assert events == [PresenceChanged(online=True)]
    assert s.online
    assert s.last_seen == 3.0
    assert s.counters["unhandled"] == 1
    # The suffix's case does not matter.
    assert s.receive(f"{COMMAND_TOPIC}/alarm", alarm, now=4.0) == []
    assert s.last_seen == 4.0


def test_alarm_push_is_a_record_of_its_topic() -> None:
    """AlarmInfoPush on /Alarm is handed on (issue 13); it needs no PushAck."""
    s = session()
    alarm = payloads.dump(
        {"operator": "AlarmInfoPush", "info": {"facesluiceId": TERMINAL_ID, "code": 1}}
    )
    events = s.receive(ALARM_TOPIC, alarm, now=3.0)
    assert kinds(events) == [PresenceChanged, RecordReceived]


def test_echoed_commands_are_not_the_terminal() -> None:
    s = session()
    command = unlock()
    events = s.receive(ACK_TOPIC, command.payload, now=0.0)
    assert kinds(events) == [Dropped]
    assert s.drops["wrong_topic"] == 1
    assert not s.online


@pytest.mark.parametrize(
    "topic",
    [
        "mqtt/face/7654321/Rec",
        f"{COMMAND_TOPIC}/Rec/deeper",
        f"{COMMAND_TOPIC}/recods",
        COMMAND_TOPIC,
    ],
)
def test_foreign_topics_are_dropped(topic: str) -> None:
    s = session()
    assert kinds(s.receive(topic, payloads.rec_push(), now=0.0)) == [Dropped]
    assert s.drops["foreign_topic"] == 1


def test_foreign_terminal_on_our_topic_is_dropped() -> None:
    """Q-35: terminals may share a command topic; the payload names the device."""
    s = session()
    events = s.receive(REC_TOPIC, payloads.rec_push(terminal_id="7654321"), now=0.0)
    assert kinds(events) == [Dropped]
    assert s.drops["foreign_terminal"] == 1
    assert not s.online


def test_malformed_payload_is_dropped() -> None:
    s = session()
    (event,) = s.receive(REC_TOPIC, b"not json", now=0.0)
    assert isinstance(event, Dropped)
    assert event.reason == "malformed"
    assert s.counters["messages"] == 1


def test_oversized_payload_is_dropped_unread() -> None:
    """A body beyond two largest pictures is refused before parsing: no PushAck, not seen."""
    s = session()
    body = payloads.rec_push(record_id="9")
    padded = body[:-1] + b',"pad":"' + b"A" * MAX_MESSAGE_BYTES + b'"}'
    (event,) = s.receive(REC_TOPIC, padded, now=0.0)
    assert isinstance(event, Dropped)
    assert event.reason == "too_large"
    assert s.drops["too_large"] == 1
    assert not s.online
    # The same record at its real size is a recognition, acknowledged as usual.
    assert RecordReceived in kinds(s.receive(REC_TOPIC, body, now=1.0))


# --- presence -------------------------------------------------------------------------


def test_heartbeat_marks_online_and_reads_the_clock() -> None:
    s = session()
    events = s.receive(HEARTBEAT_TOPIC, payloads.heartbeat(), now=1.0)
    assert kinds(events) == [PresenceChanged, ClockReading]
    assert s.online


def test_online_is_answered_and_announced() -> None:
    s = session()
    events = s.receive(BASIC_TOPIC, payloads.online(), now=1.0)
    assert kinds(events) == [PresenceChanged, Publish, Announced, ClockReading]
    publish = events[1]
    assert isinstance(publish, Publish)
    assert publish.command.operator == "Online-Ack"
    assert publish.command.topic == COMMAND_TOPIC


def test_presence_of_another_terminal_is_dropped() -> None:
    s = session()
    assert kinds(s.receive(HEARTBEAT_TOPIC, payloads.heartbeat("13054330"), now=0.0)) == [Dropped]
    assert s.drops["foreign_terminal"] == 1
    assert not s.online


def test_offline_notice_and_retained_will() -> None:
    """A retained will is older than what we heard since (Q-07)."""
    s = session()
    s.receive(HEARTBEAT_TOPIC, payloads.heartbeat(), now=0.0)
    assert s.receive(BASIC_TOPIC, payloads.offline(), now=1.0, retained=True) == []
    assert s.online
    events = s.receive(BASIC_TOPIC, payloads.offline(), now=2.0)
    assert events == [PresenceChanged(online=False, reason="it sent its offline notice")]
    assert s.set_offline("silence") == []  # already offline


def test_silence_reported_by_the_driver() -> None:
    s = session()
    s.receive(HEARTBEAT_TOPIC, payloads.heartbeat(), now=0.0)
    assert s.set_offline("no message for 150 s") == [
        PresenceChanged(online=False, reason="no message for 150 s")
    ]


def test_parsed_presence_from_the_router() -> None:
    s = session()
    message = parse_message(HEARTBEAT_TOPIC, payloads.heartbeat(f"GID@@@{TERMINAL_ID}"))
    assert kinds(s.receive_message(message, now=0.0)) == [PresenceChanged, ClockReading]


def test_helpers() -> None:
    assert normalise_terminal_id(None) is None
    assert normalise_terminal_id("GID@@@1305433") == "1305433"
    assert normalise_terminal_id("GID@@@") is None
    assert response_wildcard("mqtt/face/1305433/") == "mqtt/face/1305433/+"


PERSONLESS_RECORD = (
    b'{"operator":"RecPush","info":{"facesluiceId":"' + TERMINAL_ID.encode() + b'",'
    b'"RecordID":"77","VerifyStatus":"1"}}'
)


def test_personless_record_is_dropped_but_acknowledged_on_its_topic() -> None:
    """A record naming nobody is no recognition; on our Rec topic it still gets a PushAck."""
    s = session()
    events = s.receive(REC_TOPIC, PERSONLESS_RECORD, now=0.0)
    assert kinds(events) == [Dropped, Acknowledge]
    acknowledge = events[1]
    assert isinstance(acknowledge, Acknowledge)
    assert json.loads(acknowledge.command.payload)["info"]["SnapOrRecordID"] == "77"
    assert s.drops["malformed"] == 1
    assert s.counters["records"] == 0
    # Elsewhere (another kind's topic) or with acknowledgements off: dropped only.
    assert kinds(s.receive(SNAP_TOPIC, PERSONLESS_RECORD, now=0.0)) == [Dropped]
    quiet = session(acknowledge_records=False)
    assert kinds(quiet.receive(REC_TOPIC, PERSONLESS_RECORD, now=0.0)) == [Dropped]
    s.close()
    assert kinds(s.receive(REC_TOPIC, PERSONLESS_RECORD, now=0.0)) == [Dropped]


def test_background_work_never_holds_a_persons_lane() -> None:
    """An unanswered background read holds its own lane only (issue 21, point 1)."""
    s = session()
    chores = [s.submit(ReadConfig(section), now=0.0, background=True) for section in ConfigSection]
    version = s.submit(ReadVersions(), now=0.0, background=True)
    assert {chore.lane for chore in [*chores, version]} == {Lane.BACKGROUND}
    assert s.ready(0.0) == [chores[0]]  # one background chore out, unanswered
    asked = s.submit(ListPersonIds(), now=0.1)
    fix = s.submit(SetClock(datetime(2025, 1, 2, 3, 4, 5)), now=0.1)
    door = s.submit(Unlock(), now=0.1)
    progress = s.submit(ReadProgress(), now=0.1)
    assert progress.lane is Lane.PROGRESS
    assert s.ready(0.1) == [door, asked, progress]
    # A person's setting change waits only for the person's read before it.
    assert fix.lane is Lane.QUERY
    assert s.ready(0.1) == []
    # Background work stays in order in its lane; the door and the screen keep theirs.
    assert s.submit(Unlock(), now=0.2, background=True).lane is Lane.DOOR
    assert s.submit(PlayVoice("a.wav"), now=0.2, background=True).lane is Lane.INTERACTIVE


def test_photo_checks_yield_to_peoples_commands() -> None:
    """A sync's face detections wait in their own lane, handed out after people's commands."""
    s = session()
    checks = [s.submit(DetectFace(JPEG), now=0.0, background=True) for _ in range(3)]
    assert {check.lane for check in checks} == {Lane.CHECKS}
    chore = s.submit(ReadVersions(), now=0.0, background=True)
    tool = s.submit(DetectFace(JPEG), now=0.0)  # a face tool: someone waits for it
    door = s.submit(Unlock(), now=0.0)
    assert tool.lane is Lane.INTERACTIVE
    # One check at a time, after every lane someone waits in, beside the background chore.
    assert s.ready(0.0) == [door, tool, checks[0], chore]
    # Neither an unanswered check nor an unanswered chore holds a person's next command.
    voice = s.submit(PlayVoice("a.wav"), now=0.1)
    s.receive(ACK_TOPIC, payloads.ack("DetectFaceFromPic", tool.command.message_id), now=0.1)
    assert s.ready(0.1) == [voice]
    s.receive(ACK_TOPIC, payloads.ack("DetectFaceFromPic", checks[0].command.message_id), now=0.2)
    assert s.ready(0.2) == [checks[1]]


def test_delete_persons_is_alone_on_the_wire() -> None:
    """§4.9: nothing goes out while a DeletePersons is unanswered; the door goes first."""
    s = session()
    delete = s.submit(DeletePersons(["a", "b"]), now=0.0)
    voice = s.submit(PlayVoice("a.wav"), now=0.0)
    # The delete goes after the heads of the other lanes, then nothing more.
    assert s.ready(0.0) == [voice, delete]
    door = s.submit(Unlock(), now=0.1)
    search = s.submit(SearchPersons(), now=0.1)
    chore = s.submit(ReadVersions(), now=0.1, background=True)
    assert s.ready(0.2) == []
    s.receive(ACK_TOPIC, payloads.ack("DeletePersons", delete.command.message_id), now=7.0)
    assert s.ready(7.0) == [door, search, chore]


def test_delete_all_is_not_exclusive() -> None:
    s = session()
    wipe = s.submit(DeleteAllPersons(), now=0.0)
    assert s.ready(0.0) == [wipe]
    door = s.submit(Unlock(), now=0.1)
    assert s.ready(0.1) == [door]


@pytest.mark.parametrize(
    "command_topic",
    ["mqtt/face/1305433", "mqtt/face/1305433/", "site/a/door1", "door1", "/face/7", "mqtt/face"],
)
def test_the_shared_response_wildcard_routes_what_the_own_one_matched(command_topic: str) -> None:
    """Through the shared subscription a terminal gets exactly its own wildcard's topics."""
    own, shared = response_wildcard(command_topic), shared_response_wildcard(command_topic)
    base = command_topic.rstrip("/")
    topics = [
        f"{base}/Ack",
        f"{base}/rec",
        base,  # our own commands
        f"{base}/recods/livelogs",  # deeper foreign topics
        "mqtt/face/basic",
        "mqtt/face/heartbeat",
        "mqtt/face/1305434/Ack",
        "site/a/door2/Ack",
        "door2/Ack",
        f"{base}x/Ack",
    ]
    for topic in topics:
        routed = topic_matches_sub(shared, topic) and response_route(topic) == base
        assert routed == topic_matches_sub(own, topic), topic


def test_shared_response_wildcard() -> None:
    assert shared_response_wildcard("mqtt/face/1305433") == "mqtt/face/+/+"
    assert shared_response_wildcard("mqtt/face/1305433/") == "mqtt/face/+/+"
    assert shared_response_wildcard("door1") == "door1/+"  # no parent: its own
    assert response_route("mqtt/face/1305433/Ack") == "mqtt/face/1305433"
