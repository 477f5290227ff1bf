"""Set-up, unload, reload and device handling of the integration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.face_terminal import async_remove_config_entry_device, protocol
from custom_components.face_terminal.clock import clock_issue_id
from custom_components.face_terminal.const import DOMAIN

from . import payloads
from .conftest import TerminalResponder, fire, settle_probe, settle_settings, setup_entry
from .payloads import BASIC_TOPIC, COMMAND_TOPIC, TERMINAL_ID

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import device_registry as dr
    from homeassistant.helpers import issue_registry as ir
    from pytest_homeassistant_custom_component.typing import WebSocketGenerator


GET_CONFIG_OPERATORS = [section.get_operator for section in protocol.ConfigSection]


async def test_setup_and_unload(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """The entry loads, probes the terminal and unloads without leaving anything behind."""
    await setup_entry(hass, config_entry)
    await hass.async_block_till_done(wait_background_tasks=True)  # the version probe

    assert config_entry.state is ConfigEntryState.LOADED
    runtime = config_entry.runtime_data
    # The version probe, then the settings read that follows going online.
    assert terminal.operators() == ["Versions", "Versions", *GET_CONFIG_OPERATORS]
    assert runtime.state.online
    assert runtime.state.firmware == "v12.5.6L3M1-1.0.6.9"

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.NOT_LOADED

    # Unsubscribed: a record after unload reaches nobody and sends no PushAck.
    fire(hass, f"{COMMAND_TOPIC}/Rec", payloads.rec_push())
    await hass.async_block_till_done()
    assert "PushAck" not in terminal.operators()


async def test_reload(
    hass: HomeAssistant, terminal: TerminalResponder, loaded_entry: MockConfigEntry
) -> None:
    """Reloading gives a fresh runtime that works like the first one."""
    first = loaded_entry.runtime_data
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    await settle_probe(hass, loaded_entry)
    await settle_settings(hass, loaded_entry)

    assert loaded_entry.state is ConfigEntryState.LOADED
    assert loaded_entry.runtime_data is not first
    assert terminal.operators().count("Versions") == 4  # probe and settings read, twice

    # One subscription set only: a record is acknowledged once, not twice.
    fire(hass, f"{COMMAND_TOPIC}/Rec", payloads.rec_push())
    await hass.async_block_till_done()
    assert terminal.operators().count("PushAck") == 1


async def test_setup_without_mqtt(hass: HomeAssistant, config_entry: MockConfigEntry) -> None:
    """No MQTT integration: set-up is retried later."""
    config_entry.add_to_hass(hass)
    with patch(
        "custom_components.face_terminal.mqtt.async_wait_for_mqtt_client", return_value=False
    ):
        await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_with_mqtt_entry_missing(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """MQTT loads but has no config entry: the wait reports unavailable at once."""
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_terminal_not_answering_probe(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """A silent terminal does not block set-up; it stays offline, without firmware."""
    terminal.silent = True
    await setup_entry(hass, config_entry)
    assert config_entry.state is ConfigEntryState.LOADED
    runtime = config_entry.runtime_data
    assert not runtime.state.online
    # The probe is still waiting for its ack: unloading ends it.
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert runtime.state.firmware is None
    assert not runtime.session.pending


async def test_device_registry(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    loaded_entry: MockConfigEntry,
) -> None:
    """One device per terminal: identifiers, firmware from Versions-Ack, web page from the IP."""
    await hass.async_block_till_done(wait_background_tasks=True)  # the version probe
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, TERMINAL_ID), loaded_entry.entry_id
    )
    assert device is not None
    assert device.id == loaded_entry.runtime_data.device_id
    assert device.config_entry_id == loaded_entry.entry_id
    assert device.name == "Front door"
    assert device.serial_number == TERMINAL_ID
    assert device.sw_version == "v12.5.6L3M1-1.0.6.9"
    assert device.configuration_url == "http://192.168.1.50"


async def test_device_without_ip(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_registry: dr.DeviceRegistry,
    config_entry: MockConfigEntry,
) -> None:
    """An entry without an IP gets a device without a web page until Online says where."""
    data = dict(config_entry.data)
    data.pop("ip")
    entry = MockConfigEntry(
        domain=DOMAIN, title="Front door", unique_id=TERMINAL_ID, data=data, version=1
    )
    await setup_entry(hass, entry)
    device = device_registry.async_get_device_by_identifier((DOMAIN, TERMINAL_ID), entry.entry_id)
    assert device is not None
    assert device.configuration_url is None

    fire(hass, BASIC_TOPIC, payloads.online(ip="192.168.1.77"))
    await hass.async_block_till_done()
    device = device_registry.async_get_device_by_identifier((DOMAIN, TERMINAL_ID), entry.entry_id)
    assert device is not None
    assert device.configuration_url == "http://192.168.1.77"
    assert entry.data["ip"] == "192.168.1.77"


async def _remove_device(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, device_id: str, entry_id: str
) -> dict[str, Any]:
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": entry_id,
            "device_id": device_id,
        }
    )
    response: dict[str, Any] = await client.receive_json()
    return response


async def test_remove_devices(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    device_registry: dr.DeviceRegistry,
    loaded_entry: MockConfigEntry,
) -> None:
    """The terminal's own device cannot be removed; a stale device of the entry can."""
    own = device_registry.async_get_device_by_identifier(
        (DOMAIN, TERMINAL_ID), loaded_entry.entry_id
    )
    assert own is not None
    assert not await async_remove_config_entry_device(hass, loaded_entry, own)
    response = await _remove_device(hass, hass_ws_client, own.id, loaded_entry.entry_id)
    assert not response["success"]
    assert device_registry.async_get(own.id) is not None

    stale = device_registry.async_get_or_create(
        config_entry_id=loaded_entry.entry_id, identifiers={(DOMAIN, "9999999")}
    )
    assert await async_remove_config_entry_device(hass, loaded_entry, stale)
    response = await _remove_device(hass, hass_ws_client, stale.id, loaded_entry.entry_id)
    assert response["success"]
    assert device_registry.async_get(stale.id) is None


async def test_remove_entry_deletes_clock_issue(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    loaded_entry: MockConfigEntry,
) -> None:
    """Removing the entry takes its repair issue along."""
    fire(hass, BASIC_TOPIC, payloads.online(time="2001-01-01 00:00:00"))
    await hass.async_block_till_done()
    issue_id = clock_issue_id(loaded_entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    assert await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
