"""Typed messages of the face-terminal MQTT protocol (V1.24 and real firmware).

Every class here is what `parse_message` returns. Fields that a terminal may omit, or send
as an empty / placeholder value ("", " ", "0" where the notes say so), are ``None``.

Privacy: these objects never keep base64 text. Decoded pictures are bytes inside
`ImageResult`; full ID-card and phone numbers are not kept at all (only the last four
ID digits of an ID-card swipe, which the scan event may show).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime


class ImageProblem(StrEnum):
    """Why a picture field did not yield an image."""

    NOT_BASE64 = "not_base64"
    NOT_AN_IMAGE = "not_an_image"
    TOO_LARGE = "too_large"
    EMPTY = "empty"
    URL = "url"  # the field held a URL instead of image data (a platform re-push)


@dataclass(frozen=True, slots=True)
class Image:
    """A decoded picture; `content_type` comes from the magic bytes, not from the label."""

    data: bytes = field(repr=False)
    content_type: str  # "image/jpeg", "image/png" or "image/bmp"

    def __repr__(self) -> str:
        """Never print picture bytes."""
        return f"Image({self.content_type}, {len(self.data)} bytes)"


@dataclass(frozen=True, slots=True)
class ImageResult:
    """Outcome of decoding one picture field: an image, or the reason there is none."""

    image: Image | None = None
    problem: ImageProblem | None = None


NO_IMAGE = ImageResult()


class VerifyStatus(IntEnum):
    """`VerifyStatus` of a recognition record (V1.24 §5).

    `UNKNOWN` is not a terminal value: the parser gives it for a status that was sent but
    is none of the documented ones (``"99"``, an object, ...). It never means "allowed".
    """

    UNKNOWN = -1
    NONE = 0
    ALLOWED = 1
    REFUSED = 2
    NOT_REGISTERED = 3
    AWAITING_REMOTE = 22
    NO_PERMISSION = 24


class PersonType(IntEnum):
    """List a person belongs to."""

    UNKNOWN = -1  # sent, but neither 0 nor 1 (not a terminal value)
    ALLOW = 0  # white list
    BLOCK = 1  # black list


@dataclass(frozen=True, slots=True)
class FaceBox:
    """Face rectangle in the scene: both the camera array and the terminal's edges map here."""

    left: int
    top: int
    right: int
    bottom: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """Fields every message has.

    `terminal_id` is the device key the integration uses: the ID segment of the topic when
    the topic has one (``<prefix>/<ID>/Rec``), else ``info.facesluiceId``, else a top-level
    ``facesluiceId`` (or its documented misspellings). `facesluice_id` is the payload's own
    value, kept separately because it may differ from the topic ID (Q-02).
    """

    operator: str
    topic: str
    terminal_id: str | None
    facesluice_id: str | None
    message_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Online(Message):
    """`Online` on the basic topic: the terminal connected."""

    ip: str | None
    name: str | None  # `facesname`, what the installer typed
    username: str | None
    time: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Offline(Message):
    """`Offline` (usually the MQTT will, published by the broker; no `time` then)."""

    time: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HeartBeat(Message):
    """`HeartBeat` on the heartbeat topic."""

    time: datetime | None
    ip: str | None


# `PushType` 2: re-sent on request (ManualPushRecords / ManualPushSnaps); 1 is reserved,
# and platforms treat any non-zero value as "not live".
LIVE_PUSH_TYPE = 0
# Base `otype` values (the low byte; 0x100/0x200 flag mask/temperature checks, V1.24 §5).
OTYPE_ID_CARD = 2  # ID card against its own photo
OTYPE_WHITELIST_AND_ID_CARD = 3


def is_replay(push_type: int | None, send_in_time: bool | None) -> bool:
    """Whether a record was re-sent rather than pushed live (Q-20).

    Real firmware marks re-sent records in two ways: ``PushType`` other than 0 (2 is a
    manual re-push, 1 is reserved) and ``Sendintime`` 0 (not sent within 10 s of the
    passage, e.g. after an outage under resume-from-breakpoint).
    """
    return (push_type is not None and push_type != LIVE_PUSH_TYPE) or send_in_time is False


@dataclass(frozen=True, slots=True, kw_only=True)
class RecPush(Message):
    """A recognition (access) record (V1.24 §5, real-world Q-13..Q-22).

    The parser only returns records that name a person (`custom_id`, `person_id` or
    `person_name`). `verify_status` is None when absent, `VerifyStatus.UNKNOWN` when sent
    but not a documented value; `person_type` likewise. `similarity` is the score that
    decided the record: ``similarity2`` (ID-card photo) for ID-card verifications,
    the lower of both for whitelist + ID card, else ``similarity1``.
    """

    record_id: str | None
    custom_id: str | None
    person_id: str | None
    person_name: str | None
    verify_status: int | None
    person_type: int | None
    similarity: float | None  # the deciding score, 0..100
    id_similarity: float | None  # similarity2
    time: datetime | None
    terminal_name: str | None  # facesluiceName
    direction: str | None  # "entr" | "exit" as sent; None for "unknow"/"unknown"/absent
    otype: int | None
    temperature: float | None
    temperature_alarm: bool | None
    push_type: int | None  # 2 = manual re-push
    send_in_time: bool | None  # Sendintime
    mask: bool | None  # isNoMask inverted: True when a mask was worn
    card_number: str | None  # cardNum2 (Wiegand), None for "0"
    rfid_card: str | None  # RFIDCard, None for "0"
    face_box: FaceBox | None
    face: ImageResult  # pic
    scene: ImageResult
    face_similarity: float | None = None  # similarity1

    @property
    def replay(self) -> bool:
        """Whether the record was re-sent (manual re-push or after an outage)."""
        return is_replay(self.push_type, self.send_in_time)


@dataclass(frozen=True, slots=True, kw_only=True)
class StrSnapPush(Message):
    """A stranger snapshot (V1.24 §6, Q-23)."""

    snap_id: str | None
    time: datetime | None
    terminal_name: str | None
    direction: str | None
    temperature: float | None
    temperature_alarm: bool | None
    push_type: int | None
    mask: bool | None
    face_box: FaceBox | None
    face: ImageResult
    scene: ImageResult
    send_in_time: bool | None = None  # Sendintime

    @property
    def replay(self) -> bool:
        """Whether the snapshot was re-sent (manual re-push or after an outage)."""
        return is_replay(self.push_type, self.send_in_time)


@dataclass(frozen=True, slots=True, kw_only=True)
class QRCodePush(Message):
    """A QR code read by the terminal's scanner (V1.24 §14.3)."""

    code: str | None  # QRCodeInfo (or QRcodeInfo)
    time: datetime | None
    terminal_name: str | None
    push_type: int | None = None
    send_in_time: bool | None = None  # Sendintime

    @property
    def replay(self) -> bool:
        """Whether the scan was re-sent (manual re-push or after an outage)."""
        return is_replay(self.push_type, self.send_in_time)


@dataclass(frozen=True, slots=True, kw_only=True)
class CardPush(Message):
    """An IC/RF card number (V1.24 §23)."""

    card_number: str | None
    card_mode: int | None
    time: datetime | None
    terminal_name: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class IDCardPush(Message):
    """An ID card read (V1.24 §21). The full number is never kept, only its last 4 digits."""

    name: str | None
    gender: str | None
    id_last4: str | None
    time: datetime | None
    terminal_name: str | None
    photo: ImageResult


@dataclass(frozen=True, slots=True, kw_only=True)
class Ack(Message):
    """Any ``*-Ack`` reply. `info` is the reply's info object with picture fields removed.

    `ok` decides success as real firmware means it: `code` "200"/200 when present, else
    ``result == "ok"`` (case-insensitive); a reply with neither (the V1.24 example of
    `SearchPersonList-Ack`) reports no failure and counts as ok. Batch acks may say ok
    while persons failed: look at `BatchAck.failed`.
    """

    code: int | None
    result: str | None
    detail: str | None
    info: dict[str, Any] = field(repr=False)

    @property
    def ok(self) -> bool:
        """Whether the terminal accepted the command."""
        if self.code is not None:
            return self.code == 200
        if self.result is None:
            return True
        return self.result.strip().lower() == "ok"


@dataclass(frozen=True, slots=True, kw_only=True)
class EditPersonAck(Ack):
    """`EditPerson-Ack`."""

    custom_id: str | None
    person_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DelPersonAck(Ack):
    """`DelPerson-Ack`."""

    custom_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class UnlockAck(Ack):
    """`Unlock-Ack`."""

    open_door: bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SceneSnapAck(Ack):
    """`GetSceneSnap-Ack`: the scene picture in `ImgData`."""

    image: ImageResult


@dataclass(frozen=True, slots=True, kw_only=True)
class AudioAck(Ack):
    """`GetAudio-Ack`: built-in and custom voice file names."""

    builtin: tuple[str, ...]
    custom: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person as the terminal lists it; never with picture, ID or phone number."""

    custom_id: str | None
    person_id: str | None
    name: str | None
    person_type: int | None
    gender: int | None
    valid_from: datetime | None
    valid_until: datetime | None
    created: datetime | None
    temp_card_type: int | None = None  # 0 permanent, 1 period, 2 daily hours, 3 passages
    effect_number: int | None = None  # passages left (tempCardType 3)


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchPersonAck(Ack):
    """`SearchPerson-Ack` (one person, or None when not found)."""

    person: PersonRecord | None
    has_picture: bool
    picture: ImageResult = NO_IMAGE  # the enrolled picture, when asked for and decodable


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchPersonListAck(Ack):
    """`SearchPersonList-Ack`: one page of persons."""

    total: int | None
    persons: tuple[PersonRecord, ...]
    count: int | None = None  # PersonNum: how many this page holds, as the terminal says


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionsAck(Ack):
    """`Versions-Ack`: firmware version name and build time."""

    version: str | None
    build_time: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PushAckAck(Ack):
    """`PushAck-Ack`: the terminal confirms our record acknowledgement."""

    push_ack_type: int | None
    record_id: str | None  # SnapOrRecordID


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryPersonAck(Ack):
    """`QueryPerson-Ack`: the customIds of every enrolled person (V1.24 §4.2.1).

    Each ID once, in the terminal's order; persons without a customId (enrolled on the
    terminal's own screen) are not listed but counted in `total` (``TotalPersonNum``).
    """

    custom_ids: tuple[str, ...]
    total: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryProgressAck(Ack):
    """`QueryProgress-Ack`: progress of a batch enrolment."""

    total: int | None
    done: int | None
    finished: bool | None
    status: int | None = None  # V1.24 Status: 0 idle, 1 AddPersons, 2 EditPersons, 3 ...New
    query_type: str | None = None  # QueryType: the running batch, or "None"


@dataclass(frozen=True, slots=True)
class BatchFailure:
    """One person a batch command could not handle."""

    custom_id: str | None
    error_code: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchAck(Ack):
    """`AddPersons-Ack`, `EditPersons-Ack`, `EditPersonsNew-Ack`, `DeletePersons-Ack`.

    The overall `code`/`result` only say the command was parsed (Q-24); success is per
    person.
    """

    succeeded: tuple[str, ...]
    failed: tuple[BatchFailure, ...]
    success_count: int | None = None  # AddSucNum / DelSucNum ... as the terminal counts
    failure_count: int | None = None  # AddErrNum / DelErrNum ...


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownMessage(Message):
    """A message with an operator this package does not model. Kept, not an error."""

    info_keys: tuple[str, ...]
