r"""Commands to a terminal: validated builders that return a `Command`.

Every builder takes the terminal's command topic and ID first and an optional
``message_id`` last (a fresh one from `new_message_id` when omitted). The payload is
compact UTF-8 JSON (non-ASCII text is sent as UTF-8, not as ``\u`` escapes) with
``operator``, ``messageId`` and ``info.facesluiceId`` (Q-35: several terminals may share a
command topic, the ID picks one). Field names and types follow the V1.24 tables; where
real platforms found the table unsafe the notes win (string ``PushAck`` values, Q-31).

Invalid arguments raise `CommandError` with a message saying what is wrong.

A `Command` carries the ``messageId`` and ``operator`` it was built with next to the
payload, so nobody has to parse a (up to 1 MiB) payload again to learn them.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from . import operators as op
from .errors import CommandError
from .images import BMP, JPEG, PNG, encode_image_base64, sniff_image_type
from .text import truncate_utf8, utf8_len
from .times import format_command_time, format_date, format_record_time

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

PUSH_ACK_STRANGER: Final = 1
"""`PushAckType` for a stranger snapshot (`StrSnapPush.snap_id`)."""
PUSH_ACK_RECORD: Final = 2
"""`PushAckType` for a recognition record (`RecPush.record_id`)."""
PUSH_ACK_GENERIC: Final = 3
"""`PushAckType` of later editions for other pushes (camera AI events)."""

MAX_COMMAND_BYTES: Final = 1024 * 1024
"""Terminals refuse larger messages with code 460."""
MAX_PICTURE_BYTES: Final = 1024 * 1024
"""Largest enrolment picture (`PersonSpec.picture`)."""
MAX_BATCH_PERSONS: Final = 1000
MAX_BATCH_DELETE: Final = 200
MAX_SHOW_INFO_BYTES: Final = 63  # 64 bytes including the terminator
MAX_QRCODE_DATA_BYTES: Final = 32 * 1024 - 1  # 32 KiB including the terminator
MAX_SEARCH_COUNT: Final = 2000

SEARCH_ALL_BEGIN: Final = datetime(1971, 1, 1)  # noqa: DTZ001 - terminal wall-clock time
SEARCH_ALL_END: Final = datetime(2037, 12, 31, 23, 59, 59)  # noqa: DTZ001 - 32-bit time_t
"""Time range `build_search_person_list` sends when asked for everybody."""

_BEGIN_FLAG: Final = "BeginFlag"
_END_FLAG: Final = "EndFlag"
_TEXT_LIMITS: Final = {  # bytes without the terminator, from the V1.24 tables
    "custom_id": 47,
    "name": 31,
    "id_card": 31,
    "phone": 31,
    "native": 31,
    "address": 71,
    "rfid_card": 9,
}
_WIEGAND_TYPES: Final = frozenset({0, 1, 6, 7})
_RESERVED_CONFIG_KEYS: Final = frozenset({"facesluiceid", "messageid", "operator", "result"})


@dataclass(frozen=True, slots=True)
class Command:
    """One built command: where it goes, its bytes, and the identity its reply carries.

    `message_id` is the payload's ``messageId`` and `operator` its ``operator``; the
    terminal answers with ``<operator>-Ack`` and the same ``messageId``.
    """

    topic: str
    payload: bytes = field(repr=False)
    message_id: str
    operator: str

    @property
    def ack_operator(self) -> str:
        """Operator of the reply this command expects (``Unlock`` -> ``Unlock-Ack``)."""
        return op.ack_operator(self.operator)


def new_message_id() -> str:
    """Return a unique message ID (``ha-`` and 32 hex digits)."""
    return f"ha-{uuid.uuid4().hex}"


def ack_operator(operator: str) -> str:
    """Return the operator of the reply to a command: ``"Unlock"`` -> ``"Unlock-Ack"``."""
    return op.ack_operator(operator)


# --- validation helpers ----------------------------------------------------------------


def _check_text(name: str, value: object, max_bytes: int | None = None) -> str:
    if not isinstance(value, str):
        raise CommandError(f"{name} must be text, not {type(value).__name__}")
    if not value.strip():
        raise CommandError(f"{name} must not be empty")
    if any(ord(char) < 0x20 or 0xD800 <= ord(char) <= 0xDFFF for char in value):
        raise CommandError(f"{name} must not contain control characters")
    if max_bytes is not None and utf8_len(value) > max_bytes:
        raise CommandError(
            f"{name} is {utf8_len(value)} bytes in UTF-8; the terminal accepts at most {max_bytes}"
        )
    return value


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CommandError(f"{name} must be an integer, not {type(value).__name__}")
    if not low <= value <= high:
        raise CommandError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _check_choice(name: str, value: object, choices: frozenset[int]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in choices:
        allowed = ", ".join(str(choice) for choice in sorted(choices))
        raise CommandError(f"{name} must be one of {allowed}, not {value!r}")
    return value


def _check_topic(command_topic: object) -> str:
    topic = _check_text("command_topic", command_topic)
    if "+" in topic or "#" in topic:
        raise CommandError("command_topic must not contain the MQTT wildcards + or #")
    return topic


def _check_datetime(name: str, value: object) -> datetime:
    if not isinstance(value, datetime):
        raise CommandError(f"{name} must be a datetime, not {type(value).__name__}")
    return value


def _check_range(begin: object, end: object) -> tuple[datetime, datetime]:
    first = _check_datetime("begin", begin)
    last = _check_datetime("end", end)
    if (first.tzinfo is None) != (last.tzinfo is None):
        raise CommandError("begin and end must both be naive or both be aware")
    if first > last:
        raise CommandError("begin must not be after end")
    return first, last


def _command(
    command_topic: str,
    terminal_id: str,
    operator: str,
    message_id: str | None,
    info: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The common envelope: operator, messageId and info with facesluiceId first."""
    _check_topic(command_topic)
    device = _check_text("terminal_id", terminal_id)
    if message_id is None:
        message_id = new_message_id()
    else:
        _check_text("message_id", message_id)
    return {
        "operator": operator,
        "messageId": message_id,
        "info": {"facesluiceId": device, **(info or {})},
    }


def _encode(command_topic: str, body: Mapping[str, Any]) -> Command:
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    data = payload.encode("utf-8")
    if len(data) > MAX_COMMAND_BYTES:
        raise CommandError(
            f"the command is {len(data)} bytes; terminals refuse more than "
            f"{MAX_COMMAND_BYTES} (error 460), use a smaller picture"
        )
    return Command(
        topic=command_topic,
        payload=data,
        message_id=str(body["messageId"]),
        operator=str(body["operator"]),
    )


def _simple(
    command_topic: str,
    terminal_id: str,
    operator: str,
    message_id: str | None,
    info: Mapping[str, Any] | None = None,
) -> Command:
    return _encode(command_topic, _command(command_topic, terminal_id, operator, message_id, info))


# --- presence and records --------------------------------------------------------------


def build_online_ack(
    command_topic: str, terminal_id: str, message_id: str | None = None
) -> Command:
    """``Online-Ack`` (V1.24 §10.2): stops the terminal re-sending ``Online`` (Q-08, Q-09).

    Sent on the terminal's command topic (it does not listen on ``mqtt/face/basic``), with
    ``result`` "ok" and an empty ``detail``.
    """
    return _simple(
        command_topic,
        terminal_id,
        f"{op.ONLINE}{op.ACK_SUFFIX}",
        message_id,
        {"result": "ok", "detail": ""},
    )


def build_push_ack(
    command_topic: str,
    terminal_id: str,
    push_ack_type: int,
    record_id: str,
    message_id: str | None = None,
    *,
    open_door: bool | None = None,
    show_info: str | None = None,
) -> Command:
    """``PushAck`` (V1.24 §11): confirm a record so the terminal stops re-sending it.

    `push_ack_type` is `PUSH_ACK_STRANGER` (1), `PUSH_ACK_RECORD` (2) or
    `PUSH_ACK_GENERIC` (3); `record_id` the record's ``SnapID``/``RecordID``. Both go out
    as strings, the form every terminal accepts (Q-31). In the "face + remote" door mode
    (§9.3.5) `open_door` and `show_info` answer the record as well.
    """
    kind = _check_int("push_ack_type", push_ack_type, PUSH_ACK_STRANGER, PUSH_ACK_GENERIC)
    raw_id: object = record_id
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)  # tolerate the int a caller copied from a typed model
    rid = _check_text("record_id", raw_id, 63)
    info: dict[str, Any] = {"PushAckType": str(kind), "SnapOrRecordID": rid.strip()}
    if open_door is not None:
        info["openDoor"] = 1 if open_door else 0
    if show_info is not None:
        info["showInfo"] = truncate_utf8(_check_text("show_info", show_info), MAX_SHOW_INFO_BYTES)
    return _simple(command_topic, terminal_id, op.PUSH_ACK, message_id, info)


def build_unlock(
    command_topic: str,
    terminal_id: str,
    show_info: str | None = None,
    open_door: bool = True,
    message_id: str | None = None,
) -> Command:
    """``Unlock`` (V1.24 §8): open the door and/or show a text on the screen.

    `show_info` is cut to 63 UTF-8 bytes (the terminal's 64-byte buffer) without splitting
    a character. The terminal ignores Unlock in the pure face door mode (§9.3.5).
    """
    info: dict[str, Any] = {"openDoor": 1 if open_door else 0}
    if show_info is not None:
        info["showInfo"] = truncate_utf8(_check_text("show_info", show_info), MAX_SHOW_INFO_BYTES)
    return _simple(command_topic, terminal_id, op.UNLOCK, message_id, info)


# --- persons ----------------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class PersonSpec:
    """A person to enrol or change (V1.24 §4.1 / §4.10).

    `temp_card_type`: 0 permanent, 1 valid from `valid_from` to `valid_until`, 2 valid
    daily between the times of `valid_from` and `valid_until` within those dates, 3 valid
    for `effect_number` passes. Card fields follow the §4.1 table: `card_type2` 2 (manual
    Wiegand number) needs `wiegand_type` and `card_num2`, Wiegand types 6/7 also
    `wg_facility_code`. A picture is given as bytes (`picture`, JPEG/PNG/BMP, at most
    1 MiB) or as a URL the terminal downloads (`picture_uri`, must be reachable from the
    terminal).
    """

    custom_id: str
    name: str
    person_type: int = 0
    temp_card_type: int = 0
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    effect_number: int | None = None
    gender: int | None = None
    nation: int | None = None
    birthday: date | None = None
    id_card: str | None = None
    phone: str | None = None
    native: str | None = None
    address: str | None = None
    notes: str | None = None
    card_type2: int | None = None
    wiegand_type: int | None = None
    wg_facility_code: int | None = None
    card_num2: int | None = None
    card_mode: int | None = None
    rf_card_mode: int | None = None
    rfid_card: str | None = None
    check_similarity: bool | None = None  # batch only: refuse a face already enrolled
    picture: bytes | None = None
    picture_uri: str | None = None


def _check_custom_id(value: object, name: str = "custom_id") -> str:
    text = _check_text(name, value, _TEXT_LIMITS["custom_id"])
    if text != text.strip():
        raise CommandError(f"{name} must not start or end with spaces")
    if "," in text:
        raise CommandError(f"{name} must not contain commas (the terminal lists IDs with them)")
    return text


def _check_uri(value: object) -> str:
    uri = _check_text("picture_uri", value)
    if not uri.lower().startswith(("http://", "https://")) or any(c.isspace() for c in uri):
        raise CommandError("picture_uri must be an http:// or https:// URL without spaces")
    return uri


def _check_picture(value: object) -> str:
    if not isinstance(value, (bytes, bytearray)):
        raise CommandError(f"picture must be bytes, not {type(value).__name__}")
    data = bytes(value)
    if not data:
        raise CommandError("picture is empty")
    if len(data) > MAX_PICTURE_BYTES:
        raise CommandError(
            f"picture is {len(data)} bytes; the terminal accepts at most {MAX_PICTURE_BYTES}"
        )
    content_type = sniff_image_type(data)
    if content_type is None:
        raise CommandError("picture is not a JPEG, PNG or BMP file")
    return encode_image_base64(data, content_type)


def _validity(person: PersonSpec, info: dict[str, Any]) -> None:
    kind = _check_int("temp_card_type", person.temp_card_type, 0, 3)
    info["tempCardType"] = kind
    has_range = person.valid_from is not None or person.valid_until is not None
    if kind in (1, 2):
        if person.valid_from is None or person.valid_until is None:
            raise CommandError(f"temp_card_type {kind} needs valid_from and valid_until")
        begin = _check_datetime("valid_from", person.valid_from)
        end = _check_datetime("valid_until", person.valid_until)
        if (begin.tzinfo is None) != (end.tzinfo is None):
            raise CommandError("valid_from and valid_until must both be naive or both be aware")
        if begin >= end:
            raise CommandError("valid_from must be before valid_until")
        info["cardValidBegin"] = format_record_time(begin)
        info["cardValidEnd"] = format_record_time(end)
    elif has_range:
        raise CommandError("valid_from and valid_until only apply to temp_card_type 1 or 2")
    if kind == 3:
        if person.effect_number is None:
            raise CommandError("temp_card_type 3 needs effect_number")
        info["EffectNumber"] = _check_int("effect_number", person.effect_number, 1, 2**31 - 1)
    elif person.effect_number is not None:
        raise CommandError("effect_number only applies to temp_card_type 3")


def _optional_texts(person: PersonSpec, info: dict[str, Any]) -> None:
    texts = (
        ("id_card", person.id_card, "idCard"),
        ("phone", person.phone, "telnum1"),
        ("native", person.native, "native"),
        ("address", person.address, "address"),
        ("notes", person.notes, "notes"),
    )
    for name, value, key in texts:
        if value is not None:
            info[key] = _check_text(name, value, _TEXT_LIMITS.get(name))


def _cards(person: PersonSpec, info: dict[str, Any], *, facility_key: str) -> None:
    card_type2 = person.card_type2
    if card_type2 is not None:
        info["cardType2"] = _check_int("card_type2", card_type2, 0, 3)
    if person.wiegand_type is not None:
        info["WiegandType"] = _check_choice("wiegand_type", person.wiegand_type, _WIEGAND_TYPES)
    if person.wg_facility_code is not None:
        info[facility_key] = _check_int("wg_facility_code", person.wg_facility_code, 0, 2**24 - 1)
    if person.card_num2 is not None:
        info["cardNum2"] = _check_int("card_num2", person.card_num2, 0, 2**32 - 1)
    if card_type2 == 2:
        if person.wiegand_type is None or person.card_num2 is None:
            raise CommandError("card_type2 2 (manual card number) needs wiegand_type and card_num2")
        if person.wiegand_type in (6, 7) and person.wg_facility_code is None:
            raise CommandError(f"wiegand_type {person.wiegand_type} needs wg_facility_code")
    if person.card_mode is not None:
        info["CardMode"] = _check_int("card_mode", person.card_mode, 0, 1)
    if person.rf_card_mode is not None:
        info["RFCardMode"] = _check_int("rf_card_mode", person.rf_card_mode, 0, 1)
    if person.rfid_card is not None:
        card = _check_text("rfid_card", person.rfid_card, _TEXT_LIMITS["rfid_card"])
        decimal = person.rf_card_mode == 0
        allowed = "0123456789" if decimal else "0123456789abcdefABCDEF"
        if any(char not in allowed for char in card):
            kind = "decimal" if decimal else "hexadecimal"
            raise CommandError(f"rfid_card must be a {kind} number, not {card!r}")
        info["RFIDCard"] = card


def _person_info(
    person: PersonSpec, *, adding: bool, batch: bool, facility_key: str
) -> dict[str, Any]:
    if not isinstance(person, PersonSpec):
        raise CommandError(f"person must be a PersonSpec, not {type(person).__name__}")
    info: dict[str, Any] = {
        "customId": _check_custom_id(person.custom_id),
        "name": _check_text("name", person.name, _TEXT_LIMITS["name"]),
        "personType": _check_int("person_type", person.person_type, 0, 1),
    }
    _validity(person, info)
    if person.gender is not None:
        info["gender"] = _check_int("gender", person.gender, 0, 1)
    if person.nation is not None:
        info["nation"] = _check_int("nation", person.nation, 1, 57)
    if person.birthday is not None:
        if not isinstance(person.birthday, date):
            raise CommandError("birthday must be a date")
        info["birthday"] = format_date(person.birthday)
    _optional_texts(person, info)
    _cards(person, info, facility_key=facility_key)
    if person.check_similarity is not None:
        if not batch:
            raise CommandError("check_similarity only applies to batch enrolment")
        info["isCheckSimilarity"] = 1 if person.check_similarity else 0
    if batch:
        if person.picture is not None:
            raise CommandError(
                "batch enrolment takes pictures only as picture_uri (V1.24 §4.10), "
                f"not as bytes (customId {person.custom_id!r})"
            )
    elif adding and (person.picture is None) == (person.picture_uri is None):
        raise CommandError("adding a person needs exactly one of picture and picture_uri")
    elif person.picture is not None and person.picture_uri is not None:
        raise CommandError("give at most one of picture and picture_uri")
    if person.picture is not None:
        info["pic"] = _check_picture(person.picture)
    if person.picture_uri is not None:
        info["picURI"] = _check_uri(person.picture_uri)
    return info


def build_edit_person(
    command_topic: str,
    terminal_id: str,
    person: PersonSpec,
    adding: bool = True,
    message_id: str | None = None,
) -> Command:
    """``EditPerson`` (V1.24 §4.1): add a person, or change one with the same customId.

    When `adding`, exactly one of `PersonSpec.picture` and `PersonSpec.picture_uri` is
    required; when changing, at most one (leave both out to keep the picture). Keep one
    second between EditPerson commands with pictures as bytes, two with URLs.
    """
    info = _person_info(person, adding=adding, batch=False, facility_key="WGFacilityCode")
    return _simple(command_topic, terminal_id, op.EDIT_PERSON, message_id, info)


def build_del_person(
    command_topic: str, terminal_id: str, custom_id: str, message_id: str | None = None
) -> Command:
    """``DelPerson`` (V1.24 §4.3): delete one person by customId."""
    info = {"customId": _check_custom_id(custom_id)}
    return _simple(command_topic, terminal_id, op.DEL_PERSON, message_id, info)


def build_delete_all_persons(
    command_topic: str, terminal_id: str, message_id: str | None = None
) -> Command:
    """``DeleteAllPerson`` (V1.24 §4.5): delete every person and every access record.

    Cannot be undone; on success the terminal restarts its face recognition.
    """
    return _simple(command_topic, terminal_id, op.DELETE_ALL_PERSON, message_id, {"deleteall": 1})


def _batch(
    command_topic: str,
    terminal_id: str,
    operator: str,
    message_id: str | None,
    *,
    count: int,
    info: object,
) -> Command:
    """Batch envelope: DataBegin/PersonNum/info/DataEnd; facesluiceId at the top level.

    The batch ``info`` of EditPersonsNew is an array, so there is no info object to hold
    ``facesluiceId``; it goes next to ``messageId`` instead, where terminals that filter by
    ID can find it and others ignore it.
    """
    body = _command(command_topic, terminal_id, operator, message_id)
    device = body["info"]["facesluiceId"]
    envelope = {
        "operator": operator,
        "messageId": body["messageId"],
        "facesluiceId": device,
        "DataBegin": _BEGIN_FLAG,
        "PersonNum": count,
        "info": info,
        "DataEnd": _END_FLAG,
    }
    return _encode(command_topic, envelope)


def build_edit_persons_new(
    command_topic: str,
    terminal_id: str,
    persons: Sequence[PersonSpec],
    message_id: str | None = None,
) -> Command:
    """``EditPersonsNew`` (V1.24 §4.10): add or change up to 1000 persons at once.

    Pictures only as `PersonSpec.picture_uri` (the terminal downloads them; a URL the
    terminal cannot reach fails that person with errcode 464-466). Send one batch at a
    time per terminal: a second one while the first runs is refused with code 410; poll
    with `build_query_progress`.
    """
    raw: object = persons
    if isinstance(raw, (str, bytes)) or not hasattr(raw, "__len__"):
        raise CommandError("persons must be a sequence of PersonSpec")
    if not 1 <= len(persons) <= MAX_BATCH_PERSONS:
        raise CommandError(f"a batch holds 1 to {MAX_BATCH_PERSONS} persons, not {len(persons)}")
    items = [
        _person_info(person, adding=False, batch=True, facility_key="WGfacilityCode")
        for person in persons
    ]
    seen: set[str] = set()
    for item in items:
        if item["customId"] in seen:
            raise CommandError(f"customId {item['customId']!r} appears twice in the batch")
        seen.add(item["customId"])
    return _batch(
        command_topic, terminal_id, op.EDIT_PERSONS_NEW, message_id, count=len(items), info=items
    )


def build_delete_persons(
    command_topic: str,
    terminal_id: str,
    custom_ids: Sequence[str],
    message_id: str | None = None,
) -> Command:
    """``DeletePersons`` (V1.24 §4.9): delete up to 200 persons by customId.

    Unknown IDs are reported as failures in the ack and do no harm. The terminal needs
    about 7 s for 200 persons; wait for the ack before the next list command.
    """
    raw: object = custom_ids
    if isinstance(raw, (str, bytes)) or not hasattr(raw, "__len__"):
        raise CommandError("custom_ids must be a sequence of customId strings")
    if not 1 <= len(custom_ids) <= MAX_BATCH_DELETE:
        raise CommandError(
            f"DeletePersons takes 1 to {MAX_BATCH_DELETE} customIds, not {len(custom_ids)}"
        )
    ids = [_check_custom_id(cid, "custom_ids item") for cid in custom_ids]
    if len(set(ids)) != len(ids):
        raise CommandError("custom_ids contains duplicates")
    info = {"facesluiceId": _check_text("terminal_id", terminal_id), "customId": ids}
    return _batch(
        command_topic, terminal_id, op.DELETE_PERSONS, message_id, count=len(ids), info=info
    )


def build_query_progress(
    command_topic: str, terminal_id: str, message_id: str | None = None
) -> Command:
    """``QueryProgress`` (V1.24 §4.8): is a batch enrolment still running?"""
    return _simple(command_topic, terminal_id, op.QUERY_PROGRESS, message_id)


def build_query_person(
    command_topic: str, terminal_id: str, message_id: str | None = None
) -> Command:
    """``QueryPerson`` (V1.24 §4.2.1): list the customIds of all enrolled persons."""
    return _simple(command_topic, terminal_id, op.QUERY_PERSON, message_id)


def build_search_person(
    command_topic: str,
    terminal_id: str,
    custom_id: str,
    with_picture: bool = False,
    message_id: str | None = None,
) -> Command:
    """``SearchPerson`` (V1.24 §4.2.2): one person's details, optionally with picture."""
    info = {"customId": _check_custom_id(custom_id), "Picture": 1 if with_picture else 0}
    return _simple(command_topic, terminal_id, op.SEARCH_PERSON, message_id, info)


def build_search_person_list(
    command_topic: str,
    terminal_id: str,
    *,
    name: str | None = None,
    person_type: int = 2,
    begin: datetime | None = None,
    end: datetime | None = None,
    offset: int = 0,
    count: int = 100,
    gender: int = 2,
    message_id: str | None = None,
) -> Command:
    """``SearchPersonList`` (V1.24 §4.2.3): one page of persons, without pictures.

    Search by (fuzzy) `name`, or by the time range `begin`..`end`, or both. With neither
    the range `SEARCH_ALL_BEGIN`..`SEARCH_ALL_END` is sent, which lists everybody.
    `person_type` 0 allow list, 1 block list, 2 both; `gender` 2 is both; `offset` is
    the index of the first person, `count` 1-2000 the page size.
    """
    info: dict[str, Any] = {"personType": _check_int("person_type", person_type, 0, 2)}
    if (begin is None) != (end is None):
        raise CommandError("give both begin and end, or neither")
    period: tuple[datetime, datetime] | None = None
    if begin is not None and end is not None:
        period = _check_range(begin, end)
    elif name is None:
        period = (SEARCH_ALL_BEGIN, SEARCH_ALL_END)
    if period is not None:
        info["BeginTime"] = format_command_time(period[0])
        info["EndTime"] = format_command_time(period[1])
    if name is not None:
        info["name"] = _check_text("name", name, _TEXT_LIMITS["name"])
    info["gender"] = _check_int("gender", gender, 0, 2)
    info["BeginNO"] = _check_int("offset", offset, 0, 2**31 - 1)
    info["RequestCount"] = _check_int("count", count, 1, MAX_SEARCH_COUNT)
    return _simple(command_topic, terminal_id, op.SEARCH_PERSON_LIST, message_id, info)


# --- sound, QR code, scene ---------------------------------------------------------------


def build_get_audio(command_topic: str, terminal_id: str, message_id: str | None = None) -> Command:
    """``GetAudio`` (V1.24 §13.1): list the built-in and custom sound files."""
    return _simple(command_topic, terminal_id, op.GET_AUDIO, message_id)


def build_voice_play(
    command_topic: str,
    terminal_id: str,
    file_name: str,
    custom: bool = False,
    message_id: str | None = None,
) -> Command:
    """``voiceplay`` (V1.24 §13.3): play a built-in (``UsrType`` 1) or custom (2) file.

    File names end in ``.wav``; custom files (uploaded on the terminal's web page) end in
    ``_C.wav``.
    """
    name = _check_text("file_name", file_name, 63).strip()
    if "/" in name or "\\" in name:
        raise CommandError("file_name must be a plain file name, not a path")
    if not name.lower().endswith(".wav"):
        raise CommandError("file_name must end in .wav")
    if custom and not name.lower().endswith("_c.wav"):
        raise CommandError("custom sound files end in _C.wav")
    info = {"UsrType": "2" if custom else "1", "voicetype": name}
    return _simple(command_topic, terminal_id, op.VOICE_PLAY, message_id, info)


_QR_IMAGE_TYPES: Final = {PNG: 2, JPEG: 3, BMP: 4}


def build_show_qr_code(
    command_topic: str,
    terminal_id: str,
    *,
    text: str | None = None,
    image: bytes | None = None,
    x: int = 10,
    y: int = 10,
    width: int = 200,
    height: int = 200,
    message_id: str | None = None,
) -> Command:
    """``ShowQRCode`` (V1.24 §14.1): show a QR code made from `text`, or a picture.

    Exactly one of `text` (the terminal draws the code, ``ImageType`` 1) and `image`
    (PNG, JPEG or BMP bytes shown as they are, ``ImageType`` 2/3/4). ``QRCodeData`` is at
    most 32 KiB including the terminator. Position and size are screen pixels from 10 up;
    keep them inside the screen. Terminals drop the code after a reconnect: send it again
    after each ``Online``.
    """
    if (text is None) == (image is None):
        raise CommandError("give exactly one of text and image")
    if text is not None:
        image_type = 1
        data = _check_text("text", text)
    else:
        if not isinstance(image, (bytes, bytearray)) or not image:
            raise CommandError("image must be non-empty bytes")
        content_type = sniff_image_type(bytes(image))
        if content_type is None:
            raise CommandError("image is not a PNG, JPEG or BMP file")
        image_type = _QR_IMAGE_TYPES[content_type]
        data = encode_image_base64(bytes(image), content_type)
    if utf8_len(data) > MAX_QRCODE_DATA_BYTES:
        raise CommandError(
            f"QRCodeData is {utf8_len(data)} bytes; the terminal accepts at most "
            f"{MAX_QRCODE_DATA_BYTES}"
        )
    info = {
        "ImageType": image_type,
        "AbsX": _check_int("x", x, 10, 10000),
        "AbsY": _check_int("y", y, 10, 10000),
        "ImageW": _check_int("width", width, 10, 10000),
        "ImageH": _check_int("height", height, 10, 10000),
        "QRCodeData": data,
    }
    return _simple(command_topic, terminal_id, op.SHOW_QRCODE, message_id, info)


def build_hide_qr_code(
    command_topic: str, terminal_id: str, message_id: str | None = None
) -> Command:
    """``ShowQRCode`` with ``ShowStatus`` 0 (V1.24 §14.1 e.g. 3): remove the QR code."""
    return _simple(command_topic, terminal_id, op.SHOW_QRCODE, message_id, {"ShowStatus": 0})


def build_get_scene_snap(
    command_topic: str,
    terminal_id: str,
    quality: int = 80,
    message_id: str | None = None,
) -> Command:
    """``GetSceneSnap`` (V1.24 §16): take a JPEG of the camera view (`quality` 55-100).

    Calling it often slows recognition down; the reply can approach 1 MB.
    """
    info = {"ImgType": 2, "ImgQuality": _check_int("quality", quality, 55, 100)}
    return _simple(command_topic, terminal_id, op.GET_SCENE_SNAP, message_id, info)


# --- device ------------------------------------------------------------------------------


def build_versions(command_topic: str, terminal_id: str, message_id: str | None = None) -> Command:
    """``Versions`` (V1.24 §7.3): firmware version name and build time."""
    return _simple(command_topic, terminal_id, op.VERSIONS, message_id)


def build_reboot(command_topic: str, terminal_id: str, message_id: str | None = None) -> Command:
    """``RebootDevice`` (V1.24 §9.7): restart the terminal."""
    return _simple(command_topic, terminal_id, op.REBOOT_DEVICE, message_id)


def build_get_sys_time(
    command_topic: str, terminal_id: str, message_id: str | None = None
) -> Command:
    """``GetSysTime`` (V1.24 §9.8): read the terminal's clock."""
    return _simple(command_topic, terminal_id, op.GET_SYS_TIME, message_id)


def build_set_sys_time(
    command_topic: str, terminal_id: str, when: datetime, message_id: str | None = None
) -> Command:
    """``SetSysTime`` (V1.24 §9.8): set the clock to the wall-clock time of `when`.

    The terminal has no time zone: pass the local time it should show.
    """
    moment = _check_datetime("when", when)
    info = {"SysTime": format_command_time(moment)}
    return _simple(command_topic, terminal_id, op.SET_SYS_TIME, message_id, info)


class ConfigSection(StrEnum):
    """The parameter groups of V1.24 §9, each with a get and a set operator."""

    SYSTEM = "system"  # §9.1 Getconfig / Upconfig
    SOUND = "sound"  # §9.2 GetSoundconfig / UpSoundconfig
    DOOR = "door"  # §9.3 GetDoorconfig / UpDoorconfig
    HTTP = "http"  # §9.4 GetHTTPconfig / UpHTTPconfig
    TEMPERATURE = "temperature"  # §9.5 GetTPTconfig / UpTPTconfig
    MQTT = "mqtt"  # §9.6 GetMQTTconfig / UpMQTTconfig
    FACE = "face"  # §9.10 GetFaceconfig / UpFaceconfig

    @property
    def get_operator(self) -> str:
        """Operator that reads this group."""
        return _CONFIG_OPERATORS[self][0]

    @property
    def set_operator(self) -> str:
        """Operator that writes this group."""
        return _CONFIG_OPERATORS[self][1]


_CONFIG_OPERATORS: Final[dict[ConfigSection, tuple[str, str]]] = {
    ConfigSection.SYSTEM: (op.GET_SYS_CONFIG, op.SET_SYS_CONFIG),
    ConfigSection.SOUND: (op.GET_SOUND_CONFIG, op.SET_SOUND_CONFIG),
    ConfigSection.DOOR: (op.GET_DOOR_CONFIG, op.SET_DOOR_CONFIG),
    ConfigSection.HTTP: (op.GET_HTTP_CONFIG, op.SET_HTTP_CONFIG),
    ConfigSection.TEMPERATURE: (op.GET_TEMPERATURE_CONFIG, op.SET_TEMPERATURE_CONFIG),
    ConfigSection.MQTT: (op.GET_MQTT_CONFIG, op.SET_MQTT_CONFIG),
    ConfigSection.FACE: (op.GET_FACE_CONFIG, op.SET_FACE_CONFIG),
}


def _check_section(section: object) -> ConfigSection:
    if isinstance(section, ConfigSection):
        return section
    try:
        return ConfigSection(str(section))
    except ValueError:
        allowed = ", ".join(member.value for member in ConfigSection)
        raise CommandError(f"section must be one of {allowed}, not {section!r}") from None


def build_get_config(
    command_topic: str,
    terminal_id: str,
    section: ConfigSection,
    message_id: str | None = None,
) -> Command:
    """Read one parameter group of V1.24 §9 (``Getconfig``, ``GetDoorconfig`` ...)."""
    operator = _check_section(section).get_operator
    return _simple(command_topic, terminal_id, operator, message_id)


def build_set_config(
    command_topic: str,
    terminal_id: str,
    section: ConfigSection,
    values: Mapping[str, object],
    message_id: str | None = None,
) -> Command:
    """Write parameters of one group of V1.24 §9 (``Upconfig``, ``UpDoorconfig`` ...).

    `values` maps the document's keys to text or numbers (booleans are sent as 1/0); only
    the given keys change. Some changes restart the terminal (language, MQTT). Read the
    group back afterwards: firmware labels are not always what they say (Q-39).
    """
    operator = _check_section(section).set_operator
    if not hasattr(values, "items") or not values:
        raise CommandError("values must be a non-empty mapping of parameter names to values")
    info: dict[str, Any] = {}
    for key, value in values.items():
        raw_key: object = key
        if not isinstance(raw_key, str) or not raw_key.strip():
            raise CommandError(f"parameter names must be non-empty text, not {key!r}")
        if key.strip().lower() in _RESERVED_CONFIG_KEYS:
            raise CommandError(f"{key!r} is not a parameter")
        if isinstance(value, bool):
            info[key] = 1 if value else 0
        elif isinstance(value, float) and not math.isfinite(value):
            raise CommandError(f"{key} must be a finite number")
        elif isinstance(value, (str, int, float)):
            info[key] = value
        else:
            raise CommandError(f"{key} must be text or a number, not {type(value).__name__}")
    return _simple(command_topic, terminal_id, operator, message_id, info)


def build_manual_push_records(
    command_topic: str,
    terminal_id: str,
    begin: datetime,
    end: datetime,
    message_id: str | None = None,
) -> Command:
    """``ManualPushRecords`` (V1.24 §20): re-send the recognition records of a period.

    The records arrive on ``.../Rec`` with ``PushType`` 2 and need no `PushAck`; records
    the platform already has come again, so de-duplicate by ``RecordID``.
    """
    first, last = _check_range(begin, end)
    info = {"TimeS": format_command_time(first), "TimeE": format_command_time(last)}
    return _simple(command_topic, terminal_id, op.MANUAL_PUSH_RECORDS, message_id, info)


def build_manual_push_snaps(
    command_topic: str,
    terminal_id: str,
    begin: datetime,
    end: datetime,
    message_id: str | None = None,
) -> Command:
    """``ManualPushSnaps`` (V1.24 §22): re-send the stranger snapshots of a period."""
    first, last = _check_range(begin, end)
    info = {"TimeS": format_command_time(first), "TimeE": format_command_time(last)}
    return _simple(command_topic, terminal_id, op.MANUAL_PUSH_SNAPS, message_id, info)
