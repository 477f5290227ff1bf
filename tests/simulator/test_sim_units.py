"""Pure helpers: profiles, events, lenient JSON reading, pictures."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from typing import TYPE_CHECKING, Any

import pytest

from simulator import Terminal, images, parse_profile
from simulator.messages import as_int, lookup, parse_time, sanitize
from simulator.scenario import Event, parse_event, parse_scenario

from .conftest import FIRST_ID, Platform

if TYPE_CHECKING:
    from collections.abc import Iterator


def test_profiles() -> None:
    assert parse_profile("terminal").name_key == "persionName"
    camera = parse_profile("camera+pretty")
    assert (camera.name, camera.name_key, camera.pretty) == ("camera+pretty", "personName", True)
    assert parse_profile("toplevel").toplevel_id
    assert parse_profile("pretty,terminal").name == "terminal+pretty"
    with pytest.raises(ValueError, match="cannot be combined"):
        parse_profile("terminal+camera")
    with pytest.raises(ValueError, match="unknown profile"):
        parse_profile("toaster")
    message = parse_profile("toplevel").message("X", {"a": 1}, "7")
    assert message == {"operator": "X", "facesluiceId": "7", "info": {"a": 1}}


def test_events() -> None:
    assert parse_event("person Carol Danvers at 1305434") == Event(
        "person", "Carol Danvers", "1305434"
    )
    assert parse_event("stranger") == Event("stranger")
    assert parse_event("  # just a comment") is None
    assert parse_event("qr https://x/a#b at 7") == Event("qr", "https://x/a#b", "7")
    with pytest.raises(ValueError, match="unknown event"):
        parse_event("dance")
    with pytest.raises(ValueError, match="needs an argument"):
        parse_event("person at 1")
    with pytest.raises(ValueError, match="line 2"):
        parse_scenario("sleep 1\nsleep soon\n")


def test_lenient_reading() -> None:
    assert lookup({"ShowInfo": "x"}, "showInfo") == "x"
    assert as_int("12") == 12
    assert as_int("83.000000") == 83
    assert as_int(" ") is None
    assert parse_time("2020-4-1T17:59:54") == dt.datetime(2020, 4, 1, 17, 59, 54)
    assert parse_time("2019-12-02/10:46:05") == dt.datetime(2019, 12, 2, 10, 46, 5)
    assert parse_time("soon") is None
    clean = sanitize({"pic": "data:image/jpeg;base64,AAAA", "n": [1, "x" * 10]})
    assert clean == {"pic": "<picture 27 chars>", "n": [1, "x" * 10]}


@pytest.mark.parametrize("size_kb", [1, 100, 700])
def test_picture_sizes(size_kb: int) -> None:
    data = images.face_jpeg("Alice", size_kb)
    assert size_kb * 1024 - 4 <= len(data) <= size_kb * 1024
    assert images.inspect_picture(data).format == "JPEG"


def test_faces_are_distinct_and_deterministic() -> None:
    assert images.face_jpeg("Alice") == images.face_jpeg("Alice")
    assert images.face_jpeg("Alice") != images.face_jpeg("Bob")
    assert images.initials("Carol Danvers") == "CD"
    assert images.initials("张三").startswith("#")


class _PictureHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = images.face_jpeg("Uri Person") if self.path == "/face.jpg" else b"tiny"
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep the test output quiet."""


@pytest.fixture
def picture_server(socket_enabled: None) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PictureHandler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_pictures_by_uri(terminal: Terminal, platform: Platform, picture_server: str) -> None:
    ok = platform.call(
        FIRST_ID,
        "EditPerson",
        {"customId": "uri-1", "name": "Uri", "picURI": f"{picture_server}/face.jpg"},
    )
    assert ok.json["code"] == "200"
    assert terminal.store.get("uri-1") is not None
    short = platform.call(
        FIRST_ID,
        "EditPerson",
        {"customId": "uri-2", "name": "Uri", "picURI": f"{picture_server}/x"},
    )
    assert short.json["code"] == "468"
    unresolved = platform.call(
        FIRST_ID, "EditPerson", {"customId": "uri-3", "picURI": "http://no-such-host.invalid/x.jpg"}
    )
    assert unresolved.json["code"] == "470"
    batch = platform.call(
        FIRST_ID,
        "AddPersons",
        [{"customId": "uri-4", "name": "Four", "picURI": f"{picture_server}/face.jpg"}],
        DataBegin="BeginFlag",
        DataEnd="EndFlag",
        PersonNum="1",
    )
    assert batch.info["AddSucInfo"] == [{"customId": "uri-4"}]
