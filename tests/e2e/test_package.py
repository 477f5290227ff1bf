"""The release zip, installed as HACS installs it, runs a terminal in a real Home Assistant.

`scripts/package.py` builds the zip (as the release workflow does); it is unpacked into
`custom_components/face_terminal/` of a fresh configuration folder (no link to this
repository, no blueprints: HACS ships neither), Home Assistant starts from it with its
own mosquitto, and a simulated terminal is added through the config flow. What the zip
must carry is then read back from Home Assistant itself: the translations (English and
Chinese), the icons, the brand images and the actions of services.yaml.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_socket
import yaml

from harness.home_assistant import HomeAssistantClient, HomeAssistantProcess
from simulator import Mosquitto, Terminal

from .conftest import wait_for_state

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.timeout(300)

REPO = Path(__file__).resolve().parents[2]
TERMINAL_ID = "2207001"


class InstalledFromZip(HomeAssistantProcess):
    """Home Assistant whose custom_components hold what the zip holds, and nothing else."""

    zip_path: Path

    def prepare(self) -> None:
        """Unpack the zip as HACS does, then the harness's usual configuration."""
        target = self.config_dir / "custom_components" / "face_terminal"
        if not target.exists():
            target.mkdir(parents=True)
            with zipfile.ZipFile(self.zip_path) as archive:
                archive.extractall(target)
        super().prepare()  # leaves an existing custom_components alone
        # The harness copies the repository's blueprints in for the other tests; an
        # installation from HACS has none.
        shutil.rmtree(self.config_dir / "blueprints", ignore_errors=True)


def build_zip(output: Path) -> Path:
    """Run the packaging script as the release workflow and `scripts/package` do."""
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "package.py"), "--output", str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return output


@pytest.fixture
async def installed(
    tmp_path: Path,
) -> AsyncIterator[tuple[InstalledFromZip, HomeAssistantClient, Mosquitto, Path]]:
    """Mosquitto and an onboarded Home Assistant with MQTT, running the unpacked zip."""
    pytest_socket.enable_socket()
    zip_path = build_zip(tmp_path / "dist" / "face_terminal.zip")
    broker = Mosquitto()
    hass = InstalledFromZip(tmp_path / "config", frontend=True)
    hass.zip_path = zip_path
    client = HomeAssistantClient(hass.url)
    try:
        broker.start()
        hass.start()
        await hass.wait_until_up()
        await client.onboard_or_login()
        await client.setup_mqtt(broker.port)
        yield hass, client, broker, zip_path
    finally:
        await client.close()
        hass.stop()
        broker.cleanup()


async def add_terminal_by_hand(client: HomeAssistantClient, terminal_id: str) -> dict[str, Any]:
    """Add → Face Recognition Terminal → … (MQTT), by its ID → terminal ID, as a user does."""
    flow = await client.post("/api/config/config_entries/flow", {"handler": "face_terminal"})
    assert flow["type"] == "menu", flow
    assert flow["menu_options"] == ["find_terminals", "mqtt_terminal", "jovision"]
    form = await client.post(
        f"/api/config/config_entries/flow/{flow['flow_id']}", {"next_step_id": "mqtt_terminal"}
    )
    assert form["type"] == "form", form
    assert form["step_id"] == "mqtt_terminal"
    result: dict[str, Any] = await client.post(
        f"/api/config/config_entries/flow/{flow['flow_id']}", {"terminal_id": terminal_id}
    )
    return result


async def test_release_zip_installs_and_sets_a_terminal_up(
    installed: tuple[InstalledFromZip, HomeAssistantClient, Mosquitto, Path],
) -> None:
    hass, client, broker, zip_path = installed
    integration = hass.config_dir / "custom_components" / "face_terminal"
    assert not integration.is_symlink()
    # (Home Assistant puts its own example blueprints there; ours are imported by users.)
    assert not (hass.config_dir / "blueprints" / "automation" / "face_terminal").exists()
    with zipfile.ZipFile(zip_path) as archive:
        shipped = set(archive.namelist())
        services_yaml = yaml.safe_load(archive.read("services.yaml"))
        brand_icon = archive.read("brand/icon.png")

    # The config flow, with a simulated terminal on the broker: it is heard and added.
    terminal = Terminal(
        TERMINAL_ID,
        broker.host,
        broker.port,
        resume=True,
        online_repeat=1.0,
        heartbeat=10.0,
        keepalive=10,
    )
    terminal.start()
    try:
        assert terminal.wait_connected(10), "the simulated terminal did not connect"
        result = await add_terminal_by_hand(client, TERMINAL_ID)
        assert result["type"] == "create_entry", result
        entry = await client.wait_for_entry(TERMINAL_ID)
        assert entry["domain"] == "face_terminal"
        entities = await client.entity_ids(TERMINAL_ID)
        assert {"lock.door", "binary_sensor.online", "event.access"} <= set(entities)
        await wait_for_state(client, entities["binary_sensor.online"], "on", timeout=30)
    finally:
        terminal.stop()

    # Translations, from translations/*.json in the zip.
    for language, title in (
        ("en", "Add a face recognition terminal"),
        ("zh-Hans", None),
    ):
        strings = await client.ws(
            {
                "type": "frontend/get_translations",
                "language": language,
                "category": "config",
                "integration": ["face_terminal"],
            }
        )
        resources = strings["resources"]
        text = resources.get("component.face_terminal.config.step.mqtt_terminal.title")
        assert text, f"no {language} translation of the config flow"
        if title is not None:
            assert text == title
        else:
            assert text != "Add a face recognition terminal"  # really the Chinese one
    entity_names = await client.ws(
        {
            "type": "frontend/get_translations",
            "language": "en",
            "category": "entity",
            "integration": ["face_terminal"],
        }
    )
    assert any(
        key.startswith("component.face_terminal.entity.") for key in entity_names["resources"]
    )

    # Icons, from icons.json.
    icons = await client.ws(
        {"type": "frontend/get_icons", "category": "entity", "integration": "face_terminal"}
    )
    assert icons["resources"]["face_terminal"], "no entity icons"
    action_icons = await client.ws(
        {"type": "frontend/get_icons", "category": "services", "integration": "face_terminal"}
    )
    assert set(action_icons["resources"]["face_terminal"]) >= {"unlock", "enrol_person"}

    # The brand images, served from the integration's brand/ folder (not the CDN).
    for image, name in (("icon.png", "brand/icon.png"), ("icon@2x.png", "brand/icon@2x.png")):
        assert name in shipped
        status, body = await client.get_bytes(
            f"/api/brands/integration/face_terminal/{image}?placeholder=no"
        )
        assert status == 200, image
        assert body[:8] == b"\x89PNG\r\n\x1a\n"
        if image == "icon.png":
            assert body == brand_icon

    # Every action of services.yaml is registered with its fields and their names.
    services = await client.ws({"type": "get_services"})
    registered = services["face_terminal"]
    assert set(registered) == set(services_yaml)
    for action, description in services_yaml.items():
        assert set(registered[action]["fields"]) == set(description.get("fields") or {}), action
        assert ("target" in registered[action]) == ("target" in description), action
    action_names = await client.ws(
        {
            "type": "frontend/get_translations",
            "language": "en",
            "category": "services",
            "integration": ["face_terminal"],
        }
    )
    for action in services_yaml:
        assert action_names["resources"].get(f"component.face_terminal.services.{action}.name")
