"""Visitors on the terminals: the list of temporary people and the cleanup of expired ones."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from custom_components.face_terminal.const import DOMAIN
from custom_components.face_terminal.guests import visitor_list
from custom_components.face_terminal.guests.visitor_list import is_expired
from custom_components.face_terminal.protocol import PersonRecord

from . import payloads
from .payloads import TERMINAL_ID

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .conftest import TerminalResponder


def fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def people() -> list[dict[str, Any]]:
    now = dt_util.now().replace(tzinfo=None)
    never = "0000-00-00 00:00:00"
    return [
        {"customId": "alice", "name": "Alice", "tempCardType": 0, "cardValidBegin": never},
        {
            "customId": "visitor-old",
            "name": "Visitor",
            "tempCardType": 1,
            "cardValidBegin": fmt(now - timedelta(days=1)),
            "cardValidEnd": fmt(now - timedelta(hours=1)),
        },
        {
            "customId": "visitor-now",
            "name": "Courier",
            "tempCardType": 1,
            "cardValidBegin": fmt(now - timedelta(hours=1)),
            "cardValidEnd": fmt(now + timedelta(hours=1)),
        },
        {"customId": "visitor-used", "name": "V", "tempCardType": 3, "EffectNumber": 0},
        {"customId": "visitor-left", "name": "W", "tempCardType": 3, "EffectNumber": 2},
    ]


def answer_pages(terminal: TerminalResponder, persons: list[dict[str, Any]], page: int) -> None:
    def reply(cmd: dict[str, Any]) -> bytes:
        offset = int(cmd["info"].get("BeginNO", cmd["info"].get("BeginNo", 0)) or 0)
        chunk = persons[offset : offset + page]
        return payloads.ack(
            "SearchPersonList",
            cmd["messageId"],
            code=200,
            TotalPersonNum=len(persons),
            PersonNum=len(chunk),
            List=chunk,
        )

    terminal.replies["SearchPersonList"] = reply


async def call(hass: HomeAssistant, service: str, device_id: str) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, {"device_id": device_id}, blocking=True, return_response=True
    )


async def test_list_visitors(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    answer_pages(terminal, people(), page=100)
    result = await call(hass, "list_visitors", device_id)
    visitors = result[TERMINAL_ID]
    assert [v["custom_id"] for v in visitors] == [
        "visitor-old",
        "visitor-now",
        "visitor-used",
        "visitor-left",
    ]
    assert [v["expired"] for v in visitors] == [True, False, True, False]
    assert visitors[0]["kind"] == "until"
    assert visitors[3]["passages_left"] == 2
    assert visitors[1]["passages_left"] is None


async def test_remove_expired_in_pages_and_batches(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    device_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer_pages(terminal, people(), page=2)
    monkeypatch.setattr(visitor_list, "PAGE", 2)
    monkeypatch.setattr(visitor_list, "DELETE_BATCH", 1)
    result = await call(hass, "remove_expired_visitors", device_id)
    assert result == {TERMINAL_ID: ["visitor-old", "visitor-used"]}
    deleted = [c["info"] for c in terminal.commands if c["operator"] == "DeletePersons"]
    assert len(deleted) == 2


async def test_no_persons_at_all(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    terminal.replies["SearchPersonList"] = lambda cmd: payloads.ack(
        "SearchPersonList", cmd["messageId"], code="466", result="fail"
    )
    assert await call(hass, "list_visitors", device_id) == {TERMINAL_ID: []}
    assert await call(hass, "remove_expired_visitors", device_id) == {TERMINAL_ID: []}


async def test_list_fails(hass: HomeAssistant, terminal: TerminalResponder, device_id: str) -> None:
    terminal.replies["SearchPersonList"] = lambda cmd: payloads.ack(
        "SearchPersonList", cmd["messageId"], code="462", result="fail"
    )
    with pytest.raises(HomeAssistantError):
        await call(hass, "list_visitors", device_id)
    with pytest.raises(HomeAssistantError):
        await call(hass, "remove_expired_visitors", device_id)


def record(**fields: Any) -> PersonRecord:
    base: dict[str, Any] = {
        "custom_id": "x",
        "person_id": None,
        "name": None,
        "person_type": None,
        "gender": None,
        "valid_from": None,
        "valid_until": None,
        "created": None,
    }
    return PersonRecord(**(base | fields))


def test_is_expired() -> None:
    now = datetime(2030, 1, 2, 12, 0, 0)
    assert not is_expired(record(temp_card_type=0), now)
    assert not is_expired(record(temp_card_type=1), now)  # no end: never
    assert is_expired(record(temp_card_type=2, valid_until=datetime(2030, 1, 1, 18, 0)), now)
    assert not is_expired(record(temp_card_type=2, valid_until=datetime(2030, 1, 2, 9, 0)), now)
    aware = dt_util.as_utc(datetime(2030, 1, 2, 11, 0, tzinfo=dt_util.get_default_time_zone()))
    assert is_expired(record(temp_card_type=1, valid_until=aware), now)
    assert not is_expired(record(temp_card_type=3), now)


async def test_bad_device(hass: HomeAssistant, device_id: str) -> None:
    with pytest.raises(HomeAssistantError):
        await call(hass, "list_visitors", "nope")


async def test_remove_expired_keeps_the_door_wait_bounded(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str
) -> None:
    """§4.9: nothing else goes while a DeletePersons runs, so each deletes at most 50."""
    used = [
        {"customId": f"visitor-{n}", "name": "V", "tempCardType": 3, "EffectNumber": 0}
        for n in range(51)
    ]
    answer_pages(terminal, used, page=100)
    result = await call(hass, "remove_expired_visitors", device_id)
    assert len(result[TERMINAL_ID]) == 51
    deleted = [c["info"]["customId"] for c in terminal.commands if c["operator"] == "DeletePersons"]
    assert [len(batch) for batch in deleted] == [50, 1]
