"""Guest passes without Home Assistant: the code, its check and the failed-scan limiter.

A pass's code is ``FTG1-<pass id>-<secret>``: the pass ID (8 hex digits) is not secret,
it names the pass in events and lists; the secret has 160 bits from `secrets`. Only the
secret's SHA-256 is kept, so neither the store nor diagnostics hold anything that opens
a door, and a scanned secret is compared with `hmac.compare_digest` (constant time).

`check` decides one scan: the first reason in `REFUSALS` that applies, or None when the
pass opens. `FailedScans` counts refusals per terminal in a sliding window and blocks
the terminal's scans for a while after too many.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final

CODE_PREFIX: Final = "FTG1-"
SECRET_BYTES: Final = 20  # 160 bits
_CODE = re.compile(r"^FTG1-([0-9a-f]{8})-([A-Za-z0-9_-]{20,64})$")

REASON_UNKNOWN: Final = "unknown"
REASON_NOT_YET_VALID: Final = "not_yet_valid"
REASON_EXPIRED: Final = "expired"
REASON_REVOKED: Final = "revoked"
REASON_USED_UP: Final = "used_up"
REASON_WRONG_TERMINAL: Final = "wrong_terminal"
REASON_REPLAYED: Final = "replayed"
REASON_RATE_LIMITED: Final = "rate_limited"
REASON_DOOR_FAILED: Final = "door_failed"
REFUSALS: Final = (
    REASON_UNKNOWN,
    REASON_REVOKED,
    REASON_WRONG_TERMINAL,
    REASON_NOT_YET_VALID,
    REASON_EXPIRED,
    REASON_USED_UP,
    REASON_REPLAYED,
    REASON_RATE_LIMITED,
    REASON_DOOR_FAILED,
)

STATUS_ACTIVE: Final = "active"


def is_pass_code(text: str | None) -> bool:
    """Whether a scanned text is meant as a guest pass (well formed or not)."""
    return text is not None and text.startswith(CODE_PREFIX)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class GuestPass:
    """One pass as stored: never its code, only the secret's digest."""

    pass_id: str
    label: str
    digest: str
    terminals: tuple[str, ...]  # terminal IDs the pass opens
    valid_from: datetime | None
    valid_until: datetime | None
    uses_left: int | None  # None: any number within the window
    created: datetime
    revoked: bool = False
    uses: int = 0

    def status(self, now: datetime) -> str:
        """``active``, or the refusal a scan would meet now on one of its terminals."""
        if self.revoked:
            return REASON_REVOKED
        if self.valid_from is not None and now < self.valid_from:
            return REASON_NOT_YET_VALID
        if self.valid_until is not None and now >= self.valid_until:
            return REASON_EXPIRED
        if self.uses_left is not None and self.uses_left <= 0:
            return REASON_USED_UP
        return STATUS_ACTIVE

    def used(self) -> GuestPass:
        """The pass after one passage."""
        left = None if self.uses_left is None else self.uses_left - 1
        return replace(self, uses_left=left, uses=self.uses + 1)

    def refunded(self) -> GuestPass:
        """The pass with the last passage given back (the door did not open)."""
        left = None if self.uses_left is None else self.uses_left + 1
        return replace(self, uses_left=left, uses=max(0, self.uses - 1))

    def as_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "pass_id": self.pass_id,
            "label": self.label,
            "digest": self.digest,
            "terminals": list(self.terminals),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "uses_left": self.uses_left,
            "created": self.created.isoformat(),
            "revoked": self.revoked,
            "uses": self.uses,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GuestPass:
        """Read the stored form back."""

        def when(key: str) -> datetime | None:
            value = data.get(key)
            return datetime.fromisoformat(value) if value else None

        return cls(
            pass_id=str(data["pass_id"]),
            label=str(data["label"]),
            digest=str(data["digest"]),
            terminals=tuple(str(t) for t in data["terminals"]),
            valid_from=when("valid_from"),
            valid_until=when("valid_until"),
            uses_left=None if data.get("uses_left") is None else int(data["uses_left"]),
            created=datetime.fromisoformat(data["created"]),
            revoked=bool(data.get("revoked", False)),
            uses=int(data.get("uses", 0)),
        )


def new_pass(
    *,
    label: str,
    terminals: tuple[str, ...],
    valid_from: datetime | None,
    valid_until: datetime | None,
    uses: int | None,
    now: datetime,
    taken: set[str] | frozenset[str] = frozenset(),
) -> tuple[GuestPass, str]:
    """A new pass and its code (the only time the code exists)."""
    pass_id = secrets.token_hex(4)
    while pass_id in taken:
        pass_id = secrets.token_hex(4)  # pragma: no cover - 1 in 4 billion
    secret = secrets.token_urlsafe(SECRET_BYTES)
    guest_pass = GuestPass(
        pass_id=pass_id,
        label=label,
        digest=_digest(secret),
        terminals=terminals,
        valid_from=valid_from,
        valid_until=valid_until,
        uses_left=uses,
        created=now,
    )
    return guest_pass, f"{CODE_PREFIX}{pass_id}-{secret}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a scan found: the pass it named (if any) and the refusal (None: it opens)."""

    guest_pass: GuestPass | None
    reason: str | None


def check(code: str, passes: dict[str, GuestPass], terminal_id: str, now: datetime) -> Verdict:
    """Decide one live scan of `code` on `terminal_id` at `now`."""
    match = _CODE.match(code)
    if match is None:
        return Verdict(None, REASON_UNKNOWN)
    pass_id, secret = match.groups()
    guest_pass = passes.get(pass_id)
    # A digest is compared even for an unknown ID, so both take the same time.
    expected = guest_pass.digest if guest_pass is not None else _digest("")
    if not hmac.compare_digest(expected, _digest(secret)) or guest_pass is None:
        return Verdict(None, REASON_UNKNOWN)
    if guest_pass.revoked:
        return Verdict(guest_pass, REASON_REVOKED)
    if terminal_id not in guest_pass.terminals:
        return Verdict(guest_pass, REASON_WRONG_TERMINAL)
    status = guest_pass.status(now)
    return Verdict(guest_pass, None if status == STATUS_ACTIVE else status)


def pass_id_of(code: str) -> str | None:
    """The (public) pass ID a well-formed code names."""
    match = _CODE.match(code)
    return match.group(1) if match else None


@dataclass(slots=True)
class FailedScans:
    """Refused scans of one terminal: too many within `window` s block it for `block` s."""

    threshold: int = 5
    window: float = 60.0
    block: float = 60.0
    _times: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0
    total: int = 0

    def blocked(self, now: float) -> bool:
        """Whether scans on the terminal are refused without a check now."""
        return now < self.blocked_until

    def failed(self, now: float) -> bool:
        """Count one refusal; true when it reaches the threshold (the terminal is blocked)."""
        self.total += 1
        self._times.append(now)
        while self._times and self._times[0] <= now - self.window:
            self._times.popleft()
        if len(self._times) >= self.threshold:
            self._times.clear()
            self.blocked_until = now + self.block
            return True
        return False
