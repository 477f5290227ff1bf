"""One date rule for valid_from / valid_until at every entry point (issue 21, point 3)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from custom_components.face_terminal.roster.entries import check_rows
from custom_components.face_terminal.roster.services import INLINE_PERSON_SCHEMA
from custom_components.face_terminal.validation import VALIDITY_BOUND, validity_bound

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


def test_a_date_is_a_whole_day() -> None:
    assert VALIDITY_BOUND("2027-06-30") == date(2027, 6, 30)
    assert validity_bound(date(2027, 6, 30), until=True) == datetime(2027, 6, 30, 23, 59, 59)
    assert validity_bound(date(2027, 6, 1), until=False) == datetime(2027, 6, 1)
    moment = datetime(2027, 6, 30, 12, 0)
    assert validity_bound(moment, until=True) is moment


async def test_inline_persons_and_files_agree(hass: HomeAssistant) -> None:
    """Inline ``persons`` (actions, blueprints) read dates like a CSV or YAML roster."""
    inline = INLINE_PERSON_SCHEMA(
        {"custom_id": "a", "name": "A", "valid_from": "2027-06-01", "valid_until": "2027-06-30"}
    )
    from_file = {
        "custom_id": "b",
        "name": "B",
        "valid_from": "2027-06-01",
        "valid_until": "2027-06-30",
    }
    entries = await hass.async_add_executor_job(
        check_rows, hass, [("persons[0]", inline), ("roster.csv:2", from_file)], None
    )
    for entry in entries:
        assert (entry.valid_from, entry.valid_until) == (
            datetime(2027, 6, 1),
            datetime(2027, 6, 30, 23, 59, 59),
        )
