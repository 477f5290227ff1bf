"""A terminal's fixable repair issues, all raised in one shape.

The clock, roster drift and door mode 3 watches each raise a warning that the user can
fix; the repair flows (`repairs.py`) find the terminal by the `entry_id` the issue
carries, and every explanation names the terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN

if TYPE_CHECKING:
    from .port import TerminalPort


@callback
def async_raise_terminal_issue(
    terminal: TerminalPort, issue_id: str, translation_key: str, **placeholders: str
) -> None:
    """Raise (or update) the fixable warning `issue_id` about `terminal`."""
    ir.async_create_issue(
        terminal.hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key=translation_key,
        translation_placeholders={"name": terminal.display_name, **placeholders},
        data={"entry_id": terminal.entry.entry_id},
    )
