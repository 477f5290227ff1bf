"""The simulated Jovision device against a tiny local HTTP server (stdlib http.server)."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image

from simulator import images
from simulator.jovision import (
    DEFAULT_HEARTBEAT,
    FIRST_INDEX_ID,
    JovisionConfigError,
    JovisionDevice,
    JovisionReply,
    mac_for,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

REPO = Path(__file__).resolve().parents[2]
UUID = "7A3F00C1E5B2"


@dataclass
class Request:
    """One request the server received."""

    request_line: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self.body)
        return decoded


class Server:
    """Records requests and answers with `reply(request) -> (status, body)`."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.condition = threading.Condition()
        self.reply: Callable[[Request], tuple[int, bytes]] = lambda _request: (
            200,
            b'{"code":0,"retMsg":"ok"}',
        )
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                request = Request(
                    self.requestline, self.path, dict(self.headers.items()), self.rfile.read(length)
                )
                with server.condition:
                    server.requests.append(request)
                    server.condition.notify_all()
                status, body = server.reply(request)
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                """Quiet."""

        self.http = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.http.server_address[1]
        self.thread = threading.Thread(target=self.http.serve_forever, args=(0.05,))

    def url(self, path: str = "/faceinfo") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def of(self, method: str) -> list[Request]:
        with self.condition:
            return [r for r in self.requests if r.json.get("method") == method]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        with self.condition:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.condition.wait(remaining)
        return True


@pytest.fixture
def server(socket_enabled: None) -> Iterator[Server]:
    running = Server()
    running.thread.start()
    try:
        yield running
    finally:
        running.http.shutdown()
        running.http.server_close()
        running.thread.join()


def decode_jpeg(text: str) -> Image.Image:
    picture = Image.open(io.BytesIO(base64.b64decode(text, validate=True)))
    assert picture.format == "JPEG"
    picture.load()
    return picture


def test_keepalive_at_start_then_periodically(server: Server) -> None:
    device = JovisionDevice(UUID, server.url(), heartbeat=0.05)
    with device:
        assert server.wait_for(lambda: len(server.requests) >= 3)
    count = len(server.requests)

    first = server.requests[0]
    assert first.request_line == "POST /faceinfo HTTP/1.0"  # as in the document's example
    assert first.headers["Content-Type"] == "application/json;charset=utf-8"
    assert first.headers["Connection"] == "keep-alive"
    assert int(first.headers["Content-Length"]) == len(first.body)
    assert first.headers["Host"] == f"127.0.0.1:{server.port}"
    body = first.json
    assert body["method"] == "keepalive"
    assert body["uuid"] == UUID
    assert body["mac"] == mac_for(UUID)
    assert body["device_type"] == 0x16
    assert body["timestamp"].isdigit()
    assert body["soft_version"]
    assert all(reply.ok for reply in device.replies("keepalive"))
    time.sleep(0.2)
    assert len(server.requests) == count  # stopped
    assert not device.running


def test_heartbeat_url_and_no_periodic_heartbeat(server: Server) -> None:
    device = JovisionDevice(
        UUID, server.url(), heartbeat_url=server.url("/keepalive?x=1"), heartbeat=None
    )
    device.start()
    device.start()  # a second start does nothing
    assert server.wait_for(lambda: len(server.requests) == 1)
    device.stop()
    device.stop()
    assert server.requests[0].path == "/keepalive?x=1"
    assert device.heartbeat is None
    assert DEFAULT_HEARTBEAT == 30


def test_push_match_sends_a_compare_push_with_real_pictures(server: Server) -> None:
    device = JovisionDevice(UUID, server.url(), host="192.168.5.146", mac="E0:62:90:01:02:03")

    reply = device.push_match("Alice", list_type="vip", match_score=0.912, age=29, gender=2, mask=1)

    assert reply.ok
    assert reply.status == 200
    assert reply.code == 0
    [request] = server.requests
    body = request.json
    assert body["method"] == "sw_face_compare_push"
    assert body["uuid"] == UUID
    assert body["mac"] == "E0:62:90:01:02:03"
    assert body["host"] == "192.168.5.146"
    assert body["product_name"]
    data = body["data"]
    assert data["index_id"] == FIRST_INDEX_ID  # Alice is the first library person
    assert data["pic_sort"] == 3
    assert data["pic_name"] == "Alice.jpg"
    assert data["match_score"] == 0.912
    assert data["capture_time"].isdigit()
    assert data["attribute"]["age"] == 29
    assert data["attribute"]["gender"] == 2
    assert data["attribute"]["mask"] == 1
    assert data["visit_count"] == 1
    assert base64.b64decode(data["img_data"]) == images.face_jpeg("Alice")
    assert data["img_name"].startswith(f"FACE_{UUID}_")
    assert data["img_name"].endswith(".jpg")
    scene = decode_jpeg(data["img_fr"])
    assert scene.width > scene.height
    assert data["img_fr_name"].endswith("_YT.jpg")


def test_push_capture_sends_the_documented_capture_shape(server: Server) -> None:
    device = JovisionDevice(UUID, server.url(), device_type=0x10)

    reply = device.push_capture(temperature=37.84, age=41, gender=2, quality=54321)

    assert reply.ok
    [request] = server.requests
    body = request.json
    assert body["method"] == "sw_face_capture_push"
    assert body["uuid"] == UUID
    assert body["device_type"] == 0x10
    data = body["data"]
    assert "index_id" not in data  # a capture matched nobody
    assert "pic_name" not in data
    assert time.strptime(data["capture_time"], "%Y-%m-%d %H:%M:%S")
    assert data["quality"] == 54321
    assert isinstance(data["track_id"], int)
    assert data["attribute"]["age"] == 41
    assert data["attribute"]["gender"] == 2
    assert data["temperature"] == {
        "realtime_t": "37.8",
        "warning_t": "37.3",
        "warning_type": "over temperature",
    }
    decode_jpeg(data["img_data"])
    assert decode_jpeg(data["img_fr"]).width > 0
    assert data["img_fr_name"].endswith("_YT.jpg")


def test_capture_without_thermometer_or_scene(server: Server) -> None:
    device = JovisionDevice(UUID, server.url(), scene=False)
    assert device.push_capture().ok
    data = server.requests[0].json["data"]
    assert "temperature" not in data
    assert data["img_fr"] == ""


def test_cap_face_report_shape_and_reply(server: Server) -> None:
    device = JovisionDevice(UUID, server.url())
    server.reply = lambda _request: (200, b'{"sw_cap_face_report":{"result":0,"info":"ok"}}')

    reply = device.push_capture(report=True, password="secret")

    assert reply.ok
    assert reply.code == 0
    body = server.requests[0].json
    assert body["UserName"] == "admin"
    assert len(body["Password"]) == 32
    assert "secret" not in json.dumps(body)
    report = body["sw_cap_face_report"]
    assert report["DeviceUUID"] == UUID
    assert report["Info"]["CaptureTime"]
    decode_jpeg(report["Info"]["Img"])
    assert device.replies("sw_cap_face_report") == [reply]

    server.reply = lambda _request: (200, b'{"sw_cap_face_report":{"result":-1}}')
    refused = device.push_capture(report=True)
    assert not refused.ok
    assert refused.code == -1


def test_capture_quality_is_checked() -> None:
    device = JovisionDevice(UUID, "http://127.0.0.1:9/")
    with pytest.raises(JovisionConfigError, match="quality"):
        device.push_capture(quality=100000)


def test_list_types_index_ids_and_options(server: Server) -> None:
    device = JovisionDevice(UUID, server.url(), scene=False, picture_kb=20)

    assert device.push_match("Mallory", list_type="blacklist").ok
    assert device.push_match("Newcomer", list_type=4).ok
    assert device.push_match("Newcomer", index_id=77).ok

    first, second, third = (r.json["data"] for r in server.requests)
    assert first["pic_sort"] == 1
    assert second["pic_sort"] == 4
    assert second["index_id"] > FIRST_INDEX_ID  # a new library entry
    assert third["index_id"] == 77
    assert third["pic_sort"] == 2  # whitelist by default
    assert third["visit_count"] == 2
    assert first["img_fr"] == ""
    assert 18_000 < len(base64.b64decode(first["img_data"])) <= 20 * 1024


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"list_type": "greylist"}, "unknown list type"),
        ({"list_type": 9}, "unknown list type"),
        ({"match_score": 1.5}, "not within 0..1"),
    ],
)
def test_bad_push_arguments_are_refused(kwargs: dict[str, Any], message: str) -> None:
    device = JovisionDevice(UUID, "http://127.0.0.1:9/x")
    with pytest.raises(JovisionConfigError, match=message):
        device.push_match("Alice", **kwargs)


@pytest.mark.parametrize(
    ("uuid", "url"),
    [("", "http://127.0.0.1/x"), ("x" * 33, "http://127.0.0.1/x"), (UUID, "https://h/x")],
)
def test_bad_settings_are_refused(uuid: str, url: str) -> None:
    with pytest.raises(JovisionConfigError):
        JovisionDevice(uuid, url)


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, b'{"code":-1003,"retMsg":"token invalid"}', "result code -1003"),
        (200, b'{"dataLength":60,"data":{"method":"keepalive","code":-1002}}', "-1002"),
        (200, b"OK", "not a JSON object"),
        (200, b'{"code":"zero"}', "result code None"),
        (404, b"{}", "HTTP 404"),
    ],
)
def test_replies_are_checked(server: Server, status: int, body: bytes, error: str) -> None:
    server.reply = lambda _request: (status, body)
    device = JovisionDevice(UUID, server.url())

    reply = device.send_keepalive()

    assert not reply.ok
    assert reply.status == status
    assert reply.error is not None
    assert error in reply.error


def test_nested_ok_reply_counts(server: Server) -> None:
    server.reply = lambda _request: (
        200,
        b'{"dataLength":70,"data":{"method":"keepalive","code":0,"retMsg":"ok"}}',
    )
    assert JovisionDevice(UUID, server.url()).send_keepalive().ok


def test_no_server_gives_a_failed_reply(socket_enabled: None) -> None:
    with HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_address[1]
    device = JovisionDevice(UUID, f"http://127.0.0.1:{port}/", timeout=2)

    reply = device.push_match("Bob")

    assert reply == JovisionReply("sw_face_compare_push", 0, None, reply.error)
    assert reply.error is not None
    assert reply.error.startswith("no answer")
    assert reply.code is None
    assert device.sent[-1].reply is reply


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_cli_runs_jovision_devices_only(server: Server) -> None:
    result = run_cli(
        "--terminals",
        "0",
        "--jovision",
        server.url(),
        "--jovision-heartbeat-url",
        server.url("/keepalive"),
        "--jovision-devices",
        "2",
        "--jovision-heartbeat",
        "0.3",
        "--arrivals",
        "0.1",
        "--duration",
        "1.5",
        "--seed",
        "3",
    )

    assert result.returncode == 0, result.stderr
    keepalives = server.of("keepalive")
    pushes = server.of("sw_face_compare_push")
    assert {r.json["uuid"] for r in keepalives} == {"JVSIM7A3F00C1E5-1", "JVSIM7A3F00C1E5-2"}
    assert all(r.path == "/keepalive" for r in keepalives)
    assert len(pushes) >= 3
    assert all(r.path == "/faceinfo" for r in pushes)
    assert "<picture" not in result.stdout  # the log has no base64 either
    assert "sw_face_compare_push -> " in result.stdout


def test_cli_jovision_captures(server: Server) -> None:
    result = run_cli(
        "--terminals",
        "0",
        "--jovision",
        server.url(),
        "--jovision-heartbeat",
        "0",
        "--jovision-captures",
        "--stranger-ratio",
        "1",
        "--arrivals",
        "0.1",
        "--duration",
        "1",
        "--seed",
        "3",
    )

    assert result.returncode == 0, result.stderr
    assert server.of("sw_face_capture_push")
    assert not server.of("sw_face_compare_push")  # every arrival a stranger
    assert "sw_face_capture_push -> capture FACE_" in result.stdout


def test_cli_argument_errors() -> None:
    assert run_cli("--terminals", "0").returncode == 2
    bad_count = run_cli("--terminals", "0", "--jovision", "http://h/x", "--jovision-devices", "0")
    assert bad_count.returncode == 2
    bad_url = run_cli("--terminals", "0", "--jovision", "ftp://h/x", "--duration", "0")
    assert bad_url.returncode == 2
    assert "not a plain http:// URL" in bad_url.stdout
    assert "--jovision" in run_cli("--help").stdout
