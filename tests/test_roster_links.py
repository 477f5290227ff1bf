"""Roster links: the ``ha_person`` column of a roster, merged into the terminals' options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_HOME, Platform
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.face_terminal.const import CONF_PERSON_LINKS, EVENT_RECOGNITION
from custom_components.face_terminal.roster import links as roster_links
from custom_components.face_terminal.roster.entries import RosterEntry

from . import payloads
from .conftest import TerminalResponder, fire, settle_probe, setup_entry
from .roster_fakes import BASE_URL, FakeRoster, by_id, report, sync, write_photos

if TYPE_CHECKING:
    from collections.abc import Generator
    from pathlib import Path

    from homeassistant.core import HomeAssistant

ALICE_TRACKER = "device_tracker.front_door_alice_through_the_door"
BOB_TRACKER = "device_tracker.front_door_bob_through_the_door"
GONE_TRACKER = "device_tracker.front_door_gone_through_the_door"

pytestmark = pytest.mark.usefixtures("quick_roster")


@pytest.fixture(autouse=True)
def only_trackers() -> Generator[None]:
    """The per-person trackers are the entities that follow the links."""
    with patch("custom_components.face_terminal.PLATFORMS", [Platform.DEVICE_TRACKER]):
        yield


@pytest.fixture
async def roster_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """An allowed folder with photos p1 to p3."""
    await async_process_ha_core_config(hass, {"internal_url": BASE_URL})
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    write_photos(tmp_path)
    return tmp_path


async def linked_terminal(
    hass: HomeAssistant, entry: MockConfigEntry, links: dict[str, str]
) -> str:
    """Set the terminal up with these links in its options; its device ID."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={CONF_PERSON_LINKS: links})
    await setup_entry(hass, entry)
    entry.runtime_data.session.spacing = 0
    return str(entry.runtime_data.device_id)


async def settle_reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Let the reload a link change schedules finish, and the terminal come back."""
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await settle_probe(hass, entry)


async def test_sync_writes_links_and_the_tracker_follows(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    roster_dir: Path,
) -> None:
    """Rows set or clear their own link; links the roster does not mention stay."""
    device_id = await linked_terminal(
        hass, config_entry, {"p2": "person.bob", "elsewhere": "person.carol"}
    )
    assert hass.states.get(BOB_TRACKER) is not None
    assert hass.states.get(ALICE_TRACKER) is None
    FakeRoster(terminal)
    (roster_dir / "roster.csv").write_text(
        "custom_id,name,photo,ha_person\n"
        "p1,Alice,p1.jpg,person.alice\n"
        "p2,Bob,p2.jpg,\n"
        "p3,Carol,p3.jpg,\n",
        encoding="utf-8",
    )
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(roster_dir / "roster.csv")})
    )
    assert result["added"] == 3
    assert result["person_links"] == {"set": 1, "cleared": 1}
    assert config_entry.options[CONF_PERSON_LINKS] == {
        "p1": "person.alice",
        "elsewhere": "person.carol",
    }
    await settle_reload(hass, config_entry)
    # The new link's tracker appears; the cleared link's tracker is gone for good.
    assert hass.states.get(ALICE_TRACKER) is not None
    assert hass.states.get(BOB_TRACKER) is None
    assert er.async_get(hass).async_get(BOB_TRACKER) is None
    # Recognitions of the synced person now name the linked Home Assistant person.
    events = async_capture_events(hass, EVENT_RECOGNITION)
    fire(
        hass,
        payloads.REC_TOPIC,
        payloads.rec_push(custom_id="p1", extra={"direction": "entr"}),
    )
    await hass.async_block_till_done()
    assert events[0].data["person_entity_id"] == "person.alice"
    assert hass.states.get(ALICE_TRACKER).state == STATE_HOME
    # The same roster again changes no link and reloads nothing.
    runtime = config_entry.runtime_data
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(roster_dir / "roster.csv")})
    )
    assert result["person_links"] == {"set": 0, "cleared": 0}
    await hass.async_block_till_done()
    assert config_entry.runtime_data is runtime


async def test_deleted_refused_and_unmentioned_people(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    roster_dir: Path,
) -> None:
    """Deleted people lose their link; refused people and rows without the key keep it."""
    device_id = await linked_terminal(
        hass,
        config_entry,
        {"gone": "person.gone", "refused": "person.old", "p1": "person.alice"},
    )
    registry = er.async_get(hass)
    assert registry.async_get(GONE_TRACKER) is not None
    fake = FakeRoster(terminal, ["gone", "refused", "p1"])
    fake.fail["refused"] = "461"
    result = report(
        await sync(
            hass,
            {
                "device_id": device_id,
                "persons": [
                    {"custom_id": "refused", "name": "R", "ha_person": "person.new"},
                    {"custom_id": "p1", "name": "Alice", "photo": str(roster_dir / "p1.jpg")},
                    # A per-person problem: not sent, so its link is not written either.
                    {"custom_id": "p2", "name": "B" * 40, "ha_person": "person.bob"},
                ],
                "delete_missing": True,
            },
        )
    )
    persons = by_id(result)
    assert persons["gone"]["action"] == "delete"
    assert persons["refused"]["success"] is False
    assert persons["p2"]["success"] is False
    assert result["person_links"] == {"set": 0, "cleared": 1}
    assert config_entry.options[CONF_PERSON_LINKS] == {
        "refused": "person.old",
        "p1": "person.alice",
    }
    await settle_reload(hass, config_entry)
    assert registry.async_get(GONE_TRACKER) is None
    assert hass.states.get(ALICE_TRACKER) is not None


async def test_relinking_replaces_the_tracker(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    roster_dir: Path,
) -> None:
    """A custom ID linked to someone else: the old person's tracker goes, a new one comes."""
    device_id = await linked_terminal(hass, config_entry, {"p1": "person.bob"})
    registry = er.async_get(hass)
    old_unique_id = registry.async_get(BOB_TRACKER).unique_id
    FakeRoster(terminal, ["p1"])
    result = report(
        await sync(
            hass,
            {
                "device_id": device_id,
                "persons": [
                    {
                        "custom_id": "p1",
                        "name": "Alice",
                        "photo": str(roster_dir / "p1.jpg"),
                        "ha_person": "person.alice",
                    }
                ],
            },
        )
    )
    assert result["person_links"] == {"set": 1, "cleared": 0}
    await settle_reload(hass, config_entry)
    assert registry.async_get(BOB_TRACKER) is None
    assert registry.async_get_entity_id("device_tracker", "face_terminal", old_unique_id) is None
    assert hass.states.get(ALICE_TRACKER) is not None


async def test_inline_null_clears_and_links_reach_every_terminal(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    roster_dir: Path,
) -> None:
    """An inline ``ha_person: null`` clears; a YAML file sets; other options stay as set."""
    device_id = await linked_terminal(hass, config_entry, {"y1": "person.old"})
    FakeRoster(terminal)
    (roster_dir / "roster.yaml").write_text(
        "persons:\n"
        "  - custom_id: y1\n    name: Yara\n    photo: p1.jpg\n    ha_person: null\n"
        "  - custom_id: 'a=b:c'\n    name: Odd\n    photo: p2.jpg\n"
        "    ha_person: ' person.odd_one '\n",
        encoding="utf-8",
    )
    timeout = config_entry.options.get("offline_timeout")
    result = report(
        await sync(hass, {"device_id": device_id, "roster_file": str(roster_dir / "roster.yaml")})
    )
    assert result["person_links"] == {"set": 1, "cleared": 1}
    assert config_entry.options[CONF_PERSON_LINKS] == {"a=b:c": "person.odd_one"}
    assert config_entry.options.get("offline_timeout") == timeout
    await settle_reload(hass, config_entry)
    await round_trip_through_the_options_form(hass, config_entry)


async def round_trip_through_the_options_form(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The options form shows roster-written links and saves them back unchanged."""
    links = dict(entry.options[CONF_PERSON_LINKS])
    result = await hass.config_entries.options.async_init(entry.entry_id)
    schema = result["data_schema"].schema
    suggested = {
        str(key): key.description["suggested_value"]
        for key in schema
        if key.description and "suggested_value" in key.description
    }
    user_input: dict[str, Any] = {
        "offline_timeout": 150,
        "door_open_time": 5,
        "acknowledge_records": True,
        "recover_records": True,
        "access_window": 5,
        "access_default": "deny",
        CONF_PERSON_LINKS: suggested[CONF_PERSON_LINKS],
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_PERSON_LINKS] == links
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    "value",
    [
        "light.kitchen",
        "person.Alice",
        "person.",
        "alice",
        "person.al ice",
        "person.al\u0663",  # an Arabic-Indic digit: no ASCII entity ID
        "person._alice",
        "person.a__b",
        "person." + "a" * 300,
    ],
)
async def test_bad_ha_person_in_a_file(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    roster_dir: Path,
    value: str,
) -> None:
    """A malformed or foreign entity ID refuses the whole roster before anything is sent."""
    device_id = await linked_terminal(hass, config_entry, {"x": "person.x"})
    FakeRoster(terminal)
    (roster_dir / "bad.csv").write_text(
        f"custom_id,name,photo,ha_person\np1,Alice,p1.jpg,{value}\n", encoding="utf-8"
    )
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "roster_file": str(roster_dir / "bad.csv")})
    assert err.value.translation_key == "roster_ha_person_invalid"
    assert err.value.translation_placeholders == {"row": "row 1"}
    assert "person.alice" in str(err.value)  # the translated message explains the format
    assert "EditPersonsNew" not in terminal.operators()
    assert config_entry.options[CONF_PERSON_LINKS] == {"x": "person.x"}


@pytest.mark.parametrize("value", ["sensor.alice", 42, "person.x\nperson.y"])
async def test_bad_ha_person_inline(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    roster_dir: Path,
    value: object,
) -> None:
    """Inline entries are checked like file rows (the schema only wants text)."""
    device_id = await linked_terminal(hass, config_entry, {})
    FakeRoster(terminal)
    with pytest.raises(ServiceValidationError) as err:
        await sync(
            hass,
            {
                "device_id": device_id,
                "persons": [{"custom_id": "p1", "name": "Alice", "ha_person": value}],
            },
        )
    assert err.value.translation_key == "roster_ha_person_invalid"
    assert err.value.translation_placeholders == {"row": "persons 1"}
    assert "EditPersonsNew" not in terminal.operators()


async def test_bad_ha_person_in_yaml(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    roster_dir: Path,
) -> None:
    """A YAML value that is no text at all (a list) is refused too."""
    device_id = await linked_terminal(hass, config_entry, {})
    FakeRoster(terminal)
    (roster_dir / "bad.yaml").write_text(
        "- custom_id: p1\n  name: Alice\n  ha_person: [person.alice]\n", encoding="utf-8"
    )
    with pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "roster_file": str(roster_dir / "bad.yaml")})
    assert err.value.translation_key == "roster_ha_person_invalid"


async def test_too_many_links_are_refused_before_the_sync(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    roster_dir: Path,
) -> None:
    """The options form holds `MAX_LINKS` lines; a roster that would pass it is refused."""
    device_id = await linked_terminal(hass, config_entry, {"mine": "person.mine"})
    FakeRoster(terminal)
    persons = [
        {"custom_id": f"p{n}", "name": f"P{n}", "ha_person": f"person.p{n}"} for n in range(2)
    ]
    with patch.object(roster_links, "MAX_LINKS", 2), pytest.raises(ServiceValidationError) as err:
        await sync(hass, {"device_id": device_id, "persons": persons})
    assert err.value.translation_key == "roster_too_many_links"
    assert err.value.translation_placeholders == {"max_links": "2"}
    assert "QueryPerson" not in terminal.operators()
    # Relinking people already counted fits.
    with patch.object(roster_links, "MAX_LINKS", 3):
        result = report(await sync(hass, {"device_id": device_id, "persons": persons}))
    assert result["success"] is True


async def test_a_failed_terminal_keeps_its_links(
    hass: HomeAssistant,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    roster_dir: Path,
) -> None:
    """A terminal whose sync could not start gets no link written."""
    device_id = await linked_terminal(hass, config_entry, {"p1": "person.old"})
    terminal.replies["QueryPerson"] = lambda command: payloads.ack(
        "QueryPerson", command["messageId"], code="462", result="fail"
    )
    result = report(
        await sync(
            hass,
            {
                "device_id": device_id,
                "persons": [{"custom_id": "p1", "name": "Alice", "ha_person": "person.alice"}],
            },
        )
    )
    assert result["success"] is False
    assert config_entry.options[CONF_PERSON_LINKS] == {"p1": "person.old"}


def test_merge_rule() -> None:
    """The merge in one place: set, clear, keep, delete."""
    roster = [
        RosterEntry(custom_id="set", name="S", links_person=True, ha_person="person.new"),
        RosterEntry(custom_id="clear", name="C", links_person=True),
        RosterEntry(custom_id="silent", name="N"),
        RosterEntry(custom_id="refused", name="R", links_person=True, ha_person="person.r"),
        RosterEntry(custom_id="same", name="M", links_person=True, ha_person="person.same"),
    ]
    links = {
        "set": "person.old",
        "clear": "person.c",
        "silent": "person.s",
        "refused": "person.keep",
        "same": "person.same",
        "deleted": "person.d",
        "user": "person.u",
    }
    merged, counts = roster_links.merge_links(
        links, roster, {"set", "clear", "silent", "same"}, {"deleted", "never-linked"}
    )
    assert merged == {
        "set": "person.new",
        "silent": "person.s",
        "refused": "person.keep",
        "same": "person.same",
        "user": "person.u",
    }
    assert counts == {"set": 1, "cleared": 2}
    assert links["set"] == "person.old"  # the stored map itself is not changed


def test_current_links_ignore_malformed_options() -> None:
    entry = MockConfigEntry(domain="face_terminal", options={CONF_PERSON_LINKS: "x"})
    assert roster_links.current_links(entry) == {}
    entry = MockConfigEntry(
        domain="face_terminal", options={CONF_PERSON_LINKS: {"a": "person.a", "b": 3}}
    )
    assert roster_links.current_links(entry) == {"a": "person.a"}
