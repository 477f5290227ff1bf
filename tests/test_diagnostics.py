"""Diagnostics of a terminal."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.face_terminal.diagnostics import async_get_config_entry_diagnostics

from . import payloads
from .conftest import TerminalResponder, fire, setup_entry
from .payloads import BASIC_TOPIC, QR_TOPIC, REC_TOPIC, SNAP_TOPIC

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
    from syrupy.assertion import SnapshotAssertion


async def test_diagnostics(
    hass: HomeAssistant,
    *,
    freezer: FrozenDateTimeFactory,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Configuration, presence, counters and recent records, without personal data.

    The clock stays frozen at one fixed instant for the whole test: going back to the real
    "now" (e.g. for an API token issued at collection time) would let the silence
    watchdog see days of silence and make the result depend on the calendar.
    """
    freezer.move_to("2026-11-22T18:10:00+00:00")  # 10:10 in the test time zone
    await setup_entry(hass, config_entry)
    await hass.async_block_till_done(wait_background_tasks=True)  # the version probe
    fire(hass, BASIC_TOPIC, payloads.online(time="2026-11-22 10:00:00"))
    fire(hass, REC_TOPIC, payloads.rec_push(pic=payloads.jpeg()))
    fire(hass, REC_TOPIC, payloads.rec_push(pic=payloads.jpeg()))  # a duplicate
    fire(hass, SNAP_TOPIC, payloads.str_snap_push())
    fire(hass, QR_TOPIC, payloads.qr_push())
    fire(hass, REC_TOPIC, b"not json")
    await hass.async_block_till_done()

    # Called directly: the HTTP route needs a token issued at the real "now" (the route
    # itself is covered by the tests below, which never move the clock).
    diagnostics = await async_get_config_entry_diagnostics(hass, config_entry)
    assert diagnostics == snapshot

    text = json.dumps(diagnostics, ensure_ascii=False)
    for secret in ("Alice", "alice-01", '"41"', "u.example", "base64"):
        assert secret not in text
    assert diagnostics["last_recognition"]["person_name"] == "**REDACTED**"


async def test_diagnostics_without_records(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    terminal: TerminalResponder,
    config_entry: MockConfigEntry,
) -> None:
    """A terminal that has sent nothing yet."""
    terminal.silent = True
    await setup_entry(hass, config_entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, config_entry)
    assert diagnostics["terminal"]["online"] is False
    assert diagnostics["terminal"]["last_seen"] is None
    assert diagnostics["terminal"]["last_face"] is None
    assert diagnostics["last_records"] == []
    assert diagnostics["last_recognition"] is None
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_diagnostics_picture_problem(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
) -> None:
    """A picture that could not be decoded is described by its problem."""
    fire(hass, REC_TOPIC, payloads.rec_push(extra={"pic": "data:image/jpeg;base64,@@@@"}))
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert diagnostics["last_recognition"]["face"] == {"problem": "not_base64"}
    assert diagnostics["last_recognition"]["scene"] is None
