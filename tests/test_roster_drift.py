"""Roster drift: compare a terminal with its last sync, raise a repair, fix it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.components.repairs import DOMAIN as REPAIRS_DOMAIN
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.face_terminal import protocol
from custom_components.face_terminal.const import DOMAIN
from custom_components.face_terminal.protocol.roster import Fingerprint, name_digest, renamed
from custom_components.face_terminal.roster import commands as roster_commands
from custom_components.face_terminal.roster.drift import (
    FIRST_CHECK,
    Drift,
    _examples,
    compare,
    issue_id,
)
from custom_components.face_terminal.roster.state import async_get_roster_syncs

from . import payloads
from .conftest import answer_within
from .roster_fakes import FakeRoster, report, sync

if TYPE_CHECKING:
    from pathlib import Path

    from homeassistant.components.repairs.issue_handler import RepairsFlowManager
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import issue_registry as ir
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from .conftest import TerminalResponder

pytestmark = pytest.mark.usefixtures("quick_roster", "only_sensor_platform")
FP = Fingerprint("x", None)


def test_compare() -> None:
    drift = compare(["a", "b", "z", "kept"], {"a": FP, "c": FP, "d": FP}, {"kept"})
    assert drift == Drift(missing=["c", "d"], unknown=["b", "z"])
    assert drift
    assert not compare(["a"], {"a": FP})
    assert _examples([]) == "-"
    assert _examples(["a", "b"]) == "a, b"
    assert _examples([str(n) for n in range(8)]) == "0, 1, 2, 3, 4, … (+3)"


def test_compare_names() -> None:
    known = {"a": FP, "b": FP}
    # Another name counts only for a person on the terminal that Home Assistant synced.
    drift = compare(["a", "b", "x"], known, (), renamed=["b", "x", "gone", "b"])
    assert drift == Drift(missing=[], unknown=["x"], renamed=["b"])
    assert compare(["a", "b"], known, (), renamed=["b"])


def record(custom_id: str | None, name: str | None) -> protocol.PersonRecord:
    return protocol.PersonRecord(custom_id, None, name, 0, None, None, None, None)


def test_renamed() -> None:
    known = {
        "alice": Fingerprint("x", None, name_digest("Alice")),
        "bob": Fingerprint("x", None, name_digest("Bob")),
        "old": Fingerprint("x", None),  # stored before names were kept
    }
    records = [
        record("alice", " Alice "),  # spaces around a name do not count
        record("bob", "Robert"),
        record("old", "Anything"),
        record("stranger", "Eve"),
        record(None, "Screen"),
        record("alice", None),
    ]
    assert renamed(records, known) == ["bob"]
    assert name_digest("Alice") != name_digest("alice")


@pytest.fixture
async def flow_manager(hass: HomeAssistant) -> RepairsFlowManager:
    assert await async_setup_component(hass, REPAIRS_DOMAIN, {})
    manager: RepairsFlowManager = hass.data[REPAIRS_DOMAIN]["flow_manager"]
    return manager


async def check(hass: HomeAssistant, device_id: str) -> dict[str, Any]:
    result = await hass.services.async_call(
        DOMAIN, "check_roster", {"device_id": device_id}, blocking=True, return_response=True
    )
    assert isinstance(result, dict)
    (only,) = result["results"]
    return dict(only)


async def drifted(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> FakeRoster:
    """Synced from the roster file, then changed on the terminal's own screen."""
    fake = FakeRoster(terminal)
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    )
    assert result["added"] == 3
    assert (await check(hass, device_id))["missing"] == []
    del fake.persons["p1"]
    del fake.persons["p2"]
    fake.persons["visitor-9"] = {"name": "Screen"}
    return fake


async def test_drift_repaired_keeping_unknown_people(
    hass: HomeAssistant,
    *,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    flow_manager: RepairsFlowManager,
) -> None:
    fake = await drifted(hass, terminal, device_id, faces_dir)
    result = await check(hass, device_id)
    assert result == {
        "device_id": device_id,
        "terminal_id": payloads.TERMINAL_ID,
        "checked": True,
        "missing": ["p1", "p2"],
        "unknown": ["visitor-9"],
        "renamed": [],
    }
    issue = issue_registry.async_get_issue(DOMAIN, issue_id(loaded_entry.entry_id))
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["missing"] == "2"
    assert issue.translation_placeholders["unknown"] == "1"
    assert issue.translation_placeholders["name"] == "Front door"

    flow = await flow_manager.async_init(
        DOMAIN, context={"issue_id": issue_id(loaded_entry.entry_id)}
    )
    assert flow["type"] is FlowResultType.FORM
    assert "unknown_people" in {str(key) for key in flow["data_schema"].schema}
    flow = await flow_manager.async_configure(flow["flow_id"], {"unknown_people": "keep"})
    assert flow["type"] is FlowResultType.CREATE_ENTRY
    assert {"p1", "p2", "p3", "visitor-9"} <= set(fake.persons)
    assert issue_registry.async_get_issue(DOMAIN, issue_id(loaded_entry.entry_id)) is None
    # Kept people are not reported again.
    assert (await check(hass, device_id))["unknown"] == []


async def test_drift_repaired_deleting_unknown_people(
    hass: HomeAssistant,
    *,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    flow_manager: RepairsFlowManager,
) -> None:
    fake = await drifted(hass, terminal, device_id, faces_dir)
    await check(hass, device_id)
    flow = await flow_manager.async_init(
        DOMAIN, context={"issue_id": issue_id(loaded_entry.entry_id)}
    )
    flow = await flow_manager.async_configure(flow["flow_id"], {"unknown_people": "delete"})
    assert flow["type"] is FlowResultType.CREATE_ENTRY
    assert set(fake.persons) == {"p1", "p2", "p3"}
    assert issue_registry.async_get_issue(DOMAIN, issue_id(loaded_entry.entry_id)) is None


async def test_fix_that_does_not_help(
    hass: HomeAssistant,
    *,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    loaded_entry: MockConfigEntry,
    flow_manager: RepairsFlowManager,
) -> None:
    await drifted(hass, terminal, device_id, faces_dir)
    await check(hass, device_id)
    # The terminal does not delete the unknown person.
    terminal.replies["DeletePersons"] = lambda command: payloads.ack(
        "DeletePersons",
        command["messageId"],
        DelSucNum="0",
        DelSucInfo=[],
        DelErrInfo=[{"customId": "visitor-9", "errcode": "464"}],
    )
    flow = await flow_manager.async_init(
        DOMAIN, context={"issue_id": issue_id(loaded_entry.entry_id)}
    )
    flow = await flow_manager.async_configure(flow["flow_id"], {"unknown_people": "delete"})
    assert flow["type"] is FlowResultType.FORM
    assert flow["errors"] == {"base": "roster_still_differs"}
    assert flow["description_placeholders"]["unknown"] == "1"
    assert flow["description_placeholders"]["missing"] == "0"


async def test_fix_without_a_roster_file(
    hass: HomeAssistant,
    *,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    loaded_entry: MockConfigEntry,
    flow_manager: RepairsFlowManager,
) -> None:
    fake = FakeRoster(terminal)
    photo = str(faces_dir / "p1.jpg")
    persons = [{"custom_id": "p1", "name": "Alice", "photo": photo}]
    await sync(hass, {"device_id": device_id, "persons": persons})
    fake.persons.clear()
    assert (await check(hass, device_id))["missing"] == ["p1"]
    flow = await flow_manager.async_init(
        DOMAIN, context={"issue_id": issue_id(loaded_entry.entry_id)}
    )
    flow = await flow_manager.async_configure(flow["flow_id"], {})
    assert flow["errors"] == {"base": "roster_repair_failed"}
    assert "sync_persons" in flow["description_placeholders"]["error"]


async def test_fix_of_an_unloaded_terminal(
    hass: HomeAssistant,
    *,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    loaded_entry: MockConfigEntry,
    flow_manager: RepairsFlowManager,
) -> None:
    await drifted(hass, terminal, device_id, faces_dir)
    await check(hass, device_id)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    flow = await flow_manager.async_init(
        DOMAIN, context={"issue_id": issue_id(loaded_entry.entry_id)}
    )
    assert flow["type"] is FlowResultType.ABORT
    assert flow["reason"] == "not_loaded"


async def test_not_compared(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    # Never synced: nothing to compare with.
    assert await check(hass, device_id) == {
        "device_id": device_id,
        "terminal_id": payloads.TERMINAL_ID,
        "checked": False,
    }
    await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    # No answer to the list: not compared this time.
    terminal.replies["QueryPerson"] = lambda command: None
    assert (await check(hass, device_id))["checked"] is False
    terminal.replies["QueryPerson"] = fake.query_person
    assert (await check(hass, device_id))["checked"] is True


async def test_checked_by_itself(
    hass: HomeAssistant,
    *,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    await drifted(hass, terminal, device_id, faces_dir)
    async_fire_time_changed(hass, dt_util.utcnow() + FIRST_CHECK + timedelta(seconds=1))
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id(loaded_entry.entry_id)) is not None


async def test_names_changed_on_the_terminal_repaired(
    hass: HomeAssistant,
    *,
    terminal: TerminalResponder,
    device_id: str,
    faces_dir: Path,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    flow_manager: RepairsFlowManager,
) -> None:
    fake = FakeRoster(terminal)
    await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    assert (await check(hass, device_id))["renamed"] == []
    fake.persons["p2"]["name"] = "Robert"  # edited on the terminal's screen
    fake.persons["p3"]["name"] = "Caroline"

    result = await check(hass, device_id)
    assert (result["missing"], result["unknown"], result["renamed"]) == ([], [], ["p2", "p3"])
    issue = issue_registry.async_get_issue(DOMAIN, issue_id(loaded_entry.entry_id))
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["renamed"] == "2"
    assert issue.translation_placeholders["renamed_examples"] == "p2, p3"

    flow = await flow_manager.async_init(
        DOMAIN, context={"issue_id": issue_id(loaded_entry.entry_id)}
    )
    assert flow["description_placeholders"]["renamed"] == "2"
    # Nobody unknown: nothing to keep or delete.
    assert not flow["data_schema"].schema
    sent_before = len(fake.items())
    flow = await flow_manager.async_configure(flow["flow_id"], {})
    assert flow["type"] is FlowResultType.CREATE_ENTRY
    resent = fake.items()[sent_before:]
    assert sorted(item["customId"] for item in resent) == ["p2", "p3"]
    # Their name goes out again, their unchanged photo does not.
    assert all("picURI" not in item and "pic" not in item for item in resent)
    assert (fake.persons["p2"]["name"], fake.persons["p3"]["name"]) == ("Bob", "Carol")
    assert issue_registry.async_get_issue(DOMAIN, issue_id(loaded_entry.entry_id)) is None
    assert (await check(hass, device_id))["renamed"] == []


async def test_names_read_page_by_page(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    fake.persons["p3"]["name"] = "Caroline"
    fake.page_requests = 0
    with patch.object(roster_commands, "NAME_PAGE", 2):
        assert (await check(hass, device_id))["renamed"] == ["p3"]
    assert fake.page_requests == 2  # 3 people, 2 a page
    with (
        patch.object(roster_commands, "NAME_PAGE", 1),
        patch.object(roster_commands, "MAX_NAME_PAGES", 2),
    ):
        # A terminal that ignored BeginNO would be asked forever: 2 pages at most here.
        assert (await check(hass, device_id))["renamed"] == []
    # A page without people ends the listing, whatever total the terminal claims.
    terminal.replies["SearchPersonList"] = lambda command: payloads.ack(
        "SearchPersonList", command["messageId"], code=200, TotalPersonNum=3, List=[]
    )
    assert (await check(hass, device_id))["renamed"] == []


async def test_names_not_compared_without_search(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    fake.persons["p1"]["name"] = "Alicia"
    del fake.persons["p2"]
    # Older firmware refuses SearchPersonList: the IDs are still compared.
    terminal.replies["SearchPersonList"] = lambda command: payloads.ack(
        "SearchPersonList", command["messageId"], code=462, result="fail"
    )
    result = await check(hass, device_id)
    assert (result["checked"], result["missing"], result["renamed"]) == (True, ["p2"], [])
    # ... and so does a terminal that does not answer it.
    terminal.replies["SearchPersonList"] = lambda command: None
    with answer_within("SearchPersonList", 0.05):
        assert (await check(hass, device_id))["renamed"] == []
    # An empty terminal lists nobody (466): everybody is missing, nobody renamed.
    terminal.replies["SearchPersonList"] = fake.search_person_list
    fake.persons.clear()
    result = await check(hass, device_id)
    assert (result["missing"], result["renamed"]) == (["p1", "p2", "p3"], [])


async def test_names_learnt_for_fingerprints_stored_without_them(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    roster = {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")}
    await sync(hass, roster)
    known = await async_get_roster_syncs(hass).async_known(payloads.TERMINAL_ID)
    for cid, last in list(known.items()):
        known[cid] = Fingerprint(last.details, last.photo)  # as an older version stored them
    fake.persons["p1"]["name"] = "Alicia"
    assert (await check(hass, device_id))["renamed"] == []  # nothing to compare with yet
    fake.persons["p1"]["name"] = "Alice"
    # The next sync sends nobody (nothing changed) but notes the names it would send.
    assert report(await sync(hass, roster))["unchanged"] == 3
    assert known["p1"].name == name_digest("Alice")
    fake.persons["p1"]["name"] = "Alicia"
    assert (await check(hass, device_id))["renamed"] == ["p1"]


async def test_sync_started_during_the_check(
    hass: HomeAssistant, terminal: TerminalResponder, device_id: str, faces_dir: Path
) -> None:
    fake = FakeRoster(terminal)
    await sync(hass, {"device_id": device_id, "roster_file": str(faces_dir / "roster.csv")})
    fake.persons["p1"]["name"] = "Alicia"
    syncs = async_get_roster_syncs(hass)
    runtime = hass.config_entries.async_entries(DOMAIN)[0].runtime_data
    reserved = syncs.reserve([runtime])

    def page_then_sync(command: dict[str, Any]) -> bytes:
        reserved.__enter__()  # a sync of the terminal starts while the names come
        return fake.search_person_list(command)

    terminal.replies["SearchPersonList"] = page_then_sync
    try:
        assert (await check(hass, device_id))["checked"] is False
    finally:
        reserved.__exit__(None, None, None)
