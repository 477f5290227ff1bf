"""A simulated Jovision face-recognition device: HTTP push of heartbeats and matches.

Written from the vendor document (seed 004, "Face Recognition System" HTTP protocol) and
the research notes only; nothing is shared with the integration's parser. The device is
an HTTP *client*: it POSTs

* ``keepalive`` heartbeats every ``heartbeat`` seconds (default 30, the document's
  default) to the heartbeat address, and
* ``sw_face_compare_push`` matches against its face library to the push address, with a
  real JPEG face (``img_data``) and background picture (``img_fr``), both base64,
* on request, face *captures* (no match) in either documented shape: the
  ``sw_face_capture_push`` message (``YYYY-MM-DD HH:MM:SS`` times, quality 0..99999, a
  ``track_id`` and, on thermometer models, a ``temperature`` object) or the CamelCase
  ``{"UserName", "Password", "sw_cap_face_report": {...}}`` report; the vendor marks
  both "temporarily unused", so the simulator sends them only when asked,

each as an ``HTTP/1.0`` request with ``Connection: keep-alive``, ``Content-Type:
application/json;charset=utf-8`` and a ``Content-Length``, like the document's example
head. Every answer is checked: status 200, a JSON object and result code 0 (either at
the top level or inside ``data``, the document shows both shapes).

Example::

    device = JovisionDevice("7A3F00C1E5B21234", "http://127.0.0.1:8123/api/webhook/abc")
    device.start()  # first keepalive at once, then every 30 s
    device.push_match("Alice", list_type="whitelist")
    device.stop()
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import itertools
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from simulator import images
from simulator.store import SEED_PERSONS

_LOGGER = logging.getLogger("simulator.jovision")

METHOD_KEEPALIVE: Final = "keepalive"
METHOD_COMPARE_PUSH: Final = "sw_face_compare_push"
METHOD_CAPTURE_PUSH: Final = "sw_face_capture_push"
METHOD_CAP_FACE_REPORT: Final = "sw_cap_face_report"

#: ``SW_DEV_TYPE`` values of the document.
DEV_IPC_CAPTURE: Final = 0x10
DEV_IPC_COMPARE: Final = 0x12
DEV_IPC_BINOCULAR_GATE: Final = 0x14
DEV_IPC_MONOCULAR_GATE: Final = 0x16

#: ``pic_sort``: the list a library picture is on.
LIST_TYPES: Final[dict[str, int]] = {"blacklist": 1, "whitelist": 2, "vip": 3, "custom": 4}

DEFAULT_HEARTBEAT: Final = 30.0
DEFAULT_PRODUCT_NAME: Final = "JVS-FR Access Terminal"
DEFAULT_SOFT_VERSION: Final = "V2.2.6.1 build 20230615"
FIRST_INDEX_ID: Final = 1001
_SCENE_SIZE: Final = (640, 360)


class JovisionConfigError(ValueError):
    """An invalid device setting or push argument (bad URL, unknown list type)."""


@dataclass(frozen=True, slots=True)
class JovisionReply:
    """The server's answer to one POST.

    Attributes:
        method: The method that was posted.
        status: HTTP status, 0 when no answer came (connection refused, timeout).
        body: The answer decoded as a JSON object, else None.
        error: Why the answer does not count as success, else None.
    """

    method: str
    status: int
    body: dict[str, Any] | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the server accepted the message (200, JSON, code 0)."""
        return self.error is None

    @property
    def code(self) -> int | None:
        """The result code, from the top level or from ``data``."""
        return _result_code(self.body)


def _result_code(body: dict[str, Any] | None) -> int | None:
    if body is None:
        return None
    # {"code": 0, ...}, {"data": {"code": 0}} or {"sw_cap_face_report": {"result": 0}}.
    holders = (
        (body, "code"),
        (body.get("data"), "code"),
        (body.get(METHOD_CAP_FACE_REPORT), "result"),
    )
    for holder, key in holders:
        if isinstance(holder, dict) and key in holder:
            try:
                return int(holder[key])
            except TypeError, ValueError:
                return None
    return None


@dataclass(frozen=True, slots=True)
class _Target:
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str) -> _Target:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise JovisionConfigError(f"not a plain http:// URL: {url!r}")
        path = parts.path or "/"
        if parts.query:
            path = f"{path}?{parts.query}"
        return cls(parts.hostname, parts.port or 80, path)


def mac_for(uuid: str) -> str:
    """A stable, locally administered MAC address derived from a UUID."""
    digest = hashlib.sha256(uuid.encode()).digest()
    return ":".join(f"{byte:02X}" for byte in (0x02, *digest[:5]))


@dataclass
class Sent:
    """One POST the device made, with the server's reply (for tests and logs)."""

    method: str
    payload: dict[str, Any]
    reply: JovisionReply


@dataclass
class _Library:
    """The device's face library: index ID by person name."""

    ids: dict[str, int] = field(default_factory=dict)
    _next: itertools.count[int] = field(default_factory=lambda: itertools.count(FIRST_INDEX_ID))

    def __post_init__(self) -> None:
        for seed in SEED_PERSONS:
            self.index_of(seed.name)

    def index_of(self, name: str) -> int:
        if name not in self.ids:
            self.ids[name] = next(self._next)
        return self.ids[name]


class JovisionDevice:
    """One simulated Jovision device posting to an HTTP server.

    Args:
        uuid: Device UUID (at most 32 characters).
        url: The "HTTP address" that receives face pushes.
        heartbeat_url: The heartbeat server address (default: `url`).
        mac: MAC address (default: derived from `uuid`).
        host: The device's own IP address, as it reports it in pushes.
        product_name: Product name sent with pushes.
        device_type: ``SW_DEV_TYPE`` (default: monocular access control).
        soft_version: Main program version sent with heartbeats.
        heartbeat: Seconds between heartbeats; None or 0 sends no periodic heartbeat.
        timeout: Socket timeout of each POST in seconds.
        scene: Whether pushes carry the background picture (``img_fr``).
        picture_kb: Size of the face pictures in KB (default: natural, ~10 KB).
        captures: Whether the device also reports faces nobody matched (capture pushes);
            only the simulator's random arrivals read it, `push_capture` always sends.
    """

    def __init__(
        self,
        uuid: str,
        url: str,
        *,
        heartbeat_url: str | None = None,
        mac: str | None = None,
        host: str = "127.0.0.1",
        product_name: str = DEFAULT_PRODUCT_NAME,
        device_type: int = DEV_IPC_MONOCULAR_GATE,
        soft_version: str = DEFAULT_SOFT_VERSION,
        heartbeat: float | None = DEFAULT_HEARTBEAT,
        timeout: float = 10.0,
        scene: bool = True,
        picture_kb: float | None = None,
        captures: bool = False,
    ) -> None:
        """Create the device (nothing is sent before `start` or a push)."""
        if not uuid or len(uuid) > 32:
            raise JovisionConfigError("the UUID must have 1 to 32 characters")
        self.uuid = uuid
        self.url = url
        self.heartbeat_url = heartbeat_url or url
        self._push_target = _Target.parse(self.url)
        self._heartbeat_target = _Target.parse(self.heartbeat_url)
        self.mac = mac or mac_for(uuid)
        self.host = host
        self.product_name = product_name
        self.device_type = device_type
        self.soft_version = soft_version
        self.heartbeat = heartbeat if heartbeat else None
        self.timeout = timeout
        self.scene = scene
        self.picture_kb = picture_kb
        self.captures = captures
        self.library = _Library()
        self.sent: list[Sent] = []
        self.visits: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pictures = itertools.count(1)

    # --- lifecycle ----------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the heartbeat loop runs."""
        return self._thread is not None

    def start(self) -> None:
        """Send the first heartbeat at once, then one every `heartbeat` seconds."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._heartbeat_loop, name=f"jovision-{self.uuid}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the heartbeats (waits for a POST under way)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join()

    def __enter__(self) -> JovisionDevice:
        """Start the device."""
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the device."""
        self.stop()

    def _heartbeat_loop(self) -> None:
        while True:
            self.send_keepalive()
            if self.heartbeat is None or self._stop.wait(self.heartbeat):
                return

    # --- messages -----------------------------------------------------------------

    def keepalive_payload(self) -> dict[str, Any]:
        """The body of a heartbeat (document: "Heartbeat Push")."""
        return {
            "method": METHOD_KEEPALIVE,
            "uuid": self.uuid,
            "mac": self.mac,
            "device_type": self.device_type,
            "timestamp": str(int(time.time())),
            "soft_version": self.soft_version,
            "token": "",
        }

    def send_keepalive(self) -> JovisionReply:
        """POST one heartbeat to the heartbeat address."""
        return self._post(self._heartbeat_target, self.keepalive_payload())

    def compare_payload(
        self,
        name: str,
        *,
        list_type: str | int = "whitelist",
        index_id: int | None = None,
        match_score: float = 0.93,
        age: int = 34,
        gender: int = 1,
        glasses: int = 0,
        mask: int = 0,
        capture_time: float | None = None,
    ) -> dict[str, Any]:
        """The body of a face comparison push for library person `name`.

        Raises:
            JovisionConfigError: `list_type` is not a known list, or the score is not
                within 0..1.
        """
        pic_sort = _pic_sort(list_type)
        if not 0 <= match_score <= 1:
            raise JovisionConfigError(f"match_score {match_score} is not within 0..1")
        when = time.time() if capture_time is None else capture_time
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(when)) + f"{int(when * 1000) % 1000:03d}"
        number = next(self._pictures)
        picture_name = f"FACE_{self.uuid}_{stamp}_{number}"
        self.visits[name] = self.visits.get(name, 0) + 1
        data: dict[str, Any] = {
            "channel": 0,
            "index_id": self.library.index_of(name) if index_id is None else index_id,
            "pic_sort": pic_sort,
            "pic_name": f"{name}.jpg",
            "match_score": round(match_score, 3),
            "position": {"x": 220, "y": 96, "w": 180, "h": 240},
            "capture_time": str(int(when)),
            "send_time": str(int(time.time())),
            "quality": 87,
            "visit_count": self.visits[name],
            "attribute": {
                "age": age,
                "gender": gender,
                "glasses": glasses,
                "mask": mask,
                "race": 1,
                "beard": 0,
                "emotion": 2,
            },
            "img_data": _b64(images.face_jpeg(name, self.picture_kb)),
            "img_name": f"{picture_name}.jpg",
            "img_fr": "",
            "img_fr_name": "",
            "face_feature": "",
        }
        self._add_scene(data, f"{self.uuid} {stamp}", name, picture_name)
        return self._push(METHOD_COMPARE_PUSH, data)

    def push_match(
        self,
        name: str,
        *,
        list_type: str | int = "whitelist",
        index_id: int | None = None,
        match_score: float = 0.93,
        age: int = 34,
        gender: int = 1,
        glasses: int = 0,
        mask: int = 0,
    ) -> JovisionReply:
        """POST a comparison result: `name` matched a library picture on `list_type`.

        Args:
            name: Person name; the library picture is ``<name>.jpg``.
            list_type: ``blacklist``, ``whitelist``, ``vip``, ``custom`` or 1..4.
            index_id: Library index ID (default: the device's ID for `name`).
            match_score: Comparison score, 0..1.
            age: Estimated age.
            gender: 1 male, 2 female.
            glasses: 0 none, 1 glasses, 2 sunglasses.
            mask: 0 no, 1 yes.

        Returns:
            The server's reply.
        """
        payload = self.compare_payload(
            name,
            list_type=list_type,
            index_id=index_id,
            match_score=match_score,
            age=age,
            gender=gender,
            glasses=glasses,
            mask=mask,
        )
        return self._post(self._push_target, payload)

    def capture_payload(
        self,
        *,
        age: int = 30,
        gender: int = 1,
        glasses: int = 0,
        mask: int = 0,
        quality: int = 65000,
        temperature: float | None = None,
        warning_temperature: float = 37.3,
        warning_type: str = "over temperature",
        capture_time: float | None = None,
    ) -> dict[str, Any]:
        """The body of a ``sw_face_capture_push`` (document: "Upload face capture data").

        Times are local wall-clock text, unlike the compare push's Unix seconds. With a
        `temperature` the device is a thermometer model: the ``temperature`` object
        carries the reading, the alarm threshold and the warning type.

        Raises:
            JovisionConfigError: `quality` is outside 0..99999.
        """
        if not 0 <= quality <= 99999:
            raise JovisionConfigError(f"quality {quality} is not within 0..99999")
        when = time.time() if capture_time is None else capture_time
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(when)) + f"{int(when * 1000) % 1000:03d}"
        number = next(self._pictures)
        picture_name = f"FACE_{self.uuid}_{stamp}_{number}"
        label = f"Visitor {number}"
        data: dict[str, Any] = {
            "channel": 0,
            "position": {"x": 220, "y": 96, "w": 180, "h": 240},
            "capture_time": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when)),
            "send_time": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime()),
            "quality": quality,
            "track_id": number,
            "attribute": {
                "age": age,
                "gender": gender,
                "glasses": glasses,
                "mask": mask,
                "race": 1,
                "beard": 0,
                "emotion": 2,
            },
            "img_data": _b64(images.face_jpeg(label, self.picture_kb)),
            "img_name": f"{picture_name}.jpg",
            "img_fr": "",
            "img_fr_name": "",
            "face_feature": "",
        }
        if temperature is not None:
            data["temperature"] = {
                "realtime_t": f"{temperature:.1f}",
                "warning_t": f"{warning_temperature:.1f}",
                "warning_type": warning_type,
            }
        self._add_scene(data, f"{self.uuid} {stamp}", label, picture_name)
        return self._push(METHOD_CAPTURE_PUSH, data)

    def _add_scene(self, data: dict[str, Any], caption: str, face: str, picture_name: str) -> None:
        """The scene picture (``img_fr``), when the device uploads original images."""
        if self.scene:
            width, height = _SCENE_SIZE
            scene = images.scene_picture(caption, width=width, height=height, faces=(face,))
            data["img_fr"] = _b64(scene)
            data["img_fr_name"] = f"{picture_name}_YT.jpg"

    def _push(self, method: str, data: dict[str, Any]) -> dict[str, Any]:
        """A push body: the device's identity around `data`."""
        return {
            "token": "",
            "method": method,
            "uuid": self.uuid,
            "mac": self.mac,
            "host": self.host,
            "product_name": self.product_name,
            "device_type": self.device_type,
            "data": data,
        }

    def cap_face_report_payload(
        self, *, age: int = 30, gender: int = 1, username: str = "admin", password: str = ""
    ) -> dict[str, Any]:
        """The body of a ``sw_cap_face_report`` (the CamelCase capture report).

        ``Password`` is the MD5 of the configured server password, as the document says.
        """
        when = time.time()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(when)) + f"{int(when * 1000) % 1000:03d}"
        number = next(self._pictures)
        picture_name = f"FACE_{self.uuid}_{stamp}_{number}"
        info: dict[str, Any] = {
            "FaceID": number,
            "FaceQuality": 80,
            "Position": {"x1": 220, "y1": 96, "x2": 400, "y2": 336},
            "CaptureTime": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when)),
            "Img": _b64(images.face_jpeg(f"Visitor {number}", self.picture_kb)),
            "ImgName": f"{picture_name}.jpg",
            "Attribute": {"Age": age, "Gender": gender, "Glasses": 0, "Mask": 0},
        }
        return {
            "UserName": username,
            "Password": hashlib.md5(password.encode(), usedforsecurity=False).hexdigest(),
            METHOD_CAP_FACE_REPORT: {
                "DeviceID": self.uuid,
                "DeviceUUID": self.uuid,
                "DeviceName": self.product_name,
                "DeviceType": self.device_type,
                "Channel": 0,
                "HostIP": self.host,
                "DeviceMac": self.mac,
                "Info": info,
            },
        }

    def push_capture(self, *, report: bool = False, **fields: Any) -> JovisionReply:
        """POST a face capture (no match).

        A ``sw_face_capture_push``, or with `report` the ``sw_cap_face_report`` shape;
        `fields` go to `capture_payload` or `cap_face_report_payload`.
        """
        if report:
            return self._post(self._push_target, self.cap_face_report_payload(**fields))
        return self._post(self._push_target, self.capture_payload(**fields))

    # --- HTTP ---------------------------------------------------------------------

    def _post(self, target: _Target, payload: dict[str, Any]) -> JovisionReply:
        method = str(payload.get("method", METHOD_CAP_FACE_REPORT))
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        reply = post_json(target, body, method, self.timeout)
        with self._lock:
            self.sent.append(Sent(method, payload, reply))
        if reply.ok:
            _LOGGER.info("%s %s -> %s", self.uuid, method, _summary(payload))
        else:
            _LOGGER.warning("%s %s refused: %s", self.uuid, method, reply.error)
        return reply

    def replies(self, method: str) -> list[JovisionReply]:
        """Replies to every POST of `method` so far."""
        with self._lock:
            return [sent.reply for sent in self.sent if sent.method == method]


def _pic_sort(list_type: str | int) -> int:
    if isinstance(list_type, int):
        if list_type in LIST_TYPES.values():
            return list_type
    elif list_type in LIST_TYPES:
        return LIST_TYPES[list_type]
    raise JovisionConfigError(f"unknown list type {list_type!r} (one of {', '.join(LIST_TYPES)})")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _summary(payload: dict[str, Any]) -> str:
    data = payload.get("data")
    if not isinstance(data, dict):
        return "ok"
    if "pic_name" not in data:
        return f"capture {data.get('img_name')}"
    return f"{data['pic_name']} (list {data['pic_sort']}, score {data['match_score']})"


def post_json(target: _Target, body: bytes, method: str, timeout: float) -> JovisionReply:
    """POST `body` as the device does (HTTP/1.0, Content-Length) and check the answer."""
    host, port = target.host, target.port
    head = (
        f"POST {target.path} HTTP/1.0\r\n"
        "Connection: keep-alive\r\n"
        "Content-Type: application/json;charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Host: {host}:{port}\r\n"
        "\r\n"
    )
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(head.encode("ascii") + body)
            response = http.client.HTTPResponse(sock, method="POST")
            try:
                response.begin()
                raw = response.read()
            finally:
                response.close()
    except (OSError, http.client.HTTPException) as err:
        return JovisionReply(method, 0, None, f"no answer: {err or type(err).__name__}")
    status = response.status
    try:
        decoded = json.loads(raw)
    except ValueError:
        decoded = None
    parsed = decoded if isinstance(decoded, dict) else None
    error: str | None = None
    if status != http.client.OK:
        error = f"HTTP {status}"
    elif parsed is None:
        error = f"the answer is not a JSON object: {raw[:80]!r}"
    elif (code := _result_code(parsed)) != 0:
        error = f"result code {code}: {parsed.get('retMsg')}"
    return JovisionReply(method, status, parsed, error)
