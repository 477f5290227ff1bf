"""Quirk profiles: how a simulated device shapes and serialises its JSON.

Two base profiles describe the two device families that speak this protocol, and
two modifiers can be stacked on either (``"camera+pretty"``,
``"terminal,toplevel"``):

``terminal`` (default)
    The all-in-one terminal as seen in the field: ``persionName``, numbers sent as
    strings (``"RecordID": "12"``, ``"similarity1": "83.000000"``), the face box as
    four string edges (``left``/``top``/``right``/``bottom``), terminal-only fields
    (``direction``, ``otype``, ``similarity2`` ...) and no ``scene`` picture.
``camera``
    The camera sibling: ``personName``, real JSON numbers, ``targetPosInScene`` as an
    int array and a ``scene`` picture next to ``pic``.
``toplevel`` (modifier)
    ``facesluiceId`` sits at the top level of every message instead of in ``info``
    (the shape of synthetic test tools, Q-01).
``pretty`` (modifier)
    Pretty-printed JSON with CRLF line endings (Q-33).
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from simulator.messages import JsonDict

BASE_PROFILES = ("terminal", "camera")
MODIFIERS = ("toplevel", "pretty")
PROFILE_NAMES = BASE_PROFILES + MODIFIERS


@dataclasses.dataclass(frozen=True, slots=True)
class Profile:
    """Describe the payload quirks of one device model.

    Attributes:
        name: Canonical spec, e.g. ``"terminal"`` or ``"camera+pretty"``.
        name_key: Key carrying the person's name in ``RecPush``.
        string_numbers: Send numeric record fields as JSON strings.
        box: ``"edges"`` (four string edges) or ``"array"`` (``targetPosInScene``).
        scene: Attach a ``scene`` picture to records.
        terminal_fields: Add the terminal-only record fields (``direction`` ...).
        toplevel_id: Put ``facesluiceId`` at the top level instead of in ``info``.
        pretty: Pretty-print JSON with CRLF line endings.
        padded_sys_time: Zero-pad month/day in ``GetSysTime-Ack``.
        pic_in_info: Put ``SearchPerson-Ack``'s picture inside ``info`` rather
            than at the root (the vendor example shows it at the root).
    """

    name: str
    name_key: str
    string_numbers: bool
    box: Literal["edges", "array"]
    scene: bool
    terminal_fields: bool
    toplevel_id: bool = False
    pretty: bool = False
    padded_sys_time: bool = False
    pic_in_info: bool = False

    def num(self, value: int) -> int | str:
        """Render an integer record field (``"12"`` or ``12``)."""
        return str(value) if self.string_numbers else value

    def score(self, value: float) -> float | str:
        """Render a similarity score (``"83.000000"`` or ``83.0``)."""
        return f"{value:.6f}" if self.string_numbers else round(value, 1)

    def temperature(self, value: float) -> float | str:
        """Render a temperature (``"36.53"`` or ``36.53``)."""
        return f"{value:.2f}" if self.string_numbers else round(value, 2)

    def message(
        self,
        operator: str,
        info: JsonDict,
        device_id: str,
        *,
        message_id: Any = None,
        code: int | str | None = None,
        extra: JsonDict | None = None,
    ) -> JsonDict:
        """Build an envelope ``{messageId?, operator, code?, info}``.

        Args:
            operator: The operator name.
            info: The ``info`` content, without ``facesluiceId``.
            device_id: The terminal ID, placed in ``info`` or at the top level.
            message_id: Echoed when not ``None``.
            code: Result code for acks (omitted when ``None``).
            extra: Further top-level keys (e.g. a root-level ``pic``).

        Returns:
            The message as a dict, ready for :meth:`encode`.
        """
        payload: JsonDict = {}
        if message_id is not None:
            payload["messageId"] = message_id
        payload["operator"] = operator
        if code is not None:
            payload["code"] = code
        if self.toplevel_id:
            payload["facesluiceId"] = device_id
            payload["info"] = dict(info)
        else:
            payload["info"] = {"facesluiceId": device_id, **info}
        if extra:
            payload.update(extra)
        return payload

    def encode(self, payload: JsonDict) -> bytes:
        """Serialise a message the way this device model does."""
        if self.pretty:
            text = json.dumps(payload, ensure_ascii=False, indent=4)
            return text.replace("\n", "\r\n").encode()
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


_BASES: dict[str, Profile] = {
    "terminal": Profile(
        name="terminal",
        name_key="persionName",
        string_numbers=True,
        box="edges",
        scene=False,
        terminal_fields=True,
    ),
    "camera": Profile(
        name="camera",
        name_key="personName",
        string_numbers=False,
        box="array",
        scene=True,
        terminal_fields=False,
        padded_sys_time=True,
        pic_in_info=True,
    ),
}


def parse_profile(spec: str | Profile) -> Profile:
    """Build a profile from ``"terminal"``, ``"camera+pretty"``, ``"toplevel,pretty"`` ...

    Args:
        spec: Profile names joined by ``+`` or ``,``; at most one base profile
            (``terminal`` when none is given) plus any modifiers.

    Returns:
        The combined profile.

    Raises:
        ValueError: For unknown names or two base profiles.
    """
    if isinstance(spec, Profile):
        return spec
    parts = [part.strip().lower() for part in re.split(r"[+,]", spec) if part.strip()]
    unknown = [part for part in parts if part not in PROFILE_NAMES]
    if unknown:
        raise ValueError(
            f"unknown profile {', '.join(unknown)!s}; choose from {', '.join(PROFILE_NAMES)}"
        )
    bases = [part for part in parts if part in BASE_PROFILES]
    if len(bases) > 1:
        raise ValueError(f"profiles {' and '.join(bases)} cannot be combined")
    profile = _BASES[bases[0] if bases else "terminal"]
    modifiers = [part for part in MODIFIERS if part in parts]
    if "toplevel" in modifiers:
        profile = dataclasses.replace(profile, toplevel_id=True)
    if "pretty" in modifiers:
        profile = dataclasses.replace(profile, pretty=True)
    return dataclasses.replace(profile, name="+".join([profile.name.split("+")[0], *modifiers]))
