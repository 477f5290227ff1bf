"""One test per quirk of notes/realworld-protocol.md (Q-01..Q-39) that affects this package.

Each test is named after its quirk. Quirks about platform or broker behaviour are tested
through the part of the package they touch (builders, topics, error texts).
"""

import json
from datetime import datetime
from typing import Any

import pytest

from custom_components.face_terminal.protocol import (
    BASIC_TOPIC,
    HEARTBEAT_TOPIC,
    Ack,
    BatchAck,
    BatchFailure,
    CardPush,
    Command,
    CommandError,
    EditPersonAck,
    FaceBox,
    HeartBeat,
    IDCardPush,
    ImageProblem,
    Message,
    Offline,
    Online,
    PersonSpec,
    PersonType,
    ProtocolError,
    PushAckAck,
    QRCodePush,
    RecPush,
    SceneSnapAck,
    StrSnapPush,
    TopicKind,
    UnknownMessage,
    VerifyStatus,
    build_delete_persons,
    build_edit_person,
    build_edit_persons_new,
    build_online_ack,
    build_push_ack,
    default_command_topic,
    describe_ack_error,
    error_meaning,
    parse_message,
    person_error_meaning,
    subscription_topics,
    topic_kind,
    topic_terminal_id,
)
from custom_components.face_terminal.protocol import commands as cmd
from custom_components.face_terminal.protocol.alarms import AlarmInfoPush

from .samples import BMP_B64, BMP_URI, JPEG, JPEG_B64, JPEG_URI, PNG_B64

TID = "1305433"
CT = f"mqtt/face/{TID}"
REC = f"{CT}/Rec"
SNAP = f"{CT}/Snap"
ACK = f"{CT}/Ack"


def parse(topic: str, body: dict[str, Any]) -> Message:
    return parse_message(topic, json.dumps(body).encode())


PERSON_KEYS = {"customId", "personId", "persionName", "personName", "Name", "name"}


def rec(**info: Any) -> RecPush:
    """A record; one without any person key gets a customId (no person: not a record)."""
    person = {} if PERSON_KEYS & info.keys() else {"customId": "staff-1"}
    message = parse(REC, {"operator": "RecPush", "info": {"facesluiceId": TID, **person, **info}})
    assert isinstance(message, RecPush)
    return message


def snap(topic: str = SNAP, **info: Any) -> StrSnapPush:
    message = parse(topic, {"operator": "StrSnapPush", "info": {"facesluiceId": TID, **info}})
    assert isinstance(message, StrSnapPush)
    return message


def command(data: Command) -> dict[str, Any]:
    body = json.loads(data.payload)
    assert isinstance(body, dict)
    return body


# --- A. envelope, identity, topics ---------------------------------------------------------


def test_q01_id_nested_in_info_top_level_fallback_and_test_shapes() -> None:
    nested = parse(HEARTBEAT_TOPIC, {"operator": "HeartBeat", "info": {"facesluiceId": TID}})
    assert nested.terminal_id == TID
    top = parse(HEARTBEAT_TOPIC, {"operator": "HeartBeat", "facesluiceId": TID, "info": {}})
    assert top.terminal_id == TID
    both = parse(
        BASIC_TOPIC, {"operator": "Online", "facesluiceId": "999", "info": {"facesluiceId": TID}}
    )
    assert both.terminal_id == TID
    for shape in ({"facesluiceId": TID}, {}, {"Time": "2024-01-01 00:00:00"}):
        with pytest.raises(ProtocolError):
            parse(HEARTBEAT_TOPIC, shape)


def test_q02_client_id_with_group_prefix() -> None:
    online = parse(
        BASIC_TOPIC, {"operator": "Online", "info": {"facesluiceId": "GID_face@@@1026700"}}
    )
    assert online.facesluice_id == "GID_face@@@1026700"
    assert online.terminal_id == "1026700"
    ack = parse(
        "mqtt/face/1026700/Ack",
        {"operator": "DelPerson-Ack", "info": {"facesluiceId": "GID_face@@@other", "result": "ok"}},
    )
    assert ack.terminal_id == "1026700"  # the topic decides
    assert ack.facesluice_id == "GID_face@@@other"


@pytest.mark.parametrize("key", ["facesluiceld", "facesIuiceId", "faceluiceId", "facesIuicId"])
def test_q03_misspelt_id_key(key: str) -> None:
    message = parse(BASIC_TOPIC, {"operator": "Online", "info": {key: TID}})
    assert message.terminal_id == TID
    push_ack = parse(
        ACK,
        {
            "operator": "PushAck-Ack",
            "info": {"facesluiceld": TID, "PushAckType": "2", "SnapOrRecordlD": "381"},
        },
    )
    assert isinstance(push_ack, PushAckAck)
    assert push_ack.record_id == "381"
    assert push_ack.facesluice_id == TID


def test_q04_ids_are_opaque_strings() -> None:
    for device in ("1026700", "005a213b000b93cc", "0001"):
        message = parse(f"mqtt/face/{device}/Snap", {"operator": "StrSnapPush", "info": {}})
        assert message.terminal_id == device
    numeric = parse(BASIC_TOPIC, {"operator": "Online", "info": {"facesluiceId": 1305433}})
    assert numeric.terminal_id == "1305433"


def test_q05_message_id_absent_on_device_messages() -> None:
    assert rec().message_id is None
    numeric = parse(BASIC_TOPIC, {"operator": "Online-Ack", "messageId": 10201, "info": {}})
    assert numeric.message_id == "10201"


def test_q12_configurable_prefix() -> None:
    topic = "mytimemqttattendance/face/1026700/Rec"
    assert topic_kind(topic) is TopicKind.REC
    assert topic_terminal_id(topic) == "1026700"
    message = parse(
        topic, {"operator": "RecPush", "info": {"facesluiceId": "1026700", "personId": "41"}}
    )
    assert message.terminal_id == "1026700"
    topics = subscription_topics("acme/doors/front/")
    assert "acme/doors/front/Rec" in topics
    assert default_command_topic("42") == "mqtt/face/42"


def test_q26_sub_topic_case() -> None:
    for suffix, kind in (
        ("IDCard", TopicKind.IDCARD),
        ("IDcard", TopicKind.IDCARD),
        ("Card", TopicKind.CARD),
        ("card", TopicKind.CARD),
        ("ack", TopicKind.ACK),
        ("rec", TopicKind.REC),
        ("QRcode", TopicKind.QRCODE),
        ("Alarm", TopicKind.ALARM),
    ):
        assert topic_kind(f"{CT}/{suffix}") is kind
        assert topic_terminal_id(f"{CT}/{suffix}") == TID
    topics = subscription_topics(CT)
    for suffix in ("Rec", "rec", "Ack", "ack", "IDcard", "IDCard", "card", "Card", "Alarm"):
        assert f"{CT}/{suffix}" in topics
    assert len(topics) == len(set(topics))
    message = parse(f"{CT}/ack", {"operator": "Unlock-Ack", "info": {"result": "ok"}})
    assert message.terminal_id == TID


def test_q27_own_commands_and_foreign_topics() -> None:
    built = build_push_ack(CT, TID, cmd.PUSH_ACK_RECORD, "381", message_id="m-1")
    topic, payload = built.topic, built.payload
    echo = parse_message(topic, payload)
    assert isinstance(echo, UnknownMessage)
    assert echo.operator == "PushAck"
    assert echo.message_id == "m-1"
    assert echo.terminal_id == TID
    assert set(echo.info_keys) == {"facesluiceId", "PushAckType", "SnapOrRecordID"}
    foreign = f"{CT}/recods/livelogs"
    assert topic_kind(foreign) is None
    assert topic_terminal_id(foreign) is None
    relayed = parse(
        foreign, {"operator": "RecPush", "info": {"facesluiceId": TID, "personId": "41"}}
    )
    assert isinstance(relayed, RecPush)
    assert relayed.terminal_id == TID
    loop = parse(BASIC_TOPIC, {"operator": "Online-Ack", "info": {"facesluiceId": TID}})
    assert isinstance(loop, Ack)  # our own Online-Ack looping back is not an Online


def test_q33_pretty_printed_crlf_with_bom() -> None:
    body = (
        '{\r\n    "operator" : "RecPush",\r\n    "info" : {\r\n'
        '        "facesluiceId" : "1305433",\r\n        "persionName" : "张三"\r\n    }\r\n}\r\n'
    )
    message = parse_message(REC, "\ufeff".encode() + body.encode())
    assert isinstance(message, RecPush)
    assert message.person_name == "张三"
    assert parse_message(REC, "\ufeff" + body).terminal_id == TID


def test_q35_every_command_names_the_terminal() -> None:
    assert command(build_online_ack(CT, TID))["info"]["facesluiceId"] == TID
    body = command(build_delete_persons(CT, TID, ["a", "b"]))
    assert body["info"]["facesluiceId"] == TID
    assert body["facesluiceId"] == TID


# --- B. presence ------------------------------------------------------------------------------


def test_q06_online_content() -> None:
    message = parse(
        BASIC_TOPIC,
        {
            "operator": "Online",
            "wifiIp": "10.0.0.9",
            "info": {"facesluiceId": "1026700", "usename": "admin", "facesname": "IPC1026700"},
        },
    )
    assert isinstance(message, Online)
    assert message.ip == "10.0.0.9"
    assert message.username == "admin"
    assert message.name == "IPC1026700"
    assert message.time is None


def test_q07_offline_will_without_time() -> None:
    will = parse(BASIC_TOPIC, {"operator": "Offline", "info": {"facesluiceId": TID}})
    assert isinstance(will, Offline)
    assert will.time is None
    graceful = parse(
        BASIC_TOPIC,
        {"operator": "Offline", "info": {"facesluiceId": TID, "time": "2020-05-12 15:11:10"}},
    )
    assert isinstance(graceful, Offline)
    assert graceful.time == datetime(2020, 5, 12, 15, 11, 10)


def test_q08_online_repeats_until_acked_with_result_ok() -> None:
    body = {"operator": "Online", "info": {"facesluiceId": TID, "time": "2020-05-12 15:11:10"}}
    assert parse(BASIC_TOPIC, body) == parse(BASIC_TOPIC, body)  # a repeat is the same event
    info = command(build_online_ack(CT, TID))["info"]
    assert info["result"] == "ok"


def test_q09_online_ack_on_command_topic_with_message_id() -> None:
    built = build_online_ack(CT, TID, message_id="10201")
    topic, payload = built.topic, built.payload
    assert topic == CT
    assert json.loads(payload) == {
        "operator": "Online-Ack",
        "messageId": "10201",
        "info": {"facesluiceId": TID, "result": "ok", "detail": ""},
    }


def test_q10_keep_alive_interval_readable_from_config_ack() -> None:
    message = parse(
        ACK,
        {
            "operator": "GetMQTTconfig-Ack",
            "info": {"facesluiceId": TID, "KeepAliveInterval": "60", "result": "ok"},
        },
    )
    assert isinstance(message, Ack)
    assert message.info["KeepAliveInterval"] == "60"


def test_q11_heartbeat_topic_without_id() -> None:
    message = parse(
        HEARTBEAT_TOPIC,
        {
            "operator": "HeartBeat",
            "info": {"facesluiceId": "1306612", "time": "2020-05-10 19:43:34"},
        },
    )
    assert isinstance(message, HeartBeat)
    assert topic_kind(HEARTBEAT_TOPIC) is None
    assert message.terminal_id == "1306612"


# --- C. recognition records ---------------------------------------------------------------------


def test_q13_persion_name_and_person_name() -> None:
    assert rec(persionName="Li").person_name == "Li"
    assert rec(personName="Li").person_name == "Li"
    assert rec(persionName="", personName="Li").person_name == "Li"
    assert rec(persionName="Li", personName=" ").person_name == "Li"
    assert rec(Name="Li").person_name == "Li"


def test_q14_numbers_as_strings() -> None:
    message = rec(
        RecordID="2",
        VerifyStatus="1",
        PersonType="0",
        similarity1="83.000000",
        similarity2="96.800003",
        isNoMask="1",
        otype="1",
        cardNum2="12345",
        RFIDCard="519f7d29",
        Sendintime=1,
        PushType="0",
    )
    assert message.record_id == "2"
    assert message.verify_status == 1
    assert message.person_type == 0
    assert message.similarity == 83.0
    assert message.id_similarity == pytest.approx(96.800003)
    assert message.otype == 1
    assert message.card_number == "12345"
    assert message.rfid_card == "519f7d29"
    assert message.send_in_time is True
    assert message.push_type == 0
    typed = rec(RecordID=2, VerifyStatus=1, similarity1=83.5, PushType=0, Sendintime="1")
    assert (typed.record_id, typed.verify_status, typed.similarity) == ("2", 1, 83.5)
    assert typed.send_in_time is True
    blank = rec(VerifyStatus="", similarity1=" ", PushType=None, RecordID="abc")
    assert (blank.verify_status, blank.similarity, blank.push_type) == (None, None, None)
    assert blank.record_id == "abc"


def test_q15_two_bounding_box_shapes() -> None:
    camera = rec(targetPosInScene=[346, 0, 1572, 1080])
    assert camera.face_box == FaceBox(left=346, top=0, right=1572, bottom=1080)
    terminal = rec(left="346", top="0", right="1572", bottom="1080")
    assert terminal.face_box == camera.face_box
    assert rec(left="0", top="0", right="0", bottom="0").face_box is None
    assert rec(targetPosInScene=[0, 0, 0, 0]).face_box is None
    assert rec(targetPosInScene=[1, 2, 3]).face_box is None
    assert rec(left="1", top="2", right="x", bottom="4").face_box is None
    assert rec(targetPosInScene="[10, 20, 30, 40]").face_box == FaceBox(10, 20, 30, 40)


def test_q16_scene_and_pic_optional() -> None:
    message = rec()
    assert message.face.image is None
    assert message.face.problem is None
    assert message.scene.image is None
    with_scene = rec(pic=JPEG_URI, scene=BMP_URI)
    assert with_scene.scene.image is not None
    assert with_scene.scene.image.content_type == "image/bmp"


def test_q17_image_encodings() -> None:
    assert rec(pic=f"data:image/jpeg;base64,{BMP_B64}").face.image is not None
    assert rec(pic=f"data:image/bmp;base64,{JPEG_B64}").face.image is not None
    bare = rec(pic=JPEG_B64.rstrip("="))
    assert bare.face.image is not None
    assert bare.face.image.data == JPEG
    wrapped = "\r\n".join(JPEG_B64[i : i + 8] for i in range(0, len(JPEG_B64), 8))
    assert rec(pic=f"data: image / jpeg; Base64, {wrapped}").face.image is not None
    url = rec(pic="https://example.com/records/1.jpg")
    assert url.face.problem is ImageProblem.URL
    assert rec(pic=f"data:image/png;base64,{PNG_B64}").face.image is not None


def test_q18_placeholders() -> None:
    message = rec(
        customId="",
        personId="0",
        persionName="A",
        RFIDCard="0",
        cardNum2="0",
        idCard=" ",
        telnum=" ",
    )
    assert message.custom_id is None
    assert message.person_id is None
    assert message.rfid_card is None
    assert message.card_number is None
    assert rec(customId=" 063c ").custom_id == "063c"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-08-22 13:33:33", datetime(2024, 8, 22, 13, 33, 33)),
        ("2020-04-01T09:10:00", datetime(2020, 4, 1, 9, 10)),
        ("2020-4-2T18:59:54", datetime(2020, 4, 2, 18, 59, 54)),
        ("2019-12-02/10:46:05", datetime(2019, 12, 2, 10, 46, 5)),
        ("2024-08-22 13:33", datetime(2024, 8, 22, 13, 33)),
        ("1700000000000", None),
        ("2024-13-01 00:00:00", None),
        ("0000-00-00 00:00:00", None),
        ("", None),
    ],
)
def test_q19_time_formats(text: str, expected: datetime | None) -> None:
    assert rec(time=text).time == expected


def test_q20_replays_and_duplicates() -> None:
    first = rec(RecordID="381", PushType="2", Sendintime=0)
    again = rec(RecordID="381", PushType="2", Sendintime=0)
    assert first.push_type == 2
    assert first.send_in_time is False
    assert (first.terminal_id, first.record_id) == (again.terminal_id, again.record_id)


def test_q21_status_codes() -> None:
    blocked = rec(VerifyStatus="2", PersonType="1", otype="257")
    assert blocked.verify_status == VerifyStatus.REFUSED
    assert blocked.person_type == PersonType.BLOCK
    assert blocked.otype is not None
    assert blocked.otype & 0x100
    assert blocked.otype & 0xFF == 1
    assert rec(VerifyStatus="22").verify_status == VerifyStatus.AWAITING_REMOTE
    assert rec().verify_status is None


def test_q22_terminal_only_fields() -> None:
    message = rec(
        facesluiceName="Face1",
        similarity2="0.000000",
        direction="exit",
        otype="24",
        OpendoorWay="0",
        szQrCodeData="",
        dwFileIndex="3",
        dwFilePos="123",
        temperature=36.6,
        temperatureAlarm="1",
        temperatureMode="0",
    )
    assert message.terminal_name == "Face1"
    assert message.id_similarity == 0.0
    assert message.direction == "exit"
    assert message.temperature == 36.6
    assert message.temperature_alarm is True
    for raw, expected in (("entr", "entr"), ("Enter", "entr"), ("unknow", None), ("unknown", None)):
        assert rec(direction=raw).direction == expected


# --- D. strangers ---------------------------------------------------------------------------------


def test_q23_stranger_record_shapes() -> None:
    camera = snap(
        SnapID="946",
        isNoMask="1",
        PushType=0,
        targetPosInScene=[0, 0, 1161, 1080],
        pic=JPEG_URI,
        scene=JPEG_URI,
    )
    assert camera.snap_id == "946"
    assert camera.mask is False
    assert camera.face_box == FaceBox(0, 0, 1161, 1080)
    assert camera.scene.image is not None
    terminal = snap(
        SnapID="12", left="1", top="2", right="3", bottom="4", direction="entr", isNoMask="0"
    )
    assert terminal.face_box == FaceBox(1, 2, 3, 4)
    assert terminal.mask is True
    assert terminal.scene.image is None
    alias = parse(
        SNAP, {"operator": "SnapPush", "info": {"deviceId": TID, "snapTime": "2024-08-22 11:01:02"}}
    )
    assert isinstance(alias, StrSnapPush)
    assert alias.operator == "StrSnapPush"
    assert alias.time == datetime(2024, 8, 22, 11, 1, 2)


# --- E. command replies ---------------------------------------------------------------------------


def test_q24_code_result_and_per_person_outcome() -> None:
    captured = parse(
        ACK,
        {
            "operator": "AddPersons-Ack",
            "code": "200",
            "info": {
                "facesluiceId": TID,
                "AddSucNum": "0",
                "AddErrNum": "1",
                "AddErrInfo": [{"customId": "p1", "errcode": "466"}],
                "AddSucInfo": [],
                "result": "ok",
            },
        },
    )
    assert isinstance(captured, BatchAck)
    assert captured.ok
    assert captured.code == 200
    assert captured.succeeded == ()
    assert captured.failed == (BatchFailure(custom_id="p1", error_code=466),)
    assert captured.success_count == 0
    integer = parse(ACK, {"operator": "SearchPersonList-Ack", "code": 200, "info": {}})
    assert isinstance(integer, Ack)
    assert integer.ok
    busy = parse(
        ACK,
        {
            "operator": "EditPersonsNew-Ack",
            "code": "410",
            "info": {"result": "fail", "detail": "EditPersonsNew is busy"},
        },
    )
    assert isinstance(busy, Ack)
    assert not busy.ok
    assert busy.detail == "EditPersonsNew is busy"
    unlock = parse(ACK, {"operator": "Unlock-Ack", "info": {"openDoor": "1", "result": "ok"}})
    assert getattr(unlock, "open_door", None) is True


def test_q25_error_codes_depend_on_operation() -> None:
    edit = error_meaning("EditPerson-Ack", 464)
    delete = error_meaning("DelPerson", 464)
    assert edit is not None
    assert delete is not None
    assert edit != delete
    assert "face" in edit
    assert delete == "no person with this customId"
    assert person_error_meaning("AddPersons", 466) != error_meaning("AddPersons", 466)
    assert error_meaning("AddPersons", 410) is not None
    assert error_meaning("EditPersonsNew", 412) == "the DataBegin flag is missing"
    for code in (415, 416, 417):
        assert error_meaning("DeletePersons", code) is not None
    failed = parse(
        ACK,
        {
            "operator": "EditPerson-Ack",
            "code": "467",
            "info": {"result": "fail", "detail": "Person num is full"},
        },
    )
    assert isinstance(failed, EditPersonAck)
    assert describe_ack_error(failed) == (
        "EditPerson failed with code 467: the person list is full (detail: Person num is full)."
    )


def test_q28_message_id_echoed_verbatim() -> None:
    for message_id in (
        "ID:localhost-637050888589478689:44009:24:40",
        "EditPersonsNew2026-04-10T10:00:00_ab12cd",
        "CMD-XXXXXXXX",
    ):
        reply = parse(
            ACK, {"operator": "Versions-Ack", "messageId": message_id, "info": {"result": "ok"}}
        )
        assert reply.message_id == message_id


def test_q29_batch_rules() -> None:
    persons = [
        PersonSpec(custom_id=f"p{i}", name="x", picture_uri="http://h/p.jpg") for i in range(1000)
    ]
    body = command(build_edit_persons_new(CT, TID, persons))
    assert (body["DataBegin"], body["DataEnd"], body["PersonNum"]) == ("BeginFlag", "EndFlag", 1000)
    with pytest.raises(CommandError):
        build_edit_persons_new(CT, TID, [*persons, PersonSpec(custom_id="extra", name="x")])
    with pytest.raises(CommandError):
        build_delete_persons(CT, TID, [f"p{i}" for i in range(201)])
    busy = parse(ACK, {"operator": "EditPersonsNew-Ack", "code": 410, "info": {"result": "fail"}})
    assert isinstance(busy, Ack)
    assert "previous EditPersonsNew batch" in describe_ack_error(busy)
    similar = person_error_meaning("EditPersonsNew", 478)
    assert similar is not None
    assert "similar" in similar


def test_q30_scene_snap_ack() -> None:
    message = parse(
        ACK,
        {
            "operator": "GetSceneSnap-Ack",
            "code": "200",
            "info": {"ImgType": "2", "ImgData": JPEG_B64, "result": "ok"},
        },
    )
    assert isinstance(message, SceneSnapAck)
    assert message.image.image is not None
    assert message.image.image.content_type == "image/jpeg"
    assert message.info == {"ImgType": "2", "result": "ok"}


def test_q31_push_ack_strings() -> None:
    body = command(build_push_ack(CT, TID, cmd.PUSH_ACK_STRANGER, "311"))
    assert body["info"]["PushAckType"] == "1"
    assert body["info"]["SnapOrRecordID"] == "311"
    reply = parse(
        ACK,
        {
            "operator": "PushAck-Ack",
            "info": {"PushAckType": "1", "SnapOrRecordID": "311", "result": "ok"},
        },
    )
    assert isinstance(reply, PushAckAck)
    assert (reply.push_ack_type, reply.record_id) == (1, "311")


def test_q32_commands_typed_per_vendor_tables() -> None:
    person = PersonSpec(custom_id="p1", name="Li", gender=1, nation=1, picture=JPEG)
    info = command(build_edit_person(CT, TID, person))["info"]
    assert info["personType"] == 0
    assert info["gender"] == 1
    assert info["tempCardType"] == 0
    assert isinstance(info["pic"], str)


def test_q34_one_message_at_most_1_mib() -> None:
    big = JPEG[:-2] + b"\x00" * (1024 * 1024 - len(JPEG))
    with pytest.raises(CommandError, match="1048576"):
        build_edit_person(CT, TID, PersonSpec(custom_id="p1", name="x", picture=big))


# --- G. other pushes -----------------------------------------------------------------------------


def test_q36_qr_card_idcard_alarm_pushes() -> None:
    qr = parse(
        f"{CT}/QRCode", {"operator": "QRCodePush", "info": {"DeviceID": TID, "QRcodeInfo": "abc"}}
    )
    assert isinstance(qr, QRCodePush)
    assert qr.code == "abc"
    card = parse(
        f"{CT}/Card",
        {
            "operator": "CardPush",
            "info": {"CardInfo": {"CardMode": 0, "Endian": 0, "CardNum": "123"}},
        },
    )
    assert isinstance(card, CardPush)
    assert card.card_number == "123"
    flat = parse(f"{CT}/card", {"operator": "CardPush", "info": {"CardInfo": "0x1234"}})
    assert isinstance(flat, CardPush)
    assert flat.card_number == "0x1234"
    idcard = parse(
        f"{CT}/IDCard",
        {
            "operator": "IDCardPush",
            "info": {
                "IDCard_Idno": "11010519491231002X",
                "IDCard_Name": "王",
                "IDCard_Gender": "1",
            },
        },
    )
    assert isinstance(idcard, IDCardPush)
    assert idcard.id_last4 == "002X"
    assert idcard.gender == "female"
    alarm = parse(
        f"{CT}/Alarm",
        {
            "operator": "AlarmInfoPush",
            "info": {
                "code": 3,
                "description": "tamper",
                "event_time": "1700000000000",
                "status": 1,
            },
        },
    )
    assert isinstance(alarm, AlarmInfoPush)
    assert (alarm.alarm_code, alarm.description, alarm.status) == (3, "tamper", 1)
    assert alarm.time is not None
    assert alarm.time.timestamp() == 1_700_000_000
    assert alarm.terminal_id == TID


def test_q37_http_variant_names() -> None:
    message = parse(
        REC,
        {
            "operator": "VerifyPush",
            "info": {
                "DeviceID": 1737267,
                "PersonID": "7",
                "Similarity1": 85.003731,
                "CreateTime": "2022-01-07T08:22:29",
                "CustomizeID": 376791,
            },
            "SanpPic": JPEG_URI,
            "ScenePic": BMP_URI,
        },
    )
    assert isinstance(message, RecPush)
    assert message.operator == "RecPush"
    assert message.facesluice_id == "1737267"
    assert message.custom_id == "376791"
    assert message.similarity == pytest.approx(85.003731)
    assert message.time == datetime(2022, 1, 7, 8, 22, 29)
    assert message.face.image is not None
    assert message.scene.image is not None
    reply = parse(
        ACK, {"operator": "EditPerson-Ack", "code": 200, "info": {"Result": "Ok", "Detail": ""}}
    )
    assert isinstance(reply, EditPersonAck)
    assert reply.ok
    assert reply.result == "Ok"


def test_q38_camera_ai_operators() -> None:
    message = parse(
        SNAP,
        {
            "operator": "ParabolicSnapPush",
            "info": {
                "deviceId": "005a213b000b93cc",
                "deviceName": "ipc758732",
                "snapTime": "2024-08-22 17:18:40",
                "pic": JPEG_URI,
            },
        },
    )
    assert isinstance(message, UnknownMessage)
    assert message.facesluice_id == "005a213b000b93cc"
    assert message.terminal_id == TID  # the topic decides
    assert "pic" in message.info_keys


def test_q39_config_values_mixed_types_kept() -> None:
    message = parse(
        ACK,
        {
            "operator": "GetMQTTconfig-Ack",
            "info": {
                "StrangerUploadType": "1",
                "RecordUploadType": 1,
                "KeepAliveInterval": 60,
                "result": "ok",
            },
        },
    )
    assert isinstance(message, Ack)
    assert message.info["StrangerUploadType"] == "1"
    assert message.info["RecordUploadType"] == 1
