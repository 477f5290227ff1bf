"""The limits on device input (issue 9): text bounded and cleaned, IDs validated, never cut."""

from __future__ import annotations

import json

import pytest

from custom_components.face_terminal.protocol import (
    MAX_ID_LENGTH,
    MAX_IMAGE_BYTES,
    MAX_MESSAGE_BYTES,
    MAX_NAME_LENGTH,
    MAX_RECORD_ID_LENGTH,
    MAX_TERMINAL_ID_LENGTH,
    MAX_TEXT_LENGTH,
    Ack,
    as_id,
    as_ip,
    as_name,
    as_record_id,
    as_str,
    as_terminal_id,
    is_replay,
    parse_message,
)


def test_limits_are_what_the_readme_says() -> None:
    assert (MAX_NAME_LENGTH, MAX_TEXT_LENGTH, MAX_ID_LENGTH) == (64, 256, 64)
    assert (MAX_RECORD_ID_LENGTH, MAX_TERMINAL_ID_LENGTH) == (64, 64)
    assert round(MAX_MESSAGE_BYTES / 1e6, 1) == 11.3
    assert MAX_IMAGE_BYTES == 2 * 1024 * 1024


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Alice", "Alice"),
        ("  Ali\x00ce  ", "Alice"),
        ("\u202eAlice\u202c", "Alice"),
        ("Al\u2066i\u2069ce\u200f", "Alice"),
        ("Ali\nce\tB\r\nC", "Ali ce B C"),
        ("\x1b[31mred", "[31mred"),
        ("lone\ud800surrogate", "lonesurrogate"),
        ("\ufeffBOM", "BOM"),
        ("\x00\u202e\n", None),
        ("x" * 300, "x" * 255 + "…"),
        (12, "12"),
        (True, None),
        ({"a": 1}, None),
    ],
    ids=repr,
)
def test_as_str_cleans_and_bounds(value: object, expected: str | None) -> None:
    assert as_str(value) == expected


def test_as_str_work_is_bounded() -> None:
    text = as_str("y" * (5 * 1024 * 1024), 10)
    assert text == "y" * 9 + "…"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<script>Alice</script>", "scriptAlice/script"),
        ("N" * 1000, "N" * 63 + "…"),
        ("张三", "张三"),
        ("<>", None),
    ],
    ids=repr,
)
def test_as_name(value: object, expected: str | None) -> None:
    assert as_name(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("063c81e0fce184c696cdb7e049230f5e", "063c81e0fce184c696cdb7e049230f5e"),
        (" alice-01 ", "alice-01"),
        ("0", None),
        ("c" * 64, "c" * 64),
        ("c" * 65, None),  # never cut: a cut ID could name somebody else
        ("ali\x00ce", None),
        ("ali\u202ece", None),
        ("ali\nce", None),
        (41, "41"),
    ],
    ids=repr,
)
def test_as_id(value: object, expected: str | None) -> None:
    assert as_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("381", "381"),
        ("0", "0"),
        ("2020-05-14 11:07:00 DeletePersons", "2020-05-14 11:07:00 DeletePersons"),
        ("r" * 65, None),
        ("38\x001", None),
    ],
    ids=repr,
)
def test_as_record_id(value: object, expected: str | None) -> None:
    assert as_record_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1305433", "1305433"),
        (1305433, "1305433"),
        ("005a213b000b93cc", "005a213b000b93cc"),
        ("GID_face@@@1026700", "GID_face@@@1026700"),
        ("12721SSQSQCA", "12721SSQSQCA"),
        ("9" * 64, "9" * 64),
        ("9" * 65, None),
        ("a/b", None),
        ("+", None),
        ("#", None),
        ("-leading", None),
        ("1305433\x00", None),
        ("\u202e1305433", None),
        ("Front door", None),
        (None, None),
    ],
    ids=repr,
)
def test_as_terminal_id(value: object, expected: str | None) -> None:
    assert as_terminal_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("192.168.1.50", "192.168.1.50"),
        (" 10.0.0.9 ", "10.0.0.9"),
        ("fe80::1", "fe80::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("0.0.0.0", None),
        ("127.0.0.1", None),
        ("::1", None),
        ("224.0.0.1", None),
        ("255.255.255.255", None),
        ("240.0.0.1", None),
        ("http://192.168.1.50", None),
        ("gate.local", None),
        ("192.168.1.50/24", None),
        ("1" * 5000, None),
        (3232235826, None),  # a number is no address literal
    ],
    ids=repr,
)
def test_as_ip(value: object, expected: str | None) -> None:
    assert as_ip(value) == expected


@pytest.mark.parametrize(
    ("push_type", "send_in_time", "expected"),
    [
        (None, None, False),
        (0, True, False),
        (0, None, False),
        (2, True, True),
        (1, None, True),
        (None, False, True),
        (0, False, True),
    ],
)
def test_is_replay(push_type: int | None, send_in_time: bool | None, expected: bool) -> None:
    assert is_replay(push_type, send_in_time) is expected


def test_ack_info_is_bounded_and_cleaned() -> None:
    info = {
        "result": "ok",
        "detail": "bad\x00\u202e" + "d" * 5000,
        "ratio": float("nan"),
        "k" * 100: "long key",
        "items": list(range(1000)),
        **{f"key{i}": i for i in range(400)},
    }
    payload = json.dumps({"operator": "Foo-Ack", "info": info}).encode()
    ack = parse_message("mqtt/face/1/Ack", payload)
    assert isinstance(ack, Ack)
    assert len(ack.info) == 256
    assert ack.info["detail"].startswith("bad")
    assert len(ack.info["detail"]) == 1024
    assert ack.info["ratio"] is None
    assert "k" * 100 not in ack.info
    assert len(ack.info["items"]) == 256
    assert ack.detail is not None
    assert len(ack.detail) == MAX_TEXT_LENGTH
