"""Jovision message models: the typed results of `parse_jovision` (seed 004).

Privacy: no model keeps base64 text, face feature vectors (``face_feature``) or the cloud
``token``. Pictures are decoded into `ImageResult` (bytes, never text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime  # noqa: TC003 - dataclass field types are resolved at runtime
from enum import IntEnum
from typing import Final

from .models import NO_IMAGE, FaceBox, ImageResult

__all__ = [
    "LIST_UNKNOWN",
    "METHOD_CAPTURE_PUSH",
    "METHOD_CAP_FACE_REPORT",
    "METHOD_COMPARE_PUSH",
    "METHOD_KEEPALIVE",
    "JovisionCapture",
    "JovisionCode",
    "JovisionCompare",
    "JovisionDeviceType",
    "JovisionError",
    "JovisionFaceEvent",
    "JovisionKeepalive",
    "JovisionMessage",
    "JovisionUnknown",
]

METHOD_KEEPALIVE: Final = "keepalive"
METHOD_COMPARE_PUSH: Final = "sw_face_compare_push"
METHOD_CAPTURE_PUSH: Final = "sw_face_capture_push"
METHOD_CAP_FACE_REPORT: Final = "sw_cap_face_report"
LIST_UNKNOWN: Final = "unknown"
"""`JovisionCompare.list_type` of a ``pic_sort`` outside the documented lists."""


class JovisionError(Exception):
    """A body is not a Jovision message at all (not JSON, not an object, no method)."""


class JovisionCode(IntEnum):
    """Result codes of the server's answers (seed: heartbeat, push and token replies)."""

    OK = 0
    SYSTEM_EXCEPTION = -1001
    DEVICE_NOT_IN_SERVER_LIST = -1002
    TOKEN_INVALID = -1003
    DEVICE_NOT_REGISTERED = -1004


class JovisionDeviceType(IntEnum):
    """``SW_DEV_TYPE``: what kind of device sent a message."""

    CAPTURE_CAMERA = 0x10  # face-recognition (capture) camera
    COMPARISON_MACHINE = 0x12
    BINOCULAR_GATE = 0x14  # binocular access control / attendance
    MONOCULAR_GATE = 0x16
    AI_NVR = 0x18
    CLOUD_PLATFORM = 0x1A
    APP = 0x1C
    WECHAT = 0x1E
    CMS = 0x20
    OTHER = 0x21  # other sub-control tools, e.g. an attendance client


_DEVICE_TYPE_NAMES: Final = {member.value: member.name.lower() for member in JovisionDeviceType}


@dataclass(frozen=True, slots=True, kw_only=True)
class JovisionMessage:
    """Fields every Jovision message may carry: who sent it.

    Attributes:
        method: The method, in the document's spelling for known methods, else as sent.
        uuid: Device UUID (``uuid`` / ``DeviceUUID``).
        mac: Device MAC address, as sent.
        host: Device LAN IP (``host`` / ``HostIP`` / ``ip``).
        device_type: ``SW_DEV_TYPE`` number (``0x10`` capture camera, ``0x12`` comparison
            machine, ...); see `device_type_name`.
        product_name: Product or device name (``product_name`` / ``DeviceName``).
    """

    method: str
    uuid: str | None = None
    mac: str | None = None
    host: str | None = None
    device_type: int | None = None
    product_name: str | None = None

    @property
    def device_type_name(self) -> str | None:
        """``SW_DEV_TYPE`` as a word (``"capture_camera"``, ...); None when unknown."""
        if self.device_type is None:
            return None
        return _DEVICE_TYPE_NAMES.get(self.device_type)

    @property
    def device_key(self) -> str | None:
        """The identity to bind a terminal to: the UUID, else the MAC address."""
        return self.uuid or self.mac


@dataclass(frozen=True, slots=True, kw_only=True)
class JovisionKeepalive(JovisionMessage):
    """``keepalive``: the heartbeat, by default every 30 seconds.

    Attributes:
        soft_version: Main program version.
        timestamp: Device clock as a UTC-aware time (sent as Unix seconds).
        interval: Heartbeat interval in seconds, if the firmware says (not in the seed).
    """

    soft_version: str | None = None
    timestamp: datetime | None = None
    interval: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class JovisionFaceEvent(JovisionMessage):
    """Fields shared by a comparison (match) push and a capture push.

    Times sent as Unix seconds (the compare push) are UTC-aware; times sent as
    ``YYYY-MM-DD HH:MM:SS`` (the capture pushes) are naive device wall-clock time, to which
    the caller attaches the device's time zone.

    Attributes:
        channel: Channel number as text (the seed's example puts a serial number there).
        capture_time: When the face was captured.
        send_time: When the device sent the push.
        quality: Face quality score (0..100 in the compare push, 0..99999 in captures).
        face_box: Face rectangle in the scene picture.
        age: Estimated age; ``0`` (the "unknown" placeholder) is None.
        gender: ``"male"`` or ``"female"``.
        glasses: Whether glasses or sunglasses are worn.
        eyewear: ``"none"``, ``"glasses"`` or ``"sunglasses"``.
        mask: Whether a mask is worn.
        beard: Whether the person has a beard.
        race: ``"asian"``, ``"black"`` or ``"white"`` (the seed's codes 1, 2, 3).
        emotion: ``"angry"``, ``"calm"``, ``"happy"``, ``"sad"`` or ``"surprised"``.
        temperature: Measured body temperature (``temperature.realtime_t``).
        temperature_threshold: Alarm threshold (``temperature.warning_t``).
        temperature_warning: ``temperature.warning_type``, as sent.
        face: The face crop (``img_data`` / ``Img``).
        face_name: The face picture's file name (``img_name``).
        scene: The background picture (``img_fr``), sent only when the device is set to
            upload original pictures.
        scene_name: The background picture's file name (``img_fr_name``).
    """

    channel: str | None = None
    capture_time: datetime | None = None
    send_time: datetime | None = None
    quality: int | None = None
    face_box: FaceBox | None = None
    age: int | None = None
    gender: str | None = None
    glasses: bool | None = None
    eyewear: str | None = None
    mask: bool | None = None
    beard: bool | None = None
    race: str | None = None
    emotion: str | None = None
    temperature: float | None = None
    temperature_threshold: float | None = None
    temperature_warning: str | None = None
    face: ImageResult = NO_IMAGE
    face_name: str | None = None
    scene: ImageResult = NO_IMAGE
    scene_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class JovisionCompare(JovisionFaceEvent):
    """``sw_face_compare_push``: a face matched a picture of the device's library.

    The protocol has no person-name field: `person_name` is the library picture's file name
    without its extension (``chenzhen_12354.jpg`` gives ``chenzhen_12354``), unless the
    record carries an explicit ``person_name``/``name``.

    Attributes:
        index_id: System-wide ID of the library picture, assigned by the server.
        pic_sort: The list number as sent (1 blacklist, 2 whitelist, 3 VIP, 4 custom).
        list_type: ``"blacklist"``, ``"whitelist"``, ``"vip"`` or ``"custom"``;
            ``"unknown"`` when ``pic_sort`` was sent but is none of these.
        pic_name: Library picture file name.
        person_name: See above.
        match_score: Comparison score in 0..1 (a percentage is scaled down).
        visit_count: Cumulative visits.
    """

    index_id: int | None = None
    pic_sort: int | None = None
    list_type: str | None = None
    pic_name: str | None = None
    person_name: str | None = None
    match_score: float | None = None
    visit_count: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class JovisionCapture(JovisionFaceEvent):
    """``sw_face_capture_push`` or ``sw_cap_face_report``: a face was captured (no match).

    `method` tells the two apart; `reply_for` answers each in its documented shape.

    Attributes:
        track_id: Tracking ID (``sw_face_capture_push``).
        face_id: Face ID (``sw_cap_face_report`` ``FaceID``).
        cloudsee_id: CloudSEE device ID (``sw_cap_face_report`` ``DeviceID``).
        username: Server user name the device was configured with (``UserName``).
        password_md5: MD5 of the configured server password (``Password``); not printed.
    """

    track_id: int | None = None
    face_id: int | None = None
    cloudsee_id: str | None = None
    username: str | None = None
    password_md5: str | None = field(default=None, repr=False)

    @property
    def device_key(self) -> str | None:
        """The identity to bind a terminal to: the UUID, CloudSEE ID or MAC address."""
        return self.uuid or self.cloudsee_id or self.mac


@dataclass(frozen=True, slots=True, kw_only=True)
class JovisionUnknown(JovisionMessage):
    """A message with a method this module does not model. Kept, not an error.

    Attributes:
        keys: Names of the record's fields (values are not kept: they may be pictures).
    """

    keys: tuple[str, ...] = ()
