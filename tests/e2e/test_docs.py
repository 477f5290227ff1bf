"""The documents match the code: README dashboard and blueprint links, changelog version."""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import yaml

from harness.dashboard import terminal_dashboard

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
GITHUB = "https://github.com/face-terminal/face_terminal"
# Entity IDs Home Assistant gives a terminal named "Front door".
FRONT_DOOR_IDS = {
    key: f"{key.split('.')[0]}.front_door_{key.split('.')[1]}"
    for key in (
        "lock.door",
        "image.last_face",
        "sensor.last_person",
        "sensor.body_temperature",
        "binary_sensor.online",
        "camera.scene",
        "event.access",
    )
}


def test_readme_dashboard_is_the_one_the_browser_test_renders() -> None:
    match = re.search(r"<!-- dashboard-yaml:[^>]*-->\n```yaml\n(.*?)```", README, re.DOTALL)
    assert match is not None
    assert yaml.safe_load(match.group(1)) == terminal_dashboard("Front door", FRONT_DOOR_IDS)


def test_readme_links_every_blueprint_with_an_import_button() -> None:
    blueprints = sorted((REPO / "blueprints" / "automation" / "face_terminal").glob("*.yaml"))
    assert blueprints
    for path in blueprints:
        url = f"{GITHUB}/blob/main/{path.relative_to(REPO).as_posix()}"
        redirect = "https://my.home-assistant.io/redirect/blueprint_import/?blueprint_url="
        assert redirect + urllib.parse.quote(url, safe="") in README, path.name


def test_readme_screenshots_exist() -> None:
    pictures = re.findall(r"\]\((docs/images/[^)]+\.png)\)", README)
    assert len(pictures) >= 4
    for picture in pictures:
        assert (REPO / picture).is_file(), picture


def test_changelog_describes_the_manifest_version() -> None:
    manifest = json.loads(
        (REPO / "custom_components" / "face_terminal" / "manifest.json").read_text(encoding="utf-8")
    )
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, re.MULTILINE)
    assert releases[0] == manifest["version"]  # the newest entry is the version in the making
    assert f"[{manifest['version']}]: {GITHUB}/" in changelog
    assert f'version = "{manifest["version"]}"' in (REPO / "pyproject.toml").read_text()
