"""Parsing of Jovision push bodies into `JovisionMessage` models (seed 004).

The parser is deliberately tolerant, because the only specification is a machine-translated
document full of typos: keys are matched case-insensitively and with or without
underscores (``img_fr``, ``ImgFr`` and ``Imgfr`` are one key); numbers may be text
(``"12"``, ``"0x10"``); blank and placeholder values (``""``, ``" "``, ``"null"``, index ID
``0``, time ``0``) become ``None``; the ``{"dataLength":N,"data":{...}}`` envelope of the
cloud/TCP mode and an HTTP request head in front of the body are both accepted. The only
exception it raises is `JovisionError`, for bodies that are not Jovision messages at all.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from .coerce import (
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    as_bool01,
    as_float,
    as_int,
    as_ip,
    as_name,
    as_record_id,
    as_str,
    as_terminal_id,
)
from .images import decode_image
from .jovision_models import (
    LIST_UNKNOWN,
    METHOD_CAP_FACE_REPORT,
    METHOD_CAPTURE_PUSH,
    METHOD_COMPARE_PUSH,
    METHOD_KEEPALIVE,
    JovisionCapture,
    JovisionCompare,
    JovisionError,
    JovisionKeepalive,
    JovisionMessage,
    JovisionUnknown,
)
from .loose import LooseObject, load_json_object
from .models import FaceBox
from .times import parse_time

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["parse_jovision"]

_PLACEHOLDERS: Final = frozenset({"null", "(null)", "none"})
_KEY_NOISE: Final = str.maketrans("", "", "_- \t")
# A request line, header lines, then the blank line that ends the head.
_HTTP_HEAD_RE: Final = re.compile(
    r"(?:POST|PUT|GET)[ \t]+\S*[ \t]+HTTP/\d(?:\.\d)?\r?\n(?:[^\r\n]+\r?\n)*\r?\n", re.ASCII
)
_EPOCH_RE: Final = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_EXTENSION_RE: Final = re.compile(r"[A-Za-z0-9]{1,5}", re.ASCII)
_HEX_RE: Final = re.compile(r"0[xX][0-9a-fA-F]{1,16}", re.ASCII)
_MAX_EPOCH: Final = 253_402_300_800  # 10000-01-01T00:00:00Z
_MILLISECONDS_FROM: Final = 100_000_000_000  # larger Unix times are milliseconds
_MAX_KEYS: Final = 256
_MAX_NAME: Final = MAX_NAME_LENGTH  # methods are at most 20 characters (seed), keys are short
_MAX_MAC_LENGTH: Final = 32


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        text = value.strip()
        return not text or text.lower() in _PLACEHOLDERS
    return False


def _text(value: object) -> str | None:
    """Device text, cleaned and bounded like every device text (see `coerce`)."""
    return as_str(value)


def _device_id(value: object, what: str) -> str | None:
    """A device UUID or CloudSEE ID; a value that cannot be one refuses the message."""
    if value is None:
        return None
    device_id = as_terminal_id(value)
    if device_id is None:
        raise JovisionError(f"the {what} is not a device ID")
    return device_id


def _file_name(value: object) -> str | None:
    """A picture's file name, at most 256 characters and never cut.

    A cut name names another file, and an over-long "name" is usually a picture sent in
    the wrong field.
    """
    return as_record_id(value, MAX_TEXT_LENGTH)


def _mac(value: object) -> str | None:
    """A MAC address as sent (the seed's own examples are not hex); at most 32 characters.

    Never cut or repaired: text that is too long or holds control characters is no MAC
    address, which for a bound device counts as a mismatch.
    """
    return as_record_id(value, _MAX_MAC_LENGTH)


def _norm(key: str) -> str:
    return key.translate(_KEY_NOISE).lower()


class _Obj(LooseObject):
    """A Jovision object: exact key first, then any case, underscores or dashes."""

    __slots__ = ()
    fold = staticmethod(_norm)
    is_blank = staticmethod(_blank)


class _Chain:
    """Several objects searched in order: the first one holding a value wins."""

    __slots__ = ("objs",)

    def __init__(self, *objs: _Obj) -> None:
        self.objs = objs

    def get(self, *names: str) -> object:
        for obj in self.objs:
            value = obj.get(*names)
            if value is not None:
                return value
        return None


def _object(value: object) -> dict[str, Any] | None:
    """Return a JSON object, also when it was sent as JSON text (``"data"`` is "json")."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError, RecursionError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def _int(value: object) -> int | None:
    """`as_int`, plus the C-style hex the seed uses for device types (``0x10``)."""
    number = as_int(value)
    if number is None and isinstance(value, str):
        text = value.strip()
        if _HEX_RE.fullmatch(text):
            return int(text, 16)
    return number


def _positive(value: object) -> int | None:
    number = _int(value)
    return number if number is not None and number > 0 else None


def _non_negative(value: object) -> int | None:
    number = _int(value)
    return number if number is not None and number >= 0 else None


def _time(value: object) -> datetime | None:
    """Unix seconds (or milliseconds) give a UTC time; date-time text a naive time."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (
        isinstance(value, str) and _EPOCH_RE.fullmatch(value.strip())
    ):
        seconds = as_float(value)
        if seconds is None or seconds <= 0:
            return None
        if seconds >= _MILLISECONDS_FROM:
            seconds /= 1000
        if seconds >= _MAX_EPOCH:
            return None
        return datetime.fromtimestamp(seconds, tz=UTC)
    return parse_time(value)


def _enum(value: object, codes: Mapping[int, str]) -> str | None:
    """Map a code to its word; the word itself (any case) is accepted too."""
    number = _int(value)
    if number is not None:
        return codes.get(number)
    text = _text(value)
    if text is None:
        return None
    word = _norm(text)
    return word if word in codes.values() else None


_GENDERS: Final = {1: "male", 2: "female"}
_EYEWEAR: Final = {0: "none", 1: "glasses", 2: "sunglasses"}
_RACES: Final = {1: "asian", 2: "black", 3: "white"}  # the seed's 1 is "Yellow"
_EMOTIONS: Final = {1: "angry", 2: "calm", 3: "happy", 4: "sad", 5: "surprised"}
_LIST_TYPES: Final = {1: "blacklist", 2: "whitelist", 3: "vip", 4: "custom"}
_LIST_WORDS: Final = {
    "blacklist": "blacklist",
    "black": "blacklist",
    "whitelist": "whitelist",
    "white": "whitelist",
    "vip": "vip",
    "custom": "custom",
}


def _list_type(value: object) -> tuple[int | None, str | None]:
    """The list number and word; a list that was sent but is undocumented is "unknown".

    An undocumented list could hide a blacklist: it must not read as an ordinary match.
    """
    if value is None:
        return None, None
    number = _int(value)
    if number is not None:
        return number, _LIST_TYPES.get(number, LIST_UNKNOWN)
    text = _text(value)
    return None, LIST_UNKNOWN if text is None else _LIST_WORDS.get(_norm(text), LIST_UNKNOWN)


def _age(value: object) -> int | None:
    number = _int(value)
    return number if number is not None and 0 < number <= 150 else None


def _score(value: object) -> float | None:
    """A score in 0..1; a percentage (1 < x <= 100) is scaled down, anything else dropped."""
    score = as_float(value)
    if score is None or score < 0 or score > 100:
        return None
    return score / 100 if score > 1 else score


def _face_box(value: object) -> FaceBox | None:
    """``{x, y, w, h}`` (pushes) or ``{x1, y1, x2, y2}`` (capture report) as a `FaceBox`."""
    position = _object(value)
    if position is None:
        return None
    obj = _Obj(position)
    left, top = _int(obj.get("x1", "left")), _int(obj.get("y1", "top"))
    if left is not None or top is not None:
        right, bottom = _int(obj.get("x2", "right")), _int(obj.get("y2", "bottom"))
    else:
        left, top = _int(obj.get("x")), _int(obj.get("y"))
        width, height = _int(obj.get("w", "width")), _int(obj.get("h", "height"))
        if left is None or top is None or width is None or height is None:
            return None
        right, bottom = left + width, top + height
    if left is None or top is None or right is None or bottom is None:
        return None
    if right <= left or bottom <= top:  # zeros are the "no position" placeholder
        return None
    return FaceBox(left=left, top=top, right=right, bottom=bottom)


def _temperature(value: object) -> tuple[float | None, float | None, str | None]:
    """``temperature``: an object (``realtime_t``, ``warning_t``, ``warning_type``) or a number."""
    obj = _object(value)
    if obj is None:
        reading = as_float(value)
        return (None if reading == 0 else reading), None, None
    temp = _Obj(obj)
    reading = as_float(temp.get("realtime_t", "realtime", "temperature", "temp"))
    threshold = as_float(temp.get("warning_t", "warning"))
    return (
        None if reading == 0 else reading,
        None if threshold == 0 else threshold,
        _text(temp.get("warning_type")),
    )


def _file_stem(name: str | None) -> str | None:
    """``dir/chenzhen_12354.jpg`` gives ``chenzhen_12354``."""
    if name is None:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, extension = base.rpartition(".")
    if dot and stem.strip() and _EXTENSION_RE.fullmatch(extension):
        return stem.strip()
    return base or None


# --- parsing ------------------------------------------------------------------------------


def _decode(body: bytes | str) -> str:
    raw: object = body  # callers outside type checking may pass anything
    if isinstance(raw, str):
        text = raw
    elif isinstance(raw, (bytes, bytearray, memoryview)):
        # A broken name must not cost the event: odd bytes become U+FFFD.
        text = bytes(raw).decode("utf-8", errors="replace")
    else:
        raise JovisionError(f"body must be bytes or str, not {type(body).__name__}")
    text = text.lstrip("\ufeff \t\r\n")
    head = _HTTP_HEAD_RE.match(text)
    if head is not None:  # a raw TCP push that still carries its HTTP request head
        text = text[head.end() :]
    return text.strip(" \t\r\n\x00\ufeff")


def _load(body: bytes | str) -> dict[str, Any]:
    return load_json_object(_decode(body), JovisionError)


_KNOWN_METHODS: Final = {
    METHOD_KEEPALIVE: METHOD_KEEPALIVE,
    METHOD_COMPARE_PUSH: METHOD_COMPARE_PUSH,
    METHOD_CAPTURE_PUSH: METHOD_CAPTURE_PUSH,
    METHOD_CAP_FACE_REPORT: METHOD_CAP_FACE_REPORT,
}
_KNOWN_BY_NORM: Final = {_norm(name): name for name in _KNOWN_METHODS}
_RECORD_KEYS: Final = ("data", "param", "params", "info")


def _report(value: object) -> dict[str, Any] | None:
    """The ``sw_cap_face_report`` object, unless it is the server's answer to one."""
    report = _object(value)
    if report is None:
        return None
    obj = _Obj(report)
    if obj.get("result") is not None and _object(obj.get("Info")) is None:
        return None  # {"sw_cap_face_report":{"result":0,"info":"ok"}} is our reply
    return report


class _Parts:
    """Where a message's fields live.

    `device` is searched for the sender's identity (the message first, then its record),
    `record` for the face fields (the record first, then the message).
    """

    __slots__ = ("device", "keys", "method", "outer", "record")

    def __init__(
        self, method: str, outer: _Obj, device: _Chain, record: _Chain, keys: tuple[str, ...]
    ) -> None:
        self.method = method
        self.outer = outer
        self.device = device
        self.record = record
        self.keys = keys


def _locate(data: dict[str, Any]) -> _Parts:
    """Find the method and the objects holding the fields, through the envelope."""
    outer = _Obj(data)
    message = outer
    method = _text(outer.get("method"))
    report = _report(outer.get(METHOD_CAP_FACE_REPORT))
    if method is None and report is None:
        # {"dataLength":N,"data":{"method":...}}: the cloud/TCP envelope.
        inner = _object(outer.get("data"))
        if inner is not None:
            message = _Obj(inner)
            method = _text(message.get("method"))
            report = _report(message.get(METHOD_CAP_FACE_REPORT))
    if method is None and report is not None:
        method = METHOD_CAP_FACE_REPORT
    if method is None:
        raise JovisionError("the message has no method")
    if len(method) > _MAX_NAME:
        raise JovisionError("the method is too long to be a method name")
    method = _KNOWN_BY_NORM.get(_norm(method), method)
    if method == METHOD_CAP_FACE_REPORT:
        body = _Obj(report) if report is not None else message
        info = _Obj(_object(body.get("Info", "data")))
        return _Parts(
            method,
            message,
            _Chain(body, message, info),
            _Chain(info, body),
            (),
        )
    record = next(
        (obj for key in _RECORD_KEYS if (obj := _object(message.get(key))) is not None), None
    )
    record_obj = _Obj(record)
    return _Parts(
        method,
        message,
        _Chain(message, record_obj),
        _Chain(record_obj, message),
        tuple(record if record is not None else message.data),
    )


def _base(parts: _Parts) -> dict[str, Any]:
    device = parts.device
    return {
        "method": parts.method,
        "uuid": _device_id(device.get("uuid", "DeviceUUID", "device_uuid"), "UUID"),
        "mac": _mac(device.get("mac", "DeviceMac", "mac_addr")),
        "host": as_ip(device.get("host", "HostIP", "ip", "host_ip", "device_ip")),
        "device_type": _non_negative(device.get("device_type", "DeviceType", "dev_type")),
        "product_name": as_name(device.get("product_name", "DeviceName", "device_name")),
    }


def _face_fields(parts: _Parts) -> dict[str, Any]:
    record = parts.record
    attribute = _Obj(_object(record.get("attribute", "attributes", "attr")))
    eyewear = _enum(attribute.get("glasses"), _EYEWEAR)
    temperature, threshold, warning = _temperature(record.get("temperature"))
    return {
        "channel": _text(record.get("channel")),
        "capture_time": _time(record.get("capture_time", "CaptureTime", "snap_time")),
        "send_time": _time(record.get("send_time")),
        "quality": _non_negative(record.get("quality", "FaceQuality", "face_quality")),
        "face_box": _face_box(record.get("position", "face_position", "rect")),
        "age": _age(attribute.get("age")),
        "gender": _enum(attribute.get("gender", "sex"), _GENDERS),
        "glasses": None if eyewear is None else eyewear != "none",
        "eyewear": eyewear,
        "mask": as_bool01(attribute.get("mask")),
        "beard": as_bool01(attribute.get("beard")),
        "race": _enum(attribute.get("race"), _RACES),
        "emotion": _enum(attribute.get("emotion"), _EMOTIONS),
        "temperature": temperature,
        "temperature_threshold": threshold,
        "temperature_warning": warning,
        "face": decode_image(record.get("img_data", "Img", "face_img", "face_data")),
        "face_name": _file_name(record.get("img_name", "ImgName")),
        "scene": decode_image(record.get("img_fr", "ImgFr", "background_img")),
        "scene_name": _file_name(record.get("img_fr_name", "ImgFrName")),
    }


def _parse_keepalive(parts: _Parts) -> JovisionMessage:
    get = parts.device.get
    return JovisionKeepalive(
        **_base(parts),
        soft_version=_text(get("soft_version", "software_version", "version")),
        timestamp=_time(get("timestamp", "time")),
        interval=_positive(get("interval", "heartbeat_interval", "keepalive_interval")),
    )


def _parse_compare(parts: _Parts) -> JovisionMessage:
    record = parts.record
    pic_sort, list_type = _list_type(record.get("pic_sort", "list_type", "sort"))
    pic_name = _file_name(record.get("pic_name", "PicName"))
    index_id = _positive(record.get("index_id"))
    person_name = as_name(record.get("person_name", "name")) or as_name(_file_stem(pic_name))
    if index_id is None and person_name is None:
        # Nobody in the library matched: not a recognition (the MQTT rule, issue 9).
        raise JovisionError("the compare push names no library picture")
    return JovisionCompare(
        **_base(parts),
        **_face_fields(parts),
        index_id=index_id,
        pic_sort=pic_sort,
        list_type=list_type,
        pic_name=pic_name,
        person_name=person_name,
        match_score=_score(record.get("match_score", "score", "similarity")),
        visit_count=_non_negative(record.get("visit_count")),
    )


def _parse_capture(parts: _Parts) -> JovisionMessage:
    record = parts.record
    outer = _Chain(parts.outer, *parts.device.objs)
    return JovisionCapture(
        **_base(parts),
        **_face_fields(parts),
        track_id=_non_negative(record.get("track_id")),
        face_id=_non_negative(record.get("FaceID", "face_id")),
        cloudsee_id=_device_id(
            parts.device.get("DeviceID", "device_id", "cloudsee_id"), "CloudSEE ID"
        ),
        username=as_name(outer.get("UserName", "user")),
        password_md5=_text(outer.get("Password", "passwd")),
    )


def _parse_unknown(parts: _Parts) -> JovisionMessage:
    keys = tuple(as_str(key, _MAX_NAME) or "" for key in parts.keys[:_MAX_KEYS])
    return JovisionUnknown(**_base(parts), keys=keys)


_PARSERS: Final = {
    METHOD_KEEPALIVE: _parse_keepalive,
    METHOD_COMPARE_PUSH: _parse_compare,
    METHOD_CAPTURE_PUSH: _parse_capture,
    METHOD_CAP_FACE_REPORT: _parse_capture,
}


def parse_jovision(body: bytes | str) -> JovisionMessage:
    """Parse one pushed body into `JovisionKeepalive`, `JovisionCompare`, `JovisionCapture`.

    Accepts UTF-8 bytes (with or without BOM) or text, compact or pretty-printed; a bare
    message (``{"method": ..., "data"/"param"/"params": {...}}``, fields flat or nested),
    the cloud/TCP envelope ``{"dataLength": N, "data": {"method": ...}}`` (N is not
    checked), the CamelCase ``{"UserName": ..., "sw_cap_face_report": {...}}`` form, and an
    HTTP request head in front of the JSON. Methods are matched case-insensitively. A
    method this module does not model gives `JovisionUnknown`.

    Raises:
        JovisionError: the body is not a JSON object with a method (or a
            ``sw_cap_face_report`` member), or is not bytes/str at all.
    """
    parts = _locate(_load(body))
    parser = _PARSERS.get(parts.method, _parse_unknown)
    return parser(parts)
