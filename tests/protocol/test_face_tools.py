"""Builders and readers of the face tools (V1.24 §17-19)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.face_terminal.protocol import CommandError, parse_message
from custom_components.face_terminal.protocol.face_tools import (
    MAX_SEARCH_RESULTS,
    FaceMatch,
    build_detect_face,
    build_picture_search,
    build_picture_similarity,
    face_detected,
    search_matches,
    similarity_of,
)
from tests import payloads
from tests.payloads import ACK_TOPIC, COMMAND_TOPIC, TERMINAL_ID

JPEG = payloads.jpeg()


def body(command: Any) -> dict[str, Any]:
    assert command.topic == COMMAND_TOPIC
    return json.loads(command.payload)


def ack(operator: str, **info: Any) -> Any:
    return parse_message(ACK_TOPIC, payloads.ack(operator, "m1", **info))


def test_similarity_command() -> None:
    data = body(build_picture_similarity(COMMAND_TOPIC, TERMINAL_ID, JPEG, JPEG))
    assert data["operator"] == "GetPictureSimilarity"
    assert data["info"]["facesluiceId"] == TERMINAL_ID
    assert data["info"]["picinfo1"].startswith("data:image/jpeg;base64,")
    assert data["info"]["picinfo2"] == data["info"]["picinfo1"]


def test_search_command() -> None:
    data = body(
        build_picture_search(COMMAND_TOPIC, TERMINAL_ID, JPEG, min_similarity=75, max_results=3)
    )
    assert data["operator"] == "GetPictureSearch"
    assert data["info"]["MaxSimilarity"] == 75
    assert data["info"]["MaxNum"] == 3
    assert data["info"]["picinfo"].startswith("data:image/jpeg;base64,")


def test_detect_command() -> None:
    data = body(build_detect_face(COMMAND_TOPIC, TERMINAL_ID, JPEG))
    assert data["operator"] == "DetectFaceFromPic"
    assert data["info"]["picinfo"].startswith("data:image/jpeg;base64,")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_similarity": -1},
        {"min_similarity": 101},
        {"min_similarity": float("nan")},
        {"min_similarity": True},
        {"max_results": 0},
        {"max_results": MAX_SEARCH_RESULTS + 1},
        {"max_results": 2.0},
    ],
)
def test_search_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(CommandError):
        build_picture_search(COMMAND_TOPIC, TERMINAL_ID, JPEG, **kwargs)


def test_pictures_are_checked() -> None:
    with pytest.raises(CommandError, match="not a JPEG"):
        build_detect_face(COMMAND_TOPIC, TERMINAL_ID, b"hello")
    with pytest.raises(CommandError, match="empty"):
        build_picture_similarity(COMMAND_TOPIC, TERMINAL_ID, JPEG, b"")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("94.0", 94.0), (83.456, 83.5), ("", None), ("-3", None), ("250", None), (None, None)],
)
def test_similarity_reader(value: Any, expected: float | None) -> None:
    info = {} if value is None else {"Similarity": value}
    assert similarity_of(ack("GetPictureSimilarity", **info)) == expected


@pytest.mark.parametrize(("value", "expected"), [("1", True), (0, False), ("2", None), ("", None)])
def test_detect_reader(value: Any, expected: bool | None) -> None:
    assert face_detected(ack("DetectFaceFromPic", DetectFace=value)) is expected


def test_search_reader_keeps_only_named_fields() -> None:
    reply = ack(
        "GetPictureSearch",
        TotalNum=3,
        SearchInfo=[
            {
                "personType": "0",
                "name": "cff\u202e\x07",
                "idCard": "421126198702054321",
                "telnum1": "18888888888",
                "customId": "123cdeqw",
                "Similarity": "91.5",
            },
            {},
            "junk",
            {"persionName": "Bob", "personType": "1"},
        ],
    )
    assert search_matches(reply) == (
        FaceMatch(custom_id="123cdeqw", name="cff", person_type=0, similarity=91.5),
        FaceMatch(custom_id=None, name="Bob", person_type=1, similarity=None),
    )


def test_search_reader_shapes() -> None:
    single = ack("GetPictureSearch", SearchInfo={"customId": "a", "name": "A" * 200})
    [match] = search_matches(single)
    assert match.name == "A" * 64
    assert search_matches(ack("GetPictureSearch")) == ()
    many = [{"customId": str(number)} for number in range(MAX_SEARCH_RESULTS + 5)]
    assert len(search_matches(ack("GetPictureSearch", SearchInfo=many))) == MAX_SEARCH_RESULTS
