"""The terminal's own settings (V1.24 §9), firmware upgrade (§7) and advertisements (§12).

`SETTINGS` describes every parameter that Home Assistant offers as a configuration entity:
which parameter group (`ConfigSection`) and key it lives in, and the range, unit or choices
the V1.24 tables give. Where the tables give no range (relay time, LED brightness, screen-off
delay) the bounds here are ours and say so in a comment; nothing outside them is sent.

`parse_parameters` turns a ``Get…config-Ack`` into a bounded, cleaned map of every reported
parameter (for diagnostics and for `decode`); `encode` validates a new value and returns the
text the terminal expects, and `build_set_setting` wraps it in the group's ``Up…config``
command. Values travel as strings, the form the vendor examples use both ways.

Some settings share one firmware key: the mask and temperature checks are bits 0x100 and
0x200 of ``VerifyMode``, the basic verification mode its low byte. Changing one of them
needs the key's current value (`encode`'s `current`), which the caller has read before.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from . import operators as op
from .coerce import as_float, as_int
from .commands import Command, ConfigSection, _command, _encode, build_set_config
from .errors import CommandError
from .text import utf8_len

if TYPE_CHECKING:
    from collections.abc import Mapping

MAX_PARAMETERS: Final = 128
"""At most this many parameters are kept per group (a hostile reply cannot grow memory)."""
MAX_KEY_LENGTH: Final = 64
MAX_VALUE_LENGTH: Final = 256
MAX_TIP_BYTES: Final = 63
"""The screen texts of §9.2 are "less than 64 bytes" (63 plus the terminator)."""
MAX_FIRMWARE_NAME_BYTES: Final = 63

AD_SLOTS: Final = 5
"""Advertisement slots 0-4 (§12)."""
AD_MAX_WIDTH: Final = 800
AD_MAX_HEIGHT: Final = 1280
"""The largest advertisement picture (8-inch model, §12); the 7-inch model shows 600x1024."""
AD_POLL_TIME_DEFAULT: Final = 10
AD_POLL_TIME_MAX: Final = 600  # ours: the table gives only the default of 10 s

_NOT_PARAMETERS: Final = frozenset(
    {"facesluiceid", "result", "detail", "code", "messageid", "operator", "reboot"}
)


class SettingKind(StrEnum):
    """How a setting is shown: the Home Assistant platform it becomes."""

    NUMBER = "number"
    SELECT = "select"
    SWITCH = "switch"
    TEXT = "text"


@dataclass(frozen=True, slots=True, kw_only=True)
class Setting:
    """One parameter the terminal reports and accepts.

    `options` maps the firmware's numbers to option names (selects). A switch is on when
    the value equals `on` (1, or 0 for the inverted ``StrangerUploadType``). `bits`
    restricts the setting to part of an integer key (``VerifyMode`` flags): the value is
    ``(raw & bits)`` shifted down to bit 0. `unit` is a plain unit text ("s", "ms", "cm",
    "%", "min", "temperature" for the terminal's own temperature unit).
    `enabled_by_default` marks the few settings a household changes (volume, recognition
    threshold, door open time): every other setting's entity is created disabled, one
    click away in the device's entity list.
    """

    key: str
    section: ConfigSection
    parameter: str
    kind: SettingKind
    minimum: float = 0
    maximum: float = 0
    step: float = 1
    unit: str | None = None
    options: Mapping[int, str] = field(default_factory=dict)
    on: int = 1
    bits: int | None = None
    max_bytes: int = MAX_TIP_BYTES
    enabled_by_default: bool = False
    restarts: bool = False

    @property
    def decimals(self) -> int:
        """Digits after the point the terminal uses for this number."""
        return 0 if float(self.step).is_integer() else 2


def _switch(key: str, section: ConfigSection, name: str, **kwargs: Any) -> Setting:
    return Setting(key=key, section=section, parameter=name, kind=SettingKind.SWITCH, **kwargs)


def _number(
    key: str,
    section: ConfigSection,
    name: str,
    minimum: float,
    maximum: float,
    **kwargs: Any,
) -> Setting:
    return Setting(
        key=key,
        section=section,
        parameter=name,
        kind=SettingKind.NUMBER,
        minimum=minimum,
        maximum=maximum,
        **kwargs,
    )


def _select(
    key: str, section: ConfigSection, name: str, options: Mapping[int, str], **kwargs: Any
) -> Setting:
    return Setting(
        key=key, section=section, parameter=name, kind=SettingKind.SELECT, options=options, **kwargs
    )


def _text(key: str, section: ConfigSection, name: str, **kwargs: Any) -> Setting:
    return Setting(key=key, section=section, parameter=name, kind=SettingKind.TEXT, **kwargs)


_SYSTEM = ConfigSection.SYSTEM
_SOUND = ConfigSection.SOUND
_DOOR = ConfigSection.DOOR
_TEMPERATURE = ConfigSection.TEMPERATURE
_MQTT = ConfigSection.MQTT
_FACE = ConfigSection.FACE

LANGUAGES: Final = {
    0: "english",
    1: "simplified_chinese",
    2: "traditional_chinese",
    3: "portuguese",
    4: "korean",
    5: "russian",
    6: "italian",
    7: "french",
    8: "spanish",
    9: "japanese",
}
DOOR_MODES: Final = {0: "face", 1: "remote", 2: "face_or_remote", 3: "face_and_remote"}
"""``OpendoorWay`` (§9.3.5)."""
VERIFY_MODES: Final = {
    1: "face",
    2: "id_card",
    3: "face_and_id_card",
    4: "face_or_id_card",
    5: "mask_or_temperature_only",
    21: "rf_card",
    22: "rf_card_and_face",
    23: "rf_card_or_face",
    24: "wiegand_card",
    25: "wiegand_card_and_face",
    26: "wiegand_card_or_face",
}
"""The basic verification mode: the low byte of ``VerifyMode`` (§9.3)."""
MASK_CHECK: Final = 0x100
TEMPERATURE_CHECK: Final = 0x200

SETTINGS: Final[tuple[Setting, ...]] = (
    # §9.2 sound and screen
    _number("volume", _SOUND, "Volume", 0, 100, unit="%", enabled_by_default=True),
    _switch("success_voice", _SOUND, "VerifySuccAudio"),
    _switch("failure_voice", _SOUND, "VerifyFailAudio"),
    _switch("remote_unlock_sound", _SOUND, "RemoteCtrlAudio"),
    _select("show_name", _SOUND, "IsShowName", {0: "hidden", 1: "full", 2: "partial"}),
    _switch("hide_ip", _SOUND, "IPHide"),
    _switch("show_device_id", _SOUND, "IsShowDeviceID"),
    _switch("show_person_count", _SOUND, "IsShowPersonNum"),
    _select(
        "success_picture",
        _SOUND,
        "DisplayPicture",
        {0: "capture", 1: "registered"},
    ),
    _text("success_text", _SOUND, "VerifyTipContent"),
    _text("stranger_text", _SOUND, "UnregisterTipContent"),
    _text("refused_text", _SOUND, "BlacklistTipContent"),
    # §9.3 door
    _select("door_mode", _DOOR, "OpendoorWay", DOOR_MODES),
    _select("verification_mode", _DOOR, "VerifyMode", VERIFY_MODES, bits=0xFF),
    _switch("mask_check", _DOOR, "VerifyMode", bits=MASK_CHECK),
    _switch("temperature_check", _DOOR, "VerifyMode", bits=TEMPERATURE_CHECK),
    _number("face_threshold", _DOOR, "FaceThreshold", 50, 100, enabled_by_default=True),
    _number("id_card_threshold", _DOOR, "IDCardThreshold", 50, 100),
    _number("verify_reset_time", _DOOR, "VerifyResetTime", 1, 10, unit="s"),
    _number("recognition_interval", _DOOR, "SnapResetTime", 0, 15, unit="s"),
    # ours: the table gives only the default of 200 ms; 25.5 s covers every strike and gate
    _number(
        "relay_time", _DOOR, "IOStayTime", 100, 25500, step=100, unit="ms", enabled_by_default=True
    ),
    _select("relay_idle_state", _DOOR, "IOType", {0: "closed", 1: "open"}),
    # §9.1 system
    _select("liveness_detection", _SYSTEM, "LiveDetectType", {0: "on", 1: "off", 2: "scheduled"}),
    _switch("face_frame", _SYSTEM, "FaceDisplay"),
    _select(
        "white_light",
        _SYSTEM,
        "LedLightType",
        {0: "never", 1: "schedule", 2: "dark", 3: "face", 4: "face_or_schedule", 5: "face_or_dark"},
    ),
    # ours: the table gives no range for LedBrightness (default 50); 0-100 like the screen
    _number("white_light_brightness", _SYSTEM, "LedBrightness", 0, 100, unit="%"),
    _switch("screen_off_when_idle", _SYSTEM, "LcdBLDisable"),
    # ours: no range in the table (default 30 s)
    _number("screen_off_delay", _SYSTEM, "LcdBLDisableAfterSec", 5, 3600, unit="s"),
    _switch("record_database", _SYSTEM, "DataBaseEnable"),
    _select("language", _SYSTEM, "Language", LANGUAGES, restarts=True),
    _number("web_timeout", _SYSTEM, "WebTimeOut", 2, 10, unit="min"),
    # §9.5 temperature
    _select("temperature_unit", _TEMPERATURE, "TemperatureMode", {0: "celsius", 1: "fahrenheit"}),
    _number(
        "temperature_alarm_threshold",
        _TEMPERATURE,
        "TemperatureHigh",
        30,
        45,
        step=0.1,
        unit="temperature",
    ),
    _number(
        "temperature_low_threshold",
        _TEMPERATURE,
        "TemperatureLow",
        20,
        40,
        step=0.1,
        unit="temperature",
    ),
    _number(
        "temperature_calibration",
        _TEMPERATURE,
        "TemperatureCheck",
        -5,
        5,
        step=0.1,
        unit="temperature_delta",
    ),
    _switch("show_abnormal_temperature", _TEMPERATURE, "ShowAbnormalTemp"),
    # §9.6 MQTT reports (StrangerUploadType: 0 upload, 1 no upload; Q-39)
    _switch("stranger_upload", _MQTT, "StrangerUploadType", on=0),
    _select(
        "record_upload", _MQTT, "RecordUploadType", {0: "off", 1: "with_picture", 2: "no_picture"}
    ),
    _select("direction", _MQTT, "Direction", {0: "entry", 1: "exit", 2: "none"}),
    # §9.10 face recognition
    _number("recognition_distance", _FACE, "recDistance", 30, 200, unit="cm"),
)
"""Every setting Home Assistant offers, in the order the terminal's web page lists them."""

SETTINGS_BY_KEY: Final = {setting.key: setting for setting in SETTINGS}

FAHRENHEIT_RANGES: Final = {
    "temperature_alarm_threshold": (86.0, 113.0),
    "temperature_low_threshold": (68.0, 104.0),
    "temperature_calibration": (-9.0, 9.0),
}
"""The temperature limits above in °F, used when ``TemperatureMode`` is 1."""


# --- reading ----------------------------------------------------------------------------


def _clean(text: str, limit: int) -> str:
    """Drop control, format (bidi) and surrogate characters; cut to `limit` characters."""
    kept = "".join(
        char for char in text if unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co"}
    )
    return kept.strip()[:limit]


def parse_parameters(info: Mapping[str, Any]) -> dict[str, str]:
    """Every parameter of a ``Get…config-Ack``'s info, as bounded clean text.

    Numbers become text, nested objects and lists are skipped (no §9 parameter has one),
    and the envelope keys (``facesluiceId``, ``result`` …) are left out. At most
    `MAX_PARAMETERS` keys of at most `MAX_KEY_LENGTH` characters are kept.
    """
    parameters: dict[str, str] = {}
    for raw_key, raw_value in info.items():
        if len(parameters) >= MAX_PARAMETERS:
            break
        key = _clean(raw_key, MAX_KEY_LENGTH)
        if not key or key.casefold() in _NOT_PARAMETERS:
            continue
        if isinstance(raw_value, bool):
            value = "1" if raw_value else "0"
        elif isinstance(raw_value, (int, float)):
            number = float(raw_value)
            if not math.isfinite(number):
                continue
            value = str(raw_value)
        elif isinstance(raw_value, str):
            value = _clean(raw_value, MAX_VALUE_LENGTH)
        else:
            continue
        parameters[key] = value
    return parameters


def find(parameters: Mapping[str, str], name: str) -> str | None:
    """The value of parameter `name`, whatever its case (``Verifytipcontent``, §9.2.2)."""
    if name in parameters:
        return parameters[name]
    folded = name.casefold()
    for key, value in parameters.items():
        if key.casefold() == folded:
            return value
    return None


def decode(setting: Setting, raw: str | None) -> bool | float | str | None:
    """The setting's value from the reported text; None when absent or not understood.

    A value outside the documented choices is None rather than a guess.
    """
    if raw is None:
        return None
    if setting.kind is SettingKind.TEXT:
        return _clean(raw, MAX_VALUE_LENGTH)
    if setting.kind is SettingKind.NUMBER:
        number = as_float(raw)
        if number is None:
            return None
        return number if setting.decimals else float(int(number))
    number_int = as_int(raw)
    if number_int is None or number_int < 0:
        return None
    if setting.bits is not None:
        number_int &= setting.bits
        number_int >>= _shift(setting.bits)
    if setting.kind is SettingKind.SWITCH:
        if number_int not in (0, 1):
            return None
        return number_int == setting.on
    return setting.options.get(number_int)


def _shift(bits: int) -> int:
    return (bits & -bits).bit_length() - 1


# --- writing ----------------------------------------------------------------------------


def number_range(setting: Setting, fahrenheit: bool = False) -> tuple[float, float]:
    """The allowed range of a number setting (in °F for temperatures when `fahrenheit`)."""
    if fahrenheit and setting.key in FAHRENHEIT_RANGES:
        return FAHRENHEIT_RANGES[setting.key]
    return (setting.minimum, setting.maximum)


def encode(
    setting: Setting,
    value: object,
    *,
    current: str | None = None,
    fahrenheit: bool = False,
) -> str:
    """The text to send for `value`; raise `CommandError` when the terminal must not get it.

    `current` is the key's reported value, needed for the ``VerifyMode`` bit settings.
    `fahrenheit` selects the °F range of temperature numbers.
    """
    if setting.kind is SettingKind.TEXT:
        if not isinstance(value, str):
            raise CommandError(f"{setting.key} must be text")
        text = value.strip()
        if any(unicodedata.category(char) in {"Cc", "Cf", "Cs"} for char in text):
            raise CommandError(f"{setting.key} must not contain control characters")
        if utf8_len(text) > setting.max_bytes:
            raise CommandError(
                f"{setting.key} is {utf8_len(text)} bytes in UTF-8; the terminal accepts "
                f"at most {setting.max_bytes}"
            )
        return text
    if setting.kind is SettingKind.NUMBER:
        return _encode_number(setting, value, fahrenheit=fahrenheit)
    if setting.kind is SettingKind.SWITCH:
        if not isinstance(value, bool):
            raise CommandError(f"{setting.key} must be on or off")
        number = setting.on if value else 1 - setting.on
    else:
        choices = {name: number for number, name in setting.options.items()}
        if not isinstance(value, str) or value not in choices:
            allowed = ", ".join(choices)
            raise CommandError(f"{setting.key} must be one of {allowed}, not {value!r}")
        number = choices[value]
    if setting.bits is None:
        return str(number)
    base = as_int(current) if current is not None else None
    if base is None or base < 0:
        raise CommandError(f"the terminal has not reported {setting.parameter}; read it first")
    shifted = number << _shift(setting.bits)
    return str((base & ~setting.bits) | shifted)


def _encode_number(setting: Setting, value: object, *, fahrenheit: bool) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CommandError(f"{setting.key} must be a number")
    number = float(value)
    low, high = number_range(setting, fahrenheit)
    if not math.isfinite(number) or not low <= number <= high:
        raise CommandError(f"{setting.key} must be between {low:g} and {high:g}, not {value}")
    if setting.decimals:
        return f"{round(number, 1):.2f}"
    if not number.is_integer():
        raise CommandError(f"{setting.key} must be a whole number, not {value}")
    steps = (number - low) / setting.step
    if not math.isclose(steps, round(steps)):
        raise CommandError(f"{setting.key} must be a multiple of {setting.step:g}")
    return str(int(number))


def build_set_setting(
    command_topic: str,
    terminal_id: str,
    setting: Setting,
    value: object,
    *,
    current: str | None = None,
    fahrenheit: bool = False,
    message_id: str | None = None,
) -> Command:
    """The group's ``Up…config`` command that changes `setting` to `value` and nothing else."""
    text = encode(setting, value, current=current, fahrenheit=fahrenheit)
    return build_set_config(
        command_topic, terminal_id, setting.section, {setting.parameter: text}, message_id
    )


# --- firmware, advertisements, factory reset --------------------------------------------


def _check_url(name: str, url: object) -> str:
    if not isinstance(url, str) or not url.strip():
        raise CommandError(f"{name} must be a URL")
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise CommandError(f"{name} must be an http:// or https:// URL")
    if any(char.isspace() or ord(char) < 0x20 for char in text) or utf8_len(text) > 1023:
        raise CommandError(f"{name} must be a URL without spaces, at most 1023 bytes")
    return text


def build_upgrade(
    command_topic: str,
    terminal_id: str,
    url: str,
    name: str,
    message_id: str | None = None,
) -> Command:
    """``Upgrade`` (V1.24 §7.1): download and install the firmware file at `url`.

    The file's name must end in ``.swx`` (the path part of the URL, before any query).
    `name` is the version name the terminal echoes in ``Upgrade-Ack``.
    """
    path = _check_url("url", url)
    if not urlsplit(path).path.lower().endswith(".swx"):
        raise CommandError("the firmware file must end in .swx")
    if not isinstance(name, str) or not name.strip() or utf8_len(name) > MAX_FIRMWARE_NAME_BYTES:
        raise CommandError(f"name must be text of 1 to {MAX_FIRMWARE_NAME_BYTES} bytes")
    info = {"name": name.strip(), "path": path}
    return _encode(
        command_topic, _command(command_topic, terminal_id, op.UPGRADE, message_id, info)
    )


def _check_slot(slot: object) -> int:
    if isinstance(slot, bool) or not isinstance(slot, int) or not 0 <= slot < AD_SLOTS:
        raise CommandError(f"slot must be 0 to {AD_SLOTS - 1}, not {slot!r}")
    return slot


def build_edit_ad(
    command_topic: str,
    terminal_id: str,
    slot: int,
    url: str,
    *,
    poll_time: int = AD_POLL_TIME_DEFAULT,
    message_id: str | None = None,
) -> Command:
    """``EditAD`` (V1.24 §12.1): show the JPEG at `url` in advertisement `slot` (0-4).

    `poll_time` is how many seconds each advertisement stays on screen.
    """
    number = _check_slot(slot)
    path = _check_url("url", url)
    if isinstance(poll_time, bool) or not isinstance(poll_time, int):
        raise CommandError("poll_time must be a whole number of seconds")
    if not 1 <= poll_time <= AD_POLL_TIME_MAX:
        raise CommandError(f"poll_time must be 1 to {AD_POLL_TIME_MAX} seconds")
    info = {"adid": "", "path": path, "adslot": str(number), "polltime": str(poll_time)}
    return _encode(
        command_topic, _command(command_topic, terminal_id, op.EDIT_AD, message_id, info)
    )


def build_delete_ad(
    command_topic: str, terminal_id: str, slot: int, message_id: str | None = None
) -> Command:
    """``DelAD`` (V1.24 §12.3): remove the advertisement in `slot` (0-4)."""
    info = {"adid": "", "adslot": str(_check_slot(slot))}
    return _encode(command_topic, _command(command_topic, terminal_id, op.DEL_AD, message_id, info))


class FactoryPart(StrEnum):
    """What ``SetFactoryDefault`` (V1.24 §9.9) can restore, each with its own flag."""

    DOOR = "door"
    SOUND = "sound"
    NETWORK = "network"
    PLATFORM = "platform"
    CAPTURES = "captures"
    LOGS = "logs"
    PERSONS = "persons"
    RECORDS = "records"
    MAINTENANCE_TIME = "maintenance_time"
    SYSTEM = "system"


FACTORY_FLAGS: Final[dict[FactoryPart, str]] = {
    # The firmware spells "Default" as "Defalt".
    FactoryPart.DOOR: "DefaltDoorSet",
    FactoryPart.SOUND: "DefaltSoundSet",
    FactoryPart.NETWORK: "DefaltNetPar",
    FactoryPart.PLATFORM: "DefaltCenterPar",
    FactoryPart.CAPTURES: "DefaltCapture",
    FactoryPart.LOGS: "DefaltLog",
    FactoryPart.PERSONS: "DefaltPerson",
    FactoryPart.RECORDS: "DefaltRecord",
    FactoryPart.MAINTENANCE_TIME: "DefaltMaintainTime",
    FactoryPart.SYSTEM: "DefaltSystemSettings",
}


def build_factory_default(
    command_topic: str,
    terminal_id: str,
    parts: object,
    message_id: str | None = None,
) -> Command:
    """``SetFactoryDefault`` (V1.24 §9.9): restore the given parts, nothing else.

    Restoring persons or records deletes them for good; network or platform parameters
    may cut the terminal off. The ack's ``reboot`` says whether it restarts.
    """
    if isinstance(parts, (str, bytes)) or not hasattr(parts, "__iter__"):
        raise CommandError("parts must be a list of factory parts")
    chosen: list[FactoryPart] = []
    for part in parts:
        try:
            chosen.append(FactoryPart(part))
        except ValueError:
            allowed = ", ".join(member.value for member in FactoryPart)
            raise CommandError(f"parts must be among {allowed}, not {part!r}") from None
    if not chosen:
        raise CommandError("choose at least one part to restore")
    info = {FACTORY_FLAGS[part]: "1" for part in dict.fromkeys(chosen)}
    return _encode(
        command_topic,
        _command(command_topic, terminal_id, op.SET_FACTORY_DEFAULT, message_id, info),
    )
