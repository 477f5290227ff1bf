"""Bad roster photos are refused before anything is sent, with a reason per person.

A roster of four people against a simulated terminal: a good face, a thumbnail, a file
that is no picture and a flat picture the terminal's own face detection (§19) finds no
face on. Only the good one reaches the terminal; the others are listed with their
reasons in ``refused_photos`` and are not on the terminal afterwards.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from PIL import Image

from simulator import images

from .conftest import add_terminal, make_terminal

if TYPE_CHECKING:
    from harness.home_assistant import HomeAssistantClient

    from .conftest import Stack

TERMINAL = "7305404"


def flat_picture() -> bytes:
    """A big, even grey picture: decodable, large enough, but no face on it."""
    buffer = io.BytesIO()
    Image.new("RGB", (400, 500), (128, 128, 128)).save(buffer, format="JPEG", quality=100)
    data = buffer.getvalue()
    assert len(data) > 1000
    return data


def thumbnail() -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(images.face_jpeg("Tiny"))).resize((60, 80)).save(buffer, "JPEG")
    return buffer.getvalue()


async def test_bad_photos_refused_before_sending(stack: Stack, client: HomeAssistantClient) -> None:
    terminal = make_terminal(stack, TERMINAL)
    entry = await add_terminal(stack, terminal)
    try:
        folder = stack.media_dir / "photo-check-e2e"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "good.jpg").write_bytes(images.face_jpeg("Good Face"))
        (folder / "thumb.jpg").write_bytes(thumbnail())
        (folder / "broken.jpg").write_bytes(b"this is no picture" * 100)
        (folder / "flat.jpg").write_bytes(flat_picture())
        roster = folder / "roster.csv"
        roster.write_text(
            "custom_id,name,photo\n"
            "pc-good,Good,good.jpg\n"
            "pc-thumb,Thumb,thumb.jpg\n"
            "pc-broken,Broken,broken.jpg\n"
            "pc-flat,Flat,flat.jpg\n",
            encoding="utf-8",
        )
        device_id = await client.device_id(TERMINAL)
        response = await client.call_service(
            "face_terminal",
            "sync_persons",
            {"device_id": device_id, "roster_file": str(roster)},
            response=True,
        )
        [report] = response["service_response"]["results"]
        refused: dict[str, Any] = {
            item["custom_id"]: item["reason"] for item in report["refused_photos"]
        }
        assert set(refused) == {"pc-thumb", "pc-broken", "pc-flat"}
        assert "60 x 80 pixels" in refused["pc-thumb"]
        assert "not a picture" in refused["pc-broken"]
        assert "no face" in refused["pc-flat"]
        assert (report["added"], report["failed"]) == (1, 3)
        on_terminal = {person.custom_id for person in terminal.store}
        assert "pc-good" in on_terminal
        assert not on_terminal & set(refused)
        # No batch ever named a refused person: nothing half-sent.
        sent = [
            item.get("customId")
            for command in terminal.received
            if command.get("operator") in ("EditPersonsNew", "EditPerson", "AddPersons")
            for item in (
                command["info"]
                if isinstance(command.get("info"), list)
                else [command.get("info", {})]
            )
        ]
        assert sent == ["pc-good"]
    finally:
        terminal.stop()
        await client.delete_entry(entry["entry_id"])
