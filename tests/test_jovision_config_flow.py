"""Jovision family: receiver setup, device discovery flow, options and reconfigure."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import (
    SOURCE_INTEGRATION_DISCOVERY,
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntryState,
)
from homeassistant.const import CONF_NAME
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.face_terminal.config_flow_jovision import CONF_NEW_ADDRESS
from custom_components.face_terminal.const import (
    CONF_COMMAND_TOPIC,
    CONF_FAMILY,
    CONF_FIRMWARE,
    CONF_HOST,
    CONF_MAC,
    CONF_MODEL,
    CONF_OFFLINE_TIMEOUT,
    CONF_PERSON_NAMES,
    CONF_TERMINAL_ID,
    CONF_UUID,
    CONF_WEBHOOK_ID,
    DOMAIN,
    FAMILY_JOVISION,
    JOVISION_RECEIVER_UNIQUE_ID,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.data_entry_flow import FlowResult
    from pytest_homeassistant_custom_component.typing import (
        MqttMockHAClient,
        WebSocketGenerator,
    )

UUID = "12721SSQSQCA"
WEBHOOK_ID = "0123456789abcdef0123456789abcdef"
FLOW = "custom_components.face_terminal.config_flow_jovision"


def device_data(**fields: Any) -> dict[str, Any]:
    return {
        CONF_UUID: UUID,
        CONF_MAC: "E0:62:90:AB:CD:EF",
        CONF_HOST: "192.168.1.64",
        CONF_MODEL: "Comparison machine",
        CONF_FIRMWARE: "V2.1.0",
        **fields,
    }


async def start_jovision(hass: HomeAssistant) -> FlowResult:
    """Open the menu and pick Jovision."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "jovision"}
    )


async def set_internal_url(hass: HomeAssistant, url: str) -> None:
    await async_process_ha_core_config(hass, {"internal_url": url})


@pytest.fixture(autouse=True)
def _mqtt(mqtt_mock: MqttMockHAClient) -> None:
    """MQTT is a dependency of the integration."""


async def test_receiver_created(hass: HomeAssistant) -> None:
    """The receiver entry holds a fresh webhook ID; the device settings are shown."""
    await set_internal_url(hass, "http://192.168.1.10:8123")
    result = await start_jovision(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jovision"
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["host"] == "192.168.1.10"
    assert placeholders["port"] == "8123"
    path = placeholders["path"]
    assert re.fullmatch(r"/api/webhook/[0-9a-f]{32}", path)
    assert placeholders["address"] == f"http://192.168.1.10:8123{path}"

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Jovision receiver"
    assert result["data"] == {CONF_FAMILY: FAMILY_JOVISION, CONF_WEBHOOK_ID: path.rsplit("/")[-1]}
    assert result["description"] == "jovision_receiver"
    assert result["description_placeholders"] == placeholders
    entry = result["result"]
    assert entry.unique_id == JOVISION_RECEIVER_UNIQUE_ID

    # A second receiver is refused with the first one's settings: the address is found again.
    result = await start_jovision(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "receiver_already_configured"
    assert result["description_placeholders"] == placeholders


async def entries_as_frontend_sees_them(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> dict[str, dict[str, Any]]:
    """The integration's entries as the config-entries page gets them, by title."""
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "config_entries/get", "domain": DOMAIN})
    response = await client.receive_json()
    assert response["success"]
    return {entry["title"]: entry for entry in response["result"]}


async def test_options_gear(hass: HomeAssistant, hass_ws_client: WebSocketGenerator) -> None:
    """The receiver shows no options gear; a Jovision device and a terminal do."""
    await set_internal_url(hass, "http://192.168.1.10:8123")
    result = await start_jovision(hass)
    await hass.config_entries.flow.async_configure(result["flow_id"], {})
    MockConfigEntry(
        domain=DOMAIN,
        title="FaceGate",
        unique_id=UUID,
        data={CONF_FAMILY: FAMILY_JOVISION, **device_data()},
    ).add_to_hass(hass)
    MockConfigEntry(
        domain=DOMAIN,
        title="Front door",
        unique_id="1305433",
        data={CONF_TERMINAL_ID: "1305433", CONF_COMMAND_TOPIC: "mqtt/face/1305433"},
    ).add_to_hass(hass)

    entries = await entries_as_frontend_sees_them(hass, hass_ws_client)
    assert {title: entry["supports_options"] for title, entry in entries.items()} == {
        "Jovision receiver": False,
        "FaceGate": True,
        "Front door": True,
    }
    assert entries["Jovision receiver"]["supports_reconfigure"] is True


async def test_receiver_reconfigure_shows_address(hass: HomeAssistant) -> None:
    """The receiver's reconfigure step shows the address; leaving it changes nothing."""
    await set_internal_url(hass, "http://192.168.1.10:8123")
    receiver = receiver_entry(hass)
    result = await receiver.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure_receiver"
    placeholders = result["description_placeholders"]
    assert placeholders == {
        "address": f"http://192.168.1.10:8123/api/webhook/{WEBHOOK_ID}",
        "host": "192.168.1.10",
        "port": "8123",
        "path": f"/api/webhook/{WEBHOOK_ID}",
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NEW_ADDRESS: False}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "receiver_unchanged"
    assert result["description_placeholders"] == placeholders
    assert receiver.data[CONF_WEBHOOK_ID] == WEBHOOK_ID


async def test_receiver_reconfigure_new_address(hass: HomeAssistant) -> None:
    """A new address replaces the webhook ID, reloads the receiver and is shown."""
    await set_internal_url(hass, "http://192.168.1.10:8123")
    receiver = receiver_entry(hass)
    assert await hass.config_entries.async_setup(receiver.entry_id)
    result = await receiver.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NEW_ADDRESS: True}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "receiver_address_changed"
    new_id = receiver.data[CONF_WEBHOOK_ID]
    assert re.fullmatch(r"[0-9a-f]{32}", new_id)
    assert new_id != WEBHOOK_ID
    assert result["description_placeholders"]["path"] == f"/api/webhook/{new_id}"
    await hass.async_block_till_done()
    assert receiver.runtime_data.webhook_id == new_id
    assert receiver.state is ConfigEntryState.LOADED


async def test_receiver_reconfigure_without_url(hass: HomeAssistant) -> None:
    """Without a local address the receiver's reconfigure explains why."""
    receiver = receiver_entry(hass)
    with patch(f"{FLOW}.get_url", side_effect=NoURLAvailableError):
        result = await receiver.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_internal_url"


def receiver_entry(hass: HomeAssistant) -> MockConfigEntry:
    """The receiver entry, added to Home Assistant."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Jovision receiver",
        unique_id=JOVISION_RECEIVER_UNIQUE_ID,
        data={CONF_FAMILY: FAMILY_JOVISION, CONF_WEBHOOK_ID: WEBHOOK_ID},
    )
    entry.add_to_hass(hass)
    return entry


async def test_receiver_no_url(hass: HomeAssistant) -> None:
    """Without a local address the flow explains why it cannot continue."""
    with patch(f"{FLOW}.get_url", side_effect=NoURLAvailableError):
        result = await start_jovision(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_internal_url"


async def test_receiver_https(hass: HomeAssistant) -> None:
    """A local HTTPS address cannot be used by the devices."""
    await set_internal_url(hass, "https://192.168.1.10:8123")
    result = await start_jovision(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "https_not_supported"
    assert result["description_placeholders"] == {"url": "https://192.168.1.10:8123"}


async def test_discovery_confirm(hass: HomeAssistant) -> None:
    """A discovered device is added after confirmation."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={**device_data(), CONF_NAME: "FaceGate"},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jovision_confirm"
    assert result["description_placeholders"] == {
        "name": "FaceGate",
        "uuid": UUID,
        "mac": "E0:62:90:AB:CD:EF",
        "host": "192.168.1.64",
        "model": "Comparison machine",
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "FaceGate"
    assert result["data"] == {CONF_FAMILY: FAMILY_JOVISION, **device_data()}


async def test_discovery_sparse(hass: HomeAssistant) -> None:
    """Unknown fields show as a dash."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={CONF_UUID: UUID},
    )
    assert result["description_placeholders"] == {
        "name": f"Jovision {UUID}",
        "uuid": UUID,
        "mac": "-",
        "host": "-",
        "model": "-",
    }


async def test_discovery_configured_updates_host(hass: HomeAssistant) -> None:
    """A known device aborts; its new IP address is written to the entry."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=UUID, data={CONF_FAMILY: FAMILY_JOVISION, **device_data()}
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data=device_data(host="192.168.1.77"),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "192.168.1.77"

    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data=device_data(host=None),
    )
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "192.168.1.77"


async def test_reconfigure_not_supported(hass: HomeAssistant) -> None:
    """Jovision entries have nothing to reconfigure."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=UUID, data={CONF_FAMILY: FAMILY_JOVISION, **device_data()}
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_not_supported"


async def test_options(hass: HomeAssistant) -> None:
    """Offline timeout and person names; bad name lines are refused."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=UUID,
        data={CONF_FAMILY: FAMILY_JOVISION, **device_data()},
        options={CONF_OFFLINE_TIMEOUT: 120, CONF_PERSON_NAMES: {"12": "Bob", "3": "Alice"}},
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "jovision"
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {CONF_OFFLINE_TIMEOUT: 120, CONF_PERSON_NAMES: "3 = Alice\n12 = Bob"}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_OFFLINE_TIMEOUT: 60, CONF_PERSON_NAMES: "Alice"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PERSON_NAMES: "invalid_person_names"}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_OFFLINE_TIMEOUT: 60, CONF_PERSON_NAMES: " 007 = Chen Zhen \n\n8: Li  "},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_OFFLINE_TIMEOUT: 60,
        CONF_PERSON_NAMES: {"7": "Chen Zhen", "8": "Li"},
    }
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)


async def test_options_defaults(hass: HomeAssistant) -> None:
    """Without options the form suggests the defaults; names may be left out."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=UUID, data={CONF_FAMILY: FAMILY_JOVISION, **device_data()}
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_OFFLINE_TIMEOUT: 90}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {CONF_OFFLINE_TIMEOUT: 90, CONF_PERSON_NAMES: {}}
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)
