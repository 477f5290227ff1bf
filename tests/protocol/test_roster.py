"""Roster diffing, customId lists and per-person batch outcomes (pure)."""

import json
from datetime import datetime

import pytest

from custom_components.face_terminal.protocol import (
    Ack,
    BatchAck,
    build_delete_all_persons,
    parse_message,
)
from custom_components.face_terminal.protocol.parse import MAX_LISTED_IDS
from custom_components.face_terminal.protocol.roster import (
    NO_ACK_CODE,
    Fingerprint,
    RosterPerson,
    batch_outcomes,
    chunked,
    custom_ids_from_ack,
    fingerprint,
    plan_roster,
)

TOPIC = "mqtt/face/1305433"
ACK_TOPIC = f"{TOPIC}/Ack"


def ack(operator: str, info: dict[str, object], code: object = "200") -> Ack:
    body: dict[str, object] = {"operator": f"{operator}-Ack", "messageId": "m1", "info": info}
    if code is not None:
        body["code"] = code
    message = parse_message(ACK_TOPIC, json.dumps(body).encode())
    assert isinstance(message, Ack)
    return message


def person(
    custom_id: str, name: str = "Alice", photo: str | None = "p1", **kw: object
) -> RosterPerson:
    return RosterPerson(custom_id=custom_id, name=name, photo_digest=photo, **kw)  # type: ignore[arg-type]


# --- plan -----------------------------------------------------------------------------------


def test_plan_adds_new_people_with_photo() -> None:
    plan = plan_roster([person("a"), person("b")], present=[], known={})
    assert plan.add == ["a", "b"]
    assert plan.send_photo == {"a", "b"}
    assert plan.update == plan.unchanged == plan.delete == []
    assert plan.changes == 2


def test_plan_new_person_without_photo_cannot_be_added() -> None:
    plan = plan_roster([person("a", photo=None)], present=[], known={})
    assert plan.add == []
    assert plan.photo_missing == ["a"]


def test_plan_unchanged_person_is_left_alone() -> None:
    wanted = person("a")
    plan = plan_roster([wanted], present=["a"], known={"a": fingerprint(wanted)})
    assert plan.unchanged == ["a"]
    assert plan.changes == 0


def test_plan_name_change_updates_without_photo() -> None:
    old = fingerprint(person("a", name="Alice"))
    plan = plan_roster([person("a", name="Alicia")], present=["a"], known={"a": old})
    assert plan.update == ["a"]
    assert plan.send_photo == set()


@pytest.mark.parametrize(
    "changed",
    [
        {"person_type": 1},
        {"valid_from": datetime(2026, 1, 1), "valid_until": datetime(2026, 2, 1)},
    ],
)
def test_plan_type_or_validity_change_updates(changed: dict[str, object]) -> None:
    old = fingerprint(person("a"))
    plan = plan_roster([person("a", **changed)], present=["a"], known={"a": old})
    assert plan.update == ["a"]
    assert plan.send_photo == set()


def test_plan_photo_change_sends_photo() -> None:
    old = fingerprint(person("a", photo="p1"))
    plan = plan_roster([person("a", photo="p2")], present=["a"], known={"a": old})
    assert plan.update == ["a"]
    assert plan.send_photo == {"a"}


def test_plan_person_without_photo_keeps_the_terminals_photo() -> None:
    old = fingerprint(person("a", photo="p1"))
    plan = plan_roster([person("a", photo=None)], present=["a"], known={"a": old})
    assert plan.unchanged == ["a"]


def test_plan_unknown_person_on_terminal_is_updated_with_photo() -> None:
    plan = plan_roster([person("a")], present=["a"], known={})
    assert plan.update == ["a"]
    assert plan.send_photo == {"a"}


def test_plan_deletes_only_when_asked_and_keeps_invalid_entries() -> None:
    wanted = [person("a")]
    present = ["a", "b", "c"]
    assert plan_roster(wanted, present, {}).delete == []
    plan = plan_roster(wanted, present, {}, keep=["c"], delete_missing=True)
    assert plan.delete == ["b"]


def test_fingerprint_separates_details_and_photo() -> None:
    first = fingerprint(person("a", photo="p1"))
    second = fingerprint(person("a", photo="p2"))
    assert first.details == second.details
    assert first.photo != second.photo
    assert fingerprint(person("a", name="B")).details != first.details


# --- QueryPerson-Ack ----------------------------------------------------------------------------


def test_custom_ids_from_comma_text_with_duplicates_and_blanks() -> None:
    reply = ack(
        "QueryPerson",
        {"TotalPersonNum": "4", "QueryPersonNum": "3", "Customid": "a, b,,a,c ", "result": "ok"},
    )
    assert custom_ids_from_ack(reply) == (["a", "b", "c"], 4)


def test_custom_ids_from_array() -> None:
    reply = ack("QueryPerson", {"customId": ["x", 7, None, "y"]})
    assert custom_ids_from_ack(reply) == (["x", "7", "y"], None)


def test_custom_ids_hostile_values_are_dropped_and_bounded() -> None:
    too_long = "z" * 48
    reply = ack("QueryPerson", {"customId": f"ok,{too_long},bad\u202eid,\u0007"})
    # An ID with control or bidi characters, or longer than a terminal stores, is no ID
    # (never cut or cleaned: that could name somebody else).
    assert custom_ids_from_ack(reply) == (["ok"], None)
    many = ",".join(str(i) for i in range(MAX_LISTED_IDS + 5))
    ids, _ = custom_ids_from_ack(ack("QueryPerson", {"customId": many}))
    assert len(ids) == MAX_LISTED_IDS


def test_custom_ids_missing_list() -> None:
    assert custom_ids_from_ack(ack("QueryPerson", {"customId": {"a": 1}})) == ([], None)
    assert custom_ids_from_ack(ack("QueryPerson", {})) == ([], None)
    assert custom_ids_from_ack(ack("Versions", {"customId": "a"})) == ([], None)


def test_long_lists_survive_the_ack_bounds() -> None:
    """A thousand 32-character IDs are far more than `Ack.info` keeps of one text."""
    ids = [f"person-{number:025x}" for number in range(1000)]
    reply = ack("QueryPerson", {"customId": ",".join(ids), "TotalPersonNum": "1000"})
    assert custom_ids_from_ack(reply) == (ids, 1000)
    as_list = ack("QueryPerson", {"customId": ids})
    assert custom_ids_from_ack(as_list) == (ids, None)


# --- batch outcomes -----------------------------------------------------------------------------


def test_batch_ack_200_with_failures_is_not_success_for_those_people() -> None:
    reply = ack(
        "EditPersonsNew",
        {
            "AddErrNum": "1",
            "AddSucNum": "1",
            "AddErrInfo": [{"customId": "b", "errcode": "466"}],
            "AddSucInfo": [{"customId": "a"}],
            "result": "ok",
        },
    )
    assert isinstance(reply, BatchAck)
    assert reply.ok
    outcomes = batch_outcomes(reply, ["a", "b", "c"])
    assert outcomes["a"].ok
    assert not outcomes["b"].ok
    assert outcomes["b"].error_code == 466
    assert outcomes["b"].error == "the terminal could not get the picture data from picURI"
    assert not outcomes["c"].ok
    assert outcomes["c"].error_code == NO_ACK_CODE


def test_batch_failure_wins_over_success_and_unknown_code_is_named() -> None:
    reply = ack(
        "EditPersonsNew",
        {
            "AddErrInfo": [{"customId": "a", "errcode": "499"}],
            "AddSucInfo": [{"customId": "a"}],
        },
    )
    outcome = batch_outcomes(reply, ["a"])["a"]
    assert not outcome.ok
    assert outcome.error == "unknown error code"


def test_batch_refused_fails_everyone_with_the_command_meaning() -> None:
    reply = ack("EditPersonsNew", {"result": "fail"}, code="410")
    outcomes = batch_outcomes(reply, ["a", "b"])
    assert all(not outcome.ok and outcome.error_code == 410 for outcome in outcomes.values())
    assert "has not finished yet" in (outcomes["a"].error or "")


def test_delete_outcomes() -> None:
    reply = ack(
        "DeletePersons",
        {"DelSucInfo": [{"customId": "a"}], "DelErrInfo": [{"customId": "b"}]},
    )
    outcomes = batch_outcomes(reply, ["a", "b"])
    assert outcomes["a"].ok
    assert not outcomes["b"].ok
    assert outcomes["b"].error_code is None


def test_chunked() -> None:
    assert [list(part) for part in chunked([1, 2, 3, 4, 5], 2)] == [[1, 2], [3, 4], [5]]
    assert list(chunked([], 3)) == []
    with pytest.raises(ValueError, match="at least 1"):
        list(chunked([1], 0))


def test_stored_fingerprint_round_trip() -> None:
    first = fingerprint(person("a"))
    assert Fingerprint(first.details, first.photo, first.name) == first
    # The name has a digest of its own: a changed name changes it, nothing else does.
    assert fingerprint(person("b", photo="p2", person_type=1)).name == first.name
    assert fingerprint(person("a", name="Bob")).name != first.name
    assert first.name is not None
    assert "Alice" not in first.name


# --- DeleteAllPerson ------------------------------------------------------------------------------


def test_build_delete_all_persons() -> None:
    command = build_delete_all_persons(TOPIC, "1305433", message_id="m1")
    assert (command.topic, command.operator, command.message_id) == (
        TOPIC,
        "DeleteAllPerson",
        "m1",
    )
    assert json.loads(command.payload) == {
        "operator": "DeleteAllPerson",
        "messageId": "m1",
        "info": {"facesluiceId": "1305433", "deleteall": 1},
    }
