"""Checks and handlers for the terminal's settings, firmware and advertisements.

* `check_values` refuses an ``Up…config`` whose values are outside the V1.24 §9 tables
  (``Volume`` 0-100, ``FaceThreshold`` 50-100, ``recDistance`` 30-200 ...), or whose screen
  texts are 64 bytes or longer. Real firmware documents no code for this; the simulator
  answers like a missing/invalid ``info`` (``462 Parameter error``; ``461 Set param fail``
  for the system group, the code §9.1.3 lists), and changes nothing.
* ``Upgrade`` (§7) downloads the ``.swx`` file, answers ``Upgrade-Ack`` and restarts with the
  new version name, which ``Versions`` then reports.
* ``EditAD`` (§12) downloads the picture like a real terminal: a failed download is ``465``,
  anything but a JPEG of at most 800x1280 pixels is refused the same way.
"""

from __future__ import annotations

import math
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Final

from simulator import images
from simulator.command_types import Command, CommandError, Handler, Reply
from simulator.device import VERSION_BUILD, VERSION_NAME
from simulator.messages import as_float, as_int, as_text, lookup

if TYPE_CHECKING:
    from collections.abc import Callable

    from simulator.device import Device
    from simulator.messages import JsonDict

_INT: Final = "int"
_FLOAT: Final = "float"

#: (kind, low, high) of the numeric parameters the V1.24 tables bound, by group.
RANGES: Final[dict[str, dict[str, tuple[str, float, float]]]] = {
    "system": {
        "Language": (_INT, 0, 9),
        "DataBaseEnable": (_INT, 0, 1),
        "FaceDisplay": (_INT, 0, 1),
        "LiveDetectType": (_INT, 0, 2),
        "LedLightType": (_INT, 0, 5),
        "LedBrightness": (_INT, 0, 100),
        "LcdBLDisable": (_INT, 0, 1),
        "LcdBLDisableAfterSec": (_INT, 1, 86400),
        "WebTimeOut": (_INT, 2, 10),
    },
    "sound": {
        "Volume": (_INT, 0, 100),
        "VerifySuccAudio": (_INT, 0, 1),
        "VerifyFailAudio": (_INT, 0, 1),
        "VerifySuccGuiTip": (_INT, 0, 1),
        "VerifyFailGuiTip": (_INT, 0, 1),
        "UnregisteredGuiTip": (_INT, 0, 1),
        "DisplayPicture": (_INT, 0, 1),
        "RemoteCtrlAudio": (_INT, 0, 1),
        "IPHide": (_INT, 0, 1),
        "IsShowName": (_INT, 0, 2),
        "IsShowDeviceID": (_INT, 0, 1),
        "IsShowPersonNum": (_INT, 0, 1),
    },
    "door": {
        "OpendoorWay": (_INT, 0, 3),
        "FaceThreshold": (_INT, 50, 100),
        "IDCardThreshold": (_INT, 50, 100),
        "VerifyResetTime": (_INT, 1, 10),
        "ControlType": (_INT, 0, 2),
        "IOType": (_INT, 0, 1),
        "IOStayTime": (_INT, 1, 60000),
        "Endian": (_INT, 0, 1),
        "CardMode": (_INT, 0, 1),
        "IsOutFF": (_INT, 0, 1),
        "SnapResetTime": (_INT, 0, 15),
    },
    "temperature": {
        "TemperatureMode": (_INT, 0, 1),
        "ShowAbnormalTemp": (_INT, 0, 1),
        "TemperatureCheck": (_FLOAT, -10, 10),
        "TemperatureLow": (_FLOAT, 0, 120),
        "TemperatureHigh": (_FLOAT, 0, 120),
        "TempFaceMinW": (_INT, 100, 500),
        "TempFaceMinH": (_INT, 50, 1000),
    },
    "mqtt": {
        "StrangerUploadType": (_INT, 0, 1),
        "RecordUploadType": (_INT, 0, 2),
        "Direction": (_INT, 0, 2),
        "QRCode": (_INT, 0, 1),
        "IDCard": (_INT, 0, 1),
        "Card": (_INT, 0, 1),
        "ResumefromBreakpoint": (_INT, 0, 1),
    },
    "face": {
        "recDistance": (_INT, 30, 200),
        "faceMinPixel": (_INT, 0, 960),
        "detectArea_x": (_INT, 0, 960),
        "detectArea_y": (_INT, 0, 1280),
        "detectArea_w": (_INT, 0, 960),
        "detectArea_h": (_INT, 0, 1280),
    },
}
#: Screen texts of §9.2: "length less than 64 bytes".
TEXTS: Final = frozenset({"VerifyTipContent", "UnregisterTipContent", "BlacklistTipContent"})
MAX_TEXT_BYTES: Final = 63
AD_MAX_SIZE: Final = (800, 1280)
MAX_FIRMWARE_BYTES: Final = 64 * 1024 * 1024


class SettingRefusedError(Exception):
    """An ``Up…config`` value the terminal refuses (code and detail for the ack)."""

    def __init__(self, code: str, detail: str) -> None:
        """Keep the code and detail."""
        super().__init__(detail)
        self.code = code
        self.detail = detail


def check_values(section: str, changes: dict[str, str]) -> None:
    """Raise `SettingRefusedError` when a value is outside the §9 tables."""
    code, detail = ("461", "Set param fail") if section == "system" else ("462", "Parameter error")
    ranges = RANGES.get(section, {})
    for key, value in changes.items():
        if key in TEXTS:
            if len(value.encode("utf-8")) > MAX_TEXT_BYTES:
                raise SettingRefusedError(code, detail)
            continue
        bound = ranges.get(key)
        if bound is None:
            continue
        kind, low, high = bound
        number = as_float(value)
        if number is None or not math.isfinite(number) or not low <= number <= high:
            raise SettingRefusedError(code, detail)
        if kind == _INT and not number.is_integer():
            raise SettingRefusedError(code, detail)
    if section == "door" and "VerifyMode" in changes and as_int(changes["VerifyMode"]) is None:
        raise SettingRefusedError("463", "VerifyMode error")


def _download(url: str, timeout: float, limit: int) -> bytes | None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - scheme checked
            data: bytes = response.read(limit + 1)
    except urllib.error.URLError, OSError, ValueError:
        return None
    return data if len(data) <= limit else None


class SettingsHandlers:
    """``Versions``, ``Upgrade`` and ``EditAD`` of a simulated terminal."""

    def __init__(self, device: Device, ok: Callable[[Command, JsonDict], Reply]) -> None:
        """Bind to the device and to the processor's answer for a command that succeeded."""
        self.device = device
        self.ok = ok
        self.firmware = VERSION_NAME

    def table(self) -> dict[str, Handler]:
        """The handlers by operator, to merge into the processor's table."""
        return {"Versions": self.versions, "Upgrade": self.upgrade, "EditAD": self.edit_ad}

    def versions(self, command: Command) -> Reply:
        """The version name (changed by an upgrade) and build time."""
        return self.ok(command, {"name": self.firmware, "buildtime": VERSION_BUILD})

    def upgrade(self, command: Command) -> Reply:
        """Download the firmware file, confirm, and restart with the new version."""
        info = command.info
        if info is None:
            raise CommandError("462", "Parameter error")
        path = as_text(lookup(info, "path")) or ""
        name = as_text(lookup(info, "name")) or "upgraded"
        if not urllib.parse.urlsplit(path).path.lower().endswith(".swx"):
            raise CommandError("462", "Parameter error")
        data = _download(path, self.device.uri_timeout, MAX_FIRMWARE_BYTES)
        if not data:
            raise CommandError("464", "download failed")
        self.firmware = name
        reply = self.ok(command, {"Name": name})
        reply.reboot = True
        return reply

    def edit_ad(self, command: Command) -> Reply:
        """Add or change an advertisement; the picture is downloaded like a terminal does."""
        info = command.info
        if info is None:
            raise CommandError("461", "Parameter error")
        slot = as_int(lookup(info, "adslot"))
        if slot is None:
            raise CommandError("462", "Can't find adslot")
        if not 0 <= slot <= 4:
            raise CommandError("463", "AD num is full")
        device = self.device
        path = as_text(lookup(info, "path"))
        if path:
            data = _download(path, device.uri_timeout, 4 * 1024 * 1024)
            if not data or not _is_ad_picture(data):
                raise CommandError("465", "AD file download fail")
        advert = device.ads.setdefault(slot, {"path": "", "polltime": 10})
        if path:
            advert["path"] = path
        advert["polltime"] = as_int(lookup(info, "polltime"), advert["polltime"])
        return self.ok(command, {"adid": lookup(info, "adid") or ""})


def _is_ad_picture(data: bytes) -> bool:
    try:
        found = images.inspect_picture(data)
    except images.PictureError:
        return False
    return (
        found.format == "JPEG" and found.width <= AD_MAX_SIZE[0] and found.height <= AD_MAX_SIZE[1]
    )
