"""Pushes: RecPush / StrSnapPush pictures, resume-from-breakpoint, other pushes."""

from __future__ import annotations

import base64
import io
import re
import time
from typing import TYPE_CHECKING

from PIL import Image

from .conftest import FIRST_ID, PREFIX, Platform, TerminalFactory

if TYPE_CHECKING:
    from simulator import Terminal

REC = f"{PREFIX}/{FIRST_ID}/Rec"
SNAP = f"{PREFIX}/{FIRST_ID}/Snap"
ACK = f"{PREFIX}/{FIRST_ID}/Ack"


def decode_picture(value: str) -> Image.Image:
    assert value.startswith("data:image/jpeg;base64,")
    data = base64.b64decode(value.partition(",")[2])
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_recpush_terminal_shape_and_jpeg(terminal: Terminal, platform: Platform) -> None:
    record_id = terminal.push_recognition("Alice", temperature=36.6)
    rec = platform.wait_on(REC, "RecPush")[0]
    info = rec.info
    assert set(rec.json) == {"operator", "info"}
    assert info["facesluiceId"] == FIRST_ID
    assert info["persionName"] == "Alice"
    assert "personName" not in info
    assert info["customId"] == "sim-alice"
    assert info["RecordID"] == str(record_id)
    assert info["VerifyStatus"] == "1"
    assert info["PersonType"] == "0"
    assert re.fullmatch(r"\d{2}\.000000", info["similarity1"])
    assert info["temperature"] == "36.60"
    assert info["direction"] in {"entr", "exit", "unknow"}
    assert info["Sendintime"] == 1
    assert all(isinstance(info[edge], str) for edge in ("left", "top", "right", "bottom"))
    assert "scene" not in info
    image = decode_picture(info["pic"])
    assert image.format == "JPEG"
    assert image.size[0] >= 40


def test_record_ids_increase_and_blocklist(terminal: Terminal, platform: Platform) -> None:
    first = terminal.push_recognition("sim-bob")
    second = terminal.push_recognition("Mallory")
    third = terminal.push_recognition("Dave")  # enrolled on the device UI: no customId
    assert first < second < third
    recs = platform.wait_on(REC, "RecPush", count=3)
    by_id = {rec.info["RecordID"]: rec.info for rec in recs}
    assert by_id[str(second)]["VerifyStatus"] == "2"
    assert by_id[str(second)]["PersonType"] == "1"
    assert by_id[str(third)]["customId"] == ""


def test_picture_size_is_configurable(make_terminal: TerminalFactory, platform: Platform) -> None:
    terminal = make_terminal(picture_kb=100)
    terminal.push_recognition("Bob")
    rec = platform.wait_on(REC, "RecPush")[0]
    size = len(base64.b64decode(rec.info["pic"].partition(",")[2]))
    assert 95 * 1024 <= size <= 100 * 1024
    decode_picture(rec.info["pic"])


def test_stranger_snap(terminal: Terminal, platform: Platform) -> None:
    snap_id = terminal.push_stranger()
    snap = platform.wait_on(SNAP, "StrSnapPush")[0]
    assert snap.info["SnapID"] == str(snap_id)
    assert snap.info["facesluiceId"] == FIRST_ID
    decode_picture(snap.info["pic"])


def test_resume_resends_until_pushack(make_terminal: TerminalFactory, platform: Platform) -> None:
    terminal = make_terminal(resume=True, resend_interval=0.2)
    record_id = terminal.push_recognition("Alice")
    copies = platform.wait_on(REC, "RecPush", count=2)
    assert {copy.info["RecordID"] for copy in copies} == {str(record_id)}
    assert terminal.pending_records[0].record_id == record_id

    message_id = platform.command(
        FIRST_ID, "PushAck", {"PushAckType": "2", "SnapOrRecordID": str(record_id)}
    )
    ack = platform.ack_for(FIRST_ID, message_id)
    assert ack.operator == "PushAck-Ack"
    assert ack.json["code"] == "200"
    assert ack.info == {
        "facesluiceId": FIRST_ID,
        "PushAckType": "2",
        "SnapOrRecordID": str(record_id),
        "result": "ok",
    }
    assert terminal.pending_records == []
    time.sleep(0.1)
    sent = len(platform.on(REC, "RecPush"))
    time.sleep(0.5)
    assert len(platform.on(REC, "RecPush")) == sent


def test_resume_stranger_ack_with_int_id(
    make_terminal: TerminalFactory, platform: Platform
) -> None:
    terminal = make_terminal(resume=True, resend_interval=0.2)
    snap_id = terminal.push_stranger()
    platform.wait_on(SNAP, "StrSnapPush", count=2)
    platform.call(FIRST_ID, "PushAck", {"PushAckType": 1, "SnapOrRecordID": snap_id})
    assert terminal.wait_for(lambda: terminal.pending_records == [], 2)


def test_pushack_can_open_the_door(make_terminal: TerminalFactory, platform: Platform) -> None:
    terminal = make_terminal(resume=True)
    record_id = terminal.push_recognition("Alice")
    platform.wait_on(REC, "RecPush")
    platform.call(
        FIRST_ID,
        "PushAck",
        {"PushAckType": "2", "SnapOrRecordID": record_id, "openDoor": "1", "showInfo": "Hi"},
    )
    assert terminal.unlock_count == 1
    assert terminal.show_infos == ["Hi"]


def test_qr_card_and_id_card_pushes(terminal: Terminal, platform: Platform) -> None:
    assert terminal.push_qr("https://u.wechat.com/123456ABCD")
    assert terminal.push_card(86664719)
    assert terminal.push_id_card(name="Wang Wu")
    qr = platform.wait_on(f"{PREFIX}/{FIRST_ID}/QRCode", "QRCodePush")[0]
    assert qr.info["QRCodeInfo"] == "https://u.wechat.com/123456ABCD"
    card = platform.wait_on(f"{PREFIX}/{FIRST_ID}/card", "CardPush")[0]
    assert card.info["CardInfo"]["CardNum"] == "86664719"
    id_card = platform.wait_on(f"{PREFIX}/{FIRST_ID}/IDcard", "IDCardPush")[0]
    assert id_card.info["IDCardInfo"]["IDCard_Name"] == "Wang Wu"
    assert decode_picture(id_card.info["IDCardInfo"]["IDCard_photo"]).size == (102, 126)


def test_alarm_push_and_temperature_flag(terminal: Terminal, platform: Platform) -> None:
    """AIO-V2.0.3's AlarmInfoPush on /Alarm; temperatureAlarm 1 at or over the threshold."""
    before = time.time()
    assert terminal.push_alarm(3, "Tamper switch", status=1)
    alarm = platform.wait_on(f"{PREFIX}/{FIRST_ID}/Alarm", "AlarmInfoPush")[0]
    assert alarm.info["facesluiceId"] == FIRST_ID
    assert alarm.info["code"] == "3"
    assert alarm.info["description"] == "Tamper switch"
    assert alarm.info["status"] == "1"
    assert int(alarm.info["event_time"]) >= int(before * 1000) - 1000  # epoch ms as text

    terminal.push_recognition("Alice", temperature=38.2)
    terminal.push_recognition("Alice", temperature=36.6)
    flags = [rec.info["temperatureAlarm"] for rec in platform.wait_on(REC, "RecPush", count=2)]
    assert flags == ["1", "0"]  # the default threshold is 37.3


def test_camera_profile(make_terminal: TerminalFactory, platform: Platform) -> None:
    terminal = make_terminal(profile="camera")
    record_id = terminal.push_recognition("Alice")
    info = platform.wait_on(REC, "RecPush")[0].info
    assert info["personName"] == "Alice"
    assert "persionName" not in info
    assert info["RecordID"] == record_id
    assert isinstance(info["VerifyStatus"], int)
    assert isinstance(info["similarity1"], float)
    assert isinstance(info["PushType"], int)
    box = info["targetPosInScene"]
    assert len(box) == 4
    assert all(isinstance(value, int) for value in box)
    assert "left" not in info
    assert decode_picture(info["scene"]).size == (960, 540)


def test_toplevel_and_pretty_profiles(make_terminal: TerminalFactory, platform: Platform) -> None:
    terminal = make_terminal(profile="terminal+toplevel+pretty")
    terminal.push_recognition("Bob")
    rec = platform.wait_on(REC, "RecPush")[0]
    assert rec.json["facesluiceId"] == FIRST_ID
    assert "facesluiceId" not in rec.info
    assert b"\r\n" in rec.raw
    assert b'"operator": "RecPush"' in rec.raw
    online = platform.wait_on(f"{PREFIX}/basic", "Online")[0]
    assert online.json["facesluiceId"] == FIRST_ID
