"""The simulator's scripted QR scanner and faces walking up: temporary persons' limits."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from simulator import images

from .conftest import FIRST_ID, PREFIX

if TYPE_CHECKING:
    from simulator import Terminal

    from .conftest import Platform

QR = f"{PREFIX}/{FIRST_ID}/QRCode"
REC = f"{PREFIX}/{FIRST_ID}/Rec"
SNAP = f"{PREFIX}/{FIRST_ID}/Snap"


def fmt(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def test_scanner_live_and_late(terminal: Terminal, platform: Platform) -> None:
    assert terminal.scan_qr("FTG1-abc")
    live = platform.wait_on(QR, "QRCodePush")[0]
    assert live.info["QRCodeInfo"] == "FTG1-abc"
    assert live.info["Sendintime"] == 1
    assert terminal.scan_qr("FTG1-def", late=300)
    late = platform.wait_on(QR, "QRCodePush", count=2)[1]
    assert late.info["Sendintime"] == 0
    sent = dt.datetime.strptime(late.info["time"], "%Y-%m-%d %H:%M:%S")
    assert terminal.device.now() - sent >= dt.timedelta(seconds=299)


def test_temporary_window(terminal: Terminal, platform: Platform) -> None:
    device = terminal.device
    person = device.store.add("visitor-1", "Visitor", picture=images.face_jpeg("Guest A"))
    now = device.now()
    person.temp_card_type = 1
    person.card_valid_begin = fmt(now - dt.timedelta(minutes=1))
    person.card_valid_end = fmt(now + dt.timedelta(minutes=1))
    assert terminal.present_face("Guest A")[0] == "rec"
    assert terminal.present_face("Someone else")[0] == "snap"
    person.card_valid_end = fmt(now - dt.timedelta(seconds=1))
    assert terminal.present_face("Guest A")[0] == "rec"
    records = platform.wait_on(REC, "RecPush", count=2)
    assert [str(r.info["VerifyStatus"]) for r in records[:2]] == ["1", "2"]
    person.temp_card_type = 2
    person.card_valid_begin = fmt(now - dt.timedelta(days=1, minutes=1))
    person.card_valid_end = fmt(now + dt.timedelta(days=1, minutes=1))
    assert device.admits(person)
    person.card_valid_end = "garbage"
    assert not device.admits(person)


def test_passages_are_counted(terminal: Terminal) -> None:
    device = terminal.device
    person = device.store.add("visitor-2", "Visitor", picture=images.face_jpeg("Guest B"))
    person.temp_card_type = 3
    person.effect_number = 2
    assert [device.admits(person) for _ in range(3)] == [True, True, False]
    person.temp_card_type = 0
    assert device.admits(person)
    person.person_type = 1
    assert not device.admits(person)
    assert json.dumps(person.effect_number) == "0"
