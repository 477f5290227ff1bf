"""Command answers checked directly on the device model (no broker)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from simulator import images
from simulator.command_types import Command, Reply
from simulator.commands import CommandProcessor
from simulator.device import Device

ID = "1305433"


@pytest.fixture
def device() -> Device:
    return Device(ID, capacity=20)


@pytest.fixture
def processor(device: Device) -> CommandProcessor:
    return CommandProcessor(device)


def send(processor: CommandProcessor, operator: str, info: Any = None, **top: Any) -> Reply:
    message: dict[str, Any] = {"messageId": "m1", "operator": operator, **top}
    if info is not None:
        message["info"] = info
    reply = processor.handle(Command(message, len(str(message))))
    if reply.batch is not None:
        reply = processor.run_batch(reply.batch)
    return reply


def ack(processor: CommandProcessor, operator: str, info: Any = None, **top: Any) -> dict[str, Any]:
    reply = send(processor, operator, info, **top)
    assert reply.messages, f"{operator} gave no answer"
    message = reply.messages[0]
    assert message.kind == "Ack"
    payload: dict[str, Any] = message.payload
    assert payload["operator"] == f"{operator}-Ack"
    assert payload["messageId"] == "m1"
    assert payload["info"]["facesluiceId"] == ID
    return payload


def test_config_get_and_update(processor: CommandProcessor, device: Device) -> None:
    got = ack(processor, "GetDoorconfig", {})
    assert got["info"]["OpendoorWay"] == "2"
    assert got["code"] == "200"
    assert ack(processor, "UpDoorconfig", {"FaceThreshold": 91})["info"]["result"] == "ok"
    assert device.config["door"]["FaceThreshold"] == "91"
    bad = ack(processor, "UpDoorconfig", {"VerifyMode": "99"})
    assert (bad["code"], bad["info"]["detail"]) == ("463", "VerifyMode error")
    assert ack(processor, "UpDoorconfig")["code"] == "462"
    assert ack(processor, "UpHTTPconfig", {"ServerPort": "99999"})["code"] == "464"
    for operator in (
        "Getconfig",
        "GetSoundconfig",
        "GetHTTPconfig",
        "GetTPTconfig",
        "GetFaceconfig",
    ):
        assert ack(processor, operator, {})["info"]["result"] == "ok"


def test_mqtt_config_drives_behaviour(processor: CommandProcessor, device: Device) -> None:
    assert device.config["mqtt"]["ResumefromBreakpoint"] == "0"
    updated = ack(processor, "UpMQTTconfig", {"ResumefromBreakpoint": 1, "Direction": "1"})
    assert updated["info"]["result"] == "ok"
    assert device.resume
    assert device.direction == "exit"
    assert ack(processor, "GetMQTTconfig", {})["info"]["BeginTime"]
    refused = ack(processor, "UpMQTTconfig", {"StrangerUploadType": "1", "RecordUploadType": "0"})
    assert refused["code"] == "463"
    ack(processor, "UpMQTTconfig", {"StrangerUploadType": "1"})
    assert not device.stranger().upload


def test_language_change_reboots(processor: CommandProcessor) -> None:
    reply = send(processor, "Upconfig", {"Language": "1"})
    assert reply.reboot
    assert reply.messages[0].payload["info"]["reboot"] == "1"
    assert not send(processor, "Upconfig", {"LedBrightness": "60"}).reboot


def test_system_time(processor: CommandProcessor, device: Device) -> None:
    assert ack(processor, "SetSysTime", {"SysTime": "2020-4-1T17:59:54"})["info"]["result"] == "ok"
    assert abs(device.now() - dt.datetime(2020, 4, 1, 17, 59, 54)) < dt.timedelta(seconds=5)
    assert ack(processor, "GetSysTime", {})["info"]["SysTime"].startswith("2020-4-1T17:")
    assert ack(processor, "SetSysTime", {})["code"] == "463"
    record = device.recognition(device.store.find("Alice"))  # type: ignore[arg-type]
    assert record.payload["info"]["time"].startswith("2020-04-01 17:")


def test_audio(processor: CommandProcessor, device: Device) -> None:
    listing = ack(processor, "GetAudio", {})["info"]
    assert listing["AudioNum"] == str(len(listing["AudioName"]))
    assert "welcome.wav" in listing["AudioName"]
    assert listing["AudioCustomerName"] == ["Fail_C.wav"]
    assert ack(processor, "voiceplay", {"voicetype": "welcome.wav"})["info"]["result"] == "ok"
    assert ack(processor, "voiceplay", {"voicetype": "Fail_C.wav", "UsrType": "2"})["code"] == "200"
    assert ack(processor, "voiceplay", {"voicetype": "nope.wav"})["code"] == "464"
    assert ack(processor, "voiceplay", {"UsrType": "1"})["code"] == "463"
    assert device.played_audio == ["welcome.wav", "Fail_C.wav"]


def test_show_qr_code(processor: CommandProcessor, device: Device) -> None:
    ack(processor, "ShowQRCode", {"ImageType": "1", "QRCodeData": "A1B2C3"})
    assert device.qr_display is not None
    assert device.qr_display["text"] == "A1B2C3"
    png = images.data_uri(images.face_jpeg("QR"), "image/png")
    ack(processor, "ShowQRCode", {"ImageType": "2", "QRCodeData": png})
    assert device.qr_display["image_bytes"] > 0
    ack(processor, "ShowQRCode", {"ShowStatus": "0"})
    assert not device.qr_display
    assert ack(processor, "ShowQRCode", {"ImageType": "1"})["code"] == "463"


def test_versions_reboot_upgrade(processor: CommandProcessor) -> None:
    versions = ack(processor, "Versions", {})["info"]
    assert versions["name"]
    assert versions["buildtime"]
    assert send(processor, "RebootDevice", {}).reboot
    assert ack(processor, "Upgrade", {"name": "x", "path": "http://h/f.zip"})["code"] == "462"


def test_query_person_and_delete_all(processor: CommandProcessor, device: Device) -> None:
    query = ack(processor, "QueryPerson", {})["info"]
    assert query["TotalPersonNum"] == "6"
    assert query["QueryPersonNum"] == "5"  # Dave has no customId
    assert query["customId"].split(",")[0] == "sim-alice"
    assert ack(processor, "DeleteAllPerson", {})["code"] == "463"
    reply = send(processor, "DeleteAllPerson", {"deleteall": "1"})
    assert reply.reboot
    assert len(device.store) == 0


def test_batch_validation(processor: CommandProcessor, socket_enabled: None) -> None:
    person = {"customId": "a", "name": "A", "picURI": "http://127.0.0.1:9/a.jpg"}
    full = {"DataBegin": "BeginFlag", "DataEnd": "EndFlag", "PersonNum": 1}
    assert ack(processor, "AddPersons", [person], DataEnd="EndFlag", PersonNum=1)["code"] == "412"
    assert (
        ack(processor, "AddPersons", [person], DataBegin="BeginFlag", PersonNum=1)["code"] == "413"
    )
    assert ack(processor, "AddPersons", **full)["code"] == "418"
    no_num = {"DataBegin": "BeginFlag", "DataEnd": "EndFlag"}
    assert ack(processor, "AddPersons", [person], **no_num)["code"] == "415"
    assert ack(processor, "AddPersons", [person], **{**full, "PersonNum": 1001})["code"] == "416"
    assert ack(processor, "AddPersons", [person], **{**full, "PersonNum": "2"})["code"] == "417"
    result = ack(
        processor, "AddPersons", [person, {"customId": "sim-bob"}], **{**full, "PersonNum": 2}
    )
    assert result["info"]["result"] == "ok"
    errors = {item["customId"]: item["errcode"] for item in result["info"]["AddErrInfo"]}
    assert errors == {"a": "465", "sim-bob": "461"}  # download failed / exists


def test_batch_busy_and_delete(processor: CommandProcessor, device: Device) -> None:
    flags = {"DataBegin": "BeginFlag", "DataEnd": "EndFlag"}
    started = processor.handle(
        Command(
            {
                "operator": "DeletePersons",
                "info": {"customId": ["sim-bob"]},
                "PersonNum": 1,
                **flags,
            }
        )
    )
    assert started.batch is not None
    assert ack(processor, "QueryProgress", {})["info"]["QueryType"] == "DeletePersons"
    busy = ack(processor, "EditPerson", {"customId": "z", "pic": "x"})
    assert (busy["code"], busy["info"]["detail"]) == ("410", "DeletePersons is busy")
    result = processor.run_batch(started.batch).messages[0].payload["info"]
    assert result["DelSucInfo"] == [{"customId": "sim-bob"}]
    assert result["DelSucNum"] == "1"
    assert ack(processor, "QueryProgress", {})["info"]["Status"] == "0"
    again = ack(
        processor,
        "DeletePersons",
        {"customId": ["sim-bob", "sim-alice"]},
        PersonNum="2",
        **flags,
    )["info"]
    assert again["DelErrInfo"] == [{"customId": "sim-bob"}]
    assert again["DelSucNum"] == "1"


def test_picture_services(processor: CommandProcessor) -> None:
    alice = images.data_uri(images.face_jpeg("Alice"))
    bob = images.data_uri(images.face_jpeg("Bob"))
    same = ack(processor, "GetPictureSimilarity", {"picinfo1": alice, "picinfo2": alice})
    assert same["info"]["Similarity"] == "100.0"
    other = ack(processor, "GetPictureSimilarity", {"picinfo1": alice, "picinfo2": bob})
    assert float(other["info"]["Similarity"]) < 90
    assert ack(processor, "GetPictureSimilarity", {"picinfo1": alice})["code"] == "465"
    found = ack(processor, "GetPictureSearch", {"MaxSimilarity": 95, "MaxNum": 1}, picinfo=alice)
    assert found["info"]["SearchInfo"][0]["customId"] == "sim-alice"
    assert ack(processor, "DetectFaceFromPic", {"picinfo": alice})["info"]["DetectFace"] == "1"
    assert ack(processor, "DetectFaceFromPic", {"picinfo": "!!"})["code"] == "465"


def test_manual_push_records(processor: CommandProcessor, device: Device) -> None:
    person = device.store.find("Bob")
    assert person is not None
    record = device.recognition(person)
    window = {"TimeS": "2000-01-01T00:00:00", "TimeE": "2100-01-01T00:00:00"}
    reply = send(processor, "ManualPushRecords", window)
    assert reply.messages[0].payload["info"]["RecordNum"] == "1"
    replay = reply.messages[1]
    assert replay.kind == "Rec"
    assert replay.payload["info"]["RecordID"] == str(record.ident)
    assert replay.payload["info"]["PushType"] == "2"
    assert ack(processor, "ManualPushSnaps", window)["code"] == "466"
    assert ack(processor, "ManualPushRecords", {"TimeS": "2000-01-01T00:00:00"})["code"] == "465"


def test_remote_modes(processor: CommandProcessor, device: Device) -> None:
    ack(processor, "UpDoorconfig", {"OpendoorWay": "0"})
    refused = ack(processor, "Unlock", {"openDoor": "1"})
    assert (refused["code"], refused["info"]["result"]) == ("405", "fail")
    ack(processor, "UpDoorconfig", {"OpendoorWay": "3"})
    alice = device.store.find("Alice")
    assert alice is not None
    assert device.recognition(alice).payload["info"]["VerifyStatus"] == "22"
    ack(processor, "UpDoorconfig", {"OpendoorWay": "1"})
    assert not device.recognition(alice).upload


def test_echoes_and_targets(processor: CommandProcessor) -> None:
    assert send(processor, "Unlock-Ack", {}).messages == []
    assert processor.targets_me({"operator": "Unlock", "info": {"facesluiceId": ID}})
    assert processor.targets_me({"operator": "Unlock", "info": {}})
    assert not processor.targets_me({"operator": "Unlock", "facesluiceId": "1"})
    assert not processor.targets_me({"operator": "Unlock", "info": {"FacesluiceId": 42}})
