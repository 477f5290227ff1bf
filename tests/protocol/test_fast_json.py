"""The orjson fast path parses exactly what the standard-library path parses.

`parse_message` reads bytes with orjson and falls back to the standard library for
whatever orjson declines; text always goes the standard-library way. Both must give the
same message (or the same error) for every input.
"""

import json

import pytest

from custom_components.face_terminal.protocol import ProtocolError, parse_message
from custom_components.face_terminal.protocol.loose import fast_json_object

from .samples import JPEG_URI, fixture_bytes, fixture_names

TOPIC = "mqtt/face/1305433/Rec"


def outcome(payload: bytes | str) -> object:
    try:
        return parse_message(TOPIC, payload)
    except ProtocolError as err:
        return (type(err), str(err))


@pytest.mark.parametrize("name", fixture_names())
def test_vendor_examples_parse_alike(name: str) -> None:
    payload = fixture_bytes(name)
    assert fast_json_object(payload) == json.loads(payload)
    assert repr(outcome(payload)) == repr(outcome(payload.decode("utf-8")))


ODD = [
    b"\xef\xbb\xbf" + json.dumps({"operator": "RecPush", "info": {"personId": "1"}}).encode(),
    b'{"operator": "RecPush", "info": {"personId": "1", "similarity1": NaN}}',
    b'{"operator": "RecPush", "info": {"personId": "1", "RecordID": 123456789012345678901}}',
    b'{"operator": "RecPush", "info": {"personId": "\\ud800", "persionName": "a"}}',
    b'{"operator": "RecPush", "info": {"personId": "1", "persionName": "\xff\xfe"}}',
    b'{"operator": "RecPush", "operator": "HeartBeat", "info": {}}',
    b'{"operator": "RecPush", "info": {"personId": "1", "similarity1": 1e400}}',
    b"[" * 2000 + b"]" * 2000,
    b"[1, 2]",
    b"",
]


@pytest.mark.parametrize("payload", ODD, ids=lambda payload: repr(payload[:30]))
def test_odd_inputs_parse_alike(payload: bytes) -> None:
    """What orjson declines (BOM, NaN, huge numbers, bad UTF-8…) takes the old path."""
    text = payload.decode("utf-8", errors="replace")
    assert repr(outcome(payload)) == repr(outcome(text))


def test_orjson_declines_what_it_does_not_read() -> None:
    assert fast_json_object(b"\xef\xbb\xbf{}") is None
    assert fast_json_object(b'{"a": NaN}') is None
    assert fast_json_object(b'{"a": 1') is None
    assert fast_json_object(b'{"face": "' + JPEG_URI.encode() + b'"}') == {"face": JPEG_URI}


def test_big_integers_stay_exact() -> None:
    """orjson would round an integer beyond 64 bits; such a payload goes the exact way."""
    payload = b'{"info": {"RecordID": 123456789012345678901, "n": [[-1e300]]}}'
    assert fast_json_object(payload) is None
    assert fast_json_object(b'{"info": {"RecordID": 9223372036854775807}}') == {
        "info": {"RecordID": 9223372036854775807}
    }
