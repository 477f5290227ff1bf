"""The Jovision "Face Recognition System" HTTP push protocol (seed 004).

Jovision face-capture cameras, comparison machines and gates POST a JSON body to a
configured HTTP address: ``keepalive`` heartbeats, ``sw_face_compare_push`` matches against
the device's face library, and (documented as "temporarily unused") the capture pushes
``sw_face_capture_push`` and ``sw_cap_face_report``. `parse_jovision` turns one such body
into a typed `JovisionMessage`; the ``*_reply`` helpers build the documented answers.

Handler contract (research notes §3.2)::

    try:
        message = parse_jovision(body)
    except JovisionError:
        return error_reply()  # {"code":-1001,"retMsg":"invalid message","dataObj":{}}
    return reply_for(message)  # answer at once, process `message` in the background

The parser is deliberately tolerant, because the only specification is a machine-translated
document full of typos: keys are matched case-insensitively and with or without
underscores (``img_fr``, ``ImgFr`` and ``Imgfr`` are one key); numbers may be text
(``"12"``, ``"0x10"``); blank and placeholder values (``""``, ``" "``, ``"null"``, index ID
``0``, time ``0``) become ``None``; the ``{"dataLength":N,"data":{...}}`` envelope of the
cloud/TCP mode and an HTTP request head in front of the body are both accepted. The only
exception it raises is `JovisionError`, for bodies that are not Jovision messages at all.

Privacy: no model keeps base64 text, face feature vectors (``face_feature``) or the cloud
``token``. Pictures are decoded into `ImageResult` (bytes, never text).

The code lives in `jovision_models` (message types), `jovision_parse` (the parser) and
`jovision_replies` (the answers), as on the MQTT side; this module is the public face.
"""

from .jovision_models import (
    LIST_UNKNOWN,
    METHOD_CAP_FACE_REPORT,
    METHOD_CAPTURE_PUSH,
    METHOD_COMPARE_PUSH,
    METHOD_KEEPALIVE,
    JovisionCapture,
    JovisionCode,
    JovisionCompare,
    JovisionDeviceType,
    JovisionError,
    JovisionFaceEvent,
    JovisionKeepalive,
    JovisionMessage,
    JovisionUnknown,
)
from .jovision_parse import parse_jovision
from .jovision_replies import (
    PUSH_OK_REPLY,
    cap_face_report_reply,
    error_reply,
    frame_message,
    keepalive_reply,
    push_reply,
    reply_for,
)

__all__ = [
    "LIST_UNKNOWN",
    "METHOD_CAPTURE_PUSH",
    "METHOD_CAP_FACE_REPORT",
    "METHOD_COMPARE_PUSH",
    "METHOD_KEEPALIVE",
    "PUSH_OK_REPLY",
    "JovisionCapture",
    "JovisionCode",
    "JovisionCompare",
    "JovisionDeviceType",
    "JovisionError",
    "JovisionFaceEvent",
    "JovisionKeepalive",
    "JovisionMessage",
    "JovisionUnknown",
    "cap_face_report_reply",
    "error_reply",
    "frame_message",
    "keepalive_reply",
    "parse_jovision",
    "push_reply",
    "reply_for",
]
