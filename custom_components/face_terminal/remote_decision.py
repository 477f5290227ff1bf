"""Door mode 3 without what it needs: a repair issue that explains it and turns them on.

V1.24 §9.3.5: in door mode 3 ("face verification + remote door opening") the terminal
waits for the platform's answer to each record, which needs MQTT resume-from-breakpoint
and record upload on. Choosing the mode in Home Assistant turns both on with it
(`settings.TerminalSettings.async_enable_remote_decision`); set on the terminal's own
web page, the mode changes alone. `RemoteDecisionWatch` looks at what the settings store
read: mode 3 with either of them off raises a fixable repair issue (`repairs`), which
goes away once both are on or the mode changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.core import callback
from homeassistant.helpers import issue_registry as ir

from . import protocol
from .const import DOMAIN
from .protocol.settings import SETTINGS_BY_KEY, find
from .settings import (
    RECORD_UPLOAD,
    RECORD_UPLOAD_OFF,
    REMOTE_DECISION_MODE,
    REMOTE_DECISION_PREREQUISITES,
)
from .terminal_issues import async_raise_terminal_issue

if TYPE_CHECKING:
    from .port import TerminalPort
    from .settings import TerminalSettings

REMOTE_DECISION_ISSUE_PREFIX: Final = "remote_decision_"
_DOOR_MODE: Final = SETTINGS_BY_KEY["door_mode"]


def remote_decision_issue_id(entry_id: str) -> str:
    """Repair issue ID of a terminal in door mode 3 without its prerequisites."""
    return f"{REMOTE_DECISION_ISSUE_PREFIX}{entry_id}"


def lacks_prerequisites(settings: TerminalSettings) -> bool:
    """Whether the terminal is in door mode 3 with resume or record upload reported off.

    A group not read yet, or a parameter the firmware does not report, is no evidence:
    only values read as off count.
    """
    if settings.value(_DOOR_MODE) != REMOTE_DECISION_MODE:
        return False
    mqtt = settings.parameters.get(protocol.ConfigSection.MQTT)
    if mqtt is None:
        return False
    resume_off = any(
        (reported := find(mqtt, key)) is not None and reported != wanted
        for key, wanted in REMOTE_DECISION_PREREQUISITES.items()
    )
    return resume_off or find(mqtt, RECORD_UPLOAD) == RECORD_UPLOAD_OFF


class RemoteDecisionWatch:
    """Raises and clears one terminal's door-mode-3 repair issue as its settings change."""

    def __init__(self, terminal: TerminalPort, settings: TerminalSettings) -> None:
        """Watch `settings` of `terminal` (from `async_start`)."""
        self._terminal = terminal
        self._settings = settings

    @property
    def issue_id(self) -> str:
        """This terminal's issue ID."""
        return remote_decision_issue_id(self._terminal.entry.entry_id)

    @callback
    def async_start(self) -> None:
        """Look at every change the settings store reports, until the entry unloads."""
        self._terminal.entry.async_on_unload(self._settings.async_add_listener(self._check))

    @callback
    def _check(self) -> None:
        hass = self._terminal.hass
        if not lacks_prerequisites(self._settings):
            ir.async_delete_issue(hass, DOMAIN, self.issue_id)
            return
        async_raise_terminal_issue(self._terminal, self.issue_id, "remote_decision_prerequisites")
