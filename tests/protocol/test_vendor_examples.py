"""Every example message a terminal sends in the V1.24 document parses to the right values.

The fixtures repeat the document's examples with the OCR noise repaired and the elided
pictures replaced by tiny real ones (see samples.py). Where the document shows a reply
without a body (GetSceneSnap-Ack, PushAck-Ack, DelPerson-Ack) the fixture follows the
notes; those files are named ``notes_*``.
"""

from datetime import datetime
from typing import Any

import pytest

from custom_components.face_terminal.protocol import (
    Ack,
    AudioAck,
    BatchAck,
    BatchFailure,
    CardPush,
    DelPersonAck,
    EditPersonAck,
    HeartBeat,
    IDCardPush,
    ImageProblem,
    Message,
    Offline,
    Online,
    PersonRecord,
    PushAckAck,
    QRCodePush,
    QueryPersonAck,
    QueryProgressAck,
    RecPush,
    SceneSnapAck,
    SearchPersonAck,
    SearchPersonListAck,
    StrSnapPush,
    UnlockAck,
    VersionsAck,
    parse_message,
)

from .samples import BMP, JPEG, fixture_bytes, fixture_names

CID = "063c81e0fce184c696cdb7e049230f5e23dfqwx230"
CID2 = "063c81e0fce184c696cdb7e049230f5e23dfqwxc230"


def ack_topic(terminal_id: str) -> str:
    return f"mqtt/face/{terminal_id}/Ack"


# name -> (topic, type, expected attributes)
CASES: dict[str, tuple[str, type[Message], dict[str, Any]]] = {
    "rec_push_3_2_3": (
        "mqtt/face/1305433/Rec",
        RecPush,
        {
            "terminal_id": "1305433",
            "custom_id": "421381199504030001",
            "person_id": "40",
            "person_name": "张三",
            "direction": None,
            "otype": 1,
            "terminal_name": "Face1",
            "card_number": None,
            "time": datetime(2019, 11, 29, 10, 6, 54),
            "scene": ...,
        },
    ),
    "str_snap_push_3_2_3": (
        "mqtt/face/1305433/Snap",
        StrSnapPush,
        {
            "terminal_id": "1305433",
            "direction": None,
            "terminal_name": "Face1",
            "time": datetime(2019, 11, 29, 10, 9, 47),
        },
    ),
    "rec_push_5": (
        "mqtt/face/1305433/Rec",
        RecPush,
        {
            "custom_id": "063c81e0fce184c696cdb7e049230f5e",
            "person_id": "41",
            "person_name": "Zhang San",
            "direction": "entr",
            "card_number": "2",
            "time": datetime(2018, 3, 7, 14, 1, 1),
            "temperature": 36.53,
            "temperature_alarm": False,
            "record_id": None,
            "verify_status": None,
            "mask": None,
            "face_box": None,
        },
    ),
    "str_snap_push_6": (
        "mqtt/face/1305433/Snap",
        StrSnapPush,
        {
            "direction": "exit",
            "time": datetime(2019, 11, 28, 11, 26, 40),
            "temperature": 36.53,
            "temperature_alarm": False,
            "snap_id": None,
        },
    ),
    "online_10_1": (
        "mqtt/face/basic",
        Online,
        {
            "terminal_id": "1305433",
            "facesluice_id": "1305433",
            "message_id": None,
            "ip": "172.168.2.202",
            "name": "Face1",
            "username": "admin",
            "time": datetime(2020, 5, 12, 15, 11, 10),
        },
    ),
    "offline_10_3": ("mqtt/face/basic", Offline, {"terminal_id": "1305433", "time": None}),
    "heartbeat_15_1": (
        "mqtt/face/heartbeat",
        HeartBeat,
        {"terminal_id": "1306612", "time": datetime(2020, 5, 10, 19, 43, 34), "ip": None},
    ),
    "qrcode_push_14_3": (
        "mqtt/face/1326491/QRcode",
        QRCodePush,
        {
            "terminal_id": "1326491",
            "code": "https://u.wechat.com/123456ABCD",
            "terminal_name": "Face1",
            "time": datetime(2020, 4, 24, 20, 52, 51),
        },
    ),
    "idcard_push_21_1": (
        "mqtt/face/1326491/IDcard",
        IDCardPush,
        {
            "terminal_id": "1326491",
            "name": "Li Mou",
            "gender": "male",
            "id_last4": "4321",
            "terminal_name": "Face1",
            "time": datetime(2020, 10, 13, 15, 0, 38),
        },
    ),
    "card_push_23_1": (
        "mqtt/face/1306612/card",
        CardPush,
        {
            "terminal_id": "1306612",
            "card_number": "86664719",
            "card_mode": 1,
            "terminal_name": "Face1",
            "time": datetime(2020, 11, 20, 14, 28, 32),
        },
    ),
    "query_person_ack_4_2_1": (
        ack_topic("1379743"),
        QueryPersonAck,
        {
            "ok": True,
            "code": None,
            "result": "ok",
            "total": 99,
            # The example's list (with "96 pieces omitted" cut out) and a comment.
            "custom_ids": (
                "063c81e0fce184c696cdb7e049230f5e23dfqwx230000",
                "063c81e0fce184c696cdb7e049230f5e23dfqwx230001",
            ),
        },
    ),
    "search_person_ack_4_2_2": (
        ack_topic("5d0848e581c3e6f1938a035f"),
        SearchPersonAck,
        {
            "ok": True,
            "has_picture": True,
            "person": PersonRecord(
                custom_id="063c81e0fce184c696cdb7e049230f5e",
                person_id="5",
                name="Zhang San",
                person_type=0,
                gender=0,
                valid_from=None,
                valid_until=None,
                created=datetime(2019, 9, 30, 9, 13, 48),
            ),
        },
    ),
    "search_person_list_ack_4_2_3_time": (
        ack_topic("1326491"),
        SearchPersonListAck,
        {"ok": True, "total": 102, "count": 2},
    ),
    "search_person_list_ack_4_2_3_name": (
        ack_topic("1326491"),
        SearchPersonListAck,
        {
            "total": 1,
            "persons": (
                PersonRecord(
                    custom_id=None,
                    person_id="101",
                    name="cff_2",
                    person_type=0,
                    gender=0,
                    valid_from=None,
                    valid_until=None,
                    created=None,
                    temp_card_type=0,
                ),
            ),
        },
    ),
    "edit_person_ack_4_4": (
        ack_topic("0001"),
        EditPersonAck,
        {
            "ok": True,
            "custom_id": "063c81e0fce184c696cdb7e049230f5e",
            "person_id": "0001",
            "detail": None,
            "message_id": "ID:hqvtsw013-45030-636591533573927379-1:3:1:1:1",
        },
    ),
    "notes_del_person_ack_4_4": (
        ack_topic("1305433"),
        DelPersonAck,
        {"ok": True, "custom_id": "063c81e0fce184c696cdb7e049230f5e"},
    ),
    "delete_all_person_ack_4_5_2": (ack_topic("1305433"), Ack, {"ok": True}),
    "add_persons_ack_4_6_2": (
        ack_topic("1306612"),
        BatchAck,
        {
            "ok": True,
            "succeeded": (CID + "000", CID + "999"),
            "failed": (BatchFailure(custom_id=CID + "898", error_code=474),),
            "success_count": 999,
            "failure_count": 1,
        },
    ),
    "edit_persons_ack_4_7": (
        ack_topic("1306612"),
        BatchAck,
        {
            "succeeded": (CID + "000", CID + "999"),
            "failed": (BatchFailure(custom_id=CID + "898", error_code=461),),
        },
    ),
    "query_progress_ack_4_8_2": (
        ack_topic("1306612"),
        QueryProgressAck,
        {"ok": True, "status": 1, "query_type": "AddPersons", "finished": False, "total": None},
    ),
    "delete_persons_ack_4_9_2": (
        ack_topic("1306612"),
        BatchAck,
        {
            "succeeded": (CID2 + "099", CID2 + "199"),
            "failed": (
                BatchFailure(custom_id=CID2 + "000", error_code=None),
                BatchFailure(custom_id=CID2 + "098", error_code=None),
            ),
            "success_count": 102,
            "failure_count": 98,
        },
    ),
    "edit_persons_new_ack_4_10_2": (
        ack_topic("1306612"),
        BatchAck,
        {
            "succeeded": (CID + "000", CID + "999"),
            "failed": (BatchFailure(custom_id=CID + "898", error_code=461),),
        },
    ),
    "upgrade_ack_7_2": (ack_topic("5d0848e581c3e6f1938a035f"), Ack, {"ok": True}),
    "versions_ack_7_3": (
        ack_topic("1305433"),
        VersionsAck,
        {"version": "v12.5.6L3M1-1.0.6.9 Beta", "build_time": "2019-12-02/10:46:05"},
    ),
    "unlock_ack_8_2": (ack_topic("0001"), UnlockAck, {"ok": True, "open_door": None}),
    "getconfig_ack_9_1_2": (ack_topic("1305433"), Ack, {"ok": True}),
    "upconfig_ack_9_1_4": (ack_topic("1305433"), Ack, {"ok": True}),
    "get_sound_config_ack_9_2_2": (ack_topic("1305433"), Ack, {"ok": True}),
    "up_sound_config_ack_9_2_4": (ack_topic("1305433"), Ack, {"ok": True}),
    "get_door_config_ack_9_3_2": (ack_topic("1305433"), Ack, {"ok": True}),
    "up_door_config_ack_9_3_4": (ack_topic("1305433"), Ack, {"ok": True}),
    "get_http_config_ack_9_4_2": (ack_topic("1306612"), Ack, {"ok": True}),
    "up_http_config_ack_9_4_4": (ack_topic("1306612"), Ack, {"ok": True}),
    "get_tpt_config_ack_9_5_2": (ack_topic("1305433"), Ack, {"ok": True}),
    "up_tpt_config_ack_9_5_4": (ack_topic("1305433"), Ack, {"ok": True}),
    "get_mqtt_config_ack_9_6_2": (ack_topic("1306612"), Ack, {"ok": True}),
    "up_mqtt_config_ack_9_6_4": (ack_topic("1305433"), Ack, {"ok": True}),
    "reboot_device_ack_9_7_2": (ack_topic("1305433"), Ack, {"ok": True}),
    "get_sys_time_ack_9_8_2": (ack_topic("1306612"), Ack, {"ok": True}),
    "set_sys_time_ack_9_8_4": (ack_topic("1306612"), Ack, {"ok": True}),
    "set_factory_default_ack_9_9_2": (ack_topic("1306612"), Ack, {"ok": True}),
    "get_face_config_ack_9_10_2": (ack_topic("1379743"), Ack, {"ok": True}),
    "up_face_config_ack_9_10_4": (ack_topic("1379743"), Ack, {"ok": True}),
    "edit_ad_ack_12_2": (ack_topic("1306612"), Ack, {"ok": True}),
    "del_ad_ack_12_4": (ack_topic("1306612"), Ack, {"ok": True}),
    "get_audio_ack_13_2": (ack_topic("1306612"), AudioAck, {"ok": True, "custom": ("Fail_C.wav",)}),
    "voiceplay_ack_13_4": (ack_topic("1306612"), Ack, {"ok": True, "operator": "voiceplay-Ack"}),
    "show_qrcode_ack_14_2": (ack_topic("1333206"), Ack, {"ok": True}),
    "get_picture_similarity_ack_17_2": (ack_topic("1379743"), Ack, {"ok": True}),
    "get_picture_search_ack_18_2": (ack_topic("1379743"), Ack, {"ok": True}),
    "detect_face_from_pic_ack_19_2": (ack_topic("1379743"), Ack, {"ok": True}),
    "manual_push_records_ack_20_2": (ack_topic("1326491"), Ack, {"ok": True}),
    "manual_push_snaps_ack_22_2": (ack_topic("1326491"), Ack, {"ok": True}),
    "notes_get_scene_snap_ack_16": (
        ack_topic("1379743"),
        SceneSnapAck,
        {"ok": True, "code": 200},
    ),
    "notes_push_ack_ack_11": (
        ack_topic("1305433"),
        PushAckAck,
        {"ok": True, "push_ack_type": 2, "record_id": "381"},
    ),
}


def test_every_fixture_has_a_case() -> None:
    assert sorted(CASES) == fixture_names()


@pytest.mark.parametrize("name", sorted(CASES))
def test_vendor_example(name: str) -> None:
    topic, kind, expected = CASES[name]
    message = parse_message(topic, fixture_bytes(name))
    assert type(message) is kind
    assert message.topic == topic
    assert message.terminal_id is not None
    assert message.facesluice_id == message.terminal_id
    for attribute, value in expected.items():
        if value is ...:
            continue
        assert getattr(message, attribute) == value, attribute
    if isinstance(message, Ack):
        assert message.operator.endswith("-Ack")
        assert message.message_id is not None
        assert message.info.get("facesluiceId") == message.terminal_id


def test_rec_push_pictures_sniffed_not_labelled() -> None:
    """The document puts BMP bytes (Qk...) behind a jpeg label (Q-17)."""
    message = parse_message("mqtt/face/1305433/Rec", fixture_bytes("rec_push_3_2_3"))
    assert isinstance(message, RecPush)
    assert message.face.image is not None
    assert message.face.image.content_type == "image/bmp"
    assert message.face.image.data == BMP
    assert message.scene.image is None
    assert message.scene.problem is None
    jpeg = parse_message("mqtt/face/1305433/Rec", fixture_bytes("rec_push_5"))
    assert isinstance(jpeg, RecPush)
    assert jpeg.face.image is not None
    assert jpeg.face.image.data == JPEG


def test_id_card_photo_with_spaced_prefix() -> None:
    message = parse_message("mqtt/face/1326491/IDcard", fixture_bytes("idcard_push_21_1"))
    assert isinstance(message, IDCardPush)
    assert message.photo.image is not None
    assert message.photo.image.data == JPEG
    assert "421126198702054321" not in repr(message)


def test_search_person_picture_top_level() -> None:
    message = parse_message(
        ack_topic("5d0848e581c3e6f1938a035f"), fixture_bytes("search_person_ack_4_2_2")
    )
    assert isinstance(message, SearchPersonAck)
    assert message.picture.image is not None
    assert message.picture.image.data == BMP
    assert "idCard" not in message.info
    assert "telnum1" not in message.info
    assert "pic" not in message.info


def test_search_person_list_persons() -> None:
    message = parse_message(
        ack_topic("1326491"), fixture_bytes("search_person_list_ack_4_2_3_time")
    )
    assert isinstance(message, SearchPersonListAck)
    first, second = message.persons
    assert first.custom_id == "063c81e0fce184c696cdb7e049230f5e"
    assert first.name == "zstest"
    assert first.person_id == "1"
    assert first.valid_from is None
    assert second.valid_from == datetime(2020, 4, 18)
    assert second.valid_until == datetime(2020, 12, 20, 23, 59, 59)
    for person in message.info["List"]:
        assert "idCard" not in person
        assert "telnum1" not in person


def test_get_audio_lists_all_builtin_files() -> None:
    message = parse_message(ack_topic("1306612"), fixture_bytes("get_audio_ack_13_2"))
    assert isinstance(message, AudioAck)
    assert len(message.builtin) == 35
    assert message.builtin[0] == "VerifyFail.wav"
    assert "verifyfail.wav" in message.builtin  # distinct file, only the case differs


def test_scene_snap_image_is_jpeg_despite_bmp_label() -> None:
    message = parse_message(ack_topic("1379743"), fixture_bytes("notes_get_scene_snap_ack_16"))
    assert isinstance(message, SceneSnapAck)
    assert message.image.image is not None
    assert message.image.image.content_type == "image/jpeg"
    assert "ImgData" not in message.info
    assert message.image.problem is None
    assert ImageProblem.URL not in (message.image.problem,)


def test_config_ack_info_kept() -> None:
    message = parse_message(ack_topic("1305433"), fixture_bytes("get_door_config_ack_9_3_2"))
    assert isinstance(message, Ack)
    assert message.info["OpendoorWay"] == "0"
    assert message.info["FaceThreshold"] == "90"
    sys_time = parse_message(ack_topic("1306612"), fixture_bytes("get_sys_time_ack_9_8_2"))
    assert isinstance(sys_time, Ack)
    assert sys_time.info["SysTime"] == "2020-4-2T18:59:54"
