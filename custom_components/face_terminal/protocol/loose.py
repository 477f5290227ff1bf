"""Tolerant key lookup in JSON objects, shared by the MQTT and the Jovision parsers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final, Self

if TYPE_CHECKING:
    from collections.abc import Callable

_fast_loads: Callable[[bytes], Any] | None
try:  # Home Assistant ships orjson; the package itself needs only the standard library.
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - exercised only without orjson
    _fast_loads = None
else:
    _fast_loads = _orjson_loads


# orjson reads an integer beyond 64 bits as an (inexact) float; the standard library
# keeps it exact. Any float this large sends the payload the standard-library way.
_INEXACT_FLOAT: Final = float(2**63)


def fast_json_object(payload: bytes) -> Any:
    """Parse strict UTF-8 JSON bytes with orjson; None when it declines.

    A record's body is mostly one long base64 picture: orjson reads the bytes directly,
    where the standard library first decodes them to text and then scans that (0.05 vs
    0.2 ms for a 100 KB picture, measured in docs/benchmarks.md). orjson is stricter (no
    BOM, no invalid UTF-8, no NaN, no lone surrogates) and rounds integers beyond 64
    bits: whatever it declines or may have rounded goes the standard-library way, which
    keeps every tolerance, every value and every error message of `load_json_object`.
    """
    if _fast_loads is None:  # pragma: no cover - exercised only without orjson
        return None
    try:
        data = _fast_loads(payload)
    except ValueError:  # orjson.JSONDecodeError is a ValueError
        return None
    return None if _has_huge_float(data) else data


def _has_huge_float(data: object) -> bool:
    """True when a float anywhere in `data` may be a rounded big integer."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, float):
            if abs(value) >= _INEXACT_FLOAT:
                return True
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def load_json_object(text: str, error: type[Exception]) -> dict[str, Any]:
    """Parse `text` as a JSON object; anything else raises `error` with the reason."""
    try:
        data = json.loads(text)
    except RecursionError as err:
        raise error("the JSON is nested too deeply") from err
    except ValueError as err:  # JSONDecodeError, and integers with too many digits
        raise error(f"not JSON: {err}") from err
    if not isinstance(data, dict):
        raise error(f"not a JSON object but {type(data).__name__}")
    return data


class LooseObject:
    """A JSON object whose keys are looked up the way firmware spells them.

    `get` tries the document's spelling first, then the same key folded by `fold`
    (lower case here; subclasses may fold more, e.g. drop underscores). Values that
    `is_blank` calls blank count as absent. Anything that is not a dict reads as empty.
    """

    __slots__ = ("_data", "_folded")

    def __init__(self, data: object) -> None:
        """Wrap `data` (a dict; anything else reads as an empty object)."""
        self._data: dict[str, Any] = data if isinstance(data, dict) else {}
        self._folded: dict[str, Any] | None = None

    @staticmethod
    def fold(key: str) -> str:
        """How keys are compared when the exact spelling is not there."""
        return key.lower()

    @staticmethod
    def is_blank(value: object) -> bool:
        """Null and whitespace-only text are absent."""
        return value is None or (isinstance(value, str) and not value.strip())

    @property
    def data(self) -> dict[str, Any]:
        """The wrapped object."""
        return self._data

    def get(self, *names: str) -> object:
        """Return the first value under `names` that is not blank."""
        for name in names:
            value = self._data.get(name)
            if not self.is_blank(value):
                return value
        if self._folded is None:
            self._folded = {}
            for key, value in self._data.items():
                if not self.is_blank(value):
                    self._folded.setdefault(self.fold(key), value)
        for name in names:
            value = self._folded.get(self.fold(name))
            if value is not None:
                return value
        return None

    def obj(self, *names: str) -> Self | None:
        """Return the first nested object under `names`, looked up the same way."""
        value = self.get(*names)
        return type(self)(value) if isinstance(value, dict) else None
