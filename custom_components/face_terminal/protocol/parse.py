"""Turn one MQTT message of a terminal into a typed `Message` (V1.24 and real firmware).

`parse_message` is deliberately tolerant: keys are looked up in the document's spelling,
then case-insensitively and under the misspellings real firmware and platforms use;
numbers may be strings; every field a terminal may omit becomes ``None``. The only
exception it raises is `ProtocolError`, for payloads that are not protocol messages at
all (not JSON, not an object, no ``operator``).
"""

from __future__ import annotations

import json
import math
import re
from itertools import islice
from typing import TYPE_CHECKING, Any, Final

from .alarms import parse_alarm_push
from .coerce import (
    MAX_NAME_LENGTH,
    as_bool01,
    as_float,
    as_id,
    as_int,
    as_ip,
    as_name,
    as_record_id,
    as_str,
    as_terminal_id,
)
from .errors import MessageTooLargeError, ProtocolError, RecordWithoutPersonError
from .images import MAX_PICTURE_TEXT_CHARS, decode_image
from .loose import LooseObject, fast_json_object, load_json_object
from .models import (
    OTYPE_ID_CARD,
    OTYPE_WHITELIST_AND_ID_CARD,
    Ack,
    AudioAck,
    BatchAck,
    BatchFailure,
    CardPush,
    DelPersonAck,
    EditPersonAck,
    FaceBox,
    HeartBeat,
    IDCardPush,
    ImageResult,
    Message,
    Offline,
    Online,
    PersonRecord,
    PersonType,
    PushAckAck,
    QRCodePush,
    QueryPersonAck,
    QueryProgressAck,
    RecPush,
    SceneSnapAck,
    SearchPersonAck,
    SearchPersonListAck,
    StrSnapPush,
    UnknownMessage,
    UnlockAck,
    VerifyStatus,
    VersionsAck,
)
from .operators import (
    ADD_PERSONS,
    ALARM_INFO_PUSH,
    CARD_PUSH,
    DEL_PERSON,
    DELETE_PERSONS,
    EDIT_PERSON,
    EDIT_PERSONS,
    EDIT_PERSONS_NEW,
    GET_AUDIO,
    GET_SCENE_SNAP,
    HEARTBEAT,
    IDCARD_PUSH,
    OFFLINE,
    ONLINE,
    PUSH_ACK,
    QRCODE_PUSH,
    QUERY_PERSON,
    QUERY_PROGRESS,
    REC_PUSH,
    SEARCH_PERSON,
    SEARCH_PERSON_LIST,
    STR_SNAP_PUSH,
    UNLOCK,
    VERSIONS,
    canonical_operator,
)
from .times import parse_time
from .topics import topic_terminal_id

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

# Where the device ID may hide: the document key, the misspellings of vendor documents and
# platform models, and the keys of camera AI pushes and the HTTP variant (Q-37/38).
_DEVICE_ID_KEYS: Final = (
    "facesluiceId",
    "facesluiceld",
    "facesIuiceId",
    "facesIuicId",
    "faceluiceId",
    "deviceId",
    "DeviceID",
)
_NAME_KEYS: Final = ("persionName", "personName", "Name", "name")
_TIME_KEYS: Final = ("time", "snapTime", "CreateTime", "createTime")
_CLIENT_ID_SEPARATOR: Final = "@@@"  # Alibaba Cloud MQ client IDs: GroupID@@@DeviceID

# Picture fields, and personal data that never goes into `Ack.info` (lower case).
_PICTURE_KEYS: Final = frozenset(
    {
        "pic",
        "imgdata",
        "scene",
        "idcard_photo",
        "picinfo",
        "picinfo1",
        "picinfo2",
        "sanppic",
        "snappic",
        "scenepic",
        "tempic",
        "qrcodedata",
    }
)
_PRIVATE_KEYS: Final = frozenset({"idcard", "telnum", "telnum1", "idcard_idno"})
_PICTURE_TEXT_MIN: Final = 1024
_B64_TEXT_RE: Final = re.compile(r"[A-Za-z0-9+/=_\-\r\n]+", re.ASCII)
_MAX_DEPTH: Final = 16
_MAX_INFO_KEYS: Final = 256
_MAX_ACK_ITEMS: Final = 256  # members of one object or list kept in `Ack.info`
_MAX_ACK_TEXT: Final = 1024  # characters of one text kept in `Ack.info`
_MAX_MESSAGE_ID_LENGTH: Final = 128
_MAX_CODE_LENGTH: Final = 512  # QR code text, in characters

_DIRECTIONS: Final = {
    "entr": "entr",
    "enter": "entr",
    "entry": "entr",
    "entrance": "entr",
    "in": "entr",
    "exit": "exit",
    "out": "exit",
}


class _Obj(LooseObject):
    """A message object: document spelling first, then any case."""

    __slots__ = ()


class _Msg:
    """The parts of one message every field parser needs."""

    __slots__ = ("info", "operator", "raw_info", "top", "topic")

    def __init__(self, topic: str, top: dict[str, Any], operator: str) -> None:
        self.topic = topic
        self.operator = operator
        self.top = _Obj(top)
        self.raw_info: object = self.top.get("info")
        self.info = _Obj(self.raw_info)

    def get(self, *names: str) -> object:
        """Look in ``info`` first, then at the top level."""
        value = self.info.get(*names)
        return self.top.get(*names) if value is None else value

    def time(self) -> datetime | None:
        return _first_time(self.info, *_TIME_KEYS) or _first_time(self.top, *_TIME_KEYS)

    def base(self) -> dict[str, Any]:
        raw_id = self.info.get(*_DEVICE_ID_KEYS)
        if raw_id is None:
            raw_id = self.top.get(*_DEVICE_ID_KEYS)
        facesluice_id = as_terminal_id(raw_id)
        if raw_id is not None and facesluice_id is None:
            # A 100 000-digit number, a name or a path is not a terminal: such a message
            # must neither reach a terminal nor start a discovery.
            raise ProtocolError(f"{self.operator}: facesluiceId is not a terminal ID")
        terminal_id = topic_terminal_id(self.topic)
        if terminal_id is None and facesluice_id is not None:
            terminal_id = facesluice_id.rpartition(_CLIENT_ID_SEPARATOR)[2] or None
        return {
            "operator": self.operator,
            "topic": self.topic,
            "terminal_id": terminal_id,
            "facesluice_id": facesluice_id,
            "message_id": as_record_id(self.top.get("messageId"), _MAX_MESSAGE_ID_LENGTH),
        }


def _first_time(obj: _Obj, *names: str) -> datetime | None:
    for name in names:
        parsed = parse_time(obj.get(name))
        if parsed is not None:
            return parsed
    return None


def _decode(payload: bytes | bytearray | str) -> str:
    raw: object = payload  # callers outside type checking may pass anything
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    if isinstance(raw, (bytes, bytearray, memoryview)):
        data = bytes(raw)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Keep the event even if one name is not UTF-8; the odd characters become U+FFFD.
            return data.decode("utf-8-sig", errors="replace")
    raise ProtocolError(f"payload must be bytes or str, not {type(payload).__name__}")


# Two pictures (face and scene) of the largest size accepted, with their room for line
# breaks, plus the record around them. Anything longer is refused unread: parsing it
# would hold the event loop (and the GIL, so an executor would not help) for nothing.
MAX_MESSAGE_BYTES: Final = 2 * MAX_PICTURE_TEXT_CHARS + 64 * 1024


def parse_message(topic: str, payload: bytes | bytearray | str) -> Message:
    """Parse one message received on `topic` into the matching `Message` subclass.

    Accepts UTF-8 bytes (with or without BOM) or text, compact or pretty-printed JSON.
    Operators are matched case-insensitively; ``SnapPush`` is read as ``StrSnapPush`` and
    the HTTP variant's ``VerifyPush`` as ``RecPush``. `Message.operator` is the document
    spelling of a known operator (``voiceplay-ack`` becomes ``voiceplay-Ack``). Operators
    this package does not model give `UnknownMessage`; other ``*-Ack`` replies give `Ack`.

    Raises:
        ProtocolError: the payload is not a JSON object with an ``operator`` (this is also
            what the test shapes ``{}`` and ``{"facesluiceId": ...}`` of Q-01 give).
    """
    if isinstance(payload, (bytes, bytearray, str)) and len(payload) > MAX_MESSAGE_BYTES:
        raise MessageTooLargeError(f"{len(payload)} bytes, more than {MAX_MESSAGE_BYTES}")
    data = fast_json_object(payload) if isinstance(payload, bytes) else None
    if not isinstance(data, dict):
        data = load_json_object(_decode(payload), ProtocolError)
    raw_operator = _Obj(data).get("operator")
    operator = as_str(raw_operator) if isinstance(raw_operator, str) else None
    if operator is None:
        raise ProtocolError("the message has no operator")
    name = canonical_operator(operator)
    msg = _Msg(topic, data, name)
    key = name.lower()
    if key.endswith("-ack"):
        parser = _ACK_PARSERS.get(key[:-4], _parse_plain_ack)
        return parser(msg)
    event_parser = _EVENT_PARSERS.get(key)
    if event_parser is None:
        return _parse_unknown(msg)
    if msg.raw_info is not None and not isinstance(msg.raw_info, dict):
        # A record whose `info` is a list or a string carries nothing we could trust;
        # reading it as an empty record would report a passage that never happened.
        raise ProtocolError(f"{name}: info is not an object but {type(msg.raw_info).__name__}")
    return event_parser(msg)


# --- events -------------------------------------------------------------------------------


def _parse_online(msg: _Msg) -> Message:
    return Online(
        **msg.base(),
        ip=as_ip(msg.info.get("ip")) or as_ip(msg.top.get("wifiIp", "ip")),
        name=as_name(msg.info.get("facesname")),
        username=as_name(msg.info.get("username", "usename")),
        time=msg.time(),
    )


def _parse_offline(msg: _Msg) -> Message:
    return Offline(**msg.base(), time=msg.time())


def _parse_heartbeat(msg: _Msg) -> Message:
    return HeartBeat(
        **msg.base(), time=msg.time(), ip=as_ip(msg.info.get("ip")) or as_ip(msg.top.get("ip"))
    )


def _direction(value: object) -> str | None:
    text = as_str(value)
    return None if text is None else _DIRECTIONS.get(text.lower())


def _mask(value: object) -> bool | None:
    # `isNoMask` (camera and later editions; V1.24 itself has no mask field): 0 = a mask
    # was worn (or mask detection is off), 1 = no mask, 2 = no mask but let through.
    # The name says "is no mask", and vendor material and platforms agree that 0 is "mask
    # on", so `mask` is True for 0 and False for 1 and 2.
    number = as_int(value)
    if number == 0:
        return True
    if number in (1, 2):
        return False
    return None


def _face_box(msg: _Msg) -> FaceBox | None:
    position = msg.info.get("targetPosInScene")
    if isinstance(position, str):
        position = position.strip(" []").split(",")
    if isinstance(position, list):
        values = [as_int(item) for item in position] if len(position) == 4 else [None]
    else:
        values = [as_int(msg.info.get(edge)) for edge in ("left", "top", "right", "bottom")]
    left, top, right, bottom = values if len(values) == 4 else (None, None, None, None)
    if left is None or top is None or right is None or bottom is None:
        return None
    if left == top == right == bottom == 0:  # manual re-pushes send zeros
        return None
    return FaceBox(left=left, top=top, right=right, bottom=bottom)


def _picture(msg: _Msg, *names: str) -> ImageResult:
    return decode_image(msg.get(*names))


def _code(value: object, known: type[VerifyStatus] | type[PersonType]) -> int | None:
    """A documented code; `UNKNOWN` for one that was sent but is not documented.

    ``"1"``, ``1`` and ``"1.000000"`` are 1; ``"1.5"``, ``"99"``, ``-1``, ``true``, an
    object or a list are `UNKNOWN`, which never reads as "allowed".
    """
    if value is None:
        return None
    number = as_float(value)
    if number is None or not number.is_integer() or number < 0:
        return int(known.UNKNOWN)
    try:
        return int(known(int(number)))
    except ValueError:
        return int(known.UNKNOWN)


def _similarity(value: object) -> float | None:
    score = as_float(value)
    return score if score is not None and 0 <= score <= 100 else None


def _deciding_similarity(otype: int | None, face: float | None, card: float | None) -> float | None:
    """The score that decided a record: the ID-card one for ID-card checks (Q-22)."""
    base = None if otype is None else otype & 0xFF  # 0x100 / 0x200: mask / temperature
    if base == OTYPE_ID_CARD:
        return card
    if base == OTYPE_WHITELIST_AND_ID_CARD and face is not None and card is not None:
        return min(face, card)
    return face


def _parse_rec_push(msg: _Msg) -> Message:
    info = msg.info
    record_id = as_record_id(info.get("RecordID", "RecordId"))
    custom_id = as_id(info.get("customId", "CustomizeID"))
    person_id = as_id(info.get("personId", "PersonUUID", "PersonID"))
    person_name = as_name(info.get(*_NAME_KEYS))
    if custom_id is None and person_id is None and person_name is None:
        # `{"info": null}`, `{}`, a nested bomb: nobody passed. Never a recognition.
        raise RecordWithoutPersonError(f"{msg.operator}: the record names no person", record_id)
    otype = as_int(info.get("otype"))
    face_similarity = _similarity(info.get("similarity1"))
    id_similarity = _similarity(info.get("similarity2"))
    return RecPush(
        **msg.base(),
        record_id=record_id,
        custom_id=custom_id,
        person_id=person_id,
        person_name=person_name,
        verify_status=_code(info.get("VerifyStatus"), VerifyStatus),
        person_type=_code(info.get("PersonType"), PersonType),
        similarity=_deciding_similarity(otype, face_similarity, id_similarity),
        face_similarity=face_similarity,
        id_similarity=id_similarity,
        time=msg.time(),
        terminal_name=as_name(info.get("facesluiceName", "facesIuiceName", "deviceName")),
        direction=_direction(info.get("direction")),
        otype=otype,
        temperature=as_float(info.get("temperature")),
        temperature_alarm=as_bool01(info.get("temperatureAlarm")),
        push_type=as_int(info.get("PushType")),
        send_in_time=as_bool01(info.get("Sendintime")),
        mask=_mask(info.get("isNoMask")),
        card_number=as_id(info.get("cardNum2")),
        rfid_card=as_id(info.get("RFIDCard")),
        face_box=_face_box(msg),
        face=_picture(msg, "pic", "SanpPic", "SnapPic"),
        scene=_picture(msg, "scene", "ScenePic"),
    )


def _parse_str_snap_push(msg: _Msg) -> Message:
    info = msg.info
    return StrSnapPush(
        **msg.base(),
        snap_id=as_record_id(info.get("SnapID", "SnapId", "SnapOrRecordID")),
        time=msg.time(),
        terminal_name=as_name(info.get("facesluiceName", "facesIuiceName", "deviceName")),
        direction=_direction(info.get("direction")),
        temperature=as_float(info.get("temperature")),
        temperature_alarm=as_bool01(info.get("temperatureAlarm")),
        push_type=as_int(info.get("PushType")),
        mask=_mask(info.get("isNoMask")),
        face_box=_face_box(msg),
        face=_picture(msg, "pic", "SanpPic", "SnapPic"),
        scene=_picture(msg, "scene", "ScenePic"),
        send_in_time=as_bool01(info.get("Sendintime")),
    )


def _parse_qrcode_push(msg: _Msg) -> Message:
    return QRCodePush(
        **msg.base(),
        code=as_str(msg.info.get("QRCodeInfo", "QRcodeInfo"), _MAX_CODE_LENGTH),
        time=msg.time(),
        terminal_name=as_name(msg.info.get("facesluiceName", "deviceName")),
        push_type=as_int(msg.info.get("PushType")),
        send_in_time=as_bool01(msg.info.get("Sendintime")),
    )


def _parse_card_push(msg: _Msg) -> Message:
    card_info = msg.info.get("CardInfo")
    card = _Obj(card_info) if isinstance(card_info, dict) else msg.info
    number = as_id(card.get("CardNum", "cardNum", "CardNo"))
    if number is None and not isinstance(card_info, dict):
        number = as_id(card_info)  # the V1.24 table types CardInfo as a string
    return CardPush(
        **msg.base(),
        card_number=number,
        card_mode=as_int(card.get("CardMode")),
        time=msg.time(),
        terminal_name=as_name(msg.info.get("facesluiceName", "deviceName")),
    )


def _gender(value: object) -> str | None:
    number = as_int(value)
    if number == 0:
        return "male"
    if number == 1:
        return "female"
    text = as_str(value, MAX_NAME_LENGTH)
    if text is None:
        return None
    return {"男": "male", "女": "female", "m": "male", "f": "female"}.get(text.lower(), text)


def _last4(value: object) -> str | None:
    text = as_str(value)
    if text is None:
        return None
    compact = "".join(text.split())
    return compact[-4:] if len(compact) > 4 else None


def _parse_idcard_push(msg: _Msg) -> Message:
    card = msg.info.obj("IDCardInfo") or msg.info
    photo = card.get("IDCard_photo")
    return IDCardPush(
        **msg.base(),
        name=as_name(card.get("IDCard_Name")),
        gender=_gender(card.get("IDCard_Gender")),
        id_last4=_last4(card.get("IDCard_Idno")),
        time=msg.time(),
        terminal_name=as_name(msg.info.get("facesluiceName", "deviceName")),
        photo=decode_image(photo if photo is not None else msg.get("IDCard_photo")),
    )


def _parse_unknown(msg: _Msg) -> Message:
    keys = tuple(msg.info.data)[:_MAX_INFO_KEYS]
    return UnknownMessage(**msg.base(), info_keys=keys)


_EVENT_PARSERS: Final[dict[str, Callable[[_Msg], Message]]] = {
    ONLINE.lower(): _parse_online,
    OFFLINE.lower(): _parse_offline,
    HEARTBEAT.lower(): _parse_heartbeat,
    REC_PUSH.lower(): _parse_rec_push,
    STR_SNAP_PUSH.lower(): _parse_str_snap_push,
    QRCODE_PUSH.lower(): _parse_qrcode_push,
    CARD_PUSH.lower(): _parse_card_push,
    IDCARD_PUSH.lower(): _parse_idcard_push,
    ALARM_INFO_PUSH.lower(): lambda msg: parse_alarm_push(msg.base(), msg.info, msg.time()),
}


# --- acks ---------------------------------------------------------------------------------


def _looks_like_picture(value: object) -> bool:
    """Text holding a data URI (anywhere), or more than 1 KB of what could be base64."""
    if not isinstance(value, str):
        return False
    lowered = value.lower()
    if "base64" in lowered and "data:" in lowered.replace(" ", ""):
        return True
    return len(value) > _PICTURE_TEXT_MIN and _B64_TEXT_RE.fullmatch(value) is not None


def _sanitize(value: object, depth: int) -> Any:
    """Copy JSON without pictures and personal numbers, cut off below `_MAX_DEPTH`.

    Objects and lists keep their first `_MAX_ACK_ITEMS` members, texts are cleaned and
    bounded like every device text, keys that are no plausible key are left out.
    """
    if isinstance(value, dict):
        if depth >= _MAX_DEPTH:
            return None
        kept = (
            (key, item)
            for key, item in value.items()
            if len(key) <= MAX_NAME_LENGTH
            and key.lower() not in _PICTURE_KEYS
            and key.lower() not in _PRIVATE_KEYS
            and not _looks_like_picture(item)
        )
        return {
            as_str(key) or "": _sanitize(item, depth + 1)
            for key, item in islice(kept, _MAX_ACK_ITEMS)
        }
    if isinstance(value, list):
        if depth >= _MAX_DEPTH:
            return None
        kept_items = (item for item in value if not _looks_like_picture(item))
        return [_sanitize(item, depth + 1) for item in islice(kept_items, _MAX_ACK_ITEMS)]
    if isinstance(value, str):
        return as_str(value, _MAX_ACK_TEXT) or ""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _ack_base(msg: _Msg) -> dict[str, Any]:
    code = msg.top.get("code")
    if code is None:
        code = msg.info.get("code")
    result = as_str(msg.info.get("result"), MAX_NAME_LENGTH) or as_str(
        msg.top.get("result"), MAX_NAME_LENGTH
    )
    detail = as_str(msg.info.get("detail")) or as_str(msg.top.get("detail"))
    info = _sanitize(msg.info.data, 0)
    return {
        **msg.base(),
        "code": as_int(code),
        "result": result,
        "detail": detail,
        "info": info,
    }


def _parse_plain_ack(msg: _Msg) -> Message:
    return Ack(**_ack_base(msg))


def _parse_edit_person_ack(msg: _Msg) -> Message:
    return EditPersonAck(
        **_ack_base(msg),
        custom_id=as_id(msg.info.get("customId")),
        person_id=as_id(msg.info.get("personId")),
    )


def _parse_del_person_ack(msg: _Msg) -> Message:
    return DelPersonAck(**_ack_base(msg), custom_id=as_id(msg.info.get("customId")))


def _parse_unlock_ack(msg: _Msg) -> Message:
    return UnlockAck(**_ack_base(msg), open_door=as_bool01(msg.info.get("openDoor")))


def _parse_scene_snap_ack(msg: _Msg) -> Message:
    return SceneSnapAck(**_ack_base(msg), image=_picture(msg, "ImgData", "pic"))


def _names(value: object) -> tuple[str, ...]:
    """File names from a JSON list, a JSON list inside text, or comma-separated text."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError, RecursionError:
                value = text.strip("[]").replace('"', "").split(",")
        else:
            value = text.split(",")
    if not isinstance(value, list):
        return ()
    names = (as_str(item, MAX_NAME_LENGTH) for item in islice(value, _MAX_ACK_ITEMS))
    return tuple(dict.fromkeys(name for name in names if name is not None))


def _parse_audio_ack(msg: _Msg) -> Message:
    return AudioAck(
        **_ack_base(msg),
        builtin=_names(msg.info.get("AudioName")),
        custom=_names(msg.info.get("AudioCustomerName")),
    )


def _person(obj: _Obj) -> PersonRecord:
    return PersonRecord(
        custom_id=as_id(obj.get("customId", "CustomizeID")),
        person_id=as_id(obj.get("personId", "PersonUUID", "LibID")),
        name=as_name(obj.get(*_NAME_KEYS)),
        person_type=as_int(obj.get("personType")),
        gender=as_int(obj.get("gender", "sex")),
        valid_from=parse_time(obj.get("cardValidBegin")),
        valid_until=parse_time(obj.get("cardValidEnd")),
        created=_first_time(obj, "createTime", "Time"),
        temp_card_type=as_int(obj.get("tempCardType")),
        effect_number=as_int(obj.get("EffectNumber")),
    )


def _is_person(obj: _Obj) -> bool:
    return any(obj.get(key) is not None for key in ("customId", "personId", *_NAME_KEYS))


def _person_source(info: _Obj) -> _Obj | None:
    """The object holding the person of a SearchPerson-Ack: info itself, or one inside."""
    if _is_person(info):
        return info
    for value in info.data.values():
        candidates = value if isinstance(value, list) else [value]
        for candidate in candidates:
            if isinstance(candidate, dict) and _is_person(_Obj(candidate)):
                return _Obj(candidate)
    return None


def _parse_search_person_ack(msg: _Msg) -> Message:
    base = _ack_base(msg)
    source = _person_source(msg.info)
    person = _person(source) if source is not None else None
    if person is not None and person.custom_id is None and person.person_id is None:
        person = None if person.name is None else person
    raw_picture = msg.get("pic")
    if raw_picture is None and source is not None:
        raw_picture = source.get("pic")
    return SearchPersonAck(
        **base,
        person=person,
        has_picture=isinstance(raw_picture, str),
        picture=decode_image(raw_picture),
    )


def _objects(value: object) -> list[_Obj]:
    if isinstance(value, dict):
        return [_Obj(value)]
    if isinstance(value, list):
        return [_Obj(item) for item in value if isinstance(item, dict)]
    return []


def _parse_search_person_list_ack(msg: _Msg) -> Message:
    return SearchPersonListAck(
        **_ack_base(msg),
        total=as_int(msg.info.get("TotalPersonNum", "TotalNum")),
        persons=tuple(_person(obj) for obj in _objects(msg.info.get("List"))),
        count=as_int(msg.info.get("PersonNum")),
    )


def _parse_versions_ack(msg: _Msg) -> Message:
    return VersionsAck(
        **_ack_base(msg),
        version=as_str(msg.info.get("name", "version", "VersionName"), MAX_NAME_LENGTH),
        build_time=as_str(msg.info.get("buildtime", "BuildTime")),
    )


def _parse_push_ack_ack(msg: _Msg) -> Message:
    return PushAckAck(
        **_ack_base(msg),
        push_ack_type=as_int(msg.info.get("PushAckType")),
        record_id=as_record_id(msg.info.get("SnapOrRecordID", "SnapOrRecordlD")),
    )


def _parse_query_progress_ack(msg: _Msg) -> Message:
    info = msg.info
    status = as_int(info.get("Status"))
    query_type = as_str(info.get("QueryType"))
    total = as_int(info.get("TotalNum", "TotalPersonNum", "PersonNum", "Total"))
    done = as_int(info.get("FinishNum", "FinishedNum", "DoneNum", "CurNum", "Done"))
    finished: bool | None = None
    if status is not None:
        finished = status == 0  # 0 = idle: no batch running any more
    elif query_type is not None:
        finished = query_type.lower() == "none"
    elif total is not None and done is not None:
        finished = done >= total
    return QueryProgressAck(
        **_ack_base(msg),
        total=total,
        done=done,
        finished=finished,
        status=status,
        query_type=query_type,
    )


MAX_LISTED_IDS: Final = 100_000
"""Most customIds kept from one ``QueryPerson-Ack`` (terminals hold tens of thousands)."""
_MAX_CUSTOM_ID_LENGTH: Final = 47  # a terminal stores 48 bytes with the terminator


def _parse_query_person_ack(msg: _Msg) -> Message:
    # The list is read from the raw reply: `Ack.info` keeps only the start of long texts.
    raw = msg.info.get("customId")
    items: list[object]
    if isinstance(raw, str):
        items = list(raw.split(",", MAX_LISTED_IDS))
    elif isinstance(raw, list):
        items = raw[: MAX_LISTED_IDS + 1]
    else:
        items = []
    ids: dict[str, None] = {}
    for item in items:
        custom_id = as_id(item.strip() if isinstance(item, str) else item, _MAX_CUSTOM_ID_LENGTH)
        if custom_id is not None and len(ids) < MAX_LISTED_IDS:
            ids[custom_id] = None
    return QueryPersonAck(
        **_ack_base(msg),
        custom_ids=tuple(ids),
        total=as_int(msg.info.get("TotalPersonNum")),
    )


def _batch_entries(value: object) -> list[tuple[str | None, int | None]]:
    """(customId, errcode) pairs from a *SucInfo / *ErrInfo value of any shape."""
    if isinstance(value, str):
        value = value.split(",")
    elif isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    entries: list[tuple[str | None, int | None]] = []
    for item in value:
        if isinstance(item, dict):
            obj = _Obj(item)
            entries.append(
                (as_id(obj.get("customId")), as_int(obj.get("errcode", "errCode", "code")))
            )
        else:
            entries.append((as_id(item), None))
    return entries


def _parse_batch_ack(msg: _Msg) -> Message:
    succeeded: list[str] = []
    failed: list[BatchFailure] = []
    success_count: int | None = None
    failure_count: int | None = None
    for key, value in msg.info.data.items():
        lower = key.lower()
        if lower.endswith("sucinfo"):
            succeeded.extend(cid for cid, _ in _batch_entries(value) if cid is not None)
        elif lower.endswith("errinfo"):
            failed.extend(
                BatchFailure(custom_id=cid, error_code=code)
                for cid, code in _batch_entries(value)
                if cid is not None or code is not None
            )
        elif lower.endswith("sucnum"):
            success_count = as_int(value)
        elif lower.endswith("errnum"):
            failure_count = as_int(value)
    return BatchAck(
        **_ack_base(msg),
        succeeded=tuple(dict.fromkeys(succeeded)),
        failed=tuple(failed),
        success_count=success_count,
        failure_count=failure_count,
    )


_ACK_PARSERS: Final[dict[str, Callable[[_Msg], Message]]] = {
    EDIT_PERSON.lower(): _parse_edit_person_ack,
    DEL_PERSON.lower(): _parse_del_person_ack,
    UNLOCK.lower(): _parse_unlock_ack,
    GET_SCENE_SNAP.lower(): _parse_scene_snap_ack,
    GET_AUDIO.lower(): _parse_audio_ack,
    SEARCH_PERSON.lower(): _parse_search_person_ack,
    SEARCH_PERSON_LIST.lower(): _parse_search_person_list_ack,
    VERSIONS.lower(): _parse_versions_ack,
    PUSH_ACK.lower(): _parse_push_ack_ack,
    QUERY_PERSON.lower(): _parse_query_person_ack,
    QUERY_PROGRESS.lower(): _parse_query_progress_ack,
    ADD_PERSONS.lower(): _parse_batch_ack,
    EDIT_PERSONS.lower(): _parse_batch_ack,
    EDIT_PERSONS_NEW.lower(): _parse_batch_ack,
    DELETE_PERSONS.lower(): _parse_batch_ack,
}
