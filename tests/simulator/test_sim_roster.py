"""Batch enrolment in the simulator: photos fetched over HTTP, per-person errors, progress."""

from __future__ import annotations

import http.server
import threading
from typing import TYPE_CHECKING, Any

import pytest

from simulator import images
from simulator.command_types import Command
from simulator.commands import CommandProcessor
from simulator.device import Device

if TYPE_CHECKING:
    from collections.abc import Iterator

ID = "1305433"
FLAGS = {"DataBegin": "BeginFlag", "DataEnd": "EndFlag"}


class _Photos(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        bodies = {
            "/face.jpg": images.face_jpeg("Batch Person"),
            "/other.jpg": images.face_jpeg("Other Person"),
            "/text.jpg": b"this is not a picture " * 100,
            "/tiny.jpg": b"tiny",
        }
        body = bodies.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep the test output quiet."""


@pytest.fixture
def photos(socket_enabled: None) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Photos)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def batch(persons: list[dict[str, Any]]) -> Command:
    return Command(
        {
            "operator": "EditPersonsNew",
            "messageId": "b1",
            "PersonNum": len(persons),
            "info": persons,
            **FLAGS,
        }
    )


def progress(processor: CommandProcessor) -> dict[str, Any]:
    reply = processor.handle(Command({"operator": "QueryProgress", "messageId": "q", "info": {}}))
    info: dict[str, Any] = reply.messages[0].payload["info"]
    return info


def test_batch_fetches_each_photo_and_fails_per_person(photos: str) -> None:
    device = Device(ID, capacity=3, seed_persons=False)
    processor = CommandProcessor(device)
    persons = [
        {"customId": "ok", "name": "Ok", "picURI": f"{photos}/face.jpg"},
        {"customId": "gone", "name": "Gone", "picURI": f"{photos}/missing.jpg"},
        {"customId": "text", "name": "Text", "picURI": f"{photos}/text.jpg"},
        {"customId": "tiny", "name": "Tiny", "picURI": f"{photos}/tiny.jpg"},
        {"customId": "nopic", "name": "No picture"},
        {"customId": "second", "name": "Second", "picURI": f"{photos}/other.jpg"},
        {"customId": "third", "name": "Third", "picURI": f"{photos}/face.jpg"},
        {"customId": "full", "name": "Full", "picURI": f"{photos}/face.jpg"},
    ]
    started = processor.handle(batch(persons))
    assert started.batch is not None
    assert started.messages == []  # the answer comes when the batch is done
    running = progress(processor)
    assert (running["Status"], running["QueryType"]) == ("3", "EditPersonsNew")
    assert (running["FinishNum"], running["TotalNum"]) == ("0", "8")
    refused = processor.handle(batch(persons[:1])).messages[0].payload
    assert (refused["code"], refused["info"]["detail"]) == ("410", "EditPersonsNew is busy")
    answer = processor.run_batch(started.batch).messages[0].payload
    assert (answer["code"], answer["info"]["result"]) == ("200", "ok")
    errors = {item["customId"]: item["errcode"] for item in answer["info"]["AddErrInfo"]}
    assert errors == {
        "gone": "465",  # HTTP 404: the download failed
        "text": "468",  # no face in it
        "tiny": "466",  # too small to be a picture
        "nopic": "481",  # a new person needs picURI
        "full": "469",  # the library is full
    }
    assert answer["info"]["AddSucInfo"] == [
        {"customId": "ok"},
        {"customId": "second"},
        {"customId": "third"},
    ]
    idle = progress(processor)
    assert idle["Status"] == "0"
    assert "FinishNum" not in idle
    assert device.store.get("ok") is not None


def test_batch_photo_download_timeout(socket_enabled: None) -> None:
    import socket

    with socket.socket() as listener:  # accepts, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        device = Device(ID, seed_persons=False, uri_timeout=0.2)
        processor = CommandProcessor(device)
        port = listener.getsockname()[1]
        command = batch(
            [{"customId": "slow", "name": "Slow", "picURI": f"http://127.0.0.1:{port}/a.jpg"}]
        )
        started = processor.handle(command)
        assert started.batch is not None
        answer = processor.run_batch(started.batch).messages[0].payload
    assert answer["info"]["AddErrInfo"] == [{"customId": "slow", "errcode": "465"}]
