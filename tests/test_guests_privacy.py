"""A guest pass's code never leaves the action's answer: not in events, states, logs,
the logbook, diagnostics, the repair or the stored passes (as `test_privacy` checks)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.const import MATCH_ALL
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.face_terminal.const import DOMAIN
from custom_components.face_terminal.guests.manager import STORAGE_KEY

from .conftest import fire
from .test_guests import QR_TOPIC, scan_payload
from .test_privacy import Collector, log_text, states_text

if TYPE_CHECKING:
    import pytest
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    from .conftest import TerminalResponder


async def test_pass_code_never_leaves(  # noqa: PLR0917 - fixtures
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    terminal: TerminalResponder,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    caplog.set_level(logging.DEBUG)
    collector = Collector()
    hass.bus.async_listen(MATCH_ALL, collector.on_event)
    device_id = loaded_entry.runtime_data.device_id
    answer: Any = await hass.services.async_call(
        DOMAIN,
        "create_guest_pass",
        {
            "device_id": device_id,
            "label": "Courier",
            "uses": 1,
            "valid_until": (dt_util.now() + timedelta(hours=1)).isoformat(),
        },
        blocking=True,
        return_response=True,
    )
    code: str = answer["code"]
    secret = code[14:]
    fire(hass, QR_TOPIC, scan_payload(code))  # opens
    await hass.async_block_till_done()
    fire(hass, QR_TOPIC, scan_payload(code))  # used up
    fire(hass, QR_TOPIC, scan_payload(code, live=False))  # replayed
    for _ in range(5):  # wrong codes: rate limited, repair
        fire(hass, QR_TOPIC, scan_payload(code[:-3] + "zzz"))
    await hass.async_block_till_done()
    listed = await hass.services.async_call(
        DOMAIN, "list_guest_passes", {}, blocking=True, return_response=True
    )
    assert "Unlock" in terminal.operators()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"guest_pass_scans_{loaded_entry.unique_id}")
    assert issue is not None

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    places = {
        "events": "\n".join(collector.events),
        "states": states_text(hass),
        "logs": log_text(caplog),
        "diagnostics": repr(diagnostics),
        "storage": json.dumps(hass_storage.get(STORAGE_KEY)),
        "list": repr(listed),
        "issue": repr(issue),
    }
    assert "Courier" in places["events"]  # the label and pass ID may go out
    for place, text in places.items():
        assert secret not in text, f"the pass code was found in {place}"
        assert secret[:12] not in text, f"a piece of the pass code was found in {place}"
