"""Values behind random, unguessable tokens, each kept in memory until it expires.

Shared by the pass pictures (`pictures`) and the strangers' faces (`faces`): nothing here
is stored, and an expired token answers like one that never existed.
"""

from __future__ import annotations

import secrets
import time


class ExpiringTokens[T]:
    """Token -> value, each until its own time (monotonic clock); optionally bounded."""

    def __init__(self, token_bytes: int, limit: int | None = None) -> None:
        """Tokens of `token_bytes` random bytes; at most `limit` values (oldest go first)."""
        self._token_bytes = token_bytes
        self._limit = limit
        self._values: dict[str, tuple[T, float]] = {}

    def add(self, value: T, lifetime: float) -> str:
        """Keep `value` for `lifetime` seconds; return its new token."""
        now = time.monotonic()
        for token in [t for t, (_, expires) in self._values.items() if expires <= now]:
            del self._values[token]
        while self._limit is not None and len(self._values) >= self._limit:
            del self._values[next(iter(self._values))]  # the oldest goes first
        token = secrets.token_urlsafe(self._token_bytes)
        self._values[token] = (value, now + lifetime)
        return token

    def get(self, token: str) -> T | None:
        """The value of `token`, unless it expired or never existed."""
        kept = self._values.get(token)
        if kept is None:
            return None
        value, expires = kept
        if expires <= time.monotonic():
            del self._values[token]
            return None
        return value

    def __len__(self) -> int:
        """How many values are kept (expired ones included until the next `add`)."""
        return len(self._values)
