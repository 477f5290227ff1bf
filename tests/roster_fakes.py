"""A fake terminal's person list and helpers shared by the roster tests."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from PIL import Image

from custom_components.face_terminal.const import DOMAIN

from . import payloads

if TYPE_CHECKING:
    from pathlib import Path

    from homeassistant.core import HomeAssistant

    from .conftest import TerminalResponder

SENSOR = "sensor.front_door_roster_sync"
BASE_URL = "http://192.168.1.2:8123"


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
        terminal.replies["SearchPersonList"] = self.search_person_list
        self.page_requests = 0

    def query_person(self, command: dict[str, Any]) -> bytes:
        return payloads.ack(
            "QueryPerson",
            command["messageId"],
            TotalPersonNum=str(len(self.persons) + 1),  # one enrolled on the screen
            QueryPersonNum=str(len(self.persons)),
            Customid=",".join(self.persons),
        )

    def search_person_list(self, command: dict[str, Any]) -> bytes:
        """One page of persons with their names, as §4.2.3 lists them (no pictures)."""
        self.page_requests += 1
        if not self.persons:
            return payloads.ack("SearchPersonList", command["messageId"], code=466, result="fail")
        start, count = command["info"]["BeginNO"], command["info"]["RequestCount"]
        page = list(self.persons.items())[start : start + count]
        return payloads.ack(
            "SearchPersonList",
            command["messageId"],
            code=200,
            TotalPersonNum=len(self.persons),
            PersonNum=len(page),
            List=[
                {"customId": cid, "name": person.get("name", ""), "personType": 0}
                for cid, person in page
            ],
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


async def sync(hass: HomeAssistant, data: dict[str, Any], *, response: bool = True) -> Any:
    return await hass.services.async_call(
        DOMAIN, "sync_persons", data, blocking=True, return_response=response
    )


def report(result: Any) -> dict[str, Any]:
    (only,) = result["results"]
    return dict(only)


def by_id(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {person["custom_id"]: person for person in result["persons"]}


def write_photos(folder: Path) -> None:
    """Photos p1.jpg to p3.jpg, each a different picture."""
    for number in range(1, 4):
        (folder / f"p{number}.jpg").write_bytes(payloads.face_photo(number))


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 30, 128)).save(buffer, format="PNG")
    return buffer.getvalue()
