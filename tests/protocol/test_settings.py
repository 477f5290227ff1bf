"""The settings catalogue, parameter parsing, validation and the §7/§9.9/§12 builders."""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.face_terminal.protocol import Command, CommandError, ConfigSection
from custom_components.face_terminal.protocol.settings import (
    MAX_PARAMETERS,
    SETTINGS,
    SETTINGS_BY_KEY,
    SettingKind,
    build_delete_ad,
    build_edit_ad,
    build_factory_default,
    build_set_setting,
    build_upgrade,
    decode,
    encode,
    find,
    number_range,
    parse_parameters,
)

TOPIC = "mqtt/face/1305433"
ID = "1305433"


def body(command: Command) -> dict[str, Any]:
    assert command.topic == TOPIC
    sent: dict[str, Any] = json.loads(command.payload)
    assert sent["messageId"] == command.message_id
    assert sent["operator"] == command.operator
    return sent


def test_catalogue_is_consistent() -> None:
    keys = [setting.key for setting in SETTINGS]
    assert len(keys) == len(set(keys))
    for setting in SETTINGS:
        if setting.kind is SettingKind.NUMBER:
            assert setting.minimum < setting.maximum
        if setting.kind is SettingKind.SELECT:
            assert len(setting.options) >= 2
            assert len(set(setting.options.values())) == len(setting.options)


def test_parse_parameters_cleans_and_bounds() -> None:
    info: dict[str, Any] = {
        "facesluiceId": ID,
        "result": "ok",
        "Volume": "90",
        "Number": 5,
        "Flag": True,
        "Nested": {"a": 1},
        "Bad": float("inf"),
        "Verifytipcontent": "please\u202e pass\x07",
        "Long": "x" * 1000,
    }
    parameters = parse_parameters(info)
    assert parameters == {
        "Volume": "90",
        "Number": "5",
        "Flag": "1",
        "Verifytipcontent": "please pass",
        "Long": "x" * 256,
    }
    many = parse_parameters({f"k{i}": "1" for i in range(1000)})
    assert len(many) == MAX_PARAMETERS
    assert find(parameters, "VerifyTipContent") == "please pass"
    assert find(parameters, "missing") is None


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("volume", "90", 90.0),
        ("volume", "junk", None),
        ("volume", None, None),
        ("temperature_alarm_threshold", "37.30", 37.3),
        ("door_mode", "3", "face_and_remote"),
        ("door_mode", "9", None),  # not a documented choice: not guessed
        ("door_mode", "-1", None),
        ("mask_check", "257", True),
        ("mask_check", "1", False),
        ("temperature_check", "769", True),
        ("verification_mode", "793", "wiegand_card_and_face"),
        ("stranger_upload", "0", True),  # 0 means upload
        ("stranger_upload", "1", False),
        ("success_voice", "2", None),
        ("success_text", "please pass", "please pass"),
    ],
)
def test_decode(key: str, raw: str | None, expected: object) -> None:
    assert decode(SETTINGS_BY_KEY[key], raw) == expected


@pytest.mark.parametrize(
    ("key", "value", "current", "expected"),
    [
        ("volume", 80.0, None, "80"),
        ("volume", 0, None, "0"),
        ("temperature_alarm_threshold", 37.5, None, "37.50"),
        ("relay_time", 500, None, "500"),
        ("door_mode", "remote", None, "1"),
        ("mask_check", True, "1", "257"),
        ("mask_check", False, "769", "513"),
        ("verification_mode", "wiegand_card", "769", "792"),
        ("stranger_upload", False, None, "1"),
        ("success_voice", True, None, "1"),
        ("success_text", " Welcome ", None, "Welcome"),
    ],
)
def test_encode(key: str, value: object, current: str | None, expected: str) -> None:
    assert encode(SETTINGS_BY_KEY[key], value, current=current) == expected


@pytest.mark.parametrize(
    ("key", "value", "current", "message"),
    [
        ("volume", 101, None, "between 0 and 100"),
        ("volume", -1, None, "between 0 and 100"),
        ("volume", 50.5, None, "whole number"),
        ("volume", float("nan"), None, "between"),
        ("volume", "50", None, "must be a number"),
        ("volume", True, None, "must be a number"),
        ("face_threshold", 49, None, "between 50 and 100"),
        ("relay_time", 150, None, "multiple of 100"),
        ("recognition_distance", 201, None, "between 30 and 200"),
        ("door_mode", "open", None, "must be one of"),
        ("success_voice", 1, None, "on or off"),
        ("mask_check", True, None, "read it first"),
        ("mask_check", True, "junk", "read it first"),
        ("success_text", "é" * 40, None, "at most 63"),
        ("success_text", "a\nb", None, "control characters"),
        ("success_text", 5, None, "must be text"),
    ],
)
def test_encode_refuses(key: str, value: object, current: str | None, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        encode(SETTINGS_BY_KEY[key], value, current=current)


def test_fahrenheit_ranges() -> None:
    threshold = SETTINGS_BY_KEY["temperature_alarm_threshold"]
    assert number_range(threshold) == (30, 45)
    assert number_range(threshold, fahrenheit=True) == (86.0, 113.0)
    assert encode(threshold, 100.0, fahrenheit=True) == "100.00"
    with pytest.raises(CommandError):
        encode(threshold, 100.0)
    assert number_range(SETTINGS_BY_KEY["volume"], fahrenheit=True) == (0, 100)


def test_build_set_setting() -> None:
    sent = body(build_set_setting(TOPIC, ID, SETTINGS_BY_KEY["volume"], 70, message_id="m1"))
    assert sent == {
        "operator": "UpSoundconfig",
        "messageId": "m1",
        "info": {"facesluiceId": ID, "Volume": "70"},
    }
    assert SETTINGS_BY_KEY["recognition_distance"].section is ConfigSection.FACE


def test_build_upgrade() -> None:
    sent = body(build_upgrade(TOPIC, ID, "http://10.0.0.2/fw/v2.SWX?sig=1", "v2", "m2"))
    assert sent["operator"] == "Upgrade"
    assert sent["info"] == {
        "facesluiceId": ID,
        "name": "v2",
        "path": "http://10.0.0.2/fw/v2.SWX?sig=1",
    }


@pytest.mark.parametrize(
    ("url", "name", "message"),
    [
        ("http://10.0.0.2/fw/v2.bin", "v2", "must end in .swx"),
        ("ftp://10.0.0.2/fw/v2.swx", "v2", "http"),
        ("http:///v2.swx", "v2", "http"),
        ("http://10.0.0.2/a b.swx", "v2", "without spaces"),
        (5, "v2", "must be a URL"),
        ("http://10.0.0.2/v2.swx", "", "name must be"),
        ("http://10.0.0.2/v2.swx", "x" * 64, "name must be"),
    ],
)
def test_build_upgrade_refuses(url: Any, name: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        build_upgrade(TOPIC, ID, url, name)


def test_build_ads() -> None:
    sent = body(build_edit_ad(TOPIC, ID, 4, "http://ha.local:8123/ad/x", poll_time=15))
    assert sent["operator"] == "EditAD"
    assert sent["info"] == {
        "facesluiceId": ID,
        "adid": "",
        "path": "http://ha.local:8123/ad/x",
        "adslot": "4",
        "polltime": "15",
    }
    deleted = body(build_delete_ad(TOPIC, ID, 0))
    assert deleted["operator"] == "DelAD"
    assert deleted["info"] == {"facesluiceId": ID, "adid": "", "adslot": "0"}


@pytest.mark.parametrize(
    ("slot", "poll_time", "message"),
    [
        (5, 10, "slot must be 0 to 4"),
        (-1, 10, "slot"),
        (True, 10, "slot"),
        (0, 0, "poll_time"),
        (0, 601, "poll_time"),
        (0, 1.5, "whole number"),
    ],
)
def test_build_ads_refuse(slot: Any, poll_time: Any, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        build_edit_ad(TOPIC, ID, slot, "http://h/x.jpg", poll_time=poll_time)
    if message.startswith("slot"):
        with pytest.raises(CommandError, match=message):
            build_delete_ad(TOPIC, ID, slot)


def test_build_factory_default() -> None:
    sent = body(build_factory_default(TOPIC, ID, ["door", "persons", "door"]))
    assert sent["operator"] == "SetFactoryDefault"
    assert sent["info"] == {"facesluiceId": ID, "DefaltDoorSet": "1", "DefaltPerson": "1"}


@pytest.mark.parametrize(
    ("parts", "message"), [([], "at least one"), ("door", "list"), (["everything"], "among")]
)
def test_build_factory_default_refuses(parts: Any, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        build_factory_default(TOPIC, ID, parts)
