"""Tests of the roster actions: sync_persons, delete_all_persons, photo URLs, progress."""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from PIL import Image
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
)

from custom_components.face_terminal import photo_server
from custom_components.face_terminal.const import CONF_COMMAND_TOPIC, CONF_TERMINAL_ID, DOMAIN
from custom_components.face_terminal.photo_server import PHOTO_URL_PREFIX
from custom_components.face_terminal.roster import services as roster_services
from custom_components.face_terminal.roster import sync as roster_sync

from . import payloads
from .conftest import TerminalResponder, setup_entry
from .payloads import COMMAND_TOPIC, TERMINAL_ID

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import device_registry as dr
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

SENSOR = "sensor.front_door_roster_sync"
FAILED_POLLS = roster_sync.FAILED_POLLS_FOR_GONE
BASE_URL = "http://192.168.1.2:8123"


@pytest.fixture(autouse=True)
def only_sensor() -> Generator[None]:
    """The roster sensor is the only entity these tests need."""
    with patch("custom_components.face_terminal.PLATFORMS", ["sensor"]):
        yield


@pytest.fixture(autouse=True)
def quick_polls() -> Generator[None]:
    """Poll and back off in milliseconds instead of seconds."""
    with (
        patch.object(roster_sync, "POLL_INTERVAL", 0.01),
        patch.object(roster_sync, "BUSY_BACKOFF_FIRST", 0.01),
        patch.object(roster_sync, "BUSY_BACKOFF_MAX", 0.02),
    ):
        yield


class FakeRoster:
    """The person list of the fake terminal, answering the list and batch commands."""

    def __init__(self, terminal: TerminalResponder, ids: list[str] | None = None) -> None:
        self.terminal = terminal
        self.persons: dict[str, dict[str, Any]] = {cid: {"name": cid} for cid in ids or []}
        self.fail: dict[str, str] = {}  # customId -> errcode
        self.busy_replies = 0
        self.hold = False  # keep EditPersonsNew unanswered (the test answers)
        self.lose_batches = False  # ... and report idle: the terminal lost the batch
        self.running = False
        self.batches: list[dict[str, Any]] = []
        terminal.replies["QueryPerson"] = self.query_person
        terminal.replies["EditPersonsNew"] = self.edit_persons_new
        terminal.replies["DeletePersons"] = self.delete_persons
        terminal.replies["QueryProgress"] = self.query_progress

    def query_person(self, command: dict[str, Any]) -> bytes:
        return payloads.ack(
            "QueryPerson",
            command["messageId"],
            TotalPersonNum=str(len(self.persons) + 1),  # one enrolled on the screen
            QueryPersonNum=str(len(self.persons)),
            Customid=",".join(self.persons),
        )

    def edit_persons_new(self, command: dict[str, Any]) -> bytes | None:
        if self.busy_replies:
            self.busy_replies -= 1
            return payloads.ack(
                "EditPersonsNew",
                command["messageId"],
                code="410",
                result="fail",
                detail="EditPersonsNew is busy",
            )
        self.batches.append(command)
        if self.hold:
            self.running = not self.lose_batches
            return None
        return self.answer(command)

    def answer(self, command: dict[str, Any]) -> bytes:
        self.running = False
        succeeded, failed = [], []
        for item in command["info"]:
            cid = item["customId"]
            if cid in self.fail:
                failed.append({"customId": cid, "errcode": self.fail[cid]})
                continue
            self.persons.setdefault(cid, {}).update(item)
            succeeded.append({"customId": cid})
        return payloads.ack(
            "EditPersonsNew",
            command["messageId"],
            AddErrNum=str(len(failed)),
            AddSucNum=str(len(succeeded)),
            AddErrInfo=failed,
            AddSucInfo=succeeded,
        )

    def delete_persons(self, command: dict[str, Any]) -> bytes:
        gone = [cid for cid in command["info"]["customId"] if self.persons.pop(cid, None)]
        return payloads.ack(
            "DeletePersons",
            command["messageId"],
            DelSucNum=str(len(gone)),
            DelSucInfo=[{"customId": cid} for cid in gone],
            DelErrInfo=[],
        )

    def query_progress(self, command: dict[str, Any]) -> bytes:
        if self.running:
            return payloads.ack(
                "QueryProgress", command["messageId"], QueryType="EditPersonsNew", Status="3"
            )
        return payloads.ack("QueryProgress", command["messageId"], QueryType="None", Status="0")

    def items(self) -> list[dict[str, Any]]:
        """Every person object sent in batches so far."""
        return [item for batch in self.batches for item in batch["info"]]


@pytest.fixture
async def faces_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """An allowed folder with a CSV roster of three people and their photos."""
    await async_process_ha_core_config(hass, {"internal_url": BASE_URL})
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    for number in range(1, 4):
        (tmp_path / f"p{number}.jpg").write_bytes(payloads.jpeg(60 + number, 80))
    (tmp_path / "roster.csv").write_text(
        "custom_id,name,photo,person_type,valid_from,valid_until\n"
        "p1,Alice,p1.jpg,allow,,\n"
        "p2,Bob,p2.jpg,block,2026-01-01,2026-12-31\n"
        "p3,Carol,p3.jpg,,,\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.fixture
def device_id(loaded_entry: MockConfigEntry) -> str:
    """The terminal's device; its enrolments need no spacing here."""
    loaded_entry.runtime_data.session.spacing = 0
    return str(loaded_entry.runtime_data.device_id)


async def sync(hass: HomeAssistant, data: dict[str, Any], *, response: bool = True) -> Any:
    return await hass.services.async_call(
        DOMAIN, "sync_persons", data, blocking=True, return_response=response
    )


def report(result: Any) -> dict[str, Any]:
    (only,) = result["results"]
    return dict(only)


def by_id(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {person["custom_id"]: person for person in result["persons"]}


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
    (faces_dir / "p3.jpg").write_bytes(payloads.jpeg(90, 90))
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
    hass.data.pop(roster_sync.DATA_ROSTER)  # forget everything held in memory
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


async def test_busy_terminal_is_retried(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    fake.busy_replies = 2
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    )
    assert result["added"] == 3
    assert terminal.operators().count("EditPersonsNew") == 3


async def test_busy_for_too_long_fails_the_batch(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    fake.busy_replies = 1000
    with patch.object(roster_sync, "BUSY_GIVE_UP", 0.05):
        result = report(
            await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
        )
    assert result["failed"] == 3
    assert {person["error_code"] for person in result["persons"]} == {410}


async def test_lost_batch_is_sent_again(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    fake.hold = True
    fake.lose_batches = True  # the terminal goes idle without answering (V1.24 §4.8)
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    )
    assert len(fake.batches) == 2
    assert result["failed"] == 3
    assert {person["error"] for person in result["persons"]} == {
        "the terminal did not confirm the batch"
    }


async def test_progress_counts_from_the_terminal_move_the_sensor(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    fake.hold = True
    seen: list[int] = []

    def progress(command: dict[str, Any]) -> bytes:
        if fake.batches and len(seen) == 2:
            async_fire_mqtt_message(hass, f"{COMMAND_TOPIC}/Ack", fake.answer(fake.batches[-1]))
        state = hass.states.get(SENSOR)
        seen.append(state.attributes["done"])
        return payloads.ack(
            "QueryProgress", command["messageId"], Status="3", TotalNum="3", FinishNum="2"
        )

    terminal.replies["QueryProgress"] = progress
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    )
    assert result["added"] == 3
    assert 2 in seen  # the sensor showed the terminal's count while the batch ran


async def test_terminal_silent_during_batch(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    fake.hold = True
    answers = 0

    def progress_once(command: dict[str, Any]) -> bytes | None:
        nonlocal answers
        answers += 1
        return fake.query_progress(command) if answers == 1 else None

    terminal.replies["QueryProgress"] = progress_once
    with patch.object(roster_sync, "PROGRESS_TIMEOUT", 0.01):
        result = report(
            await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
        )
    assert result["failed"] == 3
    assert "stopped answering" in result["persons"][0]["error"]


@pytest.mark.parametrize("refuse", [True, False])
async def test_terminal_without_query_progress(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    *,
    refuse: bool,
) -> None:
    """Older firmware refuses QueryProgress, or never answers it: the batch is awaited."""
    fake = FakeRoster(terminal)
    fake.hold = True
    polls = 0

    def no_progress(command: dict[str, Any]) -> bytes | None:
        nonlocal polls
        polls += 1
        if polls == FAILED_POLLS + 3 or (refuse and polls == 1):
            hass.loop.call_later(
                0.05,
                lambda: async_fire_mqtt_message(
                    hass, f"{COMMAND_TOPIC}/Ack", fake.answer(fake.batches[-1])
                ),
            )
        if refuse:
            return payloads.ack("QueryProgress", command["messageId"], code="404", result="fail")
        return None

    terminal.replies["QueryProgress"] = no_progress
    with patch.object(roster_sync, "PROGRESS_TIMEOUT", 0.01):
        result = report(
            await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
        )
    assert result["added"] == 3
    assert polls == 1 if refuse else polls >= FAILED_POLLS + 3


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


async def test_yaml_and_inline_entries_with_per_person_problems(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal, ["keep-me", "too-long"])
    (faces_dir / "bad.jpg").write_bytes(b"not a picture at all")
    (faces_dir / "roster.yaml").write_text(
        "- custom_id: y1\n  name: Yara\n  photo: p1.jpg\n"
        "- custom_id: 42\n  name: Number\n  photo: p2.jpg\n"
        "  valid_from: 2026-03-01 08:00:00\n  valid_until: 2026-03-31\n"
        "- custom_id: no-photo-file\n  name: Nobody\n  photo: missing.jpg\n"
        "- custom_id: order\n  name: Order\n  photo: p3.jpg\n"
        "  valid_from: 2026-05-01\n  valid_until: 2026-04-01\n"
        "- custom_id: half\n  name: Half\n  photo: p3.jpg\n  valid_from: 2026-05-01\n"
        "- custom_id: bad-image\n  name: Bad\n  photo: bad.jpg\n"
        "- custom_id: new-without-photo\n  name: New\n",
        encoding="utf-8",
    )
    result = report(
        await sync(
            hass,
            {
                "device_id": device_id,
                "roster_file": str(faces_dir / "roster.yaml"),
                "persons": [
                    {"custom_id": "too-long", "name": "N" * 32},
                    {"custom_id": "keep-me", "name": "Kept", "valid_from": "2026-01-01 10:00"},
                ],
                "delete_missing": True,
            },
        )
    )
    persons = by_id(result)
    assert persons["y1"]["success"] is True
    assert persons["42"]["success"] is True
    problems = {cid: persons[cid]["error"] for cid in persons if not persons[cid]["success"]}
    assert problems == {
        "no-photo-file": "the photo file does not exist",
        "order": "valid_from must be before valid_until",
        "half": "give both valid_from and valid_until, or neither",
        "bad-image": "the photo is not a picture the terminal can use",
        "new-without-photo": "a new person needs a photo",
        "too-long": "the name is longer than the terminal's 31 bytes",
        "keep-me": "give both valid_from and valid_until, or neither",
    }
    assert persons["too-long"]["action"] == "update"
    # Invalid entries are neither sent nor deleted.
    assert {"keep-me", "too-long"} <= set(fake.persons)
    assert {item["customId"] for item in fake.items()} == {"y1", "42"}
    item = next(item for item in fake.items() if item["customId"] == "42")
    assert item["cardValidBegin"] == "2026-03-01 08:00:00"
    assert item["cardValidEnd"] == "2026-03-31 23:59:59"


async def test_inline_photos_without_local_url(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    with (
        patch.object(roster_sync, "local_base_url", return_value=None),
    ):
        result = report(
            await sync(
                hass,
                {
                    "device_id": device_id,
                    "persons": [
                        {"custom_id": "i1", "name": "Ina", "photo": "p1.jpg"},
                        {"custom_id": "i2", "name": "Ivo", "photo": str(faces_dir / "p2.jpg")},
                    ],
                    "photo_folder": str(faces_dir),
                },
            )
        )
    assert result["photo_delivery"] == "inline"
    assert result["added"] == 2
    assert fake.batches == []
    assert terminal.operators().count("EditPerson") == 2
    assert terminal.last("EditPerson")["info"]["pic"].startswith("data:image/jpeg;base64,")


async def test_inline_enrol_refused(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    FakeRoster(terminal)
    terminal.replies["EditPerson"] = lambda command: payloads.ack(
        "EditPerson", command["messageId"], code="467", result="fail"
    )
    with (
        patch.object(roster_sync, "local_base_url", return_value=None),
    ):
        result = report(
            await sync(
                hass,
                {
                    "device_id": device_id,
                    "persons": [{"custom_id": "i1", "name": "Ina", "photo": "p1.jpg"}],
                    "photo_folder": str(faces_dir),
                },
            )
        )
    (person,) = result["persons"]
    assert person["error_code"] == 467
    assert "person list is full" in person["error"]


async def test_large_photo_is_downscaled_before_serving(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    fake = FakeRoster(terminal)
    fake.hold = True
    (faces_dir / "big.png").write_bytes(_png(2400, 1200))
    task = hass.async_create_task(
        sync(
            hass,
            {
                "device_id": device_id,
                "persons": [{"custom_id": "big", "name": "Big", "photo": "big.png"}],
                "photo_folder": str(faces_dir),
            },
        )
    )
    for _ in range(2000):
        if fake.batches:
            break
        await asyncio.sleep(0.005)
    url = fake.batches[0]["info"][0]["picURI"]
    client = await hass_client_no_auth()
    data = await (await client.get(url.removeprefix(BASE_URL))).read()
    assert data[:2] == b"\xff\xd8"  # re-encoded as JPEG
    with Image.open(io.BytesIO(data)) as image:
        assert max(image.size) <= 1920
        assert min(image.size) <= 1080
    async_fire_mqtt_message(hass, f"{COMMAND_TOPIC}/Ack", fake.answer(fake.batches[0]))
    assert report(await task)["added"] == 1


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 30, 128)).save(buffer, format="PNG")
    return buffer.getvalue()


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
    with patch.object(roster_sync, "LIST_TIMEOUT", 0.05):
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
        patch.object(roster_sync, "LIST_TIMEOUT", 0.05),
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


@pytest.mark.parametrize(
    ("content", "suffix", "key"),
    [
        ("custom_id,name\na,A\na,B\n", ".csv", "roster_duplicate_id"),
        ("name\nA\n", ".csv", "roster_invalid"),
        ("custom_id,name\n,A\n", ".csv", "roster_row_invalid"),
        ('custom_id,name\n"a,b",A\n', ".csv", "roster_row_invalid"),
        ("custom_id,name\na,\n", ".csv", "roster_row_invalid"),
        ("custom_id,name,person_type\na,A,guest\n", ".csv", "roster_row_invalid"),
        ("custom_id,name,valid_from,valid_until\na,A,soon,later\n", ".csv", "roster_row_invalid"),
        ("custom_id,name,photo\na,A,/etc/passwd\n", ".csv", "photo_path_not_allowed"),
        ("- [unclosed\n", ".yaml", "roster_invalid"),
        ("just text\n", ".yaml", "roster_invalid"),
        ("custom_id,name\na,A\n", ".txt", "roster_format_unknown"),
    ],
)
async def test_bad_roster_files(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    *,
    content: str,
    suffix: str,
    key: str,
) -> None:
    fake = FakeRoster(terminal, ["a"])
    path = faces_dir / f"bad{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "roster_file": str(path), "delete_missing": True})
    assert err.value.translation_key == key
    assert str(err.value) not in ("", key)
    assert fake.persons == {"a": {"name": "a"}}
    assert "EditPersonsNew" not in terminal.operators()


async def test_roster_file_access_errors(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    FakeRoster(terminal)
    cases = {
        "/etc/hosts.csv": "roster_path_not_allowed",
        str(faces_dir / "missing.csv"): "roster_unreadable",
    }
    for path, key in cases.items():
        with pytest.raises(ServiceValidationError) as err:
            await sync(hass, {"device_id": device_id, "roster_file": path})
        assert err.value.translation_key == key
    (faces_dir / "latin1.csv").write_bytes("custom_id,name\na,J\xf6rg\n".encode("latin-1"))
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "latin1.csv")})
    assert err.value.translation_key == "roster_invalid"
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id})
    assert err.value.translation_key == "roster_source_missing"
    with pytest.raises(ServiceValidationError) as err:
        await sync(
            hass,
            {
                "device_id": device_id,
                "persons": [{"custom_id": "a", "name": "A"}],
                "photo_folder": "/etc",
            },
        )
    assert err.value.translation_key == "photo_path_not_allowed"
    with pytest.raises(ServiceValidationError) as err:
        await sync(
            hass,
            {
                "device_id": device_id,
                "persons": [{"custom_id": "a", "name": "A", "photo": "x.jpg"}],
            },
        )
    assert err.value.translation_key == "roster_row_invalid"
    with (
        patch("custom_components.face_terminal.roster.entries.MAX_ROSTER_BYTES", 10),
        pytest.raises(ServiceValidationError) as err,
    ):
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    assert err.value.translation_key == "roster_too_large"
    with (
        patch("custom_components.face_terminal.roster.entries.MAX_ROSTER_PERSONS", 1),
        pytest.raises(ServiceValidationError) as err,
    ):
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    assert err.value.translation_key == "roster_too_many"


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


def test_photo_server_tokens_expire() -> None:
    server = photo_server.PhotoServer()
    token = server.publish(Path("/nonexistent.jpg"))
    assert len(token) >= 40
    assert server.lookup(token) == Path("/nonexistent.jpg")
    assert len(server) == 1
    with patch.object(photo_server.time, "monotonic", return_value=10**12):
        assert server.lookup(token) is None
        server.publish(Path("/other.jpg"))
    assert len(server) == 1
    server.revoke(["unknown"])
    assert photo_server.photo_url("http://h:1/", "t") == f"http://h:1{PHOTO_URL_PREFIX}/t"


# --- edges ------------------------------------------------------------------------------------


async def test_batches_follow_batch_size_and_progress_is_logged(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeRoster(terminal)
    caplog.set_level(logging.INFO)
    with patch.object(roster_sync, "LOG_INTERVAL", 0):
        result = report(
            await sync(
                hass,
                {
                    "device_id": device_id,
                    "roster_file": str(faces_dir / "roster.csv"),
                    "batch_size": 2,
                },
            )
        )
    assert [batch["PersonNum"] for batch in fake.batches] == [2, 1]
    assert result["added"] == 3
    assert "Roster sync of Front door: 2 of 3 changes made" in caplog.text


async def test_deletion_refused_or_unanswered(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    FakeRoster(terminal, ["old"])
    terminal.replies["DeletePersons"] = lambda command: payloads.ack(
        "DeletePersons", command["messageId"], code="414", result="fail"
    )
    data = {
        "device_id": device_id,
        "roster_file": str(faces_dir / "roster.csv"),
        "delete_missing": True,
    }
    persons = by_id(report(await sync(hass, data)))
    assert persons["old"]["error_code"] == 414
    assert persons["old"]["action"] == "delete"
    terminal.replies["DeletePersons"] = lambda command: None
    with patch.object(roster_sync, "DELETE_TIMEOUT", 0.05):
        persons = by_id(report(await sync(hass, data)))
    assert "did not answer" in persons["old"]["error"]


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
    with patch.object(roster_sync, "LIST_TIMEOUT", 0.05):
        result = report(
            await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
        )
    assert result["persons_on_terminal"] == 4  # x and the three added


async def test_inline_enrol_unanswered(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    FakeRoster(terminal)
    terminal.replies["EditPerson"] = lambda command: None
    with (
        patch.object(roster_sync, "local_base_url", return_value=None),
        patch("custom_components.face_terminal.coordinator.ENROL_TIMEOUT", 0.05),
    ):
        result = report(
            await sync(
                hass,
                {
                    "device_id": device_id,
                    "persons": [{"custom_id": "i1", "name": "Ina", "photo": "p1.jpg"}],
                    "photo_folder": str(faces_dir),
                },
            )
        )
    assert "did not answer" in result["persons"][0]["error"]


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


async def test_roster_file_edges(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    (faces_dir / "edges.csv").write_text(
        "Custom_ID , Name ,photo\n\n,,\nb1,Ben,p1.jpg\n", encoding="utf-8"
    )
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "edges.csv")})
    )
    assert result["added"] == 1
    (faces_dir / "quote.csv").write_text('custom_id,name\n"a,A\n', encoding="utf-8")
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "quote.csv")})
    assert err.value.translation_key == "roster_invalid"
    (faces_dir / "empty.yml").write_text("", encoding="utf-8")
    with pytest.raises(ServiceValidationError) as err:
        await sync(
            hass,
            {
                "device_id": device_id,
                "roster_file": str(faces_dir / "empty.yml"),
                "delete_missing": True,
            },
        )
    assert err.value.translation_key == "roster_empty_delete"
    (faces_dir / "types.yaml").write_text("- custom_id: t1\n  name: true\n", encoding="utf-8")
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "types.yaml")})
    assert err.value.translation_key == "roster_row_invalid"
    (faces_dir / "list.yaml").write_text("- custom_id: [1, 2]\n  name: L\n", encoding="utf-8")
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "list.yaml")})
    assert err.value.translation_key == "roster_row_invalid"
    assert fake.batches[-1]["info"][0]["customId"] == "b1"


async def test_inline_times_with_time_zone_and_photo_problems(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    (faces_dir / "folder.jpg").mkdir()
    with patch("custom_components.face_terminal.roster.entries.MAX_SOURCE_BYTES", 10):
        result = report(
            await sync(
                hass,
                {
                    "device_id": device_id,
                    "photo_folder": str(faces_dir),
                    "persons": [
                        {
                            "custom_id": "tz",
                            "name": "Zoe",
                            "valid_from": "2026-07-01T06:00:00+00:00",
                            "valid_until": "2026-07-02T06:00:00+00:00",
                        },
                        {"custom_id": "big", "name": "Big", "photo": "p1.jpg"},
                        {"custom_id": "dir", "name": "Dir", "photo": "folder.jpg"},
                    ],
                },
            )
        )
    persons = by_id(result)
    assert persons["big"]["error"] == "the photo file cannot be read"
    assert persons["dir"]["error"] == "the photo file cannot be read"
    assert persons["tz"]["error"] == "a new person needs a photo"
    fake.persons["tz"] = {}
    result = report(
        await sync(
            hass,
            {
                "device_id": device_id,
                "persons": [
                    {
                        "custom_id": "tz",
                        "name": "Zoe",
                        "valid_from": "2026-07-01T06:00:00+00:00",
                        "valid_until": "2026-07-02T06:00:00+00:00",
                    }
                ],
            },
        )
    )
    item = fake.batches[-1]["info"][0]
    assert item["cardValidBegin"] == "2026-07-01 08:00:00"  # Home Assistant's local time
    assert "picURI" not in item


async def test_inline_roster_too_many(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    FakeRoster(terminal)
    with (
        patch("custom_components.face_terminal.roster.entries.MAX_ROSTER_PERSONS", 1),
        pytest.raises(ServiceValidationError) as err,
    ):
        await sync(
            hass,
            {
                "device_id": device_id,
                "persons": [{"custom_id": "a", "name": "A"}, {"custom_id": "b", "name": "B"}],
            },
        )
    assert err.value.translation_key == "roster_too_many"


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
    other.runtime_data = object()
    device = device_registry.async_get_or_create(
        config_entry_id=other.entry_id, identifiers={(DOMAIN, "jv")}, name="Camera"
    )
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "delete_all_persons", {"device_id": device.id, "confirm": True}, blocking=True
        )
    assert err.value.translation_key == "not_supported_by_jovision"


async def test_photo_view_edges(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    tmp_path: Path,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    server = photo_server.async_get_photo_server(hass)
    gone = server.publish(tmp_path / "gone.jpg")
    (tmp_path / "huge.jpg").write_bytes(b"\xff" * (photo_server.MAX_SERVED_BYTES + 1))
    huge = server.publish(tmp_path / "huge.jpg")
    client = await hass_client_no_auth()
    assert (await client.get(f"{PHOTO_URL_PREFIX}/{gone}")).status == 404
    assert (await client.get(f"{PHOTO_URL_PREFIX}/{huge}")).status == 404
    with patch.object(photo_server, "get_url", side_effect=photo_server.NoURLAvailableError):
        assert photo_server.local_base_url(hass) is None


def test_photo_server_expiry_and_stored_data(tmp_path: Path) -> None:
    server = photo_server.PhotoServer()
    server.publish(Path("/a.jpg"))
    server.publish(Path("/b.jpg"))
    with patch.object(photo_server.time, "monotonic", return_value=10**12):
        server.publish(Path("/c.jpg"))
    assert len(server) == 1
    assert roster_sync._parse_stored(None) == {}
    assert roster_sync._parse_stored(
        {"terminals": {"t": {"a": ["d", None], "b": ["d"], "c": [1, "p"]}, "u": []}}
    ) == {"t": {"a": roster_sync.Fingerprint("d", None)}}
    with pytest.raises(roster_sync.PhotoProblemError):
        roster_sync._prepare_file(tmp_path / "missing.jpg", tmp_path)


async def test_saving_before_anything_is_loaded(hass: HomeAssistant) -> None:
    syncs = roster_sync.RosterSyncs(hass)
    await syncs.async_save()  # nothing loaded: nothing to write
    assert await syncs.async_known("t") == {}


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
    known = await roster_sync.async_get_roster_syncs(hass).async_known(TERMINAL_ID)
    assert set(known) == {"p1", "p2"}
    terminal.replies["QueryPerson"] = lambda command: payloads.ack(
        "QueryPerson", command["messageId"], code="462", result="fail"
    )
    result = report(await sync(hass, {"device_id": device_id, "roster_file": roster}))
    assert result["success"] is False
    assert "462" in result["error"]


async def test_people_sharing_a_photo_share_its_url(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    result = report(
        await sync(
            hass,
            {
                "device_id": device_id,
                "photo_folder": str(faces_dir),
                "persons": [
                    {"custom_id": "twin-1", "name": "Twin", "photo": "p1.jpg"},
                    {"custom_id": "twin-2", "name": "Twin", "photo": "p1.jpg"},
                ],
            },
        )
    )
    assert result["added"] == 2
    first, second = fake.items()
    assert first["picURI"] == second["picURI"]


def test_described_defaults_match_the_schema() -> None:
    """The UI offers the defaults the action really uses."""
    from homeassistant.util.yaml import load_yaml_dict

    described = load_yaml_dict(str(Path(roster_services.__file__).parent.parent / "services.yaml"))
    fields = described["sync_persons"]["fields"]
    assert fields["batch_size"]["default"] == roster_sync.DEFAULT_BATCH_SIZE
    assert fields["delete_missing"]["default"] is False
    assert fields["allow_empty_roster"]["default"] is False
