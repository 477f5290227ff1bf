"""Lenient conversions for the loosely typed JSON real terminals send (Q-14, Q-18).

Every function takes any JSON value and returns the wanted type or ``None``; none of them
raises. Booleans are never numbers here (``True`` is not ``1``), because JSON ``true`` in a
numeric field is a sign of a broken sender, not a value.
"""

from __future__ import annotations

import math

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def as_str(value: object) -> str | None:
    """Return the stripped text of a string or number; ``None`` for blanks and others.

    ``""`` and ``" "`` (the firmware's "unset", Q-18) become ``None``. Integers and finite
    floats are turned into text, so an ID sent as a number still works.
    """
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


def as_id(value: object) -> str | None:
    """Like `as_str`, but also treat the placeholder ``"0"`` (or ``"000"``) as absent.

    Used for person IDs and card numbers, which the firmware sets to ``"0"`` when there
    is none (Q-18).
    """
    text = as_str(value)
    if text is None or text.strip("0") == "":
        return None
    return text


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
