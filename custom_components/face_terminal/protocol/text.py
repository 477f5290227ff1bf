"""Text measured the way the firmware measures it: in UTF-8 bytes, not characters.

Every text limit of V1.24 (names 31 bytes, ``customId`` 47, ``showInfo`` 63, QR code data,
setting texts, ...) counts the bytes of the UTF-8 encoding, so a Chinese name reaches the
limit at a third of the characters a Latin one does.
"""

from __future__ import annotations

from .errors import CommandError


def utf8_len(text: str) -> int:
    """The length of `text` in UTF-8 bytes.

    Lone surrogates (which JSON can carry but UTF-8 cannot) count as the three bytes they
    would take instead of raising: measuring must never fail, refusing them is the
    caller's check.
    """
    return len(text.encode("utf-8", errors="surrogatepass"))


def truncate_utf8(text: str, max_bytes: int) -> str:
    """Cut `text` to at most `max_bytes` UTF-8 bytes without splitting a character."""
    if max_bytes < 0:
        raise CommandError("max_bytes must not be negative")
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", errors="ignore")
