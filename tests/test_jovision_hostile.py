"""Hostile and broken Jovision input through the real webhook (issue 9, Jovision side).

Every body is POSTed to the receiver's webhook like a LAN host would, and the test asserts
its specific outcome: the documented error reply and the ``invalid`` counter, an identity
mismatch (ignored, counted, warned once), cut and cleaned text, or bounded discovery.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest
from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY

from custom_components.face_terminal.const import (
    CONF_HOST,
    DOMAIN,
    EVENT_RECOGNITION,
    JOVISION_MAX_BODY,
)
from custom_components.face_terminal.jovision import (
    MAX_PENDING_DISCOVERIES,
    MAX_TRACKED_DEVICES,
    JovisionReceiver,
)
from custom_components.face_terminal.protocol import (
    MAX_NAME_LENGTH,
    error_reply,
    keepalive_reply,
    push_reply,
)

from . import test_jovision_receiver as receiver_tests
from .test_jovision_receiver import HOST, LAST_PERSON, MAC, UUID, compare, keepalive, post, state

if TYPE_CHECKING:
    from homeassistant.core import Event, HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

# The receiver module's fixtures: the receiver entry, its HTTP client, a confirmed device.
receiver = receiver_tests.receiver
client = receiver_tests.client
device = receiver_tests.device

MIB = 1024 * 1024
POISON = ("\x00", "\u202e", "\u2066", "\n", "\r", "\x1b", "<", ">")


def receiver_of(entry: MockConfigEntry) -> JovisionReceiver:
    runtime = entry.runtime_data
    assert isinstance(runtime, JovisionReceiver)
    return runtime


def recognitions(hass: HomeAssistant) -> list[Event]:
    events: list[Event] = []
    hass.bus.async_listen(EVENT_RECOGNITION, events.append)
    return events


def offers(hass: HomeAssistant) -> list[str]:
    return [
        flow["context"]["unique_id"]
        for flow in hass.config_entries.flow.async_progress_by_handler(
            DOMAIN, include_uninitialized=True
        )
        if flow["context"]["source"] == SOURCE_INTEGRATION_DISCOVERY
    ]


# --- bodies that are no message ---------------------------------------------------------------


def nested(depth: int) -> bytes:
    return b'{"x":' * depth + b"1" + b"}" * depth


INVALID: list[tuple[str, bytes]] = [
    ("truncated_json", compare()[:-9]),
    ("empty", b""),
    ("list", b"[" + keepalive() + b"]"),
    ("nested_10000", nested(10_000)),
    ("method_nested_10000", b'{"method":' + nested(10_000) + b"}"),
    ("no_method", json.dumps({"uuid": UUID, "mac": MAC}).encode()),
    ("uuid_100k_digits", keepalive(uuid="9" * 100_000)),
    ("uuid_with_slash", keepalive(uuid="../../etc")),
    ("uuid_with_bidi", keepalive(uuid="\u202e" + UUID)),
    ("uuid_object", keepalive(uuid={"id": UUID})),
    ("compare_naming_nobody", compare(index_id=0, pic_name="", person_name=" ")),
    ("compare_wrong_types", compare(index_id={"a": 1}, pic_name=["x.jpg"], person_name=False)),
    ("compare_name_only_controls", compare(index_id=None, pic_name="\x00\u202e.jpg")),
    ("number_too_long", b'{"method":"keepalive","timestamp":' + b"9" * 100_000 + b"}"),
]


@pytest.mark.parametrize("body", [case[1] for case in INVALID], ids=[c[0] for c in INVALID])
async def test_not_a_message_gets_the_error_reply(
    hass: HomeAssistant, client: Any, receiver: MockConfigEntry, body: bytes
) -> None:
    """Each gets the documented error body, is counted, fires nothing and offers nothing."""
    events = recognitions(hass)
    status, answer = await post(hass, client, body)
    assert (status, answer) == (HTTPStatus.OK, error_reply())
    assert receiver_of(receiver).counters["invalid"] == 1
    assert events == []
    assert offers(hass) == []


async def test_five_mb_body_is_refused(
    hass: HomeAssistant, client: Any, receiver: MockConfigEntry
) -> None:
    """5 MB is over the receiver's 4 MiB limit: 413 before parsing."""
    assert 5 * MIB > JOVISION_MAX_BODY
    status, _ = await post(hass, client, compare(img_data="A" * (5 * MIB)))
    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert receiver_of(receiver).counters["too_large"] == 1
    assert receiver_of(receiver).counters["invalid"] == 0


# --- the MAC binding --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "top",
    [{"mac": None}, {"mac": ""}, {"mac": "m" * MIB}, {"mac": "E0:62:90:AB:CD:EF\x00"}],
    ids=["absent", "blank", "1 MiB", "with NUL"],
)
async def test_bound_device_without_its_mac_is_a_mismatch(  # noqa: PLR0917
    hass: HomeAssistant,
    client: Any,
    receiver: MockConfigEntry,
    device: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    top: dict[str, Any],
) -> None:
    """Leaving the MAC out (or sending one that is none) does not bypass the binding."""
    events = recognitions(hass)
    body = json.loads(compare())
    if top["mac"] is None:
        del body["mac"]
    else:
        body["mac"] = top["mac"]
    for _ in range(2):
        status, answer = await post(hass, client, json.dumps(body).encode())
        assert (status, answer) == (HTTPStatus.OK, push_reply())
    assert events == []
    assert receiver_of(receiver).counters["identity_mismatch"] == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "first seen with MAC address" in warnings[0].getMessage()
    assert len(warnings[0].getMessage()) < 400
    # The real device, with its MAC, still gets through.
    await post(hass, client, compare())
    assert len(events) == 1


async def test_unbound_first_message_without_mac_binds_later(
    hass: HomeAssistant, client: Any, receiver: MockConfigEntry
) -> None:
    """Before any MAC is known there is nothing to bypass; the first MAC binds."""
    body = json.loads(keepalive())
    del body["mac"]
    await post(hass, client, json.dumps(body).encode())
    await post(hass, client, keepalive())
    await post(hass, client, json.dumps(body).encode())
    runtime = receiver_of(receiver)
    assert runtime.first_seen[UUID] == MAC
    assert runtime.counters["identity_mismatch"] == 1


# --- text limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["N" * MIB, "Ali\x00ce", "\u202eAlice", "Ali\nce", "<script>Alice</script>", "Alice\ud800"],
    ids=lambda name: repr(name[:12]),
)
@pytest.mark.usefixtures("all_entities_enabled")  # the last-person sensor, created disabled
async def test_names_are_cut_and_cleaned(
    hass: HomeAssistant, client: Any, device: MockConfigEntry, name: str
) -> None:
    """Person names reach the bus and the sensor bounded and without control characters."""
    events = recognitions(hass)
    body = json.dumps(json.loads(compare(person_name=name))).encode()
    status, _ = await post(hass, client, body)
    assert status == HTTPStatus.OK
    (event,) = events
    shown = event.data["person_name"]
    assert len(shown) <= MAX_NAME_LENGTH
    assert state(hass, LAST_PERSON).state == shown
    assert not any(bad in shown for bad in POISON)
    shown.encode("utf-8")


async def test_numbers_that_are_no_numbers(
    hass: HomeAssistant, client: Any, device: MockConfigEntry
) -> None:
    """NaN and infinite scores are absent; a list sent as a list is `unknown`, not a match."""
    events = recognitions(hass)
    body = compare(match_score=float("nan"), pic_sort=[2], quality=float("inf"))
    status, _ = await post(hass, client, body)
    assert status == HTTPStatus.OK
    (event,) = events
    assert "similarity" not in event.data
    assert event.data["list"] == "unknown"
    assert event.data["access"] == "unknown"  # an undocumented list could hide a blacklist


@pytest.mark.parametrize(
    "host", ["http://evil.example/login", "evil.example", "127.0.0.1", "0.0.0.0", "9" * 5000]
)
async def test_host_that_is_no_address_is_not_stored(
    hass: HomeAssistant, client: Any, device: MockConfigEntry, host: str
) -> None:
    """Only a unicast IP address literal may become the device's address."""
    await post(hass, client, keepalive(host=host))
    assert device.data[CONF_HOST] == HOST


# --- bounded discovery and maps -------------------------------------------------------------


async def test_unknown_uuids_cannot_flood_discovery(
    hass: HomeAssistant, client: Any, receiver: MockConfigEntry
) -> None:
    """At most MAX_PENDING_DISCOVERIES offers wait; a real device keeps its offer."""
    for number in range(MAX_PENDING_DISCOVERIES + 5):
        status, answer = await post(hass, client, keepalive(uuid=f"FAKE{number:04d}", mac=None))
        assert (status, answer) == (HTTPStatus.OK, keepalive_reply())
    assert len(offers(hass)) == MAX_PENDING_DISCOVERIES
    assert receiver_of(receiver).counters["offers_replaced"] == 5

    # A real device shows up later, and keeps sending keepalives among more fake ones.
    for number in range(3 * MAX_PENDING_DISCOVERIES):
        await post(hass, client, keepalive())
        await post(hass, client, keepalive(uuid=f"MORE{number:04d}", mac=None))
        assert UUID in offers(hass)
        assert len(offers(hass)) == MAX_PENDING_DISCOVERIES


async def test_receiver_maps_are_bounded(
    hass: HomeAssistant, client: Any, receiver: MockConfigEntry
) -> None:
    """The first-seen and mismatch maps forget the least recently heard devices."""
    runtime = receiver_of(receiver)
    for number in range(MAX_TRACKED_DEVICES + 40):
        runtime.async_process(
            _keepalive_message(
                f"D{number:05d}", f"02:00:00:00:{number // 256:02x}:{number % 256:02x}"
            )
        )
        runtime.async_process(_keepalive_message(f"D{number:05d}", "02:ff:ff:ff:ff:ff"))
    await hass.async_block_till_done()
    assert len(runtime.first_seen) == MAX_TRACKED_DEVICES
    assert len(runtime._mismatch_logged) == MAX_TRACKED_DEVICES
    assert "D00000" not in runtime.first_seen
    assert f"D{MAX_TRACKED_DEVICES + 39:05d}" in runtime.first_seen
    assert runtime.counters["identity_mismatch"] == MAX_TRACKED_DEVICES + 40
    assert len(offers(hass)) == MAX_PENDING_DISCOVERIES


def _keepalive_message(uuid: str, mac: str) -> Any:
    from custom_components.face_terminal.protocol import parse_jovision

    return parse_jovision(keepalive(uuid=uuid, mac=mac))
