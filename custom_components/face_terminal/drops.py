"""What the session refused, in the debug log: `DropLog`.

A dropped record is somebody's passage: each gets a line of its own. Other refused
messages (malformed, on the wrong topic, another terminal's, …) can come in floods, so
each reason is logged at most once per `DROP_LOG_INTERVAL`, with the count so far.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .const import DROP_LOG_INTERVAL, LOGGER

if TYPE_CHECKING:
    from collections import Counter

    from .protocol import Dropped


class DropLog:
    """Rate-limited debug lines about one terminal's dropped messages."""

    def __init__(self, terminal_id: str, drops: Counter[str]) -> None:
        """Log for `terminal_id`, quoting the session's `drops` counter."""
        self._terminal_id = terminal_id
        self._drops = drops
        self._logged: dict[str, float] = {}

    def log(self, event: Dropped) -> None:
        """One line for a dropped record; at most one a minute per other reason."""
        reason = event.reason
        if event.record_id:
            LOGGER.debug(
                "Terminal %s: dropped record %s on %s (%s; %d dropped for this reason)",
                self._terminal_id,
                event.record_id,
                event.topic,
                reason,
                self._drops[reason],
            )
            return
        now = time.monotonic()
        if now - self._logged.get(reason, -DROP_LOG_INTERVAL) < DROP_LOG_INTERVAL:
            return
        self._logged[reason] = now
        LOGGER.debug(
            "Terminal %s: dropped a message on %s (%s: %s; %d dropped for this reason)",
            self._terminal_id,
            event.topic,
            reason,
            event.detail,
            self._drops[reason],
        )
