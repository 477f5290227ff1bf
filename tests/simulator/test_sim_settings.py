"""The simulated terminal's settings checks, firmware upgrade and advertisements."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image

from simulator.command_types import Command
from simulator.commands import CommandProcessor
from simulator.device import VERSION_NAME, Device

if TYPE_CHECKING:
    from collections.abc import Generator

ID = "1305433"


@pytest.fixture
def device() -> Device:
    return Device(ID, capacity=20, uri_timeout=2.0)


@pytest.fixture
def processor(device: Device) -> CommandProcessor:
    return CommandProcessor(device)


def jpeg(width: int, height: int, kind: str = "JPEG") -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), (30, 60, 90)).save(output, format=kind)
    return output.getvalue()


FILES = {
    "/fw/v2.swx": b"firmware" * 100,
    "/ad.jpg": jpeg(800, 1280),
    "/big.jpg": jpeg(1080, 1920),
    "/ad.png": jpeg(100, 100, "PNG"),
}


@pytest.fixture
def server(socket_enabled: None) -> Generator[str]:
    """A local HTTP server with a firmware file and advertisement pictures."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = FILES.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def ack(processor: CommandProcessor, operator: str, info: dict[str, Any]) -> dict[str, Any]:
    reply = processor.handle(Command({"messageId": "m1", "operator": operator, "info": info}))
    payload: dict[str, Any] = reply.messages[0].payload
    assert payload["operator"] == f"{operator}-Ack"
    return payload


@pytest.mark.parametrize(
    ("operator", "info", "code"),
    [
        ("UpSoundconfig", {"Volume": "101"}, "462"),
        ("UpSoundconfig", {"Volume": "loud"}, "462"),
        ("UpSoundconfig", {"VerifyTipContent": "é" * 40}, "462"),
        ("UpDoorconfig", {"FaceThreshold": "49"}, "462"),
        ("UpDoorconfig", {"OpendoorWay": "4"}, "462"),
        ("UpDoorconfig", {"VerifyMode": "x"}, "463"),
        ("UpFaceconfig", {"recDistance": "20"}, "462"),
        ("UpTPTconfig", {"TemperatureHigh": "nan"}, "462"),
        ("Upconfig", {"WebTimeOut": "11"}, "461"),
        ("UpMQTTconfig", {"Direction": "1.5"}, "462"),
    ],
)
def test_out_of_range_refused(
    processor: CommandProcessor, device: Device, operator: str, info: dict[str, Any], code: str
) -> None:
    before = {section: dict(values) for section, values in device.config.items()}
    reply = ack(processor, operator, info)
    assert reply["code"] == code
    assert reply["info"]["result"] == "fail"
    assert device.config == before


def test_in_range_accepted(processor: CommandProcessor, device: Device) -> None:
    assert (
        ack(processor, "UpSoundconfig", {"Volume": "40", "VerifyTipContent": "Hi"})["code"] == "200"
    )
    assert device.config["sound"]["Volume"] == "40"
    assert ack(processor, "UpTPTconfig", {"TemperatureHigh": "37.50"})["code"] == "200"
    assert ack(processor, "UpDoorconfig", {"VerifyMode": "769"})["code"] == "200"
    assert ack(processor, "GetDoorconfig", {})["info"]["VerifyMode"] == "769"


def test_upgrade(processor: CommandProcessor, server: str) -> None:
    assert ack(processor, "Versions", {})["info"]["name"] == VERSION_NAME
    reply = processor.handle(
        Command(
            {
                "messageId": "m1",
                "operator": "Upgrade",
                "info": {"name": "v2", "path": f"{server}/fw/v2.swx"},
            }
        )
    )
    assert reply.reboot
    assert reply.messages[0].payload["info"]["result"] == "ok"
    assert ack(processor, "Versions", {})["info"]["name"] == "v2"


def test_upgrade_failures(processor: CommandProcessor, server: str) -> None:
    assert (
        ack(processor, "Upgrade", {"name": "v3", "path": f"{server}/fw/missing.swx"})["code"]
        == "464"
    )
    assert ack(processor, "Upgrade", {"name": "v3", "path": "ftp://h/v3.swx"})["code"] == "464"
    assert ack(processor, "Upgrade", {"name": "v3", "path": f"{server}/ad.jpg"})["code"] == "462"
    reply = processor.handle(Command({"messageId": "m1", "operator": "Upgrade"}))
    assert reply.messages[0].payload["code"] == "462"
    assert ack(processor, "Versions", {})["info"]["name"] == VERSION_NAME


def test_advertisement(processor: CommandProcessor, device: Device, server: str) -> None:
    good = {"adid": "", "path": f"{server}/ad.jpg", "adslot": "3", "polltime": "15"}
    assert ack(processor, "EditAD", good)["code"] == "200"
    assert device.ads[3] == {"path": f"{server}/ad.jpg", "polltime": 15}
    # Only the display time: no download.
    assert ack(processor, "EditAD", {"adslot": "3", "polltime": "20"})["code"] == "200"
    assert device.ads[3]["polltime"] == 20
    for path in ("/big.jpg", "/ad.png", "/missing.jpg"):
        refused = ack(processor, "EditAD", {**good, "path": f"{server}{path}"})
        assert refused["code"] == "465", path
    assert ack(processor, "EditAD", {**good, "adslot": "5"})["code"] == "463"
    assert ack(processor, "EditAD", {"path": good["path"]})["code"] == "462"
    reply = processor.handle(Command({"messageId": "m1", "operator": "EditAD"}))
    assert reply.messages[0].payload["code"] == "461"
    assert ack(processor, "DelAD", {"adslot": "3"})["code"] == "200"
    assert 3 not in device.ads
