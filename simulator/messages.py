"""Small helpers for the loosely typed JSON the terminals exchange.

The firmware is lenient about what it receives (key case, numbers as strings or
ints, see Q-32 in the real-world notes), so command fields are read through
:func:`lookup` and the ``as_*`` coercions. Pictures are never logged: use
:func:`sanitize` before printing or storing a message.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

type JsonDict = dict[str, Any]

#: Strings longer than this that look like base64 are replaced when sanitising.
_LONG_STRING = 200
_BASE64_CHARS = re.compile(r"^[A-Za-z0-9+/=\s]+$")
_TIME_RE = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T /_ ]+(\d{1,2})[:-](\d{1,2})(?:[:-](\d{1,2}))?)?\s*$"
)


def lookup(mapping: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """Return ``mapping[key]``, matching the key case-insensitively.

    Args:
        mapping: The JSON object to read.
        key: The key as spelled in the vendor tables (``showInfo``, ``customId`` ...).
        default: Returned when no key matches.

    Returns:
        The value of the exact key if present, else of the first key that matches
        ignoring case, else ``default``.
    """
    if key in mapping:
        return mapping[key]
    folded = key.casefold()
    for name, value in mapping.items():
        if isinstance(name, str) and name.casefold() == folded:
            return value
    return default


def has_key(mapping: Mapping[str, Any], key: str) -> bool:
    """Tell whether ``mapping`` holds ``key`` (case-insensitive)."""
    sentinel = object()
    return lookup(mapping, key, sentinel) is not sentinel


def as_int(value: Any, default: int | None = None) -> int | None:
    """Coerce ``1``, ``"1"``, ``"1.0"`` or ``1.0`` to an int.

    Args:
        value: Any JSON value.
        default: Returned for ``None``, blanks and values that are not numbers.

    Returns:
        The integer, or ``default``.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return default
        try:
            return int(text)
        except ValueError:
            try:
                return int(float(text))
            except ValueError:
                return default
    return default


def as_float(value: Any, default: float | None = None) -> float | None:
    """Coerce a number or numeric string to a float (``default`` otherwise)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return default
    return default


def as_text(value: Any) -> str | None:
    """Return a stripped string for strings and numbers, ``None`` for blanks/others."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        return text or None
    return None


def format_event_time(moment: dt.datetime) -> str:
    """Format an event time the way the firmware does: ``YYYY-MM-DD HH:MM:SS``."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def format_command_time(moment: dt.datetime, *, padded: bool = True) -> str:
    """Format a command/config time: ``YYYY-MM-DDTHH:MM:SS``.

    Args:
        moment: The time to format.
        padded: ``False`` reproduces the vendor example ``2020-4-2T18:59:54``
            (month and day without leading zero).

    Returns:
        The formatted time.
    """
    if padded:
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{moment.year}-{moment.month}-{moment.day}T{moment:%H:%M:%S}"


def parse_time(value: Any) -> dt.datetime | None:
    """Parse the many time spellings seen in commands.

    Accepts ``2020-04-01T09:10:00``, ``2020-4-1T9:10:00``, ``2020-04-01 09:10:00``,
    ``2019-12-02/10:46:05``, ``2020-04-01T09:10`` and a bare date.

    Args:
        value: The JSON value.

    Returns:
        A naive datetime, or ``None`` when the value cannot be read.
    """
    if not isinstance(value, str):
        return None
    match = _TIME_RE.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
    try:
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def looks_like_picture(text: str) -> bool:
    """Tell whether a string is a data-URI or a long base64 blob."""
    if text.startswith("data:"):
        return True
    return len(text) > _LONG_STRING and _BASE64_CHARS.match(text[:1000]) is not None


def sanitize(value: Any) -> Any:
    """Return a copy of a JSON value with every picture replaced by a short marker.

    Args:
        value: A decoded JSON value.

    Returns:
        The same structure; picture strings become ``"<picture N chars>"``.
    """
    if isinstance(value, dict):
        return {key: sanitize(item) for key, item in value.items()}
    if isinstance(value, list):
        return [sanitize(item) for item in value]
    if isinstance(value, str) and looks_like_picture(value):
        return f"<picture {len(value)} chars>"
    return value


def summarize(value: Any, limit: int = 1500) -> str:
    """Render a sanitised JSON value on one line for logging."""
    text = json.dumps(sanitize(value), ensure_ascii=False, separators=(",", ":"))
    if len(text) > limit:
        return text[:limit] + f"... ({len(text)} chars)"
    return text
