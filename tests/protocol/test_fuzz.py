"""Property tests: nothing but ProtocolError ever escapes parse_message.

10 000 examples in total: arbitrary bytes, arbitrary JSON, messages built from the
field names the parser knows, and mutations of every vendor example (values replaced by
random JSON, keys deleted, types swapped, operators exchanged).
"""

import json
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.face_terminal.protocol import (
    Ack,
    IDCardPush,
    Image,
    ImageResult,
    Message,
    ProtocolError,
    describe_ack_error,
    parse_message,
)
from custom_components.face_terminal.protocol.operators import COMMAND_OPERATORS, EVENT_OPERATORS

from .samples import BMP_B64, JPEG_B64, JPEG_URI, PNG_B64, fixture_names, fixture_text

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

TOPICS = st.sampled_from(
    [
        "mqtt/face/1305433/Rec",
        "mqtt/face/1305433/snap",
        "mqtt/face/1305433/Ack",
        "mqtt/face/1305433/IDCard",
        "mqtt/face/1305433/card",
        "mqtt/face/1305433/QRCode",
        "mqtt/face/1305433",
        "mqtt/face/basic",
        "mqtt/face/heartbeat",
        "mqtt/face/1305433/recods/livelogs",
        "Rec",
        "",
        "/",
    ]
)

OPERATORS = sorted(
    {*COMMAND_OPERATORS, *EVENT_OPERATORS}
    | {f"{name}-Ack" for name in COMMAND_OPERATORS}
    | {"SnapPush", "VerifyPush", "voiceplay-ack", "Foo-Ack", "ParabolicSnapPush", "", " "}
)

# Every key the parser looks for, in document and odd spellings.
KEYS = [
    "operator",
    "messageId",
    "info",
    "code",
    "result",
    "detail",
    "facesluiceId",
    "facesluiceld",
    "facesIuiceId",
    "faceluiceId",
    "deviceId",
    "DeviceID",
    "customId",
    "CustomizeID",
    "personId",
    "persionName",
    "personName",
    "Name",
    "name",
    "RecordID",
    "VerifyStatus",
    "PersonType",
    "personType",
    "similarity1",
    "similarity2",
    "time",
    "snapTime",
    "CreateTime",
    "createTime",
    "facesluiceName",
    "direction",
    "otype",
    "temperature",
    "temperatureAlarm",
    "PushType",
    "Sendintime",
    "isNoMask",
    "cardNum2",
    "RFIDCard",
    "targetPosInScene",
    "left",
    "top",
    "right",
    "bottom",
    "pic",
    "scene",
    "SanpPic",
    "ScenePic",
    "ImgData",
    "SnapID",
    "QRCodeInfo",
    "QRcodeInfo",
    "CardInfo",
    "CardNum",
    "CardMode",
    "IDCardInfo",
    "IDCard_Idno",
    "IDCard_Name",
    "IDCard_Gender",
    "IDCard_photo",
    "ip",
    "wifiIp",
    "facesname",
    "username",
    "openDoor",
    "AudioName",
    "AudioCustomerName",
    "List",
    "TotalPersonNum",
    "PersonNum",
    "name",
    "buildtime",
    "PushAckType",
    "SnapOrRecordID",
    "Status",
    "QueryType",
    "TotalNum",
    "FinishNum",
    "AddSucInfo",
    "AddErrInfo",
    "AddSucNum",
    "AddErrNum",
    "DelSucInfo",
    "DelErrInfo",
    "errcode",
    "gender",
    "cardValidBegin",
    "cardValidEnd",
    "LibID",
    "idCard",
    "telnum",
    "telnum1",
]

STRINGS = st.sampled_from(
    [
        "",
        " ",
        "0",
        "1",
        "2",
        "-1",
        "83.000000",
        "nan",
        "1e999",
        "entr",
        "exit",
        "unknow",
        "2020-05-12 15:11:10",
        "2020-4-2T18:59:54",
        "0000-00-00 00:00:00",
        "GID@@@1305433",
        "@@@",
        JPEG_URI,
        f"data:image/bmp;base64,{JPEG_B64}",
        BMP_B64,
        PNG_B64,
        "data:image/jpeg;base64,",
        "https://example.com/a.jpg",
        '["a.wav","b.wav"]',
        "a.wav,b.wav",
        "[broken",
        "[1,2,3,4]",
        "A" * 1500,
        "张三",
        "\ufeff",
        "\x00",
    ]
)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | STRINGS
)

KEY = st.sampled_from(KEYS)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(st.tuples(KEY | st.text(max_size=6), children), max_size=5).map(dict)
    ),
    max_leaves=6,
)
VALUE = SCALARS | JSON
INFO = st.lists(st.tuples(KEY, VALUE), max_size=8).map(dict)
TOP = st.lists(st.tuples(KEY, VALUE), max_size=3).map(dict)
OPERATOR = st.sampled_from(OPERATORS) | SCALARS
BOOL = st.booleans()
SMALL = st.integers(0, 5)
STEPS = st.integers(1, 4)
ACTION = st.sampled_from(["replace", "delete", "retype", "operator"])
INDENT = st.sampled_from([None, 2])
FIXTURE = st.sampled_from(fixture_names())
KNOWN_OPERATOR = st.sampled_from(OPERATORS)


def check(message: Message) -> None:
    """Invariants of every parse result."""
    assert isinstance(message, Message)
    assert isinstance(message.operator, str)
    assert message.operator
    for attribute in ("terminal_id", "facesluice_id", "message_id"):
        assert getattr(message, attribute) is None or isinstance(getattr(message, attribute), str)
    repr(message)
    for field in fields(message):
        value = getattr(message, field.name)
        if isinstance(value, ImageResult):
            assert value.image is None or isinstance(value.image, Image)
        if field.name == "time":
            assert value is None or isinstance(value, datetime)
        if is_dataclass(value) and not isinstance(value, type):
            repr(value)
    if isinstance(message, Ack):
        assert isinstance(message.ok, bool)
        sentence = describe_ack_error(message)
        assert sentence.endswith(".")
        assert JPEG_B64 not in sentence
        assert JPEG_B64 not in json.dumps(message.info, default=str)
    if isinstance(message, IDCardPush) and message.id_last4 is not None:
        assert len(message.id_last4) == 4


def parse_safely(topic: str, payload: bytes | str) -> None:
    try:
        message = parse_message(topic, payload)
    except ProtocolError:
        return
    check(message)


@settings(FUZZ, max_examples=3000)
@given(topic=TOPICS, payload=st.binary(max_size=200))
def test_arbitrary_bytes(topic: str, payload: bytes) -> None:
    parse_safely(topic, payload)


@settings(FUZZ, max_examples=1500)
@given(topic=TOPICS, value=JSON)
def test_arbitrary_json(topic: str, value: Any) -> None:
    parse_safely(topic, json.dumps(value))


@st.composite
def known_shapes(draw: st.DrawFn) -> dict[str, Any]:
    body = draw(TOP)
    body["operator"] = draw(OPERATOR)
    body["info"] = draw(INFO) if draw(BOOL) else draw(JSON)
    return body


@settings(FUZZ, max_examples=3000)
@given(topic=TOPICS, body=known_shapes())
def test_known_field_names_with_random_values(topic: str, body: dict[str, Any]) -> None:
    parse_safely(topic, json.dumps(body))


FIXTURE_TEXTS = {name: fixture_text(name) for name in fixture_names()}


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*path, index)))
    return found


def _retype(draw: st.DrawFn, value: Any) -> Any:
    choice = draw(SMALL)
    if choice == 0:
        return str(value)
    if choice == 1:
        return [value]
    if choice == 2:
        return {"x": value}
    if choice == 3:
        return None
    if choice == 4:
        return json.dumps(value)
    return draw(SCALARS)


@st.composite
def mutated_examples(draw: st.DrawFn) -> tuple[str, str]:
    doc: Any = json.loads(FIXTURE_TEXTS[draw(FIXTURE)])
    for _ in range(draw(STEPS)):
        paths = _paths(doc)
        path = paths[draw(st.integers(0, len(paths) - 1))]
        action = draw(ACTION)
        if not path or action == "operator":
            if isinstance(doc, dict):
                doc["operator"] = draw(KNOWN_OPERATOR)
            continue
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(JSON)
        else:
            parent[key] = _retype(draw, parent[key])
    topic = draw(TOPICS)
    return topic, json.dumps(doc, indent=draw(INDENT))


@settings(FUZZ, max_examples=2500)
@given(example=mutated_examples())
def test_mutated_vendor_examples(example: tuple[str, str]) -> None:
    topic, payload = example
    parse_safely(topic, payload)
    parse_safely(topic, payload.encode("utf-16"))  # wrong encoding: must still be contained
