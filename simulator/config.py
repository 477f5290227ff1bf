"""The terminal's parameter sections (vendor §9) and their Get/Up operators.

Values are kept as strings, which is how the ``Get*-Ack`` examples return them.
Several values drive the simulation:

* ``mqtt.ResumefromBreakpoint`` - records wait for ``PushAck`` and are re-sent;
* ``mqtt.StrangerUploadType`` (0 upload / 1 no upload), ``mqtt.RecordUploadType``
  (0 none / 1 with picture / 2 without picture), ``mqtt.QRCode``,
  ``mqtt.IDCard``, ``mqtt.Card`` - which pushes are published;
* ``mqtt.Direction`` (0 entry / 1 exit / 2 none) - the records' ``direction``;
* ``door.OpendoorWay`` - 0 face only (remote ``Unlock`` refused), 1 remote only
  (no ``RecPush``), 2 face or remote, 3 face + remote (``VerifyStatus`` 22);
* ``sound.VerifyTipContent`` - default UI prompt.
"""

from __future__ import annotations

import copy
from typing import Final

#: Section name -> (Get operator, Up operator).
SECTION_OPERATORS: Final[dict[str, tuple[str, str]]] = {
    "system": ("Getconfig", "Upconfig"),
    "sound": ("GetSoundconfig", "UpSoundconfig"),
    "door": ("GetDoorconfig", "UpDoorconfig"),
    "http": ("GetHTTPconfig", "UpHTTPconfig"),
    "temperature": ("GetTPTconfig", "UpTPTconfig"),
    "mqtt": ("GetMQTTconfig", "UpMQTTconfig"),
    "face": ("GetFaceconfig", "UpFaceconfig"),
}

DEFAULTS: Final[dict[str, dict[str, str]]] = {
    "system": {
        "Language": "0",
        "DataBaseEnable": "1",
        "IDcardType": "1",
        "CardReaderType": "1",
        "CardOpenDoorWay": "0",
        "FaceDisplay": "1",
        "LiveDetectType": "1",
        "LiveDetectTimeBeg": "07:00:00",
        "LiveDetectTimeEnd": "19:00:00",
        "LiveThreshold": "90.340000",
        "LiveFrameNum": "2",
        "LedLightType": "0",
        "LedTimeBeg": "07:00:00",
        "LedTimeEnd": "19:00:00",
        "LedBrightness": "50",
        "LedDisableAfterSec": "30",
        "LcdBLDisable": "0",
        "LcdBLDisableAfterSec": "30",
        "ScreenBrightness": "50",
        "WebTimeOut": "5",
    },
    "sound": {
        "VerifySuccAudio": "1",
        "VerifyFailAudio": "1",
        "Volume": "90",
        "VerifySuccGuiTip": "1",
        "VerifyFailGuiTip": "1",
        "UnregisteredGuiTip": "1",
        "DisplayPicture": "1",
        "RemoteCtrlAudio": "0",
        "IPHide": "0",
        "IsShowName": "1",
        "IsShowTitle": "0",
        "IsShowVersion": "0",
        "IsShowDate": "1",
        "IsShowTime": "1",
        "IDCardNumHide": "0",
        "ICCardNumHide": "0",
        "IsShowDeviceID": "0",
        "IsShowPersonNum": "0",
        "VerifyTipContent": "please pass",
        "UnregisterTipContent": "stranger",
        "BlacklistTipContent": "no access",
    },
    "door": {
        "OpendoorWay": "2",
        "FaceThreshold": "90",
        "IDCardThreshold": "50",
        "VerifyMode": "1",
        "VerifyResetTime": "2",
        "Wiegand": "0",
        "PublicMjCardNo": "2",
        "AutoMjCardBgnNo": "3",
        "AutoMjCardEndNo": "4",
        "ControlType": "1",
        "IOType": "1",
        "IOStayTime": "200",
        "Endian": "0",
        "CardMode": "0",
        "IsOutFF": "0",
        "SnapResetTime": "0",
    },
    "http": {
        "ServerAddr": "172.168.2.89",
        "ServerPort": "80",
        "Verify": "0",
        "VerifyURL": "/Subscribe/Verify",
        "Snap": "0",
        "SnapURL": "/Subscribe/Snap",
        "QRCode": "0",
        "QRCodeURL": "/Subscribe/QRCode",
        "IDCard": "0",
        "IDCardURL": "/Subscribe/IDCard",
        "BeatInterval": "30",
        "BeatURL": "/Subscribe/HeartBeat",
        "TimedPush": "0",
        "PushInterval": "30",
        "Auth": "0",
        "UserName": "admin",
        "PassWord": "admin",
        "ResumefromBreakpoint": "0",
        "RFBPTimeBegin": "",
    },
    "temperature": {
        "TemperatureMode": "0",
        "ShowAbnormalTemp": "1",
        "TemperatureCheck": "0.00",
        "TemperatureLow": "34.00",
        "TemperatureHigh": "37.30",
        "EnvTemperature": "17.00",
        "EnvTemperatureCheck": "0.00",
        "OpenLaser": "1",
        "TempFaceMinW": "350",
        "TempFaceMinH": "350",
    },
    "mqtt": {
        "StrangerUploadType": "0",
        "RecordUploadType": "1",
        "Direction": "0",
        "QRCode": "1",
        "IDCard": "1",
        "Card": "1",
        "ResumefromBreakpoint": "0",
        "BeginTime": "",
    },
    "face": {
        "recDistance": "200",
        "faceMinPixel": "124",
        "detectArea_x": "0",
        "detectArea_y": "0",
        "detectArea_w": "960",
        "detectArea_h": "1280",
    },
}

#: Valid basic door-opening verification modes (low byte of ``VerifyMode``).
VERIFY_MODES: Final = frozenset({1, 2, 3, 4, 5, *range(21, 27)})
#: Which sections ``SetFactoryDefault`` flags restore.
FACTORY_SECTIONS: Final[dict[str, tuple[str, ...]]] = {
    "DefaltDoorSet": ("door",),
    "DefaltSoundSet": ("sound",),
    "DefaltCenterPar": ("mqtt", "http"),
    "DefaltSystemSettings": ("system",),
}


def default_config() -> dict[str, dict[str, str]]:
    """Return a fresh deep copy of :data:`DEFAULTS`."""
    return copy.deepcopy(DEFAULTS)


def section_for(operator: str) -> tuple[str, bool] | None:
    """Map ``GetDoorconfig`` to ``("door", False)``, ``UpDoorconfig`` to ``("door", True)``.

    Args:
        operator: The received operator (matched ignoring case).

    Returns:
        ``(section, is_update)`` or ``None`` for other operators.
    """
    folded = operator.casefold()
    for section, (get_op, up_op) in SECTION_OPERATORS.items():
        if folded == get_op.casefold():
            return section, False
        if folded == up_op.casefold():
            return section, True
    return None
