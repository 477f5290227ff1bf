"""Hostile and broken terminal input through the real pipeline (issue 9).

Every case is delivered like the broker would (`async_fire_mqtt_message`) to a set-up
terminal entry, and asserts its specific outcome: dropped and counted under its reason,
cut to its limit, a distinct access value, or no event at all. The corpus covers the
issue's cases (records naming nobody, undocumented statuses, over-long and poisoned text,
IDs that cannot be IDs, ID-card similarity, replays) and more: truncated JSON, wrong types
per field, huge numbers and NaN, deep nesting, 5 MB payloads and other terminals' records.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pytest
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo
from pytest_homeassistant_custom_component.common import async_fire_mqtt_message

from custom_components.face_terminal.const import (
    DOMAIN,
    EVENT_RECOGNITION,
    EVENT_SCAN,
    EVENT_STRANGER,
)
from custom_components.face_terminal.logbook import recognition_line
from custom_components.face_terminal.protocol import (
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
)

from . import payloads
from .payloads import (
    BASIC_TOPIC,
    HEARTBEAT_TOPIC,
    QR_TOPIC,
    REC_TOPIC,
    SNAP_TOPIC,
    TERMINAL_ID,
    dump,
)

if TYPE_CHECKING:
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.face_terminal.coordinator import FaceTerminal

    from .conftest import TerminalResponder

LAST_PERSON = "sensor.front_door_last_person"

# The last-person sensor is created disabled; these tests use it as a user who enabled it.
pytestmark = pytest.mark.usefixtures("all_entities_enabled")
ACCESS = "event.front_door_access"
MIB = 1024 * 1024
# Characters that must never reach a state, an attribute, the bus or the log.
POISON = ("\x00", "\u202e", "\u2066", "\n", "\r", "\x1b", "<", ">")


def runtime_of(entry: MockConfigEntry) -> FaceTerminal:
    runtime: FaceTerminal = entry.runtime_data
    return runtime


def capture(hass: HomeAssistant) -> list[Event]:
    """All three bus events of the integration."""
    events: list[Event] = []

    @callback
    def append(event: Event) -> None:
        events.append(event)

    for event_type in (EVENT_RECOGNITION, EVENT_STRANGER, EVENT_SCAN):
        hass.bus.async_listen(event_type, append)
    return events


async def deliver(hass: HomeAssistant, topic: str, payload: bytes) -> None:
    async_fire_mqtt_message(hass, topic, payload)
    await hass.async_block_till_done()


def rec(info: dict[str, Any] | None = None, **top: Any) -> bytes:
    """A `RecPush` whose info is exactly `info` (plus our terminal ID)."""
    return dump(
        {"operator": "RecPush", "info": {"facesluiceId": TERMINAL_ID, **(info or {})}, **top}
    )


def person(**fields: Any) -> bytes:
    """A record of a real person (customId and name) with `fields` on top."""
    return rec({"customId": "alice-01", "persionName": "Alice", "VerifyStatus": "1", **fields})


def nested(depth: int) -> str:
    return '{"x":' * depth + "1" + "}" * depth


# --- records that must not become a recognition -------------------------------------------

DROPPED: list[tuple[str, bytes]] = [
    ("info_null", dump({"operator": "RecPush", "info": None})),
    ("info_empty", rec()),
    ("no_info", dump({"operator": "RecPush"})),
    ("empty_object", b"{}"),
    ("truncated_json", payloads.rec_push()[:-7]),
    ("not_utf8_not_json", b"\xff\xfe\x00{"),
    ("top_level_list", b"[" + payloads.rec_push() + b"]"),
    ("info_is_a_list", dump({"operator": "RecPush", "info": [{"customId": "a"}]})),
    ("info_is_text", dump({"operator": "RecPush", "info": "customId=alice"})),
    ("nested_10000", b'{"operator":"RecPush","info":' + nested(10_000).encode() + b"}"),
    (
        "nested_inside_info",
        b'{"operator":"RecPush","info":{"facesluiceId":"1305433","deep":'
        + nested(5_000).encode()
        + b"}}",
    ),
    ("status_only", rec({"VerifyStatus": "1", "RecordID": "7"})),
    ("placeholder_ids", rec({"customId": "", "personId": "0", "persionName": " "})),
    ("ids_of_wrong_type", rec({"customId": ["a"], "personId": {"x": 1}, "persionName": {}})),
    ("ids_true_false", rec({"customId": True, "personId": False, "persionName": None})),
    ("custom_id_100k_only", rec({"customId": "c" * 100_000, "VerifyStatus": "1"})),
    ("custom_id_with_nul_only", rec({"customId": "alice\x00-01", "VerifyStatus": "1"})),
    ("name_only_controls", rec({"persionName": "\x00\u202e\n\t", "VerifyStatus": "1"})),
    (
        "record_id_100k_digits",
        b'{"operator":"RecPush","info":{"RecordID":' + b"9" * 100_000 + b"}}",
    ),
    ("five_mb_garbage", b"{" * (5 * MIB)),
    ("five_mb_nobody", rec({"padding": "A" * (5 * MIB)})),
    (
        "facesluice_id_not_a_terminal",
        rec({"facesluiceId": "../../" + "9" * 100, "customId": "alice-01"}),
    ),
    ("facesluice_id_100k", rec({"facesluiceId": "1" * 100_000, "customId": "alice-01"})),
]


@pytest.mark.parametrize(("payload"), [case[1] for case in DROPPED], ids=[c[0] for c in DROPPED])
async def test_record_without_a_person_is_dropped_and_counted(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, payload: bytes
) -> None:
    """Malformed or person-less records fire nothing and are counted as malformed."""
    runtime = runtime_of(loaded_entry)
    events = capture(hass)
    before = runtime.drops["malformed"]
    await deliver(hass, REC_TOPIC, payload)
    assert events == []
    assert runtime.drops["malformed"] == before + 1
    assert runtime.counters["records"] == 0
    assert runtime.state.last_recognition is None


async def test_record_naming_nobody_is_still_acknowledged(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Dropped, but acknowledged: the terminal must not re-send it every 10 s."""
    events = capture(hass)
    await deliver(hass, REC_TOPIC, rec({"RecordID": "907", "otype": "7"}))
    assert events == []
    ack = terminal.last("PushAck")
    assert ack["info"]["SnapOrRecordID"] == "907"
    assert ack["info"]["PushAckType"] == "2"
    # Without a usable record ID there is nothing to acknowledge.
    before = terminal.operators().count("PushAck")
    await deliver(hass, REC_TOPIC, rec({"RecordID": "9\x0007"}))
    assert terminal.operators().count("PushAck") == before


async def test_other_terminals_record_is_dropped(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A record naming another terminal on our topic fires nothing (foreign_terminal)."""
    runtime = runtime_of(loaded_entry)
    events = capture(hass)
    await deliver(hass, REC_TOPIC, payloads.rec_push(terminal_id="999"))
    assert events == []
    assert runtime.drops["foreign_terminal"] == 1


# --- statuses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "access"),
    [
        ({"VerifyStatus": "99"}, "unknown"),
        ({"VerifyStatus": {"code": 1}}, "unknown"),
        ({"VerifyStatus": [1]}, "unknown"),
        ({"VerifyStatus": True}, "unknown"),
        ({"VerifyStatus": "1.5"}, "unknown"),
        ({"VerifyStatus": -1}, "unknown"),
        ({"VerifyStatus": "yes"}, "unknown"),
        ({"VerifyStatus": 1e300}, "unknown"),
        ({"VerifyStatus": "1.000000"}, "access_granted"),
        ({"VerifyStatus": 2}, "access_denied"),
        # The documented rule for a missing status on a record that names a person.
        ({"VerifyStatus": None, "PersonType": "0"}, "access_granted"),
        ({"VerifyStatus": "", "PersonType": "1"}, "access_denied"),
        ({"VerifyStatus": "0", "PersonType": "1"}, "access_denied"),
        ({"VerifyStatus": None, "PersonType": "5"}, "unknown"),
        ({"VerifyStatus": None, "PersonType": {"a": 1}}, "unknown"),
    ],
    ids=repr,
)
async def test_undocumented_status_is_never_granted(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, fields: dict[str, Any], access: str
) -> None:
    """A status outside the documented values gives `unknown` on the bus and the entity."""
    events = capture(hass)
    await deliver(hass, REC_TOPIC, person(**fields))
    assert [event.data["access"] for event in events] == [access]
    state = hass.states.get(ACCESS)
    assert state is not None
    assert state.attributes["event_type"] == access


def test_logbook_never_reads_unknown_as_granted() -> None:
    """The logbook sentence of an `unknown` record says it was not granted."""
    name, text = recognition_line("Front door", {"access": "unknown", "person_name": "Alice"})
    assert (name, text) == (
        "Alice",
        "was recognised at Front door with an unknown status (not granted)",
    )


NAN_RECORD = (
    b'{"operator":"RecPush","info":{"facesluiceId":"1305433","customId":"alice-01",'
    b'"VerifyStatus":"1","similarity1":NaN,"similarity2":Infinity,"temperature":-Infinity,'
    b'"PushType":1e999,"otype":' + b"9" * 400 + b',"time":[2026,1,1],"direction":{"in":1},'
    b'"RecordID":1e999,"left":"NaN","top":1,"right":2,"bottom":3}}'
)


async def test_nan_huge_numbers_and_wrong_types_become_absent(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """NaN, infinities, 400-digit numbers and wrong types: absent fields, granted stays exact."""
    events = capture(hass)
    await deliver(hass, REC_TOPIC, NAN_RECORD)
    (event,) = events
    assert event.data["access"] == "access_granted"
    assert event.data["custom_id"] == "alice-01"
    for absent in ("similarity", "temperature", "direction"):
        assert absent not in event.data
    assert event.data["record_id"] is None
    assert event.data["replay"] is False  # an infinite PushType is no PushType at all


# --- limits on text -------------------------------------------------------------------------


async def test_huge_name_is_cut_everywhere(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """A 1 MiB `persionName` is cut to the name limit on the bus, entities and in the log."""
    caplog.set_level(logging.DEBUG)
    events = capture(hass)
    await deliver(hass, REC_TOPIC, person(persionName="N" * MIB, customId="c" * 100_000))
    (event,) = events
    assert event.data["person_name"] == "N" * (MAX_NAME_LENGTH - 1) + "…"
    assert "custom_id" not in event.data  # 100 kB is no ID: dropped, never cut
    state = hass.states.get(LAST_PERSON)
    assert state is not None
    assert state.state == event.data["person_name"]
    access = hass.states.get(ACCESS)
    assert access is not None
    assert access.attributes["person_name"] == event.data["person_name"]
    # Ours at any level, anybody's warnings and errors (HA core logged 1 MiB at ERROR
    # before); the MQTT client's own debug line of the raw payload is HA's, bounded by HA.
    checked = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components") or record.levelno >= logging.WARNING
    ]
    assert all(len(message) < 4096 for message in checked)


@pytest.mark.parametrize(
    "name",
    [
        "Ali\x00ce",
        "\u202eAlice",
        "Al\u2066ice\u2069",
        "Ali\nce\r\n",
        "<script>Alice</script>",
        "\x1b[31mAlice",
        "Alice\ud800",
    ],
    ids=repr,
)
async def test_poisoned_names_are_cleaned(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, name: str
) -> None:
    """NUL, bidi overrides, line breaks, escapes, tags and lone surrogates never get through."""
    events = capture(hass)
    payload = json.dumps(
        {
            "operator": "RecPush",
            "info": {
                "facesluiceId": TERMINAL_ID,
                "customId": "a1",
                "persionName": name,
                "facesluiceName": name,
            },
        }
    ).encode()
    await deliver(hass, REC_TOPIC, payload)
    (event,) = events
    shown = event.data["person_name"]
    assert "Ali" in shown
    state = hass.states.get(LAST_PERSON)
    assert state is not None
    for text in (shown, state.state, *map(str, state.attributes.values())):
        assert not any(bad in text for bad in POISON), text
        text.encode("utf-8")  # storable: no lone surrogate


async def test_qr_code_text_is_bounded_and_cleaned(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Scanned text is bounded too (QR codes: 512 characters) and loses control characters."""
    events = capture(hass)
    await deliver(hass, QR_TOPIC, payloads.qr_push(code="Q\x00R\u202e" + "x" * MIB))
    (event,) = events
    assert event.data["code"].startswith("QR")
    assert len(event.data["code"]) == 512
    assert "\x00" not in event.data["code"]
    assert "\u202e" not in event.data["code"]
    assert MAX_TEXT_LENGTH < 512


async def test_five_mb_record_of_a_person_still_counts_without_its_picture(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A 5 MB picture field is refused as too large; the passage itself is kept."""
    events = capture(hass)
    await deliver(hass, REC_TOPIC, person(pic="data:image/jpeg;base64," + "/9j/" * (5 * MIB // 4)))
    (event,) = events
    assert event.data["access"] == "access_granted"
    assert runtime_of(loaded_entry).state.last_face is None


# --- similarity and replays -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "similarity"),
    [
        # ID-card verification (otype 2, with the mask/temperature flags too): similarity2.
        ({"otype": "2", "personId": "0", "similarity1": "0", "similarity2": "91.5"}, 91.5),
        ({"otype": "770", "personId": "0", "similarity1": "0", "similarity2": "88"}, 88.0),
        # Whitelist + ID card: both checks decided, the weaker score is reported.
        ({"otype": "3", "similarity1": "95", "similarity2": "82"}, 82.0),
        ({"otype": "1", "similarity1": "83.000000", "similarity2": "0"}, 83.0),
        ({"otype": "1", "similarity1": "250"}, None),  # outside 0..100: not a score
    ],
    ids=repr,
)
async def test_similarity_that_decided_the_record(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    fields: dict[str, Any],
    similarity: float | None,
) -> None:
    """The score reported is the one that decided the record (issue 9.7)."""
    events = capture(hass)
    await deliver(hass, REC_TOPIC, person(**fields))
    (event,) = events
    assert event.data.get("similarity") == similarity


@pytest.mark.parametrize(
    ("fields", "replay"),
    [
        ({"Sendintime": 1, "PushType": "0"}, False),
        ({"Sendintime": 0, "PushType": "0"}, True),  # re-sent after an outage
        ({"Sendintime": "0"}, True),
        ({"PushType": "2", "Sendintime": 1}, True),  # ManualPushRecords
        ({"PushType": 1}, True),  # reserved: not a live push
        ({}, False),  # unmarked: live
    ],
    ids=repr,
)
async def test_replay_for_every_marking(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, fields: dict[str, Any], replay: bool
) -> None:
    """Every way a terminal marks a re-sent record sets `replay` (issue 9.9)."""
    events = capture(hass)
    await deliver(hass, REC_TOPIC, person(**fields))
    (event,) = events
    assert event.data["replay"] is replay


async def test_stranger_replay_after_outage(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A stranger snapshot re-sent after an outage is a replay too."""
    events = capture(hass)
    snap = json.loads(payloads.str_snap_push())
    snap["info"]["Sendintime"] = 0
    await deliver(hass, SNAP_TOPIC, dump(snap))
    (event,) = events
    assert event.data["replay"] is True


# --- presence and discovery -----------------------------------------------------------------


async def test_online_with_a_huge_name(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """A 1 MiB `facesname` does not become the terminal's name uncut."""
    runtime = runtime_of(loaded_entry)
    runtime.state.name = None
    await deliver(hass, BASIC_TOPIC, payloads.online(name="\u202e" + "n" * MIB))
    assert runtime.state.name == "n" * (MAX_NAME_LENGTH - 1) + "…"


def discovery(topic: str, payload: bytes) -> MqttServiceInfo:
    return MqttServiceInfo(
        topic=topic, payload=payload, qos=0, retain=False, subscribed_topic=topic, timestamp=0.0
    )


async def test_discovery_card_name_is_bounded(hass: HomeAssistant, mqtt_mock: Any) -> None:
    """An `Online` with a 1 MiB name offers the terminal under a bounded, clean name."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": "mqtt"},
        data=discovery(BASIC_TOPIC, payloads.online("4242", name="<b>" + "n" * MIB + "\x00")),
    )
    assert result["type"] is FlowResultType.FORM
    name = result["description_placeholders"]["name"]
    assert len(name) == MAX_NAME_LENGTH
    assert "<" not in name
    assert "\x00" not in name


@pytest.mark.parametrize(
    "terminal_id",
    ["9" * 100_000, "a/b", "+", "x" * 65, "\u202e1305433", "1305433\x00", "  "],
    ids=lambda value: repr(value[:12]),
)
async def test_heartbeat_with_an_impossible_terminal_id_offers_nothing(
    hass: HomeAssistant, mqtt_mock: Any, terminal_id: str
) -> None:
    """A heartbeat whose ID cannot be a terminal ID starts no discovery card."""
    payload = dump({"operator": "HeartBeat", "info": {"facesluiceId": terminal_id}})
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": "mqtt"}, data=discovery(HEARTBEAT_TOPIC, payload)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] in ("invalid_discovery_info", "no_terminal_id")
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
