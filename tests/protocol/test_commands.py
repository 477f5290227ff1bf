"""Command builders: golden JSON, round trips through parse_message, validation errors."""

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pytest

from custom_components.face_terminal.protocol import (
    Ack,
    Command,
    CommandError,
    ConfigSection,
    PersonSpec,
    UnknownMessage,
    ack_operator,
    build_del_person,
    build_delete_persons,
    build_edit_person,
    build_edit_persons_new,
    build_get_audio,
    build_get_config,
    build_get_scene_snap,
    build_get_sys_time,
    build_hide_qr_code,
    build_manual_push_records,
    build_manual_push_snaps,
    build_online_ack,
    build_push_ack,
    build_query_person,
    build_query_progress,
    build_reboot,
    build_search_person,
    build_search_person_list,
    build_set_config,
    build_set_sys_time,
    build_show_qr_code,
    build_unlock,
    build_versions,
    build_voice_play,
    new_message_id,
    parse_message,
)
from custom_components.face_terminal.protocol import commands as cmd

from .samples import BMP, BMP_URI, JPEG, JPEG_URI, PNG, PNG_URI

if TYPE_CHECKING:
    from collections.abc import Callable

CT = "mqtt/face/1305433"
TID = "1305433"
MID = "msg-1"


def body(result: Command) -> dict[str, Any]:
    assert result.topic == CT
    payload = result.payload
    assert b" " not in payload.split(b'"')[0]  # compact separators
    decoded = json.loads(payload.decode("utf-8"))
    assert isinstance(decoded, dict)
    # The command object names what the payload says: nobody parses it back.
    assert result.message_id == decoded["messageId"]
    assert result.operator == decoded["operator"]
    return decoded


def simple(operator: str, **info: Any) -> dict[str, Any]:
    return {"operator": operator, "messageId": MID, "info": {"facesluiceId": TID, **info}}


def person(**changes: Any) -> PersonSpec:
    values: dict[str, Any] = {"custom_id": "p-1", "name": "张三", "picture": JPEG}
    values.update(changes)
    return PersonSpec(**values)


# --- golden JSON ------------------------------------------------------------------------------


GOLDEN: list[tuple[Callable[[], Command], dict[str, Any]]] = [
    (
        lambda: build_online_ack(CT, TID, message_id=MID),
        simple("Online-Ack", result="ok", detail=""),
    ),
    (
        lambda: build_push_ack(CT, TID, 2, "381", message_id=MID),
        simple("PushAck", PushAckType="2", SnapOrRecordID="381"),
    ),
    (
        lambda: build_push_ack(CT, TID, 2, "382", MID, open_door=False, show_info="no entry"),
        simple("PushAck", PushAckType="2", SnapOrRecordID="382", openDoor=0, showInfo="no entry"),
    ),
    (
        lambda: build_unlock(CT, TID, message_id=MID),
        simple("Unlock", openDoor=1),
    ),
    (
        lambda: build_unlock(CT, TID, "please pass", open_door=False, message_id=MID),
        simple("Unlock", openDoor=0, showInfo="please pass"),
    ),
    (
        lambda: build_del_person(CT, TID, "063c81e0", message_id=MID),
        simple("DelPerson", customId="063c81e0"),
    ),
    (lambda: build_query_progress(CT, TID, MID), simple("QueryProgress")),
    (lambda: build_query_person(CT, TID, MID), simple("QueryPerson")),
    (
        lambda: build_search_person(CT, TID, "063c81e0", with_picture=True, message_id=MID),
        simple("SearchPerson", customId="063c81e0", Picture=1),
    ),
    (
        lambda: build_search_person(CT, TID, "063c81e0", message_id=MID),
        simple("SearchPerson", customId="063c81e0", Picture=0),
    ),
    (
        lambda: build_search_person_list(
            CT,
            TID,
            person_type=0,
            begin=datetime(2018, 8, 13),
            end=datetime(2020, 8, 19, 23, 59, 59),
            message_id=MID,
        ),
        simple(
            "SearchPersonList",
            personType=0,
            BeginTime="2018-08-13T00:00:00",
            EndTime="2020-08-19T23:59:59",
            gender=2,
            BeginNO=0,
            RequestCount=100,
        ),
    ),
    (
        lambda: build_search_person_list(
            CT, TID, name="cff", offset=100, count=2000, message_id=MID
        ),
        simple(
            "SearchPersonList", personType=2, name="cff", gender=2, BeginNO=100, RequestCount=2000
        ),
    ),
    (
        lambda: build_search_person_list(CT, TID, message_id=MID),
        simple(
            "SearchPersonList",
            personType=2,
            BeginTime="1971-01-01T00:00:00",
            EndTime="2037-12-31T23:59:59",
            gender=2,
            BeginNO=0,
            RequestCount=100,
        ),
    ),
    (lambda: build_get_audio(CT, TID, MID), simple("GetAudio")),
    (
        lambda: build_voice_play(CT, TID, "welcome.wav", message_id=MID),
        simple("voiceplay", UsrType="1", voicetype="welcome.wav"),
    ),
    (
        lambda: build_voice_play(CT, TID, "Fail_C.wav", custom=True, message_id=MID),
        simple("voiceplay", UsrType="2", voicetype="Fail_C.wav"),
    ),
    (
        lambda: build_show_qr_code(CT, TID, text="A1B2C3D4E5r6t7y8u9Pn", message_id=MID),
        simple(
            "ShowQRCode",
            ImageType=1,
            AbsX=10,
            AbsY=10,
            ImageW=200,
            ImageH=200,
            QRCodeData="A1B2C3D4E5r6t7y8u9Pn",
        ),
    ),
    (
        lambda: build_show_qr_code(
            CT, TID, image=PNG, x=20, y=30, width=100, height=120, message_id=MID
        ),
        simple(
            "ShowQRCode", ImageType=2, AbsX=20, AbsY=30, ImageW=100, ImageH=120, QRCodeData=PNG_URI
        ),
    ),
    (
        lambda: build_show_qr_code(CT, TID, image=JPEG, message_id=MID),
        simple(
            "ShowQRCode", ImageType=3, AbsX=10, AbsY=10, ImageW=200, ImageH=200, QRCodeData=JPEG_URI
        ),
    ),
    (
        lambda: build_show_qr_code(CT, TID, image=BMP, message_id=MID),
        simple(
            "ShowQRCode", ImageType=4, AbsX=10, AbsY=10, ImageW=200, ImageH=200, QRCodeData=BMP_URI
        ),
    ),
    (lambda: build_hide_qr_code(CT, TID, MID), simple("ShowQRCode", ShowStatus=0)),
    (
        lambda: build_get_scene_snap(CT, TID, message_id=MID),
        simple("GetSceneSnap", ImgType=2, ImgQuality=80),
    ),
    (
        lambda: build_get_scene_snap(CT, TID, 55, MID),
        simple("GetSceneSnap", ImgType=2, ImgQuality=55),
    ),
    (lambda: build_versions(CT, TID, MID), simple("Versions")),
    (lambda: build_reboot(CT, TID, MID), simple("RebootDevice")),
    (lambda: build_get_sys_time(CT, TID, MID), simple("GetSysTime")),
    (
        lambda: build_set_sys_time(CT, TID, datetime(2020, 4, 1, 17, 59, 54), MID),
        simple("SetSysTime", SysTime="2020-04-01T17:59:54"),
    ),
    (
        lambda: build_manual_push_records(
            CT, TID, datetime(2020, 7, 28, 6), datetime(2020, 8, 12, 23), MID
        ),
        simple("ManualPushRecords", TimeS="2020-07-28T06:00:00", TimeE="2020-08-12T23:00:00"),
    ),
    (
        lambda: build_manual_push_snaps(
            CT, TID, datetime(2020, 11, 18, 8), datetime(2020, 11, 18, 23, 59, 59), MID
        ),
        simple("ManualPushSnaps", TimeS="2020-11-18T08:00:00", TimeE="2020-11-18T23:59:59"),
    ),
    (
        lambda: build_get_config(CT, TID, ConfigSection.DOOR, MID),
        simple("GetDoorconfig"),
    ),
    (
        lambda: build_set_config(
            CT,
            TID,
            ConfigSection.SYSTEM,
            {"LedLightType": "1", "LedBrightness": 60, "FaceDisplay": True},
            MID,
        ),
        simple("Upconfig", LedLightType="1", LedBrightness=60, FaceDisplay=1),
    ),
    (
        lambda: build_delete_persons(CT, TID, ["a", "b"], MID),
        {
            "operator": "DeletePersons",
            "messageId": MID,
            "facesluiceId": TID,
            "DataBegin": "BeginFlag",
            "PersonNum": 2,
            "info": {"facesluiceId": TID, "customId": ["a", "b"]},
            "DataEnd": "EndFlag",
        },
    ),
]


@pytest.mark.parametrize(("build", "expected"), GOLDEN)
def test_golden(build: Callable[[], Command], expected: dict[str, Any]) -> None:
    assert body(build()) == expected


def test_golden_edit_person_full() -> None:
    spec = PersonSpec(
        custom_id="063c81e0fce184c696cdb7e049230f5e",
        name="Zhang San",
        person_type=1,
        temp_card_type=1,
        valid_from=datetime(2019, 10, 10, 10),
        valid_until=datetime(2020, 10, 10, 16),
        gender=0,
        nation=1,
        birthday=date(1995, 6, 12),
        id_card="421381199504030001",
        phone="18888888888",
        native="Shenzhen",
        address="Bao'an",
        notes="vip",
        card_type2=2,
        wiegand_type=7,
        wg_facility_code=12,
        card_num2=2765823488,
        card_mode=0,
        rf_card_mode=1,
        rfid_card="519f7d29",
        picture_uri="https://example.com/p.jpg",
    )
    assert body(build_edit_person(CT, TID, spec, message_id=MID)) == simple(
        "EditPerson",
        customId="063c81e0fce184c696cdb7e049230f5e",
        name="Zhang San",
        personType=1,
        tempCardType=1,
        cardValidBegin="2019-10-10 10:00:00",
        cardValidEnd="2020-10-10 16:00:00",
        gender=0,
        nation=1,
        birthday="1995-06-12",
        idCard="421381199504030001",
        telnum1="18888888888",
        native="Shenzhen",
        address="Bao'an",
        notes="vip",
        cardType2=2,
        WiegandType=7,
        WGFacilityCode=12,
        cardNum2=2765823488,
        CardMode=0,
        RFCardMode=1,
        RFIDCard="519f7d29",
        picURI="https://example.com/p.jpg",
    )


def test_golden_edit_person_picture_bytes_utf8() -> None:
    command = build_edit_person(CT, TID, person(temp_card_type=3, effect_number=5), message_id=MID)
    assert "张三".encode() in command.payload  # UTF-8, not \\u escapes
    assert body(command) == simple(
        "EditPerson",
        customId="p-1",
        name="张三",
        personType=0,
        tempCardType=3,
        EffectNumber=5,
        pic=JPEG_URI,
    )


def test_golden_edit_persons_new() -> None:
    persons = [
        PersonSpec(custom_id="a", name="modify000", phone="13700880000"),
        PersonSpec(
            custom_id="b",
            name="modify999",
            picture_uri="https://example.com/xxx111.jpg",
            check_similarity=True,
            card_type2=2,
            wiegand_type=6,
            wg_facility_code=1,
            card_num2=5,
        ),
    ]
    assert body(build_edit_persons_new(CT, TID, persons, MID)) == {
        "operator": "EditPersonsNew",
        "messageId": MID,
        "facesluiceId": TID,
        "DataBegin": "BeginFlag",
        "PersonNum": 2,
        "info": [
            {
                "customId": "a",
                "name": "modify000",
                "personType": 0,
                "tempCardType": 0,
                "telnum1": "13700880000",
            },
            {
                "customId": "b",
                "name": "modify999",
                "personType": 0,
                "tempCardType": 0,
                "cardType2": 2,
                "WiegandType": 6,
                "WGfacilityCode": 1,
                "cardNum2": 5,
                "isCheckSimilarity": 1,
                "picURI": "https://example.com/xxx111.jpg",
            },
        ],
        "DataEnd": "EndFlag",
    }


def test_modify_person_without_picture() -> None:
    info = body(build_edit_person(CT, TID, person(picture=None), adding=False))["info"]
    assert "pic" not in info
    assert "picURI" not in info


def test_message_ids_fresh_and_unique() -> None:
    first = body(build_versions(CT, TID))["messageId"]
    second = body(build_versions(CT, TID))["messageId"]
    assert first != second
    assert first.startswith("ha-")
    assert len({new_message_id() for _ in range(100)}) == 100


def test_ack_operator() -> None:
    assert ack_operator("Unlock") == "Unlock-Ack"
    assert ack_operator("unlock") == "Unlock-Ack"
    assert ack_operator("Unlock-Ack") == "Unlock-Ack"
    assert ack_operator("voiceplay") == "voiceplay-Ack"
    assert ack_operator("Custom") == "Custom-Ack"


def test_config_sections_operators() -> None:
    pairs = {section: (section.get_operator, section.set_operator) for section in ConfigSection}
    assert pairs == {
        ConfigSection.SYSTEM: ("Getconfig", "Upconfig"),
        ConfigSection.SOUND: ("GetSoundconfig", "UpSoundconfig"),
        ConfigSection.DOOR: ("GetDoorconfig", "UpDoorconfig"),
        ConfigSection.HTTP: ("GetHTTPconfig", "UpHTTPconfig"),
        ConfigSection.TEMPERATURE: ("GetTPTconfig", "UpTPTconfig"),
        ConfigSection.MQTT: ("GetMQTTconfig", "UpMQTTconfig"),
        ConfigSection.FACE: ("GetFaceconfig", "UpFaceconfig"),
    }
    assert body(build_get_config(CT, TID, "mqtt", MID))["operator"] == "GetMQTTconfig"  # type: ignore[arg-type]


# --- round trips ---------------------------------------------------------------------------------


def test_round_trip_commands_parse_as_unknown_with_ids() -> None:
    for build, expected in GOLDEN:
        command = build()
        message = parse_message(command.topic, command.payload)
        if expected["operator"].endswith("-Ack"):  # our Online-Ack reads as an ack
            assert isinstance(message, Ack)
        else:
            assert isinstance(message, UnknownMessage)
        assert message.operator == expected["operator"]
        assert message.message_id == MID
        assert message.terminal_id == TID
        assert message.facesluice_id == TID


def test_round_trip_ack_matches_command() -> None:
    command = build_unlock(CT, TID, "hi", message_id=MID)
    topic, payload = command.topic, command.payload
    sent = json.loads(payload)
    reply = {
        "operator": ack_operator(sent["operator"]),
        "messageId": sent["messageId"],
        "info": {**sent["info"], "result": "ok"},
    }
    ack = parse_message(f"{topic}/Ack", json.dumps(reply))
    assert ack.operator == "Unlock-Ack"
    assert ack.message_id == MID
    assert getattr(ack, "open_door", None) is True
    text = "请通过" * 30
    info = body(build_unlock(CT, TID, text))["info"]
    assert len(info["showInfo"].encode()) <= 63
    assert text.startswith(info["showInfo"])


# --- validation ------------------------------------------------------------------------------


INVALID: list[tuple[str, Callable[[], object]]] = [
    ("command_topic", lambda: build_versions("", TID)),
    ("wildcards", lambda: build_versions("mqtt/face/+", TID)),
    ("terminal_id", lambda: build_versions(CT, "")),
    ("terminal_id must be text", lambda: build_versions(CT, 5)),  # type: ignore[arg-type]
    ("message_id", lambda: build_versions(CT, TID, " ")),
    ("control characters", lambda: build_versions(CT, "a\nb")),
    ("push_ack_type", lambda: build_push_ack(CT, TID, 4, "1")),
    ("push_ack_type must be an integer", lambda: build_push_ack(CT, TID, True, "1")),
    ("record_id", lambda: build_push_ack(CT, TID, 1, "")),
    ("record_id must be text", lambda: build_push_ack(CT, TID, 1, None)),  # type: ignore[arg-type]
    ("show_info", lambda: build_unlock(CT, TID, "")),
    ("show_info", lambda: build_push_ack(CT, TID, 2, "1", show_info="")),
    ("custom_id", lambda: build_del_person(CT, TID, "x" * 48)),
    ("spaces", lambda: build_del_person(CT, TID, " x")),
    ("commas", lambda: build_del_person(CT, TID, "a,b")),
    ("name is 33 bytes", lambda: build_edit_person(CT, TID, person(name="张" * 11))),
    ("person_type", lambda: build_edit_person(CT, TID, person(person_type=2))),
    ("temp_card_type", lambda: build_edit_person(CT, TID, person(temp_card_type=4))),
    (
        "needs valid_from and valid_until",
        lambda: build_edit_person(CT, TID, person(temp_card_type=1)),
    ),
    (
        "needs valid_from and valid_until",
        lambda: build_edit_person(
            CT, TID, person(temp_card_type=2, valid_from=datetime(2020, 1, 1))
        ),
    ),
    (
        "valid_from must be before valid_until",
        lambda: build_edit_person(
            CT,
            TID,
            person(
                temp_card_type=1, valid_from=datetime(2020, 1, 2), valid_until=datetime(2020, 1, 1)
            ),
        ),
    ),
    (
        "valid_from must be before valid_until",
        lambda: build_edit_person(
            CT,
            TID,
            person(
                temp_card_type=1, valid_from=datetime(2020, 1, 1), valid_until=datetime(2020, 1, 1)
            ),
        ),
    ),
    (
        "must be a datetime",
        lambda: build_edit_person(
            CT,
            TID,
            person(temp_card_type=1, valid_from=date(2020, 1, 1), valid_until=datetime(2020, 1, 2)),
        ),
    ),
    (
        "valid_from and valid_until must both be naive",
        lambda: build_edit_person(
            CT,
            TID,
            person(
                temp_card_type=1,
                valid_from=datetime(2020, 1, 1),
                valid_until=datetime.fromisoformat("2020-01-02T00:00:00+00:00"),
            ),
        ),
    ),
    (
        "only apply to temp_card_type 1 or 2",
        lambda: build_edit_person(CT, TID, person(valid_from=datetime(2020, 1, 1))),
    ),
    ("needs effect_number", lambda: build_edit_person(CT, TID, person(temp_card_type=3))),
    (
        "effect_number",
        lambda: build_edit_person(CT, TID, person(temp_card_type=3, effect_number=0)),
    ),
    (
        "only applies to temp_card_type 3",
        lambda: build_edit_person(CT, TID, person(effect_number=3)),
    ),
    ("gender", lambda: build_edit_person(CT, TID, person(gender=2))),
    ("nation", lambda: build_edit_person(CT, TID, person(nation=0))),
    ("birthday must be a date", lambda: build_edit_person(CT, TID, person(birthday="1995-06-12"))),
    ("id_card", lambda: build_edit_person(CT, TID, person(id_card="1" * 32))),
    ("phone", lambda: build_edit_person(CT, TID, person(phone=""))),
    ("address", lambda: build_edit_person(CT, TID, person(address="a" * 72))),
    ("card_type2", lambda: build_edit_person(CT, TID, person(card_type2=4))),
    ("wiegand_type must be one of", lambda: build_edit_person(CT, TID, person(wiegand_type=2))),
    (
        "needs wiegand_type and card_num2",
        lambda: build_edit_person(CT, TID, person(card_type2=2, wiegand_type=1)),
    ),
    (
        "needs wg_facility_code",
        lambda: build_edit_person(CT, TID, person(card_type2=2, wiegand_type=6, card_num2=1)),
    ),
    ("card_num2", lambda: build_edit_person(CT, TID, person(card_num2=-1))),
    ("wg_facility_code", lambda: build_edit_person(CT, TID, person(wg_facility_code=2**24))),
    ("card_mode", lambda: build_edit_person(CT, TID, person(card_mode=2))),
    ("rf_card_mode", lambda: build_edit_person(CT, TID, person(rf_card_mode=2))),
    ("hexadecimal", lambda: build_edit_person(CT, TID, person(rfid_card="xyz"))),
    ("decimal", lambda: build_edit_person(CT, TID, person(rfid_card="ab12", rf_card_mode=0))),
    ("rfid_card", lambda: build_edit_person(CT, TID, person(rfid_card="1234567890"))),
    (
        "exactly one of picture and picture_uri",
        lambda: build_edit_person(CT, TID, person(picture=None)),
    ),
    (
        "exactly one of picture and picture_uri",
        lambda: build_edit_person(CT, TID, person(picture_uri="http://h/p.jpg")),
    ),
    (
        "at most one of picture and picture_uri",
        lambda: build_edit_person(CT, TID, person(picture_uri="http://h/p.jpg"), adding=False),
    ),
    ("not a JPEG, PNG or BMP", lambda: build_edit_person(CT, TID, person(picture=b"GIF89a...."))),
    ("picture is empty", lambda: build_edit_person(CT, TID, person(picture=b""))),
    ("picture must be bytes", lambda: build_edit_person(CT, TID, person(picture="abc"))),
    (
        "at most 1048576",
        lambda: build_edit_person(CT, TID, person(picture=JPEG + b"\x00" * (1024 * 1024))),
    ),
    (
        "http:// or https://",
        lambda: build_edit_person(CT, TID, person(picture=None, picture_uri="ftp://h/p.jpg")),
    ),
    (
        "http:// or https://",
        lambda: build_edit_person(CT, TID, person(picture=None, picture_uri="http://h/a b.jpg")),
    ),
    (
        "check_similarity only applies to batch",
        lambda: build_edit_person(CT, TID, person(check_similarity=True)),
    ),
    ("person must be a PersonSpec", lambda: build_edit_person(CT, TID, {"custom_id": "x"})),  # type: ignore[arg-type]
    ("1 to 1000 persons", lambda: build_edit_persons_new(CT, TID, [])),
    ("persons must be a sequence", lambda: build_edit_persons_new(CT, TID, "abc")),  # type: ignore[arg-type]
    ("picture_uri", lambda: build_edit_persons_new(CT, TID, [person()])),
    (
        "appears twice",
        lambda: build_edit_persons_new(CT, TID, [person(picture=None), person(picture=None)]),
    ),
    ("1 to 200 customIds", lambda: build_delete_persons(CT, TID, [])),
    ("custom_ids must be a sequence", lambda: build_delete_persons(CT, TID, "abc")),
    ("duplicates", lambda: build_delete_persons(CT, TID, ["a", "a"])),
    ("custom_ids item", lambda: build_delete_persons(CT, TID, ["a", ""])),
    ("person_type", lambda: build_search_person_list(CT, TID, person_type=3)),
    ("count", lambda: build_search_person_list(CT, TID, count=2001)),
    ("count", lambda: build_search_person_list(CT, TID, count=0)),
    ("offset", lambda: build_search_person_list(CT, TID, offset=-1)),
    ("gender", lambda: build_search_person_list(CT, TID, gender=3)),
    ("both begin and end", lambda: build_search_person_list(CT, TID, begin=datetime(2020, 1, 1))),
    (
        "begin must not be after end",
        lambda: build_search_person_list(
            CT, TID, begin=datetime(2020, 1, 2), end=datetime(2020, 1, 1)
        ),
    ),
    (
        "both be naive",
        lambda: build_manual_push_records(
            CT, TID, datetime(2020, 1, 1), datetime.fromisoformat("2020-01-02T00:00:00+00:00")
        ),
    ),
    (
        "begin must be a datetime",
        lambda: build_manual_push_snaps(CT, TID, "2020", datetime(2020, 1, 1)),  # type: ignore[arg-type]
    ),
    ("name is", lambda: build_search_person_list(CT, TID, name="x" * 40)),
    ("end in .wav", lambda: build_voice_play(CT, TID, "welcome.mp3")),
    ("_C.wav", lambda: build_voice_play(CT, TID, "welcome.wav", custom=True)),
    ("plain file name", lambda: build_voice_play(CT, TID, "../welcome.wav")),
    ("exactly one of text and image", lambda: build_show_qr_code(CT, TID)),
    ("exactly one of text and image", lambda: build_show_qr_code(CT, TID, text="a", image=PNG)),
    ("non-empty bytes", lambda: build_show_qr_code(CT, TID, image=b"")),
    ("not a PNG, JPEG or BMP", lambda: build_show_qr_code(CT, TID, image=b"GIF89a")),
    ("QRCodeData is", lambda: build_show_qr_code(CT, TID, text="a" * (32 * 1024))),
    ("x must be between", lambda: build_show_qr_code(CT, TID, text="a", x=5)),
    ("width", lambda: build_show_qr_code(CT, TID, text="a", width=0)),
    ("quality", lambda: build_get_scene_snap(CT, TID, quality=54)),
    ("quality", lambda: build_get_scene_snap(CT, TID, quality=101)),
    ("when must be a datetime", lambda: build_set_sys_time(CT, TID, "now")),  # type: ignore[arg-type]
    ("section must be one of", lambda: build_get_config(CT, TID, "bogus")),  # type: ignore[arg-type]
    ("non-empty mapping", lambda: build_set_config(CT, TID, ConfigSection.DOOR, {})),
    ("parameter names", lambda: build_set_config(CT, TID, ConfigSection.DOOR, {"": 1})),
    (
        "not a parameter",
        lambda: build_set_config(CT, TID, ConfigSection.DOOR, {"facesluiceId": "1"}),
    ),
    ("finite", lambda: build_set_config(CT, TID, ConfigSection.DOOR, {"X": float("nan")})),
    ("text or a number", lambda: build_set_config(CT, TID, ConfigSection.DOOR, {"X": [1]})),
]


@pytest.mark.parametrize(("message", "build"), INVALID, ids=[m for m, _ in INVALID])
def test_invalid_arguments(message: str, build: Callable[[], object]) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(".", r"\.")):
        build()


def test_command_error_is_value_error() -> None:
    assert issubclass(CommandError, ValueError)


def test_record_id_given_as_int_is_sent_as_text() -> None:
    info = body(build_push_ack(CT, TID, cmd.PUSH_ACK_RECORD, 381))["info"]  # type: ignore[arg-type]
    assert info["SnapOrRecordID"] == "381"


def test_batch_picture_bytes_rejected_with_custom_id() -> None:
    with pytest.raises(CommandError, match="p-1"):
        build_edit_persons_new(CT, TID, [person()])


def test_birthday_from_datetime_uses_date_part() -> None:
    info = body(build_edit_person(CT, TID, person(birthday=datetime(1990, 1, 2, 3, 4))))["info"]
    assert info["birthday"] == "1990-01-02"
