"""Unit tests of the helper modules: coerce, text, times, images, topics, operators."""

import base64
from datetime import UTC, date, datetime
from unittest.mock import patch

import pytest

from custom_components.face_terminal.protocol import (
    MAX_IMAGE_BYTES,
    NO_IMAGE,
    CommandError,
    ImageProblem,
    ImageResult,
    TopicKind,
    as_bool01,
    as_float,
    as_id,
    as_int,
    as_str,
    canonical_operator,
    decode_image,
    encode_image_base64,
    format_command_time,
    format_date,
    format_record_time,
    parse_time,
    sniff_image_type,
    subscription_topics,
    topic_command_topic,
    topic_kind,
    topic_terminal_id,
    truncate_utf8,
    utf8_len,
)
from custom_components.face_terminal.protocol.images import LazyImage

from .samples import BMP, BMP_B64, JPEG, JPEG_B64, PNG, PNG_B64

# --- coerce ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" abc ", "abc"),
        ("", None),
        (" ", None),
        (None, None),
        (83, "83"),
        (83.0, "83"),
        (83.5, "83.5"),
        (float("nan"), None),
        (float("inf"), None),
        (True, None),
        ([1], None),
        ({"a": 1}, None),
    ],
)
def test_as_str(value: object, expected: str | None) -> None:
    assert as_str(value) == expected


def test_as_str_huge_int() -> None:
    assert as_str(10**5000) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", None),
        ("000", None),
        (0, None),
        (" 0 ", None),
        ("007", "007"),
        ("41", "41"),
        ("", None),
    ],
)
def test_as_id(value: object, expected: str | None) -> None:
    assert as_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("83.000000", 83),
        ("96.800003", 96),
        (83, 83),
        (83.9, 83),
        ("83", 83),
        (" -5 ", -5),
        ("", None),
        ("abc", None),
        ("1" * 100, None),
        (True, None),
        (False, None),
        (None, None),
        (float("nan"), None),
        ("inf", None),
        ("1e400", None),
        ([], None),
        (10**400, 10**400),
    ],
)
def test_as_int(value: object, expected: int | None) -> None:
    assert as_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("36.53", 36.53),
        ("36,5", 36.5),
        (36, 36.0),
        (36.5, 36.5),
        ("nan", None),
        ("", None),
        ("x", None),
        (True, None),
        (10**400, None),
        (None, None),
        ("9" * 65, None),
    ],
)
def test_as_float(value: object, expected: float | None) -> None:
    assert as_float(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("0", False),
        (1, True),
        (0, False),
        (1.0, True),
        (True, True),
        (False, False),
        ("true", True),
        ("False", False),
        ("2", None),
        (2, None),
        ("", None),
        (None, None),
        ("maybe", None),
    ],
)
def test_as_bool01(value: object, expected: bool | None) -> None:
    assert as_bool01(value) is expected


# --- text -----------------------------------------------------------------------------------


def test_utf8_len_counts_bytes() -> None:
    assert utf8_len("abc") == 3
    assert utf8_len("张三") == 6  # 3 bytes each: the firmware's limits are in bytes
    assert utf8_len("😀") == 4
    assert utf8_len("\ud800") == 3  # a lone surrogate is measured, not an error


def test_truncate_utf8() -> None:
    assert truncate_utf8("abc", 10) == "abc"
    assert truncate_utf8("abcdef", 3) == "abc"
    assert truncate_utf8("张三李四", 7) == "张三"  # 3 bytes each: no half character
    assert truncate_utf8("😀x", 3) == ""
    assert truncate_utf8("x", 0) == ""
    with pytest.raises(CommandError):
        truncate_utf8("x", -1)


# --- times ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-11-29 10:06:54", datetime(2019, 11, 29, 10, 6, 54)),
        ("2019-11-29T10:06:54", datetime(2019, 11, 29, 10, 6, 54)),
        ("2019-11-29 10:06", datetime(2019, 11, 29, 10, 6)),
        ("2019-11-29T10:06", datetime(2019, 11, 29, 10, 6)),
        ("2019-12-02/10:46:05", datetime(2019, 12, 2, 10, 46, 5)),
        ("2020-1-3 18:11:40", datetime(2020, 1, 3, 18, 11, 40)),
        ("2020-07-28T6:00:00", datetime(2020, 7, 28, 6)),
        ("2020-07-28T06:00:00.123", datetime(2020, 7, 28, 6)),
        ("2020-07-28T06:00:00Z", datetime(2020, 7, 28, 6)),
        ("2020-07-28T06:00:00+08:00", datetime(2020, 7, 28, 6)),
        ("2020-07-28", datetime(2020, 7, 28)),
        ("  2020-07-28 06:00:00  ", datetime(2020, 7, 28, 6)),
        ("2020-02-30 00:00:00", None),
        ("2020-07-28 25:00:00", None),
        ("0000-00-00 00:00:00", None),
        ("yesterday", None),
        ("", None),
        ("2020-07-28 06:00:00" + " " * 60, None),
        (1700000000, None),
        (None, None),
        (datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 1)),
    ],
)
def test_parse_time(value: object, expected: datetime | None) -> None:
    assert parse_time(value) == expected


def test_format_times() -> None:
    moment = datetime(2020, 4, 1, 9, 5, 7)
    assert format_command_time(moment) == "2020-04-01T09:05:07"
    assert format_record_time(moment) == "2020-04-01 09:05:07"
    assert format_date(date(992, 6, 5)) == "0992-06-05"
    assert parse_time(format_record_time(moment)) == moment
    assert parse_time(format_command_time(moment)) == moment


# --- images ---------------------------------------------------------------------------------------


def test_sniff_image_type() -> None:
    assert sniff_image_type(JPEG) == "image/jpeg"
    assert sniff_image_type(PNG) == "image/png"
    assert sniff_image_type(BMP) == "image/bmp"
    assert sniff_image_type(b"GIF89a") is None
    assert sniff_image_type(b"") is None


@pytest.mark.parametrize(
    ("value", "data"),
    [
        (f"data:image/jpeg;base64,{JPEG_B64}", JPEG),
        (f"data:image/jpeg;base64,{BMP_B64}", BMP),
        (f"data: image / jpeg; Base64, {PNG_B64}", PNG),
        (f"DATA:IMAGE/BMP;BASE64,{JPEG_B64}", JPEG),
        (f"data:application/octet-stream;base64,{JPEG_B64}", JPEG),
        (f"data:image/bmp;data:image/bmp;base64,{PNG_B64}", PNG),
        (JPEG_B64, JPEG),
        (JPEG_B64.rstrip("="), JPEG),
        ("\n".join(JPEG_B64[i : i + 10] for i in range(0, len(JPEG_B64), 10)), JPEG),
        (f"  {JPEG_B64}  ", JPEG),
        (base64.urlsafe_b64encode(JPEG + b"\xfb\xff").decode(), JPEG + b"\xfb\xff"),
    ],
)
def test_decode_image_ok(value: str, data: bytes) -> None:
    result = decode_image(value)
    assert result.problem is None
    assert result.image is not None
    assert result.image.data == data
    assert result.image.content_type == sniff_image_type(data)
    assert "bytes" in repr(result.image)
    assert JPEG_B64[:10] not in repr(result)


def test_decode_image_is_lazy_and_once() -> None:
    """Well-formed pictures are decoded on first read only, and only once."""
    result = decode_image(f"data:image/jpeg;base64,{JPEG_B64}")
    image = result.image
    assert isinstance(image, LazyImage)
    assert image.content_type == "image/jpeg"
    with patch("base64.b64decode", wraps=base64.b64decode) as b64decode:
        assert image.data == JPEG
        assert image.data == JPEG
    assert b64decode.call_count == 1
    assert JPEG_B64[:10] not in repr(image)


def test_lazy_image_broken_after_its_head_reads_empty() -> None:
    """Base64 that breaks past the sniffed head gives no bytes (fails closed)."""
    broken = JPEG_B64[:16] + "@@@@" + JPEG_B64[20:]
    result = decode_image(broken)
    assert result.image is not None
    assert result.image.data == b""


def test_lazy_image_too_large_from_its_length() -> None:
    """The size limit is checked on the text's length, without decoding it."""
    chars = (MAX_IMAGE_BYTES + 2) // 3 * 4  # 3 bytes per 4 characters: one byte too many
    text = JPEG_B64[:16] + "A" * (chars - 16)
    assert decode_image(text).problem is ImageProblem.TOO_LARGE


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, None),
        (5, None),
        ({"pic": "x"}, None),
        ("", None),
        ("   ", None),
        ("data:image/jpeg;base64,", ImageProblem.EMPTY),
        ("data:image/jpeg;base64", ImageProblem.EMPTY),
        ("data:image/jpeg;base64,====", ImageProblem.EMPTY),
        ("http://example.com/a.jpg", ImageProblem.URL),
        ("HTTPS://example.com/a.jpg", ImageProblem.URL),
        ("data:image/jpeg;base64,9j/4AAQSkZJRgABAQAAAQABAAAD/2w.....", ImageProblem.NOT_BASE64),
        ("not base64 at all!", ImageProblem.NOT_BASE64),
        ("abcde", ImageProblem.NOT_BASE64),  # 5 characters cannot be base64
        ("ab=cd", ImageProblem.NOT_BASE64),
        ("张三", ImageProblem.NOT_BASE64),
        (base64.b64encode(b"GIF89a-not-supported").decode(), ImageProblem.NOT_AN_IMAGE),
        ("a,b,c", ImageProblem.NOT_BASE64),
        ("data:a,data:b,data:c,data:d," + JPEG_B64, ImageProblem.EMPTY),  # at most 3 prefixes
    ],
)
def test_decode_image_problems(value: object, problem: ImageProblem | None) -> None:
    result = decode_image(value)
    assert result.image is None
    assert result.problem is problem
    if problem is None:
        assert result == NO_IMAGE


def test_decode_image_too_large_checked_before_decoding() -> None:
    just_over = base64.b64encode(JPEG + b"\x00" * (MAX_IMAGE_BYTES - len(JPEG) + 1)).decode()
    assert decode_image(just_over).problem is ImageProblem.TOO_LARGE
    exactly = base64.b64encode(JPEG + b"\x00" * (MAX_IMAGE_BYTES - len(JPEG))).decode()
    assert decode_image(exactly).image is not None
    huge = "A" * (50 * 1024 * 1024)
    assert decode_image(huge) == ImageResult(problem=ImageProblem.TOO_LARGE)
    assert (
        decode_image("data:image/jpeg;base64," + "A" * 3_000_000).problem is ImageProblem.TOO_LARGE
    )


def test_decoded_size_limit_after_padding() -> None:
    # Text short enough for the quick check whose decoded bytes are still over the limit.
    payload = (
        base64.b64encode(JPEG + b"\x00" * (MAX_IMAGE_BYTES - len(JPEG) + 2)).decode().rstrip("=")
    )
    assert decode_image(payload).problem is ImageProblem.TOO_LARGE


def test_encode_image_base64() -> None:
    assert encode_image_base64(JPEG) == f"data:image/jpeg;base64,{JPEG_B64}"
    assert encode_image_base64(PNG, "image/png").startswith("data:image/png;base64,")
    assert decode_image(encode_image_base64(BMP)).image is not None
    with pytest.raises(CommandError):
        encode_image_base64(b"GIF89a")


# --- topics ---------------------------------------------------------------------------------------


def test_topic_kind_and_ids() -> None:
    assert topic_kind("mqtt/face/1/Rec") is TopicKind.REC
    assert topic_kind("mqtt/face/1/Rec/") is TopicKind.REC
    assert topic_kind("mqtt/face/1/SNAP") is TopicKind.SNAP
    assert topic_kind("mqtt/face/basic") is None
    assert topic_kind("mqtt/face/1") is None
    assert topic_kind("") is None
    assert topic_terminal_id("Rec") is None
    assert topic_terminal_id("/Rec") is None
    assert topic_terminal_id("mqtt/face/1") is None
    assert topic_command_topic("mqtt/face/1/Ack") == "mqtt/face/1"
    assert topic_command_topic("Ack") is None
    assert topic_command_topic("mqtt/face/1") is None


def test_subscription_topics_exact_list() -> None:
    assert subscription_topics("mqtt/face/7") == [
        "mqtt/face/7/Rec",
        "mqtt/face/7/rec",
        "mqtt/face/7/Snap",
        "mqtt/face/7/snap",
        "mqtt/face/7/Ack",
        "mqtt/face/7/ack",
        "mqtt/face/7/QRCode",
        "mqtt/face/7/QRcode",
        "mqtt/face/7/qrcode",
        "mqtt/face/7/IDcard",
        "mqtt/face/7/IDCard",
        "mqtt/face/7/card",
        "mqtt/face/7/Card",
        "mqtt/face/7/Alarm",
        "mqtt/face/7/alarm",
    ]
    for topic in subscription_topics("x/y"):
        assert topic_terminal_id(topic) == "y"


def test_canonical_operator() -> None:
    assert canonical_operator("recpush") == "RecPush"
    assert canonical_operator(" VOICEPLAY-ACK ") == "voiceplay-Ack"
    assert canonical_operator("SnapPush") == "StrSnapPush"
    assert canonical_operator("VerifyPush") == "RecPush"
    assert canonical_operator("Foo-ACK") == "Foo-Ack"
    assert canonical_operator("Foo") == "Foo"
