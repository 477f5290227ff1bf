"""Terminal messages as real firmware sends them (notes/realworld-protocol.md).

Written by hand, not with the protocol package's builders, so that a field the package
misreads cannot hide on both sides. Defaults follow the all-in-one terminal's habits:
`persionName`, numbers as strings, `facesluiceId` nested in `info`, no `messageId`.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

from PIL import Image

TERMINAL_ID = "1305433"
COMMAND_TOPIC = f"mqtt/face/{TERMINAL_ID}"
BASIC_TOPIC = "mqtt/face/basic"
HEARTBEAT_TOPIC = "mqtt/face/heartbeat"
REC_TOPIC = f"{COMMAND_TOPIC}/Rec"
SNAP_TOPIC = f"{COMMAND_TOPIC}/Snap"
ACK_TOPIC = f"{COMMAND_TOPIC}/Ack"
QR_TOPIC = f"{COMMAND_TOPIC}/QRCode"
CARD_TOPIC = f"{COMMAND_TOPIC}/card"
IDCARD_TOPIC = f"{COMMAND_TOPIC}/IDcard"


def jpeg(width: int = 64, height: int = 80, color: tuple[int, int, int] = (200, 150, 120)) -> bytes:
    """A real JPEG picture."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="JPEG")
    return buffer.getvalue()


def face_photo(number: int = 1) -> bytes:
    """A JPEG a terminal would take as a face photo: big enough, over 1000 bytes.

    Each `number` gives a different picture (a gradient, `160 + number` pixels wide).
    """
    buffer = io.BytesIO()
    picture = Image.radial_gradient("L").resize((160 + number, 200)).convert("RGB")
    picture.save(buffer, format="JPEG")
    return buffer.getvalue()


def data_uri(data: bytes, label: str = "jpeg") -> str:
    """Base64 picture as terminals send it (the label may lie, Q-17)."""
    return f"data:image/{label};base64,{base64.b64encode(data).decode()}"


def dump(message: dict[str, Any], *, pretty: bool = False) -> bytes:
    """JSON bytes; `pretty` gives the indented CRLF form some firmware sends (Q-33)."""
    if pretty:
        return json.dumps(message, indent=4, ensure_ascii=False).replace("\n", "\r\n").encode()
    return json.dumps(message, ensure_ascii=False).encode()


def online(
    terminal_id: str = TERMINAL_ID,
    *,
    ip: str = "192.168.1.50",
    name: str = "Front door",
    time: str = "2026-11-22 10:00:00",
) -> bytes:
    """`Online` on mqtt/face/basic."""
    return dump(
        {
            "operator": "Online",
            "info": {
                "facesluiceId": terminal_id,
                "username": "admin",
                "time": time,
                "ip": ip,
                "facesname": name,
            },
        }
    )


def offline(terminal_id: str = TERMINAL_ID) -> bytes:
    """The `Offline` will (no time)."""
    return dump({"operator": "Offline", "info": {"facesluiceId": terminal_id}})


def heartbeat(terminal_id: str = TERMINAL_ID, *, time: str = "2026-11-22 10:00:30") -> bytes:
    """`HeartBeat` on mqtt/face/heartbeat."""
    return dump({"operator": "HeartBeat", "info": {"facesluiceId": terminal_id, "time": time}})


def rec_push(
    *,
    record_id: str | None = "381",
    name: str = "Alice",
    custom_id: str = "alice-01",
    person_id: str = "41",
    verify_status: str = "1",
    person_type: str = "0",
    similarity: str = "83.000000",
    temperature: str | None = "36.53",
    time: str = "2026-11-22 10:01:00",
    pic: bytes | None = None,
    terminal_id: str = TERMINAL_ID,
    extra: dict[str, Any] | None = None,
    pretty: bool = False,
) -> bytes:
    """A terminal `RecPush` (persionName, string numbers, string face-box edges)."""
    info: dict[str, Any] = {
        "customId": custom_id,
        "personId": person_id,
        "direction": "entr",
        "otype": "1",
        "persionName": name,
        "facesluiceId": terminal_id,
        "facesluiceName": "Face1",
        "VerifyStatus": verify_status,
        "PersonType": person_type,
        "similarity1": similarity,
        "similarity2": "0.000000",
        "Sendintime": 1,
        "cardNum2": "0",
        "RFIDCard": "0",
        "idCard": "421381199504030001",
        "telnum": "18888888888",
        "time": time,
        "PushType": "0",
        "left": "120",
        "top": "80",
        "right": "260",
        "bottom": "240",
    }
    if record_id is not None:
        info["RecordID"] = record_id
    if temperature is not None:
        info["temperature"] = temperature
        info["temperatureAlarm"] = "0"
    if pic is not None:
        info["pic"] = data_uri(pic)
    info.update(extra or {})
    return dump({"operator": "RecPush", "info": info}, pretty=pretty)


def str_snap_push(
    *,
    snap_id: str | None = "311",
    time: str = "2026-11-22 10:02:00",
    pic: bytes | None = None,
    temperature: str | None = "36.8",
    terminal_id: str = TERMINAL_ID,
) -> bytes:
    """A terminal `StrSnapPush`."""
    info: dict[str, Any] = {
        "facesluiceId": terminal_id,
        "facesluiceName": "Face1",
        "direction": "exit",
        "time": time,
        "PushType": "0",
    }
    if snap_id is not None:
        info["SnapID"] = snap_id
    if temperature is not None:
        info["temperature"] = temperature
        info["temperatureAlarm"] = "0"
    if pic is not None:
        info["pic"] = data_uri(pic)
    return dump({"operator": "StrSnapPush", "info": info})


def qr_push(code: str = "https://u.example/123456ABCD", terminal_id: str = TERMINAL_ID) -> bytes:
    """`QRCodePush`."""
    return dump(
        {
            "operator": "QRCodePush",
            "info": {
                "facesluiceId": terminal_id,
                "facesluiceName": "Face1",
                "QRCodeInfo": code,
                "time": "2026-11-22 10:03:00",
            },
        }
    )


def card_push(number: str = "519f7d29", terminal_id: str = TERMINAL_ID) -> bytes:
    """`CardPush`."""
    return dump(
        {
            "operator": "CardPush",
            "info": {
                "facesluiceId": terminal_id,
                "CardInfo": {"CardMode": "1", "Endian": "0", "CardNum": number},
                "time": "2026-11-22 10:04:00",
            },
        }
    )


ID_NUMBER = "110101199003078515"
PHONE = "13912345678"


def id_card_push(terminal_id: str = TERMINAL_ID, photo: bytes | None = None) -> bytes:
    """`IDCardPush` with a full ID number, an address and a photo (all personal)."""
    info: dict[str, Any] = {
        "IDCard_Idno": ID_NUMBER,
        "IDCard_Name": "张三",
        "IDCard_Gender": "1",
        "IDCard_Nation": "1",
        "IDCard_Birth": "1990-03-07",
        "IDCard_Address": "1 Example Road, Beijing",
        "IDCard_Phone": PHONE,
    }
    if photo is not None:
        info["IDCard_photo"] = data_uri(photo, "bmp")
    return dump(
        {
            "operator": "IDCardPush",
            "info": {
                "facesluiceId": terminal_id,
                "IDCardInfo": info,
                "time": "2026-11-22 10:05:00",
            },
        }
    )


def ack(
    operator: str,
    message_id: str,
    *,
    code: str | int | None = "200",
    result: str = "ok",
    terminal_id: str = TERMINAL_ID,
    **info: Any,
) -> bytes:
    """A `<operator>-Ack` as real firmware sends it (code as a string, Q-24)."""
    body: dict[str, Any] = {
        "messageId": message_id,
        "operator": f"{operator}-Ack",
        "info": {"facesluiceId": terminal_id, "result": result, **info},
    }
    if code is not None:
        body["code"] = code
    return dump(body)


# The parameter groups of V1.24 §9 as a terminal with a thermometer reports them (values
# from the vendor examples; strings, as firmware sends them). Keyed by the Get operator.
TERMINAL_CONFIG: dict[str, dict[str, str]] = {
    "Getconfig": {
        "Language": "0",
        "DataBaseEnable": "1",
        "FaceDisplay": "1",
        "LiveDetectType": "0",
        "LiveDetectTimeBeg": "07:00:00",
        "LiveDetectTimeEnd": "19:00:00",
        "LiveThreshold": "90.340000",
        "LedLightType": "0",
        "LedBrightness": "50",
        "LcdBLDisable": "0",
        "LcdBLDisableAfterSec": "30",
        "WebTimeOut": "5",
    },
    "GetSoundconfig": {
        "VerifySuccAudio": "1",
        "VerifyFailAudio": "1",
        "Volume": "90",
        "RemoteCtrlAudio": "0",
        "IsShowName": "1",
        "IPHide": "0",
        "DisplayPicture": "1",
        "Verifytipcontent": "please pass",
        "Unregistertipcontent": "stranger",
        "Blacklisttipcontent": "no access",
    },
    "GetDoorconfig": {
        "OpendoorWay": "0",
        "FaceThreshold": "90",
        "IDCardThreshold": "50",
        "VerifyMode": "1",
        "VerifyResetTime": "2",
        "IOType": "1",
        "IOStayTime": "200",
        "SnapResetTime": "0",
    },
    "GetHTTPconfig": {
        "ServerAddr": "172.168.2.89",
        "ServerPort": "80",
        "Verify": "0",
        "Auth": "1",
        "UserName": "admin",
        "PassWord": "s3cret-pass",
    },
    "GetTPTconfig": {
        "TemperatureMode": "0",
        "ShowAbnormalTemp": "1",
        "TemperatureCheck": "0.00",
        "TemperatureLow": "34.00",
        "TemperatureHigh": "37.30",
    },
    "GetMQTTconfig": {
        "StrangerUploadType": "0",
        "RecordUploadType": "1",
        "Direction": "0",
        "ResumefromBreakpoint": "1",
    },
    "GetFaceconfig": {"recDistance": "200", "faceMinPixel": "124"},
}
