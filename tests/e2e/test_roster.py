"""People at scale against a real Home Assistant: sync 200 people by batch, photos by URL.

The simulated terminal downloads every photo from Home Assistant's own HTTP server, as a
real terminal on the LAN would (the harness sets Home Assistant's internal URL to its
loopback address).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import pytest_socket

from simulator import images

from .conftest import Stack, add_terminal, make_terminal, run_async, wait_for_state

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from harness.home_assistant import HomeAssistantClient
    from simulator import Terminal

ROSTER_TERMINAL = "1399001"
PEOPLE = 200


@pytest.fixture(scope="module")
def roster_terminal(stack: Stack) -> Iterator[Terminal]:
    """A terminal of its own (the roster sync changes its whole person list)."""
    pytest_socket.enable_socket()  # module setup runs before the per-test socket fixture
    terminal = make_terminal(stack, ROSTER_TERMINAL)
    try:
        run_async(add_terminal(stack, terminal))
        yield terminal
    finally:
        terminal.stop()


def distinct(jpeg: bytes, text: str) -> bytes:
    """The same picture with a comment segment: another file for each person."""
    payload = text.encode()
    return jpeg[:2] + b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload + jpeg[2:]


def write_roster(folder: Path, people: int) -> Path:
    photos = folder / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    faces = [images.face_jpeg(f"Roster Person {number}") for number in range(10)]
    lines = ["custom_id,name,photo,person_type,valid_from,valid_until"]
    for number in range(people):
        custom_id = f"roster-{number:04d}"
        (photos / f"{custom_id}.jpg").write_bytes(distinct(faces[number % 10], custom_id))
        validity = ",2026-01-01,2026-12-31" if number % 50 == 0 else ",,"
        lines.append(f"{custom_id},Person {number},photos/{custom_id}.jpg,allow{validity}")
    roster = folder / "roster.csv"
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return roster


async def sync(client: HomeAssistantClient, data: dict[str, Any]) -> dict[str, Any]:
    response = await client.call_service("face_terminal", "sync_persons", data, response=True)
    [report] = response["service_response"]["results"]
    return dict(report)


async def test_sync_200_people_by_batch_with_photos_by_url(
    roster_terminal: Terminal, client: HomeAssistantClient, stack: Stack
) -> None:
    folder = stack.media_dir / "roster-e2e"
    roster = write_roster(folder, PEOPLE)
    seeded = {person.custom_id for person in roster_terminal.store if person.custom_id}
    unlisted = sum(1 for person in roster_terminal.store if not person.custom_id)
    assert seeded  # the simulator's built-in people, enrolled before Home Assistant came
    device_id = await client.device_id(ROSTER_TERMINAL)
    sensor = (await client.entity_ids(ROSTER_TERMINAL))["sensor.roster_sync"]

    report = await sync(client, {"device_id": device_id, "roster_file": str(roster)})

    assert report["success"] is True, report
    assert report["photo_delivery"] == "url"
    assert (report["added"], report["failed"], report["deleted"]) == (PEOPLE, 0, 0)
    assert len(report["persons"]) == PEOPLE
    store = roster_terminal.store
    person = store.get("roster-0050")
    assert person is not None
    assert person.name == "Person 50"
    assert person.card_valid_end == "2026-12-31 23:59:59"
    # The terminal fetched the photo over HTTP, byte for byte (it needed no downscaling).
    assert person.picture == (folder / "photos" / "roster-0050.jpg").read_bytes()
    assert seeded <= {p.custom_id for p in store}  # nothing deleted unless asked
    state = await wait_for_state(client, sensor, "idle")
    assert state["attributes"]["done"] == state["attributes"]["total"] == PEOPLE
    assert state["attributes"]["persons"] == len(store)

    # Second sync: one new name, one new photo, one person gone, extras deleted.
    lines = roster.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("Person 0", "Person Zero")
    del lines[3]  # roster-0002
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    new_photo = images.face_jpeg("A new face for person 7")
    (folder / "photos" / "roster-0007.jpg").write_bytes(new_photo)
    received = len(roster_terminal.received)

    report = await sync(
        client, {"device_id": device_id, "roster_file": str(roster), "delete_missing": True}
    )

    assert (report["updated"], report["added"], report["failed"]) == (2, 0, 0)
    assert report["deleted"] == len(seeded) + 1
    assert report["unchanged"] == PEOPLE - 3
    assert store.get("roster-0002") is None
    assert store.get("roster-0000").name == "Person Zero"
    assert store.get("roster-0007").picture == new_photo
    assert not seeded & {p.custom_id for p in store}
    # People enrolled on the terminal's screen have no customId: not listed, never deleted.
    assert report["persons_on_terminal"] == len(store) == PEOPLE - 1 + unlisted
    operators = [message.get("operator") for message in roster_terminal.received[received:]]
    assert operators.count("EditPersonsNew") == 1  # only the two changes went out
