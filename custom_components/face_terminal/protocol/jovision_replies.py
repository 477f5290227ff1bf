"""The server's answers to Jovision pushes (seed 004)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from .jovision_models import (
    METHOD_CAP_FACE_REPORT,
    METHOD_KEEPALIVE,
    JovisionCode,
    JovisionFaceEvent,
    JovisionKeepalive,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .jovision_models import JovisionMessage

__all__ = [
    "PUSH_OK_REPLY",
    "cap_face_report_reply",
    "error_reply",
    "frame_message",
    "keepalive_reply",
    "push_reply",
    "reply_for",
]


def _dumps(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("ascii")


def push_reply(code: int = JovisionCode.OK, message: str = "ok") -> bytes:
    """Return the answer to a face push: ``{"code":0,"retMsg":"ok"}``.

    Args:
        code: ``0`` success, ``-1001`` system exception, ``-1003`` token invalid.
        message: The ``retMsg`` text.
    """
    return _dumps({"code": int(code), "retMsg": message})


PUSH_OK_REPLY: Final[bytes] = push_reply()
"""``{"code":0,"retMsg":"ok"}``: the answer to a successful face push."""


def cap_face_report_reply(result: int = 0, info: str = "ok") -> bytes:
    """Return the answer to ``sw_cap_face_report``: ``{"sw_cap_face_report":{...}}``.

    Args:
        result: ``0`` for success.
        info: The ``info`` text.
    """
    return _dumps({METHOD_CAP_FACE_REPORT: {"result": int(result), "info": info}})


def error_reply(
    code: int = JovisionCode.SYSTEM_EXCEPTION, message: str = "invalid message"
) -> bytes:
    """Return the documented HTTP error body ``{"code":..,"retMsg":..,"dataObj":{}}``.

    Used for bodies `parse_jovision` rejects and for unknown methods (code ``-1001``,
    "system exception").

    Args:
        code: The error code.
        message: The ``retMsg`` text.
    """
    return _dumps({"code": int(code), "retMsg": message, "dataObj": {}})


def frame_message(data: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> bytes:
    """Wrap `data` as ``{"dataLength":N,"data":{...}}`` with a self-inclusive length.

    N is the byte length of the whole serialized JSON, including the digits of N itself
    (the seed's one consistent example, ``{"dataLength":80,"data":{"method":
    "sw_server_del_pic","param":{"index_id":480}}}``, is exactly 80 bytes). It is found by
    fixed-point iteration: the length only grows with the number of its digits, so the
    iteration rises monotonically to the smallest consistent N.

    Args:
        data: The ``data`` object.
        extra: Further top-level members, written after ``data``.

    Raises:
        ValueError: `extra` tries to set ``dataLength`` or ``data``.
    """
    extra = dict(extra or {})
    if "dataLength" in extra or "data" in extra:
        raise ValueError("extra must not contain dataLength or data")
    length = 0
    while True:
        body = _dumps({"dataLength": length, "data": data, **extra})
        if len(body) == length:
            return body
        length = len(body)


def keepalive_reply(code: int = JovisionCode.OK, message: str = "ok") -> bytes:
    """Return the answer to a ``keepalive``.

    The seed's table is ambiguous about where ``code`` and ``retMsg`` go, so both are
    written inside ``data`` and at the top level::

        {"dataLength":N,"data":{"method":"keepalive","code":0,"retMsg":"ok"},
         "code":0,"retMsg":"ok"}

    Args:
        code: ``0`` success, ``-1002`` device not in the server list, ``-1003`` token
            invalid.
        message: The ``retMsg`` text.
    """
    code = int(code)
    return frame_message(
        {"method": METHOD_KEEPALIVE, "code": code, "retMsg": message},
        {"code": code, "retMsg": message},
    )


def reply_for(message: JovisionMessage) -> bytes:
    """Return the documented answer to a parsed message.

    ``keepalive`` gets `keepalive_reply`, ``sw_cap_face_report`` gets
    `cap_face_report_reply`, the other face pushes get `PUSH_OK_REPLY`, and an unknown
    method gets `error_reply` with ``-1001``.
    """
    if isinstance(message, JovisionKeepalive):
        return keepalive_reply()
    if message.method == METHOD_CAP_FACE_REPORT:
        return cap_face_report_reply()
    if isinstance(message, JovisionFaceEvent):
        return PUSH_OK_REPLY
    return error_reply(JovisionCode.SYSTEM_EXCEPTION, "unsupported method")
