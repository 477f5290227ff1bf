"""The terminal's settings as configuration entities (number, select, switch, text)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.select import ATTR_OPTION, SERVICE_SELECT_OPTION
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_UNIT_OF_MEASUREMENT,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    EntityCategory,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.face_terminal import protocol
from custom_components.face_terminal.const import CONF_OFFLINE_TIMEOUT, SETTINGS_REFRESH_INTERVAL
from custom_components.face_terminal.protocol import ConfigSection
from custom_components.face_terminal.protocol.settings import SETTINGS_BY_KEY

from . import payloads
from .conftest import TerminalResponder, fire, settle_settings, setup_entry

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import entity_registry as er
    from pytest_homeassistant_custom_component.common import MockConfigEntry

# Settings a household rarely changes are created disabled: these tests enable them.
pytestmark = pytest.mark.usefixtures("all_entities_enabled")

VOLUME = "number.front_door_volume"
THRESHOLD = "number.front_door_fever_threshold"
DOOR_MODE = "select.front_door_door_mode"
MASK = "switch.front_door_mask_check"
STRANGER_UPLOAD = "switch.front_door_stranger_upload"
SUCCESS_TEXT = "text.front_door_success_text"
DISTANCE = "number.front_door_face_distance"


def state(hass: HomeAssistant, entity_id: str) -> str:
    return hass.states.get(entity_id).state


def refuse(operator: str, code: str = "462", detail: str = "Parameter error") -> Any:
    return lambda command: payloads.ack(
        operator, command["messageId"], code=code, result="fail", detail=detail
    )


async def test_values_as_reported(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """Each entity shows what the terminal reported, as a configuration entity."""
    assert state(hass, VOLUME) == "90.0"
    assert state(hass, DOOR_MODE) == "face"
    assert state(hass, MASK) == STATE_OFF
    assert state(hass, STRANGER_UPLOAD) == STATE_ON  # StrangerUploadType 0 = upload
    assert state(hass, SUCCESS_TEXT) == "please pass"  # reported as "Verifytipcontent"
    assert state(hass, DISTANCE) == "200.0"
    assert state(hass, "select.front_door_liveness_check") == "on"
    volume = hass.states.get(VOLUME)
    assert volume.attributes["min"] == 0
    assert volume.attributes["max"] == 100
    assert hass.states.get(THRESHOLD).attributes[ATTR_UNIT_OF_MEASUREMENT] == "°C"
    assert entity_registry.async_get(VOLUME).entity_category is EntityCategory.CONFIG
    # Which settings are created enabled: tests/test_household.py (without this module's
    # all_entities_enabled).


async def test_change_is_confirmed_then_read_back(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    await hass.services.async_call(
        "number", SERVICE_SET_VALUE, {ATTR_ENTITY_ID: VOLUME, ATTR_VALUE: 40}, blocking=True
    )
    sent = terminal.last("UpSoundconfig")
    assert sent["info"] == {"facesluiceId": payloads.TERMINAL_ID, "Volume": "40"}
    # The group is read again after the change.
    assert terminal.operators()[-2:] == ["UpSoundconfig", "GetSoundconfig"]
    assert state(hass, VOLUME) == "40.0"

    await hass.services.async_call(
        "select",
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: DOOR_MODE, ATTR_OPTION: "remote"},
        blocking=True,
    )
    assert terminal.last("UpDoorconfig")["info"]["OpendoorWay"] == "1"
    assert state(hass, DOOR_MODE) == "remote"

    await hass.services.async_call("switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: MASK}, blocking=True)
    assert terminal.last("UpDoorconfig")["info"]["VerifyMode"] == "257"
    assert state(hass, MASK) == STATE_ON
    await hass.services.async_call(
        "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: STRANGER_UPLOAD}, blocking=True
    )
    assert terminal.last("UpMQTTconfig")["info"]["StrangerUploadType"] == "1"
    assert state(hass, STRANGER_UPLOAD) == STATE_OFF

    await hass.services.async_call(
        "text", "set_value", {ATTR_ENTITY_ID: SUCCESS_TEXT, ATTR_VALUE: "Welcome"}, blocking=True
    )
    assert terminal.last("UpSoundconfig")["info"]["VerifyTipContent"] == "Welcome"
    assert state(hass, SUCCESS_TEXT) == "Welcome"


async def test_state_is_what_the_terminal_stored(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """The terminal accepts but stores something else: the entity shows what it stored."""
    terminal.replies["UpFaceconfig"] = lambda command: payloads.ack(
        "UpFaceconfig", command["messageId"]
    )  # accepted, but nothing changes
    await hass.services.async_call(
        "number", SERVICE_SET_VALUE, {ATTR_ENTITY_ID: DISTANCE, ATTR_VALUE: 100}, blocking=True
    )
    assert state(hass, DISTANCE) == "200.0"


async def test_refusal_names_the_reason(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    terminal.replies["UpDoorconfig"] = refuse("UpDoorconfig", "463", "VerifyMode error")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: MASK}, blocking=True
        )
    assert err.value.translation_key == "setting_refused"
    assert "invalid VerifyMode" in err.value.translation_placeholders["reason"]
    assert err.value.translation_placeholders["setting"] == "mask_check"
    assert state(hass, MASK) == STATE_OFF


async def test_out_of_range_never_sent(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    for value in (101, -5):
        with pytest.raises(ServiceValidationError):
            await hass.services.async_call(
                "number",
                SERVICE_SET_VALUE,
                {ATTR_ENTITY_ID: VOLUME, ATTR_VALUE: value},
                blocking=True,
            )
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "select",
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: DOOR_MODE, ATTR_OPTION: "open"},
            blocking=True,
        )
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "text",
            "set_value",
            {ATTR_ENTITY_ID: SUCCESS_TEXT, ATTR_VALUE: "é" * 40},
            blocking=True,
        )
    assert err.value.translation_key == "text_too_long"
    assert "UpSoundconfig" not in terminal.operators()
    assert "UpDoorconfig" not in terminal.operators()


async def test_offline(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    assert state(hass, VOLUME) == STATE_UNAVAILABLE
    assert state(hass, MASK) == STATE_UNAVAILABLE
    with pytest.raises(HomeAssistantError) as err:
        await loaded_entry.runtime_data.settings.async_set(SETTINGS_BY_KEY["volume"], 50)
    assert err.value.translation_key == "terminal_offline"
    assert "UpSoundconfig" not in terminal.operators()


async def test_unreported_group_stays_unavailable(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """A terminal without a thermometer refuses GetTPTconfig: no guessed temperatures."""
    terminal.replies["GetTPTconfig"] = refuse("GetTPTconfig")
    await setup_entry(hass, config_entry)
    assert state(hass, THRESHOLD) == STATE_UNAVAILABLE
    assert state(hass, "switch.front_door_show_fever") == STATE_UNAVAILABLE
    assert state(hass, VOLUME) == "90.0"
    settings = config_entry.runtime_data.settings
    assert "temperature" in settings.as_diagnostics()["refused"]
    with pytest.raises(HomeAssistantError) as err:
        await settings.async_set(SETTINGS_BY_KEY["temperature_alarm_threshold"], 38.0)
    assert err.value.translation_key == "setting_not_reported"


async def test_current_values_answer_other_modules_without_asking(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """What the store read recently answers `async_current`; a refusal too (None)."""
    terminal.replies["GetTPTconfig"] = refuse("GetTPTconfig")
    await setup_entry(hass, config_entry)
    settings = config_entry.runtime_data.settings
    sent = len(terminal.operators())

    mqtt = await settings.async_current(ConfigSection.MQTT)

    assert mqtt is not None
    assert mqtt["ResumefromBreakpoint"] == "1"
    assert await settings.async_current(ConfigSection.TEMPERATURE) is None
    assert len(terminal.operators()) == sent  # nothing asked


async def test_current_values_share_a_read_under_way(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """Nothing recent: one read, shared by everyone who asks while it is under way."""
    settings = loaded_entry.runtime_data.settings
    settings.answered_at.clear()  # what the store read is too old for the callers now
    terminal.replies["GetMQTTconfig"] = lambda _command: None  # the answer comes below
    before = terminal.operators().count("GetMQTTconfig")

    first = hass.async_create_task(settings.async_current(ConfigSection.MQTT))
    for _ in range(100):
        if terminal.operators().count("GetMQTTconfig") > before:
            break
        await asyncio.sleep(0)
    second = hass.async_create_task(settings.async_current(ConfigSection.MQTT))
    refresh = hass.async_create_task(settings.async_refresh())
    await asyncio.sleep(0)
    assert not first.done()
    fire(
        hass,
        f"{payloads.COMMAND_TOPIC}/Ack",
        payloads.ack(
            "GetMQTTconfig",
            terminal.last("GetMQTTconfig")["messageId"],
            ResumefromBreakpoint="0",
        ),
    )
    await hass.async_block_till_done()

    assert (await first)["ResumefromBreakpoint"] == "0"
    assert (await second)["ResumefromBreakpoint"] == "0"
    await refresh
    assert terminal.operators().count("GetMQTTconfig") == before + 1


async def test_current_values_of_an_offline_terminal(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    settings = loaded_entry.runtime_data.settings
    settings.answered_at.clear()
    fire(hass, payloads.BASIC_TOPIC, payloads.offline())
    await hass.async_block_till_done()
    assert await settings.async_current(ConfigSection.MQTT) is None


async def test_fahrenheit(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """TemperatureMode 1: thresholds and the body temperature are in °F."""
    terminal.config["GetTPTconfig"].update(TemperatureMode="1", TemperatureHigh="99.50")
    await setup_entry(hass, config_entry)
    # Home Assistant shows °C here (metric test system): 99.5 °F is 37.5 °C.
    threshold = hass.states.get(THRESHOLD)
    assert threshold.state == "37.5"
    assert threshold.attributes["max"] == 45.0  # 113 °F
    await hass.services.async_call(
        "number", SERVICE_SET_VALUE, {ATTR_ENTITY_ID: THRESHOLD, ATTR_VALUE: 38}, blocking=True
    )
    assert terminal.last("UpTPTconfig")["info"]["TemperatureHigh"] == "100.40"  # 38 °C in °F

    fire(hass, payloads.REC_TOPIC, payloads.rec_push(temperature="98.60"))
    await hass.async_block_till_done()
    body = hass.states.get("sensor.front_door_body_temperature")
    assert body.state == "37.0"  # 98.6 °F, not 98.6 °C


async def test_web_page_change_shows_after_periodic_read(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    terminal: TerminalResponder,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A change made on the terminal's own page appears after the next periodic read."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, CONF_OFFLINE_TIMEOUT: 3600}
    )
    await setup_entry(hass, config_entry)
    terminal.config["GetSoundconfig"]["Volume"] = "20"
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert state(hass, VOLUME) == "90.0"  # not yet
    freezer.tick(SETTINGS_REFRESH_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    await settle_settings(hass, config_entry)
    assert state(hass, VOLUME) == "20.0"


async def test_silent_group_does_not_stop_the_read(
    hass: HomeAssistant, terminal: TerminalResponder, config_entry: MockConfigEntry
) -> None:
    """Firmware that ignores GetFaceconfig: the other groups are still read."""
    terminal.replies["Versions"] = refuse("Versions", "461", "no version")
    await setup_entry(hass, config_entry)
    runtime = config_entry.runtime_data
    original = runtime.async_request

    async def no_face_config(what: Any, **kwargs: Any) -> Any:
        if what == protocol.ReadConfig(protocol.ConfigSection.FACE):
            raise HomeAssistantError("no answer")  # what a timeout raises, without an ack
        return await original(what, **kwargs)

    runtime.settings.parameters.clear()
    with patch.object(runtime, "async_request", no_face_config):
        await runtime.settings.async_refresh()
    assert runtime.settings.firmware is None
    assert state(hass, DISTANCE) == STATE_UNAVAILABLE
    assert state(hass, VOLUME) == "90.0"


async def test_refresh_requested_while_reading_runs_again(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    settings = loaded_entry.runtime_data.settings
    before = terminal.operators().count("GetFaceconfig")
    sent = len(terminal.operators())
    settings.async_schedule_refresh()
    settings.async_schedule_refresh()  # before it started: the same read answers both
    for _ in range(100):
        if len(terminal.operators()) > sent:
            break  # the read is under way
        await asyncio.sleep(0)
    settings.async_schedule_refresh()  # while it runs: once more afterwards
    await settle_settings(hass, loaded_entry)
    assert terminal.operators().count("GetFaceconfig") == before + 2


async def test_change_that_restarts_is_not_read_back(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, terminal: TerminalResponder
) -> None:
    """Upconfig-Ack with reboot 1: the terminal restarts, the group is read when it is back."""
    terminal.replies["Upconfig"] = lambda command: payloads.ack(
        "Upconfig", command["messageId"], reboot="1"
    )
    settings = loaded_entry.runtime_data.settings
    await settings.async_set(SETTINGS_BY_KEY["language"], "french")
    assert terminal.last("Upconfig")["info"]["Language"] == "7"
    assert terminal.operators()[-1] == "Upconfig"
    assert settings.value(SETTINGS_BY_KEY["language"]) == "french"
    await settings.async_set(SETTINGS_BY_KEY["face_frame"], False)
    assert terminal.operators()[-1] == "Upconfig"  # reboot 1 in the ack


@pytest.mark.parametrize(
    ("domain", "service", "entity_id", "data", "operator"),
    [
        ("number", SERVICE_SET_VALUE, VOLUME, {ATTR_VALUE: 10}, "UpSoundconfig"),
        ("select", SERVICE_SELECT_OPTION, DOOR_MODE, {ATTR_OPTION: "remote"}, "UpDoorconfig"),
        ("switch", SERVICE_TURN_OFF, STRANGER_UPLOAD, {}, "UpMQTTconfig"),
        ("text", "set_value", SUCCESS_TEXT, {ATTR_VALUE: "Hello"}, "UpSoundconfig"),
    ],
)
async def test_each_platform_reports_a_refusal(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    terminal: TerminalResponder,
    *,
    domain: str,
    service: str,
    entity_id: str,
    data: dict[str, Any],
    operator: str,
) -> None:
    before = state(hass, entity_id)
    terminal.replies[operator] = refuse(operator)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
        )
    assert err.value.translation_key == "setting_refused"
    assert "462" in err.value.translation_placeholders["reason"]
    assert state(hass, entity_id) == before
