"""Lenient conversions for the loosely typed JSON real terminals send (Q-14, Q-18).

Every function takes any JSON value and returns the wanted type or ``None``; none of them
raises. Booleans are never numbers here (``True`` is not ``1``), because JSON ``true`` in a
numeric field is a sign of a broken sender, not a value.

Everything a device sends is untrusted, so the text functions are also where device text
is bounded and cleaned, once, for both device families:

* text (`as_str`) loses control characters (NUL, escape, ...), bidirectional-override
  and -isolate characters (which reverse text in the UI and the logbook) and lone
  surrogates (which cannot be stored as UTF-8); tabs and line breaks become spaces; text
  longer than its limit is cut and ends in "…". Names (`as_name`) also lose ``<`` and
  ``>``, which no person or device name needs;
* identifiers (`as_id`, `as_terminal_id`, `as_record_id`) are never cut or repaired: one
  that is too long or holds such characters is not an identifier and reads as absent
  (a cut ID could name somebody else);
* an IP address (`as_ip`) must be a unicast IP address literal.
"""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Final

MAX_NAME_LENGTH: Final = 64
"""Person, terminal and device names, in characters (the firmware stores 31 bytes)."""
MAX_TEXT_LENGTH: Final = 256
"""Any other device text (QR code content, versions, error details, ...), in characters."""
MAX_ID_LENGTH: Final = 64
"""Person IDs (``customId``, ``personId``), card numbers, in characters (firmware: 47 bytes)."""
MAX_RECORD_ID_LENGTH: Final = 64
"""Record, snapshot and message IDs, in characters."""
MAX_TERMINAL_ID_LENGTH: Final = 64
"""Terminal IDs (``facesluiceId``) and Jovision UUIDs, in characters."""

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off"})
_ELLIPSIS: Final = "\u2026"
# Bidirectional formatting characters: embeddings, overrides, isolates and marks.
_BIDI: Final = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_SPACES: Final = "\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029"
_CLEAN_TABLE: Final[dict[int, str | None]] = {
    **dict.fromkeys(range(32)),
    **dict.fromkeys(range(127, 160)),
    **dict.fromkeys(range(55296, 57344)),  # lone surrogates
    **{ord(char): None for char in _BIDI},
    0xFEFF: None,  # byte-order mark / zero-width no-break space
    **{ord(char): " " for char in _SPACES},
}
_NAME_TABLE: Final[dict[int, str | None]] = {**_CLEAN_TABLE, ord("<"): None, ord(">"): None}
_UNSAFE_ID_CHARS: Final = frozenset(chr(code) for code in _CLEAN_TABLE)
# Letters, digits and ``_ . : -``; the ``@@@`` of Alibaba Cloud client IDs is allowed
# in the payload's ``facesluiceId`` and split off by the parser.
_TERMINAL_ID_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]*", re.ASCII)
_MAX_IP_LENGTH: Final = 45  # the longest IPv6 text form


def _plain(value: object) -> str | None:
    """The stripped text of a string or number, unchecked; ``None`` for blanks and others."""
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # more digits than Python converts
            return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return None


def _bounded(text: str, table: dict[int, str | None], max_length: int) -> str | None:
    # Only a bounded prefix is cleaned: a 1 MiB name costs no more than a short one.
    cleaned = " ".join(text[: max_length * 4].translate(table).split())
    if not cleaned:
        return None
    if len(cleaned) > max_length:
        cleaned = cleaned[: max_length - 1].rstrip() + _ELLIPSIS
    return cleaned


def as_str(value: object, max_length: int = MAX_TEXT_LENGTH) -> str | None:
    """Return the cleaned text of a string or number; ``None`` for blanks and others.

    ``""`` and ``" "`` (the firmware's "unset", Q-18) become ``None``. Integers and finite
    floats are turned into text, so an ID sent as a number still works. Control, bidi and
    surrogate characters are removed, runs of white space become one space, and text
    longer than `max_length` characters is cut to `max_length` (ending in "…").
    """
    text = _plain(value)
    return None if text is None else _bounded(text, _CLEAN_TABLE, max_length)


def as_name(value: object) -> str | None:
    """`as_str` for names: at most `MAX_NAME_LENGTH` characters, without ``<`` and ``>``."""
    text = _plain(value)
    return None if text is None else _bounded(text, _NAME_TABLE, MAX_NAME_LENGTH)


def _is_safe_id(text: str, max_length: int) -> bool:
    return len(text) <= max_length and _UNSAFE_ID_CHARS.isdisjoint(text)


def as_id(value: object, max_length: int = MAX_ID_LENGTH) -> str | None:
    """A person ID or card number; ``None`` for placeholders and for what cannot be one.

    The placeholder ``"0"`` (or ``"000"``) is absent: the firmware sets person IDs and
    card numbers to ``"0"`` when there is none (Q-18). Text longer than `max_length` or
    holding control, bidi or surrogate characters is not an ID either (never cut: a cut
    ID could name somebody else).
    """
    text = _plain(value)
    if text is None or text.strip("0") == "" or not _is_safe_id(text, max_length):
        return None
    return text


def as_record_id(value: object, max_length: int = MAX_RECORD_ID_LENGTH) -> str | None:
    """A record, snapshot or message ID: at most `max_length`, no control characters.

    Unlike `as_id`, ``"0"`` is a valid record ID.
    """
    text = _plain(value)
    return text if text is not None and _is_safe_id(text, max_length) else None


def as_terminal_id(value: object) -> str | None:
    """A terminal ID or device UUID: letters, digits and ``_ . : - @``, at most 64.

    Anything else (a 100 000-digit number, a name, text with slashes or controls) is not
    a terminal and reads as ``None``.
    """
    text = _plain(value)
    if text is None or len(text) > MAX_TERMINAL_ID_LENGTH:
        return None
    return text if _TERMINAL_ID_RE.fullmatch(text) else None


def as_ip(value: object) -> str | None:
    """A unicast IP address literal (v4 or v6) in canonical form; ``None`` otherwise.

    Host names, URLs, ``0.0.0.0``, loopback, multicast, broadcast and reserved addresses
    are refused: a device reports the address of its own network interface.
    """
    text = _plain(value)
    if text is None or len(text) > _MAX_IP_LENGTH:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.is_unspecified or address.is_loopback or address.is_multicast:
        return None
    if address.is_reserved:  # includes 255.255.255.255
        return None
    return str(address)


def as_float(value: object) -> float | None:
    """Return a finite float from a number or numeric text (``"96.800003"``, ``"36,5"``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        try:
            result = float(value)
        except OverflowError:
            return None
    elif isinstance(value, float):
        result = value
    elif isinstance(value, str):
        text = value.strip()
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        if not text or len(text) > 64:
            return None
        try:
            result = float(text)
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def as_int(value: object) -> int | None:
    """Return an int from ``83``, ``83.0``, ``"83"`` or ``"83.000000"`` (truncating).

    Mirrors the ``int(float(x))`` that real consumers use (Q-14). Garbage, booleans,
    NaN/infinity and over-long text give ``None``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 64:
            return None
        try:
            return int(text)
        except ValueError:
            pass
    number = as_float(value)
    return None if number is None else int(number)


def as_bool01(value: object) -> bool | None:
    """Return a flag sent as ``0``/``1`` (int, float or text), or a JSON boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    number = as_int(value)
    if number == 1:
        return True
    if number == 0:
        return False
    return None
