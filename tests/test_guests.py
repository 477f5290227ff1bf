"""Guest passes: issue, scan, open, refuse; storage, rate limit, bad input, no leaks."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.face_terminal.const import DOMAIN, EVENT_SCAN
from custom_components.face_terminal.guests import EVENT_GUEST_PASS, GuestPasses
from custom_components.face_terminal.guests import passes as passes_module
from custom_components.face_terminal.guests.manager import STORAGE_KEY, welcome_text
from custom_components.face_terminal.guests.passes import (
    FailedScans,
    GuestPass,
    check,
    is_pass_code,
    new_pass,
    pass_id_of,
)

from . import payloads
from .conftest import TerminalResponder, fire
from .payloads import COMMAND_TOPIC, TERMINAL_ID

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import Event, HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

QR_TOPIC = f"{COMMAND_TOPIC}/QRCode"


def scan_payload(code: str, *, live: bool = True, age: float = 0.0) -> bytes:
    """A `QRCodePush` as the terminal sends it now (or re-sends it after an outage)."""
    when = dt_util.now().replace(tzinfo=None) - timedelta(seconds=age)
    info: dict[str, Any] = {
        "facesluiceId": TERMINAL_ID,
        "facesluiceName": "Face1",
        "QRCodeInfo": code,
        "time": when.strftime("%Y-%m-%d %H:%M:%S"),
    }
    if not live:
        info["Sendintime"] = 0
    return json.dumps({"operator": "QRCodePush", "info": info}).encode()


async def call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=service != "revoke_guest_pass"
    )


async def create(hass: HomeAssistant, device_id: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("valid_until", dt_util.now() + timedelta(hours=2))
    data = {"device_id": device_id, "label": "Plumber", **fields}
    return dict(await call(hass, "create_guest_pass", data))


@pytest.fixture
def guest_events(hass: HomeAssistant) -> list[Event]:
    return async_capture_events(hass, EVENT_GUEST_PASS)


@pytest.fixture
def scan_events(hass: HomeAssistant) -> list[Event]:
    return async_capture_events(hass, EVENT_SCAN)


async def scan(hass: HomeAssistant, code: str, **options: Any) -> None:
    fire(hass, QR_TOPIC, scan_payload(code, **options))
    await hass.async_block_till_done()


# --- the pure part -------------------------------------------------------------------------


def make(now: Any, **fields: Any) -> tuple[GuestPass, str]:
    options: dict[str, Any] = {
        "label": "Guest",
        "terminals": ("t1",),
        "valid_from": None,
        "valid_until": now + timedelta(hours=1),
        "uses": None,
        "now": now,
    }
    options.update(fields)
    return new_pass(**options)


def test_code_has_enough_randomness_and_no_stored_secret() -> None:
    now = dt_util.utcnow()
    guest_pass, code = make(now)
    assert passes_module.SECRET_BYTES * 8 >= 128
    secret = code[14:]
    assert len(secret) >= 27  # 20 bytes in URL-safe base64
    assert secret not in json.dumps(guest_pass.as_dict())
    assert GuestPass.from_dict(guest_pass.as_dict()) == guest_pass
    assert is_pass_code(code)
    assert not is_pass_code(None)
    assert not is_pass_code("https://example.com")
    assert pass_id_of(code) == guest_pass.pass_id
    assert pass_id_of("FTG1-nothing") is None


def test_check_reasons() -> None:
    now = dt_util.utcnow()
    guest_pass, code = make(now, uses=1)
    passes = {guest_pass.pass_id: guest_pass}
    assert check(code, passes, "t1", now).reason is None
    assert check(code, passes, "t2", now).reason == "wrong_terminal"
    assert check(code + "x", passes, "t1", now).reason == "unknown"
    assert check("FTG1-garbage", passes, "t1", now).reason == "unknown"
    other, other_code = make(now)
    assert check(other_code, passes, "t1", now).reason == "unknown"
    assert check(code, passes, "t1", now + timedelta(hours=2)).reason == "expired"
    used = guest_pass.used()
    assert used.uses_left == 0
    assert check(code, {used.pass_id: used}, "t1", now).reason == "used_up"
    assert used.refunded().uses_left == 1
    revoked = GuestPass.from_dict({**guest_pass.as_dict(), "revoked": True})
    assert check(code, {revoked.pass_id: revoked}, "t1", now).reason == "revoked"
    later, later_code = make(now, valid_from=now + timedelta(minutes=5))
    assert check(later_code, {later.pass_id: later}, "t1", now).reason == "not_yet_valid"
    unlimited = other.used()
    assert unlimited.uses_left is None
    assert unlimited.refunded().uses == 0


def test_failed_scans_block_after_threshold() -> None:
    limiter = FailedScans(threshold=3, window=10.0, block=30.0)
    assert not limiter.failed(0.0)
    assert not limiter.failed(1.0)
    assert not limiter.failed(20.0)  # the first two fell out of the window
    assert not limiter.failed(21.0)
    assert limiter.failed(22.0)
    assert limiter.blocked(30.0)
    assert not limiter.blocked(52.0)
    assert limiter.total == 5


def test_welcome_text_fits_the_screen() -> None:
    assert welcome_text("Bob") == "Welcome Bob"
    assert len(welcome_text("访" * 32).encode()) <= 63


# --- in Home Assistant ---------------------------------------------------------------------


async def test_pass_opens_the_door(  # noqa: PLR0917 - fixtures
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    guest_events: list[Event],
    scan_events: list[Event],
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    created = await create(hass, device_id, uses=2)
    code = created["code"]
    assert created["label"] == "Plumber"
    assert created["uses"] == 2
    await scan(hass, code)
    assert terminal.last("Unlock")["info"]["showInfo"] == "Welcome Plumber"
    assert [e.data["result"] for e in guest_events] == ["used"]
    data = guest_events[0].data
    assert data["pass_id"] == created["pass_id"]
    assert data["label"] == "Plumber"
    assert data["uses_left"] == 1
    assert data["terminal_id"] == TERMINAL_ID
    assert scan_events == []  # the code never goes out as a scan
    secret = code[14:]
    assert secret not in json.dumps([e.data for e in guest_events])
    assert secret not in json.dumps(hass_storage[STORAGE_KEY])
    # Home Assistant's MQTT client logs raw payloads at debug level: not ours to filter.
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("homeassistant.comp")]
    assert secret not in "\n".join(ours)

    listed = await call(hass, "list_guest_passes", {})
    assert listed["passes"][0]["uses_left"] == 1
    assert listed["passes"][0]["status"] == "active"
    assert secret not in json.dumps(listed)


async def test_other_qr_codes_stay_scan_events(
    hass: HomeAssistant, device_id: str, scan_events: list[Event], guest_events: list[Event]
) -> None:
    await scan(hass, "https://u.example/1")
    assert len(scan_events) == 1
    assert guest_events == []


@pytest.mark.parametrize(
    ("reason", "setup"),
    [
        ("unknown", "unknown"),
        ("revoked", "revoked"),
        ("used_up", "used_up"),
        ("wrong_terminal", "wrong_terminal"),
        ("replayed", "replayed"),
        ("replayed", "stale"),
        ("not_yet_valid", "not_yet_valid"),
    ],
)
async def test_refusals_never_open(  # noqa: PLR0917 - fixtures and parameters
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    guest_events: list[Event],
    reason: str,
    setup: str,
) -> None:
    fields: dict[str, Any] = {"uses": 1} if setup == "used_up" else {}
    if setup == "not_yet_valid":
        fields["valid_from"] = dt_util.now() + timedelta(hours=1)
    created = await create(hass, device_id, **fields)
    code = created["code"]
    manager: GuestPasses = hass.data[f"{DOMAIN}_guest_passes"]
    options: dict[str, Any] = {}
    if setup == "unknown":
        code = code[:-2] + ("AA" if not code.endswith("AA") else "BB")
    elif setup == "revoked":
        await call(hass, "revoke_guest_pass", {"pass_id": created["pass_id"]})
    elif setup == "used_up":
        await scan(hass, code)
        guest_events.clear()
        terminal.commands.clear()
    elif setup == "wrong_terminal":
        stored = manager.passes[created["pass_id"]]
        manager.passes[stored.pass_id] = GuestPass.from_dict(
            {**stored.as_dict(), "terminals": ["another"]}
        )
    elif setup == "replayed":
        options["live"] = False
    elif setup == "stale":
        options["age"] = 600.0
    await scan(hass, code, **options)
    assert "Unlock" not in terminal.operators()
    assert [(e.data["result"], e.data["reason"]) for e in guest_events] == [("refused", reason)]


async def test_expired_pass(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    guest_events: list[Event],
    freezer: FrozenDateTimeFactory,
) -> None:
    created = await create(hass, device_id, valid_until=dt_util.now() + timedelta(minutes=1))
    freezer.tick(timedelta(minutes=2))
    await scan(hass, created["code"])
    assert "Unlock" not in terminal.operators()
    assert guest_events[0].data["reason"] == "expired"
    listed = await call(hass, "list_guest_passes", {})
    assert listed["passes"][0]["status"] == "expired"


async def test_repeated_failures_are_rate_limited(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    guest_events: list[Event],
    loaded_entry: MockConfigEntry,
) -> None:
    created = await create(hass, device_id)
    for number in range(5):
        await scan(hass, f"FTG1-0000000{number}-{'A' * 27}")
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"guest_pass_scans_{TERMINAL_ID}")
    assert issue is not None
    assert issue.translation_placeholders == {"name": "Front door", "count": "5", "seconds": "60"}
    await scan(hass, created["code"])  # even a valid pass waits while the terminal is blocked
    assert "Unlock" not in terminal.operators()
    assert guest_events[-1].data["reason"] == "rate_limited"


async def test_door_failure_gives_the_use_back(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, guest_events: list[Event]
) -> None:
    created = await create(hass, device_id, uses=1)
    terminal.replies["Unlock"] = lambda cmd: payloads.ack(
        "Unlock", cmd["messageId"], code="462", result="fail"
    )
    await scan(hass, created["code"])
    assert guest_events[-1].data["reason"] == "door_failed"
    assert guest_events[-1].data["uses_left"] == 1
    del terminal.replies["Unlock"]
    await scan(hass, created["code"])
    assert guest_events[-1].data["result"] == "used"


async def test_passes_survive_a_restart(
    hass: HomeAssistant, device_id: str, hass_storage: dict[str, Any]
) -> None:
    created = await create(hass, device_id, uses=3)
    stored = hass_storage[STORAGE_KEY]["data"]["passes"]
    hass_storage[STORAGE_KEY]["data"]["passes"] = [*stored, {"pass_id": "broken"}]
    fresh = GuestPasses(hass)
    await fresh.async_load()
    await fresh.async_load()  # once only
    assert list(fresh.passes) == [created["pass_id"]]
    assert fresh.passes[created["pass_id"]].uses_left == 3
    assert check(created["code"], fresh.passes, TERMINAL_ID, dt_util.utcnow()).reason is None


async def test_remove_ended(hass: HomeAssistant, device_id: str) -> None:
    kept = await create(hass, device_id)
    gone = await create(hass, device_id)
    await call(hass, "revoke_guest_pass", {"pass_id": gone["pass_id"]})
    manager: GuestPasses = hass.data[f"{DOMAIN}_guest_passes"]
    assert await manager.async_remove_ended(dt_util.utcnow()) == 1
    assert await manager.async_remove_ended(dt_util.utcnow()) == 0
    assert list(manager.passes) == [kept["pass_id"]]


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"label": " "}, "guest_label_invalid"),
        ({"label": "x" * 33}, "guest_label_invalid"),
        ({"label": "a\nb"}, "guest_label_invalid"),
        ({"valid_until": None}, "guest_pass_unbounded"),
        ({"uses": 0}, "guest_uses_invalid"),
        ({"uses": 1001}, "guest_uses_invalid"),
        ({"valid_until": "2000-01-01 00:00:00"}, "guest_window_past"),
        ({"valid_from": "2099-01-01 00:00:00"}, "guest_window_invalid"),
    ],
)
async def test_create_bad_input(
    hass: HomeAssistant, device_id: str, fields: dict[str, Any], key: str
) -> None:
    data: dict[str, Any] = {
        "device_id": device_id,
        "label": "Guest",
        "valid_until": (dt_util.now() + timedelta(hours=1)).isoformat(),
        **fields,
    }
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "create_guest_pass", data)
    assert err.value.translation_key == key
    assert str(err.value) not in ("", key)


async def test_create_with_local_times(hass: HomeAssistant, device_id: str) -> None:
    created = await create(
        hass, device_id, valid_from="2030-01-01 08:00:00", valid_until="2030-01-01 18:00:00"
    )
    assert created["valid_from"].startswith("2030-01-01")
    assert created["uses"] is None


async def test_revoke_unknown(hass: HomeAssistant, device_id: str) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "revoke_guest_pass", {"pass_id": "deadbeef"})
    assert err.value.translation_key == "guest_pass_unknown"


async def test_create_needs_a_terminal(hass: HomeAssistant, device_id: str) -> None:
    with pytest.raises(ServiceValidationError):
        await call(
            hass,
            "create_guest_pass",
            {"device_id": "nope", "label": "x", "uses": 1},
        )
