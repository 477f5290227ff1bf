"""Tests of the roster actions: sync_persons and delete_all_persons, reports, progress, state."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
)

from custom_components.face_terminal.const import CONF_COMMAND_TOPIC, CONF_TERMINAL_ID, DOMAIN
from custom_components.face_terminal.device import Capability
from custom_components.face_terminal.photo_server import PHOTO_URL_PREFIX
from custom_components.face_terminal.protocol.roster import Fingerprint
from custom_components.face_terminal.roster import services as roster_services
from custom_components.face_terminal.roster import state as roster_state
from custom_components.face_terminal.roster import sync as roster_sync

from . import payloads
from .conftest import TerminalResponder, answer_within, setup_entry
from .payloads import COMMAND_TOPIC, TERMINAL_ID
from .roster_fakes import BASE_URL, SENSOR, FakeRoster, by_id, report, sync

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import device_registry as dr
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

pytestmark = pytest.mark.usefixtures("quick_roster", "only_sensor_platform")


async def test_first_sync_adds_everyone_by_url(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    fake = FakeRoster(terminal, ["stranger"])
    fake.hold = True
    task = hass.async_create_task(
        sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    )
    for _ in range(2000):
        if fake.batches:
            break
        await asyncio.sleep(0.005)
    (batch,) = fake.batches
    assert batch["PersonNum"] == 3
    assert hass.states.get(SENSOR).state == "syncing"
    items = {item["customId"]: item for item in batch["info"]}
    assert items["p2"]["personType"] == 1
    assert items["p2"]["tempCardType"] == 1
    assert items["p2"]["cardValidBegin"] == "2026-01-01 00:00:00"
    assert items["p2"]["cardValidEnd"] == "2026-12-31 23:59:59"
    # The terminal downloads each photo from Home Assistant's local URL, unauthenticated.
    client = await hass_client_no_auth()
    url = items["p1"]["picURI"]
    assert url.startswith(f"{BASE_URL}{PHOTO_URL_PREFIX}/")
    response = await client.get(url.removeprefix(BASE_URL))
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert await response.read() == (faces_dir / "p1.jpg").read_bytes()
    # Nothing else is reachable through the view.
    assert (await client.get(f"{PHOTO_URL_PREFIX}/guess")).status == 404
    async_fire_mqtt_message(hass, f"{COMMAND_TOPIC}/Ack", fake.answer(batch))
    result = report(await task)
    assert result["success"] is True
    assert result["photo_delivery"] == "url"
    assert (result["added"], result["updated"], result["deleted"], result["failed"]) == (3, 0, 0, 0)
    assert result["persons_on_terminal"] == 5  # four listed plus one without customId
    assert "stranger" in fake.persons  # nothing deleted unless asked
    # The URLs stop working when the sync ends.
    assert (await client.get(url.removeprefix(BASE_URL))).status == 404
    state = hass.states.get(SENSOR)
    assert state.state == "idle"
    assert state.attributes["done"] == state.attributes["total"] == 3
    assert state.attributes["persons"] == 5
    assert state.attributes["failed"] == 0


async def test_second_sync_sends_only_changes(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    roster = str(faces_dir / "roster.csv")
    await sync(hass, {"device_id": device_id, "roster_file": roster})
    fake.batches.clear()
    result = report(await sync(hass, {"device_id": device_id, "roster_file": roster}))
    assert fake.batches == []
    assert result["unchanged"] == 3
    # A new name is sent without the photo; a new photo is sent again.
    (faces_dir / "roster.csv").write_text(
        "custom_id,name,photo\np1,Alicia,p1.jpg\np2,Bob,p2.jpg\np3,Carol,p3.jpg\n",
        encoding="utf-8",
    )
    (faces_dir / "p3.jpg").write_bytes(payloads.face_photo(30))
    result = report(await sync(hass, {"device_id": device_id, "roster_file": roster}))
    items = {item["customId"]: item for item in fake.items()}
    assert set(items) == {"p1", "p2", "p3"}  # p2 lost its block-list type and validity
    assert "picURI" not in items["p1"]
    assert items["p1"]["name"] == "Alicia"
    assert "picURI" not in items["p2"]
    assert "picURI" in items["p3"]
    assert result["updated"] == 3


async def test_fingerprints_survive_a_restart_of_the_state(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    roster = str(faces_dir / "roster.csv")
    await sync(hass, {"device_id": device_id, "roster_file": roster})
    hass.data.pop(roster_state.DATA_ROSTER)  # forget everything held in memory
    fake.batches.clear()
    result = report(await sync(hass, {"device_id": device_id, "roster_file": roster}))
    assert fake.batches == []
    assert result["unchanged"] == 3


async def test_per_person_failures_in_an_ok_batch(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    fake.fail["p2"] = "468"
    roster = str(faces_dir / "roster.csv")
    result = report(await sync(hass, {"device_id": device_id, "roster_file": roster}))
    persons = by_id(result)
    assert persons["p1"] == {"custom_id": "p1", "action": "add", "success": True}
    assert persons["p2"]["success"] is False
    assert persons["p2"]["error_code"] == 468
    assert "no face features" in persons["p2"]["error"]
    assert result["failed"] == 1
    # The failed person is tried again next time; the others are not.
    fake.fail.clear()
    fake.batches.clear()
    await sync(hass, {"device_id": device_id, "roster_file": roster})
    assert [item["customId"] for item in fake.items()] == ["p2"]


async def test_delete_missing(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal, ["old-1", "old-2", "p1"])
    result = report(
        await sync(
            hass,
            {
                "device_id": device_id,
                "roster_file": str(faces_dir / "roster.csv"),
                "delete_missing": True,
            },
        )
    )
    assert set(fake.persons) == {"p1", "p2", "p3"}
    assert result["deleted"] == 2
    assert result["added"] == 2
    assert result["updated"] == 1  # enrolled elsewhere: brought in line, photo included
    assert terminal.operators().index("DeletePersons") < terminal.operators().index(
        "EditPersonsNew"
    )


async def test_empty_roster_with_delete_needs_confirmation(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal, ["a", "b"])
    (faces_dir / "empty.yaml").write_text("persons: []\n", encoding="utf-8")
    data = {
        "device_id": device_id,
        "roster_file": str(faces_dir / "empty.yaml"),
        "delete_missing": True,
    }
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, data)
    assert err.value.translation_key == "roster_empty_delete"
    assert set(fake.persons) == {"a", "b"}
    result = report(await sync(hass, {**data, "allow_empty_roster": True}))
    assert fake.persons == {}
    assert result["deleted"] == 2


async def test_second_sync_on_a_busy_terminal_is_refused(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    fake.hold = True
    data = {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")}
    first = hass.async_create_task(sync(hass, data))
    for _ in range(2000):
        if fake.batches:
            break
        await asyncio.sleep(0.005)
    with pytest.raises(HomeAssistantError) as err:
        await sync(hass, data)
    assert err.value.translation_key == "sync_in_progress"
    assert "Front door" in str(err.value)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "delete_all_persons", {"device_id": device_id, "confirm": True}, blocking=True
        )
    assert err.value.translation_key == "sync_in_progress"
    async_fire_mqtt_message(hass, f"{COMMAND_TOPIC}/Ack", fake.answer(fake.batches[0]))
    assert report(await first)["added"] == 3


async def test_several_terminals_sync_concurrently(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    FakeRoster(terminal)
    other = MockConfigEntry(
        domain=DOMAIN,
        title="Back door",
        unique_id="2000001",
        data={
            CONF_TERMINAL_ID: "2000001",
            CONF_COMMAND_TOPIC: "mqtt/face/2000001",
            CONF_NAME: "Back door",
        },
    )
    await setup_entry(hass, other)  # never answers: its sync fails, ours does not
    with answer_within("QueryPerson", 0.05):
        result = await sync(
            hass,
            {
                "device_id": [device_id, other.runtime_data.device_id],
                "roster_file": str(faces_dir / "roster.csv"),
            },
        )
    ours, theirs = result["results"]
    assert ours["success"] is True
    assert ours["added"] == 3
    assert theirs["success"] is False
    assert theirs["terminal_id"] == "2000001"
    with (
        answer_within("QueryPerson", 0.05),
        pytest.raises(HomeAssistantError) as err,
    ):
        await sync(
            hass,
            {
                "device_id": [other.runtime_data.device_id],
                "persons": [{"custom_id": "x", "name": "X"}],
            },
            response=False,
        )
    assert err.value.translation_key == "sync_failed"


async def test_sync_without_response_logs_counts_only(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeRoster(terminal)
    fake.fail["p1"] = "465"
    caplog.set_level(logging.INFO)
    assert (
        await sync(
            hass,
            {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")},
            response=False,
        )
        is None
    )
    assert "1 person changes failed" in caplog.text
    assert "Roster sync of Front door finished" in caplog.text
    for private in ("Alice", "Bob", "Carol", PHOTO_URL_PREFIX):
        assert private not in caplog.text


async def test_count_is_estimated_when_the_terminal_does_not_list_again(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal, ["x"])
    calls = 0

    def query_person(command: dict[str, Any]) -> bytes | None:
        nonlocal calls
        calls += 1
        return fake.query_person(command) if calls == 1 else None

    terminal.replies["QueryPerson"] = query_person
    with answer_within("QueryPerson", 0.05):
        result = report(
            await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
        )
    assert result["persons_on_terminal"] == 4  # x and the three added


async def test_unexpected_error_ends_the_sync_state(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    FakeRoster(terminal)
    with (
        patch.object(roster_sync.TerminalSync, "_async_apply", side_effect=RuntimeError("bug")),
        pytest.raises(RuntimeError),
    ):
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    assert hass.states.get(SENSOR).state == "idle"
    # The terminal is free again.
    assert (
        report(
            await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
        )["added"]
        == 3
    )


async def test_list_refused_and_forgotten_people(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    roster = str(faces_dir / "roster.csv")
    await sync(hass, {"device_id": device_id, "roster_file": roster})
    # Someone deleted p3 on the terminal, and p3 left the roster: nothing is kept about p3.
    del fake.persons["p3"]
    (faces_dir / "two.csv").write_text(
        "custom_id,name,photo\np1,Alice,p1.jpg\np2,Bob,p2.jpg\n", encoding="utf-8"
    )
    await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "two.csv")})
    known = await roster_state.async_get_roster_syncs(hass).async_known(TERMINAL_ID)
    assert set(known) == {"p1", "p2"}
    terminal.replies["QueryPerson"] = lambda command: payloads.ack(
        "QueryPerson", command["messageId"], code="462", result="fail"
    )
    result = report(await sync(hass, {"device_id": device_id, "roster_file": roster}))
    assert result["success"] is False
    assert "462" in result["error"]


async def test_delete_all_persons(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "delete_all_persons", {"device_id": device_id, "confirm": False}, blocking=True
        )
    assert err.value.translation_key == "confirmation_required"
    assert "DeleteAllPerson" not in terminal.operators()
    await hass.services.async_call(
        DOMAIN, "delete_all_persons", {"device_id": device_id, "confirm": True}, blocking=True
    )
    command = terminal.last("DeleteAllPerson")
    assert command["info"] == {"facesluiceId": TERMINAL_ID, "deleteall": 1}
    assert hass.states.get(SENSOR).attributes["persons"] == 0
    # The fingerprints are gone: the next sync sends everybody again.
    fake.persons.clear()
    fake.batches.clear()
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    )
    assert result["added"] == 3


async def test_delete_all_persons_refused(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    terminal.replies["DeleteAllPerson"] = lambda command: payloads.ack(
        "DeleteAllPerson", command["messageId"], code="463", result="fail"
    )
    with pytest.raises(HomeAssistantError, match="deleteall is missing"):
        await hass.services.async_call(
            DOMAIN, "delete_all_persons", {"device_id": device_id, "confirm": True}, blocking=True
        )


async def test_devices_that_cannot_sync(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    stale = device_registry.async_get_or_create(
        config_entry_id=loaded_entry.entry_id, identifiers={(DOMAIN, "stale")}, name="Stale"
    )
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": stale.id, "persons": [{"custom_id": "a", "name": "A"}]})
    assert err.value.translation_key == "not_a_terminal"
    other = MockConfigEntry(domain=DOMAIN, title="Jovision", unique_id="jv")
    other.add_to_hass(hass)
    other.mock_state(hass, ConfigEntryState.LOADED)
    # A Jovision device: its runtime takes no commands.
    other.runtime_data = SimpleNamespace(
        capabilities=frozenset({Capability.SCENE_PUSH}), terminal_id="jv"
    )
    device = device_registry.async_get_or_create(
        config_entry_id=other.entry_id, identifiers={(DOMAIN, "jv")}, name="Camera"
    )
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "delete_all_persons", {"device_id": device.id, "confirm": True}, blocking=True
        )
    assert err.value.translation_key == "not_supported_by_jovision"


async def test_saving_before_anything_is_loaded(hass: HomeAssistant) -> None:
    syncs = roster_state.RosterSyncs(hass)
    await syncs.async_save()  # nothing loaded: nothing to write
    assert await syncs.async_known("t") == {}


def test_malformed_stored_fingerprints_are_dropped() -> None:
    assert roster_state._parse_stored(None) == {}
    assert roster_state._parse_stored(
        {
            "terminals": {
                "t": {
                    "a": ["d", None],  # stored before names were kept
                    "b": ["d"],
                    "c": [1, "p"],
                    "n": ["d", "p", "name"],
                    "x": ["d", "p", 3],
                    "y": ["d", "p", "name", "more"],
                },
                "u": [],
            }
        }
    ) == {"t": {"a": Fingerprint("d", None), "n": Fingerprint("d", "p", "name")}}


def test_described_defaults_match_the_schema() -> None:
    """The UI offers the defaults the action really uses."""
    from homeassistant.util.yaml import load_yaml_dict

    described = load_yaml_dict(str(Path(roster_services.__file__).parent.parent / "services.yaml"))
    fields = described["sync_persons"]["fields"]
    assert fields["batch_size"]["default"] == roster_sync.DEFAULT_BATCH_SIZE
    assert fields["delete_missing"]["default"] is False
    assert fields["allow_empty_roster"]["default"] is False
