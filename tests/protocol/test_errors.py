"""Error-code tables and ack descriptions."""

import json
from typing import Any

from custom_components.face_terminal.protocol import (
    ERROR_CODES,
    GENERIC_ERROR_CODES,
    PERSON_ERROR_CODES,
    Ack,
    BatchAck,
    describe_ack_error,
    error_meaning,
    parse_message,
    person_error_meaning,
)

from .samples import JPEG_URI


def ack(operator: str, *, code: object = None, **info: Any) -> Ack:
    body: dict[str, Any] = {"operator": operator, "info": {"facesluiceId": "1", **info}}
    if code is not None:
        body["code"] = code
    message = parse_message("mqtt/face/1/Ack", json.dumps(body))
    assert isinstance(message, Ack)
    return message


def test_tables_cover_the_appendix() -> None:
    assert set(range(460, 477)) <= set(ERROR_CODES["EditPerson"])
    assert {410, 412, 413, 415, 416, 417} <= set(GENERIC_ERROR_CODES)
    assert set(range(461, 479)) - {471, 472, 473, 474} <= set(PERSON_ERROR_CODES["AddPersons"])
    assert {479, 480, 481, 482} <= set(PERSON_ERROR_CODES["EditPersonsNew"])
    for table in (*ERROR_CODES.values(), *PERSON_ERROR_CODES.values()):
        for meaning in table.values():
            assert meaning
            assert meaning[0].islower() or meaning[0].isupper()
            assert not meaning.endswith(".")


def test_error_meaning_lookup() -> None:
    assert error_meaning("EditPerson", 467) == "the person list is full"
    assert error_meaning("editperson-ack", 467) == "the person list is full"
    assert error_meaning("EditPerson", 200) == "success"
    assert error_meaning("Unlock", 462) == "the info object is missing or invalid"
    assert error_meaning("Unlock", 999) is None
    assert error_meaning("Unlock", None) is None
    assert error_meaning("voiceplay-Ack", 464) == "the sound file does not exist on the terminal"
    assert person_error_meaning("AddPersons-Ack", 478) is not None
    assert person_error_meaning("AddPersons", None) is None
    assert person_error_meaning("Unlock", 466) is None


def test_describe_success_and_failures() -> None:
    assert describe_ack_error(ack("Unlock-Ack", result="ok")) == "Unlock succeeded."
    assert describe_ack_error(ack("Unlock-Ack", code=499, result="fail")) == (
        "Unlock failed with code 499: unknown error code."
    )
    assert describe_ack_error(ack("Unlock-Ack", result="fail", detail="door busy")) == (
        "Unlock failed with result 'fail' (detail: door busy)."
    )
    no_result = ack("Unlock-Ack", code="abc")
    assert no_result.code is None
    assert no_result.ok
    weird = Ack(
        operator="-Ack",
        topic="t",
        terminal_id=None,
        facesluice_id=None,
        message_id=None,
        code=None,
        result=None,
        detail="x",
        info={},
    )
    assert weird.ok
    failing = Ack(
        operator="Foo",
        topic="t",
        terminal_id=None,
        facesluice_id=None,
        message_id=None,
        code=None,
        result="",
        detail="lost",
        info={},
    )
    assert not failing.ok
    assert describe_ack_error(failing) == "Foo failed with result '' (detail: lost)."
    nothing = Ack(
        operator="",
        topic="t",
        terminal_id=None,
        facesluice_id=None,
        message_id=None,
        code=500,
        result=None,
        detail=None,
        info={},
    )
    assert describe_ack_error(nothing) == "command failed with code 500: unknown error code."


def test_describe_never_includes_pictures_and_shortens() -> None:
    picture = ack("EditPerson-Ack", code=463, result="fail", detail=JPEG_URI)
    assert "data:image" not in describe_ack_error(picture)
    blob = ack("EditPerson-Ack", code=463, result="fail", detail="A" * 300)
    assert "AAAA" not in describe_ack_error(blob)
    long_text = ack("EditPerson-Ack", code=463, result="fail", detail="word " * 100)
    text = describe_ack_error(long_text)
    assert len(text) < 300
    assert "…" in text
    no_detail = ack("EditPerson-Ack", code=463, result="fail")
    assert describe_ack_error(no_detail) == (
        "EditPerson failed with code 463: the picture's base64 data could not be decoded."
    )


def test_describe_without_code_or_result() -> None:
    failing = Ack(
        operator="EditPerson-Ack",
        topic="t",
        terminal_id=None,
        facesluice_id=None,
        message_id=None,
        code=None,
        result=None,
        detail=None,
        info={},
    )
    assert failing.ok
    forced = Ack(
        operator="EditPerson-Ack",
        topic="t",
        terminal_id=None,
        facesluice_id=None,
        message_id=None,
        code=None,
        result=None,
        detail="d",
        info={},
    )
    assert describe_ack_error(forced) == "EditPerson succeeded (detail: d)."


def test_describe_batch_failures() -> None:
    failures = [{"customId": f"p{i}", "errcode": str(464 + i)} for i in range(7)]
    failures.append({"errcode": "999"})
    message = ack(
        "AddPersons-Ack",
        code="200",
        result="ok",
        AddErrInfo=failures,
        AddSucInfo=[{"customId": "ok1"}],
    )
    assert isinstance(message, BatchAck)
    text = describe_ack_error(message)
    assert text.startswith(
        "AddPersons succeeded; 8 persons failed: p0 (464: the terminal could not"
    )
    assert "and 3 more" in text
    one = ack("DeletePersons-Ack", result="ok", DelErrInfo=[{"customId": "gone"}])
    assert describe_ack_error(one) == "DeletePersons succeeded; 1 person failed: gone."
    unknown = ack("EditPersons-Ack", result="ok", EditErrInfo=[{"errcode": 999}])
    assert describe_ack_error(unknown) == (
        "EditPersons succeeded; 1 person failed: unknown customId (999: unknown error code)."
    )
