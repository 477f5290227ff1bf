"""Translations, icons and actions checked the way Home Assistant's hassfest checks them.

hassfest itself lives in Home Assistant's source tree, not in the installed package, so it
cannot run here; the GitHub workflow runs it on every push. These tests apply the same
rules with Home Assistant's own validators (`config_validation`), so a string the frontend
would show as "Translation error: INVALID_TAG" fails here first.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol
import yaml
from homeassistant.helpers import config_validation as cv

INTEGRATION = Path(__file__).parents[1] / "custom_components" / "face_terminal"
TRANSLATION_FILES = sorted((INTEGRATION / "translations").glob("*.json"))

# A translation key: lower-case letters, digits, "-" and "_"; not starting or ending with a
# separator and without two separators in a row.
_TRANSLATION_KEY = re.compile(r"^(?![_-])(?!.*[_-]{2})[a-z0-9_-]+(?<![_-])$")
_REFERENCE = re.compile(r"\[%key:[^%]+%\]")
# A link with a host name (a bare "http://" in prose is fine, as in hassfest).
_URL = re.compile(
    r"(?:(?:https?|mqtts?|ftps?|scp|socket|socks5)://|www\.)[a-z0-9]+(?:[.-][a-z0-9]+)*\.[a-z]{2,5}",
    re.IGNORECASE,
)
_QUOTED_PLACEHOLDER = re.compile(r"'\{\w+\}'")


def check_text(value: object) -> str:
    """One translated string: what hassfest's translation value validator refuses."""
    text = cv.string_with_no_html(value)
    if _QUOTED_PLACEHOLDER.search(text):
        raise vol.Invalid("placeholder inside single quotes")
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None and field != "" and not field.isidentifier():
            raise vol.Invalid(f"placeholder {{{field}}} is not an identifier")
    without_references = _REFERENCE.sub("", text)
    if without_references != text and without_references.strip():
        raise vol.Invalid("a reference must be the whole string")
    if text != text.strip():
        raise vol.Invalid("leading or trailing spaces")
    if _URL.search(text):
        raise vol.Invalid("URLs belong in description placeholders")
    return text


def check_key(value: object) -> str:
    """A key that names a translation (entity, state, option, field)."""
    if not isinstance(value, str) or not _TRANSLATION_KEY.match(value):
        raise vol.Invalid(f"invalid translation key {value!r}")
    return value


def walk(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every leaf of a nested mapping with its dotted path."""
    if isinstance(node, dict):
        leaves: list[tuple[str, Any]] = []
        for key, child in node.items():
            leaves.extend(walk(child, f"{path}.{key}" if path else key))
        return leaves
    return [(path, node)]


def translation_problems(strings: dict[str, Any]) -> list[str]:
    """Everything hassfest would report for one translation file."""
    problems = []
    for path, value in walk(strings):
        try:
            check_text(value)
        except vol.Invalid as err:
            problems.append(f"{path}: {err.msg}")
    for section in ("config", "options"):
        for step_id, step in strings.get(section, {}).get("step", {}).items():
            problems.extend(
                f"{section}.step.{step_id}: data_description {key} not in data"
                for key in step.get("data_description", {})
                if key not in step.get("data", {})
            )
    for platform, entities in strings.get("entity", {}).items():
        for key, entity in entities.items():
            for name in [key, *entity.get("state", {})]:
                try:
                    check_key(name)
                except vol.Invalid as err:
                    problems.append(f"entity.{platform}.{key}: {err.msg}")
    problems.extend(
        f"exceptions.{key}: not a slug"
        for key in strings.get("exceptions", {})
        if cv.slug(key) != key
    )
    return problems


def icon_problems(icons: dict[str, Any]) -> list[str]:
    """Everything hassfest's icon rules would report."""
    problems = []
    for path, value in walk(icons):
        if not isinstance(value, str) or not value.startswith("mdi:"):
            problems.append(f"{path}: not an mdi: icon")
            continue
        try:
            cv.string_with_no_html(value)
        except vol.Invalid as err:
            problems.append(f"{path}: {err.msg}")

    def same_as_default(section: dict[str, Any], where: str) -> None:
        default = section.get("default")
        for state, icon in section.get("state", {}).items():
            if icon == default:
                problems.append(f"{where}.state.{state}: same as the default icon")

    for platform, entities in icons.get("entity", {}).items():
        for key, entity in entities.items():
            where = f"entity.{platform}.{key}"
            same_as_default(entity, where)
            for attribute, section in entity.get("state_attributes", {}).items():
                same_as_default(section, f"{where}.state_attributes.{attribute}")
    return problems


@pytest.mark.parametrize("path", TRANSLATION_FILES, ids=lambda path: path.name)
def test_translation_file_passes_hassfest_rules(path: Path) -> None:
    """Every string of every translation file passes Home Assistant's validators."""
    assert translation_problems(json.loads(path.read_text(encoding="utf-8"))) == []


def test_icons_pass_hassfest_rules() -> None:
    """icons.json: mdi icons only, no state icon that repeats its default."""
    assert icon_problems(json.loads((INTEGRATION / "icons.json").read_text())) == []


def test_every_action_is_translated_and_has_an_icon() -> None:
    """services.yaml, en.json and icons.json name the same actions and fields."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    strings = json.loads((INTEGRATION / "translations" / "en.json").read_text())["services"]
    icons = json.loads((INTEGRATION / "icons.json").read_text())["services"]
    assert set(services) == set(strings) == set(icons)
    for action, spec in services.items():
        assert strings[action]["name"]
        assert strings[action]["description"]
        fields = set()
        for name, field in (spec or {}).get("fields", {}).items():
            # A collapsible section lists its own fields; its name is translated too.
            fields |= set(field["fields"]) if "fields" in (field or {}) else {name}
        translated = set(strings[action].get("fields", {}))
        assert fields == translated, action


@pytest.mark.parametrize(
    "bad",
    [
        "Use `mqtt/face/<terminal ID>`",  # the bug hassfest found (INVALID_TAG)
        "<b>bold</b>",
        " leading space",
        "See https://example.com",
        "Quoted '{name}'",
        "Broken {not-an-identifier}",
        "Mixed [%key:common::config_flow::data::host%] text",
    ],
)
def test_the_check_refuses_what_hassfest_refuses(bad: str) -> None:
    """The validator is not vacuous: each known-bad string is reported."""
    assert translation_problems({"config": {"step": {"user": {"description": bad}}}})


def test_the_icon_check_refuses_a_repeated_default() -> None:
    """The icon check is not vacuous either."""
    icons = {
        "entity": {
            "event": {
                "scan": {
                    "default": "mdi:qrcode-scan",
                    "state_attributes": {
                        "event_type": {
                            "default": "mdi:qrcode-scan",
                            "state": {"qr_code": "mdi:qrcode-scan"},
                        }
                    },
                }
            }
        }
    }
    assert icon_problems(icons) == [
        "entity.event.scan.state_attributes.event_type.state.qr_code: same as the default icon"
    ]
    assert icon_problems({"entity": {"lock": {"door": {"default": "door"}}}})


def placeholders(text: str) -> set[str]:
    """The `{placeholder}` names a string uses."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


@pytest.mark.parametrize(
    "path", [path for path in TRANSLATION_FILES if path.name != "en.json"], ids=lambda p: p.name
)
def test_translation_matches_english(path: Path) -> None:
    """Every translation has exactly the English keys, and keeps every placeholder."""
    english = dict(walk(json.loads((INTEGRATION / "translations" / "en.json").read_text())))
    other = dict(walk(json.loads(path.read_text(encoding="utf-8"))))
    assert sorted(set(english) - set(other)) == [], "untranslated"
    assert sorted(set(other) - set(english)) == [], "not in en.json"
    changed = {
        key: (placeholders(english[key]), placeholders(other[key]))
        for key in english
        if placeholders(english[key]) != placeholders(other[key])
    }
    assert changed == {}
    assert [key for key, text in other.items() if not text.strip()] == []


def test_chinese_is_a_translation_not_a_copy() -> None:
    """zh-Hans is written in Chinese: most of its prose holds CJK characters."""
    other = dict(walk(json.loads((INTEGRATION / "translations" / "zh-Hans.json").read_text())))
    cjk = [key for key, text in other.items() if re.search(r"[\u4e00-\u9fff]", text)]
    assert len(cjk) / len(other) > 0.9
