"""Photos checked before a roster sync sends them: refused with reasons, never half-sent."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.face_terminal.const import DOMAIN
from custom_components.face_terminal.roster import photo_check
from custom_components.face_terminal.roster.photo_check import (
    MIN_FILE_BYTES,
    REASON_NO_FACE,
    REASON_NOT_A_PICTURE,
    check_prepared,
)

from . import payloads
from .roster_fakes import FakeRoster, by_id, report, sync

if TYPE_CHECKING:
    from pathlib import Path

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

    from .conftest import TerminalResponder

pytestmark = pytest.mark.usefixtures("quick_roster", "only_sensor_platform")


def test_local_checks() -> None:
    assert check_prepared(payloads.face_photo(1)) is None
    assert str(MIN_FILE_BYTES) in (check_prepared(payloads.jpeg(8, 8)) or "")
    too_small = check_prepared(payloads.jpeg(100, 100) + b"\0" * MIN_FILE_BYTES)
    assert too_small is not None
    assert "100 x 100 pixels" in too_small
    assert check_prepared(b"GIF89a" + b"\0" * MIN_FILE_BYTES) == REASON_NOT_A_PICTURE


def detect_by_photo(no_face: set[str]) -> Any:
    """A DetectFaceFromPic reply: no face on the photos whose digest is in `no_face`."""

    def reply(command: dict[str, Any]) -> bytes:
        data = base64.b64decode(command["info"]["picinfo"].split(",", 1)[1])
        found = "0" if hashlib.sha256(data).hexdigest() in no_face else "1"
        return payloads.ack("DetectFaceFromPic", command["messageId"], DetectFace=found)

    return reply


def detections(terminal: TerminalResponder) -> int:
    return terminal.operators().count("DetectFaceFromPic")


async def test_bad_photos_refused_before_sending(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    (faces_dir / "p2.jpg").write_bytes(payloads.jpeg(64, 80))  # a thumbnail
    (faces_dir / "p3.jpg").write_bytes(b"not a picture at all")
    (faces_dir / "p4.jpg").write_bytes(payloads.face_photo(4))  # the terminal finds no face
    with (faces_dir / "roster.csv").open("a", encoding="utf-8") as roster:
        roster.write("p4,Dave,p4.jpg,,,\n")
    no_face = {hashlib.sha256((faces_dir / "p4.jpg").read_bytes()).hexdigest()}
    terminal.replies["DetectFaceFromPic"] = detect_by_photo(no_face)

    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    )
    # Only the good photo went out; nobody with a bad one is in any batch.
    assert [item["customId"] for item in fake.items()] == ["p1"]
    refused = {item["custom_id"]: item["reason"] for item in result["refused_photos"]}
    assert set(refused) == {"p2", "p3", "p4"}
    assert "64 x 80 pixels" in refused["p2"] or str(MIN_FILE_BYTES) in refused["p2"]
    assert refused["p3"] == REASON_NOT_A_PICTURE
    assert refused["p4"] == REASON_NO_FACE
    persons = by_id(result)
    assert persons["p4"]["success"] is False
    assert persons["p4"]["error"] == REASON_NO_FACE
    assert (result["added"], result["failed"]) == (1, 3)
    # Face detection was asked about the two photos that passed the local checks.
    assert detections(terminal) == 2
    # Fixed photos go out the next time; the refused people were not remembered as sent.
    (faces_dir / "p2.jpg").write_bytes(payloads.face_photo(2))
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    )
    assert {item["custom_id"] for item in result["refused_photos"]} == {"p3", "p4"}
    assert "p2" in fake.persons


async def test_terminal_without_face_detection(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    terminal.replies["DetectFaceFromPic"] = lambda command: payloads.ack(
        "DetectFaceFromPic", command["messageId"], code="404", result="fail", detail="unknown"
    )
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    )
    assert result["refused_photos"] == []
    assert len(fake.items()) == 3
    assert detections(terminal) == 1  # asked once, then not again in this sync


async def test_face_detection_without_an_answer_field(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)  # the default reply: ok, but no DetectFace
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    )
    assert result["refused_photos"] == []
    assert len(fake.items()) == 3
    assert detections(terminal) == 1


async def test_face_detection_is_bounded(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    terminal.replies["DetectFaceFromPic"] = detect_by_photo(set())
    with patch.object(photo_check, "DETECT_LIMIT", 2):
        result = report(
            await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
        )
    assert result["refused_photos"] == []
    assert len(fake.items()) == 3
    assert detections(terminal) == 2


async def settle(hass: HomeAssistant) -> None:
    """Let the event loop run what is ready, without waiting for any timer."""
    for _ in range(300):
        await asyncio.sleep(0)


async def test_persons_commands_never_wait_for_the_photo_checks(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A sync's face detections are background work: a face tool and the door go first."""
    fake = FakeRoster(terminal)
    roster_photos = {
        hashlib.sha256((faces_dir / f"p{n}.jpg").read_bytes()).hexdigest() for n in (1, 2, 3)
    }
    answer_others = detect_by_photo(set())
    # The terminal stays silent about the roster's photos (busy, or older firmware) and
    # answers any other photo at once.
    terminal.replies["DetectFaceFromPic"] = lambda command: (
        None
        if hashlib.sha256(base64.b64decode(command["info"]["picinfo"].split(",", 1)[1])).hexdigest()
        in roster_photos
        else answer_others(command)
    )
    syncing = asyncio.create_task(
        sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    )
    await settle(hass)
    assert detections(terminal) == 1  # the sync's first check is out, unanswered
    (faces_dir / "tool.jpg").write_bytes(payloads.face_photo(9))
    checked = await hass.services.async_call(
        DOMAIN,
        "check_face_photo",
        {"device_id": device_id, "image_path": str(faces_dir / "tool.jpg")},
        blocking=True,
        return_response=True,
    )
    assert checked == {"face_detected": True}
    await hass.services.async_call(DOMAIN, "unlock", {"device_id": device_id}, blocking=True)
    assert terminal.operators()[-3:] == ["DetectFaceFromPic", "DetectFaceFromPic", "Unlock"]
    assert not syncing.done()
    # The unanswered check times out; the terminal counts as unable and its photos pass.
    freezer.tick(11)
    async_fire_time_changed(hass, dt_util.utcnow())
    result = report(await syncing)
    assert result["refused_photos"] == []
    assert len(fake.items()) == 3
    assert detections(terminal) == 2  # not asked again after the silent one (plus the tool)


async def test_an_enrolments_face_check_is_the_persons_own_command(
    hass: HomeAssistant,
) -> None:
    """The enrolment's face detection goes as the person's command, a sync's as background.

    A person's enrolment never queues behind a running sync's checks in the checks lane.
    """
    sent: list[bool] = []

    class Terminal:
        display_name = "Front door"

        async def async_request(self, command: Any, **options: Any) -> Any:
            sent.append(options["background"])
            raise photo_check.HomeAssistantError("no answer")

    photo = payloads.jpeg(320, 400)
    await photo_check.async_check_enrol_photo(hass, [Terminal()], photo)  # type: ignore[list-item]
    assert await photo_check.async_detect_face(Terminal(), photo) is None  # type: ignore[arg-type]
    assert sent == [False, True]
