"""Hostile and odd inputs for parse_message, beyond the vendor examples and quirks."""

import json
from typing import Any

import pytest

from custom_components.face_terminal.protocol import (
    Ack,
    AudioAck,
    IDCardPush,
    ProtocolError,
    QueryProgressAck,
    RecordWithoutPersonError,
    RecPush,
    SearchPersonAck,
    SearchPersonListAck,
    StrSnapPush,
    UnknownMessage,
    VerifyStatus,
    parse_message,
)

from .samples import JPEG, JPEG_URI

ACK = "mqtt/face/1/Ack"


def parse(topic: str, body: Any) -> Any:
    return parse_message(topic, json.dumps(body))


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"   ",
        b"null",
        b"[]",
        b'"RecPush"',
        b"42",
        b"{",
        b'{"operator": }',
        b'{"operator": null}',
        b'{"operator": 5}',
        b'{"operator": ["RecPush"]}',
        b'{"operator": "  "}',
        b'{"info": {"facesluiceId": "1"}}',
        b"\xff\xfe{\x00}\x00",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"operator":"RecPush","info":{"RecordID":' + b"1" * 5000 + b"}}",
    ],
    ids=lambda payload: repr(payload[:24]) + f"..{len(payload)}",
)
def test_not_protocol_messages(payload: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_message("mqtt/face/1/Rec", payload)


def test_deep_but_valid_json() -> None:
    for kind in ("RecPush", "Foo-Ack"):
        payload = (
            f'{{"operator":"{kind}","info":{{"personId":"4","x":'
            + '{"a":' * 5000
            + "1"
            + "}" * 5002
        )
        message = parse_message("mqtt/face/1/Rec", payload)
        assert message.operator == kind
    ack = parse_message(
        "mqtt/face/1/Ack", '{"operator":"Foo-Ack","info":{"x":' + '{"a":' * 5000 + "1" + "}" * 5002
    )
    assert isinstance(ack, Ack)
    level = ack.info["x"]
    while isinstance(level, dict):
        level = level["a"]
    assert level is None  # cut off, not copied 5000 levels deep


def test_payload_type_checked() -> None:
    with pytest.raises(ProtocolError, match="bytes or str"):
        parse_message("t", 5)  # type: ignore[arg-type]
    payload = bytearray(b'{"operator":"StrSnapPush"}')
    assert parse_message("mqtt/face/1/Snap", payload).terminal_id == "1"


def test_invalid_utf8_keeps_the_event() -> None:
    payload = b'{"operator":"RecPush","info":{"persionName":"\xc0\xc1 Li","RecordID":"7"}}'
    message = parse_message("mqtt/face/1/Rec", payload)
    assert isinstance(message, RecPush)
    assert message.record_id == "7"
    assert message.person_name is not None
    assert message.person_name.endswith("Li")


def test_nan_infinity_and_huge_numbers_become_none() -> None:
    payload = (
        '{"operator":"RecPush","info":{"personId":"4","similarity1":NaN,"temperature":Infinity,'
        '"VerifyStatus":-Infinity,"PushType":1e999,"otype":' + "9" * 400 + ',"left":1,"top":1,'
        '"right":NaN,"bottom":1}}'
    )
    message = parse_message("mqtt/face/1/Rec", payload)
    assert isinstance(message, RecPush)
    assert message.similarity is None
    assert message.temperature is None
    assert message.verify_status == VerifyStatus.UNKNOWN  # sent, but no status: never granted
    assert message.push_type is None
    assert message.otype == int("9" * 400)
    assert message.face_box is None


def test_record_whose_info_is_not_an_object_is_refused() -> None:
    """Reading it as an empty record would report a passage that never happened."""
    for info in ([1, 2], "x", 5):
        with pytest.raises(ProtocolError, match="info is not an object"):
            parse("mqtt/face/1/Rec", {"operator": "RecPush", "info": info})


def test_odd_shapes_never_raise() -> None:
    message = parse("mqtt/face/1/Snap", {"operator": "StrSnapPush", "info": None, "pic": JPEG_URI})
    assert isinstance(message, StrSnapPush)
    assert message.face.image is not None
    with pytest.raises(RecordWithoutPersonError):  # a record naming nobody is no passage
        parse("mqtt/face/1/Rec", {"operator": "RecPush", "info": None, "pic": JPEG_URI})
    ack = parse(ACK, {"operator": "EditPersonsNew-Ack", "info": [{"customId": "a"}]})
    assert isinstance(ack, Ack)
    assert ack.info == {}
    unknown = parse("mqtt/face/1", {"operator": "EditPersonsNew", "info": [{"customId": "a"}]})
    assert isinstance(unknown, UnknownMessage)
    assert unknown.info_keys == ()


def test_ack_info_sanitised_recursively_and_depth_limited() -> None:
    deep: Any = {"leaf": "x"}
    for _ in range(30):
        deep = {"next": deep, "list": [1, "data:image/png;base64,AAAA"]}
    body = {
        "operator": "Foo-Ack",
        "info": {
            "nested": deep,
            "person": {"idCard": "421381199504030001", "Telnum": "1888", "name": "x"},
            "photo": "A" * 2000,
            "IMGDATA": "short",
            "blob": "abc def " * 200,
            "inline": f"see {JPEG_URI}",
        },
    }
    ack = parse(ACK, body)
    assert isinstance(ack, Ack)
    assert ack.info["person"] == {"name": "x"}
    assert "photo" not in ack.info
    assert "IMGDATA" not in ack.info
    assert "inline" not in ack.info
    assert ack.info["blob"].startswith("abc def")
    level = ack.info["nested"]
    depth = 1
    while isinstance(level, dict):
        assert level["list"] in ([1], None)  # the data URI is dropped; None past the cut
        level = level["next"]
        depth += 1
    assert level is None
    assert depth < 20


def test_id_card_gender_forms() -> None:
    def gender(value: object) -> str | None:
        message = parse(
            "mqtt/face/1/IDcard", {"operator": "IDCardPush", "info": {"IDCard_Gender": value}}
        )
        assert isinstance(message, IDCardPush)
        return message.gender

    assert gender(0) == "male"
    assert gender("1") == "female"
    assert gender("男") == "male"
    assert gender("女") == "female"
    assert gender("F") == "female"
    assert gender("X") == "X"
    assert gender(None) is None
    short = parse("mqtt/face/1/IDcard", {"operator": "IDCardPush", "info": {"IDCard_Idno": "1234"}})
    assert isinstance(short, IDCardPush)
    assert short.id_last4 is None  # a four-digit "number" would be the whole number
    flat = parse(
        "mqtt/face/1/IDcard",
        {
            "operator": "IDCardPush",
            "info": {"IDCard_Idno": "4211 2619 8702 05432 1"},
            "IDCard_photo": JPEG_URI,
        },
    )
    assert isinstance(flat, IDCardPush)
    assert flat.id_last4 == "4321"
    assert flat.photo.image is not None
    assert flat.photo.image.data == JPEG


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["a.wav", " b.wav ", "", None, 5, "a.wav"], ("a.wav", "b.wav", "5")),
        ("a.wav, b.wav,", ("a.wav", "b.wav")),
        ('["a.wav","b.wav"]', ("a.wav", "b.wav")),
        ('["a.wav","b.wav"', ("a.wav", "b.wav")),
        ("[" * 5000 + "]" * 5000, ()),
        ({"a": 1}, ()),
        (None, ()),
    ],
)
def test_audio_names(value: object, expected: tuple[str, ...]) -> None:
    message = parse(ACK, {"operator": "GetAudio-Ack", "info": {"AudioName": value, "result": "ok"}})
    assert isinstance(message, AudioAck)
    assert message.builtin == expected
    assert message.custom == ()


def test_search_person_shapes() -> None:
    nested = parse(
        ACK,
        {
            "operator": "SearchPerson-Ack",
            "info": {
                "result": "ok",
                "PersonInfo": {"customId": "c1", "name": "Li", "pic": JPEG_URI},
            },
        },
    )
    assert isinstance(nested, SearchPersonAck)
    assert nested.person is not None
    assert nested.person.custom_id == "c1"
    assert nested.has_picture
    assert nested.picture.image is not None
    in_list = parse(
        ACK,
        {"operator": "SearchPerson-Ack", "info": {"result": "ok", "List": [1, {"personId": "9"}]}},
    )
    assert isinstance(in_list, SearchPersonAck)
    assert in_list.person is not None
    assert in_list.person.person_id == "9"
    assert not in_list.has_picture
    not_found = parse(
        ACK, {"operator": "SearchPerson-Ack", "code": 464, "info": {"result": "fail"}}
    )
    assert isinstance(not_found, SearchPersonAck)
    assert not_found.person is None
    placeholder = parse(
        ACK, {"operator": "SearchPerson-Ack", "info": {"customId": "0", "personId": "0"}}
    )
    assert isinstance(placeholder, SearchPersonAck)
    assert placeholder.person is None
    name_only = parse(
        ACK, {"operator": "SearchPerson-Ack", "info": {"customId": " ", "persionName": "Li"}}
    )
    assert isinstance(name_only, SearchPersonAck)
    assert name_only.person is not None
    assert name_only.person.name == "Li"


def test_search_person_list_single_object() -> None:
    message = parse(
        ACK,
        {
            "operator": "SearchPersonList-Ack",
            "info": {"List": {"customId": "a"}, "TotalPersonNum": "1"},
        },
    )
    assert isinstance(message, SearchPersonListAck)
    assert [person.custom_id for person in message.persons] == ["a"]
    assert message.total == 1


@pytest.mark.parametrize(
    ("info", "finished", "total", "done"),
    [
        ({"Status": "0", "QueryType": "None"}, True, None, None),
        ({"QueryType": "None"}, True, None, None),
        ({"QueryType": "EditPersonsNew"}, False, None, None),
        ({"TotalNum": "10", "FinishNum": "10"}, True, 10, 10),
        ({"PersonNum": 10, "FinishNum": 3}, False, 10, 3),
        ({}, None, None, None),
    ],
)
def test_query_progress(
    info: dict[str, Any], finished: bool | None, total: int | None, done: int | None
) -> None:
    message = parse(ACK, {"operator": "QueryProgress-Ack", "info": info})
    assert isinstance(message, QueryProgressAck)
    assert (message.finished, message.total, message.done) == (finished, total, done)


def test_batch_entry_shapes() -> None:
    message = parse(
        ACK,
        {
            "operator": "DeletePersons-Ack",
            "info": {
                "DelSucInfo": "a,b, ,c",
                "DelErrInfo": {"customId": "x", "errCode": "464"},
                "EditErrInfo": 5,
                "OtherSucInfo": [["nested"], {"customId": "0"}, 7],
            },
        },
    )
    assert message.succeeded == ("a", "b", "c", "7")
    assert [(f.custom_id, f.error_code) for f in message.failed] == [("x", 464)]


def test_message_keys_case_insensitive() -> None:
    message = parse(
        "mqtt/face/basic", {"Operator": "online", "INFO": {"FacesluiceID": "7", "IP": "1.2.3.4"}}
    )
    assert message.operator == "Online"
    assert message.terminal_id == "7"
    assert getattr(message, "ip", None) == "1.2.3.4"
