"""Guests: passes Home Assistant issues, checked when a terminal's scanner reads them.

`passes` is the pure part (codes, the check, the failed-scan limiter); `manager` keeps
the passes in Home Assistant's storage and decides each scan; `qr` and `pictures` draw
and serve a new pass's QR code; `actions` are the ``create_guest_pass``,
``list_guest_passes`` and ``revoke_guest_pass`` actions. `faces` keeps a live stranger's
face in memory for a few minutes (``face_ref`` in the stranger event), and `visitors`
are the actions that let such a stranger in or enrol them as a temporary person.
``records.RecordEvents`` hands every scanned text that looks like a pass here instead of
firing a scan event, so a pass's code never reaches the bus, the recorder or the logbook.
"""

from .faces import async_get_stranger_faces
from .manager import EVENT_GUEST_PASS, GuestPasses, Unlock, async_get_guest_passes
from .passes import is_pass_code

ATTR_FACE_REF = "face_ref"

__all__ = [
    "ATTR_FACE_REF",
    "EVENT_GUEST_PASS",
    "GuestPasses",
    "Unlock",
    "async_get_guest_passes",
    "async_get_stranger_faces",
    "is_pass_code",
]
