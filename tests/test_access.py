"""Home Assistant as the access decision-maker (door mode 3, VerifyStatus 22)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.components.event import ATTR_EVENT_TYPE
from homeassistant.const import Platform
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.face_terminal.const import (
    CONF_ACCESS_DEFAULT,
    CONF_ACCESS_WINDOW,
    CONF_ACKNOWLEDGE_RECORDS,
    DOMAIN,
    EVENT_ACCESS_DECISION,
    EVENT_ACCESS_REQUEST,
    EVENT_RECOGNITION,
)
from custom_components.face_terminal.protocol.access import AccessDecision, DecidedBy

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import Event, HomeAssistant

ACCESS = "event.front_door_access"


@pytest.fixture(autouse=True)
def only_event() -> Generator[None]:
    """Set up only the event platform."""
    with patch("custom_components.face_terminal.PLATFORMS", [Platform.EVENT]):
        yield


def now_text(seconds_ago: float = 0.0) -> str:
    """A record time on the terminal's clock (HA's local time; no fixed date)."""
    moment = dt_util.now() - timedelta(seconds=seconds_ago)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def request_record(record_id: str = "381", **extra: Any) -> bytes:
    """A live recognition that waits for the platform (VerifyStatus 22)."""
    time = extra.pop("time", now_text())
    return payloads.rec_push(record_id=record_id, verify_status="22", time=time, extra=extra)


def push_acks(terminal: TerminalResponder) -> list[dict[str, Any]]:
    """The PushAck commands Home Assistant sent, as (info) dicts."""
    return [c["info"] for c in terminal.commands if c["operator"] == "PushAck"]


async def deliver(hass: HomeAssistant, payload: bytes) -> None:
    fire(hass, payloads.REC_TOPIC, payload)
    await hass.async_block_till_done()


async def answer(hass: HomeAssistant, request_id: str, grant: bool, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN,
        "answer_access_request",
        {"request_id": request_id, "grant": grant, **data},
        blocking=True,
    )


async def test_automation_grants_in_time(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """The request reaches the bus and the entity; the answer opens with its text."""
    requests = async_capture_events(hass, EVENT_ACCESS_REQUEST)
    decisions = async_capture_events(hass, EVENT_ACCESS_DECISION)
    recognitions = async_capture_events(hass, EVENT_RECOGNITION)

    await deliver(hass, request_record())

    [request] = requests
    data = request.data
    request_id = data["request_id"]
    assert data["record_id"] == "381"
    assert data["person_name"] == "Alice"
    assert data["custom_id"] == "alice-01"
    assert data["default"] == "deny"
    assert data["terminal_id"] == payloads.TERMINAL_ID
    assert data["device_id"] == loaded_entry.runtime_data.device_id
    assert push_acks(terminal) == []  # nothing before the decision
    state = hass.states.get(ACCESS)
    assert state.attributes[ATTR_EVENT_TYPE] == "awaiting_remote"
    assert state.attributes["request_id"] == request_id
    assert recognitions[0].data["access"] == "awaiting_remote"

    await answer(hass, request_id, True, message="Welcome Alice")
    await hass.async_block_till_done()

    assert push_acks(terminal) == [
        {
            "facesluiceId": payloads.TERMINAL_ID,
            "PushAckType": "2",
            "SnapOrRecordID": "381",
            "openDoor": 1,
            "showInfo": "Welcome Alice",
        }
    ]
    [decision] = decisions
    assert decision.data["granted"] is True
    assert decision.data["decided_by"] == "automation"
    assert decision.data["request_id"] == request_id
    state = hass.states.get(ACCESS)
    assert state.attributes[ATTR_EVENT_TYPE] == "access_granted"
    assert state.attributes["decided_by"] == "automation"
    assert state.attributes["person_name"] == "Alice"
    assert loaded_entry.runtime_data.access.pending_count == 0

    # Answering twice is an error the automation sees.
    with pytest.raises(ServiceValidationError) as err:
        await answer(hass, request_id, True)
    assert err.value.translation_key == "access_request_unknown"
    assert len(push_acks(terminal)) == 1


async def test_automation_denies(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """A refusal sends openDoor 0 with the text; an empty message leaves the terminal's."""
    requests = async_capture_events(hass, EVENT_ACCESS_REQUEST)
    await deliver(hass, request_record())
    await answer(hass, requests[0].data["request_id"], False, message="  ")
    await hass.async_block_till_done()
    [ack] = push_acks(terminal)
    assert ack["openDoor"] == 0
    assert "showInfo" not in ack
    assert hass.states.get(ACCESS).attributes[ATTR_EVENT_TYPE] == "access_denied"


async def test_nobody_answers_default_deny(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """After the window the default (deny) goes out; a late answer finds nothing."""
    requests = async_capture_events(hass, EVENT_ACCESS_REQUEST)
    decisions = async_capture_events(hass, EVENT_ACCESS_DECISION)
    await deliver(hass, request_record())
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2))
    await hass.async_block_till_done()
    assert push_acks(terminal) == []

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    [ack] = push_acks(terminal)
    assert ack["openDoor"] == 0
    assert decisions[0].data["decided_by"] == "default"
    assert decisions[0].data["granted"] is False
    with pytest.raises(ServiceValidationError):
        await answer(hass, requests[0].data["request_id"], True)
    assert len(push_acks(terminal)) == 1


async def test_default_grant_and_window_option(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """A user who chose "grant" gets the door opened when nobody answers."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_ACCESS_WINDOW: 2, CONF_ACCESS_DEFAULT: "grant"}
    )
    await setup_entry(hass, config_entry)
    requests = async_capture_events(hass, EVENT_ACCESS_REQUEST)
    await deliver(hass, request_record())
    assert requests[0].data["default"] == "grant"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3))
    await hass.async_block_till_done()
    [ack] = push_acks(terminal)
    assert ack["openDoor"] == 1
    assert hass.states.get(ACCESS).attributes["decided_by"] == "default"


@pytest.mark.parametrize(
    "extra",
    [
        {"Sendintime": 0},  # re-sent after an outage (resume from breakpoint)
        {"PushType": "2"},  # manual re-push (ManualPushRecords)
        {"time": "old"},  # an hour old on the terminal's clock
    ],
)
async def test_replayed_record_never_opens(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    extra: dict[str, Any],
) -> None:
    """Even with default "grant", a record that is not live is refused at once."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={CONF_ACCESS_DEFAULT: "grant"})
    await setup_entry(hass, config_entry)
    requests = async_capture_events(hass, EVENT_ACCESS_REQUEST)
    decisions = async_capture_events(hass, EVENT_ACCESS_DECISION)
    if extra.get("time") == "old":
        extra = {"time": now_text(seconds_ago=3600)}
    await deliver(hass, request_record(**extra))
    assert requests == []
    [ack] = push_acks(terminal)
    assert ack["openDoor"] == 0
    assert decisions[0].data["decided_by"] == "replay"
    assert "request_id" not in decisions[0].data
    # No live arrival on the entity either.
    assert hass.states.get(ACCESS).attributes.get(ATTR_EVENT_TYPE) is None


async def test_record_decided_before_never_opens_again(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """Our PushAck got lost and the terminal re-sends a granted record: no second opening."""
    requests = async_capture_events(hass, EVENT_ACCESS_REQUEST)
    await deliver(hass, request_record())
    await answer(hass, requests[0].data["request_id"], True)
    await deliver(hass, request_record())
    await hass.async_block_till_done()
    assert [ack["openDoor"] for ack in push_acks(terminal)] == [1, 0]
    assert len(requests) == 1


async def test_terminal_resend_while_waiting_keeps_one_request(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """A copy of a record that still waits is neither a new request nor a refusal."""
    requests = async_capture_events(hass, EVENT_ACCESS_REQUEST)
    await deliver(hass, request_record())
    await deliver(hass, request_record())
    assert len(requests) == 1
    assert push_acks(terminal) == []


async def test_mode_3_is_answered_even_without_acknowledging_records(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """The PushAck is the door's answer, so the acknowledge option does not switch it off."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={CONF_ACKNOWLEDGE_RECORDS: False})
    await setup_entry(hass, config_entry)
    requests = async_capture_events(hass, EVENT_ACCESS_REQUEST)
    await deliver(hass, request_record())
    await answer(hass, requests[0].data["request_id"], True)
    await hass.async_block_till_done()
    assert [ack["openDoor"] for ack in push_acks(terminal)] == [1]


async def test_other_records_are_acknowledged_as_before(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """A record the terminal decided itself gets the plain PushAck, no request."""
    requests = async_capture_events(hass, EVENT_ACCESS_REQUEST)
    await deliver(hass, payloads.rec_push(verify_status="1"))
    assert requests == []
    [ack] = push_acks(terminal)
    assert "openDoor" not in ack


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"message": "é" * 32}, "message_too_long"),
        ({"message": "two\nlines"}, "access_message_invalid"),
        ({"request_id": "nope"}, "access_request_unknown"),
    ],
)
async def test_bad_answers(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    data: dict[str, Any],
    key: str,
) -> None:
    """Bad input is refused with a translated error and sends nothing."""
    requests = async_capture_events(hass, EVENT_ACCESS_REQUEST)
    await deliver(hass, request_record())
    call = {"request_id": requests[0].data["request_id"], "grant": True, **data}
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "answer_access_request", call, blocking=True)
    assert err.value.translation_key == key
    assert push_acks(terminal) == []


async def test_unload_forgets_waiting_requests(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """Nothing is sent for a request after its terminal is unloaded."""
    await deliver(hass, request_record())
    assert loaded_entry.runtime_data.access.pending_count == 1
    runtime = loaded_entry.runtime_data
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=30))
    await hass.async_block_till_done()
    # Even a decision made just then is not sent any more.
    runtime.access._apply(AccessDecision("381", False, None, DecidedBy.REPLAY))
    await hass.async_block_till_done()
    assert push_acks(terminal) == []


async def test_unanswerable_record_id_is_logged(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A record ID no PushAck can carry (the parser bounds IDs, so only defensively)."""
    decisions: list[Event] = async_capture_events(hass, EVENT_ACCESS_DECISION)
    decision = AccessDecision("9" * 70, False, None, DecidedBy.REPLAY)
    loaded_entry.runtime_data.access._apply(decision)
    await hass.async_block_till_done()
    assert push_acks(terminal) == []
    assert decisions == []
    assert "cannot answer an access request" in caplog.text


async def test_controller_refuses_unknown_request(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The runtime method itself refuses a request that does not wait."""
    with pytest.raises(ServiceValidationError) as err:
        loaded_entry.runtime_data.access.async_answer("nope", grant=True, message=None)
    assert err.value.translation_key == "access_request_unknown"
