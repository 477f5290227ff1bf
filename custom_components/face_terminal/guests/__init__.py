"""Guests: passes Home Assistant issues, checked when a terminal's scanner reads them.

`passes` is the pure part (codes, the check, the failed-scan limiter); `manager` keeps
the passes in Home Assistant's storage and decides each scan; `actions` are the
``create_guest_pass``, ``list_guest_passes`` and ``revoke_guest_pass`` actions.
``records.RecordEvents`` hands every scanned text that looks like a pass here instead of
firing a scan event, so a pass's code never reaches the bus, the recorder or the logbook.
"""

from .manager import EVENT_GUEST_PASS, GuestPasses, Unlock, async_get_guest_passes
from .passes import is_pass_code

__all__ = [
    "EVENT_GUEST_PASS",
    "GuestPasses",
    "Unlock",
    "async_get_guest_passes",
    "is_pass_code",
]
