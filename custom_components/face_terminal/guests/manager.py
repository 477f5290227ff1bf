"""The guest passes of one Home Assistant: their storage, and what a scanned pass does.

`GuestPasses` (one per Home Assistant, `async_get_guest_passes`) keeps the passes in
Home Assistant's storage (``.storage/face_terminal.guest_passes``: digests, never codes),
issues and revokes them, and decides each scan a terminal reports (`async_scan`): a
replayed scan, a terminal blocked after too many refusals, or a failed check never
opens; a valid one uses the pass up by one and opens the door through the terminal's
own unlock, with the guest's label on its screen. Every scan of a pass fires
``face_terminal_guest_pass`` with the pass ID and label only.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN, LOGGER
from ..protocol.access import is_live, record_age
from ..protocol.commands import MAX_SHOW_INFO_BYTES
from .passes import (
    REASON_DOOR_FAILED,
    REASON_NOT_YET_VALID,
    REASON_RATE_LIMITED,
    REASON_REPLAYED,
    STATUS_ACTIVE,
    FailedScans,
    GuestPass,
    Verdict,
    check,
    new_pass,
    pass_id_of,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from ..port import TerminalPort
    from ..protocol import QRCodePush

EVENT_GUEST_PASS: Final = f"{DOMAIN}_guest_pass"
RESULT_USED: Final = "used"
RESULT_REFUSED: Final = "refused"
ATTR_RESULT: Final = "result"
ATTR_REASON: Final = "reason"
ATTR_LABEL: Final = "label"
STORAGE_VERSION: Final = 1
STORAGE_KEY: Final = f"{DOMAIN}.guest_passes"
LIVE_WINDOW: Final = 30.0
"""A scan older than this on the terminal's clock is a re-send: it never opens."""
ISSUE_PREFIX: Final = "guest_pass_scans_"

DATA_GUEST_PASSES: HassKey[GuestPasses] = HassKey(f"{DOMAIN}_guest_passes")

type Unlock = Callable[[str | None], Awaitable[None]]


def welcome_text(label: str) -> str:
    """The screen's greeting, cut to what ``showInfo`` takes."""
    text = f"Welcome {label}"
    while len(text.encode()) > MAX_SHOW_INFO_BYTES:
        text = text[:-1]
    return text


class GuestPasses:
    """Every pass, stored; the failed-scan limiter of each terminal."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing is loaded before `async_load`."""
        self.hass = hass
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
        self._passes: dict[str, GuestPass] = {}
        self._loaded = False
        self._lock = asyncio.Lock()
        self.failed: dict[str, FailedScans] = {}

    async def async_load(self) -> None:
        """Read the stored passes once."""
        async with self._lock:
            if self._loaded:
                return
            data = await self._store.async_load() or {}
            for raw in data.get("passes", []):
                try:
                    guest_pass = GuestPass.from_dict(raw)
                except KeyError, ValueError, TypeError:
                    LOGGER.warning("Skipping a stored guest pass that cannot be read")
                    continue
                self._passes[guest_pass.pass_id] = guest_pass
            self._loaded = True

    async def _async_save(self) -> None:
        await self._store.async_save(
            {"passes": [guest_pass.as_dict() for guest_pass in self._passes.values()]}
        )

    @property
    def passes(self) -> dict[str, GuestPass]:
        """The passes by ID (after `async_load`)."""
        return self._passes

    async def async_create(
        self,
        *,
        label: str,
        terminals: tuple[str, ...],
        valid_from: datetime | None,
        valid_until: datetime | None,
        uses: int | None,
    ) -> tuple[GuestPass, str]:
        """Issue a pass; return it and its code (which is not kept)."""
        await self.async_load()
        guest_pass, code = new_pass(
            label=label,
            terminals=terminals,
            valid_from=valid_from,
            valid_until=valid_until,
            uses=uses,
            now=dt_util.utcnow(),
            taken=set(self._passes),
        )
        self._passes[guest_pass.pass_id] = guest_pass
        await self._async_save()
        return guest_pass, code

    async def async_revoke(self, pass_id: str) -> GuestPass | None:
        """Revoke a pass (it stays listed as revoked); None when there is none by that ID."""
        await self.async_load()
        guest_pass = self._passes.get(pass_id)
        if guest_pass is None:
            return None
        revoked = GuestPass.from_dict({**guest_pass.as_dict(), "revoked": True})
        self._passes[pass_id] = revoked
        await self._async_save()
        return revoked

    async def async_remove_ended(self, now: datetime) -> int:
        """Forget passes that can never open again (revoked, expired, used up)."""
        await self.async_load()
        keep = (STATUS_ACTIVE, REASON_NOT_YET_VALID)
        ended = [p.pass_id for p in self._passes.values() if p.status(now) not in keep]
        for pass_id in ended:
            del self._passes[pass_id]
        if ended:
            await self._async_save()
        return len(ended)

    # --- scans ------------------------------------------------------------------------

    @callback
    def async_scan(self, terminal: TerminalPort, message: QRCodePush, unlock: Unlock) -> None:
        """Decide a scanned pass in the background (records are handled in callbacks)."""
        received = self.hass.loop.time()
        terminal.hass.async_create_task(
            self._async_scan(terminal, message, unlock, received), eager_start=True
        )

    async def _async_scan(
        self, terminal: TerminalPort, message: QRCodePush, unlock: Unlock, received: float
    ) -> None:
        await self.async_load()
        code = message.code or ""
        limiter = self.failed.setdefault(terminal.terminal_id, FailedScans())
        verdict = self._decide(terminal, message, code, limiter, received)
        if verdict.reason is None and verdict.guest_pass is not None:
            # Use it up before the door opens: two scans at once cannot both spend the last.
            self._passes[verdict.guest_pass.pass_id] = verdict.guest_pass.used()
            await self._async_save()
            try:
                await unlock(welcome_text(verdict.guest_pass.label))
            except HomeAssistantError as err:
                LOGGER.warning(
                    "Guest pass %s: the door of %s did not open: %s",
                    verdict.guest_pass.pass_id,
                    terminal.display_name,
                    err,
                )
                current = self._passes.get(verdict.guest_pass.pass_id)
                if current is not None:
                    self._passes[current.pass_id] = current.refunded()
                    await self._async_save()
                self._fire(terminal, Verdict(verdict.guest_pass, REASON_DOOR_FAILED))
                return
        elif verdict.reason not in (REASON_RATE_LIMITED, REASON_REPLAYED) and limiter.failed(
            received
        ):
            self._raise_issue(terminal, limiter)
        self._fire(terminal, verdict)

    def _decide(
        self,
        terminal: TerminalPort,
        message: QRCodePush,
        code: str,
        limiter: FailedScans,
        received: float,
    ) -> Verdict:
        named = self._passes.get(pass_id_of(code) or "")
        if not self._live(terminal, message):
            return Verdict(named, REASON_REPLAYED)
        if limiter.blocked(received):
            return Verdict(None, REASON_RATE_LIMITED)
        return check(code, self._passes, terminal.terminal_id, dt_util.utcnow())

    @staticmethod
    def _live(terminal: TerminalPort, message: QRCodePush) -> bool:
        offset = terminal.clock_offset or 0.0
        terminal_now = dt_util.now().replace(tzinfo=None) + timedelta(seconds=offset)
        return is_live(
            push_type=message.push_type,
            send_in_time=message.send_in_time,
            age=None
            if message.time is None
            else abs(record_age(message.time, terminal_now) or 0.0),
            window=LIVE_WINDOW,
        )

    def _fire(self, terminal: TerminalPort, verdict: Verdict) -> None:
        guest_pass = verdict.guest_pass
        data: dict[str, Any] = {
            "device_id": terminal.device_id,
            "terminal_id": terminal.terminal_id,
            ATTR_RESULT: RESULT_USED if verdict.reason is None else RESULT_REFUSED,
            ATTR_REASON: verdict.reason,
            "pass_id": guest_pass.pass_id if guest_pass else None,
            ATTR_LABEL: guest_pass.label if guest_pass else None,
        }
        if guest_pass is not None and guest_pass.uses_left is not None:
            current = self._passes.get(guest_pass.pass_id, guest_pass)
            data["uses_left"] = current.uses_left
        self.hass.bus.async_fire(EVENT_GUEST_PASS, data)

    def _raise_issue(self, terminal: TerminalPort, limiter: FailedScans) -> None:
        LOGGER.warning(
            "Too many refused guest-pass scans on %s: its scans are refused for %d s",
            terminal.display_name,
            int(limiter.block),
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"{ISSUE_PREFIX}{terminal.terminal_id}",
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="guest_pass_scans",
            translation_placeholders={
                "name": terminal.display_name,
                "count": str(limiter.threshold),
                "seconds": str(int(limiter.window)),
            },
        )

    def as_list(self, now: datetime) -> list[dict[str, Any]]:
        """The passes as the list action reports them: no digest, no code."""
        return [
            {
                "pass_id": p.pass_id,
                "label": p.label,
                "status": p.status(now),
                "terminals": list(p.terminals),
                "valid_from": p.valid_from.isoformat() if p.valid_from else None,
                "valid_until": p.valid_until.isoformat() if p.valid_until else None,
                "uses_left": p.uses_left,
                "uses": p.uses,
                "created": p.created.isoformat(),
            }
            for p in sorted(self._passes.values(), key=lambda p: p.created)
        ]


@callback
def async_get_guest_passes(hass: HomeAssistant) -> GuestPasses:
    """The passes of this Home Assistant (created on first use)."""
    if (manager := hass.data.get(DATA_GUEST_PASSES)) is None:
        manager = hass.data[DATA_GUEST_PASSES] = GuestPasses(hass)
    return manager
