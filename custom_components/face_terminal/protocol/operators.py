"""Operator names of the V1.24 protocol, in the spelling of the document."""

from __future__ import annotations

from typing import Final

ACK_SUFFIX: Final = "-Ack"

# Sent by the terminal on its own initiative.
ONLINE: Final = "Online"
OFFLINE: Final = "Offline"
HEARTBEAT: Final = "HeartBeat"
REC_PUSH: Final = "RecPush"
STR_SNAP_PUSH: Final = "StrSnapPush"
QRCODE_PUSH: Final = "QRCodePush"
IDCARD_PUSH: Final = "IDCardPush"
CARD_PUSH: Final = "CardPush"
ALARM_INFO_PUSH: Final = "AlarmInfoPush"

# Commands (the terminal answers each with "<operator>-Ack").
EDIT_PERSON: Final = "EditPerson"
QUERY_PERSON: Final = "QueryPerson"
SEARCH_PERSON: Final = "SearchPerson"
SEARCH_PERSON_LIST: Final = "SearchPersonList"
DEL_PERSON: Final = "DelPerson"
DELETE_ALL_PERSON: Final = "DeleteAllPerson"
ADD_PERSONS: Final = "AddPersons"
EDIT_PERSONS: Final = "EditPersons"
EDIT_PERSONS_NEW: Final = "EditPersonsNew"
DELETE_PERSONS: Final = "DeletePersons"
QUERY_PROGRESS: Final = "QueryProgress"
UPGRADE: Final = "Upgrade"
VERSIONS: Final = "Versions"
UNLOCK: Final = "Unlock"
GET_SYS_CONFIG: Final = "Getconfig"
SET_SYS_CONFIG: Final = "Upconfig"
GET_SOUND_CONFIG: Final = "GetSoundconfig"
SET_SOUND_CONFIG: Final = "UpSoundconfig"
GET_DOOR_CONFIG: Final = "GetDoorconfig"
SET_DOOR_CONFIG: Final = "UpDoorconfig"
GET_HTTP_CONFIG: Final = "GetHTTPconfig"
SET_HTTP_CONFIG: Final = "UpHTTPconfig"
GET_TEMPERATURE_CONFIG: Final = "GetTPTconfig"
SET_TEMPERATURE_CONFIG: Final = "UpTPTconfig"
GET_MQTT_CONFIG: Final = "GetMQTTconfig"
SET_MQTT_CONFIG: Final = "UpMQTTconfig"
GET_FACE_CONFIG: Final = "GetFaceconfig"
SET_FACE_CONFIG: Final = "UpFaceconfig"
REBOOT_DEVICE: Final = "RebootDevice"
GET_SYS_TIME: Final = "GetSysTime"
SET_SYS_TIME: Final = "SetSysTime"
SET_FACTORY_DEFAULT: Final = "SetFactoryDefault"
PUSH_ACK: Final = "PushAck"
EDIT_AD: Final = "EditAD"
DEL_AD: Final = "DelAD"
GET_AUDIO: Final = "GetAudio"
VOICE_PLAY: Final = "voiceplay"
SHOW_QRCODE: Final = "ShowQRCode"
GET_SCENE_SNAP: Final = "GetSceneSnap"
GET_PICTURE_SIMILARITY: Final = "GetPictureSimilarity"
GET_PICTURE_SEARCH: Final = "GetPictureSearch"
DETECT_FACE_FROM_PIC: Final = "DetectFaceFromPic"
MANUAL_PUSH_RECORDS: Final = "ManualPushRecords"
MANUAL_PUSH_SNAPS: Final = "ManualPushSnaps"

COMMAND_OPERATORS: Final = frozenset(
    {
        EDIT_PERSON,
        QUERY_PERSON,
        SEARCH_PERSON,
        SEARCH_PERSON_LIST,
        DEL_PERSON,
        DELETE_ALL_PERSON,
        ADD_PERSONS,
        EDIT_PERSONS,
        EDIT_PERSONS_NEW,
        DELETE_PERSONS,
        QUERY_PROGRESS,
        UPGRADE,
        VERSIONS,
        UNLOCK,
        GET_SYS_CONFIG,
        SET_SYS_CONFIG,
        GET_SOUND_CONFIG,
        SET_SOUND_CONFIG,
        GET_DOOR_CONFIG,
        SET_DOOR_CONFIG,
        GET_HTTP_CONFIG,
        SET_HTTP_CONFIG,
        GET_TEMPERATURE_CONFIG,
        SET_TEMPERATURE_CONFIG,
        GET_MQTT_CONFIG,
        SET_MQTT_CONFIG,
        GET_FACE_CONFIG,
        SET_FACE_CONFIG,
        REBOOT_DEVICE,
        GET_SYS_TIME,
        SET_SYS_TIME,
        SET_FACTORY_DEFAULT,
        ONLINE,  # the platform answers Online with Online-Ack
        PUSH_ACK,
        EDIT_AD,
        DEL_AD,
        GET_AUDIO,
        VOICE_PLAY,
        SHOW_QRCODE,
        GET_SCENE_SNAP,
        GET_PICTURE_SIMILARITY,
        GET_PICTURE_SEARCH,
        DETECT_FACE_FROM_PIC,
        MANUAL_PUSH_RECORDS,
        MANUAL_PUSH_SNAPS,
    }
)
"""Every operator that is answered with an ``-Ack`` (``Online`` is answered by us)."""

EVENT_OPERATORS: Final = frozenset(
    {
        ONLINE,
        OFFLINE,
        HEARTBEAT,
        REC_PUSH,
        STR_SNAP_PUSH,
        QRCODE_PUSH,
        IDCARD_PUSH,
        CARD_PUSH,
        ALARM_INFO_PUSH,
    }
)
"""Operators a terminal sends on its own."""

_CANONICAL: Final = {
    **{name.lower(): name for name in COMMAND_OPERATORS | EVENT_OPERATORS},
    "snappush": STR_SNAP_PUSH,  # accepted by platforms as an alias
    "verifypush": REC_PUSH,  # the HTTP variant's name, reused by some firmware
}


def canonical_operator(operator: str) -> str:
    """Return the document spelling of a known operator (any case, with or without -Ack).

    The aliases ``SnapPush`` and ``VerifyPush`` become ``StrSnapPush`` and ``RecPush``.

    Unknown operators come back stripped but otherwise unchanged, except that an ``-ack``
    suffix in any case is written ``-Ack``.
    """
    name = operator.strip()
    is_ack = name.lower().endswith("-ack")
    base = name[:-4] if is_ack else name
    base = _CANONICAL.get(base.lower(), base)
    return f"{base}{ACK_SUFFIX}" if is_ack else base


def ack_operator(operator: str) -> str:
    """Return the operator of the reply to a command: ``"Unlock"`` -> ``"Unlock-Ack"``."""
    name = canonical_operator(operator)
    if name.endswith(ACK_SUFFIX):
        return name
    return f"{name}{ACK_SUFFIX}"
