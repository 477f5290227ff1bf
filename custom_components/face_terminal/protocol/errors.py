"""Exceptions of the protocol package and the terminal's error codes (V1.24 appendix).

`ProtocolError` is the only exception `parse_message` raises; `CommandError` is what the
command builders raise for invalid arguments. The error-code tables translate the
``code`` of an ``*-Ack`` (and the per-person ``errcode`` of batch acks) into short English.
The same number means different things for different commands (Q-25), so every lookup
takes the operator.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from .models import Ack, BatchAck

if TYPE_CHECKING:
    from collections.abc import Mapping


class ProtocolError(Exception):
    """A message is not a protocol message at all (not JSON, not an object, no operator).

    Also raised for messages that claim to be a protocol message but cannot be trusted:
    a payload ``facesluiceId`` that is not a terminal ID, or a record without a person
    (`RecordWithoutPersonError`).
    """


class RecordWithoutPersonError(ProtocolError):
    """A recognition record (``RecPush``) names no person: not a recognition.

    A door product fails closed: such a record is dropped, never reported as a passage.
    `record_id` is the record's ``RecordID`` (if valid), for a caller that wants to
    acknowledge it anyway so the terminal stops re-sending it.
    """

    def __init__(self, message: str, record_id: str | None) -> None:
        """Keep the record ID next to the reason."""
        super().__init__(message)
        self.record_id = record_id


class MessageTooLargeError(ProtocolError):
    """A message larger than any the terminal sends: refused before it is decoded."""


class CommandError(ValueError):
    """Invalid arguments for a command builder; the message says what is wrong."""


_RESERVED: Final = "reserved code"

# Codes that mean the same for (nearly) every command.
_GENERIC: Final[dict[int, str]] = {
    200: "success",
    410: "the terminal is busy with a previous batch command",
    412: "the DataBegin flag is missing",
    413: "the DataEnd flag is missing",
    414: "the info object is missing or invalid",
    415: "PersonNum is missing",
    416: "PersonNum is out of range",
    417: "the number of persons sent differs from PersonNum",
    418: "the person data is missing",
    460: "the message is larger than the terminal accepts (1 MB)",
    462: "the info object is missing or invalid",
}

_WRONG_DEVICE: Final = "the facesluiceId does not match this terminal"

# Command codes per operator (the ``code`` of the ack), from the V1.24 appendix.
_COMMAND_CODES: Final[dict[str, dict[int, str]]] = {
    "EditPerson": {
        460: "the message is larger than 1 MB",
        461: "customId is missing",
        462: "the info object is missing or invalid",
        463: "the picture's base64 data could not be decoded",
        464: "no face features could be extracted from the picture; use another picture",
        465: "the terminal's database operation failed",
        466: _RESERVED,
        467: "the person list is full",
        468: "the picture downloaded from picURI is smaller than 1000 bytes",
        469: "the picture downloaded from picURI is larger than 1 MB (at most 1080p)",
        470: "the terminal could not resolve the picture server's address",
        471: "downloading the picture timed out or failed (check the terminal's DNS)",
        472: "neither pic nor picURI was given",
        473: "the RFID card number already belongs to another person",
        474: "WGFacilityCode is missing",
        475: "cardNum2 is missing",
        476: "the Wiegand card number (cardNum2) already belongs to another person",
    },
    "SearchPerson": {
        461: _RESERVED,
        463: "customId is missing",
        464: "no person with this customId",
    },
    "SearchPersonList": {
        461: _RESERVED,
        465: _WRONG_DEVICE,
        466: "no matching person",
    },
    "DelPerson": {
        461: "customId is missing",
        464: "no person with this customId",
    },
    "DeleteAllPerson": {
        463: "deleteall is missing",
    },
    "AddPersons": {
        410: "a previous AddPersons batch has not finished yet",
        411: _RESERVED,
        416: "more than 1000 persons in one batch",
    },
    "EditPersons": {
        410: "a previous EditPersons batch has not finished yet",
        411: _RESERVED,
        416: "more than 1000 persons in one batch",
    },
    "EditPersonsNew": {
        410: "a previous EditPersonsNew batch has not finished yet",
        411: _RESERVED,
        416: "more than 1000 persons in one batch",
    },
    "DeletePersons": {
        410: _RESERVED,
        411: _RESERVED,
        416: "more than 200 persons in one batch",
        418: "customId is missing",
    },
    "Getconfig": {461: "setting the parameters failed"},
    "Upconfig": {461: "setting the parameters failed"},
    "UpDoorconfig": {463: "invalid VerifyMode"},
    "UpHTTPconfig": {463: "invalid ServerAddr", 464: "invalid ServerPort"},
    "UpMQTTconfig": {
        463: "resuming after a network break needs stranger or record upload switched on",
    },
    "SetSysTime": {463: "SysTime is missing"},
    "UpFaceconfig": {463: _WRONG_DEVICE},
    "EditAD": {
        461: "the info object is missing or invalid",
        462: "adslot is missing",
        463: "adslot is larger than the number of advertisement slots",
        465: "downloading the advertisement picture failed",
        467: _WRONG_DEVICE,
    },
    "DelAD": {
        461: "the info object is missing or invalid",
        462: "adslot is missing",
        463: "adslot is out of range",
    },
    "GetAudio": {463: "the terminal has no sound files"},
    "voiceplay": {
        463: "voicetype is missing",
        464: "the sound file does not exist on the terminal",
        465: _RESERVED,
    },
    "ShowQRCode": {
        463: "QRCodeData is missing",
        464: _WRONG_DEVICE,
    },
    "GetSceneSnap": {
        463: "capturing the scene picture failed",
        464: "this firmware does not support GetSceneSnap",
        465: _WRONG_DEVICE,
    },
    "GetPictureSimilarity": {
        463: _WRONG_DEVICE,
        464: "picinfo1 is missing",
        465: "picinfo2 is missing",
        466: "picinfo1 is not valid base64",
        467: "no face features could be extracted from picinfo1",
        468: "picinfo2 is not valid base64",
        469: "no face features could be extracted from picinfo2",
    },
    "GetPictureSearch": {
        461: _WRONG_DEVICE,
        463: "MaxSimilarity is missing",
        464: "MaxNum is missing",
        465: "picinfo is missing",
        466: "no matching person",
        467: "no face features could be extracted from picinfo",
        468: "picinfo is not valid base64",
    },
    "DetectFaceFromPic": {
        463: _WRONG_DEVICE,
        464: "picinfo is missing",
        465: "picinfo is not valid base64",
    },
    "ManualPushRecords": {
        463: _WRONG_DEVICE,
        464: "TimeS is missing",
        465: "TimeE is missing",
        466: "no records in this time range; check TimeS and TimeE",
        467: "record upload must be switched on first (RecordUploadType)",
    },
    "ManualPushSnaps": {
        463: _WRONG_DEVICE,
        464: "TimeS is missing",
        465: "TimeE is missing",
        466: "no stranger snapshots in this time range; check TimeS and TimeE",
        467: "stranger upload must be switched on first (StrangerUploadType)",
    },
}

_PICTURE_HOST: Final = "the terminal could not resolve the picture server's address"
_PICTURE_DOWNLOAD: Final = "downloading the picture timed out or failed (check the terminal's DNS)"
_PICTURE_CONTENT: Final = "the terminal could not get the picture data from picURI"
_NO_FACE: Final = "no face features could be extracted from the picture; use another picture"

# Per-person ``errcode`` values of batch acks (``AddErrInfo`` ...), from the appendix.
_PERSON_CODES: Final[dict[str, dict[int, str]]] = {
    "AddPersons": {
        461: "the customId already exists",
        462: "the RFID card number already exists",
        463: "picURI is missing",
        464: _PICTURE_HOST,
        465: _PICTURE_DOWNLOAD,
        466: _PICTURE_CONTENT,
        467: "the picture is larger than 1080p",
        468: _NO_FACE,
        469: "the terminal's database failed to store the picture",
        470: "the terminal's database failed to store the person",
        475: "the Wiegand card number already exists",
        476: "WGFacilityCode is missing",
        477: "cardNum2 is missing",
        478: "the face is too similar to an enrolled person (already enrolled)",
    },
    "EditPersons": {
        461: "customId is missing",
        462: "no person with this customId",
        464: _PICTURE_HOST,
        465: _PICTURE_DOWNLOAD,
        466: _PICTURE_CONTENT,
        467: "the picture is too large",
        468: _NO_FACE,
        469: "the terminal's database failed to store the picture",
        476: "WGFacilityCode is missing",
        477: "cardNum2 is missing",
        479: "changing the person failed",
    },
    "EditPersonsNew": {
        461: "customId is missing",
        464: _PICTURE_HOST,
        465: _PICTURE_DOWNLOAD,
        466: _PICTURE_CONTENT,
        467: "the picture is too large",
        468: _NO_FACE,
        469: "the terminal's database failed to store the picture",
        475: "the Wiegand card number already exists",
        476: "WGFacilityCode is missing",
        477: "cardNum2 is missing",
        478: "the face is too similar to an enrolled person (already enrolled)",
        479: "changing the person failed",
        480: "the RF card number already exists",
        481: "picURI is missing",
        482: "the terminal could not read the stored picture of the existing person",
    },
    "DeletePersons": {},
}

ERROR_CODES: Final[Mapping[str, Mapping[int, str]]] = MappingProxyType(
    {op: MappingProxyType(table) for op, table in _COMMAND_CODES.items()}
)
"""Command error codes per operator (without ``-Ack``), as printed in the V1.24 appendix."""

PERSON_ERROR_CODES: Final[Mapping[str, Mapping[int, str]]] = MappingProxyType(
    {op: MappingProxyType(table) for op, table in _PERSON_CODES.items()}
)
"""Per-person ``errcode`` meanings of the batch commands."""

GENERIC_ERROR_CODES: Final[Mapping[int, str]] = MappingProxyType(_GENERIC)
"""Codes that mean the same for every command."""

_COMMAND_BY_KEY = {op.lower(): table for op, table in _COMMAND_CODES.items()}
_PERSON_BY_KEY = {op.lower(): table for op, table in _PERSON_CODES.items()}
_MAX_DETAIL = 160


def _operator_key(operator: str) -> str:
    key = operator.strip().lower()
    return key.removesuffix("-ack")


def error_meaning(operator: str, code: int | None) -> str | None:
    """Return the English meaning of an ack's `code` for `operator`, or None if unknown.

    `operator` may be given with or without ``-Ack`` and in any case.
    """
    if code is None:
        return None
    table = _COMMAND_BY_KEY.get(_operator_key(operator), {})
    return table.get(code) or _GENERIC.get(code)


def person_error_meaning(operator: str, errcode: int | None) -> str | None:
    """Return the meaning of a per-person ``errcode`` of a batch ack, or None if unknown."""
    if errcode is None:
        return None
    return _PERSON_BY_KEY.get(_operator_key(operator), {}).get(errcode)


def _clean_detail(detail: str | None) -> str | None:
    """Shorten a firmware detail text; drop it when it looks like picture data."""
    if not detail:
        return None
    text = " ".join(detail.split())
    if text[:5].lower() == "data:" or (len(text) > 64 and " " not in text):
        return None
    if len(text) > _MAX_DETAIL:
        text = text[: _MAX_DETAIL - 1] + "…"
    return text


def _operator_name(operator: str) -> str:
    name = operator.strip()
    if name.lower().endswith("-ack"):
        name = name[:-4]
    shown = _clean_detail(name)
    if shown is None or len(shown) > 64:
        return "command"
    return shown


def describe_ack_error(ack: Ack) -> str:
    """Return one readable sentence about the outcome of an ack, for logs and errors.

    Example: ``EditPerson failed with code 467: the person list is full (detail: Person num
    is full).`` Batch acks also list the persons that failed. Pictures are never included.
    """
    name = _operator_name(ack.operator)
    detail = _clean_detail(ack.detail)
    detail_text = f" (detail: {detail})" if detail else ""
    if ack.ok:
        sentence = f"{name} succeeded"
    elif ack.code is not None:
        meaning = error_meaning(name, ack.code)
        if meaning is None:
            meaning = "unknown error code"
        sentence = f"{name} failed with code {ack.code}: {meaning}{detail_text}"
        detail_text = ""
    else:  # not ok without a code: `result` is there and is not "ok"
        shown = _clean_detail(ack.result) or ""
        sentence = f"{name} failed with result {shown!r}{detail_text}"
        detail_text = ""
    if isinstance(ack, BatchAck) and ack.failed:
        parts = []
        for failure in ack.failed[:5]:
            who = failure.custom_id or "unknown customId"
            if failure.error_code is None:
                parts.append(who)
                continue
            meaning = person_error_meaning(name, failure.error_code) or "unknown error code"
            parts.append(f"{who} ({failure.error_code}: {meaning})")
        more = len(ack.failed) - len(parts)
        if more:
            parts.append(f"and {more} more")
        count = len(ack.failed)
        plural = "person" if count == 1 else "persons"
        sentence += f"; {count} {plural} failed: " + ", ".join(parts)
    return f"{sentence}{detail_text}."
