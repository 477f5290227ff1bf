"""Command answers over a real broker: Unlock, persons, scene, unknown operators."""

from __future__ import annotations

import base64
import io

from PIL import Image

from simulator import Terminal, images

from .conftest import FIRST_ID, PREFIX, Platform, TerminalFactory


def jpeg_uri(label: str) -> str:
    return images.data_uri(images.face_jpeg(label))


def test_unlock_ack(terminal: Terminal, platform: Platform) -> None:
    ack = platform.call(
        FIRST_ID, "Unlock", {"facesluiceId": FIRST_ID, "openDoor": 1, "showInfo": "please pass"}
    )
    assert ack.topic == f"{PREFIX}/{FIRST_ID}/Ack"
    assert ack.operator == "Unlock-Ack"
    assert ack.json["messageId"].startswith("test-")
    assert ack.json["code"] == "200"
    assert ack.info["facesluiceId"] == FIRST_ID
    assert ack.info["openDoor"] == "1"
    assert ack.info["result"] == "ok"
    assert terminal.unlock_count == 1
    assert terminal.show_infos == ["please pass"]
    assert terminal.received[-1]["operator"] == "Unlock"


def test_unanswered_operator_gets_no_reply(
    make_terminal: TerminalFactory, platform: Platform
) -> None:
    terminal = make_terminal(unanswered=("editperson",))
    platform.command(FIRST_ID, "EditPerson", {"customId": "eve-1", "name": "Eve"})
    assert terminal.wait_for(lambda: terminal.unanswered_count == 1)
    assert terminal.store.get("eve-1") is None
    # Other commands are still answered, and nothing answered the EditPerson.
    ack = platform.call(FIRST_ID, "Unlock", {"facesluiceId": FIRST_ID, "openDoor": 1})
    assert ack.operator == "Unlock-Ack"
    assert not [m for m in platform.messages if m.operator == "EditPerson-Ack"]


def test_edit_person_with_good_jpeg(terminal: Terminal, platform: Platform) -> None:
    info = {
        "customId": "eve-1",
        "name": "Eve",
        "personType": 0,
        "gender": 1,
        "pic": jpeg_uri("Eve"),
    }
    ack = platform.call(FIRST_ID, "EditPerson", info)
    assert ack.json["code"] == "200"
    assert ack.info["result"] == "ok"
    assert ack.info["customId"] == "eve-1"
    person = terminal.store.get("eve-1")
    assert person is not None
    assert person.name == "Eve"
    assert ack.info["personId"] == str(person.person_id)
    assert person.picture == images.face_jpeg("Eve")
    # the picture never shows up in what the terminal recorded
    assert terminal.received[-1]["info"]["pic"].startswith("<picture ")

    found = platform.call(FIRST_ID, "SearchPerson", {"customId": "eve-1", "Picture": 1})
    assert found.info["Name"] == "Eve"
    assert found.json["pic"].startswith("data:image/jpeg;base64,")

    record_id = terminal.push_recognition("Eve")
    rec = platform.wait_on(f"{PREFIX}/{FIRST_ID}/Rec", "RecPush")[0]
    assert rec.info["RecordID"] == str(record_id)
    assert rec.info["customId"] == "eve-1"


def test_edit_person_errors(make_terminal: TerminalFactory, platform: Platform) -> None:
    terminal = make_terminal(capacity=7)  # six built-in people
    bad = platform.call(
        FIRST_ID, "EditPerson", {"customId": "x", "pic": "data:image/jpeg;base64,@@@"}
    )
    assert (bad.json["code"], bad.info["result"]) == ("463", "fail")
    assert bad.info["detail"] == "pic base64 data decode err"

    missing = platform.call(FIRST_ID, "EditPerson", {"name": "Nobody", "pic": jpeg_uri("N")})
    assert missing.json["code"] == "461"

    blank = io.BytesIO()
    Image.new("RGB", (200, 200), (128, 128, 128)).save(blank, "JPEG")
    no_face = platform.call(
        FIRST_ID,
        "EditPerson",
        {"customId": "x", "pic": base64.b64encode(blank.getvalue()).decode()},
    )
    assert no_face.json["code"] == "464"

    text = platform.call(FIRST_ID, "EditPerson", {"customId": "x", "pic": "aGVsbG8gd29ybGQ="})
    assert text.json["code"] == "464"

    no_picture = platform.call(FIRST_ID, "EditPerson", {"customId": "new", "name": "New"})
    assert no_picture.json["code"] == "472"

    ok = platform.call(FIRST_ID, "EditPerson", {"customId": "g", "name": "G", "pic": jpeg_uri("G")})
    assert ok.json["code"] == "200"
    full = platform.call(
        FIRST_ID, "EditPerson", {"customId": "h", "name": "H", "pic": jpeg_uri("H")}
    )
    assert (full.json["code"], full.info["detail"]) == ("467", "Person num is full")

    gone = platform.call(FIRST_ID, "DelPerson", {"customId": "nobody"})
    assert gone.json["code"] == "464"
    deleted = platform.call(FIRST_ID, "DelPerson", {"customId": "g"})
    assert deleted.info["result"] == "ok"
    assert "g" not in terminal.store


def test_search_person_list(terminal: Terminal, platform: Platform) -> None:
    ack = platform.call(
        FIRST_ID,
        "SearchPersonList",
        {"personType": 2, "gender": 2, "BeginNO": 0, "RequestCount": 3},
    )
    assert ack.json["code"] == 200
    assert ack.info["TotalPersonNum"] == len(terminal.store)
    assert ack.info["PersonNum"] == 3
    assert [entry["name"] for entry in ack.info["List"]] == ["Alice", "Bob", "张三"]

    by_name = platform.call(FIRST_ID, "SearchPersonList", {"name": "caro", "personType": 2})
    assert [entry["customId"] for entry in by_name.info["List"]] == ["sim-carol"]

    nobody = platform.call(FIRST_ID, "SearchPersonList", {"name": "zzz"})
    assert (nobody.json["code"], nobody.info["result"]) == (466, "fail")


def test_batch_edit_persons_new_reports_per_person(terminal: Terminal, platform: Platform) -> None:
    ack = platform.call(
        FIRST_ID,
        "EditPersonsNew",
        [{"customId": "sim-bob", "name": "Robert"}, {"customId": "new-1", "name": "No picture"}],
        DataBegin="BeginFlag",
        DataEnd="EndFlag",
        PersonNum=2,
    )
    assert ack.json["code"] == "200"
    assert ack.info["result"] == "ok"  # overall ok although one person failed
    assert ack.info["AddSucNum"] == "1"
    assert ack.info["AddErrNum"] == "1"
    assert ack.info["AddSucInfo"] == [{"customId": "sim-bob"}]
    assert ack.info["AddErrInfo"] == [{"customId": "new-1", "errcode": "481"}]
    bob = terminal.store.get("sim-bob")
    assert bob is not None
    assert bob.name == "Robert"


def test_scene_snap_honours_quality(terminal: Terminal, platform: Platform) -> None:
    sizes = []
    for quality in (55, 100):
        ack = platform.call(FIRST_ID, "GetSceneSnap", {"ImgType": "2", "ImgQuality": quality})
        assert ack.info["ImgType"] == "2"
        uri = ack.info["ImgData"]
        assert uri.startswith("data:image/jpeg;base64,")
        data = base64.b64decode(uri.partition(",")[2])
        assert Image.open(io.BytesIO(data)).size == (1280, 720)
        sizes.append(len(data))
    assert sizes[0] < sizes[1]


def test_unknown_operator_and_foreign_target(terminal: Terminal, platform: Platform) -> None:
    ack = platform.call(FIRST_ID, "Teleport", {})
    assert ack.operator == "Teleport-Ack"
    assert (ack.json["code"], ack.info["result"]) == ("404", "fail")

    platform.command(FIRST_ID, "Unlock", {"facesluiceId": "9999999", "openDoor": 1})
    versions = platform.call(FIRST_ID, "Versions")
    assert versions.info["name"]
    assert terminal.ignored_count == 1
    assert terminal.unlock_count == 0


def test_held_replies_wait_while_others_are_answered(
    terminal: Terminal, platform: Platform
) -> None:
    """`hold_replies` makes one operator slow; the terminal answers everything else."""
    terminal.hold_replies("EditPerson")
    held = platform.command(
        FIRST_ID, "EditPerson", {"customId": "eve-2", "name": "Eve", "pic": jpeg_uri("Eve")}
    )
    ack = platform.call(FIRST_ID, "Unlock", {"facesluiceId": FIRST_ID, "openDoor": 1})
    assert ack.operator == "Unlock-Ack"
    assert not platform.select(
        lambda message: message.topic.endswith("/Ack") and message.json.get("messageId") == held
    )
    assert terminal.store.get("eve-2") is not None  # executed, only the answer waits
    terminal.release_replies()
    assert platform.ack_for(FIRST_ID, held).operator == "EditPerson-Ack"
