"""Tests of the Jovision HTTP-push parser and replies (seed 004).

The seed's examples are stored, repaired into valid JSON, under ``fixtures/jovision``
(see the README there); the tables without an example are turned into ``*_table.json``.
"""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.face_terminal.protocol.jovision import (
    METHOD_CAP_FACE_REPORT,
    METHOD_CAPTURE_PUSH,
    METHOD_COMPARE_PUSH,
    METHOD_KEEPALIVE,
    PUSH_OK_REPLY,
    JovisionCapture,
    JovisionCode,
    JovisionCompare,
    JovisionDeviceType,
    JovisionError,
    JovisionFaceEvent,
    JovisionKeepalive,
    JovisionMessage,
    JovisionUnknown,
    cap_face_report_reply,
    error_reply,
    frame_message,
    keepalive_reply,
    parse_jovision,
    push_reply,
    reply_for,
)
from custom_components.face_terminal.protocol.models import FaceBox, ImageProblem

FIXTURES = Path(__file__).parent / "fixtures" / "jovision"

# Tiny real JPEGs, generated with Pillow: Image.new("L", (8, 8), 128) and
# Image.new("RGB", (16, 8), (200, 100, 50)), both saved with quality=50.
FACE_B64 = (
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxO"
    "QERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/wAALCAAIAAgBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAEC"
    "AwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk"
    "M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJ"
    "ipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3"
    "+Pn6/9oACAEBAAA/ACv/2Q=="
)
SCENE_B64 = (
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxO"
    "QERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIABADASIAAhEBAxEB/8QAHwAAAQUBAQEB"
    "AQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKB"
    "kaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1"
    "dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl"
    "5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcF"
    "BAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5"
    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0"
    "tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwBtFFFeWeyf"
    "/9k="
)
FACE_JPEG = base64.b64decode(FACE_B64)
SCENE_JPEG = base64.b64decode(SCENE_B64)
FEATURE = "0.125,-0.5,0.75,0.0625"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture_bytes(name))
    return data


def dumps(data: object) -> bytes:
    return json.dumps(data).encode()


def compare(**record: Any) -> dict[str, Any]:
    """A realistic compare push; `record` overrides fields of ``data``."""
    data: dict[str, Any] = {
        "channel": 0,
        "index_id": 478,
        "pic_sort": 2,
        "pic_name": "chenzhen_12354.jpg",
        "match_score": 0.93,
        "position": {"x": 10, "y": 20, "w": 30, "h": 40},
        "capture_time": "1542204566",
        "send_time": "1542204567",
        "quality": 87,
        "visit_count": 5,
        "attribute": {
            "age": 32,
            "gender": 1,
            "glasses": 0,
            "mask": 0,
            "race": 1,
            "beard": 0,
            "emotion": 2,
        },
        "img_data": FACE_B64,
        "img_name": "FACE_10006612_20181114T220926120_2.jpg",
        "img_fr": "data:image/jpeg;base64," + SCENE_B64,
        "img_fr_name": "FACE_10006612_20181114T220926120_2_YT.jpg",
        "face_feature": FEATURE,
    }
    data.update(record)
    return {
        "token": "t0k3n",
        "method": METHOD_COMPARE_PUSH,
        "uuid": "12721SSQSQCA",
        "mac": "E0:62:90:AB:CD:EF",
        "host": "192.168.1.64",
        "product_name": "FaceGate",
        "device_type": 0x12,
        "data": data,
    }


def parse_compare(**record: Any) -> JovisionCompare:
    message = parse_jovision(dumps(compare(**record)))
    assert isinstance(message, JovisionCompare)
    return message


def assert_private(message: JovisionMessage) -> None:
    """No base64 text, feature vector or token survives in a parsed message."""
    text = repr(message)
    for secret in (FACE_B64[:40], SCENE_B64[:40], FEATURE, "t0k3n", "0123456789abcdef"):
        assert secret not in text


# --- the seed's examples ------------------------------------------------------------------


def test_seed_compare_push() -> None:
    message = parse_jovision(fixture_bytes("compare_push_seed.json"))
    assert message == JovisionCompare(
        method=METHOD_COMPARE_PUSH,
        uuid="xxx",
        mac="xxx",
        host=None,  # "xxx" is no IP address
        device_type=None,  # "xxx"
        product_name="xxx",
        channel="12221SSS13Q4",
        capture_time=None,
        send_time=None,
        quality=2,
        face_box=None,  # "position": 0
        age=32,
        gender="male",
        glasses=True,
        eyewear="glasses",
        mask=True,
        beard=True,
        race="asian",
        emotion="angry",
        face_name="FACE_10006612_20181114T220926120_2.jpg",
        scene_name="FACE_10006612_20181114T220926120_2_YT.jpg",
        index_id=12,
        pic_sort=None,
        list_type="unknown",  # "xxx": sent, but no list
        pic_name="xxx.jpg",
        person_name="xxx",
        match_score=None,
        visit_count=0,
    )
    assert message.face.image is None
    assert message.face.problem is None
    assert message.scene.image is None
    assert reply_for(message) == PUSH_OK_REPLY


def test_seed_compare_push_verbatim_is_not_json() -> None:
    # The seed prints "pic_name": xxx.jpg without quotes.
    with pytest.raises(JovisionError, match="not JSON"):
        parse_jovision(fixture_bytes("compare_push_seed_verbatim.txt"))


def test_seed_compare_push_reply_shape() -> None:
    seed = fixture_json("compare_push_reply_seed.json")
    ours = json.loads(PUSH_OK_REPLY)
    assert ours.keys() == seed.keys()
    assert ours["code"] == seed["code"] == 0
    # A server reply is no device message.
    with pytest.raises(JovisionError, match="no method"):
        parse_jovision(fixture_bytes("compare_push_reply_seed.json"))


def test_seed_cap_face_report() -> None:
    message = parse_jovision(fixture_bytes("cap_face_report_seed.json"))
    assert isinstance(message, JovisionCapture)
    assert message.method == METHOD_CAP_FACE_REPORT
    assert message.uuid is None  # "DeviceUUID": ""
    assert message.cloudsee_id == "12221SSS13Q4"
    assert message.device_key == "12221SSS13Q4"
    assert message.product_name == "TEST"
    assert message.device_type == JovisionDeviceType.CAPTURE_CAMERA
    assert message.device_type_name == "capture_camera"
    assert message.channel == "0"
    assert message.host == "192.168.1.100"
    assert message.mac == "12-22-1S-SS-13-Q4"
    assert message.face_id == 1
    assert message.quality == 1
    assert message.face_box is None  # all zeros
    assert message.capture_time == datetime(2018, 4, 23, 9, 4)
    assert message.capture_time.tzinfo is None
    assert message.face_name == "FACE_12221SSS13Q4_20190529T071814496_142.jpg"
    assert message.scene_name == "FACE_12221SSS13Q4_20190529T071814496_142_YT.jpg"
    # "base64 " is the seed's placeholder text, not a picture.
    assert message.face.problem is ImageProblem.NOT_AN_IMAGE
    assert message.scene.problem is ImageProblem.NOT_AN_IMAGE
    assert (message.age, message.gender, message.eyewear, message.mask) == (
        32,
        "male",
        "glasses",
        True,
    )
    assert (message.beard, message.race, message.emotion) == (True, "asian", "angry")
    assert message.username == "admin"
    assert message.password_md5 == "123456789abcdef123456789abcdef12"
    assert "123456789abcdef" not in repr(message)
    assert "128bit float" not in repr(message)
    assert reply_for(message) == cap_face_report_reply()


def test_seed_cap_face_report_reply() -> None:
    assert json.loads(cap_face_report_reply()) == fixture_json("cap_face_report_reply_seed.json")
    assert cap_face_report_reply() == b'{"sw_cap_face_report":{"result":0,"info":"ok"}}'
    # Our own answer echoed back is not taken for a report.
    with pytest.raises(JovisionError, match="no method"):
        parse_jovision(fixture_bytes("cap_face_report_reply_seed.json"))


def test_cap_face_report_variants() -> None:
    data = fixture_json("cap_face_report_seed.json")
    report = data["sw_cap_face_report"]
    report["DeviceType"] = "0x10"  # the seed writes the C literal 0x10
    report["DeviceUUID"] = "12721SSQSQCA"
    report["Info"]["Img"] = FACE_B64
    report["Info"]["Imgfr"] = SCENE_B64
    report["Info"]["Position"] = {"x1": 5, "y1": 6, "x2": 50, "y2": 60}
    message = parse_jovision(dumps(data))
    assert isinstance(message, JovisionCapture)
    assert message.device_type == 0x10
    assert message.device_key == "12721SSQSQCA"
    assert message.face_box == FaceBox(left=5, top=6, right=50, bottom=60)
    assert message.face.image is not None
    assert message.face.image.data == FACE_JPEG
    assert message.scene.image is not None
    assert message.scene.image.data == SCENE_JPEG
    assert_private(message)

    # The report as a JSON string, inside the cloud envelope.
    inner = {**data, "sw_cap_face_report": json.dumps(report)}
    wrapped = {"dataLength": 0, "data": inner}
    assert parse_jovision(dumps(wrapped)) == message

    # An explicit method with the table's flat fields.
    flat = {"method": "SW_CAP_FACE_REPORT", "UserName": "u", "DeviceMac": "AA", "FaceID": "7"}
    message = parse_jovision(dumps(flat))
    assert isinstance(message, JovisionCapture)
    assert (message.method, message.username, message.mac, message.face_id) == (
        METHOD_CAP_FACE_REPORT,
        "u",
        "AA",
        7,
    )
    assert message.device_key == "AA"


@pytest.mark.parametrize(
    ("name", "method", "keys"),
    [
        ("accesstoken_table.json", "accesstoken", 7),
        ("device_sync_data_table.json", "sw_device_sync_data", 3),
        ("get_one_pic_request_seed.json", "ivp_face_get_one_pic", 6),
        ("get_one_pic_response_seed.json", "ivp_face_get_one_pic", 4),
        ("add_pic_request_seed.json", "sw_server_add_pic", 4),
        ("add_pic_response_seed.json", "sw_server_add_pic", 4),
        ("del_pic_request_seed.json", "sw_server_del_pic", 1),
        ("del_pic_response_seed.json", "sw_server_del_pic", 4),
        ("update_pic_request_seed.json", "sw_server_update_pic", 4),
        ("update_pic_response_seed.json", "sw_server_update_pic", 4),
        ("del_multiple_pic_request_seed.json", "sw_server_del_multiple_pic", 2),
        ("del_multiple_pic_response_seed.json", "sw_server_del_multiple_pic", 3),
        ("face_rcg_list_request_seed.json", "ivp_facercg_get_face_rcg_list", 4),
        ("face_rcg_list_response_seed.json", "ivp_facercg_get_face_rcg_list", 5),
    ],
)
def test_seed_other_methods_are_unknown(name: str, method: str, keys: int) -> None:
    message = parse_jovision(fixture_bytes(name))
    assert isinstance(message, JovisionUnknown)
    assert message.method == method
    assert len(message.keys) == keys
    assert "omitted" not in repr(message)  # values are never kept
    assert reply_for(message) == error_reply(JovisionCode.SYSTEM_EXCEPTION, "unsupported method")


def test_seed_unknown_identity() -> None:
    message = parse_jovision(fixture_bytes("accesstoken_table.json"))
    assert (message.uuid, message.mac, message.device_type) == (
        "12721SSQSQCA",
        "E0:62:90:AB:CD:EF",
        16,
    )
    assert message.device_key == "12721SSQSQCA"
    request = parse_jovision(fixture_bytes("get_one_pic_request_seed.json"))
    assert isinstance(request, JovisionUnknown)
    assert request.keys == (
        "SortMode",
        "TimeStamp",
        "LibIndex",
        "FlieIndex",
        "PicName",
        "DeviceType",
    )


def test_seed_http_error_body_is_rejected() -> None:
    with pytest.raises(JovisionError, match="no method"):
        parse_jovision(fixture_bytes("http_error_seed.json"))


def test_seed_del_pic_frame_is_reproduced() -> None:
    # The seed's only consistent dataLength example: 80 bytes, counting itself.
    seed = fixture_bytes("del_pic_request_seed.json")
    assert len(seed) == 80
    framed = frame_message({"method": "sw_server_del_pic", "param": {"index_id": 480}})
    assert framed == seed


# --- keepalive ----------------------------------------------------------------------------


def test_keepalive_table() -> None:
    message = parse_jovision(fixture_bytes("keepalive_table.json"))
    assert message == JovisionKeepalive(
        method=METHOD_KEEPALIVE,
        uuid="12721SSQSQCA",
        mac="E0:62:90:AB:CD:EF",
        device_type=0x12,
        soft_version="V2.0.1.20200401",
        timestamp=datetime(2020, 4, 20, 2, 40, tzinfo=UTC),
    )
    assert message.device_type_name == "comparison_machine"
    assert message.device_key == "12721SSQSQCA"
    assert_private(message)
    assert reply_for(message) == keepalive_reply()


def test_keepalive_lenient_and_enveloped() -> None:
    inner = {
        "Method": "KeepAlive",
        "UUID": "u-1",
        "ip": "10.0.0.9",
        "ProductName": "Gate",
        "deviceType": "20",
        "softVersion": "1.2",
        "timestamp": 1587350400123,  # milliseconds
        "interval": "30",
    }
    message = parse_jovision(dumps({"dataLength": 999, "data": inner}))
    assert message == JovisionKeepalive(
        method=METHOD_KEEPALIVE,
        uuid="u-1",
        host="10.0.0.9",
        product_name="Gate",
        device_type=20,
        soft_version="1.2",
        timestamp=datetime(2020, 4, 20, 2, 40, 0, 123000, tzinfo=UTC),
        interval=30,
    )
    assert message.device_type_name == "binocular_gate"
    zero = parse_jovision(b'{"method":"keepalive","interval":0,"device_type":99,"mac":"m"}')
    assert isinstance(zero, JovisionKeepalive)
    assert (zero.interval, zero.device_type_name, zero.device_key) == (None, None, "m")


def test_keepalive_reply() -> None:
    reply = keepalive_reply()
    data = json.loads(reply)
    assert data == {
        "dataLength": len(reply),
        "data": {"method": "keepalive", "code": 0, "retMsg": "ok"},
        "code": 0,
        "retMsg": "ok",
    }
    bad = json.loads(keepalive_reply(JovisionCode.DEVICE_NOT_IN_SERVER_LIST, "unknown device"))
    assert bad["data"]["code"] == bad["code"] == -1002
    assert bad["data"]["retMsg"] == bad["retMsg"] == "unknown device"


# --- compare push -------------------------------------------------------------------------


def test_compare_push_full() -> None:
    message = parse_compare()
    assert message.uuid == "12721SSQSQCA"
    assert message.device_type_name == "comparison_machine"
    assert message.index_id == 478
    assert (message.pic_sort, message.list_type) == (2, "whitelist")
    assert message.pic_name == "chenzhen_12354.jpg"
    assert message.person_name == "chenzhen_12354"
    assert message.match_score == pytest.approx(0.93)
    assert message.capture_time == datetime(2018, 11, 14, 14, 9, 26, tzinfo=UTC)
    assert message.send_time == datetime(2018, 11, 14, 14, 9, 27, tzinfo=UTC)
    assert message.quality == 87
    assert message.visit_count == 5
    assert message.face_box == FaceBox(left=10, top=20, right=40, bottom=60)
    assert (message.age, message.gender, message.glasses, message.eyewear) == (
        32,
        "male",
        False,
        "none",
    )
    assert (message.mask, message.beard, message.race, message.emotion) == (
        False,
        False,
        "asian",
        "calm",
    )
    assert message.temperature is None
    assert message.face.image is not None
    assert message.face.image.content_type == "image/jpeg"
    assert message.face.image.data == FACE_JPEG
    assert message.scene.image is not None
    assert message.scene.image.data == SCENE_JPEG
    assert isinstance(message, JovisionFaceEvent)
    assert_private(message)


def test_compare_push_numeric_strings() -> None:
    message = parse_compare(
        channel="1",
        index_id="478",
        pic_sort="3",
        match_score="0.875",
        capture_time=1542204566,
        quality="87",
        visit_count="12",
        position={"x": "1", "y": "2", "width": "3", "height": "4"},
        attribute={"age": "45", "gender": "2", "glasses": "2", "mask": "1", "beard": "0"},
    )
    assert message.channel == "1"
    assert message.index_id == 478
    assert (message.pic_sort, message.list_type) == (3, "vip")
    assert message.match_score == 0.875
    assert message.capture_time == datetime(2018, 11, 14, 14, 9, 26, tzinfo=UTC)
    assert message.quality == 87
    assert message.visit_count == 12
    assert message.face_box == FaceBox(left=1, top=2, right=4, bottom=6)
    assert (message.age, message.gender, message.glasses, message.eyewear) == (
        45,
        "female",
        True,
        "sunglasses",
    )
    assert (message.mask, message.beard, message.race, message.emotion) == (True, False, None, None)


def test_compare_push_placeholders() -> None:
    with pytest.raises(JovisionError, match="names no library picture"):
        parse_compare(index_id=0, pic_name=" ", person_name="null")
    message = parse_compare(
        index_id=0,
        person_name="Li",
        pic_sort="",
        pic_name=" ",
        match_score="null",
        capture_time="0",
        send_time="0000-00-00 00:00:00",
        quality=-1,
        visit_count=-5,
        position="0",
        attribute="(null)",
        img_data="",
        img_fr=None,
        img_name="",
    )
    assert message.index_id is None
    assert (message.pic_sort, message.list_type) == (None, None)
    assert message.pic_name is None
    assert message.person_name == "Li"
    assert message.match_score is None
    assert message.capture_time is None
    assert message.send_time is None
    assert message.quality is None
    assert message.visit_count is None
    assert message.face_box is None
    attributes = (message.age, message.gender, message.glasses, message.eyewear, message.mask)
    assert attributes == (None, None, None, None, None)
    assert (message.beard, message.race, message.emotion) == (None, None, None)
    assert message.face.image is None
    assert message.face.problem is None
    assert message.scene.image is None
    assert message.face_name is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, (1, "blacklist")),
        ("2", (2, "whitelist")),
        (3, (3, "vip")),
        (4.0, (4, "custom")),
        (5, (5, "unknown")),  # "can be distributed by the server later": not documented
        ("VIP", (None, "vip")),
        ("White List", (None, "whitelist")),
        ("black_list", (None, "blacklist")),
        ("black", (None, "blacklist")),
        ("Custom", (None, "custom")),
        ("xxx", (None, "unknown")),
        (None, (None, None)),
        ("", (None, None)),
        ([1], (None, "unknown")),
    ],
)
def test_list_type(value: object, expected: tuple[int | None, str | None]) -> None:
    message = parse_compare(pic_sort=value)
    assert (message.pic_sort, message.list_type) == expected


def test_list_type_alternative_key() -> None:
    payload = compare()
    del payload["data"]["pic_sort"]
    payload["data"]["list_type"] = "blacklist"
    message = parse_jovision(dumps(payload))
    assert isinstance(message, JovisionCompare)
    assert message.list_type == "blacklist"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.93, 0.93),
        ("0.5", 0.5),
        (1, 1.0),
        (0, 0.0),
        (93, 0.93),  # a percentage
        ("87.5", 0.875),
        (100, 1.0),
        (100.5, None),
        (-0.1, None),
        ("high", None),
        (True, None),
        (float("nan"), None),
    ],
)
def test_match_score(value: object, expected: float | None) -> None:
    score = parse_compare(match_score=value).match_score
    if expected is None:
        assert score is None
    else:
        assert score == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1542204566", datetime(2018, 11, 14, 14, 9, 26, tzinfo=UTC)),
        (1542204566, datetime(2018, 11, 14, 14, 9, 26, tzinfo=UTC)),
        (" 1542204566.5 ", datetime(2018, 11, 14, 14, 9, 26, 500000, tzinfo=UTC)),
        (1542204566000, datetime(2018, 11, 14, 14, 9, 26, tzinfo=UTC)),  # milliseconds
        ("2018-04-17 14:53:23", datetime(2018, 4, 17, 14, 53, 23)),  # device wall clock
        ("2018-04-17T14:53:23", datetime(2018, 4, 17, 14, 53, 23)),
        ("0", None),
        (0, None),
        (-5, None),
        (10**20, None),  # beyond year 9999 even as milliseconds
        (99999999999, datetime(5138, 11, 16, 9, 46, 39, tzinfo=UTC)),  # still seconds
        (253402300799, datetime(1978, 1, 11, 21, 31, 40, 799000, tzinfo=UTC)),  # ms
        ("0000-00-00 00:00:00", None),
        ("xxx", None),
        (True, None),
        ({"t": 1}, None),
    ],
)
def test_capture_time_forms(value: object, expected: datetime | None) -> None:
    assert parse_compare(capture_time=value).capture_time == expected


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("gender", 1, "male"),
        ("gender", 2, "female"),
        ("gender", 0, None),
        ("gender", "Female", "female"),
        ("gender", "unknown", None),
        ("glasses", 0, "none"),
        ("glasses", 1, "glasses"),
        ("glasses", "2", "sunglasses"),
        ("glasses", 3, None),
        ("race", 1, "asian"),
        ("race", 2, "black"),
        ("race", 3, "white"),
        ("race", 4, None),
        ("emotion", 1, "angry"),
        ("emotion", 2, "calm"),
        ("emotion", 3, "happy"),
        ("emotion", 4, "sad"),
        ("emotion", 5, "surprised"),
        ("emotion", "Happy", "happy"),
        ("emotion", 0, None),
        ("emotion", {"x": 1}, None),
    ],
)
def test_attribute_enums(field: str, value: object, expected: str | None) -> None:
    message = parse_compare(attribute={field: value})
    attribute = "eyewear" if field == "glasses" else field
    assert getattr(message, attribute) == expected
    if field == "glasses":
        assert message.glasses is (None if expected is None else expected != "none")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, None), (1, 1), ("32", 32), (150, 150), (151, None), (-3, None), ("old", None)],
)
def test_age(value: object, expected: int | None) -> None:
    assert parse_compare(attribute={"age": value}).age == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, True),
        (0, False),
        ("1", True),
        ("0", False),
        (True, True),
        (2, None),
        ("maybe", None),
    ],
)
def test_mask_and_beard(value: object, expected: bool | None) -> None:
    message = parse_compare(attribute={"mask": value, "beard": value})
    assert message.mask is expected
    assert message.beard is expected


def test_attribute_as_json_text() -> None:
    message = parse_compare(attribute=json.dumps({"age": 20, "gender": 2}))
    assert (message.age, message.gender) == (20, "female")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {"realtime_t": "37.6", "warning_t": "37.3", "warning_type": "over temperature"},
            (37.6, 37.3, "over temperature"),
        ),
        ({"realtime_t": 36.5, "warning_t": 0}, (36.5, None, None)),
        ({"realtime_t": 0, "warning_t": "37,3"}, (None, 37.3, None)),
        ('{"realtime_t": 36.9}', (36.9, None, None)),
        (36.5, (36.5, None, None)),
        ("36.7", (36.7, None, None)),
        (0, (None, None, None)),
        ("{broken", (None, None, None)),
        ("[1, 2]", (None, None, None)),
        ('{"a": [[[[', (None, None, None)),
        ('["not an object"]', (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_temperature(value: object, expected: tuple[object, object, object]) -> None:
    message = parse_compare(temperature=value)
    assert (
        message.temperature,
        message.temperature_threshold,
        message.temperature_warning,
    ) == expected


def test_temperature_nested_json_text_too_deep() -> None:
    assert parse_compare(temperature="{" * 100_000).temperature is None
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    assert parse_compare(temperature=deep).temperature is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"x": 10, "y": 20, "w": 30, "h": 40}, FaceBox(left=10, top=20, right=40, bottom=60)),
        ({"X": "1", "Y": "2", "W": "3", "H": "4"}, FaceBox(left=1, top=2, right=4, bottom=6)),
        ({"x1": 1, "y1": 2, "x2": 3, "y2": 4}, FaceBox(left=1, top=2, right=3, bottom=4)),
        ({"left": 1, "top": 2, "right": 3, "bottom": 4}, FaceBox(left=1, top=2, right=3, bottom=4)),
        ('{"x": 1, "y": 1, "w": 1, "h": 1}', FaceBox(left=1, top=1, right=2, bottom=2)),
        ({"x1": 0, "y1": 0, "x2": 0, "y2": 0}, None),
        ({"x": 0, "y": 0, "w": 0, "h": 0}, None),
        ({"x": 5, "y": 5, "w": 10}, None),
        ({"x1": 5, "y1": 5}, None),
        ({"x1": 5, "y1": 5, "x2": 4, "y2": 9}, None),
        ({"x1": 5, "y1": 5, "x2": 9, "y2": 4}, None),
        ({}, None),
        (0, None),
        ([1, 2, 3, 4], None),
    ],
)
def test_face_box(value: object, expected: FaceBox | None) -> None:
    assert parse_compare(position=value).face_box == expected


@pytest.mark.parametrize(
    ("pic_name", "expected"),
    [
        ("chenzhen_12354.jpg", "chenzhen_12354"),
        ("lib/zhang_san.JPEG", "zhang_san"),
        ("C:\\faces\\li.png", "li"),
        ("Dr. Smith", "Dr. Smith"),
        ("noext", "noext"),
        (".jpg", ".jpg"),
        ("faces/", None),
        ("  王小明.jpg ", "王小明"),
        (12354, "12354"),
    ],
)
def test_person_name_from_pic_name(pic_name: object, expected: str | None) -> None:
    assert parse_compare(pic_name=pic_name).person_name == expected


def test_person_name_explicit() -> None:
    assert parse_compare(person_name="Alex").person_name == "Alex"
    assert parse_compare(name="Bo").person_name == "Bo"


def test_compare_push_bare_param_and_flat_forms() -> None:
    payload = compare()
    record = payload.pop("data")
    for key in ("param", "params", "Info"):
        message = parse_jovision(dumps({**payload, key: record}))
        assert isinstance(message, JovisionCompare)
        assert message.index_id == 478
        assert message.uuid == "12721SSQSQCA"
    flat = parse_jovision(dumps({**payload, **record}))
    assert isinstance(flat, JovisionCompare)
    assert flat.index_id == 478
    assert flat.face.image is not None
    assert flat.uuid == "12721SSQSQCA"
    # "data" sent as JSON text (its table type is "json ... string").
    text = parse_jovision(dumps({**payload, "data": json.dumps(record)}))
    assert text == parse_compare()
    # The record repeats the device identity; the message's own value wins.
    own = parse_jovision(dumps({**payload, "data": {**record, "uuid": "other"}}))
    assert own.uuid == "12721SSQSQCA"
    inner_only = parse_jovision(
        dumps({"method": METHOD_COMPARE_PUSH, "data": {"uuid": "in", "index_id": 1}})
    )
    assert inner_only.uuid == "in"


def test_compare_push_in_envelope() -> None:
    body = frame_message(compare())
    message = parse_jovision(body)
    assert message == parse_compare()


def test_method_matching() -> None:
    for method in ("SW_FACE_COMPARE_PUSH", " sw_face_compare_push ", "SwFaceComparePush"):
        payload = compare()
        payload["method"] = method
        message = parse_jovision(dumps(payload))
        assert isinstance(message, JovisionCompare)
        assert message.method == METHOD_COMPARE_PUSH


# --- capture push -------------------------------------------------------------------------


def test_capture_push_table() -> None:
    message = parse_jovision(fixture_bytes("capture_push_table.json"))
    assert message == JovisionCapture(
        method=METHOD_CAPTURE_PUSH,
        uuid="12721SSQSQCA",
        mac="E0:62:90:AB:CD:EF",
        host="192.168.1.64",
        device_type=0x10,
        product_name="FaceCam",
        channel="0",
        capture_time=datetime(2018, 4, 17, 14, 53, 23),
        send_time=datetime(2018, 4, 17, 14, 53, 24),
        quality=87654,
        face_box=FaceBox(left=100, top=120, right=180, bottom=216),
        age=41,
        gender="female",
        glasses=True,
        eyewear="sunglasses",
        mask=False,
        beard=False,
        race="white",
        emotion="happy",
        temperature=37.6,
        temperature_threshold=37.3,
        temperature_warning="over temperature",
        face_name="FACE_12721SSQSQCA_20180417T145323000_42.jpg",
        scene_name="FACE_12721SSQSQCA_20180417T145323000_42_YT.jpg",
        track_id=42,
    )
    assert message.device_key == "12721SSQSQCA"
    assert_private(message)
    assert reply_for(message) == PUSH_OK_REPLY


# --- framing and decoding -----------------------------------------------------------------


def test_http_head_bom_and_trailing_nul() -> None:
    body = dumps(compare())
    head = (
        b"POST / HTTP/1.0\r\nConnection: keep-alive\r\n"
        b"Content-Type: application/json;charset=utf-8\r\n"
        b"Content-Length: %d\r\nHost: 192.168.5.146:8127\r\n\r\n" % len(body)
    )
    expected = parse_compare()
    assert parse_jovision(head + body + b"\x00") == expected
    assert parse_jovision(b"\xef\xbb\xbf" + body + b"\r\n") == expected
    assert parse_jovision("\ufeff" + body.decode()) == expected
    # Accepted at run time, though the signature says bytes | str.
    assert parse_jovision(bytearray(body)) == expected  # type: ignore[arg-type]
    assert parse_jovision(memoryview(body)) == expected  # type: ignore[arg-type]
    assert parse_jovision(b"POST /x HTTP/1.1\nHost: h\n\n" + body) == expected
    assert parse_jovision(b"POST / HTTP/1.0\r\n\r\n" + body) == expected
    assert parse_jovision(b"PUT /api/webhook/x HTTP/1.1\r\n\r\n" + body) == expected


def test_invalid_utf8_is_replaced() -> None:
    body = dumps(compare(pic_name="ABC.jpg")).replace(b"ABC", b"A\xffC")
    message = parse_jovision(body)
    assert isinstance(message, JovisionCompare)
    assert message.person_name == "A\ufffdC"


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"", "not JSON"),
        (b"   \r\n", "not JSON"),
        (b"not json", "not JSON"),
        (b"{'method': 'keepalive'}", "not JSON"),
        (b'{"method":"keepalive"', "not JSON"),
        (b'{"method":"keepalive"} trailing', "not JSON"),
        (b"[" * 100_000, "not JSON|nested too deeply"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"n":' + b"9" * 5000 + b"}", "not JSON"),
        (b"[]", "not a JSON object but list"),
        (b'"keepalive"', "not a JSON object but str"),
        (b"42", "not a JSON object but int"),
        (b"null", "not a JSON object but NoneType"),
        (b"{}", "no method"),
        (b'{"method":""}', "no method"),
        (b'{"method":" "}', "no method"),
        (b'{"method":null}', "no method"),
        (b'{"method":{"a":1}}', "no method"),
        (b'{"dataLength":10,"data":{"uuid":"x"}}', "no method"),
        (b'{"dataLength":10,"data":[1]}', "no method"),
        (b'{"sw_cap_face_report":"text"}', "no method"),
        (b"POST / HTTP/1.0\r\n\r\n", "not JSON"),
    ],
)
def test_rejected_bodies(body: bytes, match: str) -> None:
    with pytest.raises(JovisionError, match=match):
        parse_jovision(body)


def test_rejected_types() -> None:
    with pytest.raises(JovisionError, match="bytes or str, not int"):
        parse_jovision(42)  # type: ignore[arg-type]


def test_overlong_text_is_cut_and_overlong_file_names_dropped() -> None:
    """Device text is cut to its limit (ending in "…"); file names are never cut."""
    message = parse_compare(
        pic_name="n" * 257, person_name="p" * 100, img_name=FACE_B64, channel="c" * 300
    )
    assert message.pic_name is None
    assert message.person_name == "p" * 63 + "…"
    assert message.face_name is None
    assert message.channel == "c" * 255 + "…"
    assert_private(message)
    with pytest.raises(JovisionError, match="names no library picture"):
        parse_compare(pic_name="n" * 257, index_id=None)


def test_unknown_method_kept() -> None:
    message = parse_jovision(b'{"method":"sw_new_thing","uuid":"u","param":{"a":1,"b":2}}')
    assert message == JovisionUnknown(method="sw_new_thing", uuid="u", keys=("a", "b"))
    numeric = parse_jovision(b'{"method":5}')
    assert numeric == JovisionUnknown(method="5", keys=("method",))
    many = parse_jovision(dumps({"method": "x", "data": {f"k{i}": i for i in range(1000)}}))
    assert isinstance(many, JovisionUnknown)
    assert len(many.keys) == 256
    long_key = parse_jovision(dumps({"method": "x", "data": {FACE_B64: 1}}))
    assert isinstance(long_key, JovisionUnknown)
    assert long_key.keys == (FACE_B64[:63] + "…",)
    assert parse_jovision(dumps({"method": "m" * 64})).method == "m" * 64
    with pytest.raises(JovisionError, match="too long"):
        parse_jovision(dumps({"method": "m" * 65}))


# --- replies ------------------------------------------------------------------------------


def test_push_and_error_replies() -> None:
    assert PUSH_OK_REPLY == b'{"code":0,"retMsg":"ok"}'
    assert push_reply() == PUSH_OK_REPLY
    assert json.loads(push_reply(JovisionCode.TOKEN_INVALID, "token invalid")) == {
        "code": -1003,
        "retMsg": "token invalid",
    }
    assert json.loads(error_reply()) == {
        "code": -1001,
        "retMsg": "invalid message",
        "dataObj": {},
    }
    assert json.loads(error_reply(-1001, "系统异常")) == {
        "code": -1001,
        "retMsg": "系统异常",
        "dataObj": {},
    }
    assert error_reply(-1001, "系统异常").isascii()
    assert json.loads(cap_face_report_reply(1, "busy")) == {
        "sw_cap_face_report": {"result": 1, "info": "busy"}
    }
    assert [int(code) for code in JovisionCode] == [0, -1001, -1002, -1003, -1004]


def test_data_length_is_self_inclusive_for_many_sizes() -> None:
    lengths = set()
    for size in range(1200):
        reply = keepalive_reply(message="x" * size)
        data = json.loads(reply)
        assert data["dataLength"] == len(reply)
        lengths.add(len(reply))
        framed = frame_message({"pad": "y" * size}, {"code": 0})
        assert json.loads(framed)["dataLength"] == len(framed)
        lengths.add(len(framed))
    # Crossing from 2 to 3 (and 3 to 4) digits: 99 and 101 are reachable, 100 is not,
    # because adding one byte of content also adds a digit to N.
    assert {98, 99, 101, 102, 998, 999, 1001, 1002} <= lengths
    assert 100 not in lengths
    assert 1000 not in lengths


def test_frame_message_with_non_ascii_data() -> None:
    framed = frame_message({"name": "王小明"})
    assert framed.isascii()
    assert json.loads(framed) == {"dataLength": len(framed), "data": {"name": "王小明"}}


def test_frame_message_rejects_reserved_extra() -> None:
    with pytest.raises(ValueError, match="dataLength"):
        frame_message({}, {"dataLength": 1})
    with pytest.raises(ValueError, match="dataLength or data"):
        frame_message({}, {"data": 1})


@given(data=st.dictionaries(st.text(max_size=8), st.text(max_size=300) | st.integers(), max_size=6))
@settings(max_examples=300, deadline=None)
def test_frame_message_property(data: dict[str, Any]) -> None:
    framed = frame_message(data)
    decoded = json.loads(framed)
    assert decoded == {"dataLength": len(framed), "data": data}


def test_reply_for_unknown() -> None:
    reply = reply_for(JovisionUnknown(method="x"))
    assert json.loads(reply)["code"] == JovisionCode.SYSTEM_EXCEPTION


def test_device_type_names() -> None:
    names = {
        member.value: JovisionMessage(method="m", device_type=member.value).device_type_name
        for member in JovisionDeviceType
    }
    assert names == {
        0x10: "capture_camera",
        0x12: "comparison_machine",
        0x14: "binocular_gate",
        0x16: "monocular_gate",
        0x18: "ai_nvr",
        0x1A: "cloud_platform",
        0x1C: "app",
        0x1E: "wechat",
        0x20: "cms",
        0x21: "other",
    }
    assert JovisionMessage(method="m").device_type_name is None
    assert JovisionMessage(method="m", device_type=0x22).device_type_name is None


# --- fuzzing ------------------------------------------------------------------------------

VALID_BODIES = [
    fixture_bytes(name)
    for name in (
        "compare_push_seed.json",
        "cap_face_report_seed.json",
        "keepalive_table.json",
        "capture_push_table.json",
        "add_pic_request_seed.json",
        "del_multiple_pic_response_seed.json",
    )
] + [dumps(compare(img_data=FACE_B64[:120], img_fr=SCENE_B64[:120])), frame_message(compare())]

KEYS = [
    "method",
    "data",
    "param",
    "params",
    "Info",
    "dataLength",
    "sw_cap_face_report",
    "uuid",
    "DeviceUUID",
    "mac",
    "host",
    "HostIP",
    "device_type",
    "DeviceType",
    "product_name",
    "timestamp",
    "soft_version",
    "interval",
    "channel",
    "index_id",
    "pic_sort",
    "pic_name",
    "name",
    "match_score",
    "position",
    "x",
    "y",
    "w",
    "h",
    "x1",
    "y1",
    "x2",
    "y2",
    "capture_time",
    "CaptureTime",
    "send_time",
    "quality",
    "visit_count",
    "track_id",
    "FaceID",
    "attribute",
    "Attribute",
    "age",
    "gender",
    "glasses",
    "mask",
    "beard",
    "race",
    "emotion",
    "temperature",
    "realtime_t",
    "warning_t",
    "warning_type",
    "img_data",
    "Img",
    "img_fr",
    "Imgfr",
    "img_name",
    "UserName",
    "Password",
    "result",
]
METHODS = [
    METHOD_KEEPALIVE,
    METHOD_COMPARE_PUSH,
    METHOD_CAPTURE_PUSH,
    METHOD_CAP_FACE_REPORT,
    "KEEPALIVE",
    "sw_server_add_pic",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(
        [
            "",
            " ",
            "0",
            "0x10",
            "0xZZ",
            "1542204566",
            "1542204566000",
            "99999999999999999999",
            "2018-04-17 14:53:23",
            "0000-00-00 00:00:00",
            "null",
            "{",
            '{"x":1,"y":1,"w":2,"h":2}',
            "data:image/jpeg;base64,",
            FACE_B64,
            "http://x/y.jpg",
            "xxx.jpg",
        ]
    )
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=6)
    ),
    max_leaves=30,
)


def check_parse(body: bytes | str) -> None:
    """Nothing but JovisionError escapes; a result is a message with a valid JSON reply."""
    try:
        message = parse_jovision(body)
    except JovisionError:
        return
    assert isinstance(message, JovisionMessage)
    assert isinstance(json.loads(reply_for(message)), dict)
    text = repr(message)
    assert FACE_B64[:260] not in text  # no field holds picture-sized text


@given(st.binary(max_size=2048))
@settings(max_examples=1000, deadline=None)
def test_fuzz_arbitrary_bytes(body: bytes) -> None:
    check_parse(body)


@given(st.text(max_size=512))
@settings(max_examples=400, deadline=None)
def test_fuzz_arbitrary_text(body: str) -> None:
    check_parse(body)


@given(
    method=st.sampled_from(METHODS) | st.none(),
    top=st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8),
    record=st.dictionaries(st.sampled_from(KEYS), json_values, max_size=12),
    record_key=st.sampled_from(["data", "param", "params", "Info", "sw_cap_face_report"]),
    envelope=st.booleans(),
)
@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_structured(
    method: str | None,
    top: dict[str, Any],
    record: dict[str, Any],
    record_key: str,
    envelope: bool,
) -> None:
    message: dict[str, Any] = dict(top)
    if method is not None:
        message["method"] = method
    message[record_key] = record
    if envelope:
        message = {"dataLength": 0, "data": message}
    check_parse(json.dumps(message))


@given(body=st.sampled_from(VALID_BODIES), data=st.data())
@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_byte_mutations(body: bytes, data: st.DataObject) -> None:
    mutated = bytearray(body)
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        position = data.draw(st.integers(min_value=0, max_value=len(mutated)))
        action = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if action == "flip" and position < len(mutated):
            mutated[position] = data.draw(st.integers(min_value=0, max_value=255))
        elif action == "delete":
            del mutated[position : position + data.draw(st.integers(min_value=1, max_value=16))]
        elif action == "insert":
            mutated[position:position] = data.draw(
                st.binary(min_size=1, max_size=8)
                | st.sampled_from([b"{", b"}", b'"', b",", b":", b"[", b"]", b"null", b"\\"])
            )
        else:
            del mutated[position:]
    check_parse(bytes(mutated))


def _paths(value: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            paths.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths.extend(_paths(item, (*prefix, index)))
    return paths


@given(body=st.sampled_from(VALID_BODIES), data=st.data())
@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_value_mutations(body: bytes, data: st.DataObject) -> None:
    document = json.loads(body)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        paths = [path for path in _paths(document) if path]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()):
            parent[path[-1]] = data.draw(json_values)
        elif isinstance(parent, dict):
            del parent[path[-1]]
    check_parse(json.dumps(copy.deepcopy(document)))
