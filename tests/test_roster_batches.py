"""Tests of the roster's commands to a terminal: batches watched, re-sent and refused."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_mqtt_message,
)

from custom_components.face_terminal.roster import commands as roster_commands
from custom_components.face_terminal.roster import progress as roster_progress
from custom_components.face_terminal.roster import sync as roster_sync

from . import payloads
from .conftest import answer_within
from .payloads import COMMAND_TOPIC
from .roster_fakes import SENSOR, FakeRoster, by_id, report, sync

if TYPE_CHECKING:
    from pathlib import Path

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from .conftest import TerminalResponder

pytestmark = pytest.mark.usefixtures("quick_roster", "only_sensor_platform")

FAILED_POLLS = roster_commands.BATCH_POLICY.failed_polls


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
    policy = dataclasses.replace(roster_commands.BATCH_POLICY, busy_give_up=0.05)
    with patch.object(roster_commands, "BATCH_POLICY", policy):
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


async def test_idle_terminal_is_no_loss_while_the_batch_waits_to_be_sent_again(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    loaded_entry: MockConfigEntry,
    faces_dir: Path,
) -> None:
    """The batch sent again waits for the §4.1 spacing; the terminal is idle meanwhile."""
    fake = FakeRoster(terminal)
    fake.hold = True
    fake.lose_batches = True
    loaded_entry.runtime_data.session.spacing = 0.2  # twenty idle polls long
    device_id = loaded_entry.runtime_data.device_id
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    )
    assert len(fake.batches) == 2  # sent again, and only then found lost once more
    assert result["failed"] == 3


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
    with answer_within("QueryProgress", 0.01):
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
    with answer_within("QueryProgress", 0.01):
        result = report(
            await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
        )
    assert result["added"] == 3
    assert polls == 1 if refuse else polls >= FAILED_POLLS + 3


async def test_batches_follow_batch_size_and_progress_is_logged(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeRoster(terminal)
    caplog.set_level(logging.INFO)
    with patch.object(roster_progress, "LOG_INTERVAL", 0):
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
    with answer_within("DeletePersons", 0.05):
        persons = by_id(report(await sync(hass, data)))
    assert "did not answer" in persons["old"]["error"]


async def test_busy_terminal_deletes_after_a_pause(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal, ["old"])
    busy = 1

    def delete_persons(command: dict[str, Any]) -> bytes:
        nonlocal busy
        if busy:
            busy -= 1
            return payloads.ack("DeletePersons", command["messageId"], code="410", result="fail")
        return fake.delete_persons(command)

    terminal.replies["DeletePersons"] = delete_persons
    data = {
        "device_id": device_id,
        "roster_file": str(faces_dir / "roster.csv"),
        "delete_missing": True,
    }
    result = report(await sync(hass, data))
    assert result["deleted"] == 1
    assert terminal.operators().count("DeletePersons") == 2


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


async def test_inline_enrol_unanswered(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    FakeRoster(terminal)
    terminal.replies["EditPerson"] = lambda command: None
    with (
        patch.object(roster_sync, "local_base_url", return_value=None),
        answer_within("EditPerson", 0.05),
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
