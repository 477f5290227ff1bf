"""Record helpers of `events` not reached through the runtime."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from homeassistant.util import dt as dt_util

from custom_components.face_terminal import protocol
from custom_components.face_terminal.events import build_record, record_time

from . import payloads
from .payloads import QR_TOPIC, REC_TOPIC, SNAP_TOPIC

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


async def test_record_time(hass: HomeAssistant) -> None:
    """Zone-less terminal times are local; aware times are converted; none is now."""
    zone = dt_util.get_default_time_zone()
    assert record_time(datetime(2026, 11, 22, 10, 0)) == datetime(2026, 11, 22, 10, 0, tzinfo=zone)
    aware = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
    converted = record_time(aware)
    assert converted == aware
    assert converted.tzinfo == zone
    assert record_time(None).tzinfo is not None


def test_is_access() -> None:
    """Recognitions and strangers belong on the access entity; scans do not."""
    rec = protocol.parse_message(REC_TOPIC, payloads.rec_push())
    qr = protocol.parse_message(QR_TOPIC, payloads.qr_push())
    assert isinstance(rec, protocol.RecPush)
    assert isinstance(qr, protocol.QRCodePush)
    assert build_record(rec, device_id="d", terminal_id="t").is_access
    assert not build_record(qr, device_id="d", terminal_id="t").is_access


def test_record_contract_for_strangers_and_scans() -> None:
    """Strangers and scans name nobody: no last person, no person attributes."""
    snap = protocol.parse_message(SNAP_TOPIC, payloads.str_snap_push())
    qr = protocol.parse_message(QR_TOPIC, payloads.qr_push())
    assert isinstance(snap, protocol.StrSnapPush)
    assert isinstance(qr, protocol.QRCodePush)
    stranger = build_record(snap, device_id="d", terminal_id="t")
    scan = build_record(qr, device_id="d", terminal_id="t")
    for record in (stranger, scan):
        assert record.recognized_person is None
        assert record.person_attributes == {}
    assert (stranger.is_scan, scan.is_scan) == (False, True)
    assert scan.temperature is None
    assert scan.event_attributes == {"code": "https://u.example/123456ABCD"}
    assert stranger.context is not scan.context
